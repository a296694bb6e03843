//! What [`Problem::from_error`](super::Problem::from_error) accepts: a `std::error::Error`, a
//! `dyn Error`, or a pointer to one (`anyhow::Error`, `eyre::Report`, `Box<dyn Error + Send +
//! Sync>`), which is not an `Error` itself. One blanket impl per kind cannot cover both (a type
//! could be an `Error` and a pointer: rustc refuses the overlap), so each kind has its own
//! marker type, [`AsDynError`]'s parameter; the caller never names it: for any given type only
//! one impl holds, and inference picks it. It costs nothing at run time: each use is
//! monomorphized to a reborrow.

use std::borrow::Cow;
use std::error::Error;
use std::ops::Deref;

/// An error as `&dyn Error`, with the name of its type. Implemented for every
/// `std::error::Error`, for `dyn Error` (with or without `Send` and `Sync`), and for every
/// pointer that dereferences to one: `anyhow::Error`, `eyre::Report`, `Box<dyn Error>`,
/// `Arc<dyn Error + Send + Sync>`. `Via` says which of these the type is; leave it to
/// inference.
///
/// ```
/// use tracefault::remote::Problem;
///
/// let io = std::io::Error::other("disk full");
/// let boxed: Box<dyn std::error::Error + Send + Sync> = "no stock".into();
/// assert_eq!(Problem::from_error(503, &io).status(), 503);
/// assert_eq!(Problem::from_error(502, &boxed).status(), 502);
/// ```
pub trait AsDynError<Via> {
    /// The error itself, or the one behind the pointer.
    fn as_dyn_error(&self) -> &(dyn Error + 'static);

    /// The error's type as a report names it: the pointer's type says little (`anyhow::Error`),
    /// so a well-known type behind it is named instead.
    fn error_type_name(&self) -> Cow<'static, str>;
}

/// [`AsDynError`]'s marker for a `std::error::Error` of a known type.
#[derive(Debug)]
pub enum Itself {}

/// [`AsDynError`]'s marker for `dyn Error`, `dyn Error + Send` and `dyn Error + Send + Sync`.
#[derive(Debug)]
pub enum TraitObject {}

/// [`AsDynError`]'s marker for a pointer to `dyn Error + Send + Sync` (`anyhow::Error`,
/// `eyre::Report`, `Box<dyn Error + Send + Sync>`).
#[derive(Debug)]
pub enum PointerToSendSync {}

/// [`AsDynError`]'s marker for a pointer to `dyn Error` (`Box<dyn Error>`).
#[derive(Debug)]
pub enum Pointer {}

impl<E: Error + 'static> AsDynError<Itself> for E {
    fn as_dyn_error(&self) -> &(dyn Error + 'static) {
        self
    }

    fn error_type_name(&self) -> Cow<'static, str> {
        crate::report::names::readable_type_name(core::any::type_name::<E>())
    }
}

macro_rules! trait_objects {
    ($($object:ty,)*) => {$(
        impl AsDynError<TraitObject> for $object {
            fn as_dyn_error(&self) -> &(dyn Error + 'static) {
                self
            }

            fn error_type_name(&self) -> Cow<'static, str> {
                behind_a_pointer::<$object>(self)
            }
        }
    )*};
}

trait_objects! {
    dyn Error + 'static,
    dyn Error + Send + 'static,
    dyn Error + Send + Sync + 'static,
}

impl<P> AsDynError<PointerToSendSync> for P
where
    P: Deref<Target = dyn Error + Send + Sync + 'static>,
{
    fn as_dyn_error(&self) -> &(dyn Error + 'static) {
        &**self
    }

    fn error_type_name(&self) -> Cow<'static, str> {
        behind_a_pointer::<P>(&**self)
    }
}

impl<P> AsDynError<Pointer> for P
where
    P: Deref<Target = dyn Error + 'static>,
{
    fn as_dyn_error(&self) -> &(dyn Error + 'static) {
        &**self
    }

    fn error_type_name(&self) -> Cow<'static, str> {
        behind_a_pointer::<P>(&**self)
    }
}

/// A well-known type behind the pointer, else the pointer's own (`anyhow::Error`), as the
/// expansion's view of such an error names it.
fn behind_a_pointer<P: ?Sized>(error: &(dyn Error + 'static)) -> Cow<'static, str> {
    match crate::report::names::known_type_name(error) {
        Some(name) => Cow::Borrowed(name),
        None => crate::report::names::readable_type_name(core::any::type_name::<P>()),
    }
}
