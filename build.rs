//! Embeds the rule catalogue (`rules/*.yaml`) into the binary as Rust code: each rule
//! becomes an expression that builds its `RuleSpec` and its `when` condition directly, so
//! that nothing is parsed at start-up (a pre-commit hook starts on every commit).
//! Documentation and examples, read only by `explain`, SARIF and the tests, are kept apart
//! as JSON and parsed on demand.
//!
//! This file knows the fields of a rule file (`src/rules/spec.rs`) and the grammar of `when`
//! conditions (`Condition::from_yaml` in `src/rules/condition.rs`, which reads user rules): a
//! field or operator it does not know stops the build with its name, and
//! `builtin_rules_match_their_yaml` (`tests/rules_examples.rs`) checks that every generated
//! rule, condition included, equals what the YAML deserializer makes of its file.

use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no rule files found in {}: the catalogue cannot be empty", dir.display());
    let mut out = String::from(
        "/// The built-in rules, one per rule file.\n\
         pub fn rule_files() -> Vec<Compiled> {\n    vec![\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        let value: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
        let Value::Object(map) = value else { panic!("{name}: a rule file is a mapping") };
        let (spec, when, about) = rule(name, map);
        let when = when.map_or_else(|| "None".to_string(), |w| format!("Some((|| -> Result<Condition, String> {{ Ok({w}) }})())"));
        let _ = writeln!(out, "        Compiled {{ file: {name:?}, spec: {spec}, when: {when}, about: {about:?} }},");
    }
    out.push_str("    ]\n}\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("rules_index.rs");
    std::fs::write(dest, out).expect("writing the rule index");
    link_unwinder_statically();
}

/// On Linux with glibc, link GCC's unwinder (`libgcc_eh.a`) into the executable instead of
/// loading `libgcc_s.so.1` at every start: loading it, relocating it and running its
/// constructor (which probes the CPU with `cpuid`, trapped by a hypervisor) cost about a
/// tenth of a run on one `.env` file (BENCHMARKS.md §2). The standard library asks for
/// `-lgcc_s`; the linker (`--as-needed`) leaves it out once every unwinder symbol is
/// already defined, which `+whole-archive` ensures whatever the link order. Skipped where
/// the C compiler has no `libgcc_eh.a` (the executable then loads `libgcc_s` as usual), for
/// cross builds, and for `crt-static` builds, which link it statically already.
fn link_unwinder_statically() {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    println!("cargo:rerun-if-env-changed=CC");
    // The C compiler asked is the host's: a cross build links as the standard library says.
    if var("HOST") != var("TARGET")
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("CARGO_CFG_TARGET_FEATURE").split(',').any(|f| f == "crt-static")
    {
        return;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let found = std::process::Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| Path::new(p).is_absolute() && Path::new(p).is_file());
    if found.is_some() {
        println!("cargo:rustc-link-lib=static:+whole-archive,-bundle=gcc_eh");
    }
}

/// The Rust expression building one rule's `RuleSpec` (without `when`, docs and examples),
/// the expression building its `when` condition, and its docs and examples as JSON.
fn rule(file: &str, map: Map<String, Value>) -> (String, Option<String>, String) {
    let mut about = Map::new();
    let mut fields: Vec<String> = Vec::new();
    let mut when = None;
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in map {
        let field = match key.as_str() {
            "docs" | "examples" => {
                about.insert(key.clone(), value);
                seen.push(key);
                continue;
            }
            "when" => {
                when = Some(condition(file, &value));
                seen.push(key);
                continue;
            }
            "id" | "name" | "summary" | "message" => format!("{}: {}", field_name(&key), text(file, &key, &value)),
            "check" | "span" => format!("{}: Some({})", field_name(&key), text(file, &key, &value)),
            "severity" => format!("severity: Severity::{}", variant(file, &key, &value)),
            "scope" => format!("scope: Scope::{}", variant(file, &key, &value)),
            "databases" | "clients" => format!("{}: {}", field_name(&key), strings(file, &key, &value)),
            "when-refused" => format!("when_refused: {}", value.as_bool().unwrap_or_else(|| panic!("{file}: `{key}` is true or false"))),
            "fix" => format!("fix: Some({})", fix(file, value)),
            other => panic!("{file}: unknown field `{other}` (see src/rules/spec.rs)"),
        };
        fields.push(field);
        seen.push(key);
    }
    for (key, default) in [
        ("scope", "scope: Scope::default()"),
        ("databases", "databases: Vec::new()"),
        ("clients", "clients: Vec::new()"),
        ("check", "check: None"),
        ("span", "span: None"),
        ("when-refused", "when_refused: false"),
        ("fix", "fix: None"),
    ] {
        if !seen.iter().any(|s| s == key) {
            fields.push(default.to_string());
        }
    }
    fields.push("when: None".to_string());
    fields.push("docs: Docs::default()".to_string());
    fields.push("examples: Examples::default()".to_string());
    let about = serde_json::to_string(&about).expect("a YAML value serializes as JSON");
    (format!("RuleSpec {{ {} }}", fields.join(", ")), when, about)
}

