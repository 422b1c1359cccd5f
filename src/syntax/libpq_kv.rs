//! libpq `keyword=value` connection strings, tokenized losslessly the way
//! `conninfo_parse` (`src/interfaces/libpq/fe-connect.c`) reads them.
//!
//! ```text
//! conninfo := ws* ( pair ws* )*
//! pair     := keyword ws* '=' ws* value
//! keyword  := 1*( any byte except whitespace and '=' )
//! value    := "'" *( '\' any | any except "'" ) "'"     ; quoted
//!           | *( '\' any | any except whitespace )      ; unquoted
//! ```
//!
//! Whitespace is C `isspace()` in the C locale: space, `\t`, `\n`, `\v`,
//! `\f`, `\r`. The quirks are libpq's, reproduced on purpose:
//!
//! - whitespace after `=` is skipped before the value starts, so
//!   `host= port=5432` gives `host` the value `port=5432`;
//! - no separator is needed after a closing quote: `user='a'dbname=b` is
//!   two pairs;
//! - a backslash escapes any byte, in both kinds of value; a lone
//!   backslash at the very end of an unquoted value is dropped, inside
//!   quotes it leaves the string unterminated;
//! - a `'` inside an unquoted value is literal.
//!
//! Errors carry libpq's messages: `missing "=" after "…" in connection info
//! string` and `unterminated quoted string in connection info string`.
//! Which keywords exist is the model's question, not this module's.

use super::tree::{TokenKind as K, TreeBuilder};
use super::{Dialect, Form, Param, ParseError, Quote, Span, Tree, Value, is_secret_key};
use std::borrow::Cow;

/// C `isspace()` in the C locale.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Whether a libpq keyword's value is a secret.
fn secret_keyword(key: &str) -> bool {
    is_secret_key(key) || matches!(key, "scram_client_key" | "scram_server_key")
}

/// `text` for an error message: a keyword that looks like a URL with a
/// password (`postgres://u:pw@h`, read as key=value because of its case)
/// has its userinfo hidden.
fn quotable(text: &str) -> Cow<'_, str> {
    match (text.find("://"), text.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => Cow::Owned(format!("{}<redacted>{}", &text[..s + 3], &text[at..])),
        _ => Cow::Borrowed(text),
    }
}

/// Parse a libpq `keyword=value` string.
pub fn parse(input: &str) -> Result<Tree<'_>, ParseError> {
    let mut b = TreeBuilder::new(input, Form::LibpqKeywords, Dialect::Libpq);
    let bytes = input.as_bytes();
    let len = bytes.len();
    let skip_ws = |from: usize| bytes[from..].iter().position(|&c| !is_space(c)).map_or(len, |i| from + i);
    // A word right after an unquoted password is most likely more of the
    // password (`password=my secret`): never quote it.
    let mut after_bare_secret = false;
    loop {
        let ws_end = skip_ws(b.pos());
        b.token(K::Whitespace, ws_end);
        if ws_end == len {
            break;
        }
        // The keyword runs to '=' or whitespace.
        let key_start = ws_end;
        let key_end = bytes[key_start..].iter().position(|&c| c == b'=' || is_space(c)).map_or(len, |i| key_start + i);
        let key = b.token(K::Key, key_end);
        let eq_at = skip_ws(key_end);
        if bytes.get(eq_at) != Some(&b'=') {
            let shown = if after_bare_secret { Cow::Borrowed("<redacted>") } else { quotable(&input[key_start..key_end]) };
            return Err(ParseError::new(
                format!("missing \"=\" after \"{shown}\" in connection info string"),
                Span::new(key_start, key_end),
            )
            .expected("="));
        }
        b.token(K::Whitespace, eq_at);
        let eq = b.token(K::Equals, eq_at + 1);
        let value_start = skip_ws(eq_at + 1);
        b.token(K::Whitespace, value_start);
        let secret = secret_keyword(key.text(input));
        after_bare_secret = secret && bytes.get(value_start) != Some(&b'\'');
        let value = if bytes.get(value_start) == Some(&b'\'') {
            let inner_start = value_start + 1;
            let mut i = inner_start;
            let close = loop {
                match bytes.get(i) {
                    None => {
                        return Err(ParseError::new("unterminated quoted string in connection info string", Span::new(value_start, len))
                            .expected("'"));
                    }
                    Some(b'\\') => i += 2,
                    Some(b'\'') => break i,
                    Some(_) => i += 1,
                }
            };
            b.token(K::Quote, inner_start);
            let inner = b.token(K::Value, close);
            if secret && !inner.is_empty() {
                b.retag_last(K::SecretValue);
            }
            b.token(K::Quote, close + 1);
            Value { span: Span::new(value_start, close + 1), inner, quote: Quote::Single }
        } else {
            let mut i = value_start;
            while let Some(&c) = bytes.get(i) {
                if is_space(c) {
                    break;
                }
                // A backslash takes the next byte, whatever it is.
                i += if c == b'\\' { 2 } else { 1 };
            }
            let end = i.min(len);
            // `\` before a multi-byte character: the escape covers the whole character.
            let end = (end..=len).find(|&e| input.is_char_boundary(e)).unwrap_or(len);
            let v = b.token(K::Value, end);
            if secret {
                b.retag(v, K::SecretValue);
            }
            Value::bare(v)
        };
        b.tree_mut().params.push(Param { span: key.cover(value.span), key, eq: Some(eq), value: Some(value) });
    }
    b.finish()
}

