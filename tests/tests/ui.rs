//! Compile-time behaviour: each misuse of the attribute is one clear, spanned error, and every
//! accepted shape compiles without warnings.

// Compile-time behaviour does not depend on the profile these tests run in: the release run
// of scripts/test leaves them to the debug run.
#![cfg(debug_assertions)]

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
