//! The PostgreSQL JDBC driver (pgjdbc 42.x).
//!
//! Sources: `pgjdbc/pgjdbc` `pgjdbc/src/main/java/org/postgresql/Driver.java`
//! (`parseURL`: the query is split off at the first `?`, hosts at `,`, a
//! port after the last `:` outside brackets, IPv6 kept in brackets, values
//! decoded with `URLDecoder`, keys not decoded, a bare key set to `""`),
//! `jdbc/SslMode.java` (`of`: sslmode case-insensitive, otherwise `ssl=true`
//! or a bare `ssl` means verify-full, otherwise prefer),
//! `ssl/LibPQFactory.java` (modes below verify-ca never validate) and the
//! `DriverTest` cases. pgjdbc reads no `user:password@` in the URL.
//! Where versions differ, the newest `DriverTest` is followed
//! (`jdbc:postgresql:/test` is the database `/test`).

use super::{empty, endpoint, shown};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown, check_enum};
use crate::model::{CaSource, Client, Encryption, Interpretation, Issue, IssueKind, Origin, ServerAuth, Setting, Settings, TlsPosture};
use crate::syntax::{Span, TokenKind, Tree};

static KEYWORDS: &[Keyword] = &[
    Keyword::new("user"),
    Keyword::secret("password", &[]),
    Keyword::aliases("host", &["PGHOST"]),
    Keyword::aliases("port", &["PGPORT"]),
    Keyword::aliases("dbname", &["PGDBNAME"]),
    Keyword::new("service"),
    Keyword::new("ssl"),
    Keyword::new("sslmode"),
    Keyword::new("sslfactory"),
    Keyword::new("sslfactoryarg"),
    Keyword::new("sslcert"),
    Keyword::new("sslkey"),
    Keyword::new("sslrootcert"),
    Keyword::secret("sslpassword", &[]),
    Keyword::new("sslpasswordcallback"),
    Keyword::new("sslhostnameverifier"),
    Keyword::new("sslResponseTimeout"),
    Keyword::new("sslNegotiation"),
    Keyword::new("sslnegotiation"),
    Keyword::new("channelBinding"),
    Keyword::new("gssEncMode"),
    Keyword::new("gsslib"),
    Keyword::new("gssResponseTimeout"),
    Keyword::new("gssUseDefaultCreds"),
    Keyword::new("jaasApplicationName"),
    Keyword::new("jaasLogin"),
    Keyword::new("kerberosServerName"),
    Keyword::new("useSpnego"),
    Keyword::new("sspiServiceClass"),
    Keyword::new("ApplicationName"),
    Keyword::new("options"),
    Keyword::new("currentSchema"),
    Keyword::new("connectTimeout"),
    Keyword::new("loginTimeout"),
    Keyword::new("socketTimeout"),
    Keyword::new("cancelSignalTimeout"),
    Keyword::new("tcpKeepAlive"),
    Keyword::new("tcpNoDelay"),
    Keyword::new("targetServerType"),
    Keyword::new("loadBalanceHosts"),
    Keyword::new("hostRecheckSeconds"),
    Keyword::new("readOnly"),
    Keyword::new("readOnlyMode"),
    Keyword::new("autosave"),
    Keyword::new("cleanupSavepoints"),
    Keyword::new("binaryTransfer"),
    Keyword::new("binaryTransferEnable"),
    Keyword::new("binaryTransferDisable"),
    Keyword::new("prepareThreshold"),
    Keyword::new("preparedStatementCacheQueries"),
    Keyword::new("preparedStatementCacheSizeMiB"),
    Keyword::new("preferQueryMode"),
    Keyword::new("defaultRowFetchSize"),
    Keyword::new("adaptiveFetch"),
    Keyword::new("adaptiveFetchMinimum"),
    Keyword::new("adaptiveFetchMaximum"),
    Keyword::new("reWriteBatchedInserts"),
    Keyword::new("stringtype"),
    Keyword::new("unknownLength"),
    Keyword::new("logUnclosedConnections"),
    Keyword::new("logServerErrorDetail"),
    Keyword::new("loggerLevel"),
    Keyword::new("loggerFile"),
    Keyword::new("allowEncodingChanges"),
    Keyword::new("assumeMinServerVersion"),
    Keyword::new("protocolVersion"),
    Keyword::new("replication"),
    Keyword::new("escapeSyntaxCallMode"),
    Keyword::new("maxResultBuffer"),
    Keyword::new("receiveBufferSize"),
    Keyword::new("sendBufferSize"),
    Keyword::new("socketFactory"),
    Keyword::new("socketFactoryArg"),
    Keyword::new("localSocketAddress"),
    Keyword::new("databaseMetadataCacheFields"),
    Keyword::new("databaseMetadataCacheFieldsMiB"),
    Keyword::new("disableColumnSanitiser"),
    Keyword::new("hideUnprivilegedObjects"),
    Keyword::new("quoteReturningIdentifiers"),
    Keyword::new("groupStartupParameters"),
    Keyword::new("authenticationPluginClassName"),
    Keyword::new("xmlFactoryFactory"),
];

