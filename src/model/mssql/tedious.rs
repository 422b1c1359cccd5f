//! node-mssql on tedious, the usual way a Node.js program uses an ADO.NET string.
//!
//! node-mssql (`lib/base/connection-pool.js`, `_parseConnectionString`)
//! reads the string with `parseSqlConnectionString(s, canonical, allowUnknown)`
//! of `@tediousjs/connection-string` (`src/parser/sql-connection-string.ts`):
//! keys are lowercased and trimmed, collected into a JavaScript object (a
//! repeated key keeps the place of its first occurrence and the value of
//! its last), then aliases are mapped onto their canonical key in that
//! order — so across synonyms the key *first written last* wins
//! (`Server=a;Data Source=b;Server=c` connects to `b`). Unknown keys are
//! kept and then ignored. Booleans are coerced: `true|yes|1` and
//! `false|no|0`, anything else stays a string.
//!
//! TLS: `encrypt: !!value`, so any other non-empty value (`strict`
//! included) means true and an empty one false; `trustServerCertificate`
//! is passed as is, and tedious rejects anything but a boolean
//! (`src/connection.ts`). tedious defaults to `encrypt: true` and
//! `trustServerCertificate: false` (`src/connection.ts`, the default
//! `this.config.options`); with `encrypt: false` it sends no TLS at all and
//! fails if the server requires encryption. It has no
//! HostNameInCertificate or ServerCertificate.

use super::common::{self, Level, Out, conflicts, written};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown};
use crate::model::{CaSource, Client, Endpoint, Interpretation, Issue, IssueKind, Origin, Setting, Transport};
use crate::syntax::Tree;

static KEYWORDS: &[Keyword] = &[
    Keyword::aliases("Application Name", &["App"]),
    Keyword::new("ApplicationIntent"),
    Keyword::aliases("Asynchronous Processing", &["Async"]),
    Keyword::aliases("AttachDBFilename", &["Extended Properties", "Initial File Name"]),
    Keyword::new("Authentication"),
    Keyword::new("Column Encryption Setting"),
    Keyword::aliases("Connection Timeout", &["Connect Timeout", "Timeout"]),
    Keyword::aliases("Connection Lifetime", &["Load Balance Timeout"]),
    Keyword::new("ConnectRetryCount"),
    Keyword::new("ConnectRetryInterval"),
    Keyword::new("Context Connection"),
    Keyword::aliases("Current Language", &["Language"]),
    Keyword::aliases("Data Source", &["Addr", "Address", "Server", "Network Address"]),
    Keyword::new("Encrypt"),
    Keyword::new("Enlist"),
    Keyword::new("Failover Partner"),
    Keyword::aliases("Initial Catalog", &["Database"]),
    Keyword::aliases("Integrated Security", &["Trusted_Connection"]),
    Keyword::new("Max Pool Size"),
    Keyword::new("Min Pool Size"),
    Keyword::new("MultipleActiveResultSets"),
    Keyword::new("MultiSubnetFailover"),
    Keyword::aliases("Network Library", &["Network", "Net"]),
    Keyword::new("Packet Size"),
    Keyword::secret("Password", &["PWD"]),
    Keyword::aliases("Persist Security Info", &["PersistSecurityInfo"]),
    Keyword::new("PoolBlockingPeriod"),
    Keyword::new("Pooling"),
    Keyword::new("Replication"),
    Keyword::new("Transaction Binding"),
    Keyword::new("TransparentNetworkIPResolution"),
    Keyword::new("TrustServerCertificate"),
    Keyword::new("Type System Version"),
    Keyword::aliases("User ID", &["UID"]),
    Keyword::new("User Instance"),
    Keyword::aliases("Workstation ID", &["WSID"]),
    // node-mssql's own keys.
    Keyword::new("Client ID"),
    Keyword::secret("Client Secret", &[]),
    Keyword::new("Tenant ID"),
    Keyword::new("MSI Endpoint"),
    Keyword::secret("MSI Secret", &[]),
    Keyword::secret("Token", &[]),
    Keyword::new("Request Timeout"),
    Keyword::new("Stream"),
    Keyword::new("UseUTC"),
    Keyword::new("ParseJSON"),
];

