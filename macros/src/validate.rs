//! The checks that need both the options and the function; each rule is one function, and all
//! of them run so the user sees every error at once. What passes comes out resolved
//! ([`Resolved`]): the options' defaults are filled in here, once, for the expansion to read.

use crate::args::{BacktraceMode, ErrCapture, Errors, Level, TraceArgs};
use crate::item::{cannot_be_result, Shape, TracedFn};
use std::collections::HashSet;
use syn::spanned::Spanned;

/// The span fields every `#[trace]` span declares for itself, which a user's `args(...)` or
/// `fields(...)` cannot take: the runtime declares them under these names, from the same list.
use tracefault_report::keys::SPAN_FIELDS as RESERVED_FIELDS;

/// The options of one `#[trace]` with their defaults filled in: what the span and the site are
/// named, at what level, and what the function records.
pub(crate) struct Resolved {
    /// The span's name: `name = "..."`, else the function's own (`r#` dropped).
    pub(crate) span_name: String,
    /// The function's name, as its site and its traceback frames name it.
    pub(crate) function_name: String,
    /// Whether the attribute named the span (`name = "..."`).
    pub(crate) named: bool,
    /// `target = "..."`; `None`: the module's path, which only the expansion can say.
    pub(crate) target: Option<syn::LitStr>,
    pub(crate) level: Level,
    pub(crate) backtrace: BacktraceMode,
    pub(crate) record_panics: bool,
    /// Whether the function's `Err` values are recorded (`err`, `no_err`, else its return type).
    pub(crate) captures_errors: bool,
    /// `expected`: its errors are reported at `WARN`, without a backtrace.
    pub(crate) expected: bool,
}

impl Resolved {
    /// Whether the site takes every default: `Site::new`, the shortest expansion.
    pub(crate) fn is_default_site(&self) -> bool {
        self.backtrace == BacktraceMode::Origin
            && self.record_panics
            && self.level == Level::Info
            && !self.named
            && !self.expected
    }
}

/// Adds what is wrong to `errors`, which may already hold the errors found while parsing; the
/// options resolved when nothing is.
pub(crate) fn check(
    args: &TraceArgs,
    function: &TracedFn,
    mut errors: Errors,
) -> syn::Result<Resolved> {
    skip_only_inside_a_block(args, &mut errors);
    not_const(function, &mut errors);
    recorded_args_are_parameters(args, function, &mut errors);
    err_needs_a_result(args, function, &mut errors);
    err_capture_keeps_track_caller(args, function, &mut errors);
    expected_needs_captured_errors(args, function, &mut errors);
    field_names_are_unique(args, &mut errors);
    names_are_not_empty(args, &mut errors);
    errors.finish()?;
    Ok(resolve(args, function))
}

fn resolve(args: &TraceArgs, function: &TracedFn) -> Resolved {
    use syn::ext::IdentExt as _;
    let function_name = function.sig.ident.unraw().to_string();
    Resolved {
        span_name: args
            .name
            .as_ref()
            .map_or_else(|| function_name.clone(), syn::LitStr::value),
        function_name,
        named: args.name.is_some(),
        target: args.target.clone(),
        level: args.level.map_or(Level::Info, |(level, _)| level),
        backtrace: args
            .backtrace
            .map_or(BacktraceMode::Origin, |(mode, _)| mode),
        record_panics: args.panic.as_ref().is_none_or(|value| value.value),
        captures_errors: args.captures_errors(function),
        expected: args.expected.is_some(),
    }
}

/// `skip` leaves an item out of an instrumented `impl` block or `mod`; on a function of its
/// own it would say "do not instrument" under an attribute that instruments.
fn skip_only_inside_a_block(args: &TraceArgs, errors: &mut Errors) {
    if let Some(span) = args.skip {
        errors.push(syn::Error::new(
            span,
            "`skip` leaves a method or item out of an instrumented `impl` block or `mod`; on a \
             function of its own, remove the attribute instead",
        ));
    }
}

/// On an `impl` block or a `mod` the options apply to every function inside. Those that
/// describe one function cannot: its span's name, its parameters (`args`, `fields` and
/// `remote` read them), `err`, which forces capture on functions whose value may not be a
/// `Result`, and `expected`, which needs one; nor can `skip`, which leaves an item out of the block around it.
pub(crate) fn block_options(args: &TraceArgs, errors: &mut Errors) {
    const PER_FUNCTION: &[&str] = &["name", "args", "fields", "remote", "err", "expected"];
    for (key, span) in &args.written {
        if PER_FUNCTION.contains(&key.as_str()) {
            errors.push(syn::Error::new(
                *span,
                format!(
                    "`{key}` describes one function: put it on the function itself; an `impl` \
                     block or `mod` takes level, target, no_err, backtrace, panic and crate"
                ),
            ));
        } else if key == "skip" {
            errors.push(syn::Error::new(
                *span,
                "`skip` leaves one item out of an instrumented block; remove the attribute to \
                 leave the whole block out",
            ));
        }
    }
}

