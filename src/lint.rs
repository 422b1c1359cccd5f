//! Linting a file end to end: find its connection strings ([`sources`]),
//! read each as its client does and evaluate the rules, honour
//! suppressions, and place every diagnostic, fix and secret in file
//! coordinates for the reporters and the fixer.

use crate::config::Config;
use crate::model::{Client, Options};
use crate::report::{FileReport, Finding};
use crate::rules::{self, Applicability, Context, Diagnostic, Environment, Fix, RuleSet, Selection, Severity};
use crate::sources::{self, FileKind};
use crate::syntax::{Form, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Everything that stays the same across the files of one run.
pub struct Linter<'a> {
    pub rules: &'a RuleSet,
    pub config: &'a Config,
    pub selection: Selection,
    pub opts: Options,
    /// `--client`: read every string as this client (where it reads the form).
    pub client: Option<Client>,
    /// `--env`: the environment of every file.
    pub env: Option<Environment>,
    /// Which diagnostics carry their fixes' edits (see [`Context::fixes`]).
    pub fixes: Option<Applicability>,
    /// What the project around a directory says about clients, by directory.
    projects: Mutex<HashMap<PathBuf, Arc<Project>>>,
    /// What each directory holds on its own, by absolute path: the files
    /// of a tree share their ancestors, which are read once.
    dirs: Mutex<HashMap<PathBuf, Arc<DirFacts>>>,
}

/// What linting one file reuses from one lint to the next (a fix lints it
/// again after each round): what its path decides, worked out once, and the
/// lints of its strings, by client and text, in string coordinates. Valid
/// for one file only.
#[derive(Debug, Default)]
pub struct FileMemo {
    setup: Option<FileSetup>,
    strings: HashMap<StringKey, StringLintMemo>,
}

/// A string as linted: its client, its text and the spans of it that the file interpolates.
type StringKey = (Option<Client>, String, Vec<Span>);

/// What a file's path decides, whatever its content: the context and the
/// rules its strings are linted with, and the project around it.
#[derive(Debug)]
struct FileSetup {
    ctx: Context,
    selection: Selection,
    project: Arc<Project>,
    /// The client the configuration's globs give the file.
    config_client: Option<Client>,
}

/// One string's secrets and diagnostics, in string coordinates.
type StringLintMemo = (Vec<Span>, Vec<Diagnostic>);

/// A string found in a file, linted.
#[derive(Clone, Debug)]
pub struct StringLint {
    /// Index of the candidate in the file's scan.
    pub candidate: usize,
    /// The string's file region.
    pub span: Span,
    /// Diagnostics in file coordinates.
    pub diagnostics: Vec<Diagnostic>,
}

/// A file, linted.
#[derive(Clone, Debug)]
pub struct FileLint {
    pub report: FileReport,
    pub kind: FileKind,
    /// Number of connection strings found.
    pub strings: usize,
}

/// The code of findings about the file itself rather than a string in it.
pub const FILE_SYNTAX_CODE: &str = "DBL100";

impl<'a> Linter<'a> {
    pub fn new(rules: &'a RuleSet, config: &'a Config, selection: Selection, opts: Options) -> Self {
        Linter {
            rules,
            config,
            selection,
            opts,
            client: None,
            env: None,
            fixes: Some(Applicability::NeedsLiveCheck),
            projects: Mutex::default(),
            dirs: Mutex::default(),
        }
    }

    /// The environment of a file: `--env`, then the configuration's globs,
    /// then the file name, then the configuration's default.
    pub fn environment(&self, path: &Path) -> Environment {
        self.env
            .or_else(|| self.config.environment_for(path))
            .or_else(|| match Environment::from_path(path) {
                Environment::Unknown => None,
                e => Some(e),
            })
            .or(self.config.env)
            .unwrap_or_default()
    }

