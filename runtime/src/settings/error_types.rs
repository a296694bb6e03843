//! What a program tells tracefault about error types, by type: a name for causes whose type a
//! `dyn Error` cannot tell ([`Config::name_error_type`](crate::Config::name_error_type)), and
//! which errors are expected ([`Config::expected`](crate::Config::expected),
//! [`Config::expected_if`](crate::Config::expected_if)).
//!
//! The rules are few and written once, at start-up; they are read on error paths only, and
//! then only when there are rules of the kind asked for: a flag per kind says so without
//! taking the lock, so that a program that registers none pays one relaxed load.

use std::any::TypeId;
use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// How many rules a process keeps. A program names and classifies a handful of types; one
/// that registered rules in a loop would otherwise slow every error path down, and leak a
/// name per rule.
pub(crate) const MAX_RULES: usize = 64;

/// One rule about one error type, as [`Config`](crate::Config) collects it.
#[derive(Clone)]
pub(crate) struct TypeRule {
    type_id: TypeId,
    /// `type_name::<T>()`: what an instrumented function's error, returned as is, says of its
    /// type.
    type_name: &'static str,
    /// How reports show the type.
    name: Cow<'static, str>,
    /// Whether a `dyn Error` is of this type.
    is: fn(&(dyn Error + 'static)) -> bool,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    /// Causes of this type are named in reports.
    Name,
    /// Every error of this type is expected.
    Expected,
    /// The errors of this type that the predicate accepts are expected.
    ExpectedIf(Predicate),
}

/// A program's predicate on its type `T`, called with any `dyn Error`, which it downcasts.
type Predicate = Arc<dyn Fn(&(dyn Error + 'static)) -> bool + Send + Sync>;

fn is<T: Error + 'static>(error: &(dyn Error + 'static)) -> bool {
    error.is::<T>()
}

impl TypeRule {
    fn of<T: Error + 'static>(name: Cow<'static, str>, kind: Kind) -> TypeRule {
        TypeRule {
            type_id: TypeId::of::<T>(),
            type_name: core::any::type_name::<T>(),
            name,
            is: is::<T>,
            kind,
        }
    }

    /// Causes of type `T` are shown as `name`.
    pub(crate) fn name<T: Error + 'static>(name: Cow<'static, str>) -> TypeRule {
        TypeRule::of::<T>(name, Kind::Name)
    }

    pub(crate) fn expected<T: Error + 'static>(name: Cow<'static, str>) -> TypeRule {
        TypeRule::of::<T>(name, Kind::Expected)
    }

    pub(crate) fn expected_if<T, F>(name: Cow<'static, str>, predicate: F) -> TypeRule
    where
        T: Error + 'static,
        F: Fn(&T) -> bool + Send + Sync + 'static,
    {
        let predicate =
            move |error: &(dyn Error + 'static)| error.downcast_ref::<T>().is_some_and(&predicate);
        TypeRule::of::<T>(name, Kind::ExpectedIf(Arc::new(predicate)))
    }

    /// Whether `error` is expected under this rule.
    fn expects(&self, error: &(dyn Error + 'static)) -> bool {
        match &self.kind {
            Kind::Name => false,
            Kind::Expected => (self.is)(error),
            Kind::ExpectedIf(predicate) => predicate(error),
        }
    }

    /// Whether registering this rule again would change nothing: a predicate is a closure,
    /// which cannot be compared, so only names and plain types are known twice.
    fn same_as(&self, other: &TypeRule) -> bool {
        self.type_id == other.type_id
            && matches!(
                (&self.kind, &other.kind),
                (Kind::Name, Kind::Name) | (Kind::Expected, Kind::Expected)
            )
    }
}

impl fmt::Debug for TypeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Name => "name",
            Kind::Expected => "expected",
            Kind::ExpectedIf(_) => "expected if",
        };
        write!(f, "{kind} {}", self.name)
    }
}

/// The rules in force, in the order they were registered.
#[derive(Default)]
pub(crate) struct Rules {
    rules: Vec<InForce>,
}

/// A rule in force, with its type's name made to live as long as the process: reports
/// borrow it.
struct InForce {
    rule: TypeRule,
    name: &'static str,
}

static RULES: RwLock<Rules> = RwLock::new(Rules { rules: Vec::new() });
static ANY_NAMED: AtomicBool = AtomicBool::new(false);
static ANY_EXPECTED: AtomicBool = AtomicBool::new(false);

/// Puts `rules` in force beside those registered before. Past [`MAX_RULES`], the rest are
/// dropped with a warning.
pub(crate) fn register(rules: &[TypeRule]) {
    if rules.is_empty() {
        return;
    }
    let mut in_force = RULES.write().unwrap_or_else(PoisonError::into_inner);
    let dropped = in_force.add(rules);
    ANY_NAMED.store(in_force.names(), Ordering::Relaxed);
    ANY_EXPECTED.store(in_force.classifies(), Ordering::Relaxed);
    drop(in_force);
    if dropped > 0 {
        tracing::warn!(
            target: "tracefault",
            "{dropped} error type rules ignored: a process keeps at most {MAX_RULES}"
        );
    }
}

