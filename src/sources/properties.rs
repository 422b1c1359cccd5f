//! Java `.properties` files, read as `java.util.Properties.load` reads
//! them: comment lines start with `#` or `!`; a key ends at an unescaped
//! `=`, `:` or blank; a backslash at the end of a line continues it.
//! Spring's `${…}` placeholders are opaque.

use super::escapes::line_end;
use super::{Ctx, Encoding, Offer};
use crate::syntax::Span;

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0c')
}

fn skip_blanks(src: &str, mut i: usize) -> usize {
    while byte(src, i).is_some_and(is_blank) {
        i += 1;
    }
    i
}

/// Offset just past the line break at or after `i`.
fn after_break(src: &str, i: usize) -> usize {
    let e = line_end(src, i);
    match byte(src, e) {
        Some(b'\r') if byte(src, e + 1) == Some(b'\n') => e + 2,
        Some(_) => e + 1,
        None => e,
    }
}

pub(crate) fn scan(cx: &mut Ctx<'_>) {
    let src = cx.src;
    let mut pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < src.len() {
        let i = skip_blanks(src, pos);
        match byte(src, i) {
            None => break,
            Some(b'\n' | b'\r') => {
                pos = after_break(src, i);
                continue;
            }
            Some(b'#' | b'!') => {
                let end = line_end(src, i);
                cx.comment(Span::new(i, end), Span::new(i + 1, end));
                pos = after_break(src, i);
                continue;
            }
            _ => {}
        }
        pos = entry(cx, i);
    }
}

/// Read one logical line starting at its key; return where the next starts.
fn entry(cx: &mut Ctx<'_>, start: usize) -> usize {
    let src = cx.src;
    let mut key = String::new();
    let mut i = start;
    loop {
        match byte(src, i) {
            None | Some(b'=' | b':' | b'\n' | b'\r') => break,
            Some(b) if is_blank(b) => break,
            Some(b'\\') => match src.get(i + 1..).and_then(|s| s.chars().next()) {
                Some('\n' | '\r') | None => {
                    cx.error(Span::new(i, i + 1), "line continuations inside a key are not supported");
                    return after_break(src, after_break(src, i));
                }
                Some(c) => {
                    key.push(c);
                    i += 1 + c.len_utf8();
                }
            },
            Some(_) => {
                let c = src.get(i..).and_then(|s| s.chars().next()).unwrap_or('\u{fffd}');
                key.push(c);
                i += c.len_utf8();
            }
        }
    }
    i = skip_blanks(src, i);
    if matches!(byte(src, i), Some(b'=' | b':')) {
        i = skip_blanks(src, i + 1);
    }
    match Encoding::Properties.decode(src, i) {
        Ok(d) => {
            let next = after_break(src, d.end);
            let token = Span::new(i, d.end);
            cx.offer(Offer { key, keyed: false, encoding: Encoding::Properties, token, d: &d, sub: None, checked: true });
            next
        }
        Err(e) => {
            cx.error(e.at, e.message);
            after_break(src, i)
        }
    }
}