    /// The client that reads the string under `key` (an environment
    /// variable, a JSON path …) of `form` in the file at `path`: `--client`,
    /// the configuration's globs, the file itself (a Prisma schema), a Prisma
    /// schema of the project that reads this variable (`env("KEY")`), the
    /// project's `package.json` dependencies, and otherwise the form's most
    /// common client. `config_client` and `project` are what the configuration and the
    /// project around it say about `path` (its [`FileSetup`]).
    fn client(&self, path: &Path, config_client: Option<Client>, project: &Project, key: &str, form: Form) -> Option<Client> {
        let reads = |c: &Client| c.reads(form);
        if let Some(c) = self.client.filter(reads) {
            return Some(c);
        }
        if let Some(c) = config_client.filter(reads) {
            return Some(c);
        }
        if path.extension().is_some_and(|e| e == "prisma") && Client::Prisma.reads(form) {
            return Some(Client::Prisma);
        }
        let var = key.rsplit(['.', ':']).next().unwrap_or(key);
        if Client::Prisma.reads(form) && project.prisma_env.iter().any(|n| n == var) {
            return Some(Client::Prisma);
        }
        // A project whose Prisma schema reads other variables does not read this one with Prisma.
        project.clients.iter().copied().filter(|c| *c != Client::Prisma || project.prisma_env.is_empty()).find(reads)
    }

