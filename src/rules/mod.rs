//! The rule engine. Rules live in `rules/*.yaml` (embedded at build time;
//! users add their own through `rules_dirs`): metadata, documentation,
//! examples, a declarative condition over [`facts`], or a `check` written
//! in Rust, and a fix strategy. [`RuleSet::lint`] turns one analysed string
//! into [`Diagnostic`]s.

pub mod checks;
pub mod condition;
pub mod context;
pub mod diagnostic;
pub mod facts;
pub mod fixes;
pub mod spec;

pub use context::{Environment, Locality, Provider};
pub use diagnostic::{Applicability, Diagnostic, Fix, Severity};

use crate::model::{self, Analysis, Client, Options};
use crate::syntax::{ParseError, Span};
use condition::{Condition, FactSource, render};
use facts::Facts;
use spec::{FixAction, RuleSpec, Scope};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Everything about where a string sits that rules may use.
#[derive(Clone, Debug)]
pub struct Context {
    pub env: Environment,
    /// Directory of the file holding the string: relative CA paths resolve here.
    pub base_dir: Option<PathBuf>,
    /// The Prisma schema directory, against which Prisma resolves certificate paths.
    pub prisma_dir: Option<PathBuf>,
    /// Now, in seconds since the Unix epoch (CA expiry).
    pub now: i64,
    /// Whether the string was found in a file rather than given as an argument.
    pub in_file: bool,
    /// Which diagnostics carry their fixes' edits: those whose fix is at
    /// least this applicable (`None`: none). Computing a fix means rewriting
    /// and re-reading the string; a run that neither applies nor shows a fix
    /// only needs to know it exists ([`Diagnostic::fixable`]).
    pub fixes: Option<Applicability>,
    /// Spans of the string that its file interpolates (`$VAR` in an unquoted `.env` value):
    /// the client reads what they expand to, never the text as written, so nothing in them
    /// is reported, as for template placeholders.
    pub interpolated: Vec<crate::syntax::Span>,
}

impl Default for Context {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Context {
            env: Environment::Unknown,
            base_dir: None,
            prisma_dir: None,
            now,
            in_file: false,
            fixes: Some(Applicability::NeedsLiveCheck),
            interpolated: Vec::new(),
        }
    }
}

/// A loaded rule.
#[derive(Debug)]
pub struct Rule {
    pub spec: RuleSpec,
    /// Where the rule was loaded from (`builtin:DBL201-tls-disabled.yaml` or a path).
    pub origin: String,
    condition: Option<Condition>,
    /// `id` and `name` with a static lifetime for diagnostics.
    id: &'static str,
    name: &'static str,
    /// Documentation and examples: from the rule file, or for built-in
    /// rules parsed on first use from the JSON kept apart at build time.
    about: OnceLock<spec::About>,
    about_json: Option<&'static str>,
}

impl Rule {
    pub fn id(&self) -> &'static str {
        self.id
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    fn about(&self) -> &spec::About {
        self.about.get_or_init(|| match self.about_json {
            // Built-in rules are checked by the test suite; a broken one shows no docs rather than panicking.
            Some(json) => serde_json::from_str(json).unwrap_or_default(),
            None => spec::About { docs: self.spec.docs.clone(), examples: self.spec.examples.clone() },
        })
    }

    /// The rule's documentation.
    pub fn docs(&self) -> &spec::Docs {
        &self.about().docs
    }

    /// The rule's examples.
    pub fn examples(&self) -> &spec::Examples {
        &self.about().examples
    }

    /// The rule's `when` condition, if it has one.
    pub fn condition(&self) -> Option<&Condition> {
        self.condition.as_ref()
    }

