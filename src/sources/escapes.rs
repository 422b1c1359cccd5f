//! Decoders and encoders for the string syntaxes of each container, except
//! YAML's (see `yaml_scalar`).
//!
//! Every decoder reads one token of `src` starting at byte `start` and
//! returns the decoded text, a [`SpanMap`] in `src` offsets, the token's end
//! and its content span (inside any quotes). Decoders never panic: every
//! slice goes through `get`.

use super::Note;
use super::map::SpanMap;
use crate::syntax::Span;

/// A decoded token.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decoded {
    pub value: String,
    pub map: SpanMap,
    /// The content between the quotes (or the whole token when unquoted).
    pub content: Span,
    /// One past the token's last byte.
    pub end: usize,
    pub notes: Vec<Note>,
}

/// Why a token could not be decoded: a message and the offending offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub at: Span,
    pub message: String,
}

impl DecodeError {
    pub(crate) fn new(at: Span, message: impl Into<String>) -> Self {
        DecodeError { at, message: message.into() }
    }
}

/// Accumulates decoded text and its map.
pub(crate) struct Out<'a> {
    pub src: &'a str,
    pub d: Decoded,
}

impl<'a> Out<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Out { src, d: Decoded::default() }
    }

    /// Copy `src[s..e]` verbatim.
    pub(crate) fn lit(&mut self, s: usize, e: usize) {
        if let Some(t) = self.src.get(s..e) {
            self.d.value.push_str(t);
            self.d.map.verbatim(Span::new(s, e));
        }
    }

    /// `src[s..e]` decodes to `text`.
    pub(crate) fn esc(&mut self, s: usize, e: usize, text: &str) {
        self.d.value.push_str(text);
        self.d.map.escape(Span::new(s, e), text.len());
    }

    pub(crate) fn note(&mut self, span: Span, message: &str) {
        if !self.d.notes.iter().any(|n| n.message == message) {
            self.d.notes.push(Note { span, message: message.to_string() });
        }
    }

    pub(crate) fn finish(mut self, content: Span, end: usize) -> Decoded {
        self.d.content = content;
        self.d.end = end;
        self.d
    }
}

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

/// The char starting at byte `i`.
fn char_at(src: &str, i: usize) -> Option<char> {
    src.get(i..).and_then(|s| s.chars().next())
}

fn hex_value(src: &str, s: usize, n: usize) -> Option<u32> {
    let t = src.get(s..s + n)?;
    if t.bytes().all(|b| b.is_ascii_hexdigit()) { u32::from_str_radix(t, 16).ok() } else { None }
}

/// Index of the next byte at or after `i` that is in `set`, or `src.len()`.
fn next_of(src: &str, i: usize, set: &[u8]) -> usize {
    src.as_bytes().get(i..).and_then(|b| crate::syntax::bytes::find_any(set, b)).map_or(src.len(), |p| i + p)
}

/// End of the line starting the search at `i` (before `\r\n` or `\n`).
pub(crate) fn line_end(src: &str, i: usize) -> usize {
    let nl = next_of(src, i, b"\n");
    if nl > i && byte(src, nl - 1) == Some(b'\r') { nl - 1 } else { nl }
}

// ---------------------------------------------------------------- dotenv

/// An unquoted `.env` value: up to the end of the line or a ` #` comment,
/// trailing blanks trimmed.
pub(crate) fn dotenv_bare(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    if let Some(b'"' | b'\'' | b'`' | b'#' | b' ' | b'\t') = byte(src, start) {
        return Err(DecodeError::new(Span::new(start, start + 1), "an unquoted value cannot start with a quote, '#' or a blank"));
    }
    let eol = line_end(src, start);
    let bytes = src.as_bytes();
    // A `#` after a blank starts a comment.
    let comment = bytes
        .get(start..eol)
        .and_then(|value| crate::syntax::bytes::positions(b'#', value).find(|&i| i > 0 && matches!(value.get(i - 1), Some(b' ' | b'\t'))));
    let mut end = comment.map_or(eol, |i| start + i);
    while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\r')) {
        end -= 1;
    }
    let mut out = Out::new(src);
    out.lit(start, end);
    if let Some(p) = src.get(start..end).and_then(|v| v.find('#')) {
        out.note(
            Span::new(start + p, start + p + 1),
            "unquoted value contains '#': Node's dotenv and older docker compose end the value there; quote the value",
        );
    }
    Ok(out.finish(Span::new(start, end), end))
}

