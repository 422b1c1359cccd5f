//! The `Key=Value;` family: ADO.NET strings (Microsoft.Data.SqlClient,
//! tedious), ODBC attribute strings, mssql-jdbc's `jdbc:sqlserver://` URLs
//! and Prisma's `sqlserver://` strings.
//!
//! One tokenizer reads the `key=value` pairs of every dialect but Prisma's;
//! what the clients disagree on — which quotes exist, whether `==` in a key
//! is a literal `=`, what `;` does inside a key, whether `;;` escapes a `;`
//! in a value, which characters count as blanks — is data ([`Rules`]), not
//! copies of the loop. The URL-like heads of mssql-jdbc and Prisma strings
//! are read by [`jdbc`] and [`prisma`]; Prisma's `connection-string` crate
//! lexes the whole string into tokens first, so its body is read there too.
//!
//! Secret values (`Password`, `PWD`, `trustStorePassword` …) are emitted as
//! [`TokenKind::SecretValue`](super::TokenKind::SecretValue) tokens.

mod encode;
mod host;
mod jdbc;
mod prisma;

pub use encode::{encodable, encode_value};

use super::decode;
use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Param, ParseError, Quote, Span, Tree, Value, is_secret_key};
use std::borrow::Cow;

/// Parse a string of the semicolon family.
///
/// The form decides the head (`jdbc:sqlserver://…`, `sqlserver://…` or
/// none); the dialect decides how the `key=value` pairs split. A dialect
/// that does not read the form (a URL dialect for an ADO.NET string) is
/// replaced by the form's default.
pub fn parse(input: &str, form: Form, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    match (form, dialect) {
        (Form::AdoNet | Form::Odbc, Dialect::SqlClient | Dialect::Odbc | Dialect::Tedious) => parse_pairs_only(input, form, dialect),
        (Form::AdoNet | Form::Odbc, _) => parse_pairs_only(input, form, form.default_dialect()),
        (Form::SqlServerJdbc, Dialect::PrismaJdbc) => prisma::parse(input, form),
        (Form::SqlServerJdbc, _) => jdbc::parse(input, form),
        (Form::PrismaSqlServer, _) => prisma::parse(input, form),
        _ => Err(ParseError::new(format!("{} is not a Key=Value; form", form.name()), Span::new(0, input.len()))),
    }
}

fn parse_pairs_only(input: &str, form: Form, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    let mut b = TreeBuilder::new(input, form, dialect);
    pairs(&mut b, &Rules::of(dialect))?;
    host::add_server_hosts(&mut b);
    b.finish()
}

/// A key as the client reads it: `==` undone where it stands for `=`
/// (SqlClient, tedious), braces removed (Prisma). The key token is already
/// trimmed of surrounding blanks. Case is left alone: every SQL Server
/// client compares keys case-insensitively.
pub fn key_text(dialect: Dialect, raw: &str) -> Cow<'_, str> {
    match dialect {
        Dialect::SqlClient => decode::doubled(raw, '='),
        // tedious takes the first character of a key literally, even `=`.
        Dialect::Tedious => match raw.chars().next() {
            Some(first) if raw[first.len_utf8()..].contains("==") => {
                let rest = &raw[first.len_utf8()..];
                Cow::Owned(format!("{first}{}", rest.replace("==", "=")))
            }
            _ => Cow::Borrowed(raw),
        },
        Dialect::PrismaJdbc => decode_prisma(raw),
        _ => Cow::Borrowed(raw),
    }
}

/// The key of `p` as the tree's dialect reads it (see [`key_text`]).
pub fn param_key<'s>(tree: &Tree<'s>, p: &Param) -> Cow<'s, str> {
    key_text(tree.dialect, tree.key(p))
}

/// Split a data source (`[protocol:]host[\instance][,port]`) into parts;
/// the spans of the returned [`Host`](super::Host) point into `text`.
pub fn split_data_source(text: &str) -> super::Host {
    host::split(text, Span::new(0, text.len()))
}

