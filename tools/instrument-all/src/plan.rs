//! Where `#[tracefault::trace]` goes in one parsed file, and what is left alone and why.
//!
//! The attribute goes right after a function's own outer attributes, before its visibility
//! and signature: `#[cfg]`, `#[test]`, `#[inline]` and the documentation stay where they
//! were, and the line the function starts on does not move.
//!
//! With `per_impl`, an `impl` block gets one attribute (after its own outer attributes, before
//! `unsafe` or `impl`) and its methods none, except `#[trace(no_err)]` on a `#[track_caller]`
//! one; a `const fn` in it is left alone by the block, as the attribute documents. Free
//! functions, trait methods with a default body and functions nested in bodies get theirs as
//! before.

use proc_macro2::{LineColumn, Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{Attribute, Signature, Token, Visibility};

/// What instrumenting a file means: the attributes to insert, and the functions left alone.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) insertions: Vec<Insertion>,
    pub(crate) skipped: Vec<Skipped>,
    /// How many of the insertions are `no_err`, for a `#[track_caller]` function.
    pub(crate) track_caller: usize,
    /// One attribute per `impl` block rather than per method.
    pub(crate) per_impl: bool,
    /// The methods instrumented by their block's attribute, without one of their own.
    pub(crate) by_block: usize,
    /// The `impl` blocks given an attribute (insertions that are not a function's).
    pub(crate) blocks: usize,
    /// Whether the method being visited is directly in an `impl` block that has one.
    in_traced_impl: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Insertion {
    pub(crate) at: LineColumn,
    pub(crate) attribute: &'static str,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) why: Skip,
    pub(crate) line: usize,
}

/// Why a function is not instrumented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Skip {
    /// `#[trace]` rejects it (README, "Where it goes").
    ConstFn,
    /// A trait method without a default body: `#[trace]` rejects it, it has no body to wrap.
    WithoutBody,
    /// `extern "C" fn f(x: i32, ...)`: a C-variadic definition (unstable Rust).
    CVariadic,
    /// Its author already put `#[tracefault::trace]` on it.
    AlreadyTraced,
    /// A `fn` in the input of a macro (`macro_rules!`, `cfg_if!`, ...): tokens that only the
    /// macro gives a meaning to, which no parser can instrument beforehand.
    InsideMacro,
    /// The file is not Rust that `syn` parses (a fragment for `include!`, nightly syntax).
    FileDoesNotParse,
}

impl Skip {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Skip::ConstFn => "const fn: #[trace] rejects it (no span exists at compile time)",
            Skip::WithoutBody => "trait method without a default body: #[trace] rejects it",
            Skip::CVariadic => "C-variadic fn: unstable Rust, not a shape #[trace] supports",
            Skip::AlreadyTraced => "already has #[tracefault::trace]",
            Skip::InsideMacro => "fn inside a macro's input: tokens, not parsed",
            Skip::FileDoesNotParse => "file that syn does not parse (functions not counted)",
        }
    }
}

const TRACE: &str = "#[tracefault::trace] ";
/// Capturing the `Err` of a `#[track_caller]` function is a compile error: the body would move
/// into a closure and `Location::caller()` would change. The README says to add `no_err`.
const TRACE_NO_ERR: &str = "#[tracefault::trace(no_err)] ";
/// The same inside an instrumented `impl` block: the method's own options over the block's.
const METHOD_NO_ERR: &str = "#[trace(no_err)] ";

pub(crate) fn plan(file: &syn::File, per_impl: bool) -> Plan {
    let mut plan = Plan {
        per_impl,
        ..Plan::default()
    };
    plan.visit_file(file);
    plan.insertions
        .sort_by_key(|insertion| (insertion.at.line, insertion.at.column));
    plan
}

impl Plan {
    fn function(&mut self, attrs: &[Attribute], start: LineColumn, sig: &Signature) {
        let skip = if sig.constness.is_some() {
            Some(Skip::ConstFn)
        } else if sig.variadic.is_some() {
            Some(Skip::CVariadic)
        } else if attrs.iter().any(is_trace) {
            Some(Skip::AlreadyTraced)
        } else {
            None
        };
        if let Some(why) = skip {
            self.skip(why, sig.ident.span());
            return;
        }
        let track_caller = attrs
            .iter()
            .any(|attr| attr.path().is_ident("track_caller"));
        self.track_caller += usize::from(track_caller);
        let attribute = match (self.in_traced_impl, track_caller) {
            (true, false) => {
                self.by_block += 1;
                return;
            }
            (true, true) => METHOD_NO_ERR,
            (false, true) => TRACE_NO_ERR,
            (false, false) => TRACE,
        };
        self.insertions.push(Insertion {
            at: start,
            attribute,
        });
    }

    fn skip(&mut self, why: Skip, at: Span) {
        self.skipped.push(Skipped {
            why,
            line: at.start().line,
        });
    }
}

