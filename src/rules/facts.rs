//! The facts rules test, computed once per analysed string.

use super::Context;
use super::condition::{Fact, FactSource};
use super::context::{Locality, Provider};
use crate::model::{Analysis, CaSource, Encryption, ServerAuth};
use crate::syntax::TokenKind;
use std::borrow::Cow;

/// Facts about one string, as one client reads it, in one context.
pub struct Facts<'a, 's> {
    pub analysis: &'a Analysis<'s>,
    pub ctx: &'a Context,
    pub locality: Locality,
    pub provider: Option<Provider>,
    pub password: PasswordKind,
    /// Template placeholders in the string (`${VAR}`, `{{ … }}` …) and the spans its file
    /// interpolates ([`Context::interpolated`](super::Context::interpolated)).
    pub placeholders: Vec<crate::syntax::Span>,
    /// The certificates of the string's CA file, read once for all the CA checks.
    ca_certs: std::cell::OnceCell<Option<Vec<super::checks::CaCert>>>,
    /// The TLS-tightening fix, computed once for all the rules that offer it.
    tls_target: std::cell::OnceCell<Option<super::fixes::TlsTarget>>,
}

/// Whether a password is written and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordKind {
    None,
    /// A literal secret.
    Literal,
    /// A reference resolved elsewhere: `${DB_PASSWORD}`, `$(...)`, `%(pw)s`, `{{ .Values.pw }}`, `<password>`.
    Placeholder,
}

impl PasswordKind {
    pub fn name(self) -> &'static str {
        match self {
            PasswordKind::None => "none",
            PasswordKind::Literal => "literal",
            PasswordKind::Placeholder => "placeholder",
        }
    }

    /// Classify a password's text.
    pub fn of(text: &str) -> PasswordKind {
        let t = text.trim();
        if t.is_empty() {
            return PasswordKind::None;
        }
        let placeholder = (t.starts_with("${") && t.ends_with('}'))
            || (t.starts_with("$(") && t.ends_with(')'))
            || (t.starts_with("%(") && t.ends_with(")s"))
            || (t.starts_with("{{") && t.ends_with("}}"))
            || (t.starts_with('<') && t.ends_with('>'))
            || (t.starts_with('$') && t.len() > 1 && t[1..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
            || (t.starts_with("%24%7B") && t.ends_with("%7D"));
        if placeholder { PasswordKind::Placeholder } else { PasswordKind::Literal }
    }
}

impl<'a, 's> Facts<'a, 's> {
    pub fn new(analysis: &'a Analysis<'s>, ctx: &'a Context) -> Self {
        let interp = &analysis.interpretation;
        let locality = Locality::of_all(&interp.endpoints);
        let provider = interp.endpoints.iter().find_map(|e| Provider::detect(&e.host)).or_else(|| cloud_sql_by_ca(analysis));
        let tree = &analysis.tree;
        let mut placeholders = super::checks::placeholder_spans(tree.source());
        if !ctx.interpolated.is_empty() {
            placeholders.extend_from_slice(&ctx.interpolated);
            placeholders.sort();
        }
        let password = tree
            .tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Password || (t.kind == TokenKind::SecretValue && is_password_key(analysis, t.span)))
            .map(|t| {
                if ctx.interpolated.iter().any(|i| i.contains(t.span)) {
                    PasswordKind::Placeholder
                } else {
                    PasswordKind::of(tree.text(t.span))
                }
            })
            .max_by_key(|k| match k {
                PasswordKind::Literal => 2,
                PasswordKind::Placeholder => 1,
                PasswordKind::None => 0,
            })
            .unwrap_or(PasswordKind::None);
        Facts {
            analysis,
            ctx,
            locality,
            provider,
            password,
            placeholders,
            ca_certs: std::cell::OnceCell::new(),
            tls_target: std::cell::OnceCell::new(),
        }
    }
}

