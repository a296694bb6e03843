//! `#[trace]` in a crate of its own, as a user has it: made outside this repository (so that
//! its `.cargo/config.toml`, with frame pointers, does not apply), depending on `tracefault` by
//! path with default features, built with no `RUSTFLAGS`. Its reports must show the user's
//! functions from a `#[test]`, a `#[tokio::test]` and a `main` alike (issue #11: from a test
//! binary they showed only "[19 runtime frames hidden]").
//!
//! The crate is written under the system's temporary directory (a directory per checkout) and
//! built into `$CARGO_TARGET_TMPDIR`, so that repeated runs build incrementally.

// Compile-time behaviour does not depend on the profile these tests run in: the release run
// of scripts/test leaves them to the debug run.
#![cfg(debug_assertions)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The two tests share the crate's directory: one writes and builds at a time.
static CRATE: Mutex<()> = Mutex::new(());

/// The user's library: an origin and two callers that propagate its error with `?`. A line
/// that a report must name ends with a `// line:NAME` marker.
const LIB: &str = r#"use std::fmt;

#[derive(Debug)]
pub struct Refused(pub u32);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "code {} refused", self.0)
    }
}

impl std::error::Error for Refused {}

#[tracefault::trace]
pub fn origin(code: u32) -> Result<u32, Refused> { // line:origin
    if code > 0 {
        return Err(Refused(code));
    }
    Ok(code)
}

#[tracefault::trace]
pub fn middle(code: u32) -> Result<u32, Refused> {
    let value = origin(code)?; // line:middle
    Ok(value + 1)
}

#[tracefault::trace]
pub async fn middle_async(code: u32) -> Result<u32, Refused> {
    tokio::task::yield_now().await;
    let value = origin(code)?; // line:middle_async
    Ok(value + 1)
}
"#;

/// What the test binary and the program share: a layer that keeps each report's traceback
/// (the `exception.stacktrace` of tracefault's report events), and the check of one.
const CAPTURE: &str = r#"use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<String>>>);

impl Reports {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(tracing_subscriber::registry().with(self.clone()))
    }

    /// The only report's traceback, checked to name each `(file, line, function)`.
    pub fn check(&self, expected: &[(&str, u32, &str)]) {
        let reports = self.0.lock().unwrap().clone();
        assert_eq!(reports.len(), 1, "one report expected: {reports:#?}");
        let traceback = &reports[0];
        println!("{traceback}");
        for (file, line, function) in expected {
            let frame = format!("File \"{file}\", line {line}, in {function}\n");
            assert!(traceback.contains(&frame), "no `{}` in\n{traceback}", frame.trim_end());
        }
    }
}

struct Stacktrace(Option<String>);

impl Visit for Stacktrace {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "exception.stacktrace" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Reports {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "tracefault" {
            let mut stacktrace = Stacktrace(None);
            event.record(&mut stacktrace);
            if let Some(stacktrace) = stacktrace.0 {
                self.0.lock().unwrap().push(stacktrace);
            }
        }
    }
}
"#;

/// The user's tests, as `cargo new` and the tokio docs would have them.
const TESTS: &str = r#"#[path = "../src/capture.rs"]
mod capture;

use outside_user::{middle, middle_async};

#[test]
fn from_test() {
    let reports = capture::Reports::default();
    let guard = reports.install();
    let _ = middle(7); // line:from_test
    drop(guard);
    reports.check(&[
        ("tests/report.rs", LINE_FROM_TEST, "report::from_test"),
        ("src/lib.rs", LINE_MIDDLE, "outside_user::middle"),
        ("src/lib.rs", LINE_ORIGIN, "outside_user::origin"),
    ]);
}

#[tokio::test]
async fn from_tokio_test() {
    let reports = capture::Reports::default();
    let guard = reports.install();
    let _ = middle_async(7).await; // line:from_tokio_test
    drop(guard);
    reports.check(&[
        ("tests/report.rs", LINE_FROM_TOKIO_TEST, "report::from_tokio_test"),
        ("src/lib.rs", LINE_MIDDLE_ASYNC, "outside_user::middle_async"),
        ("src/lib.rs", LINE_ORIGIN, "outside_user::origin"),
    ]);
}
"#;

/// The same in a program, where the frames have always been there.
const MAIN: &str = r#"mod capture;

