//! Conformance of the PostgreSQL client models, driven by the data files in
//! `tests/conformance/postgres/`:
//!
//! - `libpq_uri.json`: every case of libpq's own `t/001_uri.pl`, run for
//!   libpq 15, 16, 17 and 18 (cases new in a later version only there);
//! - `libpq_keywords.json`, `pgjdbc.json`, `prisma.json`,
//!   `node_postgres.json`: upstream test vectors (pgjdbc `DriverTest`,
//!   quaint's URL tests, pg-connection-string's parse tests) and cases
//!   derived from the clients' sources, each file naming its source.

use dblint::model::postgres::libpq;
use dblint::model::{self, Client, Interpretation, Options, Origin, Transport};
use dblint::syntax::{self, Dialect, Form};
use serde_json::Value;
use std::collections::BTreeMap;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/conformance/postgres/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cases(doc: &Value) -> &Vec<Value> {
    doc["cases"].as_array().expect("cases")
}

/// `kw='value' kw='value' (inet)` as printed by `libpq_uri_regress`.
fn parse_stdout(stdout: &str) -> (BTreeMap<String, String>, Option<bool>) {
    let mut map = BTreeMap::new();
    let mut rest = stdout.trim();
    let local = if let Some(r) = rest.strip_suffix("(local)") {
        rest = r;
        Some(true)
    } else if let Some(r) = rest.strip_suffix("(inet)") {
        rest = r;
        Some(false)
    } else {
        None
    };
    while let Some(eq) = rest.find("='") {
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 2..];
        let end = after.find("' ").or_else(|| after.strip_suffix('\'').map(str::len)).expect("closing quote");
        map.insert(key, after[..end].to_string());
        rest = after.get(end + 1..).unwrap_or("");
    }
    (map, local)
}

/// What `libpq_uri_regress` would print for `input`, according to dblint.
fn libpq_regress(input: &str, version: u32, env: &[(String, String)]) -> Result<(BTreeMap<String, String>, bool), String> {
    let form = if input.starts_with("postgresql://") || input.starts_with("postgres://") { Form::PostgresUrl } else { Form::LibpqKeywords };
    let tree = syntax::parse(input, form, Dialect::Libpq).map_err(|e| e.message)?;
    let i = libpq::interpret_with_environment(&tree, version, env);
    if let Some(issue) = i.issues.iter().find(|x| x.fatal && libpq::parse_stage(x)) {
        return Err(issue.message.clone());
    }
    // PQconndefaults(): what an empty string gets.
    let empty = syntax::parse("", Form::LibpqKeywords, Dialect::Libpq).expect("empty string");
    let defaults = libpq::interpret_with_environment(&empty, version, env).settings;
    let printed = i
        .settings
        .iter()
        .filter(|s| {
            matches!(&s.origin, Origin::Written { .. }) || matches!(&s.origin, Origin::Implied { by } if by == "ssl" || by == "requiressl")
        })
        .filter(|s| defaults.value(&s.name) != Some(s.value.as_ref()))
        .map(|s| (s.name.to_string(), s.value.to_string()))
        .collect();
    let local = i.endpoints.first().is_some_and(|e| e.transport == Transport::UnixSocket);
    Ok((printed, local))
}

