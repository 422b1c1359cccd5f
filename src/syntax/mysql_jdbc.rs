//! `jdbc:mysql:` and `jdbc:mariadb:` URLs, split as MySQL Connector/J's
//! `ConnectionUrlParser` does (`mysql/mysql-connector-j`,
//! `src/main/core-api/java/com/mysql/cj/conf/ConnectionUrlParser.java`).
//!
//! ```text
//! scheme [ws] [//authority] [/path] [?query] [ws #fragment]
//! scheme    := [\w+:%]+   (jdbc:mysql:, jdbc:mysql:loadbalance:, jdbc:mysql+srv: …)
//! authority := segment [, segment]…        (commas inside [] and () do not split)
//! segment   := [user[:password]@] host
//! host      := name[:port] | [IPv6][:port] | [host, host…]
//!            | (key=value, key=value…) | address=(key=value)(key=value)…
//! query     := key[=value] [& key[=value]]…   (key chars: \w . - % and spaces)
//! ```
//!
//! Whitespace around every part is tolerated and kept as tokens. The
//! userinfo of a segment ends at its **first** `@` and the user at the
//! first `:`; the authority ends at the first `/`, `?` or `#`, so a
//! password holding one of those is cut short (the model reports it).
//! Per-host `key=value` properties go to [`Tree::host_params`]. Nothing is
//! decoded here: Connector/J `URLDecoder`-decodes user, password, host,
//! port, path, keys and values (`+` becomes a space), see [`decode_value`].

use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Host, Param, ParseError, Span, Tree, Value, decode, is_secret_key};
use std::borrow::Cow;

/// Schemes Connector/J (`ConnectionUrl.Type`) and MariaDB Connector/J accept, lowercase.
pub const SCHEMES: &[&str] = &[
    "jdbc:mysql:",
    "jdbc:mysql:loadbalance:",
    "jdbc:mysql:replication:",
    "jdbc:mysql+srv:",
    "jdbc:mysql+srv:loadbalance:",
    "jdbc:mysql+srv:replication:",
    "jdbc:mariadb:",
    "jdbc:mariadb:loadbalance:",
    "jdbc:mariadb:replication:",
    "jdbc:mariadb:sequential:",
    "jdbc:mariadb:aurora:",
];

/// `ConnectionString.1` in Connector/J's `LocalizedErrorMessages.properties`.
pub const ERR_MAIN: &str = "Malformed database URL, failed to parse the main URL sections.";

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Java's `String.trim()` bounds: bytes `<= ' '` at both ends.
fn trim_bounds(s: &str, start: usize, end: usize) -> (usize, usize) {
    let bytes = s.as_bytes();
    let mut a = start;
    let mut z = end;
    while a < z && bytes.get(a).is_some_and(|&c| c <= b' ') {
        a += 1;
    }
    while z > a && bytes.get(z - 1).is_some_and(|&c| c <= b' ') {
        z -= 1;
    }
    (a, z)
}

fn find(s: &str, from: usize, to: usize, pred: impl Fn(u8) -> bool) -> Option<usize> {
    s.as_bytes().get(from..to)?.iter().position(|&c| pred(c)).map(|i| from + i)
}

/// Emit whitespace, then `kind` over the trimmed text up to `end`, then
/// trailing whitespace. Returns the trimmed span (empty when blank).
fn trimmed(b: &mut TreeBuilder<'_>, kind: K, end: usize) -> Span {
    let (a, z) = trim_bounds(b.src(), b.pos(), end);
    b.token(K::Whitespace, a);
    let span = b.token(kind, z);
    b.token(K::Whitespace, end);
    span
}

fn whitespace(b: &mut TreeBuilder<'_>, end: usize) {
    let bytes = b.src().as_bytes();
    let mut p = b.pos();
    while p < end && bytes.get(p).is_some_and(|&c| is_ws(c)) {
        p += 1;
    }
    b.token(K::Whitespace, p);
}

