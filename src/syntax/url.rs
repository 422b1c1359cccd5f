//! URL-shaped forms: `postgres[ql]://`, `mysql://`, `mariadb://`,
//! `jdbc:postgresql:`, `jdbc:mysql:` and `jdbc:mariadb:`.
//!
//! ```text
//! scheme://[user[:password]@][host[:port][,host[:port]…]][/database][?key=value[&…]][#fragment]
//! ```
//!
//! The grammar is shared; the [`Dialect`] decides the points where clients
//! split the same bytes differently: where the userinfo ends (libpq stops
//! at the first `@` or `/`, WHATWG parsers at the last `@` of the
//! authority), whether commas separate hosts, and whether `#` starts a
//! fragment.

use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Host, Param, ParseError, Span, Tree, Value, is_secret_key};

/// Where the userinfo ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserinfoEnd {
    /// At the first `@`, if it comes before the first `/` (libpq scans
    /// across `?` too).
    FirstAtBeforeSlash,
    /// At the first `@` before the query. MySQL Shell's `preprocess`
    /// (`mysqlshdk/libs/db/uri_parser.cc`) takes the first `@` of the whole
    /// rest, so the userinfo may hold `/`; an `@` that only comes after a
    /// `?` makes Shell fail, which the model reports.
    FirstAt,
    /// At the last `@` of the authority (WHATWG, RFC 3986 in practice).
    LastAt,
}

#[derive(Clone, Copy, Debug)]
struct Rules {
    userinfo: UserinfoEnd,
    multi_host: bool,
    fragment: bool,
    /// MySQL Shell socket targets: `/path/sock[/schema]`, `./rel%2Fsock`,
    /// `(/path/to/mysql.sock)[/schema]`; a target starting with `/` or `.`
    /// runs to the last `/` before the query.
    sockets: bool,
}

fn rules(dialect: Dialect) -> Rules {
    match dialect {
        Dialect::Libpq => Rules { userinfo: UserinfoEnd::FirstAtBeforeSlash, multi_host: true, fragment: false, sockets: false },
        Dialect::MysqlShell => Rules { userinfo: UserinfoEnd::FirstAt, multi_host: false, fragment: false, sockets: true },
        Dialect::Pgjdbc | Dialect::ConnectorJ => Rules { userinfo: UserinfoEnd::LastAt, multi_host: true, fragment: true, sockets: false },
        _ => Rules { userinfo: UserinfoEnd::LastAt, multi_host: false, fragment: true, sockets: false },
    }
}

/// Length of the scheme prefix, `://` included. For `jdbc:postgresql:` the
/// `//` is optional (`jdbc:postgresql:dbname`).
fn scheme_len(input: &str, form: Form) -> Result<usize, ParseError> {
    let colon_slashes = input.find("://");
    match form {
        Form::PgJdbc => {
            let base = "jdbc:postgresql:".len();
            Ok(if input[base..].starts_with("//") { base + 2 } else { base })
        }
        _ => colon_slashes.map(|i| i + 3).ok_or_else(|| {
            ParseError::new("missing \"://\" after the scheme", Span::new(0, input.find(':').map_or(input.len(), |i| i + 1)))
                .expected("://")
        }),
    }
}

fn find_from(s: &str, from: usize, pred: impl Fn(u8) -> bool) -> usize {
    s.as_bytes()[from..].iter().position(|&b| pred(b)).map_or(s.len(), |i| from + i)
}

