//! What a client actually does with a string.
//!
//! The same text means different things to different clients:
//! `sslmode=require` verifies the chain in libpq only when a root
//! certificate file exists, always in today's node-postgres and never in
//! pgjdbc; Prisma's engine silently turns `sslmode=verify-full` into
//! `prefer`. [`interpret`] reads a [`Tree`] as one named [`Client`] does and
//! returns the effective [`Settings`], the [`TlsPosture`] in force and the
//! [`Issue`]s that client has with the string (what it rejects, ignores or
//! resolves in a surprising way).

pub mod keywords;
pub mod mssql;
pub mod mysql;
pub mod postgres;

use crate::syntax::detect::Database;
use crate::syntax::{self, Dialect, Form, ParseError, Span, Tree};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// A client library or tool whose interpretation dblint reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    /// libpq (psql, psycopg, Ruby pg, pgx in libpq mode …).
    Libpq,
    /// node-postgres with pg-connection-string.
    NodePostgres,
    /// Prisma's query engine (Postgres, MySQL and SQL Server connectors).
    Prisma,
    /// PostgreSQL JDBC driver.
    Pgjdbc,
    /// MySQL command-line clients and MySQL Shell (`ssl-mode`).
    MysqlCli,
    /// MySQL Connector/J.
    ConnectorJ,
    /// MariaDB Connector/J.
    MariadbConnectorJ,
    /// go-sql-driver/mysql.
    GoMysql,
    /// mysql2 for Node.js.
    Mysql2,
    /// Microsoft.Data.SqlClient (ADO.NET).
    SqlClient,
    /// Microsoft ODBC Driver 18 for SQL Server.
    Odbc18,
    /// Microsoft JDBC Driver for SQL Server.
    MssqlJdbc,
    /// tedious (Node.js).
    Tedious,
}