/// Parse a `jdbc:mysql:` / `jdbc:mariadb:` URL.
pub fn parse(input: &str, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    let mut b = TreeBuilder::new(input, Form::MysqlJdbc, dialect);
    let bytes = input.as_bytes();
    let len = input.len();

    // scheme := [\w+:%]+
    let scheme_end = bytes.iter().position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b':' | b'%'))).unwrap_or(len);
    let scheme_text = &input[..scheme_end];
    if scheme_end == 0 {
        return Err(ParseError::new(ERR_MAIN, Span::new(0, len.min(1))).expected("jdbc:mysql: or jdbc:mariadb:"));
    }
    if !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme_text)) {
        return Err(ParseError::new(format!("unsupported JDBC URL scheme \"{scheme_text}\""), Span::new(0, scheme_end))
            .expected(SCHEMES.join(", ")));
    }
    let scheme = b.token(K::Scheme, scheme_end);
    b.tree_mut().scheme = Some(scheme);
    whitespace(&mut b, len);

    // (?://(?<authority>[^/?#]*))?
    if input[b.pos()..].starts_with("//") {
        let p = b.pos();
        let s = b.token(K::Scheme, p + 2);
        if s.start == scheme.end {
            b.tree_mut().scheme = Some(scheme.cover(s));
        }
        let auth_end = find(input, p + 2, len, |c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(len);
        authority(&mut b, auth_end)?;
    }
    whitespace(&mut b, len);

    // (?:/(?!\s*/)(?<path>[^?#]*))?
    if bytes.get(b.pos()) == Some(&b'/') {
        let p = b.pos();
        let after = find(input, p + 1, len, |c| !is_ws(c));
        if after.and_then(|i| bytes.get(i)) == Some(&b'/') {
            return Err(ParseError::new(ERR_MAIN, Span::new(p, len)));
        }
        b.token(K::Slash, p + 1);
        let end = find(input, p + 1, len, |c| c == b'?' || c == b'#').unwrap_or(len);
        let db = trimmed(&mut b, K::Database, end);
        if !db.is_empty() {
            b.tree_mut().database = Some(db);
        }
    }

    // (?:\?(?!\s*\?)(?<query>[^#]*))?
    if bytes.get(b.pos()) == Some(&b'?') {
        let p = b.pos();
        let after = find(input, p + 1, len, |c| !is_ws(c));
        if after.and_then(|i| bytes.get(i)) == Some(&b'?') {
            return Err(ParseError::new(ERR_MAIN, Span::new(p, len)));
        }
        b.token(K::Question, p + 1);
        let end = find(input, p + 1, len, |c| c == b'#').unwrap_or(len);
        query(&mut b, end)?;
    }

    // (?:\s*#(?<fragment>.*))?  — `.` stops at line terminators.
    whitespace(&mut b, len);
    if bytes.get(b.pos()) == Some(&b'#') {
        let rest = &input[b.pos()..];
        if rest.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            return Err(ParseError::new(ERR_MAIN, Span::new(b.pos(), len)));
        }
        let f = b.token(K::Fragment, len);
        b.tree_mut().fragment = Some(f);
    }
    if b.pos() != len {
        return Err(ParseError::new(ERR_MAIN, Span::new(b.pos(), len)));
    }
    // A password holding `/`, `?` or `#` ends the authority early and its
    // tail lands in the path or query: keep those bytes secret all the same.
    if let Some((_, pw)) = intended_userinfo(input) {
        if b.tree_mut().password.is_none_or(|p| p != pw) {
            b.retag(pw, K::Password);
        }
    }
    b.finish()
}

