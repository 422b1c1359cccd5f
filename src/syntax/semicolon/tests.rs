use super::*;
use crate::syntax::TokenKind;

/// `(key as the client reads it, value as the client reads it)`, in order.
fn pairs_of(input: &str, form: Form, dialect: Dialect) -> Vec<(String, Option<String>)> {
    let t = parse(input, form, dialect).unwrap_or_else(|e| panic!("{input:?}: {e}"));
    assert_eq!(t.to_source(), input);
    t.params.iter().map(|p| (param_key(&t, p).into_owned(), p.value.map(|v| t.unquoted_value(&v).into_owned()))).collect()
}

fn one(input: &str, dialect: Dialect) -> (String, String) {
    let form = match dialect {
        Dialect::MssqlJdbc => Form::SqlServerJdbc,
        Dialect::PrismaJdbc => Form::PrismaSqlServer,
        _ => Form::AdoNet,
    };
    let mut ps = pairs_of(input, form, dialect);
    assert_eq!(ps.len(), 1, "{input:?}: {ps:?}");
    let (k, v) = ps.remove(0);
    (k, v.unwrap_or_default())
}

fn err(input: &str, form: Form, dialect: Dialect) -> ParseError {
    match parse(input, form, dialect) {
        Ok(t) => panic!("{input:?} parsed: {:?}", t.params),
        Err(e) => e,
    }
}

#[test]
fn sqlclient_doc_examples() {
    // docs/connect/ado-net/connection-strings.md, values derived from GetKeyValuePair.
    let d = Dialect::SqlClient;
    assert_eq!(one("Keyword=\" whitespace  \";", d).1, " whitespace  ");
    assert_eq!(one("Keyword='special;character';", d).1, "special;character");
    assert_eq!(one("Keyword='double\"quotation;mark';", d).1, "double\"quotation;mark");
    assert_eq!(one("Keyword=\"double\"\"quotation\";", d).1, "double\"quotation");
    assert_eq!(one("Keyword='single''quotation';", d).1, "single'quotation");
    // The docs list this as valid, but GetKeyValuePair rejects an unquoted
    // value that ends with a quote (`(?<![\"'])`); the source wins.
    assert!(parse("Keyword=no \"escaping\" 'required';", Form::AdoNet, d).is_err());
    assert_eq!(one("Keyword=no \"escaping\" 'required' x;", d).1, "no \"escaping\" 'required' x");
    assert_eq!(one("Keyword=a=b=c", d).1, "a=b=c");
    assert_eq!(one("Key==word=Value", d), ("Key=word".into(), "Value".into()));
    assert_eq!(one("  Trust Server Certificate  =  true  ;", d), ("Trust Server Certificate".into(), "true".into()));
}

#[test]
fn sqlclient_errors_name_the_pair_start_in_utf16() {
    let e = err("Password=abc'", Form::AdoNet, Dialect::SqlClient);
    assert_eq!(e.message, "Format of the initialization string does not conform to specification starting at index 0.");
    assert_eq!(e.span, Span::new(12, 13));
    // `{a` is a value, then `b}` is a key without "=".
    let e = err("Password={a;b}", Form::AdoNet, Dialect::SqlClient);
    assert_eq!(e.message, "Format of the initialization string does not conform to specification starting at index 12.");
    assert_eq!(e.span, Span::new(12, 14));
    // Index counts UTF-16 units: "é" is one unit, two bytes.
    let e = err("Server=é;=x", Form::AdoNet, Dialect::SqlClient);
    assert!(e.message.ends_with("index 9."), "{}", e.message);
    assert_eq!(e.span, Span::new(10, 11));
    let e = err("a='x' y", Form::AdoNet, Dialect::SqlClient);
    assert_eq!(e.span, Span::new(6, 7));
    let e = err("a=\"x", Form::AdoNet, Dialect::SqlClient);
    assert_eq!(e.span, Span::new(2, 4));
    assert!(err("a=b\u{1}c", Form::AdoNet, Dialect::SqlClient).message.ends_with("index 3."));
}

#[test]
fn sqlclient_keys_keep_semicolons_and_nul_terminates() {
    assert_eq!(one("Server;Database=x", Dialect::SqlClient).0, "Server;Database");
    let t = parse("a=1\0  \0", Form::AdoNet, Dialect::SqlClient).unwrap();
    assert_eq!(t.to_source(), "a=1\0  \0");
    assert!(parse("a=1\0 b", Form::AdoNet, Dialect::SqlClient).is_err());
    let ps = pairs_of(";;a=;b= ;", Form::AdoNet, Dialect::SqlClient);
    assert_eq!(ps, vec![("a".into(), Some(String::new())), ("b".into(), Some(String::new()))]);
    assert!(parse("=x", Form::AdoNet, Dialect::SqlClient).is_err());
    assert_eq!(one("==x=1", Dialect::SqlClient).0, "=x");
}

