//! Prisma's query engine on SQL Server (`sqlserver://…`).
//!
//! Two readers see the string. quaint (`quaint/src/connector/mssql/url.rs`,
//! `MssqlUrl::parse_query_params`) reads its own keys — `user`, `password`,
//! `database`, `schema`, timeouts, `encrypt`, `trustServerCertificate`
//! (Rust `bool::from_str`: exactly `true` or `false`, anything else is an
//! error) and `trustServerCertificateCA`, each also as `snake_case` — and
//! fails on values it cannot parse. But the connection itself is made by
//! tiberius from the same string (`quaint/src/connector/mssql/native/mod.rs`:
//! `Config::from_jdbc_string(&url.connection_string)`), whose
//! `ConfigString` (prisma/tiberius `src/client/config.rs`) decides TLS:
//! `encrypt` `true|yes` → Required, `false|no` → Off (login packet only),
//! exactly `DANGER_PLAINTEXT` → no TLS, anything else an error, and
//! **absent → Off**, whatever quaint's own default (`EncryptMode::On`)
//! says; `trustservercertificate` and `trustservercertificateca` only in
//! these spellings. tiberius reads synonyms by precedence, not position:
//! `uid`, then `username`, `user`, `user id`; `password`, then `pwd`;
//! `database`, then `initial catalog`, `databasename`. Keys are
//! lowercased by the `connection-string` crate; a repeated key keeps its
//! last value (a `HashMap`). Unknown keys are ignored.

use super::common::{self, Level, Out, Written, written};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown};
use crate::model::{CaSource, Client, Endpoint, Interpretation, Issue, IssueKind, Origin, Setting, Transport};
use crate::syntax::Tree;
use crate::syntax::semicolon::decode_prisma;

/// A setting and its spellings, in the order tiberius or quaint looks them up.
struct Group {
    name: &'static str,
    spellings: &'static [&'static str],
    secret: bool,
}

