struct Orders;

// `args` names the parameters of one function: an `impl` block's options apply to all.
#[tracefault::trace(args(id))]
impl Orders {
    fn load(&self, id: u64) -> Result<u64, String> {
        Ok(id)
    }
}

fn main() {}
