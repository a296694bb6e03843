trait Store {
    #[tracefault::trace]
    fn get(&self, key: &str) -> Option<u32>;
}

fn main() {}
