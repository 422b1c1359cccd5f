//! URL-shaped forms: `postgres[ql]://`, `mysql://`, `mariadb://`,
//! `jdbc:postgresql:`, `jdbc:mysql:` and `jdbc:mariadb:`.
//!
//! ```text
//! scheme://[user[:password]@][host[:port][,host[:port]…]][/database][?key=value[&…]][#fragment]
//! ```
//!
//! The grammar is shared; the [`Dialect`] decides, through one [`Rules`]
//! value, the points where clients split the same bytes differently:
//!
//! - where the userinfo ends: libpq stops at the first `@` met before a `/`
//!   (its scan crosses `?`), WHATWG parsers at the last `@` of the
//!   authority, MySQL Shell at the first;
//! - whether commas separate hosts, and whether a port follows the first
//!   `:` of a host entry or the last one outside brackets (pgjdbc);
//! - how `[…]` IPv6 literals are read: libpq does not look inside the
//!   brackets and has its own error texts, WHATWG parsers require an IPv6
//!   address, pgjdbc keeps the brackets as part of the host;
//! - whether the scheme must be spelled exactly (libpq compares
//!   `postgresql://` and `postgres://` byte for byte, pgjdbc
//!   `jdbc:postgresql:`);
//! - whether each query parameter must have exactly one `=` (libpq) and
//!   whether `#` starts a fragment.
//!
//! Percent-decoding is a client decision and happens in [`crate::model`];
//! this module only splits. [`encode_query_component`] is the inverse the
//! fixer uses to write a query value that every client reads back intact.

use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Host, Param, ParseError, Span, Tree, Value, decode, is_secret_key};
use std::borrow::Cow;

/// Where the userinfo ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UserinfoEnd {
    /// At the first `@`, if it comes before the first `/` (libpq scans
    /// across `?` too: `fe-connect.c` `conninfo_uri_parse_options`).
    FirstAtBeforeSlash,
    /// At the first `@` before the query. MySQL Shell's `preprocess`
    /// (`mysqlshdk/libs/db/uri_parser.cc`) takes the first `@` of the whole
    /// rest, so the userinfo may hold `/`; an `@` that only comes after a
    /// `?` makes Shell fail, which the model reports.
    FirstAt,
    /// At the last `@` of the authority (WHATWG, RFC 3986 in practice).
    LastAt,
}

/// How a bracketed IPv6 literal is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Brackets {
    /// libpq: the content is not validated; after `]` only `:`, `/`, `?`,
    /// `,` or the end may follow; the search for `]` runs to the end of the
    /// string. Errors use libpq's texts.
    Libpq,
    /// WHATWG: the content must be an IPv6 address and `]` must be followed
    /// by `:` or the end of the authority.
    Whatwg,
    /// pgjdbc: brackets are part of the host text; the port follows the
    /// last `:` that comes after the last `]`.
    Kept,
}

/// How query parameters are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Query {
    /// `key[=value]` segments; a missing `=` or a second `=` is fine.
    Lenient,
    /// libpq: every non-final segment needs exactly one `=`.
    Strict,
}

/// Everything in which dialects differ, in one place.
#[derive(Clone, Copy, Debug)]
struct Rules {
    /// Schemes accepted byte for byte at the start of the string; `None`
    /// accepts any `scheme://`.
    exact_schemes: Option<&'static [&'static str]>,
    userinfo: UserinfoEnd,
    multi_host: bool,
    fragment: bool,
    brackets: Brackets,
    query: Query,
    /// MySQL Shell socket targets: `/path/sock[/schema]`, `./rel%2Fsock`,
    /// `(/path/to/mysql.sock)[/schema]`; a target starting with `/` or `.`
    /// runs to the last `/` before the query.
    sockets: bool,
}

const LIBPQ_SCHEMES: &[&str] = &["postgresql://", "postgres://"];
const PGJDBC_SCHEMES: &[&str] = &["jdbc:postgresql:"];