    /// Build a rule from its YAML text, validating it.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Rule, String> {
        let spec: RuleSpec = serde_norway::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        if spec.docs.what.trim().is_empty() || spec.docs.why.trim().is_empty() {
            return Err(format!("{origin}: a rule needs `docs` with `what` and `why`"));
        }
        if spec.examples.bad.is_empty() || spec.examples.good.is_empty() {
            return Err(format!("{origin}: a rule needs at least one `bad` and one `good` example"));
        }
        Rule::from_spec(spec, origin, None)
    }

    /// Build a built-in rule from the spec and the `when` condition the build made of its
    /// file (see `build.rs`); its docs and examples (`about`) are parsed when first asked for.
    fn builtin(spec: RuleSpec, when: Option<Result<Condition, String>>, about: &'static str, origin: &str) -> Result<Rule, String> {
        let condition = when.transpose().map_err(|e| format!("{origin}: `when`: {e}"))?;
        Rule::checked(spec, condition, origin, Some(about))
    }

    fn from_spec(spec: RuleSpec, origin: &str, about_json: Option<&'static str>) -> Result<Rule, String> {
        let condition = spec.when.as_ref().map(Condition::from_yaml).transpose().map_err(|e| format!("{origin}: `when`: {e}"))?;
        Rule::checked(spec, condition, origin, about_json)
    }

    /// A rule from its parts, once its id, name, check and clients are known to be valid.
    fn checked(spec: RuleSpec, condition: Option<Condition>, origin: &str, about_json: Option<&'static str>) -> Result<Rule, String> {
        let bytes = spec.id.as_bytes();
        if bytes.len() < 4
            || !spec.id.starts_with(|c: char| c.is_ascii_uppercase())
            || !bytes[bytes.len() - 3..].iter().all(u8::is_ascii_digit)
        {
            return Err(format!("{origin}: id \"{}\" must be letters followed by three digits (e.g. DBL201)", spec.id));
        }
        if spec.name.is_empty() || !spec.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(format!("{origin}: name \"{}\" must be kebab-case", spec.name));
        }
        if let Some(c) = &spec.check {
            if !checks::CHECKS.contains(&c.as_ref()) {
                return Err(format!("{origin}: unknown check \"{c}\" (known: {})", checks::CHECKS.join(", ")));
            }
        }
        if spec.check.is_none() && condition.is_none() {
            return Err(format!("{origin}: a rule needs `when`, `check` or both"));
        }
        for c in &spec.clients {
            if Client::from_name(c).is_none() {
                return Err(format!("{origin}: unknown client \"{c}\""));
            }
        }
        let (id, name) = (static_text(&spec.id), static_text(&spec.name));
        Ok(Rule { spec, origin: origin.to_string(), condition, id, name, about: OnceLock::new(), about_json })
    }

    fn applies_to(&self, analysis: &Analysis<'_>, facts: &Facts<'_, '_>) -> bool {
        let interp = &analysis.interpretation;
        let db_ok = self.spec.databases.is_empty() || {
            let db = facts.fact(&condition::Fact::Database);
            self.spec.databases.iter().any(|d| db.as_deref() == Some(d.as_str()))
        };
        let client_ok = self.spec.clients.is_empty() || self.spec.clients.iter().any(|c| Client::from_name(c) == Some(interp.client));
        db_ok && client_ok && self.condition.as_ref().is_none_or(|c| c.holds(facts))
    }
}

/// Which rules run: `select` and `ignore` hold ids, id prefixes (`DBL2`)
/// or names; an empty `select` selects everything.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    fn matches(pattern: &str, rule: &Rule) -> bool {
        let p = pattern.trim();
        p.eq_ignore_ascii_case("ALL") || rule.id.starts_with(&p.to_ascii_uppercase()) || rule.name == p
    }

    pub fn selects(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| Self::matches(p, rule)))
            && !self.ignore.iter().any(|p| Self::matches(p, rule))
    }

    /// Patterns that match no rule (for a clear error on typos).
    pub fn unknown<'a>(&'a self, rules: &RuleSet) -> Vec<&'a str> {
        self.select.iter().chain(&self.ignore).map(String::as_str).filter(|p| !rules.rules.iter().any(|r| Self::matches(p, r))).collect()
    }
}

/// A set of rules.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

mod embedded {
    use super::Severity;
    use super::condition::{Condition, Test};
    use super::diagnostic::Applicability;
    use super::spec::{Docs, Examples, FixAction, FixSpec, RuleSpec, Scope};
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    /// One rule file as the build compiled it: the rule as written (without `when`, docs
    /// and examples), its `when` condition, and its docs and examples as JSON.
    pub struct Compiled {
        pub file: &'static str,
        pub spec: RuleSpec,
        pub when: Option<Result<Condition, String>>,
        pub about: &'static str,
    }

    include!(concat!(env!("OUT_DIR"), "/rules_index.rs"));
}

/// `text` for as long as dblint runs: a built-in rule's text is in the binary already; a
/// rule read from a file lives as long as the rule set, which is the whole run.
fn static_text(text: &spec::Text) -> &'static str {
    match text {
        std::borrow::Cow::Borrowed(s) => s,
        std::borrow::Cow::Owned(s) => Box::leak(s.clone().into_boxed_str()),
    }
}

