//! Prisma's SQL Server strings: `sqlserver://[server][\instance][:port][;key=value…][;]`.
//!
//! Prisma's engine (quaint, `quaint/src/connector/mssql/url.rs`) prepends
//! `jdbc:` and reads the string with the `connection-string` crate's
//! `JdbcString` (prisma/connection-string `src/jdbc.rs`), which first lexes
//! the whole string: `:` `=` `\` `/` `;` `[` `]` are special, `{` opens an
//! escape that the first `}` closes (no `}}`), every other ASCII character is
//! an atom, anything else is an error. An identifier is a run of atoms and
//! escapes; keys, values, the server, instance and port are identifiers, so
//! an unescaped special character inside a value is an error, and an empty
//! value is too. A trailing `;` is allowed; `;;` is not. An IPv6 server is
//! written in brackets (`[::1]`).
//!
//! Errors carry the crate's wording, prefixed as its `Display` does
//! (`Conversion error: …`). Port digits are checked by the client model.

use super::super::tree::{TokenKind as K, TreeBuilder};
use super::super::{Dialect, Form, Host, Param, ParseError, Quote, Span, Tree, Value, is_secret_key};
use super::decode_prisma;

const SCHEME: &str = "sqlserver://";
const JDBC_SCHEME: &str = "jdbc:sqlserver://";

fn special(c: u8) -> bool {
    matches!(c, b':' | b'=' | b'\\' | b'/' | b';' | b'[' | b']')
}

fn error(msg: &str, span: Span) -> ParseError {
    ParseError::new(format!("Conversion error: {msg}"), span)
}

/// Parse a Prisma SQL Server string (or a `jdbc:sqlserver://` URL read the
/// way Prisma's crate reads it).
pub(super) fn parse(input: &str, form: Form) -> Result<Tree<'_>, ParseError> {
    let scheme_len = if input.starts_with(SCHEME) {
        SCHEME.len()
    } else if input.starts_with(JDBC_SCHEME) {
        JDBC_SCHEME.len()
    } else {
        let end = input.find("://").map_or(input.len(), |i| i + 3);
        return Err(ParseError::new("the URL must start with the protocol `sqlserver://`.", Span::new(0, end)).expected(SCHEME));
    };
    lex_check(input, scheme_len)?;
    let bytes = input.as_bytes();
    let mut b = TreeBuilder::new(input, form, Dialect::PrismaJdbc);
    let scheme = b.token(K::Scheme, scheme_len);
    b.tree_mut().scheme = Some(scheme);

    // Server, instance, port.
    let start = b.pos();
    let mut host = Host { span: Span::empty(start), ..Host::default() };
    if bytes.get(start) == Some(&b'[') {
        let close = input[start..].find(']').map(|i| start + i);
        let inner_ok = |end: usize| input[start + 1..end].bytes().all(|c| c.is_ascii_alphanumeric() || c == b':');
        match close {
            Some(end) if end > start + 1 && inner_ok(end) => {
                b.token(K::Bracket, start + 1);
                host.name = Some(b.token(K::Host, end));
                b.token(K::Bracket, end + 1);
                host.bracketed = true;
            }
            _ => {
                let end = close.map_or(input.len(), |e| e + 1);
                return Err(error("Invalid server name", Span::new(start, end)).expected("an IPv6 address in brackets, e.g. [::1]"));
            }
        }
    } else {
        host.name = ident(&mut b, K::Host).map(|(span, _)| span);
        if host.name.is_none() && b.pos() > start {
            return Err(error("Invalid server name", Span::new(start, b.pos())).expected("a server name"));
        }
    }
    if bytes.get(b.pos()) == Some(&b'\\') {
        let at = b.pos();
        b.token(K::Backslash, at + 1);
        let Some((span, _)) = ident(&mut b, K::Instance) else {
            return Err(error("Invalid instance name", Span::new(at, at + 1)).expected("an instance name after \"\\\""));
        };
        host.instance = Some(span);
    }
    if bytes.get(b.pos()) == Some(&b':') {
        let at = b.pos();
        b.token(K::Colon, at + 1);
        let Some((span, _)) = ident(&mut b, K::Port) else {
            return Err(error("Invalid port", Span::new(at, at + 1)).expected("a port number after \":\""));
        };
        host.port = Some(span);
    }
    host.span = Span::new(start, b.pos());
    if !host.span.is_empty() {
        b.tree_mut().hosts.push(host);
    }

    // Properties.
    while bytes.get(b.pos()) == Some(&b';') {
        let at = b.pos();
        b.token(K::Separator, at + 1);
        if b.pos() == input.len() {
            break;
        }
        let k0 = b.pos();
        let Some((key, _)) = ident(&mut b, K::Key) else {
            return Err(error("Invalid property key", Span::new(k0, next_char_end(input, k0))).expected("a property name after \";\""));
        };
        let eq_at = b.pos();
        if bytes.get(eq_at) != Some(&b'=') {
            return Err(error("Property pairs must be joined by a `=`", Span::new(eq_at, next_char_end(input, eq_at))).expected("\"=\""));
        }
        let eq = b.token(K::Equals, eq_at + 1);
        let secret = is_secret_key(&decode_prisma(key.text(input)));
        let v0 = b.pos();
        let Some((span, single_escape)) = ident(&mut b, if secret { K::SecretValue } else { K::Value }) else {
            return Err(error("Invalid property value", Span::new(v0, next_char_end(input, v0)))
                .expected("a value; wrap special characters (:=\\/;[]{}) in braces"));
        };
        let value = if single_escape {
            Value { span, inner: Span::new(span.start + 1, span.end - 1), quote: Quote::Brace }
        } else {
            Value::bare(span)
        };
        b.tree_mut().params.push(Param { span: Span::new(key.start, span.end), key, eq: Some(eq), value: Some(value) });
    }
    let pos = b.pos();
    if pos < input.len() {
        return Err(error("Invalid JDBC token", Span::new(pos, next_char_end(input, pos)))
            .expected("\";\" or the end of the string; wrap special characters (:=\\/;[]{}) in braces"));
    }
    b.finish()
}

