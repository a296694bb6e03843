//! Whether the error a frame returns is one its callees left for it: the same error, the same
//! error boxed, or an error wrapping it.
//!
//! A Rust error value has no identity of its own: it is moved (copied byte for byte) from the
//! callee's return slot to the caller's locals and on, so where it lives says nothing. What a
//! move keeps is what the value holds, and that is what a record remembers ([`Identity`], and
//! the message its report keeps): its type, its message, and for each cause of its `source()`
//! chain a hash of the cause's message and, when the cause lives in an allocation of its own
//! (a `Box<dyn Error>` source, an `anyhow::Error`), that allocation's address, which no move
//! changes and which no other live error can share. A cause found inside its parent's bytes
//! moves with it, and is told by its message alone.
//!
//! [`candidates`] lists every parked record the returned error agrees with in all of that, at
//! the shallowest depth any does: the error itself (passed on, or boxed), else the nearest
//! cause that holds one (wrapped). Never the order in which callees finished: two callees'
//! errors that agree in everything are told apart by nothing the caller returns, and the
//! caller decides what to say of them (see `super::leave_err`).

use super::super::describe::{address_of, bytes_of, ErrorView};
use super::Record;
use crate::context::scope::inert;
use crate::report::names::MAX_CAUSES;
use std::error::Error;
use std::fmt::{self, Write as _};
use std::hash::{DefaultHasher, Hasher};

/// How a returned error continues a parked record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Continuation {
    /// The same error, passed on as it was.
    Same,
    /// The same error, now behind a pointer (`?` into a `Box<dyn Error>`, `anyhow::Error`).
    Boxed,
    /// A new error whose `source()` chain holds it at `position`.
    Wrapped { position: usize },
}

impl Continuation {
    /// How far down the returned error the record's error was found: the error itself is 0.
    fn depth(self) -> usize {
        match self {
            Continuation::Same | Continuation::Boxed => 0,
            Continuation::Wrapped { position } => position + 1,
        }
    }
}

/// One error of a chain, as a move leaves it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Link {
    /// A hash of what it displays.
    message: u64,
    /// Where it lives, when that is an allocation apart from the error holding it.
    address: Option<usize>,
}

impl Link {
    /// Whether `self` and `other` may be one error. Only two addresses tell errors apart: a
    /// cause inside its holder's bytes looks apart from a holder that forwards `source()` to
    /// it past a level (`anyhow`'s box of a box, `std::io::Error`), though it did not move.
    fn agrees(&self, other: &Link) -> bool {
        self.message == other.message
            && match (self.address, other.address) {
                (Some(known), Some(now)) => known == now,
                _ => true,
            }
    }
}

fn chains_agree(known: &[Link], now: &[Link]) -> bool {
    known.len() == now.len() && known.iter().zip(now).all(|(a, b)| a.agrees(b))
}

/// What a record remembers of the error it is about, to recognise it when a caller returns it.
#[derive(Debug)]
pub(super) struct Identity {
    /// `""` for a panic, which no returned error continues.
    type_name: &'static str,
    /// Where the error lives, when it is behind a pointer.
    address: Option<usize>,
    /// The `source()` chain, outermost first, at most [`MAX_CAUSES`] long.
    causes: Vec<Link>,
}

impl Identity {
    pub(super) const PANIC: Identity = Identity {
        type_name: "",
        address: None,
        causes: Vec::new(),
    };

    pub(super) fn is_panic(&self) -> bool {
        self.type_name.is_empty()
    }

    /// How `returned` continues this record's error, which displays as `message` (its
    /// report's), if it does: found as shallow as it can be. The message is compared as it is
    /// written, the cheaper test where an error passes through level after level.
    pub(super) fn continued_by(
        &self,
        message: &str,
        returned: &Returned<'_>,
    ) -> Option<Continuation> {
        if self.is_panic() {
            return None;
        }
        let as_itself = if same_type(self.type_name, returned.type_name) {
            // A pointer passed on keeps its address: another address is another error.
            match (self.address, returned.address) {
                (Some(known), Some(now)) if known != now => None,
                _ => Some(Continuation::Same),
            }
        } else {
            returned.address.map(|_| Continuation::Boxed)
        };
        if let Some(continuation) = as_itself {
            if chains_agree(&self.causes, &returned.causes) && says(&returned.view.message, message)
            {
                return Some(continuation);
            }
        }
        if returned.causes.is_empty() {
            return None;
        }
        let message = hash_of_text(message);
        // The record's error among the causes: its own address is not compared, as an error
        // moved into a box (or from one box into another, as `anyhow` does with a
        // `Box<dyn Error>`) has a new one; its own causes are, as they did not move.
        let wrapped = returned.causes.iter().enumerate().find(|(position, link)| {
            link.message == message && chains_agree(&self.causes, &returned.causes[position + 1..])
        });
        wrapped.map(|(position, _)| Continuation::Wrapped { position })
    }
}

