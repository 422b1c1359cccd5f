use super::*;
use crate::model::{Options, analyze};

fn run(s: &str, client: Client) -> Interpretation {
    analyze(s, Some(client), &Options::default()).unwrap_or_else(|e| panic!("{s}: {e}")).interpretation
}

fn posture(i: &Interpretation) -> (Encryption, ServerAuth) {
    (i.tls.encryption, i.tls.server_auth)
}

fn kinds(i: &Interpretation) -> Vec<IssueKind> {
    i.issues.iter().map(|x| x.kind).collect()
}

#[test]
fn mysql_cli_modes_and_validation() {
    let i = run("mysql://u@h/db", Client::MysqlCli);
    assert_eq!(posture(&i), (Encryption::Opportunistic, ServerAuth::None));
    let i = run("mysql://u@h/db?ssl-mode=verify_identity&ssl-ca=%2Fca.pem", Client::MysqlCli);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    assert_eq!(i.tls.ca, CaSource::File { path: "/ca.pem".into(), setting: "ssl-ca".into() });
    let i = run("mysql://u@h/db?ssl-ca=%2Fca.pem", Client::MysqlCli);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::Chain));
    let i = run("mysql://u@h/db?ssl-mode=REQUIRE", Client::MysqlCli);
    let bad = i.issues.iter().find(|x| x.kind == IssueKind::InvalidValue).unwrap();
    assert_eq!(bad.suggestion.as_deref(), Some("REQUIRED"));
    assert_eq!(bad.span.text("mysql://u@h/db?ssl-mode=REQUIRE"), "REQUIRE");
    let i = run("mysql://u@h/db?ssl-mode=DISABLED&ssl-ca=%2Fca.pem", Client::MysqlCli);
    assert!(kinds(&i).contains(&IssueKind::ConflictingSettings));
    let i = run("mysql://u@h/db?ssl-mode=REQUIRED&ssl-ca=%2Fca.pem", Client::MysqlCli);
    assert!(kinds(&i).contains(&IssueKind::ConflictingSettings) && i.is_fatal());
    let s = "mysql://u@h/db?SSL-MODE=REQUIRED&ssl-mode=DISABLED";
    let i = run(s, Client::MysqlCli);
    let dup = i.issues.iter().find(|x| x.kind == IssueKind::DuplicateParameter).unwrap();
    assert_eq!(dup.span.text(s), "SSL-MODE=REQUIRED");
    assert!(i.is_fatal());
    let i = run("mysql://u:p@ss@h/db", Client::MysqlCli);
    assert!(i.issues.iter().any(|x| x.message.contains("Illegal character [@]")));
    assert!(kinds(&i).contains(&IssueKind::UnescapedUserinfo));
    let i = run("mysql://u@h/db?sslmode=require", Client::MysqlCli);
    assert!(i.issues.iter().any(|x| x.kind == IssueKind::UnknownParameter && x.suggestion.as_deref() == Some("ssl-mode") && x.fatal));
}