/// A quoted `.env` value (`"…"`, `'…'` or `` `…` ``), possibly spanning
/// lines. Only double quotes have escapes: `\n`, `\r`, `\t`, `\"`, `\\`
/// and `\$`; any other backslash is kept. CRLF inside the quotes reads as
/// LF, as dotenv loaders normalise line endings before parsing.
pub(crate) fn dotenv_quoted(src: &str, start: usize, q: u8) -> Result<Decoded, DecodeError> {
    if byte(src, start) != Some(q) {
        return Err(DecodeError::new(Span::new(start, start), "expected an opening quote"));
    }
    let mut out = Out::new(src);
    let mut i = start + 1;
    let set: &[u8] = if q == b'"' { b"\"\\\r" } else { &[q, b'\r'] };
    loop {
        let j = next_of(src, i, set);
        out.lit(i, j);
        match byte(src, j) {
            None => {
                let quote = if q == b'"' {
                    "double"
                } else if q == b'\'' {
                    "single"
                } else {
                    "backtick"
                };
                return Err(DecodeError::new(Span::new(start, start + 1), format!("unterminated {quote}-quoted value")));
            }
            Some(b'\r') if byte(src, j + 1) == Some(b'\n') => {
                out.esc(j, j + 2, "\n");
                i = j + 2;
            }
            Some(b'\r') => {
                out.lit(j, j + 1);
                i = j + 1;
            }
            Some(b'\\') => {
                let decoded = match byte(src, j + 1) {
                    Some(b'n') => Some("\n"),
                    Some(b'r') => Some("\r"),
                    Some(b't') => Some("\t"),
                    Some(b'"') => Some("\""),
                    Some(b'\\') => Some("\\"),
                    Some(b'$') => Some("$"),
                    _ => None,
                };
                match decoded {
                    Some(t) => {
                        if !matches!(t, "\n" | "\r") {
                            out.note(
                                Span::new(j, j + 2),
                                "backslash escape other than \\n or \\r in a double-quoted value: Node's dotenv keeps the backslash",
                            );
                        }
                        out.esc(j, j + 2, t);
                        i = j + 2;
                    }
                    None => {
                        out.lit(j, j + 1);
                        i = j + 1;
                    }
                }
            }
            Some(_) => return Ok(out.finish(Span::new(start + 1, j), j + 1)),
        }
    }
}

/// Encode `text` for a `.env` value in `quote` (`None` for unquoted).
pub(crate) fn dotenv_encode(text: &str, quote: Option<u8>) -> Option<String> {
    match quote {
        // Blanks are legal inside an unquoted value, but shells sourcing
        // the file split there: quote instead.
        None => (!text.contains([' ', '\t'])).then(|| text.to_string()),
        Some(b'"') => {
            let mut s = String::with_capacity(text.len() + 4);
            for c in text.chars() {
                match c {
                    '\\' => s.push_str("\\\\"),
                    '"' => s.push_str("\\\""),
                    '\n' => s.push_str("\\n"),
                    '\r' => s.push_str("\\r"),
                    '$' => s.push_str("\\$"),
                    c => s.push(c),
                }
            }
            Some(s)
        }
        Some(q) => (!text.bytes().any(|b| b == q || b == b'\n' || b == b'\r')).then(|| text.to_string()),
    }
}

// ------------------------------------------------------------------ JSON

