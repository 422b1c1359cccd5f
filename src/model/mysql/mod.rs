//! The MySQL / MariaDB family: how each client reads its strings.
//!
//! | client | form | TLS default | module |
//! |---|---|---|---|
//! | MySQL Shell / `mysql` (`mysql-cli`) | `mysql://`, `mysqlx://` | `ssl-mode=PREFERRED` | [`cli`] |
//! | Connector/J | `jdbc:mysql:` | `sslMode=PREFERRED` | [`connector_j`] |
//! | MariaDB Connector/J | `jdbc:mariadb:` | `sslMode=disable` | [`mariadb`] |
//! | go-sql-driver/mysql | `user:pass@tcp(h)/db` | no TLS | [`go`] |
//! | mysql2 | `mysql://` | no TLS | [`mysql2`] |
//! | Prisma (MySQL) | `mysql://` | no TLS | [`prisma`] |
//!
//! Each client module folds the written parameters through a keyword
//! [`Table`](super::keywords::Table), judges values, and turns the result
//! into a [`TlsPosture`] through the shared [`Mode`] ladder.

pub mod cli;
pub mod connector_j;
pub mod go;
pub mod mariadb;
pub mod mysql2;
pub mod prisma;
pub mod shell;

use super::keywords::{Entry, Table, Unknown};
use super::{
    CaSource, Client, Encryption, Endpoint, Interpretation, Issue, IssueKind, Options, Origin, ServerAuth, Setting, Settings, TlsPosture,
    TlsVersion, TlsVocabulary, Transport,
};
use crate::syntax::detect::Database;
use crate::syntax::{Span, Tree, mysql_jdbc};

/// Read `tree` as `client` does.
pub fn interpret(tree: &Tree<'_>, client: Client, _opts: &Options) -> Interpretation {
    match client {
        Client::MysqlCli => cli::interpret(tree),
        Client::ConnectorJ => connector_j::interpret(tree),
        Client::MariadbConnectorJ => mariadb::interpret(tree),
        Client::GoMysql => go::interpret(tree),
        Client::Mysql2 => mysql2::interpret(tree),
        Client::Prisma => prisma::interpret(tree),
        other => {
            let mut out = Out::new(other);
            out.issue(Issue::new(
                IssueKind::Syntax,
                Span::new(0, tree.source().len()),
                format!("{other} does not read MySQL connection strings"),
                true,
            ));
            out.finish(TlsPosture::off())
        }
    }
}

/// How `client` spells TLS settings in its MySQL strings.
pub fn vocabulary(client: Client) -> TlsVocabulary {
    match client {
        Client::MysqlCli => TlsVocabulary {
            require: Some(&[("ssl-mode", "REQUIRED")]),
            verify_ca: Some(&[("ssl-mode", "VERIFY_CA")]),
            verify_full: Some(&[("ssl-mode", "VERIFY_IDENTITY")]),
            ca_file: Some("ssl-ca"),
            min_tls12: Some(&[("tls-version", "TLSv1.2,TLSv1.3")]),
            ..TlsVocabulary::default()
        },
        Client::ConnectorJ => TlsVocabulary {
            require: Some(&[("sslMode", "REQUIRED")]),
            verify_ca: Some(&[("sslMode", "VERIFY_CA")]),
            verify_full: Some(&[("sslMode", "VERIFY_IDENTITY")]),
            ca_file: Some("trustCertificateKeyStoreUrl"),
            remove: &["useSSL", "requireSSL", "verifyServerCertificate"],
            min_tls12: Some(&[("tlsVersions", "TLSv1.2,TLSv1.3")]),
            ..TlsVocabulary::default()
        },
        Client::MariadbConnectorJ => TlsVocabulary {
            require: Some(&[("sslMode", "trust")]),
            verify_ca: Some(&[("sslMode", "verify-ca")]),
            verify_full: Some(&[("sslMode", "verify-full")]),
            ca_file: Some("serverSslCert"),
            remove: &["useSsl", "useSSL", "trustServerCertificate", "disableSslHostnameVerification"],
            min_tls12: Some(&[("enabledSslProtocolSuites", "TLSv1.2,TLSv1.3")]),
            ..TlsVocabulary::default()
        },
        Client::GoMysql => TlsVocabulary {
            require: Some(&[("tls", "skip-verify")]),
            verify_ca: None,
            verify_full: Some(&[("tls", "true")]),
            ca_file: None,
            remove: &["allowFallbackToPlaintext"],
            ..TlsVocabulary::default()
        },
        Client::Prisma => TlsVocabulary {
            require: Some(&[("sslaccept", "accept_invalid_certs")]),
            verify_ca: None,
            verify_full: Some(&[("sslaccept", "strict")]),
            ca_file: Some("sslcert"),
            remove: &["sslmode"],
            ..TlsVocabulary::default()
        },
        _ => TlsVocabulary::default(),
    }
}

/// The MySQL `ssl-mode` ladder every client maps onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// No TLS.
    Disabled,
    /// TLS when offered, unverified, plaintext otherwise.
    Preferred,
    /// TLS or no connection, certificate not checked.
    Required,
    /// TLS, chain verified, host name not checked.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyIdentity,
}

