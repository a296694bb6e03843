//! The function under `#[trace]`: parsed, and classified once into the shape that decides how
//! its body is wrapped.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{
    Attribute, Block, Expr, ExprAsync, FnArg, GenericArgument, Pat, PathArguments, ReturnType,
    Signature, Stmt, Type, TypeParamBound, Visibility,
};

pub(crate) struct TracedFn {
    /// The attributes outside the function, as written.
    pub(crate) attrs: Vec<Attribute>,
    /// `#![...]` at the start of its body.
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Block,
}

/// How the function produces its value.
pub(crate) enum Shape<'a> {
    /// `fn f() -> T`: the body runs in the call.
    Sync,
    /// `async fn f() -> T`.
    Async,
    /// What `#[async_trait]` turns an `async fn` into: `fn f() -> Pin<Box<dyn Future<Output
    /// = T> + Send + 'async_trait>> { Box::pin(async move { ... }) }`.
    AsyncTrait { future: &'a ExprAsync },
    /// `fn f() -> impl Future<Output = T>`.
    ImplFuture,
}

/// Why the input could not be instrumented, before any option is looked at.
pub(crate) enum ParseFailure {
    /// Not something `#[trace]` applies to: a spanned error for the user.
    NotAFunction(syn::Error),
    /// A function that does not parse: rustc reports the real problem if the input is
    /// returned unchanged.
    Unparsable,
}

pub(crate) fn parse(item: TokenStream) -> Result<TracedFn, ParseFailure> {
    if let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) {
        let (inner_attrs, attrs) = function
            .attrs
            .into_iter()
            .partition(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
        return Ok(TracedFn {
            attrs,
            inner_attrs,
            vis: function.vis,
            sig: function.sig,
            body: *function.block,
        });
    }
    if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return Err(ParseFailure::NotAFunction(syn::Error::new(
            method
                .semi_token
                .map_or_else(|| method.sig.span(), |semi| semi.span),
            "#[trace] needs a function body: put it on the implementations of this method, or \
             give the method a default body",
        )));
    }
    match syn::parse2::<syn::Item>(item) {
        Ok(other) => Err(ParseFailure::NotAFunction(syn::Error::new(
            item_keyword_span(&other),
            "#[trace] can only be applied to functions, methods, `impl` blocks and inline `mod`s",
        ))),
        Err(_) => Err(ParseFailure::Unparsable),
    }
}

/// The span of the keyword that says what kind of item this is (`struct`, `impl`, ...).
fn item_keyword_span(item: &syn::Item) -> proc_macro2::Span {
    use quote::ToTokens;
    let mut tokens = item.to_token_stream().into_iter();
    let skip_attrs_and_vis = |token: &proc_macro2::TokenTree| {
        matches!(token, proc_macro2::TokenTree::Punct(p) if p.as_char() == '#')
            || matches!(token, proc_macro2::TokenTree::Group(_))
            || matches!(token, proc_macro2::TokenTree::Ident(i) if i == "pub")
    };
    tokens
        .find(|token| !skip_attrs_and_vis(token))
        .map_or_else(|| item.span(), |token| token.span())
}

