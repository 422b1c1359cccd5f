//! Conformance of the SQL Server family against the clients' own test
//! vectors, ported to `tests/conformance/mssql/*.json`.
//!
//! Each file names its source and default dialect; each case gives an
//! input and what the client reads from it:
//!
//! - `pairs`: key (lowercased) → value, the last occurrence winning, as
//!   the syntax layer splits and decodes them;
//! - `hosts`: server parts (`protocol`, `name`, `instance`, `port`);
//! - `settings` / `absent`: effective settings of the client model
//!   (canonical names; `absent` lists names that must not appear);
//! - `canonical_settings`: like `settings`, keys canonicalised through the
//!   client's keyword table first, values coerced when the expectation is
//!   a boolean (the `@tediousjs/connection-string` schema view);
//! - `issues`: the kinds of the model's issues, in order; `fatal`: whether
//!   the client refuses the string;
//! - `error`: the string does not parse; the message contains this text;
//! - `encode`: value → how the dialect's encoder writes it;
//! - `skip`: not applicable, and why.
//!
//! Where dblint deliberately differs from the upstream expectation, the
//! case carries `upstream` (what the test file says) and `note` (why).

use dblint::model::{self, Client, IssueKind, Options};
use dblint::syntax::{self, Dialect, Form, semicolon};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

fn dialect_of(name: &str, input: &str) -> (Form, Dialect, Client) {
    match name {
        "sqlclient" => (Form::AdoNet, Dialect::SqlClient, Client::SqlClient),
        "odbc" => (Form::Odbc, Dialect::Odbc, Client::Odbc18),
        "tedious" => (Form::AdoNet, Dialect::Tedious, Client::Tedious),
        "mssql-jdbc" => (Form::SqlServerJdbc, Dialect::MssqlJdbc, Client::MssqlJdbc),
        "prisma" if input.starts_with("jdbc:") => (Form::SqlServerJdbc, Dialect::PrismaJdbc, Client::Prisma),
        "prisma" => (Form::PrismaSqlServer, Dialect::PrismaJdbc, Client::Prisma),
        other => panic!("unknown dialect {other}"),
    }
}

fn issue_kind(name: &str) -> IssueKind {
    match name {
        "syntax" => IssueKind::Syntax,
        "unknown-parameter" => IssueKind::UnknownParameter,
        "invalid-value" => IssueKind::InvalidValue,
        "duplicate-parameter" => IssueKind::DuplicateParameter,
        "invalid-port" => IssueKind::InvalidPort,
        "ignored-setting" => IssueKind::IgnoredSetting,
        "conflicting-settings" => IssueKind::ConflictingSettings,
        other => panic!("unknown issue kind {other}"),
    }
}

