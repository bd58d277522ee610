//! Helpers shared by the CLI's binary tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A long-running `flexshopper` command (sandbox, record) started with `args`, killed
/// when dropped.
pub struct Announcing {
    child: Child,
    /// The first line it printed on stdout.
    pub first_line: String,
}

impl Announcing {
    /// Starts `flexshopper ARGS` and reads the line it announces itself with.
    pub fn start<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("flexshopper"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        Announcing { child, first_line }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The base URL of a `listening on URL` announcement.
    pub fn base_url(&self) -> Option<String> {
        self.first_line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_owned)
    }
}

impl Drop for Announcing {
    fn drop(&mut self) {
        self.kill();
    }
}
