//! Prisma's query engine reading a `postgresql://` URL (quaint).
//!
//! Source: `prisma/prisma-engines` `quaint/src/connector/postgres/url.rs`
//! (`parse_query_params`, `host`, `dbname`, `username`, `password`) and its
//! `native/mod.rs` (`danger_accept_invalid_certs` unless `sslaccept=strict`,
//! `sslcert` added as a trusted root). The URL itself is parsed by the Rust
//! `url` crate (WHATWG): one host, a numeric port, query pairs decoded as
//! `application/x-www-form-urlencoded` (`+` is a space). Unknown parameters
//! are discarded, repeated ones processed in order.

use super::{empty, endpoint, shown, userinfo_issues};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown, check_enum};
use crate::model::{CaSource, Client, Encryption, Interpretation, Issue, IssueKind, Origin, ServerAuth, Setting, Settings, TlsPosture};
use crate::syntax::{Span, Tree, decode};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("schema"),
    Keyword::new("host"),
    Keyword::new("sslmode"),
    Keyword::new("sslcert"),
    Keyword::new("sslidentity"),
    Keyword::secret("sslpassword", &[]),
    Keyword::new("sslaccept"),
    Keyword::new("pgbouncer"),
    Keyword::new("statement_cache_size"),
    Keyword::new("connection_limit"),
    Keyword::new("socket_timeout"),
    Keyword::new("connect_timeout"),
    Keyword::new("pool_timeout"),
    Keyword::new("max_connection_lifetime"),
    Keyword::new("max_idle_connection_lifetime"),
    Keyword::new("application_name"),
    Keyword::new("channel_binding"),
    Keyword::new("options"),
];

const TABLE: Table =
    Table { client: "Prisma", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

const SSLMODES: &[&str] = &["disable", "prefer", "require"];
const CHANNEL_BINDINGS: &[&str] = &["disable", "prefer", "require"];
const INTEGERS: &[&str] = &[
    "statement_cache_size",
    "connection_limit",
    "socket_timeout",
    "connect_timeout",
    "pool_timeout",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
];

/// Read `tree` as Prisma's engine does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = empty(Client::Prisma);
    check_structure(tree, &mut out.issues);
    let mut entries = Vec::new();
    // The value in force so far, for "keeps …" messages.
    let mut sslmode = "prefer".to_string();
    let mut channel_binding = "prefer".to_string();
    for p in &tree.params {
        let key = decode::percent_lenient(tree.key(p), true).into_owned();
        let value_span = p.value.map_or(Span::empty(p.span.end), |v| v.inner);
        let mut value = decode::percent_lenient(tree.text(value_span), true).into_owned();
        let quoted = shown(tree, value_span);
        match key.as_str() {
            "sslmode" | "channel_binding" => {
                let (allowed, current) = if key == "sslmode" { (SSLMODES, &mut sslmode) } else { (CHANNEL_BINDINGS, &mut channel_binding) };
                if let Err(issue) = check_enum("Prisma", &key, &value, value_span, allowed, Case::Sensitive, false) {
                    let mut message =
                        format!("Prisma ignores {key}=\"{quoted}\" (valid values: {}) and keeps \"{current}\"", allowed.join(", "));
                    if key == "sslmode" && value.to_ascii_lowercase().starts_with("verify") {
                        message.push_str("; for verified TLS write sslmode=require&sslaccept=strict");
                    }
                    if let Some(s) = &issue.suggestion {
                        message.push_str(&format!("; did you mean \"{s}\"?"));
                    }
                    out.issues.push(Issue { kind: IssueKind::IgnoredSetting, message, ..issue });
                    continue;
                }
                *current = value.clone();
            }
            "sslaccept" if value != "strict" && value != "accept_invalid_certs" => {
                let suggestion = crate::model::keywords::closest(&value, ["strict", "accept_invalid_certs"]).map(str::to_string);
                let message = format!("Prisma reads sslaccept=\"{quoted}\" as strict (valid values: strict, accept_invalid_certs)");
                out.issues.push(
                    Issue::new(IssueKind::InvalidValue, value_span, message, false).with_key("sslaccept").with_suggestion(suggestion),
                );
                value = "strict".to_string();
            }
            "sslrootcert" => {
                let message = "Prisma ignores sslrootcert; its CA certificate parameter is sslcert";
                out.issues.push(
                    Issue::new(IssueKind::IgnoredSetting, p.key, message, false)
                        .with_key("sslrootcert")
                        .with_suggestion(Some("sslcert".to_string())),
                );
                continue;
            }
            "pgbouncer" if value.parse::<bool>().is_err() => {
                let message = format!("invalid pgbouncer value \"{quoted}\": Prisma accepts only true or false");
                out.issues.push(Issue::new(IssueKind::InvalidValue, value_span, message, true).with_key("pgbouncer"));
            }
            k if INTEGERS.contains(&k) && value.parse::<u64>().is_err() => {
                let message = format!("invalid {k} value \"{quoted}\": Prisma needs a non-negative integer");
                out.issues.push(Issue::new(IssueKind::InvalidValue, value_span, message, true).with_key(k));
            }
            _ => {}
        }
        entries.push(Entry { key, value, key_span: p.key, value_span });
    }
    TABLE.fold(entries, &mut out.settings, &mut out.issues);
    add_url_parts(tree, &mut out.settings);
    for (name, value) in [("sslmode", "prefer"), ("sslaccept", "accept_invalid_certs")] {
        if out.settings.get(name).is_none() {
            out.settings.0.push(Setting { name: name.into(), value: value.into(), origin: Origin::Default, secret: false });
        }
    }
    out.tls = posture(&out.settings, &mut out.issues);
    out.endpoints = endpoints(tree, &out.settings);
    out.issues.extend(userinfo_issues(tree, Client::Prisma));
    out
}

