#[tracefault::trace]
fn load(id: u64) -> impl Future<Output = Result<Record, DbError>> + Send {
    async move { query(id).await }
}
