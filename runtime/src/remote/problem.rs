//! RFC 9457 Problem Details: a failed request's answer, as data.

use super::exposure::{exposure_here, Exposure};
use crate::report::wire;
use crate::report::{Cause, ErrorReport, RemoteFrame};
use std::borrow::Cow;
use std::sync::Arc;
use tracefault_report::json::{self, Json};
use tracefault_report::keys::member;

/// The answer to a failed request, as RFC 9457 Problem Details (`application/problem+json`):
/// `type`, `title`, `status`, `detail`, `instance`, and the extension members `trace_id`,
/// `span_id` (the server span), `service` and `exception` (the error's `type`, `message`,
/// `causes` and, with [`Exposure::Frames`], `frames`). What is written depends on the
/// [`Exposure`] in force where it is written: by default only the status, its title and the
/// trace id.
///
/// With the `axum` feature it is an `IntoResponse`: `Err(Problem::from_error(500, &error))`.
///
/// ```
/// use tracefault::remote::{Exposure, Problem};
/// let error = std::io::Error::other("connection refused");
/// let problem = Problem::from_error(503, &error).exposure(Exposure::Chain);
/// let json = problem.to_json();
/// assert!(json.contains(r#""status":503"#));
/// assert!(json.contains(r#""detail":"connection refused""#));
/// ```
#[derive(Clone, Debug)]
pub struct Problem {
    status: u16,
    title: Option<String>,
    problem_type: Option<String>,
    detail: Option<String>,
    instance: Option<String>,
    exception: Option<Exception>,
    exposure: Option<Exposure>,
}

#[derive(Clone, Debug)]
struct Exception {
    type_name: Cow<'static, str>,
    message: String,
    causes: Vec<Cause>,
    frames: Vec<RemoteFrame>,
}

impl Problem {
    /// The media type of Problem Details in JSON.
    pub const CONTENT_TYPE: &'static str = "application/problem+json";

    /// A problem of `status`, titled by its reason phrase, about no error in particular.
    pub fn new(status: u16) -> Problem {
        Problem {
            status,
            title: None,
            problem_type: None,
            detail: None,
            instance: None,
            exception: None,
            exposure: None,
        }
    }

    /// A problem of `status` about `error`: its type, message and `source()` chain (with what
    /// services further down said, when their errors are in it), and, when tracefault
    /// reported it in this request, the origin's frames. `error` is any `std::error::Error`,
    /// `dyn Error`, or pointer to one: `anyhow::Error` and `eyre::Report` as they are (see
    /// [`AsDynError`](super::AsDynError)).
    pub fn from_error<E: super::AsDynError<Via> + ?Sized, Via>(status: u16, error: &E) -> Problem {
        let type_name = error.error_type_name();
        let error = error.as_dyn_error();
        let message = error.to_string();
        let reported = reported_here().filter(|report| report.message == message);
        let exception = match reported {
            Some(report) => Exception::of_report(&report),
            None => Exception {
                type_name,
                message,
                causes: crate::report::names::causes_of(error.source()),
                frames: Vec::new(),
            },
        };
        Problem {
            exception: Some(exception),
            ..Problem::new(status)
        }
    }

    /// A problem of `status` about what `report` describes.
    pub fn from_report(status: u16, report: &ErrorReport) -> Problem {
        Problem {
            exception: Some(Exception::of_report(report)),
            ..Problem::new(status)
        }
    }

    /// A problem of `status` about the error tracefault last reported in the request being
    /// served here (a panic a layer answered, say); about no error without one.
    pub fn from_last_report(status: u16) -> Problem {
        match reported_here() {
            Some(report) => Problem::from_report(status, &report),
            None => Problem::new(status),
        }
    }

