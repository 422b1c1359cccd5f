//! libpq, version by version (15 to 18).
//!
//! Sources: `postgres/postgres` `src/interfaces/libpq/fe-connect.c`
//! (`PQconninfoOptions`, `conninfo_parse`, `conninfo_uri_parse_options`,
//! `conninfo_uri_parse_params`, `conninfo_uri_decode`, `conninfo_storeval`,
//! `conninfo_add_defaults`, `pqConnectOptions2`), `fe-secure-openssl.c`
//! (root certificate loading), `t/001_uri.pl`; `reference/formats.md` §1
//! and `reference/tls.md` §1.5.
//!
//! Two stages are reproduced and kept apart in the issues produced:
//! what `PQconninfoParse` checks (syntax, percent-decoding, unknown
//! keywords) and what `PQconnectdb` checks before it sends a byte (enum
//! values, ports, host counts, `sslrootcert=system`, `sslnegotiation`).
//! [`parse_stage`] tells them apart.

use super::{cover, empty, endpoint, shown, userinfo_issues};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown, check_enum};
use crate::model::{
    CaSource, Client, Encryption, Interpretation, Issue, IssueKind, Options, Origin, ServerAuth, Setting, Settings, TlsPosture, TlsVersion,
    Transport,
};
use crate::syntax::{Form, Span, Tree};

macro_rules! libpq_keywords {
    ($($extra:expr),* $(,)?) => {
        &[
            Keyword::new("service"),
            Keyword::new("user"),
            Keyword::secret("password", &[]),
            Keyword::new("passfile"),
            Keyword::new("channel_binding"),
            Keyword::new("connect_timeout"),
            Keyword::new("dbname"),
            Keyword::new("host"),
            Keyword::new("hostaddr"),
            Keyword::new("port"),
            Keyword::new("client_encoding"),
            Keyword::new("options"),
            Keyword::new("application_name"),
            Keyword::new("fallback_application_name"),
            Keyword::new("keepalives"),
            Keyword::new("keepalives_idle"),
            Keyword::new("keepalives_interval"),
            Keyword::new("keepalives_count"),
            Keyword::new("tcp_user_timeout"),
            Keyword::new("sslmode"),
            Keyword::new("sslcompression"),
            Keyword::new("sslcert"),
            Keyword::new("sslkey"),
            Keyword::secret("sslpassword", &[]),
            Keyword::new("sslrootcert"),
            Keyword::new("sslcrl"),
            Keyword::new("sslcrldir"),
            Keyword::new("sslsni"),
            Keyword::new("requirepeer"),
            Keyword::new("ssl_min_protocol_version"),
            Keyword::new("ssl_max_protocol_version"),
            Keyword::new("gssencmode"),
            Keyword::new("krbsrvname"),
            Keyword::new("gsslib"),
            Keyword::new("replication"),
            Keyword::new("target_session_attrs"),
            $($extra),*
        ]
    };
}

/// libpq 15 (checked against the installed libpq 15's `PQconndefaults`).
static KEYWORDS_15: &[Keyword] = libpq_keywords!();
/// libpq 16 adds `sslcertmode`, `require_auth`, `gssdelegation` and `load_balance_hosts`.
static KEYWORDS_16: &[Keyword] = libpq_keywords!(
    Keyword::new("sslcertmode"),
    Keyword::new("require_auth"),
    Keyword::new("gssdelegation"),
    Keyword::new("load_balance_hosts"),
);
/// libpq 17 adds `sslnegotiation`.
static KEYWORDS_17: &[Keyword] = libpq_keywords!(
    Keyword::new("sslcertmode"),
    Keyword::new("require_auth"),
    Keyword::new("gssdelegation"),
    Keyword::new("load_balance_hosts"),
    Keyword::new("sslnegotiation"),
);
/// libpq 18 adds the protocol-version, SCRAM key, OAuth and key-log keywords
/// (PG18 release table; `formats.md` §1.5 marks the exact list UNCONFIRMED).
static KEYWORDS_18: &[Keyword] = libpq_keywords!(
    Keyword::new("sslcertmode"),
    Keyword::new("require_auth"),
    Keyword::new("gssdelegation"),
    Keyword::new("load_balance_hosts"),
    Keyword::new("sslnegotiation"),
    Keyword::new("min_protocol_version"),
    Keyword::new("max_protocol_version"),
    Keyword::secret("scram_client_key", &[]),
    Keyword::secret("scram_server_key", &[]),
    Keyword::new("oauth_issuer"),
    Keyword::new("oauth_client_id"),
    Keyword::secret("oauth_client_secret", &[]),
    Keyword::new("oauth_scope"),
    Keyword::new("sslkeylogfile"),
);

/// The keyword table of libpq `version` (major). Versions before 15 read
/// as 15, after 18 as 18.
pub fn keywords(version: u32) -> &'static [Keyword] {
    match version {
        0..=15 => KEYWORDS_15,
        16 => KEYWORDS_16,
        17 => KEYWORDS_17,
        _ => KEYWORDS_18,
    }
}

fn table(version: u32) -> Table {
    Table { client: "libpq", keywords: keywords(version), case: Case::Sensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Error }
}