impl Client {
    pub const ALL: [Client; 13] = [
        Client::Libpq,
        Client::NodePostgres,
        Client::Prisma,
        Client::Pgjdbc,
        Client::MysqlCli,
        Client::ConnectorJ,
        Client::MariadbConnectorJ,
        Client::GoMysql,
        Client::Mysql2,
        Client::SqlClient,
        Client::Odbc18,
        Client::MssqlJdbc,
        Client::Tedious,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Client::Libpq => "libpq",
            Client::NodePostgres => "node-postgres",
            Client::Prisma => "prisma",
            Client::Pgjdbc => "pgjdbc",
            Client::MysqlCli => "mysql-cli",
            Client::ConnectorJ => "connector-j",
            Client::MariadbConnectorJ => "mariadb-connector-j",
            Client::GoMysql => "go-mysql",
            Client::Mysql2 => "mysql2",
            Client::SqlClient => "sqlclient",
            Client::Odbc18 => "odbc18",
            Client::MssqlJdbc => "mssql-jdbc",
            Client::Tedious => "tedious",
        }
    }

    /// Look a client up by name (case-insensitive; a few common aliases).
    pub fn from_name(name: &str) -> Option<Client> {
        let n = name.trim().to_ascii_lowercase();
        let alias = match n.as_str() {
            "psql" | "psycopg" | "psycopg2" => Some(Client::Libpq),
            "pg" | "node-pg" => Some(Client::NodePostgres),
            "mysql" | "mysqlsh" | "mysql-shell" => Some(Client::MysqlCli),
            "mysql-connector-j" | "connectorj" => Some(Client::ConnectorJ),
            "mariadb" | "mariadb-java-client" => Some(Client::MariadbConnectorJ),
            "go-sql-driver" | "go-sql-driver/mysql" => Some(Client::GoMysql),
            "microsoft.data.sqlclient" | "ado.net" | "adonet" => Some(Client::SqlClient),
            "odbc" => Some(Client::Odbc18),
            _ => None,
        };
        alias.or_else(|| Client::ALL.into_iter().find(|c| c.name() == n))
    }

    /// The forms this client reads.
    pub fn forms(self) -> &'static [Form] {
        match self {
            Client::Libpq => &[Form::PostgresUrl, Form::LibpqKeywords],
            Client::NodePostgres => &[Form::PostgresUrl],
            Client::Prisma => &[Form::PostgresUrl, Form::MysqlUrl, Form::PrismaSqlServer],
            Client::Pgjdbc => &[Form::PgJdbc],
            Client::MysqlCli => &[Form::MysqlUrl],
            Client::ConnectorJ | Client::MariadbConnectorJ => &[Form::MysqlJdbc],
            Client::GoMysql => &[Form::GoMysqlDsn],
            Client::Mysql2 => &[Form::MysqlUrl],
            Client::SqlClient | Client::Tedious => &[Form::AdoNet],
            Client::Odbc18 => &[Form::Odbc, Form::AdoNet],
            Client::MssqlJdbc => &[Form::SqlServerJdbc],
        }
    }

    pub fn reads(self, form: Form) -> bool {
        self.forms().contains(&form)
    }

    /// How this client splits a string of `form`.
    pub fn dialect(self, form: Form) -> Dialect {
        match self {
            Client::Libpq => Dialect::Libpq,
            Client::NodePostgres | Client::Mysql2 => Dialect::Whatwg,
            Client::Prisma if form == Form::PrismaSqlServer => Dialect::PrismaJdbc,
            Client::Prisma => Dialect::Whatwg,
            Client::Pgjdbc => Dialect::Pgjdbc,
            Client::MysqlCli => Dialect::MysqlShell,
            Client::ConnectorJ | Client::MariadbConnectorJ => Dialect::ConnectorJ,
            Client::GoMysql => Dialect::GoMysql,
            Client::SqlClient => Dialect::SqlClient,
            Client::Odbc18 => Dialect::Odbc,
            Client::MssqlJdbc => Dialect::MssqlJdbc,
            Client::Tedious => Dialect::Tedious,
        }
    }

    /// The most common client for a form: the default when none is named.
    pub fn default_for(form: Form) -> Client {
        match form {
            Form::PostgresUrl | Form::LibpqKeywords => Client::Libpq,
            Form::PgJdbc => Client::Pgjdbc,
            Form::MysqlUrl => Client::MysqlCli,
            Form::MysqlJdbc => Client::ConnectorJ,
            Form::GoMysqlDsn => Client::GoMysql,
            Form::AdoNet => Client::SqlClient,
            Form::Odbc => Client::Odbc18,
            Form::SqlServerJdbc => Client::MssqlJdbc,
            Form::PrismaSqlServer => Client::Prisma,
        }
    }

    /// The client for `form` when the string itself says more than its
    /// form: `jdbc:mariadb:` is MariaDB Connector/J's.
    pub fn infer(form: Form, input: &str) -> Client {
        let lower = input.trim_start().get(..14).unwrap_or(input).to_ascii_lowercase();
        if form == Form::MysqlJdbc && lower.starts_with("jdbc:mariadb:") {
            return Client::MariadbConnectorJ;
        }
        Client::default_for(form)
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Versions and environment that change a client's behaviour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// libpq major version (keyword table, PG18 URI whitespace rules,
    /// `sslrootcert=system` from 16, `sslnegotiation` from 17).
    pub libpq_version: u32,
    /// Whether `sslmode` / `PGSSLMODE`-style defaults come from the
    /// environment. dblint lints files, so by default they do not.
    pub use_environment: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { libpq_version: 18, use_environment: false }
    }
}

/// Where an effective setting comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// Written in the string: the parameter's key and value spans (for
    /// URL parts such as the user, only `value`).
    Written {
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<Span>,
        value: Span,
    },
    /// The client's default.
    Default,
    /// Derived from another setting (`requiressl=1` → `sslmode=require`).
    Implied { by: String },
}

