use super::*;
use crate::model::{CaSource, Encryption, Interpretation, IssueKind, ServerAuth, TlsVersion, analyze};

fn read(s: &str, client: Client) -> Interpretation {
    analyze(s, Some(client), &Options::default()).unwrap_or_else(|e| panic!("{s:?}: {e}")).interpretation
}

fn kinds(i: &Interpretation) -> Vec<(IssueKind, bool)> {
    i.issues.iter().map(|i| (i.kind, i.fatal)).collect()
}

fn tls(i: &Interpretation) -> (Encryption, ServerAuth, bool) {
    (i.tls.encryption, i.tls.server_auth, i.tls.direct)
}

#[test]
fn sqlclient_encrypt_ladder() {
    let c = Client::SqlClient;
    assert_eq!(tls(&read("Server=h", c)), (Encryption::Required, ServerAuth::ChainAndHost, false));
    for v in ["false", "no", "Optional"] {
        assert_eq!(tls(&read(&format!("Server=h;Encrypt={v}"), c)), (Encryption::LoginOnly, ServerAuth::None, false), "{v}");
    }
    assert_eq!(tls(&read("Server=h;Encrypt=Strict", c)), (Encryption::Required, ServerAuth::ChainAndHost, true));
    assert_eq!(tls(&read("Server=h;Encrypt=yes;TrustServerCertificate=yes", c)), (Encryption::Required, ServerAuth::None, false));
    // Strict ignores TrustServerCertificate, and says so.
    let i = read("Server=h;Encrypt=Strict;TrustServerCertificate=true", c);
    assert_eq!(tls(&i), (Encryption::Required, ServerAuth::ChainAndHost, true));
    assert_eq!(kinds(&i), vec![(IssueKind::ConflictingSettings, false)]);
    // A null value is "not specified": back to Mandatory.
    assert_eq!(read("Server=h;Encrypt=false;Encrypt=", c).tls.encryption, Encryption::Required);
    let i = read(r"Server=h;Encrypt=true;ServerCertificate=C:\certs\server.cer", c);
    assert_eq!(i.tls.ca, CaSource::Pinned { path: r"C:\certs\server.cer".into(), setting: "Server Certificate".into() });
}

#[test]
fn sqlclient_issues() {
    let c = Client::SqlClient;
    let i = read("Server=h;Encrypt=ture", c);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("true"));
    assert_eq!(i.issues[0].span, Span::new(17, 21));
    assert!(i.issues[0].fatal);
    assert_eq!(read("Server=h;Encrypt=maybe", c).issues[0].suggestion.as_deref(), Some("true"));
    let i = read("Server=h;Encrpyt=True", c);
    assert_eq!(kinds(&i), vec![(IssueKind::UnknownParameter, true)]);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("Encrypt"));
    assert!(i.issues[0].message.contains("Keyword not supported: 'encrpyt'."));
    // Synonyms fold before the last one wins; the shadowed occurrence is reported.
    let i = read("Server=a;Data Source=b;TrustServerCertificate=no", c);
    assert_eq!(i.endpoints[0].host, "b");
    assert_eq!(i.issues[0].span, Span::new(0, 8));
    assert_eq!(i.issues[0].key.as_deref(), Some("Data Source"));
    assert!(i.issues[0].message.contains("\"Server\" and \"Data Source\""), "{}", i.issues[0].message);
    let i = read("Server=h;Encrypt=False;TrustServerCertificate=True", c);
    assert_eq!(kinds(&i), vec![(IssueKind::ConflictingSettings, false)]);
    let i = read("Server=h;TrustServerCertificate=True;HostNameInCertificate=*.example.com", c);
    assert_eq!(i.issues[0].key.as_deref(), Some("Host Name In Certificate"));
    let i = read("Server=tcp:h,14x3", c);
    assert_eq!(kinds(&i), vec![(IssueKind::InvalidPort, true)]);
    assert_eq!(i.issues[0].span, Span::new(13, 17));
    assert_eq!(kinds(&read("Server=h;Pooling=maybe", c)), vec![(IssueKind::InvalidValue, true)]);
    assert!(kinds(&read("Server=h;Integrated Security=SSPI", c)).is_empty());
    // The password never shows up in a message.
    let i = read("Server=h;Password=hunter2;Password=hunter3", c);
    assert!(i.issues.iter().all(|x| !x.message.contains("hunter")));
}

#[test]
fn sqlclient_endpoints() {
    let c = Client::SqlClient;
    let e = &read(r"Data Source=tcp:db.example.com\INST,1444", c).endpoints[0];
    assert_eq!((e.host.as_str(), e.port), ("db.example.com", Some(1444)));
    let e = &read(r"Server=h\SQLEXPRESS", c).endpoints[0];
    assert_eq!(e.port, None);
    let e = &read(r"Server=np:\\h\pipe\sql\query", c).endpoints[0];
    assert_eq!(e.transport, crate::model::Transport::NamedPipe);
}

