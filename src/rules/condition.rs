//! The declarative conditions of rule files, and the facts they test.
//!
//! ```yaml
//! when:
//!   all:
//!     - tls.encryption: [off, login-only]          # one of
//!     - host.locality: { not-in: [loopback, socket] }
//!     - setting.sslrootcert: { exists: true }
//!     - not: { host.provider: cloud-sql }
//! ```
//!
//! A mapping with one fact tests it: a scalar means "equals", a list "one
//! of", a mapping holds operators (`eq`, `ne`, `in`, `not-in`, `exists`,
//! `matches`). `all`, `any` and `not` combine conditions; a mapping with
//! several facts means all of them. Values compare case-insensitively.
//!
//! `matches` takes a regular expression in the `regex` crate's syntax, read
//! byte-wise with ASCII classes: `\d`, `\w`, `\s`, `\b` and `(?i)` mean their
//! ASCII forms, `.` is any byte but a newline, and Unicode classes (`\p{…}`)
//! are refused as a bad regex. Connection settings, host names and paths are
//! ASCII; leaving out the Unicode tables spares every run the relocation of
//! about 110 KB of them at start-up.

use regex::bytes::{Regex, RegexBuilder};
use serde_norway::Value as Yaml;
use std::borrow::Cow;

/// A fact about a string a condition can test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// `postgres`, `mysql`, `sqlserver`.
    Database,
    /// Client name (`libpq`, `prisma` …).
    Client,
    /// Form name (`postgres-url`, `ado-net` …).
    Form,
    /// `production`, `development`, `unknown`.
    Env,
    /// `off`, `login-only`, `opportunistic`, `required`.
    Encryption,
    /// `none`, `chain`, `chain-and-host`.
    ServerAuth,
    /// `none`, `system`, `file`, `default-file`, `pinned`, `custom`.
    Ca,
    /// Path of the CA file, when one is named.
    CaPath,
    /// `TLSv1.0` … `TLSv1.3`.
    MinVersion,
    /// `true` when TLS starts before the protocol (direct / strict).
    Direct,
    /// The most exposed host's locality: `socket`, `loopback`, `service`, `private`, `public`.
    Locality,
    /// Provider recognised from a host (`rds`, `neon` …).
    Provider,
    /// First host name.
    Host,
    /// First port, as written.
    Port,
    /// `none`, `literal` or `placeholder` (`${VAR}`, `%(x)s` …).
    Password,
    /// `file` when the string was found in a file, `argument` when given on the command line.
    Source,
    /// The settings that decided the TLS posture, as `key=value`, or
    /// `default` values marked as such: `sslmode=prefer (default)`.
    TlsSettings,
    /// The provider's name for messages (`Amazon RDS`).
    ProviderTitle,
    /// `true` when the provider refuses unencrypted connections.
    ProviderEnforcesTls,
    /// `true` unless the provider's certificates do not name the host
    /// connected to (Cloud SQL per-instance CAs reached by IP).
    HostNamedInCertificate,
    /// An effective setting's value, by name (case-insensitive).
    Setting(String),
}

impl Fact {
    /// Parse a fact name as written in rule files.
    pub fn parse(name: &str) -> Option<Fact> {
        Some(match name {
            "database" => Fact::Database,
            "client" => Fact::Client,
            "form" => Fact::Form,
            "env" => Fact::Env,
            "tls.encryption" => Fact::Encryption,
            "tls.server-auth" => Fact::ServerAuth,
            "tls.ca" => Fact::Ca,
            "tls.ca-path" => Fact::CaPath,
            "tls.min-version" => Fact::MinVersion,
            "tls.direct" => Fact::Direct,
            "host.locality" => Fact::Locality,
            "host.provider" => Fact::Provider,
            "host.name" | "host" => Fact::Host,
            "host.port" => Fact::Port,
            "password" => Fact::Password,
            "source" => Fact::Source,
            "tls.settings" => Fact::TlsSettings,
            "host.provider-title" => Fact::ProviderTitle,
            "host.provider-enforces-tls" => Fact::ProviderEnforcesTls,
            "host.named-in-certificate" => Fact::HostNamedInCertificate,
            _ => {
                let setting = name.strip_prefix("setting.")?;
                if setting.is_empty() {
                    return None;
                }
                Fact::Setting(setting.to_string())
            }
        })
    }
}

