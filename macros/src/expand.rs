//! Generation: the function rebuilt around calls into `tracefault::__private`. Everything that
//! could fail was checked before; this cannot.

use crate::args::{BacktraceMode, Level, Recording, TraceArgs};
use crate::item::{contains_impl_trait, Shape, TracedFn};
use crate::params::{capture_self_whole, names_in, rebind};
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
    result: Ident,
    span: Ident,
    context: Ident,
    future: Ident,
    remote: Option<syn::Expr>,
    /// Parameters that an option's expression reads.
    used_by_options: Vec<String>,
    /// `args(...)` as a list the frame hands to an exported span (empty without `args`).
    exported_args: TokenStream,
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
            result: local("__tracefault_result"),
            span: local("__tracefault_span"),
            context: local("__tracefault_context"),
            remote: args.remote.clone(),
            used_by_options: args.remote.as_ref().map(names_in).unwrap_or_default(),
            future: local("__tracefault_future"),
            exported_args: TokenStream::new(),
        }
    }
}

pub(crate) fn generate(args: &TraceArgs, function: &TracedFn) -> TokenStream {
    let mut names = Names::new(args, function);
    names.exported_args = exported_args(args, &names);
    let site = site_static(args, function, &names);
    let span = span_expr(args, function, &names);
    let captures_errors = args.captures_errors(function);
    match function.shape() {
        Shape::Sync if captures_errors => sync_with_result(function, &names, site, span),
        Shape::Sync => sync(function, &names, site, span),
        Shape::Async => async_fn(function, &names, site, span, captures_errors),
        Shape::AsyncTrait { future } => {
            async_trait(function, future, &names, site, span, captures_errors)
        }
        Shape::ImplFuture => impl_future(function, &names, site, span, captures_errors),
    }
}

// Input:  fn f(x: u32) -> u32 { x + 1 }
// Output: fn f(x: u32) -> u32 {
//             static __TRACEFAULT_SITE: Site = ...;
//             let __tracefault_frame = Frame::enter(&__TRACEFAULT_SITE, span!(...));
//             { x + 1 }
//         }
fn sync(function: &TracedFn, names: &Names, site: TokenStream, span: TokenStream) -> TokenStream {
    let at = names.at;
    let context_init = context_init(names);
    let Names {
        krate,
        site: site_name,
        frame,
        context,
        exported_args,
        ..
    } = names;
    let body = &function.body;
    rebuild(
        function,
        &function.sig,
        quote_spanned! {at=>
            #site
            #context_init
            let #frame = #krate::__private::Frame::enter(&#site_name, #span, #context);
            #exported_args
            #body
        },
    )
}

// Input:  fn f(mut x: u32) -> Result<u32, E> { body }
// Output: fn f(x: u32) -> Result<u32, E> {
//             static __TRACEFAULT_SITE: Site = ...;
//             let __tracefault_frame = Frame::enter(&__TRACEFAULT_SITE, span!(...));
//             let __tracefault_result = call::<Result<u32, E>, _>(move || { let mut x = x; body });
//             __tracefault_frame.leave(err_view!(&__tracefault_result));
//             __tracefault_result
//         }
fn sync_with_result(
    function: &TracedFn,
    names: &Names,
    site: TokenStream,
    span: TokenStream,
) -> TokenStream {
    let at = names.at;
    let context_init = context_init(names);
    let Names {
        krate,
        site: site_name,
        frame,
        result,
        context,
        exported_args,
        ..
    } = names;
    let (outer, body) = body_in_closure(function, names);
    let returns = typed_call(
        at,
        function.written_return_type(),
        quote_spanned!(at=>#krate::__private::call),
    );
    let leave = leave(function, names, true);
    rebuild(
        function,
        &outer,
        quote_spanned! {at=>
            #site
            #context_init
            let #frame = #krate::__private::Frame::enter(&#site_name, #span, #context);
            #exported_args
            let #result = #returns(#body);
            #leave
            #result
        },
    )
}

// Input:  async fn f(x: u32) -> Result<u32, E> { body }
// Output: async fn f(x: u32) -> Result<u32, E> {
//             static __TRACEFAULT_SITE: Site = ...;
//             let __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE, span!(...));
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
    site: TokenStream,
    span: TokenStream,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let context_init = context_init(names);
    let Names {
        krate,
        site: site_name,
        frame,
        result,
        context,
        exported_args,
        ..
    } = names;
    let rebinding = rebind(&function.sig, &names.used_by_options);
    let statements = &rebinding.statements;
    let body = &function.body;
    let return_type = return_type_hint(at, function.written_return_type());
    let leave = leave(function, names, captures_errors);
    rebuild(
        function,
        &rebinding.outer,
        quote_spanned! {at=>
            #site
            #context_init
            let mut #frame = #krate::__private::AsyncFrame::new(&#site_name, #span, #context);
            #exported_args
            let #result = #frame.instrument(async move {
                #return_type
                #(#statements)*
                #body
            })
            .await;
            #leave
            #result
        },
    )
}