/// The error a frame returns, seen as [`Identity`] sees it, once per frame that returns it.
pub(super) struct Returned<'a> {
    view: &'a ErrorView<'a>,
    type_name: &'static str,
    address: Option<usize>,
    causes: Vec<Link>,
}

impl<'a> Returned<'a> {
    pub(super) fn of(view: &'a ErrorView<'a>) -> Returned<'a> {
        Returned {
            view,
            type_name: view.type_name,
            address: view.address,
            causes: causes_of_view(view),
        }
    }

    /// This error's identity, for the record that it starts or now heads.
    pub(super) fn identity(&self) -> Identity {
        Identity {
            type_name: self.type_name,
            address: self.address,
            causes: self.causes.clone(),
        }
    }

    pub(super) fn view(&self) -> &ErrorView<'a> {
        self.view
    }
}

/// The messages of the records a frame let go before it left, to keep its memory bounded.
#[derive(Debug, Default)]
pub(super) struct LetGo {
    messages: Vec<u64>,
    /// More messages than are kept: any error may be one of them.
    overflowed: bool,
}

/// How many different messages of records let go a frame keeps.
const MAX_LET_GO: usize = 64;

impl LetGo {
    pub(super) fn is_empty(&self) -> bool {
        self.messages.is_empty() && !self.overflowed
    }

    /// A record of `identity`, which displays as `message`, is let go.
    pub(super) fn remember(&mut self, identity: &Identity, message: &str) {
        let message = hash_of_text(message);
        if identity.is_panic() || self.messages.contains(&message) {
            return;
        }
        if self.messages.len() == MAX_LET_GO {
            self.overflowed = true;
        } else {
            self.messages.push(message);
        }
    }

    /// Whether `returned` may continue one of the records let go: it, or one of its causes,
    /// says what one of them said.
    pub(super) fn may_be(&self, returned: &Returned<'_>) -> bool {
        self.overflowed
            || self
                .messages
                .contains(&hash_of_display(&returned.view.message))
            || returned
                .causes
                .iter()
                .any(|link| self.messages.contains(&link.message))
    }
}

/// The parked records a returned error continues, and how.
#[derive(Debug)]
pub(super) enum Candidates {
    None,
    One(usize, Continuation),
    /// Records whose errors agree with it in everything it shows, first parked first.
    Several(Vec<(usize, Continuation)>),
}

/// The parked records that `returned` continues, and how, at the shallowest depth any does.
pub(super) fn candidates(records: &[Box<Record>], returned: &Returned<'_>) -> Candidates {
    let mut found = Candidates::None;
    for (index, record) in records.iter().enumerate() {
        let message = &record.builder.report().message;
        let Some(continuation) = record.identity.continued_by(message, returned) else {
            continue;
        };
        found = match found {
            Candidates::None => Candidates::One(index, continuation),
            Candidates::One(first, best) if best.depth() == continuation.depth() => {
                Candidates::Several(vec![(first, best), (index, continuation)])
            }
            Candidates::One(first, best) if best.depth() < continuation.depth() => {
                Candidates::One(first, best)
            }
            Candidates::Several(mut several) if several[0].1.depth() == continuation.depth() => {
                several.push((index, continuation));
                Candidates::Several(several)
            }
            Candidates::Several(several) if several[0].1.depth() < continuation.depth() => {
                Candidates::Several(several)
            }
            // A deeper find gives way to one nearer the top.
            Candidates::One(..) | Candidates::Several(_) => Candidates::One(index, continuation),
        };
    }
    found
}

