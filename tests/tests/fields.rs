//! The span fields the macro keeps for itself are the ones the runtime declares and records:
//! the two lists are written in two crates, and must not drift apart.

#[test]
fn the_macro_and_the_runtime_name_the_same_span_fields() {
    let source = include_str!("../../macros/src/fields.rs");
    let list = source
        .split("SPAN_FIELDS: &[&str] = &[")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("the macro's list");
    let in_macro: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.trim_matches('"'))
        .collect();
    assert_eq!(in_macro, tracefault::__private::fields::SPAN_FIELDS);
}
