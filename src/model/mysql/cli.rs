//! MySQL Shell / X DevAPI URI-like strings and the `mysql` client's
//! options (`mysql://`, `mysqlx://`).
//!
//! Sources: `mysql/mysql-shell` `mysqlshdk/libs/db/uri_parser.cc` (split
//! and characters, see [`super::shell`]), `connection_options.cc` and
//! `utils/nullable_options.cc` (case-insensitive options, each settable
//! once: "The connection option 'x' is already defined"; unknown options
//! rejected), `ssl_options.cc` (`ssl-mode` values and `validate()`), and
//! `mysql/mysql-server` `include/sslopt-case.h` (`--ssl-ca` or
//! `--ssl-capath` without an explicit `--ssl-mode` means `VERIFY_CA`).

use super::{Mode, Out, check_ports, check_userinfo, endpoints, entry, min_tls, shell};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown, check_enum};
use crate::model::{CaSource, Client, Interpretation, Issue, IssueKind, Origin, Setting};
use crate::syntax::{Span, Tree, decode};

static KEYWORDS: &[Keyword] = &[
    Keyword::aliases("user", &["dbUser"]),
    Keyword::secret("password", &["dbPassword"]),
    Keyword::new("host"),
    Keyword::new("port"),
    Keyword::new("socket"),
    Keyword::new("schema"),
    Keyword::new("ssl-mode"),
    Keyword::new("ssl-ca"),
    Keyword::new("ssl-capath"),
    Keyword::new("ssl-cert"),
    Keyword::new("ssl-key"),
    Keyword::new("ssl-crl"),
    Keyword::new("ssl-crlpath"),
    Keyword::new("ssl-cipher"),
    Keyword::new("tls-version"),
    Keyword::new("tls-versions"),
    Keyword::new("tls-ciphersuites"),
    Keyword::new("auth-method"),
    Keyword::new("get-server-public-key"),
    Keyword::new("server-public-key-path"),
    Keyword::new("connect-timeout"),
    Keyword::new("net-read-timeout"),
    Keyword::new("compression"),
    Keyword::new("compression-algorithms"),
    Keyword::new("compression-level"),
    Keyword::new("local-infile"),
    Keyword::new("net-buffer-length"),
    Keyword::new("connection-attributes"),
];

const TABLE: Table =
    Table { client: "mysql-cli", keywords: KEYWORDS, case: Case::Insensitive, duplicates: Duplicates::Error, unknown: Unknown::Error };

/// `ssl-mode` values (`ssl_options.cc`).
pub const SSL_MODES: &[&str] = &["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"];

/// SSL options other than `ssl-mode` (`Ssl_options::option_str_list`).
const SSL_OPTIONS: &[&str] = &[
    "ssl-ca",
    "ssl-capath",
    "ssl-cert",
    "ssl-key",
    "ssl-crl",
    "ssl-crlpath",
    "ssl-cipher",
    "tls-version",
    "tls-versions",
    "tls-ciphersuites",
];

fn pct(raw: &str) -> String {
    decode::percent_lenient(raw, false).into_owned()
}

