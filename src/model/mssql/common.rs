//! Pieces every SQL Server client model shares: the written pairs, the
//! interpretation under construction, duplicate messages, the TDS
//! encryption ladder and value checks.

use crate::model::keywords::{Duplicates, closest};
use crate::model::{
    CaSource, Client, Encryption, Endpoint, Interpretation, Issue, IssueKind, Origin, ServerAuth, Setting, Settings, TlsPosture, Transport,
};
use crate::syntax::detect::Database;
use crate::syntax::semicolon::{param_key, split_data_source};
use crate::syntax::{Quote, Span, Tree};

/// One written `key=value` pair, decoded as the tree's dialect reads it.
#[derive(Clone, Debug)]
pub struct Written {
    /// The key with the dialect's escapes undone, case as written.
    pub key: String,
    /// The value with the dialect's quoting undone.
    pub value: String,
    /// An unquoted empty value (`Key=;`), which SqlClient reads as "not specified".
    pub null: bool,
    /// Where the key is written.
    pub key_span: Span,
    /// The whole value, quotes included; empty at the `=` when there is none.
    pub value_span: Span,
}

impl Written {
    /// Key and value spans covered.
    pub fn span(&self) -> Span {
        self.key_span.cover(self.value_span)
    }
}

/// The pairs of `tree` that have a `=` (tedious drops a trailing key without one).
pub fn written(tree: &Tree<'_>) -> Vec<Written> {
    tree.params
        .iter()
        .filter_map(|p| {
            let eq = p.eq?;
            let value = p.value.map(|v| tree.unquoted_value(&v).into_owned()).unwrap_or_default();
            let null = p.value.is_none_or(|v| v.quote == Quote::None && v.inner.is_empty());
            let value_span = p.value.map_or(Span::empty(eq.end), |v| v.span);
            Some(Written { key: param_key(tree, p).into_owned(), value, null, key_span: p.key, value_span })
        })
        .collect()
}

/// An interpretation under construction.
pub struct Out {
    /// The client whose reading this is.
    pub client: Client,
    /// Effective settings so far.
    pub settings: Settings,
    /// Issues so far.
    pub issues: Vec<Issue>,
    /// Servers the client would connect to.
    pub endpoints: Vec<Endpoint>,
}

impl Out {
    /// An empty reading by `client`.
    pub fn new(client: Client) -> Self {
        Out { client, settings: Settings::default(), issues: Vec::new(), endpoints: Vec::new() }
    }

    /// Record an issue.
    pub fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    /// Record `name`'s default when the string does not set it.
    pub fn default(&mut self, name: &str, value: &str) {
        if self.settings.get(name).is_none() {
            self.settings.0.push(Setting {
                name: name.to_owned().into(),
                value: value.to_owned().into(),
                origin: Origin::Default,
                secret: false,
            });
        }
    }

    /// Record a setting written outside the `key=value` pairs (a JDBC URL's server or port).
    pub fn written(&mut self, name: &str, value: &str, key: Option<Span>, span: Span) {
        self.settings.set(Setting {
            name: name.to_owned().into(),
            value: value.to_owned().into(),
            origin: Origin::Written { key, value: span },
            secret: false,
        });
    }

    /// The written value of `name`, the span of its pair and of its value,
    /// if the string sets it.
    pub fn get(&self, name: &str) -> Option<(String, Span, Span)> {
        let s = self.settings.get(name)?;
        match s.origin {
            Origin::Written { key, value } => Some((s.value.to_string(), key.map_or(value, |k| k.cover(value)), value)),
            _ => None,
        }
    }

    /// The interpretation: issues in the order of the string, written
    /// settings in the order written, defaults after them.
    pub fn finish(mut self, tls: TlsPosture) -> Interpretation {
        self.issues.sort_by_key(|i| (i.span.start, i.span.end));
        self.settings.0.sort_by_key(|s| s.origin.span().map_or(usize::MAX, |sp| sp.start));
        Interpretation {
            client: self.client,
            database: Database::SqlServer,
            endpoints: self.endpoints,
            settings: self.settings,
            tls,
            issues: self.issues,
        }
    }
}

