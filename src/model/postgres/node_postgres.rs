//! node-postgres (`pg`) reading a URL through pg-connection-string 2.x.
//!
//! Sources: `brianc/node-postgres` `packages/pg-connection-string/index.js`
//! (`parse`: the space/`%` pre-encoding, WHATWG `new URL`, the `@/` dummy
//! host retry, `ssl`/`sslmode`/`uselibpqcompat` handling) and
//! `packages/pg/lib/connection-parameters.js` (`ssl=no-verify`, string
//! `ssl` values). `reference/domain.md` §3.3 lists the history: since pg 8
//! `sslmode=prefer|require|verify-ca` mean verify-full unless
//! `uselibpqcompat=true`; `?ssl=` is read only as `true`/`1`/`0`
//! (brianc/node-postgres#1884).
//!
//! Not modelled: the WHATWG removal of tabs and newlines anywhere in the
//! string, and pg's `PGSSLMODE` fallback (dblint does not read the
//! environment of the application).

use super::{empty, endpoint, shown, userinfo_issues};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown, check_enum};
use crate::model::{CaSource, Client, Encryption, Interpretation, Issue, IssueKind, Origin, ServerAuth, Setting, TlsPosture, TlsVersion};
use crate::syntax::{Span, Tree};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("host"),
    Keyword::new("port"),
    Keyword::new("user"),
    Keyword::secret("password", &[]),
    Keyword::new("database"),
    Keyword::new("ssl"),
    Keyword::new("sslmode"),
    Keyword::new("sslcert"),
    Keyword::new("sslkey"),
    Keyword::new("sslrootcert"),
    Keyword::new("uselibpqcompat"),
    Keyword::new("sslnegotiation"),
    Keyword::new("application_name"),
    Keyword::new("fallback_application_name"),
    Keyword::new("options"),
    Keyword::new("client_encoding"),
    Keyword::new("replication"),
    Keyword::new("statement_timeout"),
    Keyword::new("lock_timeout"),
    Keyword::new("idle_in_transaction_session_timeout"),
    Keyword::new("query_timeout"),
    Keyword::new("connect_timeout"),
    Keyword::new("keepalives"),
    Keyword::new("keepalives_idle"),
    Keyword::new("target_session_attrs"),
    Keyword::new("binary"),
];

const TABLE: Table = Table {
    client: "node-postgres",
    keywords: KEYWORDS,
    case: Case::Sensitive,
    duplicates: Duplicates::LastWins,
    unknown: Unknown::Ignored,
};

const SSLMODES: &[&str] = &["disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"];

/// pg-connection-string re-encodes the whole string with `encodeURI` when
/// it holds a space or a `%` that does not start a hex escape
/// (`/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i`); `%25dd` is then turned back into
/// `%dd` for decimal digits only.
fn reencoded(src: &str) -> bool {
    let b = src.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b' '
            || (c == b'%'
                && match (b.get(i + 1), b.get(i + 2)) {
                    (Some(x), _) if !x.is_ascii_hexdigit() => true,
                    (Some(_), Some(y)) => !y.is_ascii_hexdigit(),
                    _ => false,
                })
    })
}