const TABLE: Table =
    Table { client: "pgjdbc", keywords: KEYWORDS, case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

const SSLMODES: &[&str] = &["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
const NON_VALIDATING: &str = "org.postgresql.ssl.NonValidatingFactory";

/// `java.net.URLDecoder.decode(s, UTF-8)`: `+` is a space; `%` must be
/// followed by two characters `Integer.parseInt(…, 16)` accepts as a
/// non-negative number; bytes are read as UTF-8 with replacement.
pub fn url_decode(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let pair = raw.get(i + 1..i + 3)?;
                let digits = pair.strip_prefix('+').unwrap_or(pair);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(digits, 16).ok()?);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `Integer.parseInt` (ASCII digits, optional sign) then the 1–65535 check.
fn valid_port(text: &str) -> Result<u16, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("JDBC URL invalid port number".to_string());
    }
    match text.parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => u16::try_from(n).map_err(|_| String::new()),
        Ok(n) if i32::try_from(n).is_ok() => Err("not valid (1:65535)".to_string()),
        _ => Err("JDBC URL invalid port number".to_string()),
    }
}

/// Read `tree` as pgjdbc does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut out = empty(Client::Pgjdbc);
    let issues = &mut out.issues;
    let has_authority = tree.scheme.is_some_and(|s| tree.text(s).ends_with("//"));
    if let (Some(u), Some(at)) = (tree.user, tree.tokens.iter().find(|t| t.kind == TokenKind::At)) {
        let message = "pgjdbc reads no user:password@ in the URL (it takes it as part of the host); use the user= and password= parameters";
        issues.push(Issue::new(IssueKind::Syntax, u.cover(at.span), message, true).with_key("user"));
    }
    let slash = tree.tokens.iter().any(|t| t.kind == TokenKind::Slash);
    let authority_text = tree.hosts.iter().map(|h| h.span).reduce(Span::cover);
    if has_authority && !slash && (authority_text.is_some_and(|s| !s.is_empty()) || tree.user.is_some()) {
        let span = authority_text.unwrap_or_default();
        issues.push(Issue::new(IssueKind::Syntax, span, "JDBC URL must contain a / at the end of the host or port", true).with_key("host"));
    }

    // Hosts: Java's split(",") drops trailing empty entries.
    let mut hosts: Vec<_> = tree.hosts.clone();
    while hosts.len() > 1 && hosts.last().is_some_and(|h| h.span.is_empty()) {
        hosts.pop();
    }
    if hosts.len() == 1 && tree.hosts.len() > 1 && hosts[0].span.is_empty() {
        let span = tree.hosts.iter().map(|h| h.span).reduce(Span::cover).unwrap_or_default();
        issues.push(Issue::new(IssueKind::Syntax, span, "pgjdbc fails on a host list with no host in it", true).with_key("host"));
    }
    let mut url_hosts = Vec::new();
    for h in &hosts {
        let name = h.name.map_or("", |n| tree.text(n));
        let port = match h.port {
            None => Some(5432),
            Some(p) => match valid_port(tree.text(p)) {
                Ok(n) => Some(n),
                Err(why) => {
                    let shown = shown(tree, p);
                    let message =
                        if why.starts_with("JDBC") { format!("{why}: \"{shown}\"") } else { format!("JDBC URL port: \"{shown}\" {why}") };
                    issues.push(Issue::new(IssueKind::InvalidPort, p, message, true).with_key("port"));
                    None
                }
            },
        };
        url_hosts.push((if name.is_empty() { "localhost".to_string() } else { name.to_string() }, port, h.name));
    }

    // Query parameters: keys as written, values URL-decoded.
    let mut entries = Vec::new();
    for p in &tree.params {
        let key = tree.key(p).to_string();
        let (value, value_span) = match p.value {
            None => (String::new(), Span::empty(p.span.end)),
            Some(v) => match url_decode(tree.text(v.inner)) {
                Some(d) => (d, v.inner),
                None => {
                    let message = format!("pgjdbc cannot URL-decode the value of {key} (a \"%\" must start a two-digit hex escape)");
                    issues.push(Issue::new(IssueKind::Syntax, v.inner, message, true).with_key(key));
                    continue;
                }
            },
        };
        entries.push(Entry { key, value, key_span: p.key, value_span });
    }
    TABLE.fold(entries, &mut out.settings, &mut out.issues);
    // A socket factory receives every connection property and reads its own
    // (Cloud SQL's `cloudSqlInstance`, `enableIamAuth`, `ipTypes` …), so
    // keys pgjdbc does not know are not ignored there.
    if out.settings.get("socketFactory").is_some() {
        out.issues.retain(|i| i.kind != IssueKind::UnknownParameter);
    }
    let issues = &mut out.issues;
    let settings = &mut out.settings;

    if let Some(d) = tree.database {
        match url_decode(tree.text(d)) {
            Some(db) if settings.get("dbname").is_none() => {
                settings.0.push(Setting {
                    name: "dbname".into(),
                    value: db.into(),
                    origin: Origin::Written { key: None, value: d },
                    secret: false,
                });
            }
            Some(_) => {}
            None => issues.push(Issue::new(IssueKind::Syntax, d, "pgjdbc cannot URL-decode the database name", true).with_key("dbname")),
        }
    }
    out.endpoints = endpoints(&url_hosts, settings, issues);
    if settings.get("host").is_none() && !url_hosts.is_empty() {
        let value = url_hosts.iter().map(|(h, ..)| h.as_str()).collect::<Vec<_>>().join(",");
        let span = tree.hosts.iter().map(|h| h.span).reduce(Span::cover).unwrap_or_default();
        settings.0.push(Setting {
            name: "host".into(),
            value: value.into(),
            origin: Origin::Written { key: None, value: span },
            secret: false,
        });
    }
    out.tls = posture(settings, issues);
    if settings.get("sslmode").is_none() {
        let (value, origin) = match settings.get("ssl") {
            Some(s) if s.value.eq_ignore_ascii_case("true") || s.value.is_empty() => ("verify-full", Origin::Implied { by: "ssl".into() }),
            _ => ("prefer", Origin::Default),
        };
        settings.0.push(Setting { name: "sslmode".into(), value: value.into(), origin, secret: false });
    }
    out
}