/// Undo Prisma's escapes: outside braces every ASCII character stands for
/// itself; `{` opens an escape that the first `}` closes. `}` outside an
/// escape is an ordinary character (`{abc;}}45}` reads `abc;}45}`).
pub fn decode_prisma(raw: &str) -> Cow<'_, str> {
    if !raw.contains('{') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut inside = false;
    for c in raw.chars() {
        match c {
            '{' if !inside => inside = true,
            '}' if inside => inside = false,
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What `;` means where a key is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeySemicolon {
    /// An ordinary key character (SqlClient's `GetKeyValuePair`, tedious).
    Literal,
    /// It ends the segment; a segment with text but no `=` is an error
    /// (ODBC attribute strings, mssql-jdbc's `inName` state).
    Separator,
}

/// How control characters are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Controls {
    /// Like any other character.
    Ordinary,
    /// .NET's `GetKeyValuePair`: a control character ends an unquoted value
    /// and is an error anywhere outside quotes, except NUL, after which
    /// only blanks and NULs may follow.
    DotNet,
}

/// The splitting rules of one dialect.
#[derive(Clone, Copy, Debug)]
struct Rules {
    dialect: Dialect,
    /// Blanks: skipped before keys and values, trimmed after them.
    space: fn(char) -> bool,
    /// Blanks allowed between a closing quote and the `;` that follows.
    after_quote: fn(char) -> bool,
    /// Whether `;` and blanks before a key are skipped (all but tedious,
    /// whose key mode takes a leading `;` as the key's first character).
    skip_semicolons: bool,
    key_semicolon: KeySemicolon,
    /// `==` inside a key stands for `=`.
    key_doubled_equals: bool,
    /// The first non-blank character of a key or value is taken literally,
    /// even `=` or `;` (tedious).
    first_char_literal: bool,
    /// `(opener, closer)` pairs that quote a value when the opener is its
    /// first non-blank character. A doubled closer stands for itself.
    quotes: &'static [(char, char)],
    /// `;;` in an unquoted value stands for `;` (tedious).
    value_doubled_semicolon: bool,
    /// An unquoted value may not end with `'` or `"` (SqlClient).
    no_trailing_quote: bool,
    /// A `{` after other value text is an error (mssql-jdbc).
    late_brace_error: bool,
    controls: Controls,
    /// Whether a key at the very end of the string without `=` is an
    /// error, or silently dropped (tedious).
    dangling_key_error: bool,
}

/// .NET `char.IsWhiteSpace` and Rust's `char::is_whitespace` agree: the
/// Unicode White_Space property.
fn unicode_space(c: char) -> bool {
    c.is_whitespace()
}

/// JavaScript's `String.prototype.trim` set: White_Space without U+0085, plus U+FEFF.
fn js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// Java's `String.trim()`: every character up to U+0020.
fn java_trim(c: char) -> bool {
    c <= ' '
}

/// mssql-jdbc's `inEscapedValueEnd` state: only the space character.
fn space_only(c: char) -> bool {
    c == ' '
}

impl Rules {
    fn of(dialect: Dialect) -> Rules {
        let base = Rules {
            dialect,
            space: unicode_space,
            after_quote: unicode_space,
            skip_semicolons: true,
            key_semicolon: KeySemicolon::Separator,
            key_doubled_equals: false,
            first_char_literal: false,
            quotes: &[('{', '}')],
            value_doubled_semicolon: false,
            no_trailing_quote: false,
            late_brace_error: false,
            controls: Controls::Ordinary,
            dangling_key_error: true,
        };
        match dialect {
            // dotnet/SqlClient DbConnectionOptions.GetKeyValuePair with useOdbcRules = false.
            Dialect::SqlClient => Rules {
                key_semicolon: KeySemicolon::Literal,
                key_doubled_equals: true,
                quotes: &[('\'', '\''), ('"', '"')],
                no_trailing_quote: true,
                controls: Controls::DotNet,
                ..base
            },
            // tediousjs/connection-string src/parser/connection-string.ts.
            Dialect::Tedious => Rules {
                space: js_space,
                after_quote: js_space,
                skip_semicolons: false,
                key_semicolon: KeySemicolon::Literal,
                key_doubled_equals: true,
                first_char_literal: true,
                quotes: &[('"', '"'), ('\'', '\''), ('{', '}')],
                value_doubled_semicolon: true,
                dangling_key_error: false,
                ..base
            },
            // microsoft/mssql-jdbc Util.parseUrl, states inName .. inEscapedValueEnd.
            Dialect::MssqlJdbc => Rules { space: java_trim, after_quote: space_only, late_brace_error: true, ..base },
            // ODBC attribute strings (MS-ODBCSTR; microsoft/mssql-python's parser).
            _ => base,
        }
    }
}

/// What went wrong, independent of the client's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    EmptyKey,
    NoEquals,
    Unterminated,
    AfterQuote,
    TrailingQuote,
    Control,
    AfterNul,
    LateBrace,
}