/// A JSON (or JSONC / JSON5 single-quoted) string literal; Prisma schema
/// strings share the grammar.
pub(crate) fn json_string(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    let q = match byte(src, start) {
        Some(q @ (b'"' | b'\'')) => q,
        _ => return Err(DecodeError::new(Span::new(start, start), "expected a string")),
    };
    let mut out = Out::new(src);
    let mut i = start + 1;
    loop {
        let j = src.as_bytes().get(i..).and_then(|b| b.iter().position(|&c| c == q || c == b'\\' || c < 0x20)).map_or(src.len(), |p| i + p);
        out.lit(i, j);
        match byte(src, j) {
            None | Some(b'\n') => return Err(DecodeError::new(Span::new(start, start + 1), "unterminated string")),
            Some(b'\\') => {
                let simple = match byte(src, j + 1) {
                    Some(b'"') => Some("\""),
                    Some(b'\'') => Some("'"),
                    Some(b'\\') => Some("\\"),
                    Some(b'/') => Some("/"),
                    Some(b'b') => Some("\u{8}"),
                    Some(b'f') => Some("\u{c}"),
                    Some(b'n') => Some("\n"),
                    Some(b'r') => Some("\r"),
                    Some(b't') => Some("\t"),
                    _ => None,
                };
                if let Some(t) = simple {
                    out.esc(j, j + 2, t);
                    i = j + 2;
                    continue;
                }
                if byte(src, j + 1) != Some(b'u') {
                    return Err(DecodeError::new(Span::new(j, j + 2), "invalid escape in string"));
                }
                let bad = || DecodeError::new(Span::new(j, (j + 6).min(src.len())), "invalid \\u escape in string");
                let hi = hex_value(src, j + 2, 4).ok_or_else(bad)?;
                let (c, len) = if (0xD800..0xDC00).contains(&hi)
                    && src.get(j + 6..j + 8) == Some("\\u")
                    && let Some(lo) = hex_value(src, j + 8, 4).filter(|lo| (0xDC00..0xE000).contains(lo))
                {
                    (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12)
                } else {
                    (char::from_u32(hi), 6)
                };
                let c = c.ok_or_else(bad)?;
                let mut buf = [0u8; 4];
                out.esc(j, j + len, c.encode_utf8(&mut buf));
                i = j + len;
            }
            Some(c) if c == q => return Ok(out.finish(Span::new(start + 1, j), j + 1)),
            Some(_) => return Err(DecodeError::new(Span::new(j, j + 1), "control character in string")),
        }
    }
}

/// Encode `text` inside a JSON string quoted with `q`.
pub(crate) fn json_encode(text: &str, q: u8) -> String {
    let mut s = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' if q == b'"' => s.push_str("\\\""),
            '\'' if q == b'\'' => s.push_str("\\'"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\u{:04x}", c as u32)),
            c => s.push(c),
        }
    }
    s
}

// ------------------------------------------------------------------- XML

fn xml_entity(src: &str, j: usize) -> Result<(char, usize), DecodeError> {
    let semi = src.as_bytes().get(j..(j + 12).min(src.len())).and_then(|t| t.iter().position(|&b| b == b';'));
    let bad = || DecodeError::new(Span::new(j, j + 1), "'&' must start an entity such as &amp; (write '&amp;' for '&')");
    let semi = semi.ok_or_else(bad)?;
    let name = src.get(j + 1..j + semi).ok_or_else(bad)?;
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = if let Some(h) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(h, 16).ok()
            } else if let Some(d) = name.strip_prefix('#') {
                d.parse::<u32>().ok()
            } else {
                None
            };
            num.and_then(char::from_u32)
        }
    };
    Ok((c.ok_or_else(bad)?, semi + 1))
}

/// An XML attribute value: entities decoded and attribute-value
/// normalisation applied (tab, LF, CR and CRLF each read as one space).
pub(crate) fn xml_attr(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    let q = match byte(src, start) {
        Some(q @ (b'"' | b'\'')) => q,
        _ => return Err(DecodeError::new(Span::new(start, start), "expected a quoted attribute value")),
    };
    let mut out = Out::new(src);
    let mut i = start + 1;
    loop {
        let j = next_of(src, i, &[q, b'&', b'<', b'\t', b'\n', b'\r']);
        out.lit(i, j);
        match byte(src, j) {
            None => return Err(DecodeError::new(Span::new(start, start + 1), "unterminated attribute value")),
            Some(b'&') => {
                let (c, len) = xml_entity(src, j)?;
                let mut buf = [0u8; 4];
                out.esc(j, j + len, c.encode_utf8(&mut buf));
                i = j + len;
            }
            Some(b'<') => return Err(DecodeError::new(Span::new(j, j + 1), "'<' is not allowed in an attribute value")),
            Some(b'\r') if byte(src, j + 1) == Some(b'\n') => {
                out.esc(j, j + 2, " ");
                i = j + 2;
            }
            Some(b'\t' | b'\n' | b'\r') => {
                out.esc(j, j + 1, " ");
                i = j + 1;
            }
            Some(_) => return Ok(out.finish(Span::new(start + 1, j), j + 1)),
        }
    }
}