/// Encode `value` for a libpq `keyword=value` string so that libpq reads
/// back exactly `value`: quoted with `'` (and `\'`, `\\` escaped) when it is
/// empty or contains whitespace, a quote or a backslash; as is otherwise.
/// libpq strings cannot carry NUL.
pub fn encode_value(value: &str) -> Cow<'_, str> {
    let needs_quotes = value.is_empty() || value.bytes().any(|b| is_space(b) || b == b'\'' || b == b'\\');
    if !needs_quotes {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 4);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        let t = parse(s).unwrap();
        assert_eq!(t.to_source(), s);
        t.params.iter().map(|p| (t.key(p).to_string(), t.unquoted_value(&p.value.unwrap()).into_owned())).collect()
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn plain_pairs_and_spaces_around_equals() {
        assert_eq!(
            pairs("host=localhost port=5432 dbname=mydb connect_timeout=10"),
            kv(&[("host", "localhost"), ("port", "5432"), ("dbname", "mydb"), ("connect_timeout", "10")])
        );
        assert_eq!(pairs("  host = spaces.test\t"), kv(&[("host", "spaces.test")]));
        assert_eq!(pairs(""), kv(&[]));
        assert_eq!(pairs(" \n "), kv(&[]));
    }

    #[test]
    fn libpq_quirks() {
        assert_eq!(pairs("host= port=5432"), kv(&[("host", "port=5432")]));
        assert_eq!(pairs("user='a'dbname=b"), kv(&[("user", "a"), ("dbname", "b")]));
        assert_eq!(pairs("user='' password=''"), kv(&[("user", ""), ("password", "")]));
        assert_eq!(pairs(r"password='it\'s' user=a\ b"), kv(&[("password", "it's"), ("user", "a b")]));
        assert_eq!(pairs(r"host=/run/x\"), kv(&[("host", "/run/x")]));
        assert_eq!(pairs("password=a'b"), kv(&[("password", "a'b")]));
        assert_eq!(pairs("host="), kv(&[("host", "")]));
        assert_eq!(pairs("host=a host=b"), kv(&[("host", "a"), ("host", "b")]));
        assert_eq!(pairs(r"a=\é"), kv(&[("a", "é")]));
    }

    #[test]
    fn errors_use_libpq_messages() {
        let e = parse("host localhost").unwrap_err();
        assert_eq!(e.message, "missing \"=\" after \"host\" in connection info string");
        assert_eq!(e.span, Span::new(0, 4));
        let e = parse("postgre://").unwrap_err();
        assert_eq!(e.message, "missing \"=\" after \"postgre://\" in connection info string");
        let e = parse("host='/run/x").unwrap_err();
        assert_eq!(e.message, "unterminated quoted string in connection info string");
        let e = parse(r"host='abc\").unwrap_err();
        assert_eq!(e.message, "unterminated quoted string in connection info string");
        let e = parse("POSTGRES://u:hunter2@h/db").unwrap_err();
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        let e = parse("password=my secret host=h").unwrap_err();
        assert_eq!(e.message, "missing \"=\" after \"<redacted>\" in connection info string");
    }

    #[test]
    fn secrets_are_tagged() {
        let s = "password='p w' sslpassword=x scram_client_key=k user=u";
        let t = parse(s).unwrap();
        let secrets: Vec<&str> = t.tokens.iter().filter(|k| k.kind.is_secret()).map(|k| t.text(k.span)).collect();
        assert_eq!(secrets, vec!["p w", "x", "k"]);
    }

    #[test]
    fn encoding_round_trips() {
        for v in ["", "plain", "a b", "it's", r"back\slash", "tab\there", "é ü", "'", "\\"] {
            let s = format!("password={} user=x", encode_value(v));
            assert_eq!(pairs(&s)[0].1, v, "{s}");
        }
        assert_eq!(encode_value("simple"), "simple");
        assert_eq!(encode_value("a b"), "'a b'");
        assert_eq!(encode_value(""), "''");
    }
}
