//! Compile-time behaviour: each misuse of the attribute is one clear, spanned error, and every
//! accepted shape compiles without warnings.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