/// Parse a URL-shaped connection string.
pub fn parse(input: &str, form: Form, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    let r = rules(dialect);
    let mut b = TreeBuilder::new(input, form, dialect);
    let bytes = input.as_bytes();
    let scheme_end = scheme_len(input, form)?;
    let scheme = b.token(K::Scheme, scheme_end);
    b.tree_mut().scheme = Some(scheme);
    let has_authority = input[..scheme_end].ends_with("//");
    let is_end_of_authority = |c: u8| c == b'/' || c == b'?' || (r.fragment && c == b'#');

    if has_authority {
        // Userinfo.
        let authority_end = find_from(input, scheme_end, is_end_of_authority);
        let at = match r.userinfo {
            UserinfoEnd::FirstAtBeforeSlash => {
                let stop = find_from(input, scheme_end, |c| c == b'@' || c == b'/');
                (bytes.get(stop) == Some(&b'@')).then_some(stop)
            }
            UserinfoEnd::FirstAt => {
                let query = find_from(input, scheme_end, |c| c == b'?');
                input[scheme_end..query].find('@').map(|i| scheme_end + i)
            }
            UserinfoEnd::LastAt => input[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i),
        };
        if let Some(at) = at {
            let colon = input[scheme_end..at].find(':').map(|i| scheme_end + i);
            let user = b.token(K::User, colon.unwrap_or(at));
            b.tree_mut().user = Some(user);
            if let Some(colon) = colon {
                b.token(K::Colon, colon + 1);
                let pw = b.token(K::Password, at);
                b.tree_mut().password = Some(pw);
            }
            b.token(K::At, at + 1);
        }
        if r.sockets && matches!(bytes.get(b.pos()), Some(b'/' | b'.' | b'(')) {
            parse_socket(&mut b);
        } else {
            parse_hosts(&mut b, r, is_end_of_authority)?;
        }
    }

    // Path: the database.
    let pos = b.pos();
    let path_start = if has_authority {
        if bytes.get(pos) == Some(&b'/') {
            b.token(K::Slash, pos + 1);
            Some(pos + 1)
        } else {
            None
        }
    } else {
        Some(pos)
    };
    if let Some(start) = path_start {
        let end = find_from(input, start, |c| c == b'?' || (r.fragment && c == b'#'));
        let db = b.token(K::Database, end);
        if !db.is_empty() {
            b.tree_mut().database = Some(db);
        }
    }

    // Query.
    if bytes.get(b.pos()) == Some(&b'?') {
        let q = b.pos();
        b.token(K::Question, q + 1);
        parse_query(&mut b, r.fragment);
    }

    // Fragment.
    if r.fragment && bytes.get(b.pos()) == Some(&b'#') {
        let f = b.token(K::Fragment, input.len());
        b.tree_mut().fragment = Some(f);
    }
    b.finish()
}

/// `host[:port][,host[:port]…]`, IPv6 literals in brackets.
fn parse_hosts(b: &mut TreeBuilder<'_>, r: Rules, is_end_of_authority: impl Fn(u8) -> bool) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    loop {
        let start = b.pos();
        let mut host = Host { span: Span::empty(start), ..Host::default() };
        let stops_host = |c: u8| c == b':' || (r.multi_host && c == b',') || is_end_of_authority(c);
        if bytes.get(start) == Some(&b'[') {
            let close = input[start..].find(']').map(|i| start + i).ok_or_else(|| {
                ParseError::new("end of string reached when looking for matching \"]\" in IPv6 host address", Span::new(start, input.len()))
                    .expected("]")
            })?;
            if close == start + 1 {
                return Err(ParseError::new("IPv6 host address may not be empty", Span::new(start, close + 1)));
            }
            b.token(K::Bracket, start + 1);
            host.name = Some(b.token(K::Host, close));
            b.token(K::Bracket, close + 1);
            host.bracketed = true;
            match bytes.get(close + 1) {
                None => {}
                Some(&c) if c == b':' || stops_host(c) => {}
                Some(_) => {
                    let at = close + 1;
                    let ch = input[at..].chars().next().unwrap_or(' ');
                    return Err(ParseError::new(
                        format!("unexpected character \"{ch}\" at position {} in URI (expected \":\" or \"/\")", at + 1),
                        Span::new(at, at + ch.len_utf8()),
                    )
                    .expected("\":\" or \"/\""));
                }
            }
        } else {
            let end = find_from(input, start, stops_host);
            let name = b.token(K::Host, end);
            if !name.is_empty() {
                host.name = Some(name);
            }
        }
        if bytes.get(b.pos()) == Some(&b':') {
            let colon = b.pos();
            b.token(K::Colon, colon + 1);
            let end = find_from(input, colon + 1, |c| (r.multi_host && c == b',') || is_end_of_authority(c));
            let port = b.token(K::Port, end);
            host.port = Some(port);
        }
        host.span = Span::new(start, b.pos());
        if !host.span.is_empty() || r.multi_host {
            b.tree_mut().hosts.push(host);
        }
        if r.multi_host && bytes.get(b.pos()) == Some(&b',') {
            let p = b.pos();
            b.token(K::Comma, p + 1);
            continue;
        }
        break;
    }
    // A lone empty host entry (`postgres:///db`) is no host at all.
    let hosts = &mut b.tree_mut().hosts;
    if hosts.len() == 1 && hosts[0].span.is_empty() {
        hosts.clear();
    }
    Ok(())
}

