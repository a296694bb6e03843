//! The client side of a call to another service: where it is, and its answer read back as the
//! value asked for or, from tracefault, as the callee's error.

use reqwest::RequestBuilder;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tracefault::integrations::{ReqwestExt, ResponseExt};

/// Why a call failed: the callee answered with an error (a `tracefault::RemoteError`, which
/// carries its chain), or it did not answer.
pub(crate) type CallError = Box<dyn std::error::Error + Send + Sync>;

/// A service this one calls.
#[derive(Clone, Debug)]
pub(crate) struct Downstream {
    client: reqwest::Client,
    url: String,
    /// How long a call waits for the answer, when shorter than the client's own limit.
    timeout: Option<Duration>,
}

impl Downstream {
    /// The service at the base `url`, e.g. `http://127.0.0.1:7003`.
    pub(crate) fn new(client: reqwest::Client, url: String) -> Downstream {
        let url = url.trim_end_matches('/').to_owned();
        Downstream {
            client,
            url,
            timeout: None,
        }
    }

    /// The same service, waited for at most `timeout` per call: past it the caller gives up,
    /// and the callee's handler is dropped when its connection closes.
    pub(crate) fn with_timeout(self, timeout: Duration) -> Downstream {
        Downstream {
            timeout: Some(timeout),
            ..self
        }
    }

    /// A POST to `path`.
    pub(crate) fn post(&self, path: &str) -> RequestBuilder {
        let request = self.client.post(format!("{}{path}", self.url));
        match self.timeout {
            Some(timeout) => request.timeout(timeout),
            None => request,
        }
    }

    /// Sends `request` as a client span under the current one (its `traceparent` makes it the
    /// callee's parent) and reads the answer: a `T` on success, else what the service said
    /// went wrong.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<T, CallError> {
        let response = request.send_traced().await?;
        Ok(response.error_for_problem().await?.json().await?)
    }
}
