//! INI files: `[section]` headers, `key = value` or `key: value` entries,
//! whole-line `#` and `;` comments. `*.ini` and `*.cfg` are read as
//! Python's `configparser` reads them (`%%` for `%`, `%(name)s` opaque,
//! values continued on more-indented lines, no inline comments); `*.conf`
//! without interpolation. A value wrapped in matching quotes yields the
//! text inside them. Values continued over several lines are not
//! candidates.

use super::escapes::line_end;
use super::{Ctx, Encoding, Offer};
use crate::syntax::Span;

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

/// One physical line: its start, the first non-blank byte, its end.
fn lines(src: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
    std::iter::from_fn(move || {
        if pos >= src.len() {
            return None;
        }
        let start = pos;
        let end = line_end(src, start);
        let mut first = start;
        while first < end && matches!(byte(src, first), Some(b' ' | b'\t')) {
            first += 1;
        }
        pos = src.as_bytes().get(end..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(src.len(), |p| end + p + 1);
        Some((start, first, end))
    })
}

/// Whether every line is blank, a comment, a section header, an entry or
/// a continuation: the test `.conf` files must pass to be read as INI.
pub(crate) fn looks_like_ini(src: &str) -> bool {
    let mut entries = 0;
    for (_, first, end) in lines(src) {
        let text = src.get(first..end).unwrap_or("");
        if text.is_empty() || text.starts_with(['#', ';']) {
            continue;
        }
        if text.starts_with('[') {
            if !text.trim_end().ends_with(']') {
                return false;
            }
            continue;
        }
        match text.find(['=', ':']) {
            Some(p) if p > 0 && !text.get(..p).unwrap_or("").contains(['{', '}', '(', ')', ';']) => entries += 1,
            _ => return false,
        }
    }
    entries > 0
}

pub(crate) fn scan(cx: &mut Ctx<'_>, python: bool) {
    let src = cx.src;
    let encoding = if python { Encoding::IniPython } else { Encoding::Ini };
    let mut section: Option<String> = None;
    // The last entry, held back until we know it has no continuation.
    let mut held: Option<(String, usize, usize)> = None; // key, value start, indent of the key
    let mut continued = false;
    let mut reported_header = false;
    let flush = |cx: &mut Ctx<'_>, held: &mut Option<(String, usize, usize)>, continued: bool| {
        if let Some((key, at, _)) = held.take()
            && !continued
        {
            offer(cx, key, at, encoding);
        }
    };
    for (start, first, end) in lines(src) {
        let text = src.get(first..end).unwrap_or("");
        let indent = first - start;
        if text.trim().is_empty() {
            continue;
        }
        if text.starts_with(['#', ';']) {
            cx.comment(Span::new(first, end), Span::new(first + 1, end));
            continue;
        }
        if let Some((_, _, key_indent)) = &held
            && indent > *key_indent
        {
            continued = true;
            continue;
        }
        flush(cx, &mut held, continued);
        continued = false;
        if let Some(rest) = text.strip_prefix('[') {
            match rest.find(']') {
                Some(close) => section = Some(rest.get(..close).unwrap_or("").trim().to_string()),
                None => cx.error(Span::new(first, end), "section header without ']'"),
            }
            continue;
        }
        let Some(p) = text.find(['=', ':']) else {
            cx.error(Span::new(first, end), "expected '=' or ':' after the key");
            continue;
        };
        let raw_key = text.get(..p).unwrap_or("").trim();
        if raw_key.is_empty() {
            cx.error(Span::new(first, first + 1), "expected a key before the separator");
            continue;
        }
        if python && section.is_none() && !reported_header {
            cx.error(Span::new(first, end), "Python's configparser requires a [section] header before the first key");
            reported_header = true;
        }
        let key = match &section {
            Some(s) => format!("{s}.{raw_key}"),
            None => raw_key.to_string(),
        };
        let mut v = first + p + 1;
        while v < end && matches!(byte(src, v), Some(b' ' | b'\t')) {
            v += 1;
        }
        held = Some((key, v, indent));
    }
    flush(cx, &mut held, continued);
}

fn offer(cx: &mut Ctx<'_>, key: String, at: usize, encoding: Encoding) {
    let d = match encoding.decode(cx.src, at) {
        Ok(d) => d,
        Err(e) => {
            cx.error(e.at, e.message);
            return;
        }
    };
    let token = Span::new(at, d.end);
    let v = d.value.as_bytes();
    let quoted = v.len() >= 2 && matches!(v.first(), Some(b'"' | b'\'')) && v.first() == v.last();
    let sub = quoted.then(|| Span::new(1, v.len() - 1));
    cx.offer(Offer { key, keyed: false, encoding, token, d: &d, sub, checked: true });
}