/// The user and password spans a URL's author most likely meant, when the
/// string holds an `@` followed by a host and preceded by `user:password`:
/// the last such `@` after `//`. Reserved characters in the password
/// (`@ / ? # ,`) make clients split the string elsewhere; this is the text
/// that percent-encoding must cover. `None` without `//`, `@` or `:`.
pub fn intended_userinfo(input: &str) -> Option<(Span, Span)> {
    let start = input.find("//")? + 2;
    let rest = &input[start..];
    let mut search_end = rest.len();
    // Bounded: a string with thousands of '@' is no connection string worth guessing about.
    for _ in 0..32 {
        let Some(at) = rest[..search_end].rfind('@') else { break };
        search_end = at;
        let after = &rest[at + 1..];
        let host_len = after.find(['/', '?', '#']).unwrap_or(after.len());
        let host = &after[..host_len];
        let host_like = !host.trim().is_empty()
            && host.bytes().all(|c| c.is_ascii_alphanumeric() || b".-_:[]%,()= ".contains(&c))
            && !host.contains('@');
        let prefix = &rest[..at];
        let Some(colon) = prefix.find(':') else { continue };
        let user = &prefix[..colon];
        let password = &prefix[colon + 1..];
        let looks_like_query = password.contains('?') && password.contains('=');
        if host_like && !looks_like_query && !user.contains(['/', '?', '#', '@']) {
            let user_span = Span::new(start, start + colon);
            return Some((user_span, Span::new(start + colon + 1, start + at)));
        }
    }
    None
}

/// Split `[from, to)` at commas that are not inside `[…]` or `(…)`.
fn split_top_level(s: &str, from: usize, to: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    for (i, &c) in s.as_bytes().get(from..to).unwrap_or(&[]).iter().enumerate() {
        match c {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push((start, from + i));
                start = from + i + 1;
            }
            _ => {}
        }
    }
    out.push((start, to));
    out
}

/// `ConnectionString.2`: a segment no host syntax accepts.
fn bad_segment(span: Span) -> ParseError {
    ParseError::new("Malformed database URL, failed to parse the URL authority segment", span)
}

fn authority(b: &mut TreeBuilder<'_>, end: usize) -> Result<(), ParseError> {
    let input = b.src();
    let start = b.pos();
    if start == end {
        // Connector/J adds one empty, default host.
        b.tree_mut().hosts.push(Host { span: Span::empty(start), ..Host::default() });
        return Ok(());
    }
    let segments = split_top_level(input, start, end);
    let count = segments.len();
    for (i, (s, e)) in segments.into_iter().enumerate() {
        segment(b, s, e)?;
        if i + 1 < count {
            b.token(K::Comma, e + 1);
        }
    }
    Ok(())
}

/// `[user[:password]@]hostinfo`: the userinfo ends at the first `@`.
fn segment(b: &mut TreeBuilder<'_>, start: usize, end: usize) -> Result<(), ParseError> {
    let input = b.src();
    let (mut user, mut password) = (None, None);
    if let Some(at) = find(input, start, end, |c| c == b'@') {
        let colon = find(input, start, at, |c| c == b':');
        let u = trimmed(b, K::User, colon.unwrap_or(at));
        user = Some(u);
        if let Some(colon) = colon {
            b.token(K::Colon, colon + 1);
            password = Some(trimmed(b, K::Password, at));
        }
        b.token(K::At, at + 1);
        if b.tree_mut().user.is_none() {
            b.tree_mut().user = user;
            b.tree_mut().password = password;
        }
    }
    let (hs, he) = trim_bounds(input, b.pos(), end);
    b.token(K::Whitespace, hs);
    let text = &input[hs..he];
    let mut hosts = Vec::new();
    if text.starts_with('[') && !ipv6_host(text) && text.ends_with(']') && text.len() >= 2 {
        // A sub-list of hosts sharing this userinfo.
        b.token(K::Bracket, hs + 1);
        let items = split_top_level(input, hs + 1, he - 1);
        let n = items.len();
        for (i, (s, e)) in items.into_iter().enumerate() {
            let (is, ie) = trim_bounds(input, s, e);
            if find(input, is, ie, |c| c == b'@').is_some() {
                return Err(bad_segment(Span::new(start, end)));
            }
            b.token(K::Whitespace, is);
            hosts.push(host(b, is, ie)?);
            b.token(K::Whitespace, e);
            if i + 1 < n {
                b.token(K::Comma, e + 1);
            }
        }
        b.token(K::Bracket, he);
    } else {
        hosts.push(host(b, hs, he)?);
    }
    b.token(K::Whitespace, end);
    for mut h in hosts {
        h.user = user;
        h.password = password;
        b.tree_mut().hosts.push(h);
    }
    Ok(())
}

