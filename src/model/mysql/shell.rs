//! MySQL Shell's URI validation (`mysql/mysql-shell`,
//! `mysqlshdk/libs/db/uri_parser.cc`): the same split as `preprocess`, then
//! the character classes each part's tokenizer accepts, with Shell's own
//! messages (`Illegal character [@] found at position 29`, `Missing port
//! number` …). Positions are byte offsets into the whole string, as in
//! Shell. IPv6 literals are checked for their character set and closing
//! bracket only, not segment counts.

use crate::syntax::Span;

/// A string MySQL Shell rejects: its message and the bytes at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellError {
    pub message: String,
    pub span: Span,
}

fn err(message: impl Into<String>, span: Span) -> ShellError {
    ShellError { message: message.into(), span }
}

const UNRESERVED: &str = "-._~";
const SUB_DELIMS: &str = "!$&'()*+,;=";
const DELIMS: &str = ":/?#[]@";

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || UNRESERVED.contains(c)
}

/// The first byte of `src[from..to]` no class accepts, as Shell's tokenizer
/// reports it. `%` must start a `%HH` escape.
fn scan(src: &str, from: usize, to: usize, ok: &dyn Fn(char) -> bool) -> Result<(), ShellError> {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < to {
        let Some(c) = src.get(i..).and_then(|s| s.chars().next()) else { break };
        let w = c.len_utf8();
        if c == '%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|b| b.is_ascii_hexdigit());
            if i + 2 < to && hex(i + 1) && hex(i + 2) {
                i += 3;
                continue;
            }
        } else if c.is_whitespace() {
            return Err(err(format!("Illegal space found at position {i}"), Span::new(i, i + w)));
        } else if ok(c) {
            i += w;
            continue;
        }
        return Err(err(format!("Illegal character [{c}] found at position {i}"), Span::new(i, i + w)));
    }
    Ok(())
}

/// Validate `src` as MySQL Shell's `Uri_parser::parse` does.
pub fn validate(src: &str) -> Result<(), ShellError> {
    let len = src.len();
    let mut first = 0;
    let mut scheme = "";
    if let Some(p) = src.find(":/") {
        if p == 0 {
            return Err(err("Scheme is missing", Span::new(0, 2)));
        }
        scheme = &src[..p];
        scan(src, 0, p, &|c| c.is_ascii_alphanumeric() || c == '+')?;
        let mut parts = scheme.split('+');
        let base = parts.next().unwrap_or("");
        if let Some(ext) = parts.next() {
            if parts.next().is_some() {
                return Err(err(format!("Invalid scheme format [{scheme}], only one extension is supported"), Span::new(0, p)));
            }
            return Err(err(format!("Scheme extension [{ext}] is not supported"), Span::new(0, p)));
        }
        if base != "mysql" && base != "mysqlx" {
            return Err(err(format!("Invalid scheme [{base}], supported schemes include: mysql, mysqlx"), Span::new(0, p)));
        }
        first = if src.as_bytes().get(p + 2) == Some(&b'/') { p + 3 } else { p + 2 };
    }

    // Userinfo: up to the first '@' anywhere after the scheme.
    let mut userinfo = None;
    if let Some(at) = src.get(first..).and_then(|s| s.find('@')).map(|i| first + i) {
        if at == first {
            return Err(err("Missing user information", Span::new(at, at + 1)));
        }
        userinfo = Some((first, at));
        first = at + 1;
    }
    // Query: from the first '?' after the userinfo.
    let mut last = len;
    let query = src.get(first..).and_then(|s| s.find('?')).map(|i| first + i);
    if let Some(q) = query {
        last = q;
    }
    // Path: after the last '/' of the rest, unless that '/' is inside a `(…)` socket.
    let mut path = None;
    if let Some(pos) = src.get(..last).and_then(|s| s.rfind('/')).filter(|&p| p > first) {
        let t = &src[first..];
        let has_path = if t.starts_with("(/") || t.starts_with("(.") || t.starts_with("(\\\\.\\") {
            src[first..].find(')').is_some_and(|c| pos > first + c)
        } else {
            true
        };
        if has_path {
            if pos + 1 < last {
                path = Some((pos + 1, last));
            }
            last = pos;
        }
    }
    if first >= last {
        return Err(err("Invalid address", Span::new(first.min(len), last.max(first).min(len))));
    }

    if let Some((s, e)) = userinfo {
        // The user runs to the first ':'; the rest is taken as the password unchecked.
        let user_end = src[s..e].find(':').map_or(e, |i| s + i);
        scan(src, s, user_end, &|c| unreserved(c) || SUB_DELIMS.contains(c))?;
        if user_end == s {
            return Err(err("Missing user name", Span::new(s, e)));
        }
    }
    target(src, scheme, first, last)?;
    if let Some((s, e)) = path {
        scan(src, s, e, &|c| unreserved(c) || SUB_DELIMS.contains(c) || ":@/".contains(c))?;
    }
    if let Some(q) = query {
        attributes(src, q, len)?;
    }
    Ok(())
}

