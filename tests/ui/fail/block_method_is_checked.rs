struct Orders;

// Each method of an instrumented block is checked as if it carried the attribute itself.
#[tracefault::trace]
impl Orders {
    fn count(&self) -> usize {
        0
    }

    #[track_caller]
    fn load(&self, id: u64) -> Result<u64, String> {
        Ok(id)
    }
}

fn main() {
    let _ = Orders.count();
    let _ = Orders.load(1);
}
