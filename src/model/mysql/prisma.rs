//! Prisma's query engine with a `mysql://` URL.
//!
//! Source: `prisma/prisma-engines` `quaint/src/connector/mysql/url.rs`
//! (`MysqlUrl::parse_query_params`): `url::Url::query_pairs()` (`+` is a
//! space), exact-case keys, last occurrence wins, unknown keys discarded
//! ("Discarding connection string param"). TLS (`use_ssl`) is switched on
//! only by `sslcert`, `sslidentity`, `sslpassword` or `sslaccept`; it then
//! starts from `with_danger_accept_invalid_certs(true)`, and only
//! `sslaccept=strict` turns verification on; any other `sslaccept` value
//! keeps `accept_invalid_certs`. There is no `sslmode`. Numeric parameters
//! that do not parse are an `InvalidConnectionArguments` error.

use super::{Out, check_ports, check_userinfo, endpoints, entry, ignored_tls_key, whatwg_bad};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown, closest};
use crate::model::{CaSource, Client, Encryption, Endpoint, Interpretation, Issue, IssueKind, ServerAuth, TlsPosture, Transport};
use crate::syntax::{Span, Tree, decode};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("connection_limit"),
    Keyword::new("statement_cache_size"),
    Keyword::new("sslcert"),
    Keyword::new("sslidentity"),
    Keyword::secret("sslpassword", &[]),
    Keyword::new("sslaccept"),
    Keyword::new("socket"),
    Keyword::new("socket_timeout"),
    Keyword::new("prefer_socket"),
    Keyword::new("connect_timeout"),
    Keyword::new("pool_timeout"),
    Keyword::new("max_connection_lifetime"),
    Keyword::new("max_idle_connection_lifetime"),
    Keyword::new("schema"),
];

const TABLE: Table =
    Table { client: "prisma", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

const NUMERIC: &[&str] = &[
    "connection_limit",
    "statement_cache_size",
    "socket_timeout",
    "connect_timeout",
    "pool_timeout",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
];

pub(super) fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = Out::new(Client::Prisma);
    check_userinfo(tree, &mut out, &whatwg_bad, false, false);
    check_ports(tree, &mut out, true);
    out.endpoints = endpoints(tree, 3306, |h| decode::percent_lenient(h, false).into_owned());
    for (span, name, secret) in [(tree.user, "user", false), (tree.password, "password", true), (tree.database, "database", false)] {
        if let Some(span) = span {
            out.part(name, decode::percent_lenient(tree.text(span), false).into_owned(), span, secret);
        }
    }
    let mut list = Vec::new();
    for p in &tree.params {
        let key = decode::percent_lenient(tree.key(p), true).into_owned();
        let (value, span) = match p.value {
            Some(v) => (decode::percent_lenient(tree.text(v.inner), true).into_owned(), v.inner),
            None => (String::new(), Span::empty(p.key.end)),
        };
        let e = entry(key, value, p.key, span);
        if TABLE.lookup(&e.key).is_none() {
            let effect = "TLS is switched on by sslaccept=strict (with sslcert for a private CA)";
            if let Some(i) = ignored_tls_key("prisma", &e, effect) {
                out.issue(i);
                continue;
            }
        }
        list.push(e);
    }
    TABLE.fold(list, &mut out.settings, &mut out.issues);

    for name in NUMERIC {
        let Some(s) = out.written(name).cloned() else { continue };
        if s.value.parse::<u64>().is_err() {
            let span = s.origin.value_span().unwrap_or_default();
            out.issue(
                Issue::new(
                    IssueKind::InvalidValue,
                    span,
                    format!("prisma rejects {name}=\"{}\": not a number (InvalidConnectionArguments)", s.value),
                    true,
                )
                .with_key(*name),
            );
        }
    }
    if let Some(s) = out.written("prefer_socket").cloned() {
        if s.value != "true" && s.value != "false" {
            let span = s.origin.value_span().unwrap_or_default();
            let suggestion = closest(&s.value, ["true", "false"]).map(str::to_string);
            out.issue(
                Issue::new(IssueKind::InvalidValue, span, format!("prisma rejects prefer_socket=\"{}\" (true or false)", s.value), true)
                    .with_key("prefer_socket")
                    .with_suggestion(suggestion),
            );
        }
    }
    if let Some(sock) = out.settings.value("socket") {
        let path = sock.replace(['(', ')'], "");
        out.endpoints = vec![Endpoint {
            host: path,
            port: None,
            transport: Transport::UnixSocket,
            span: out.settings.get("socket").and_then(|s| s.origin.value_span()),
        }];
    }

    let triggers: Vec<String> =
        ["sslcert", "sslidentity", "sslpassword", "sslaccept"].iter().filter(|k| out.written(k).is_some()).map(|k| k.to_string()).collect();
    let mut tls = if triggers.is_empty() {
        let mut t = TlsPosture::off();
        t.notes.push("Prisma's MySQL connector uses TLS only when sslaccept, sslcert, sslidentity or sslpassword is given".into());
        t
    } else {
        let strict = match out.written("sslaccept").cloned() {
            Some(s) if s.value == "strict" => true,
            Some(s) if s.value == "accept_invalid_certs" => false,
            Some(s) => {
                let span = s.origin.value_span().unwrap_or_default();
                let suggestion = closest(&s.value, ["strict", "accept_invalid_certs"]).map(str::to_string);
                out.issue(
                    Issue::new(
                        IssueKind::InvalidValue,
                        span,
                        format!("prisma does not know sslaccept=\"{}\" and keeps accept_invalid_certs (no certificate check)", s.value),
                        false,
                    )
                    .with_key("sslaccept")
                    .with_suggestion(suggestion),
                );
                false
            }
            None => false,
        };
        if strict {
            let ca = match out.settings.value("sslcert") {
                Some(p) => CaSource::File { path: p.to_string(), setting: "sslcert".into() },
                None => CaSource::System,
            };
            let mut t = TlsPosture::new(Encryption::Required, ServerAuth::ChainAndHost, ca);
            if out.written("sslcert").is_some() {
                t.notes.push("sslcert is resolved relative to the prisma schema directory".into());
            }
            t
        } else {
            let mut t = TlsPosture::new(Encryption::Required, ServerAuth::None, CaSource::None);
            t.notes.push("without sslaccept=strict Prisma accepts any certificate".into());
            t
        }
    };
    tls.decided_by = if triggers.is_empty() { vec!["sslaccept".into()] } else { triggers };
    out.finish(tls)
}