/// Environment variables libpq reads for defaults (`PQconninfoOptions`).
const ENVIRONMENT: &[(&str, &str)] = &[
    ("PGSERVICE", "service"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGPASSFILE", "passfile"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGDATABASE", "dbname"),
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLNEGOTIATION", "sslnegotiation"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGSSLCERTMODE", "sslcertmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCRL", "sslcrl"),
    ("PGSSLCRLDIR", "sslcrldir"),
    ("PGSSLMINPROTOCOLVERSION", "ssl_min_protocol_version"),
    ("PGSSLMAXPROTOCOLVERSION", "ssl_max_protocol_version"),
    ("PGGSSENCMODE", "gssencmode"),
    ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ("PGLOADBALANCEHOSTS", "load_balance_hosts"),
];

/// The libpq environment variables set in this process.
pub fn environment() -> Vec<(String, String)> {
    ENVIRONMENT.iter().filter_map(|(var, _)| std::env::var(var).ok().map(|v| (var.to_string(), v))).collect()
}

/// Default socket directory of an upstream build (Debian builds use
/// `/var/run/postgresql`).
pub const DEFAULT_SOCKET_DIR: &str = "/tmp";
/// The root certificate file libpq loads when `sslrootcert` is not set.
pub const DEFAULT_ROOT_CERT: &str = "~/.postgresql/root.crt";

/// Whether an issue is one `PQconninfoParse` itself reports (as opposed to
/// one found when connecting).
pub fn parse_stage(issue: &Issue) -> bool {
    matches!(issue.kind, IssueKind::Syntax | IssueKind::UnknownParameter)
}

/// Read `tree` as libpq `opts.libpq_version` does, with defaults from the
/// environment when `opts.use_environment`.
pub fn interpret(tree: &Tree<'_>, opts: &Options) -> Interpretation {
    let env = if opts.use_environment { environment() } else { Vec::new() };
    interpret_with_environment(tree, opts.libpq_version, &env)
}

/// A decoded parameter before folding, and how it was written.
struct Raw {
    entry: Entry,
    /// Part of the URL (user, host …) rather than a `key=value` pair.
    url_part: bool,
    /// Rewritten from another keyword (`requiressl`, URI `ssl=true`).
    implied_by: Option<&'static str>,
}

/// Read `tree` as libpq `version` does with the environment `env`
/// (`PGSSLMODE`, `PGSSLROOTCERT` … as `(name, value)` pairs).
pub fn interpret_with_environment(tree: &Tree<'_>, version: u32, env: &[(String, String)]) -> Interpretation {
    let mut out = empty(Client::Libpq);
    let raws = match tree.form {
        Form::LibpqKeywords => keyword_entries(tree),
        _ => uri_entries(tree, version, &mut out.issues),
    };
    let url_parts: Vec<Span> = raws.iter().filter(|r| r.url_part).map(|r| r.entry.key_span).collect();
    let implied: Vec<(Span, &'static str)> = raws.iter().filter_map(|r| r.implied_by.map(|by| (r.entry.key_span, by))).collect();
    let uri_keys = tree.form != Form::LibpqKeywords;
    let mut fold_issues = Vec::new();
    table(version).fold(raws.into_iter().map(|r| r.entry), &mut out.settings, &mut fold_issues);
    for mut issue in fold_issues {
        if issue.kind == IssueKind::UnknownParameter {
            issue.message = unknown_message(issue.key.as_deref().unwrap_or(""), uri_keys, issue.suggestion.as_deref());
        }
        out.issues.push(issue);
    }
    for s in &mut out.settings.0 {
        if let Origin::Written { key: Some(k), value } = s.origin {
            if url_parts.contains(&k) {
                s.origin = Origin::Written { key: None, value };
            } else if let Some((_, by)) = implied.iter().find(|(span, _)| *span == k) {
                s.origin = Origin::Implied { by: (*by).to_string() };
            }
        }
    }
    add_environment(&mut out.settings, version, env);
    add_defaults(&mut out.settings, version);
    check_values(&mut out, version);
    out.endpoints = endpoints(tree, &out.settings, &mut out.issues);
    out.tls = posture(&out.settings, version, &out.endpoints);
    out.issues.extend(userinfo_issues(tree, Client::Libpq));
    out
}

fn unknown_message(key: &str, uri: bool, suggestion: Option<&str>) -> String {
    let mut m = if uri { format!("invalid URI query parameter: \"{key}\"") } else { format!("invalid connection option \"{key}\"") };
    if key == "ssl" {
        m.push_str(if uri {
            " (libpq reads only ssl=true, as sslmode=require)"
        } else {
            " (ssl= exists only in URIs, as ssl=true; use sslmode)"
        });
    }
    if let Some(s) = suggestion {
        m.push_str(&format!("; did you mean \"{s}\"?"));
    }
    m
}

/// `requiressl=V`: `V[0] == '1'` means sslmode=require, anything else prefer
/// (`conninfo_storeval`).
fn requiressl(value: &str) -> &'static str {
    if value.starts_with('1') { "require" } else { "prefer" }
}

