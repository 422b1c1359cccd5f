//! YAML scalar decoding (plain, single- and double-quoted, literal and
//! folded block scalars) with a map back to the file, and encoding.
//!
//! Each decoder reads exactly `src[start..]`: the caller passes a slice
//! that ends where the scalar ends (the parser's span). Decoded values are
//! checked against `saphyr-parser`'s own value by the YAML scanner, so a
//! disagreement never leads to a wrong edit.

use super::escapes::{DecodeError, Decoded, Out};
use crate::syntax::Span;

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Length of the line break at `i` (`\n`, `\r\n` or `\r`), 0 if none.
fn break_len(src: &str, i: usize) -> usize {
    match (byte(src, i), byte(src, i + 1)) {
        (Some(b'\r'), Some(b'\n')) => 2,
        (Some(b'\r' | b'\n'), _) => 1,
        _ => 0,
    }
}

/// From a line break at `j` (after trailing blanks starting at `ws`), skip
/// the break, any empty lines and the next line's leading blanks. Emits
/// the fold as one escape: a single break reads as a space, `n` breaks as
/// `n - 1` newlines. Returns where the next content starts.
fn fold(out: &mut Out<'_>, ws: usize, j: usize, limit: usize) -> usize {
    let mut k = j;
    let mut breaks = 0;
    loop {
        let bl = break_len(out.src, k);
        if bl == 0 || k >= limit {
            break;
        }
        breaks += 1;
        k += bl;
        while k < limit && byte(out.src, k).is_some_and(is_blank) {
            k += 1;
        }
    }
    let text = if breaks <= 1 { " ".to_string() } else { "\n".repeat(breaks - 1) };
    out.esc(ws, k, &text);
    k
}

/// Index just past the blanks that end `src[from..to]`, scanning back.
fn trim_blanks_back(src: &str, from: usize, to: usize) -> usize {
    let mut ws = to;
    while ws > from && byte(src, ws - 1).is_some_and(is_blank) {
        ws -= 1;
    }
    ws
}

/// Values that YAML's core schema (or YAML 1.1) resolves to something
/// other than a string when written plain.
fn resolves_to_non_string(v: &str) -> bool {
    const WORDS: &[&str] = &["", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf", ".nan"];
    if WORDS.iter().any(|w| v.eq_ignore_ascii_case(w)) {
        return true;
    }
    let digits = v.trim_start_matches(['-', '+']);
    !digits.is_empty()
        && digits.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b'_' | b'x' | b'o' | b'e' | b'E' | b'+' | b'-' | b':'))
}