const fn g(name: &'static str, spellings: &'static [&'static str]) -> Group {
    Group { name, spellings, secret: false }
}

static GROUPS: &[Group] = &[
    g("user", &["uid", "username", "user", "user id"]),
    Group { name: "password", spellings: &["password", "pwd"], secret: true },
    g("database", &["database", "initial catalog", "databasename"]),
    g("schema", &["schema"]),
    g("encrypt", &["encrypt"]),
    g("trustServerCertificate", &["trustservercertificate"]),
    g("trustServerCertificateCA", &["trustservercertificateca"]),
    g("connectionLimit", &["connectionlimit", "connection_limit"]),
    g("isolationLevel", &["isolationlevel", "isolation_level"]),
    g("loginTimeout", &["logintimeout", "login_timeout", "connecttimeout", "connect_timeout", "connectiontimeout", "connection_timeout"]),
    g("poolTimeout", &["pooltimeout", "pool_timeout"]),
    g("socketTimeout", &["sockettimeout", "socket_timeout"]),
    g("maxConnectionLifetime", &["max_connection_lifetime"]),
    g("maxIdleConnectionLifetime", &["max_idle_connection_lifetime"]),
    g("applicationName", &["application name", "applicationname"]),
    g("applicationIntent", &["applicationintent"]),
    g("integratedSecurity", &["integratedsecurity", "integrated security"]),
    // quaint reads these spellings, the connection does not.
    g("trust_server_certificate", &["trust_server_certificate"]),
    g("trust_server_certificate_ca", &["trust_server_certificate_ca"]),
];

static KEYWORDS: &[Keyword] = &[
    Keyword::aliases("user", &["uid", "username", "user id"]),
    Keyword::secret("password", &["pwd"]),
    Keyword::aliases("database", &["initial catalog", "databasename"]),
    Keyword::new("schema"),
    Keyword::new("encrypt"),
    Keyword::new("trustServerCertificate"),
    Keyword::new("trustServerCertificateCA"),
    Keyword::aliases("connectionLimit", &["connection_limit"]),
    Keyword::aliases("isolationLevel", &["isolation_level"]),
    Keyword::aliases("loginTimeout", &["login_timeout", "connectTimeout", "connect_timeout", "connectionTimeout", "connection_timeout"]),
    Keyword::aliases("poolTimeout", &["pool_timeout"]),
    Keyword::aliases("socketTimeout", &["socket_timeout"]),
    Keyword::new("max_connection_lifetime"),
    Keyword::new("max_idle_connection_lifetime"),
    Keyword::aliases("applicationName", &["application name"]),
    Keyword::new("applicationIntent"),
    Keyword::aliases("integratedSecurity", &["integrated security"]),
    Keyword::new("trust_server_certificate"),
    Keyword::new("trust_server_certificate_ca"),
];

/// Prisma's keys for SQL Server, for lookups and suggestions.
pub static TABLE: Table =
    Table { client: "prisma", keywords: KEYWORDS, case: Case::Insensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Ignored };

/// Keys whose values quaint parses as numbers and rejects otherwise.
const NUMBERS: &[&str] =
    &["connectionLimit", "loginTimeout", "poolTimeout", "socketTimeout", "maxConnectionLifetime", "maxIdleConnectionLifetime"];

/// Read `tree` as Prisma's engine does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let client = Client::Prisma;
    let mut out = Out::new(client);
    let pairs = written(tree);
    fold(&mut out, &pairs);
    common::foreign_tls_keys(&mut out, &pairs);

    // Values.
    let mut level = Level::LoginOnly;
    if let Some((v, _, vspan)) = out.get("encrypt") {
        match v.trim().to_lowercase().as_str() {
            "true" | "yes" => level = Level::Required,
            "false" | "no" => level = Level::LoginOnly,
            _ if v == "DANGER_PLAINTEXT" => level = Level::Off,
            _ => out.issue(common::invalid(
                client,
                common::Bad { key: "encrypt", value: &v, span: vspan },
                &["true", "false", "DANGER_PLAINTEXT"],
                Some("true"),
                true,
                "tiberius: Connection string: Not a valid boolean",
            )),
        }
    }
    let trust = quaint_bool(&mut out, "trustServerCertificate");
    if let Some(value) = quaint_bool(&mut out, "trust_server_certificate") {
        if let Some((_, span, _)) = out.get("trust_server_certificate") {
            let effect = if value { "so the certificate is still validated" } else { "which changes nothing here" };
            out.issue(
                Issue::new(
                    IssueKind::IgnoredSetting,
                    span,
                    format!("Prisma's connection (tiberius) reads only \"trustServerCertificate\" and ignores \"trust_server_certificate\", {effect}"),
                    false,
                )
                .with_key("trust_server_certificate"),
            );
        }
    }
    if let Some((_, span, _)) = out.get("trust_server_certificate_ca") {
        out.issue(
            Issue::new(
                IssueKind::IgnoredSetting,
                span,
                "Prisma's connection (tiberius) reads only \"trustServerCertificateCA\" and ignores \"trust_server_certificate_ca\": the CA file is not used",
                false,
            )
            .with_key("trust_server_certificate_ca"),
        );
    }
    for key in NUMBERS {
        if let Some((v, _, vspan)) = out.get(key) {
            if let Err(e) = v.parse::<u64>() {
                let msg = format!("prisma rejects {key}=\"{v}\": {e}");
                out.issue(Issue::new(IssueKind::InvalidValue, vspan, msg, true).with_key(*key));
            }
        }
    }

    // The server.
    let src = tree.source();
    if let Some(h) = tree.hosts.first() {
        let port = match h.port {
            Some(p) => match p.text(src).parse::<u16>() {
                Ok(n) => Some(n),
                Err(e) => {
                    out.issue(common::bad_port(client, "port", p.text(src), p, true, &format!("Conversion error: {e}")));
                    None
                }
            },
            None if h.instance.is_some() => None,
            None => Some(1433),
        };
        let host = h.name.map_or_else(|| "localhost".to_string(), |n| decode_prisma(n.text(src)).into_owned());
        out.endpoints.push(Endpoint { host, port, transport: Transport::Tcp, span: Some(h.span) });
    } else {
        out.endpoints.push(Endpoint { host: "localhost".into(), port: Some(1433), transport: Transport::Tcp, span: None });
    }

    // TLS.
    let ca_file = out.get("trustServerCertificateCA");
    let ca = match &ca_file {
        Some((path, ..)) => CaSource::File { path: path.clone(), setting: "trustServerCertificateCA".into() },
        None => CaSource::System,
    };
    let trust = trust.unwrap_or(false);
    if let (true, Some((_, span, _))) = (trust, &ca_file) {
        out.issue(
            Issue::new(
                IssueKind::ConflictingSettings,
                *span,
                "tiberius refuses trustServerCertificate=true together with trustServerCertificateCA (they are mutually exclusive)",
                true,
            )
            .with_key("trustServerCertificateCA"),
        );
    }
    let mut tls = common::posture(level, trust, ca, true);
    tls.decided_by.push("encrypt".into());
    tls.decided_by.push("trustServerCertificate".into());
    if ca_file.is_some() {
        tls.decided_by.push("trustServerCertificateCA".into());
    }
    match (level, out.get("encrypt").is_some()) {
        (Level::LoginOnly, false) => tls.notes.push(
            "encrypt is not set: Prisma's documentation says true, but the connection is made by tiberius, which then encrypts only the login packet"
                .into(),
        ),
        (Level::LoginOnly, true) => tls.notes.push("only the login packet is encrypted".into()),
        _ => {}
    }
    common::conflicts(&mut out, level, "encrypt", "trustServerCertificate", trust, None);
    out.default("encrypt", "false");
    out.default("trustServerCertificate", "false");
    out.finish(tls)
}

