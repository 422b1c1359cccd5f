//! Every rule proves itself: each `bad` example fires, each `good` example
//! stays silent, each `fixed` example fixes to exactly its `after`, and the
//! catalogue's metadata is complete. A rule without examples fails here.

use dblint::model::{Client, Options};
use dblint::rules::spec::{Example, ExampleContext};
use dblint::rules::{self, Context, Environment, Rule, RuleSet, Selection};
use dblint::syntax::apply_edits;
use std::collections::HashSet;
use std::path::Path;

/// A self-signed CA certificate, valid or expired, in PEM.
fn ca_pem(expired: bool) -> String {
    let mut params = rcgen::CertificateParams::new(vec!["db.example.com".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, if expired { "Example Expired Root CA" } else { "Example Root CA" });
    params.distinguished_name = dn;
    if expired {
        params.not_before = rcgen::date_time_ymd(2015, 1, 1);
        params.not_after = rcgen::date_time_ymd(2020, 1, 1);
    } else {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2060, 1, 1);
    }
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// Write an example's files into `dir`.
fn materialise(dir: &Path, ex: &ExampleContext) {
    for (name, content) in &ex.files {
        let text = match content.as_str() {
            "@valid-ca" => ca_pem(false),
            "@expired-ca" => ca_pem(true),
            other => other.to_string(),
        };
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
}

fn only(rule: &Rule) -> Selection {
    Selection { select: vec![rule.id().to_string()], ignore: Vec::new() }
}

fn context(dir: &Path, in_file: bool, env: Option<&str>) -> Context {
    Context {
        env: env.map_or(Environment::Unknown, |e| Environment::from_name(e).expect("example env")),
        base_dir: Some(dir.to_path_buf()),
        prisma_dir: Some(dir.to_path_buf()),
        in_file,
        ..Context::default()
    }
}

fn client(name: &Option<String>) -> Option<Client> {
    name.as_ref().map(|n| Client::from_name(n).unwrap_or_else(|| panic!("unknown client {n} in an example")))
}

fn codes_for(rule: &Rule, ex: &Example) -> Vec<(String, String)> {
    let ex = ex.context();
    let dir = tempfile::tempdir().unwrap();
    materialise(dir.path(), &ex);
    if rule.spec.check.as_deref() == Some("source-error") {
        // File-level rules: the example is the content of a `.env` file.
        let config = dblint::config::Config::default();
        let linter = dblint::lint::Linter::new(RuleSet::builtin(), &config, only(rule), Options::default());
        let lint = linter.lint_file(&dir.path().join(".env"), ".env", &ex.string);
        return lint.report.findings.into_iter().map(|f| (f.diagnostic.code.to_string(), f.diagnostic.message)).collect();
    }
    let ctx = context(dir.path(), ex.in_file, ex.env.as_deref());
    let (_, diags) = rules::lint_str(RuleSet::builtin(), &ex.string, client(&ex.client), &ctx, &Options::default(), &only(rule));
    diags.into_iter().map(|d| (d.code.to_string(), d.message)).collect()
}

#[test]
fn bad_examples_fire_and_good_ones_do_not() {
    let mut failures = Vec::new();
    for rule in &RuleSet::builtin().rules {
        for ex in &rule.examples().bad {
            let hits = codes_for(rule, ex);
            if !hits.iter().any(|(c, _)| c == rule.id()) {
                failures.push(format!("{} {}: bad example does not fire: {:?}", rule.id(), rule.name(), ex.context().string));
            }
        }
        for ex in &rule.examples().good {
            let hits = codes_for(rule, ex);
            if let Some((_, msg)) = hits.iter().find(|(c, _)| c == rule.id()) {
                failures.push(format!("{} {}: good example fires ({msg}): {:?}", rule.id(), rule.name(), ex.context().string));
            }
        }
    }
    assert!(failures.is_empty(), "{} example failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn fixed_examples_fix_exactly() {
    let mut failures = Vec::new();
    for rule in &RuleSet::builtin().rules {
        for ex in &rule.examples().fixed {
            let dir = tempfile::tempdir().unwrap();
            let ctx = context(dir.path(), false, ex.env.as_deref());
            let (_, diags) = rules::lint_str(RuleSet::builtin(), &ex.before, client(&ex.client), &ctx, &Options::default(), &only(rule));
            let Some(fix) = diags.iter().find(|d| d.code == rule.id()).and_then(|d| d.fix.as_ref()) else {
                failures.push(format!(
                    "{}: no fix for {:?} (diagnostics: {:?})",
                    rule.id(),
                    ex.before,
                    diags.iter().map(|d| &d.message).collect::<Vec<_>>()
                ));
                continue;
            };
            match apply_edits(&ex.before, &fix.edits) {
                Some(after) if after == ex.after => {}
                Some(after) => failures.push(format!("{}: {:?}\n   fixed to {after:?}\n   expected {:?}", rule.id(), ex.before, ex.after)),
                None => failures.push(format!("{}: overlapping edits for {:?}", rule.id(), ex.before)),
            }
        }
    }
    assert!(failures.is_empty(), "{} fix failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn catalogue_metadata_is_complete() {
    let rules = &RuleSet::builtin().rules;
    assert!(rules.len() >= 21, "the catalogue lost rules: {}", rules.len());
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for r in rules {
        assert!(ids.insert(r.id()), "duplicate id {}", r.id());
        assert!(names.insert(r.name()), "duplicate name {}", r.name());
        let d = &r.docs();
        for (section, text) in [("what", &d.what), ("why", &d.why), ("example", &d.example)] {
            assert!(text.trim().len() > 20, "{}: docs `{section}` is too thin", r.id());
        }
        if r.spec.fix.is_some() {
            assert!(d.fix_safety.is_some(), "{}: a rule with a fix documents its safety", r.id());
            assert!(!r.examples().fixed.is_empty(), "{}: a rule with a fix needs a `fixed` example", r.id());
        }
        let file = r.origin.trim_start_matches("builtin:");
        assert_eq!(file, format!("{}-{}.yaml", r.id(), r.name()), "rule files are named ID-NAME.yaml");
    }
    // The public catalogue: ids and names are part of the interface.
    for (id, name) in [
        ("DBL101", "parse-error"),
        ("DBL102", "unknown-parameter"),
        ("DBL103", "invalid-value"),
        ("DBL104", "unescaped-userinfo"),
        ("DBL105", "duplicate-parameter"),
        ("DBL106", "invalid-port"),
        ("DBL201", "tls-disabled"),
        ("DBL202", "tls-opportunistic"),
        ("DBL203", "server-not-authenticated"),
        ("DBL204", "hostname-not-verified"),
        ("DBL205", "weak-tls-version"),
        ("DBL206", "setting-ignored-by-client"),
        ("DBL301", "ca-file-missing"),
        ("DBL302", "ca-expired"),
        ("DBL303", "stale-rds-ca"),
        ("DBL304", "ca-provider-mismatch"),
        ("DBL305", "sslrootcert-system-weak-mode"),
        ("DBL401", "conflicting-tls-settings"),
        ("DBL501", "provider-requires-tls"),
        ("DBL502", "provider-recommendation"),
        ("DBL601", "plaintext-password"),
    ] {
        let r = RuleSet::builtin().find(id).unwrap_or_else(|| panic!("{id} is missing"));
        assert_eq!(r.name(), name);
    }
}

#[test]
fn invalid_rule_files_are_rejected_with_reasons() {
    let base = include_str!("../rules/DBL201-tls-disabled.yaml");
    let cases = [
        (base.replace("id: DBL201", "id: 201"), "must be letters followed by three digits"),
        (base.replace("tls.encryption:", "tls.bogus:"), "unknown fact"),
        (base.replace("name: tls-disabled", "name: TLS Disabled"), "kebab-case"),
        (base.replace("severity: error", "severity: fatal"), "unknown variant"),
        (base.replace("  bad:\n", "  bad: []\n  unused:\n"), "unknown field"),
    ];
    for (text, want) in cases {
        let err = Rule::from_yaml(&text, "test.yaml").expect_err(want);
        assert!(err.contains(want), "{err} should mention {want}");
    }
}

#[test]
fn user_rules_load_from_directories() {
    let dir = tempfile::tempdir().unwrap();
    let rule = r#"
id: ACME001
name: acme-prod-needs-our-ca
severity: error
summary: Production databases must trust the ACME CA
when:
  host.name: { matches: '\.db\.acme\.internal$' }
  tls.ca-path: { ne: /etc/acme/ca.pem }
message: "{host} must be verified against /etc/acme/ca.pem"
docs:
  what: Our production hosts use the ACME CA.
  why: Anything else is not ours.
  example: postgresql://app@main.db.acme.internal/app
examples:
  bad: ["postgresql://app@main.db.acme.internal/app?sslmode=verify-full&sslrootcert=system"]
  good: ["postgresql://app@main.db.acme.internal/app?sslmode=verify-full&sslrootcert=/etc/acme/ca.pem"]
"#;
    std::fs::write(dir.path().join("acme.yaml"), rule).unwrap();
    let set = RuleSet::with_dirs(&[dir.path().to_path_buf()]).unwrap();
    let r = set.find("ACME001").unwrap();
    assert_eq!(r.name(), "acme-prod-needs-our-ca");
    let sel = Selection { select: vec!["ACME".into()], ignore: vec![] };
    let (_, d) = rules::lint_str(
        &set,
        "postgresql://app@main.db.acme.internal/app?sslmode=verify-full&sslrootcert=system",
        None,
        &Context::default(),
        &Options::default(),
        &sel,
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].message, "main.db.acme.internal must be verified against /etc/acme/ca.pem");
    // Redefining a built-in id is an error.
    std::fs::write(dir.path().join("dup.yaml"), include_str!("../rules/DBL201-tls-disabled.yaml")).unwrap();
    assert!(RuleSet::with_dirs(&[dir.path().to_path_buf()]).unwrap_err().contains("already defined"));
}

/// The catalogue compiled into the binary (`build.rs` turns each rule file into Rust code) is
/// exactly what the rule files say: every field, the condition, the docs and the examples,
/// as the YAML deserializer reads them, and no rule more or less.
#[test]
fn builtin_rules_match_their_yaml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
    files.sort();
    let builtin = RuleSet::builtin();
    assert_eq!(files.len(), builtin.rules.len(), "one built-in rule per rule file");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let from_yaml = Rule::from_yaml(&text, &path.display().to_string()).unwrap();
        let compiled = builtin.find(from_yaml.id()).unwrap_or_else(|| panic!("{} is not built in", from_yaml.id()));
        // The condition is compared as built (the compiled rule builds it without its YAML form).
        let as_json = |rule: &Rule| {
            let mut spec = serde_json::to_value(&rule.spec).unwrap();
            spec["docs"] = serde_json::to_value(rule.docs()).unwrap();
            spec["examples"] = serde_json::to_value(rule.examples()).unwrap();
            spec.as_object_mut().unwrap().remove("when");
            spec
        };
        assert_eq!(as_json(compiled), as_json(&from_yaml), "{}", path.display());
        assert_eq!(compiled.condition(), from_yaml.condition(), "{}", path.display());
        assert_eq!(compiled.origin, format!("builtin:{}", path.file_name().unwrap().to_str().unwrap()));
    }
}
