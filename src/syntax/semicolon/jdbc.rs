//! mssql-jdbc URLs: `jdbc:sqlserver://[serverName[\instanceName][:portNumber]][;property=value…]`.
//!
//! Follows `Util.parseUrl` (microsoft/mssql-jdbc
//! `src/main/java/com/microsoft/sqlserver/jdbc/Util.java`): the prefix must
//! be exactly `jdbc:sqlserver://`; the first character after it belongs to
//! the server name unless it is `;`; the server name runs to `;`, `:` or
//! `\`, the instance name to `;` or `:`, the port to `;`; each part is
//! trimmed as Java's `String.trim()` does. The properties follow the rules
//! of [`Dialect::MssqlJdbc`] (`{…}` with `}}`, see `UtilTest.testparseUrl`).

use super::super::tree::{TokenKind as K, TreeBuilder};
use super::super::{Dialect, Form, Host, ParseError, Span, Tree};
use super::{Rules, char_at, java_trim, pairs, scan_while, trim_end_at};

const PREFIX: &str = "jdbc:sqlserver://";

/// Parse an mssql-jdbc URL.
pub(super) fn parse(input: &str, form: Form) -> Result<Tree<'_>, ParseError> {
    if !input.starts_with(PREFIX) {
        let end = input.find("//").map_or(input.len().min(PREFIX.len()), |i| i + 2);
        return Err(ParseError::new(
            "mssql-jdbc accepts only URLs that start with \"jdbc:sqlserver://\" exactly (lowercase, with \"//\")",
            Span::new(0, end.min(input.len())),
        )
        .expected(PREFIX));
    }
    let mut b = TreeBuilder::new(input, form, Dialect::MssqlJdbc);
    let scheme = b.token(K::Scheme, PREFIX.len());
    b.tree_mut().scheme = Some(scheme);
    let start = b.pos();
    match char_at(input, start) {
        None => return b.finish(),
        Some(';') => {}
        Some(first) => {
            let mut host = Host { span: Span::empty(start), ..Host::default() };
            // inStart: the first character is part of the server name, whatever it is.
            let server_end = part_end(input, start + first.len_utf8(), &[';', ':', '\\']);
            host.name = trimmed_part(&mut b, K::Host, server_end);
            if input.as_bytes().get(server_end) == Some(&b'\\') {
                b.token(K::Backslash, server_end + 1);
                let end = part_end(input, server_end + 1, &[';', ':']);
                host.instance = trimmed_part(&mut b, K::Instance, end);
            }
            let pos = b.pos();
            if input.as_bytes().get(pos) == Some(&b':') {
                b.token(K::Colon, pos + 1);
                let end = part_end(input, pos + 1, &[';']);
                host.port = trimmed_part(&mut b, K::Port, end);
            }
            host.span = Span::new(start, b.pos());
            b.tree_mut().hosts.push(host);
        }
    }
    pairs(&mut b, &Rules::of(Dialect::MssqlJdbc))?;
    b.finish()
}

/// The first position at or after `from` holding one of `stops`, or the end.
fn part_end(s: &str, from: usize, stops: &[char]) -> usize {
    s.get(from..).and_then(|t| t.find(stops)).map_or(s.len(), |i| from + i)
}

/// Emit blanks, the trimmed part as `kind`, blanks, up to `end`; the part's span if not empty.
fn trimmed_part(b: &mut TreeBuilder<'_>, kind: K, end: usize) -> Option<Span> {
    let src = b.src();
    let start = scan_while(src, b.pos(), java_trim).min(end);
    b.token(K::Whitespace, start);
    let text_end = trim_end_at(src, start, end, java_trim);
    let span = b.token(kind, text_end);
    b.token(K::Whitespace, end);
    (!span.is_empty()).then_some(span)
}
