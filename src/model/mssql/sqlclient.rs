//! Microsoft.Data.SqlClient ≥ 5 (and the reading it shares with ODBC Driver 18).
//!
//! Sources: dotnet/SqlClient `DbConnectionOptions` (`ParseInternal`: synonyms
//! fold first, then the last occurrence wins; an unknown keyword throws
//! `Keyword not supported`; `ConvertValueToBooleanInternal`: `true|yes|false|no`
//! ignoring case and surrounding blanks), `SqlConnectionEncryptOption`
//! (`true|yes|mandatory` → Mandatory, `false|no|optional` → Optional,
//! `strict` → Strict; Mandatory is the default since 4.0), and the docs'
//! encryption-and-certificate-validation table: Optional encrypts only the
//! login packet and does not validate the certificate unless the server
//! forces encryption; TrustServerCertificate=true skips validation except
//! under Strict; HostNameInCertificate (5.0+) replaces the name checked;
//! ServerCertificate (5.1+) pins the server's certificate.

use super::common::{self, Level, Out, conflicts, data_source_endpoint, explain_duplicates, port_number, written};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown};
use crate::model::{CaSource, Client, Interpretation, IssueKind, Origin};
use crate::syntax::Tree;

static KEYWORDS: &[Keyword] = &[
    Keyword::aliases("Application Intent", &["ApplicationIntent"]),
    Keyword::aliases("Application Name", &["App"]),
    Keyword::aliases("AttachDbFilename", &["Extended Properties", "Initial File Name"]),
    Keyword::new("Attestation Protocol"),
    Keyword::new("Authentication"),
    Keyword::aliases("Column Encryption Setting", &["ColumnEncryption"]),
    Keyword::new("Command Timeout"),
    Keyword::aliases("Connect Retry Count", &["ConnectRetryCount"]),
    Keyword::aliases("Connect Retry Interval", &["ConnectRetryInterval"]),
    Keyword::aliases("Connect Timeout", &["Connection Timeout", "ConnectTimeout", "Timeout"]),
    Keyword::new("Connection Idle Timeout"),
    Keyword::new("Context Connection"),
    Keyword::aliases("Current Language", &["Language"]),
    Keyword::aliases("Data Source", &["Addr", "Address", "Network Address", "Server"]),
    Keyword::new("Enclave Attestation Url"),
    Keyword::new("Encrypt"),
    Keyword::new("Enlist"),
    Keyword::aliases("Failover Partner", &["FailoverPartner"]),
    Keyword::aliases("Failover Partner SPN", &["FailoverPartnerSPN"]),
    Keyword::aliases("Host Name In Certificate", &["HostNameInCertificate"]),
    Keyword::aliases("Initial Catalog", &["Database"]),
    Keyword::aliases("Integrated Security", &["Trusted_Connection"]),
    Keyword::aliases("IP Address Preference", &["IPAddressPreference"]),
    Keyword::aliases("Load Balance Timeout", &["Connection Lifetime"]),
    Keyword::new("Max Pool Size"),
    Keyword::new("Min Pool Size"),
    Keyword::aliases("Multiple Active Result Sets", &["MultipleActiveResultSets"]),
    Keyword::aliases("Multi Subnet Failover", &["MultiSubnetFailover"]),
    Keyword::aliases("Packet Size", &["PacketSize"]),
    Keyword::secret("Password", &["PWD"]),
    Keyword::aliases("Persist Security Info", &["PersistSecurityInfo"]),
    Keyword::aliases("Pool Blocking Period", &["PoolBlockingPeriod"]),
    Keyword::new("Pooling"),
    Keyword::new("Replication"),
    Keyword::aliases("Server Certificate", &["ServerCertificate"]),
    Keyword::aliases("Server SPN", &["ServerSPN"]),
    Keyword::new("Transaction Binding"),
    Keyword::aliases("Trust Server Certificate", &["TrustServerCertificate"]),
    Keyword::new("Type System Version"),
    Keyword::aliases("User ID", &["UID", "User"]),
    Keyword::new("User Instance"),
    Keyword::aliases("Workstation ID", &["WorkstationID", "WSID"]),
    // .NET Framework builds only; .NET (Core) builds refuse them when used.
    Keyword::new("Connection Reset"),
    Keyword::aliases("Network Library", &["Net", "Network"]),
    Keyword::aliases("Transparent Network IP Resolution", &["TransparentNetworkIPResolution"]),
];