fn main() {
    let reports = capture::Reports::default();
    let guard = reports.install();
    let _ = outside_user::middle(7); // line:main
    drop(guard);
    reports.check(&[
        ("src/main.rs", LINE_MAIN, "outside_user::main"),
        ("src/lib.rs", LINE_MIDDLE, "outside_user::middle"),
        ("src/lib.rs", LINE_ORIGIN, "outside_user::origin"),
    ]);
}
"#;

/// The line of `// line:NAME` in `source`, 1-based.
fn line_of(source: &str, name: &str) -> u32 {
    let marker = format!("// line:{name}");
    let index = source
        .lines()
        .position(|line| line.trim_end().ends_with(&marker))
        .unwrap_or_else(|| panic!("no {marker}"));
    u32::try_from(index + 1).unwrap()
}

/// `source` with each `LINE_NAME` constant it uses declared after its first line.
fn with_line_constants(source: &str, lines: &[(&str, u32)]) -> String {
    let mut constants = String::new();
    for (name, line) in lines {
        let constant = format!("LINE_{}", name.to_uppercase());
        if source.contains(&constant) {
            constants.push_str(&format!("const {constant}: u32 = {line};\n"));
        }
    }
    // Appended, so that the markers' line numbers stay as written.
    format!("{source}\n{constants}")
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Writes the crate; returns its directory.
fn write_crate() -> PathBuf {
    let root = repository_root();
    // One directory per checkout, so that two checkouts on a machine do not share it.
    let checkout = {
        use std::hash::{Hash as _, Hasher as _};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        root.hash(&mut hasher);
        hasher.finish()
    };
    let dir = std::env::temp_dir().join(format!("tracefault-outside-workspace-{checkout:016x}"));
    assert!(
        !dir.starts_with(&root) && !root.starts_with(&dir),
        "{} must be outside {}, or the repository's .cargo/config.toml applies",
        dir.display(),
        root.display()
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let runtime = root.join("runtime");
    let manifest = format!(
        r#"[package]
name = "outside-user"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tracefault = {{ path = {runtime:?} }}
tracing = "0.1"
tracing-subscriber = {{ version = "0.3", default-features = false, features = ["std", "registry"] }}
tokio = {{ version = "1", features = ["rt", "macros"] }}

[workspace]
"#
    );
    let lines = [
        ("origin", line_of(LIB, "origin")),
        ("middle", line_of(LIB, "middle")),
        ("middle_async", line_of(LIB, "middle_async")),
        ("from_test", line_of(TESTS, "from_test")),
        ("from_tokio_test", line_of(TESTS, "from_tokio_test")),
        ("main", line_of(MAIN, "main")),
    ];
    let files = [
        ("Cargo.toml", manifest),
        ("src/lib.rs", LIB.to_owned()),
        ("src/capture.rs", CAPTURE.to_owned()),
        ("src/main.rs", with_line_constants(MAIN, &lines)),
        ("tests/report.rs", with_line_constants(TESTS, &lines)),
    ];
    for (path, contents) in files {
        let path = dir.join(path);
        // Unchanged files keep their times, so that cargo rebuilds nothing it need not.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(contents.as_str()) {
            std::fs::write(&path, contents).unwrap();
        }
    }
    // The repository's versions, so that the crate builds what this workspace was tested
    // with; cargo drops what the crate does not use.
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), lock).unwrap();
    }
    dir
}

/// `cargo SUBCOMMAND` in the crate, with none of the flags that a build of this repository
/// has: no `RUSTFLAGS` of any kind, no `TRACEFAULT_*` settings, and its own target directory.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("outside-workspace");
    let mut command = Command::new(env!("CARGO"));
    // The crate's reports are what a user gets by default, whatever this run was told.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TRACEFAULT_") {
            command.env_remove(name);
        }
    }
    command
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn reports_in_a_test_binary_show_the_users_frames() {
    let _crate = CRATE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = write_crate();
    let output = cargo(&dir, &["test", "--test", "report"]);
    let text = text(&output);
    assert!(output.status.success(), "{text}");
    for test in ["from_test", "from_tokio_test"] {
        assert!(text.contains(&format!("test {test} ... ok")), "{text}");
    }
}

#[test]
fn reports_in_a_program_show_the_users_frames() {
    let _crate = CRATE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = write_crate();
    let output = cargo(&dir, &["run", "--quiet"]);
    assert!(output.status.success(), "{}", text(&output));
}
