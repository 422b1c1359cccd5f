//! Every output format on the bundled fixtures, as snapshots: what users,
//! editors and CI see. Passwords are redacted in each (the fixtures' fake
//! passwords must not appear in any snapshot).

use std::process::Command;

fn dblint(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dblint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Fake passwords written in the fixtures.
const FIXTURE_PASSWORDS: &[&str] = &["fake-neon-changeme", "pscale_pw_fakeexample", "fake-Changeme1", "changeme@fake2024", "fake2024"];

fn check(format: &str) {
    let (code, out) = dblint(&["--isolated", "--format", format, "fixtures/"]);
    assert_eq!(code, 1, "fixtures have findings");
    for pw in FIXTURE_PASSWORDS {
        assert!(!out.contains(pw), "{format} output shows the password {pw:?}");
    }
    insta::assert_snapshot!(format!("fixtures_{}", format.replace('-', "_")), out);
}

#[test]
fn concise() {
    check("concise");
}

#[test]
fn full() {
    check("full");
}

#[test]
fn json() {
    check("json");
}

#[test]
fn json_lines() {
    check("json-lines");
}

#[test]
fn sarif() {
    check("sarif");
}

#[test]
fn github() {
    check("github");
}

#[test]
fn diff_with_unsafe_fixes() {
    let (code, out) = dblint(&["--isolated", "--diff", "--unsafe-fixes", "fixtures/"]);
    assert_eq!(code, 1);
    for pw in FIXTURE_PASSWORDS {
        assert!(!out.contains(pw), "--diff shows the password {pw:?}");
    }
    insta::assert_snapshot!("fixtures_diff_unsafe", out);
}