/// The name a program gave `error`'s type, if it named it.
pub(crate) fn name_of(error: &(dyn Error + 'static)) -> Option<&'static str> {
    if !ANY_NAMED.load(Ordering::Relaxed) {
        return None;
    }
    read().name_of(error)
}

/// Whether any rule makes errors expected: one relaxed load, for the error paths of a program
/// that registered none.
#[inline]
pub(crate) fn any_expected() -> bool {
    ANY_EXPECTED.load(Ordering::Relaxed)
}

/// The rules in force, to be read while the guard lives.
pub(crate) fn read() -> std::sync::RwLockReadGuard<'static, Rules> {
    RULES.read().unwrap_or_else(PoisonError::into_inner)
}

impl Rules {
    /// Adds the rules not in force yet, up to [`MAX_RULES`]; how many were dropped.
    fn add(&mut self, rules: &[TypeRule]) -> usize {
        let mut dropped = 0;
        for rule in rules {
            if self.rules.iter().any(|kept| kept.rule.same_as(rule)) {
                continue;
            }
            if self.rules.len() == MAX_RULES {
                dropped += 1;
                continue;
            }
            let name = match &rule.name {
                Cow::Borrowed(name) => name,
                Cow::Owned(name) => &*Box::leak(name.clone().into_boxed_str()),
            };
            self.rules.push(InForce {
                rule: rule.clone(),
                name,
            });
        }
        dropped
    }

    fn names(&self) -> bool {
        self.rules
            .iter()
            .any(|kept| matches!(kept.rule.kind, Kind::Name))
    }

    fn classifies(&self) -> bool {
        self.rules
            .iter()
            .any(|kept| !matches!(kept.rule.kind, Kind::Name))
    }

    fn name_of(&self, error: &(dyn Error + 'static)) -> Option<&'static str> {
        self.rules
            .iter()
            .find(|kept| matches!(kept.rule.kind, Kind::Name) && (kept.rule.is)(error))
            .map(|kept| kept.name)
    }

    /// Whether an error of the type `type_name` (`type_name::<E>()`) is expected by its type
    /// alone: the one test that an error returned as is, not as a `dyn Error`, can be put to.
    pub(crate) fn expects_type(&self, type_name: &str) -> bool {
        self.rules.iter().any(|kept| {
            matches!(kept.rule.kind, Kind::Expected) && kept.rule.type_name == type_name
        })
    }

    /// Whether a rule makes `error` expected: it is of a type registered with
    /// `Config::expected`, or a value that a predicate of `Config::expected_if` accepts.
    pub(crate) fn expects(&self, error: &(dyn Error + 'static)) -> bool {
        self.rules.iter().any(|kept| kept.rule.expects(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct NotFound(u16);
    impl fmt::Display for NotFound {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "not found ({})", self.0)
        }
    }
    impl Error for NotFound {}

    fn name<T: Error + 'static>() -> Cow<'static, str> {
        Cow::Borrowed(core::any::type_name::<T>())
    }

    #[test]
    fn a_named_type_is_named_and_only_it() {
        let mut rules = Rules::default();
        rules.add(&[TypeRule::name::<NotFound>(Cow::Owned(
            "app::NotFound".to_owned(),
        ))]);
        assert_eq!(rules.name_of(&NotFound(404)), Some("app::NotFound"));
        assert_eq!(rules.name_of(&std::fmt::Error), None);
        assert!(!rules.classifies());
        assert!(!rules.expects(&NotFound(404)));
    }

    #[test]
    fn a_type_rule_matches_by_type_and_a_predicate_by_value() {
        let mut rules = Rules::default();
        rules.add(&[TypeRule::expected::<std::fmt::Error>(
            name::<std::fmt::Error>(),
        )]);
        rules.add(&[TypeRule::expected_if::<NotFound, _>(
            name::<NotFound>(),
            |error| error.0 == 404,
        )]);
        assert!(rules.expects(&std::fmt::Error));
        assert!(rules.expects(&NotFound(404)));
        assert!(!rules.expects(&NotFound(500)));
        assert!(rules.expects_type(core::any::type_name::<std::fmt::Error>()));
        // A predicate needs the value: a type name alone does not satisfy it.
        assert!(!rules.expects_type(core::any::type_name::<NotFound>()));
    }

    #[test]
    fn the_same_rule_twice_is_kept_once_and_the_rules_are_bounded() {
        let mut rules = Rules::default();
        let twice = [
            TypeRule::expected::<NotFound>(name::<NotFound>()),
            TypeRule::expected::<NotFound>(name::<NotFound>()),
        ];
        assert_eq!(rules.add(&twice), 0);
        assert_eq!(rules.rules.len(), 1);
        let many: Vec<TypeRule> = (0..MAX_RULES)
            .map(|_| TypeRule::expected_if::<NotFound, _>(name::<NotFound>(), |_| true))
            .collect();
        assert_eq!(rules.add(&many), 1);
        assert_eq!(rules.rules.len(), MAX_RULES);
    }
}