/// A value written `(unencoded)` loses its parentheses.
fn unparen(raw: &str) -> &str {
    raw.strip_prefix('(').and_then(|r| r.strip_suffix(')')).unwrap_or(raw)
}

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::MysqlCli);
    let src = tree.source();
    if let Err(e) = shell::validate(src) {
        out.issue(Issue::new(IssueKind::Syntax, e.span, e.message, true));
    }
    check_userinfo(tree, &mut out, &|c| matches!(c, '@' | '/' | '?' | '#' | '[' | ']' | ' '), true, true);
    check_ports(tree, &mut out, true);
    out.endpoints = endpoints(tree, 3306, pct);
    if let Some(u) = tree.user {
        out.part("user", pct(tree.text(u)), u, false);
    }
    if let Some(p) = tree.password {
        // Shell documents percent-encoding for passwords; its tokenizer takes
        // the text after ':' as one final token (UNCONFIRMED whether decoded).
        out.part("password", pct(tree.text(p)), p, true);
    }
    if let Some(d) = tree.database {
        out.part("schema", pct(tree.text(d)), d, false);
    }

    let entries: Vec<_> = tree
        .params
        .iter()
        .map(|p| {
            let raw = tree.raw_value(p).unwrap_or("");
            let value_span = p.value.map_or(Span::empty(p.key.end), |v| v.inner);
            entry(pct(tree.key(p)), pct(unparen(raw)), p.key, value_span)
        })
        .collect();
    // URL parts are options too: giving one again in the query is a duplicate.
    for e in &entries {
        if let Some(kw) = TABLE.lookup(&e.key) {
            if matches!(kw.name, "user" | "password" | "schema" | "host" | "socket" | "port") {
                let part = match kw.name {
                    "user" => tree.user,
                    "password" => tree.password,
                    "schema" => tree.database,
                    _ => tree.hosts.first().map(|h| h.span),
                };
                if let Some(part) = part {
                    out.issue(
                        Issue::new(
                            IssueKind::DuplicateParameter,
                            part,
                            format!("The connection option '{}' is already defined by the URI", kw.name),
                            true,
                        )
                        .with_key(kw.name),
                    );
                }
            }
        }
    }
    TABLE.fold(entries, &mut out.settings, &mut out.issues);

    let mode_setting = out.written("ssl-mode").cloned();
    let mut mode = Mode::Preferred;
    if let Some(s) = &mode_setting {
        let span = s.origin.value_span().unwrap_or_default();
        match check_enum("mysql-cli", "ssl-mode", &s.value, span, SSL_MODES, Case::Insensitive, true) {
            Ok(m) => {
                mode = match m {
                    "DISABLED" => Mode::Disabled,
                    "PREFERRED" => Mode::Preferred,
                    "REQUIRED" => Mode::Required,
                    "VERIFY_CA" => Mode::VerifyCa,
                    _ => Mode::VerifyIdentity,
                };
            }
            Err(mut issue) => {
                if super::means_verify_full(&s.value) {
                    issue.suggestion = Some("VERIFY_IDENTITY".into());
                }
                out.issue(issue)
            }
        }
    }
    let ca_key = ["ssl-ca", "ssl-capath"].into_iter().find(|k| out.written(k).is_some());
    if mode_setting.is_none() {
        if let Some(k) = ca_key {
            mode = Mode::VerifyCa;
            out.settings.set(Setting {
                name: "ssl-mode".into(),
                value: "VERIFY_CA".into(),
                origin: Origin::Implied { by: k.into() },
                secret: false,
            });
        } else {
            out.default("ssl-mode", "PREFERRED");
        }
    }

    // Ssl_options::validate()
    if let Some(s) = &mode_setting {
        let span = s.origin.span().unwrap_or_default();
        if mode == Mode::Disabled && SSL_OPTIONS.iter().any(|k| out.written(k).is_some()) {
            out.issue(
                Issue::new(IssueKind::ConflictingSettings, span, "SSL options are not allowed when ssl-mode is set to 'disabled'.", true)
                    .with_key("ssl-mode"),
            );
        } else if mode < Mode::VerifyCa && ["ssl-ca", "ssl-capath", "ssl-crl", "ssl-crlpath"].iter().any(|k| out.written(k).is_some()) {
            out.issue(
                Issue::new(
                    IssueKind::ConflictingSettings,
                    span,
                    "Invalid ssl-mode, value should be either 'verify_ca' or 'verify_identity' when any of 'ssl-ca', 'ssl-capath', 'ssl-crl' or 'ssl-crlpath' are provided.",
                    true,
                )
                .with_key("ssl-mode"),
            );
        }
    }

    let ca = match ca_key {
        Some(k) => CaSource::File { path: out.settings.value(k).unwrap_or("").to_string(), setting: k.into() },
        None => CaSource::System,
    };
    let mut tls = mode.posture(ca);
    tls.decided_by = vec!["ssl-mode".into()];
    if let Some(k) = ca_key {
        tls.decided_by.push(k.into());
    }
    tls.min_version = ["tls-version", "tls-versions"].iter().filter_map(|k| out.settings.value(k)).filter_map(min_tls).min();
    if mode == Mode::Preferred {
        tls.notes.push("PREFERRED falls back to plaintext when the server does not offer TLS, and never checks the certificate".into());
    }
    out.finish(tls)
}
