//! `tracefault serve` as a child process of a test, on a free loopback port, stopped when
//! dropped (also while a failed test unwinds).

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

pub(crate) struct Server {
    child: Child,
    /// `127.0.0.1:PORT`, as the command printed it.
    pub(crate) address: String,
}

impl Server {
    pub(crate) fn start(sources: &[impl AsRef<OsStr>]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tracefault"))
            .arg("serve")
            .args(sources)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut address = None;
        for _ in 0..4 {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            if let Some(rest) = line.trim().strip_prefix("tracefault: serving http://") {
                address = rest.split('/').next().map(str::to_owned);
                break;
            }
        }
        Server {
            child,
            address: address.expect("serve says where"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
