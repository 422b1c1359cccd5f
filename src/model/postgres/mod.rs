//! The PostgreSQL family: libpq, node-postgres, Prisma and pgjdbc.
//!
//! Each client has its own module reproducing how it reads a string (see
//! `reference/formats.md` §1–3 and the upstream sources cited there). This
//! module dispatches, holds what they share (userinfo checks, endpoints,
//! redaction of quoted text) and says how each client spells TLS settings.

pub mod libpq;
pub mod node_postgres;
pub mod pgjdbc;
pub mod prisma;

use super::{Client, Endpoint, Interpretation, Issue, IssueKind, Options, Settings, TlsPosture, TlsVocabulary, Transport};
use crate::syntax::detect::Database;
use crate::syntax::{Span, Tree, url};
use std::borrow::Cow;

/// Read `tree` as `client` does.
pub fn interpret(tree: &Tree<'_>, client: Client, opts: &Options) -> Interpretation {
    let mut i = read(tree, client, opts);
    scrub(tree, client, &mut i);
    i
}

fn read(tree: &Tree<'_>, client: Client, opts: &Options) -> Interpretation {
    match client {
        Client::Libpq => libpq::interpret(tree, opts),
        Client::NodePostgres => node_postgres::interpret(tree),
        Client::Prisma => prisma::interpret(tree),
        Client::Pgjdbc => pgjdbc::interpret(tree),
        other => {
            let mut i = empty(other);
            i.issues.push(Issue::new(
                IssueKind::Syntax,
                Span::new(0, tree.source().len()),
                format!("{} does not read PostgreSQL connection strings", other.name()),
                true,
            ));
            i
        }
    }
}

/// How `client` spells TLS settings for PostgreSQL.
pub fn vocabulary(client: Client, opts: &Options) -> TlsVocabulary {
    match client {
        Client::Libpq => TlsVocabulary {
            require: Some(&[("sslmode", "require")]),
            verify_ca: Some(&[("sslmode", "verify-ca")]),
            verify_full: Some(&[("sslmode", "verify-full")]),
            ca_file: Some("sslrootcert"),
            // `requiressl=1` and the URI-only `ssl=true` are spellings of sslmode
            // that would override a new sslmode written before them.
            remove: &["requiressl", "ssl"],
            // The system store is `sslrootcert=system` from libpq 16; before, there is no spelling for it.
            system_ca: (opts.libpq_version >= 16).then_some(&[("sslrootcert", "system")][..]),
            min_tls12: Some(&[("ssl_min_protocol_version", "TLSv1.2")]),
        },
        Client::NodePostgres => TlsVocabulary {
            // In pg-connection-string 2.x only `no-verify` skips verification;
            // `require` means verify-full unless uselibpqcompat=true.
            require: Some(&[("sslmode", "no-verify")]),
            verify_ca: Some(&[("uselibpqcompat", "true"), ("sslmode", "verify-ca")]),
            verify_full: Some(&[("sslmode", "verify-full")]),
            ca_file: Some("sslrootcert"),
            remove: &["ssl"],
            ..TlsVocabulary::default()
        },
        Client::Prisma => TlsVocabulary {
            require: Some(&[("sslmode", "require")]),
            // quaint has no chain-only mode: `sslaccept=strict` checks chain and host.
            verify_ca: None,
            verify_full: Some(&[("sslmode", "require"), ("sslaccept", "strict")]),
            // Prisma's `sslcert` is the CA (root) certificate, not a client certificate.
            ca_file: Some("sslcert"),
            ..TlsVocabulary::default()
        },
        Client::Pgjdbc => TlsVocabulary {
            require: Some(&[("sslmode", "require")]),
            verify_ca: Some(&[("sslmode", "verify-ca")]),
            verify_full: Some(&[("sslmode", "verify-full")]),
            ca_file: Some("sslrootcert"),
            remove: &["ssl", "sslfactory"],
            // pgjdbc reads ~/.postgresql/root.crt by default; the JVM's trust store needs this factory.
            system_ca: Some(&[("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory")]),
            ..TlsVocabulary::default()
        },
        _ => TlsVocabulary::default(),
    }
}

/// An interpretation with nothing in it yet.
fn empty(client: Client) -> Interpretation {
    Interpretation {
        client,
        database: Database::Postgres,
        endpoints: Vec::new(),
        settings: Settings::default(),
        tls: TlsPosture::off(),
        issues: Vec::new(),
    }
}

/// The text of `span` for a message, or `<redacted>` when any of it is
/// part of a secret token (a password, or text the writer meant as one).
fn shown<'s>(tree: &Tree<'s>, span: Span) -> Cow<'s, str> {
    let secret = tree.tokens.iter().any(|t| t.kind.is_secret() && (t.span.overlaps(span) || (span.is_empty() && t.span.contains(span))));
    if secret { Cow::Borrowed("<redacted>") } else { Cow::Borrowed(tree.text(span)) }
}

