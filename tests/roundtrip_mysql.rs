//! Property tests for the MySQL-family forms: every string that parses
//! prints back byte for byte with tokens partitioning it; no input makes a
//! parser or a client model panic; encoded values decode to themselves in
//! the client that reads them; no issue message carries a password.

use dblint::model::{self, Client, Options};
use dblint::syntax::{self, Dialect, Form, decode, go_mysql, mysql_jdbc};
use proptest::prelude::*;

const MYSQL_CLIENTS: [Client; 6] =
    [Client::MysqlCli, Client::ConnectorJ, Client::MariadbConnectorJ, Client::GoMysql, Client::Mysql2, Client::Prisma];

/// Parse as every client that reads `form`; check losslessness and run the model.
fn check(form: Form, input: &str) {
    for client in MYSQL_CLIENTS.into_iter().filter(|c| c.reads(form)) {
        if let Ok(tree) = syntax::parse(input, form, client.dialect(form)) {
            assert_eq!(tree.to_source(), input, "{client}: {input:?}");
            let mut at = 0;
            for t in &tree.tokens {
                assert_eq!(t.span.start, at, "{client}: tokens do not partition {input:?}");
                assert!(!t.span.is_empty());
                at = t.span.end;
            }
            assert_eq!(at, input.len());
            for p in tree.params.iter().chain(&tree.host_params) {
                assert!(p.key.end <= input.len() && p.span.end <= input.len());
            }
            let _ = model::interpret(&tree, client, &Options::default());
        }
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z0-9._~%@:/?#&=+,;()\\[\\] !$'*-]{0,12}").unwrap()
}

fn word() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-z][a-z0-9]{0,8}").unwrap()
}

