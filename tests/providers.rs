//! The provider corpus: connection strings as managed-database providers
//! print them in their docs and consoles, and as their users really wrote
//! them (`tests/data/providers/*.yaml`). Every entry names the client that
//! reads it and either the rules that must fire (`expect`) or
//! `recommended: true` (the provider's recommended string: nothing may fire
//! at warning or error severity). The data format is described in
//! `tests/data/providers/README.md`.
//!
//! Failures name the file, the entry, the client, the string and the rule
//! expected or found, so a regression in a client model reads as a sentence.

use dblint::model::{Client, Options};
use dblint::rules::facts::Facts;
use dblint::rules::{self, Context, Diagnostic, Environment, Provider, RuleSet, Selection, Severity};
use dblint::syntax::TokenKind;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One file of the corpus: one provider.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CorpusFile {
    /// What the file covers, for people.
    title: String,
    /// The provider every entry's host must be recognised as, unless the
    /// entry says otherwise (`provider:` on the entry; `none` for hosts no
    /// provider can be recognised from, e.g. an IP address).
    provider: String,
    /// Host names alone, with the provider `Provider::detect` must see.
    #[serde(default)]
    hosts: Vec<HostCase>,
    entries: Vec<Entry>,
}

/// A host name and the provider it belongs to (`none` for no provider).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HostCase {
    host: String,
    provider: String,
    /// A known detection gap, described (see `Entry::pending`).
    #[serde(default)]
    pending: Option<String>,
}

/// One connection string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Entry {
    /// A short name: where the string comes from or what it shows.
    name: String,
    string: String,
    /// The client that reads it (`Client::from_name`).
    client: String,
    /// URL, or repository + path / issue, as cited in `domain.md`.
    source: String,
    /// Rule ids that must fire (at any severity).
    #[serde(default)]
    expect: Vec<String>,
    /// The provider's recommended string: no warning or error may fire.
    #[serde(default)]
    recommended: bool,
    /// Overrides the file's provider for this entry.
    #[serde(default)]
    provider: Option<String>,
    /// Rules that may fire without being expected, because their outcome
    /// depends on the machine running the test (a CA path outside the test's
    /// directory). Each use carries a comment in the data file.
    #[serde(default)]
    allow: Vec<String>,
    /// Files to create next to the string (CA bundles …): name → content, or
    /// `@path` to copy a file of this repository (e.g. `@fixtures/certs/valid-ca.pem`).
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// `production` / `development`; unknown when absent.
    #[serde(default)]
    env: Option<String>,
    /// Lint the string as found in a file (rules such as DBL601 need it).
    #[serde(default)]
    in_file: bool,
    /// A known gap in a rule or model, described. The entry still runs: its
    /// failure is reported but does not fail the suite, and its success does
    /// (so the marker is removed once the gap is closed).
    #[serde(default)]
    pending: Option<String>,
    /// Free text for people (why this string is interesting).
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// Every provider, by its `Provider::name`.
const PROVIDERS: [Provider; 16] = [
    Provider::Rds,
    Provider::Aurora,
    Provider::RdsProxy,
    Provider::AzureSql,
    Provider::AzurePostgres,
    Provider::AzureMysql,
    Provider::CloudSql,
    Provider::Supabase,
    Provider::SupabasePooler,
    Provider::Neon,
    Provider::PlanetScale,
    Provider::DigitalOcean,
    Provider::CockroachCloud,
    Provider::Aiven,
    Provider::TidbCloud,
    Provider::Heroku,
];

/// `Some(None)` for `none`, `Some(Some(p))` for a provider's name, `None` if unknown.
fn provider_named(name: &str) -> Option<Option<Provider>> {
    if name == "none" {
        return Some(None);
    }
    PROVIDERS.iter().find(|p| p.name() == name).map(|p| Some(*p))
}

fn provider_name(p: Option<Provider>) -> &'static str {
    p.map_or("none", Provider::name)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<(String, CorpusFile)> {
    let dir = root().join("tests/data/providers");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            let file: CorpusFile = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, file)
        })
        .collect()
}

/// Write an entry's files into `dir`.
fn materialise(dir: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    for (name, content) in files {
        let bytes = match content.strip_prefix('@') {
            Some(rel) => std::fs::read(root().join(rel)).map_err(|e| format!("files: cannot read {rel}: {e}"))?,
            None => content.clone().into_bytes(),
        };
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("files: cannot write {name}: {e}"))?;
    }
    Ok(())
}

