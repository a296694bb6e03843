//! One panic, one report: under `RUST_BACKTRACE=1`, a panic in instrumented code prints
//! tracefault's report and nothing of std's (no `thread '…' panicked at`, no second
//! backtrace), unless `TRACEFAULT_PANIC_OUTPUT=both` asks for std's too; a hook of the
//! program's own still runs, installed before or after tracefault's; a panic outside
//! instrumented code, or where no subscriber records reports, prints std's message as always;
//! one caught inside instrumented code is reported as caught.
//!
//! Each scenario runs in a child process of this binary (the panic hook and the environment
//! are the process's), with `tracefault::init()`'s readable output on its standard output
//! and std's panic messages on its standard error, which the parent reads.

use std::panic::catch_unwind;
use std::process::Command;

/// The scenario a child process runs; unset in the parent.
const SCENARIO: &str = "TRACEFAULT_PANIC_OUTPUT_SCENARIO";

#[tracefault::trace]
fn reserve(quantity: u32) -> u32 {
    let available = 12;
    available / quantity // zero units: division by zero
}

#[tracefault::trace]
fn checkout(quantity: u32) -> Result<u32, std::io::Error> {
    Ok(reserve(quantity) + 1)
}

#[tracefault::trace]
fn checkout_catching(quantity: u32) -> bool {
    catch_unwind(|| reserve(quantity)).is_err()
}

fn not_instrumented(quantity: u32) -> u32 {
    12 / quantity
}

/// A hook of the program's own that says it ran, then calls the one it replaced (as sentry's
/// does).
fn program_hook_calling_previous() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        eprintln!(
            "the program's hook saw: {}",
            info.payload_as_str().unwrap_or("?")
        );
        previous(info);
    }));
}

/// What a child does: `Err` when the scenario is not one.
fn run(scenario: &str) -> Result<(), String> {
    // Without a subscriber, the report is written nowhere: std's message is the panic's.
    let _guard = match scenario {
        "no_subscriber" => None,
        _ => Some(tracefault::init().map_err(|error| error.to_string())?),
    };
    let program_hook = || {
        std::panic::set_hook(Box::new(|info| {
            eprintln!(
                "the program's hook saw: {}",
                info.payload_as_str().unwrap_or("?")
            );
        }));
    };
    match scenario {
        "instrumented" | "no_subscriber" => {}
        "program_hook_before" => program_hook(),
        "program_hook_after" => {
            // The first instrumented call installs tracefault's hook; the program's own
            // comes after it and calls it.
            assert_eq!(checkout(1).unwrap(), 13);
            program_hook_calling_previous();
        }
        "program_hook_around_tracefaults" => {
            // Installed first by hand, tracefault's hook is the one a hook that calls the
            // previous one (as sentry's does) wraps.
            tracefault::install_panic_hook();
            program_hook_calling_previous();
        }
        "outside" => {
            assert_eq!(checkout(1).unwrap(), 13);
            assert!(catch_unwind(|| not_instrumented(0)).is_err());
            return Ok(());
        }
        "caught_inside" => {
            assert!(checkout_catching(0));
            return Ok(());
        }
        other => return Err(format!("no scenario {other}")),
    }
    assert!(catch_unwind(|| checkout(0)).is_err());
    Ok(())
}

/// What a child printed: standard output, standard error.
fn child(scenario: &str, environment: &[(&str, &str)]) -> (String, String) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .env(SCENARIO, scenario)
        .env("RUST_BACKTRACE", "1")
        .env("TRACEFAULT_LOG_FORMAT", "pretty")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("TRACEFAULT_PANIC_OUTPUT");
    for (name, value) in environment {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{scenario}: {:?}\n{stdout}\n{stderr}",
        output.status
    );
    (stdout, stderr)
}

/// Whether `text` holds std's panic message, or its backtrace.
fn std_message(text: &str) -> (bool, bool) {
    (
        text.contains("panicked at"),
        text.contains("stack backtrace:"),
    )
}

fn one_report(scenario: &str, stdout: &str, stderr: &str, what: &str) {
    let output = format!("{stdout}{stderr}");
    assert_eq!(
        output.matches(what).count(),
        1,
        "{scenario}: one {what:?} in:\n{output}"
    );
    assert_eq!(
        output.matches("Traceback (most recent call last):").count(),
        1,
        "{scenario}: one traceback in:\n{output}"
    );
    assert!(
        stdout.contains("panic: attempt to divide by zero"),
        "{scenario}: {stdout}"
    );
}

fn main() {
    if let Ok(scenario) = std::env::var(SCENARIO) {
        if let Err(problem) = run(&scenario) {
            eprintln!("{problem}");
            std::process::exit(2);
        }
        return;
    }

    let (stdout, stderr) = child("instrumented", &[]);
    one_report(
        "instrumented",
        &stdout,
        &stderr,
        "panic escaped panic_output::checkout",
    );
    assert_eq!(std_message(&stderr), (false, false), "{stderr}");

    let (stdout, stderr) = child("instrumented", &[("TRACEFAULT_PANIC_OUTPUT", "both")]);
    assert_eq!(
        stdout
            .matches("panic escaped panic_output::checkout")
            .count(),
        1,
        "{stdout}"
    );
    assert_eq!(std_message(&stderr), (true, true), "{stderr}");

    for scenario in [
        "program_hook_before",
        "program_hook_after",
        "program_hook_around_tracefaults",
    ] {
        let (stdout, stderr) = child(scenario, &[]);
        one_report(
            scenario,
            &stdout,
            &stderr,
            "panic escaped panic_output::checkout",
        );
        assert_eq!(
            stderr
                .matches("the program's hook saw: attempt to divide by zero")
                .count(),
            1,
            "{scenario}: {stderr}"
        );
        assert_eq!(std_message(&stderr), (false, false), "{scenario}: {stderr}");
    }

    let (stdout, stderr) = child("no_subscriber", &[]);
    assert!(!stdout.contains("escaped"), "{stdout}");
    assert_eq!(std_message(&stderr), (true, true), "{stderr}");

    let (stdout, stderr) = child("outside", &[]);
    assert!(!stdout.contains("escaped"), "{stdout}");
    assert_eq!(std_message(&stderr), (true, true), "{stderr}");

    let (stdout, stderr) = child("caught_inside", &[]);
    one_report(
        "caught_inside",
        &stdout,
        &stderr,
        "panic caught in panic_output::checkout_catching",
    );
    assert_eq!(std_message(&stderr), (false, false), "{stderr}");

    println!("panic_output: 8 scenarios, as expected");
}
