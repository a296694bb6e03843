//! The options of `#[trace(...)]`, parsed into typed fields.
//!
//! Grammar: `#[trace]` or `#[trace(option, ...)]`, where option is one of
//! `name = "..."`, `target = "..."`, `level = "trace|debug|info|warn|error"`,
//! `args(a, %b, ?c)`, `fields(key = expr, key = %expr, key)`, `err`, `no_err`,
//! `expected`, `backtrace = "origin|always|never"`, `panic = true|false`, `crate = path`, and `skip` (on a
//! method or item inside an instrumented `impl` block or `mod`: leave it out).
//!
//! Parsing collects every error it can find (an unknown option, a repeated one, a value of the
//! wrong kind) so that the user sees them all at once.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{parenthesized, Expr, Ident, Lit, LitBool, LitStr, Token};

mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(target);
    syn::custom_keyword!(level);
    syn::custom_keyword!(args);
    syn::custom_keyword!(fields);
    syn::custom_keyword!(err);
    syn::custom_keyword!(no_err);
    syn::custom_keyword!(backtrace);
    syn::custom_keyword!(panic);
    syn::custom_keyword!(remote);
    syn::custom_keyword!(skip);
    syn::custom_keyword!(expected);
}

const OPTIONS: &str =
    "name, target, level, args, fields, err, no_err, expected, backtrace, panic, remote, crate, skip";

#[derive(Default, Clone)]
pub(crate) struct TraceArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) target: Option<LitStr>,
    pub(crate) level: Option<(Level, Span)>,
    pub(crate) args: Option<Vec<RecordedArg>>,
    pub(crate) fields: Option<Vec<CustomField>>,
    pub(crate) err: Option<ErrCapture>,
    pub(crate) backtrace: Option<(BacktraceMode, Span)>,
    pub(crate) panic: Option<LitBool>,
    /// `remote = <expr>`: the incoming headers whose trace this function continues.
    pub(crate) remote: Option<Expr>,
    pub(crate) krate: Option<syn::Path>,
    /// `skip`: inside an instrumented `impl` block or `mod`, this item is left as written.
    pub(crate) skip: Option<Span>,
    /// `expected`: the errors this function returns are expected outcomes (a lookup's "not
    /// found"), reported at `WARN` without a backtrace.
    pub(crate) expected: Option<Span>,
    /// Every option as written, by its keyword: for the errors about an option as a whole
    /// (one that an `impl` block or `mod` cannot take).
    pub(crate) written: Vec<(String, Span)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BacktraceMode {
    Origin,
    Always,
    Never,
}

/// `err` or `no_err`, with the keyword's span.
#[derive(Clone, Copy)]
pub(crate) enum ErrCapture {
    Forced(Span),
    Disabled(Span),
}

/// How a value is recorded in a span: `?x` with `Debug`, `%x` with `Display`, a bare field
/// value as `tracing::Value` (numbers stay numbers). A bare parameter in `args(...)` is
/// recorded with `Debug`, as `#[tracing::instrument]` does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recording {
    Debug,
    Display,
    Value,
}

/// A parameter named in `args(...)`.
#[derive(Clone)]
pub(crate) struct RecordedArg {
    pub(crate) ident: Ident,
    pub(crate) recording: Recording,
}

/// `key = value` in `fields(...)`; a key without a value declares an empty field.
#[derive(Clone)]
pub(crate) struct CustomField {
    /// The dotted path, e.g. `user.id`.
    pub(crate) key: Punctuated<Ident, Token![.]>,
    pub(crate) value: Option<(Recording, Expr)>,
}