/// A MySQL Shell socket target (see [`Rules::sockets`]). Text between a
/// closing `)` and the path is kept as host text; the model reports it.
fn parse_socket(b: &mut TreeBuilder<'_>) {
    let input = b.src();
    let start = b.pos();
    let query = find_from(input, start, |c| c == b'?');
    let mut host = Host { span: Span::empty(start), ..Host::default() };
    let close = (input.as_bytes().get(start) == Some(&b'(')).then(|| input[start..query].find(')').map(|i| start + i)).flatten();
    if let Some(close) = close {
        b.token(K::Paren, start + 1);
        host.name = Some(b.token(K::Host, close));
        b.token(K::Paren, close + 1);
        b.token(K::Host, find_from(input, close + 1, |c| c == b'/' || c == b'?'));
    } else {
        let end = input.get(start + 1..query).and_then(|t| t.rfind('/')).map_or(query, |i| start + 1 + i);
        host.name = Some(b.token(K::Host, end));
    }
    host.span = Span::new(start, b.pos());
    b.tree_mut().hosts.push(host);
}

/// `key=value[&key=value…]` up to the end or the fragment.
fn parse_query(b: &mut TreeBuilder<'_>, fragment: bool) {
    let input = b.src();
    let bytes = input.as_bytes();
    let query_end = if fragment { find_from(input, b.pos(), |c| c == b'#') } else { input.len() };
    while b.pos() < query_end {
        let start = b.pos();
        let seg_end = find_from(input, start, |c| c == b'&').min(query_end);
        let eq = input[start..seg_end].find('=').map(|i| start + i);
        let key = b.token(K::Key, eq.unwrap_or(seg_end));
        let mut param = Param { span: Span::new(start, seg_end), key, eq: None, value: None };
        if let Some(eq) = eq {
            param.eq = Some(b.token(K::Equals, eq + 1));
            let kind = if is_secret_key(key.text(input)) { K::SecretValue } else { K::Value };
            let v = b.token(kind, seg_end);
            param.value = Some(Value::bare(v));
        }
        b.tree_mut().params.push(param);
        if bytes.get(seg_end) == Some(&b'&') {
            b.token(K::Separator, seg_end + 1);
        }
    }
}

