//! What the tests of the examples share.

use std::path::PathBuf;

/// The built example binary `name`: test binaries live in `target/<profile>/deps`, and cargo
/// builds the package's examples beside them, in `target/<profile>/examples`.
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let deps = exe.parent().expect("the test binary is in a directory");
    deps.parent()
        .expect("deps is inside the profile's directory")
        .join("examples")
        .join(name)
}