#[test]
fn odbc18() {
    let c = Client::Odbc18;
    let s = "Driver={ODBC Driver 18 for SQL Server};Server=tcp:h,1433;UID=u;PWD={p;w};Encrypt=yes;TrustServerCertificate=no";
    let i = read(s, c);
    assert_eq!(tls(&i), (Encryption::Required, ServerAuth::ChainAndHost, false));
    assert!(i.issues.is_empty(), "{:?}", i.issues);
    assert_eq!(tls(&read("Driver={ODBC Driver 18 for SQL Server};Server=h", c)).0, Encryption::Required);
    assert_eq!(tls(&read("Driver={ODBC Driver 17 for SQL Server};Server=h", c)).0, Encryption::LoginOnly);
    assert!(tls(&read("Driver={x};Server=h;Encrypt=Strict", c)).2);
    // First wins: the later occurrence is the shadowed one.
    let i = read("Driver={x};Server=a;Server=b", c);
    assert_eq!(i.endpoints[0].host, "a");
    assert_eq!(i.issues[0].span, Span::new(20, 28));
    // ADO.NET spellings are not ODBC's.
    let i = read("Driver={x};Server=h;Password=p", c);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("PWD"));
    assert!(!i.issues[0].fatal);
    assert_eq!(read("Driver={x};Server=h;Encrypt=maybe", c).issues[0].suggestion.as_deref(), Some("yes"));
}

#[test]
fn mssql_jdbc() {
    let c = Client::MssqlJdbc;
    assert_eq!(tls(&read("jdbc:sqlserver://h", c)), (Encryption::Required, ServerAuth::ChainAndHost, false));
    assert_eq!(tls(&read("jdbc:sqlserver://h;encrypt=false", c)).0, Encryption::LoginOnly);
    assert!(tls(&read("jdbc:sqlserver://h;encrypt=strict;trustServerCertificate=true", c)).2);
    let i = read("jdbc:sqlserver://h;trustStore=/etc/ts.jks;sslProtocol=TLSv1.2", c);
    assert_eq!(i.tls.ca, CaSource::File { path: "/etc/ts.jks".into(), setting: "trustStore".into() });
    assert_eq!(i.tls.min_version, Some(TlsVersion::Tls12));
    let i = read("jdbc:sqlserver://h;trustManagerClass=com.example.TrustAll", c);
    assert!(matches!(i.tls.ca, CaSource::Custom { .. }));
    // Unknown names are dropped silently: not fatal, with a suggestion.
    let i = read("jdbc:sqlserver://h;trustServerCertficate=true", c);
    assert_eq!(kinds(&i), vec![(IssueKind::UnknownParameter, false)]);
    assert_eq!(i.issues[0].suggestion.as_deref(), Some("trustServerCertificate"));
    assert_eq!(i.tls.server_auth, ServerAuth::ChainAndHost);
    // Last wins, also over the URL head.
    let i = read("jdbc:sqlserver://a:1433;serverName=b;databaseName=x;databaseName=y", c);
    assert_eq!(i.endpoints[0].host, "b");
    assert_eq!(i.settings.value("databaseName"), Some("y"));
    assert_eq!(kinds(&read("jdbc:sqlserver://h:14x3", c)), vec![(IssueKind::InvalidPort, true)]);
    assert_eq!(kinds(&read("jdbc:sqlserver://h;encrypt=yes", c)), vec![(IssueKind::InvalidValue, true)]);
    let i = read("jdbc:sqlserver://h;serverCertificate=/c.pem", c);
    assert_eq!(kinds(&i), vec![(IssueKind::IgnoredSetting, false)]);
}

#[test]
fn tedious() {
    let c = Client::Tedious;
    assert_eq!(tls(&read("Server=h", c)), (Encryption::Required, ServerAuth::ChainAndHost, false));
    assert_eq!(tls(&read("Server=h;Encrypt=false", c)).0, Encryption::Off);
    assert_eq!(tls(&read("Server=h;Encrypt=", c)).0, Encryption::Off);
    let i = read("Server=h;Encrypt=strict", c);
    assert_eq!(tls(&i), (Encryption::Required, ServerAuth::ChainAndHost, false));
    assert_eq!(kinds(&i), vec![(IssueKind::IgnoredSetting, false)]);
    assert_eq!(kinds(&read("Server=h;TrustServerCertificate=maybe", c)), vec![(IssueKind::InvalidValue, true)]);
    assert_eq!(tls(&read("Server=h;TrustServerCertificate=1", c)).1, ServerAuth::None);
    // The key first written last wins across synonyms.
    let i = read("Server=a;Data Source=b;Server=c", c);
    assert_eq!(i.endpoints[0].host, "b");
    assert_eq!(i.issues.iter().filter(|x| x.kind == IssueKind::DuplicateParameter).count(), 2);
    assert_eq!(kinds(&read("Server=h;HostNameInCertificate=x", c)), vec![(IssueKind::IgnoredSetting, false)]);
    // Found by the property tests: a multi-byte character where "np:" would be.
    assert_eq!(read("Server=8\u{1e5ff}x", c).endpoints[0].host, "8\u{1e5ff}x");
    let e = &read(r"Server=tcp:h\INST,1444abc", c).endpoints[0];
    assert_eq!((e.host.as_str(), e.port), ("h", Some(1444)));
}

