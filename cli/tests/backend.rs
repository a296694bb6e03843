//! `--url` against a loopback backend of the test's own, over plain HTTP and (with the `https`
//! feature) over TLS with a certificate authority made for the test: a trusted backend
//! answers, an untrusted one is refused with the reason, and a backend's error body is shown
//! escaped. What the backend answers a trace with is Jaeger's own answer, recorded from a real
//! Jaeger v2.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// Jaeger v2's answer to `GET /api/v3/traces/{id}` for a failing checkout of the shop (sku 42:
/// inventory's `query_stock` fails, orders and gateway fail in turn), recorded from a real
/// Jaeger (the Go module's v1.75.0, `scripts/jaeger`) by `tests/jaeger.rs` with
/// `TRACEFAULT_RECORD_JAEGER=1`. As Jaeger answers it: a service's spans in several resources,
/// the warnings of its adjusters (`@jaeger@warnings`) among a span's attributes, the services'
/// exception events with their stack traces.
const RECORDED_JAEGER_ANSWER: &str = include_str!("fixtures/jaeger-v1.75.0-get-trace.json");

/// The trace the recorded answer is of.
fn recorded_trace() -> String {
    let answer: serde_json::Value = serde_json::from_str(RECORDED_JAEGER_ANSWER).unwrap();
    let resource = &answer["result"]["resourceSpans"][0];
    resource["scopeSpans"][0]["spans"][0]["traceId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn tracefault(args: &[&str], env: &[(&str, &std::path::Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tracefault"));
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// What the backend answers every request with, and the request lines it was sent.
struct Backend {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `status` and `body` on a loopback port, each connection through `wrap` (TLS or not).
fn serve(
    scheme: &str,
    status: &'static str,
    body: String,
    wrap: impl Fn(TcpStream) -> Option<Box<dyn ReadWrite>> + Send + 'static,
) -> Backend {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // `localhost`: the name the test's certificate is for.
    let url = format!(
        "{scheme}://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            // A refused handshake is the client's answer, not the server's failure.
            let Some(mut stream) = wrap(stream) else {
                continue;
            };
            let mut head = Vec::new();
            let mut byte = [0u8];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head);
            seen.lock()
                .unwrap()
                .push(head.lines().next().unwrap_or("").to_owned());
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.flush();
        }
    });
    Backend { url, requests }
}

trait ReadWrite: std::io::Read + std::io::Write {}
impl<T: std::io::Read + std::io::Write> ReadWrite for T {}

fn plain(stream: TcpStream) -> Option<Box<dyn ReadWrite>> {
    Some(Box::new(stream))
}