#[test]
fn libpq_001_uri() {
    let doc = load("libpq_uri.json");
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for version in [15, 16, 17, 18] {
        let (mut run, mut passed, mut skipped) = (0, 0, 0);
        for case in cases(&doc) {
            let input = case["input"].as_str().expect("input");
            if case["min_version"].as_u64().is_some_and(|v| v > u64::from(version)) {
                skipped += 1;
                continue;
            }
            run += 1;
            let env: Vec<(String, String)> = case["env"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
                .unwrap_or_default();
            let stderr = case["stderr"].as_str().unwrap_or_default();
            let got = libpq_regress(input, version, &env);
            let ok = if stderr.is_empty() {
                let (want, want_local) = parse_stdout(case["stdout"].as_str().unwrap_or_default());
                matches!(&got, Ok((values, local)) if *values == want && Some(*local) == want_local)
            } else {
                let want = stderr.strip_prefix("libpq_uri_regress: ").unwrap_or(stderr);
                // libpq quotes the whole URI after netloc errors; dblint never quotes the whole string.
                let want = want.strip_suffix(&format!(": \"{input}\"")).unwrap_or(want);
                matches!(&got, Err(message) if message.starts_with(want))
            };
            if ok {
                passed += 1;
            } else {
                failures.push(format!("libpq {version}: {input:?}: got {got:?}"));
            }
        }
        report.push(format!("libpq {version}: {passed}/{run} pass, {skipped} skipped (newer than {version})"));
    }
    eprintln!("001_uri.pl: {}", report.join("; "));
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

fn tls_field(i: &Interpretation, field: &str) -> Value {
    let tls = serde_json::to_value(&i.tls).expect("serializable");
    match field {
        "ca" => tls["ca"]["kind"].clone(),
        "direct" => Value::Bool(i.tls.direct),
        _ => tls[field].clone(),
    }
}

fn kinds(i: &Interpretation) -> Vec<String> {
    let mut k: Vec<String> =
        i.issues.iter().map(|x| serde_json::to_value(x.kind).expect("kind").as_str().unwrap_or_default().to_string()).collect();
    k.sort();
    k
}

/// Check one case of a generic file; `Err` describes the mismatch.
fn check_case(case: &Value, client: Client, opts: &Options) -> Result<(), String> {
    let input = case["input"].as_str().expect("input");
    let want_accept = case["accept"].as_bool().unwrap_or(true);
    let analysis = match model::analyze(input, Some(client), opts) {
        Ok(a) => a,
        Err(_) if !want_accept => return Ok(()),
        Err(e) => return Err(format!("parse error {:?}", e.message)),
    };
    let i = &analysis.interpretation;
    if i.is_fatal() == want_accept {
        return Err(format!("accept: want {want_accept}, issues {:?}", i.issues));
    }
    if let Some(settings) = case["settings"].as_object() {
        for (name, want) in settings {
            let got = i.settings.value(name);
            if got != want.as_str() {
                return Err(format!("setting {name}: want {want}, got {got:?}"));
            }
        }
    }
    let join = |f: &dyn Fn(&model::Endpoint) -> String| i.endpoints.iter().map(f).collect::<Vec<_>>().join(",");
    if let Some(hosts) = case["hosts"].as_str() {
        let got = join(&|e| e.host.clone());
        if got != hosts {
            return Err(format!("hosts: want {hosts}, got {got}"));
        }
    }
    if let Some(ports) = case["ports"].as_str() {
        let got = join(&|e| e.port.map_or(String::new(), |p| p.to_string()));
        if got != ports {
            return Err(format!("ports: want {ports}, got {got}"));
        }
    }
    if let Some(endpoints) = case["endpoints"].as_array() {
        let got: Vec<Value> = i.endpoints.iter().map(|e| serde_json::json!([e.host, e.port])).collect();
        if &got != endpoints {
            return Err(format!("endpoints: want {endpoints:?}, got {got:?}"));
        }
    }
    if let Some(tls) = case["tls"].as_object() {
        for (field, want) in tls {
            let got = tls_field(i, field);
            if &got != want {
                return Err(format!("tls.{field}: want {want}, got {got} ({:?})", i.tls));
            }
        }
    }
    if let Some(issues) = case["issues"].as_array() {
        let mut want: Vec<String> = issues.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
        want.sort();
        if kinds(i) != want {
            return Err(format!("issues: want {want:?}, got {:?}", i.issues));
        }
    }
    Ok(())
}

fn run_file(name: &str, client: Client) {
    let doc = load(name);
    let version = doc["version"].as_u64().and_then(|v| u32::try_from(v).ok()).unwrap_or(18);
    let opts = Options { libpq_version: version, ..Options::default() };
    let mut failures = Vec::new();
    let all = cases(&doc);
    for case in all {
        if let Err(why) = check_case(case, client, &opts) {
            failures.push(format!("{:?}: {why}", case["input"].as_str().unwrap_or_default()));
        }
    }
    eprintln!("{name}: {}/{} pass", all.len() - failures.len(), all.len());
    assert!(failures.is_empty(), "{name}: {} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn libpq_keyword_strings() {
    run_file("libpq_keywords.json", Client::Libpq);
}

#[test]
fn pgjdbc_driver_test() {
    run_file("pgjdbc.json", Client::Pgjdbc);
}

#[test]
fn prisma_quaint() {
    run_file("prisma.json", Client::Prisma);
}

#[test]
fn node_postgres_pg_connection_string() {
    run_file("node_postgres.json", Client::NodePostgres);
}
