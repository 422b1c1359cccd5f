//! Property tests for the SQL Server family: generated strings read back
//! as generated, mutated strings never break the tree's guarantees, and
//! the value encoder round-trips arbitrary values in every dialect.

use dblint::model::{self, Client, Options};
use dblint::syntax::{self, Dialect, Form, Tree, semicolon};
use proptest::prelude::*;

const DIALECTS: [Dialect; 5] = [Dialect::SqlClient, Dialect::Odbc, Dialect::Tedious, Dialect::MssqlJdbc, Dialect::PrismaJdbc];

/// The form, string head and client for a dialect.
fn setup(d: Dialect) -> (Form, &'static str, Client) {
    match d {
        Dialect::SqlClient => (Form::AdoNet, "", Client::SqlClient),
        Dialect::Odbc => (Form::Odbc, "", Client::Odbc18),
        Dialect::Tedious => (Form::AdoNet, "", Client::Tedious),
        Dialect::MssqlJdbc => (Form::SqlServerJdbc, "jdbc:sqlserver://db.example.com:1433;", Client::MssqlJdbc),
        _ => (Form::PrismaSqlServer, "sqlserver://db.example.com:1433;", Client::Prisma),
    }
}

/// Separators each dialect reads as "end of pair, nothing else".
fn separators(d: Dialect) -> &'static [&'static str] {
    match d {
        Dialect::SqlClient | Dialect::Odbc | Dialect::MssqlJdbc => &[";", "; ", " ;", ";;", "; ;  "],
        // A `;` right after a separator would start tedious' next key.
        Dialect::Tedious => &[";", "; ", " ; "],
        _ => &[";"],
    }
}

/// Blanks allowed around `=` (Prisma keeps every blank).
fn around_eq(d: Dialect) -> &'static [&'static str] {
    if d == Dialect::PrismaJdbc { &[""] } else { &["", " ", "  "] }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["Server", "Encrypt", "TrustServerCertificate", "Password", "PWD", "User ID", "Database", "Foo Bar"])
            .prop_map(str::to_string),
        "[A-Za-z][A-Za-z0-9_]{0,6}( [A-Za-z0-9]{1,4})?",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,12}",
        any::<String>().prop_map(|s| s.chars().take(12).collect()),
        prop::sample::select(vec!["", " ", ";", "'", "\"", "{", "}", "}}", "a;b", "x=y", "[::1]", "p@ss;w}rd", "é"])
            .prop_map(str::to_string),
    ]
}

/// The `(key, value)` pairs of a tree as the client decodes them.
fn decoded(tree: &Tree<'_>) -> Vec<(String, String)> {
    tree.params
        .iter()
        .filter_map(|p| Some((semicolon::param_key(tree, p).into_owned(), tree.unquoted_value(&p.value?).into_owned())))
        .collect()
}

/// Tokens partition the input and print it back.
fn lossless(tree: &Tree<'_>, input: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(tree.to_source(), input);
    let mut at = 0;
    for t in &tree.tokens {
        prop_assert_eq!(t.span.start, at);
        prop_assert!(t.span.end > t.span.start);
        at = t.span.end;
    }
    prop_assert_eq!(at, input.len());
    Ok(())
}

