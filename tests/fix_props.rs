//! Properties of fixing, on generated libpq strings full of the problems
//! dblint fixes (typo'd and weak sslmodes, duplicates, old TLS versions,
//! unescaped passwords):
//! - fixing is idempotent: `fix(fix(x)) == fix(x)`, for safe and unsafe fixes;
//! - a string that parsed still parses after fixing;
//! - against the real libpq: every keyword no fix is about keeps exactly the
//!   value libpq read before (`PQconninfoParse` before and after).
//!
//! `PROPTEST_CASES` raises the number of cases (default 256).

#[path = "common/libpq.rs"]
mod libpq;

use dblint::fix::fix_string;
use dblint::model::{self, Options};
use dblint::rules::{Applicability, Context, RuleSet, Selection};
use proptest::prelude::*;

/// Keywords that TLS fixes may set, change or remove.
const TLS_KEYS: &[&str] = &["sslmode", "sslrootcert", "requiressl", "ssl", "ssl_min_protocol_version", "channel_binding", "sslnegotiation"];

fn host() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("db.example.com"),
        Just("localhost"),
        Just("10.1.2.3"),
        Just("mydb.c9akciq32.us-east-1.rds.amazonaws.com"),
        Just("ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech"),
        Just("db"),
    ]
}

fn param() -> impl Strategy<Value = (&'static str, String)> {
    prop_oneof![
        prop::sample::select(vec![
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
            "required",
            "verify_full",
            "Require",
            "verify-all"
        ])
        .prop_map(|v| ("sslmode", v.to_string())),
        prop::sample::select(vec!["system", "/etc/ssl/ca.pem", "rds-combined-ca-bundle.pem"]).prop_map(|v| ("sslrootcert", v.to_string())),
        prop::sample::select(vec!["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]).prop_map(|v| ("ssl_min_protocol_version", v.to_string())),
        "[a-z][a-z0-9_]{0,8}".prop_map(|v| ("application_name", v)),
        "[1-9][0-9]{0,2}".prop_map(|v| ("connect_timeout", v)),
        prop::sample::select(vec!["any", "read-write", "primary"]).prop_map(|v| ("target_session_attrs", v.to_string())),
        prop::sample::select(vec!["disable", "prefer", "require"]).prop_map(|v| ("channel_binding", v.to_string())),
        prop::sample::select(vec!["1", "0"]).prop_map(|v| ("requiressl", v.to_string())),
    ]
}

/// A libpq URI or key=value string.
fn libpq_string() -> impl Strategy<Value = String> {
    let user = prop::option::of(("[a-z]{1,6}", prop::option::of("[A-Za-z0-9]{1,8}")));
    let uri = (user, host(), prop::option::of(1024u16..9999), "[a-z]{1,6}", prop::collection::vec(param(), 0..6)).prop_map(
        |(u, h, port, db, ps)| {
            let mut s = String::from("postgresql://");
            if let Some((user, pw)) = u {
                s.push_str(&user);
                if let Some(pw) = pw {
                    s.push(':');
                    s.push_str(&pw);
                }
                s.push('@');
            }
            s.push_str(h);
            if let Some(p) = port {
                s.push_str(&format!(":{p}"));
            }
            s.push('/');
            s.push_str(&db);
            for (i, (k, v)) in ps.iter().enumerate() {
                s.push(if i == 0 { '?' } else { '&' });
                s.push_str(&format!("{k}={v}"));
            }
            s
        },
    );
    let kv = (host(), "[a-z]{1,6}", prop::collection::vec(param(), 0..6), prop::bool::ANY).prop_map(|(h, db, ps, spaced)| {
        let sep = if spaced { "  " } else { " " };
        let mut parts = vec![format!("host={h}"), format!("dbname='{db}'")];
        parts.extend(ps.iter().map(|(k, v)| format!("{k}={v}")));
        parts.join(sep)
    });
    prop_oneof![uri, kv]
}

fn fix(input: &str, level: Applicability) -> String {
    fix_string(RuleSet::builtin(), input, None, &Context::default(), &Options::default(), &Selection::default(), level).fixed
}

fn opts() -> Options {
    Options { libpq_version: libpq::version(), ..Options::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

    #[test]
    fn fixing_is_idempotent(s in libpq_string()) {
        for level in [Applicability::Safe, Applicability::Unsafe] {
            let once = fix(&s, level);
            let twice = fix(&once, level);
            prop_assert_eq!(&twice, &once, "{:?} at {:?}", s, level);
        }
    }

    #[test]
    fn fixed_strings_still_parse(s in libpq_string()) {
        let parsed_before = model::analyze(&s, None, &Options::default()).is_ok();
        let fixed = fix(&s, Applicability::Unsafe);
        if parsed_before {
            prop_assert!(model::analyze(&fixed, None, &Options::default()).is_ok(), "{:?} fixed to {:?} no longer parses", s, fixed);
        }
    }

    #[test]
    fn libpq_reads_untouched_keywords_unchanged(s in libpq_string()) {
        let Ok(before) = libpq::parse(&s) else { return Ok(()) };
        let fixed = fix_string(RuleSet::builtin(), &s, None, &Context::default(), &opts(), &Selection::default(), Applicability::Unsafe).fixed;
        let after = libpq::parse(&fixed);
        prop_assert!(after.is_ok(), "libpq read {:?} but not its fix {:?}: {:?}", s, fixed, after);
        let after = after.unwrap_or_default();
        for key in before.keys().chain(after.keys()) {
            if TLS_KEYS.contains(&key.as_str()) {
                continue;
            }
            prop_assert_eq!(before.get(key), after.get(key), "{} changed: {:?} -> {:?}", key, s, fixed);
        }
    }
}

#[test]
fn unescaped_passwords_fix_to_what_was_meant() {
    // libpq splits at the first `@`: before the fix it reads another host.
    let s = "postgresql://app:p@ss@db.example.com/app?sslmode=verify-full&sslrootcert=system";
    let fixed = fix(s, Applicability::Safe);
    assert_eq!(fixed, "postgresql://app:p%40ss@db.example.com/app?sslmode=verify-full&sslrootcert=system");
    let read = libpq::parse(&fixed).unwrap();
    assert_eq!(read.get("password").map(String::as_str), Some("p@ss"));
    assert_eq!(read.get("host").map(String::as_str), Some("db.example.com"));
}

/// A `.env` file: comments, ordinary settings and connection strings in
/// every quoting style, with LF or CRLF line ends.
fn env_file() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "# [a-z ]{0,20}".prop_map(|c| c),
        "[A-Z]{1,6}=[a-z0-9]{0,8}".prop_map(|l| l),
        (libpq_string(), 0..3u8).prop_map(|(s, q)| match q {
            0 if !s.contains(' ') => format!("DATABASE_URL={s}"),
            1 if !s.contains('\'') => format!("DATABASE_URL='{s}'"),
            _ => format!("export DATABASE_URL=\"{s}\""),
        }),
    ];
    (prop::collection::vec(line, 1..8), prop::bool::ANY, prop::bool::ANY).prop_map(|(lines, crlf, final_newline)| {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut f = lines.join(eol);
        if final_newline {
            f.push_str(eol);
        }
        f
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(128), ..ProptestConfig::default() })]

    #[test]
    fn fixing_files_is_idempotent_and_touches_only_strings(content in env_file()) {
        let config = dblint::config::Config::default();
        let linter = dblint::lint::Linter::new(RuleSet::builtin(), &config, Selection::default(), Options::default());
        let path = std::path::Path::new(".env");
        let once = dblint::fix::fix_file(&linter, path, ".env", &content, Applicability::Unsafe);
        prop_assert!(once.converged);
        let twice = dblint::fix::fix_file(&linter, path, ".env", &once.fixed, Applicability::Unsafe);
        prop_assert_eq!(&twice.fixed, &once.fixed);
        // Lines without a connection string are byte for byte the same.
        let keep = |s: &str| s.split_inclusive('\n').filter(|l| !l.contains("DATABASE_URL")).map(str::to_string).collect::<Vec<_>>();
        prop_assert_eq!(keep(&content), keep(&once.fixed));
        prop_assert_eq!(content.matches('\n').count(), once.fixed.matches('\n').count());
        prop_assert_eq!(content.matches("\r\n").count(), once.fixed.matches("\r\n").count());
    }
}
