//! Generation: the function rebuilt around calls into `tracefault::__private`. Everything that
//! could fail was checked before; this cannot.
//!
//! Under `cargo clippy` (`cfg(clippy)`) the function is emitted exactly as written instead, so
//! that clippy lints the user's code as the user wrote it, and nothing of ours.

use crate::args::{BacktraceMode, Level, Recording, TraceArgs};
use crate::item::{contains_impl_trait, Shape, TracedFn};
use crate::params::{capture_self_whole, names_in, rebind};
use crate::validate::Resolved;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{Block, ExprAsync, Signature, Stmt, Type};

/// The names the expansion declares; `mixed_site` keeps the user's code from seeing them.
/// Everything the expansion writes is located at the function's name, so that debug info,
/// backtraces and compiler errors point there rather than at the attribute.
struct Names {
    at: Span,
    krate: syn::Path,
    site: Ident,
    frame: Ident,
    guard: Ident,
    result: Ident,
    future: Ident,
}

impl Names {
    fn new(args: &TraceArgs, function: &TracedFn) -> Names {
        let at = Span::call_site().located_at(function.sig.ident.span());
        let local = |name: &str| Ident::new(name, Span::mixed_site().located_at(at));
        Names {
            at,
            krate: args
                .krate
                .clone()
                .unwrap_or_else(|| syn::parse_quote_spanned!(at=> ::tracefault)),
            site: Ident::new("__TRACEFAULT_SITE", Span::call_site()),
            frame: local("__tracefault_frame"),
            guard: local("__tracefault_guard"),
            result: local("__tracefault_result"),
            future: local("__tracefault_future"),
        }
    }
}

/// What every shape opens with: the site, and the frame of the call.
struct Opening {
    site: TokenStream,
    /// An expression making the frame (`Frame::new(...)` or `AsyncFrame::new(...)`) from the
    /// span expression it is given.
    frame: fn(&Names, Option<TokenStream>, Option<&syn::Expr>) -> TokenStream,
    /// `None`: the site's own span.
    span: Option<TokenStream>,
    remote: Option<syn::Expr>,
    /// A synchronous call's frame is entered once, by a guard; a future's on every poll.
    enters: bool,
    /// The parameters an option's expression reads.
    used_by_options: Vec<String>,
    /// `args(...)` handed to an exported span, as a statement on `receiver`.
    exported_args: Option<TokenStream>,
}

