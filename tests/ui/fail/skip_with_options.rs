struct Orders;

#[tracefault::trace]
impl Orders {
    #[trace(skip, level = "debug")]
    fn load(&self, id: u64) -> Result<u64, String> {
        Ok(id)
    }
}

fn main() {}
