//! The same inference-sensitive shapes in test code, where they are most common:
//! `assert_eq!(&v[..], &[])` and friends, in a test crate that mentions `::tracefault`.

use tracefault_inference_check::{
    assert_none_left, equals_widened, is_default, is_one, widened_twice,
};

#[tracefault::trace]
fn numbers(count: u32) -> Vec<u32> {
    (1..=count).collect()
}

#[test]
fn empty_slices_compare_with_an_empty_array() {
    let none = numbers(0);
    assert_eq!(&none[..], &[]);
    assert_none_left(&none);
    assert!(std::panic::catch_unwind(|| assert_none_left(&numbers(2))).is_err());
}

#[test]
fn comparisons_infer_the_other_side() {
    let count = numbers(3).len();
    let widened = u16::try_from(count).unwrap().into();
    assert!(3_u32 == widened);
    let sum = numbers(3).iter().sum();
    assert_eq!(6_u32, sum);
    let largest_of_none = numbers(0).into_iter().max().unwrap_or(0);
    assert_eq!(largest_of_none, Default::default());
    assert!(is_one(1) && !is_one(2));
    assert!(equals_widened(7, 7) && !equals_widened(7, 8));
    assert!(is_default(false) && !is_default(true));
}

#[test]
fn into_chains_infer_their_targets() {
    let byte = 200_u8;
    let wide: u64 = u32::from(byte).into();
    assert_eq!(wide, byte.into());
    assert_eq!(widened_twice(9), Ok(9));
    assert_eq!(numbers(1)[0], true.into());
}
