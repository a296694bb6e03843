#[tracefault::trace]
async fn fetch(url: String) -> Result<Vec<u8>, std::io::Error> {
    download(&url).await
}
