//! The `#[trace]` attribute of [tracefault](https://docs.rs/tracefault). Depend on `tracefault`,
//! which re-exports it, rather than on this crate.

#![deny(missing_docs)]

mod args;
mod container;
mod expand;
mod item;
mod params;
mod validate;

#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;

/// Instruments a function: opens a `tracing` span around every call, captures a backtrace where
/// an error (or panic) starts, follows the error up through the instrumented callers that return
/// it, and emits **one** report when it leaves the outermost of them.
///
/// Use it through the `tracefault` crate, which re-exports it as `tracefault::trace` and holds
/// what the expansion calls; this crate alone cannot run it.
///
/// ```
/// use std::num::ParseIntError;
///
/// #[tracefault::trace]
/// fn parse_quantity(text: &str) -> Result<u32, ParseIntError> {
///     text.trim().parse()
/// }
///
/// #[tracefault::trace(args(sku))]
/// fn reserve(sku: u32, text: &str) -> Result<u32, ParseIntError> {
///     let quantity = parse_quantity(text)?; // the error continues the callee's record
///     Ok(quantity * sku)
/// }
///
/// // The error starts in `parse_quantity` (a backtrace is captured there), passes `reserve`,
/// // and is reported once, as an `ERROR` event of target `tracefault`, when it leaves
/// // `reserve`: the outermost instrumented frame.
/// assert!(reserve(42, "seven").is_err());
/// assert_eq!(reserve(42, "2"), Ok(84));
/// ```
///
/// With no option the span is named after the function, at level `INFO`, with target
/// `module_path!()`, and records **no** argument; the `Err` of a function whose return type is
/// written as a `Result` is captured, and so are panics. Each option below changes one of
/// these; several are separated by commas (`#[trace(level = "debug", args(id))]`).
///
/// # Where it goes
///
/// Free functions; inherent and trait-impl methods (`self`, `&self`, `&mut self`, `mut self`,
/// `self: Box<Self>`); generic functions with `where` clauses; lifetimes, elided or named;
/// `impl Trait` returns; `async fn` (the span covers the whole life of the future and is
/// entered on every poll); functions returning `impl Future<Output = T>` (the returned future is
/// instrumented); `unsafe fn`; and parameters that are patterns (`(a, b): (u32, u32)`, `_: T`).
///
/// ```
/// struct Stock {
///     units: u32,
/// }
///
/// impl Stock {
///     #[tracefault::trace]
///     fn take(&mut self, wanted: u32) -> Result<u32, String> {
///         self.units = self.units.checked_sub(wanted).ok_or("not enough units")?;
///         Ok(self.units)
///     }
///
///     #[tracefault::trace]
///     async fn refill(&mut self, (packs, per_pack): (u32, u32)) -> u32 {
///         self.units += packs * per_pack;
///         self.units
///     }
/// }
///
/// let mut stock = Stock { units: 3 };
/// assert_eq!(stock.take(2), Ok(1));
/// assert!(stock.take(5).is_err());
/// ```
///
/// With [`async-trait`](https://docs.rs/async-trait), put `#[async_trait]` on the impl and
/// `#[trace]` on the method. `#[async_trait]` runs first and turns the method into
/// `Box::pin(async move { ... })`; `#[trace]` recognises that shape and instruments the boxed
/// future, not only its creation:
///
/// ```
/// #[async_trait::async_trait]
/// trait Inventory {
///     async fn reserve(&self, sku: u32) -> Result<u32, std::io::Error>;
/// }
///
/// struct Warehouse;
///
/// #[async_trait::async_trait]
/// impl Inventory for Warehouse {
///     #[tracefault::trace(args(sku))]
///     async fn reserve(&self, sku: u32) -> Result<u32, std::io::Error> {
///         Ok(sku)
///     }
/// }
/// ```
///
/// A `const fn`, a trait method without a body, and anything that is not a function, an `impl`
/// block or an inline `mod` are compile errors.
///
/// # On an `impl` block or a `mod`
///
/// On an `impl` block (inherent or of a trait) the attribute instruments every method with a
/// body, as if each carried it; on an inline `mod`, its functions, the methods of its `impl`
/// blocks and its inner `mod`s. Its options apply to all of them. Inside, a function's own
/// `#[trace(...)]` (or `#[tracefault::trace(...)]`) completes them: an option it sets wins, the
/// others are the block's. `#[trace(skip)]` leaves a function (or an `impl` block or `mod`
/// inside a `mod`) as written. A `const fn` is left as written unless its own attribute asks.
/// The options that describe one function (`name`, `args`, `fields`, `remote`, `err`,
/// `expected`) go on the function, not the block. Each function is then checked as if it
/// carried the attribute, and all the errors of the block are reported together.
///
/// ```
/// # #[derive(Debug)] struct StockError;
/// # impl std::fmt::Display for StockError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("no stock") }
/// # }
/// # impl std::error::Error for StockError {}
/// struct Inventory {
///     units: Vec<u32>,
/// }
///
/// #[tracefault::trace(level = "debug")]
/// impl Inventory {
///     fn reserve(&mut self, sku: u32) -> Result<u32, StockError> {
///         self.take(sku)
///     }
///
///     // Its own options over the block's: `args(sku)` added, `level` replaced.
///     #[trace(args(sku), level = "info")]
///     fn take(&mut self, sku: u32) -> Result<u32, StockError> {
///         let index = self.units.iter().position(|unit| *unit == sku).ok_or(StockError)?;
///         Ok(self.units.remove(index))
///     }
///
///     // Called in every loop: no span.
///     #[trace(skip)]
///     fn len(&self) -> usize {
///         self.units.len()
///     }
/// }
/// # let mut inventory = Inventory { units: vec![3] };
/// # assert_eq!(inventory.reserve(3).unwrap(), 3);
/// # assert_eq!(inventory.len(), 0);
/// ```
///
/// Inside the block, `#[trace(...)]` is recognised by its name: `trace`, `tracefault::trace`,
/// or `path::trace` under `crate = path`; another crate's attribute named `trace` there
/// (fastrace's) must be written with its path. With `#[async_trait]`, put `#[async_trait]`
/// above `#[tracefault::trace]`, as for a method.
///
/// # Naming the span: `name`, `target`, `level`
///
/// `name = "..."` names the `tracing` span (default: the function's name), `target = "..."`
/// sets its target (default: `module_path!()`), and `level = "..."` its level: `"trace"`,
/// `"debug"`, `"info"` (the default), `"warn"` or `"error"`, in any case. They change the
/// `tracing` span only: reports are always `ERROR` events of target `tracefault`, they and
/// their tracebacks name the function by its path (`shop::orders::place_order`), and a span
/// exported over OTLP keeps the function's name. Nor does the level decide whether errors are
/// reported: with `RUST_LOG=error`, every `INFO` span is filtered out and the report still
/// comes, with its whole span trace.
///
/// ```
/// #[tracefault::trace(name = "db.load", target = "shop::db", level = "debug")]
/// fn load(id: u64) -> Result<String, std::io::Error> {
///     Ok(format!("order {id}"))
/// }
/// # assert_eq!(load(7).unwrap(), "order 7");
/// ```
///
/// # Recording arguments: `args`
///
/// `args(a, %b, ?c)` records the named parameters as fields of the span: with `Debug` when the
/// name is bare or written `?c`, with `Display` when written `%b`. **No argument is recorded
/// unless it is named**: a parameter may hold a secret or be large, and recording costs. A
/// name must be a parameter written as `name: Type` (not one bound inside a pattern), and may
/// be named once.
///
/// ```
/// use std::fmt;
///
/// struct Customer {
///     name: String,
/// }
///
/// impl fmt::Display for Customer {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
///         f.write_str(&self.name)
///     }
/// }
///
/// // `id` with `Debug`, `customer` with `Display`; `token` is not recorded.
/// #[tracefault::trace(args(id, %customer))]
/// fn place(id: u64, customer: &Customer, token: &str) -> Result<u64, std::io::Error> {
///     let _ = token;
///     Ok(id)
/// }
/// # let customer = Customer { name: "ada".into() };
/// # assert_eq!(place(1, &customer, "secret").unwrap(), 1);
/// ```
///
/// With the `otel` feature, the parameters `args(...)` names are attributes of the exported
/// span too (`sku = "42"`, formatted as the `tracing` span records them), computed only for a
/// span that is exported.
///
/// # Adding fields: `fields`
///
/// `fields(key = expr, k.v = %expr, w = ?expr, empty)` adds fields to the span, as
/// `#[tracing::instrument]`'s `fields` does: a bare value is recorded as a `tracing::Value`
/// (numbers stay numbers), `%` with `Display`, `?` with `Debug`. The expressions are evaluated
/// where the function starts, with its parameters in scope. A key may be dotted
/// (`order.kind`); a key without a value declares an empty field, recorded later with
/// `tracing::Span::current().record(...)`. A field cannot be declared twice, nor take the name
/// of a parameter `args(...)` records or of a field tracefault sets on every span (`error`,
/// `exception.type`, `exception.message`, `trace_id`, `span_id`).
///
/// ```
/// struct Order {
///     id: u64,
///     lines: Vec<u32>,
/// }
///
/// #[tracefault::trace(fields(order.id = order.id, lines = order.lines.len(), total))]
/// fn price(order: &Order) -> Result<u32, std::io::Error> {
///     let total: u32 = order.lines.iter().sum();
///     tracing::Span::current().record("total", total);
///     Ok(total)
/// }
/// # assert_eq!(price(&Order { id: 1, lines: vec![2, 3] }).unwrap(), 5);
/// ```
///
/// `fields(...)` values are not exported over OTLP (their expressions would run twice).
///
/// # Which errors are captured: `err` and `no_err`
///
/// By default, the `Err` of a function whose return type's last path segment is `Result` is
/// captured: `Result<T, E>`, `io::Result<T>`, `anyhow::Result<T>`, `fmt::Result`; for an
/// `async fn` or a function returning `impl Future`, the future's output type. `err` forces
/// capture for a type the macro cannot recognise by name (an alias); `no_err` refuses it, so
/// that an `Err` this function returns is neither recorded nor reported from here. They cannot
/// be used together, and `err` on a function that cannot return a `Result` is an error.
///
/// ```
/// type Outcome = Result<u32, std::num::ParseIntError>;
///
/// // `Outcome` does not say `Result`: `err` asks for its errors to be captured.
/// #[tracefault::trace(err)]
/// fn parse(text: &str) -> Outcome {
///     text.parse()
/// }
///
/// // A lookup whose `Err` is an expected answer, not a failure to report.
/// #[tracefault::trace(no_err)]
/// fn cached(key: &str) -> Result<u32, ()> {
///     if key == "hit" { Ok(1) } else { Err(()) }
/// }
/// # assert!(parse("x").is_err());
/// # assert!(cached("miss").is_err());
/// ```
///
/// Any error type works, without bounds added to your function: a `std::error::Error` gives its
/// message and `source()` chain; `Box<dyn Error>`, `anyhow::Error` and `eyre::Report` give the
/// error behind them; anything else is described by `Display`, else `Debug`, else its type
/// name. An error type written with generic arguments or lifetimes (`Full<T>`,
/// `ParseError<'a>`, `Self::Error`) is described by `Display` (else `Debug`): its `Error` impl
/// may hold only for some lifetimes, which the macro cannot see.
///
/// Capturing a synchronous function's `Err` moves its body into a closure, so it is refused on
/// a `#[track_caller]` function (it would change what `Location::caller()` says there): add
/// `no_err` to such a function.
///
/// # Expected errors: `expected`
///
/// `expected` says that the `Err` values this function returns are expected outcomes (an
/// unknown id, a refused login), not failures: an error that leaves it is reported as a `WARN`
/// event, `expected error escaped ...`, with its message, causes and span trace and without a
/// backtrace (none is captured). Its callers need not say it again. A panic is never expected.
/// It needs a function whose `Err` is captured. An error whose callee answered a client error
/// (4xx) is expected too, without the option, and so is an error of a type you declared
/// expected, wherever it is returned: `tracefault::Config::expected::<T>()` and
/// `expected_if`, or `tracefault::ExpectedError` implemented on your error type.
///
/// ```
/// #[derive(Debug)]
/// struct NotFound(u64);
/// # impl std::fmt::Display for NotFound {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "no product {}", self.0) }
/// # }
///
/// #[tracefault::trace(expected)]
/// fn find_product(id: u64) -> Result<&'static str, NotFound> {
///     if id == 7 { Ok("teapot") } else { Err(NotFound(id)) }
/// }
/// # assert!(find_product(8).is_err());
/// ```
///
/// # Backtraces: `backtrace`
///
/// `backtrace = "origin"` (the default) captures a backtrace where an error starts, in the
/// first instrumented function whose own body produced it, within the rate limit (each
/// function captures at most `TRACEFAULT_BACKTRACE_RATE` backtraces a second, 10 by default;
/// see `tracefault::set_backtrace_rate`) and unless `RUST_LIB_BACKTRACE=0`, or `RUST_BACKTRACE=0`
/// without it. `"always"` captures at this function's origins regardless of both; `"never"`
/// captures none here. A report without a backtrace still has the error, its causes and the
/// span trace, and says why it has no traceback.
///
/// ```
/// // A rare, important failure: always with its traceback.
/// #[tracefault::trace(backtrace = "always")]
/// fn charge(cents: u64) -> Result<u64, std::io::Error> {
///     Ok(cents)
/// }
///
/// // Fails often and is well understood: the span trace is enough.
/// #[tracefault::trace(backtrace = "never")]
/// fn probe(port: u16) -> Result<u16, std::io::Error> {
///     Ok(port)
/// }
/// # assert_eq!(charge(5).unwrap(), 5);
/// # assert_eq!(probe(80).unwrap(), 80);
/// ```
///
/// # Panics: `panic`
///
/// A panic inside an instrumented function is recorded like an error (type `panic`, the
/// payload's message, the backtrace at the panic site, taken by a panic hook) and keeps
/// unwinding untouched: tracefault never catches it, so `catch_unwind`, tokio's `JoinError`
/// and test harnesses see the original payload. It is printed once, as the report: the
/// standard library's panic message is not printed for it (`TRACEFAULT_PANIC_OUTPUT=both`
/// prints it too), and a panic hook of the program's own still runs. A panic caught inside an
/// instrumented function is reported as caught there.
/// `panic = false` lets panics unwind through this function without a record (`panic = true`
/// is the default).
///
/// ```
/// // Panics here are a test's `should_panic`, not a failure to report.
/// #[tracefault::trace(panic = false)]
/// fn checked_div(a: u32, b: u32) -> u32 {
///     a / b
/// }
/// assert!(std::panic::catch_unwind(|| checked_div(1, 0)).is_err());
/// ```
///
/// # Continuing a caller's trace: `remote`
///
/// `remote = <expr>` makes this function the start of the work for a request from another
/// process: `<expr>` is a reference to the request's headers (any `tracefault::Extractor`:
/// `&headers`, `req.headers()` for an `http::HeaderMap` with the `http` feature, a
/// `HashMap<String, String>`, a list of pairs), evaluated when the function is called. The
/// function's span continues the trace of the incoming `traceparent`, with the caller's span as
/// its remote parent, and is a `server` span; without a valid `traceparent` it starts a new
/// trace. A server behind `tracefault::integrations::TraceContextLayer` (feature `axum`)
/// does not need it: the layer does this for every request.
///
/// ```
/// use std::collections::HashMap;
///
/// #[tracefault::trace(remote = &headers)]
/// fn handle(headers: HashMap<String, String>, body: &str) -> Result<usize, std::io::Error> {
///     // The caller's trace, in a new span whose parent is the caller's.
///     let context = tracefault::current().expect("a #[trace] function has a context");
///     assert_eq!(context.trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
///     Ok(body.len())
/// }
///
/// let headers = HashMap::from([(
///     "traceparent".to_owned(),
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_owned(),
/// )]);
/// assert_eq!(handle(headers, "{}").unwrap(), 2);
/// ```
///
/// # A facade crate: `crate`
///
/// The expansion calls into `::tracefault`. A crate that re-exports tracefault for its users,
/// who do not depend on it directly, names the path instead: `crate = path`.
///
/// ```
/// mod facade {
///     pub use tracefault;
/// }
///
/// #[tracefault::trace(crate = facade::tracefault)]
/// fn renamed() -> u32 {
///     1
/// }
/// # assert_eq!(renamed(), 1);
/// ```
///
/// # Misuse is a compile error
///
/// Every misuse is a compile error pointing at the offending tokens: an unknown or repeated
/// option, a value of the wrong kind, an invalid level or backtrace mode, `expected` where no
/// `Err` is captured, `args(...)` naming no parameter (or one bound inside a pattern), a field
/// declared twice or named like one tracefault sets, `err` and `no_err` together, `err` on a
/// function that cannot return a `Result`, `remote` without headers (and, from rustc, headers that are not a carrier), and
/// capturing the `Err` of a `#[track_caller]` function. All the errors in one attribute are
/// reported together, and the function is still compiled as written, so that no cascade of
/// other errors follows.
///
/// ```compile_fail
/// #[tracefault::trace(level = "verbose", args(missing))]
/// fn f(present: u32) {}
/// ```
///
/// # What it preserves
///
/// The signature (visibility, generics, lifetimes, `where` clauses, `unsafe`, `async`),
/// attributes, doc comments and `#[must_use]`; return values and panic payloads; drop order
/// (parameters drop after the body's locals, last first, as in an `async fn`); and `Send`: the
/// future of an instrumented `async fn` is `Send` exactly when the original is. Type errors in
/// the body point at your code. Adding `#[trace]` changes no warning of rustc or clippy: under
/// `cargo clippy` the attribute hands clippy the function as written.
///
/// Methods are named with their `Self` type in reports, as Python's `__qualname__` does
/// (`app::server::Handler::run`, `<app::Db as app::Store>::get`).
///
/// Without the `tracefault` crate's `enabled` feature (on by default), the attribute still
/// checks its options and expands to the function exactly as written.
///
/// To see what it writes, run `cargo expand`; the repository keeps one expansion per shape and
/// option under `tests/expand/`.
#[proc_macro_attribute]
pub fn trace(args: TokenStream, item: TokenStream) -> TokenStream {
    trace_impl(args.into(), item.into(), cfg!(feature = "enabled")).into()
}

/// Parse, validate, generate. With instrumentation `enabled` off, the function is validated and
/// returned as written.
fn trace_impl(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
    enabled: bool,
) -> proc_macro2::TokenStream {
    if let Some(container) = container::parse(&item) {
        return container::instrument(args, container, enabled);
    }
    let function = match item::parse(item.clone()) {
        Ok(function) => function,
        Err(item::ParseFailure::NotAFunction(error)) => return fallback(error, item),
        Err(item::ParseFailure::Unparsable) => return item,
    };
    let checked = args::parse(args).and_then(|(args, errors)| {
        validate::check(&args, &function, errors).map(|resolved| (args, resolved))
    });
    match checked {
        Ok((args, resolved)) if enabled => expand::generate(&args, &resolved, &function),
        Ok(_) => item,
        Err(error) => fallback(error, item),
    }
}

/// The errors, and the item as written, so that the user sees ours and no cascade of others.
fn fallback(error: syn::Error, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut tokens = error.to_compile_error();
    tokens.extend(item);
    tokens
}