/// `parse_value`: `(unencoded)` or percent-encoded text; returns where it
/// stopped. `finalizers` end the value, `forbidden` are only disallowed.
fn value(src: &str, start: usize, end: usize, finalizers: &str, forbidden: &str) -> Result<usize, ShellError> {
    if src.as_bytes().get(start) == Some(&b'(') {
        if let Some(close) = src[start..end].find(')').map(|i| start + i) {
            scan(src, start + 1, close, &|c| unreserved(c) || c == '\\' || DELIMS.contains(c))?;
            return Ok(close + 1);
        }
    }
    let stop = src[start..end].find(|c| finalizers.contains(c)).map_or(end, |i| start + i);
    let delims: String = "!$'()*+;=:,".chars().filter(|c| !finalizers.contains(*c) && !forbidden.contains(*c)).collect();
    scan(src, start, stop, &|c| unreserved(c) || delims.contains(c))?;
    Ok(stop)
}

fn target(src: &str, scheme: &str, start: usize, end: usize) -> Result<(), ShellError> {
    let t = &src[start..end];
    if t == "." {
        return Ok(());
    }
    if t.starts_with('.') || t.starts_with('/') || t.starts_with("(.") || t.starts_with("(/") {
        let s = if t.starts_with('/') { start + 1 } else { start };
        let stop = value(src, s, end, "", "")?;
        if stop < end {
            return Err(err(format!("Unexpected data [{}] at position {stop}", &src[stop..end]), Span::new(stop, end)));
        }
        return Ok(());
    }
    if t.starts_with("\\\\.\\") || t.starts_with("(\\\\.\\") {
        if scheme == "mysqlx" {
            return Err(err("Pipe can only be used with Classic session", Span::new(start, end)));
        }
        let s = if t.starts_with('\\') { start + 4 } else { start };
        let stop = value(src, s, end, "", ":")?;
        let pipe_empty = if t.starts_with('(') { t.len() <= 6 } else { stop == s };
        if pipe_empty {
            return Err(err("Named pipe cannot be empty.", Span::new(start, end)));
        }
        if stop < end {
            return Err(err(format!("Unexpected data [{}] at position {stop}", &src[stop..end]), Span::new(stop, end)));
        }
        return Ok(());
    }
    let mut port_at = None;
    if t.starts_with('[') {
        let Some(close) = t.find(']').map(|i| start + i) else {
            return Err(err("Unexpected data [[] found at position ".to_string() + &start.to_string(), Span::new(start, start + 1)));
        };
        let inner = &src[start + 1..close];
        let (addr, zone) = match inner.find("%25") {
            Some(z) => (&inner[..z], Some(&inner[z + 3..])),
            None => (inner, None),
        };
        if let Some(i) = addr.find(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.')) {
            let at = start + 1 + i;
            let c = addr[i..].chars().next().unwrap_or('?');
            return Err(err(format!("Unexpected data [{c}] found at position {at}"), Span::new(at, at + c.len_utf8())));
        }
        ipv6_segments(addr, start + 1)?;
        if zone.is_some_and(|z| z.is_empty()) {
            return Err(err("Zone ID cannot be empty", Span::new(start, close + 1)));
        }
        let rest = close + 1;
        scan(src, rest, end, &|c| c.is_ascii_digit() || c == ':')?;
        if rest < end {
            if src.as_bytes().get(rest) != Some(&b':') {
                return Err(err(format!("Unexpected data [{}] found at position {rest}", &src[rest..end]), Span::new(rest, end)));
            }
            port_at = Some(rest);
        }
    } else {
        scan(src, start, end, &|c| unreserved(c) || SUB_DELIMS.contains(c) || c == ':')?;
        ipv4(src, start, end)?;
        port_at = src[start..end].find(':').map(|i| start + i);
    }
    if let Some(colon) = port_at {
        port(src, colon + 1, end)?;
    }
    Ok(())
}

