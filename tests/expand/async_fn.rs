#[tracefault::trace]
async fn greet(name: &str) -> String {
    format!("hello {name}")
}