/// The rules compiled into dblint, in catalogue order.
fn builtin_rules() -> Result<Vec<Rule>, String> {
    let files = embedded::rule_files();
    // Sized at once: collecting `Result`s would grow the vector of (large) rules step by step.
    let mut rules = Vec::with_capacity(files.len());
    for embedded::Compiled { file, spec, when, about } in files {
        rules.push(Rule::builtin(spec, when, about, &format!("builtin:{file}"))?);
    }
    Ok(rules)
}

impl RuleSet {
    /// The rules shipped with dblint.
    pub fn builtin() -> &'static RuleSet {
        static SET: OnceLock<RuleSet> = OnceLock::new();
        SET.get_or_init(|| match builtin_rules() {
            Ok(mut rules) => {
                rules.sort_by(|a, b| a.id.cmp(b.id));
                RuleSet { rules }
            }
            // Built-in rules are validated by the test suite; a broken one is a build defect.
            Err(e) => panic!("invalid built-in rule: {e}"),
        })
    }

    /// The built-in rules plus every `*.yaml`/`*.yml` rule in `dirs`.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<RuleSet, String> {
        let mut rules = builtin_rules()?;
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read rules directory {}: {e}", dir.display()))?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read rule {}: {e}", p.display()))?;
                let rule = Rule::from_yaml(&text, &p.display().to_string())?;
                if let Some(prev) = rules.iter().find(|r| r.id == rule.id || r.name == rule.name) {
                    return Err(format!("{}: rule {} ({}) is already defined by {}", p.display(), rule.id, rule.name, prev.origin));
                }
                rules.push(rule);
            }
        }
        rules.sort_by(|a, b| a.id.cmp(b.id));
        Ok(RuleSet { rules })
    }

    /// Find a rule by id (case-insensitive) or name.
    pub fn find(&self, key: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
    }

    /// Diagnostics for a string the client cannot even parse.
    pub fn lint_parse_error(&self, err: &ParseError, selection: &Selection) -> Vec<Diagnostic> {
        let Some(rule) = self.rules.iter().find(|r| r.spec.check.as_deref() == Some("parse-error")) else { return Vec::new() };
        if !selection.selects(rule) {
            return Vec::new();
        }
        let mut message = err.message.clone();
        if let Some(exp) = &err.expected {
            message.push_str(&format!(" (expected {exp})"));
        }
        vec![Diagnostic {
            code: rule.id,
            name: rule.name,
            severity: rule.spec.severity,
            message,
            span: err.span,
            fix: None,
            fixable: None,
            notes: Vec::new(),
        }]
    }

    /// Lint one analysed string.
    pub fn lint(&self, analysis: &Analysis<'_>, ctx: &Context, opts: &Options, selection: &Selection) -> Vec<Diagnostic> {
        let facts = Facts::new(analysis, ctx);
        let refused = analysis.interpretation.is_fatal();
        let mut out = Vec::new();
        for rule in &self.rules {
            if !selection.selects(rule)
                || (refused && rule.spec.check.is_none() && !rule.spec.when_refused)
                || !rule.applies_to(analysis, &facts)
            {
                continue;
            }
            let hits = match &rule.spec.check {
                Some(name) => checks::run(name, &facts, opts),
                None => vec![checks::Hit { span: rule_span(rule, &facts), fatal: true, ..checks::Hit::default() }],
            };
            for hit in hits {
                out.push(self.diagnostic(rule, &facts, hit, opts));
            }
        }
        out.sort_by_key(|d| (d.span.start, d.code));
        out
    }

    fn diagnostic(&self, rule: &Rule, facts: &Facts<'_, '_>, hit: checks::Hit, opts: &Options) -> Diagnostic {
        let vars: Vec<(&str, &str)> = hit.vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let message = render(&rule.spec.message, facts, &vars);
        let mut notes = hit.notes.clone();
        let fixable = hit.fix.as_ref().map(|f| f.applicability).or(rule.spec.fix.as_ref().map(|f| f.applicability));
        let fix = match (&hit.fix, &rule.spec.fix) {
            (Some(f), _) => Some(f.clone()),
            (None, Some(spec)) if facts.ctx.fixes.is_none_or(|level| spec.applicability < level) => None,
            (None, Some(spec)) => {
                let title = render(&spec.title, facts, &vars);
                match spec.action {
                    FixAction::TightenTls => facts.tls_target(opts).map(|t| {
                        notes.extend(t.notes.iter().cloned());
                        Fix { title: format!("{title}: {}", t.description), applicability: spec.applicability, edits: vec![t.edit.clone()] }
                    }),
                    FixAction::Set => {
                        let mut b = fixes::FixBuilder::new(facts.analysis, opts);
                        for key in &spec.remove {
                            b.remove(key);
                        }
                        for (k, v) in &spec.set {
                            b.set(k, v);
                        }
                        b.finish().map(|e| Fix { title, applicability: spec.applicability, edits: vec![e] })
                    }
                    FixAction::RaiseTlsVersion => {
                        let vocab =
                            model::tls_vocabulary(facts.analysis.interpretation.client, facts.analysis.interpretation.database, opts);
                        let mut b = fixes::FixBuilder::new(facts.analysis, opts);
                        b.assign(vocab.min_tls12.unwrap_or(&[]));
                        b.finish().map(|e| Fix { title, applicability: spec.applicability, edits: vec![e] })
                    }
                    FixAction::ReplaceCa => checks::replace_ca_fix(facts, &hit, &title, spec.applicability, opts),
                    action => checks::issue_fix(facts, &hit, action, &title, spec.applicability),
                }
            }
            (None, None) => None,
        };
        let severity = adjust_severity(rule, facts, hit.fatal);
        let fix = fix.filter(|f| !f.edits.is_empty());
        // With fixes computed, a fix that came to nothing is no fix; without, the rule's word stands.
        let computed = fixable.zip(facts.ctx.fixes).is_some_and(|(a, level)| a >= level);
        let fixable = if computed { fix.as_ref().map(|f| f.applicability) } else { fixable };
        Diagnostic { code: rule.id, name: rule.name, severity, message, span: hit.span, fix, fixable, notes }
    }
}

