//! The client side of a call to another service: where it is, and its answer read back as the
//! value asked for or as a [`RemoteError`].

use crate::errors::{ErrorBody, RemoteError};
use reqwest::RequestBuilder;
use serde::de::DeserializeOwned;
use tracefault::integrations::ReqwestExt;

/// A service this one calls.
#[derive(Clone, Debug)]
pub(crate) struct Downstream {
    name: &'static str,
    client: reqwest::Client,
    url: String,
}

impl Downstream {
    /// `name` at the base `url`, e.g. `http://127.0.0.1:7003`.
    pub(crate) fn new(name: &'static str, client: reqwest::Client, url: String) -> Downstream {
        let url = url.trim_end_matches('/').to_owned();
        Downstream { name, client, url }
    }

    /// A POST to `path`.
    pub(crate) fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(format!("{}{path}", self.url))
    }

    /// Sends `request` as a client span under the current one (its `traceparent` makes it the
    /// callee's parent) and reads the answer: a `T` on success, else what the service said
    /// went wrong, with the span that handled the request (from `traceresponse`).
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, RemoteError> {
        let service = self.name;
        let unreachable = |source| RemoteError::Unreachable { service, source };
        let response = request.send_traced().await.map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(unreachable);
        }
        let span = tracefault::integrations::traceresponse(&response).map(|callee| callee.child_id);
        let text = response.text().await.map_err(unreachable)?;
        // What came back is the callee's to choose: anything but our JSON is kept as text.
        let body = serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody::message(text));
        Err(RemoteError::failed(service, status, span, body))
    }
}
