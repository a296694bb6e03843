//! `service.version` without code that sets it: `tracefault::config!()` takes the package
//! version of the crate that calls it, and `service.version` in `OTEL_RESOURCE_ATTRIBUTES`
//! comes first. Export is once per process: the second case runs the first in a child process
//! with the variable set.

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
struct KeepResource(Arc<Mutex<Option<Resource>>>);

impl SpanExporter for KeepResource {
    async fn export(&self, _: Vec<SpanData>) -> OTelSdkResult {
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        *self.0.lock().unwrap() = Some(resource.clone());
    }
}

/// What the child is told to expect; this crate's version otherwise.
const EXPECTED: &str = "TRACEFAULT_TEST_EXPECTED_VERSION";

#[test]
fn the_package_version_is_the_default() {
    let kept = KeepResource::default();
    let guard = tracefault::config!()
        .span_exporter(kept.clone())
        .start_export()
        .expect("export starts")
        .expect("an exporter of its own needs no endpoint");
    drop(guard);
    let resource = kept.0.lock().unwrap().clone().expect("a resource");
    let version = resource
        .get(&opentelemetry::Key::from_static_str("service.version"))
        .map(|value| value.to_string());
    let expected = std::env::var(EXPECTED).unwrap_or_else(|_| env!("CARGO_PKG_VERSION").into());
    assert_eq!(version.as_deref(), Some(expected.as_str()));
}

#[test]
fn otel_resource_attributes_come_before_the_package_version() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_package_version_is_the_default",
            "--nocapture",
        ])
        .env(
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment.name=test,service.version=9.9.9",
        )
        .env(EXPECTED, "9.9.9")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"));
}
