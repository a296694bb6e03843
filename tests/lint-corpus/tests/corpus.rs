//! The corpus behaves the same with and without `traced`: `scripts/lint-parity` runs this both
//! ways. (Part of `--all-targets`, so that test code is linted too.)

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use tracefault_lint_corpus::clean::{
    self, CorpusError, Meters, Shape as _, Square, Stack, Wrapper,
};

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

#[test]
fn free_functions() {
    assert_eq!(clean::add(2, 3), 5);
    clean::nothing();
    let mut log = Vec::new();
    clean::record(&mut log, "line");
    assert_eq!(log, ["line"]);
    assert_eq!(clean::parse(" 7 "), Ok(7));
    assert!(clean::parse("x").is_err());
    assert_eq!(clean::parse_double("21"), Ok(42));
    assert_eq!(clean::parse_pair("1", "2"), Ok((1, 2)));
    assert_eq!(clean::parse_pair("1", "0"), Err(CorpusError::Zero));
    assert!(matches!(
        clean::parse_pair("x", "0"),
        Err(CorpusError::Parse(_))
    ));
    assert!(clean::io_result("/nonexistent/lint-corpus").is_err());
    assert_eq!(clean::boxed_error("9").ok(), Some(9));
    assert_eq!(clean::first_even(&[1, 3, 4]), Some(4));
    assert_eq!(clean::first_word("hello world"), "hello");
    assert_eq!(clean::longest("ab", "abc"), "abc");
    assert_eq!(clean::largest(&[3, 9, 2]), Some(9));
    assert_eq!(clean::count_by(["a", "b", "a"])["a"], 2);
    assert_eq!(clean::total([1, 2, 3]), 6);
    assert_eq!(clean::evens(7).collect::<Vec<_>>(), [0, 2, 4, 6]);
    assert_eq!(clean::checked([1, 2].into_iter()), Ok(3));
    assert_eq!(
        clean::checked([u32::MAX, 1].into_iter()),
        Err(CorpusError::Overflow)
    );
    assert_eq!(clean::apply(|value| value * 10, 4), 40);
    assert_eq!(clean::make_adder(5)(1), 6);
    let mut slot = String::from("old");
    assert_eq!(clean::swap_taken(&mut slot, "new"), "old");
    assert_eq!(slot, "new");
    assert_eq!(clean::destructure((1, 2), clean::Point { x: 3, y: 4 }), 10);
    assert_eq!(clean::mutable_parameter(1), 2);
    assert_eq!(clean::loops(7), 1 + 2 + 4 + 5);
    assert!(std::panic::catch_unwind(|| clean::diverges("down")).is_err());
    let value = 11;
    // SAFETY: a valid reference.
    assert_eq!(unsafe { clean::read(&value) }, 11);
}

#[test]
fn async_functions() {
    assert_eq!(block_on(clean::async_add(1, 2)), 3);
    assert_eq!(block_on(clean::async_parse("4")), Ok(5));
    let mut log = Vec::new();
    block_on(clean::async_unit(&mut log));
    assert_eq!(log, ["3"]);
    assert_eq!(block_on(clean::async_generic(1.5)), "1.5");
    assert_eq!(block_on(clean::later(21)), Ok(42));
    assert_eq!(block_on(clean::later(u32::MAX)), Err(CorpusError::Overflow));
}

#[test]
fn methods_and_trait_implementations() {
    let mut stack = Stack::new("s");
    assert!(stack.is_empty());
    stack.push(1);
    assert_eq!(block_on(stack.push_later(2)), Ok(2));
    assert_eq!(block_on(stack.push_later(0)), Err(CorpusError::Zero));
    assert_eq!((stack.len(), stack.name()), (2, "s"));
    assert_eq!(stack.pop(), Ok(2));
    assert_eq!(stack.next(), Some(1));
    assert_eq!(stack.pop(), Err(CorpusError::Empty));
    stack.push(3);
    assert_eq!(stack.clone().into_items(), [3]);
    assert_eq!(stack.take_items(), [3]);
    assert_eq!(Stack::default().name(), "default");

    let (short, long) = (Meters(1), Meters::from(2));
    assert_eq!(short.clone(), short);
    assert!(short < long);
    assert_eq!(long.cmp(&short), std::cmp::Ordering::Greater);
    assert_eq!(long.to_string(), "2 m");
    assert_eq!("3 m".parse(), Ok(Meters(3)));
    assert_eq!(std::collections::HashSet::from([short, short]).len(), 1);

    assert_eq!(Square(2.0).area(), 4.0);
    assert_eq!(Square(1.0).describe(), "a shape of area 1");
    let wrapped = Wrapper(5);
    assert_eq!((wrapped.get(), wrapped.to_string()), (5, "[5]".to_owned()));
    assert_eq!(wrapped.map(|value| value * 2), Wrapper(10));

    let error = CorpusError::from("x".parse::<u8>().unwrap_err());
    assert!(std::error::Error::source(&error).is_some());
    assert!(error.to_string().starts_with("not a number"));
}