/// The severity of a finding in context:
/// - a security finding against a local host (loopback, socket) is never
///   an error but info; against a private network or single-label service
///   name, or in a development environment, at most a warning;
/// - a correctness finding the client tolerates (an unknown key it ignores)
///   is at most a warning; against a local host, at most a warning.
fn adjust_severity(rule: &Rule, facts: &Facts<'_, '_>, fatal: bool) -> Severity {
    let base = rule.spec.severity;
    let local = facts.locality.is_local();
    match rule.spec.scope {
        Scope::Security if local => Severity::Info,
        Scope::Security if !matches!(facts.locality, Locality::Public) || facts.ctx.env == Environment::Development => {
            base.min(Severity::Warning)
        }
        Scope::Security => base,
        Scope::Correctness if !fatal || local => base.min(Severity::Warning),
        Scope::Correctness => base,
    }
}

/// Where a declarative rule's diagnostic points (`span:` in the rule file).
fn rule_span(rule: &Rule, facts: &Facts<'_, '_>) -> Span {
    let analysis = facts.analysis;
    let interp = &analysis.interpretation;
    let tree = &analysis.tree;
    let whole = Span::new(0, tree.source().len());
    let setting_span = |name: &str| interp.settings.iter().find(|s| s.name.eq_ignore_ascii_case(name)).and_then(|s| s.origin.span());
    let host_span =
        || interp.endpoints.iter().find_map(|e| e.span).or_else(|| tree.hosts.first().map(|h| h.span)).filter(|s| !s.is_empty());
    match rule.spec.span.as_deref().unwrap_or("tls") {
        "string" => whole,
        "host" => host_span().unwrap_or(whole),
        "password" => tree.password.or_else(|| setting_span("password")).unwrap_or(whole),
        s if s.starts_with("setting.") => setting_span(&s["setting.".len()..]).unwrap_or(whole),
        _ => {
            // The written settings that decided the posture; the host when all are defaults.
            let spans: Vec<Span> = interp.tls.decided_by.iter().filter_map(|n| setting_span(n)).collect();
            match (spans.iter().min_by_key(|s| s.start), spans.iter().max_by_key(|s| s.end)) {
                (Some(a), Some(b)) if spans.len() == 1 || b.start.saturating_sub(a.end) < 64 => a.cover(*b),
                (Some(a), _) => *a,
                _ => host_span().unwrap_or(whole),
            }
        }
    }
}

/// Lint one string end to end: detect, parse, interpret and evaluate.
/// Returns the analysis too (when the string parses) for callers that fix.
pub fn lint_str<'s>(
    rules: &RuleSet,
    input: &'s str,
    client: Option<Client>,
    ctx: &Context,
    opts: &Options,
    selection: &Selection,
) -> (Option<Analysis<'s>>, Vec<Diagnostic>) {
    match model::analyze(input, client, opts) {
        Ok(a) => {
            let d = rules.lint(&a, ctx, opts, selection);
            (Some(a), d)
        }
        Err(e) => (None, rules.lint_parse_error(&e, selection)),
    }
}
