//! Differential test against the libpq installed on this machine.
//!
//! `PQconninfoParse` is called on generated strings (URIs and key=value
//! strings rich in quotes, backslashes, spaces, `%XX` and broken escapes,
//! `@` and `/` in the userinfo, host lists, IPv6 brackets, unknown and
//! repeated keywords, `ssl=true`, `requiressl`) and compared with dblint's
//! libpq interpretation for the same major version: the same verdict, and
//! the same value for every keyword libpq returns.
//!
//! The boundary: `PQconninfoParse` checks only what parsing checks —
//! syntax, percent-decoding, known keywords. Values (`sslmode=bogus`),
//! ports, host/port counts, `sslrootcert=system` and `sslnegotiation`
//! combinations are checked by `PQconnectdb` before connecting, so dblint's
//! issues of those kinds (see `libpq::parse_stage`) are left out of the
//! verdict here and covered by the model's own tests.
//!
//! `PROPTEST_CASES` raises the number of cases (default 512).

use dblint::model::Origin;
use dblint::model::postgres::libpq;
use dblint::syntax::{self, Dialect, Form};
use proptest::prelude::*;

#[path = "common/libpq.rs"]
mod real_libpq;
use real_libpq::{Values, parse as real, version as libpq_version};

/// What dblint says libpq does.
fn ours(input: &str, version: u32) -> Result<Values, String> {
    let form = if input.starts_with("postgresql://") || input.starts_with("postgres://") { Form::PostgresUrl } else { Form::LibpqKeywords };
    let tree = syntax::parse(input, form, Dialect::Libpq).map_err(|e| e.message)?;
    assert_eq!(tree.to_source(), input);
    let i = libpq::interpret_with_environment(&tree, version, &[]);
    if let Some(issue) = i.issues.iter().find(|x| x.fatal && libpq::parse_stage(x)) {
        return Err(issue.message.clone());
    }
    Ok(i.settings
        .iter()
        .filter(|s| match &s.origin {
            Origin::Written { .. } => true,
            Origin::Implied { by } => by == "ssl" || by == "requiressl",
            Origin::Default => false,
        })
        .map(|s| (s.name.to_string(), s.value.to_string()))
        .collect())
}

fn check(input: &str) -> Result<(), TestCaseError> {
    let version = libpq_version();
    let want = real(input);
    let got = ours(input, version);
    match (&want, &got) {
        (Ok(w), Ok(g)) => prop_assert_eq!(w, g, "values differ for {:?}", input),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(false, "verdicts differ for {:?}: libpq {:?}, dblint {:?}", input, want, got),
    }
    Ok(())
}

const URI_PIECES: &[&str] = &[
    "a",
    "host",
    "db",
    "u",
    "x.example.com",
    "127.0.0.1",
    "5432",
    "12345",
    "",
    "@",
    "@",
    "/",
    "/",
    ":",
    ":",
    ",",
    ",",
    "?",
    "&",
    "=",
    "#",
    "%",
    "%2",
    "%41",
    "%2F",
    "%2f",
    "%2C",
    "%40",
    "%zz",
    "%00",
    "%20",
    "%C3%A9",
    " ",
    "  ",
    "[",
    "]",
    "[::1]",
    "[2001:db8::1]",
    "[]",
    "é",
    "'",
    "\\",
    "+",
];

const KEYS: &[&str] = &[
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "hostaddr",
    "ssl",
    "requiressl",
    "uzer",
    "Host",
    "u%73er",
    " user ",
    "target_session_attrs",
    "sslnegotiation",
    "sslcertmode",
    "application_name",
    "",
    "%zz",
    "options",
];

const VALUES: &[&str] = &[
    "",
    "1",
    "0",
    "true",
    "TRUE",
    "require",
    "verify-full",
    "disable",
    "/tmp",
    "a b",
    " x ",
    "%20",
    "%2",
    "%zz",
    "%00",
    "h1,h2",
    "5432,5433",
    "a=b",
    "é",
    "+",
    "@",
    "/var/run",
    "system",
];