/// SqlClient's keyword table.
pub static TABLE: Table =
    Table { client: "sqlclient", keywords: KEYWORDS, case: Case::Insensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Error };

/// How one client of the ADO.NET/ODBC kind names and spells its settings.
pub struct Spec {
    /// The client.
    pub client: Client,
    /// Its keyword table (synonyms, duplicates, unknown keys).
    pub table: &'static Table,
    /// Canonical name of the encryption keyword.
    pub encrypt: &'static str,
    /// Canonical name of TrustServerCertificate.
    pub trust: &'static str,
    /// Canonical name of HostNameInCertificate.
    pub host_name_in_certificate: &'static str,
    /// Canonical name of ServerCertificate.
    pub server_certificate: &'static str,
    /// Canonical name of the server keyword.
    pub data_source: &'static str,
    /// `Encrypt` spellings (compared ignoring ASCII case) and their levels.
    pub encrypt_values: &'static [(&'static str, Level)],
    /// The default `Encrypt`, as the client documents it.
    pub encrypt_default: (&'static str, Level),
    /// Boolean spellings: true ones, then false ones.
    pub bools: (&'static [&'static str], &'static [&'static str]),
    /// The default TrustServerCertificate, as the client documents it.
    pub trust_default: &'static str,
    /// Other boolean keywords whose values are checked.
    pub booleans: &'static [&'static str],
    /// The client's error for a bad value of `key` (canonical name).
    pub value_error: fn(&str) -> String,
    /// The client's error for an unknown keyword, when it rejects the string.
    pub unknown_error: Option<fn(&str) -> String>,
}

fn dotnet_value_error(key: &str) -> String {
    format!("Invalid value for key '{}'.", key.to_lowercase())
}

fn dotnet_unknown(key: &str) -> String {
    format!("Keyword not supported: '{}'.", key.trim().to_lowercase())
}

/// Microsoft.Data.SqlClient.
pub static SPEC: Spec = Spec {
    client: Client::SqlClient,
    table: &TABLE,
    encrypt: "Encrypt",
    trust: "Trust Server Certificate",
    host_name_in_certificate: "Host Name In Certificate",
    server_certificate: "Server Certificate",
    data_source: "Data Source",
    encrypt_values: &[
        ("true", Level::Required),
        ("yes", Level::Required),
        ("mandatory", Level::Required),
        ("false", Level::LoginOnly),
        ("no", Level::LoginOnly),
        ("optional", Level::LoginOnly),
        ("strict", Level::Strict),
    ],
    encrypt_default: ("Mandatory", Level::Required),
    bools: (&["true", "yes"], &["false", "no"]),
    trust_default: "False",
    booleans: &[
        "Context Connection",
        "Integrated Security",
        "Enlist",
        "Multiple Active Result Sets",
        "Multi Subnet Failover",
        "Persist Security Info",
        "Pooling",
        "Replication",
        "User Instance",
        "Connection Reset",
        "Transparent Network IP Resolution",
    ],
    value_error: dotnet_value_error,
    unknown_error: Some(dotnet_unknown),
};

/// Read `tree` as Microsoft.Data.SqlClient does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    read(tree, &SPEC)
}

/// Whether `value` is one of `spellings`, ignoring ASCII case and, as .NET's
/// boolean conversion does, surrounding blanks.
fn is_one_of(value: &str, spellings: &[&str]) -> bool {
    spellings.iter().any(|s| s.eq_ignore_ascii_case(value.trim()))
}

