//! Headless Chromium driven over WebDriver (fantoccini, talking to Debian's `chromedriver` on
//! a loopback port), for the dashboard's tests. `scripts/chromium` installs both when they
//! are missing, as `scripts/collector` installs rotel; the test fails if it cannot.
//!
//! A [`Browser`] owns its driver, its browser session and a profile directory of its own;
//! dropping it (at the end of a test, or while a failed one unwinds) closes the session and
//! stops the driver, so that no Chromium outlives the test.

use fantoccini::actions::{InputSource as _, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const COMMAND_TIME: Duration = Duration::from_secs(60);

/// Where screenshots are kept for a person to look at: `<target>/dashboard-screenshots`.
pub(crate) fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).expect("<target>/<profile>/deps");
    let dir = target.join("dashboard-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Chromium's and ChromeDriver's paths, installing them first if they are missing.
fn install() -> (String, String) {
    let started = Instant::now();
    let output = Command::new("bash")
        .arg(Path::new(WORKSPACE).join("scripts/chromium"))
        .arg("paths")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs scripts/chromium");
    assert!(
        output.status.success(),
        "scripts/chromium could not install Chromium: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let paths = String::from_utf8(output.stdout).unwrap();
    let mut parts = paths.split_whitespace();
    let browser = parts.next().expect("the browser's path").to_owned();
    let driver = parts.next().expect("the driver's path").to_owned();
    if started.elapsed() > Duration::from_secs(2) {
        eprintln!(
            "scripts/chromium installed Chromium in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    (browser, driver)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// A new browser with a window of `width` × `height`.
    pub(crate) fn start(width: u32, height: u32) -> Browser {
        let (chromium, chromedriver) = install();
        let port = free_port();
        let log = screenshot_dir().join(format!("chromedriver-{port}.log"));
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile =
            std::env::temp_dir().join(format!("tracefault-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut browser = Browser {
            runtime,
            client: None,
            driver,
            profile,
        };
        // As the machine's probe started it: as root, no sandbox; no connection out of this
        // machine (its network is closed, and the page must need none).
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--force-device-scale-factor=1", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", browser.profile.display()),
                    format!("--window-size={width},{height}"),
                ],
            },
        });
        let capabilities = match capabilities {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let mut builder = ClientBuilder::new(connector);
            builder.capabilities(capabilities.clone());
            let session = builder.connect(&url);
            let attempt = browser
                .runtime
                .block_on(async { tokio::time::timeout(COMMAND_TIME, session).await });
            match attempt {
                Ok(Ok(client)) => break client,
                // The driver is not listening yet.
                Ok(Err(_)) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Ok(Err(error)) => {
                    panic!("no WebDriver session from {chromedriver} at {url}: {error}")
                }
                Err(_) => panic!("{chromedriver} at {url} made no session in {COMMAND_TIME:?}"),
            }
        };
        browser.client = Some(client);
        browser.set_size(width, height);
        browser
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// One WebDriver command, given at most a minute: a browser that stops answering fails
    /// the test instead of holding it up.
    fn run<T, E: std::fmt::Display>(
        &self,
        what: &str,
        command: impl std::future::Future<Output = Result<T, E>>,
    ) -> T {
        match self
            .runtime
            .block_on(async { tokio::time::timeout(COMMAND_TIME, command).await })
        {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => panic!("{what}: {error}"),
            Err(_) => panic!("{what}: no answer in {COMMAND_TIME:?}"),
        }
    }

    pub(crate) fn set_size(&self, width: u32, height: u32) {
        self.run(
            "set the window's size",
            self.client().set_window_size(width, height),
        );
        // The window's outer size includes no chrome when headless; make the viewport exact.
        let inner = self.eval("return [window.innerWidth, window.innerHeight]");
        let (inner_width, inner_height) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (inner_width, inner_height) != (width, height) && inner_width > 0 {
            let grown = (
                width + (width - inner_width.min(width)),
                height + (height - inner_height.min(height)),
            );
            self.run(
                "set the window's size",
                self.client().set_window_size(grown.0, grown.1),
            );
        }
    }

    /// Loads `url` and waits for the page's first frame after its script ran.
    pub(crate) fn goto(&self, url: &str) {
        self.navigate(url);
        self.wait_for("performance.getEntriesByName('tracefault:rendered').length > 0");
    }

    /// Loads `url` (WebDriver waits for its load event).
    pub(crate) fn navigate(&self, url: &str) {
        self.run(url, self.client().goto(url));
    }

    /// Runs `script` (a function body: `return ...`) in the page.
    pub(crate) fn eval(&self, script: &str) -> Value {
        self.run(script, self.client().execute(script, Vec::new()))
    }

    /// Waits up to ten seconds for `condition` (an expression) to hold.
    pub(crate) fn wait_for(&self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.eval(&format!("return !!({condition})")) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "waited 10 s for {condition}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` into the page, as a person at its keyboard would (to whatever has focus).
    pub(crate) fn keys(&self, keys: &[char]) {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.run("keys", self.client().perform_actions(actions));
        self.run("keys up", self.client().release_actions());
    }

    /// Moves the mouse over the middle of the element `css` selects.
    pub(crate) fn hover(&self, css: &str) {
        let element = self.run(css, self.client().find(Locator::Css(css)));
        let actions = MouseActions::new("mouse".to_owned()).then(PointerAction::MoveToElement {
            element,
            duration: Some(Duration::from_millis(50)),
            x: 0.0,
            y: 0.0,
        });
        self.run("hover", self.client().perform_actions(actions));
    }

    pub(crate) fn click(&self, css: &str) {
        let element = self.run(css, self.client().find(Locator::Css(css)));
        self.run("click", element.click());
    }

    /// Keeps a PNG of the window as `<target>/dashboard-screenshots/<name>.png`.
    pub(crate) fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.run("screenshot", self.client().screenshot());
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(10), client.close()).await
            });
        }
        // Asked to stop first, so that it can stop its browser; then made to.
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.driver.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