/// Failures of `url::Url::parse` that the splitting alone does not catch.
fn check_structure(tree: &Tree<'_>, issues: &mut Vec<Issue>) {
    let host = tree.hosts.first();
    let name = host.and_then(|h| h.name);
    let port = host.and_then(|h| h.port).filter(|p| !p.is_empty());
    let credentials = tree.user.is_some_and(|u| !u.is_empty()) || tree.password.is_some_and(|p| !p.is_empty());
    if name.is_none() && (credentials || port.is_some()) {
        let span = host.map_or(Span::new(0, tree.source().len()), |h| h.span);
        issues.push(Issue::new(IssueKind::Syntax, span, "empty host: a user name, password or port needs a host", true).with_key("host"));
    }
    if let Some(p) = port {
        let text = tree.text(p);
        if !text.bytes().all(|b| b.is_ascii_digit()) || text.parse::<u32>().map_or(true, |n| n > 65535) {
            let message = format!("invalid port number \"{}\"", shown(tree, p));
            issues.push(Issue::new(IssueKind::InvalidPort, p, message, true).with_key("port"));
        }
    }
    if let (Some(h), Some(n)) = (host, name) {
        let text = tree.text(n);
        if !h.bracketed {
            if let Some(c) = text.chars().find(|c| " <>[]\\^|".contains(*c) || c.is_control()) {
                let message = format!("invalid domain character {c:?} in the host");
                issues.push(Issue::new(IssueKind::Syntax, n, message, true).with_key("host"));
            }
        }
        if text.contains(',') {
            let message = "Prisma reads one host only: \"h1,h2\" is taken as a single host name, which does not resolve";
            issues.push(Issue::new(IssueKind::Syntax, n, message, true).with_key("host"));
        }
    }
}