impl<'ast> Visit<'ast> for Plan {
    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        let start = start_of(&function.vis, None, &function.sig);
        self.function(&function.attrs, start, &function.sig);
        visit::visit_item_fn(self, function);
    }

    fn visit_item_impl(&mut self, block: &'ast syn::ItemImpl) {
        let traced = self.per_impl && !block.attrs.iter().any(is_trace);
        if traced {
            self.blocks += 1;
            let start = block
                .defaultness
                .as_ref()
                .map(|token| token.span)
                .or(block.unsafety.as_ref().map(|token| token.span))
                .unwrap_or(block.impl_token.span)
                .start();
            self.insertions.push(Insertion {
                at: start,
                attribute: TRACE,
            });
        }
        for item in &block.items {
            self.in_traced_impl = traced;
            self.visit_impl_item(item);
        }
        self.in_traced_impl = false;
    }

    fn visit_impl_item_fn(&mut self, method: &'ast syn::ImplItemFn) {
        let start = start_of(&method.vis, method.defaultness.as_ref(), &method.sig);
        self.function(&method.attrs, start, &method.sig);
        // What is nested in the method's body is not directly in the block.
        self.in_traced_impl = false;
        visit::visit_impl_item_fn(self, method);
    }

    fn visit_trait_item_fn(&mut self, method: &'ast syn::TraitItemFn) {
        if method.default.is_some() {
            let start = start_of(&Visibility::Inherited, None, &method.sig);
            self.function(&method.attrs, start, &method.sig);
        } else {
            self.skip(Skip::WithoutBody, method.sig.ident.span());
        }
        visit::visit_trait_item_fn(self, method);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for at in functions_in_tokens(mac.tokens.clone()) {
            self.skip(Skip::InsideMacro, at);
        }
    }
}

fn is_trace(attr: &Attribute) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    segments == ["tracefault", "trace"]
}

/// Where the item starts after its outer attributes: its visibility, `default`, or the first
/// keyword of its signature.
fn start_of(
    vis: &Visibility,
    defaultness: Option<&Token![default]>,
    sig: &Signature,
) -> LineColumn {
    let vis = match vis {
        Visibility::Public(token) => Some(token.span),
        Visibility::Restricted(restricted) => Some(restricted.pub_token.span),
        Visibility::Inherited => None,
    };
    let signature = [
        sig.constness.as_ref().map(|token| token.span),
        sig.asyncness.as_ref().map(|token| token.span),
        sig.unsafety.as_ref().map(|token| token.span),
        sig.abi.as_ref().map(|abi| abi.extern_token.span),
    ];
    vis.into_iter()
        .chain(defaultness.map(|token| token.span))
        .chain(signature.into_iter().flatten())
        .next()
        .unwrap_or(sig.fn_token.span)
        .start()
}

/// The `fn name` pairs anywhere in a macro's input.
fn functions_in_tokens(tokens: TokenStream) -> Vec<Span> {
    let mut found = Vec::new();
    let mut after_fn = None;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) if ident == "fn" => after_fn = Some(ident.span()),
            TokenTree::Ident(_) => found.extend(after_fn.take()),
            TokenTree::Group(group) => {
                after_fn = None;
                found.extend(functions_in_tokens(group.stream()));
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => after_fn = None,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(source: &str) -> Plan {
        plan(
            &syn::parse_file(source).expect("the test's source parses"),
            false,
        )
    }

    fn at(line: usize, column: usize) -> LineColumn {
        LineColumn { line, column }
    }

    #[test]
    fn the_attribute_goes_after_outer_attributes_before_the_visibility() {
        let plan = plan_of("/// Docs.\n#[inline]\npub(crate) unsafe fn f() {}\n");
        assert_eq!(
            plan.insertions,
            [Insertion {
                at: at(3, 0),
                attribute: TRACE
            }]
        );
    }

    #[test]
    fn methods_default_bodies_and_nested_functions_are_instrumented() {
        let source = "\
impl S {
    pub async fn a(&self) {
        fn nested() {}
    }
}
trait T {
    fn with_body(&self) {}
    fn without(&self);
}
";
        let plan = plan_of(source);
        let lines: Vec<_> = plan
            .insertions
            .iter()
            .map(|i| (i.at.line, i.at.column))
            .collect();
        assert_eq!(lines, [(2, 4), (3, 8), (7, 4)]);
        assert_eq!(
            plan.skipped,
            [Skipped {
                why: Skip::WithoutBody,
                line: 8
            }]
        );
    }

    #[test]
    fn const_fn_and_traced_functions_are_skipped_and_track_caller_gets_no_err() {
        let source = "\
const fn c() {}
#[tracefault::trace]
fn traced() {}
#[track_caller]
fn caller() -> Result<(), ()> { Ok(()) }
";
        let plan = plan_of(source);
        let why: Vec<_> = plan.skipped.iter().map(|s| s.why).collect();
        assert_eq!(why, [Skip::ConstFn, Skip::AlreadyTraced]);
        assert_eq!(
            plan.insertions,
            [Insertion {
                at: at(5, 0),
                attribute: TRACE_NO_ERR
            }]
        );
        assert_eq!(plan.track_caller, 1);
    }

    #[test]
    fn per_impl_one_attribute_per_block_and_no_err_on_track_caller_methods() {
        let source = "\
#[derive(Debug)]
unsafe impl S {
    pub fn a(&self) {
        fn nested() {}
    }
    #[track_caller]
    fn caller(&self) -> Result<(), ()> { Ok(()) }
    const fn c() {}
}
fn free() {}
";
        let plan = plan(&syn::parse_file(source).unwrap(), true);
        let inserted: Vec<_> = plan
            .insertions
            .iter()
            .map(|i| (i.at.line, i.at.column, i.attribute))
            .collect();
        assert_eq!(
            inserted,
            [
                (2, 0, TRACE),
                (4, 8, TRACE),
                (7, 4, METHOD_NO_ERR),
                (10, 0, TRACE)
            ]
        );
        assert_eq!(plan.by_block, 1);
        let why: Vec<_> = plan.skipped.iter().map(|s| s.why).collect();
        assert_eq!(why, [Skip::ConstFn]);
    }

    #[test]
    fn functions_in_macro_input_are_counted_not_instrumented() {
        let source = "macro_rules! m { () => { fn a() {} pub fn b(x: fn(u8)) {} }; }\n";
        let plan = plan_of(source);
        assert!(plan.insertions.is_empty());
        assert_eq!(plan.skipped.len(), 2);
        assert!(plan.skipped.iter().all(|s| s.why == Skip::InsideMacro));
    }
}