fn rules(dialect: Dialect) -> Rules {
    let whatwg = Rules {
        exact_schemes: None,
        userinfo: UserinfoEnd::LastAt,
        multi_host: false,
        fragment: true,
        brackets: Brackets::Whatwg,
        query: Query::Lenient,
        sockets: false,
    };
    match dialect {
        Dialect::Libpq => Rules {
            exact_schemes: Some(LIBPQ_SCHEMES),
            userinfo: UserinfoEnd::FirstAtBeforeSlash,
            multi_host: true,
            fragment: false,
            brackets: Brackets::Libpq,
            query: Query::Strict,
            sockets: false,
        },
        // pgjdbc has no userinfo; `user:password@` is still split off so
        // that a password written there is tokenized as a secret, and the
        // model reports that pgjdbc does not read it.
        Dialect::Pgjdbc => Rules {
            exact_schemes: Some(PGJDBC_SCHEMES),
            userinfo: UserinfoEnd::LastAt,
            multi_host: true,
            fragment: false,
            brackets: Brackets::Kept,
            query: Query::Lenient,
            sockets: false,
        },
        Dialect::MysqlShell => {
            Rules { userinfo: UserinfoEnd::FirstAt, fragment: false, brackets: Brackets::Libpq, sockets: true, ..whatwg }
        }
        Dialect::ConnectorJ => Rules { multi_host: true, brackets: Brackets::Libpq, ..whatwg },
        _ => whatwg,
    }
}

impl Rules {
    /// The bytes that end the authority.
    fn authority_stops(&self) -> &'static [u8] {
        if self.fragment { b"/?#" } else { b"/?" }
    }

    /// The bytes that end a host name: a port's `:`, a host list's `,`, the
    /// end of the authority.
    fn host_stops(&self) -> &'static ByteSet {
        static SETS: [ByteSet; 4] = [ByteSet::of(b":/?"), ByteSet::of(b":/?#"), ByteSet::of(b":,/?"), ByteSet::of(b":,/?#")];
        &SETS[usize::from(self.multi_host) * 2 + usize::from(self.fragment)]
    }

    /// The bytes that end a port (or a pgjdbc host entry).
    fn port_stops(&self) -> &'static [u8] {
        match (self.multi_host, self.fragment) {
            (false, false) => b"/?",
            (false, true) => b"/?#",
            (true, false) => b",/?",
            (true, true) => b",/?#",
        }
    }
}