/// The coerced boolean of `@tediousjs/connection-string`.
fn coerce(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Check one case; `Err` says what differs.
fn check(case: &Map<String, Value>, default_dialect: &str) -> Result<(), String> {
    let input = case["input"].as_str().ok_or("no input")?;
    let dname = case.get("dialect").and_then(Value::as_str).unwrap_or(default_dialect);
    let (form, dialect, client) = dialect_of(dname, input);
    let parsed = syntax::parse(input, form, dialect);
    if let Some(want) = case.get("error").and_then(Value::as_str) {
        return match parsed {
            Err(e) if e.message.contains(want) => Ok(()),
            Err(e) => Err(format!("error {:?}, wanted one containing {want:?}", e.message)),
            Ok(t) => Err(format!("parsed without error: {:?}", t.params.len())),
        };
    }
    let tree = parsed.map_err(|e| format!("does not parse: {e}"))?;
    if tree.to_source() != input {
        return Err("tree does not print back to the input".into());
    }
    if let Some(want) = case.get("pairs").and_then(Value::as_object) {
        let mut got: Vec<(String, String)> = Vec::new();
        for p in &tree.params {
            let (Some(_), Some(v)) = (p.eq, p.value) else { continue };
            let k = semicolon::param_key(&tree, p).to_lowercase();
            let v = tree.unquoted_value(&v).into_owned();
            got.retain(|(key, _)| *key != k);
            got.push((k, v));
        }
        let want: Vec<(String, String)> = want.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect();
        let mut g = got.clone();
        let mut w = want.clone();
        g.sort();
        w.sort();
        if g != w {
            return Err(format!("pairs {got:?}, wanted {want:?}"));
        }
    }
    if let Some(want) = case.get("hosts").and_then(Value::as_array) {
        for (i, h) in want.iter().enumerate() {
            let got = tree.hosts.get(i).ok_or(format!("no host {i}"))?;
            for (part, span) in [("protocol", got.protocol), ("name", got.name), ("instance", got.instance), ("port", got.port)] {
                let g = span.map(|s| semicolon::decode_prisma(tree.text(s)).into_owned());
                let w = h.get(part).and_then(Value::as_str).map(str::to_string);
                let g = if dialect == Dialect::PrismaJdbc { g } else { span.map(|s| tree.text(s).to_string()) };
                if g != w {
                    return Err(format!("host {i} {part}: {g:?}, wanted {w:?}"));
                }
            }
        }
    }
    if let Some(want) = case.get("encode").and_then(Value::as_object) {
        for (value, written) in want {
            let got = semicolon::encode_value(dialect, value);
            if Some(got.as_ref()) != written.as_str() {
                return Err(format!("encode {value:?}: {got:?}, wanted {written}"));
            }
        }
    }
    let needs_model = ["settings", "absent", "canonical_settings", "issues", "fatal"].iter().any(|k| case.contains_key(*k));
    if !needs_model {
        return Ok(());
    }
    let interp = model::interpret(&tree, client, &Options::default());
    if let Some(want) = case.get("settings").and_then(Value::as_object) {
        for (name, v) in want {
            let got = interp.settings.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.value.as_ref());
            if got != v.as_str() {
                return Err(format!("setting {name}: {got:?}, wanted {v}"));
            }
        }
    }
    if let Some(absent) = case.get("absent").and_then(Value::as_array) {
        for name in absent.iter().filter_map(Value::as_str) {
            if interp.settings.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
                return Err(format!("setting {name} should be folded into its canonical name"));
            }
        }
    }
    if let Some(want) = case.get("canonical_settings").and_then(Value::as_object) {
        let table = &model::mssql::tedious::TABLE;
        for (key, v) in want {
            let name = table.lookup(key).map_or(key.as_str(), |k| k.name);
            let got = interp.settings.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.value.as_ref());
            let ok = match v {
                Value::Bool(b) => got.and_then(coerce) == Some(*b),
                Value::String(s) => got == Some(s.as_str()),
                _ => false,
            };
            if !ok {
                return Err(format!("setting {key} ({name}): {got:?}, wanted {v}"));
            }
        }
    }
    if let Some(want) = case.get("issues").and_then(Value::as_array) {
        let got: Vec<IssueKind> = interp.issues.iter().map(|i| i.kind).collect();
        let want: Vec<IssueKind> = want.iter().filter_map(Value::as_str).map(issue_kind).collect();
        if got != want {
            return Err(format!("issues {got:?}, wanted {want:?}: {:?}", interp.issues.iter().map(|i| &i.message).collect::<Vec<_>>()));
        }
    }
    if let Some(fatal) = case.get("fatal").and_then(Value::as_bool) {
        if interp.is_fatal() != fatal {
            return Err(format!("fatal {}, wanted {fatal}", interp.is_fatal()));
        }
    }
    Ok(())
}

#[test]
fn mssql_conformance() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/mssql");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("conformance dir").filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    let mut report = String::new();
    let mut failures = Vec::new();
    let (mut total, mut passed, mut skipped, mut differing) = (0, 0, 0, 0);
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("valid JSON");
        let default_dialect = doc["dialect"].as_str().expect("dialect");
        let cases = doc["cases"].as_array().expect("cases");
        let (mut p, mut s) = (0, 0);
        for case in cases.iter().filter_map(Value::as_object) {
            total += 1;
            if case.contains_key("skip") {
                s += 1;
                continue;
            }
            if case.contains_key("upstream") {
                differing += 1;
            }
            match check(case, default_dialect) {
                Ok(()) => p += 1,
                Err(why) => failures.push(format!("{}: {}: {why}", file.display(), case["name"])),
            }
        }
        passed += p;
        skipped += s;
        let _ = writeln!(
            report,
            "{}: {p}/{} pass, {s} skipped",
            file.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
            cases.len()
        );
    }
    let _ = writeln!(
        report,
        "total: {passed}/{total} pass, {skipped} skipped; {differing} where dblint deliberately differs from upstream (see notes)"
    );
    println!("{report}");
    assert!(total > 0, "no conformance cases found");
    assert!(failures.is_empty(), "{} failures:\n{}\n{report}", failures.len(), failures.join("\n"));
}