fn endpoints(
    url_hosts: &[(String, Option<u16>, Option<Span>)],
    settings: &Settings,
    issues: &mut Vec<Issue>,
) -> Vec<crate::model::Endpoint> {
    let host_param = settings.get("host");
    let port_param = settings.get("port");
    let mut list: Vec<(String, Option<u16>, Option<Span>)> = match host_param {
        Some(h) => h.value.split(',').map(|n| (n.to_string(), Some(5432), h.origin.value_span())).collect(),
        None if url_hosts.is_empty() => vec![("localhost".to_string(), Some(5432), None)],
        None => url_hosts.to_vec(),
    };
    if let Some(p) = port_param {
        let span = p.origin.value_span().unwrap_or_default();
        let ports: Vec<&str> = p.value.split(',').collect();
        if ports.len() != list.len() && ports.len() != 1 {
            let message = format!("pgjdbc needs as many ports as hosts ({} ports for {} hosts)", ports.len(), list.len());
            issues.push(Issue::new(IssueKind::InvalidPort, span, message, true).with_key("port"));
        }
        for (i, text) in ports.iter().enumerate() {
            match valid_port(text) {
                Ok(n) => {
                    if ports.len() == 1 {
                        list.iter_mut().for_each(|e| e.1 = Some(n));
                    } else if let Some(e) = list.get_mut(i) {
                        e.1 = Some(n);
                    }
                }
                Err(_) => {
                    let message = format!("JDBC URL invalid port number: \"{text}\"");
                    issues.push(Issue::new(IssueKind::InvalidPort, span, message, true).with_key("port"));
                }
            }
        }
    }
    list.into_iter().map(|(h, p, s)| endpoint(&h, p, s, &['/'])).collect()
}