impl Mode {
    /// The posture this mode gives, trusting `ca` when the chain is verified.
    pub fn posture(self, ca: CaSource) -> TlsPosture {
        let (enc, auth) = match self {
            Mode::Disabled => return TlsPosture::off(),
            Mode::Preferred => (Encryption::Opportunistic, ServerAuth::None),
            Mode::Required => (Encryption::Required, ServerAuth::None),
            Mode::VerifyCa => (Encryption::Required, ServerAuth::Chain),
            Mode::VerifyIdentity => (Encryption::Required, ServerAuth::ChainAndHost),
        };
        TlsPosture::new(enc, auth, if auth == ServerAuth::None { CaSource::None } else { ca })
    }
}

/// An interpretation under construction.
pub(crate) struct Out {
    pub client: Client,
    pub settings: Settings,
    pub issues: Vec<Issue>,
    pub endpoints: Vec<Endpoint>,
}

impl Out {
    pub fn new(client: Client) -> Self {
        Out { client, settings: Settings::default(), issues: Vec::new(), endpoints: Vec::new() }
    }

    pub fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// Record a setting taken from a URL part (user, password, database).
    pub fn part(&mut self, name: &str, value: String, span: Span, secret: bool) {
        self.settings.set(Setting {
            name: name.to_owned().into(),
            value: value.into(),
            origin: Origin::Written { key: None, value: span },
            secret,
        });
    }

    pub fn default(&mut self, name: &str, value: &str) {
        self.settings.set(Setting { name: name.to_owned().into(), value: value.to_owned().into(), origin: Origin::Default, secret: false });
    }

    /// The written setting `name`, if any (not defaults).
    pub fn written(&self, name: &str) -> Option<&Setting> {
        self.settings.get(name).filter(|s| matches!(s.origin, Origin::Written { .. }))
    }

    /// Key and value span of a written setting, or `fallback`.
    pub fn span_of(&self, name: &str, fallback: Span) -> Span {
        self.settings.get(name).and_then(|s| s.origin.span()).unwrap_or(fallback)
    }

    pub fn finish(self, tls: TlsPosture) -> Interpretation {
        Interpretation {
            client: self.client,
            database: Database::Mysql,
            endpoints: self.endpoints,
            settings: self.settings,
            tls,
            issues: self.issues,
        }
    }
}

/// A written query parameter, decoded by the client's rules.
pub(crate) fn entry(key: String, value: String, key_span: Span, value_span: Span) -> Entry {
    Entry { key, value, key_span, value_span }
}

/// Fold `entries`, but report unknown keys only where the table can name
/// the keyword that was meant: clients with hundreds of properties
/// (Connector/J, MariaDB, go-sql-driver's forwarded system variables) take
/// unknown keys without complaint, so only likely typos deserve a word.
pub(crate) fn fold_quiet(table: &Table, entries: Vec<Entry>, out: &mut Out) {
    let mut known = Vec::with_capacity(entries.len());
    for e in entries {
        if table.lookup(&e.key).is_some() {
            known.push(e);
            continue;
        }
        // Keywords are short words: a long key, or one with other characters, is
        // no typo of one, and edit distances cost O(n·m) each.
        let wordlike = e.key.len() <= 48 && e.key.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_. ".contains(&b));
        if let Some(s) = wordlike.then(|| table.suggest(&e.key)).flatten() {
            let what = match table.unknown {
                Unknown::Forwarded => "sends the unknown parameter",
                _ => "ignores the unknown parameter",
            };
            let tail = if table.unknown == Unknown::Forwarded { " to the server as a system variable" } else { "" };
            out.issue(
                Issue::new(
                    IssueKind::UnknownParameter,
                    e.key_span,
                    format!("{} {what} \"{}\"{tail}; did you mean \"{s}\"?", table.client, e.key),
                    false,
                )
                .with_key(e.key.clone())
                .with_suggestion(Some(s.to_string())),
            );
        }
        if table.unknown == Unknown::Forwarded {
            let secret = crate::syntax::is_secret_key(&e.key);
            out.settings.0.push(Setting {
                name: e.key.into(),
                value: e.value.into(),
                origin: Origin::Written { key: Some(e.key_span), value: e.value_span },
                secret,
            });
        }
    }
    table.fold(known, &mut out.settings, &mut out.issues);
}

/// Keys other MySQL clients use for TLS. A client that silently drops an
/// unknown key turns these into an [`IssueKind::IgnoredSetting`].
pub(crate) const FOREIGN_TLS_KEYS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "ssl_mode",
    "sslMode",
    "ssl",
    "useSSL",
    "useSsl",
    "requireSSL",
    "verifyServerCertificate",
    "tls",
    "sslaccept",
    "sslcert",
    "sslrootcert",
    "ssl-ca",
    "sslca",
    "ssl_ca",
    "ssl-verify-server-cert",
    "ssl_verify_identity",
    "rejectUnauthorized",
];