fn uri_strategy() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["postgresql://", "postgres://"][..]);
    let piece = || prop::collection::vec(prop::sample::select(URI_PIECES), 0..4).prop_map(|v| v.concat());
    let userinfo = prop::option::of((piece(), prop::option::of(piece())).prop_map(|(u, p)| match p {
        Some(p) => format!("{u}:{p}@"),
        None => format!("{u}@"),
    }));
    let host = (piece(), prop::option::of(piece())).prop_map(|(h, p)| match p {
        Some(p) => format!("{h}:{p}"),
        None => h,
    });
    let hosts = prop::collection::vec(host, 0..4).prop_map(|v| v.join(","));
    let path = prop::option::of(piece().prop_map(|d| format!("/{d}")));
    let param = (prop::sample::select(KEYS), prop::option::of(prop::sample::select(VALUES))).prop_map(|(k, v)| match v {
        Some(v) => format!("{k}={v}"),
        None => k.to_string(),
    });
    let query = prop::option::of(prop::collection::vec(param, 0..5).prop_map(|v| format!("?{}", v.join("&"))));
    (scheme, userinfo, hosts, path, query)
        .prop_map(|(s, u, h, p, q)| format!("{s}{}{h}{}{}", u.unwrap_or_default(), p.unwrap_or_default(), q.unwrap_or_default()))
}

const KV_VALUES: &[&str] = &[
    "",
    "x",
    "localhost",
    "'a b'",
    "''",
    "'it\\'s'",
    "a\\ b",
    "a\\",
    "'unterminated",
    "'x\\'",
    "a'b",
    "port=5432",
    "/tmp",
    "1",
    "0",
    "require",
    "'sp ace'x=y",
    "\\",
    "é",
    "'é'",
    "%41",
];

fn kv_strategy() -> impl Strategy<Value = String> {
    let ws = prop::sample::select(&["", " ", "  ", "\t", "\n", " \x0b", "\r\n"][..]);
    let pair = (
        ws.clone(),
        prop::sample::select(KEYS),
        ws.clone(),
        prop::sample::select(&["=", "=", "", "=="][..]),
        ws.clone(),
        prop::sample::select(KV_VALUES),
    )
        .prop_map(|(a, k, b, eq, c, v)| format!("{a}{k}{b}{eq}{c}{v}"));
    (prop::collection::vec(pair, 0..5), ws).prop_map(|(pairs, tail)| format!("{}{tail}", pairs.join(" ")))
}

const KNOWN_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "requiressl",
    "ssl",
    "application_name",
    "options",
    "target_session_attrs",
    "connect_timeout",
    "gssencmode",
    "channel_binding",
];

const COMPONENTS: &[&str] = &[
    "a",
    "db1",
    "x.example.com",
    "10.0.0.1",
    "p%40ss",
    "%2Fvar%2Frun",
    "%2f",
    "%20",
    "%C3%A9",
    "%25",
    "%3A",
    "%2C",
    "é",
    "1",
    "0",
    "true",
    "require",
    "verify-full",
    "-",
    "_",
    ".",
    "~",
    "+",
];

fn component() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(COMPONENTS), 0..3).prop_map(|v| v.concat())
}

/// URIs that are mostly well formed, so that acceptance is common and the
/// decoded values are compared.
fn uri_valid_strategy() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(&["postgresql://", "postgres://"][..]);
    let userinfo = prop::option::of((component(), prop::option::of(component())).prop_map(|(u, p)| match p {
        Some(p) => format!("{u}:{p}@"),
        None => format!("{u}@"),
    }));
    let name = prop_oneof![component(), prop::sample::select(&["[::1]", "[2001:db8::5]", "[fe80::1%25eth0]"][..]).prop_map(str::to_string)];
    let host = (name, prop::option::of(prop::sample::select(&["5432", "", "6543", "1"][..]))).prop_map(|(h, p)| match p {
        Some(p) => format!("{h}:{p}"),
        None => h,
    });
    let hosts = prop::collection::vec(host, 0..3).prop_map(|v| v.join(","));
    let path = prop::option::of(component().prop_map(|d| format!("/{d}")));
    let param = (prop::sample::select(KNOWN_KEYS), component()).prop_map(|(k, v)| format!("{k}={v}"));
    let query = prop::option::of(prop::collection::vec(param, 0..4).prop_map(|v| format!("?{}", v.join("&"))));
    (scheme, userinfo, hosts, path, query)
        .prop_map(|(s, u, h, p, q)| format!("{s}{}{h}{}{}", u.unwrap_or_default(), p.unwrap_or_default(), q.unwrap_or_default()))
}

const KV_GOOD_VALUES: &[&str] = &[
    "''",
    "x",
    "'a b'",
    "'it\\'s'",
    "a\\ b",
    "'back\\\\slash'",
    "a'b",
    "/tmp",
    "1",
    "0",
    "require",
    "verify-full",
    "'é ü'",
    "a\\",
    "h1,h2",
    "5432,5433",
    "'=x'",
    "%41",
];