/// Whether `text` is `[IPv6]` or `[IPv6]:port`, which `java.net.URI`
/// parses before any other host syntax is tried.
fn ipv6_host(text: &str) -> bool {
    if !text.starts_with('[') {
        return false;
    }
    let Some(close) = text.find(']') else { return false };
    let inner = &text[1..close];
    let (addr, zone) = inner.split_once('%').unwrap_or((inner, ""));
    let addr_ok = addr.contains(':') && addr.bytes().all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
    let zone_ok = zone.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'~' | b'%'));
    let rest = &text[close + 1..];
    let rest_ok = rest.is_empty() || (rest.starts_with(':') && rest[1..].bytes().all(|c| c.is_ascii_digit()));
    addr_ok && zone_ok && rest_ok
}

/// One host entry over `[start, end)` (already trimmed).
fn host(b: &mut TreeBuilder<'_>, start: usize, end: usize) -> Result<Host, ParseError> {
    let input = b.src();
    let text = &input[start..end];
    let mut host = Host { span: Span::new(start, end), ..Host::default() };
    if text.is_empty() {
        return Ok(host);
    }
    if text.starts_with('(') && text.ends_with(')') && text.len() >= 2 {
        b.token(K::Paren, start + 1);
        let first = b.tree_mut().host_params.len();
        key_value_list(b, end - 1)?;
        b.token(K::Paren, end);
        finish_props(b, &mut host, first);
        return Ok(host);
    }
    if text.len() >= 8 && text.as_bytes()[..8].eq_ignore_ascii_case(b"address=") {
        b.token(K::Key, start + 7);
        b.token(K::Equals, start + 8);
        let first = b.tree_mut().host_params.len();
        address_list(b, end)?;
        finish_props(b, &mut host, first);
        return Ok(host);
    }
    if text.contains('@') {
        return Err(bad_segment(host.span));
    }
    // host[:port], split at the last ':' (`^(?<host>.*?)(?::(?<port>[^:]*))?$`),
    // except inside an IPv6 literal.
    let colon = if ipv6_host(text) {
        text.find(']').and_then(|c| (text.as_bytes().get(c + 1) == Some(&b':')).then_some(start + c + 1))
    } else {
        text.rfind(':').map(|i| start + i)
    };
    let name_end = colon.unwrap_or(end);
    let (ns, ne) = trim_bounds(input, start, name_end);
    let name_text = &input[ns..ne];
    if name_text.len() >= 2 && name_text.starts_with('[') && name_text.ends_with(']') {
        b.token(K::Bracket, ns + 1);
        host.name = Some(b.token(K::Host, ne - 1));
        b.token(K::Bracket, ne);
        host.bracketed = true;
        b.token(K::Whitespace, name_end);
    } else {
        let name = trimmed(b, K::Host, name_end);
        host.name = (!name.is_empty()).then_some(name);
    }
    if let Some(colon) = colon {
        b.token(K::Colon, colon + 1);
        host.port = Some(trimmed(b, K::Port, end));
    }
    Ok(host)
}

/// Record the host properties pushed since `first` on `host`, and point
/// its name and port at the `host=` and `port=` values.
fn finish_props(b: &mut TreeBuilder<'_>, host: &mut Host, first: usize) {
    let src = b.src();
    let tree = b.tree_mut();
    let last = tree.host_params.len();
    host.params = Some((first, last));
    for p in tree.host_params.get(first..last).unwrap_or(&[]) {
        let key = p.key.text(src);
        if let Some(v) = p.value {
            if key.eq_ignore_ascii_case("host") {
                host.name = Some(v.inner);
            } else if key.eq_ignore_ascii_case("port") {
                host.port = Some(v.inner);
            }
        }
    }
}

