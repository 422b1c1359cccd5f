//! Property tests for the PostgreSQL forms: parsing never panics, a tree
//! prints back to its input byte for byte with tokens that partition it,
//! every client reads every tree without panicking, passwords never reach
//! a message, and the encoders the fixer uses are read back exactly by
//! every client.
//!
//! `PROPTEST_CASES` raises the number of cases (default 512).

use dblint::model::{self, Client, Options};
use dblint::syntax::{self, Dialect, Form, libpq_kv, url};
use proptest::prelude::*;

const FORMS: &[(Form, Dialect)] = &[
    (Form::PostgresUrl, Dialect::Libpq),
    (Form::PostgresUrl, Dialect::Whatwg),
    (Form::PgJdbc, Dialect::Pgjdbc),
    (Form::LibpqKeywords, Dialect::Libpq),
];

fn config() -> ProptestConfig {
    ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512), ..ProptestConfig::default() }
}

/// Parse with every Postgres form/dialect and check the invariants.
fn check_all(s: &str) -> Result<(), TestCaseError> {
    for &(form, dialect) in FORMS {
        let Ok(tree) = syntax::parse(s, form, dialect) else { continue };
        prop_assert_eq!(tree.to_source(), s);
        let mut at = 0;
        for t in &tree.tokens {
            prop_assert_eq!(t.span.start, at, "tokens do not partition {:?}", s);
            prop_assert!(t.span.end > t.span.start);
            prop_assert!(s.is_char_boundary(t.span.end));
            at = t.span.end;
        }
        prop_assert_eq!(at, s.len());
        let parts = tree.user.iter().chain(&tree.password).chain(&tree.database).chain(&tree.fragment).copied();
        let hosts = tree.hosts.iter().flat_map(|h| [Some(h.span), h.name, h.port].into_iter().flatten());
        let params = tree.params.iter().flat_map(|p| [Some(p.span), Some(p.key), p.value.map(|v| v.span)].into_iter().flatten());
        for span in parts.chain(hosts).chain(params) {
            prop_assert!(span.end <= s.len() && s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
        }
        for client in [Client::Libpq, Client::NodePostgres, Client::Prisma, Client::Pgjdbc] {
            for version in [15, 18] {
                let i = model::interpret(&tree, client, &Options { libpq_version: version, use_environment: false });
                for issue in &i.issues {
                    prop_assert!(issue.span.end <= s.len());
                }
            }
        }
    }
    Ok(())
}

const PIECES: &[&str] = &[
    "postgresql://",
    "postgres://",
    "jdbc:postgresql:",
    "jdbc:postgresql://",
    "u",
    "user",
    "p",
    "@",
    "@",
    ":",
    ":",
    "/",
    "/",
    "?",
    "&",
    "=",
    "#",
    ",",
    "[",
    "]",
    "[::1]",
    "%",
    "%2",
    "%41",
    "%00",
    "%zz",
    "%C3",
    " ",
    "\t",
    "'",
    "\\",
    "é",
    "ü€",
    "host",
    "h1",
    "5432",
    "99999",
    "sslmode",
    "verify-full",
    "ssl",
    "true",
    "requiressl",
    "password",
    "sslrootcert",
    "system",
    "+",
    "\n",
];

fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|v| v.concat())
}

fn url_like() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["postgresql://", "postgres://", "jdbc:postgresql://", "jdbc:postgresql:", "POSTGRES://"][..]);
    (scheme, pieces()).prop_map(|(a, b)| format!("{a}{b}"))
}

fn kv_like() -> impl Strategy<Value = String> {
    let pair = (
        prop::sample::select(&["host", "port", "password", "sslmode", "user", "x"][..]),
        prop::sample::select(&["=", " = ", "="][..]),
        prop::sample::select(&["a", "'a b'", "''", "'x\\'y'", "a\\", "'open", "\\ ", "é", ""][..]),
    )
        .prop_map(|(k, e, v)| format!("{k}{e}{v}"));
    prop::collection::vec(pair, 0..6).prop_map(|v| v.join(" "))
}

