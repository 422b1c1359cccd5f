//! go-sql-driver/mysql DSNs, split exactly as `ParseDSN` (`dsn.go`) does.
//!
//! ```text
//! [username[:password]@][protocol[(address)]]/dbname[?param1=value1&...&paramN=valueN]
//! ```
//!
//! This is not a URL. The **last** `/` of the whole string separates the
//! head from the database name; within the head the **last** `@` ends the
//! credentials; the user runs up to the **first** `:` and the password is
//! the rest, so a password may hold `:`, `@`, `/`, `(` and `)`. An address
//! in parentheses must end right before that last `/`. The database name
//! runs to the first `?`; parameters are split on `&` and each is cut at
//! its first `=`. Items without `=` are skipped by the driver; the tree
//! keeps them as bare keys so that nothing is lost.
//!
//! Nothing is decoded here: user and password are used verbatim by the
//! driver, the database is `url.PathUnescape`d and most parameter values
//! `url.QueryUnescape`d by the model (see [`query_unescape`]).

use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Host, Param, ParseError, Span, Tree, Value, is_secret_key};

/// `errInvalidDSNNoSlash`.
pub const ERR_NO_SLASH: &str = "invalid DSN: missing the slash separating the database name";
/// `errInvalidDSNUnescaped`.
pub const ERR_UNESCAPED: &str = "invalid DSN: did you forget to escape a param value?";
/// `errInvalidDSNAddr`.
pub const ERR_ADDR: &str = "invalid DSN: network address not terminated (missing closing brace)";

/// Parse a go-sql-driver/mysql DSN.
pub fn parse(input: &str) -> Result<Tree<'_>, ParseError> {
    let mut b = TreeBuilder::new(input, Form::GoMysqlDsn, Dialect::GoMysql);
    let bytes = input.as_bytes();
    let Some(slash) = input.rfind('/') else {
        if input.is_empty() {
            return b.finish();
        }
        return Err(ParseError::new(ERR_NO_SLASH, Span::new(0, input.len())).expected("/"));
    };

    if slash > 0 {
        // The last '@' before the slash ends the credentials; the user runs to the first ':'.
        let at = input[..slash].rfind('@');
        let net_start = match at {
            Some(at) => {
                let colon = input[..at].find(':');
                let user = b.token(K::User, colon.unwrap_or(at));
                b.tree_mut().user = Some(user);
                if let Some(colon) = colon {
                    b.token(K::Colon, colon + 1);
                    let pw = b.token(K::Password, at);
                    b.tree_mut().password = Some(pw);
                }
                b.token(K::At, at + 1);
                at + 1
            }
            None => 0,
        };
        // [protocol[(address)]]: the first '(' opens the address, which must close right before the slash.
        let mut host = Host { span: Span::new(net_start, slash), ..Host::default() };
        match input[net_start..slash].find('(').map(|i| net_start + i) {
            Some(open) => {
                if bytes.get(slash - 1) != Some(&b')') {
                    let msg = if input[open + 1..slash].contains(')') { ERR_UNESCAPED } else { ERR_ADDR };
                    return Err(ParseError::new(msg, Span::new(open, slash)).expected(")"));
                }
                let net = b.token(K::Protocol, open);
                host.protocol = (!net.is_empty()).then_some(net);
                b.token(K::Paren, open + 1);
                address(&mut b, &mut host, slash - 1, input[net_start..open].eq_ignore_ascii_case("unix"));
                b.token(K::Paren, slash);
            }
            None => {
                let net = b.token(K::Protocol, slash);
                host.protocol = (!net.is_empty()).then_some(net);
            }
        }
        if !host.span.is_empty() {
            b.tree_mut().hosts.push(host);
        }
    }

    b.token(K::Slash, slash + 1);
    let query = input[slash + 1..].find('?').map(|i| slash + 1 + i);
    let db = b.token(K::Database, query.unwrap_or(input.len()));
    if !db.is_empty() {
        b.tree_mut().database = Some(db);
    }
    if let Some(q) = query {
        b.token(K::Question, q + 1);
        params(&mut b);
    }
    b.finish()
}

/// The address between the parentheses, up to `end`: `host:port`,
/// `[v6]:port`, a bare IPv6 address, or a socket path.
fn address(b: &mut TreeBuilder<'_>, host: &mut Host, end: usize, socket: bool) {
    let input = b.src();
    let start = b.pos();
    let addr = &input[start..end];
    if socket || addr.is_empty() {
        let name = b.token(K::Host, end);
        host.name = (!name.is_empty()).then_some(name);
        return;
    }
    if addr.starts_with('[') {
        if let Some(close) = addr.find(']').map(|i| start + i) {
            b.token(K::Bracket, start + 1);
            let name = b.token(K::Host, close);
            host.name = Some(name);
            host.bracketed = true;
            b.token(K::Bracket, close + 1);
            if input.as_bytes().get(close + 1) == Some(&b':') && close + 1 < end {
                b.token(K::Colon, close + 2);
                host.port = Some(b.token(K::Port, end));
            } else {
                // Anything else after the bracket belongs to the host text.
                b.token(K::Host, end);
            }
            return;
        }
    }
    // `net.SplitHostPort` needs exactly one ':' outside brackets; a bare
    // IPv6 address (several ':') is all host, and the driver adds the port.
    let colons = addr.bytes().filter(|&c| c == b':').count();
    match (colons, addr.find(':')) {
        (1, Some(i)) => {
            let name = b.token(K::Host, start + i);
            host.name = (!name.is_empty()).then_some(name);
            b.token(K::Colon, start + i + 1);
            host.port = Some(b.token(K::Port, end));
        }
        _ => host.name = Some(b.token(K::Host, end)),
    }
}

