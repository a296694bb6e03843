//! The exported span of one HTTP exchange, server or client side: attributes gathered as the
//! exchange goes, and the span ended when it is dropped, also when the exchange is abandoned.

use crate::context::Context;

#[derive(Debug, Default)]
pub(super) struct HttpSpan {
    #[cfg(feature = "otel")]
    exported: Option<Exported>,
}

#[cfg(feature = "otel")]
#[derive(Debug)]
struct Exported {
    record: Box<crate::export::SpanRecord>,
    method: String,
    attributes: Vec<opentelemetry::KeyValue>,
}

/// An attribute value, whatever the feature set.
#[cfg_attr(not(feature = "otel"), allow(dead_code))]
pub(super) enum Value {
    Text(String),
    Number(i64),
}

impl HttpSpan {
    /// The span of `context`, named by `method`, if it is exported; `attributes` is called
    /// only then.
    #[cfg_attr(not(feature = "otel"), allow(unused_variables))]
    pub(super) fn open(
        context: &Context,
        method: &http::Method,
        attributes: impl FnOnce() -> Vec<(&'static str, Value)>,
    ) -> HttpSpan {
        #[cfg(feature = "otel")]
        {
            let exported = crate::export::SpanRecord::open(context).map(|record| Exported {
                record,
                method: method.to_string(),
                attributes: std::iter::once((
                    "http.request.method",
                    Value::Text(method.to_string()),
                ))
                .chain(attributes())
                .map(|(key, value)| match value {
                    Value::Text(text) => opentelemetry::KeyValue::new(key, text),
                    Value::Number(number) => opentelemetry::KeyValue::new(key, number),
                })
                .collect(),
            });
            HttpSpan { exported }
        }
        #[cfg(not(feature = "otel"))]
        HttpSpan {}
    }

    /// The route the request matched (`/checkout/{sku}`): the span is named `GET /checkout/{sku}`
    /// and carries `http.route`, as OpenTelemetry's HTTP server conventions have it.
    #[cfg_attr(not(feature = "otel"), allow(unused_variables))]
    pub(super) fn matched(&mut self, route: &str) {
        #[cfg(feature = "otel")]
        if let Some(exported) = &mut self.exported {
            exported.method = format!("{} {route}", exported.method);
            exported
                .attributes
                .push(opentelemetry::KeyValue::new("http.route", route.to_owned()));
        }
    }

    /// The response's status; `failed` sets the span's status to `Error`.
    #[cfg_attr(not(feature = "otel"), allow(unused_variables))]
    pub(super) fn answered(&mut self, status: http::StatusCode, failed: bool) {
        #[cfg(feature = "otel")]
        if let Some(exported) = &mut self.exported {
            exported.attributes.push(opentelemetry::KeyValue::new(
                "http.response.status_code",
                i64::from(status.as_u16()),
            ));
            if failed {
                // The status code is the error's class, as the HTTP conventions have it.
                exported.record.record_error_status(
                    status.as_u16().to_string().into(),
                    format!("HTTP {}", status.as_u16()),
                );
            }
        }
    }

    /// The exchange failed without a response.
    #[cfg_attr(not(feature = "otel"), allow(unused_variables))]
    pub(super) fn failed(&mut self, description: impl FnOnce() -> String) {
        #[cfg(feature = "otel")]
        if let Some(exported) = &self.exported {
            // No response: the conventions' fallback class, unless an error value leaving the
            // span names its type.
            exported
                .record
                .record_error_status("_OTHER".into(), description());
        }
    }
}

#[cfg(feature = "otel")]
impl Drop for HttpSpan {
    fn drop(&mut self) {
        if let Some(exported) = self.exported.take() {
            exported
                .record
                .close(exported.method.into(), exported.attributes);
        }
    }
}