fn is_key_char(c: u8, spaces: bool) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'%') || (spaces && is_ws(c))
}

fn value_kind(src: &str, key: Span) -> K {
    if is_secret_key(key.text(src)) { K::SecretValue } else { K::Value }
}

/// `(key=value, key=value…)` between the parentheses, up to `end`:
/// `[,\s]*(?<key>[\w.\-\s%]*)(?:=(?<value>[^,]*))?` repeated.
fn key_value_list(b: &mut TreeBuilder<'_>, end: usize) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    while b.pos() < end {
        // [,\s]*
        loop {
            let p = b.pos();
            match bytes.get(p) {
                Some(b',') if p < end => {
                    b.token(K::Separator, p + 1);
                }
                Some(&c) if p < end && is_ws(c) => whitespace(b, end),
                _ => break,
            }
        }
        if b.pos() >= end {
            break;
        }
        let kstart = b.pos();
        let kend = find(input, kstart, end, |c| !is_key_char(c, true)).unwrap_or(end);
        let key = trimmed(b, K::Key, kend);
        let mut param = Param { span: key, key, eq: None, value: None };
        if bytes.get(kend) == Some(&b'=') && kend < end {
            param.eq = Some(b.token(K::Equals, kend + 1));
            let vend = find(input, kend + 1, end, |c| c == b',').unwrap_or(end);
            let (vs, ve) = trim_bounds(input, kend + 1, vend);
            b.token(K::Whitespace, vs);
            let v = b.token(value_kind(input, key), ve);
            b.token(K::Whitespace, vend);
            param.value = Some(Value::bare(v));
            param.span = key.cover(v);
            if key.is_empty() && !v.is_empty() {
                return Err(bad_props(Span::new(kstart, vend)));
            }
        } else if b.pos() < end && bytes.get(b.pos()) != Some(&b',') {
            return Err(bad_props(Span::new(b.pos(), end)));
        }
        if !key.is_empty() {
            b.tree_mut().host_params.push(param);
        }
    }
    Ok(())
}

/// `ConnectionString.4`, without quoting the text (it may hold a password).
fn bad_props(span: Span) -> ParseError {
    ParseError::new("Malformed database URL, failed to parse the connection string near this point", span)
}

/// `address=(key=value)(key=value)…` after `address=`, up to `end`:
/// `\s*\(\s*(?<key>[\w.\-%]+)?\s*(?:=(?<value>[^)]*))?\)\s*` repeated.
fn address_list(b: &mut TreeBuilder<'_>, end: usize) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    whitespace(b, end);
    while b.pos() < end {
        let open = b.pos();
        if bytes.get(open) != Some(&b'(') {
            return Err(bad_props(Span::new(open, end)));
        }
        b.token(K::Paren, open + 1);
        let Some(close) = find(input, open + 1, end, |c| c == b')') else {
            return Err(bad_props(Span::new(open, end)));
        };
        whitespace(b, close);
        let kstart = b.pos();
        let kend = find(input, kstart, close, |c| !is_key_char(c, false)).unwrap_or(close);
        let key = b.token(K::Key, kend);
        whitespace(b, close);
        let mut param = Param { span: key, key, eq: None, value: None };
        match bytes.get(b.pos()) {
            Some(b'=') if b.pos() < close => {
                let eq = b.pos();
                param.eq = Some(b.token(K::Equals, eq + 1));
                let (vs, ve) = trim_bounds(input, eq + 1, close);
                b.token(K::Whitespace, vs);
                let v = b.token(value_kind(input, key), ve);
                b.token(K::Whitespace, close);
                param.value = Some(Value::bare(v));
                param.span = key.cover(v);
            }
            _ if b.pos() == close => {}
            _ => return Err(bad_props(Span::new(b.pos(), end))),
        }
        b.token(K::Paren, close + 1);
        whitespace(b, end);
        if key.is_empty() && param.value.is_some_and(|v| !v.inner.is_empty()) {
            return Err(bad_props(Span::new(open, close + 1)));
        }
        if !key.is_empty() {
            b.tree_mut().host_params.push(param);
        }
    }
    Ok(())
}