#[test]
fn prisma_uses_tiberius_defaults() {
    let c = Client::Prisma;
    let i = read("sqlserver://h:1433;database=d", c);
    assert_eq!(tls(&i), (Encryption::LoginOnly, ServerAuth::ChainAndHost, false));
    assert_eq!(tls(&read("sqlserver://h;encrypt=true", c)).0, Encryption::Required);
    assert_eq!(tls(&read("sqlserver://h;encrypt=DANGER_PLAINTEXT", c)).0, Encryption::Off);
    assert_eq!(tls(&read("sqlserver://h;encrypt=true;trustServerCertificate=true", c)).1, ServerAuth::None);
    assert_eq!(kinds(&read("sqlserver://h;encrypt=strict", c)), vec![(IssueKind::InvalidValue, true)]);
    assert_eq!(kinds(&read("sqlserver://h;trustServerCertificate=True", c)), vec![(IssueKind::InvalidValue, true)]);
    let i = read("sqlserver://h;encrypt=true;trustServerCertificateCA=ca.pem", c);
    assert_eq!(i.tls.ca, CaSource::File { path: "ca.pem".into(), setting: "trustServerCertificateCA".into() });
    let i = read("sqlserver://h;encrypt=true;trust_server_certificate=true", c);
    assert_eq!(i.tls.server_auth, ServerAuth::ChainAndHost);
    assert_eq!(kinds(&i), vec![(IssueKind::IgnoredSetting, false)]);
    let i = read("sqlserver://h;sslmode=require", c);
    assert_eq!(kinds(&i), vec![(IssueKind::IgnoredSetting, false)]);
    // tiberius reads uid before user, wherever they stand.
    let i = read("sqlserver://h;user=a;uid=b", c);
    assert_eq!(i.settings.value("user"), Some("b"));
    assert_eq!(i.issues[0].span, Span::new(14, 20));
    assert_eq!(kinds(&read("sqlserver://h:99999", c)), vec![(IssueKind::InvalidPort, true)]);
    let i = read("sqlserver://h;encrypt=true;trustServerCertificate=true;trustServerCertificateCA=ca.pem", c);
    assert!(i.is_fatal());
}

#[test]
fn reparses_with_the_clients_dialect() {
    let s = "Server=h;Password=a;;b";
    let tree = syntax::parse(s, syntax::Form::AdoNet, syntax::Dialect::Tedious).unwrap();
    let i = interpret(&tree, Client::SqlClient, &Options::default());
    assert_eq!(kinds(&i), vec![(IssueKind::Syntax, true)]);
}

#[test]
fn vocabularies_spell_verify_full() {
    assert_eq!(vocabulary(Client::Odbc18).verify_full, Some(&[("Encrypt", "yes"), ("TrustServerCertificate", "no")][..]));
    assert_eq!(vocabulary(Client::SqlClient).ca_file, None);
    assert_eq!(vocabulary(Client::Prisma).ca_file, Some("trustServerCertificateCA"));
    assert_eq!(vocabulary(Client::MssqlJdbc).ca_file, Some("trustStore"));
    // Every verify-full assignment, applied, reads back as verify-full.
    for (client, s) in [
        (Client::SqlClient, "Server=h;Encrypt=True;TrustServerCertificate=False"),
        (Client::Odbc18, "Driver={x};Server=h;Encrypt=yes;TrustServerCertificate=no"),
        (Client::MssqlJdbc, "jdbc:sqlserver://h;encrypt=true;trustServerCertificate=false"),
        (Client::Tedious, "Server=h;Encrypt=true;TrustServerCertificate=false"),
        (Client::Prisma, "sqlserver://h;encrypt=true;trustServerCertificate=false"),
    ] {
        let v = vocabulary(client).verify_full.unwrap();
        assert!(v.iter().all(|(k, val)| s.contains(&format!("{k}={val}"))), "{client}");
        assert_eq!(tls(&read(s, client)), (Encryption::Required, ServerAuth::ChainAndHost, false), "{client}");
    }
}
