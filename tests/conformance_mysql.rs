//! Conformance of the MySQL-family parsers and client models with the
//! clients' own test suites, ported to data files in
//! `tests/conformance/mysql/*.json`, plus a port of Connector/J's
//! `ConnectionStringGenerator` (`ConnectionUrlTest.testConnectionStringParser`).

use dblint::model::{self, Client, Interpretation, Options};
use dblint::syntax::{self, Form, Span, Tree};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct File {
    source: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    client: String,
    form: String,
    input: String,
    #[serde(default)]
    expect: Option<Map<String, Value>>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    skip: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

fn database_setting(client: Client) -> &'static str {
    match client {
        Client::MysqlCli => "schema",
        Client::Mysql2 | Client::Prisma => "database",
        _ => "dbname",
    }
}

fn json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Compare one expectation; `Err` says what differs.
fn check_field(key: &str, want: &Value, i: &Interpretation, client: Client) -> Result<(), String> {
    let setting = |name: &str| i.settings.get(name).map(|s| Value::String(s.value.to_string())).unwrap_or(Value::Null);
    let got = match key {
        "user" => setting("user"),
        "password" => setting("password"),
        "database" => setting(database_setting(client)),
        "host" => i.endpoints.first().map_or(Value::Null, |e| Value::String(e.host.clone())),
        "port" => i.endpoints.first().and_then(|e| e.port).map_or(Value::Null, json),
        "transport" => i.endpoints.first().map_or(Value::Null, |e| json(e.transport)),
        "encryption" => json(i.tls.encryption),
        "server_auth" => json(i.tls.server_auth),
        "hosts" => {
            let Value::Array(list) = want else { return Err("hosts must be a list".into()) };
            for (n, h) in list.iter().enumerate() {
                if h.is_null() {
                    continue;
                }
                let e = i.endpoints.get(n).ok_or(format!("no endpoint {n}"))?;
                let got = json((&e.host, e.port));
                if &got != h {
                    return Err(format!("host {n}: got {got}, want {h}"));
                }
            }
            return Ok(());
        }
        "settings" => {
            let Value::Object(map) = want else { return Err("settings must be an object".into()) };
            for (k, v) in map {
                let got = setting(k);
                if &got != v {
                    return Err(format!("setting {k}: got {got}, want {v}"));
                }
            }
            return Ok(());
        }
        "issues" => {
            let Value::Array(kinds) = want else { return Err("issues must be a list".into()) };
            for k in kinds {
                if !i.issues.iter().any(|x| &json(x.kind) == k) {
                    return Err(format!("missing issue {k}; got {:?}", i.issues.iter().map(|x| &x.message).collect::<Vec<_>>()));
                }
            }
            return Ok(());
        }
        other => return Err(format!("unknown expectation {other}")),
    };
    if &got == want { Ok(()) } else { Err(format!("{key}: got {got}, want {want}")) }
}

fn run_case(c: &Case) -> Result<(), String> {
    let form = Form::ALL.into_iter().find(|f| f.name() == c.form).ok_or("unknown form")?;
    let client = Client::from_name(&c.client).ok_or("unknown client")?;
    let tree = match syntax::parse(&c.input, form, client.dialect(form)) {
        Ok(t) => t,
        Err(e) => {
            return match &c.error {
                Some(want) if e.message.contains(want.as_str()) => Ok(()),
                _ => Err(format!("parse error: {e}")),
            };
        }
    };
    if tree.to_source() != c.input {
        return Err("tree does not print back to the input".into());
    }
    let i = model::interpret(&tree, client, &Options::default());
    if let Some(want) = &c.error {
        return if i.issues.iter().any(|x| x.fatal && x.message.contains(want.as_str())) {
            Ok(())
        } else {
            Err(format!("no fatal issue containing {want:?}; got {:?}", i.issues.iter().map(|x| (&x.message, x.fatal)).collect::<Vec<_>>()))
        };
    }
    if let Some(fatal) = i.issues.iter().find(|x| x.fatal) {
        return Err(format!("unexpected fatal issue: {}", fatal.message));
    }
    for (k, v) in c.expect.iter().flatten() {
        check_field(k, v, &i, client)?;
    }
    Ok(())
}

#[test]
fn conformance_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/mysql");
    let mut paths: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    paths.sort();
    assert!(paths.len() >= 5, "conformance files missing");
    let mut failures = Vec::new();
    let mut totals = BTreeMap::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file: File = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (mut pass, mut fail, mut skip) = (0, 0, 0);
        for c in &file.cases {
            if c.skip.is_some() {
                skip += 1;
                continue;
            }
            match run_case(c) {
                Ok(()) => pass += 1,
                Err(e) => {
                    fail += 1;
                    failures.push(format!("{name}: {:?}: {e}", c.input));
                }
            }
        }
        println!("{name} ({}): {pass} passed, {fail} failed, {skip} skipped", file.source);
        totals.insert(name, (pass, fail, skip));
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

// ---- Connector/J ConnectionStringGenerator (jdbc:mysql: only) ----

const USER: &[&str] = &["", "@", "johndoe@", "johndoe:@", "johndoe:secret@", ":secret@", ":@"];
const STD_HOST: &[&str] = &["", "myhost", "192.168.0.1", "[1000:abcd::1]", "verylonghostname0123456789012345678901234567890123456789"];
const STD_PORT: &[&str] = &["", ":", ":1234"];
const KEY_VALUE_HOST: &[&str] =
    &["", "()", "(host=[::1],port=1234,prio=1)", "(protocol=tcp,host=myhost,port=1234,key=value%28%29)", "(address=myhost:1234,prio=2)"];