/// Where facts come from.
pub trait FactSource {
    /// The value of `fact`, or `None` when it does not apply (no provider,
    /// setting absent …).
    fn fact(&self, fact: &Fact) -> Option<Cow<'_, str>>;
}

/// A test of one fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Eq(String),
    Ne(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists(bool),
    Matches(Pattern),
}

/// A regular expression of a `matches` test; two are equal when written alike.
#[derive(Clone, Debug)]
pub struct Pattern(Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Test {
    /// A `matches` test.
    pub fn matches(pattern: &str) -> Result<Test, String> {
        RegexBuilder::new(pattern).unicode(false).build().map(|re| Test::Matches(Pattern(re))).map_err(|e| format!("bad regex: {e}"))
    }

    fn holds(&self, value: Option<&str>) -> bool {
        let eq = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        match (self, value) {
            (Test::Exists(want), v) => v.is_some() == *want,
            (Test::Eq(x), Some(v)) => eq(v, x),
            (Test::Ne(x), Some(v)) => !eq(v, x),
            (Test::Ne(_), None) => true,
            (Test::In(xs), Some(v)) => xs.iter().any(|x| eq(v, x)),
            (Test::NotIn(xs), Some(v)) => !xs.iter().any(|x| eq(v, x)),
            (Test::NotIn(_), None) => true,
            (Test::Matches(Pattern(re)), Some(v)) => re.is_match(v.as_bytes()),
            (_, None) => false,
        }
    }
}

/// A condition over facts.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test(Fact, Test),
}

impl Condition {
    /// A test of the fact named `fact` as rule files name it.
    pub fn test(fact: &str, test: Test) -> Result<Condition, String> {
        let f = Fact::parse(fact).ok_or_else(|| format!("unknown fact `{fact}`"))?;
        Ok(Condition::Test(f, test))
    }

    /// Whether the condition holds for `facts`.
    pub fn holds(&self, facts: &dyn FactSource) -> bool {
        match self {
            Condition::All(cs) => cs.iter().all(|c| c.holds(facts)),
            Condition::Any(cs) => cs.iter().any(|c| c.holds(facts)),
            Condition::Not(c) => !c.holds(facts),
            Condition::Test(fact, test) => test.holds(facts.fact(fact).as_deref()),
        }
    }

    /// Read a condition from its YAML form.
    pub fn from_yaml(y: &Yaml) -> Result<Condition, String> {
        let map = y.as_mapping().ok_or_else(|| format!("a condition must be a mapping, found {}", describe(y)))?;
        let mut parts = Vec::with_capacity(map.len());
        for (k, v) in map {
            let key = k.as_str().ok_or("condition keys must be strings")?;
            parts.push(match key {
                "all" | "any" => {
                    let list = v.as_sequence().ok_or_else(|| format!("`{key}` takes a list of conditions"))?;
                    let cs = list.iter().map(Condition::from_yaml).collect::<Result<Vec<_>, _>>()?;
                    if key == "all" { Condition::All(cs) } else { Condition::Any(cs) }
                }
                "not" => Condition::Not(Box::new(Condition::from_yaml(v)?)),
                fact => Condition::test(fact, test_from_yaml(v).map_err(|e| format!("{fact}: {e}"))?)?,
            });
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Condition::All(parts) })
    }
}