#[test]
fn tedious_quirks() {
    let d = Dialect::Tedious;
    assert_eq!(one("Keyword={{Value}}}", d).1, "{Value}");
    assert_eq!(one(" Keyword = {  Value } ;", d).1, "  Value ");
    // `;;` in an unquoted value is a `;`.
    assert_eq!(one("Password=ab;;cd", d).1, "ab;cd");
    // The first character of a value is taken literally, even `;`.
    assert_eq!(one("Server=;Database=x", d), ("Server".into(), ";Database=x".into()));
    // A leading `;` starts a key.
    assert_eq!(pairs_of("a='x';;b=1", Form::AdoNet, d)[1].0, ";b");
    // A key without "=" at the end is dropped, not an error.
    let ps = pairs_of("a=1;b", Form::AdoNet, d);
    assert_eq!(ps[1], ("b".into(), None));
    assert_eq!(err("a='x", Form::AdoNet, d).message, "Connection string terminated unexpectedly");
    assert_eq!(err("a='x'y", Form::AdoNet, d).message, "Malformed connection string");
}

#[test]
fn odbc_braces() {
    let d = Dialect::Odbc;
    assert_eq!(one("PWD={p@ss;w}}rd}", d).1, "p@ss;w}rd");
    assert_eq!(one("Driver={ODBC Driver 18 for SQL Server}", d).1, "ODBC Driver 18 for SQL Server");
    assert_eq!(one("Value={test{value}", d).1, "test{value");
    assert_eq!(err("PWD={unclosed;Server=localhost", Form::Odbc, d).message, "Unclosed braced value");
    assert_eq!(err("Server;Database=mydb", Form::Odbc, d).span, Span::new(0, 6));
    assert_eq!(err("=value;Server=localhost", Form::Odbc, d).message, "Empty keyword");
    // Quotes mean nothing to ODBC.
    assert_eq!(one("PWD='a'", d).1, "'a'");
}

#[test]
fn mssql_jdbc_parse_url() {
    let s = "jdbc:sqlserver://localhost;password={pasS}};word={qq};user=username;portName=1433;databaseName=database;";
    let ps = pairs_of(s, Form::SqlServerJdbc, Dialect::MssqlJdbc);
    assert_eq!(ps[0], ("password".into(), Some("pasS};word={qq".into())));
    assert_eq!(ps[1], ("user".into(), Some("username".into())));
    assert_eq!(one("jdbc:sqlserver://localhost;password={pasS}}} ;", Dialect::MssqlJdbc).1, "pasS}");
    assert!(parse("jdbc:sqlserver://localhost;databaseName=db;user=u;  ;;  ", Form::SqlServerJdbc, Dialect::MssqlJdbc).is_ok());
    let t = parse("jdbc:sqlserver:// h \\ INST : 1433 ;a=b", Form::SqlServerJdbc, Dialect::MssqlJdbc).unwrap();
    let h = t.hosts[0];
    assert_eq!((t.text(h.name.unwrap()), t.text(h.instance.unwrap()), t.text(h.port.unwrap())), ("h", "INST", "1433"));
    for bad in [
        "jdbc:sqlserver://h;a",
        "jdbc:sqlserver://h;=x",
        "jdbc:sqlserver://h;a=x{y}",
        "jdbc:sqlserver://h;a={x}\t;",
        "jdbc:sqlserver://h;a={x",
    ] {
        assert_eq!(
            err(bad, Form::SqlServerJdbc, Dialect::MssqlJdbc).message,
            "The connection string contains a badly formed name or value."
        );
    }
    assert!(parse("JDBC:SQLSERVER://h", Form::SqlServerJdbc, Dialect::MssqlJdbc).is_err());
}