#[test]
fn a_backends_error_body_is_shown_escaped() {
    let backend = serve(
        "http",
        "500 Internal Server Error",
        "broken\r\n\x1b[2Ktracefault: all good\x07".to_owned(),
        plain,
    );
    let url = backend.url.replace("localhost", "127.0.0.1");
    let output = tracefault(&["show", TRACE, "--url", &url, "--backend", "jaeger"], &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains(r"500 Internal Server Error: broken\r\n\x1b[2Ktracefault: all good\x07"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert_eq!(
        *backend.requests.lock().unwrap(),
        [format!("GET /api/v3/traces/{TRACE} HTTP/1.1")]
    );
}

/// A Jaeger that does not hold the trace says so with a 404 in its api_v3 error envelope; that
/// is its answer, also for `--backend auto`, which asks no further path: Tempo's paths at a
/// Jaeger reach its UI, an HTML page, which is no trace. The body as a real Jaeger v2 (the Go
/// module's v1.75.0, `scripts/jaeger`) sent it; `tests/jaeger.rs` asks the real one too.
#[test]
fn a_jaeger_that_does_not_hold_the_trace_says_so() {
    let backend = serve(
        "http",
        "404 Not Found",
        "{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}\n".to_owned(),
        plain,
    );
    let url = backend.url.replace("localhost", "127.0.0.1");
    let output = tracefault(&["show", TRACE, "--url", &url], &[]);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8(output.stderr).unwrap();
    assert!(
        said.contains(r#"404 Not Found: {"error":{"httpCode":404,"message":"No traces found"}}"#),
        "{said}"
    );
    assert_eq!(
        *backend.requests.lock().unwrap(),
        [format!("GET /api/v3/traces/{TRACE} HTTP/1.1")]
    );
}

/// The story of the recorded answer: `tests/jaeger.rs` checks it against the shop's logs live;
/// this keeps what Jaeger answered when the live test is not the one that runs.
#[test]
fn a_recorded_jaeger_answer_tells_the_shops_story() {
    let trace = recorded_trace();
    let backend = serve("http", "200 OK", RECORDED_JAEGER_ANSWER.to_owned(), plain);
    let url = backend.url.replace("localhost", "127.0.0.1");
    for api in ["jaeger", "auto"] {
        let output = tracefault(
            &["show", &trace, "--json", "--url", &url, "--backend", api],
            &[],
        );
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{said}");
        let story: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let chain = story["chain"].as_array().unwrap();
        let links: Vec<(&str, &str)> = chain
            .iter()
            .map(|link| {
                (
                    link["service"].as_str().unwrap(),
                    link["report"]["type_name"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            links,
            [
                ("inventory", "shop::inventory::StockError"),
                ("orders", "shop::orders::OrderError"),
                ("gateway", "shop::gateway::CheckoutError"),
            ],
            "{story}"
        );
        assert_eq!(
            chain[0]["origin"]["function"], "shop::inventory::query_stock",
            "{story}"
        );
        // A service's spans in two resources are still one service's.
        assert_eq!(
            story["services"],
            serde_json::json!(["inventory", "orders", "gateway"]),
            "{story}"
        );
        assert_eq!(story["timing"], "measured");
        assert_eq!(story["waterfall"].as_array().unwrap().len(), 11, "{story}");
    }
    // `auto` asks Jaeger's path first, and it answers.
    assert_eq!(
        *backend.requests.lock().unwrap(),
        vec![format!("GET /api/v3/traces/{trace} HTTP/1.1"); 2]
    );
}

#[cfg(feature = "https")]
mod https {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use std::path::PathBuf;

    /// A certificate authority of its own, written as PEM for `SSL_CERT_FILE`, and a server
    /// configuration for `localhost` that it signed.
    struct Authority {
        pem_file: PathBuf,
        server: Arc<rustls::ServerConfig>,
    }

    fn authority(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            format!("tracefault test CA {name}"),
        );
        let ca_key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(params, ca_key);
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&leaf_key, &issuer)
            .unwrap();
        let pem_file = std::env::temp_dir().join(format!(
            "tracefault-backend-{}-{name}.pem",
            std::process::id()
        ));
        std::fs::write(&pem_file, ca.pem()).unwrap();
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
        Authority {
            pem_file,
            server: Arc::new(server),
        }
    }

    fn serve_tls(server: Arc<rustls::ServerConfig>) -> Backend {
        serve(
            "https",
            "200 OK",
            RECORDED_JAEGER_ANSWER.to_owned(),
            move |stream| {
                let connection = rustls::ServerConnection::new(Arc::clone(&server)).ok()?;
                let mut tls = rustls::StreamOwned::new(connection, stream);
                // The handshake, here, so that a client that refuses the certificate ends it.
                while tls.conn.is_handshaking() {
                    tls.conn.complete_io(&mut tls.sock).ok()?;
                }
                Some(Box::new(tls) as Box<dyn ReadWrite>)
            },
        )
    }

    #[test]
    fn a_trace_from_a_backend_over_tls_that_the_system_trusts() {
        let ca = authority("trusted");
        let backend = serve_tls(Arc::clone(&ca.server));
        let trace = recorded_trace();
        let output = tracefault(
            &[
                "show",
                &trace,
                "--json",
                "--url",
                &backend.url,
                "--backend",
                "jaeger",
            ],
            &[("SSL_CERT_FILE", &ca.pem_file)],
        );
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{said}");
        let story: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let waterfall = story["waterfall"].as_array().unwrap();
        assert_eq!(waterfall.len(), 11, "{story}");
        assert!(
            waterfall
                .iter()
                .any(|row| row["name"] == "query_stock" && row["raised"] == true),
            "{story}"
        );
        assert_eq!(
            *backend.requests.lock().unwrap(),
            [format!("GET /api/v3/traces/{trace} HTTP/1.1")]
        );
    }

    #[test]
    fn a_backend_whose_certificate_nobody_trusts_is_refused_with_the_reason() {
        let server_ca = authority("server");
        let other_ca = authority("other");
        let backend = serve_tls(Arc::clone(&server_ca.server));
        let output = tracefault(
            &["show", TRACE, "--url", &backend.url, "--backend", "jaeger"],
            &[("SSL_CERT_FILE", &other_ca.pem_file)],
        );
        assert_eq!(output.status.code(), Some(2));
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("certificate"), "the reason: {said}");
        assert!(output.stdout.is_empty());
        assert!(
            backend.requests.lock().unwrap().is_empty(),
            "no request reached the untrusted server"
        );
    }
}