/// The query up to `end`: `[&\s]*(?<key>[\w.\-\s%]*)(?:=(?<value>[^&]*))?` repeated.
fn query(b: &mut TreeBuilder<'_>, end: usize) -> Result<(), ParseError> {
    let input = b.src();
    let bytes = input.as_bytes();
    while b.pos() < end {
        loop {
            let p = b.pos();
            match bytes.get(p) {
                Some(b'&') if p < end => {
                    b.token(K::Separator, p + 1);
                }
                Some(&c) if p < end && is_ws(c) => whitespace(b, end),
                _ => break,
            }
        }
        if b.pos() >= end {
            break;
        }
        let kstart = b.pos();
        let kend = find(input, kstart, end, |c| !is_key_char(c, true)).unwrap_or(end);
        let key = trimmed(b, K::Key, kend);
        let mut param = Param { span: key, key, eq: None, value: None };
        if bytes.get(kend) == Some(&b'=') && kend < end {
            param.eq = Some(b.token(K::Equals, kend + 1));
            let vend = find(input, kend + 1, end, |c| c == b'&').unwrap_or(end);
            let (vs, ve) = trim_bounds(input, kend + 1, vend);
            b.token(K::Whitespace, vs);
            let v = b.token(value_kind(input, key), ve);
            b.token(K::Whitespace, vend);
            param.value = Some(Value::bare(v));
            param.span = key.cover(v);
            if key.is_empty() && !v.is_empty() {
                return Err(bad_props(Span::new(kstart, vend)));
            }
        } else if b.pos() < end && bytes.get(b.pos()) != Some(&b'&') {
            return Err(bad_props(Span::new(b.pos(), end)));
        }
        if !key.is_empty() {
            b.tree_mut().params.push(param);
        }
    }
    Ok(())
}

/// Decode a part as Connector/J does (`URLDecoder.decode(text, UTF-8)`):
/// `%XX` escapes and `+` as a space. `None` when a `%` does not start a
/// valid escape (Java throws `IllegalArgumentException`).
pub fn decode_value(raw: &str) -> Option<Cow<'_, str>> {
    decode::percent(raw, true).ok()
}