/// User, password, host, port and database from the URL itself.
fn add_url_parts(tree: &Tree<'_>, settings: &mut Settings) {
    let mut add = |name: &'static str, value: String, span: Span, secret: bool| {
        if settings.get(name).is_none() {
            settings.0.push(Setting { name: name.into(), value: value.into(), origin: Origin::Written { key: None, value: span }, secret });
        }
    };
    // percent_decode(..).decode_utf8(), falling back to the raw text.
    let userinfo = |s: &str| match decode::percent_bytes(s, false, false) {
        Ok(b) => String::from_utf8(b.into_owned()).unwrap_or_else(|_| s.to_string()),
        Err(_) => decode::percent_lenient(s, false).into_owned(),
    };
    if let Some(u) = tree.user.filter(|u| !u.is_empty()) {
        add("user", userinfo(tree.text(u)), u, false);
    }
    if let Some(p) = tree.password.filter(|p| !p.is_empty()) {
        add("password", userinfo(tree.text(p)), p, true);
    }
    if let Some(n) = tree.hosts.first().and_then(|h| h.name) {
        add("host", tree.text(n).to_string(), n, false);
    }
    if let Some(p) = tree.hosts.first().and_then(|h| h.port).filter(|p| !p.is_empty()) {
        add("port", tree.text(p).to_string(), p, false);
    }
    // The first path segment, as written.
    if let Some(d) = tree.database {
        let first = tree.text(d).split('/').next().unwrap_or("");
        if !first.is_empty() {
            add("dbname", first.to_string(), Span::new(d.start, d.start + first.len()), false);
        }
    }
}

fn posture(settings: &Settings, issues: &mut Vec<Issue>) -> TlsPosture {
    let mode = settings.value("sslmode").unwrap_or("prefer");
    let strict = settings.value("sslaccept") == Some("strict");
    let cert = settings.get("sslcert").filter(|s| !s.value.is_empty());
    let mut decided_by = vec!["sslmode".to_string(), "sslaccept".to_string()];
    let mut notes = Vec::new();
    let encryption = match mode {
        "disable" => Encryption::Off,
        "require" => Encryption::Required,
        _ => Encryption::Opportunistic,
    };
    if mode == "disable" {
        let ignored: Vec<&str> =
            ["sslcert", "sslidentity"].into_iter().filter(|n| settings.get(n).is_some_and(|s| !s.value.is_empty())).collect();
        if !ignored.is_empty() {
            let span = settings.get("sslmode").and_then(|s| s.origin.value_span()).unwrap_or_default();
            let message = format!("sslmode=disable turns TLS off, so {} ignored", ignored.join(" and "));
            issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, false).with_key("sslmode"));
        }
        let mut off = TlsPosture::off();
        off.decided_by = vec!["sslmode".to_string()];
        return off;
    }
    let mut tls = if strict {
        let ca = match cert {
            Some(c) => {
                decided_by.push("sslcert".to_string());
                notes.push("Prisma resolves sslcert relative to the directory of schema.prisma".to_string());
                CaSource::File { path: c.value.to_string(), setting: "sslcert".to_string() }
            }
            None => CaSource::System,
        };
        TlsPosture::new(encryption, ServerAuth::ChainAndHost, ca)
    } else {
        notes.push("Prisma accepts any server certificate unless sslaccept=strict".to_string());
        TlsPosture::new(encryption, ServerAuth::None, CaSource::None)
    };
    if encryption == Encryption::Opportunistic {
        notes.push("sslmode=prefer falls back to plaintext when the server does not offer TLS".to_string());
    }
    tls.decided_by = decided_by;
    tls.notes = notes;
    tls
}