/// `key=value&key=value…`: split on `&`, each item cut at its first `=`.
fn params(b: &mut TreeBuilder<'_>) {
    let input = b.src();
    let len = input.len();
    while b.pos() < len {
        let start = b.pos();
        let end = input[start..].find('&').map_or(len, |i| start + i);
        if end > start {
            let eq = input[start..end].find('=').map(|i| start + i);
            let key = b.token(K::Key, eq.unwrap_or(end));
            let mut param = Param { span: Span::new(start, end), key, eq: None, value: None };
            if let Some(eq) = eq {
                param.eq = Some(b.token(K::Equals, eq + 1));
                let v = b.token(K::Value, end);
                if is_secret_key(key.text(input)) {
                    b.retag_last(K::SecretValue);
                }
                param.value = Some(Value::bare(v));
            }
            b.tree_mut().params.push(param);
        }
        if end < len {
            b.token(K::Separator, end + 1);
        }
    }
}

/// Why [`query_unescape`] failed, with Go's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscapeError {
    /// Byte offset of the bad `%` in the raw text.
    pub offset: usize,
    /// `invalid URL escape "%zz"`.
    pub message: String,
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn unescape(raw: &str, plus_as_space: bool) -> Result<String, EscapeError> {
    let bytes = raw.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || (plus_as_space && b == b'+')) {
        return Ok(raw.to_string());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'%' => match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    let bad = raw.get(i..(i + 3).min(raw.len())).unwrap_or("%");
                    return Err(EscapeError { offset: i, message: format!("invalid URL escape \"{bad}\"") });
                }
            },
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `url.QueryUnescape`: `%XX` escapes and `+` as a space.
pub fn query_unescape(raw: &str) -> Result<String, EscapeError> {
    unescape(raw, true)
}

/// Go's `url.PathUnescape` (used for the database name): `%XX` escapes, `+` literal.
pub fn path_unescape(raw: &str) -> Result<String, EscapeError> {
    unescape(raw, false)
}

/// Encode a parameter value as Go's `url.QueryEscape` does, so that the
/// driver's `url.QueryUnescape` gives `value` back. Unreserved characters
/// stay, a space becomes `+`, every other byte `%XX`.
pub fn encode_param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>, Vec<(&'a str, Option<&'a str>)>);

    fn parts(s: &str) -> Parts<'_> {
        let t = parse(s).unwrap();
        assert_eq!(t.to_source(), s);
        let h = t.hosts.first();
        (
            t.user.map(|x| t.text(x)),
            t.password.map(|x| t.text(x)),
            h.and_then(|h| h.protocol).map(|x| t.text(x)),
            h.map(|h| t.text(Span::new(h.name.map_or(h.span.start, |n| n.start), h.port.or(h.name).map_or(h.span.start, |p| p.end)))),
            t.database.map(|x| t.text(x)),
            t.params.iter().map(|p| (t.key(p), t.raw_value(p))).collect(),
        )
    }

    #[test]
    fn splits_like_parse_dsn() {
        assert_eq!(
            parts("user:p@ss(word)@tcp([de:ad:be:ef::ca:fe]:80)/dbname?loc=Local"),
            (Some("user"), Some("p@ss(word)"), Some("tcp"), Some("de:ad:be:ef::ca:fe]:80"), Some("dbname"), vec![("loc", Some("Local"))])
        );
        assert_eq!(parts("user:p@/ssword@/").1, Some("p@/ssword"));
        assert_eq!(parts("unix/?arg=%2Fsome%2Fpath.ext").2, Some("unix"));
        assert_eq!(parts("/dbname").4, Some("dbname"));
        let p = parts("u@tcp(h:1)/d?a=1&flag&&b=x=y");
        assert_eq!(p.5, vec![("a", Some("1")), ("flag", None), ("b", Some("x=y"))]);
        assert!(parse("").unwrap().tokens.is_empty());
        assert!(parse("@/").is_ok());
    }

    #[test]
    fn errors_with_driver_wording() {
        let e = parse("User:pass@tcp(1.2.3.4:3306)").unwrap_err();
        assert_eq!(e.message, ERR_NO_SLASH);
        assert_eq!(parse("@net(addr/").unwrap_err().message, ERR_ADDR);
        assert_eq!(parse("(/").unwrap_err().message, ERR_ADDR);
        assert_eq!(parse("net(addr)//").unwrap_err().message, ERR_UNESCAPED);
        let e = parse("user:pass@tcp(127.0.0.1:3306)/db/name").unwrap_err();
        assert_eq!(e.message, ERR_UNESCAPED);
        assert_eq!(e.span, Span::new(13, 32));
    }

    #[test]
    fn secrets_are_tagged() {
        let t = parse("u:hunter2@tcp(h)/d?password=x&a=b").unwrap();
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["hunter2", "x"]);
    }

    #[test]
    fn escaping_round_trips() {
        for v in ["a b", "x&y=z/%", "Amazon RDS", "é+", ""] {
            assert_eq!(query_unescape(&encode_param_value(v)).unwrap(), v);
        }
        assert_eq!(query_unescape("%zz").unwrap_err().message, "invalid URL escape \"%zz\"");
        assert_eq!(path_unescape("a+b%2F").unwrap(), "a+b/");
    }
}