// Input:  fn f<'a>(&'a self) -> Pin<Box<dyn Future<Output = R> + Send + 'a>> {
//             Box::pin(async move { body })
//         }
// Output: fn f<'a>(&'a self) -> Pin<Box<dyn Future<Output = R> + Send + 'a>> {
//             static __TRACEFAULT_SITE: Site = ...;
//             let __tracefault_span = span!(...);
//             Box::pin(async move {
//                 let __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE, __tracefault_span);
//                 let __tracefault_result = __tracefault_frame.instrument(async move { body }).await;
//                 __tracefault_frame.leave(err_view!(&__tracefault_result));
//                 __tracefault_result
//             })
//         }
fn async_trait(
    function: &TracedFn,
    future: &ExprAsync,
    names: &Names,
    site: TokenStream,
    span: TokenStream,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let context_init = context_init(names);
    let Names {
        krate,
        site: site_name,
        frame,
        result,
        span: span_name,
        context,
        exported_args,
        ..
    } = names;
    let leave = leave(function, names, captures_errors);
    let instrumented: syn::Expr = syn::parse_quote_spanned! {at=>
        async move {
            let mut #frame = #krate::__private::AsyncFrame::new(&#site_name, #span_name, #context);
            #exported_args
            let #result = #frame.instrument(#future).await;
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
            #site
            #context_init
            let #span_name = #span;
            #(#statements)*
        },
    )
}

// Input:  fn f(x: u32) -> impl Future<Output = Result<u32, E>> { async move { body } }
// Output: fn f(x: u32) -> impl Future<Output = Result<u32, E>> {
//             static __TRACEFAULT_SITE: Site = ...;
//             let __tracefault_frame = AsyncFrame::new(&__TRACEFAULT_SITE, span!(...));
//             let __tracefault_future = call(move || { let x = x; async move { body } });
//             async move {
//                 let __tracefault_result = __tracefault_frame.instrument(__tracefault_future).await;
//                 __tracefault_frame.leave(err_view!(&__tracefault_result));
//                 __tracefault_result
//             }
//         }
fn impl_future(
    function: &TracedFn,
    names: &Names,
    site: TokenStream,
    span: TokenStream,
    captures_errors: bool,
) -> TokenStream {
    let at = names.at;
    let context_init = context_init(names);
    let Names {
        krate,
        site: site_name,
        frame,
        result,
        future,
        context,
        exported_args,
        ..
    } = names;
    let (outer, body) = body_in_closure(function, names);
    let leave = leave(function, names, captures_errors);
    rebuild(
        function,
        &outer,
        quote_spanned! {at=>
            #site
            #context_init
            let mut #frame = #krate::__private::AsyncFrame::new(&#site_name, #span, #context);
            #exported_args
            let #future = #krate::__private::call(#body);
            async move {
                let #result = #frame.instrument(#future).await;
                #leave
                #result
            }
        },
    )
}

