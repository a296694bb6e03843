//! `#[trace]` on an `impl` block (inherent or trait) or an inline `mod`: every function with a
//! body inside is instrumented as if it carried the attribute itself, with the block's options.
//! A function's own `#[trace(...)]` completes them (its options win, the block's fill the
//! rest), and `#[trace(skip)]` leaves it as written. In a `mod`, free functions, the methods of
//! its `impl` blocks and its inline `mod`s are walked; an `impl` block or `mod` inside may carry
//! its own attribute, which applies the same way to everything in it.
//!
//! Each function goes through the one pipeline a function's own attribute takes (parse,
//! validate, generate); this file only finds the functions and their options. All the errors of
//! the block are reported together, with the block as written (our attributes inside removed,
//! so that rustc does not expand them again into a cascade).

use crate::args::{self, Errors, TraceArgs};
use crate::{expand, item, validate};
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, ImplItem, Item, ItemImpl, ItemMod};

pub(crate) enum Container {
    Impl(ItemImpl),
    Mod(ItemMod),
}

/// `Some` for an `impl` block or an inline `mod`. (rustc refuses an attribute macro on `mod
/// name;` before calling it.)
pub(crate) fn parse(item: &TokenStream) -> Option<Container> {
    match syn::parse2::<Item>(item.clone()).ok()? {
        Item::Impl(block) => Some(Container::Impl(block)),
        Item::Mod(module) if module.content.is_some() => Some(Container::Mod(module)),
        _ => None,
    }
}

/// The block with its functions instrumented; with `enabled` off, checked and returned with
/// our attributes inside removed.
pub(crate) fn instrument(args: TokenStream, container: Container, enabled: bool) -> TokenStream {
    let (options, mut errors) = match args::parse(args) {
        Ok(parsed) => parsed,
        Err(error) => return crate::fallback(error, strip(&container, None)),
    };
    let written = strip(&container, options.krate.as_ref());
    validate::block_options(&options, &mut errors);
    let mut walk = Walk {
        errors,
        krate: options.krate.clone(),
    };
    let mut instrumented = container;
    match &mut instrumented {
        Container::Impl(block) => walk.impl_items(block, &options),
        Container::Mod(module) => walk.mod_items(module, &options),
    }
    match walk.errors.finish() {
        Ok(()) if enabled => instrumented.into_token_stream(),
        Ok(()) => written,
        Err(error) => crate::fallback(error, written),
    }
}

struct Walk {
    errors: Errors,
    /// The block's `crate = path`: `#[path::trace]` inside is ours too.
    krate: Option<syn::Path>,
}

impl Walk {
    fn impl_items(&mut self, block: &mut ItemImpl, options: &TraceArgs) {
        for item in &mut block.items {
            if let ImplItem::Fn(method) = item {
                let Some((own, explicit)) = self.own_options(&mut method.attrs, options) else {
                    continue;
                };
                if let Some(tokens) = self.function(method.to_token_stream(), &own, explicit) {
                    *item = ImplItem::Verbatim(tokens);
                }
            }
        }
    }

    fn mod_items(&mut self, module: &mut ItemMod, options: &TraceArgs) {
        let Some((_, items)) = &mut module.content else {
            return;
        };
        for item in items {
            match item {
                Item::Fn(function) => {
                    let Some((own, explicit)) = self.own_options(&mut function.attrs, options)
                    else {
                        continue;
                    };
                    if let Some(tokens) = self.function(function.to_token_stream(), &own, explicit)
                    {
                        *item = Item::Verbatim(tokens);
                    }
                }
                Item::Impl(block) => {
                    if let Some((own, _)) = self.own_options(&mut block.attrs, options) {
                        self.impl_items(block, &own);
                    }
                }
                Item::Mod(inner) if inner.content.is_some() => {
                    if let Some((own, _)) = self.own_options(&mut inner.attrs, options) {
                        self.mod_items(inner, &own);
                    }
                }
                _ => {}
            }
        }
    }