    /// Whether the report tracefault last emitted in the request being served here is of a
    /// panic.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn last_report_is_a_panic() -> bool {
        reported_here().is_some_and(|report| report.kind == crate::report::ReportKind::Panic)
    }

    /// The problem type, a URI reference (`about:blank` when not set).
    pub fn with_type(mut self, uri: impl Into<String>) -> Problem {
        self.problem_type = Some(uri.into());
        self
    }

    /// The title (the status's reason phrase when not set).
    pub fn with_title(mut self, title: impl Into<String>) -> Problem {
        self.title = Some(title.into());
        self
    }

    /// The explanation of this occurrence (the error's message when not set), written from
    /// [`Exposure::Chain`] up.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    /// A URI reference naming this occurrence (the request's path when not set), written
    /// from [`Exposure::Chain`] up.
    pub fn with_instance(mut self, uri: impl Into<String>) -> Problem {
        self.instance = Some(uri.into());
        self
    }

    /// What this answer exposes, whatever the process or the layer chose.
    pub fn exposure(mut self, exposure: Exposure) -> Problem {
        self.exposure = Some(exposure);
        self
    }

    /// The HTTP status this answer is sent with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body, `application/problem+json`, as the exposure in force here allows.
    pub fn to_json(&self) -> String {
        let exception = self.exception.as_ref().map(|exception| {
            let causes: Vec<_> = exception.causes.iter().map(wire::cause).collect();
            (causes, wire::remote_frames(&exception.frames))
        });
        let exception = exception
            .as_ref()
            .map(|(causes, frames)| (causes.as_slice(), frames.as_slice()));
        self.to_json_value(self.exposure.unwrap_or_else(exposure_here), exception)
            .to_string()
    }

    /// The body; `exception` is the exception's causes and frames in the shared format.
    fn to_json_value<'a>(
        &'a self,
        exposure: Exposure,
        shared: Option<(
            &'a [tracefault_report::Cause<'a>],
            &'a [tracefault_report::Frame<'a>],
        )>,
    ) -> Json<'a> {
        let mut members: Vec<(Cow<'_, str>, Json<'_>)> = Vec::with_capacity(10);
        let title = self
            .title
            .as_deref()
            .or_else(|| tracefault_report::layout::reason_phrase(self.status))
            .unwrap_or("Error");
        members.push((
            "type".into(),
            self.problem_type.as_deref().unwrap_or("about:blank").into(),
        ));
        members.push(("title".into(), title.into()));
        members.push(("status".into(), Json::Number(self.status.into())));
        let here = Here::now();
        if let Some(trace_id) = here.trace_id {
            members.push(("trace_id".into(), trace_id.into()));
        }
        if exposure == Exposure::Trace {
            return Json::Object(members);
        }
        let detail = self.detail.as_deref().or_else(|| {
            self.exception
                .as_ref()
                .map(|exception| exception.message.as_str())
        });
        if let Some(detail) = detail {
            members.push(("detail".into(), detail.into()));
        }
        if let Some(instance) = self.instance.as_deref().or(here.path.as_deref()) {
            members.push((
                "instance".into(),
                Json::String(Cow::Owned(instance.to_owned())),
            ));
        }
        if let Some(span_id) = here.server_span_id {
            members.push(("span_id".into(), span_id.into()));
        }
        if let Some(service) = crate::resource::service_here() {
            members.push(("service".into(), Json::String(service)));
        }
        if let (Some(exception), Some((causes, frames))) = (&self.exception, shared) {
            members.push((
                "exception".into(),
                exception.to_json(exposure, causes, frames),
            ));
        }
        Json::Object(members)
    }
}

impl Exception {
    fn of_report(report: &ErrorReport) -> Exception {
        let frames = report
            .traceback
            .as_ref()
            .map(|traceback| {
                let known_files: Vec<&str> =
                    report.span_trace.iter().map(|entry| entry.file).collect();
                traceback
                    .shown_frames(&known_files)
                    .into_iter()
                    .filter(|shown| shown.frame.is_user_code)
                    .map(|shown| {
                        RemoteFrame::new(
                            shown.function.to_owned(),
                            shown.file.map(str::to_owned),
                            shown.frame.line,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Exception {
            type_name: report.type_name.clone(),
            message: report.message.clone(),
            causes: report.causes.clone(),
            frames,
        }
    }

    /// `{type, message, causes, frames}`: the causes and frames (given in the shared format)
    /// as a report's line writes them, frames only with [`Exposure::Frames`].
    fn to_json<'a>(
        &'a self,
        exposure: Exposure,
        causes: &'a [tracefault_report::Cause<'a>],
        frames: &'a [tracefault_report::Frame<'a>],
    ) -> Json<'a> {
        let show_frames = exposure == Exposure::Frames;
        let causes = causes
            .iter()
            .map(|cause| {
                let mut entry: Vec<(Cow<'_, str>, Json<'_>)> = vec![
                    (
                        member::TYPE.into(),
                        cause.type_name.as_deref().map_or(Json::Null, Json::from),
                    ),
                    (member::MESSAGE.into(), cause.message.as_ref().into()),
                ];
                if let Some(origin) = &cause.remote {
                    json::remote_origin_members(origin, &mut entry);
                    if show_frames && !origin.frames.is_empty() {
                        entry.push((member::FRAMES.into(), json::frames_json(&origin.frames)));
                    }
                }
                Json::Object(entry)
            })
            .collect();
        let mut members: Vec<(Cow<'_, str>, Json<'_>)> = vec![
            (member::TYPE.into(), self.type_name.as_ref().into()),
            (member::MESSAGE.into(), self.message.as_str().into()),
            ("causes".into(), Json::Array(causes)),
        ];
        if show_frames && !frames.is_empty() {
            members.push((member::FRAMES.into(), json::frames_json(frames)));
        }
        Json::Object(members)
    }
}

/// The request being served where a problem is written.
struct Here {
    trace_id: Option<String>,
    server_span_id: Option<String>,
    path: Option<String>,
}

impl Here {
    fn now() -> Here {
        crate::context::scope::with_current(|scope| match scope.filter(|scope| scope.has_span()) {
            Some(scope) => Here {
                trace_id: Some(scope.trace_id().to_string()),
                server_span_id: scope.server_span_id().map(|id| id.to_string()),
                path: scope.request().map(|request| request.path.clone()),
            },
            None => Here {
                trace_id: None,
                server_span_id: None,
                path: None,
            },
        })
    }
}

/// The report tracefault last emitted in the request being served here.
fn reported_here() -> Option<Arc<ErrorReport>> {
    crate::context::scope::with_current(|scope| {
        let server = crate::context::scope::server_context_from(scope)?;
        let attached = server.take_attached()?;
        let report = attached.downcast_ref::<Arc<ErrorReport>>().cloned();
        server.attach(attached);
        report
    })
}

/// Keeps `report`, which tracefault just emitted, with the request being served here, if
/// any, for the problem its answer describes.
pub(crate) fn keep_for_request(report: &ErrorReport) {
    crate::context::scope::with_current(|scope| {
        if let Some(server) = crate::context::scope::server_context_from(scope) {
            server.attach(Box::new(Arc::new(report.clone())));
        }
    });
}