/// How a component is decoded.
#[derive(Clone, Copy)]
struct Decoding {
    /// After re-encoding only `%dd` (decimal) escapes remain escapes.
    reencoded: bool,
    /// `decodeURIComponent` / `decodeURI`: a bad escape or bad UTF-8 throws.
    strict: bool,
    /// `URLSearchParams`: `+` is a space.
    plus: bool,
    /// `decodeURI`: escapes of `;/?:@&=+$,#` stay encoded.
    keep_reserved: bool,
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Decode `raw` as node-postgres does; `None` where JavaScript throws `URIError`.
fn decode(raw: &str, d: Decoding) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let pair = (b.get(i + 1).copied(), b.get(i + 2).copied());
            let escape = match pair {
                (Some(x), Some(y)) if d.reencoded => (x.is_ascii_digit() && y.is_ascii_digit()).then(|| (x - b'0') << 4 | (y - b'0')),
                (Some(x), Some(y)) => hex(x).zip(hex(y)).map(|(h, l)| h << 4 | l),
                _ => None,
            };
            match escape {
                Some(byte) if d.keep_reserved && b";/?:@&=+$,#".contains(&byte) => {
                    out.extend_from_slice(&b[i..i + 3]);
                    i += 3;
                }
                Some(byte) => {
                    out.push(byte);
                    i += 3;
                }
                None if d.strict && !d.reencoded => return None,
                None => {
                    out.push(b'%');
                    i += 1;
                }
            }
        } else {
            out.push(if c == b'+' && d.plus { b' ' } else { c });
            i += 1;
        }
    }
    match String::from_utf8(out) {
        Ok(s) => Some(s),
        Err(_) if d.strict => None,
        Err(e) => Some(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Where `ssl` ends up (`config.ssl` after parse and ConnectionParameters).
#[derive(Clone, Debug, PartialEq)]
enum Ssl {
    Unset,
    Bool(bool),
    /// A string pg does not turn into a TLS configuration.
    Other(String),
    Object {
        reject_unauthorized: bool,
        check_server_identity: bool,
    },
}

/// Read `tree` as node-postgres does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = empty(Client::NodePostgres);
    let re = reencoded(tree.source());
    let component = Decoding { reencoded: re, strict: true, plus: false, keep_reserved: false };
    let query = Decoding { reencoded: re, strict: false, plus: true, keep_reserved: false };
    let path = Decoding { keep_reserved: true, ..component };
    check_structure(tree, re, &mut out.issues);

    let entries = tree.params.iter().filter_map(|p| {
        let key = decode(tree.key(p), query)?;
        let value_span = p.value.map_or(Span::empty(p.span.end), |v| v.inner);
        let value = decode(tree.text(value_span), query)?;
        Some(Entry { key, value, key_span: p.key, value_span })
    });
    TABLE.fold(entries, &mut out.settings, &mut out.issues);

    // The database always comes from the path, even when empty.
    if let Some(db) = out.settings.get("database").cloned() {
        out.settings.0.retain(|s| s.name != "database");
        let span = db.origin.span().unwrap_or_default();
        out.issues.push(
            Issue::new(
                IssueKind::IgnoredSetting,
                span,
                "node-postgres ignores database=: the database name comes from the URL path",
                false,
            )
            .with_key("database"),
        );
    }
    let host_part = tree.hosts.first().and_then(|h| h.name);
    let port_part = tree.hosts.first().and_then(|h| h.port).filter(|p| !p.is_empty());
    let url_parts = [
        ("user", tree.user, component),
        ("password", tree.password, component),
        ("host", host_part, component),
        ("port", port_part, component),
    ];
    for (name, span, how) in url_parts {
        let Some(span) = span.filter(|s| !s.is_empty()) else { continue };
        let Some(value) = decode(tree.text(span), how) else {
            out.issues.push(
                Issue::new(IssueKind::Syntax, span, format!("URI malformed: node-postgres cannot decode the {name}"), true).with_key(name),
            );
            continue;
        };
        if out.settings.get(name).is_some_and(|s| !s.value.is_empty()) {
            let message = format!("the {name} in the URL is ignored: node-postgres uses the {name}= parameter");
            out.issues.push(Issue::new(IssueKind::DuplicateParameter, span, message, false).with_key(name));
            continue;
        }
        if !value.is_empty() {
            let secret = name == "password";
            out.settings.set(Setting {
                name: name.into(),
                value: value.into(),
                origin: Origin::Written { key: None, value: span },
                secret,
            });
        }
    }
    // The database is the path (decodeURI). A host given as a parameter
    // while the URL host is an encoded socket path ("%2F…") moves that
    // host in front of the path.
    let has_path = tree.tokens.iter().any(|t| t.kind == crate::syntax::TokenKind::Slash);
    let db_text = tree.database.map_or("", |d| tree.text(d));
    let url_host = host_part.map_or("", |h| tree.text(h));
    let moved = host_part.filter(|_| {
        url_host.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("%2f"))
            && out.settings.get("host").is_some_and(|h| matches!(h.origin, Origin::Written { key: Some(_), .. }))
    });
    let (raw_db, db_span) = match moved {
        Some(h) => {
            (if has_path { format!("{url_host}/{db_text}") } else { url_host.to_string() }, Some(tree.database.map_or(h, |d| h.cover(d))))
        }
        None => (db_text.to_string(), tree.database),
    };
    if let Some(span) = db_span.filter(|_| !raw_db.is_empty()) {
        match decode(&raw_db, path) {
            Some(db) => out.settings.set(Setting {
                name: "database".into(),
                value: db.into(),
                origin: Origin::Written { key: None, value: span },
                secret: false,
            }),
            None => out.issues.push(
                Issue::new(IssueKind::Syntax, span, "URI malformed: node-postgres cannot decode the database", true).with_key("database"),
            ),
        }
    }
    out.tls = posture(&out.settings, &mut out.issues);
    out.endpoints = endpoints(tree, &out.settings, &mut out.issues);
    out.issues.extend(userinfo_issues(tree, Client::NodePostgres));
    out
}

