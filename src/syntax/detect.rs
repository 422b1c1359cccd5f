//! Which form a string is written in.

use super::{Dialect, ParseError, Span};
use serde::Serialize;

/// The written forms of connection strings dblint parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// `postgres://` / `postgresql://` URL.
    PostgresUrl,
    /// libpq `key=value` keywords.
    LibpqKeywords,
    /// `jdbc:postgresql:` (pgjdbc).
    PgJdbc,
    /// `mysql://`, `mariadb://`, `mysqlx://` URL (MySQL Shell, Prisma, mysql2 …).
    MysqlUrl,
    /// `jdbc:mysql:` / `jdbc:mariadb:` (Connector/J, MariaDB Connector/J).
    MysqlJdbc,
    /// go-sql-driver/mysql DSN: `user:pass@tcp(host:3306)/db?k=v`.
    GoMysqlDsn,
    /// ADO.NET `Key=Value;` (SqlClient, tedious).
    AdoNet,
    /// ODBC `Driver={…};Key=Value;`.
    Odbc,
    /// `jdbc:sqlserver://host\inst:port;k=v` (mssql-jdbc).
    SqlServerJdbc,
    /// Prisma's `sqlserver://host:port;k=v`.
    PrismaSqlServer,
}

/// The database family a string talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Database {
    Postgres,
    Mysql,
    SqlServer,
}

impl Form {
    pub const ALL: [Form; 10] = [
        Form::PostgresUrl,
        Form::LibpqKeywords,
        Form::PgJdbc,
        Form::MysqlUrl,
        Form::MysqlJdbc,
        Form::GoMysqlDsn,
        Form::AdoNet,
        Form::Odbc,
        Form::SqlServerJdbc,
        Form::PrismaSqlServer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Form::PostgresUrl => "postgres-url",
            Form::LibpqKeywords => "libpq-keywords",
            Form::PgJdbc => "pg-jdbc",
            Form::MysqlUrl => "mysql-url",
            Form::MysqlJdbc => "mysql-jdbc",
            Form::GoMysqlDsn => "go-mysql-dsn",
            Form::AdoNet => "ado-net",
            Form::Odbc => "odbc",
            Form::SqlServerJdbc => "sqlserver-jdbc",
            Form::PrismaSqlServer => "prisma-sqlserver",
        }
    }

    pub fn database(self) -> Database {
        match self {
            Form::PostgresUrl | Form::LibpqKeywords | Form::PgJdbc => Database::Postgres,
            Form::MysqlUrl | Form::MysqlJdbc | Form::GoMysqlDsn => Database::Mysql,
            Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer => Database::SqlServer,
        }
    }

    /// The dialect of the form's most common client.
    pub fn default_dialect(self) -> Dialect {
        match self {
            Form::PostgresUrl | Form::LibpqKeywords => Dialect::Libpq,
            Form::PgJdbc => Dialect::Pgjdbc,
            Form::MysqlUrl => Dialect::Whatwg,
            Form::MysqlJdbc => Dialect::ConnectorJ,
            Form::GoMysqlDsn => Dialect::GoMysql,
            Form::AdoNet => Dialect::SqlClient,
            Form::Odbc => Dialect::Odbc,
            Form::SqlServerJdbc => Dialect::MssqlJdbc,
            Form::PrismaSqlServer => Dialect::PrismaJdbc,
        }
    }
}

/// URL-like prefixes, matched case-insensitively, longest first where one
/// is a prefix of another.
const PREFIXES: &[(&str, Form)] = &[
    ("postgresql://", Form::PostgresUrl),
    ("postgres://", Form::PostgresUrl),
    ("jdbc:postgresql:", Form::PgJdbc),
    ("jdbc:mysql", Form::MysqlJdbc),
    ("jdbc:mariadb:", Form::MysqlJdbc),
    ("jdbc:sqlserver:", Form::SqlServerJdbc),
    ("mysqlx+srv://", Form::MysqlUrl),
    ("mysqlx://", Form::MysqlUrl),
    ("mysql+srv://", Form::MysqlUrl),
    ("mysql://", Form::MysqlUrl),
    ("mariadb://", Form::MysqlUrl),
    ("sqlserver://", Form::PrismaSqlServer),
];