impl CustomField {
    pub(crate) fn name(&self) -> String {
        self.key
            .iter()
            .map(|ident| ident.to_string())
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// The options, and the errors found in them. `Err` only when the options stop parsing (a
/// misplaced token); otherwise validation runs too, so that all errors are reported together.
pub(crate) fn parse(tokens: proc_macro2::TokenStream) -> syn::Result<(TraceArgs, Errors)> {
    syn::parse::Parser::parse2(
        |input: ParseStream<'_>| {
            let mut parsed = TraceArgs::default();
            let mut errors = Errors::default();
            while !input.is_empty() {
                parsed.parse_option(input, &mut errors)?;
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok((parsed, errors))
        },
        tokens,
    )
}

impl TraceArgs {
    fn parse_option(&mut self, input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<()> {
        if let Ok(key) = input.fork().call(Ident::parse_any) {
            self.written.push((key.to_string(), key.span()));
        }
        let lookahead = input.lookahead1();
        if lookahead.peek(kw::name) {
            let key = input.parse::<kw::name>()?;
            let value = parse_str_value(input, "name", errors)?;
            set_once(&mut self.name, value, key.span, "name", errors);
        } else if lookahead.peek(kw::target) {
            let key = input.parse::<kw::target>()?;
            let value = parse_str_value(input, "target", errors)?;
            set_once(&mut self.target, value, key.span, "target", errors);
        } else if lookahead.peek(kw::level) {
            let key = input.parse::<kw::level>()?;
            let value = parse_choice(input, "level", parse_level, errors)?;
            set_once(&mut self.level, value, key.span, "level", errors);
        } else if lookahead.peek(kw::backtrace) {
            let key = input.parse::<kw::backtrace>()?;
            let value = parse_choice(input, "backtrace", parse_backtrace, errors)?;
            set_once(&mut self.backtrace, value, key.span, "backtrace", errors);
        } else if lookahead.peek(kw::panic) {
            let key = input.parse::<kw::panic>()?;
            input.parse::<Token![=]>()?;
            let value = match input.parse::<Expr>()? {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Bool(value),
                    ..
                }) => Some(value),
                other => {
                    errors.push(syn::Error::new(
                        other.span(),
                        "expected `true` or `false`: `panic = false`",
                    ));
                    None
                }
            };
            set_once(&mut self.panic, value, key.span, "panic", errors);
        } else if lookahead.peek(kw::remote) {
            let key = input.parse::<kw::remote>()?;
            if !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span,
                    "expected `remote = <headers>`, e.g. `remote = &headers` or `remote = req.headers()`",
                ));
            }
            input.parse::<Token![=]>()?;
            let carrier = input.parse::<Expr>()?;
            set_once(&mut self.remote, Some(carrier), key.span, "remote", errors);
        } else if lookahead.peek(kw::args) {
            let key = input.parse::<kw::args>()?;
            let list = parenthesized_list(input)?;
            set_once(&mut self.args, Some(list), key.span, "args", errors);
        } else if lookahead.peek(kw::fields) {
            let key = input.parse::<kw::fields>()?;
            let list = parenthesized_list(input)?;
            set_once(&mut self.fields, Some(list), key.span, "fields", errors);
        } else if lookahead.peek(kw::err) {
            let key = input.parse::<kw::err>()?;
            self.set_err(ErrCapture::Forced(key.span), errors);
        } else if lookahead.peek(kw::no_err) {
            let key = input.parse::<kw::no_err>()?;
            self.set_err(ErrCapture::Disabled(key.span), errors);
        } else if lookahead.peek(Token![crate]) {
            let key = input.parse::<Token![crate]>()?;
            input.parse::<Token![=]>()?;
            let path = input.call(syn::Path::parse_mod_style)?;
            set_once(&mut self.krate, Some(path), key.span, "crate", errors);
        } else if lookahead.peek(kw::expected) {
            let key = input.parse::<kw::expected>()?;
            set_once(
                &mut self.expected,
                Some(key.span),
                key.span,
                "expected",
                errors,
            );
        } else if lookahead.peek(kw::skip) {
            let key = input.parse::<kw::skip>()?;
            set_once(&mut self.skip, Some(key.span), key.span, "skip", errors);
        } else if input.peek(Ident::peek_any) {
            let unknown: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            errors.push(syn::Error::new(
                unknown.span(),
                format!("unknown option `{unknown}`; expected one of: {OPTIONS}"),
            ));
            skip_option_value(input)?;
        } else {
            return Err(lookahead.error());
        }
        Ok(())
    }

    fn set_err(&mut self, value: ErrCapture, errors: &mut Errors) {
        let (span, key) = match value {
            ErrCapture::Forced(span) => (span, "err"),
            ErrCapture::Disabled(span) => (span, "no_err"),
        };
        match self.err {
            None => self.err = Some(value),
            Some(ErrCapture::Forced(_)) if key == "err" => errors.push(duplicate(span, key)),
            Some(ErrCapture::Disabled(_)) if key == "no_err" => errors.push(duplicate(span, key)),
            Some(_) => errors.push(syn::Error::new(
                span,
                "`err` and `no_err` cannot be used together",
            )),
        }
    }
}

impl Parse for RecordedArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let recording = match parse_recording(input)? {
            Recording::Value => Recording::Debug,
            sigil => sigil,
        };
        let ident = input.call(syn::ext::IdentExt::parse_any)?;
        Ok(RecordedArg { ident, recording })
    }
}

impl Parse for CustomField {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = Punctuated::parse_separated_nonempty_with(input, syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let recording = parse_recording(input)?;
            Some((recording, input.parse()?))
        } else {
            None
        };
        Ok(CustomField { key, value })
    }
}

fn parse_recording(input: ParseStream<'_>) -> syn::Result<Recording> {
    if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Ok(Recording::Display)
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Ok(Recording::Debug)
    } else {
        Ok(Recording::Value)
    }
}