/// Percent-encode a query key or value so that every URL client reads it
/// back unchanged: everything but RFC 3986 unreserved characters and a few
/// harmless sub-delimiters is encoded.
pub fn encode_query_component(v: &str) -> std::borrow::Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~/:,".contains(&b);
    if v.bytes().all(keep) {
        return std::borrow::Cow::Borrowed(v);
    }
    let mut out = String::with_capacity(v.len() + 8);
    for b in v.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts<'a> = (Option<&'a str>, Option<&'a str>, Vec<(&'a str, Option<&'a str>)>, Option<&'a str>, Vec<(&'a str, Option<&'a str>)>);

    fn texts<'a>(t: &Tree<'a>) -> Parts<'a> {
        (
            t.user.map(|s| t.text(s)),
            t.password.map(|s| t.text(s)),
            t.hosts.iter().map(|h| (h.name.map_or("", |s| t.text(s)), h.port.map(|s| t.text(s)))).collect(),
            t.database.map(|s| t.text(s)),
            t.params.iter().map(|p| (t.key(p), t.raw_value(p))).collect(),
        )
    }

    #[test]
    fn libpq_splits_userinfo_at_first_at() {
        let s = "postgresql://u:p@ss@host:5432/db?sslmode=require";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        assert_eq!(t.to_source(), s);
        let (u, p, hosts, db, params) = texts(&t);
        assert_eq!((u, p), (Some("u"), Some("p")));
        assert_eq!(hosts, vec![("ss@host", Some("5432"))]);
        assert_eq!(db, Some("db"));
        assert_eq!(params, vec![("sslmode", Some("require"))]);
    }

    #[test]
    fn whatwg_splits_userinfo_at_last_at() {
        let s = "postgresql://u:p@ss@host:5432/db?sslmode=require#frag";
        let t = parse(s, Form::PostgresUrl, Dialect::Whatwg).unwrap();
        assert_eq!(t.to_source(), s);
        let (u, p, hosts, ..) = texts(&t);
        assert_eq!((u, p), (Some("u"), Some("p@ss")));
        assert_eq!(hosts, vec![("host", Some("5432"))]);
        assert_eq!(t.fragment.map(|f| t.text(f)), Some("#frag"));
    }

    #[test]
    fn multi_host_and_ipv6() {
        let s = "postgres://[::1]:5432,h2,h3:5433/db";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        let (_, _, hosts, db, _) = texts(&t);
        assert_eq!(hosts, vec![("::1", Some("5432")), ("h2", None), ("h3", Some("5433"))]);
        assert!(t.hosts[0].bracketed);
        assert_eq!(db, Some("db"));
        let e = parse("postgres://[::1]z", Form::PostgresUrl, Dialect::Libpq).unwrap_err();
        assert_eq!(e.message, "unexpected character \"z\" at position 17 in URI (expected \":\" or \"/\")");
        assert_eq!(e.span, Span::new(16, 17));
    }

    #[test]
    fn query_shapes() {
        let s = "postgresql://host?a=1&&b&c=x=y&";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        assert_eq!(t.to_source(), s);
        let (.., params) = texts(&t);
        assert_eq!(params, vec![("a", Some("1")), ("", None), ("b", None), ("c", Some("x=y"))]);
    }

    #[test]
    fn passwords_are_secret_tokens() {
        let s = "mysql://u:hunter2@h/db?password=x";
        let t = parse(s, Form::MysqlUrl, Dialect::Whatwg).unwrap();
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["hunter2", "x"]);
    }

    #[test]
    fn mysql_shell_userinfo_and_sockets() {
        let cases = [
            ("mysqlx://user:pa/ss@host:33060/db", (Some("user"), Some("pa/ss"), vec![("host", Some("33060"))], Some("db"))),
            ("mysqlx://user:password@/socket/schema", (Some("user"), Some("password"), vec![("/socket", None)], Some("schema"))),
            ("mysqlx://user:password@/path%2Fto%2Fsocket", (Some("user"), Some("password"), vec![("/path%2Fto%2Fsocket", None)], None)),
            ("mysqlx://u@(/path/to/mysql.sock)/schema", (Some("u"), None, vec![("/path/to/mysql.sock", None)], Some("schema"))),
            ("mysqlx://u@./path/to/socket/schema", (Some("u"), None, vec![("./path/to/socket", None)], Some("schema"))),
            ("mysql://h/db?x=a@b", (None, None, vec![("h", None)], Some("db"))),
        ];
        for (s, (u, p, hosts, db)) in cases {
            let t = parse(s, Form::MysqlUrl, Dialect::MysqlShell).unwrap();
            assert_eq!(t.to_source(), s);
            let (tu, tp, th, tdb, _) = texts(&t);
            assert_eq!((tu, tp, th, tdb), (u, p, hosts, db), "{s}");
        }
        let t = parse("mysql://u@(/sock)xx/db", Form::MysqlUrl, Dialect::MysqlShell).unwrap();
        assert_eq!(t.to_source(), "mysql://u@(/sock)xx/db");
    }

    #[test]
    fn jdbc_postgres_without_authority() {
        let t = parse("jdbc:postgresql:test", Form::PgJdbc, Dialect::Pgjdbc).unwrap();
        assert_eq!(t.database.map(|s| t.text(s)), Some("test"));
        assert!(t.hosts.is_empty());
    }
}