/// Keywords that mark a `key=value` string as ODBC rather than ADO.NET.
const ODBC_KEYS: &[&str] = &["driver", "dsn", "filedsn"];

/// Keywords that start an ADO.NET string (case-insensitive).
const ADO_KEYS: &[&str] = &[
    "server",
    "data source",
    "addr",
    "address",
    "network address",
    "initial catalog",
    "database",
    "user id",
    "uid",
    "password",
    "pwd",
    "encrypt",
    "trustservercertificate",
    "trust server certificate",
    "integrated security",
    "trusted_connection",
];

/// Whether `s` starts with the lowercase `prefix`, ignoring ASCII case.
/// Stops at the first difference: most candidates differ early.
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.bytes().zip(prefix.bytes()).all(|(a, b)| a.to_ascii_lowercase() == b)
}

/// Detect the form of `input`.
///
/// URL-like forms are recognised by their prefix; Go MySQL DSNs by their
/// `@tcp(…)`-style address; the remaining `key=value` families by their
/// separators and first keywords. Strings that are none of these get an
/// error that says what was expected.
pub fn detect(input: &str) -> Result<Form, ParseError> {
    let s = if input.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic()) { input } else { input.trim_start() };
    let lead = input.len() - s.len();
    if s.is_empty() {
        return Err(ParseError::new("empty connection string", Span::new(0, input.len())).expected("a connection string"));
    }
    // Nearly every string spells its prefix in lowercase: look for that
    // first (no prefix is another's prefix, so the order of the two passes
    // does not change the answer).
    if let Some((_, form)) = PREFIXES.iter().find(|(p, _)| s.starts_with(p)) {
        return Ok(*form);
    }
    if let Some((_, form)) = PREFIXES.iter().find(|(p, _)| starts_with_ci(s, p)) {
        return Ok(*form);
    }
    if let Some(scheme_end) = s.find("://") {
        let scheme = &s[..scheme_end];
        if !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.:".contains(&b)) {
            return Err(ParseError::new(format!("unsupported scheme \"{scheme}\""), Span::new(lead, lead + scheme_end)).expected(
                "postgres://, postgresql://, mysql://, mariadb://, mysqlx://, sqlserver://, jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlserver:",
            ));
        }
    }
    // `Server=…;Password='p@/w'` is ADO.NET even though `@` and `/` follow
    // each other in its password: a string that starts with an ADO.NET or
    // ODBC keyword and holds a `;` is never read as a Go DSN.
    let semicolon_family = s.contains(';')
        && s.find('=').is_some_and(|eq| {
            let k = s[..eq].trim();
            ADO_KEYS.iter().chain(ODBC_KEYS).any(|c| k.eq_ignore_ascii_case(c))
        });
    if !semicolon_family && looks_like_go_dsn(s) {
        return Ok(Form::GoMysqlDsn);
    }
    if let Some(eq) = s.find('=') {
        let semicolon = s.contains(';');
        let first_key = s[..eq].trim().trim_start_matches(';').trim();
        let is_key = |k: &str, set: &[&str]| set.iter().any(|c| k.eq_ignore_ascii_case(c));
        let keys = s.split(';').filter_map(|seg| seg.split_once('=').map(|(k, _)| k.trim()));
        if keys.clone().any(|k| is_key(k, ODBC_KEYS)) {
            return Ok(Form::Odbc);
        }
        if semicolon || is_key(first_key, ADO_KEYS) && !first_key.bytes().all(|b| b.is_ascii_lowercase()) {
            return Ok(Form::AdoNet);
        }
        if !first_key.is_empty() && !first_key.contains(char::is_whitespace) {
            return Ok(Form::LibpqKeywords);
        }
        if is_key(first_key, ADO_KEYS) {
            return Ok(Form::AdoNet);
        }
    }
    let end = s.find(char::is_whitespace).map_or(input.len(), |i| lead + i);
    Err(ParseError::new("not a connection string", Span::new(lead, end)).expected(
        "a URL (postgres://, mysql://, sqlserver:// …), a JDBC URL, libpq key=value pairs, an ADO.NET or ODBC Key=Value; string, or a Go MySQL DSN",
    ))
}