/// Rewrite the duplicate messages of a fold so they name the spellings and
/// the occurrence that wins (`"Server" and "Data Source" both set Data
/// Source; sqlclient uses the last one, "Data Source"`). The span stays on
/// the shadowed occurrence.
pub fn explain_duplicates(out: &mut Out, tree: &Tree<'_>, rule: Duplicates) {
    let src = tree.source();
    let client = out.client.name();
    let which = if rule == Duplicates::FirstWins { "first" } else { "last" };
    for issue in out.issues.iter_mut().filter(|i| i.kind == IssueKind::DuplicateParameter) {
        let Some(canonical) = issue.key.clone() else { continue };
        let shadowed = tree.params.iter().find(|p| issue.span.contains(p.key)).map(|p| param_key(tree, p).into_owned());
        let winner = out.settings.get(&canonical).and_then(|s| match s.origin {
            Origin::Written { key: Some(k), .. } => Some(k.text(src).to_string()),
            _ => None,
        });
        let (Some(shadowed), Some(winner)) = (shadowed, winner) else { continue };
        issue.message = if shadowed.eq_ignore_ascii_case(&winner) {
            format!("\"{shadowed}\" is given more than once; {client} uses the {which} one and ignores this one")
        } else {
            format!(
                "\"{shadowed}\" and \"{winner}\" both set {canonical}; {client} uses the {which} one, \"{winner}\", and ignores this one"
            )
        };
    }
}

/// The TDS encryption ladder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// No TLS at all (tedious `encrypt=false`, tiberius `DANGER_PLAINTEXT`).
    Off,
    /// Only the login packet is encrypted (`Encrypt=false|no|optional`).
    LoginOnly,
    /// TDS 7.x encryption of all traffic.
    Required,
    /// TDS 8: TLS before any TDS bytes.
    Strict,
}

/// The posture of a TDS client at `level`. `trust` is
/// TrustServerCertificate (ignored under Strict); `ca` is what a verified
/// chain is checked against; `login_verified` says whether the login-only
/// handshake checks the certificate.
pub fn posture(level: Level, trust: bool, ca: CaSource, login_verified: bool) -> TlsPosture {
    let verified = |yes: bool| if yes { (ServerAuth::ChainAndHost, ca.clone()) } else { (ServerAuth::None, CaSource::None) };
    match level {
        Level::Off => TlsPosture::off(),
        Level::LoginOnly => {
            let (auth, ca) = verified(login_verified && !trust);
            TlsPosture::new(Encryption::LoginOnly, auth, ca)
        }
        Level::Required => {
            let (auth, ca) = verified(!trust);
            TlsPosture::new(Encryption::Required, auth, ca)
        }
        Level::Strict => {
            let (auth, ca) = verified(true);
            TlsPosture { direct: true, ..TlsPosture::new(Encryption::Required, auth, ca) }
        }
    }
}

/// Settings that contradict each other under the TDS ladder.
///
/// - no or login-only encryption with TrustServerCertificate=true (both
///   weaken; the trust setting only matters once traffic is encrypted);
/// - TrustServerCertificate=true with a host name to check: never checked;
/// - Strict with TrustServerCertificate=true: ignored under TDS 8.
pub fn conflicts(out: &mut Out, level: Level, encrypt_key: &str, trust_key: &str, trust: bool, hnic_key: Option<&str>) {
    let client = out.client.name();
    let Some((_, trust_span, _)) = out.get(trust_key) else { return };
    if !trust {
        return;
    }
    let encrypt_text = out.get(encrypt_key).map(|(v, ..)| v);
    match level {
        Level::LoginOnly => {
            let why = match encrypt_text {
                Some(e) => format!("{encrypt_key}={e} encrypts only the login"),
                None => format!("without {encrypt_key}, {client} encrypts only the login"),
            };
            out.issue(
                Issue::new(
                    IssueKind::ConflictingSettings,
                    trust_span,
                    format!("{why}, and {trust_key}=true accepts any certificate if the server forces encryption: {client} never authenticates the server"),
                    false,
                )
                .with_key(trust_key),
            );
        }
        Level::Off => {
            let e = encrypt_text.unwrap_or_default();
            out.issue(
                Issue::new(
                    IssueKind::ConflictingSettings,
                    trust_span,
                    format!("{trust_key}=true has no effect: {encrypt_key}={e} turns TLS off in {client}"),
                    false,
                )
                .with_key(trust_key),
            );
        }
        Level::Strict => out.issue(
            Issue::new(
                IssueKind::ConflictingSettings,
                trust_span,
                format!("{client} ignores {trust_key}=true with {encrypt_key}=strict: TDS 8 always validates the certificate"),
                false,
            )
            .with_key(trust_key),
        ),
        _ => {}
    }
    if let Some(h) = hnic_key {
        if let Some((_, span, _)) = out.get(h) {
            if level == Level::Required {
                out.issue(
                    Issue::new(
                        IssueKind::ConflictingSettings,
                        span,
                        format!("{h} has no effect: {trust_key}=true makes {client} skip certificate validation, host name included"),
                        false,
                    )
                    .with_key(h),
                );
            }
        }
    }
}

