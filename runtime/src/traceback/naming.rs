//! Qualified names for the frames that debug info names only briefly.
//!
//! A release build inlines most of a service's functions, and debug info names an inlined call
//! by its abstract entry's `DW_AT_name`: `reserve`, `{closure#1}`, `{async_block#1}`. With
//! `debug = "line-tables-only"` (what most services ship) there are no namespaces and no linkage
//! names at all, and `std`'s own backtraces show these short names. The path is written all the
//! same, in three other places, and each is used here only where it cannot name another
//! function:
//!
//! - **The function's symbol.** Code that is not inlined at an address belongs to a function
//!   with a symbol, `_ZN10quickstart7reserve17h…E`: the outermost frame of an address takes it
//!   when its short name is the symbol's last segment.
//! - **A body's type.** The type of a closure or async body is `path::{closure_env#N}`
//!   (`{async_block_env#N}`, `{async_fn_env#N}`), where `{closure#N}` is the body's own name,
//!   and generic functions are named with their type arguments in full. So the frame that calls
//!   a body generically names it (`call<R, quickstart::reserve::{closure_env#1}>` calls
//!   `quickstart::reserve::{closure#1}`), and so does a frame that the body calls with a type
//!   defined inside it (`poll<quickstart::checkout::{async_fn#0}::{async_block_env#1}>` is
//!   called from `quickstart::checkout::{async_fn#0}`). Only the body's two neighbours are
//!   read, and the name is taken only if they agree on one path.
//! - **A function's own types.** A short-named function whose callees, through plumbing, use a
//!   type defined inside a function of that name (`call<…, quickstart::reserve::{closure_env#1}>`
//!   inside `reserve`) is that function. The search stops at the first frame that is not
//!   plumbing, so that a user function called in between cannot lend its types.
//!
//! What none of them names keeps its short name (a body: `<closure>` in the report), never a
//! guess.

/// The frames of one address, innermost (inlined) first, as debug info and the symbol table
/// name them.
pub(super) struct RawNames<'a> {
    /// Each frame's name, demangled, with its type arguments.
    pub(super) names: Vec<String>,
    /// The symbol of the function that holds the address, demangled without its hash.
    pub(super) symbol: Option<&'a str>,
}

/// Qualifies the short names of `raw.names` in place; `is_plumbing(index)` says whether a
/// frame is runtime plumbing (its file is the toolchain's, a dependency's or tracefault's), and
/// `file(index)` where its code is, shortened (`<rust>/library/…`, `<cargo>/name-1.0/…`).
pub(super) fn qualify<'f>(
    raw: &mut RawNames<'_>,
    is_plumbing: impl Fn(usize) -> bool,
    file: impl Fn(usize) -> Option<&'f str>,
) {
    let stated: Vec<String> = raw.names.clone();
    let names = &mut raw.names;
    let Some(outermost) = names.len().checked_sub(1) else {
        return;
    };
    if let Some(symbol) = raw.symbol {
        if names_the_same_function(&stated[outermost], symbol) {
            names[outermost] = symbol.to_owned();
        }
    }
    for index in 0..names.len() {
        let Some(body) = Body::parse(base_name(&stated[index])) else {
            continue;
        };
        if index == outermost && names[index] != stated[index] {
            // Named by its symbol already.
            continue;
        }
        let mut paths = Vec::new();
        if let Some(caller) = stated.get(index + 1) {
            body.paths_from_env(caller, &mut paths);
        }
        // Not the callee's env types: a closure nested in this body can have the same kind and
        // index (`f::{closure#0}::{closure_env#0}`).
        if let Some(callee) = index.checked_sub(1).map(|inner| &stated[inner]) {
            body.paths_from_nested(callee, &mut paths);
        }
        paths.retain(|path| may_hold_code_in(path, file(index)));
        paths.sort_unstable();
        paths.dedup();
        if let [path] = paths.as_slice() {
            names[index] = format!("{path}::{}", body.name);
        }
    }
    for index in 0..names.len() {
        let base = base_name(&names[index]);
        if !is_short(base) || base.starts_with('{') {
            continue;
        }
        let base = base.to_owned();
        let mut paths = Vec::new();
        for inner in (0..index).rev() {
            let plumbing = is_plumbing(inner);
            let is_body = base_name(&stated[inner]).starts_with('{');
            if plumbing || is_body {
                paths_of_function(&names[inner], &base, &mut paths);
            }
            if !plumbing {
                break;
            }
        }
        paths.retain(|path| may_hold_code_in(path, file(index)));
        paths.sort_unstable();
        paths.dedup();
        if let [path] = paths.as_slice() {
            names[index] = path.clone();
        }
    }
}