const ADDRESS_EQUALS_HOST: &[&str] = &[
    "address=",
    "address=()",
    "address=(flag)",
    "address=(protocol=tcp)(host=myhost)(port=1234)",
    "address=(protocol=tcp)(host=myhost)(port=1234)(key=value%28%29)",
];
const DB: &[&str] = &["", "/", "/mysql"];
const PARAMS: &[&str] = &[
    "",
    "?",
    "?key=value&flag",
    "?key=value%26&flag&26",
    "?file=%2Fpath%2Fto%2Ffile&flag&key=value",
    "?file=(/path/to/file)&flag&key=value",
];

fn hosts() -> Vec<String> {
    let mut v: Vec<String> = STD_HOST.iter().flat_map(|h| STD_PORT.iter().map(move |p| format!("{h}{p}"))).collect();
    v.extend(KEY_VALUE_HOST.iter().map(|s| s.to_string()));
    v.extend(ADDRESS_EQUALS_HOST.iter().map(|s| s.to_string()));
    v
}

fn trim_head<'a>(s: &'a str, p: &str) -> &'a str {
    s.strip_prefix(p).unwrap_or(s)
}

fn trim_tail<'a>(s: &'a str, p: &str) -> &'a str {
    s.strip_suffix(p).unwrap_or(s)
}

fn host_params_count(hi: &str) -> usize {
    if hi.starts_with('(') && hi.rfind(')') != Some(1) {
        hi.matches(',').count() + 1
    } else if hi.starts_with("address=") && hi.len() > 10 {
        hi.matches(")(").count() + 1
    } else {
        0
    }
}

fn params_count(p: &str) -> usize {
    let p = trim_head(p, "?");
    if p.is_empty() { 0 } else { p.split('&').count() }
}

/// One generated string checked as `testConnectionStringParser` does.
fn check_generated(cs: &str, users: &[&str], host_infos: &[&str], db: &str, params: &str) -> Result<(), String> {
    let t: Tree<'_> = syntax::parse(cs, Form::MysqlJdbc, syntax::Dialect::ConnectorJ).map_err(|e| e.to_string())?;
    if t.to_source() != cs {
        return Err("round trip".into());
    }
    if t.hosts.len() != host_infos.len() {
        return Err(format!("{} hosts", t.hosts.len()));
    }
    let text = |s: Option<Span>| s.map_or(String::new(), |s| t.text(s).to_string());
    for (n, h) in t.hosts.iter().enumerate() {
        let want_user = trim_tail(trim_tail(trim_head(users[n.min(users.len() - 1)], ":"), "@"), ":").to_string();
        let got = format!("{}:{}", text(h.user), text(h.password));
        let got = trim_tail(trim_head(&got, ":"), ":");
        if got != want_user {
            return Err(format!("user {n}: {got:?} vs {want_user:?}"));
        }
        let hi = host_infos[n];
        if hi.starts_with("address=") || hi.starts_with('(') {
            let got = t.host_params_of(h).len();
            if got != host_params_count(hi) {
                return Err(format!("host {n} props: {got} vs {}", host_params_count(hi)));
            }
        } else {
            let name = if h.bracketed { format!("[{}]", text(h.name)) } else { text(h.name) };
            let port = h.port.map(|p| t.text(p)).unwrap_or("");
            let got = format!("{name}:{port}");
            let got = trim_tail(trim_head(&got, ":"), ":");
            let want = trim_tail(trim_head(hi, ":"), ":");
            if got != want {
                return Err(format!("host {n}: {got:?} vs {want:?}"));
            }
        }
    }
    let got_db = t.database.map_or("", |d| t.text(d));
    if got_db != trim_head(db, "/") {
        return Err(format!("db {got_db:?}"));
    }
    if t.params.len() != params_count(params) {
        return Err(format!("{} params", t.params.len()));
    }
    Ok(())
}

#[test]
fn connector_j_generated_strings() {
    let hosts = hosts();
    let (mut pass, mut failures) = (0usize, Vec::new());
    let mut check = |cs: String, users: &[&str], his: &[&str], db: &str, p: &str| match check_generated(&cs, users, his, db, p) {
        Ok(()) => pass += 1,
        Err(e) => failures.push(format!("{cs}: {e}")),
    };
    // SINGLE_HOST, all combinations.
    for u in USER {
        for h in &hosts {
            for db in DB {
                for p in PARAMS {
                    check(format!("jdbc:mysql://{u}{h}{db}{p}"), &[u], &[h], db, p);
                }
            }
        }
    }
    // INNER_HOSTS_LIST: user[h1,h2]; OUTER_HOSTS_LIST: u1h1,u2h2 (every host pair, a stride of users/dbs/params).
    let mut k = 0usize;
    for h1 in &hosts {
        for h2 in &hosts {
            k += 1;
            let u = USER[k % USER.len()];
            let u2 = USER[(k / 3) % USER.len()];
            let db = DB[k % DB.len()];
            let p = PARAMS[k % PARAMS.len()];
            check(format!("jdbc:mysql://{u}[{h1},{h2}]{db}{p}"), &[u, u], &[h1, h2], db, p);
            check(format!("jdbc:mysql://{u}{h1},{u2}{h2}{db}{p}"), &[u, u2], &[h1, h2], db, p);
        }
    }
    println!("Connector/J generated strings: {pass} passed, {} failed", failures.len());
    assert!(failures.is_empty(), "{} failures, first: {:?}", failures.len(), failures.iter().take(10).collect::<Vec<_>>());
}