/// key=value strings that are mostly well formed.
fn kv_valid_strategy() -> impl Strategy<Value = String> {
    let sep = prop::sample::select(&[" ", "  ", "\t", "\n", " \r\n "][..]);
    let around = prop::sample::select(&["", "", " ", "\t"][..]);
    let pair = (prop::sample::select(KNOWN_KEYS), around.clone(), around, prop::sample::select(KV_GOOD_VALUES))
        .prop_map(|(k, a, b, v)| format!("{k}{a}={b}{v}"));
    (prop::collection::vec((pair, sep), 0..6)).prop_map(|v| v.into_iter().map(|(p, s)| format!("{p}{s}")).collect::<String>())
}

/// Strings with a random byte-level mutation: a special character
/// inserted or a byte removed.
fn mutated(base: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (base, any::<prop::sample::Index>(), prop::sample::select(&["@", "/", "'", "\\", " ", "%", "=", "?", "&", ",", ":", "[", "]", ""][..]))
        .prop_map(|(s, at, ins)| {
            let mut cut = at.index(s.len() + 1);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            format!("{}{ins}{}", &s[..cut], &s[cut..])
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512), ..ProptestConfig::default() })]

    #[test]
    fn uris_agree_with_libpq(s in prop_oneof![2 => uri_valid_strategy(), 1 => uri_strategy(), 1 => mutated(uri_valid_strategy()), 1 => mutated(uri_strategy())]) {
        check(&s)?;
    }

    #[test]
    fn keyword_strings_agree_with_libpq(s in prop_oneof![2 => kv_valid_strategy(), 1 => kv_strategy(), 1 => mutated(kv_valid_strategy()), 1 => mutated(kv_strategy())]) {
        check(&s)?;
    }
}

/// Hand-picked strings, each a known trap, with the messages compared too
/// (libpq appends `: "<whole URI>"` to netloc errors; dblint never quotes
/// the whole string, so that suffix is cut before comparing).
#[test]
fn known_traps_agree_with_libpq() {
    let cases = [
        "postgresql://u:p@ss@host:5432/db",
        "postgresql://u:pa/ss@host/db",
        "postgresql://host?user=a@b",
        "postgresql://h/a/b?x=?y",
        "postgresql://h1,,h3:5433/db",
        "postgresql://[::1/x]",
        "postgresql://[::1]z",
        "postgresql://host?ssl=true&requiressl=0",
        "postgresql://host?ssl=TRUE",
        "postgresql://127.0.0.1%2c127.0.0.2/",
        "postgresql://host?user=1&&b=2",
        "postgresql://host?user=1&",
        "postgresql://%zz@host",
        "host= port=5432",
        "user='a'dbname=b",
        "host=/run/x\\",
        "password=a'b host=h",
        "host='/run/x",
        "Host=x",
        "ssl=true",
        "requiressl=",
        "postgre://",
        "POSTGRESQL://host",
        "host=a host=b sslmode=bogus port=notaport",
    ];
    let version = libpq_version();
    for s in cases {
        let want = real(s);
        let got = ours(s, version);
        match (&want, &got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "{s}"),
            (Err(w), Err(g)) => {
                let w = w.split(": \"postgres").next().unwrap_or(w);
                assert!(g.starts_with(w), "{s}: libpq {w:?}, dblint {g:?}");
            }
            _ => panic!("verdicts differ for {s:?}: libpq {want:?}, dblint {got:?}"),
        }
    }
}

/// The generators must produce both strings libpq accepts and strings it
/// rejects, or agreement would prove little.
#[test]
fn generators_cover_both_verdicts() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategies = [
        ("uri", uri_strategy().boxed()),
        ("uri-valid", uri_valid_strategy().boxed()),
        ("kv", kv_strategy().boxed()),
        ("kv-valid", kv_valid_strategy().boxed()),
    ];
    for (name, strategy) in strategies {
        let (mut ok, mut err) = (0, 0);
        for _ in 0..2000 {
            let s = strategy.new_tree(&mut runner).expect("strategy").current();
            if real(&s).is_ok() { ok += 1 } else { err += 1 }
        }
        eprintln!("{name}: libpq accepts {ok}, rejects {err}");
        if name.ends_with("-valid") {
            assert!(ok > 1000, "{name}: accepted {ok}, rejected {err}");
        } else {
            assert!(ok > 200 && err > 200, "{name}: accepted {ok}, rejected {err}");
        }
    }
}