impl TracedFn {
    pub(crate) fn shape(&self) -> Shape<'_> {
        if self.sig.asyncness.is_some() {
            Shape::Async
        } else if let Some(future) = self.async_trait_future() {
            Shape::AsyncTrait { future }
        } else if impl_future_output(self.written_return_type()).is_some() {
            Shape::ImplFuture
        } else {
            Shape::Sync
        }
    }

    pub(crate) fn written_return_type(&self) -> Option<&Type> {
        match &self.sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => Some(ty),
        }
    }

    /// The type of the value the function's body produces: the written return type, or the
    /// `Output` of the future it returns.
    pub(crate) fn produced_type(&self) -> Option<&Type> {
        match self.shape() {
            Shape::Sync | Shape::Async => self.written_return_type(),
            Shape::AsyncTrait { .. } => boxed_future_output(self.written_return_type()),
            Shape::ImplFuture => impl_future_output(self.written_return_type()),
        }
    }

    /// Whether the error type can be asked for a `std::error::Error` view without the risk that
    /// an impl holding only for some lifetimes (`impl<T: 'static> Error for Full<T>`) is
    /// picked and then fails: method resolution ignores lifetimes. True when nothing in the
    /// written type can carry a lifetime or a type parameter into an impl: a path without
    /// generic arguments (`MyError`, `io::Error`; a bare type parameter, whose bounds are the
    /// user's), a pointer to `dyn Error`, or a `Result` alias that does not name its error
    /// (`io::Result<T>`).
    pub(crate) fn error_has_plain_type(&self) -> bool {
        match result_error_type(self.produced_type()) {
            ErrorType::Unwritten => true,
            ErrorType::Written(ty) => is_plain_error_type(ty),
        }
    }

    /// The names bound by the parameters, each with whether it is a plain `name: Type` (or
    /// `mut name: Type`) parameter; `self` counts as plain.
    pub(crate) fn parameter_names(&self) -> Vec<(syn::Ident, bool)> {
        let mut names = Vec::new();
        for input in &self.sig.inputs {
            match input {
                FnArg::Receiver(receiver) => {
                    names.push((syn::Ident::new("self", receiver.self_token.span), true));
                }
                FnArg::Typed(typed) => {
                    let plain = plain_binding(&typed.pat).is_some();
                    collect_bindings(&typed.pat, plain, &mut names);
                }
            }
        }
        names
    }

    /// `Box::pin(async move { ... })` as the body's final expression, under a return type of
    /// `Pin<Box<dyn Future<Output = T> ...>>`.
    fn async_trait_future(&self) -> Option<&ExprAsync> {
        boxed_future_output(self.written_return_type())?;
        let Some(Stmt::Expr(Expr::Call(call), None)) = self.body.stmts.last() else {
            return None;
        };
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        let segments: Vec<_> = func
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
            return None;
        }
        match call.args.first()? {
            Expr::Async(future) if future.capture.is_some() => Some(future),
            _ => None,
        }
    }
}

/// `ident` or `mut ident`, without `ref` or a sub-pattern.
pub(crate) fn plain_binding(pat: &Pat) -> Option<&syn::PatIdent> {
    match pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => Some(ident),
        _ => None,
    }
}

fn collect_bindings(pat: &Pat, plain: bool, names: &mut Vec<(syn::Ident, bool)>) {
    match pat {
        Pat::Ident(ident) => {
            names.push((ident.ident.clone(), plain));
            if let Some((_, sub)) = &ident.subpat {
                collect_bindings(sub, false, names);
            }
        }
        Pat::Tuple(tuple) => tuple
            .elems
            .iter()
            .for_each(|p| collect_bindings(p, false, names)),
        Pat::TupleStruct(tuple) => tuple
            .elems
            .iter()
            .for_each(|p| collect_bindings(p, false, names)),
        Pat::Struct(st) => st
            .fields
            .iter()
            .for_each(|f| collect_bindings(&f.pat, false, names)),
        Pat::Slice(slice) => slice
            .elems
            .iter()
            .for_each(|p| collect_bindings(p, false, names)),
        Pat::Reference(reference) => collect_bindings(&reference.pat, false, names),
        Pat::Paren(paren) => collect_bindings(&paren.pat, plain, names),
        Pat::Type(typed) => collect_bindings(&typed.pat, false, names),
        _ => {}
    }
}

/// The type without parentheses or invisible groups around it.
fn peel(mut ty: &Type) -> &Type {
    loop {
        match ty {
            Type::Paren(inner) => ty = &inner.elem,
            Type::Group(inner) => ty = &inner.elem,
            _ => return ty,
        }
    }
}

/// Whether the type is written as a `Result`: its last path segment is `Result`, as in
/// `Result<T, E>`, `io::Result<T>` or `anyhow::Result<T>`.
pub(crate) fn is_written_as_result(ty: Option<&Type>) -> bool {
    match ty.map(peel) {
        Some(Type::Path(path)) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|segment| segment.ident == "Result")
        }
        _ => false,
    }
}

/// The `E` of a return type written `Result<T, E>`.
enum ErrorType<'a> {
    Written(&'a Type),
    /// `io::Result<T>`, `anyhow::Result<T>`, an alias: the error is not in the signature.
    Unwritten,
}