/// Type names are compared as text: one type's name is usually, not always, one string.
fn same_type(known: &'static str, returned: &'static str) -> bool {
    core::ptr::eq(known, returned) || known == returned
}

/// The causes of `error`, each with its address when it lives apart from the error holding it.
fn causes_of_view(error: &ErrorView<'_>) -> Vec<Link> {
    let Some(first) = error.source else {
        return Vec::new();
    };
    inert(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut causes = Vec::new();
            let mut holder = error.bytes;
            let mut source = Some(first);
            while let Some(cause) = source {
                if causes.len() == MAX_CAUSES {
                    break;
                }
                causes.push(Link {
                    message: hash_of_display(&cause),
                    address: apart_from(cause, holder),
                });
                holder = bytes_of(cause);
                source = cause.source();
            }
            causes
        }))
        // A `source()` that panics has a chain nothing can be told by.
        .unwrap_or_default()
    })
}

/// `cause`'s address when it lives outside `holder`'s bytes, in an allocation of its own that
/// moving `holder` leaves where it is. A zero-sized cause has no allocation: every one has the
/// same dangling address.
fn apart_from(cause: &(dyn Error + 'static), (start, length): (usize, usize)) -> Option<usize> {
    let address = address_of(cause);
    let inside = address >= start && address < start.saturating_add(length);
    (core::mem::size_of_val(cause) != 0 && !inside).then_some(address)
}

/// A hash of what `value` displays, written where its instrumented code cannot touch the
/// records. A `Display` that fails or panics hashes as what it wrote up to then, and a mark.
fn hash_of_display(value: &dyn fmt::Display) -> u64 {
    struct Hashing(DefaultHasher);
    impl fmt::Write for Hashing {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    inert(|| {
        let mut hashing = Hashing(DefaultHasher::new());
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write!(hashing, "{value}").is_ok()
        }));
        if !matches!(written, Ok(true)) {
            hashing.0.write_u8(0xff);
        }
        hashing.0.finish()
    })
}

/// The same hash of a message already written: `DefaultHasher` hashes bytes as one stream,
/// however they were split.
fn hash_of_text(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(text.as_bytes());
    hasher.finish()
}

/// Whether `value` displays exactly as `message`, compared as it is written: nothing is kept,
/// and the comparison stops at the first difference. The error's `Display` is the user's code,
/// which may itself be instrumented: it runs where it cannot touch the records.
fn says(value: &dyn fmt::Display, message: &str) -> bool {
    struct Compare<'a> {
        rest: &'a str,
    }
    impl fmt::Write for Compare<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            match self.rest.strip_prefix(text) {
                Some(rest) => {
                    self.rest = rest;
                    Ok(())
                }
                None => Err(fmt::Error),
            }
        }
    }
    inert(|| {
        let mut compare = Compare { rest: message };
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write!(compare, "{value}").is_ok()
        }));
        matches!(written, Ok(true)) && compare.rest.is_empty()
    })
}

/// What `error` displays, written where its instrumented code cannot touch the records.
pub(super) fn message_of(error: &dyn fmt::Display) -> String {
    inert(|| {
        let mut message = String::new();
        let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write!(message, "{error}").is_ok()
        }));
        match written {
            Ok(true) => message,
            Ok(false) => "[its Display returned an error]".to_owned(),
            Err(_) => "[its Display panicked]".to_owned(),
        }
    })
}

