//! MariaDB Connector/J 3.x (`jdbc:mariadb:`).
//!
//! Sources: `mariadb-corporation/mariadb-connector-j`
//! `src/main/java/org/mariadb/jdbc/export/SslMode.java` (`disable` |
//! `trust` | `verify-ca` | `verify-full`, enum names and aliases
//! `DISABLED 0 false` / `REQUIRED` / `VERIFY_CA` / `VERIFY_IDENTITY 1 true`,
//! case-insensitive; anything else: "Wrong argument value '%s' for
//! SslMode"), `Configuration.java` (default `disable`; option names matched
//! case-insensitively; unknown options kept for plugins and otherwise
//! ignored; 2.x compatibility: when `useSsl`/`useSSL` is set,
//! `trustServerCertificate` → trust, else `disableSslHostnameVerification`
//! → verify-ca, else verify-full, overriding `sslMode`).

use super::connector_j::{entries, jdbc_bad, userinfo_parts};
use super::{Mode, Out, check_ports, check_userinfo, endpoints, fold_quiet, min_tls};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown};
use crate::model::{CaSource, Client, Interpretation, Issue, IssueKind, Origin, Setting};
use crate::syntax::{Tree, mysql_jdbc};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("user"),
    Keyword::secret("password", &[]),
    Keyword::new("sslMode"),
    Keyword::new("serverSslCert"),
    Keyword::new("keyStore"),
    Keyword::secret("keyStorePassword", &[]),
    Keyword::new("keyStoreType"),
    Keyword::new("trustStore"),
    Keyword::secret("trustStorePassword", &[]),
    Keyword::new("trustStoreType"),
    Keyword::new("enabledSslCipherSuites"),
    Keyword::new("enabledSslProtocolSuites"),
    Keyword::new("fallbackToSystemKeyStore"),
    Keyword::new("fallbackToSystemTrustStore"),
    Keyword::new("useSsl"),
    Keyword::new("trustServerCertificate"),
    Keyword::new("disableSslHostnameVerification"),
    Keyword::new("permitMysqlScheme"),
    Keyword::new("connectTimeout"),
    Keyword::new("socketTimeout"),
    Keyword::new("localSocket"),
    Keyword::new("pipe"),
    Keyword::new("allowPublicKeyRetrieval"),
    Keyword::new("serverRsaPublicKeyFile"),
    Keyword::new("restrictedAuth"),
    Keyword::new("credentialType"),
    Keyword::new("sessionVariables"),
    Keyword::new("connectionAttributes"),
    Keyword::new("allowMultiQueries"),
    Keyword::new("allowLocalInfile"),
    Keyword::new("useCompression"),
    Keyword::new("autocommit"),
    Keyword::new("timezone"),
    Keyword::new("useServerPrepStmts"),
    Keyword::new("cachePrepStmts"),
    Keyword::new("prepStmtCacheSize"),
    Keyword::new("useBulkStmts"),
    Keyword::new("tinyInt1isBit"),
    Keyword::new("transactionIsolation"),
    Keyword::new("pool"),
    Keyword::new("maxPoolSize"),
    Keyword::new("minPoolSize"),
];

const TABLE: Table = Table {
    client: "mariadb-connector-j",
    keywords: KEYWORDS,
    case: Case::Insensitive,
    duplicates: Duplicates::LastWins,
    unknown: Unknown::Ignored,
};

/// `SslMode.from`: canonical value, enum name, aliases.
fn ssl_mode(value: &str) -> Option<Mode> {
    let v = value.to_ascii_lowercase();
    match v.as_str() {
        "disable" | "disabled" | "0" | "false" => Some(Mode::Disabled),
        "trust" | "required" => Some(Mode::Required),
        "verify-ca" | "verify_ca" => Some(Mode::VerifyCa),
        "verify-full" | "verify_full" | "verify_identity" | "1" | "true" => Some(Mode::VerifyIdentity),
        _ => None,
    }
}

/// `Configuration.isSet`: present and empty, `1` or `true`.
fn is_set(out: &Out, key: &str) -> bool {
    out.written(key).is_some_and(|s| s.value.is_empty() || s.value == "1" || s.value.eq_ignore_ascii_case("true"))
}

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::MariadbConnectorJ);
    check_userinfo(tree, &mut out, &jdbc_bad, false, false);
    check_ports(tree, &mut out, true);
    out.endpoints = endpoints(tree, 3306, |h| mysql_jdbc::decode_value(h).map_or_else(|| h.to_string(), |v| v.into_owned()));
    userinfo_parts(tree, &mut out);
    let list = entries(tree, &mut out);
    fold_quiet(&TABLE, list, &mut out);

    let mut decided_by = vec!["sslMode".to_string()];
    let mut mode = Mode::Disabled;
    match out.written("sslMode").cloned() {
        Some(s) if s.value.is_empty() => mode = Mode::VerifyIdentity,
        Some(s) => match ssl_mode(&s.value) {
            Some(m) => mode = m,
            None => {
                let span = s.origin.value_span().unwrap_or_default();
                let allowed = ["disable", "trust", "verify-ca", "verify-full"];
                let suggestion = crate::model::keywords::closest(&s.value, allowed.iter().copied()).map(str::to_string);
                out.issue(
                    Issue::new(
                        IssueKind::InvalidValue,
                        span,
                        format!("mariadb-connector-j rejects sslMode: Wrong argument value '{}' for SslMode", s.value),
                        true,
                    )
                    .with_key("sslMode")
                    .with_suggestion(suggestion),
                );
            }
        },
        None => out.default("sslMode", "disable"),
    }
    if is_set(&out, "useSsl") {
        let (m, by, value) = if is_set(&out, "trustServerCertificate") {
            (Mode::Required, "trustServerCertificate", "trust")
        } else if is_set(&out, "disableSslHostnameVerification") {
            (Mode::VerifyCa, "disableSslHostnameVerification", "verify-ca")
        } else {
            (Mode::VerifyIdentity, "useSsl", "verify-full")
        };
        if let Some(s) = out.written("sslMode") {
            let span = s.origin.span().unwrap_or_default();
            out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    span,
                    format!("mariadb-connector-j ignores \"sslMode\" because the legacy \"useSsl\" is set (it means sslMode={value})"),
                    false,
                )
                .with_key("sslMode"),
            );
        }
        mode = m;
        decided_by = vec!["useSsl".into(), by.into()];
        decided_by.dedup();
        out.settings.set(Setting { name: "sslMode".into(), value: value.into(), origin: Origin::Implied { by: by.into() }, secret: false });
    }

    let ca = match out.settings.value("serverSslCert") {
        Some(path) => CaSource::File { path: path.to_string(), setting: "serverSslCert".into() },
        None => match out.settings.value("trustStore") {
            Some(path) => CaSource::File { path: path.to_string(), setting: "trustStore".into() },
            None => CaSource::System,
        },
    };
    let mut tls = mode.posture(ca);
    tls.decided_by = decided_by;
    tls.min_version = out.settings.value("enabledSslProtocolSuites").and_then(min_tls);
    if mode == Mode::Disabled && out.written("sslMode").is_none() {
        tls.notes.push("MariaDB Connector/J sends everything in plaintext unless sslMode is set".into());
    }
    out.finish(tls)
}