/// A value at fault: its key, its text, where it is written.
pub struct Bad<'a> {
    /// The canonical key.
    pub key: &'a str,
    /// The value as the client reads it (never a secret's).
    pub value: &'a str,
    /// Where the value is written.
    pub span: Span,
}

/// An [`IssueKind::InvalidValue`] for a [`Bad`] value. The suggestion is the
/// closest valid value, or `secure` (the value that keeps TLS strict) when
/// none is close. `reason` is the client's own wording where known.
pub fn invalid(client: Client, bad: Bad<'_>, allowed: &[&str], secure: Option<&str>, fatal: bool, reason: &str) -> Issue {
    let Bad { key, value, span } = bad;
    let suggestion = closest(value, allowed.iter().copied()).or(secure).map(str::to_string);
    let verdict = if fatal { "rejects" } else { "does not understand" };
    let mut message = format!("{} {verdict} {key}=\"{value}\"", client.name());
    if !reason.is_empty() {
        message.push_str(&format!(" ({reason})"));
    }
    message.push_str(&format!("; valid values: {}", allowed.join(", ")));
    if let Some(s) = &suggestion {
        message.push_str(&format!("; did you mean \"{s}\"?"));
    }
    Issue::new(IssueKind::InvalidValue, span, message, fatal).with_key(key).with_suggestion(suggestion)
}

/// Keys from other families that look like TLS settings; no SQL Server
/// client reads them, so writing them changes nothing.
pub const FOREIGN_TLS_KEYS: &[&str] =
    &["sslmode", "ssl", "sslaccept", "sslcert", "sslrootcert", "sslkey", "sslca", "ssl-mode", "tls", "usessl", "requiressl", "ssl_mode"];

/// Report an ignored key that looks like a TLS setting as
/// [`IssueKind::IgnoredSetting`] instead of a plain unknown parameter.
pub fn foreign_tls_keys(out: &mut Out, written: &[Written]) {
    let client = out.client.name();
    for w in written {
        if FOREIGN_TLS_KEYS.iter().any(|k| k.eq_ignore_ascii_case(w.key.trim())) {
            out.issues.retain(|i| !(i.kind == IssueKind::UnknownParameter && i.span == w.key_span));
            out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    w.span(),
                    format!("\"{}\" is not a SQL Server setting: {client} ignores it, so it does not change TLS", w.key),
                    false,
                )
                .with_key(w.key.clone()),
            );
        }
    }
}

/// Whether `port` is a TCP port number (1..=65535, digits only).
pub fn port_number(port: &str) -> Option<u16> {
    let p = port.trim();
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse::<u16>().ok().filter(|&n| n > 0)
}

/// An [`IssueKind::InvalidPort`] for the port written at `span`.
pub fn bad_port(client: Client, key: &str, port: &str, span: Span, fatal: bool, reason: &str) -> Issue {
    let mut message = format!("{} cannot use port \"{}\": not a number between 1 and 65535", client.name(), port.trim());
    if !reason.is_empty() {
        message.push_str(&format!(" ({reason})"));
    }
    Issue::new(IssueKind::InvalidPort, span, message, fatal).with_key(key)
}

/// The endpoint a data source names: `tcp:host\instance,port`. Without a
/// port or instance the client uses 1433; with an instance and no port it
/// asks the SQL Browser service. `np:` and `lpc:` name local pipes.
pub fn data_source_endpoint(value: &str, span: Span) -> Endpoint {
    let h = split_data_source(value);
    let text = |s: Option<Span>| s.map(|s| s.text(value).to_string());
    let transport = match text(h.protocol).map(|p| p.to_ascii_lowercase()).as_deref() {
        Some("np") | Some("lpc") => Transport::NamedPipe,
        _ => Transport::Tcp,
    };
    let port = text(h.port).as_deref().and_then(port_number).or(if h.instance.is_none() && transport == Transport::Tcp {
        Some(1433)
    } else {
        None
    });
    Endpoint { host: text(h.name).unwrap_or_default(), port, transport, span: Some(span) }
}
