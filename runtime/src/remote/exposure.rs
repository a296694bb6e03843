//! What a service's answers say about its errors.

use std::sync::atomic::{AtomicU8, Ordering};

/// What leaves a service in the Problem Details of a failed request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exposure {
    /// The status, its title and the trace id: nothing of the error itself. The default, safe
    /// for a public edge.
    #[default]
    Trace,
    /// Also the error's type and message and those of its `source()` chain (including what
    /// services further down said), the service's name and its server span: for callers you
    /// trust with your messages.
    Chain,
    /// Also the origin's frames (functions, files and lines of your code): for internal hops.
    Frames,
}

impl Exposure {
    fn code(self) -> u8 {
        match self {
            Exposure::Trace => 1,
            Exposure::Chain => 2,
            Exposure::Frames => 3,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Exposure> {
        match code {
            1 => Some(Exposure::Trace),
            2 => Some(Exposure::Chain),
            3 => Some(Exposure::Frames),
            _ => None,
        }
    }

    /// `trace`, `chain` or `frames`, as `TRACEFAULT_ERROR_EXPOSURE` names them.
    pub fn parse(name: &str) -> Option<Exposure> {
        match name.trim().to_ascii_lowercase().as_str() {
            "trace" => Some(Exposure::Trace),
            "chain" => Some(Exposure::Chain),
            "frames" => Some(Exposure::Frames),
            _ => None,
        }
    }

    /// The code a server's scope keeps it as.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn to_code(self) -> u8 {
        self.code()
    }
}

const UNSET: u8 = 0;
static PROCESS: AtomicU8 = AtomicU8::new(UNSET);

/// Sets what every service of this process exposes, unless its layer says otherwise;
/// overrides `TRACEFAULT_ERROR_EXPOSURE`.
pub fn set_exposure(exposure: Exposure) {
    PROCESS.store(exposure.code(), Ordering::Relaxed);
}

/// The process's exposure: [`set_exposure`], else `TRACEFAULT_ERROR_EXPOSURE`, else
/// [`Exposure::Trace`].
fn process_exposure() -> Exposure {
    if let Some(exposure) = Exposure::from_code(PROCESS.load(Ordering::Relaxed)) {
        return exposure;
    }
    let from_env = std::env::var("TRACEFAULT_ERROR_EXPOSURE")
        .ok()
        .and_then(|name| Exposure::parse(&name))
        .unwrap_or_default();
    let _ = PROCESS.compare_exchange(UNSET, from_env.code(), Ordering::Relaxed, Ordering::Relaxed);
    from_env
}

/// What the request being served here exposes: its server layer's choice, else the
/// process's.
pub(crate) fn exposure_here() -> Exposure {
    crate::context::scope::with_current(|scope| {
        scope
            .and_then(|scope| scope.request())
            .and_then(|request| request.exposure)
            .and_then(Exposure::from_code)
    })
    .unwrap_or_else(process_exposure)
}