/// A closure or async body's name, `{closure#1}`: its kind and index.
struct Body<'a> {
    name: &'a str,
    kind: &'a str,
    index: &'a str,
}

impl<'a> Body<'a> {
    fn parse(name: &'a str) -> Option<Body<'a>> {
        let inner = name.strip_prefix('{')?.strip_suffix('}')?;
        let (kind, index) = inner.split_once('#')?;
        let is_kind = !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        let is_index = !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit());
        (is_kind && is_index && !kind.ends_with("_env")).then_some(Body { name, kind, index })
    }

    /// The paths `P` of `P::{kind_env#index}` in `name`: this body's type, as a generic
    /// function that calls it names it.
    fn paths_from_env(&self, name: &str, paths: &mut Vec<String>) {
        let env = format!("::{{{}_env#{}}}", self.kind, self.index);
        paths_before(name, &env, paths);
    }

    /// The paths `P` of `P::{kind#index}::…` in `name`: a type defined inside this body.
    fn paths_from_nested(&self, name: &str, paths: &mut Vec<String>) {
        let nested = format!("::{}::", self.name);
        paths_before(name, &nested, paths);
    }
}

/// The paths of the functions called `base` whose inner types `name` mentions: `P` of
/// `P::{…}` where `P`'s last segment is `base`.
fn paths_of_function(name: &str, base: &str, paths: &mut Vec<String>) {
    let marker = format!("{base}::{{");
    let mut from = 0;
    while let Some(found) = name[from..].find(&marker) {
        let end = from + found + base.len();
        from = end;
        let at_segment_start = name[..end - base.len()].ends_with("::");
        if at_segment_start {
            if let Some(path) = path_ending_at(name, end) {
                paths.push(path.to_owned());
            }
        }
    }
}

/// The path right before each occurrence of `marker` in `name`.
fn paths_before(name: &str, marker: &str, paths: &mut Vec<String>) {
    let mut from = 0;
    while let Some(found) = name[from..].find(marker) {
        let end = from + found;
        from = end + marker.len();
        if let Some(path) = path_ending_at(name, end) {
            paths.push(path.to_owned());
        }
    }
}

/// The path that ends at byte `end` of `name`: segments of identifier characters and
/// `{…#N}` groups joined by `::`, as debug info writes type paths. `None` if what ends there
/// is not a whole path (it starts with `::`, or inside brackets that it does not close).
fn path_ending_at(name: &str, end: usize) -> Option<&str> {
    let bytes = name.as_bytes();
    let mut start = end;
    let mut braces = 0usize;
    while start > 0 {
        let byte = bytes[start - 1];
        match byte {
            b'}' => braces += 1,
            b'{' => braces = braces.checked_sub(1)?,
            b':' | b'_' | b'#' => {}
            _ if byte.is_ascii_alphanumeric() || byte >= 0x80 => {}
            _ if braces > 0 => return None,
            _ => break,
        }
        start -= 1;
    }
    let path = &name[start..end];
    let whole = braces == 0
        && !path.is_empty()
        && !path.starts_with(':')
        && !path.ends_with(':')
        && path.contains("::");
    whole.then_some(path)
}

/// Whether the crate that `path` is in can have code in `file`: the standard library's only
/// in the toolchain's sources, a registry crate's only in its own folder. A body's generic
/// caller often names closures of several crates (an iterator adapter's and the user's).
fn may_hold_code_in(path: &str, file: Option<&str>) -> bool {
    let Some(file) = file else {
        return true;
    };
    let krate = path
        .trim_start_matches('<')
        .split("::")
        .next()
        .unwrap_or(path);
    let in_toolchain = file.starts_with("<rust>/");
    let is_standard = matches!(krate, "core" | "alloc" | "std" | "proc_macro" | "test");
    if let Some(registry) = file.strip_prefix("<cargo>/") {
        // `<cargo>/tokio-1.54.1/src/…`: the folder is the package and its version.
        let package = registry.split('/').next().unwrap_or(registry);
        let name = package.rsplit_once('-').map_or(package, |(name, _)| name);
        return name.replace('-', "_") == krate;
    }
    is_standard == in_toolchain
}

