//! Golden tests of `--fix --unsafe-fixes` on every file kind: the fixed file
//! (snapshot), the fixes applied, and three invariants checked on each —
//! bytes outside the connection strings are untouched (CRLF, BOM, comments,
//! quotes, indentation), fixing again changes nothing, and nothing that
//! parsed before stops parsing.

use dblint::config::Config;
use dblint::fix::{self, Outcome};
use dblint::lint::{FileLint, Linter};
use dblint::model::Options;
use dblint::rules::{Applicability, RuleSet, Selection};
use dblint::sources::{self, FileKind};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// The file with every connection string's token replaced by a marker: what
/// a fix must leave alone.
fn skeleton(path: &Path, content: &str) -> (String, usize) {
    let kind = FileKind::sniff(path, content);
    let scan = sources::scan(kind, content).expect("the file scans");
    let mut out = String::new();
    let mut at = 0;
    let mut tokens: Vec<_> = scan.candidates.iter().map(|c| c.token).collect();
    tokens.sort();
    for t in &tokens {
        out.push_str(&content[at..t.start]);
        out.push_str("\u{1}STRING\u{1}");
        at = t.end;
    }
    out.push_str(&content[at..]);
    (out, tokens.len())
}

fn run(linter: &Linter<'_>, path: &Path, content: &str) -> Outcome<FileLint> {
    fix::fix_file(linter, path, &path.display().to_string(), content, Applicability::Unsafe)
}

fn golden(file: &str) {
    let path = data(file);
    let content = std::fs::read_to_string(&path).unwrap();
    let config = Config::default();
    let linter = Linter::new(RuleSet::builtin(), &config, Selection::default(), Options::default());
    let out = run(&linter, &path, &content);
    assert!(out.converged, "{file}: fixes did not converge");

    // Only the strings change.
    let (before, n_before) = skeleton(&path, &content);
    let (after, n_after) = skeleton(&path, &out.fixed);
    assert_eq!(n_before, n_after, "{file}: the number of connection strings changed");
    assert_eq!(before, after, "{file}: bytes outside the connection strings changed");

    // Idempotent.
    let again = run(&linter, &path, &out.fixed);
    assert_eq!(again.fixed, out.fixed, "{file}: fixing twice changes more");
    assert!(again.applied.is_empty(), "{file}: second round applied {:?}", again.applied);

    // Nothing that parsed stops parsing.
    let broken = |l: &FileLint| l.report.findings.iter().filter(|f| matches!(f.diagnostic.code, "DBL100" | "DBL101")).count();
    let original = linter.lint_file(&path, file, &content);
    assert!(broken(&out.after) <= broken(&original), "{file}: fixing broke a string");

    let mut applied: Vec<String> = out.applied.iter().map(|a| format!("{} {}", a.code, a.title)).collect();
    applied.sort();
    // Line endings and the BOM are shown, so that the snapshot proves they survive.
    let shown = out.fixed.replace('\r', "␍").replace('\u{feff}', "<BOM>");
    let snapshot = format!("applied:\n  {}\n\nfixed file:\n{shown}", applied.join("\n  "));
    insta::assert_snapshot!(format!("fix_golden__{}", file.replace(['/', '.'], "_")), snapshot);
}

#[test]
fn dotenv_with_quotes_multiline_export_and_interpolation() {
    golden("sources/app.env");
}

#[test]
fn dotenv_with_crlf_and_bom() {
    golden("sources/crlf-bom.env");
}

#[test]
fn appsettings_json() {
    golden("sources/appsettings.Production.json");
}

#[test]
fn docker_compose_yaml() {
    golden("sources/docker-compose.yml");
}

#[test]
fn kubernetes_yaml() {
    golden("sources/k8s-deployment.yaml");
}

#[test]
fn spring_properties() {
    golden("sources/application-prod.properties");
}

#[test]
fn prisma_schema() {
    golden("sources/schema-literal.prisma");
}

#[test]
fn toml() {
    golden("sources/config.toml");
}

#[test]
fn ini() {
    golden("sources/alembic.ini");
}

#[test]
fn web_config() {
    golden("sources/web.config");
}