/// Length of the scheme prefix, `://` included. For `jdbc:postgresql:` the
/// `//` is optional (`jdbc:postgresql:dbname`).
fn scheme_len(input: &str, form: Form, r: &Rules) -> Result<usize, ParseError> {
    if let Some(exact) = r.exact_schemes {
        if let Some(s) = exact.iter().find(|s| input.starts_with(**s)) {
            if form == Form::PgJdbc || *s == "jdbc:postgresql:" {
                return Ok(if input[s.len()..].starts_with("//") { s.len() + 2 } else { s.len() });
            }
            return Ok(s.len());
        }
        let end = input.find("://").map(|i| i + 3).or_else(|| input.find(':').map(|i| i + 1)).unwrap_or(0);
        // Quote only a scheme-shaped prefix: anything else may be a password.
        let shown = input
            .get(..end)
            .filter(|p| p.len() <= 32 && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.:/ \t".contains(&b)))
            .unwrap_or("");
        let message = if exact == LIBPQ_SCHEMES {
            // libpq parses the string as key=value pairs instead, which
            // fails on the first word (and would quote the password).
            format!(
                "\"{shown}\" is not a URI prefix libpq recognizes (only \"postgresql://\" and \"postgres://\", in lowercase, at the very start); libpq reads the string as key=value pairs and rejects it"
            )
        } else {
            format!("JDBC URL must start with \"jdbc:postgresql:\" (found \"{shown}\")")
        };
        return Err(ParseError::new(message, Span::new(0, end)).expected(exact.join(" or ")));
    }
    if form == Form::PgJdbc {
        let base = "jdbc:postgresql:".len();
        if input.len() >= base && input.is_char_boundary(base) && input[..base].eq_ignore_ascii_case("jdbc:postgresql:") {
            return Ok(if input[base..].starts_with("//") { base + 2 } else { base });
        }
    }
    input.find("://").map(|i| i + 3).ok_or_else(|| {
        ParseError::new("missing \"://\" after the scheme", Span::new(0, input.find(':').map_or(input.len(), |i| i + 1))).expected("://")
    })
}

/// The first position at or after `from` (and before `limit`) holding one
/// of `needles`, or `limit`. The hot scans of the parser go through here.
fn find_any(s: &str, from: usize, limit: usize, needles: &[u8]) -> usize {
    let limit = limit.min(s.len());
    let Some(hay) = s.as_bytes().get(from..limit) else { return limit };
    super::bytes::find_any(needles, hay).map_or(limit, |i| from + i)
}

/// A set of bytes, for scans that stop at any of more than three bytes.
struct ByteSet([bool; 256]);

impl ByteSet {
    const fn of(bytes: &[u8]) -> Self {
        let mut table = [false; 256];
        let mut i = 0;
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        ByteSet(table)
    }

    /// The first position at or after `from` (and before `limit`) holding a
    /// byte of the set, or `limit`.
    fn find(&self, s: &str, from: usize, limit: usize) -> usize {
        let limit = limit.min(s.len());
        let Some(hay) = s.as_bytes().get(from..limit) else { return limit };
        hay.iter().position(|&b| self.0[b as usize]).map_or(limit, |i| from + i)
    }
}

/// Parse a URL-shaped connection string.
pub fn parse(input: &str, form: Form, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    let r = rules(dialect);
    let scheme_end = scheme_len(input, form, &r)?;
    let mut b = TreeBuilder::new(input, form, dialect);
    let bytes = input.as_bytes();
    let scheme = b.token(K::Scheme, scheme_end);
    b.tree_mut().scheme = Some(scheme);
    let has_authority = input[..scheme_end].ends_with("//");
    // Password text (as parsed and as meant), never quoted in an error.
    let mut hidden_after: [Option<Span>; 2] = [None, None];
    // Whether the password the writer meant may differ from the one the
    // client reads: only when an `@` is not where the client ends the
    // userinfo (so, for most strings, the search is skipped).
    let mut check_intended = false;

    if has_authority {
        let authority_end = find_any(input, scheme_end, input.len(), r.authority_stops());
        let at = match r.userinfo {
            UserinfoEnd::FirstAtBeforeSlash => {
                let stop = find_any(input, scheme_end, input.len(), b"@/");
                (bytes.get(stop) == Some(&b'@')).then_some(stop)
            }
            UserinfoEnd::FirstAt => {
                let query = find_any(input, scheme_end, input.len(), b"?");
                Some(find_any(input, scheme_end, query, b"@")).filter(|&i| i < query)
            }
            UserinfoEnd::LastAt => input[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i),
        };
        check_intended = match super::bytes::find(b'@', bytes) {
            None => false,
            Some(first) => at != Some(first) || super::bytes::find(b'@', &bytes[first + 1..]).is_some(),
        };
        if let Some(at) = at {
            let colon = Some(find_any(input, scheme_end, at, b":")).filter(|&i| i < at);
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
            // libpq looks for `]` up to the end of the string; everyone else
            // stays inside the authority.
            let limit =
                if r.brackets == Brackets::Libpq { input.len() } else { find_any(input, b.pos(), input.len(), r.authority_stops()) };
            hidden_after[0] = b.tree_mut().password;
            // With one `@` at most, every client ends the userinfo at it: the
            // password the writer meant is the one just read.
            if check_intended {
                hidden_after[1] = intended_userinfo(input, scheme_end).and_then(|u| u.password);
            }
            parse_hosts(&mut b, &r, limit, &hidden_after)?;
        }
    }

    // Path: the database.
    let pos = b.pos();
    let path_start = if has_authority {
        (bytes.get(pos) == Some(&b'/')).then(|| {
            b.token(K::Slash, pos + 1);
            pos + 1
        })
    } else {
        Some(pos)
    };
    if let Some(start) = path_start {
        let end = find_any(input, start, input.len(), if r.fragment { b"?#" } else { b"?" });
        let db = b.token(K::Database, end);
        if !db.is_empty() {
            b.tree_mut().database = Some(db);
        }
    }

    // Query.
    if bytes.get(b.pos()) == Some(&b'?') {
        let q = b.pos();
        b.token(K::Question, q + 1);
        parse_query(&mut b, &r, &hidden_after)?;
    }

    // Fragment.
    if r.fragment && bytes.get(b.pos()) == Some(&b'#') {
        let f = b.token(K::Fragment, input.len());
        b.tree_mut().fragment = Some(f);
    }
    if check_intended {
        protect_intended_password(&mut b);
    }
    b.finish()
}

/// The text of `span` for an error message, unless it is password text.
fn quote<'a>(input: &'a str, span: Span, hidden: &[Option<Span>]) -> &'a str {
    if hidden.iter().flatten().any(|h| h.overlaps(span)) { "<redacted>" } else { span.text(input) }
}