/// `let __tracefault_context = ...;`: the context of the new span, a child of the current one,
/// or with `remote = <headers>` of the caller whose headers those are.
fn context_init(names: &Names) -> TokenStream {
    let Names {
        krate,
        context,
        remote,
        ..
    } = names;
    match remote {
        Some(carrier) => {
            let at = carrier.span();
            quote_spanned!(at=> let #context = #krate::__private::remote_context(#carrier);)
        }
        None => quote_spanned!(names.at=> let #context = #krate::__private::child_context();),
    }
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

/// The body as a `move` closure that first takes over the parameters (see [`rebind`]), and
/// the signature that hands them over.
fn body_in_closure(function: &TracedFn, names: &Names) -> (Signature, TokenStream) {
    let rebinding = rebind(&function.sig, &names.used_by_options);
    let statements = capture_self_whole(&function.sig)
        .into_iter()
        .chain(rebinding.statements);
    let body = &function.body;
    (
        rebinding.outer,
        quote_spanned!(names.at=> move || { #(#statements)* #body }),
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

/// `frame.leave(...)` with the `Err` of the result, or with nothing when errors are not
/// captured; spanned to the function's name, so that a backtrace taken here points there.
fn leave(function: &TracedFn, names: &Names, captures_errors: bool) -> TokenStream {
    let at = names.at;
    let Names {
        krate,
        frame,
        result,
        ..
    } = names;
    let error = if captures_errors {
        let result_type = function.produced_type().map(ToTokens::to_token_stream);
        let span = result_type
            .as_ref()
            .and_then(|ty| ty.clone().into_iter().next())
            .map_or_else(Span::call_site, |t| t.span());
        quote_spanned!(span=> #krate::__private::err_view!(&#result))
    } else {
        quote_spanned!(at=>::core::option::Option::None)
    };
    quote_spanned!(function.sig.ident.span()=> #frame.leave(#error);)
}

fn site_static(args: &TraceArgs, function: &TracedFn, names: &Names) -> TokenStream {
    let at = names.at;
    let Names { krate, site, .. } = names;
    let name = function.sig.ident.to_string();
    let at_function = function.sig.ident.span();
    let file = quote_spanned!(at_function=> ::core::file!());
    let line = quote_spanned!(at_function=> ::core::line!());
    let backtrace = match args
        .backtrace
        .map_or(BacktraceMode::Origin, |(mode, _)| mode)
    {
        BacktraceMode::Origin => quote_spanned!(at=>Origin),
        BacktraceMode::Always => quote_spanned!(at=>Always),
        BacktraceMode::Never => quote_spanned!(at=>Never),
    };
    let record_panics = args.panic.as_ref().is_none_or(|value| value.value);
    quote_spanned! {at=>
        static #site: #krate::__private::Site = #krate::__private::Site {
            function: #name,
            module_path: ::core::module_path!(),
            file: #file,
            line: #line,
            backtrace: #krate::__private::BacktraceMode::#backtrace,
            record_panics: #record_panics,
            limiter: #krate::__private::RateLimiter::new(),
        };
    }
}

fn span_expr(args: &TraceArgs, function: &TracedFn, names: &Names) -> TokenStream {
    let at = names.at;
    let krate = &names.krate;
    let context = &names.context;
    let tracing = quote_spanned!(at=>#krate::__private::tracing);
    let level = match args.level.map_or(Level::Info, |(level, _)| level) {
        Level::Trace => quote_spanned!(at=>TRACE),
        Level::Debug => quote_spanned!(at=>DEBUG),
        Level::Info => quote_spanned!(at=>INFO),
        Level::Warn => quote_spanned!(at=>WARN),
        Level::Error => quote_spanned!(at=>ERROR),
    };
    let name = args
        .name
        .as_ref()
        .map_or_else(|| function.sig.ident.to_string(), syn::LitStr::value);
    let target = match &args.target {
        Some(target) => target.to_token_stream(),
        None => quote_spanned!(at=>::core::module_path!()),
    };
    let recorded = args.args.iter().flatten().map(|arg| {
        let ident = &arg.ident;
        let value = recorded_value(at, arg.recording, ident.to_token_stream());
        quote_spanned!(at=>#ident = #value)
    });
    let fields = args.fields.iter().flatten().map(|field| {
        let key = &field.key;
        match &field.value {
            Some((recording, value)) => {
                let value = recorded_value(at, *recording, value.to_token_stream());
                quote_spanned!(at=>#key = #value)
            }
            None => quote_spanned!(at=>#key = #tracing::field::Empty),
        }
    });
    quote_spanned! {at=>
        #tracing::span!(
            target: #target,
            #tracing::Level::#level,
            #name,
            #(#recorded,)*
            #(#fields,)*
            trace_id = %#context.trace_id(),
            span_id = %#context.span_id(),
            error = #tracing::field::Empty,
            exception.r#type = #tracing::field::Empty,
            exception.message = #tracing::field::Empty,
        )
    }
}

/// `frame.export_args(|| [("name", value), ...]);` for the parameters `args(...)` records: the
/// frame calls it only when its span is exported, before the body takes the parameters.
fn exported_args(args: &TraceArgs, names: &Names) -> TokenStream {
    let Some(recorded) = args.args.as_ref().filter(|recorded| !recorded.is_empty()) else {
        return TokenStream::new();
    };
    let at = names.at;
    let krate = &names.krate;
    let frame = &names.frame;
    let entries = recorded.iter().map(|arg| {
        let ident = &arg.ident;
        let name = ident.unraw().to_string();
        let format = match arg.recording {
            Recording::Display => quote_spanned!(at=>display),
            Recording::Debug | Recording::Value => quote_spanned!(at=>debug),
        };
        quote_spanned!(at=>(#name, #krate::__private::ArgValue::#format(&#ident)))
    });
    quote_spanned! {at=>
        #frame.export_args(|| [#(#entries),*]);
    }
}

fn recorded_value(at: Span, recording: Recording, value: TokenStream) -> TokenStream {
    match recording {
        Recording::Debug => quote_spanned!(at=>?#value),
        Recording::Display => quote_spanned!(at=>%#value),
        Recording::Value => value,
    }
}

/// The function with its own attributes, visibility and (outer) signature around `body`.
fn rebuild(function: &TracedFn, sig: &Signature, body: TokenStream) -> TokenStream {
    let TracedFn { attrs, vis, .. } = function;
    let brace = function.body.brace_token;
    let mut block = TokenStream::new();
    brace.surround(&mut block, |tokens| tokens.extend(body));
    quote!(#(#attrs)* #vis #sig #block)
}
