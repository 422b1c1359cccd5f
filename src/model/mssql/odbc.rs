//! Microsoft ODBC Driver 18 for SQL Server.
//!
//! Keywords: the driver's DSN and connection-string keyword list
//! (learn.microsoft.com/sql/connect/odbc/dsn-connection-string-attribute),
//! compared ignoring case; `Server`, `Address` and `Addr` are one keyword.
//! Unknown keywords are ignored. Duplicates: the first occurrence wins, as
//! under .NET's ODBC rules (`DbConnectionOptions.ParseInternal` with
//! `firstKey`); what a driver manager does is not documented, and
//! microsoft/mssql-python rejects duplicates outright.
//!
//! TLS (major-version-differences): `Encrypt` accepts `yes`, `no`,
//! `Mandatory` (= yes), `Optional` (= no) and `Strict` (TDS 8); the default
//! is `yes` since Driver 18. `true`/`false` are read as yes/no (the
//! documentation lists only yes/no; UNCONFIRMED for the driver itself).
//! A string whose `Driver=` names an older driver (17 and before) is read
//! with that driver's rules: `Encrypt` defaults to `no` and accepts only
//! yes/no.

use super::common::Level;
use super::sqlclient::{self, Spec, read};
use crate::model::keywords::{Case, Duplicates, Keyword, Table, Unknown};
use crate::model::{Client, Interpretation, IssueKind};
use crate::syntax::Tree;
use crate::syntax::semicolon::param_key;

static KEYWORDS: &[Keyword] = &[
    Keyword::aliases("Server", &["Address", "Addr"]),
    Keyword::new("Database"),
    Keyword::new("UID"),
    Keyword::secret("PWD", &[]),
    Keyword::new("Driver"),
    Keyword::new("DSN"),
    Keyword::new("FileDSN"),
    Keyword::new("SaveFile"),
    Keyword::new("Description"),
    Keyword::new("APP"),
    Keyword::new("WSID"),
    Keyword::new("Language"),
    Keyword::new("Trusted_Connection"),
    Keyword::new("Authentication"),
    Keyword::new("Encrypt"),
    Keyword::new("TrustServerCertificate"),
    Keyword::new("HostnameInCertificate"),
    Keyword::new("ServerCertificate"),
    Keyword::new("ServerSPN"),
    Keyword::new("ClientCertificate"),
    Keyword::new("ClientKey"),
    Keyword::aliases("Failover_Partner", &["FailoverPartner"]),
    Keyword::new("FailoverPartnerSPN"),
    Keyword::aliases("MARS_Connection", &["MultipleActiveResultSets"]),
    Keyword::new("MultiSubnetFailover"),
    Keyword::new("ApplicationIntent"),
    Keyword::new("ColumnEncryption"),
    Keyword::new("ConnectRetryCount"),
    Keyword::new("ConnectRetryInterval"),
    Keyword::new("ConnectTimeout"),
    Keyword::new("KeepAlive"),
    Keyword::new("KeepAliveInterval"),
    Keyword::new("TransparentNetworkIPResolution"),
    Keyword::new("IpAddressPreference"),
    Keyword::new("AnsiNPW"),
    Keyword::new("AutoTranslate"),
    Keyword::new("AttachDBFileName"),
    Keyword::new("ConcatNullYieldsNull"),
    Keyword::new("GetDataExtensions"),
    Keyword::new("KeystoreAuthentication"),
    Keyword::new("KeystorePrincipalId"),
    Keyword::secret("KeystoreSecret", &[]),
    Keyword::new("LongAsMax"),
    Keyword::aliases("Net", &["Network"]),
    Keyword::new("QueryLog_On"),
    Keyword::new("QueryLogFile"),
    Keyword::new("QueryLogTime"),
    Keyword::new("QuotedId"),
    Keyword::new("Regional"),
    Keyword::new("Replication"),
    Keyword::new("RetryExec"),
    Keyword::new("StatsLog_On"),
    Keyword::new("StatsLogFile"),
    Keyword::new("UseFMTONLY"),
];