fn result_error_type(ty: Option<&Type>) -> ErrorType<'_> {
    let Some(Type::Path(path)) = ty.map(peel) else {
        return ErrorType::Unwritten;
    };
    let Some(PathArguments::AngleBracketed(arguments)) =
        path.path.segments.last().map(|segment| &segment.arguments)
    else {
        return ErrorType::Unwritten;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(_), Some(error)) => ErrorType::Written(error),
        _ => ErrorType::Unwritten,
    }
}

fn is_plain_error_type(ty: &Type) -> bool {
    match peel(ty) {
        Type::Path(path) if path.qself.is_none() => {
            let segments = &path.path.segments;
            let first_is_self = segments
                .first()
                .is_some_and(|segment| segment.ident == "Self");
            let plain = segments
                .iter()
                .all(|segment| matches!(segment.arguments, PathArguments::None));
            (plain && !first_is_self) || is_pointer_to_dyn_error(path)
        }
        _ => false,
    }
}

/// `Box<dyn Error + Send + Sync>` and the like: `Box`, `Arc` or `Rc` of a trait object whose
/// only lifetime, if any, is `'static`.
fn is_pointer_to_dyn_error(path: &syn::TypePath) -> bool {
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if !["Box", "Arc", "Rc"].iter().any(|name| last.ident == name) {
        return false;
    }
    match single_generic_argument(path).map(peel) {
        Some(Type::TraitObject(object)) => object.bounds.iter().all(|bound| match bound {
            TypeParamBound::Trait(bound) => bound
                .path
                .segments
                .iter()
                .all(|segment| matches!(segment.arguments, PathArguments::None)),
            TypeParamBound::Lifetime(lifetime) => lifetime.ident == "static",
            _ => false,
        }),
        _ => false,
    }
}

/// Whether no value of this type can be a `Result`, whatever aliases are in scope.
pub(crate) fn cannot_be_result(ty: Option<&Type>) -> bool {
    const PRIMITIVES: &[&str] = &[
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "String",
    ];
    match ty.map(peel) {
        None => true,
        Some(Type::Path(path)) => {
            path.qself.is_none()
                && path
                    .path
                    .get_ident()
                    .is_some_and(|ident| PRIMITIVES.iter().any(|p| ident == p))
        }
        Some(Type::Tuple(_) | Type::Array(_) | Type::Slice(_) | Type::Reference(_))
        | Some(Type::Ptr(_) | Type::BareFn(_) | Type::Never(_) | Type::TraitObject(_))
        | Some(Type::ImplTrait(_)) => true,
        Some(_) => false,
    }
}

/// Whether `impl Trait` appears anywhere in the type: such a type cannot be written in a
/// turbofish or a `let`.
pub(crate) fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// `T` of a return type `impl Future<Output = T>`. A future that must also be `Unpin` is left
/// alone: the instrumented future is an `async` block, which is not.
fn impl_future_output(ty: Option<&Type>) -> Option<&Type> {
    let Type::ImplTrait(impl_trait) = peel(ty?) else {
        return None;
    };
    let is_unpin = impl_trait.bounds.iter().any(|bound| {
        matches!(bound, TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Unpin"))
    });
    if is_unpin {
        return None;
    }
    future_output_of_bounds(&impl_trait.bounds)
}

/// `T` of `Pin<Box<dyn Future<Output = T> + ...>>`, the return type `#[async_trait]` writes.
fn boxed_future_output(ty: Option<&Type>) -> Option<&Type> {
    let Type::Path(pin) = peel(ty?) else {
        return None;
    };
    if pin.path.segments.last()?.ident != "Pin" {
        return None;
    }
    let Type::Path(boxed) = peel(single_generic_argument(pin)?) else {
        return None;
    };
    if boxed.path.segments.last()?.ident != "Box" {
        return None;
    }
    let Type::TraitObject(object) = peel(single_generic_argument(boxed)?) else {
        return None;
    };
    future_output_of_bounds(&object.bounds)
}

fn future_output_of_bounds(
    bounds: &syn::punctuated::Punctuated<TypeParamBound, syn::Token![+]>,
) -> Option<&Type> {
    bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let segment = bound.path.segments.last()?;
        if segment.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
            return None;
        };
        arguments.args.iter().find_map(|argument| match argument {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

fn single_generic_argument(path: &syn::TypePath) -> Option<&Type> {
    let PathArguments::AngleBracketed(arguments) = &path.path.segments.last()?.arguments else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}