const SEEDS: &[(Form, &str)] = &[
    (Form::GoMysqlDsn, "user:p@ss(word)@tcp([de:ad:be:ef::ca:fe]:80)/dbname?loc=Local&tls=skip-verify"),
    (Form::GoMysqlDsn, "user@unix(/path/to/socket)/dbname?charset=utf8&allowFallbackToPlaintext=true"),
    (
        Form::MysqlJdbc,
        "jdbc:mysql: // johndoe : secret @ address= ( host = [abcd:9876::1:1234] ) ( port = 1234 ) / db ? key1 = value1 & key2 # x",
    ),
    (Form::MysqlJdbc, "jdbc:mysql://u:p@[h1:1,(host=h2,port=2,password=x)],u2@h3/db?sslMode=VERIFY_CA&useSSL=false"),
    (Form::MysqlJdbc, "jdbc:mariadb:loadbalance://h1,h2/db?sslMode=verify-full&serverSslCert=%2Fca.pem"),
    (Form::MysqlUrl, "mysqlx://user%2Aname:password@(/path/to/mysql.sock)/schema?ssl-mode=VERIFY_CA&ssl-ca=(/ca.pem)"),
    (Form::MysqlUrl, "mysql://u:p@[fe80::1%25eth0]:3306/db?ssl={\"rejectUnauthorized\":false}&sslaccept=strict"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn generated_go_dsns(user in piece(), pw in piece(), net in word(), addr in piece(), db in piece(), q in piece()) {
        check(Form::GoMysqlDsn, &format!("{user}:{pw}@{net}({addr})/{db}?{q}"));
        check(Form::GoMysqlDsn, &format!("{user}@{net}/{db}"));
    }

    #[test]
    fn generated_jdbc_urls(scheme in prop::sample::select(mysql_jdbc::SCHEMES), a in piece(), b in piece(), c in piece(), d in piece()) {
        check(Form::MysqlJdbc, &format!("{scheme}//{a}@{b}/{c}?{d}"));
        check(Form::MysqlJdbc, &format!("{scheme} // {a} , [{b}] , ({c}) , address=({d})"));
    }

    #[test]
    fn generated_mysql_urls(scheme in prop::sample::select(&["mysql://", "mysqlx://", "mariadb://", "mysql+srv://"][..]), a in piece(), b in piece(), c in piece()) {
        check(Form::MysqlUrl, &format!("{scheme}{a}@{b}?{c}"));
        check(Form::MysqlUrl, &format!("{scheme}{a}({b})/{c}"));
    }

    #[test]
    fn mutated_seeds(seed in prop::sample::select(SEEDS), edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(&["@", "/", ":", "(", ")", "[", "]", "?", "&", "=", "#", "%", ",", " ", "é", "\u{0}", "+"][..])), 1..6)) {
        let (form, s) = seed;
        let mut text = s.to_string();
        for (at, op, ins) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) { i -= 1; }
            match op {
                0 => text.insert_str(i, ins),
                1 => { if i < text.len() { let mut j = i + 1; while !text.is_char_boundary(j) { j += 1; } text.replace_range(i..j, ""); } }
                _ => { if i < text.len() { let mut j = i + 1; while !text.is_char_boundary(j) { j += 1; } text.replace_range(i..j, ins); } }
            }
        }
        check(form, &text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,60}") {
        for form in [Form::GoMysqlDsn, Form::MysqlJdbc, Form::MysqlUrl] {
            check(form, &s);
        }
    }

    #[test]
    fn go_values_round_trip(v in ".{0,24}") {
        prop_assert_eq!(go_mysql::query_unescape(&go_mysql::encode_param_value(&v)).unwrap(), v.clone());
        let dsn = format!("u:p@tcp(h:3306)/db?time_zone={}", go_mysql::encode_param_value(&v));
        let tree = syntax::parse(&dsn, Form::GoMysqlDsn, Dialect::GoMysql).unwrap();
        let i = model::interpret(&tree, Client::GoMysql, &Options::default());
        prop_assert_eq!(i.settings.value("time_zone"), Some(v.as_str()));
    }

    #[test]
    fn jdbc_values_round_trip(v in ".{0,24}") {
        let encoded = mysql_jdbc::encode_value(&v);
        let decoded = mysql_jdbc::decode_value(&encoded).map(|d| d.into_owned());
        prop_assert_eq!(decoded.as_deref(), Some(v.as_str()));
        for (scheme, client) in [("jdbc:mysql:", Client::ConnectorJ), ("jdbc:mariadb:", Client::MariadbConnectorJ)] {
            let url = format!("{scheme}//u:{}@h/db?connectionAttributes={}", mysql_jdbc::encode_value(&v), mysql_jdbc::encode_value(&v));
            let tree = syntax::parse(&url, Form::MysqlJdbc, Dialect::ConnectorJ).unwrap();
            let i = model::interpret(&tree, client, &Options::default());
            prop_assert_eq!(i.settings.value("connectionAttributes"), Some(v.as_str()));
            prop_assert_eq!(i.settings.value("password"), Some(v.as_str()));
            prop_assert!(!i.is_fatal(), "{:?}", i.issues);
        }
    }

    #[test]
    fn encoded_passwords_parse_everywhere(pw in "[ -~]{1,20}") {
        let enc = decode::percent_encode_userinfo(&pw);
        for client in [Client::MysqlCli, Client::Mysql2, Client::Prisma] {
            let url = format!("mysql://u:{enc}@h:3306/db");
            let tree = syntax::parse(&url, Form::MysqlUrl, client.dialect(Form::MysqlUrl)).unwrap();
            let i = model::interpret(&tree, client, &Options::default());
            prop_assert_eq!(i.settings.value("password"), Some(pw.as_str()), "{}", client);
            prop_assert!(!i.issues.iter().any(|x| x.kind == model::IssueKind::UnescapedUserinfo), "{}: {:?}", client, i.issues);
        }
    }

    #[test]
    fn passwords_never_in_messages(pw in "[A-Za-z0-9@/:?#%+]{8,16}", tail in piece()) {
        prop_assume!(pw.chars().any(|c| c.is_ascii_alphanumeric()));
        let inputs = [
            (Form::MysqlUrl, format!("mysql://user:{pw}@host/db?{tail}")),
            (Form::MysqlJdbc, format!("jdbc:mysql://user:{pw}@host/db?{tail}")),
            (Form::GoMysqlDsn, format!("user:{pw}@tcp(host)/db?{tail}")),
            (Form::GoMysqlDsn, format!("user@tcp(host)/db?password={pw}&{tail}")),
            (Form::MysqlJdbc, format!("jdbc:mysql://address=(host=h)(password={pw})/db?trustCertificateKeyStorePassword={pw}")),
            (Form::MysqlUrl, format!("mysql://user@host/db?password={pw}&{tail}")),
        ];
        for (form, s) in inputs {
            for client in MYSQL_CLIENTS.into_iter().filter(|c| c.reads(form)) {
                let Ok(tree) = syntax::parse(&s, form, client.dialect(form)) else { continue };
                let i = model::interpret(&tree, client, &Options::default());
                for issue in &i.issues {
                    prop_assert!(!issue.message.contains(&pw), "{}: {}", client, issue.message);
                    prop_assert!(issue.suggestion.as_deref() != Some(pw.as_str()));
                }
            }
        }
    }
}
