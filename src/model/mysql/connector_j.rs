//! MySQL Connector/J (`jdbc:mysql:`).
//!
//! Sources: `mysql/mysql-connector-j` `ConnectionUrlParser.java` (split,
//! `URLDecoder` on every part, so `+` is a space), `PropertyKey.java`
//! (property names are case-sensitive except `user`, `password`, `host`,
//! `port`, `protocol`, `path`, `type`, `address`, `priority`, `dbname`,
//! `paranoid`; unknown names are kept as user properties and otherwise
//! ignored), `PropertyDefinitions.java` (`sslMode` default `PREFERRED`,
//! enum values case-insensitive), `DefaultPropertySet.java` (legacy
//! `useSSL` / `requireSSL` / `verifyServerCertificate` translated only when
//! `sslMode` is not set).

use super::{Mode, Out, check_ports, check_userinfo, endpoints, entry, fold_quiet, min_tls};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown, check_enum};
use crate::model::{CaSource, Client, Interpretation, Issue, IssueKind, Origin, Setting};
use crate::syntax::{Span, Tree, mysql_jdbc};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("user"),
    Keyword::secret("password", &[]),
    Keyword::new("sslMode"),
    Keyword::new("useSSL"),
    Keyword::new("requireSSL"),
    Keyword::new("verifyServerCertificate"),
    Keyword::new("trustCertificateKeyStoreUrl"),
    Keyword::new("trustCertificateKeyStoreType"),
    Keyword::secret("trustCertificateKeyStorePassword", &[]),
    Keyword::new("fallbackToSystemTrustStore"),
    Keyword::new("clientCertificateKeyStoreUrl"),
    Keyword::new("clientCertificateKeyStoreType"),
    Keyword::secret("clientCertificateKeyStorePassword", &[]),
    Keyword::new("fallbackToSystemKeyStore"),
    Keyword::aliases("tlsVersions", &["enabledTLSProtocols"]),
    Keyword::aliases("tlsCiphersuites", &["enabledSSLCipherSuites"]),
    Keyword::new("sslContextProvider"),
    Keyword::new("allowPublicKeyRetrieval"),
    Keyword::new("serverRSAPublicKeyFile"),
    Keyword::new("allowLoadLocalInfile"),
    Keyword::new("allowMultiQueries"),
    Keyword::new("autoReconnect"),
    Keyword::new("characterEncoding"),
    Keyword::new("connectionTimeZone"),
    Keyword::new("serverTimezone"),
    Keyword::new("connectTimeout"),
    Keyword::new("socketTimeout"),
    Keyword::new("useUnicode"),
    Keyword::new("zeroDateTimeBehavior"),
    Keyword::new("rewriteBatchedStatements"),
    Keyword::new("cachePrepStmts"),
    Keyword::new("useServerPrepStmts"),
    Keyword::new("prepStmtCacheSize"),
    Keyword::new("prepStmtCacheSqlLimit"),
    Keyword::new("useLegacyDatetimeCode"),
    Keyword::new("useJDBCCompliantTimezoneShift"),
    Keyword::new("tinyInt1isBit"),
    Keyword::new("createDatabaseIfNotExist"),
    Keyword::new("databaseTerm"),
    Keyword::new("defaultAuthenticationPlugin"),
    Keyword::new("authenticationPlugins"),
    Keyword::new("passwordCharacterEncoding"),
    Keyword::new("failOverReadOnly"),
    Keyword::new("loadBalanceStrategy"),
    Keyword::new("connectionAttributes"),
    Keyword::new("sessionVariables"),
    Keyword::new("useCursorFetch"),
    Keyword::new("useCompression"),
    Keyword::new("maxReconnects"),
    Keyword::new("initialTimeout"),
    Keyword::new("queryTimeoutKillsConnection"),
    Keyword::new("useAffectedRows"),
    Keyword::new("useInformationSchema"),
    Keyword::new("nullDatabaseMeansCurrent"),
    Keyword::new("preserveInstants"),
    Keyword::new("forceConnectionTimeZoneToSession"),
    Keyword::new("xdevapi.ssl-mode"),
    Keyword::new("xdevapi.ssl-truststore"),
];