/// A span cannot be opened during constant evaluation.
fn not_const(function: &TracedFn, errors: &mut Errors) {
    if let Some(constness) = &function.sig.constness {
        errors.push(syn::Error::new(
            constness.span,
            "#[trace] cannot instrument a `const fn`: spans and backtraces do not exist at \
             compile time",
        ));
    }
}

/// Nothing is recorded that the user did not name, and what is named must exist as a plain
/// parameter, because the span is opened before the parameters' patterns are matched.
fn recorded_args_are_parameters(args: &TraceArgs, function: &TracedFn, errors: &mut Errors) {
    let parameters = function.parameter_names();
    let mut seen = HashSet::new();
    for arg in args.args.iter().flatten() {
        if !seen.insert(arg.ident.to_string()) {
            errors.push(syn::Error::new(
                arg.ident.span(),
                format!("`{}` is recorded twice", arg.ident),
            ));
            continue;
        }
        match parameters.iter().find(|(name, _)| *name == arg.ident) {
            Some((_, true)) => {}
            Some((_, false)) => errors.push(syn::Error::new(
                arg.ident.span(),
                format!(
                    "`{}` is bound inside a pattern; args(...) records parameters written as \
                     `name: Type`",
                    arg.ident
                ),
            )),
            None => errors.push(syn::Error::new(
                arg.ident.span(),
                format!("`{}` is not a parameter of this function", arg.ident),
            )),
        }
    }
}

/// `err` asks for the `Err` of a `Result`; a function whose value cannot be one has none.
fn err_needs_a_result(args: &TraceArgs, function: &TracedFn, errors: &mut Errors) {
    if let Some(ErrCapture::Forced(span)) = args.err {
        if cannot_be_result(function.produced_type()) {
            errors.push(syn::Error::new(
                span,
                "`err` needs a function that returns a `Result`; this one cannot",
            ));
        }
    }
}

/// Capturing a synchronous function's `Err` moves its body into a closure, where
/// `Location::caller()` would name the closure's caller instead of the function's.
fn err_capture_keeps_track_caller(args: &TraceArgs, function: &TracedFn, errors: &mut Errors) {
    let moves_body = matches!(function.shape(), Shape::Sync | Shape::ImplFuture);
    if moves_body && args.captures_errors(function) {
        if let Some(attr) = function
            .attrs
            .iter()
            .find(|attr| attr.path().is_ident("track_caller"))
        {
            errors.push(syn::Error::new_spanned(
                attr,
                "#[trace] cannot capture the `Err` of a `#[track_caller]` function without \
                 changing what `Location::caller()` returns in it; add `no_err`",
            ));
        }
    }
}

/// `expected` says how this function's `Err` values are reported; a function whose `Err` is
/// not captured (`no_err`, or a return type that is not written as a `Result`) has none, and
/// the option would silently do nothing.
fn expected_needs_captured_errors(args: &TraceArgs, function: &TracedFn, errors: &mut Errors) {
    if let Some(span) = args.expected {
        if !args.captures_errors(function) {
            errors.push(syn::Error::new(
                span,
                "`expected` classifies the `Err` this function returns, and none is captured \
                 here: it needs a return type written as a `Result` (or `err`), without `no_err`",
            ));
        }
    }
}

/// A span with two fields of one name would silently lose one of them.
fn field_names_are_unique(args: &TraceArgs, errors: &mut Errors) {
    let mut seen = HashSet::new();
    let reserved = |name: &str, span, errors: &mut Errors| {
        let is_reserved = RESERVED_FIELDS.contains(&name);
        if is_reserved {
            errors.push(syn::Error::new(
                span,
                format!("`{name}` is a field #[trace] sets itself"),
            ));
        }
        is_reserved
    };
    // A parameter recorded twice is reported by `recorded_args_are_parameters`.
    for arg in args.args.iter().flatten() {
        let name = arg.ident.to_string();
        if !reserved(&name, arg.ident.span(), errors) {
            seen.insert(name);
        }
    }
    for field in args.fields.iter().flatten() {
        let name = field.name();
        if !reserved(&name, field.key.span(), errors) && !seen.insert(name.clone()) {
            errors.push(syn::Error::new(
                field.key.span(),
                format!("the field `{name}` is declared twice"),
            ));
        }
    }
}

fn names_are_not_empty(args: &TraceArgs, errors: &mut Errors) {
    for (key, value) in [("name", &args.name), ("target", &args.target)] {
        if let Some(value) = value.as_ref().filter(|value| value.value().is_empty()) {
            errors.push(syn::Error::new(
                value.span(),
                format!("`{key}` cannot be empty"),
            ));
        }
    }
}