/// Where WHATWG `new URL` throws (after pg-connection-string's retry).
fn check_structure(tree: &Tree<'_>, re: bool, issues: &mut Vec<Issue>) {
    let host = tree.hosts.first();
    let name = host.and_then(|h| h.name).map_or("", |n| tree.text(n));
    let port = host.and_then(|h| h.port).filter(|p| !p.is_empty());
    let credentials = tree.user.is_some_and(|u| !u.is_empty()) || tree.password.is_some_and(|p| !p.is_empty());
    let whole = Span::new(0, tree.source().len());
    if name.is_empty() && (port.is_some() || credentials) {
        // The retry replaces "@/" by "@___DUMMY___/", which only helps
        // without a port.
        if port.is_some() || !tree.source().contains("@/") {
            let span = host.map_or(whole, |h| h.span);
            issues.push(
                Issue::new(IssueKind::Syntax, span, "Invalid URL: a user name, password or port needs a host", true).with_key("host"),
            );
        }
    }
    if let Some(p) = port {
        let text = tree.text(p);
        if !text.bytes().all(|b| b.is_ascii_digit()) || text.parse::<u32>().map_or(true, |n| n > 65535) {
            let message = format!("Invalid URL: port \"{}\" is not a number from 0 to 65535", shown(tree, p));
            issues.push(Issue::new(IssueKind::InvalidPort, p, message, true).with_key("port"));
        }
    }
    if let (Some(h), Some(n)) = (host, host.and_then(|h| h.name)) {
        if re && h.bracketed {
            let message = "Invalid URL: because the string holds a space or a stray \"%\", node-postgres percent-encodes it whole, including the brackets of the IPv6 host";
            issues.push(Issue::new(IssueKind::Syntax, h.span, message, true).with_key("host"));
        } else if !re && !h.bracketed {
            if let Some(c) = tree.text(n).chars().find(|c| " <>[]\\^|".contains(*c) || c.is_control()) {
                let message = format!("Invalid URL: the host contains the forbidden character {c:?}");
                issues.push(Issue::new(IssueKind::Syntax, n, message, true).with_key("host"));
            }
        }
        if tree.text(n).contains(',') {
            let message = "node-postgres reads one host only; \"h1,h2\" is taken as a single host name";
            issues.push(Issue::new(IssueKind::Syntax, n, message, true).with_key("host"));
        }
    }
}

fn truthy(s: Option<&Setting>) -> bool {
    s.is_some_and(|s| !s.value.is_empty())
}