impl Origin {
    /// The span of the value that set this, if written.
    pub fn value_span(&self) -> Option<Span> {
        match self {
            Origin::Written { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The span of the whole `key=value` pair that set this, if written.
    pub fn span(&self) -> Option<Span> {
        match self {
            Origin::Written { key: Some(k), value } => Some(k.cover(*value)),
            Origin::Written { key: None, value } => Some(*value),
            _ => None,
        }
    }
}

/// One effective setting: canonical name, decoded value, where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Setting {
    /// The client's canonical name (`sslmode`, `Encrypt`, `sslMode` …);
    /// borrowed from the client's keyword table where it can be.
    pub name: Cow<'static, str>,
    /// The decoded value; defaults are borrowed.
    pub value: Cow<'static, str>,
    pub origin: Origin,
    /// Secrets (passwords) are redacted whenever a setting is rendered.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// Effective settings, in the order the client resolves them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Settings(pub Vec<Setting>);

impl Settings {
    /// The setting named `name` (exact canonical name).
    pub fn get(&self, name: &str) -> Option<&Setting> {
        self.0.iter().find(|s| s.name == name)
    }

    /// The value of `name`, if set or defaulted.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|s| s.value.as_ref())
    }

    /// Set or replace `name`.
    pub fn set(&mut self, setting: Setting) {
        match self.0.iter_mut().find(|s| s.name == setting.name) {
            Some(slot) => *slot = setting,
            None => self.0.push(setting),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Setting> {
        self.0.iter()
    }
}

/// How traffic is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encryption {
    /// No TLS at all.
    Off,
    /// Only the login packet is encrypted (SQL Server `Encrypt=false`).
    LoginOnly,
    /// TLS if the server offers it, silently plaintext otherwise.
    Opportunistic,
    /// TLS or no connection.
    Required,
}

/// How the server is authenticated when TLS is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerAuth {
    /// Any certificate is accepted.
    None,
    /// The chain must lead to a trusted CA; the host name is not checked.
    Chain,
    /// The chain and the host name are checked.
    ChainAndHost,
}

/// Which CA certificates the client trusts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CaSource {
    /// Not applicable: the server is not authenticated.
    None,
    /// The operating system's (or runtime's: JVM, Node) trust store.
    System,
    /// A file or directory named in the string.
    File { path: String, setting: String },
    /// A file the client reads by default when present (libpq's `~/.postgresql/root.crt`).
    DefaultFile { path: String },
    /// A pinned server certificate (SQL Server `ServerCertificate`).
    Pinned { path: String, setting: String },
    /// Something only the application knows (a Java trust store, a
    /// registered Go TLS config, a custom factory class).
    Custom { description: String },
}

/// A TLS protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TlsVersion {
    #[serde(rename = "TLSv1.0")]
    Tls10,
    #[serde(rename = "TLSv1.1")]
    Tls11,
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// Parse the spellings clients use: `TLSv1.2`, `TLSv1_2`, `1.2`, `TLS1.2`, `TLSv1`.
    /// Runs for every string a client reads a protocol version from, so it allocates nothing.
    pub fn parse(s: &str) -> Option<TlsVersion> {
        let mut t = s.trim().as_bytes();
        // Each prefix as often as it is repeated, ignoring case: `tlsv`, then `tls`, then `v`.
        for prefix in [&b"tlsv"[..], b"tls", b"v"] {
            while t.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix)) {
                t = &t[prefix.len()..];
            }
        }
        if t.len() > 3 {
            return None;
        }
        let mut version = [0u8; 3];
        for (v, &b) in version.iter_mut().zip(t) {
            *v = if b == b'_' { b'.' } else { b };
        }
        match &version[..t.len()] {
            b"1" | b"1.0" => Some(TlsVersion::Tls10),
            b"1.1" => Some(TlsVersion::Tls11),
            b"1.2" => Some(TlsVersion::Tls12),
            b"1.3" => Some(TlsVersion::Tls13),
            _ => None,
        }
    }
}