/// Encode `value` so that Connector/J's `URLDecoder` gives it back and no
/// URL delimiter (`& = # ? / , @ : + % ( ) [ ]`, spaces) survives raw:
/// everything but `A-Z a-z 0-9 - . _ ~` becomes `%XX`.
pub fn encode_value(value: &str) -> String {
    decode::percent_encode_userinfo(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    type HostParts = (Option<String>, Option<String>, Option<String>, Option<String>);

    fn hosts(t: &Tree<'_>) -> Vec<HostParts> {
        let txt = |s: Option<Span>| s.map(|s| t.text(s).to_string());
        t.hosts.iter().map(|h| (txt(h.user), txt(h.password), txt(h.name), txt(h.port))).collect()
    }

    fn parse_ok(s: &str) -> Tree<'_> {
        let t = parse(s, Dialect::ConnectorJ).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(t.to_source(), s);
        t
    }

    #[test]
    fn spaces_around_every_token() {
        let s = "jdbc:mysql: // johndoe : secret @ [abcd:9876::1:1234] : 1234 / db ? key1 = value1 & key2 = value2 # ignore";
        let t = parse_ok(s);
        assert_eq!(hosts(&t), vec![(Some("johndoe".into()), Some("secret".into()), Some("abcd:9876::1:1234".into()), Some("1234".into()))]);
        assert_eq!(t.database.map(|d| t.text(d)), Some("db"));
        let params: Vec<_> = t.params.iter().map(|p| (t.key(p), t.raw_value(p))).collect();
        assert_eq!(params, vec![("key1", Some("value1")), ("key2", Some("value2"))]);
        assert_eq!(t.fragment.map(|f| t.text(f)), Some("# ignore"));
    }

    #[test]
    fn address_equals_and_key_value_hosts() {
        let s = "jdbc:mysql: // johndoe : secret @ address= ( host = [abcd:9876::1:1234] ) ( port = 1234 ) / db";
        let t = parse_ok(s);
        assert_eq!(hosts(&t)[0].2.as_deref(), Some("[abcd:9876::1:1234]"));
        assert_eq!(hosts(&t)[0].3.as_deref(), Some("1234"));
        assert_eq!(t.host_params_of(&t.hosts[0]).len(), 2);
        let s = "jdbc:mysql://u:p@(host=h1,port=1,password=x),address=(host=h2)(flag),[h3:3,h4]/db?a&b=";
        let t = parse_ok(s);
        let names: Vec<_> = hosts(&t).into_iter().map(|h| h.2).collect();
        assert_eq!(names, vec![Some("h1".into()), Some("h2".into()), Some("h3".into()), Some("h4".into())]);
        assert_eq!(t.host_params_of(&t.hosts[1]).len(), 2);
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["p", "x"]);
        assert_eq!(t.params.iter().map(|p| (t.key(p), t.raw_value(p))).collect::<Vec<_>>(), vec![("a", None), ("b", Some(""))]);
    }

    #[test]
    fn per_host_userinfo_and_schemes() {
        let t = parse_ok("jdbc:mysql:replication://u1:p1@h1:3306,u2@h2/db");
        assert_eq!(hosts(&t)[1].0.as_deref(), Some("u2"));
        parse_ok("jdbc:mysql+srv://h/db");
        parse_ok("jdbc:mariadb:loadbalance://h1,h2/db");
        parse_ok("jdbc:mysql:");
        parse_ok("jdbc:mysql://[::1]:3306,[[::1]:1,h]/");
        assert!(parse("jdbc:mysql:unknown://h", Dialect::ConnectorJ).is_err());
        assert_eq!(parse("jdbc:mysql://h//db", Dialect::ConnectorJ).unwrap_err().message, ERR_MAIN);
        assert!(parse("jdbc:mysql://u@h@x/db", Dialect::ConnectorJ).is_err());
        assert!(parse("jdbc:mysql://h/db?a+b=1", Dialect::ConnectorJ).is_err());
        assert!(parse("jdbc:mysql://h/db?=1", Dialect::ConnectorJ).is_err());
    }

    #[test]
    fn cut_short_passwords_stay_secret() {
        let s = "jdbc:mysql://u:pa/ss@h/db";
        let t = parse(s, Dialect::ConnectorJ).unwrap();
        assert_eq!(intended_userinfo(s).map(|(_, p)| p.text(s)), Some("pa/ss"));
        let secret: String = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert!(secret.contains("pa"), "{secret}");
        assert_eq!(intended_userinfo("jdbc:mysql://h:3306/db?user=a@b"), None);
        assert_eq!(intended_userinfo("jdbc:mysql://u:p@h/db").map(|(u, _)| u.text("jdbc:mysql://u:p@h/db")), Some("u"));
    }

    #[test]
    fn regressions_found_by_property_tests() {
        // A host starting with ']' once sliced text[1..0].
        parse_ok("jdbc:mysql://]==u3T/db");
    }

    #[test]
    fn encoding_round_trips() {
        for v in ["p@ss w+rd/#?&=", "", "é"] {
            assert_eq!(decode_value(&encode_value(v)).as_deref(), Some(v));
        }
        assert!(decode_value("100%").is_none());
        assert_eq!(decode_value("a+b").as_deref(), Some("a b"));
    }
}
