//! No password ever appears in any output: every format, `--diff`,
//! `check --fix`, `parse`, and error messages, on a corpus of strings with
//! random passwords — including passwords whose text also occurs elsewhere
//! in the line (in the host, the database, another key), which structural
//! redaction must leave visible while hiding the password itself.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::Path;
use std::process::Command;

fn dblint(dir: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dblint")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Percent-encode for URL userinfo.
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// One file's worth of strings with password `pw`, each value double-quoted
/// as a `.env` file must quote values holding blanks or `#`. With `echo`, `pw` also
/// occurs in the hosts and databases (for passwords that can stand in a
/// host name). Returns the file and the legitimate texts that contain `pw`
/// (hosts, databases) and may be shown.
fn corpus(pw: &str, echo: bool) -> (String, Vec<String>) {
    let (host, db) =
        if echo { (format!("{pw}.example.com"), format!("{pw}db")) } else { ("db.example.com".to_string(), "app".to_string()) };
    let e = enc(pw);
    let lines = [
        format!("PG_URL=\"postgresql://app:{e}@{host}:5432/{db}?sslmode=require\""),
        format!("PRISMA_URL=\"postgresql://svc:{e}@{host}/{db}?sslmode=verify-full\""),
        format!("MYSQL_URL=\"mysql://app:{e}@{host}/{db}?ssl-mode=REQUIRED\""),
        format!("JDBC_URL=\"jdbc:mysql://{host}:3306/{db}?user=app&password={e}&useSSL=false\""),
        format!("SQL_CONN=\"Server=tcp:{host},1433;Database={db};User ID=app;Password='{}';Encrypt=False\"", pw.replace('\'', "''")),
        // libpq escapes `'` and `\` with a backslash; the `.env` double quotes need that backslash doubled.
        format!(
            "LIBPQ=\"host={host} dbname={db} user=app password='{}' sslmode=disable\"",
            pw.replace('\\', "\\\\").replace('\'', "\\'").replace('\\', "\\\\")
        ),
        format!("GO_DSN=\"app:{pw}@tcp({host}:3306)/{db}?tls=skip-verify\""),
        format!("BROKEN=\"postgresql://app:{e}@{host}:54x2/{db}\""),
        // An unescaped password: DBL104's fix percent-encodes it (its edit must be hidden too).
        format!("RAW_URL=\"postgresql://app:{pw}@x@{host}/{db}?sslmode=verify-full&sslrootcert=system\""),
    ];
    (lines.join("\n") + "\n", if echo { vec![host, db] } else { Vec::new() })
}

fn assert_hidden(output: &str, pw: &str, allowed: &[String], what: &str) {
    let mut rest = output.to_string();
    for a in allowed {
        rest = rest.replace(a.as_str(), "");
    }
    for needle in [pw.to_string(), enc(pw)] {
        assert!(!rest.contains(&needle), "{what}: the password {needle:?} leaks:\n{output}");
    }
}

fn check_all_outputs(pw: &str, echo: bool) {
    let dir = tempfile::tempdir().unwrap();
    let (content, allowed) = corpus(pw, echo);
    std::fs::write(dir.path().join(".env.production"), &content).unwrap();
    for format in ["concise", "full", "json", "json-lines", "sarif", "github"] {
        let (out, err) = dblint(dir.path(), &["--isolated", "--format", format, "."]);
        assert_hidden(&out, pw, &allowed, format);
        assert_hidden(&err, pw, &allowed, &format!("{format} (stderr)"));
    }
    for extra in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let mut args = vec!["--isolated"];
        args.extend_from_slice(extra);
        args.push(".");
        let (out, err) = dblint(dir.path(), &args);
        assert!(!echo || out.contains("@@"), "--diff shows changes:\n{out}\n{err}");
        assert_hidden(&out, pw, &allowed, "--diff");
        assert_hidden(&err, pw, &allowed, "--diff (stderr)");
    }
    for line in content.lines() {
        // The string itself: the `.env` value with its double-quote escaping undone.
        let string = line.split_once('=').map_or(line, |(_, v)| v).trim_matches('"').replace("\\\\", "\\");
        let string = string.as_str();
        for args in [
            vec!["check", string],
            vec!["check", "--fix", "--unsafe-fixes", string],
            vec!["parse", string],
            vec!["check", "--format", "json", string],
        ] {
            let (out, err) = dblint(dir.path(), &args);
            assert_hidden(&out, pw, &allowed, &format!("{args:?}"));
            assert_hidden(&err, pw, &allowed, &format!("{args:?} (stderr)"));
        }
    }
}

#[test]
fn passwords_that_occur_elsewhere_in_the_line() {
    // Distinctive texts, so that only the corpus can contain them.
    for pw in ["zq9vk", "Hunter2x", "p4ssw0rdZ", "tls8Kq"] {
        check_all_outputs(pw, true);
    }
}

#[test]
fn random_passwords_never_leak() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    // Printable ASCII with the characters that break URLs and quoting; at least 6 long so
    // that the password is unlikely to occur by chance in fixed text.
    // (No `"`, `$` or `\\`: the corpus puts some of them inside a double-quoted `.env` value.)
    let pw = "[A-Za-z0-9@#/?:%+!&*(){};=,'\\[\\]^|~ ]{6,14}".prop_filter("six or more visible characters", |s| s.trim().len() >= 6);
    runner
        .run(&pw, |p| {
            check_all_outputs(&p, false);
            Ok(())
        })
        .unwrap();
    // Passwords that can also stand in host names and databases.
    runner
        .run(&"[a-z][A-Za-z0-9]{5,11}", |p| {
            check_all_outputs(&p, true);
            Ok(())
        })
        .unwrap();
}