/// A string built from `pairs` in `d`'s syntax.
fn build(d: Dialect, pairs: &[(String, String)], seps: &[usize], eqs: &[usize]) -> String {
    let (_, head, _) = setup(d);
    let mut s = head.to_string();
    for (i, (k, v)) in pairs.iter().enumerate() {
        let pad = around_eq(d)[eqs[i] % around_eq(d).len()];
        s.push_str(k);
        s.push_str(pad);
        s.push('=');
        s.push_str(pad);
        s.push_str(&semicolon::encode_value(d, v));
        if i + 1 < pairs.len() {
            s.push_str(separators(d)[seps[i] % separators(d).len()]);
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Generated strings parse, print back, and decode to what was written.
    #[test]
    fn generated_strings_read_back(
        d in prop::sample::select(DIALECTS.to_vec()),
        pairs in prop::collection::vec((key(), value()), 1..6),
        seps in prop::collection::vec(0usize..8, 6),
        eqs in prop::collection::vec(0usize..8, 6),
    ) {
        let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(_, v)| semicolon::encodable(d, v)).collect();
        prop_assume!(!pairs.is_empty());
        let s = build(d, &pairs, &seps, &eqs);
        let (form, ..) = setup(d);
        let tree = syntax::parse(&s, form, d).map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
        lossless(&tree, &s)?;
        prop_assert_eq!(decoded(&tree), pairs, "{:?}", s);
    }

    /// Any value the dialect can carry comes back exactly; Prisma refuses the rest.
    #[test]
    fn encoder_round_trips(d in prop::sample::select(DIALECTS.to_vec()), v in any::<String>()) {
        let (form, head, _) = setup(d);
        let s = format!("{head}k={};z=1", semicolon::encode_value(d, &v));
        let parsed = syntax::parse(&s, form, d);
        if semicolon::encodable(d, &v) {
            let tree = parsed.map_err(|e| TestCaseError::fail(format!("{s:?}: {e}")))?;
            let got = decoded(&tree);
            prop_assert_eq!(got.len(), 2, "{:?}", s);
            prop_assert_eq!(&got[0].1, &v);
            prop_assert_eq!(got[1].0.as_str(), "z");
        } else if d == Dialect::PrismaJdbc {
            prop_assert!(parsed.is_err(), "{:?}", s);
        }
    }

    /// Mutated strings never panic; a tree that comes out is lossless and
    /// every client that reads the dialect interprets it without panicking.
    #[test]
    fn mutated_strings_keep_the_guarantees(
        d in prop::sample::select(DIALECTS.to_vec()),
        pairs in prop::collection::vec((key(), value()), 1..5),
        edits in prop::collection::vec((0usize..200, 0usize..4, prop::sample::select(vec![";", "=", "{", "}", "'", "\"", " ", "\0", "\t", "é", "[", "]", ":", "\\", "==", ";;", "}}"])), 1..6),
    ) {
        let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(_, v)| semicolon::encodable(d, v)).collect();
        prop_assume!(!pairs.is_empty());
        let mut s = build(d, &pairs, &[0; 6], &[0; 6]);
        for (at, del, ins) in edits {
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) { at -= 1; }
            let mut end = (at + del).min(s.len());
            while !s.is_char_boundary(end) { end += 1; }
            s.replace_range(at..end, ins);
        }
        let (form, _, client) = setup(d);
        if let Ok(tree) = syntax::parse(&s, form, d) {
            lossless(&tree, &s)?;
            let i = model::interpret(&tree, client, &Options::default());
            for issue in &i.issues {
                prop_assert!(issue.span.end <= s.len());
                prop_assert!(s.is_char_boundary(issue.span.start) && s.is_char_boundary(issue.span.end));
            }
        }
        // Arbitrary bytes too, through every dialect.
        for other in DIALECTS {
            let (form, _, client) = setup(other);
            if let Ok(tree) = syntax::parse(&s, form, other) {
                lossless(&tree, &s)?;
                let _ = model::interpret(&tree, client, &Options::default());
            }
        }
    }

    /// A password never appears in an issue or parse error message, even in
    /// broken strings.
    #[test]
    fn passwords_never_leak(
        d in prop::sample::select(DIALECTS.to_vec()),
        secret in "Zq[0-9]{8}",
        pairs in prop::collection::vec((key(), value()), 0..4),
        cut in 0usize..120,
        junk in prop::sample::select(vec!["", ";", "=", "{", "'", "\"", ";x", "}"]),
    ) {
        let mut all: Vec<(String, String)> = pairs.into_iter().filter(|(_, v)| semicolon::encodable(d, v)).collect();
        all.insert(cut % (all.len() + 1), ("Password".to_string(), secret.clone()));
        let mut s = build(d, &all, &[0; 6], &[0; 6]);
        let at = s.find(&secret).map_or(0, |i| i + 3);
        s.insert_str(at, junk);
        let (form, _, client) = setup(d);
        match syntax::parse(&s, form, d) {
            Err(e) => prop_assert!(!e.message.contains(&secret[..6]), "{}", e.message),
            Ok(tree) => {
                let i = model::interpret(&tree, client, &Options::default());
                for issue in &i.issues {
                    prop_assert!(!issue.message.contains(&secret[..6]), "{}", issue.message);
                }
            }
        }
    }
}