/// The TLS posture a client ends up with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TlsPosture {
    pub encryption: Encryption,
    pub server_auth: ServerAuth,
    pub ca: CaSource,
    /// Lowest protocol version the client accepts, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_version: Option<TlsVersion>,
    /// TLS before any protocol bytes (Postgres `sslnegotiation=direct`, TDS 8 `strict`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub direct: bool,
    /// The settings that decided this posture (canonical names).
    pub decided_by: Vec<String>,
    /// Conditions the posture depends on, in words ("the chain is verified
    /// if ~/.postgresql/root.crt exists").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl TlsPosture {
    /// No TLS at all.
    pub fn off() -> Self {
        TlsPosture {
            encryption: Encryption::Off,
            server_auth: ServerAuth::None,
            ca: CaSource::None,
            min_version: None,
            direct: false,
            decided_by: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn new(encryption: Encryption, server_auth: ServerAuth, ca: CaSource) -> Self {
        TlsPosture { encryption, server_auth, ca, ..TlsPosture::off() }
    }
}

/// How a client reaches the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    Tcp,
    UnixSocket,
    NamedPipe,
}

/// One server the client would connect to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Host name, IP address, socket path or pipe name, decoded.
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    pub transport: Transport,
    /// Where the host was written, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// What kind of problem a client has with a string. Each kind maps to one
/// rule of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueKind {
    /// The client cannot parse the string.
    Syntax,
    /// A key the client does not know.
    UnknownParameter,
    /// A value outside the client's domain.
    InvalidValue,
    /// Reserved characters in the user name or password that break the URL.
    UnescapedUserinfo,
    /// A key given more than once.
    DuplicateParameter,
    /// A port that is not a number in range.
    InvalidPort,
    /// A security setting the client silently ignores or downgrades.
    IgnoredSetting,
    /// Settings that contradict each other.
    ConflictingSettings,
}

/// A problem a client has with a string, located precisely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    /// The bytes at fault.
    pub span: Span,
    /// What the client says or does, in words. Never contains a secret.
    pub message: String,
    /// Whether the client refuses to connect because of this.
    pub fatal: bool,
    /// The canonical parameter concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// A replacement for the text at `span` that the client would accept
    /// (closest valid value or keyword), when there is exactly one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Issue {
    pub fn new(kind: IssueKind, span: Span, message: impl Into<String>, fatal: bool) -> Self {
        Issue { kind, span, message: message.into(), fatal, key: None, suggestion: None }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_suggestion(mut self, s: Option<String>) -> Self {
        self.suggestion = s;
        self
    }
}

/// A client's reading of a string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interpretation {
    pub client: Client,
    pub database: Database,
    pub endpoints: Vec<Endpoint>,
    pub settings: Settings,
    pub tls: TlsPosture,
    pub issues: Vec<Issue>,
}

impl Interpretation {
    /// Whether the client refuses the string outright.
    pub fn is_fatal(&self) -> bool {
        self.issues.iter().any(|i| i.fatal)
    }
}

/// A parameter assignment in a client's canonical spelling.
pub type Assignment = (&'static str, &'static str);

/// How a client spells TLS settings: what the fixer writes to reach a
/// posture. Levels the client cannot express are `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlsVocabulary {
    /// Encryption required, server not authenticated.
    pub require: Option<&'static [Assignment]>,
    /// Encryption required, chain verified against the CA, host name not checked.
    pub verify_ca: Option<&'static [Assignment]>,
    /// Encryption required, chain and host name verified.
    pub verify_full: Option<&'static [Assignment]>,
    /// The parameter that names a CA file, if the client has one.
    pub ca_file: Option<&'static str>,
    /// What to add so that verification uses the operating system's trust
    /// store, when that is not the client's default (libpq:
    /// `sslrootcert=system`; pgjdbc: `sslfactory=…DefaultJavaSSLFactory`).
    /// `None` when the default already is the system store.
    pub system_ca: Option<&'static [Assignment]>,
    /// What to write so the client refuses anything older than TLS 1.2
    /// (`ssl_min_protocol_version=TLSv1.2`, `tlsVersions=TLSv1.2,TLSv1.3` …).
    pub min_tls12: Option<&'static [Assignment]>,
    /// Legacy or weakening parameters to remove when tightening
    /// (`requiressl`, `useSSL`, `sslfactory` …).
    pub remove: &'static [&'static str],
}

