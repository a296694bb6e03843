//! Puts `#[tracefault::trace]` on every function with a body in a crate's source tree, in
//! place, for scripts/real-crates:
//!
//!     instrument-all [--verbose] [--per-impl] [--exclude PATH]... DIR
//!
//! Every `.rs` file under DIR is parsed with `syn`, except those under `target/` or a hidden
//! folder and the `--exclude`d ones (a build script, which cannot see the crate's
//! dependencies). Free functions, methods, trait methods with a default body and functions
//! nested in bodies get the attribute, inserted as text before the function's visibility and
//! signature (see plan.rs and insert.rs). What is left alone is counted by reason and printed;
//! `--verbose` lists where. `--per-impl` puts one attribute on each `impl` block instead of one
//! on each of its methods.

mod insert;
mod plan;

use plan::Skip;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: instrument-all [--verbose] [--per-impl] [--exclude PATH]... DIR";

struct Options {
    root: PathBuf,
    excluded: Vec<PathBuf>,
    verbose: bool,
    per_impl: bool,
}

#[derive(Default)]
struct Tally {
    files: usize,
    instrumented: usize,
    /// Of `instrumented`, the methods instrumented by their `impl` block's attribute.
    by_block: usize,
    /// The `impl` blocks that got one attribute.
    blocks: usize,
    track_caller: usize,
    skipped: BTreeMap<Skip, Vec<String>>,
}

fn main() -> ExitCode {
    let options = match parse_options(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("instrument-all: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(tally) => {
            print_tally(&tally, options.verbose);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("instrument-all: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_options(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut root = None;
    let mut excluded = Vec::new();
    let mut verbose = false;
    let mut per_impl = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--per-impl" => per_impl = true,
            "--exclude" => {
                excluded.push(PathBuf::from(args.next().ok_or("--exclude needs a path")?));
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if root.is_some() => return Err("one directory only".to_owned()),
            _ => root = Some(PathBuf::from(arg)),
        }
    }
    let root = root.ok_or("which directory?")?;
    let excluded = excluded.into_iter().map(|path| root.join(path)).collect();
    Ok(Options {
        root,
        excluded,
        verbose,
        per_impl,
    })
}

fn run(options: &Options) -> std::io::Result<Tally> {
    let mut files = Vec::new();
    rust_files(&options.root, &options.excluded, &mut files)?;
    files.sort();
    let mut tally = Tally::default();
    for path in &files {
        instrument_file(path, options, &mut tally)?;
    }
    Ok(tally)
}

fn rust_files(dir: &Path, excluded: &[PathBuf], found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') || excluded.contains(&path) {
            continue;
        }
        if path.is_dir() {
            if name != "target" {
                rust_files(&path, excluded, found)?;
            }
        } else if name.ends_with(".rs") {
            found.push(path);
        }
    }
    Ok(())
}

fn instrument_file(path: &Path, options: &Options, tally: &mut Tally) -> std::io::Result<()> {
    let root = &options.root;
    let shown = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let written = std::fs::read_to_string(path)?;
    // `syn::parse_file` drops a byte order mark before counting columns; so does this.
    let (bom, source) = match written.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", written.as_str()),
    };
    let file = match syn::parse_file(source) {
        Ok(file) => file,
        Err(error) => {
            let line = error.span().start().line;
            let place = format!("{shown}:{line}: {error}");
            tally
                .skipped
                .entry(Skip::FileDoesNotParse)
                .or_default()
                .push(place);
            return Ok(());
        }
    };
    let plan = plan::plan(&file, options.per_impl);
    tally.files += 1;
    // An `impl` block's attribute is no function; its methods are counted in `by_block`.
    tally.instrumented += plan.insertions.len() - plan.blocks + plan.by_block;
    tally.by_block += plan.by_block;
    tally.blocks += plan.blocks;
    tally.track_caller += plan.track_caller;
    for skipped in &plan.skipped {
        let place = format!("{shown}:{}", skipped.line);
        tally.skipped.entry(skipped.why).or_default().push(place);
    }
    if !plan.insertions.is_empty() {
        let instrumented = insert::insert(source, &plan.insertions);
        std::fs::write(path, format!("{bom}{instrumented}"))?;
    }
    Ok(())
}

/// The first line is what scripts/real-crates reads: `N instrumented, M skipped`.
fn print_tally(tally: &Tally, verbose: bool) {
    let skipped: usize = tally
        .skipped
        .iter()
        .filter(|(why, _)| **why != Skip::FileDoesNotParse)
        .map(|(_, places)| places.len())
        .sum();
    println!(
        "instrument-all: {} instrumented, {skipped} skipped, in {} files",
        tally.instrumented, tally.files
    );
    if tally.blocks > 0 {
        println!(
            "  {} of them by the attribute of their impl block ({} blocks)",
            tally.by_block, tally.blocks
        );
    }
    if tally.track_caller > 0 {
        println!(
            "  {} of the instrumented are #[track_caller]: #[tracefault::trace(no_err)], as the README says",
            tally.track_caller
        );
    }
    for (why, places) in &tally.skipped {
        println!("  skipped {} x {}", places.len(), why.reason());
        if verbose || *why == Skip::FileDoesNotParse {
            for place in places {
                println!("    {place}");
            }
        }
    }
}