/// The client's error for `fault`. `start` is where the client says the
/// faulty pair starts (SqlClient reports it as a UTF-16 index); `span` is
/// the exact bytes at fault. Messages never quote the input: a misplaced
/// `;` can cut a password into pieces that look like keys.
fn fault(dialect: Dialect, fault: Fault, src: &str, start: usize, span: Span) -> ParseError {
    let expected = match fault {
        Fault::EmptyKey => "a keyword before \"=\"",
        Fault::NoEquals => "\"=\" after the keyword",
        Fault::Unterminated => "the closing quote or brace",
        Fault::AfterQuote => "\";\" or the end of the string after the closing quote",
        Fault::TrailingQuote => "a quoted value: an unquoted value may not end with a quote",
        Fault::Control => "no control characters outside quoted values",
        Fault::AfterNul => "only blanks after a NUL character",
        Fault::LateBrace => "\"{\" only at the start of a value",
    };
    let message = match (dialect, fault) {
        (Dialect::SqlClient, _) => {
            let index = src.get(..start).map_or(start, |s| s.encode_utf16().count());
            format!("Format of the initialization string does not conform to specification starting at index {index}.")
        }
        (Dialect::Tedious, Fault::Unterminated) => "Connection string terminated unexpectedly".to_string(),
        (Dialect::Tedious, _) => "Malformed connection string".to_string(),
        (Dialect::MssqlJdbc, _) => "The connection string contains a badly formed name or value.".to_string(),
        (_, Fault::EmptyKey) => "Empty keyword".to_string(),
        (_, Fault::NoEquals) => "Incomplete specification: a keyword without \"=\"".to_string(),
        (_, Fault::Unterminated) => "Unclosed braced value".to_string(),
        (_, Fault::AfterQuote) => "Unexpected characters after a braced value".to_string(),
        (_, _) => "Malformed connection string".to_string(),
    };
    ParseError::new(message, span).expected(expected)
}

/// The character starting at byte `at`, if any.
fn char_at(s: &str, at: usize) -> Option<char> {
    s.get(at..).and_then(|t| t.chars().next())
}

/// The end of the run of characters from `from` that satisfy `pred`.
fn scan_while(s: &str, from: usize, pred: impl Fn(char) -> bool) -> usize {
    let rest = s.get(from..).unwrap_or("");
    rest.char_indices().find(|&(_, c)| !pred(c)).map_or(s.len(), |(i, _)| from + i)
}

/// The end of `s[from..to]` with trailing characters satisfying `pred` removed.
fn trim_end_at(s: &str, from: usize, to: usize, pred: impl Fn(char) -> bool) -> usize {
    let t = s.get(from..to).unwrap_or("");
    from + t.trim_end_matches(pred).len()
}