    /// What the project around `path` says, cached by directory.
    fn project(&self, path: &Path) -> Arc<Project> {
        let Some(dir) = sources::parent_dir(path) else { return Arc::default() };
        if let Ok(cache) = self.projects.lock() {
            if let Some(p) = cache.get(dir) {
                return p.clone();
            }
        }
        let found = Arc::new(self.discover(dir));
        if let Ok(mut cache) = self.projects.lock() {
            cache.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// Look at `dir` and its ancestors, up to the repository root (at most
    /// eight levels): the nearest `package.json` names the clients, every
    /// Prisma schema on the way names the variables Prisma reads.
    fn discover(&self, dir: &Path) -> Project {
        let mut project = Project::default();
        let mut manifest_seen = false;
        for (i, d) in crate::config::absolute(dir).ancestors().take(8).enumerate() {
            let facts = self.dir_facts(d);
            if i == 0 {
                project.has_prisma_dir = facts.has_prisma_dir;
            }
            if !manifest_seen {
                if let Some(clients) = &facts.manifest {
                    manifest_seen = true;
                    project.clients = clients.clone();
                }
            }
            project.prisma_env.extend(facts.prisma_env.iter().cloned());
            if facts.repo_root {
                break;
            }
        }
        project.prisma_env.sort();
        project.prisma_env.dedup();
        project
    }

    /// [`DirFacts`] of one directory, read once per run.
    fn dir_facts(&self, dir: &Path) -> Arc<DirFacts> {
        if let Some(f) = self.dirs.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return f;
        }
        let facts = Arc::new(DirFacts::read(dir));
        if let Ok(mut cache) = self.dirs.lock() {
            cache.insert(dir.to_path_buf(), facts.clone());
        }
        facts
    }

    /// What `path` decides for linting the file there.
    fn setup(&self, path: &Path) -> FileSetup {
        let project = self.project(path);
        let ctx = Context {
            env: self.environment(path),
            base_dir: sources::parent_dir(path).map(Path::to_path_buf),
            prisma_dir: prisma_dir(path, &project),
            in_file: true,
            fixes: self.fixes,
            ..Context::default()
        };
        let mut selection = self.selection.clone();
        selection.ignore.extend(self.config.ignores_for(path));
        FileSetup { ctx, selection, project, config_client: self.config.client_for(path) }
    }

    /// Lint the content of the file at `path`.
    pub fn lint_file(&self, path: &Path, display: &str, content: &str) -> FileLint {
        self.lint_file_memo(path, display, content, &mut FileMemo::default())
    }

    /// [`Linter::lint_file`] reusing, through `memo`, what an earlier lint of
    /// this file worked out: a fix round works out the file's setup once and
    /// re-lints only the strings it changed.
    pub fn lint_file_memo(&self, path: &Path, display: &str, content: &str, memo: &mut FileMemo) -> FileLint {
        let kind = FileKind::sniff(path, content);
        let FileMemo { setup, strings: memo } = memo;
        let FileSetup { ctx, selection, project, config_client } = setup.get_or_insert_with(|| self.setup(path));
        let selection = &*selection;
        let mut report = FileReport { path: display.to_string(), source: content.to_string(), secrets: Vec::new(), findings: Vec::new() };
        let scan = match sources::scan(kind, content) {
            Ok(s) => s,
            Err(e) => {
                report.findings.push(file_syntax_finding(&e, selection));
                report.findings.retain(|f| !f.diagnostic.code.is_empty());
                return FileLint { report, kind, strings: 0 };
            }
        };
        for e in &scan.errors {
            let f = file_syntax_finding(e, selection);
            if !f.diagnostic.code.is_empty() {
                report.findings.push(f);
            }
        }
        let index = crate::report::LineIndex::new(content);
        for cand in &scan.candidates {
            let client = self.client(path, *config_client, project, &cand.key, cand.form);
            let key = (client, cand.value.clone(), cand.opaque());
            let (secrets, diags) = match memo.get(&key) {
                Some((secrets, diags)) => (secrets.clone(), diags.clone()),
                None => {
                    // `$VAR` that the file expands: a context of its own (rare, so cloned then).
                    let (_, _, interpolated) = &key;
                    let own;
                    let ctx = if interpolated.is_empty() {
                        &*ctx
                    } else {
                        own = Context { interpolated: interpolated.clone(), ..ctx.clone() };
                        &own
                    };
                    let (analysis, diags) = rules::lint_str(self.rules, &cand.value, client, ctx, &self.opts, selection);
                    let secrets = string_secrets(analysis.as_ref(), &cand.value);
                    memo.insert(key, (secrets.clone(), diags.clone()));
                    (secrets, diags)
                }
            };
            let string_span = cand.map.file_span().unwrap_or(cand.span);
            for s in secrets {
                if let Some(fs) = cand.map.cover(s) {
                    report.secrets.push(fs);
                }
            }
            for mut d in diags {
                let span = cand.map.cover(d.span).unwrap_or(string_span);
                let (first, last) = (index.line_of(span.start) + 1, index.line_of(span.end.saturating_sub(1).max(span.start)) + 1);
                if scan.suppressions.iter().any(|s| s.covers(d.code, first, last)) {
                    continue;
                }
                d.span = span;
                d.fix = d.fix.and_then(|fix| match cand.file_edits(&fix.edits) {
                    Ok(edits) => Some(Fix { edits, ..fix }),
                    Err(e) => {
                        d.notes.push(format!("the fix ({}) cannot be written in this file: {e}", fix.title));
                        None
                    }
                });
                report.findings.push(Finding { diagnostic: d, string_span });
            }
        }
        report.secrets.sort();
        report.secrets.dedup();
        report.findings.sort_by_key(|f| (f.diagnostic.span.start, f.diagnostic.code));
        FileLint { report, kind, strings: scan.candidates.len() }
    }

    /// Lint a string given on the command line (or stdin).
    pub fn lint_string(&self, display: &str, input: &str) -> FileReport {
        let ctx = Context { env: self.env.or(self.config.env).unwrap_or_default(), fixes: self.fixes, ..Context::default() };
        let (analysis, diags) = rules::lint_str(self.rules, input, self.client, &ctx, &self.opts, &self.selection);
        let secrets = string_secrets(analysis.as_ref(), input);
        let whole = Span::new(0, input.len());
        let findings = diags.into_iter().map(|d| Finding { diagnostic: d, string_span: whole }).collect();
        FileReport { path: display.to_string(), source: input.to_string(), secrets, findings }
    }
}

/// Everything to hide in one string: its secret tokens when it parses, and
/// whatever looks like a secret ([`crate::report::redact::generic_spans`]),
/// which catches a password the client misreads as a host or a key.
fn string_secrets(analysis: Option<&crate::model::Analysis<'_>>, text: &str) -> Vec<Span> {
    let mut out = match analysis {
        Some(a) => crate::report::redact::secret_spans(&a.tree),
        None => unparsed_secret(text).into_iter().collect(),
    };
    out.extend(crate::report::redact::generic_spans(text));
    crate::report::redact::merge_spans(out)
}

/// The userinfo of a URL-looking string that did not parse, so that it can
/// be hidden: from after `://` to the last `@` before the path.
pub fn unparsed_secret(s: &str) -> Option<Span> {
    let start = s.find("://")? + 3;
    let rest = &s[start..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let at = rest[..end].rfind('@')?;
    let colon = rest[..at].find(':').map_or(0, |c| c + 1);
    Some(Span::new(start + colon, start + at))
}

fn file_syntax_finding(e: &sources::SourceError, selection: &Selection) -> Finding {
    let rule = RuleSet::builtin().find(FILE_SYNTAX_CODE);
    let selected = rule.is_some_and(|r| selection.selects(r));
    let (code, name) = match (rule, selected) {
        (Some(r), true) => (r.id(), r.name()),
        _ => ("", ""),
    };
    let d = Diagnostic {
        code,
        name,
        severity: Severity::Error,
        message: e.message.clone(),
        span: e.span,
        fix: None,
        fixable: None,
        notes: Vec::new(),
    };
    Finding { diagnostic: d, string_span: e.span }
}

/// The Prisma schema directory for a file at `path`, against which Prisma resolves
/// certificate paths: the file's own directory for `*.prisma`, `./prisma` next to it when
/// that exists (known from the directory's [`DirFacts`], read once per run).
fn prisma_dir(path: &Path, project: &Project) -> Option<PathBuf> {
    let dir = path.parent()?;
    if path.extension().is_some_and(|e| e == "prisma") {
        return Some(dir.to_path_buf());
    }
    project.has_prisma_dir.then(|| dir.join("prisma"))
}

/// What a project's files say about the clients reading its strings.
#[derive(Clone, Debug, Default)]
struct Project {
    /// Clients its nearest `package.json` depends on (Prisma, node-postgres, mysql2, tedious).
    clients: Vec<Client>,
    /// Environment variables its Prisma schemas read (`url = env("DATABASE_URL")`).
    prisma_env: Vec<String>,
    /// Whether the directory itself has a `prisma` subdirectory (its [`DirFacts`]).
    has_prisma_dir: bool,
}

/// What one directory says about the project, on its own.
#[derive(Debug, Default)]
struct DirFacts {
    /// The clients its `package.json` depends on, when it has one.
    manifest: Option<Vec<Client>>,
    /// Variables its Prisma schemas read with `env("…")`.
    prisma_env: Vec<String>,
    /// Whether it has a `prisma` subdirectory (Prisma's schema directory).
    has_prisma_dir: bool,
    /// Whether it is a repository root (holds `.git`): the search stops there.
    repo_root: bool,
}

impl DirFacts {
    fn read(d: &Path) -> DirFacts {
        let manifest = std::fs::read_to_string(d.join("package.json")).ok().map(|text| manifest_clients(&text));
        let has_prisma_dir = d.join("prisma").is_dir();
        let mut prisma_env = Vec::new();
        for schema in prisma_schemas(d, has_prisma_dir) {
            if let Ok(text) = std::fs::read_to_string(&schema) {
                if let Ok(scan) = sources::scan(FileKind::Prisma, &text) {
                    prisma_env.extend(scan.env_refs.into_iter().map(|r| r.name));
                }
            }
        }
        DirFacts { manifest, prisma_env, has_prisma_dir, repo_root: d.join(".git").exists() }
    }
}

/// Prisma schemas in `dir`: `schema.prisma`, `prisma/schema.prisma`, and
/// the multi-file `prisma/schema/*.prisma` (looked for only when `dir` has a `prisma` directory).
fn prisma_schemas(dir: &Path, has_prisma_dir: bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::iter::once(dir.join("schema.prisma"))
        .chain(has_prisma_dir.then(|| dir.join("prisma").join("schema.prisma")))
        .filter(|p| p.is_file())
        .collect();
    if !has_prisma_dir {
        return out;
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("prisma").join("schema")) {
        out.extend(entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "prisma")));
    }
    out
}

/// Clients named by a `package.json`'s dependencies.
fn manifest_clients(text: &str) -> Vec<Client> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else { return Vec::new() };
    let has = |name: &str| {
        ["dependencies", "devDependencies", "peerDependencies"].iter().any(|k| json.get(k).and_then(|m| m.get(name)).is_some())
    };
    let mut out = Vec::new();
    if has("@prisma/client") || has("prisma") {
        out.push(Client::Prisma);
    }
    if has("pg") {
        out.push(Client::NodePostgres);
    }
    if has("mysql2") {
        out.push(Client::Mysql2);
    }
    if has("tedious") || has("mssql") {
        out.push(Client::Tedious);
    }
    out
}