/// Read `tree` the way `spec`'s client does.
pub fn read(tree: &Tree<'_>, spec: &Spec) -> Interpretation {
    let client = spec.client;
    let mut out = Out::new(client);
    let pairs = written(tree);
    let entries =
        pairs.iter().map(|w| Entry { key: w.key.clone(), value: w.value.clone(), key_span: w.key_span, value_span: w.value_span });
    spec.table.fold(entries, &mut out.settings, &mut out.issues);
    explain_duplicates(&mut out, tree, spec.table.duplicates);
    if let Some(unknown) = spec.unknown_error {
        for i in out.issues.iter_mut().filter(|i| i.kind == IssueKind::UnknownParameter) {
            let key = i.key.clone().unwrap_or_default();
            let mut message = format!("{client} rejects the string: {}", unknown(&key));
            if let Some(s) = &i.suggestion {
                message.push_str(&format!(" Did you mean \"{s}\"?"));
            }
            i.message = message;
        }
    }
    // `Key=;` stores null: the keyword is back to its default.
    out.settings.0.retain(|s| match s.origin {
        Origin::Written { key: Some(k), .. } => !pairs.iter().any(|w| w.key_span == k && w.null),
        _ => true,
    });
    common::foreign_tls_keys(&mut out, &pairs);

    // Values.
    let (trues, falses) = spec.bools;
    let bool_spellings: Vec<&str> = trues.iter().chain(falses.iter()).copied().collect();
    let mut level = spec.encrypt_default.1;
    if let Some((value, _, vspan)) = out.get(spec.encrypt) {
        match spec.encrypt_values.iter().find(|(s, _)| s.eq_ignore_ascii_case(&value)) {
            Some(&(_, l)) => level = l,
            None => {
                let allowed: Vec<&str> = spec.encrypt_values.iter().map(|(s, _)| *s).collect();
                let issue = common::invalid(
                    client,
                    common::Bad { key: spec.encrypt, value: &value, span: vspan },
                    &allowed,
                    Some(trues[0]),
                    true,
                    &(spec.value_error)(spec.encrypt),
                );
                out.issue(issue);
            }
        }
    }
    let mut trust = false;
    if let Some((value, _, vspan)) = out.get(spec.trust) {
        if is_one_of(&value, trues) {
            trust = true;
        } else if !is_one_of(&value, falses) {
            let issue = common::invalid(
                client,
                common::Bad { key: spec.trust, value: &value, span: vspan },
                &bool_spellings,
                Some(falses[0]),
                true,
                &(spec.value_error)(spec.trust),
            );
            out.issue(issue);
        }
    }
    for key in spec.booleans {
        if let Some((value, _, vspan)) = out.get(key) {
            let extra: &[&str] = if key.eq_ignore_ascii_case("Integrated Security") { &["sspi"] } else { &[] };
            if !is_one_of(&value, &bool_spellings) && !is_one_of(&value, extra) {
                let issue = common::invalid(
                    client,
                    common::Bad { key, value: &value, span: vspan },
                    &bool_spellings,
                    None,
                    true,
                    &(spec.value_error)(key),
                );
                out.issue(issue);
            }
        }
    }

    // The server.
    if let Some((value, _, vspan)) = out.get(spec.data_source) {
        let endpoint = data_source_endpoint(&value, vspan);
        let h = crate::syntax::semicolon::split_data_source(&value);
        if let Some(port) = h.port.map(|p| p.text(&value)) {
            if port_number(port).is_none() {
                // The port's own bytes when the tree could point into the value.
                let span = tree.hosts.iter().find(|h| vspan.contains(h.span)).and_then(|h| h.port).unwrap_or(vspan);
                out.issue(common::bad_port(client, spec.data_source, port, span, true, ""));
            }
        }
        out.endpoints.push(endpoint);
    }

    // TLS.
    let pinned = out.get(spec.server_certificate).map(|(v, ..)| v);
    let ca = match &pinned {
        Some(path) => CaSource::Pinned { path: path.clone(), setting: spec.server_certificate.to_string() },
        None => CaSource::System,
    };
    let mut tls = common::posture(level, trust, ca, false);
    tls.decided_by.push(spec.encrypt.to_string());
    if level != Level::Strict {
        tls.decided_by.push(spec.trust.to_string());
    }
    match level {
        Level::LoginOnly => tls.notes.push(format!(
            "only the login packet is encrypted; if the server forces encryption, {client} encrypts everything{}",
            if trust { " without validating the certificate" } else { " and validates the certificate" }
        )),
        Level::Strict => tls.notes.push("TDS 8: TLS is negotiated before any TDS traffic".to_string()),
        _ => {}
    }
    if tls.server_auth != crate::model::ServerAuth::None {
        if let Some((name, ..)) = out.get(spec.host_name_in_certificate) {
            tls.notes.push(format!("the certificate must name \"{name}\" instead of the server"));
            tls.decided_by.push(spec.host_name_in_certificate.to_string());
        }
        if let Some(path) = &pinned {
            tls.notes.push(format!("the server's certificate must be exactly the one in \"{path}\""));
            tls.decided_by.push(spec.server_certificate.to_string());
        }
    }
    conflicts(&mut out, level, spec.encrypt, spec.trust, trust, Some(spec.host_name_in_certificate));
    out.default(spec.encrypt, spec.encrypt_default.0);
    out.default(spec.trust, spec.trust_default);
    out.finish(tls)
}