/// quaint parses `key` with Rust's `bool::from_str`: `true` or `false`, exactly.
fn quaint_bool(out: &mut Out, key: &str) -> Option<bool> {
    let (v, _, vspan) = out.get(key)?;
    match v.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            out.issue(common::invalid(
                Client::Prisma,
                common::Bad { key, value: &v, span: vspan },
                &["true", "false"],
                Some("false"),
                true,
                "provided string was not `true` or `false`",
            ));
            None
        }
    }
}

/// Fold the pairs: the last value of each exact (lowercased) key, then per
/// setting the first spelling in the reader's lookup order.
fn fold(out: &mut Out, pairs: &[Written]) {
    // Last occurrence of every exact key.
    let mut last: Vec<(String, usize)> = Vec::new();
    for (i, w) in pairs.iter().enumerate() {
        let k = w.key.to_lowercase();
        match last.iter_mut().find(|(key, _)| *key == k) {
            Some(slot) => {
                let earlier = slot.1;
                slot.1 = i;
                let name = group_of(&k).map_or(k.as_str(), |g| g.name).to_string();
                out.issue(
                    Issue::new(
                        IssueKind::DuplicateParameter,
                        pairs[earlier].span(),
                        format!("\"{}\" is given more than once; prisma uses the last one and ignores this one", pairs[earlier].key),
                        false,
                    )
                    .with_key(name),
                );
            }
            None => last.push((k, i)),
        }
    }
    for group in GROUPS {
        let present: Vec<&(String, usize)> = group.spellings.iter().filter_map(|s| last.iter().find(|(k, _)| k == s)).collect();
        let Some((_, wi)) = present.first() else { continue };
        let winner = &pairs[*wi];
        for (_, li) in present.iter().skip(1) {
            let lost = &pairs[*li];
            out.issue(
                Issue::new(
                    IssueKind::DuplicateParameter,
                    lost.span(),
                    format!(
                        "\"{}\" and \"{}\" both set {}; prisma reads \"{}\" first and ignores this one",
                        lost.key, winner.key, group.name, winner.key
                    ),
                    false,
                )
                .with_key(group.name),
            );
        }
        out.settings.0.push(Setting {
            name: group.name.into(),
            value: winner.value.clone().into(),
            origin: Origin::Written { key: Some(winner.key_span), value: winner.value_span },
            secret: group.secret,
        });
    }
    for (k, i) in &last {
        if group_of(k).is_none() && !common::FOREIGN_TLS_KEYS.contains(&k.as_str()) {
            let w = &pairs[*i];
            let suggestion = TABLE.suggest(&w.key).map(str::to_string);
            let mut message = format!("prisma ignores the unknown parameter \"{}\"", w.key);
            if let Some(s) = &suggestion {
                message.push_str(&format!("; did you mean \"{s}\"?"));
            }
            out.issue(
                Issue::new(IssueKind::UnknownParameter, w.key_span, message, false).with_key(w.key.clone()).with_suggestion(suggestion),
            );
        }
    }
}

fn group_of(key: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.spellings.contains(&key))
}