/// `s` with one character inserted, removed or replaced at a random place.
fn mutate(base: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (base, any::<prop::sample::Index>(), any::<char>(), 0..3u8).prop_map(|(s, at, c, op)| {
        let chars: Vec<char> = s.chars().collect();
        let i = at.index(chars.len() + 1);
        let mut out: Vec<char> = chars.clone();
        match op {
            0 => out.insert(i, c),
            1 if i < chars.len() => {
                out.remove(i);
            }
            _ if i < chars.len() => out[i] = c,
            _ => out.push(c),
        }
        out.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_all(&s)?;
    }

    #[test]
    fn url_like_strings_round_trip(s in prop_oneof![url_like(), mutate(url_like())]) {
        check_all(&s)?;
    }

    #[test]
    fn keyword_strings_round_trip(s in prop_oneof![kv_like(), mutate(kv_like())]) {
        check_all(&s)?;
    }

    /// A distinctive password written anywhere in the userinfo, encoded or
    /// not, never appears in a message of any client.
    #[test]
    fn passwords_never_reach_messages(
        prefix in prop::sample::select(&["", "p@", "p/", "p#", "p?", "p%", "p ", "p:"][..]),
        suffix in prop::sample::select(&["", "@x", "/y", "%zz", "#", "%00"][..]),
        rest in prop::sample::select(&["@db.example.com:5432/app", "@db.example.com:99x/app", "@/app", "@h1,h2/db?sslmode=bogus", "@[::1", "@h:1/db?x=%zz"][..]),
    ) {
        let secret = "Zq9SECRETxW";
        for scheme in ["postgresql://", "postgres://", "jdbc:postgresql://"] {
            let s = format!("{scheme}app:{prefix}{secret}{suffix}{rest}");
            for client in [Client::Libpq, Client::NodePostgres, Client::Prisma, Client::Pgjdbc] {
                match model::analyze(&s, Some(client), &Options::default()) {
                    Ok(a) => {
                        for issue in &a.interpretation.issues {
                            prop_assert!(!issue.message.contains(secret), "{:?} leaks in {:?}", s, issue);
                        }
                        for st in a.interpretation.settings.iter().filter(|st| st.value.contains(secret)) {
                            prop_assert!(st.secret, "{:?}: setting {} holds the password unmarked", s, st.name);
                        }
                        for e in &a.interpretation.endpoints {
                            prop_assert!(!e.host.contains(secret), "{:?}: endpoint {:?}", s, e);
                        }
                        let redacted = dblint::report::redact::redacted_source(&a.tree);
                        prop_assert!(!redacted.contains(secret), "{:?} not redacted: {}", s, redacted);
                    }
                    Err(e) => prop_assert!(!e.message.contains(secret), "{:?} leaks in {:?}", s, e),
                }
            }
        }
        let kv = format!("user=app password={}{secret}{} host=h", prefix.replace('p', "x "), suffix.replace('/', " "));
        match model::analyze(&kv, Some(Client::Libpq), &Options::default()) {
            Ok(a) => {
                for issue in &a.interpretation.issues {
                    prop_assert!(!issue.message.contains(secret), "{:?} leaks in {:?}", kv, issue);
                }
            }
            Err(e) => prop_assert!(!e.message.contains(secret), "{:?} leaks in {:?}", kv, e),
        }
    }

    /// `libpq_kv::encode_value` is read back exactly by libpq.
    #[test]
    fn keyword_values_round_trip(v in "[^\u{0}]*") {
        let s = format!("host=h application_name={} port=5", libpq_kv::encode_value(&v));
        let tree = syntax::parse(&s, Form::LibpqKeywords, Dialect::Libpq).map_err(|e| TestCaseError::fail(e.message))?;
        let i = model::interpret(&tree, Client::Libpq, &Options::default());
        prop_assert_eq!(i.settings.value("application_name"), Some(v.as_str()));
        prop_assert_eq!(i.settings.value("port"), Some("5"));
    }

    /// `url::encode_query_component` is read back exactly by every client.
    #[test]
    fn query_values_round_trip(v in "[^\u{0}]*") {
        let enc = url::encode_query_component(&v);
        let cases = [
            (format!("postgresql://h/db?application_name={enc}&port=5"), Client::Libpq, "application_name"),
            (format!("postgresql://h/db?application_name={enc}&port=5"), Client::NodePostgres, "application_name"),
            (format!("postgresql://h/db?application_name={enc}&schema=5"), Client::Prisma, "application_name"),
            (format!("jdbc:postgresql://h/db?ApplicationName={enc}&port=5"), Client::Pgjdbc, "ApplicationName"),
        ];
        for (s, client, key) in cases {
            for version in [15, 18] {
                let a = model::analyze(&s, Some(client), &Options { libpq_version: version, use_environment: false })
                    .map_err(|e| TestCaseError::fail(format!("{s}: {}", e.message)))?;
                prop_assert_eq!(a.interpretation.settings.value(key), Some(v.as_str()), "{} as {}", s, client);
            }
        }
    }

    /// Percent-encoding a password (the fix for unescaped userinfo) makes
    /// every URL client read it back exactly.
    #[test]
    fn encoded_passwords_round_trip(v in "[^\u{0}]+") {
        let enc = syntax::decode::percent_encode_userinfo(&v);
        let s = format!("postgresql://app:{enc}@db.example.com:5432/app");
        for client in [Client::Libpq, Client::NodePostgres, Client::Prisma] {
            let a = model::analyze(&s, Some(client), &Options::default()).map_err(|e| TestCaseError::fail(e.message))?;
            prop_assert_eq!(a.interpretation.settings.value("password"), Some(v.as_str()), "{}", client);
            prop_assert!(!a.interpretation.is_fatal());
            prop_assert!(a.interpretation.issues.iter().all(|i| i.kind != model::IssueKind::UnescapedUserinfo));
        }
    }
}
