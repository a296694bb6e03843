//! The program in `src/main.rs`, built in the debug profile and in each release profile a
//! service ships with, reports the same failures: every user frame of every traceback has the
//! same qualified function, file and line (issue #22). Without debug info, frames are named by
//! their symbols, never wrongly, and the report says why lines are missing.
//!
//! Each profile is built here with cargo (a no-op when `.ci/run` built it already), into the
//! target directory this test runs from.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PROGRAM: &str = "tracefault-profiles-check";

/// One user frame as a report's `exception.frames` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Frame {
    function: String,
    file: Option<String>,
    line: Option<u64>,
}

/// A report: its frames, outermost first, and its traceback's text.
#[derive(Debug)]
struct Report {
    frames: Vec<Frame>,
    stacktrace: String,
}

/// The reports of one build, by message.
type Reports = BTreeMap<String, Report>;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory this test was built into: `<target>/<profile>/deps/compare-…`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.ancestors()
        .nth(3)
        .expect("the test binary is in <target>/<profile>/deps")
        .to_path_buf()
}

/// Builds the program in `profile` and runs it; its reports by message. `profile:stripped`
/// runs a copy of that profile's binary with its symbols stripped.
fn reports_of(profile: &str) -> Reports {
    let (profile, stripped) = match profile.split_once(':') {
        Some((profile, "stripped")) => (profile, true),
        _ => (profile, false),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = target_dir();
    let built = Command::new(cargo)
        .args(["build", "--quiet", "--bin", PROGRAM, "--profile", profile])
        .arg("--manifest-path")
        .arg(manifest_dir().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "building the {profile} profile failed");
    let directory = if profile == "dev" { "debug" } else { profile };
    let mut program = target.join(directory).join(PROGRAM);
    if stripped {
        let copy = program.with_file_name(format!("{PROGRAM}-stripped"));
        let status = Command::new("strip")
            .arg("--strip-all")
            .arg(&program)
            .arg("-o")
            .arg(&copy)
            .status()
            .expect("binutils' strip runs");
        assert!(status.success(), "strip failed");
        program = copy;
    }
    let output = Command::new(program)
        .current_dir(manifest_dir())
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .env("TRACEFAULT_LOG_FORMAT", "json")
        .env("NO_COLOR", "1")
        .output()
        .expect("the program runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("done"),
        "the {profile} build failed: {}\n{stdout}\n{stderr}",
        output.status
    );
    let mut reports = Reports::new();
    for line in stdout.lines().chain(stderr.lines()) {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(message) = event["exception.message"].as_str() else {
            continue;
        };
        let frames = event["exception.frames"]
            .as_array()
            .map(|frames| {
                frames
                    .iter()
                    .filter(|frame| frame["user"] == Value::Bool(true))
                    .map(|frame| Frame {
                        function: frame["function"].as_str().unwrap_or_default().to_owned(),
                        file: frame["file"].as_str().map(str::to_owned),
                        line: frame["line"].as_u64(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let stacktrace = event["exception.stacktrace"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let previous = reports.insert(message.to_owned(), Report { frames, stacktrace });
        assert!(
            previous.is_none(),
            "two reports of {message:?} in {profile}"
        );
    }
    reports
}

fn debug_reports() -> &'static Reports {
    static DEBUG: OnceLock<Reports> = OnceLock::new();
    DEBUG.get_or_init(|| reports_of("dev"))
}

/// Every failure the program makes, and the instrumented function it starts in.
const ORIGINS: &[(&str, &str)] = &[
    (
        "sync: block past the end",
        "tracefault_profiles_check::storage::disk::read_block",
    ),
    (
        "method: key out of range",
        "tracefault_profiles_check::Store::get",
    ),
    (
        "trait: no row with id 0",
        "<tracefault_profiles_check::Db as tracefault_profiles_check::Repository>::find",
    ),
    (
        "closure: not a number",
        "tracefault_profiles_check::parse_one",
    ),
    ("generic: cannot load", "tracefault_profiles_check::load"),
    (
        "async: upstream refused",
        "tracefault_profiles_check::fetch",
    ),
    (
        "impl future: not found",
        "tracefault_profiles_check::lookup",
    ),
    (
        "async trait: no price",
        "<tracefault_profiles_check::Pricing as tracefault_profiles_check::Service>::call",
    ),
    // A panic's message, as std formats it.
    (
        "index out of bounds: the len is 3 but the index is 5",
        "tracefault_profiles_check::pick",
    ),
    // A panic in a closure that its function calls directly.
    (
        "index out of bounds: the len is 3 but the index is 7",
        "tracefault_profiles_check::scale",
    ),
    // A panic in a function without the attribute, called from one with it.
    (
        "index out of bounds: the len is 3 but the index is 6",
        "tracefault_profiles_check::checksum",
    ),
];

/// Functions without the attribute that a release build inlines: `line-tables-only` debug info
/// holds only their short name, and no symbol or type names them (see docs/ERRORS.md).
const INLINED_WITHOUT_ATTRIBUTE: &[&str] = &["tracefault_profiles_check::checksum"];

/// The line `line` of the program's source.
fn source_line(line: u64) -> String {
    let source = std::fs::read_to_string(manifest_dir().join("src/main.rs")).unwrap();
    source
        .lines()
        .nth(line as usize - 1)
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_debug_build_names_each_origin_and_never_the_attribute_line() {
    let reports = debug_reports();
    for (message, origin) in ORIGINS {
        let report = reports
            .get(*message)
            .unwrap_or_else(|| panic!("no report of {message:?}: {reports:#?}"));
        let innermost = report.frames.last().expect("user frames");
        assert_eq!(innermost.function, *origin, "{message}: {report:#?}");
        for frame in &report.frames {
            let line = source_line(frame.line.expect("a line"));
            assert!(
                !line.trim_start().starts_with("#[tracefault::trace"),
                "{message}: {frame:?} shows the attribute"
            );
        }
    }
    assert_eq!(reports.len(), ORIGINS.len(), "{reports:#?}");
}

/// The release builds with debug info give every user frame as the debug build does, but for
/// a function without the attribute inlined in a `line-tables-only` build: its short name.
fn assert_same_frames_as_debug(profile: &str) {
    let debug = debug_reports();
    let release = reports_of(profile);
    assert_eq!(
        release.keys().collect::<Vec<_>>(),
        debug.keys().collect::<Vec<_>>(),
        "{profile} reported other failures"
    );
    for (message, report) in &release {
        let expected: Vec<Frame> = debug[message]
            .frames
            .iter()
            .map(|frame| match INLINED_WITHOUT_ATTRIBUTE.contains(&frame.function.as_str()) {
                true if profile == "release" => Frame {
                    function: frame.function.rsplit("::").next().unwrap().to_owned(),
                    ..frame.clone()
                },
                _ => frame.clone(),
            })
            .collect();
        assert_eq!(
            report.frames, expected,
            "{profile}, {message}:\n{}\n-- debug --\n{}",
            report.stacktrace, debug[message].stacktrace
        );
    }
}

#[test]
fn release_with_line_tables_only_names_frames_as_debug_does() {
    assert_same_frames_as_debug("release");
}

#[test]
fn release_with_limited_debug_info_names_every_frame_as_debug_does() {
    assert_same_frames_as_debug("release-limited");
}

#[test]
fn without_debug_info_frames_are_named_by_their_symbols_and_the_report_says_so() {
    let debug = debug_reports();
    let release = reports_of("release-nodebug");
    assert_eq!(release.len(), debug.len());
    for (message, report) in &release {
        let debug_functions: Vec<&str> = debug[message]
            .frames
            .iter()
            .map(|frame| frame.function.as_str())
            .collect();
        for frame in &report.frames {
            // The functions that were not inlined, named as in the debug build; none other.
            assert!(
                debug_functions.contains(&frame.function.as_str()),
                "{message}: {frame:?} is not one of {debug_functions:?}\n{}",
                report.stacktrace
            );
            assert_eq!((frame.file.as_ref(), frame.line), (None, None));
        }
        assert!(
            report.stacktrace.contains("no debug info"),
            "{message}: {}",
            report.stacktrace
        );
    }
}

#[test]
fn a_stripped_binary_names_no_frame_and_says_why() {
    // What `strip = true` does to the binary of `release-nodebug`, without building it again.
    let release = reports_of("release-nodebug:stripped");
    assert_eq!(release.len(), ORIGINS.len());
    for (message, report) in &release {
        assert!(report.frames.is_empty(), "{message}: {report:#?}");
        assert!(
            report.stacktrace.contains("no symbols"),
            "{message}: {}",
            report.stacktrace
        );
    }
}