/// How `client` spells TLS settings for `database`.
pub fn tls_vocabulary(client: Client, database: Database, opts: &Options) -> TlsVocabulary {
    match database {
        Database::Postgres => postgres::vocabulary(client, opts),
        Database::Mysql => mysql::vocabulary(client),
        Database::SqlServer => mssql::vocabulary(client),
    }
}

/// Read `tree` as `client` does.
pub fn interpret(tree: &Tree<'_>, client: Client, opts: &Options) -> Interpretation {
    match tree.form.database() {
        Database::Postgres => postgres::interpret(tree, client, opts),
        Database::Mysql => mysql::interpret(tree, client, opts),
        Database::SqlServer => mssql::interpret(tree, client, opts),
    }
}

/// A string read end to end: its tree and one client's interpretation.
#[derive(Clone, Debug)]
pub struct Analysis<'s> {
    pub tree: Tree<'s>,
    pub interpretation: Interpretation,
}

/// Detect, parse and interpret `input`. With `client`, the string is read
/// as that client does (an error if the client does not read this form);
/// without, as the form's default client does.
pub fn analyze<'s>(input: &'s str, client: Option<Client>, opts: &Options) -> Result<Analysis<'s>, ParseError> {
    let form = syntax::detect(input)?;
    let client = match client {
        Some(c) if c.reads(form) => c,
        Some(c) => {
            return Err(ParseError::new(format!("{} does not read {} strings", c.name(), form.name()), Span::new(0, input.len()))
                .expected(Client::ALL.iter().filter(|c| c.reads(form)).map(|c| c.name()).collect::<Vec<_>>().join(", ")));
        }
        None => Client::infer(form, input),
    };
    let tree = syntax::parse(input, form, client.dialect(form))?;
    let interpretation = interpret(&tree, client, opts);
    Ok(Analysis { tree, interpretation })
}

#[cfg(test)]
mod tests {
    use super::TlsVersion;

    /// `TlsVersion::parse` as first written, with allocations.
    fn parse_allocating(s: &str) -> Option<TlsVersion> {
        let t = s.trim().to_ascii_lowercase().replace('_', ".");
        let t = t.trim_start_matches("tlsv").trim_start_matches("tls").trim_start_matches('v');
        match t {
            "1" | "1.0" => Some(TlsVersion::Tls10),
            "1.1" => Some(TlsVersion::Tls11),
            "1.2" => Some(TlsVersion::Tls12),
            "1.3" => Some(TlsVersion::Tls13),
            _ => None,
        }
    }

    #[test]
    fn tls_versions() {
        for (s, want) in [
            ("TLSv1.2", Some(TlsVersion::Tls12)),
            (" tlsv1_3 ", Some(TlsVersion::Tls13)),
            ("TLS1.1", Some(TlsVersion::Tls11)),
            ("TLSv1", Some(TlsVersion::Tls10)),
            ("1.0", Some(TlsVersion::Tls10)),
            ("v1.2", Some(TlsVersion::Tls12)),
            ("TLSv1.4", None),
            ("SSLv3", None),
            ("", None),
        ] {
            assert_eq!(TlsVersion::parse(s), want, "{s:?}");
        }
    }

    proptest::proptest! {
        /// The same answers as the allocating version, on spellings built from the pieces
        /// clients write and on noise.
        #[test]
        fn parse_agrees_with_the_allocating_version(
            prefix in proptest::sample::select(vec!["", "tls", "TLS", "tlsv", "TLSv", "v", "tlsvtlsv", "Tls", " "]),
            version in proptest::sample::select(vec!["1", "1.0", "1_0", "1.1", "1_2", "1.2", "1.3", "1.4", "2", "", "1.", ".2"]),
            noise in "[a-zA-Z0-9._ é-]{0,6}",
        ) {
            let s = format!("{prefix}{version}");
            proptest::prop_assert_eq!(TlsVersion::parse(&s), parse_allocating(&s));
            proptest::prop_assert_eq!(TlsVersion::parse(&noise), parse_allocating(&noise));
        }
    }
}