/// Read `key=value` pairs from the builder's position to the end.
fn pairs(b: &mut TreeBuilder<'_>, r: &Rules) -> Result<(), ParseError> {
    let src = b.src();
    loop {
        // Between pairs: blanks, and `;` where the dialect skips it.
        let call_start = b.pos();
        let first = loop {
            let pos = b.pos();
            match char_at(src, pos) {
                None => return Ok(()),
                Some(c) if (r.space)(c) => {
                    let end = scan_while(src, pos, r.space);
                    b.token(K::Whitespace, end);
                }
                Some(';') if r.skip_semicolons => {
                    b.token(K::Separator, pos + 1);
                }
                Some(c) => break c,
            }
        };
        let k0 = b.pos();
        if r.controls == Controls::DotNet && first.is_control() {
            if first == '\0' {
                return null_termination(b, r);
            }
            return Err(fault(r.dialect, Fault::Control, src, call_start, Span::new(k0, k0 + first.len_utf8())));
        }

        // The key.
        let mut p = k0;
        if r.first_char_literal {
            p += first.len_utf8();
        } else if first == '=' {
            if r.key_doubled_equals && src.as_bytes().get(k0 + 1) == Some(&b'=') {
                p += 2;
            } else {
                return Err(fault(r.dialect, Fault::EmptyKey, src, k0, Span::new(k0, k0 + 1)));
            }
        }
        let eq = loop {
            match char_at(src, p) {
                None => {
                    let key_end = trim_end_at(src, k0, p, r.space);
                    if r.dangling_key_error {
                        return Err(fault(r.dialect, Fault::NoEquals, src, k0, Span::new(k0, key_end)));
                    }
                    let key = b.token(K::Key, key_end);
                    b.token(K::Whitespace, p);
                    b.tree_mut().params.push(Param { span: key, key, eq: None, value: None });
                    return Ok(());
                }
                Some('=') => {
                    if r.key_doubled_equals && src.as_bytes().get(p + 1) == Some(&b'=') {
                        p += 2;
                        continue;
                    }
                    break p;
                }
                Some(';') if r.key_semicolon == KeySemicolon::Separator => {
                    let key_end = trim_end_at(src, k0, p, r.space);
                    return Err(fault(r.dialect, Fault::NoEquals, src, k0, Span::new(k0, key_end)));
                }
                Some(c) if r.controls == Controls::DotNet && c.is_control() && !(r.space)(c) => {
                    return Err(fault(r.dialect, Fault::Control, src, k0, Span::new(p, p + c.len_utf8())));
                }
                Some(c) => p += c.len_utf8(),
            }
        };
        let key_end = trim_end_at(src, k0, eq, r.space);
        let key = b.token(K::Key, key_end);
        b.token(K::Whitespace, eq);
        let eq_span = b.token(K::Equals, eq + 1);
        let secret = is_secret_key(&key_text(r.dialect, key.text(src)));
        let value_kind = if secret { K::SecretValue } else { K::Value };

        // The value.
        let v0 = scan_while(src, eq + 1, r.space);
        b.token(K::Whitespace, v0);
        let value = match char_at(src, v0) {
            None => Value::bare(Span::empty(v0)),
            Some(c) if r.quotes.iter().any(|&(open, _)| open == c) => {
                let close = r.quotes.iter().find(|&&(open, _)| open == c).map_or(c, |&(_, close)| close);
                quoted(b, r, k0, v0, c, close, value_kind)?
            }
            Some(';') if !r.first_char_literal => Value::bare(Span::empty(v0)),
            Some('\0') if r.controls == Controls::DotNet => {
                push_param(b, key, eq_span, Value::bare(Span::empty(v0)));
                return null_termination(b, r);
            }
            Some(c) if r.controls == Controls::DotNet && c.is_control() => {
                return Err(fault(r.dialect, Fault::Control, src, k0, Span::new(v0, v0 + c.len_utf8())));
            }
            Some(c) => {
                let mut p = v0;
                if r.first_char_literal {
                    p += c.len_utf8();
                }
                let mut last = p;
                loop {
                    match char_at(src, p) {
                        None => break,
                        Some(';') => {
                            if r.value_doubled_semicolon && src.as_bytes().get(p + 1) == Some(&b';') {
                                p += 2;
                                last = p;
                                continue;
                            }
                            break;
                        }
                        Some('{') if r.late_brace_error => {
                            return Err(fault(r.dialect, Fault::LateBrace, src, k0, Span::new(p, p + 1)));
                        }
                        Some(x) if r.controls == Controls::DotNet && x.is_control() && !(r.space)(x) => break,
                        Some(x) => {
                            p += x.len_utf8();
                            if !(r.space)(x) {
                                last = p;
                            }
                        }
                    }
                }
                let span = Span::new(v0, last);
                if r.no_trailing_quote && matches!(src.as_bytes().get(last.wrapping_sub(1)), Some(b'\'' | b'"')) && !span.is_empty() {
                    return Err(fault(r.dialect, Fault::TrailingQuote, src, k0, Span::new(last - 1, last)));
                }
                b.token(value_kind, last);
                b.token(K::Whitespace, p);
                Value::bare(span)
            }
        };
        push_param(b, key, eq_span, value);

        // What ends the pair.
        let pos = b.pos();
        match char_at(src, pos) {
            None => return Ok(()),
            Some(';') => {
                b.token(K::Separator, pos + 1);
            }
            Some('\0') if r.controls == Controls::DotNet => return null_termination(b, r),
            Some(c) if r.controls == Controls::DotNet && c.is_control() => {
                // The next pair starts at the control character, which .NET rejects there.
                return Err(fault(r.dialect, Fault::Control, src, pos, Span::new(pos, pos + c.len_utf8())));
            }
            Some(c) => {
                return Err(fault(r.dialect, Fault::AfterQuote, src, k0, Span::new(pos, pos + c.len_utf8())));
            }
        }
    }
}