/// XML character data up to the next `<` (or the end of `src`), entities
/// decoded and CRLF read as LF.
pub(crate) fn xml_text(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    let mut out = Out::new(src);
    let mut i = start;
    loop {
        let j = next_of(src, i, b"&<\r");
        out.lit(i, j);
        match byte(src, j) {
            Some(b'&') => {
                let (c, len) = xml_entity(src, j)?;
                let mut buf = [0u8; 4];
                out.esc(j, j + len, c.encode_utf8(&mut buf));
                i = j + len;
            }
            Some(b'\r') => {
                let len = if byte(src, j + 1) == Some(b'\n') { 2 } else { 1 };
                out.esc(j, j + len, "\n");
                i = j + len;
            }
            _ => {
                // Readers trim element text: a value cannot begin or end with blanks.
                let t = src.get(start..j).unwrap_or("");
                if t.starts_with(char::is_whitespace) || t.ends_with(char::is_whitespace) {
                    return Err(DecodeError::new(Span::new(start, j), "element text is trimmed"));
                }
                return Ok(out.finish(Span::new(start, j), j));
            }
        }
    }
}

/// Encode `text` for an XML attribute quoted with `q`, or for character
/// data when `q` is `None`. Control characters XML 1.0 forbids fail.
pub(crate) fn xml_encode(text: &str, q: Option<u8>) -> Option<String> {
    let mut s = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' if q == Some(b'"') => s.push_str("&quot;"),
            '\'' if q == Some(b'\'') => s.push_str("&apos;"),
            '\t' if q.is_some() => s.push_str("&#9;"),
            '\n' if q.is_some() => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            '\t' | '\n' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => return None,
            c => s.push(c),
        }
    }
    Some(s)
}

// ------------------------------------------------------------------ TOML

/// The delimiters of the four TOML string kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TomlKind {
    Basic,
    Literal,
    MultiBasic,
    MultiLiteral,
}

impl TomlKind {
    pub(crate) fn delim(self) -> &'static str {
        match self {
            TomlKind::Basic => "\"",
            TomlKind::Literal => "'",
            TomlKind::MultiBasic => "\"\"\"",
            TomlKind::MultiLiteral => "'''",
        }
    }
}

/// A TOML string of kind `kind` (TOML 1.1 escapes in basic strings).
pub(crate) fn toml_string(src: &str, start: usize, kind: TomlKind) -> Result<Decoded, DecodeError> {
    let delim = kind.delim();
    if src.get(start..start + delim.len()) != Some(delim) {
        return Err(DecodeError::new(Span::new(start, start), "expected a string"));
    }
    let multi = matches!(kind, TomlKind::MultiBasic | TomlKind::MultiLiteral);
    let basic = matches!(kind, TomlKind::Basic | TomlKind::MultiBasic);
    let q = if basic { b'"' } else { b'\'' };
    let mut out = Out::new(src);
    let mut i = start + delim.len();
    let content_start = i;
    if multi {
        // A newline right after the opening delimiter is trimmed.
        let nl = if src.get(i..i + 2) == Some("\r\n") { 2 } else { usize::from(byte(src, i) == Some(b'\n')) };
        if nl > 0 {
            out.esc(i, i + nl, "");
            i += nl;
        }
    }
    let unterminated = || DecodeError::new(Span::new(start, start + delim.len()), "unterminated string");
    loop {
        let j = src
            .as_bytes()
            .get(i..)
            .and_then(|b| b.iter().position(|&c| c == q || (basic && c == b'\\') || (c < 0x20 && c != b'\t') || c == 0x7f))
            .map_or(src.len(), |p| i + p);
        out.lit(i, j);
        match byte(src, j) {
            None => return Err(unterminated()),
            Some(b'\n') if multi => {
                out.lit(j, j + 1);
                i = j + 1;
            }
            Some(b'\r') if multi && byte(src, j + 1) == Some(b'\n') => {
                out.lit(j, j + 2);
                i = j + 2;
            }
            Some(b'\\') => {
                let simple = match byte(src, j + 1) {
                    Some(b'b') => Some("\u{8}"),
                    Some(b't') => Some("\t"),
                    Some(b'n') => Some("\n"),
                    Some(b'f') => Some("\u{c}"),
                    Some(b'r') => Some("\r"),
                    Some(b'e') => Some("\u{1b}"),
                    Some(b'"') => Some("\""),
                    Some(b'\\') => Some("\\"),
                    _ => None,
                };
                if let Some(t) = simple {
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
                    let c = hex_value(src, j + 2, n)
                        .and_then(char::from_u32)
                        .ok_or_else(|| DecodeError::new(Span::new(j, (j + 2 + n).min(src.len())), "invalid unicode escape"))?;
                    let mut buf = [0u8; 4];
                    out.esc(j, j + 2 + n, c.encode_utf8(&mut buf));
                    i = j + 2 + n;
                    continue;
                }
                // Line-ending backslash: trims whitespace up to the next
                // non-whitespace character.
                let mut k = j + 1;
                while matches!(byte(src, k), Some(b' ' | b'\t')) {
                    k += 1;
                }
                if multi && matches!(byte(src, k), Some(b'\n' | b'\r')) {
                    while matches!(byte(src, k), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                        k += 1;
                    }
                    out.esc(j, k, "");
                    i = k;
                    continue;
                }
                return Err(DecodeError::new(Span::new(j, j + 2), "invalid escape in string"));
            }
            Some(c) if c == q => {
                if !multi {
                    return Ok(out.finish(Span::new(content_start, j), j + 1));
                }
                let run = src.as_bytes().get(j..).map_or(0, |b| b.iter().take_while(|&&c| c == q).count());
                if run < 3 {
                    out.lit(j, j + run);
                    i = j + run;
                    continue;
                }
                if run > 5 {
                    return Err(DecodeError::new(Span::new(j, j + run), "too many quotes at the end of a multi-line string"));
                }
                out.lit(j, j + run - 3);
                return Ok(out.finish(Span::new(content_start, j + run - 3), j + run));
            }
            Some(_) => return Err(DecodeError::new(Span::new(j, j + 1), "control character in string")),
        }
    }
}