fn posture(settings: &Settings, issues: &mut Vec<Issue>) -> TlsPosture {
    let ssl = settings.get("ssl");
    let mut decided_by = Vec::new();
    let mut notes = Vec::new();
    let mode = match settings.get("sslmode") {
        Some(m) => {
            decided_by.push("sslmode".to_string());
            let span = m.origin.value_span().unwrap_or_default();
            match check_enum("pgjdbc", "sslmode", &m.value, span, SSLMODES, Case::Insensitive, true) {
                Ok(canonical) => {
                    if canonical == "disable" && ssl.is_some_and(|s| s.value.eq_ignore_ascii_case("true") || s.value.is_empty()) {
                        let span = ssl.and_then(|s| s.origin.span()).unwrap_or(span);
                        let message = "ssl=true asks for TLS but sslmode=disable wins: pgjdbc connects without TLS";
                        issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, false).with_key("sslmode"));
                    }
                    canonical
                }
                Err(mut issue) => {
                    issue.message = format!("Invalid sslmode value: {}", m.value);
                    if let Some(s) = &issue.suggestion {
                        issue.message.push_str(&format!("; did you mean \"{s}\"?"));
                    }
                    issues.push(issue);
                    "disable"
                }
            }
        }
        None => match ssl {
            Some(s) if s.value.eq_ignore_ascii_case("true") || s.value.is_empty() => {
                decided_by.push("ssl".to_string());
                "verify-full"
            }
            Some(s) => {
                decided_by.push("ssl".to_string());
                if !s.value.eq_ignore_ascii_case("false") {
                    let span = s.origin.value_span().unwrap_or_default();
                    let message = format!("pgjdbc reads ssl=\"{}\" as false (only true or a bare ssl turn TLS on)", s.value);
                    issues.push(
                        Issue::new(IssueKind::IgnoredSetting, span, message, false).with_key("ssl").with_suggestion(Some("true".into())),
                    );
                }
                "prefer"
            }
            None => "prefer",
        },
    };
    let factory = settings.value("sslfactory").filter(|f| !f.is_empty());
    let root = settings.get("sslrootcert").filter(|s| !s.value.is_empty());
    if mode == "disable" {
        let ignored: Vec<&str> =
            ["sslrootcert", "sslcert", "sslkey"].into_iter().filter(|n| settings.get(n).is_some_and(|s| !s.value.is_empty())).collect();
        if settings.get("sslmode").is_some() && !ignored.is_empty() {
            let span = settings.get("sslmode").and_then(|s| s.origin.value_span()).unwrap_or_default();
            let message = format!("sslmode=disable turns TLS off, so {} ignored", ignored.join(" and "));
            issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, false).with_key("sslmode"));
        }
        let mut off = TlsPosture::off();
        off.decided_by = decided_by;
        return off;
    }
    let encryption = if matches!(mode, "allow" | "prefer") { Encryption::Opportunistic } else { Encryption::Required };
    let by_mode = match mode {
        "verify-ca" => ServerAuth::Chain,
        "verify-full" => ServerAuth::ChainAndHost,
        _ => ServerAuth::None,
    };
    let host_checked = mode == "verify-full";
    let (auth, ca) = match factory {
        None | Some("org.postgresql.ssl.LibPQFactory" | "org.postgresql.ssl.jdbc4.LibPQFactory") => {
            let ca = match (by_mode, root) {
                (ServerAuth::None, _) => {
                    notes.push(format!(
                        "pgjdbc does not validate the server certificate with sslmode={mode}, even when a root certificate exists"
                    ));
                    CaSource::None
                }
                (_, Some(r)) => {
                    decided_by.push("sslrootcert".to_string());
                    CaSource::File { path: r.value.to_string(), setting: "sslrootcert".to_string() }
                }
                (_, None) => CaSource::DefaultFile { path: super::libpq::DEFAULT_ROOT_CERT.to_string() },
            };
            (by_mode, ca)
        }
        Some(NON_VALIDATING) => {
            decided_by.push("sslfactory".to_string());
            notes.push("sslfactory=NonValidatingFactory accepts any server certificate".to_string());
            (ServerAuth::None, CaSource::None)
        }
        Some(f @ ("org.postgresql.ssl.DefaultJavaSSLFactory" | "org.postgresql.ssl.SingleCertValidatingFactory")) => {
            decided_by.push("sslfactory".to_string());
            let description =
                if f.ends_with("DefaultJavaSSLFactory") { "the JVM default trust store" } else { "the certificate named by sslfactoryarg" };
            (
                if host_checked { ServerAuth::ChainAndHost } else { ServerAuth::Chain },
                CaSource::Custom { description: description.to_string() },
            )
        }
        Some(other) => {
            decided_by.push("sslfactory".to_string());
            notes.push(format!("the custom sslfactory {other} decides how the server is validated"));
            (by_mode, CaSource::Custom { description: format!("sslfactory {other}") })
        }
    };
    if encryption == Encryption::Opportunistic {
        notes.push(format!("sslmode={mode} falls back to plaintext when TLS is not available"));
    }
    let mut tls = TlsPosture::new(encryption, auth, ca);
    tls.direct = settings.value("sslNegotiation").or(settings.value("sslnegotiation")).is_some_and(|v| v.eq_ignore_ascii_case("direct"));
    tls.decided_by = decided_by;
    tls.notes = notes;
    tls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, Form, parse};

    fn read(s: &str) -> Interpretation {
        interpret(&parse(s, Form::PgJdbc, Dialect::Pgjdbc).unwrap())
    }

    #[test]
    fn ssl_modes() {
        let i = read("jdbc:postgresql://h/db");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Opportunistic, ServerAuth::None));
        assert_eq!(i.settings.get("sslmode").map(|s| (s.value.as_ref(), &s.origin)), Some(("prefer", &Origin::Default)));
        for s in ["jdbc:postgresql://h/db?ssl=true", "jdbc:postgresql://h/db?ssl", "jdbc:postgresql://h/db?ssl=TRUE"] {
            let i = read(s);
            assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::ChainAndHost), "{s}");
        }
        let i = read("jdbc:postgresql://h/db?ssl=1");
        assert_eq!(i.tls.encryption, Encryption::Opportunistic);
        assert_eq!(i.issues[0].kind, IssueKind::IgnoredSetting);
        let i = read("jdbc:postgresql://h/db?sslmode=REQUIRE&sslrootcert=/ca.pem");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::None));
        let i = read("jdbc:postgresql://h/db?sslmode=verify-ca&sslrootcert=/ca.pem");
        assert_eq!(i.tls.server_auth, ServerAuth::Chain);
        let i = read("jdbc:postgresql://h/db?sslmode=verify-full&sslfactory=org.postgresql.ssl.NonValidatingFactory");
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::None));
        let i = read("jdbc:postgresql://h/db?ssl=true&sslmode=disable");
        assert_eq!(i.tls.encryption, Encryption::Off);
        assert_eq!(i.issues[0].kind, IssueKind::ConflictingSettings);
        let i = read("jdbc:postgresql://h/db?sslmode=verify_full");
        assert!(i.is_fatal());
        assert_eq!(i.issues[0].suggestion.as_deref(), Some("verify-full"));
    }

    #[test]
    fn decoding_and_userinfo() {
        let i = read("jdbc:postgresql://h/db?ApplicationName=a+b%21");
        assert_eq!(i.settings.value("ApplicationName"), Some("a b!"));
        assert!(read("jdbc:postgresql://h/db?x=%zz").is_fatal());
        let i = read("jdbc:postgresql://u:secret@h:5432/db");
        assert!(i.is_fatal());
        assert!(i.issues.iter().all(|x| !x.message.contains("secret")));
        assert!(read("jdbc:postgresql://h").is_fatal());
    }
}