/// `parse_ipv6`'s segment rules for `addr` (written at byte `at`): at most
/// four hex digits a segment, one `::`, eight segments without it (six
/// before an embedded IPv4 address), fewer with it.
fn ipv6_segments(addr: &str, at: usize) -> Result<(), ShellError> {
    if addr.starts_with('.') {
        return Err(err(format!("Unexpected data [.] found at position {at}"), Span::new(at, at + 1)));
    }
    let mut double = false;
    let mut segments = 0;
    let mut ipv4 = false;
    let bytes = addr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            if bytes.get(i + 1) == Some(&b':') {
                if double {
                    let p = at + i + 1;
                    return Err(err(format!("Unexpected data [:] found at position {p}"), Span::new(p, p + 1)));
                }
                double = true;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        let len = bytes[i..].iter().take_while(|&&c| c != b':').count();
        let group = &addr[i..i + len];
        if group.contains('.') {
            ipv4 = true;
        } else if len > 4 {
            return Err(err(
                format!("Invalid IPv6 value [{group}], maximum 4 hexadecimal digits accepted"),
                Span::new(at + i, at + i + len),
            ));
        } else {
            segments += 1;
        }
        i += len;
    }
    let full = if ipv4 { 6 } else { 8 };
    if (!double && segments != full) || (double && segments >= full) {
        return Err(err("Invalid IPv6: the number of segments does not match the specification", Span::new(at, at + addr.len())));
    }
    Ok(())
}

/// `digits.digits.digits.digits` at the start of a host: octets 0-255.
fn ipv4(src: &str, start: usize, end: usize) -> Result<(), ShellError> {
    let t = &src[start..end];
    let host = t.split(':').next().unwrap_or("");
    let parts: Vec<&str> = host.splitn(5, '.').collect();
    if parts.len() < 4 || !parts[..4].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return Ok(());
    }
    let mut at = start;
    for p in &parts[..4] {
        if p.parse::<u32>().map_or(true, |v| v > 255) {
            return Err(err(
                format!("Error parsing IPV4 address: Octet value out of bounds [{p}], valid range for IPv4 is 0 to 255 at position {at}"),
                Span::new(at, at + p.len()),
            ));
        }
        at += p.len() + 1;
    }
    Ok(())
}

fn port(src: &str, start: usize, end: usize) -> Result<(), ShellError> {
    if start >= end {
        return Err(err("Missing port number", Span::new(start.saturating_sub(1), end)));
    }
    scan(src, start, end, &|c| c.is_ascii_digit())?;
    let text = &src[start..end];
    if text.parse::<u32>().map_or(true, |p| p > 65535) {
        return Err(err("Port is out of the valid range: 0 - 65535", Span::new(start, end)));
    }
    Ok(())
}

/// `parse_query`: `?key[=value]&key[=value]…`.
fn attributes(src: &str, q: usize, end: usize) -> Result<(), ShellError> {
    let mut offset = q;
    while offset < end {
        // The '?' or '&' before each attribute (any character, after a value that stopped short).
        offset += src.get(offset..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
        let Some(rest) = src.get(offset..end) else { break };
        let key_end = rest.find(['=', '&']).map_or(end, |i| offset + i);
        scan(src, offset, key_end, &|c| unreserved(c) || "!$'()*+,;".contains(c))?;
        offset = key_end;
        if src.as_bytes().get(offset) == Some(&b'=') {
            offset = value(src, offset + 1, end, "&", "")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_messages() {
        let bad = [
            ("mysqlx://user%2Aname:p@ssword@mysql.com", "Illegal character [@] found at position 29"),
            ("mysqlx://user@mysql1%com", "Illegal character [%] found at position 20"),
            ("mysqlx://user@mysql1%2ecom:", "Missing port number"),
            ("mysqlx://user@mysql1%2ecom:2845f", "Illegal character [f] found at position 31"),
            ("mysqlx://user@10.150.123.45:2845/world%20x/subpath", "Illegal character [/] found at position 32"),
            ("mysqlx://user:password@/path/to/socket/schema", "Illegal character [/] found at position 28"),
            ("mysqlx://@mysql.com", "Missing user information"),
            ("mysqlx://:password@mysql.com", "Missing user name"),
            ("other://mysql.com", "Invalid scheme [other], supported schemes include: mysql, mysqlx"),
            ("mysqlx://user@256.255.255.255", "Octet value out of bounds [256], valid range for IPv4 is 0 to 255 at position 14"),
        ];
        for (uri, msg) in bad {
            let e = validate(uri).expect_err(uri);
            assert!(e.message.contains(msg), "{uri}: {}", e.message);
        }
        for ok in ["mysqlx://user:password@(/path/to/mysql.sock)/schema", "mysql://u@h:3306/db?ssl-mode=REQUIRED&ssl-ca=(/p/ca.pem)"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
    }
}
