//! Free text (`--all-files`): URL and JDBC connection strings anywhere,
//! ending at a blank or quote; `dblint: ignore[…]` after any common
//! comment marker.

use super::escapes::line_end;
use super::{Ctx, Encoding, Offer};
use crate::syntax::Span;

/// Prefixes that start a connection string (matched case-insensitively).
const PREFIXES: &[&str] = &[
    "postgresql://",
    "postgres://",
    "jdbc:postgresql:",
    "jdbc:mysql:",
    "jdbc:mariadb:",
    "jdbc:sqlserver:",
    "mysqlx+srv://",
    "mysqlx://",
    "mysql+srv://",
    "mysql://",
    "mariadb://",
    "sqlserver://",
];

/// Comment markers a directive may follow, longest first.
const MARKERS: &[&str] = &["<!--", "/*", "//", "--", "#", ";", "!", "%", "*", "'"];

pub(crate) fn scan(cx: &mut Ctx<'_>) {
    let src = cx.src;
    let lower = src.to_ascii_lowercase();
    let bytes = src.as_bytes();
    let mut i = 0;
    // Next occurrence of each prefix at or after `i`, refreshed lazily.
    let find = |p: &str, from: usize| lower.get(from..).and_then(|s| s.find(p)).map(|o| from + o);
    let mut next: Vec<Option<usize>> = PREFIXES.iter().map(|p| find(p, 0)).collect();
    while i < src.len() {
        for (slot, p) in next.iter_mut().zip(PREFIXES) {
            if slot.is_some_and(|at| at < i) {
                *slot = find(p, i);
            }
        }
        let Some(at) = next.iter().flatten().copied().min() else { break };
        let boundary = at == 0 || !bytes.get(at - 1).is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-' | b'_'));
        if !boundary {
            i = at + 1;
            continue;
        }
        let encoding = match at.checked_sub(1).and_then(|p| bytes.get(p)) {
            Some(b'"') => Encoding::TextDouble,
            Some(b'\'') => Encoding::TextSingle,
            Some(b'`') => Encoding::TextBacktick,
            _ => Encoding::Text,
        };
        match encoding.decode(src, at) {
            Ok(d) => {
                let token = Span::new(at, d.end);
                i = d.end.max(at + 1);
                cx.offer(Offer { key: String::new(), keyed: false, encoding, token, d: &d, sub: None, checked: true });
            }
            Err(_) => i = at + 1,
        }
    }
    directives(cx, &lower);
}

/// Record each `dblint:` directive that follows a comment marker.
fn directives(cx: &mut Ctx<'_>, lower: &str) {
    let src = cx.src;
    let mut i = 0;
    while let Some(at) = lower.get(i..).and_then(|s| s.find("dblint:")).map(|o| i + o) {
        i = at + 7;
        let line_start = src.get(..at).and_then(|s| s.rfind('\n')).map_or(0, |p| p + 1);
        let before = src.get(line_start..at).unwrap_or("").trim_end();
        let Some(marker) = MARKERS.iter().find(|m| before.ends_with(*m)) else { continue };
        let start = line_start + before.len() - marker.len();
        let mut end = line_end(src, at);
        let body_end = match *marker {
            "<!--" => src.get(at..end).and_then(|s| s.find("-->")).map(|p| at + p),
            "/*" => src.get(at..end).and_then(|s| s.find("*/")).map(|p| at + p),
            _ => None,
        };
        if let Some(b) = body_end {
            end = (b + if *marker == "<!--" { 3 } else { 2 }).min(src.len());
        }
        cx.comment(Span::new(start, end), Span::new(start + marker.len(), body_end.unwrap_or(end)));
    }
}