/// Where one entry stands.
struct Outcome {
    /// Problems, each a full sentence; empty when the entry holds.
    problems: Vec<String>,
}

fn describe(d: &Diagnostic) -> String {
    format!("{} ({}): {}", d.code, d.severity, d.message)
}

/// Run one entry and compare what fires with what it says.
fn check_entry(file: &CorpusFile, entry: &Entry) -> Outcome {
    let mut problems = Vec::new();
    let Some(client) = Client::from_name(&entry.client) else {
        return Outcome { problems: vec![format!("unknown client {:?}", entry.client)] };
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    if let Err(e) = materialise(dir.path(), &entry.files) {
        return Outcome { problems: vec![e] };
    }
    let env = match entry.env.as_deref() {
        None => Environment::Unknown,
        Some(e) => match Environment::from_name(e) {
            Some(env) => env,
            None => return Outcome { problems: vec![format!("unknown env {e:?}")] },
        },
    };
    let ctx = Context {
        env,
        base_dir: Some(dir.path().to_path_buf()),
        prisma_dir: Some(dir.path().to_path_buf()),
        in_file: entry.in_file,
        ..Context::default()
    };
    let (analysis, diags) =
        rules::lint_str(RuleSet::builtin(), &entry.string, Some(client), &ctx, &Options::default(), &Selection::default());
    let fired: BTreeSet<&str> = diags.iter().map(|d| d.code).collect();

    // Every expected rule fires.
    for id in &entry.expect {
        if !fired.contains(id.as_str()) {
            let found = if diags.is_empty() { "nothing".to_string() } else { diags.iter().map(describe).collect::<Vec<_>>().join("; ") };
            problems.push(format!("expected {id} to fire; found {found}"));
        }
    }
    // Nothing else fires at warning or error severity.
    for d in &diags {
        let expected = entry.expect.iter().any(|id| id == d.code);
        let allowed = entry.allow.iter().any(|id| id == d.code);
        if d.severity >= Severity::Warning && !expected && !allowed {
            let what = if entry.recommended { "on a recommended string" } else { "not in `expect`" };
            problems.push(format!("unexpected {} {what}", describe(d)));
        }
    }

    // The host is recognised as the provider's.
    let want_name = entry.provider.as_deref().unwrap_or(&file.provider);
    match (provider_named(want_name), &analysis) {
        (None, _) => problems.push(format!("unknown provider {want_name:?}")),
        (Some(want), Some(analysis)) => {
            let facts = Facts::new(analysis, &ctx);
            if facts.provider != want {
                let hosts: Vec<&str> = analysis.interpretation.endpoints.iter().map(|e| e.host.as_str()).collect();
                problems.push(format!(
                    "provider: expected {want_name}, detected {} (endpoint hosts: {hosts:?})",
                    provider_name(facts.provider)
                ));
            }
        }
        // A string the client cannot parse has no hosts to recognise; DBL101 says so.
        (Some(_), None) => {}
    }

    // No message leaks the password.
    if let Some(analysis) = &analysis {
        let tree = &analysis.tree;
        let secrets: Vec<&str> =
            tree.tokens.iter().filter(|t| t.kind.is_secret()).map(|t| tree.text(t.span)).filter(|s| s.len() >= 4).collect();
        for d in &diags {
            for s in &secrets {
                if d.message.contains(s) || d.notes.iter().any(|n| n.contains(s)) {
                    problems.push(format!("{} prints a secret in its message or notes", d.code));
                }
            }
        }
    }
    Outcome { problems }
}

fn entry_header(file_name: &str, index: usize, entry: &Entry) -> String {
    format!("{file_name} #{} \"{}\"\n    client: {}\n    string: {}", index + 1, entry.name, entry.client, entry.string)
}

#[test]
fn every_entry_behaves_as_the_corpus_says() {
    let mut failures = Vec::new();
    let mut pending_report = Vec::new();
    let mut total = 0;
    for (file_name, file) in corpus() {
        for (i, entry) in file.entries.iter().enumerate() {
            total += 1;
            let outcome = check_entry(&file, entry);
            let header = entry_header(&file_name, i, entry);
            match (&entry.pending, outcome.problems.is_empty()) {
                (None, true) => {}
                (None, false) => {
                    let mut s = header;
                    for p in &outcome.problems {
                        let _ = write!(s, "\n    - {p}");
                    }
                    failures.push(s);
                }
                (Some(why), false) => {
                    pending_report.push(format!("{header}\n    pending: {why}\n    - {}", outcome.problems.join("\n    - ")))
                }
                (Some(why), true) => failures.push(format!("{header}\n    - passes now: remove `pending: {why}`")),
            }
        }
    }
    if !pending_report.is_empty() {
        eprintln!("{} pending entries (known gaps, not failures):\n{}", pending_report.len(), pending_report.join("\n"));
    }
    assert!(failures.is_empty(), "{} of {total} corpus entries fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn corpus_entries_are_well_formed() {
    let files = corpus();
    let mut problems = Vec::new();
    let mut count = 0;
    let known: BTreeSet<&str> = RuleSet::builtin().rules.iter().map(|r| r.id()).collect();
    for (file_name, file) in &files {
        if file.title.trim().is_empty() {
            problems.push(format!("{file_name}: empty title"));
        }
        if provider_named(&file.provider).is_none() {
            problems.push(format!("{file_name}: unknown provider {:?}", file.provider));
        }
        if file.entries.is_empty() {
            problems.push(format!("{file_name}: no entries"));
        }
        for (i, e) in file.entries.iter().enumerate() {
            count += 1;
            let at = format!("{file_name} #{} \"{}\"", i + 1, e.name);
            match (e.recommended, e.expect.is_empty()) {
                (true, false) => problems.push(format!("{at}: both `recommended` and `expect`")),
                (false, true) => problems.push(format!("{at}: neither `recommended: true` nor `expect`")),
                _ => {}
            }
            if Client::from_name(&e.client).is_none() {
                problems.push(format!("{at}: unknown client {:?}", e.client));
            }
            if let Some(p) = &e.provider {
                if provider_named(p).is_none() {
                    problems.push(format!("{at}: unknown provider {p:?}"));
                }
            }
            for id in e.expect.iter().chain(&e.allow) {
                if !known.contains(id.as_str()) {
                    problems.push(format!("{at}: {id} is not a rule of the catalogue"));
                }
            }
            if e.source.trim().len() < 8 {
                problems.push(format!("{at}: no source"));
            }
            if e.allow.iter().any(|a| e.expect.contains(a)) {
                problems.push(format!("{at}: a rule both expected and allowed"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(count >= 80, "the corpus shrank to {count} entries");
}

/// Every rule a provider string can trigger is held to at least one entry.
/// Rules about the file around a string (`check: source-error`) cannot be.
#[test]
fn every_rule_is_exercised_by_the_corpus() {
    let expected: BTreeSet<String> =
        corpus().into_iter().flat_map(|(_, f)| f.entries.into_iter().filter(|e| e.pending.is_none()).flat_map(|e| e.expect)).collect();
    let missing: Vec<&str> = RuleSet::builtin()
        .rules
        .iter()
        .filter(|r| r.spec.check.as_deref() != Some("source-error"))
        .map(|r| r.id())
        .filter(|id| !expected.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no corpus entry expects {missing:?}");
}

/// Every provider of `domain.md` §2 has entries, and a recommended string.
#[test]
fn every_provider_has_a_recommended_string() {
    let files = corpus();
    let mut missing = Vec::new();
    for p in PROVIDERS {
        let entries: Vec<&Entry> = files
            .iter()
            .flat_map(|(_, f)| f.entries.iter().filter(move |e| e.provider.as_deref().unwrap_or(&f.provider) == p.name()))
            .collect();
        if !entries.iter().any(|e| e.recommended) {
            missing.push(p.name());
        }
    }
    assert!(missing.is_empty(), "providers without a recommended string in the corpus: {missing:?}");
}

/// `Provider::detect` recognises the host shapes each provider publishes.
#[test]
fn provider_hosts_are_detected() {
    let mut problems = Vec::new();
    let mut pending = Vec::new();
    let mut count = 0;
    for (file_name, file) in corpus() {
        for h in &file.hosts {
            count += 1;
            let Some(want) = provider_named(&h.provider) else {
                problems.push(format!("{file_name}: unknown provider {:?} for {}", h.provider, h.host));
                continue;
            };
            let got = Provider::detect(&h.host);
            let problem = format!("{file_name}: Provider::detect({:?}) = {}, expected {}", h.host, provider_name(got), h.provider);
            match (&h.pending, got == want) {
                (None, true) => {}
                (None, false) => problems.push(problem),
                (Some(why), false) => pending.push(format!("{problem} (pending: {why})")),
                (Some(why), true) => problems.push(format!("{file_name}: {:?} is detected now: remove `pending: {why}`", h.host)),
            }
        }
    }
    if !pending.is_empty() {
        eprintln!("{} pending host cases (known gaps, not failures):\n{}", pending.len(), pending.join("\n"));
    }
    assert!(count >= 40, "only {count} host cases");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Credentials in the corpus are visibly fake, so that no secret scanner
/// (or reader) mistakes them for real ones.
#[test]
fn corpus_credentials_are_fake() {
    const MARKERS: [&str; 5] = ["example", "changeme", "fake", "${", "<"];
    let mut problems = Vec::new();
    for (file_name, file) in corpus() {
        for (i, e) in file.entries.iter().enumerate() {
            let client = Client::from_name(&e.client);
            let Ok(analysis) = dblint::model::analyze(&e.string, client, &Options::default()) else { continue };
            let tree = &analysis.tree;
            for t in tree.tokens.iter().filter(|t| t.kind == TokenKind::Password || t.kind == TokenKind::SecretValue) {
                let text = tree.text(t.span).to_ascii_lowercase();
                // Flags of secret-sounding keys (`allowCleartextPasswords=true`) are not secrets.
                let flag = matches!(text.as_str(), "true" | "false" | "0" | "1" | "yes" | "no");
                if !text.is_empty() && !flag && !MARKERS.iter().any(|m| text.contains(m)) {
                    problems.push(format!("{file_name} #{} \"{}\": password {:?} is not visibly fake", i + 1, e.name, tree.text(t.span)));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `fixtures/.env.example` is what a new developer copies: placeholders
/// only, and dblint must have nothing to say about it. (A plain reading of
/// the file's `KEY=value` lines; the file uses nothing fancier.)
#[test]
fn env_example_fixture_stays_clean() {
    let path = root().join("fixtures/.env.example");
    let text = std::fs::read_to_string(&path).expect("fixtures/.env.example");
    let ctx =
        Context { env: Environment::from_path(&path), base_dir: path.parent().map(Path::to_path_buf), in_file: true, ..Context::default() };
    let mut linted = 0;
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.trim_start_matches("export ").split_once('=') else { continue };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        if value.is_empty() || !(key.ends_with("_URL") || key.ends_with("_DB")) {
            continue;
        }
        linted += 1;
        let (_, diags) = rules::lint_str(RuleSet::builtin(), value, None, &ctx, &Options::default(), &Selection::default());
        for d in diags.iter().filter(|d| d.severity >= Severity::Warning) {
            problems.push(format!("fixtures/.env.example:{}: {key}: {}", n + 1, describe(d)));
        }
    }
    assert!(linted >= 4, "only {linted} connection strings found in fixtures/.env.example");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A `{placeholder}` left in a message: a template naming a fact that does
/// not exist (facts are `host.name`, `tls.settings`, `client` …).
fn unrendered_placeholder(message: &str) -> Option<&str> {
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'_')
        {
            return Some(name);
        }
        rest = &after[close + 1..];
    }
    None
}

/// Messages on real provider strings are finished sentences: no template
/// placeholder survives rendering.
#[test]
fn messages_have_no_unrendered_placeholders() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (file_name, file) in corpus() {
        for (i, e) in file.entries.iter().enumerate() {
            let Some(client) = Client::from_name(&e.client) else { continue };
            let dir = tempfile::tempdir().expect("temporary directory");
            if materialise(dir.path(), &e.files).is_err() {
                continue;
            }
            let ctx = Context {
                base_dir: Some(dir.path().to_path_buf()),
                prisma_dir: Some(dir.path().to_path_buf()),
                in_file: e.in_file,
                ..Context::default()
            };
            let (_, diags) = rules::lint_str(RuleSet::builtin(), &e.string, Some(client), &ctx, &Options::default(), &Selection::default());
            for d in &diags {
                if let Some(name) = unrendered_placeholder(&d.message) {
                    seen.entry(format!("{} {{{name}}}", d.code)).or_insert_with(|| format!("{file_name} #{}: {}", i + 1, d.message));
                }
            }
        }
    }
    let report: Vec<String> = seen.iter().map(|(k, v)| format!("{k}, e.g. {v}")).collect();
    assert!(report.is_empty(), "unrendered placeholders in messages:\n{}", report.join("\n"));
}

#[test]
fn placeholder_detection() {
    assert_eq!(unrendered_placeholder("libpq sends traffic to {host} unencrypted"), Some("host"));
    assert_eq!(unrendered_placeholder("Keyword not supported: '1};encrypt'"), None);
    assert_eq!(unrendered_placeholder("Driver={ODBC Driver 18 for SQL Server}"), None);
    assert_eq!(unrendered_placeholder("db.example.com accepts any certificate"), None);
}