const TABLE: Table =
    Table { client: "connector-j", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

const MODES: &[&str] = &["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"];
/// Connector/J's `BooleanPropertyDefinition` spellings.
const BOOLS: &[&str] = &["true", "false", "yes", "no"];

/// Names `PropertyKey` matches case-insensitively.
const CASE_INSENSITIVE: &[&str] =
    &["user", "password", "host", "port", "protocol", "path", "type", "address", "priority", "dbname", "paranoid"];

fn canonical_key(key: String) -> String {
    CASE_INSENSITIVE.iter().find(|k| k.eq_ignore_ascii_case(&key)).map_or(key, |k| (*k).to_string())
}

/// Decode every part as `URLDecoder` does; a bad `%` is fatal.
pub(super) fn decoded(tree: &Tree<'_>, span: Span, out: &mut Out, what: &str) -> String {
    let raw = tree.text(span);
    match mysql_jdbc::decode_value(raw) {
        Some(v) => v.into_owned(),
        None => {
            out.issue(Issue::new(
                IssueKind::Syntax,
                span,
                format!("URLDecoder: Illegal hex characters in escape (%) pattern in the {what}"),
                true,
            ));
            raw.to_string()
        }
    }
}

/// Query entries plus per-host properties, decoded.
pub(super) fn entries(tree: &Tree<'_>, out: &mut Out) -> Vec<Entry> {
    let mut list = Vec::new();
    for p in tree.params.iter().chain(tree.hosts.iter().flat_map(|h| tree.host_params_of(h))) {
        let key = decoded(tree, p.key, out, "parameter name");
        let (value, span) = match p.value {
            Some(v) => (decoded(tree, v.inner, out, &format!("value of \"{key}\"")), v.inner),
            None => (String::new(), Span::empty(p.key.end)),
        };
        list.push(entry(key, value, p.key, span));
    }
    list
}

pub(super) fn userinfo_parts(tree: &Tree<'_>, out: &mut Out) {
    if let Some(u) = tree.user {
        let v = decoded(tree, u, out, "user name");
        out.part("user", v, u, false);
    }
    if let Some(p) = tree.password {
        let v = decoded(tree, p, out, "password");
        out.part("password", v, p, true);
    }
    if let Some(d) = tree.database {
        let v = decoded(tree, d, out, "database");
        out.part("dbname", v, d, false);
    }
}

/// Whether `c` in a raw user name or password changes how Connector/J or
/// MariaDB Connector/J splits or decodes the URL.
pub(super) fn jdbc_bad(c: char) -> bool {
    matches!(c, '@' | '/' | '?' | '#' | ',' | '[' | ']' | '(' | ')' | '+' | '&' | '=')
}

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::ConnectorJ);
    if let Some(s) = tree.scheme {
        if tree.text(s).to_ascii_lowercase().starts_with("jdbc:mariadb:") {
            out.issue(Issue::new(IssueKind::Syntax, s, "Connector/J does not accept jdbc:mariadb: URLs (No suitable driver)", true));
        }
    }
    check_userinfo(tree, &mut out, &jdbc_bad, false, false);
    check_ports(tree, &mut out, true);
    out.endpoints = endpoints(tree, 3306, |h| mysql_jdbc::decode_value(h).map_or_else(|| h.to_string(), |v| v.into_owned()));
    userinfo_parts(tree, &mut out);
    let list: Vec<Entry> = entries(tree, &mut out)
        .into_iter()
        .map(|mut e| {
            e.key = canonical_key(e.key);
            e
        })
        .collect();
    fold_quiet(&TABLE, list, &mut out);

    let bool_of = |out: &mut Out, name: &str| -> Option<bool> {
        let s = out.written(name)?.clone();
        let span = s.origin.value_span().unwrap_or_default();
        match check_enum("connector-j", name, &s.value, span, BOOLS, Case::Insensitive, true) {
            Ok(v) => Some(v == "true" || v == "yes"),
            Err(i) => {
                out.issue(i);
                None
            }
        }
    };
    let use_ssl = bool_of(&mut out, "useSSL");
    let require_ssl = bool_of(&mut out, "requireSSL");
    let verify = bool_of(&mut out, "verifyServerCertificate");
    let legacy: Vec<&str> = ["useSSL", "requireSSL", "verifyServerCertificate"].into_iter().filter(|k| out.written(k).is_some()).collect();

    let mut decided_by = vec!["sslMode".to_string()];
    let mode = if let Some(s) = out.written("sslMode").cloned() {
        for k in &legacy {
            let span = out.span_of(k, Span::default());
            out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    span,
                    format!("connector-j ignores the legacy \"{k}\" because \"sslMode\" is set"),
                    false,
                )
                .with_key(*k),
            );
        }
        let span = s.origin.value_span().unwrap_or_default();
        match check_enum("connector-j", "sslMode", &s.value, span, MODES, Case::Insensitive, true) {
            Ok("DISABLED") => Mode::Disabled,
            Ok("REQUIRED") => Mode::Required,
            Ok("VERIFY_CA") => Mode::VerifyCa,
            Ok("VERIFY_IDENTITY") => Mode::VerifyIdentity,
            Ok(_) => Mode::Preferred,
            Err(mut i) => {
                if super::means_verify_full(&s.value) {
                    i.suggestion = Some("VERIFY_IDENTITY".into());
                    i.message = format!("connector-j rejects sslMode=\"{}\"; its spelling is \"VERIFY_IDENTITY\"", s.value);
                }
                out.issue(i);
                Mode::Preferred
            }
        }
    } else if !legacy.is_empty() {
        // DefaultPropertySet: useSSL=false → DISABLED, else verifyServerCertificate → VERIFY_CA,
        // else requireSSL → REQUIRED, else PREFERRED.
        decided_by = legacy.iter().map(|k| k.to_string()).collect();
        let (mode, by) = if use_ssl == Some(false) {
            if require_ssl == Some(true) || verify == Some(true) {
                let span = out.span_of("useSSL", Span::default());
                out.issue(
                    Issue::new(
                        IssueKind::ConflictingSettings,
                        span,
                        "useSSL=false disables TLS, so requireSSL / verifyServerCertificate have no effect",
                        false,
                    )
                    .with_key("useSSL"),
                );
            }
            (Mode::Disabled, "useSSL")
        } else if verify == Some(true) {
            (Mode::VerifyCa, "verifyServerCertificate")
        } else if require_ssl == Some(true) {
            (Mode::Required, "requireSSL")
        } else {
            (Mode::Preferred, "useSSL")
        };
        let value = match mode {
            Mode::Disabled => "DISABLED",
            Mode::VerifyCa => "VERIFY_CA",
            Mode::Required => "REQUIRED",
            _ => "PREFERRED",
        };
        out.settings.set(Setting { name: "sslMode".into(), value: value.into(), origin: Origin::Implied { by: by.into() }, secret: false });
        mode
    } else {
        out.default("sslMode", "PREFERRED");
        Mode::Preferred
    };

    let ca = match out.settings.value("trustCertificateKeyStoreUrl") {
        Some(url) => CaSource::File { path: url.to_string(), setting: "trustCertificateKeyStoreUrl".into() },
        None => CaSource::System,
    };
    let mut tls = mode.posture(ca);
    tls.decided_by = decided_by;
    tls.min_version = out.settings.value("tlsVersions").and_then(min_tls);
    if mode == Mode::Preferred {
        tls.notes.push("PREFERRED falls back to plaintext when the server does not offer TLS, and never checks the certificate".into());
    }
    out.finish(tls)
}