fn posture(settings: &crate::model::Settings, issues: &mut Vec<Issue>) -> TlsPosture {
    let get = |n: &str| settings.get(n);
    let mode = get("sslmode").filter(|s| !s.value.is_empty());
    let root = get("sslrootcert").filter(|s| !s.value.is_empty());
    let compat = settings.value("uselibpqcompat") == Some("true");
    let mut decided_by = Vec::new();
    let mut notes = Vec::new();
    let mut ssl = match get("ssl") {
        None => Ssl::Unset,
        Some(s) => {
            decided_by.push("ssl".to_string());
            match s.value.as_ref() {
                "true" | "1" => Ssl::Bool(true),
                "0" => Ssl::Bool(false),
                other => Ssl::Other(other.to_string()),
            }
        }
    };
    if truthy(get("sslcert")) || truthy(get("sslkey")) || root.is_some() || mode.is_some() {
        if let Ssl::Other(v) = &ssl {
            notes.push(format!("ssl={v} is overridden by the sslmode and ssl* file parameters"));
        }
        ssl = Ssl::Object { reject_unauthorized: true, check_server_identity: true };
    }
    if settings.value("sslnegotiation") == Some("direct") && ssl == Ssl::Unset {
        ssl = Ssl::Bool(true);
    }
    if let Some(m) = mode {
        decided_by.push("sslmode".to_string());
        let span = m.origin.value_span().unwrap_or_default();
        match (m.value.as_ref(), compat) {
            ("disable", _) => ssl = Ssl::Bool(false),
            ("prefer", true) => set_reject(&mut ssl, false),
            ("require", true) if root.is_some() => set_check(&mut ssl, false),
            ("require", true) => set_reject(&mut ssl, false),
            ("verify-ca", true) if root.is_none() => issues.push(
                Issue::new(
                    IssueKind::ConflictingSettings,
                    span,
                    "node-postgres refuses sslmode=verify-ca with uselibpqcompat=true unless sslrootcert names the CA",
                    true,
                )
                .with_key("sslmode"),
            ),
            ("verify-ca", true) => set_check(&mut ssl, false),
            ("prefer" | "require" | "verify-ca", false) => {
                notes.push(format!("pg-connection-string treats sslmode={} as verify-full (and warns) unless uselibpqcompat=true", m.value))
            }
            ("no-verify", false) => set_reject(&mut ssl, false),
            ("verify-full", _) => {}
            (other, _) => {
                let allowed: &'static [&'static str] = if compat { &SSLMODES[..5] } else { SSLMODES };
                if let Err(mut issue) = check_enum("node-postgres", "sslmode", other, span, allowed, Case::Sensitive, false) {
                    issue.message = format!(
                        "node-postgres does not know sslmode=\"{other}\" (valid values: {}); it enables TLS with full verification",
                        allowed.join(", ")
                    );
                    issues.push(issue);
                }
            }
        }
        if m.value == "disable" {
            let ignored: Vec<&str> = ["sslrootcert", "sslcert", "sslkey"].into_iter().filter(|n| truthy(get(n))).collect();
            if !ignored.is_empty() {
                let message = format!("sslmode=disable turns TLS off, so {} ignored", ignored.join(" and "));
                issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, false).with_key("sslmode"));
            }
        }
    }
    let tls = match ssl {
        Ssl::Unset | Ssl::Bool(false) => {
            if ssl == Ssl::Unset {
                notes.push("node-postgres uses TLS only when asked (ssl=true, sslmode=… or an ssl* file)".to_string());
            }
            TlsPosture::off()
        }
        Ssl::Other(v) if v == "no-verify" => TlsPosture::new(Encryption::Required, ServerAuth::None, CaSource::None),
        Ssl::Other(v) => {
            let s = get("ssl");
            let span = s.and_then(|s| s.origin.value_span()).unwrap_or_default();
            let message = format!(
                "node-postgres reads ssl only as true, 1, 0 or no-verify: ssl=\"{v}\" is not a TLS mode (pg-connection-string's client config drops it, leaving TLS off; pg itself fails once the server accepts TLS)"
            );
            let suggestion = match v.as_str() {
                "verify-full" | "verify-ca" | "require" | "prefer" => Some("true".to_string()),
                "false" | "disable" => Some("0".to_string()),
                _ => None,
            };
            issues.push(Issue::new(IssueKind::IgnoredSetting, span, message, false).with_key("ssl").with_suggestion(suggestion));
            TlsPosture::off()
        }
        Ssl::Bool(true) => TlsPosture::new(Encryption::Required, ServerAuth::ChainAndHost, CaSource::System),
        Ssl::Object { reject_unauthorized, check_server_identity } => {
            let auth = match (reject_unauthorized, check_server_identity) {
                (false, _) => ServerAuth::None,
                (true, false) => ServerAuth::Chain,
                (true, true) => ServerAuth::ChainAndHost,
            };
            let ca = match (auth, root) {
                (ServerAuth::None, _) => CaSource::None,
                (_, Some(r)) => {
                    decided_by.push("sslrootcert".to_string());
                    CaSource::File { path: r.value.to_string(), setting: "sslrootcert".to_string() }
                }
                (_, None) => CaSource::System,
            };
            TlsPosture::new(Encryption::Required, auth, ca)
        }
    };
    let mut tls = tls;
    if tls.encryption != Encryption::Off {
        notes.push("node-postgres never falls back to plaintext once TLS is asked for".to_string());
        // Node's tls.DEFAULT_MIN_VERSION.
        tls.min_version = Some(TlsVersion::Tls12);
        tls.direct = settings.value("sslnegotiation") == Some("direct");
    }
    if compat {
        decided_by.push("uselibpqcompat".to_string());
    }
    tls.decided_by = decided_by;
    tls.notes = notes;
    tls
}