fn endpoints(tree: &Tree<'_>, settings: &Settings) -> Vec<crate::model::Endpoint> {
    let host = settings.get("host");
    let name = host.map_or("localhost", |h| h.value.as_ref());
    let name = if name.is_empty() { "localhost" } else { name };
    let port = settings.value("port").and_then(|p| p.parse::<u16>().ok()).or(Some(5432));
    let span = host.and_then(|h| h.origin.value_span()).or_else(|| tree.hosts.first().and_then(|h| h.name));
    vec![endpoint(name, port, span, &['/'])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, Form, parse};

    fn read(s: &str) -> Interpretation {
        interpret(&parse(s, Form::PostgresUrl, Dialect::Whatwg).unwrap())
    }

    #[test]
    fn quaint_url_tests() {
        // quaint/src/connector/postgres/url.rs tests.
        let i = read("postgresql:///dbname?host=/var/run/psql.sock");
        assert_eq!(i.settings.value("dbname"), Some("dbname"));
        assert_eq!(i.endpoints[0].host, "/var/run/psql.sock");
        let i = read("postgresql:///dbname?host=%2Fvar%2Frun%2Fpostgresql");
        assert_eq!(i.endpoints[0].host, "/var/run/postgresql");
        let i = read("postgresql:///localhost:5432/foo?application_name=test");
        assert_eq!(i.settings.value("application_name"), Some("test"));
        assert_eq!(i.settings.value("dbname"), Some("localhost:5432"));
        let i = read("postgresql:///localhost:5432/foo?channel_binding=invalid");
        assert_eq!(i.settings.value("channel_binding"), None);
        assert_eq!(i.settings.get("sslaccept").map(|s| &s.origin), Some(&Origin::Default));
        assert_eq!(i.issues[0].kind, IssueKind::IgnoredSetting);
        let i = read("postgresql:///dbname");
        assert_eq!(i.endpoints[0].host, "localhost");
        let i = read("postgresql://[2001:db8:1234::ffff]:5432/dbname");
        assert_eq!(i.endpoints[0].host, "2001:db8:1234::ffff");
        let i = read("postgresql:///localhost:5432?options=--cluster%3Dmy_cluster");
        assert_eq!(i.settings.value("options"), Some("--cluster=my_cluster"));
    }

    #[test]
    fn tls_postures() {
        let i = read("postgresql://u:p@db.example.com/app");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Opportunistic, ServerAuth::None));
        let i = read("postgresql://u:p@db.example.com/app?sslmode=require");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::None));
        let i = read("postgresql://u:p@db.example.com/app?sslmode=require&sslaccept=strict&sslcert=./ca.pem");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::ChainAndHost));
        assert_eq!(i.tls.ca, CaSource::File { path: "./ca.pem".into(), setting: "sslcert".into() });
        let i = read("postgresql://u:p@db.example.com/app?sslmode=verify-full");
        assert_eq!(i.tls.encryption, Encryption::Opportunistic);
        assert_eq!(i.issues[0].kind, IssueKind::IgnoredSetting);
        assert!(!i.issues[0].fatal);
        assert!(i.issues[0].message.contains("keeps \"prefer\""));
        // An ignored value keeps the previous one.
        let i = read("postgresql://h/app?sslmode=require&sslmode=verify-full");
        assert_eq!(i.settings.value("sslmode"), Some("require"));
        let i = read("postgresql://h/app?sslmode=require&sslaccept=yes");
        assert_eq!(i.tls.server_auth, ServerAuth::ChainAndHost);
        let i = read("postgresql://h/app?sslmode=disable&sslcert=ca.pem");
        assert_eq!(i.tls.encryption, Encryption::Off);
        assert_eq!(i.issues[0].kind, IssueKind::ConflictingSettings);
        let i = read("postgresql://h/app?sslrootcert=ca.pem&sslaccept=strict");
        assert_eq!(i.issues[0].suggestion.as_deref(), Some("sslcert"));
        assert_eq!(i.tls.ca, CaSource::System);
    }

    #[test]
    fn parsing_rules() {
        let i = read("postgresql://h/app?application_name=a+b%21");
        assert_eq!(i.settings.value("application_name"), Some("a b!"));
        assert!(read("postgresql://h1:5432,h2:5433/app").is_fatal());
        assert!(read("postgresql://h1,h2/app").is_fatal());
        assert!(read("postgresql://u:p@:5432/app").is_fatal());
        assert!(read("postgresql://h/app?connection_limit=ten").is_fatal());
        assert!(read("postgresql://h/app?pgbouncer=1").is_fatal());
        assert!(!read("postgresql://h/app?pgbouncer=true&schema=x&foo=bar").is_fatal());
        let i = read("postgresql://us%40er:p%40ss@h/app");
        assert_eq!((i.settings.value("user"), i.settings.value("password")), (Some("us@er"), Some("p@ss")));
    }
}
