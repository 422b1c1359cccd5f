//! Undoing the escapes of each form: percent-encoding, libpq backslashes,
//! doubled quotes and braces. Borrow when nothing needs undoing.

use std::borrow::Cow;

/// A percent-decoding failure at byte `offset` of the decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// `%` not followed by two hex digits.
    InvalidEscape,
    /// `%00`, which libpq forbids.
    Nul,
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decode `raw` into bytes. `plus_as_space` applies the
/// `application/x-www-form-urlencoded` rule (`+` → space) that pgjdbc,
/// Connector/J and WHATWG query parsing use and libpq does not.
/// `%00` is reported as [`DecodeErrorKind::Nul`] only when `forbid_nul`.
pub fn percent_bytes(raw: &str, plus_as_space: bool, forbid_nul: bool) -> Result<Cow<'_, [u8]>, DecodeError> {
    let bytes = raw.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || (plus_as_space && b == b'+')) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex);
                let lo = bytes.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(h), Some(l)) => {
                        let b = h << 4 | l;
                        if b == 0 && forbid_nul {
                            return Err(DecodeError { offset: i, kind: DecodeErrorKind::Nul });
                        }
                        out.push(b);
                        i += 3;
                    }
                    _ => return Err(DecodeError { offset: i, kind: DecodeErrorKind::InvalidEscape }),
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Percent-decode `raw` into text; invalid UTF-8 is replaced with U+FFFD.
pub fn percent(raw: &str, plus_as_space: bool) -> Result<Cow<'_, str>, DecodeError> {
    Ok(match percent_bytes(raw, plus_as_space, false)? {
        Cow::Borrowed(_) => Cow::Borrowed(raw),
        Cow::Owned(v) => Cow::Owned(match String::from_utf8(v) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }),
    })
}

/// Percent-decode leniently, as WHATWG URL parsers do: a `%` that does not
/// start a valid escape stays literal.
pub fn percent_lenient(raw: &str, plus_as_space: bool) -> Cow<'_, str> {
    let bytes = raw.as_bytes();
    if !bytes.iter().any(|&b| b == b'%' || (plus_as_space && b == b'+')) {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Undo libpq keyword/value escapes: a backslash takes the next byte
/// literally; a lone trailing backslash is dropped.
pub fn backslashes(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Undo doubling of `q` (`''` → `'`, `}}` → `}`).
pub fn doubled(raw: &str, q: char) -> Cow<'_, str> {
    // Most values hold no quote at all: answer without building anything.
    if !raw.contains(q) {
        return Cow::Borrowed(raw);
    }
    let mut buf = [0u8; 4];
    let single: &str = q.encode_utf8(&mut buf);
    let pair = [single, single].concat();
    if !raw.contains(pair.as_str()) {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace(pair.as_str(), single))
}

/// Percent-encode every byte of `text` that is not an RFC 3986 unreserved
/// character (`A-Z a-z 0-9 - . _ ~`). Used to fix user names and passwords.
pub fn percent_encode_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent("a%40b", false).unwrap(), "a@b");
        assert_eq!(percent("a+b", false).unwrap(), "a+b");
        assert_eq!(percent("a+b", true).unwrap(), "a b");
        assert_eq!(percent("a%4", false).unwrap_err().kind, DecodeErrorKind::InvalidEscape);
        assert_eq!(percent_bytes("a%00", false, true).unwrap_err(), DecodeError { offset: 1, kind: DecodeErrorKind::Nul });
        assert_eq!(percent_lenient("100%", false), "100%");
    }

    #[test]
    fn unescapes() {
        assert_eq!(backslashes(r"it\'s a\ b\"), "it's a b");
        assert_eq!(doubled("a''b", '\''), "a'b");
        assert_eq!(doubled("p}}w", '}'), "p}w");
        assert_eq!(percent_encode_userinfo("p@ss#w:rd/é"), "p%40ss%23w%3Ard%2F%C3%A9");
    }
}
