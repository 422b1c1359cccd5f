//! go-sql-driver/mysql (`user:pass@tcp(host:3306)/db?tls=true`).
//!
//! Source: `go-sql-driver/mysql` `dsn.go` (`ParseDSN`, `parseDSNParams`,
//! `normalize`) and `utils.go` (`readBool`). Parameter names are
//! case-sensitive; the last occurrence wins; unknown names are sent to the
//! server as system variables (`SET name=value`). `tls`: a `readBool` value,
//! else `skip-verify` or `preferred` (any case), else the name of a config
//! the application registered. Default: no TLS.

use super::{Out, check_ports, entry, fold_quiet};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown, closest};
use crate::model::{CaSource, Client, Encryption, Endpoint, Interpretation, Issue, IssueKind, ServerAuth, TlsPosture, Transport};
use crate::syntax::go_mysql::{path_unescape, query_unescape};
use crate::syntax::{Span, Tree};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("allowAllFiles"),
    Keyword::new("allowCleartextPasswords"),
    Keyword::new("allowFallbackToPlaintext"),
    Keyword::new("allowNativePasswords"),
    Keyword::new("allowOldPasswords"),
    Keyword::new("charset"),
    Keyword::new("checkConnLiveness"),
    Keyword::new("collation"),
    Keyword::new("clientFoundRows"),
    Keyword::new("columnsWithAlias"),
    Keyword::new("compress"),
    Keyword::new("connectionAttributes"),
    Keyword::new("interpolateParams"),
    Keyword::new("loc"),
    Keyword::new("maxAllowedPacket"),
    Keyword::new("multiStatements"),
    Keyword::new("parseTime"),
    Keyword::new("readTimeout"),
    Keyword::new("rejectReadOnly"),
    Keyword::new("serverPubKey"),
    Keyword::new("strict"),
    Keyword::new("timeout"),
    Keyword::new("timeTruncate"),
    Keyword::new("tinyInt1IsBool"),
    Keyword::new("tls"),
    Keyword::new("writeTimeout"),
];

const TABLE: Table =
    Table { client: "go-mysql", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Forwarded };

const BOOL_PARAMS: &[&str] = &[
    "allowAllFiles",
    "allowCleartextPasswords",
    "allowFallbackToPlaintext",
    "allowNativePasswords",
    "allowOldPasswords",
    "checkConnLiveness",
    "clientFoundRows",
    "columnsWithAlias",
    "compress",
    "interpolateParams",
    "multiStatements",
    "parseTime",
    "rejectReadOnly",
    "tinyInt1IsBool",
];

/// `readBool`.
pub fn read_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "TRUE" | "True" => Some(true),
        "0" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Networks Go's `net.Dial` knows.
const NETWORKS: &[&str] = &["tcp", "tcp4", "tcp6", "unix", "unixpacket", "udp", "udp4", "udp6", "ip", "ip4", "ip6", "unixgram"];