/// Cloud SQL reached by IP address: recognised by the file names its
/// console hands out for the per-instance CA (`server-ca.pem`).
fn cloud_sql_by_ca(analysis: &Analysis<'_>) -> Option<Provider> {
    let interp = &analysis.interpretation;
    let by_ip = interp.endpoints.iter().any(|e| e.host.parse::<std::net::IpAddr>().is_ok());
    let ca_name = match &interp.tls.ca {
        CaSource::File { path, .. } => path.rsplit(['/', '\\']).next().unwrap_or(path),
        _ => return None,
    };
    (by_ip && ca_name.eq_ignore_ascii_case("server-ca.pem")).then_some(Provider::CloudSql)
}

impl Facts<'_, '_> {
    /// The strongest TLS posture this client can express for this string,
    /// as a fix ([`super::fixes::tighten_tls`]), computed once.
    pub fn tls_target(&self, opts: &crate::model::Options) -> Option<&super::fixes::TlsTarget> {
        self.tls_target.get_or_init(|| super::fixes::tighten_tls(self, opts)).as_ref()
    }

    /// The certificates in the CA file at `path` (the string's CA, resolved),
    /// read and parsed once however many checks ask.
    pub fn ca_certs(&self, path: &std::path::Path) -> Option<&[super::checks::CaCert]> {
        self.ca_certs.get_or_init(|| super::checks::read_certs(path)).as_deref()
    }

    /// Whether the server certificate carries the host the client connects
    /// to, so host-name verification can succeed. Cloud SQL's per-instance
    /// CAs issue certificates with `project:instance` in the CN and no SAN:
    /// connecting by IP address, only the chain can be verified.
    pub fn certificate_names_host(&self) -> bool {
        match self.provider {
            Some(Provider::CloudSql) => !self.analysis.interpretation.endpoints.iter().any(|e| e.host.parse::<std::net::IpAddr>().is_ok()),
            _ => true,
        }
    }

    /// The settings that decided the TLS posture, for messages:
    /// `sslmode=prefer (default)`, `Encrypt=False`.
    pub fn tls_settings(&self) -> String {
        let interp = &self.analysis.interpretation;
        let tree = &self.analysis.tree;
        let decided: Vec<&crate::model::Setting> = interp.tls.decided_by.iter().filter_map(|n| interp.settings.get(n)).collect();
        let show = |s: &crate::model::Setting| {
            let value = if s.secret { crate::report::redact::REDACTED } else { s.value.as_ref() };
            match s.origin {
                // As the author wrote the key (`TrustServerCertificate`, not `Trust Server Certificate`).
                crate::model::Origin::Written { key: Some(k), .. } => format!("{}={}", tree.text(k), value),
                crate::model::Origin::Written { key: None, .. } | crate::model::Origin::Implied { .. } => format!("{}={}", s.name, value),
                crate::model::Origin::Default => format!("{}={} (default)", s.name, value),
            }
        };
        // Written settings decide; a default is worth naming only when nothing was written.
        let written: Vec<String> = decided.iter().filter(|s| s.origin != crate::model::Origin::Default).map(|s| show(s)).collect();
        if !written.is_empty() {
            return written.join(", ");
        }
        decided.first().map_or_else(|| "the client's defaults".to_string(), |s| show(s))
    }

    /// Whether the string was found in a file (not given on the command line).
    pub fn in_file(&self) -> bool {
        self.ctx.in_file
    }
}

/// Whether the secret value at `span` is a login password (not an
/// `sslpassword` key passphrase or a trust-store password).
fn is_password_key(analysis: &Analysis<'_>, span: crate::syntax::Span) -> bool {
    let tree = &analysis.tree;
    tree.params.iter().filter(|p| p.value.is_some_and(|v| v.span.contains(span) || v.inner.contains(span))).any(|p| {
        let k = tree.key(p).trim().to_ascii_lowercase();
        matches!(k.as_str(), "password" | "pwd" | "pass" | "passwd")
    })
}

fn encryption(e: Encryption) -> &'static str {
    match e {
        Encryption::Off => "off",
        Encryption::LoginOnly => "login-only",
        Encryption::Opportunistic => "opportunistic",
        Encryption::Required => "required",
    }
}