fn set_reject(ssl: &mut Ssl, value: bool) {
    if let Ssl::Object { reject_unauthorized, .. } = ssl {
        *reject_unauthorized = value;
    }
}

fn set_check(ssl: &mut Ssl, value: bool) {
    if let Ssl::Object { check_server_identity, .. } = ssl {
        *check_server_identity = value;
    }
}

/// `parseInt(port, 10)`: leading whitespace, optional sign, leading digits.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().ok().map(|n| sign * n)
}

fn endpoints(tree: &Tree<'_>, settings: &crate::model::Settings, issues: &mut Vec<Issue>) -> Vec<crate::model::Endpoint> {
    let host = settings.get("host");
    let name = host.map_or("localhost", |h| h.value.as_ref());
    let port = match settings.get("port") {
        None => Some(5432),
        Some(p) => match parse_int(&p.value).and_then(|n| u16::try_from(n).ok()).filter(|&n| n > 0) {
            Some(n) => Some(n),
            None => {
                let span = p.origin.value_span().unwrap_or_default();
                if !issues.iter().any(|i| i.kind == IssueKind::InvalidPort) {
                    let message = format!("node-postgres cannot use port \"{}\"", shown(tree, span));
                    issues.push(Issue::new(IssueKind::InvalidPort, span, message, true).with_key("port"));
                }
                None
            }
        },
    };
    vec![endpoint(name, port, host.and_then(|h| h.origin.value_span()), &['/'])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, Form, parse};

    fn read(s: &str) -> Interpretation {
        interpret(&parse(s, Form::PostgresUrl, Dialect::Whatwg).unwrap())
    }

    fn auth(i: &Interpretation) -> (Encryption, ServerAuth) {
        (i.tls.encryption, i.tls.server_auth)
    }

    #[test]
    fn sslmodes_in_default_mode_mean_verify_full() {
        for mode in ["prefer", "require", "verify-ca", "verify-full"] {
            let i = read(&format!("postgres://u:p@db.example.com/app?sslmode={mode}"));
            assert_eq!(auth(&i), (Encryption::Required, ServerAuth::ChainAndHost), "{mode}");
            assert_eq!(i.tls.ca, CaSource::System);
        }
        let i = read("postgres://db.example.com/app?sslmode=no-verify");
        assert_eq!(auth(&i), (Encryption::Required, ServerAuth::None));
        let i = read("postgres://db.example.com/app?sslmode=disable");
        assert_eq!(i.tls.encryption, Encryption::Off);
        let i = read("postgres://db.example.com/app");
        assert_eq!(i.tls.encryption, Encryption::Off);
    }

    #[test]
    fn libpq_compat() {
        let i = read("postgres://h/app?uselibpqcompat=true&sslmode=require");
        assert_eq!(auth(&i), (Encryption::Required, ServerAuth::None));
        let i = read("postgres://h/app?uselibpqcompat=true&sslmode=require&sslrootcert=/ca.pem");
        assert_eq!(auth(&i), (Encryption::Required, ServerAuth::Chain));
        assert_eq!(i.tls.ca, CaSource::File { path: "/ca.pem".into(), setting: "sslrootcert".into() });
        let i = read("postgres://h/app?uselibpqcompat=true&sslmode=verify-ca");
        assert!(i.is_fatal());
        let i = read("postgres://h/app?uselibpqcompat=true&sslmode=prefer");
        assert_eq!(auth(&i), (Encryption::Required, ServerAuth::None));
    }

    #[test]
    fn ssl_parameter() {
        assert_eq!(auth(&read("postgres://h/app?ssl=true")), (Encryption::Required, ServerAuth::ChainAndHost));
        assert_eq!(auth(&read("postgres://h/app?ssl=1")), (Encryption::Required, ServerAuth::ChainAndHost));
        assert_eq!(read("postgres://h/app?ssl=0").tls.encryption, Encryption::Off);
        assert_eq!(auth(&read("postgres://h/app?ssl=no-verify")), (Encryption::Required, ServerAuth::None));
        let i = read("postgres://h/app?ssl=verify-full");
        assert_eq!(i.tls.encryption, Encryption::Off);
        assert_eq!(i.issues[0].kind, IssueKind::IgnoredSetting);
        assert_eq!(i.issues[0].suggestion.as_deref(), Some("true"));
        // sslmode wins over ssl.
        assert_eq!(auth(&read("postgres://h/app?ssl=0&sslmode=require")), (Encryption::Required, ServerAuth::ChainAndHost));
    }

    #[test]
    fn url_parts_and_decoding() {
        let i = read("postgres://us%40er:p%40ss@db.example.com:6543/my%2Fdb?application_name=a+b");
        assert_eq!(i.settings.value("user"), Some("us@er"));
        assert_eq!(i.settings.value("password"), Some("p@ss"));
        assert_eq!(i.settings.value("database"), Some("my%2Fdb"));
        assert_eq!(i.settings.value("application_name"), Some("a b"));
        assert_eq!(i.endpoints[0].port, Some(6543));
        let i = read("postgres://u:p%zz@h/db");
        assert!(!i.is_fatal(), "{:?}", i.issues);
        assert_eq!(i.settings.value("password"), Some("p%zz"));
        // Re-encoding keeps only decimal escapes.
        let i = read("postgres://u:a%2Fb%20c@h/db?x=a b");
        assert_eq!(i.settings.value("password"), Some("a%2Fb c"));
        assert_eq!(i.settings.value("x"), None);
        let i = read("postgres://u:a%2Fb%20c@h/db");
        assert_eq!(i.settings.value("password"), Some("a/b c"));
        let i = read("postgres://%2Fvar%2Frun%2Fpostgresql/db");
        assert_eq!(i.endpoints[0].host, "/var/run/postgresql");
        let i = read("postgres://h/db?host=/tmp&user=q");
        assert_eq!(i.settings.value("host"), Some("/tmp"));
        let i = read("postgres://u@h/db?user=q");
        assert_eq!(i.settings.value("user"), Some("q"));
        assert!(i.issues.iter().any(|x| x.kind == IssueKind::DuplicateParameter));
    }

    #[test]
    fn structure_failures() {
        assert!(read("postgres://h1:5432,h2:5433/db").is_fatal());
        assert!(read("postgres://h:99999/db").is_fatal());
        assert!(!read("postgres://u@/db").is_fatal());
        assert!(read("postgres://:5432/db").is_fatal());
        let i = read("postgres://u:p#ss@h/db");
        assert!(i.is_fatal());
        assert!(i.issues.iter().all(|x| !x.message.contains("p#ss") && !x.message.contains("\"p\"")));
        assert!(i.issues.iter().any(|x| x.kind == IssueKind::UnescapedUserinfo));
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let i = read("postgres://h/db?schema=public&sslmode=verify-full");
        assert!(!i.is_fatal());
        assert_eq!(i.issues[0].kind, IssueKind::UnknownParameter);
        let i = read("postgres://h/db?sslmode=required");
        assert_eq!(i.issues[0].suggestion.as_deref(), Some("require"));
        assert_eq!(auth(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    }
}