impl Opening {
    /// The statements every shape starts with: the site, the frame, for a synchronous call the
    /// guard that enters it, and the arguments for an exported span:
    /// `static __TRACEFAULT_SITE: Site = ...; let mut __tracefault_frame = Frame::new(...);`
    /// `let __tracefault_guard = __tracefault_frame.enter(); __tracefault_guard.export_args(...);`
    fn statements(&self, names: &Names) -> TokenStream {
        let Names {
            at, frame, guard, ..
        } = names;
        let site = &self.site;
        let make = (self.frame)(names, self.span.clone(), self.remote.as_ref());
        let (enter, receiver) = if self.enters {
            (quote_spanned!(*at=> let #guard = #frame.enter();), guard)
        } else {
            (TokenStream::new(), frame)
        };
        let exported_args = match &self.exported_args {
            Some(entries) => quote_spanned!(*at=> #receiver.export_args(|| [#entries]);),
            None => TokenStream::new(),
        };
        quote_spanned! {*at=>
            #site
            let mut #frame = #make;
            #enter
            #exported_args
        }
    }
}

pub(crate) fn generate(args: &TraceArgs, resolved: &Resolved, function: &TracedFn) -> TokenStream {
    let names = Names::new(args, function);
    let captures_errors = resolved.captures_errors;
    let shape = function.shape();
    let opening = Opening {
        site: site_static(resolved, function, &names),
        frame: match shape {
            Shape::Sync => sync_frame,
            Shape::Async | Shape::AsyncTrait { .. } | Shape::ImplFuture => async_frame,
        },
        span: span_expr(args, resolved, &names),
        remote: args.remote.clone(),
        enters: matches!(shape, Shape::Sync),
        used_by_options: read_by_options(args),
        exported_args: exported_args(args, &names),
    };
    let instrumented = match shape {
        Shape::Sync if captures_errors => sync_with_result(function, &names, &opening),
        Shape::Sync => sync(function, &names, &opening),
        Shape::Async => async_fn(function, &names, &opening, captures_errors),
        Shape::AsyncTrait { future } => {
            async_trait(function, future, &names, &opening, captures_errors)
        }
        Shape::ImplFuture => impl_future(function, &names, &opening, captures_errors),
    };
    let original = as_written(function, args);
    quote! {
        #[cfg(not(clippy))]
        #instrumented
        #[cfg(clippy)]
        #original
    }
}

/// The function as written, for clippy. The parameters that only the attribute's options read
/// (`remote = &headers`, `args(sku)`, `fields(user = user.id)`) are read in it too, so that
/// rustc does not call them unused there.
fn as_written(function: &TracedFn, args: &TraceArgs) -> TokenStream {
    let read = read_by_options(args);
    let parameters = function.parameter_names();
    let mut reads = Vec::new();
    for (parameter, _) in &parameters {
        let name = parameter.to_string();
        if name != "self" && read.contains(&name) && !reads.iter().any(|(n, _)| *n == name) {
            reads.push((name, parameter.clone()));
        }
    }
    if reads.is_empty() {
        return function.to_token_stream();
    }
    let reads = reads.iter().map(|(_, parameter)| {
        let at = Span::call_site().located_at(parameter.span());
        quote_spanned!(at=> let _ = &#parameter;)
    });
    let TracedFn {
        attrs,
        inner_attrs,
        vis,
        sig,
        ..
    } = function;
    let body = user_block(function, quote!(#(#inner_attrs)* #(#reads)*));
    quote!(#(#attrs)* #vis #sig #body)
}

/// The names the options' expressions read (`remote = &headers`, `args(sku)`,
/// `fields(user = user.id)`): they read them before the body runs, so that a parameter the body
/// itself never touches is still used. The body that takes the parameters over says so with
/// `let _ = &name;`, or rustc would call its copy unused (an `async fn`'s `args(id)` did).
fn read_by_options(args: &TraceArgs) -> Vec<String> {
    let mut read = args.remote.as_ref().map(names_in).unwrap_or_default();
    for field in args.fields.iter().flatten() {
        if let Some((_, value)) = &field.value {
            read.extend(names_in(value));
        }
    }
    read.extend(args.args.iter().flatten().map(|arg| arg.ident.to_string()));
    read
}

fn sync_frame(names: &Names, span: Option<TokenStream>, remote: Option<&syn::Expr>) -> TokenStream {
    frame_constructor(names, quote_spanned!(names.at=> Frame), span, remote)
}

fn async_frame(
    names: &Names,
    span: Option<TokenStream>,
    remote: Option<&syn::Expr>,
) -> TokenStream {
    frame_constructor(names, quote_spanned!(names.at=> AsyncFrame), span, remote)
}

/// `Frame::new(&SITE)`, or with `remote = <headers>` `Frame::remote(&SITE, headers)`, whose
/// frame continues the trace of the caller whose headers those are; `with_span` for a span of
/// the expansion's.
fn frame_constructor(
    names: &Names,
    kind: TokenStream,
    span: Option<TokenStream>,
    remote: Option<&syn::Expr>,
) -> TokenStream {
    let Names {
        krate, site, at, ..
    } = names;
    let carrier = remote.map(|carrier| {
        let carrier_at = carrier.span();
        quote_spanned!(carrier_at=> #carrier)
    });
    match (span, carrier) {
        (None, None) => quote_spanned!(*at=> #krate::__private::#kind::new(&#site)),
        (Some(span), None) => {
            quote_spanned!(*at=> #krate::__private::#kind::with_span(&#site, #span))
        }
        (None, Some(carrier)) => {
            quote_spanned!(*at=> #krate::__private::#kind::remote(&#site, #carrier))
        }
        (Some(span), Some(carrier)) => quote_spanned! {*at=>
            #krate::__private::#kind::remote_with_span(&#site, #span, #carrier)
        },
    }
}

// Input:  fn f(x: u32) -> u32 { x + 1 }
// Output: fn f(x: u32) -> u32 {
//             static __TRACEFAULT_SITE: Site = Site::new(...);
//             let mut __tracefault_frame = Frame::new(&__TRACEFAULT_SITE);
//             let __tracefault_guard = __tracefault_frame.enter();
//             x + 1
//         }
fn sync(function: &TracedFn, names: &Names, opening: &Opening) -> TokenStream {
    let opening = opening.statements(names);
    let statements = &function.body.stmts;
    rebuild(
        function,
        &function.sig,
        quote_spanned! {names.at=>
            #opening
            #(#statements)*
        },
    )
}

// Input:  fn f(mut x: u32) -> Result<u32, E> { body }
// Output: fn f(x: u32) -> Result<u32, E> {
//             static __TRACEFAULT_SITE: Site = Site::new(...);
//             let mut __tracefault_frame = Frame::new(&__TRACEFAULT_SITE);
//             let __tracefault_guard = __tracefault_frame.enter();
//             let __tracefault_result = call::<Result<u32, E>, _>(move || { let mut x = x; body });
//             __tracefault_guard.leave(err_view!(&__tracefault_result));
//             __tracefault_result
//         }
fn sync_with_result(function: &TracedFn, names: &Names, opening: &Opening) -> TokenStream {
    let Names {
        at, guard, result, ..
    } = names;
    let (outer, body) = body_in_closure(function, &opening.used_by_options);
    let opening = opening.statements(names);
    let call = &names.krate;
    let returns = typed_call(
        *at,
        function.written_return_type(),
        quote_spanned!(*at=>#call::__private::call),
    );
    let leave = leave(function, names, guard, true);
    rebuild(
        function,
        &outer,
        quote_spanned! {*at=>
            #opening
            let #result = #returns(#body);
            #leave
            #result
        },
    )
}

// Input:  async fn f(x: u32) -> Result<u32, E> { body }
// Output: async fn f(x: u32) -> Result<u32, E> {
//             static __TRACEFAULT_SITE: Site = Site::new(...);
//             let mut __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE);
//             let __tracefault_result = __tracefault_frame
//                 .instrument(async move {
//                     if let Some(__tracefault_return) = None::<Result<u32, E>> {
//                         return __tracefault_return;
//                     }
//                     let x = x;
//                     body
//                 })
//                 .await;
//             __tracefault_frame.leave(err_view!(&__tracefault_result));
//             __tracefault_result
//         }
fn async_fn(
    function: &TracedFn,
    names: &Names,
    opening: &Opening,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let Names { frame, result, .. } = names;
    let rebinding = rebind(&function.sig, &opening.used_by_options);
    let opening = opening.statements(names);
    let statements = &rebinding.statements;
    let return_type = return_type_hint(at, function.written_return_type());
    let body = user_block(function, quote!(#return_type #(#statements)*));
    let leave = leave(function, names, frame, captures_errors);
    rebuild(
        function,
        &rebinding.outer,
        quote_spanned! {at=>
            #opening
            let #result = #frame.instrument(async move #body).await;
            #leave
            #result
        },
    )
}

// Input:  fn f<'a>(&'a self) -> Pin<Box<dyn Future<Output = R> + Send + 'a>> {
//             Box::pin(async move { body })
//         }
// Output: fn f<'a>(&'a self) -> Pin<Box<dyn Future<Output = R> + Send + 'a>> {
//             static __TRACEFAULT_SITE: Site = Site::new(...);
//             let mut __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE);
//             Box::pin(async move {
//                 let __tracefault_result: R = __tracefault_frame.instrument(async move { body }).await;
//                 __tracefault_frame.leave(err_view!(&__tracefault_result));
//                 __tracefault_result
//             })
//         }
fn async_trait(
    function: &TracedFn,
    future: &ExprAsync,
    names: &Names,
    opening: &Opening,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let Names { frame, result, .. } = names;
    let opening = opening.statements(names);
    let leave = leave(function, names, frame, captures_errors);
    let output = output_annotation(function, captures_errors);
    let instrumented: syn::Expr = syn::parse_quote_spanned! {at=>
        async move {
            let #result #output = #frame.instrument(#future).await;
            #leave
            #result
        }
    };
    let mut body: Block = function.body.clone();
    if let Some(Stmt::Expr(syn::Expr::Call(call), None)) = body.stmts.last_mut() {
        call.args[0] = instrumented;
    }
    let statements = &body.stmts;
    rebuild(
        function,
        &function.sig,
        quote_spanned! {at=>
            #opening
            #(#statements)*
        },
    )
}

// Input:  fn f(x: u32) -> impl Future<Output = Result<u32, E>> { async move { body } }
// Output: fn f(x: u32) -> impl Future<Output = Result<u32, E>> {
//             static __TRACEFAULT_SITE: Site = Site::new(...);
//             let mut __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE);
//             let __tracefault_future = call(move || { let x = x; async move { body } });
//             async move {
//                 let __tracefault_result: Result<u32, E> =
//                     __tracefault_frame.instrument(__tracefault_future).await;
//                 __tracefault_frame.leave(err_view!(&__tracefault_result));
//                 __tracefault_result
//             }
//         }
fn impl_future(
    function: &TracedFn,
    names: &Names,
    opening: &Opening,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let Names {
        krate,
        frame,
        result,
        future,
        ..
    } = names;
    let (outer, body) = body_in_closure(function, &opening.used_by_options);
    let opening = opening.statements(names);
    let leave = leave(function, names, frame, captures_errors);
    let output = output_annotation(function, captures_errors);
    rebuild(
        function,
        &outer,
        // The future's parent is its caller: the frame takes the lineage now, not when the
        // future is first polled.
        quote_spanned! {at=>
            #opening
            #frame.open();
            let #future = #krate::__private::call(#body);
            async move {
                let #result #output = #frame.instrument(#future).await;
                #leave
                #result
            }
        },
    )
}

/// A never-taken `return` of the function's type as the async block's first statement: rustc
/// infers an async block's output from its first `return`, so the body is checked against the
/// function's return type and type errors point into the body, as `#[async_trait]` does.
fn return_type_hint(at: Span, returns: Option<&Type>) -> Option<TokenStream> {
    let returns = match returns {
        None => quote_spanned!(at=>()),
        Some(Type::Never(_)) => return None,
        Some(ty) if contains_impl_trait(ty) => return None,
        Some(ty) => ty.to_token_stream(),
    };
    let value = Ident::new("__tracefault_return", Span::mixed_site().located_at(at));
    Some(quote_spanned! {at=>
        if let ::core::option::Option::Some(#value) = ::core::option::Option::None::<#returns> {
            return #value;
        }
    })
}

/// `: T` for the `let` that takes the output of the user's future, `T` being the output the
/// signature promises, when the `Err` is captured. The future's own body may not say it
/// (`Box::pin(async move { Ok(()) })`: only the coercion to the return type, after the
/// `leave`, does), and `err_view!` must see the error type: on an inference variable, method
/// resolution would pick the `Error` view, which fails once the type is known to be `String`
/// or a type parameter. The output is exactly `T` in both shapes, so this decides nothing
/// that the return type did not.
fn output_annotation(function: &TracedFn, captures_errors: bool) -> Option<TokenStream> {
    match function.produced_type() {
        Some(ty) if captures_errors && !contains_impl_trait(ty) => Some(quote!(: #ty)),
        _ => None,
    }
}

/// The body's statements after `prelude`, in a block with the body's own braces: the tokens
/// the user wrote, in a block where they were, so that rustc sees no block inside a block
/// (which `unused_braces` would flag) and points its errors where it would have.
fn user_block(function: &TracedFn, prelude: TokenStream) -> TokenStream {
    let statements = &function.body.stmts;
    let mut block = TokenStream::new();
    function.body.brace_token.surround(&mut block, |tokens| {
        tokens.extend(prelude);
        for statement in statements {
            statement.to_tokens(tokens);
        }
    });
    block
}

/// The body as a `move` closure that first takes over the parameters (see [`rebind`]), and
/// the signature that hands them over.
fn body_in_closure(function: &TracedFn, used_by_options: &[String]) -> (Signature, TokenStream) {
    let rebinding = rebind(&function.sig, used_by_options);
    let statements = capture_self_whole(&function.sig)
        .into_iter()
        .chain(rebinding.statements);
    let at = function.sig.ident.span();
    let body = user_block(function, quote!(#(#statements)*));
    (
        rebinding.outer,
        quote_spanned!(Span::call_site().located_at(at)=> move || #body),
    )
}

/// `path::<R, _>` when `R` can be written there, so the body's type is known before it is
/// checked; plain `path` otherwise.
fn typed_call(at: Span, returns: Option<&Type>, path: TokenStream) -> TokenStream {
    match returns {
        None => quote_spanned!(at=>#path::<(), _>),
        Some(ty) if !contains_impl_trait(ty) => quote_spanned!(at=>#path::<#ty, _>),
        Some(_) => path,
    }
}

/// `receiver.leave(...)` with the `Err` of the result, or with nothing when errors are not
/// captured; spanned to the function's name, so that a backtrace taken here points there.
fn leave(
    function: &TracedFn,
    names: &Names,
    receiver: &Ident,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let Names { krate, result, .. } = names;
    let error = if captures_errors {
        let result_type = function.produced_type().map(ToTokens::to_token_stream);
        let span = result_type
            .as_ref()
            .and_then(|ty| ty.clone().into_iter().next())
            .map_or(at, |t| Span::call_site().located_at(t.span()));
        if !function.error_has_plain_type() {
            quote_spanned!(span=> #krate::__private::err_view!(display: &#result))
        } else if function.produced_type().is_some_and(contains_impl_trait) {
            // No return point fixes a type with `impl Trait` before the body (see
            // `typed_call`): the error's type may still be inferred here, where asking it for
            // a trait of tracefault's own would pick that trait's view and then fail.
            quote_spanned!(span=> #krate::__private::err_view!(inferred: &#result))
        } else {
            quote_spanned!(span=> #krate::__private::err_view!(&#result))
        }
    } else {
        quote_spanned!(at=>::core::option::Option::None)
    };
    // The function's own span, not one of the expansion: rustc gives code expanded from a macro
    // the line of the macro's call in debug info, and this is the line a traceback shows for the
    // function where an error starts.
    let at_name = function.sig.ident.span();
    quote_spanned!(at_name=> #receiver.leave(#error);)
}

/// `static __TRACEFAULT_SITE: Site = Site::new(&__TRACEFAULT_SITE, "f", module_path!(),
/// file!(), line!(), <the body's last line>, <its path>);`, or `Site::with(...)` with the span's name, level and the
/// options when the attribute sets any. Its path is what `type_name` says of a function
/// declared in it: only the compiler knows a method's `Self` type.
fn site_static(resolved: &Resolved, function: &TracedFn, names: &Names) -> TokenStream {
    let at = names.at;
    let Names { krate, site, .. } = names;
    let function_name = &resolved.function_name;
    let at_function = function.sig.ident.span();
    let file = quote_spanned!(at_function=> ::core::file!());
    let line = quote_spanned!(at_function=> ::core::line!());
    // The line of the body's closing brace: code between the two lines is this function's,
    // which names the closures of a release build's traceback (see the runtime's `Origin`).
    let at_end = function.body.brace_token.span.close();
    let end_line = quote_spanned!(at_end=> ::core::line!());
    let target = target_expr(resolved, at);
    // A function item rather than a closure: a closure made a function pointer costs a shim.
    let item_inside = quote_spanned! {at=>
        {
            fn inside() -> &'static str {
                ::core::any::type_name_of_val(&inside)
            }
            inside
        }
    };
    if resolved.is_default_site() {
        return quote_spanned! {at=>
            static #site: #krate::__private::Site = #krate::__private::Site::new(
                &#site,
                #function_name,
                #target,
                #file,
                #line,
                #end_line,
                #item_inside,
            );
        };
    }
    let span_name = &resolved.span_name;
    let level = level_ident(at, resolved.level);
    let options = if resolved.backtrace == BacktraceMode::Origin && resolved.record_panics {
        quote_spanned!(at=> #krate::__private::Site::DEFAULT)
    } else {
        let backtrace = match resolved.backtrace {
            BacktraceMode::Origin => quote_spanned!(at=>Origin),
            BacktraceMode::Always => quote_spanned!(at=>Always),
            BacktraceMode::Never => quote_spanned!(at=>Never),
        };
        let record_panics = resolved.record_panics;
        quote_spanned! {at=>
            #krate::__private::Site::options(#krate::__private::BacktraceMode::#backtrace, #record_panics)
        }
    };
    let options = if resolved.expected {
        quote_spanned!(at=> #options | #krate::__private::Site::EXPECTED)
    } else {
        options
    };
    quote_spanned! {at=>
        static #site: #krate::__private::Site = #krate::__private::Site::with(
            &#site,
            #function_name,
            #span_name,
            #target,
            #file,
            #line,
            #end_line,
            #krate::__private::tracing::Level::#level,
            #item_inside,
            #options,
        );
    }
}

/// The span's target: `target = "..."`, else the module's path.
fn target_expr(resolved: &Resolved, at: Span) -> TokenStream {
    match &resolved.target {
        Some(target) => target.to_token_stream(),
        None => quote_spanned!(at=> ::core::module_path!()),
    }
}

/// `span!(target, LEVEL, "name", recorded args..., fields...,)`, tracefault's own fields added
/// by the macro: only for an attribute that records arguments or fields, whose values the span
/// takes where the function starts. `None`: the site's span.
fn span_expr(args: &TraceArgs, resolved: &Resolved, names: &Names) -> Option<TokenStream> {
    let has_values = args.args.iter().flatten().next().is_some()
        || args.fields.iter().flatten().next().is_some();
    if !has_values {
        return None;
    }
    let at = names.at;
    let krate = &names.krate;
    let level = level_ident(at, resolved.level);
    let name = &resolved.span_name;
    let target = target_expr(resolved, at);
    let tracing = quote_spanned!(at=>#krate::__private::tracing);
    let recorded = args.args.iter().flatten().map(|arg| {
        let ident = &arg.ident;
        let value = recorded_value(at, arg.recording, ident.to_token_stream());
        quote_spanned!(at=>#ident = #value,)
    });
    let fields = args.fields.iter().flatten().map(|field| {
        let key = &field.key;
        match &field.value {
            Some((recording, value)) => {
                let value = recorded_value(at, *recording, value.to_token_stream());
                quote_spanned!(at=>#key = #value,)
            }
            None => quote_spanned!(at=>#key = #tracing::field::Empty,),
        }
    });
    Some(quote_spanned! {at=>
        #krate::__private::span!(#target, #level, #name, #(#recorded)* #(#fields)*)
    })
}

/// `("name", ArgValue::debug(&name)), ...` for the parameters `args(...)` records: the frame
/// formats them only when its span is exported, before the body takes the parameters.
fn exported_args(args: &TraceArgs, names: &Names) -> Option<TokenStream> {
    let recorded = args.args.as_ref().filter(|recorded| !recorded.is_empty())?;
    let at = names.at;
    let krate = &names.krate;
    let entries = recorded.iter().map(|arg| {
        let ident = &arg.ident;
        let name = ident.unraw().to_string();
        let format = match arg.recording {
            Recording::Display => quote_spanned!(at=>display),
            Recording::Debug | Recording::Value => quote_spanned!(at=>debug),
        };
        quote_spanned!(at=>(#name, #krate::__private::ArgValue::#format(&#ident)))
    });
    Some(quote_spanned!(at=> #(#entries),*))
}

fn level_ident(at: Span, level: Level) -> TokenStream {
    match level {
        Level::Trace => quote_spanned!(at=>TRACE),
        Level::Debug => quote_spanned!(at=>DEBUG),
        Level::Info => quote_spanned!(at=>INFO),
        Level::Warn => quote_spanned!(at=>WARN),
        Level::Error => quote_spanned!(at=>ERROR),
    }
}

fn recorded_value(at: Span, recording: Recording, value: TokenStream) -> TokenStream {
    match recording {
        Recording::Debug => quote_spanned!(at=>?#value),
        Recording::Display => quote_spanned!(at=>%#value),
        Recording::Value => value,
    }
}

/// The function with its own attributes, visibility and (outer) signature around `body`, in
/// the braces of the body as written, and its inner attributes first.
fn rebuild(function: &TracedFn, sig: &Signature, body: TokenStream) -> TokenStream {
    let TracedFn {
        attrs,
        inner_attrs,
        vis,
        ..
    } = function;
    let brace = function.body.brace_token;
    let mut block = TokenStream::new();
    brace.surround(&mut block, |tokens| {
        tokens.extend(quote!(#(#inner_attrs)*));
        tokens.extend(body);
    });
    quote!(#(#attrs)* #vis #sig #block)
}

impl ToTokens for TracedFn {
    /// The function as written.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let TracedFn {
            attrs,
            inner_attrs,
            vis,
            sig,
            body,
        } = self;
        let statements = &body.stmts;
        let mut block = TokenStream::new();
        body.brace_token.surround(&mut block, |block| {
            block.extend(quote!(#(#inner_attrs)* #(#statements)*));
        });
        tokens.extend(quote!(#(#attrs)* #vis #sig #block));
    }
}