fn server_auth(a: ServerAuth) -> &'static str {
    match a {
        ServerAuth::None => "none",
        ServerAuth::Chain => "chain",
        ServerAuth::ChainAndHost => "chain-and-host",
    }
}

impl FactSource for Facts<'_, '_> {
    fn fact(&self, fact: &Fact) -> Option<Cow<'_, str>> {
        let interp = &self.analysis.interpretation;
        let tls = &interp.tls;
        Some(match fact {
            Fact::Database => Cow::Borrowed(match interp.database {
                crate::syntax::detect::Database::Postgres => "postgres",
                crate::syntax::detect::Database::Mysql => "mysql",
                crate::syntax::detect::Database::SqlServer => "sqlserver",
            }),
            Fact::Client => Cow::Borrowed(interp.client.name()),
            Fact::Form => Cow::Borrowed(self.analysis.tree.form.name()),
            Fact::Env => Cow::Borrowed(self.ctx.env.name()),
            Fact::Encryption => Cow::Borrowed(encryption(tls.encryption)),
            Fact::ServerAuth => Cow::Borrowed(server_auth(tls.server_auth)),
            Fact::Ca => Cow::Borrowed(match &tls.ca {
                CaSource::None => "none",
                CaSource::System => "system",
                CaSource::File { .. } => "file",
                CaSource::DefaultFile { .. } => "default-file",
                CaSource::Pinned { .. } => "pinned",
                CaSource::Custom { .. } => "custom",
            }),
            Fact::CaPath => match &tls.ca {
                CaSource::File { path, .. } | CaSource::DefaultFile { path } | CaSource::Pinned { path, .. } => {
                    Cow::Borrowed(path.as_str())
                }
                _ => return None,
            },
            Fact::MinVersion => Cow::Borrowed(match tls.min_version? {
                crate::model::TlsVersion::Tls10 => "TLSv1.0",
                crate::model::TlsVersion::Tls11 => "TLSv1.1",
                crate::model::TlsVersion::Tls12 => "TLSv1.2",
                crate::model::TlsVersion::Tls13 => "TLSv1.3",
            }),
            Fact::Direct => Cow::Borrowed(if tls.direct { "true" } else { "false" }),
            Fact::Locality => Cow::Borrowed(self.locality.name()),
            Fact::Provider => Cow::Borrowed(self.provider?.name()),
            Fact::Host => Cow::Borrowed(interp.endpoints.first()?.host.as_str()),
            Fact::Port => Cow::Owned(interp.endpoints.first()?.port?.to_string()),
            Fact::Password => Cow::Borrowed(self.password.name()),
            Fact::TlsSettings => Cow::Owned(self.tls_settings()),
            Fact::ProviderTitle => Cow::Borrowed(self.provider?.title()),
            Fact::ProviderEnforcesTls => Cow::Borrowed(if self.provider?.enforces_tls() { "true" } else { "false" }),
            Fact::Source => Cow::Borrowed(if self.ctx.in_file { "file" } else { "argument" }),
            Fact::HostNamedInCertificate => Cow::Borrowed(if self.certificate_names_host() { "true" } else { "false" }),
            Fact::Setting(name) => {
                let s = interp.settings.iter().find(|s| s.name.eq_ignore_ascii_case(name))?;
                if s.secret { Cow::Borrowed(crate::report::redact::REDACTED) } else { Cow::Borrowed(s.value.as_ref()) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_kinds() {
        assert_eq!(PasswordKind::of("hunter2"), PasswordKind::Literal);
        assert_eq!(PasswordKind::of("${DB_PASSWORD}"), PasswordKind::Placeholder);
        assert_eq!(PasswordKind::of("$DB_PASSWORD"), PasswordKind::Placeholder);
        assert_eq!(PasswordKind::of("%(password)s"), PasswordKind::Placeholder);
        assert_eq!(PasswordKind::of("{{ .Values.db.password }}"), PasswordKind::Placeholder);
        assert_eq!(PasswordKind::of("<password>"), PasswordKind::Placeholder);
        assert_eq!(PasswordKind::of(""), PasswordKind::None);
    }
}