/// A plain scalar. `flow` forbids the flow indicators `,[]{}`.
pub(crate) fn plain(src: &str, start: usize, flow: bool) -> Result<Decoded, DecodeError> {
    let end = src.len();
    let err = |at: usize, m: &str| Err(DecodeError::new(Span::new(at, (at + 1).min(end)), m));
    let first = byte(src, start);
    let second = byte(src, start + 1);
    match first {
        None => return err(start, "empty plain scalar"),
        Some(b'-' | b'?' | b':') if second.is_none_or(|b| b.is_ascii_whitespace() || (flow && b",[]{}".contains(&b))) => {
            return err(start, "a plain scalar cannot start with an indicator");
        }
        Some(b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`') => {
            return err(start, "a plain scalar cannot start with an indicator");
        }
        Some(b) if b.is_ascii_whitespace() => return err(start, "a plain scalar cannot start with a blank"),
        _ => {}
    }
    if src.as_bytes().last().is_some_and(|b| b.is_ascii_whitespace()) {
        return err(end - 1, "a plain scalar cannot end with a blank");
    }
    let mut out = Out::new(src);
    let mut i = start;
    loop {
        let mut le = i;
        while le < end && break_len(src, le) == 0 {
            le += 1;
        }
        let ce = trim_blanks_back(src, i, le);
        for p in i..ce {
            let b = byte(src, p).unwrap_or(0);
            let next = byte(src, p + 1);
            let prev = p.checked_sub(1).and_then(|q| byte(src, q));
            if b == b':' && next.is_none_or(|n| n.is_ascii_whitespace() || (flow && b",[]{}".contains(&n))) {
                return err(p, "': ' would start a mapping value");
            }
            if b == b'#' && p > start && prev.is_some_and(|c| c.is_ascii_whitespace()) {
                return err(p, "' #' would start a comment");
            }
            if flow && b",[]{}".contains(&b) {
                return err(p, "flow indicators are not allowed in a flow plain scalar");
            }
        }
        out.lit(i, ce);
        if le >= end {
            break;
        }
        i = fold(&mut out, ce, le, end);
    }
    if resolves_to_non_string(&out.d.value) {
        return err(start, "the plain scalar would not read as a string");
    }
    Ok(out.finish(Span::new(start, end), end))
}

/// A single-quoted scalar: `''` reads as `'`; line breaks fold.
pub(crate) fn single(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    if byte(src, start) != Some(b'\'') {
        return Err(DecodeError::new(Span::new(start, start), "expected a quote"));
    }
    let end = src.len();
    let mut out = Out::new(src);
    let mut i = start + 1;
    loop {
        let j = src.as_bytes().get(i..).and_then(|r| r.iter().position(|&c| matches!(c, b'\'' | b'\r' | b'\n'))).map_or(end, |p| i + p);
        match byte(src, j) {
            None => return Err(DecodeError::new(Span::new(start, start + 1), "unterminated single-quoted scalar")),
            Some(b'\'') if byte(src, j + 1) == Some(b'\'') => {
                out.lit(i, j);
                out.esc(j, j + 2, "'");
                i = j + 2;
            }
            Some(b'\'') => {
                out.lit(i, j);
                return Ok(out.finish(Span::new(start + 1, j), j + 1));
            }
            Some(_) => {
                let ws = trim_blanks_back(src, i, j);
                out.lit(i, ws);
                i = fold(&mut out, ws, j, end);
            }
        }
    }
}

/// A double-quoted scalar: YAML escapes, escaped and folded line breaks.
pub(crate) fn double(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    if byte(src, start) != Some(b'"') {
        return Err(DecodeError::new(Span::new(start, start), "expected a quote"));
    }
    let end = src.len();
    let mut out = Out::new(src);
    let mut i = start + 1;
    loop {
        let j =
            src.as_bytes().get(i..).and_then(|r| r.iter().position(|&c| matches!(c, b'"' | b'\\' | b'\r' | b'\n'))).map_or(end, |p| i + p);
        match byte(src, j) {
            None => return Err(DecodeError::new(Span::new(start, start + 1), "unterminated double-quoted scalar")),
            Some(b'"') => {
                out.lit(i, j);
                return Ok(out.finish(Span::new(start + 1, j), j + 1));
            }
            Some(b'\\') => {
                out.lit(i, j);
                let simple = match byte(src, j + 1) {
                    Some(b'0') => Some("\0"),
                    Some(b'a') => Some("\u{7}"),
                    Some(b'b') => Some("\u{8}"),
                    Some(b't' | b'\t') => Some("\t"),
                    Some(b'n') => Some("\n"),
                    Some(b'v') => Some("\u{b}"),
                    Some(b'f') => Some("\u{c}"),
                    Some(b'r') => Some("\r"),
                    Some(b'e') => Some("\u{1b}"),
                    Some(b' ') => Some(" "),
                    Some(b'"') => Some("\""),
                    Some(b'/') => Some("/"),
                    Some(b'\\') => Some("\\"),
                    _ => None,
                };
                if let Some(t) = simple {
                    out.esc(j, j + 2, t);
                    i = j + 2;
                    continue;
                }
                let named = match byte(src, j + 1) {
                    Some(b'N') => Some("\u{85}"),
                    Some(b'_') => Some("\u{a0}"),
                    Some(b'L') => Some("\u{2028}"),
                    Some(b'P') => Some("\u{2029}"),
                    _ => None,
                };
                if let Some(t) = named {
                    out.esc(j, j + 2, t);
                    i = j + 2;
                    continue;
                }
                let n = match byte(src, j + 1) {
                    Some(b'x') => 2,
                    Some(b'u') => 4,
                    Some(b'U') => 8,
                    _ => 0,
                };
                if n > 0 {
                    let c = src
                        .get(j + 2..j + 2 + n)
                        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                        .ok_or_else(|| DecodeError::new(Span::new(j, (j + 2 + n).min(end)), "invalid escape"))?;
                    let mut buf = [0u8; 4];
                    out.esc(j, j + 2 + n, c.encode_utf8(&mut buf));
                    i = j + 2 + n;
                    continue;
                }
                let bl = break_len(src, j + 1);
                if bl == 0 {
                    return Err(DecodeError::new(Span::new(j, (j + 2).min(end)), "invalid escape"));
                }
                let mut k = j + 1 + bl;
                while k < end && byte(src, k).is_some_and(is_blank) {
                    k += 1;
                }
                out.esc(j, k, "");
                i = k;
            }
            Some(_) => {
                let ws = trim_blanks_back(src, i, j);
                out.lit(i, ws);
                i = fold(&mut out, ws, j, end);
            }
        }
    }
}

/// A literal (`|`) or folded (`>`) block scalar starting at its indicator.
/// The scalar ends before the first non-blank line indented less than its
/// first line (or at the end of `src`). Explicit indentation indicators are
/// not supported here (the scanner then falls back to whole-value edits).
pub(crate) fn block(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    let literal = match byte(src, start) {
        Some(b'|') => true,
        Some(b'>') => false,
        _ => return Err(DecodeError::new(Span::new(start, start), "expected '|' or '>'")),
    };
    let mut i = start + 1;
    let mut chomp = b' ';
    while let Some(b) = byte(src, i) {
        match b {
            b'+' | b'-' => chomp = b,
            b'1'..=b'9' => return Err(DecodeError::new(Span::new(i, i + 1), "explicit indentation indicators are not supported")),
            _ => break,
        }
        i += 1;
    }
    // Rest of the header line: blanks and an optional comment.
    while i < src.len() && break_len(src, i) == 0 {
        i += 1;
    }
    // Lines of the body: [line start, line end).
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut k = i + break_len(src, i);
    while k < src.len() {
        let mut e = k;
        while e < src.len() && break_len(src, e) == 0 {
            e += 1;
        }
        lines.push((k, e));
        k = e + break_len(src, e);
    }
    let spaces = |s: usize, e: usize| src.get(s..e).map_or(0, |t| t.bytes().take_while(|&b| b == b' ').count());
    let blank = |s: usize, e: usize| src.get(s..e).is_none_or(|t| t.bytes().all(is_blank));
    let indent = lines.iter().find(|&&(s, e)| !blank(s, e)).map_or(0, |&(s, e)| spaces(s, e));
    let mut out = Out::new(src);
    let mut prev_end: Option<usize> = None; // end of the previous content line
    let mut pending_empty = 0usize;
    let mut prev_more = false;
    let mut gap_start = start;
    let mut leading = 0usize;
    let mut stop = src.len();
    for &(s, e) in &lines {
        if blank(s, e) {
            if prev_end.is_none() {
                leading += 1;
            } else {
                pending_empty += 1;
            }
            continue;
        }
        if spaces(s, e) < indent || indent == 0 {
            stop = s;
            break;
        }
        let cs = s + indent;
        let more = matches!(byte(src, cs), Some(b' ' | b'\t'));
        let join = match prev_end {
            None => "\n".repeat(leading),
            Some(_) if literal => "\n".repeat(pending_empty + 1),
            Some(_) if !prev_more && !more && pending_empty == 0 => " ".to_string(),
            Some(_) if !prev_more && !more => "\n".repeat(pending_empty),
            Some(_) => "\n".repeat(pending_empty + 1),
        };
        out.esc(gap_start, cs, &join);
        out.lit(cs, e);
        prev_end = Some(e);
        gap_start = e;
        pending_empty = 0;
        prev_more = more;
    }
    let breaks = src.get(gap_start..stop).map_or(0, |t| t.matches('\n').count());
    let tail = match (chomp, prev_end) {
        (b'-', _) | (_, None) => String::new(),
        (b'+', _) => "\n".repeat(breaks),
        _ => "\n".repeat(breaks.min(1)),
    };
    out.esc(gap_start, stop, &tail);
    let content = lines.first().map_or(Span::new(stop, stop), |&(s, _)| Span::new(s.min(stop), stop));
    Ok(out.finish(content, stop))
}

/// Encode `text` for a YAML scalar of the given style; `None` when the
/// style cannot hold it.
pub(crate) fn encode_single(text: &str) -> Option<String> {
    (!text.chars().any(|c| c.is_control() && c != '\t')).then(|| text.replace('\'', "''"))
}

/// Encode `text` for a double-quoted YAML scalar.
pub(crate) fn encode_double(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\0' => s.push_str("\\0"),
            '\u{1b}' => s.push_str("\\e"),
            '\u{85}' => s.push_str("\\N"),
            '\u{2028}' => s.push_str("\\L"),
            '\u{2029}' => s.push_str("\\P"),
            c if c.is_control() => s.push_str(&format!("\\x{:02X}", c as u32)),
            c => s.push(c),
        }
    }
    s
}

/// Encode `text` for a block scalar line: anything but a line break.
pub(crate) fn encode_block(text: &str) -> Option<String> {
    (!text.contains(['\n', '\r'])).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars() {
        assert_eq!(plain("postgres://h/db?a=1", 0, false).unwrap().value, "postgres://h/db?a=1");
        assert_eq!(plain("multi\n  line  \n\n  plain", 0, false).unwrap().value, "multi line\nplain");
        assert!(plain("a: b", 0, false).is_err());
        assert!(plain("a #b", 0, false).is_err());
        assert!(plain("a,b", 0, true).is_err());
        assert!(plain("true", 0, false).is_err());
        assert!(plain("- x", 0, false).is_err());
    }

    #[test]
    fn quoted_scalars() {
        assert_eq!(single("'it''s\n   folded'", 0).unwrap().value, "it's folded");
        assert_eq!(double(r#""a\"b\x41\u00e9\\""#, 0).unwrap().value, "a\"bAé\\");
        assert_eq!(double("\"a \\\n   b\"", 0).unwrap().value, "a b");
        assert_eq!(double("\"a\\\n   b\"", 0).unwrap().value, "ab");
    }

    #[test]
    fn block_scalars() {
        assert_eq!(block("|\n  lit\n  two\n\n", 0).unwrap().value, "lit\ntwo\n");
        assert_eq!(block("|+\n  lit\n\n", 0).unwrap().value, "lit\n\n");
        assert_eq!(block(">-\n  fold\n  ed\n", 0).unwrap().value, "fold ed");
        assert_eq!(block(">\n  a\n\n  b\n    c\n  d\n", 0).unwrap().value, "a\nb\n  c\nd\n");
    }
}