fn network(tree: &Tree<'_>, out: &mut Out) {
    let Some(h) = tree.hosts.first() else {
        out.endpoints.push(Endpoint { host: "127.0.0.1".into(), port: Some(3306), transport: Transport::Tcp, span: None });
        return;
    };
    let net = h.protocol.map_or("tcp", |p| tree.text(p));
    let net_span = h.protocol.unwrap_or(h.span);
    let addr = tree.text(Span::new(h.name.map_or(h.span.end, |n| n.start), h.port.or(h.name).map_or(h.span.end, |s| s.end)));
    let has_addr = h.name.is_some() || h.port.is_some();
    if !has_addr && net != "tcp" && net != "unix" {
        // normalize(): "default addr for network '…' unknown". The network may be a
        // mistyped "user:password" (no '@'), so it is quoted only when it is a plain word.
        let shown =
            if net.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') { format!(" '{net}'") } else { String::new() };
        let suggestion =
            (net.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') && !net.is_empty()).then(|| format!("tcp({net})"));
        out.issue(
            Issue::new(
                IssueKind::InvalidValue,
                net_span,
                format!("default addr for network{shown} unknown; write the host as tcp(host:port)"),
                true,
            )
            .with_key("net")
            .with_suggestion(suggestion),
        );
        return;
    }
    if !NETWORKS.contains(&net) {
        let shown = if net.bytes().all(|b| b.is_ascii_alphanumeric()) { format!(" \"{net}\"") } else { String::new() };
        out.issue(
            Issue::new(IssueKind::InvalidValue, net_span, format!("go-mysql cannot dial the unknown network{shown}"), false)
                .with_key("net")
                .with_suggestion(closest(net, NETWORKS.iter().copied()).map(str::to_string)),
        );
    }
    let (transport, host, port) = if net.starts_with("unix") {
        (Transport::UnixSocket, if has_addr { addr.to_string() } else { "/tmp/mysql.sock".into() }, None)
    } else {
        let name = h.name.map_or("127.0.0.1", |n| tree.text(n));
        let port = h.port.and_then(|p| tree.text(p).parse().ok()).unwrap_or(3306);
        (Transport::Tcp, if has_addr { name.to_string() } else { "127.0.0.1".into() }, Some(port))
    };
    out.endpoints.push(Endpoint { host, port, transport, span: h.name });
}

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::GoMysql);
    check_ports(tree, &mut out, true);
    network(tree, &mut out);
    if let Some(u) = tree.user {
        out.part("user", tree.text(u).to_string(), u, false);
    }
    if let Some(p) = tree.password {
        out.part("password", tree.text(p).to_string(), p, true);
    }
    if let Some(d) = tree.database {
        match path_unescape(tree.text(d)) {
            Ok(v) => out.part("dbname", v, d, false),
            Err(e) => out.issue(Issue::new(IssueKind::Syntax, d, format!("invalid dbname: {}", e.message), true)),
        }
    }
    let mut list = Vec::new();
    for p in &tree.params {
        // Items without '=' are skipped by the driver.
        let Some(v) = p.value else { continue };
        let key = tree.key(p).to_string();
        let raw = tree.text(v.inner);
        let value = if BOOL_PARAMS.contains(&key.as_str())
            || matches!(
                key.as_str(),
                "charset" | "collation" | "readTimeout" | "writeTimeout" | "timeout" | "timeTruncate" | "maxAllowedPacket"
            ) {
            raw.to_string()
        } else {
            match query_unescape(raw) {
                Ok(v) => v,
                Err(e) => {
                    let at = v.inner.start + e.offset;
                    // The escape text is part of the value: never quote a secret's.
                    let message = if crate::syntax::is_secret_key(&key) {
                        format!("invalid URL escape in the value of \"{key}\"")
                    } else {
                        e.message
                    };
                    out.issue(Issue::new(IssueKind::Syntax, Span::new(at, (at + 3).min(v.inner.end)), message, true).with_key(key.clone()));
                    raw.to_string()
                }
            }
        };
        list.push(entry(key, value, p.key, v.inner));
    }
    fold_quiet(&TABLE, list, &mut out);

    for name in BOOL_PARAMS {
        let Some(s) = out.written(name).cloned() else { continue };
        if read_bool(&s.value).is_none() {
            let span = s.origin.value_span().unwrap_or_default();
            let suggestion = closest(&s.value, ["true", "false"]).map(str::to_string);
            out.issue(
                Issue::new(IssueKind::InvalidValue, span, format!("invalid bool value: {}", s.value), true)
                    .with_key(*name)
                    .with_suggestion(suggestion),
            );
        }
    }
    if let Some(s) = out.written("strict") {
        let span = s.origin.span().unwrap_or_default();
        out.issue(
            Issue::new(IssueKind::InvalidValue, span, "strict mode has been removed from go-sql-driver/mysql (the driver panics)", true)
                .with_key("strict"),
        );
    }

    let fallback = out.written("allowFallbackToPlaintext").and_then(|s| read_bool(&s.value)) == Some(true);
    let tls_setting = out.written("tls").cloned();
    let mut tls = match tls_setting.as_ref().map(|s| s.value.as_ref()) {
        None => TlsPosture::off(),
        Some(v) => match read_bool(v) {
            Some(true) => TlsPosture::new(Encryption::Required, ServerAuth::ChainAndHost, CaSource::System),
            Some(false) => TlsPosture::off(),
            None if v.eq_ignore_ascii_case("skip-verify") => TlsPosture::new(Encryption::Required, ServerAuth::None, CaSource::None),
            None if v.eq_ignore_ascii_case("preferred") => TlsPosture::new(Encryption::Opportunistic, ServerAuth::None, CaSource::None),
            None => {
                let span = tls_setting.as_ref().and_then(|s| s.origin.value_span()).unwrap_or_default();
                let builtin = ["true", "false", "skip-verify", "preferred"];
                // A spelling of "TLS on" means tls=true; a near miss of a builtin means that builtin.
                let meant = if super::means_tls_on(v) {
                    Some("true")
                } else if matches!(v.to_ascii_lowercase().as_str(), "disabled" | "disable" | "no" | "off" | "none") {
                    Some("false")
                } else {
                    closest(v, builtin.iter().copied()).filter(|_| !v.is_empty())
                };
                if let Some(s) = meant {
                    out.issue(
                        Issue::new(
                            IssueKind::InvalidValue,
                            span,
                            format!("tls=\"{v}\" names a custom TLS config; unless the application registers one by that name, go-mysql rejects it (invalid value / unknown config name); did you mean \"{s}\"?"),
                            false,
                        )
                        .with_key("tls")
                        .with_suggestion(Some(s.to_string())),
                    );
                }
                let mut t = TlsPosture::new(
                    Encryption::Required,
                    ServerAuth::ChainAndHost,
                    CaSource::Custom {
                        description: format!("the TLS config the application registers as \"{v}\" (mysql.RegisterTLSConfig)"),
                    },
                );
                t.notes.push("a registered TLS config decides verification; InsecureSkipVerify there turns it off".into());
                t
            }
        },
    };
    tls.decided_by.push("tls".into());
    if fallback {
        tls.decided_by.push("allowFallbackToPlaintext".into());
        let span = out.span_of("allowFallbackToPlaintext", Span::default());
        if tls.encryption == Encryption::Off {
            out.issue(
                Issue::new(
                    IssueKind::ConflictingSettings,
                    span,
                    "allowFallbackToPlaintext has no effect: TLS is off (set tls=true)",
                    false,
                )
                .with_key("allowFallbackToPlaintext"),
            );
        } else if tls.encryption == Encryption::Required {
            tls.encryption = Encryption::Opportunistic;
            tls.notes.push("allowFallbackToPlaintext=true connects in plaintext when the server does not offer TLS".into());
        }
    }
    if tls_setting.as_ref().is_some_and(|s| s.value.eq_ignore_ascii_case("preferred")) {
        tls.notes.push("tls=preferred skips certificate verification and falls back to plaintext".into());
    }
    out.finish(tls)
}