/// Report `e` as a TLS setting `client` drops, if it is one.
pub(crate) fn ignored_tls_key(client: &str, e: &Entry, effect: &str) -> Option<Issue> {
    FOREIGN_TLS_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&e.key)).then(|| {
        Issue::new(IssueKind::IgnoredSetting, e.key_span.cover(e.value_span), format!("{client} ignores \"{}\"; {effect}", e.key), false)
            .with_key(e.key.clone())
    })
}

/// Whether `value` is another client's spelling of "verify the chain and
/// the host name" (`verify-full`, `VERIFY_IDENTITY`, `strict` …).
pub(crate) fn means_verify_full(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase().replace('_', "-");
    matches!(v.as_str(), "verify-full" | "verify-identity" | "strict" | "full" | "verify")
}

/// Whether `value` is another client's spelling of "TLS on" (the intent a
/// go-sql-driver `tls=true` expresses).
pub(crate) fn means_tls_on(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase().replace('_', "-");
    means_verify_full(&v)
        || matches!(v.as_str(), "required" | "require" | "yes" | "on" | "enabled" | "enable" | "verify-ca" | "ssl" | "tls")
}

/// The lowest TLS version of a comma-separated list (`TLSv1.2,TLSv1.3`).
pub(crate) fn min_tls(list: &str) -> Option<TlsVersion> {
    list.split([',', ':', ' ']).filter_map(TlsVersion::parse).min()
}

/// Check each host's port: digits within 0..=65535.
pub(crate) fn check_ports(tree: &Tree<'_>, out: &mut Out, fatal: bool) {
    for h in &tree.hosts {
        let Some(p) = h.port else { continue };
        let text = tree.text(p).trim();
        if text.is_empty() {
            continue;
        }
        let msg = match text.parse::<u32>() {
            Ok(n) if n <= 65535 => continue,
            Ok(_) => format!("port {text} is out of the valid range 0-65535"),
            Err(_) => format!("\"{text}\" is not a port number"),
        };
        out.issue(Issue::new(IssueKind::InvalidPort, p, msg, fatal).with_key("port"));
    }
}

/// Endpoints from the tree's hosts, decoding names with `decode`.
pub(crate) fn endpoints(tree: &Tree<'_>, default_port: u16, decode: impl Fn(&str) -> String) -> Vec<Endpoint> {
    tree.hosts
        .iter()
        .filter_map(|h| {
            let name = h.name.map(|n| decode(tree.text(n)))?;
            let transport = if name.starts_with('/') || name.starts_with("./") || name.starts_with("../") {
                Transport::UnixSocket
            } else if name.starts_with("\\\\") {
                Transport::NamedPipe
            } else {
                Transport::Tcp
            };
            let port = match transport {
                Transport::Tcp => Some(h.port.and_then(|p| tree.text(p).trim().parse().ok()).unwrap_or(default_port)),
                _ => None,
            };
            Some(Endpoint { host: name, port, transport, span: h.name })
        })
        .collect()
}

/// Report user names and passwords whose reserved characters make
/// `client` split the URL elsewhere than meant, or decode it differently.
/// `bad` says which characters of the (raw) text do harm; a `%` that does
/// not start a `%HH` escape always does, and is fatal when
/// `fatal_bad_escape`. The span is the intended text so that
/// percent-encoding it is the fix; the message names the characters,
/// never the text.
pub(crate) fn check_userinfo(tree: &Tree<'_>, out: &mut Out, bad: &dyn Fn(char) -> bool, fatal: bool, fatal_bad_escape: bool) {
    let src = tree.source();
    let intended = mysql_jdbc::intended_userinfo(src);
    let client = out.client;
    let mut report = |span: Span, what: &str, text: &str| {
        let bad_escape = !escapes_ok(text);
        let fatal = fatal || (fatal_bad_escape && bad_escape);
        let mut chars: Vec<char> = text.chars().filter(|&c| bad(c)).collect();
        if bad_escape {
            chars.push('%');
        }
        chars.dedup();
        chars.truncate(6);
        let list: String = chars.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        out.issue(
            Issue::new(
                IssueKind::UnescapedUserinfo,
                span,
                format!("the {what} holds {list}, which {client} reads as URL syntax; percent-encode the {what}"),
                fatal,
            )
            .with_key(if what == "user name" { "user" } else { "password" }),
        );
    };
    let (user, password) = match intended {
        Some((u, p)) if tree.password.is_none_or(|tp| tp != p) => (Some(u), Some(p)),
        _ => (tree.user, tree.password),
    };
    for (span, what) in [(user, "user name"), (password, "password")] {
        let Some(span) = span else { continue };
        let text = span.text(src);
        if text.chars().any(bad) || !escapes_ok(text) {
            report(span, what, text);
        }
    }
}

/// Whether `c` breaks a WHATWG URL's userinfo (`@` is fine there: the
/// last one ends it) or its percent-decoding.
pub(crate) fn whatwg_bad(c: char) -> bool {
    matches!(c, '/' | '?' | '#' | '[' | ']' | '\\' | ' ')
}

/// Whether the raw `%` sequences of `s` are all valid escapes.
pub(crate) fn escapes_ok(s: &str) -> bool {
    crate::syntax::decode::percent(s, false).is_ok()
}

#[cfg(test)]
mod tests;