fn keyword_entries(tree: &Tree<'_>) -> Vec<Raw> {
    let mut raws = Vec::with_capacity(tree.params.len());
    for p in &tree.params {
        let key = tree.key(p);
        let (value, value_span) = match &p.value {
            Some(v) => (tree.unquoted_value(v).into_owned(), v.inner),
            None => (String::new(), Span::empty(p.span.end)),
        };
        let (key, value, implied_by) = if key == "requiressl" {
            ("sslmode".to_string(), requiressl(&value).to_string(), Some("requiressl"))
        } else {
            (key.to_string(), value, None)
        };
        raws.push(Raw { entry: Entry { key, value, key_span: p.key, value_span }, url_part: false, implied_by });
    }
    raws
}

/// Why `conninfo_uri_decode` refused a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DecodeFail {
    InvalidEscape,
    Nul,
    Spaces,
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// `conninfo_uri_decode`: `%XX` escapes, `%00` forbidden, `+` literal. From
/// libpq 18, leading and trailing spaces are skipped and an interior
/// unencoded space is an error.
fn uri_decode(raw: &str, version: u32) -> Result<String, DecodeFail> {
    let b = raw.as_bytes();
    let mut i = 0;
    let mut end = b.len();
    if version >= 18 {
        while i < end && b[i] == b' ' {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(b.len());
    while i < end {
        match b[i] {
            b' ' if version >= 18 => {
                // Only trailing spaces may follow.
                if b[i..].iter().any(|&c| c != b' ') {
                    return Err(DecodeFail::Spaces);
                }
                end = i;
            }
            b'%' => {
                let hi = b.get(i + 1).copied().and_then(hex);
                let lo = b.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(h), Some(l)) if h == 0 && l == 0 => return Err(DecodeFail::Nul),
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    _ => return Err(DecodeFail::InvalidEscape),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

fn decode_message(fail: DecodeFail, quoted: &str) -> String {
    match fail {
        DecodeFail::InvalidEscape => format!("invalid percent-encoded token: \"{quoted}\""),
        DecodeFail::Nul => format!("forbidden value %00 in percent-encoded value: \"{quoted}\""),
        DecodeFail::Spaces => format!("unexpected spaces found in \"{quoted}\", use percent-encoded spaces (%20) instead"),
    }
}

/// Decode one URI component; on failure record libpq's error (with the
/// component quoted unless it is secret) and return `None`.
fn decode_component(tree: &Tree<'_>, raw: &str, span: Span, version: u32, issues: &mut Vec<Issue>) -> Option<String> {
    match uri_decode(raw, version) {
        Ok(v) => Some(v),
        Err(fail) => {
            let quoted = if shown(tree, span) == "<redacted>" { "<redacted>" } else { raw };
            issues.push(Issue::new(IssueKind::Syntax, span, decode_message(fail, quoted), true));
            None
        }
    }
}

fn uri_entries(tree: &Tree<'_>, version: u32, issues: &mut Vec<Issue>) -> Vec<Raw> {
    let mut raws = Vec::new();
    let part = |raws: &mut Vec<Raw>, issues: &mut Vec<Issue>, key: &str, raw: &str, span: Span| {
        if raw.is_empty() {
            return;
        }
        if let Some(value) = decode_component(tree, raw, span, version, issues) {
            raws.push(Raw {
                entry: Entry { key: key.to_string(), value, key_span: span, value_span: span },
                url_part: true,
                implied_by: None,
            });
        }
    };
    if let Some(u) = tree.user {
        part(&mut raws, issues, "user", tree.text(u), u);
    }
    if let Some(p) = tree.password {
        part(&mut raws, issues, "password", tree.text(p), p);
    }
    // Hosts and ports are joined with ',' and decoded as one string each.
    if !tree.hosts.is_empty() {
        let hosts: Vec<&str> = tree.hosts.iter().map(|h| h.name.map_or("", |n| tree.text(n))).collect();
        let ports: Vec<&str> = tree.hosts.iter().map(|h| h.port.map_or("", |p| tree.text(p))).collect();
        let host_span = cover(tree.hosts.iter().filter_map(|h| h.name)).or_else(|| cover(tree.hosts.iter().map(|h| h.span)));
        let port_span = cover(tree.hosts.iter().filter_map(|h| h.port)).or_else(|| cover(tree.hosts.iter().map(|h| h.span)));
        if let Some(span) = host_span {
            part(&mut raws, issues, "host", &hosts.join(","), span);
        }
        if let Some(span) = port_span {
            part(&mut raws, issues, "port", &ports.join(","), span);
        }
    }
    if let Some(d) = tree.database {
        part(&mut raws, issues, "dbname", tree.text(d), d);
    }
    for p in &tree.params {
        let value_span = p.value.map_or(Span::empty(p.span.end), |v| v.inner);
        let Some(key) = decode_component(tree, tree.text(p.key), p.key, version, issues) else { continue };
        let Some(value) = decode_component(tree, tree.text(value_span), value_span, version, issues) else { continue };
        let (key, value, implied_by) = if key == "ssl" && value == "true" {
            ("sslmode".to_string(), "require".to_string(), Some("ssl"))
        } else if key == "requiressl" {
            ("sslmode".to_string(), requiressl(&value).to_string(), Some("requiressl"))
        } else {
            (key, value, None)
        };
        raws.push(Raw { entry: Entry { key, value, key_span: p.key, value_span }, url_part: false, implied_by });
    }
    raws
}

/// Environment defaults (`conninfo_add_defaults`): a keyword not given in
/// the string takes its environment variable.
fn add_environment(settings: &mut Settings, version: u32, env: &[(String, String)]) {
    let known = keywords(version);
    for (var, value) in env {
        let Some((_, name)) = ENVIRONMENT.iter().find(|(v, _)| v == var) else { continue };
        if settings.get(name).is_some() || !known.iter().any(|k| k.name == *name) {
            continue;
        }
        let secret = *name == "password";
        settings.0.push(Setting { name: (*name).into(), value: value.clone().into(), origin: Origin::Implied { by: var.clone() }, secret });
    }
}

/// Compiled-in defaults that matter for the TLS posture and endpoints.
fn add_defaults(settings: &mut Settings, version: u32) {
    let system = version >= 16 && settings.value("sslrootcert") == Some("system");
    let mut defaults: Vec<(&'static str, &'static str)> = vec![
        // conninfo_add_defaults raises the default to verify-full with sslrootcert=system.
        ("sslmode", if system { "verify-full" } else { "prefer" }),
        ("port", "5432"),
        ("channel_binding", "prefer"),
        ("gssencmode", "prefer"),
        ("ssl_min_protocol_version", "TLSv1.2"),
        ("sslsni", "1"),
        ("target_session_attrs", "any"),
    ];
    if version >= 16 {
        defaults.extend([("sslcertmode", "allow"), ("load_balance_hosts", "disable")]);
    }
    if version >= 17 {
        defaults.push(("sslnegotiation", "postgres"));
    }
    for (name, value) in defaults {
        if settings.get(name).is_none() {
            settings.0.push(Setting { name: name.into(), value: value.into(), origin: Origin::Default, secret: false });
        }
    }
}

/// Where a setting was written (or implied), for an issue's span.
fn span_of(s: &Setting) -> Option<Span> {
    match &s.origin {
        Origin::Written { value, .. } => Some(*value),
        _ => None,
    }
}

fn is_given(s: &Setting) -> bool {
    !matches!(s.origin, Origin::Default)
}

const SSLMODES: &[&str] = &["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/// The checks `pqConnectOptions2` makes before connecting.
fn check_values(out: &mut Interpretation, version: u32) {
    let mut enums: Vec<(&str, &'static [&'static str])> = vec![
        ("channel_binding", &["disable", "prefer", "require"]),
        ("sslmode", SSLMODES),
        ("gssencmode", &["disable", "prefer", "require"]),
        ("target_session_attrs", &["any", "read-write", "read-only", "primary", "standby", "prefer-standby"]),
    ];
    if version >= 16 {
        enums.push(("sslcertmode", &["disable", "allow", "require"]));
        enums.push(("load_balance_hosts", &["disable", "random"]));
    }
    if version >= 17 {
        enums.push(("sslnegotiation", &["postgres", "direct"]));
    }
    for (name, allowed) in enums {
        let Some(s) = out.settings.get(name).filter(|s| is_given(s)) else { continue };
        let span = span_of(s).unwrap_or_default();
        if let Err(mut issue) = check_enum("libpq", name, &s.value, span, allowed, Case::Sensitive, true) {
            issue.message = format!("invalid {name} value: \"{}\"", s.value);
            if let Some(sug) = &issue.suggestion {
                issue.message.push_str(&format!("; did you mean \"{sug}\"?"));
            }
            out.issues.push(issue);
        }
    }
    for name in ["ssl_min_protocol_version", "ssl_max_protocol_version"] {
        let Some(s) = out.settings.get(name).filter(|s| is_given(s) && !s.value.is_empty()) else { continue };
        if TlsVersion::parse(&s.value).is_none() || !s.value.to_ascii_lowercase().starts_with("tlsv1") {
            let allowed: &'static [&'static str] = &["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
            let suggestion = crate::model::keywords::closest(&s.value, allowed.iter().copied()).map(str::to_string);
            let mut message = format!("invalid {name} value: \"{}\"", s.value);
            if let Some(sug) = &suggestion {
                message.push_str(&format!("; did you mean \"{sug}\"?"));
            }
            let issue = Issue::new(IssueKind::InvalidValue, span_of(s).unwrap_or_default(), message, true);
            out.issues.push(issue.with_key(name).with_suggestion(suggestion));
        }
    }
    let version_of = |name: &str| out.settings.value(name).filter(|v| !v.is_empty()).and_then(TlsVersion::parse);
    if let (Some(min), Some(max)) = (version_of("ssl_min_protocol_version"), version_of("ssl_max_protocol_version")) {
        if max < min {
            let span = out.settings.get("ssl_max_protocol_version").and_then(span_of).unwrap_or_default();
            out.issues.push(
                Issue::new(IssueKind::InvalidValue, span, "invalid SSL protocol version range", true).with_key("ssl_max_protocol_version"),
            );
        }
    }
    for name in ["connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"] {
        let Some(s) = out.settings.get(name).filter(|s| is_given(s) && !s.value.is_empty()) else { continue };
        if parse_int(&s.value).is_none() {
            let message = format!("invalid integer value \"{}\" for connection option \"{name}\"", s.value);
            out.issues.push(Issue::new(IssueKind::InvalidValue, span_of(s).unwrap_or_default(), message, true).with_key(name));
        }
    }
    check_tls_combinations(out, version);
}

/// `sslrootcert=system` (16+), `sslnegotiation=direct` (17+) and TLS files
/// set while TLS is off.
fn check_tls_combinations(out: &mut Interpretation, version: u32) {
    let settings = &out.settings;
    let Some(mode) = settings.get("sslmode") else { return };
    let mode_given = is_given(mode);
    let mode_span = span_of(mode);
    let root = settings.get("sslrootcert").filter(|s| is_given(s));
    if version >= 16
        && root.is_some_and(|r| r.value == "system")
        && mode_given
        && mode.value != "verify-full"
        && SSLMODES.contains(&mode.value.as_ref())
    {
        let span = mode_span.or_else(|| root.and_then(span_of)).unwrap_or_default();
        let message = format!("weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")", mode.value);
        let issue = Issue::new(IssueKind::ConflictingSettings, span, message, true).with_key("sslrootcert");
        let issue = if mode_span.is_some() { issue.with_suggestion(Some("verify-full".to_string())) } else { issue };
        out.issues.push(issue);
    }
    let negotiation = settings.get("sslnegotiation").filter(|s| is_given(s));
    if version >= 17 && negotiation.is_some_and(|n| n.value == "direct") && !mode.value.starts_with(['r', 'v']) {
        let span = mode_span.or_else(|| negotiation.and_then(|n| n.origin.span())).unwrap_or_default();
        let message = format!(
            "weak sslmode \"{}\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")",
            mode.value
        );
        out.issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, true).with_key("sslnegotiation"));
    }
    if mode_given && mode.value == "disable" {
        let ignored: Vec<&str> = ["sslrootcert", "sslcert", "sslkey"]
            .into_iter()
            .filter(|n| settings.get(n).is_some_and(|s| is_given(s) && !s.value.is_empty()))
            .collect();
        if !ignored.is_empty() {
            let message = format!(
                "sslmode=disable turns TLS off, so {} {} ignored",
                ignored.join(" and "),
                if ignored.len() == 1 { "is" } else { "are" }
            );
            out.issues.push(Issue::new(IssueKind::ConflictingSettings, mode_span.unwrap_or_default(), message, false).with_key("sslmode"));
        }
    }
}

/// `pqParseIntParam`: optional surrounding whitespace and sign, base 10, `int` range.
fn parse_int(value: &str) -> Option<i64> {
    let t = value.trim_matches(|c: char| c.is_ascii() && crate::syntax::libpq_kv::is_space(c as u8));
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = t.parse().ok()?;
    i32::try_from(n).ok().map(i64::from)
}

/// Split a comma-separated list as `copy_comma_separated_elems` does.
fn elems(value: &str) -> Vec<&str> {
    value.split(',').collect()
}

/// Endpoints from host / hostaddr / port (`pqConnectOptions2`), with the
/// count and port checks libpq makes before connecting.
fn endpoints(tree: &Tree<'_>, settings: &Settings, issues: &mut Vec<Issue>) -> Vec<crate::model::Endpoint> {
    let host = settings.get("host").filter(|s| !s.value.is_empty());
    let hostaddr = settings.get("hostaddr").filter(|s| !s.value.is_empty());
    let hosts = host.map(|h| elems(&h.value));
    let addrs = hostaddr.map(|h| elems(&h.value));
    let count = addrs.as_ref().or(hosts.as_ref()).map_or(1, Vec::len);
    if let (Some(h), Some(a)) = (&hosts, &addrs) {
        if h.len() != a.len() {
            let span = hostaddr.and_then(span_of).unwrap_or_default();
            let message = format!("could not match {} host names to {} hostaddr values", h.len(), a.len());
            issues.push(Issue::new(IssueKind::ConflictingSettings, span, message, true).with_key("hostaddr"));
        }
    }
    let port = settings.get("port").filter(|s| !s.value.is_empty());
    let ports = port.map(|p| elems(&p.value)).unwrap_or_default();
    let port_span = port.and_then(span_of);
    if ports.len() > 1 && ports.len() != count {
        let message = format!("could not match {} port numbers to {} hosts", ports.len(), count);
        issues.push(Issue::new(IssueKind::InvalidPort, port_span.unwrap_or_default(), message, true).with_key("port"));
    }
    let mut parsed_ports = Vec::with_capacity(ports.len());
    for p in &ports {
        let text = p.trim_matches(|c: char| c.is_ascii() && crate::syntax::libpq_kv::is_space(c as u8));
        if text.is_empty() {
            parsed_ports.push(Some(5432));
            continue;
        }
        let span = port_span.unwrap_or_default();
        let quoted = port_span
            .map_or(std::borrow::Cow::Borrowed(*p), |s| if shown(tree, s) == "<redacted>" { "<redacted>".into() } else { (*p).into() });
        match parse_int(p) {
            None => {
                let message = format!("invalid integer value \"{quoted}\" for connection option \"port\"");
                issues.push(Issue::new(IssueKind::InvalidPort, span, message, true).with_key("port"));
                parsed_ports.push(None);
            }
            Some(n) if !(1..=65535).contains(&n) => {
                issues.push(Issue::new(IssueKind::InvalidPort, span, format!("invalid port number: \"{quoted}\""), true).with_key("port"));
                parsed_ports.push(None);
            }
            Some(n) => parsed_ports.push(u16::try_from(n).ok()),
        }
    }
    let url_host_spans: Vec<Span> = if host.is_some_and(|h| matches!(h.origin, Origin::Written { key: None, .. })) {
        tree.hosts.iter().filter_map(|h| h.name).collect()
    } else {
        Vec::new()
    };
    (0..count)
        .map(|i| {
            let name = hosts.as_ref().and_then(|h| h.get(i)).copied().unwrap_or("");
            let addr = addrs.as_ref().and_then(|a| a.get(i)).copied().unwrap_or("");
            let port = match parsed_ports.len() {
                0 => Some(5432),
                1 => parsed_ports[0],
                _ => parsed_ports.get(i).copied().flatten(),
            };
            let span = url_host_spans.get(i).copied().or_else(|| host.and_then(span_of)).or_else(|| hostaddr.and_then(span_of));
            if !addr.is_empty() {
                // hostaddr is what is connected to; host is still the name verified.
                let mut e = endpoint(addr, port, span, &[]);
                if !name.is_empty() {
                    e.host = name.to_string();
                }
                e.transport = Transport::Tcp;
                e
            } else if name.is_empty() {
                endpoint(DEFAULT_SOCKET_DIR, port, span, &['/'])
            } else {
                // Since PG14 an '@' host is a Linux abstract socket.
                endpoint(name, port, span, &['/', '@'])
            }
        })
        .collect()
}

/// The TLS posture (`reference/tls.md` §1.5).
fn posture(settings: &Settings, version: u32, endpoints: &[crate::model::Endpoint]) -> TlsPosture {
    let mode = settings.value("sslmode").unwrap_or("prefer");
    let root = settings.get("sslrootcert").filter(|s| !s.value.is_empty());
    let system = version >= 16 && root.is_some_and(|r| r.value == "system");
    let mut decided_by = vec!["sslmode".to_string()];
    let file_ca = |r: &Setting| CaSource::File { path: r.value.to_string(), setting: "sslrootcert".to_string() };
    let (encryption, verified) = match mode {
        "disable" => (Encryption::Off, None),
        "allow" | "prefer" => (Encryption::Opportunistic, None),
        "require" => (Encryption::Required, None),
        "verify-ca" => (Encryption::Required, Some(ServerAuth::Chain)),
        "verify-full" => (Encryption::Required, Some(ServerAuth::ChainAndHost)),
        // Refused before connecting; see the InvalidValue issue.
        _ => (Encryption::Off, None),
    };
    let mut notes = Vec::new();
    let mut tls = match (encryption, verified) {
        (Encryption::Off, _) => TlsPosture::off(),
        (_, Some(auth)) => {
            let ca = if system {
                CaSource::System
            } else if let Some(r) = root {
                file_ca(r)
            } else {
                notes.push(format!("the connection fails unless {DEFAULT_ROOT_CERT} exists"));
                CaSource::DefaultFile { path: DEFAULT_ROOT_CERT.to_string() }
            };
            if root.is_some() {
                decided_by.push("sslrootcert".to_string());
            }
            TlsPosture::new(encryption, auth, ca)
        }
        (_, None) => {
            // A root certificate file that exists makes libpq verify the chain
            // in every mode that uses TLS (fe-secure-openssl.c).
            if let Some(r) = root.filter(|_| !system) {
                decided_by.push("sslrootcert".to_string());
                notes.push(format!("sslmode={mode} verifies the chain only because sslrootcert is set (if the file exists)"));
                TlsPosture::new(encryption, ServerAuth::Chain, file_ca(r))
            } else {
                notes.push(format!("the chain is verified if and only if {DEFAULT_ROOT_CERT} exists"));
                TlsPosture::new(encryption, ServerAuth::None, CaSource::DefaultFile { path: DEFAULT_ROOT_CERT.to_string() })
            }
        }
    };
    if encryption == Encryption::Opportunistic {
        notes.push(format!("sslmode={mode} falls back to plaintext when the server does not offer TLS"));
    }
    if tls.encryption != Encryption::Off {
        let min = settings.value("ssl_min_protocol_version").filter(|v| !v.is_empty()).and_then(TlsVersion::parse);
        tls.min_version = Some(min.unwrap_or(TlsVersion::Tls12));
        decided_by.push("ssl_min_protocol_version".to_string());
        if version >= 17 && settings.value("sslnegotiation") == Some("direct") {
            tls.direct = true;
            decided_by.push("sslnegotiation".to_string());
        }
    }
    if !endpoints.is_empty() && endpoints.iter().all(|e| e.transport == Transport::UnixSocket) {
        notes = vec!["sslmode is ignored for Unix-domain sockets: the connection is local and unencrypted".to_string()];
        tls = TlsPosture::off();
    } else if endpoints.iter().any(|e| e.transport == Transport::UnixSocket) {
        notes.push("sslmode is ignored for the Unix-domain socket hosts in the list".to_string());
    }
    tls.decided_by = decided_by;
    tls.notes = notes;
    tls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, parse};

    fn read(s: &str, version: u32) -> Interpretation {
        let form = if s.starts_with("postgres") { Form::PostgresUrl } else { Form::LibpqKeywords };
        let t = parse(s, form, Dialect::Libpq).unwrap();
        interpret_with_environment(&t, version, &[])
    }

    fn value<'a>(i: &'a Interpretation, name: &str) -> Option<&'a str> {
        i.settings.value(name)
    }

    fn kinds(i: &Interpretation) -> Vec<(IssueKind, bool)> {
        i.issues.iter().map(|x| (x.kind, x.fatal)).collect()
    }

    #[test]
    fn uri_parts_and_decoding() {
        let i = read("postgresql://uri-user:secret@host:12345/db", 16);
        assert_eq!(value(&i, "user"), Some("uri-user"));
        assert_eq!(value(&i, "password"), Some("secret"));
        assert!(i.settings.get("password").unwrap().secret);
        assert_eq!(value(&i, "host"), Some("host"));
        assert_eq!(value(&i, "port"), Some("12345"));
        assert_eq!(value(&i, "dbname"), Some("db"));
        assert!(i.issues.is_empty(), "{:?}", i.issues);
        let i = read("postgres://%2Fvar%2Flib%2Fpostgresql/dbname", 16);
        assert_eq!(value(&i, "host"), Some("/var/lib/postgresql"));
        assert_eq!(i.endpoints[0].transport, Transport::UnixSocket);
        assert_eq!(i.tls.encryption, Encryption::Off);
        let i = read("postgresql://a%00b", 16);
        assert_eq!(i.issues[0].message, "forbidden value %00 in percent-encoded value: \"a%00b\"");
        let i = read("postgresql://u:p%zz@h", 16);
        assert_eq!(i.issues[0].message, "invalid percent-encoded token: \"<redacted>\"");
    }

    #[test]
    fn pg18_space_rules() {
        let s = "postgresql://host?  user = uri-user & port  = 12345 ";
        let i = read(s, 18);
        assert_eq!((value(&i, "user"), value(&i, "port")), (Some("uri-user"), Some("12345")));
        let i = read(s, 17);
        assert!(i.issues.iter().any(|x| x.message.starts_with("invalid URI query parameter: \"  user \"")), "{:?}", i.issues);
        let i = read("postgresql://host?  user user  =  uri  & port = 12345 12 ", 18);
        assert_eq!(i.issues[0].message, "unexpected spaces found in \"  user user  \", use percent-encoded spaces (%20) instead");
    }

    #[test]
    fn ssl_true_and_requiressl() {
        let i = read("postgresql://h?ssl=true", 16);
        assert_eq!(value(&i, "sslmode"), Some("require"));
        assert_eq!(i.settings.get("sslmode").unwrap().origin, Origin::Implied { by: "ssl".into() });
        let i = read("postgresql://h?ssl=TRUE", 16);
        assert_eq!(i.issues[0].message, "invalid URI query parameter: \"ssl\" (libpq reads only ssl=true, as sslmode=require)");
        assert!(i.issues[0].fatal);
        let i = read("host=h ssl=true", 16);
        assert!(i.issues[0].message.starts_with("invalid connection option \"ssl\""));
        let i = read("requiressl=1 host=h", 16);
        assert_eq!(value(&i, "sslmode"), Some("require"));
        let i = read("requiressl= host=h", 16);
        assert_eq!(value(&i, "sslmode"), Some("prefer"));
    }

    #[test]
    fn unknown_keywords_and_duplicates() {
        let i = read("Host=x", 16);
        assert_eq!(i.issues[0].message, "invalid connection option \"Host\"; did you mean \"host\"?");
        assert_eq!(i.issues[0].suggestion.as_deref(), Some("host"));
        let i = read("sslnegotiation=direct sslmode=require host=h", 16);
        assert_eq!(kinds(&i), vec![(IssueKind::UnknownParameter, true)]);
        let i = read("sslnegotiation=direct sslmode=require host=h", 17);
        assert!(i.issues.is_empty(), "{:?}", i.issues);
        assert!(i.tls.direct);
        let i = read("host=a host=b", 16);
        assert_eq!(value(&i, "host"), Some("b"));
        assert_eq!(kinds(&i), vec![(IssueKind::DuplicateParameter, false)]);
        assert_eq!(i.issues[0].span, Span::new(0, 6));
    }

    #[test]
    fn enum_values_and_suggestions() {
        for (bad, good) in [("required", "require"), ("verify_full", "verify-full"), ("verify-all", "verify-full")] {
            let i = read(&format!("host=h sslmode={bad}"), 16);
            assert_eq!(i.issues.len(), 1);
            assert_eq!(i.issues[0].kind, IssueKind::InvalidValue);
            assert!(i.issues[0].fatal);
            assert_eq!(i.issues[0].suggestion.as_deref(), Some(good));
            assert!(i.issues[0].message.starts_with(&format!("invalid sslmode value: \"{bad}\"")));
        }
        let i = read("host=h target_session_attrs=primary gssencmode=disable channel_binding=require", 16);
        assert!(i.issues.is_empty());
        let i = read("host=h ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=tlsv1.2", 16);
        assert_eq!(i.issues[0].message, "invalid SSL protocol version range");
        assert_eq!(i.tls.min_version, Some(TlsVersion::Tls13));
    }

    #[test]
    fn ports_and_hosts() {
        let i = read("postgresql://h1:5432,h2:5433/db", 16);
        assert_eq!(value(&i, "host"), Some("h1,h2"));
        assert_eq!(value(&i, "port"), Some("5432,5433"));
        assert_eq!(i.endpoints.iter().map(|e| (e.host.as_str(), e.port)).collect::<Vec<_>>(), vec![("h1", Some(5432)), ("h2", Some(5433))]);
        let i = read("postgresql://h1,h2:5433/db", 16);
        assert_eq!(value(&i, "port"), Some(",5433"));
        assert_eq!(i.endpoints[0].port, Some(5432));
        let i = read("host=a,b,c port=1,2", 16);
        assert_eq!(i.issues[0].message, "could not match 2 port numbers to 3 hosts");
        let i = read("host=a port=70000", 16);
        assert_eq!(i.issues[0].message, "invalid port number: \"70000\"");
        assert_eq!(i.issues[0].kind, IssueKind::InvalidPort);
        let i = read("host=a port=54x", 16);
        assert_eq!(i.issues[0].message, "invalid integer value \"54x\" for connection option \"port\"");
        let i = read("host=a hostaddr=1.2.3.4,5.6.7.8", 16);
        assert_eq!(i.issues[0].message, "could not match 1 host names to 2 hostaddr values");
        let i = read("postgresql://u:pa/ss@host/db", 16);
        assert!(i.issues.iter().any(|x| x.kind == IssueKind::InvalidPort && x.message.contains("<redacted>")));
        assert!(i.issues.iter().all(|x| !x.message.contains("\"pa\"") && !x.message.contains("pa/ss")));
        assert!(i.issues.iter().any(|x| x.kind == IssueKind::UnescapedUserinfo));
    }

    #[test]
    fn postures() {
        let i = read("host=db.example.com", 16);
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Opportunistic, ServerAuth::None));
        assert_eq!(i.tls.ca, CaSource::DefaultFile { path: DEFAULT_ROOT_CERT.into() });
        let i = read("host=db.example.com sslmode=require", 16);
        assert_eq!((i.tls.encryption, i.tls.server_auth), (Encryption::Required, ServerAuth::None));
        assert!(i.tls.notes.iter().any(|n| n.contains("root.crt")));
        let i = read("host=db.example.com sslmode=require sslrootcert=/etc/ca.pem", 16);
        assert_eq!(i.tls.server_auth, ServerAuth::Chain);
        assert_eq!(i.tls.ca, CaSource::File { path: "/etc/ca.pem".into(), setting: "sslrootcert".into() });
        let i = read("host=db.example.com sslmode=verify-full", 16);
        assert_eq!(i.tls.server_auth, ServerAuth::ChainAndHost);
        assert_eq!(i.tls.min_version, Some(TlsVersion::Tls12));
        let i = read("host=db.example.com sslrootcert=system", 16);
        assert_eq!(value(&i, "sslmode"), Some("verify-full"));
        assert_eq!((i.tls.server_auth, &i.tls.ca), (ServerAuth::ChainAndHost, &CaSource::System));
        let i = read("host=db.example.com sslrootcert=system", 15);
        assert_eq!(value(&i, "sslmode"), Some("prefer"));
        let i = read("host=db.example.com sslrootcert=system sslmode=verify-ca", 16);
        assert_eq!(i.issues[0].kind, IssueKind::ConflictingSettings);
        assert_eq!(i.issues[0].key.as_deref(), Some("sslrootcert"));
        assert!(i.issues[0].fatal);
        let i = read("host=h sslnegotiation=direct", 17);
        assert_eq!(
            i.issues[0].message,
            "weak sslmode \"prefer\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")"
        );
        let i = read("host=h sslmode=disable sslrootcert=/ca.pem", 16);
        assert_eq!(kinds(&i), vec![(IssueKind::ConflictingSettings, false)]);
        assert_eq!(i.tls.encryption, Encryption::Off);
        let i = read("host=/var/run/postgresql sslmode=verify-full", 16);
        assert_eq!(i.tls.encryption, Encryption::Off);
        assert!(i.tls.notes[0].contains("Unix-domain"));
    }

    #[test]
    fn environment_defaults() {
        let t = parse("postgresql://host?sslmode=verify-full", Form::PostgresUrl, Dialect::Libpq).unwrap();
        let env = vec![("PGSSLROOTCERT".to_string(), "system".to_string())];
        let i = interpret_with_environment(&t, 16, &env);
        assert_eq!(i.settings.get("sslrootcert").unwrap().origin, Origin::Implied { by: "PGSSLROOTCERT".into() });
        assert_eq!(i.tls.ca, CaSource::System);
    }
}