/// The `@tediousjs/connection-string` schema plus node-mssql's keys.
pub static TABLE: Table =
    Table { client: "tedious", keywords: KEYWORDS, case: Case::Insensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

/// TLS keys of other SQL Server clients that tedious does not have.
const MISSING_TLS_KEYS: &[&str] = &["hostnameincertificate", "host name in certificate", "servercertificate", "server certificate"];

/// The coerced boolean of `@tediousjs/connection-string`, `None` when the value stays a string.
fn coerce(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// JavaScript's `parseInt(s, 10)`: optional blanks and sign, then the leading digits.
fn js_parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    let n: i64 = digits.get(..end)?.parse().ok()?;
    Some(if neg { -n } else { n })
}

/// Read `tree` as node-mssql and tedious do.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let client = Client::Tedious;
    let mut out = Out::new(client);
    let pairs = written(tree);

    // The JavaScript object: one slot per lowercased key, at its first
    // occurrence, holding its last value.
    let mut slots: Vec<(String, usize)> = Vec::new();
    for (i, w) in pairs.iter().enumerate() {
        let k = w.key.to_lowercase();
        match slots.iter_mut().find(|(key, _)| *key == k) {
            Some(slot) => {
                let earlier = slot.1;
                slot.1 = i;
                out.issue(
                    Issue::new(
                        IssueKind::DuplicateParameter,
                        pairs[earlier].span(),
                        format!("\"{}\" is given more than once; tedious uses the last one and ignores this one", pairs[earlier].key),
                        false,
                    )
                    .with_key(TABLE.lookup(&k).map_or(k.clone(), |kw| kw.name.to_string())),
                );
            }
            None => slots.push((k, i)),
        }
    }
    // Canonical keys, in slot order: a later slot replaces an earlier one.
    let mut winners: Vec<(&'static str, usize)> = Vec::new();
    for (key, i) in &slots {
        let w = &pairs[*i];
        let Some(kw) = TABLE.lookup(key) else {
            if MISSING_TLS_KEYS.contains(&key.as_str()) {
                out.issue(
                    Issue::new(
                        IssueKind::IgnoredSetting,
                        w.span(),
                        format!("tedious has no \"{}\": the certificate is checked against the server name, if at all", w.key),
                        false,
                    )
                    .with_key(w.key.clone()),
                );
            } else if !common::FOREIGN_TLS_KEYS.contains(&key.as_str()) {
                let suggestion = TABLE.suggest(&w.key).map(str::to_string);
                let mut message = format!("node-mssql ignores the unknown parameter \"{}\"", w.key);
                if let Some(s) = &suggestion {
                    message.push_str(&format!("; did you mean \"{s}\"?"));
                }
                out.issue(
                    Issue::new(IssueKind::UnknownParameter, w.key_span, message, false).with_key(w.key.clone()).with_suggestion(suggestion),
                );
            }
            continue;
        };
        if let Some(slot) = winners.iter_mut().find(|(name, _)| *name == kw.name) {
            let lost = &pairs[slot.1];
            out.issue(
                Issue::new(
                    IssueKind::DuplicateParameter,
                    lost.span(),
                    format!(
                        "\"{}\" and \"{}\" both set {}; node-mssql keeps \"{}\", whose key first appears later, and ignores this one",
                        lost.key, w.key, kw.name, w.key
                    ),
                    false,
                )
                .with_key(kw.name),
            );
            slot.1 = *i;
        } else {
            winners.push((kw.name, *i));
        }
    }
    for (name, i) in &winners {
        let w = &pairs[*i];
        let secret = TABLE.lookup(name).is_some_and(|k| k.secret);
        out.settings.set(Setting {
            name: (*name).into(),
            value: w.value.clone().into(),
            origin: Origin::Written { key: Some(w.key_span), value: w.value_span },
            secret,
        });
    }
    common::foreign_tls_keys(&mut out, &pairs);

    // Values.
    let mut level = Level::Required;
    if let Some((v, span, vspan)) = out.get("Encrypt") {
        match coerce(&v) {
            Some(true) => {}
            Some(false) => level = Level::Off,
            None if v.is_empty() => {
                level = Level::Off;
                out.issue(common::invalid(
                    client,
                    common::Bad { key: "Encrypt", value: &v, span: vspan },
                    &["true", "false"],
                    Some("true"),
                    false,
                    "node-mssql reads an empty Encrypt as false",
                ));
            }
            None if v.eq_ignore_ascii_case("strict") => out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    span,
                    "node-mssql reads Encrypt=strict as true: TDS 7 encryption after the prelogin, not TDS 8 strict",
                    false,
                )
                .with_key("Encrypt"),
            ),
            None => out.issue(common::invalid(
                client,
                common::Bad { key: "Encrypt", value: &v, span: vspan },
                &["true", "false"],
                Some("true"),
                false,
                "node-mssql reads any other value as true",
            )),
        }
    }
    let mut trust = false;
    if let Some((v, _, vspan)) = out.get("TrustServerCertificate") {
        match coerce(&v) {
            Some(t) => trust = t,
            None => out.issue(common::invalid(
                client,
                common::Bad { key: "TrustServerCertificate", value: &v, span: vspan },
                &["true", "false"],
                Some("false"),
                true,
                "The \"config.options.trustServerCertificate\" property must be of type boolean.",
            )),
        }
    }

    // The server: `[tcp:]host[\instance][,port]`, the last `\` and `,` as node-mssql's regular expressions find them.
    if let Some((v, _, vspan)) = out.get("Data Source") {
        let mut server = v.as_str();
        let prefixed = |p: &str| server.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p));
        if prefixed("np:") {
            out.issue(
                Issue::new(IssueKind::InvalidValue, vspan, "node-mssql: Connection via Named Pipes is not supported.", true)
                    .with_key("Data Source"),
            );
        }
        if prefixed("tcp:") {
            server = server.get(4..).unwrap_or_default();
        }
        let (head, port_text) = match server.rfind(',') {
            Some(c) => (&server[..c], Some(&server[c + 1..])),
            None => (server, None),
        };
        let (name, instance) = match head.rfind('\\') {
            Some(b) => (head[..b].trim(), Some(head[b + 1..].trim())),
            None => (head.trim(), None),
        };
        let port = match port_text {
            Some(p) => match js_parse_int(p).filter(|n| (1..65536).contains(n)) {
                Some(n) => u16::try_from(n).ok(),
                None => {
                    out.issue(common::bad_port(client, "Data Source", p, vspan, true, "tedious needs a port > 0 and < 65536"));
                    None
                }
            },
            None if instance.is_some() => None,
            None => Some(1433),
        };
        let host = if matches!(name.to_ascii_lowercase().as_str(), "." | "(.)" | "(local)" | "(localdb)") { "localhost" } else { name };
        out.endpoints.push(Endpoint { host: host.to_string(), port, transport: Transport::Tcp, span: Some(vspan) });
    }

    // TLS.
    let mut tls = common::posture(level, trust, CaSource::System, false);
    tls.decided_by.push("Encrypt".into());
    tls.decided_by.push("TrustServerCertificate".into());
    if level == Level::Off {
        tls.notes.push("tedious sends no TLS at all and fails if the server requires encryption".into());
    }
    conflicts(&mut out, level, "Encrypt", "TrustServerCertificate", trust, None);
    out.default("Encrypt", "true");
    out.default("TrustServerCertificate", "false");
    out.finish(tls)
}
