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
        // Our decoding agreed with the container parser's (a disagreement
        // leaves a single escape over the whole value).
        assert!(c.map.pieces().iter().any(|p| p.kind == dblint::sources::PieceKind::Verbatim), "{}: not decoded", c.key);
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

#[test]
fn structured_files_that_do_not_parse_report_where() {
    let e = scan(FileKind::Json, "{\n  \"a\": ,\n}").unwrap_err();
    assert_eq!((e.line, e.col), (2, 8));
    let e = scan(FileKind::Yaml, "a: [1, 2\nb: 'open\n").unwrap_err();
    assert!(e.line >= 1 && e.span.end <= 18, "{e:?}");
    let e = scan(FileKind::Toml, "[a]\nurl = \"open\n").unwrap_err();
    assert_eq!(e.line, 2, "{e:?}");
}

#[test]
fn suppressions_stack_and_bad_directives_are_errors() {
    let src = "# dblint: ignore[DBL101] first\n# dblint: ignore[DBL102]\n\nURL=postgres://h/db # dblint: ignore\n# dblint: ignore[DBL1\n# dblint: silence[DBL1]\n# dblint: ignore[x] \n";
    let s = scan(FileKind::Dotenv, src).unwrap();
    let got: Vec<_> = s.suppressions.iter().map(|x| (x.line, x.applies_to, x.codes.clone(), x.reason.clone())).collect();
    assert_eq!(
        got,
        vec![(1, 4, vec!["DBL101".to_string()], Some("first".to_string())), (2, 4, vec!["DBL102".to_string()], None), (4, 4, vec![], None),]
    );
    assert!(s.suppressions[0].covers("dbl101", 4, 4));
    assert!(!s.suppressions[0].covers("DBL102", 4, 4));
    assert!(s.suppressions[2].covers("DBL999", 4, 4));
    let errors: Vec<_> = s.errors.iter().map(|e| (e.line, e.col)).collect();
    assert_eq!(errors, vec![(5, 17), (6, 11), (7, 18)]);
    // XML, JSON block and TOML comments carry directives too.
    let s = scan(FileKind::Xml, "<a>\n  <!-- dblint: ignore[DBL1] x -->\n  <b url=\"postgres://h/db\"/>\n</a>").unwrap();
    assert_eq!((s.suppressions[0].applies_to, s.suppressions[0].reason.as_deref()), (3, Some("x")));
    let s = scan(FileKind::Json, "{ /* dblint: ignore[DBL1] y */ \"url\": \"postgres://h/db\" }").unwrap();
    assert_eq!((s.suppressions[0].applies_to, s.suppressions[0].reason.as_deref()), (1, Some("y")));
}

#[test]
fn ordinary_config_values_are_not_candidates() {
    let cases = [
        (
            FileKind::Dotenv,
            "POOL=min=1 max=10\nDATA_DIR=/var/lib/app\nGREETING=host=world\nDB_PATH=/var/lib/db\nREDIS_URL=redis://h:6379\nSENTRY_DSN=https://k@sentry.io/1\n",
        ),
        (
            FileKind::Json,
            "{ \"Logging\": { \"Default\": \"Server=trace\" }, \"Db\": { \"Path\": \"/var/db\" }, \"ConnectionStrings\": { \"Sqlite\": \"Data Source=app.sqlite\" } }",
        ),
        (FileKind::Yaml, "logging:\n  level: host=debug\ndb:\n  pool: min=1 max=5\n  file: /var/db\n"),
        (FileKind::Properties, "server.port=8080\nlogging.pattern=host=%h\nspring.datasource.driver-class-name=org.postgresql.Driver\n"),
        (FileKind::Toml, "[server]\nhost = \"host=0.0.0.0\"\n[db]\npath = \"/var/db\"\n"),
        (FileKind::Ini, "[server]\nlisten = host=0.0.0.0 port=80\n"),
        (FileKind::Xml, "<c><add key=\"Title\" value=\"Server=Main\"/><add key=\"Db\" value=\"/var/db\"/></c>"),
        (FileKind::Text, "See https://example.com and redis://cache:6379 and xpostgres://nope.\n"),
    ];
    for (kind, src) in cases {
        let s = scan(kind, src).unwrap();
        assert!(s.candidates.is_empty(), "{kind:?}: {:?}", s.candidates.iter().map(|c| &c.key).collect::<Vec<_>>());
    }
}

#[test]
fn sniffing_and_positions() {
    let conf = "# pg_service.conf\n[app]\nhost=db.example.com\n";
    assert_eq!(FileKind::sniff(Path::new("pg_service.conf"), conf), FileKind::Conf);
    let src = "A=1\r\nURL=\"postgres://é@h/db\"\r\n";
    let s = scan(FileKind::Dotenv, src).unwrap();
    let idx = LineIndex::new(src);
    let c = &s.candidates[0];
    assert_eq!(idx.line_col(c.span.start), (2, 6));
    assert_eq!(idx.line_col(c.span.end), (2, 23));
    assert_eq!(idx.line_text(2), "URL=\"postgres://é@h/db\"");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    assert!(scan(FileKind::Yaml, &deep).is_err());
    let deep = format!("{{\"a\": {}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert!(scan(FileKind::Json, &deep).is_err());
    let deep = format!("a = {}{}\n", "[".repeat(5000), "]".repeat(5000));
    assert!(scan(FileKind::Toml, &deep).is_err());
}

#[test]
fn whole_interpolations_are_env_refs() {
    let s = scan(
        FileKind::Yaml,
        "services:\n  api:\n    environment:\n      DATABASE_URL: ${PRIMARY_URL:-postgres://localhost/app}\n      GREETING: ${HELLO}\n",
    )
    .unwrap();
    let refs: Vec<_> = s.env_refs.iter().map(|r| (r.key.as_str(), r.name.as_str())).collect();
    assert_eq!(refs, vec![("services.api.environment.DATABASE_URL", "PRIMARY_URL")]);
    let s = scan(FileKind::Properties, "spring.datasource.url=${JDBC_URL}\n").unwrap();
    assert_eq!(s.env_refs[0].name, "JDBC_URL");
    let s = scan(FileKind::Dotenv, "DB_URL=$PRIMARY_URL\nLITERAL_URL='$PRIMARY_URL'\n").unwrap();
    assert_eq!(s.env_refs.len(), 1);
    assert_eq!((s.env_refs[0].name.as_str(), s.env_refs[0].span), ("PRIMARY_URL", dblint::syntax::Span::new(7, 19)));
}
