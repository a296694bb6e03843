//! Moving the parameters into the instrumented body in the order the function declared them,
//! so that they are dropped inside the span and in the order the original function drops
//! them (after the body's locals, last parameter first).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{FnArg, Signature};

pub(crate) struct Rebinding {
    /// The signature with each parameter as a plain name: `mut` and patterns move inside.
    pub(crate) outer: Signature,
    /// `let` statements that open the body.
    pub(crate) statements: Vec<TokenStream>,
}

// Input:  fn f(&self, mut a: A, (b, c): (B, C))
// Output: fn f(&self, a: A, __tracefault_arg2: (B, C))
//         with `let mut a = a; let __tracefault_arg2 = __tracefault_arg2;
//         let (b, c) = __tracefault_arg2;` to open the body, as rustc lowers an `async fn`'s
//         parameters: what a pattern leaves unbound is dropped with its parameter.
//
// A parameter that the function's options already read (`remote = &headers`, `args(id)`,
// `fields(user = user.id)`) counts as used:
// `let _ = &headers;` keeps rustc from calling it unused in the body.
pub(crate) fn rebind(sig: &Signature, used_by_options: &[String]) -> Rebinding {
    let mut outer = sig.clone();
    let mut statements = Vec::new();
    for (index, input) in outer.inputs.iter_mut().enumerate() {
        let FnArg::Typed(typed) = input else { continue };
        match crate::item::plain_binding(&typed.pat) {
            Some(binding) => {
                let ident = &binding.ident;
                let mutability = &binding.mutability;
                statements.push(quote!(let #mutability #ident = #ident;));
                if used_by_options.iter().any(|used| ident == used) {
                    statements.push(quote!(let _ = &#ident;));
                }
                let mut plain = binding.clone();
                plain.mutability = None;
                *typed.pat = syn::Pat::Ident(plain);
            }
            None => {
                let name = format_ident!("__tracefault_arg{}", index, span = Span::mixed_site());
                let pattern = &typed.pat;
                statements.push(quote!(let #name = #name;));
                if !matches!(&*typed.pat, syn::Pat::Wild(_)) {
                    statements.push(quote!(let #pattern = #name;));
                }
                *typed.pat = syn::parse_quote!(#name);
            }
        }
    }
    Rebinding { outer, statements }
}

/// A by-value `self` is moved into a `move` closure whole, as the function would drop it,
/// rather than field by field as edition 2021 closures capture what they use.
pub(crate) fn capture_self_whole(sig: &Signature) -> Option<TokenStream> {
    match sig.inputs.first() {
        Some(FnArg::Receiver(receiver)) if receiver.reference.is_none() => {
            Some(quote!(let _ = &self;))
        }
        _ => None,
    }
}

/// The single-identifier paths in `expr`: the parameters an option's expression reads.
pub(crate) fn names_in(expr: &syn::Expr) -> Vec<String> {
    struct Names(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
            if let Some(ident) = path.path.get_ident() {
                self.0.push(ident.to_string());
            }
        }
    }
    let mut names = Names(Vec::new());
    syn::visit::Visit::visit_expr(&mut names, expr);
    names.0
}