fn describe(y: &Yaml) -> &'static str {
    match y {
        Yaml::Null => "nothing",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

fn scalar(y: &Yaml) -> Result<String, String> {
    match y {
        Yaml::String(s) => Ok(s.clone()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Number(n) => Ok(n.to_string()),
        // YAML reads a bare `off`/`no` as a string in YAML 1.2, but be explicit.
        other => Err(format!("expected a value, found {}", describe(other))),
    }
}

fn list(y: &Yaml) -> Result<Vec<String>, String> {
    match y {
        Yaml::Sequence(s) => s.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

fn test_from_yaml(y: &Yaml) -> Result<Test, String> {
    match y {
        Yaml::Sequence(_) => Ok(Test::In(list(y)?)),
        Yaml::Mapping(m) => {
            if m.len() != 1 {
                return Err("an operator mapping holds exactly one operator".into());
            }
            let (op, arg) = m.iter().next().ok_or("empty operator mapping")?;
            match op.as_str().unwrap_or("") {
                "eq" => Ok(Test::Eq(scalar(arg)?)),
                "ne" => Ok(Test::Ne(scalar(arg)?)),
                "in" => Ok(Test::In(list(arg)?)),
                "not-in" => Ok(Test::NotIn(list(arg)?)),
                "exists" => match arg {
                    Yaml::Bool(b) => Ok(Test::Exists(*b)),
                    _ => Err("`exists` takes true or false".into()),
                },
                "matches" => Test::matches(&scalar(arg)?),
                other => Err(format!("unknown operator `{other}` (eq, ne, in, not-in, exists, matches)")),
            }
        }
        other => Ok(Test::Eq(scalar(other)?)),
    }
}

/// Render a message template: `{fact}` is replaced by the fact's value
/// (empty when absent); `{{` and `}}` are literal braces. `extra` supplies
/// values that are not facts (`{issue}`, `{target}` …).
pub fn render(template: &str, facts: &dyn FactSource, extra: &[(&str, &str)]) -> String {
    // Literal text, with `}}` read as `}`.
    fn literal(out: &mut String, text: &str) {
        if text.contains('}') { out.push_str(&text.replace("}}", "}")) } else { out.push_str(text) }
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        literal(&mut out, &rest[..open]);
        let after = &rest[open + 1..];
        if let Some(stripped) = after.strip_prefix('{') {
            out.push('{');
            rest = stripped;
            continue;
        }
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        if let Some((_, v)) = extra.iter().find(|(k, _)| *k == name) {
            out.push_str(v);
        } else if let Some(f) = Fact::parse(name) {
            out.push_str(facts.fact(&f).as_deref().unwrap_or(""));
        } else {
            out.push('{');
            out.push_str(name);
            out.push('}');
        }
        rest = &after[close + 1..];
    }
    literal(&mut out, rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct F;
    impl FactSource for F {
        fn fact(&self, fact: &Fact) -> Option<Cow<'_, str>> {
            match fact {
                Fact::Encryption => Some("off".into()),
                Fact::Locality => Some("public".into()),
                Fact::Setting(s) if s == "sslmode" => Some("disable".into()),
                _ => None,
            }
        }
    }

    fn cond(y: &str) -> Condition {
        Condition::from_yaml(&serde_norway::from_str(y).unwrap()).unwrap()
    }

    #[test]
    fn conditions() {
        assert!(cond("tls.encryption: [off, login-only]").holds(&F));
        assert!(cond("{all: [{tls.encryption: off}, {host.locality: {not-in: [loopback]}}]}").holds(&F));
        assert!(!cond("{not: {setting.sslmode: DISABLE}}").holds(&F));
        assert!(cond("{setting.sslrootcert: {exists: false}, host.provider: {ne: rds}}").holds(&F));
        assert!(cond("{any: [{host.provider: neon}, {setting.sslmode: {matches: '^dis'}}]}").holds(&F));
        assert!(Condition::from_yaml(&serde_norway::from_str("{tls.bogus: x}").unwrap()).is_err());
    }

    #[test]
    fn matches_reads_ascii_classes_bytewise() {
        let holds = |pattern: &str, value: &str| match Test::matches(pattern) {
            Ok(t) => t.holds(Some(value)),
            Err(e) => panic!("{pattern}: {e}"),
        };
        assert!(holds(r"(?i)^PROD-\d+\.example\.com$", "prod-42.EXAMPLE.com"));
        assert!(!holds(r"^\w+$", "pr\u{f6}d"), r"\w is ASCII");
        assert!(holds(r"^pr.+d$", "pr\u{f6}d"), ". is any byte");
        assert!(holds("\u{f6}", "pr\u{f6}d"), "a non-ASCII literal matches its UTF-8 bytes");
        assert!(!holds("(?i)\u{d6}", "pr\u{f6}d"), "case folding is ASCII");
        let err = Test::matches(r"\p{Greek}").err().unwrap_or_default();
        assert!(err.starts_with("bad regex:"), "{err}");
        assert!(Test::matches("(").is_err());
    }

    #[test]
    fn templates() {
        assert_eq!(render("TLS is {tls.encryption} ({setting.sslmode}) {x} {{y}}", &F, &[("x", "!")]), "TLS is off (disable) ! {y}");
    }
}