/// `[user[:password]@][protocol[(address)]]/dbname[?params]`: recognised by
/// an `@` followed by `protocol(` or `/`, or a leading `protocol(` / `/`.
fn looks_like_go_dsn(s: &str) -> bool {
    let addr_start = |t: &str| {
        let name_len = t.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
        (name_len > 0 && t[name_len..].starts_with('(')) || t.starts_with('/')
    };
    if s.contains('=') && !s.contains('/') {
        return false;
    }
    if addr_start(s) && !s.contains(' ') {
        return true;
    }
    // The last '@' before the final '/' ends the credentials.
    let Some(slash) = s.rfind('/') else { return false };
    let head = &s[..slash];
    match head.rfind('@') {
        Some(at) => {
            let addr = &s[at + 1..];
            addr.starts_with('/') || (addr_start(addr) && head.ends_with(')'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_prefix_is_another_prefix() {
        // detect() tries exact case before ignoring case, which is only
        // the same answer while this holds.
        for (a, _) in PREFIXES {
            for (b, _) in PREFIXES {
                assert!(a == b || !starts_with_ci(a, b), "{b} is a prefix of {a}");
            }
        }
    }

    #[test]
    fn detects_every_form() {
        let cases = [
            ("postgresql://u@h/db", Form::PostgresUrl),
            ("POSTGRES://h", Form::PostgresUrl),
            ("host=db.example.com sslmode=require", Form::LibpqKeywords),
            ("dbname=x", Form::LibpqKeywords),
            ("jdbc:postgresql://h/db?ssl=true", Form::PgJdbc),
            ("jdbc:postgresql:test", Form::PgJdbc),
            ("mysql://u:p@h:3306/db", Form::MysqlUrl),
            ("mariadb://h/db", Form::MysqlUrl),
            ("mysqlx://u@h", Form::MysqlUrl),
            ("jdbc:mysql://h:3306/db?sslMode=REQUIRED", Form::MysqlJdbc),
            ("jdbc:mysql:loadbalance://h1,h2/db", Form::MysqlJdbc),
            ("jdbc:mariadb://h/db", Form::MysqlJdbc),
            ("user:pass@tcp(localhost:3306)/db?tls=true", Form::GoMysqlDsn),
            ("user:p@ss(word)@tcp([::1]:80)/dbname", Form::GoMysqlDsn),
            ("user@unix(/tmp/mysql.sock)/db", Form::GoMysqlDsn),
            ("@/", Form::GoMysqlDsn),
            ("/dbname", Form::GoMysqlDsn),
            ("Server=tcp:x.database.windows.net,1433;Database=d;Encrypt=True;", Form::AdoNet),
            ("Data Source=.;Initial Catalog=x", Form::AdoNet),
            ("Server=localhost", Form::AdoNet),
            ("Server=tcp:h,1433;User ID=app;Password='@/0{#*';Encrypt=False", Form::AdoNet),
            ("Driver={ODBC Driver 18 for SQL Server};Server=h;Encrypt=yes", Form::Odbc),
            ("jdbc:sqlserver://h\\inst:1433;encrypt=true", Form::SqlServerJdbc),
            ("sqlserver://h:1433;database=d;encrypt=true", Form::PrismaSqlServer),
        ];
        for (input, form) in cases {
            assert_eq!(detect(input), Ok(form), "{input}");
        }
    }

    #[test]
    fn rejects_non_strings() {
        let e = detect("redis://h:6379").unwrap_err();
        assert_eq!(e.message, "unsupported scheme \"redis\"");
        assert_eq!(e.span, Span::new(0, 5));
        assert!(detect("").is_err());
        assert!(detect("hello world").is_err());
    }
}
