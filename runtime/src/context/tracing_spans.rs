//! Contexts that `tracing` spans carry: a span made inside instrumented code remembers where
//! in the trace it was made, and code that runs in it where no instrumented function runs (a
//! task spawned with `tokio::spawn(work().instrument(span))`, `span.in_scope(...)` on another
//! thread) continues that trace, as it would under `in_current_context`: one trace, and the
//! task's error reported once, by the function that awaits it.
//!
//! `tracing`'s span stack and tracefault's scopes are two stacks; this layer is the one place
//! they meet. Inside instrumented code a span's enter changes nothing: the scopes already say
//! where the code runs, by its calls.

use super::scope::{Carried, Role, Scope};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// A `tracing-subscriber` layer that lets `tracing` spans made inside instrumented code carry
/// its context to wherever they are entered; part of [`crate::layer`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ContextLayer;

/// What a span made inside instrumented code carries, in its extensions.
struct CarriedBySpan(Carried);

/// How many spans carry a context now: while none does, entering and leaving spans costs one
/// load.
static CARRYING: AtomicUsize = AtomicUsize::new(0);

impl CarriedBySpan {
    fn new(carried: Carried) -> CarriedBySpan {
        CARRYING.fetch_add(1, Ordering::Relaxed);
        CarriedBySpan(carried)
    }
}

impl Drop for CarriedBySpan {
    fn drop(&mut self) {
        CARRYING.fetch_sub(1, Ordering::Relaxed);
    }
}

thread_local! {
    /// The spans entered on this thread that carry a context, innermost last, each with the
    /// scope it made current: `None` when instrumented code was running already.
    static ENTERED: RefCell<Vec<(Id, Option<Box<Scope>>)>> = const { RefCell::new(Vec::new()) };
}

/// Whether `attributes` are an instrumented function's own span, which needs no context of
/// its own: its scope is its context. Only those have the exception fields.
fn is_instrumented_functions(attributes: &Attributes<'_>) -> bool {
    attributes
        .metadata()
        .fields()
        .field(tracefault_report::keys::EXCEPTION_TYPE)
        .is_some()
}

impl<S> tracing_subscriber::Layer<S> for ContextLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if Scope::none_current() || is_instrumented_functions(attributes) {
            return;
        }
        let (Some(carried), Some(span)) = (Carried::of_current(), ctx.span(id)) else {
            return;
        };
        span.extensions_mut().insert(CarriedBySpan::new(carried));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if CARRYING.load(Ordering::Relaxed) == 0 {
            return;
        }
        let Some(span) = ctx.span(id) else {
            return;
        };
        let extensions = span.extensions();
        let Some(CarriedBySpan(carried)) = extensions.get::<CarriedBySpan>() else {
            return;
        };
        // Inside instrumented code the scopes already say where it runs.
        let scope = Scope::none_current().then(|| Box::new(carried.scope(Role::Context)));
        drop(extensions);
        if let Some(scope) = &scope {
            scope.enter_unguarded();
        }
        ENTERED.with(|entered| entered.borrow_mut().push((id.clone(), scope)));
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        if CARRYING.load(Ordering::Relaxed) == 0 && ENTERED.with(|e| e.borrow().is_empty()) {
            return;
        }
        let Some((_, Some(scope))) = ENTERED.with(|entered| {
            let mut entered = entered.borrow_mut();
            let position = entered.iter().rposition(|(entered, _)| entered == id)?;
            Some(entered.remove(position))
        }) else {
            return;
        };
        if !scope.leave_unguarded() {
            // Left out of the order it was entered in: a scope inside it may still point at
            // it, so it is never freed (a span guard dropped out of order is rare and small).
            Box::leak(scope);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::scope::with_current;
    use crate::context::SpanKind;
    use tracing_subscriber::layer::SubscriberExt as _;

    fn current_ids() -> Option<(crate::context::TraceId, crate::context::SpanId)> {
        with_current(|scope| scope.map(|scope| (scope.trace_id(), scope.span_id())))
    }

    #[test]
    fn a_span_made_in_a_scope_carries_it_to_another_thread() {
        let subscriber = tracing_subscriber::registry().with(ContextLayer);
        tracing::subscriber::with_default(subscriber, || {
            let frame = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let entered = frame.enter();
            let span = tracing::info_span!("work");
            let ids = current_ids();
            drop(entered);
            let dispatch = tracing::dispatcher::get_default(Clone::clone);
            let seen = std::thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let outside = current_ids();
                    let inside = span.in_scope(current_ids);
                    (outside, inside, current_ids())
                })
            })
            .join()
            .unwrap();
            assert_eq!(seen, (None, ids, None));
        });
    }

    #[test]
    fn inside_instrumented_code_entering_a_span_changes_nothing() {
        let subscriber = tracing_subscriber::registry().with(ContextLayer);
        tracing::subscriber::with_default(subscriber, || {
            let outer = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let span = {
                let _outer = outer.enter();
                tracing::info_span!("made in outer")
            };
            let inner = Scope::synchronous(Role::Frame, SpanKind::Internal);
            let _inner = inner.enter();
            let before = current_ids();
            assert_eq!(span.in_scope(current_ids), before);
            assert_eq!(current_ids(), before);
        });
    }

    #[test]
    fn a_span_made_outside_instrumented_code_carries_nothing() {
        let subscriber = tracing_subscriber::registry().with(ContextLayer);
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("plain");
            assert_eq!(span.in_scope(current_ids), None);
        });
    }
}