/// `= "string"`; any other expression is reported and skipped so parsing can go on.
fn parse_str_value(
    input: ParseStream<'_>,
    key: &str,
    errors: &mut Errors,
) -> syn::Result<Option<LitStr>> {
    input.parse::<Token![=]>()?;
    Ok(match input.parse::<Expr>()? {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(value),
            ..
        }) => Some(value),
        other => {
            errors.push(syn::Error::new(
                other.span(),
                format!("expected a string literal: `{key} = \"...\"`"),
            ));
            None
        }
    })
}

/// `= "..."` naming one of a set of choices, which `choose` knows; the choice and the span of
/// the string, or `None` after an error.
fn parse_choice<T>(
    input: ParseStream<'_>,
    key: &str,
    choose: fn(&LitStr) -> syn::Result<T>,
    errors: &mut Errors,
) -> syn::Result<Option<(T, Span)>> {
    Ok(parse_str_value(input, key, errors)?.and_then(|lit| {
        choose(&lit)
            .map(|choice| (choice, lit.span()))
            .map_err(|e| errors.push(e))
            .ok()
    }))
}

fn parse_level(lit: &LitStr) -> syn::Result<Level> {
    match lit.value().to_ascii_lowercase().as_str() {
        "trace" => Ok(Level::Trace),
        "debug" => Ok(Level::Debug),
        "info" => Ok(Level::Info),
        "warn" => Ok(Level::Warn),
        "error" => Ok(Level::Error),
        _ => Err(syn::Error::new(
            lit.span(),
            "unknown level; expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\"",
        )),
    }
}

fn parse_backtrace(lit: &LitStr) -> syn::Result<BacktraceMode> {
    match lit.value().as_str() {
        "origin" => Ok(BacktraceMode::Origin),
        "always" => Ok(BacktraceMode::Always),
        "never" => Ok(BacktraceMode::Never),
        _ => Err(syn::Error::new(
            lit.span(),
            "unknown backtrace mode; expected one of \"origin\", \"always\", \"never\"",
        )),
    }
}

/// After an unknown option: its `= value` or `(...)`, if any.
fn skip_option_value(input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse::<Expr>()?;
    } else if input.peek(syn::token::Paren) {
        let _content;
        parenthesized!(_content in input);
    }
    Ok(())
}

/// The only place that detects a repeated option.
fn set_once<T>(
    slot: &mut Option<T>,
    value: Option<T>,
    key_span: Span,
    key: &str,
    errors: &mut Errors,
) {
    if slot.is_some() {
        errors.push(duplicate(key_span, key));
    } else if value.is_some() {
        *slot = value;
    }
}

fn duplicate(span: Span, key: &str) -> syn::Error {
    syn::Error::new(span, format!("duplicate option `{key}`"))
}

/// Errors found so far, reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds the errors another parse found.
    pub(crate) fn absorb(&mut self, other: Errors) {
        if let Some(error) = other.0 {
            self.push(error);
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

impl TraceArgs {
    /// The options of a method's own attribute inside an instrumented `impl` block or `mod`,
    /// completed by the block's: an option the method sets wins, one it leaves out is the
    /// block's. `err` and `no_err` count as one option, so that a method's `err` undoes the
    /// block's `no_err`.
    pub(crate) fn over(self, block: &TraceArgs) -> TraceArgs {
        TraceArgs {
            name: self.name.or_else(|| block.name.clone()),
            target: self.target.or_else(|| block.target.clone()),
            level: self.level.or(block.level),
            args: self.args.or_else(|| block.args.clone()),
            fields: self.fields.or_else(|| block.fields.clone()),
            err: self.err.or(block.err),
            backtrace: self.backtrace.or(block.backtrace),
            panic: self.panic.or_else(|| block.panic.clone()),
            remote: self.remote.or_else(|| block.remote.clone()),
            krate: self.krate.or_else(|| block.krate.clone()),
            skip: self.skip,
            expected: self.expected.or(block.expected),
            written: self.written,
        }
    }

    /// Whether the function's `Err` is captured: forced by `err`, refused by `no_err`, and
    /// otherwise when the produced type is written as a `Result`.
    pub(crate) fn captures_errors(&self, function: &crate::item::TracedFn) -> bool {
        match self.err {
            Some(ErrCapture::Forced(_)) => true,
            Some(ErrCapture::Disabled(_)) => false,
            None => crate::item::is_written_as_result(function.produced_type()),
        }
    }
}

/// `(a, b, c)`, each item a `T`.
fn parenthesized_list<T: Parse>(input: ParseStream<'_>) -> syn::Result<Vec<T>> {
    let content;
    parenthesized!(content in input);
    let list = Punctuated::<T, Token![,]>::parse_terminated(&content)?;
    Ok(list.into_iter().collect())
}
