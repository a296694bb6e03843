//! The `#[trace]` attribute of [tracefault](https://docs.rs/tracefault). Depend on `tracefault`,
//! which re-exports it, rather than on this crate.

mod args;
mod expand;
mod item;
mod params;
mod validate;

#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;

/// Opens a `tracing` span around the function; captures and reports the errors and panics
/// that leave it. See the `tracefault` crate for the options.
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
    let function = match item::parse(item.clone()) {
        Ok(function) => function,
        Err(item::ParseFailure::NotAFunction(error)) => return fallback(error, item),
        Err(item::ParseFailure::Unparsable) => return item,
    };
    let checked = args::parse(args)
        .and_then(|(args, errors)| validate::check(&args, &function, errors).map(|()| args));
    match checked {
        Ok(args) if enabled => expand::generate(&args, &function),
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
