//! The server value of ADO.NET and ODBC strings:
//! `[protocol:]host[\instance][,port]`, e.g. `tcp:x.database.windows.net,1433`,
//! `np:\\host\pipe\sql\query`, `(localdb)\MSSQLLocalDB`, `[::1],1433`.

use super::super::tree::TreeBuilder;
use super::super::{Host, Span, Tree};
use super::param_key;
use std::borrow::Cow;

/// Keys whose value names the server (SqlClient's `Data Source` and its
/// synonyms; ODBC's `Server`, `Address`, `Addr`).
pub(crate) const SERVER_KEYS: &[&str] = &["data source", "server", "addr", "address", "network address"];

/// Protocol prefixes SqlClient recognises in a data source.
const PROTOCOLS: &[&str] = &["tcp", "np", "lpc", "admin"];

/// Add one [`Host`] per server parameter, in order (which one wins is the
/// client model's business).
pub(super) fn add_server_hosts(b: &mut TreeBuilder<'_>) {
    let tree: &Tree<'_> = b.tree_mut();
    let hosts: Vec<Host> = tree
        .params
        .iter()
        .filter(|p| SERVER_KEYS.iter().any(|k| param_key(tree, p).eq_ignore_ascii_case(k)))
        .filter_map(|p| {
            let v = p.value?;
            match tree.unquoted_value(&v) {
                // Escapes inside the value: spans into it would not match its meaning.
                Cow::Owned(_) => Some(Host { span: v.inner, name: (!v.inner.is_empty()).then_some(v.inner), ..Host::default() }),
                Cow::Borrowed(_) => Some(split(tree.source(), v.inner)),
            }
        })
        .collect();
    b.tree_mut().hosts.extend(hosts);
}

/// `span` with surrounding spaces removed, `None` if nothing is left.
fn trimmed(src: &str, span: Span) -> Option<Span> {
    let t = span.text(src);
    let lead = t.len() - t.trim_start().len();
    let s = Span::new(span.start + lead, span.start + lead + t.trim().len());
    (!s.is_empty()).then_some(s)
}

/// Split a data source written at `span` of `src` into its parts.
pub(crate) fn split(src: &str, span: Span) -> Host {
    let text = span.text(src);
    let mut host = Host { span, ..Host::default() };
    let mut at = span.start;
    if let Some(colon) = text.find(':') {
        let proto = &text[..colon];
        if PROTOCOLS.iter().any(|p| p.eq_ignore_ascii_case(proto.trim())) {
            host.protocol = trimmed(src, Span::new(at, at + colon));
            at += colon + 1;
            if proto.trim().eq_ignore_ascii_case("np") || proto.trim().eq_ignore_ascii_case("lpc") {
                // A pipe path or a shared-memory name: no instance or port.
                host.name = trimmed(src, Span::new(at, span.end));
                return host;
            }
        }
    }
    let rest = Span::new(at, span.end).text(src);
    let lead = rest.len() - rest.trim_start().len();
    if rest[lead..].starts_with('[') {
        if let Some(close) = rest[lead..].find(']') {
            let open = at + lead;
            host.name = trimmed(src, Span::new(open + 1, open + close));
            host.bracketed = true;
            at = open + close + 1;
        }
    }
    let rest = Span::new(at, span.end).text(src);
    let comma = rest.find(',').map(|i| at + i);
    let head_end = comma.unwrap_or(span.end);
    let head = Span::new(at, head_end).text(src);
    match head.find('\\') {
        Some(bs) => {
            if !host.bracketed {
                host.name = trimmed(src, Span::new(at, at + bs));
            }
            host.instance = trimmed(src, Span::new(at + bs + 1, head_end));
        }
        None if !host.bracketed => host.name = trimmed(src, Span::new(at, head_end)),
        None => {}
    }
    if let Some(c) = comma {
        host.port = trimmed(src, Span::new(c + 1, span.end));
    }
    host
}