/// ODBC Driver 18's keyword table.
pub static TABLE: Table =
    Table { client: "odbc18", keywords: KEYWORDS, case: Case::Insensitive, duplicates: Duplicates::FirstWins, unknown: Unknown::Ignored };

fn value_error(key: &str) -> String {
    format!("Invalid value specified for connection string attribute '{key}'")
}

const YES_NO: (&[&str], &[&str]) = (&["yes", "true"], &["no", "false"]);

const ODBC18: Spec = Spec {
    client: Client::Odbc18,
    table: &TABLE,
    encrypt: "Encrypt",
    trust: "TrustServerCertificate",
    host_name_in_certificate: "HostnameInCertificate",
    server_certificate: "ServerCertificate",
    data_source: "Server",
    encrypt_values: &[
        ("yes", Level::Required),
        ("mandatory", Level::Required),
        ("true", Level::Required),
        ("no", Level::LoginOnly),
        ("optional", Level::LoginOnly),
        ("false", Level::LoginOnly),
        ("strict", Level::Strict),
    ],
    encrypt_default: ("yes", Level::Required),
    bools: YES_NO,
    trust_default: "no",
    booleans: &["MultiSubnetFailover", "MARS_Connection", "Trusted_Connection"],
    value_error,
    unknown_error: None,
};

/// ODBC Driver 18.
pub static SPEC: Spec = ODBC18;

/// ODBC Driver 17 and older, when `Driver=` names one.
pub static SPEC_17: Spec = Spec {
    encrypt_values: &[("yes", Level::Required), ("true", Level::Required), ("no", Level::LoginOnly), ("false", Level::LoginOnly)],
    encrypt_default: ("no", Level::LoginOnly),
    ..ODBC18
};

/// The major version of the driver `Driver=` names, when it names a
/// versioned SQL Server ODBC driver (`ODBC Driver 17 for SQL Server`).
pub fn driver_version(tree: &Tree<'_>) -> Option<u32> {
    let p = tree.params.iter().find(|p| param_key(tree, p).eq_ignore_ascii_case("Driver"))?;
    let v = tree.unquoted_value(&p.value?).to_ascii_lowercase();
    let rest = v.split("odbc driver ").nth(1)?;
    rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// ADO.NET keywords (SqlClient's canonical names) and the ODBC keyword that
/// means the same: `Password` in an ODBC string is not the password.
const ADO_TO_ODBC: &[(&str, &str)] = &[
    ("Password", "PWD"),
    ("User ID", "UID"),
    ("Initial Catalog", "Database"),
    ("Data Source", "Server"),
    ("Connect Timeout", "ConnectTimeout"),
    ("Application Name", "APP"),
    ("Workstation ID", "WSID"),
    ("Integrated Security", "Trusted_Connection"),
    ("Multiple Active Result Sets", "MARS_Connection"),
    ("Multi Subnet Failover", "MultiSubnetFailover"),
    ("Trust Server Certificate", "TrustServerCertificate"),
    ("Host Name In Certificate", "HostnameInCertificate"),
    ("Server Certificate", "ServerCertificate"),
    ("Failover Partner", "Failover_Partner"),
];

/// Read `tree` as ODBC Driver 18 does (or the older driver its `Driver=` names).
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let mut interp = match driver_version(tree) {
        Some(v) if v < 18 => {
            let mut i = read(tree, &SPEC_17);
            i.tls.notes.push(format!("Driver= selects ODBC Driver {v}, which defaults to Encrypt=no and accepts only yes/no"));
            i
        }
        _ => read(tree, &SPEC),
    };
    for issue in interp.issues.iter_mut().filter(|i| i.kind == IssueKind::UnknownParameter) {
        let Some(key) = issue.key.clone() else { continue };
        let Some(kw) = sqlclient::TABLE.lookup(&key) else { continue };
        if let Some((_, odbc)) = ADO_TO_ODBC.iter().find(|(ado, _)| *ado == kw.name) {
            issue.message = format!("odbc18 ignores \"{key}\", an ADO.NET keyword; ODBC spells it \"{odbc}\"");
            issue.suggestion = Some((*odbc).to_string());
        }
    }
    interp
}
