//! What the `lnn` binary's tests share: running it as a user does, and reading its refusals.
#![allow(dead_code)] // each test binary uses its own part

use std::process::{Command, Output};

pub fn lnn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lnn"))
        .args(args)
        .output()
        .expect("lnn runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Fails with exit status 2, nothing on stdout, and every needle in the message.
pub fn refused(args: &[&str], needles: &[&str]) {
    let o = lnn(args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?} should fail: {}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty(), "{args:?} printed to stdout");
    for needle in needles {
        assert!(
            stderr(&o).contains(needle),
            "{args:?}: `{}` lacks `{needle}`",
            stderr(&o)
        );
    }
}