/// Encode `text` for a TOML string of kind `kind`.
pub(crate) fn toml_encode(text: &str, kind: TomlKind) -> Option<String> {
    match kind {
        TomlKind::Basic | TomlKind::MultiBasic => {
            let mut s = String::with_capacity(text.len() + 4);
            for c in text.chars() {
                match c {
                    '\\' => s.push_str("\\\\"),
                    '"' => s.push_str("\\\""),
                    '\n' => s.push_str("\\n"),
                    '\r' => s.push_str("\\r"),
                    '\t' => s.push('\t'),
                    c if (c as u32) < 0x20 || c == '\u{7f}' => s.push_str(&format!("\\u{:04X}", c as u32)),
                    c => s.push(c),
                }
            }
            Some(s)
        }
        TomlKind::Literal => (!text.chars().any(|c| c == '\'' || (c.is_control() && c != '\t'))).then(|| text.to_string()),
        TomlKind::MultiLiteral => {
            (!text.contains("'''") && !text.ends_with('\'') && !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n')))
                .then(|| text.to_string())
        }
    }
}

// ------------------------------------------------------------ properties

/// A Java `.properties` value from `start` (after the separator and the
/// blanks that follow it) to the end of its logical line, as
/// `java.util.Properties.load` reads it: `\t \n \r \f`, `\uXXXX`, a
/// backslash before any other character drops the backslash, and a
/// backslash before a line break continues the value after the next
/// line's leading blanks.
pub(crate) fn properties_value(src: &str, start: usize) -> Result<Decoded, DecodeError> {
    if matches!(byte(src, start), Some(b' ' | b'\t' | b'\x0c')) {
        return Err(DecodeError::new(Span::new(start, start + 1), "a value cannot start with a blank"));
    }
    let mut out = Out::new(src);
    let mut i = start;
    loop {
        let j = next_of(src, i, b"\\\r\n");
        out.lit(i, j);
        match byte(src, j) {
            None | Some(b'\r' | b'\n') => return Ok(out.finish(Span::new(start, j), j)),
            Some(_) => {
                let simple = match byte(src, j + 1) {
                    Some(b't') => Some("\t"),
                    Some(b'n') => Some("\n"),
                    Some(b'r') => Some("\r"),
                    Some(b'f') => Some("\u{c}"),
                    _ => None,
                };
                if let Some(t) = simple {
                    out.esc(j, j + 2, t);
                    i = j + 2;
                    continue;
                }
                match byte(src, j + 1) {
                    None => {
                        out.esc(j, j + 1, "");
                        return Ok(out.finish(Span::new(start, j + 1), j + 1));
                    }
                    Some(b'\r' | b'\n') => {
                        let mut k = j + 1;
                        if byte(src, k) == Some(b'\r') {
                            k += 1;
                        }
                        if byte(src, k) == Some(b'\n') {
                            k += 1;
                        }
                        while matches!(byte(src, k), Some(b' ' | b'\t' | b'\x0c')) {
                            k += 1;
                        }
                        out.esc(j, k, "");
                        i = k;
                    }
                    Some(b'u') => {
                        let bad = || DecodeError::new(Span::new(j, (j + 6).min(src.len())), "malformed \\uxxxx encoding");
                        let hi = hex_value(src, j + 2, 4).ok_or_else(bad)?;
                        let (c, len) = if (0xD800..0xDC00).contains(&hi)
                            && src.get(j + 6..j + 8) == Some("\\u")
                            && let Some(lo) = hex_value(src, j + 8, 4).filter(|lo| (0xDC00..0xE000).contains(lo))
                        {
                            (char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12)
                        } else {
                            (char::from_u32(hi), 6)
                        };
                        let c = c.unwrap_or('\u{fffd}');
                        let mut buf = [0u8; 4];
                        out.esc(j, j + len, c.encode_utf8(&mut buf));
                        i = j + len;
                    }
                    Some(_) => {
                        let c = char_at(src, j + 1).unwrap_or('\u{fffd}');
                        let mut buf = [0u8; 4];
                        out.esc(j, j + 1 + c.len_utf8(), c.encode_utf8(&mut buf));
                        i = j + 1 + c.len_utf8();
                    }
                }
            }
        }
    }
}

/// Encode `text` for a `.properties` value. Non-ASCII characters become
/// `\uXXXX`, which reads the same whether the file is loaded as ISO-8859-1
/// (`Properties.load(InputStream)`) or UTF-8.
pub(crate) fn properties_encode(text: &str, at_start: bool) -> String {
    let mut s = String::with_capacity(text.len() + 4);
    for (i, c) in text.chars().enumerate() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\u{c}' => s.push_str("\\f"),
            ' ' if i == 0 && at_start => s.push_str("\\ "),
            c if c.is_ascii() && !c.is_ascii_control() => s.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    s.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    s
}

// ------------------------------------------------------------------- INI

/// An INI value from `start` to the end of the line, blanks trimmed.
/// With `python`, Python's `configparser` interpolation applies: `%%`
/// reads as `%` (and `%(name)s` is a reference, marked opaque later).
pub(crate) fn ini_value(src: &str, start: usize, python: bool) -> Result<Decoded, DecodeError> {
    if matches!(byte(src, start), Some(b' ' | b'\t')) {
        return Err(DecodeError::new(Span::new(start, start + 1), "a value cannot start with a blank"));
    }
    let mut end = line_end(src, start);
    while end > start && matches!(byte(src, end - 1), Some(b' ' | b'\t' | b'\r')) {
        end -= 1;
    }
    let mut out = Out::new(src);
    if !python {
        out.lit(start, end);
        return Ok(out.finish(Span::new(start, end), end));
    }
    let mut i = start;
    while i < end {
        let j = next_of(src, i, b"%").min(end);
        out.lit(i, j);
        if j >= end {
            break;
        }
        match byte(src, j + 1) {
            Some(b'%') if j + 1 < end => {
                out.esc(j, j + 2, "%");
                i = j + 2;
            }
            Some(b'(') if j + 1 < end => {
                out.lit(j, j + 1);
                i = j + 1;
            }
            _ => {
                out.note(Span::new(j, j + 1), "Python's configparser rejects '%' not followed by '%' or '(': write '%%'");
                out.lit(j, j + 1);
                i = j + 1;
            }
        }
    }
    Ok(out.finish(Span::new(start, end), end))
}

/// Encode `text` for an INI value (no line breaks; `%` doubled for
/// Python's configparser).
pub(crate) fn ini_encode(text: &str, python: bool) -> Option<String> {
    if text.contains(['\n', '\r']) {
        return None;
    }
    Some(if python { text.replace('%', "%%") } else { text.to_string() })
}

// ------------------------------------------------------------------ text

/// Bytes that end a connection string found in free text.
fn text_stop(b: u8, quote: Option<u8>) -> bool {
    b.is_ascii_whitespace()
        || match quote {
            Some(q) => b == q || b == b'\\',
            None => matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>'),
        }
}

/// A connection string in free text: up to a blank or a quote (the
/// enclosing `quote` when there is one), trailing sentence punctuation
/// dropped when unquoted.
pub(crate) fn text_value(src: &str, start: usize, quote: Option<u8>) -> Result<Decoded, DecodeError> {
    let bytes = src.as_bytes();
    let mut end = bytes.get(start..).and_then(|b| b.iter().position(|&c| text_stop(c, quote))).map_or(src.len(), |p| start + p);
    if quote.is_none() {
        let opens = src.get(start..end).map_or(0, |t| t.matches('(').count());
        let mut closes = src.get(start..end).map_or(0, |t| t.matches(')').count());
        while end > start {
            match bytes.get(end - 1) {
                Some(b'.' | b',' | b';' | b':' | b'!' | b'?') => end -= 1,
                Some(b')') if closes > opens => {
                    closes -= 1;
                    end -= 1;
                }
                _ => break,
            }
        }
    }
    let mut out = Out::new(src);
    out.lit(start, end);
    Ok(out.finish(Span::new(start, end), end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_values() {
        let d = dotenv_bare("a b # c\nx", 0).unwrap();
        assert_eq!((d.value.as_str(), d.end), ("a b", 3));
        let d = dotenv_quoted("\"a\\\"b\\\\c\\nd\\q\"  # x", 0, b'"').unwrap();
        assert_eq!(d.value, "a\"b\\c\nd\\q");
        assert_eq!(d.end, 14);
        let d = dotenv_quoted("'multi\r\nline'", 0, b'\'').unwrap();
        assert_eq!(d.value, "multi\nline");
        assert!(dotenv_quoted("\"open", 0, b'"').is_err());
        assert_eq!(dotenv_encode("a\"b$", Some(b'"')).unwrap(), "a\\\"b\\$");
    }

    #[test]
    fn json_values() {
        let d = json_string(r#""a\"b\u00e9\ud83d\ude00\/""#, 0).unwrap();
        assert_eq!(d.value, "a\"bé😀/");
        assert!(json_string("\"a\\x\"", 0).is_err());
        assert_eq!(json_encode("a\"\\\n\u{1}", b'"'), "a\\\"\\\\\\n\\u0001");
    }

    #[test]
    fn xml_values() {
        let d = xml_attr("\"a&amp;b&#x41;\r\nc\" x", 0).unwrap();
        assert_eq!(d.value, "a&bA c");
        assert!(xml_attr("\"a&b\"", 0).is_err());
        assert_eq!(xml_encode("a&\"<\n", Some(b'"')).unwrap(), "a&amp;&quot;&lt;&#10;");
    }

    #[test]
    fn toml_values() {
        let d = toml_string(r#""a\tb\u00E9\"""#, 0, TomlKind::Basic).unwrap();
        assert_eq!(d.value, "a\tbé\"");
        let d = toml_string("\"\"\"\nab \\\n   c\"\"\"\"", 0, TomlKind::MultiBasic).unwrap();
        assert_eq!(d.value, "ab c\"");
        let d = toml_string("'''x''y'''", 0, TomlKind::MultiLiteral).unwrap();
        assert_eq!(d.value, "x''y");
    }

    #[test]
    fn properties_values() {
        let d = properties_value("a\\:b\\u00e9 \\\n    c\\\\\nnext", 0).unwrap();
        assert_eq!(d.value, "a:bé c\\");
        assert_eq!(properties_encode(" é\\", true), "\\ \\u00E9\\\\");
    }

    #[test]
    fn ini_and_text_values() {
        let d = ini_value("p%%40ss %(here)s % x  \n", 0, true).unwrap();
        assert_eq!(d.value, "p%40ss %(here)s % x");
        assert_eq!(d.notes.len(), 1);
        let d = text_value("see postgres://h/db). Next", 4, None).unwrap();
        assert_eq!(d.value, "postgres://h/db");
    }
}
