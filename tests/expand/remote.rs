#[tracefault::trace(remote = request.headers())]
async fn handle(request: Request) -> Result<Response, HandlerError> {
    route(request).await
}