fn next_char_end(s: &str, at: usize) -> usize {
    s.get(at..).and_then(|t| t.chars().next()).map_or(s.len(), |c| at + c.len_utf8())
}

/// The crate's lexer runs over the whole string before any grammar rule:
/// an unclosed `{` or a non-ASCII character fails first.
fn lex_check(input: &str, from: usize) -> Result<(), ParseError> {
    let mut chars = input[from..].char_indices().map(|(i, c)| (from + i, c));
    while let Some((at, c)) = chars.next() {
        if c == '{' {
            loop {
                match chars.next() {
                    None => return Err(error("unclosed escape literal", Span::new(at, input.len())).expected("\"}\"")),
                    Some((_, '}')) => break,
                    Some((i, c)) if !c.is_ascii() => return Err(non_ascii(i, c)),
                    Some(_) => {}
                }
            }
        } else if !c.is_ascii() {
            return Err(non_ascii(at, c));
        }
    }
    Ok(())
}

/// The crate names the character; a password may hold it, so we do not.
fn non_ascii(at: usize, c: char) -> ParseError {
    error("Invalid JDBC token (a non-ASCII character)", Span::new(at, at + c.len_utf8())).expected("ASCII characters only")
}

/// Read an identifier (atoms and `{…}` escapes) as `kind` tokens, braces as
/// [`K::Quote`]. Returns its span and whether it is exactly one escape, or
/// `None` if it reads as nothing (absent, or only `{}`). Assumes
/// [`lex_check`] passed.
fn ident(b: &mut TreeBuilder<'_>, kind: K) -> Option<(Span, bool)> {
    let src = b.src();
    let bytes = src.as_bytes();
    let start = b.pos();
    let mut escapes = 0;
    let mut atoms = false;
    let mut content = 0;
    loop {
        let pos = b.pos();
        match bytes.get(pos) {
            Some(b'{') => {
                let close = src[pos + 1..].find('}').map_or(src.len(), |i| pos + 1 + i);
                b.token(K::Quote, pos + 1);
                content += b.token(kind, close).len();
                b.token(K::Quote, (close + 1).min(src.len()));
                escapes += 1;
            }
            Some(&c) if !special(c) && c.is_ascii() => {
                let end = src[pos..].bytes().position(|c| c == b'{' || special(c) || !c.is_ascii()).map_or(src.len(), |i| pos + i);
                content += b.token(kind, end).len();
                atoms = true;
            }
            _ => break,
        }
    }
    // `{}` alone reads as nothing, which the crate rejects like an absent identifier.
    (content > 0).then_some((Span::new(start, b.pos()), escapes == 1 && !atoms))
}