    /// One function through the pipeline of a function's own attribute: `None` leaves it as
    /// written (a function that does not parse, whose errors rustc reports; a `default fn`;
    /// a `const fn` that only the block reached: "every function with a body" means every
    /// function that can have a span, and a `const fn` cannot, which its own attribute is told).
    fn function(
        &mut self,
        tokens: TokenStream,
        options: &TraceArgs,
        explicit: bool,
    ) -> Option<TokenStream> {
        let function = item::parse(tokens).ok()?;
        if function.sig.constness.is_some() && !explicit {
            return None;
        }
        match validate::check(options, &function, Errors::default()) {
            Ok(resolved) => Some(expand::generate(options, &resolved, &function)),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    /// The options for an item: its own attribute's (removed from `attrs`) over the block's,
    /// with `true`, or the block's, with `false`. `None`: `#[trace(skip)]`, or an attribute
    /// that does not parse.
    fn own_options(
        &mut self,
        attrs: &mut Vec<Attribute>,
        block: &TraceArgs,
    ) -> Option<(TraceArgs, bool)> {
        let mut own = None;
        let mut index = 0;
        while index < attrs.len() {
            if !is_ours(&attrs[index], self.krate.as_ref()) {
                index += 1;
                continue;
            }
            let attr = attrs.remove(index);
            if own.is_some() {
                self.errors.push(syn::Error::new_spanned(
                    &attr,
                    "a second #[trace] on one item; write its options in one attribute",
                ));
                continue;
            }
            own = Some(attr);
        }
        let Some(attr) = own else {
            return Some((block.clone(), false));
        };
        let tokens = match &attr.meta {
            syn::Meta::Path(_) => TokenStream::new(),
            syn::Meta::List(list) => list.tokens.clone(),
            syn::Meta::NameValue(value) => {
                self.errors.push(syn::Error::new(
                    value.eq_token.span(),
                    "expected #[trace] or #[trace(option, ...)]",
                ));
                return None;
            }
        };
        let (options, errors) = match args::parse(tokens) {
            Ok(parsed) => parsed,
            Err(error) => {
                self.errors.push(error);
                return None;
            }
        };
        self.errors.absorb(errors);
        if let Some(skip) = options.skip {
            if options.written.len() > 1 {
                self.errors.push(syn::Error::new(
                    skip,
                    "`skip` leaves this item as written; it takes no other option",
                ));
            }
            return None;
        }
        Some((options.over(block), true))
    }
}

/// `#[trace]`, `#[tracefault::trace]` (with or without a leading `::`), or `#[path::trace]`
/// under the block's `crate = path`.
fn is_ours(attr: &Attribute, krate: Option<&syn::Path>) -> bool {
    let path = attr.path();
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [only] => only == "trace",
        [.., parent, last] if last == "trace" && parent == "tracefault" => true,
        [prefix @ .., last] if last == "trace" => krate.is_some_and(|krate| {
            krate
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .eq(prefix.iter().cloned())
        }),
        _ => false,
    }
}

/// The block as written, without our attributes inside: what is emitted when instrumentation
/// is off or the block has errors.
fn strip(container: &Container, krate: Option<&syn::Path>) -> TokenStream {
    fn impl_items(block: &mut ItemImpl, krate: Option<&syn::Path>) {
        for item in &mut block.items {
            if let ImplItem::Fn(method) = item {
                method.attrs.retain(|attr| !is_ours(attr, krate));
            }
        }
    }
    fn mod_items(module: &mut ItemMod, krate: Option<&syn::Path>) {
        for item in module.content.iter_mut().flat_map(|(_, items)| items) {
            match item {
                Item::Fn(function) => function.attrs.retain(|attr| !is_ours(attr, krate)),
                Item::Impl(block) => {
                    block.attrs.retain(|attr| !is_ours(attr, krate));
                    impl_items(block, krate);
                }
                Item::Mod(inner) if inner.content.is_some() => {
                    inner.attrs.retain(|attr| !is_ours(attr, krate));
                    mod_items(inner, krate);
                }
                _ => {}
            }
        }
    }
    match container {
        Container::Impl(block) => {
            let mut block = block.clone();
            impl_items(&mut block, krate);
            block.into_token_stream()
        }
        Container::Mod(module) => {
            let mut module = module.clone();
            mod_items(&mut module, krate);
            module.into_token_stream()
        }
    }
}

impl ToTokens for Container {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Container::Impl(block) => block.to_tokens(tokens),
            Container::Mod(module) => module.to_tokens(tokens),
        }
    }
}