/// `source`'s chain as the report's causes, read where instrumented code cannot touch the
/// records.
pub(super) fn causes_of(source: Option<&(dyn Error + 'static)>) -> Vec<crate::report::Cause> {
    inert(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::report::names::causes_of(source)
        }))
        .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::__tracefault_err_view as err_view;

    #[derive(Debug)]
    struct Leaf(u32);
    impl fmt::Display for Leaf {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "leaf {}", self.0)
        }
    }
    impl Error for Leaf {}

    /// The same message whatever it holds: only its cause tells two apart.
    #[derive(Debug)]
    struct Inline(Leaf);
    impl fmt::Display for Inline {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("request failed")
        }
    }
    impl Error for Inline {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[derive(Debug)]
    struct Boxed(Box<dyn Error + Send + Sync>);
    impl fmt::Display for Boxed {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("request failed")
        }
    }
    impl Error for Boxed {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&*self.0)
        }
    }

    /// What a record keeps of an error: its identity, and its message in its report.
    type Known = (Identity, String);

    fn identity_of<E: Error + 'static>(error: E) -> (Known, Result<(), E>) {
        let result = Err(error);
        let view = err_view!(&result).unwrap();
        let identity = Returned::of(&view).identity();
        let message = message_of(&view.message);
        ((identity, message), result)
    }

    fn continuation<E: Error + 'static>(
        (identity, message): &Known,
        result: &Result<(), E>,
    ) -> Option<Continuation> {
        let view = err_view!(result).unwrap();
        identity.continued_by(message, &Returned::of(&view))
    }

    fn continued<E: Error + 'static>(known: &Known, result: &Result<(), E>) -> bool {
        continuation(known, result).is_some()
    }

    #[test]
    fn a_moved_error_keeps_its_identity() {
        let (identity, result) = identity_of(Inline(Leaf(1)));
        let moved = Box::new(result);
        assert!(continued(&identity, &moved));
        let (identity, result) = identity_of(Boxed(Box::new(Leaf(1))));
        let moved = [result];
        assert!(continued(&identity, &moved[0]));
    }

    #[test]
    fn an_inline_cause_is_told_by_its_message() {
        let (identity, _) = identity_of(Inline(Leaf(1)));
        assert!(!continued(&identity, &Err::<(), _>(Inline(Leaf(2)))));
        assert!(continued(&identity, &Err::<(), _>(Inline(Leaf(1)))));
    }

    #[test]
    fn a_boxed_cause_is_told_by_its_address() {
        let (identity, _kept) = identity_of(Boxed(Box::new(Leaf(1))));
        // Alive at the same time, so at another address: another error, though it says the same.
        assert!(!continued(
            &identity,
            &Err::<(), _>(Boxed(Box::new(Leaf(1))))
        ));
    }

    #[test]
    fn a_zero_sized_cause_has_no_address() {
        #[derive(Debug)]
        struct Empty;
        impl fmt::Display for Empty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("empty")
            }
        }
        impl Error for Empty {}
        let result: Result<(), Boxed> = Err(Boxed(Box::new(Empty)));
        let view = err_view!(&result).unwrap();
        assert_eq!(Returned::of(&view).causes[0].address, None);
    }

    #[test]
    fn boxing_and_wrapping_are_told_as_such() {
        let (identity, result) = identity_of(Inline(Leaf(1)));
        let boxed: Result<(), Box<dyn Error + Send + Sync>> =
            result.map_err(|error| Box::new(error) as Box<dyn Error + Send + Sync>);
        let view = err_view!(&boxed).unwrap();
        assert_eq!(
            identity.0.continued_by(&identity.1, &Returned::of(&view)),
            Some(Continuation::Boxed)
        );
        let wrapped: Result<(), Boxed> = boxed.map_err(Boxed);
        assert_eq!(
            continuation(&identity, &wrapped),
            Some(Continuation::Wrapped { position: 0 })
        );
    }

    #[test]
    fn what_a_frame_let_go_of_is_remembered_by_its_message() {
        let ((let_go_of, message), _) = identity_of(Inline(Leaf(1)));
        let mut let_go = LetGo::default();
        assert!(let_go.is_empty());
        let_go.remember(&let_go_of, &message);
        let says_the_same: Result<(), Leaf> = Err(Leaf(5));
        let wraps_the_same: Result<(), Boxed> = Err(Boxed(Box::new(Inline(Leaf(2)))));
        let view = err_view!(&says_the_same).unwrap();
        assert!(!let_go.may_be(&Returned::of(&view)), "another message");
        let view = err_view!(&wraps_the_same).unwrap();
        assert!(let_go.may_be(&Returned::of(&view)), "a cause says the same");
        for n in 0..=MAX_LET_GO as u32 {
            let ((other, message), _) = identity_of(Leaf(1_000 + n));
            let_go.remember(&other, &message);
        }
        let view = err_view!(&says_the_same).unwrap();
        assert!(
            let_go.may_be(&Returned::of(&view)),
            "past its bound, anything may be"
        );
    }
}
