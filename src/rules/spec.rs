//! The schema of a rule file (`rules/DBLxxx-name.yaml`).

use super::diagnostic::{Applicability, Severity};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Text of a rule: borrowed from the binary for built-in rules (`build.rs`), owned for rules
/// read from files.
pub type Text = Cow<'static, str>;

/// One rule as written in its YAML file.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// Stable public id: `DBL` and three digits.
    pub id: Text,
    /// Stable public name, kebab-case, naming the bad pattern.
    pub name: Text,
    /// Severity where nothing in the context lowers it.
    pub severity: Severity,
    /// `security` findings depend on exposure (host locality, environment);
    /// `correctness` findings are broken strings wherever they point.
    #[serde(default)]
    pub scope: Scope,
    /// One line saying what the rule finds.
    pub summary: Text,
    /// Databases the rule applies to (`postgres`, `mysql`, `sqlserver`); empty = all.
    #[serde(default)]
    pub databases: Vec<String>,
    /// Clients the rule applies to; empty = all.
    #[serde(default)]
    pub clients: Vec<String>,
    /// Declarative condition over facts (see `condition.rs`).
    #[serde(default)]
    pub when: Option<serde_norway::Value>,
    /// A check implemented in Rust, run when `when` holds.
    #[serde(default)]
    pub check: Option<Text>,
    /// Evaluate `when` even when the client refuses the string. By default a
    /// declarative rule is skipped then: the posture of a string that never
    /// connects is moot, and the refusal has a rule of its own.
    #[serde(default)]
    pub when_refused: bool,
    /// Message template; `{fact}` placeholders and check-provided values.
    pub message: Text,
    /// What the diagnostic points at: `tls` (the settings that decided the
    /// posture), `host`, `password`, `setting.NAME` or `string`.
    #[serde(default)]
    pub span: Option<Text>,
    #[serde(default)]
    pub fix: Option<FixSpec>,
    /// Read through [`super::Rule::docs`]: built-in rules load it on demand.
    #[serde(default)]
    pub docs: Docs,
    /// Read through [`super::Rule::examples`]: built-in rules load it on demand.
    #[serde(default)]
    pub examples: Examples,
}

/// A rule's documentation and examples, as the built-in catalogue stores them apart.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct About {
    #[serde(default)]
    pub docs: Docs,
    #[serde(default)]
    pub examples: Examples,
}

/// See [`RuleSpec::scope`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    Security,
    Correctness,
}

/// How a rule fixes what it finds.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FixSpec {
    pub action: FixAction,
    /// Applicability of the fix; some actions compute their own (a
    /// suggestion is safe only when it is the one unambiguous correction).
    pub applicability: Applicability,
    /// Title shown with the fix; `{fact}` placeholders allowed.
    pub title: Text,
    /// For `set`: key → value, in the client's canonical spelling.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// For `remove`: keys to remove.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// The edit strategies rules can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAction {
    /// Move to the strongest TLS posture the client can express and the
    /// provider's certificates satisfy.
    TightenTls,
    /// Replace the flagged text with the client's one valid correction.
    Suggestion,
    /// Percent-encode the flagged user name or password.
    PercentEncode,
    /// Remove the occurrence the client ignores.
    RemoveShadowed,
    /// Set parameters (`set`) and remove others (`remove`).
    Set,
    /// Point the CA setting at the provider's current bundle.
    ReplaceCa,
    /// Raise the minimum TLS version to 1.2 in the client's spelling.
    RaiseTlsVersion,
}

/// A rule's documentation, printed by `dblint explain`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Docs {
    pub what: String,
    pub why: String,
    pub example: String,
    #[serde(default)]
    pub fix_safety: Option<String>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// Examples that the test suite runs: `bad` must fire, `good` must not,
/// `fixed` must fix to exactly `after`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Examples {
    pub bad: Vec<Example>,
    pub good: Vec<Example>,
    #[serde(default)]
    pub fixed: Vec<FixedExample>,
}

/// A string with the context it is linted in.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Example {
    Plain(String),
    WithContext(ExampleContext),
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleContext {
    pub string: String,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
    /// Files the example needs, relative to a temporary directory the string is linted in
    /// (name → content; `@expired-ca`, `@valid-ca` … generate certificates).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Lint as if the string were found in a file (default: given as an argument).
    #[serde(default)]
    pub in_file: bool,
}

impl Example {
    pub fn context(&self) -> ExampleContext {
        match self {
            Example::Plain(s) => ExampleContext { string: s.clone(), client: None, env: None, files: BTreeMap::new(), in_file: false },
            Example::WithContext(c) => c.clone(),
        }
    }
}

/// A string before and after this rule's fix.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FixedExample {
    pub before: String,
    pub after: String,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
}