#[test]
fn prisma_connection_string_crate() {
    let d = Dialect::PrismaJdbc;
    let t = parse("sqlserver://server\\instance:80;key=value;foo=bar", Form::PrismaSqlServer, d).unwrap();
    let h = t.hosts[0];
    assert_eq!((t.text(h.name.unwrap()), t.text(h.instance.unwrap()), t.text(h.port.unwrap())), ("server", "instance", "80"));
    assert_eq!(one("sqlserver://h:4200;Password={abc;}}45}", d).1, "abc;}45}");
    assert_eq!(one("sqlserver://se{r}ver{;}\\instance:80;key={va[]}lue", d).1, "va[]lue");
    let t = parse("sqlserver://[::1]:1433;database=prisma-demo", Form::PrismaSqlServer, d).unwrap();
    assert!(t.hosts[0].bracketed);
    assert_eq!(t.text(t.hosts[0].name.unwrap()), "::1");
    assert_eq!(err("sqlserver://[:1433;", Form::PrismaSqlServer, d).message, "Conversion error: Invalid server name");
    assert_eq!(err("sqlserver://h;password=a:b", Form::PrismaSqlServer, d).message, "Conversion error: Invalid JDBC token");
    assert_eq!(err("sqlserver://h;;a=b", Form::PrismaSqlServer, d).message, "Conversion error: Invalid property key");
    assert_eq!(err("sqlserver://h;a=", Form::PrismaSqlServer, d).message, "Conversion error: Invalid property value");
    assert_eq!(err("sqlserver://h;a={}", Form::PrismaSqlServer, d).message, "Conversion error: Invalid property value");
    assert_eq!(err("sqlserver://h;a{=b", Form::PrismaSqlServer, d).message, "Conversion error: unclosed escape literal");
    assert!(err("sqlserver://h;password=pässword", Form::PrismaSqlServer, d).message.contains("non-ASCII"));
    assert!(parse("sqlserver://h;a=b;", Form::PrismaSqlServer, d).is_ok());
    assert!(parse("SQLSERVER://h", Form::PrismaSqlServer, d).is_err());
}

#[test]
fn server_values_become_hosts() {
    let s = "Server=tcp:x.database.windows.net,1433;Data Source=h\\SQLEXPRESS;Addr=np:\\\\h\\pipe\\sql\\query;Server=[::1],1434";
    let t = parse(s, Form::AdoNet, Dialect::SqlClient).unwrap();
    let parts: Vec<_> = t
        .hosts
        .iter()
        .map(|h| (h.protocol.map(|s| t.text(s)), h.name.map(|s| t.text(s)), h.instance.map(|s| t.text(s)), h.port.map(|s| t.text(s))))
        .collect();
    assert_eq!(
        parts,
        vec![
            (Some("tcp"), Some("x.database.windows.net"), None, Some("1433")),
            (None, Some("h"), Some("SQLEXPRESS"), None),
            (Some("np"), Some("\\\\h\\pipe\\sql\\query"), None, None),
            (None, Some("::1"), None, Some("1434")),
        ]
    );
}

#[test]
fn secrets_are_secret_tokens() {
    let cases = [
        ("Server=h;Password='p;w';PWD=x", Form::AdoNet, Dialect::SqlClient, vec!["p;w", "x"]),
        ("Driver={x};PWD={a}}b}", Form::Odbc, Dialect::Odbc, vec!["a}}b"]),
        ("jdbc:sqlserver://h;password=s;trustStorePassword={t}", Form::SqlServerJdbc, Dialect::MssqlJdbc, vec!["s", "t"]),
        ("sqlserver://h;password={a;}b", Form::PrismaSqlServer, Dialect::PrismaJdbc, vec!["a;", "b"]),
        ("Password=ab;;cd", Form::AdoNet, Dialect::Tedious, vec!["ab;;cd"]),
    ];
    for (s, form, dialect, expected) in cases {
        let t = parse(s, form, dialect).unwrap();
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind == TokenKind::SecretValue).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, expected, "{s}");
    }
}

#[test]
fn encoded_values_read_back() {
    let values = ["", " x ", "a;b", "'q", "q\"", "a'b\"c", "{x}", "}", "a}}b", ":=\\/;[]{}", "p@ss word", "=", "==x"];
    for dialect in [Dialect::SqlClient, Dialect::Odbc, Dialect::Tedious, Dialect::MssqlJdbc, Dialect::PrismaJdbc] {
        for v in values {
            if !encodable(dialect, v) {
                continue;
            }
            let (head, form) = match dialect {
                Dialect::MssqlJdbc => ("jdbc:sqlserver://h;", Form::SqlServerJdbc),
                Dialect::PrismaJdbc => ("sqlserver://h;", Form::PrismaSqlServer),
                _ => ("", Form::AdoNet),
            };
            let s = format!("{head}k={};z=1", encode_value(dialect, v));
            let ps = pairs_of(&s, form, dialect);
            assert_eq!(ps[0].1.as_deref(), Some(v), "{dialect:?} {s:?}");
            assert_eq!(ps[1].0, "z", "{dialect:?} {s:?}");
        }
    }
}