/// Withhold the text of issues located on secret text: a password the
/// client splits elsewhere (`u:p?ss@h` puts `ss@h` in the query for a
/// WHATWG parser) can end up quoted as a key or value.
///
/// Settings and endpoints read from such text are secret too.
fn scrub(tree: &Tree<'_>, client: Client, i: &mut Interpretation) {
    let on_secret = |span: Span| tree.tokens.iter().any(|t| t.kind.is_secret() && t.span.overlaps(span));
    for s in &mut i.settings.0 {
        if s.origin.value_span().is_some_and(on_secret) {
            s.secret = true;
        }
    }
    for e in &mut i.endpoints {
        if e.span.is_some_and(on_secret) {
            // What follows the last `@` is the host the writer meant (the
            // password ends there); it names the provider and the locality.
            e.host = match e.host.rfind('@') {
                Some(at) if at + 1 < e.host.len() => e.host[at + 1..].to_string(),
                _ => "<redacted>".to_string(),
            };
        }
    }
    for issue in &mut i.issues {
        if !on_secret(issue.span)
            || issue.message.contains("<redacted>")
            || matches!(issue.kind, IssueKind::UnescapedUserinfo | IssueKind::DuplicateParameter)
        {
            continue;
        }
        let what = match issue.kind {
            IssueKind::Syntax => "cannot parse this part of the string",
            IssueKind::UnknownParameter => "does not know this parameter",
            IssueKind::InvalidValue => "rejects this value",
            IssueKind::InvalidPort => "cannot read this port",
            IssueKind::IgnoredSetting => "ignores this setting",
            _ => "has a problem here",
        };
        issue.message = format!("{} {what} (its text is part of a password and is not shown)", client.name());
        if issue.kind == IssueKind::UnknownParameter {
            issue.key = None;
            issue.suggestion = None;
        }
    }
}

/// The smallest span covering all of `spans`, if any.
fn cover(spans: impl IntoIterator<Item = Span>) -> Option<Span> {
    spans.into_iter().reduce(Span::cover)
}

/// An endpoint for `host`: a Unix-domain socket when the host is a path.
fn endpoint(host: &str, port: Option<u16>, span: Option<Span>, socket_prefixes: &[char]) -> Endpoint {
    let transport = if host.starts_with(socket_prefixes) { Transport::UnixSocket } else { Transport::Tcp };
    Endpoint { host: host.to_string(), port, transport, span }
}

/// Characters that must be percent-encoded in a URL's user name or password.
fn reserved_in_userinfo(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !found.contains(&s) {
            found.push(s);
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'@' | b'/' | b'?' | b'#' | b'[' | b']' => add(format!("\"{}\"", char::from(b))),
            b' ' => add("a space".to_string()),
            b'%' if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) => {
                add("a \"%\" that does not start an escape".to_string())
            }
            0..=0x1f | 0x7f => add("a control character".to_string()),
            _ => {}
        }
    }
    found
}

/// `UnescapedUserinfo` issues: reserved characters in the user name or
/// password as the writer meant them (see [`url::intended_userinfo`]).
/// The span of each issue is exactly the text to percent-encode.
fn userinfo_issues(tree: &Tree<'_>, client: Client) -> Vec<Issue> {
    let mut issues = Vec::new();
    let Some(scheme) = tree.scheme else { return issues };
    if !tree.text(scheme).ends_with("//") {
        return issues;
    }
    let Some(intended) = url::intended_userinfo(tree.source(), scheme.end) else { return issues };
    let parts = [("user", "user name", Some(intended.user), tree.user), ("password", "password", intended.password, tree.password)];
    for (key, what, span, parsed) in parts {
        let Some(span) = span else { continue };
        let found = reserved_in_userinfo(tree.text(span));
        if found.is_empty() {
            continue;
        }
        let effect = if parsed != Some(span) {
            format!("{} does not read it as the {what} (part of it lands in the host, port, database or fragment)", client.name())
        } else {
            format!("{} reads it as written, but other clients split or decode the URL there", client.name())
        };
        issues.push(
            Issue::new(
                IssueKind::UnescapedUserinfo,
                span,
                format!("the {what} contains {} that must be percent-encoded; {effect}", found.join(", ")),
                false,
            )
            .with_key(key),
        );
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, Form, parse};

    #[test]
    fn userinfo_issue_spans_cover_the_intended_password() {
        let s = "postgresql://app:p@ss/w#rd@db.example.com:5432/app";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        let issues = userinfo_issues(&t, Client::Libpq);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].span.text(s), "p@ss/w#rd");
        assert!(!issues[0].message.contains("p@ss"));
        assert_eq!(issues[0].suggestion, None);
    }

    #[test]
    fn shown_hides_secret_text() {
        let s = "postgresql://u:pa/ss@host/db";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        let port = t.hosts[0].port.unwrap();
        assert_eq!(t.text(port), "pa");
        assert_eq!(shown(&t, port), "<redacted>");
        assert_eq!(shown(&t, t.hosts[0].name.unwrap()), "u");
    }

    #[test]
    fn vocabularies() {
        assert_eq!(
            vocabulary(Client::Prisma, &Options::default()).verify_full,
            Some(&[("sslmode", "require"), ("sslaccept", "strict")][..])
        );
        assert_eq!(vocabulary(Client::Prisma, &Options::default()).ca_file, Some("sslcert"));
        assert_eq!(vocabulary(Client::NodePostgres, &Options::default()).verify_full, Some(&[("sslmode", "verify-full")][..]));
        assert_eq!(vocabulary(Client::Pgjdbc, &Options::default()).remove, &["ssl", "sslfactory"]);
        assert!(vocabulary(Client::Libpq, &Options::default()).remove.contains(&"requiressl"));
    }
}