/// The name without its type arguments: `poll<…>` is `poll`.
fn base_name(name: &str) -> &str {
    match name.find('<') {
        Some(0) | None => name,
        Some(open) => &name[..open],
    }
}

/// A name without a path: what debug info writes for an inlined function.
fn is_short(base: &str) -> bool {
    !base.contains("::") && !base.starts_with('<') && !is_mangled(base)
}

fn is_mangled(name: &str) -> bool {
    name.starts_with("_ZN") || name.starts_with("_R")
}

/// Whether the symbol `symbol` (demangled) is the function debug info calls `stated`: its last
/// segment is that name (closures and async bodies are `{{closure}}` in legacy symbols).
fn names_the_same_function(stated: &str, symbol: &str) -> bool {
    let base = base_name(stated);
    if !is_short(base) {
        return false;
    }
    let symbol_base = symbol.rsplit("::").next().unwrap_or(symbol);
    if Body::parse(base).is_some() {
        return symbol_base.starts_with('{');
    }
    symbol.contains("::") && symbol_base == base
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frames of one address of the quickstart's release build (`debug =
    /// "line-tables-only"`), as debug info states them, innermost first.
    fn quickstart_reserve() -> Vec<String> {
        [
            "leave<tracefault::__private::frame::{impl#3}::leave::{closure_env#0}>",
            "leave",
            "query_stock",
            "{closure#1}",
            "call<core::result::Result<u32, quickstart::StockError>, quickstart::reserve::{closure_env#1}>",
            "reserve",
        ]
        .map(String::from)
        .to_vec()
    }

    fn plumbing_by_name(names: &[String]) -> impl Fn(usize) -> bool + '_ {
        |index| {
            let name = &names[index];
            name.starts_with("leave") || name.starts_with("call<") || name.starts_with("poll<")
        }
    }

    #[test]
    fn a_body_is_named_by_the_generic_frame_that_calls_it_and_its_function_by_its_body() {
        let stated = quickstart_reserve();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: None,
        };
        qualify(&mut raw, plumbing_by_name(&stated), |_| None);
        assert_eq!(raw.names[3], "quickstart::reserve::{closure#1}");
        assert_eq!(raw.names[5], "quickstart::reserve");
        // Nothing names `query_stock`'s path here: it keeps its short name.
        assert_eq!(raw.names[2], "query_stock");
    }

    #[test]
    fn the_outermost_frame_takes_its_symbol_when_it_names_the_same_function() {
        let stated = quickstart_reserve();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: Some("quickstart::reserve"),
        };
        qualify(&mut raw, plumbing_by_name(&stated), |_| None);
        assert_eq!(raw.names[5], "quickstart::reserve");
        let mut other = RawNames {
            names: stated.clone(),
            symbol: Some("quickstart::checkout"),
        };
        qualify(&mut other, plumbing_by_name(&stated), |_| None);
        // Not the same function (identical code folded, say): the types still say which.
        assert_eq!(other.names[5], "quickstart::reserve");
    }

    #[test]
    fn an_async_body_is_named_by_a_type_defined_inside_it_and_by_its_poller() {
        let stated: Vec<String> = [
            "{async_block#1}",
            "poll<quickstart::checkout::{async_fn#0}::{async_block_env#1}>",
            "{async_fn#0}",
            "{async_block#0}",
            "{closure#0}<quickstart::main::{async_block_env#0}>",
            "with_budget<core::task::poll::Poll<()>, tokio::runtime::scheduler::current_thread::{impl#9}::block_on::{closure#0}::{closure#0}::{closure_env#0}<quickstart::main::{async_block_env#0}>>",
        ]
        .map(String::from)
        .to_vec();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: None,
        };
        qualify(&mut raw, |index| index == 1 || index >= 4, |_| None);
        assert_eq!(
            raw.names[0],
            "quickstart::checkout::{async_fn#0}::{async_block#1}"
        );
        assert_eq!(raw.names[2], "quickstart::checkout::{async_fn#0}");
        assert_eq!(raw.names[3], "quickstart::main::{async_block#0}");
        // tokio's closure: its caller's types name it.
        assert_eq!(
            raw.names[4],
            "tokio::runtime::scheduler::current_thread::{impl#9}::block_on::{closure#0}::{closure#0}::{closure#0}"
        );
    }

    #[test]
    fn a_body_is_not_named_after_a_closure_nested_in_it() {
        // The expansion's body closure of `parse_all` collects through its own closure.
        let stated: Vec<String> = [
            "collect<core::iter::adapters::map::Map<core::slice::iter::Iter<&str>, \
             app::parse_all::{closure#0}::{closure_env#0}>, u32>",
            "{closure#0}",
            "call<u32, app::parse_all::{closure_env#0}>",
            "parse_all",
        ]
        .map(String::from)
        .to_vec();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: Some("app::parse_all"),
        };
        qualify(&mut raw, |index| index != 1 && index != 3, |_| None);
        assert_eq!(raw.names[1], "app::parse_all::{closure#0}");
        assert_eq!(raw.names[3], "app::parse_all");
    }

    #[test]
    fn neighbours_that_disagree_name_nothing() {
        let stated: Vec<String> = [
            "{closure#0}",
            "call<app::a::{closure_env#0}, app::b::{closure_env#0}>",
        ]
        .map(String::from)
        .to_vec();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: None,
        };
        qualify(&mut raw, |index| index == 1, |_| None);
        assert_eq!(raw.names[0], "{closure#0}");
    }

    #[test]
    fn a_function_does_not_borrow_the_types_of_a_user_function_it_calls() {
        // `a::run` calls `b::run`, inlined, which calls a generic with its own closure.
        let stated: Vec<String> = ["call<b::run::{closure_env#0}>", "run", "run"]
            .map(String::from)
            .to_vec();
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: None,
        };
        qualify(&mut raw, |index| index == 0, |_| None);
        assert_eq!(raw.names[1], "b::run");
        assert_eq!(raw.names[2], "run");
    }

    #[test]
    fn a_body_in_user_code_is_not_named_after_the_standard_library_closures_beside_it() {
        // An iterator adapter's closure calls the user's `|item| parse_one(item)`, and its
        // type arguments name closures of both.
        let stated: Vec<String> = [
            "{closure#0}",
            "{closure#0}<&&str, u32, app::parse_all::{closure#0}::{closure_env#0}, \
             core::iter::adapters::{impl#0}::try_fold::{closure_env#0}>",
        ]
        .map(String::from)
        .to_vec();
        let files = [
            Some("src/main.rs"),
            Some("<rust>/library/core/src/iter/mod.rs"),
        ];
        let mut raw = RawNames {
            names: stated.clone(),
            symbol: None,
        };
        qualify(&mut raw, |index| index == 1, |index| files[index]);
        assert_eq!(raw.names[0], "app::parse_all::{closure#0}::{closure#0}");
        assert!(may_hold_code_in(
            "tokio::spawn",
            Some("<cargo>/tokio-1.54.1/src/a.rs")
        ));
        assert!(!may_hold_code_in(
            "app::f",
            Some("<cargo>/tokio-1.54.1/src/a.rs")
        ));
        assert!(may_hold_code_in(
            "tracing_core::f",
            Some("<cargo>/tracing-core-0.1.3/a.rs")
        ));
        assert!(!may_hold_code_in("core::f", Some("src/main.rs")));
    }

    #[test]
    fn paths_are_read_whole_or_not_at_all() {
        let call = "call<u8, app::m::f::{closure_env#1}>";
        let env = call.find("::{closure_env").unwrap();
        assert_eq!(path_ending_at(call, env), Some("app::m::f"));
        assert_eq!(path_ending_at("x::{impl#2}::f", 14), Some("x::{impl#2}::f"));
        assert_eq!(path_ending_at("f", 1), None);
        assert_eq!(path_ending_at("<T>::f", 6), None);
        assert_eq!(path_ending_at("a{b::c", 6), None);
        // Hostile names end, whatever they hold.
        let long = "{".repeat(10_000) + "::a";
        assert_eq!(path_ending_at(&long, long.len()), None);
    }
}