/// The character at `at`, for messages.
fn char_at(input: &str, at: usize) -> char {
    input.get(at..).and_then(|s| s.chars().next()).unwrap_or('\u{fffd}')
}

/// `host[:port][,host[:port]…]`, IPv6 literals in brackets.
fn parse_hosts(b: &mut TreeBuilder<'_>, r: &Rules, limit: usize, hidden: &[Option<Span>]) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    let (stops_host, stops_port) = (r.host_stops(), r.port_stops());
    // Most strings name one host: room for exactly that.
    b.tree_mut().hosts.reserve_exact(1);
    loop {
        let start = b.pos();
        let mut host = Host { span: Span::empty(start), ..Host::default() };
        if r.brackets == Brackets::Kept {
            let end = find_any(input, start, limit, stops_port);
            let entry = &input[start..end];
            let colon = entry.rfind(':').filter(|&c| entry.rfind(']').is_none_or(|br| br < c));
            let name = b.token(K::Host, colon.map_or(end, |c| start + c));
            if !name.is_empty() {
                host.name = Some(name);
            }
            host.bracketed = entry.starts_with('[');
            if let Some(c) = colon {
                b.token(K::Colon, start + c + 1);
                host.port = Some(b.token(K::Port, end));
            }
        } else if bytes.get(start) == Some(&b'[') {
            parse_bracketed(b, r, limit, &mut host, hidden)?;
        } else {
            let end = stops_host.find(input, start, limit);
            let name = b.token(K::Host, end);
            if !name.is_empty() {
                host.name = Some(name);
            }
        }
        if r.brackets != Brackets::Kept && bytes.get(b.pos()) == Some(&b':') && b.pos() < limit {
            let colon = b.pos();
            b.token(K::Colon, colon + 1);
            let end = find_any(input, colon + 1, limit, stops_port);
            host.port = Some(b.token(K::Port, end));
        }
        host.span = Span::new(start, b.pos());
        b.tree_mut().hosts.push(host);
        if r.multi_host && bytes.get(b.pos()) == Some(&b',') && b.pos() < limit {
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
    let query = find_any(input, start, input.len(), b"?");
    let mut host = Host { span: Span::empty(start), ..Host::default() };
    let close = (input.as_bytes().get(start) == Some(&b'(')).then(|| input[start..query].find(')').map(|i| start + i)).flatten();
    if let Some(close) = close {
        b.token(K::Paren, start + 1);
        host.name = Some(b.token(K::Host, close));
        b.token(K::Paren, close + 1);
        b.token(K::Host, find_any(input, close + 1, input.len(), b"/?"));
    } else {
        let end = input.get(start + 1..query).and_then(|t| t.rfind('/')).map_or(query, |i| start + 1 + i);
        host.name = Some(b.token(K::Host, end));
    }
    host.span = Span::new(start, b.pos());
    b.tree_mut().hosts.push(host);
}

/// `[…]` at the current position.
fn parse_bracketed(b: &mut TreeBuilder<'_>, r: &Rules, limit: usize, host: &mut Host, hidden: &[Option<Span>]) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    let start = b.pos();
    let libpq = r.brackets == Brackets::Libpq;
    let invalid = |span: Span| ParseError::new("invalid IPv6 address", span).expected("an IPv6 address in \"[\" \"]\"");
    let close = input[start..limit].find(']').map(|i| start + i).ok_or_else(|| {
        if libpq {
            ParseError::new(
                "end of string reached when looking for matching \"]\" in IPv6 host address in URI",
                Span::new(start, input.len()),
            )
            .expected("]")
        } else {
            invalid(Span::new(start, limit))
        }
    })?;
    if close == start + 1 {
        return Err(if libpq {
            ParseError::new("IPv6 host address may not be empty in URI", Span::new(start, close + 1)).expected("an IPv6 address")
        } else {
            invalid(Span::new(start, close + 1))
        });
    }
    if !libpq && input[start + 1..close].parse::<std::net::Ipv6Addr>().is_err() {
        return Err(invalid(Span::new(start, close + 1)));
    }
    b.token(K::Bracket, start + 1);
    host.name = Some(b.token(K::Host, close));
    b.token(K::Bracket, close + 1);
    host.bracketed = true;
    let after = close + 1;
    let ok = match bytes.get(after) {
        None => true,
        Some(&c) if libpq => matches!(c, b':' | b'/' | b'?' | b','),
        Some(&c) => c == b':' || after >= limit || (r.multi_host && c == b','),
    };
    if ok {
        return Ok(());
    }
    let ch_len = char_at(input, after).len_utf8();
    let ch = quote(input, Span::new(after, after + ch_len), hidden);
    Err(if libpq {
        ParseError::new(
            format!("unexpected character \"{ch}\" at position {} in URI (expected \":\" or \"/\")", after + 1),
            Span::new(after, after + ch_len),
        )
        .expected("\":\" or \"/\"")
    } else {
        invalid(Span::new(start, find_any(input, after, limit, b":")))
    })
}

/// `key=value[&key=value…]` up to the end or the fragment. Empty segments
/// (`&&`) are separators only.
fn parse_query(b: &mut TreeBuilder<'_>, r: &Rules, hidden: &[Option<Span>]) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    let query_end = if r.fragment { find_any(input, b.pos(), input.len(), b"#") } else { input.len() };
    while b.pos() < query_end {
        let start = b.pos();
        let seg_end = find_any(input, start, query_end, b"&");
        let eq = Some(find_any(input, start, seg_end, b"=")).filter(|&i| i < seg_end);
        if r.query == Query::Strict {
            // conninfo_uri_parse_params: exactly one '=' per parameter.
            match eq {
                None => {
                    let shown = quote(input, Span::new(start, seg_end), hidden);
                    return Err(ParseError::new(
                        format!("missing key/value separator \"=\" in URI query parameter: \"{shown}\""),
                        Span::new(start, seg_end.max(start + 1).min(input.len())),
                    )
                    .expected("="));
                }
                Some(eq) => {
                    let at = find_any(input, eq + 1, seg_end, b"=");
                    if at < seg_end {
                        return Err(ParseError::new(
                            format!(
                                "extra key/value separator \"=\" in URI query parameter: \"{}\"",
                                quote(input, Span::new(start, eq), hidden)
                            ),
                            Span::new(at, at + 1),
                        )
                        .expected("& or the end of the parameter"));
                    }
                }
            }
        }
        if seg_end > start {
            let key = b.token(K::Key, eq.unwrap_or(seg_end));
            let mut param = Param { span: Span::new(start, seg_end), key, eq: None, value: None };
            if let Some(eq) = eq {
                param.eq = Some(b.token(K::Equals, eq + 1));
                let v = b.token(K::Value, seg_end);
                if is_secret_key(&decode::percent_lenient(key.text(input), false)) {
                    b.retag(v, K::SecretValue);
                }
                param.value = Some(Value::bare(v));
            }
            b.tree_mut().params.push(param);
        }
        if bytes.get(seg_end) == Some(&b'&') && seg_end < query_end {
            b.token(K::Separator, seg_end + 1);
        } else {
            break;
        }
    }
    Ok(())
}

/// A user name and password as the writer of a URL most likely meant them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntendedUserinfo {
    /// The user name (possibly empty).
    pub user: Span,
    /// The password, after the first `:`.
    pub password: Option<Span>,
}

/// The userinfo the writer of `input` most likely meant: up to the last
/// `@` that is followed by something shaped like a host list, is not in
/// the query (no `?…=` before it) and not in the database name (a `/`
/// before it must follow `user:password-text`, not `host:port`).
///
/// Clients disagree about an unencoded `@`, `/`, `?` or `#` in a password
/// (libpq ends the userinfo at the first `@`, WHATWG parsers end the
/// authority at `/`, `?` and `#`); this is what the fix aims at, so that
/// percent-encoding exactly these spans makes every client agree.
pub fn intended_userinfo(input: &str, authority_start: usize) -> Option<IntendedUserinfo> {
    let rest = input.get(authority_start..)?;
    let mut search_end = rest.len();
    while let Some(at) = rest[..search_end].rfind('@') {
        search_end = at;
        let prefix = &rest[..at];
        if plausible_userinfo(prefix) && plausible_hosts(&rest[at + 1..]) {
            let colon = prefix.find(':');
            let user = Span::new(authority_start, authority_start + colon.unwrap_or(at));
            let password = colon.map(|c| Span::new(authority_start + c + 1, authority_start + at));
            return Some(IntendedUserinfo { user, password });
        }
    }
    None
}

fn plausible_userinfo(prefix: &str) -> bool {
    // No query before the '@'.
    if let Some(q) = prefix.find('?') {
        if prefix[q..].contains('=') {
            return false;
        }
    }
    let Some(slash) = prefix.find('/') else { return true };
    // A '/' is part of a password only after "user:"; "host:5432/db@x" is a database name.
    match prefix.find(':') {
        Some(colon) if colon < slash => {
            let between = &prefix[colon + 1..slash];
            between.is_empty() || !between.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn plausible_hosts(after: &str) -> bool {
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    after[..end].bytes().all(|b| b.is_ascii_alphanumeric() || b".-_~%:[],".contains(&b))
}

/// Tag as secret every token that overlaps the password the writer meant
/// when the client splits it elsewhere (`u:p@ss@host` in libpq puts `ss` in
/// the host; `u:pa/ss@host` puts `pa` in the port): the text is still a
/// password and must never be printed.
fn protect_intended_password(b: &mut TreeBuilder<'_>) {
    let tree = b.tree_mut();
    let Some(scheme) = tree.scheme else { return };
    if !tree.source()[..scheme.end].ends_with("//") {
        return;
    }
    let Some(pw) = intended_userinfo(tree.source(), scheme.end).and_then(|u| u.password) else { return };
    if tree.password == Some(pw) || pw.is_empty() {
        return;
    }
    // Tokens that straddle the password's edges are split there, so that
    // only the password's own bytes become secret (`p@ss@host` keeps `host`).
    let mut tokens = Vec::with_capacity(tree.tokens.len() + 2);
    for t in tree.tokens.drain(..) {
        if !t.span.overlaps(pw) || t.kind.is_secret() || matches!(t.kind, K::Colon | K::At | K::Scheme) {
            tokens.push(t);
            continue;
        }
        let (start, end) = (t.span.start.max(pw.start), t.span.end.min(pw.end));
        if t.span.start < start {
            tokens.push(super::Token { kind: t.kind, span: Span::new(t.span.start, start) });
        }
        tokens.push(super::Token { kind: K::Password, span: Span::new(start, end) });
        if end < t.span.end {
            tokens.push(super::Token { kind: t.kind, span: Span::new(end, t.span.end) });
        }
    }
    tree.tokens = tokens;
}

/// Percent-encode `value` for a URL query parameter so that libpq, WHATWG
/// parsers (node-postgres, Prisma, mysql2) and pgjdbc all decode it back
/// to exactly `value`: everything except RFC 3986 unreserved characters and
/// `/`, `:` and `,` is encoded (`+` and space too, since form decoding
/// turns `+` into a space and libpq 18 rejects raw spaces; `@`, since
/// libpq's userinfo scan crosses the query). NUL cannot be carried by
/// libpq at all (`%00` is rejected).
pub fn encode_query_component(value: &str) -> Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b':' | b',');
    if value.bytes().all(keep) {
        return Cow::Borrowed(value);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len() + 8);
    for &b in value.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    Cow::Owned(out)
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

    fn libpq(s: &str) -> Result<Tree<'_>, ParseError> {
        parse(s, Form::PostgresUrl, Dialect::Libpq)
    }

    #[test]
    fn libpq_splits_userinfo_at_first_at() {
        let s = "postgresql://u:p@ss@host:5432/db?sslmode=require";
        let t = libpq(s).unwrap();
        assert_eq!(t.to_source(), s);
        let (u, p, hosts, db, params) = texts(&t);
        assert_eq!((u, p), (Some("u"), Some("p")));
        assert_eq!(hosts, vec![("ss@host", Some("5432"))]);
        assert_eq!(db, Some("db"));
        assert_eq!(params, vec![("sslmode", Some("require"))]);
        // The rest of the password the writer meant is still secret, and only that:
        // the host token is split where the intended password ends.
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["p", "ss"]);
    }

    #[test]
    fn libpq_userinfo_scan_crosses_the_query() {
        // conninfo_uri_parse_options looks for '@' or '/' from the start.
        let t = libpq("postgresql://host?user=a@b").unwrap();
        assert_eq!(t.user.map(|s| t.text(s)), Some("host?user=a"));
        assert_eq!(texts(&t).2, vec![("b", None)]);
        let t = libpq("postgresql://h/db?user=a@b").unwrap();
        assert_eq!(t.user, None);
        assert_eq!(t.database.map(|s| t.text(s)), Some("db"));
    }

    #[test]
    fn libpq_dbname_keeps_slashes_and_query_keeps_question_marks() {
        let t = libpq("postgresql://h/a/b?x=?y").unwrap();
        assert_eq!(t.database.map(|s| t.text(s)), Some("a/b"));
        assert_eq!(texts(&t).4, vec![("x", Some("?y"))]);
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
    fn whatwg_has_one_host_and_validates_ipv6() {
        let t = parse("postgres://h1:5432,h2:5433/db", Form::PostgresUrl, Dialect::Whatwg).unwrap();
        assert_eq!(texts(&t).2, vec![("h1", Some("5432,h2:5433"))]);
        let t = parse("postgres://[2001:db8::1]:5432/db", Form::PostgresUrl, Dialect::Whatwg).unwrap();
        assert_eq!(texts(&t).2, vec![("2001:db8::1", Some("5432"))]);
        for bad in ["postgres://[200z::1]/", "postgres://[::1", "postgres://[]/", "postgres://[::1]x/"] {
            let e = parse(bad, Form::PostgresUrl, Dialect::Whatwg).unwrap_err();
            assert_eq!(e.message, "invalid IPv6 address", "{bad}");
        }
    }

    #[test]
    fn multi_host_and_ipv6() {
        let s = "postgres://[::1]:5432,h2,h3:5433/db";
        let t = libpq(s).unwrap();
        let (_, _, hosts, db, _) = texts(&t);
        assert_eq!(hosts, vec![("::1", Some("5432")), ("h2", None), ("h3", Some("5433"))]);
        assert!(t.hosts[0].bracketed);
        assert_eq!(db, Some("db"));
        // libpq does not look inside the brackets and searches ']' to the end.
        let t = libpq("postgresql://[200z:db8::1234]/").unwrap();
        assert_eq!(texts(&t).2, vec![("200z:db8::1234", None)]);
        let t = libpq("postgres://[::1/x]").unwrap();
        assert_eq!(texts(&t).2, vec![("::1/x", None)]);
    }

    #[test]
    fn libpq_netloc_errors() {
        let e = libpq("postgres://[::1]z").unwrap_err();
        assert_eq!(e.message, "unexpected character \"z\" at position 17 in URI (expected \":\" or \"/\")");
        assert_eq!(e.span, Span::new(16, 17));
        let e = libpq("postgres://[::1").unwrap_err();
        assert_eq!(e.message, "end of string reached when looking for matching \"]\" in IPv6 host address in URI");
        let e = libpq("postgres://[]").unwrap_err();
        assert_eq!(e.message, "IPv6 host address may not be empty in URI");
    }

    #[test]
    fn libpq_empty_port_and_empty_hosts() {
        let t = libpq("postgres://host:/").unwrap();
        assert_eq!(texts(&t).2, vec![("host", Some(""))]);
        let t = libpq("postgres://:12345/").unwrap();
        assert_eq!(texts(&t).2, vec![("", Some("12345"))]);
        let t = libpq("postgres://h1,,h3").unwrap();
        assert_eq!(texts(&t).2, vec![("h1", None), ("", None), ("h3", None)]);
        assert!(libpq("postgres:///").unwrap().hosts.is_empty());
    }

    #[test]
    fn libpq_query_needs_exactly_one_equals() {
        let e = libpq("postgresql://host?zzz").unwrap_err();
        assert_eq!(e.message, "missing key/value separator \"=\" in URI query parameter: \"zzz\"");
        let e = libpq("postgresql://host?value1&value2").unwrap_err();
        assert_eq!(e.message, "missing key/value separator \"=\" in URI query parameter: \"value1\"");
        let e = libpq("postgresql://host?key=key=value").unwrap_err();
        assert_eq!(e.message, "extra key/value separator \"=\" in URI query parameter: \"key\"");
        let e = libpq("postgresql://host?a=1&&b=2").unwrap_err();
        assert_eq!(e.message, "missing key/value separator \"=\" in URI query parameter: \"\"");
        // A trailing '&' and an empty query are fine.
        assert_eq!(texts(&libpq("postgresql://host?a=1&").unwrap()).4, vec![("a", Some("1"))]);
        assert!(libpq("postgresql://host?").unwrap().params.is_empty());
    }

    #[test]
    fn libpq_scheme_must_be_exact() {
        for s in ["POSTGRESQL://h", " postgresql://h", "Postgres://u:secret@h"] {
            let e = libpq(s).unwrap_err();
            assert!(e.message.contains("not a URI prefix libpq recognizes"), "{s}: {}", e.message);
            assert!(!e.message.contains("secret"));
        }
    }

    #[test]
    fn lenient_query_shapes() {
        let s = "postgresql://host?a=1&&b&c=x=y&";
        let t = parse(s, Form::PostgresUrl, Dialect::Whatwg).unwrap();
        assert_eq!(t.to_source(), s);
        assert_eq!(texts(&t).4, vec![("a", Some("1")), ("b", None), ("c", Some("x=y"))]);
    }

    #[test]
    fn passwords_are_secret_tokens() {
        let s = "mysql://u:hunter2@h/db?password=x&pass%77ord=y";
        let t = parse(s, Form::MysqlUrl, Dialect::Whatwg).unwrap();
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["hunter2", "x", "y"]);
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
    fn jdbc_postgres_forms() {
        let pg = |s| parse(s, Form::PgJdbc, Dialect::Pgjdbc);
        let t = pg("jdbc:postgresql:test").unwrap();
        assert_eq!(t.database.map(|s| t.text(s)), Some("test"));
        assert!(t.hosts.is_empty());
        let t = pg("jdbc:postgresql:/test").unwrap();
        assert_eq!(t.database.map(|s| t.text(s)), Some("/test"));
        let t = pg("jdbc:postgresql://[::1]:5433,:5434,[::1]/test?ssl").unwrap();
        let (_, _, hosts, db, params) = texts(&t);
        assert_eq!(hosts, vec![("[::1]", Some("5433")), ("", Some("5434")), ("[::1]", None)]);
        assert_eq!(db, Some("test"));
        assert_eq!(params, vec![("ssl", None)]);
        let t = pg("jdbc:postgresql://a:b:5432/db").unwrap();
        assert_eq!(texts(&t).2, vec![("a:b", Some("5432"))]);
        let t = pg("jdbc:postgresql:////").unwrap();
        assert_eq!(t.database.map(|s| t.text(s)), Some("/"));
        assert!(pg("JDBC:postgresql://h/db").is_err());
        assert!(pg("jdbc:postgres:test").is_err());
    }

    #[test]
    fn intended_userinfo_heuristic() {
        type Want<'a> = Option<(&'a str, Option<&'a str>)>;
        let cases: &[(&str, Want<'_>)] = &[
            ("postgresql://u:p@ss@host/db", Some(("u", Some("p@ss")))),
            ("postgresql://u:pa/ss@host/db", Some(("u", Some("pa/ss")))),
            ("postgresql://u:p#ss@host:5432/db", Some(("u", Some("p#ss")))),
            ("postgresql://u:p?ss@host/db", Some(("u", Some("p?ss")))),
            ("postgresql://h/db?user=a@b", None),
            ("postgresql://host/my@db", None),
            ("postgresql://host:5432/my@db", None),
            ("postgresql://u@h/db?x=a@b", Some(("u", None))),
        ];
        for (s, want) in cases {
            let got = intended_userinfo(s, s.find("://").unwrap() + 3).map(|u| (u.user.text(s), u.password.map(|p| p.text(s))));
            assert_eq!(got, *want, "{s}");
        }
    }

    #[test]
    fn encodes_query_components() {
        assert_eq!(encode_query_component("verify-full"), "verify-full");
        assert_eq!(encode_query_component("/var/run/postgresql"), "/var/run/postgresql");
        assert_eq!(encode_query_component("a b&c=d+e@f#%"), "a%20b%26c%3Dd%2Be%40f%23%25");
        assert_eq!(encode_query_component("é"), "%C3%A9");
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "postgres://",
            "postgresql://[",
            "postgresql://@",
            "jdbc:postgresql:",
            "jdbc:postgresql://",
            "postgres://é[é",
            "postgresql://a?&",
        ] {
            for d in [Dialect::Libpq, Dialect::Whatwg, Dialect::Pgjdbc, Dialect::MysqlShell] {
                for f in [Form::PostgresUrl, Form::PgJdbc, Form::MysqlUrl] {
                    if let Ok(t) = parse(s, f, d) {
                        assert_eq!(t.to_source(), s);
                    }
                }
            }
        }
    }
}