fn push_param(b: &mut TreeBuilder<'_>, key: Span, eq: Span, value: Value) {
    let end = if value.span.is_empty() { eq.end } else { value.span.end };
    b.tree_mut().params.push(Param { span: Span::new(key.start, end), key, eq: Some(eq), value: Some(value) });
}

/// A value quoted by `open`…`close`, a doubled `close` standing for itself,
/// then blanks up to `;` or the end.
#[allow(clippy::too_many_arguments)]
fn quoted(b: &mut TreeBuilder<'_>, r: &Rules, k0: usize, v0: usize, open: char, close: char, kind: K) -> Result<Value, ParseError> {
    let src = b.src();
    let mut p = v0 + open.len_utf8();
    let end = loop {
        match char_at(src, p) {
            None => return Err(fault(r.dialect, Fault::Unterminated, src, k0, Span::new(v0, src.len()))),
            Some(c) if c == close => {
                if char_at(src, p + c.len_utf8()) == Some(close) {
                    p += 2 * c.len_utf8();
                    continue;
                }
                break p;
            }
            Some('\0') if r.controls == Controls::DotNet => {
                return Err(fault(r.dialect, Fault::Unterminated, src, k0, Span::new(p, p + 1)));
            }
            Some(c) => p += c.len_utf8(),
        }
    };
    b.token(K::Quote, v0 + open.len_utf8());
    let inner = b.token(kind, end);
    b.token(K::Quote, end + close.len_utf8());
    let after = scan_while(src, b.pos(), r.after_quote);
    b.token(K::Whitespace, after);
    let quote = match open {
        '\'' => Quote::Single,
        '"' => Quote::Double,
        _ => Quote::Brace,
    };
    Ok(Value { span: Span::new(v0, end + close.len_utf8()), inner, quote })
}

/// After a NUL, .NET accepts only blanks and further NULs.
fn null_termination(b: &mut TreeBuilder<'_>, r: &Rules) -> Result<(), ParseError> {
    let src = b.src();
    let from = b.pos();
    let end = scan_while(src, from, |c| c == '\0' || (r.space)(c));
    if let Some(c) = char_at(src, end) {
        return Err(fault(r.dialect, Fault::AfterNul, src, end, Span::new(end, end + c.len_utf8())));
    }
    b.token(K::Whitespace, end);
    Ok(())
}

#[cfg(test)]
mod tests;
