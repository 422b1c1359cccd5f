//! Snapshots of what `sources::scan` finds in realistic files of each kind
//! (tests/data/sources/, fake credentials only).

use dblint::sources::{FileKind, LineIndex, Scan, scan};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct CandidateView {
    key: String,
    value: String,
    form: &'static str,
    encoding: String,
    /// `line:col-line:col` of the value's own text.
    at: String,
    /// The whole token as written.
    token: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    opaque: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct View {
    kind: &'static str,
    candidates: Vec<CandidateView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    env_refs: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new("tests/data/sources").join(name)).unwrap()
}

fn view(src: &str, s: &Scan) -> View {
    let idx = LineIndex::new(src);
    let pos = |o: usize| {
        let (l, c) = idx.line_col(o);
        format!("{l}:{c}")
    };
    View {
        kind: s.kind.name(),
        candidates: s
            .candidates
            .iter()
            .map(|c| CandidateView {
                key: c.key.clone(),
                value: c.value.clone(),
                form: c.form.name(),
                encoding: serde_json::to_value(c.encoding).unwrap().as_str().unwrap().to_string(),
                at: format!("{}-{}", pos(c.span.start), pos(c.span.end)),
                token: c.token.text(src).to_string(),
                opaque: c.opaque().iter().map(|o| o.text(&c.value).to_string()).collect(),
                notes: c.notes.iter().map(|n| format!("{}: {}", pos(n.span.start), n.message)).collect(),
            })
            .collect(),
        suppressions: s
            .suppressions
            .iter()
            .map(|x| {
                format!("line {} -> {}: [{}] {}", x.line, x.applies_to, x.codes.join(","), x.reason.as_deref().unwrap_or("(no reason)"))
            })
            .collect(),
        env_refs: s.env_refs.iter().map(|r| format!("{} = env({}) at {}", r.key, r.name, pos(r.span.start))).collect(),
        errors: s.errors.iter().map(|e| format!("{}:{} {}", e.line, e.col, e.message)).collect(),
    }
}

/// Invariants every scan must keep, whatever the file.
fn check_invariants(src: &str, s: &Scan) {
    for c in &s.candidates {
        assert!(c.token.contains(c.span), "{}: span outside token", c.key);
        assert!(src.get(c.token.range()).is_some(), "{}: token not on char boundaries", c.key);
        // Every verbatim piece holds exactly the file's bytes.
        for p in c.map.pieces() {
            if p.kind == dblint::sources::PieceKind::Verbatim {
                assert_eq!(p.value.text(&c.value), p.file.text(src), "{}", c.key);
            }
        }
        assert_eq!(c.map.value_len(), c.value.len(), "{}", c.key);
        // An empty edit list maps to nothing.
        assert_eq!(c.file_edits(&[]), Ok(vec![]));
    }
}

fn snapshot(name: &str, kind: FileKind) {
    let src = read(name);
    assert_eq!(FileKind::from_path(Path::new(name)), kind, "{name}");
    let s = scan(kind, &src).unwrap();
    check_invariants(&src, &s);
    insta::assert_yaml_snapshot!(format!("sources_{}", name.replace('.', "_")), view(&src, &s));
}

#[test]
fn dotenv_crlf_bom() {
    snapshot("crlf-bom.env", FileKind::Dotenv);
}

#[test]
fn dotenv_features() {
    snapshot("app.env", FileKind::Dotenv);
}

#[test]
fn appsettings_json() {
    snapshot("appsettings.Production.json", FileKind::Json);
}

#[test]
fn docker_compose_yaml() {
    snapshot("docker-compose.yml", FileKind::Yaml);
}

#[test]
fn kubernetes_yaml() {
    snapshot("k8s-deployment.yaml", FileKind::Yaml);
}

#[test]
fn spring_properties() {
    snapshot("application-prod.properties", FileKind::Properties);
}

#[test]
fn prisma_env_reference() {
    snapshot("schema.prisma", FileKind::Prisma);
}

#[test]
fn prisma_literal() {
    snapshot("schema-literal.prisma", FileKind::Prisma);
}

#[test]
fn toml_config() {
    snapshot("config.toml", FileKind::Toml);
}

#[test]
fn alembic_ini() {
    snapshot("alembic.ini", FileKind::Ini);
}

#[test]
fn web_config() {
    snapshot("web.config", FileKind::Xml);
}

#[test]
fn free_text() {
    snapshot("notes.md", FileKind::Text);
}
