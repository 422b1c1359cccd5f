//! `.env` files, read the way the common dotenv loaders agree on.
//!
//! - `KEY=value` lines, optionally prefixed with `export`, blanks allowed
//!   around `=`; keys are `[A-Za-z0-9_.-]+`; a line holding only a key
//!   (`KEY`) is allowed and has no value.
//! - `#` starts a comment at the start of a line, after a closing quote,
//!   or after a blank in an unquoted value.
//! - Unquoted values end at the line end (trailing blanks trimmed); single
//!   and backtick quotes are literal; double quotes read `\n \r \t \" \\ \$`
//!   escapes; quoted values may span lines.
//! - `$VAR` and `${VAR}` in unquoted and double-quoted values are
//!   interpolations (opaque to edits).
//! - LF or CRLF line ends, an optional byte-order mark, with or without a
//!   final newline. Duplicate keys each yield a candidate.
//!
//! A malformed line is reported and skipped; the rest is still read.

use super::escapes::line_end;
use super::{Ctx, Encoding, Offer};
use crate::syntax::Span;

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

fn skip_blanks(src: &str, mut i: usize) -> usize {
    while matches!(byte(src, i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Offset of the start of the line after the one holding `i`.
fn next_line(src: &str, i: usize) -> usize {
    src.as_bytes().get(i..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(src.len(), |p| i + p + 1)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn at_eol(src: &str, i: usize) -> bool {
    matches!(byte(src, i), None | Some(b'\n')) || (byte(src, i) == Some(b'\r') && matches!(byte(src, i + 1), None | Some(b'\n')))
}

/// Record the comment starting at `i` (a `#`) up to the end of its line.
fn comment(cx: &mut Ctx<'_>, i: usize) {
    let end = line_end(cx.src, i);
    cx.comment(Span::new(i, end), Span::new(i + 1, end));
}

pub(crate) fn scan(cx: &mut Ctx<'_>) {
    let src = cx.src;
    let mut pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < src.len() {
        let i = skip_blanks(src, pos);
        if at_eol(src, i) {
            pos = next_line(src, i);
            continue;
        }
        if byte(src, i) == Some(b'#') {
            comment(cx, i);
            pos = next_line(src, i);
            continue;
        }
        pos = line(cx, i);
    }
}

/// Read one entry starting at `i`; return where the next line starts.
fn line(cx: &mut Ctx<'_>, mut i: usize) -> usize {
    let src = cx.src;
    if src.get(i..i + 6) == Some("export") && matches!(byte(src, i + 6), Some(b' ' | b'\t')) {
        let k = skip_blanks(src, i + 6);
        if byte(src, k).is_some_and(is_key_byte) {
            i = k;
        }
    }
    let key_start = i;
    while byte(src, i).is_some_and(is_key_byte) {
        i += 1;
    }
    if i == key_start {
        let c = src.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        cx.error(Span::new(i, i + c), "expected a variable name");
        return next_line(src, i);
    }
    let key = src.get(key_start..i).unwrap_or("").to_string();
    i = skip_blanks(src, i);
    if at_eol(src, i) {
        return next_line(src, i);
    }
    if byte(src, i) != Some(b'=') {
        let c = src.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        cx.error(Span::new(i, i + c), format!("expected '=' after \"{key}\""));
        return next_line(src, i);
    }
    i = skip_blanks(src, i + 1);
    if at_eol(src, i) {
        return next_line(src, i);
    }
    let encoding = match byte(src, i) {
        Some(b'#') => {
            comment(cx, i);
            return next_line(src, i);
        }
        Some(b'"') => Encoding::DotenvDouble,
        Some(b'\'') => Encoding::DotenvSingle,
        Some(b'`') => Encoding::DotenvBacktick,
        _ => Encoding::DotenvUnquoted,
    };
    let d = match encoding.decode(src, i) {
        Ok(d) => d,
        Err(e) => {
            cx.error(e.at, e.message);
            return next_line(src, i);
        }
    };
    let token = Span::new(i, d.end);
    // After the value: blanks, then a comment or the line end.
    let after = skip_blanks(src, d.end);
    if byte(src, after) == Some(b'#') && (after > d.end || encoding != Encoding::DotenvUnquoted) {
        comment(cx, after);
    } else if !at_eol(src, after) {
        let end = line_end(src, after);
        cx.error(Span::new(after, end.max(after + 1).min(src.len())), format!("unexpected text after the value of \"{key}\""));
        return next_line(src, after);
    }
    cx.offer(Offer { key, keyed: false, encoding, token, d: &d, sub: None, checked: true });
    next_line(src, after)
}
