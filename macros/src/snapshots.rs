//! The expansion of each function shape and option, kept under `tests/expand/` beside its
//! input so that users can read what `#[trace]` writes. Regenerate with
//! `TRACEFAULT_BLESS=1 cargo test -p tracefault-macros snapshots`.

use quote::ToTokens;
use std::path::{Path, PathBuf};

#[test]
fn expansions_match_their_snapshots() {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/expand");
    let bless = std::env::var_os("TRACEFAULT_BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("tests/expand exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs") && !is_snapshot(path))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut stale = Vec::new();
    for input in inputs {
        let expanded = expand_file(&input);
        let snapshot = input.with_extension("expanded.rs");
        if bless {
            std::fs::write(&snapshot, &expanded).unwrap();
        } else if std::fs::read_to_string(&snapshot).ok().as_deref() != Some(expanded.as_str()) {
            stale.push(snapshot.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale expansion snapshots (TRACEFAULT_BLESS=1 to regenerate): {stale:#?}"
    );
}

fn is_snapshot(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".expanded.rs")
}

/// The file with every `#[tracefault::trace]` item replaced by its expansion; files named
/// `disabled_*` are expanded as with the `enabled` feature off.
fn expand_file(path: &Path) -> String {
    let source = std::fs::read_to_string(path).unwrap();
    let enabled = !path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("disabled_");
    let mut file: syn::File = syn::parse_str(&source).unwrap();
    let mut expanded_items = Vec::new();
    for item in std::mem::take(&mut file.items) {
        match item {
            syn::Item::Fn(function) => {
                expanded_items.extend(parse_all(expand_item(function.to_token_stream(), enabled)))
            }
            syn::Item::Impl(block) if has_trace_attribute(&block.attrs) => {
                expanded_items.extend(parse_all(expand_block(block.attrs.clone(), block, enabled)))
            }
            syn::Item::Mod(module) if has_trace_attribute(&module.attrs) => expanded_items.extend(
                parse_all(expand_block(module.attrs.clone(), module, enabled)),
            ),
            syn::Item::Impl(mut block) => {
                let mut expanded_methods = Vec::new();
                for impl_item in std::mem::take(&mut block.items) {
                    match impl_item {
                        syn::ImplItem::Fn(method) => expanded_methods
                            .extend(parse_all(expand_item(method.to_token_stream(), enabled))),
                        other => expanded_methods.push(other),
                    }
                }
                block.items = expanded_methods;
                expanded_items.push(syn::Item::Impl(block));
            }
            other => expanded_items.push(other),
        }
    }
    file.items = expanded_items;
    prettyplease::unparse(&file)
}

/// Every item in `tokens`.
fn parse_all<T: syn::parse::Parse>(tokens: proc_macro2::TokenStream) -> Vec<T> {
    syn::parse::Parser::parse2(
        |input: syn::parse::ParseStream<'_>| {
            let mut items = Vec::new();
            while !input.is_empty() {
                items.push(input.parse()?);
            }
            Ok(items)
        },
        tokens,
    )
    .expect("the expansion is items")
}

fn is_trace_attribute(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "trace")
}

fn has_trace_attribute(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(is_trace_attribute)
}

/// An `impl` block or `mod` under `#[trace]`, expanded whole as the attribute sees it.
fn expand_block<T: ToTokens>(
    mut attrs: Vec<syn::Attribute>,
    item: T,
    enabled: bool,
) -> proc_macro2::TokenStream {
    let position = attrs.iter().position(is_trace_attribute).unwrap();
    let attribute = attrs.remove(position);
    let args = match attribute.meta {
        syn::Meta::List(list) => list.tokens,
        _ => proc_macro2::TokenStream::new(),
    };
    // The item without the attribute being expanded: re-parse it with the others only.
    let mut parsed: syn::Item = syn::parse2(item.to_token_stream()).unwrap();
    match &mut parsed {
        syn::Item::Impl(block) => block.attrs = attrs,
        syn::Item::Mod(module) => module.attrs = attrs,
        _ => unreachable!("only impl blocks and mods are expanded whole"),
    }
    crate::trace_impl(args, parsed.to_token_stream(), enabled)
}

fn expand_item(tokens: proc_macro2::TokenStream, enabled: bool) -> proc_macro2::TokenStream {
    let mut function: syn::ItemFn = syn::parse2(tokens).unwrap();
    let position = function.attrs.iter().position(is_trace_attribute);
    let Some(position) = position else {
        return function.to_token_stream();
    };
    let attribute = function.attrs.remove(position);
    let args = match attribute.meta {
        syn::Meta::List(list) => list.tokens,
        _ => proc_macro2::TokenStream::new(),
    };
    crate::trace_impl(args, function.to_token_stream(), enabled)
}