#[test]
fn connector_j_modes_and_legacy() {
    let i = run("jdbc:mysql://h/db", Client::ConnectorJ);
    assert_eq!(posture(&i), (Encryption::Opportunistic, ServerAuth::None));
    let i = run("jdbc:mysql://h/db?sslMode=verify_identity", Client::ConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    let i = run("jdbc:mysql://h/db?useSSL=false&requireSSL=true", Client::ConnectorJ);
    assert_eq!(i.tls.encryption, Encryption::Off);
    assert!(kinds(&i).contains(&IssueKind::ConflictingSettings));
    let i = run("jdbc:mysql://h/db?useSSL=true&verifyServerCertificate=true", Client::ConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::Chain));
    let i = run("jdbc:mysql://h/db?useSSL=true&requireSSL=true", Client::ConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    let i = run("jdbc:mysql://h/db?sslMode=REQUIRED&useSSL=false", Client::ConnectorJ);
    assert_eq!(i.tls.encryption, Encryption::Required);
    assert!(kinds(&i).contains(&IssueKind::IgnoredSetting));
    let i = run("jdbc:mysql://h/db?sslmode=require", Client::ConnectorJ);
    let u = i.issues.iter().find(|x| x.kind == IssueKind::UnknownParameter).unwrap();
    assert_eq!((u.suggestion.as_deref(), u.fatal), (Some("sslMode"), false));
    assert_eq!(i.tls.encryption, Encryption::Opportunistic);
    let i = run("jdbc:mysql://h/db?sslMode=VERIFY_FULL", Client::ConnectorJ);
    let v = i.issues.iter().find(|x| x.kind == IssueKind::InvalidValue).unwrap();
    assert_eq!(v.suggestion.as_deref(), Some("VERIFY_IDENTITY"));
    let i = run(
        "jdbc:mysql://h/db?tlsVersions=TLSv1.3,TLSv1.2&trustCertificateKeyStoreUrl=file%3A%2Fts.jks&sslMode=VERIFY_CA",
        Client::ConnectorJ,
    );
    assert_eq!(i.tls.min_version, Some(TlsVersion::Tls12));
    assert!(matches!(i.tls.ca, CaSource::File { ref path, .. } if path == "file:/ts.jks"));
    let i = run("jdbc:mysql://u:pa/ss@h/db", Client::ConnectorJ);
    let ui = i.issues.iter().find(|x| x.kind == IssueKind::UnescapedUserinfo).unwrap();
    assert_eq!(ui.span.text("jdbc:mysql://u:pa/ss@h/db"), "pa/ss");
    assert!(ui.suggestion.is_none());
}

#[test]
fn mariadb_modes() {
    assert_eq!(run("jdbc:mariadb://h/db", Client::MariadbConnectorJ).tls.encryption, Encryption::Off);
    let i = run("jdbc:mariadb://h/db?sslMode=REQUIRED", Client::MariadbConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    let i = run("jdbc:mariadb://h/db?SSLMODE=verify-full&serverSslCert=%2Fca.pem", Client::MariadbConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    let i = run("jdbc:mariadb://h/db?useSsl=true&trustServerCertificate=true", Client::MariadbConnectorJ);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    let i = run("jdbc:mariadb://h/db?sslMode=verify_fulll", Client::MariadbConnectorJ);
    assert!(i.is_fatal());
}

#[test]
fn go_mysql_tls() {
    let i = run("u:p@tcp(h:3306)/db", Client::GoMysql);
    assert_eq!(i.tls.encryption, Encryption::Off);
    assert_eq!(posture(&run("u:p@tcp(h)/db?tls=true", Client::GoMysql)), (Encryption::Required, ServerAuth::ChainAndHost));
    assert_eq!(posture(&run("u:p@tcp(h)/db?tls=SKIP-VERIFY", Client::GoMysql)), (Encryption::Required, ServerAuth::None));
    assert_eq!(posture(&run("u:p@tcp(h)/db?tls=preferred", Client::GoMysql)), (Encryption::Opportunistic, ServerAuth::None));
    let i = run("u:p@tcp(h)/db?tls=true&allowFallbackToPlaintext=true", Client::GoMysql);
    assert_eq!(i.tls.encryption, Encryption::Opportunistic);
    let i = run("u:p@tcp(h)/db?tls=false&allowFallbackToPlaintext=true", Client::GoMysql);
    assert!(kinds(&i).contains(&IssueKind::ConflictingSettings));
    let i = run("u:p@tcp(h)/db?tls=rds", Client::GoMysql);
    assert!(matches!(i.tls.ca, CaSource::Custom { .. }));
    let i = run("u:p@tcp(h)/db?tls=required", Client::GoMysql);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("true"));
    let i = run("u:p@tcp(h)/db?tls=skip_verify", Client::GoMysql);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("skip-verify"));
    let i = run("mysql://u@h/db?ssl-mode=verify-full", Client::MysqlCli);
    assert_eq!(i.issues.iter().find(|x| x.kind == IssueKind::InvalidValue).and_then(|x| x.suggestion.as_deref()), Some("VERIFY_IDENTITY"));
    let i = run("u:p@tcp(h)/db?parseTime=yes", Client::GoMysql);
    assert!(i.is_fatal());
    let i = run("u:p@tcp(h)/db?TLS=true", Client::GoMysql);
    assert!(i.issues.iter().any(|x| x.kind == IssueKind::UnknownParameter && x.suggestion.as_deref() == Some("tls")));
    assert_eq!(i.tls.encryption, Encryption::Off);
    assert!(i.settings.get("TLS").is_some());
    let t = crate::syntax::parse("u:p@localhost/db", crate::syntax::Form::GoMysqlDsn, crate::syntax::Dialect::GoMysql).unwrap();
    let i = interpret(&t, Client::GoMysql, &Options::default());
    let v = i.issues.iter().find(|x| x.kind == IssueKind::InvalidValue).unwrap();
    assert_eq!(v.suggestion.as_deref(), Some("tcp(localhost)"));
}

#[test]
fn mysql2_ssl() {
    assert_eq!(run("mysql://u:p@h/db", Client::Mysql2).tls.encryption, Encryption::Off);
    let i = run("mysql://u:p@h/db?ssl={\"rejectUnauthorized\":false}", Client::Mysql2);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    let i = run("mysql://u:p@h/db?ssl=%7B%7D", Client::Mysql2);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    let i = run("mysql://u:p@h/db?ssl=Amazon%20RDS", Client::Mysql2);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    let i = run("mysql://u:p@h/db?ssl=true", Client::Mysql2);
    assert!(i.is_fatal() && kinds(&i).contains(&IssueKind::InvalidValue));
    let i = run("mysql://u:p@h/db?ssl-mode=REQUIRED", Client::Mysql2);
    assert!(kinds(&i).contains(&IssueKind::IgnoredSetting));
    assert_eq!(i.tls.encryption, Encryption::Off);
}

#[test]
fn prisma_mysql() {
    assert_eq!(run("mysql://u:p@h/db", Client::Prisma).tls.encryption, Encryption::Off);
    let i = run("mysql://u:p@h/db?sslaccept=strict", Client::Prisma);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::ChainAndHost));
    let i = run("mysql://u:p@h/db?sslcert=ca.pem", Client::Prisma);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    let i = run("mysql://u:p@h/db?sslmode=require", Client::Prisma);
    assert!(kinds(&i).contains(&IssueKind::IgnoredSetting));
    assert_eq!(i.tls.encryption, Encryption::Off);
    let i = run("mysql://u:p@h/db?sslaccept=STRICT", Client::Prisma);
    assert_eq!(posture(&i), (Encryption::Required, ServerAuth::None));
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("strict"));
}

#[test]
fn vocabularies() {
    assert_eq!(vocabulary(Client::Prisma).verify_full, Some(&[("sslaccept", "strict")][..]));
    assert_eq!(vocabulary(Client::GoMysql).verify_full, Some(&[("tls", "true")][..]));
    assert_eq!(vocabulary(Client::MysqlCli).verify_full, Some(&[("ssl-mode", "VERIFY_IDENTITY")][..]));
    assert_eq!(vocabulary(Client::Mysql2).verify_full, None);
}
