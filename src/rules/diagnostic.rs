//! What a rule reports: a diagnostic located by a span of the string, with
//! an optional fix made of edits.

use crate::syntax::{Edit, Span};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn from_name(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How safe it is to apply a fix without a person looking at it.
///
/// Ordered from least to most safe: a fix applies when its applicability is
/// at least the level the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Safe only once a live TLS check against the server confirms it.
    NeedsLiveCheck,
    /// Changes behaviour (tightens TLS, points at a new CA): opt in with `--unsafe-fixes`.
    Unsafe,
    /// Preserves meaning or does exactly what was intended: applied by `--fix`.
    Safe,
}

impl Applicability {
    pub fn name(self) -> &'static str {
        match self {
            Applicability::NeedsLiveCheck => "needs-live-check",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A fix: non-overlapping edits of the string, with a title and an applicability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// One finding in one connection string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Rule id (`DBL203`).
    pub code: &'static str,
    /// Rule name (`server-not-authenticated`).
    pub name: &'static str,
    pub severity: Severity,
    /// Rendered message. Never contains a secret.
    pub message: String,
    /// The bytes of the string at fault.
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Whether a fix exists, and how safe it is, even when its edits were
    /// not computed (see [`super::Context::fixes`]).
    #[serde(skip)]
    pub fixable: Option<Applicability>,
    /// Further explanation (which occurrence wins, what the client does …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