/// The expression building a `when` condition, as `Condition::from_yaml` reads one: a mapping
/// whose keys are `all`, `any`, `not` or fact names, several keys meaning all of them. Fact
/// names and regular expressions are checked as the program is built (`?`): an unknown one
/// stops the loading of the built-in rules, which the tests do first.
fn condition(file: &str, value: &Value) -> String {
    let Value::Object(map) = value else { panic!("{file}: a condition is a mapping") };
    let mut parts: Vec<String> = map
        .iter()
        .map(|(key, v)| match key.as_str() {
            "all" | "any" => {
                let Value::Array(list) = v else { panic!("{file}: `{key}` takes a list of conditions") };
                let items: Vec<String> = list.iter().map(|c| condition(file, c)).collect();
                format!("Condition::{}(vec![{}])", if key == "all" { "All" } else { "Any" }, items.join(", "))
            }
            "not" => format!("Condition::Not(Box::new({}))", condition(file, v)),
            fact => format!("Condition::test({fact:?}, {})?", test(file, fact, v)),
        })
        .collect();
    if parts.len() == 1 { parts.remove(0) } else { format!("Condition::All(vec![{}])", parts.join(", ")) }
}

/// The expression building the test of one fact (`Test`).
fn test(file: &str, fact: &str, value: &Value) -> String {
    let list = |v: &Value| match v {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|x| string(file, fact, x)).collect();
            format!("vec![{}]", items.join(", "))
        }
        other => format!("vec![{}]", string(file, fact, other)),
    };
    match value {
        Value::Array(_) => format!("Test::In({})", list(value)),
        Value::Object(ops) => {
            assert!(ops.len() == 1, "{file}: {fact}: an operator mapping holds exactly one operator");
            let (op, arg) = ops.iter().next().unwrap_or_else(|| panic!("{file}: {fact}: empty operator mapping"));
            match op.as_str() {
                "eq" => format!("Test::Eq({})", string(file, fact, arg)),
                "ne" => format!("Test::Ne({})", string(file, fact, arg)),
                "in" => format!("Test::In({})", list(arg)),
                "not-in" => format!("Test::NotIn({})", list(arg)),
                "exists" => {
                    format!("Test::Exists({})", arg.as_bool().unwrap_or_else(|| panic!("{file}: {fact}: `exists` takes true or false")))
                }
                "matches" => format!("Test::matches({})?", string(file, fact, arg)),
                other => panic!("{file}: {fact}: unknown operator `{other}`"),
            }
        }
        other => format!("Test::Eq({})", string(file, fact, other)),
    }
}

fn fix(file: &str, value: Value) -> String {
    let Value::Object(map) = value else { panic!("{file}: `fix` is a mapping") };
    let mut fields: Vec<String> = Vec::new();
    let (mut set, mut remove) = ("BTreeMap::new()".to_string(), "Vec::new()".to_string());
    for (key, value) in map {
        match key.as_str() {
            "action" => fields.push(format!("action: FixAction::{}", variant(file, &key, &value))),
            "applicability" => fields.push(format!("applicability: Applicability::{}", variant(file, &key, &value))),
            "title" => fields.push(format!("title: {}", text(file, &key, &value))),
            "set" => {
                let Value::Object(pairs) = value else { panic!("{file}: `fix.set` is a mapping") };
                let pairs: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("({}, {})", string(file, k, &Value::String(k.clone())), string(file, k, v)))
                    .collect();
                set = format!("BTreeMap::from([{}])", pairs.join(", "));
            }
            "remove" => remove = strings(file, &key, &value),
            other => panic!("{file}: unknown field `fix.{other}` (see src/rules/spec.rs)"),
        }
    }
    fields.push(format!("set: {set}"));
    fields.push(format!("remove: {remove}"));
    format!("FixSpec {{ {} }}", fields.join(", "))
}

/// `Cow::Borrowed("…")`: a rule's text, kept in the binary (see `spec::Text`).
fn text(file: &str, key: &str, value: &Value) -> String {
    format!("Cow::Borrowed({})", literal(file, key, value))
}

/// `String::from("…")`.
fn string(file: &str, key: &str, value: &Value) -> String {
    format!("String::from({})", literal(file, key, value))
}

/// A string literal; numbers and booleans are taken as their text, as YAML gives them.
fn literal(file: &str, key: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => panic!("{file}: `{key}` is a string"),
    };
    format!("{text:?}")
}

fn strings(file: &str, key: &str, value: &Value) -> String {
    let Value::Array(items) = value else { panic!("{file}: `{key}` is a list") };
    let items: Vec<String> = items.iter().map(|v| string(file, key, v)).collect();
    format!("vec![{}]", items.join(", "))
}

/// A kebab-case value as the name of its enum variant: `needs-live-check` → `NeedsLiveCheck`.
fn variant(file: &str, key: &str, value: &Value) -> String {
    let Some(s) = value.as_str() else { panic!("{file}: `{key}` is a name") };
    assert!(
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
        "{file}: `{key}: {s}` is not a known value (kebab-case names only)"
    );
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn field_name(key: &str) -> String {
    key.replace('-', "_")
}
