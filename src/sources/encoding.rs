//! How a string is written inside its container, and the conversions both
//! ways: decoding a token, re-encoding replacement text, requoting.

use super::escapes::{self, DecodeError, Decoded, TomlKind};
use super::yaml_scalar;
use crate::syntax::Span;
use serde::Serialize;

/// How a value is written in its file: which quotes and escapes apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// `.env` value without quotes: ends at the line end or a ` #` comment;
    /// `$VAR` / `${VAR}` interpolate.
    DotenvUnquoted,
    /// `.env` value in `'…'`: literal, may span lines.
    DotenvSingle,
    /// `.env` value in `"…"`: `\n \r \t \" \\ \$` escapes, interpolation,
    /// may span lines.
    DotenvDouble,
    /// `.env` value in `` `…` ``: literal, may span lines.
    DotenvBacktick,
    /// JSON / JSONC string in `"…"` (also Prisma schema strings, which
    /// share JSON's grammar).
    JsonDouble,
    /// JSON5 string in `'…'`.
    JsonSingle,
    /// YAML plain scalar in block context.
    YamlPlain,
    /// YAML plain scalar inside `[…]` or `{…}` (no `,[]{}`).
    YamlPlainFlow,
    /// YAML `'…'` scalar (`''` for `'`).
    YamlSingle,
    /// YAML `"…"` scalar (backslash escapes).
    YamlDouble,
    /// YAML `|` block scalar.
    YamlLiteral,
    /// YAML `>` block scalar.
    YamlFolded,
    /// Java `.properties` value (backslash escapes, `\uXXXX`, continuations).
    Properties,
    /// XML attribute value in `"…"` (entities, whitespace normalisation).
    XmlAttrDouble,
    /// XML attribute value in `'…'`.
    XmlAttrSingle,
    /// XML character data (entities).
    XmlText,
    /// TOML basic string `"…"`.
    TomlBasic,
    /// TOML literal string `'…'`.
    TomlLiteral,
    /// TOML multi-line basic string `"""…"""`.
    TomlMultiBasic,
    /// TOML multi-line literal string `'''…'''`.
    TomlMultiLiteral,
    /// INI value, read verbatim to the end of the line.
    Ini,
    /// INI value read by Python's `configparser` (`%%` for `%`, `%(name)s`).
    IniPython,
    /// A connection string in free text, unquoted.
    Text,
    /// A connection string in free text inside `"…"`.
    TextDouble,
    /// A connection string in free text inside `'…'`.
    TextSingle,
    /// A connection string in free text inside `` `…` ``.
    TextBacktick,
}

/// Which interpolation syntax the consumer of a value expands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Interpolation {
    None,
    /// `$NAME`, `${…}` (dotenv loaders with expansion, shells).
    Shell,
    /// `$NAME`, `${…}`, `$(NAME)` with `$$` as a literal `$` (docker compose,
    /// Kubernetes `env`).
    Compose,
    /// `${…}` placeholders (Spring).
    Placeholder,
    /// `%(name)s` (Python's configparser).
    Percent,
}

impl Encoding {
    /// Opening and closing delimiters of the token.
    pub(crate) fn delimiters(self) -> (&'static str, &'static str) {
        match self {
            Encoding::DotenvSingle | Encoding::JsonSingle | Encoding::YamlSingle | Encoding::XmlAttrSingle | Encoding::TomlLiteral => {
                ("'", "'")
            }
            Encoding::DotenvDouble | Encoding::JsonDouble | Encoding::YamlDouble | Encoding::XmlAttrDouble | Encoding::TomlBasic => {
                ("\"", "\"")
            }
            Encoding::DotenvBacktick => ("`", "`"),
            Encoding::TomlMultiBasic => ("\"\"\"", "\"\"\""),
            Encoding::TomlMultiLiteral => ("'''", "'''"),
            _ => ("", ""),
        }
    }

    fn interpolation(self) -> Interpolation {
        match self {
            Encoding::DotenvUnquoted | Encoding::DotenvDouble => Interpolation::Shell,
            Encoding::YamlPlain
            | Encoding::YamlPlainFlow
            | Encoding::YamlSingle
            | Encoding::YamlDouble
            | Encoding::YamlLiteral
            | Encoding::YamlFolded => Interpolation::Compose,
            Encoding::Properties => Interpolation::Placeholder,
            Encoding::IniPython => Interpolation::Percent,
            _ => Interpolation::None,
        }
    }

    /// Other encodings the whole token may be rewritten in when an edit
    /// cannot be written in this one, best first.
    pub(crate) fn requote_choices(self, value: &str, has_opaque: bool) -> Vec<Encoding> {
        let awkward_in_double = value.contains(['"', '\\', '$']);
        match self {
            Encoding::DotenvUnquoted if has_opaque => vec![Encoding::DotenvDouble],
            Encoding::DotenvUnquoted | Encoding::DotenvDouble if awkward_in_double && !has_opaque => {
                vec![Encoding::DotenvSingle, Encoding::DotenvDouble]
            }
            Encoding::DotenvUnquoted => vec![Encoding::DotenvDouble, Encoding::DotenvSingle],
            Encoding::DotenvSingle | Encoding::DotenvBacktick => vec![Encoding::DotenvDouble],
            Encoding::YamlPlain | Encoding::YamlPlainFlow => vec![Encoding::YamlSingle, Encoding::YamlDouble],
            Encoding::YamlSingle => vec![Encoding::YamlDouble],
            Encoding::TomlLiteral => vec![Encoding::TomlBasic],
            Encoding::TomlMultiLiteral => vec![Encoding::TomlMultiBasic, Encoding::TomlBasic],
            _ => Vec::new(),
        }
    }

    /// Why text may not be representable in this encoding (for errors).
    pub(crate) fn limitation(self) -> &'static str {
        match self {
            Encoding::YamlLiteral | Encoding::YamlFolded => "a YAML block scalar can only be edited within its lines",
            Encoding::Ini | Encoding::IniPython => "an INI value cannot hold line breaks or leading or trailing blanks",
            Encoding::Text | Encoding::TextDouble | Encoding::TextSingle | Encoding::TextBacktick => {
                "a string in free text cannot hold blanks, quotes or backslashes"
            }
            Encoding::XmlAttrDouble | Encoding::XmlAttrSingle | Encoding::XmlText => "XML cannot hold this control character",
            _ => "the new text cannot be written safely in this quoting",
        }
    }

    /// Decode the token of this encoding that starts at `start`. Tokens
    /// that end at a delimiter read as far as they need; YAML scalars and
    /// free text read to the end of `src`, so pass a slice ending where
    /// the scalar ends.
    pub(crate) fn decode(self, src: &str, start: usize) -> Result<Decoded, DecodeError> {
        let mut d = match self {
            Encoding::DotenvUnquoted => escapes::dotenv_bare(src, start),
            Encoding::DotenvSingle => escapes::dotenv_quoted(src, start, b'\''),
            Encoding::DotenvDouble => escapes::dotenv_quoted(src, start, b'"'),
            Encoding::DotenvBacktick => escapes::dotenv_quoted(src, start, b'`'),
            Encoding::JsonDouble | Encoding::JsonSingle => escapes::json_string(src, start),
            Encoding::YamlPlain => yaml_scalar::plain(src, start, false),
            Encoding::YamlPlainFlow => yaml_scalar::plain(src, start, true),
            Encoding::YamlSingle => yaml_scalar::single(src, start),
            Encoding::YamlDouble => yaml_scalar::double(src, start),
            Encoding::YamlLiteral | Encoding::YamlFolded => yaml_scalar::block(src, start),
            Encoding::Properties => escapes::properties_value(src, start),
            Encoding::XmlAttrDouble | Encoding::XmlAttrSingle => escapes::xml_attr(src, start),
            Encoding::XmlText => escapes::xml_text(src, start),
            Encoding::TomlBasic => escapes::toml_string(src, start, TomlKind::Basic),
            Encoding::TomlLiteral => escapes::toml_string(src, start, TomlKind::Literal),
            Encoding::TomlMultiBasic => escapes::toml_string(src, start, TomlKind::MultiBasic),
            Encoding::TomlMultiLiteral => escapes::toml_string(src, start, TomlKind::MultiLiteral),
            Encoding::Ini => escapes::ini_value(src, start, false),
            Encoding::IniPython => escapes::ini_value(src, start, true),
            Encoding::Text => escapes::text_value(src, start, None),
            Encoding::TextDouble => escapes::text_value(src, start, Some(b'"')),
            Encoding::TextSingle => escapes::text_value(src, start, Some(b'\'')),
            Encoding::TextBacktick => escapes::text_value(src, start, Some(b'`')),
        }?;
        let delims = self.delimiters();
        let expected_open = src.get(start..start + delims.0.len()) == Some(delims.0);
        if !expected_open {
            return Err(DecodeError::new(Span::new(start, start), "unexpected opening delimiter"));
        }
        mark_interpolation(&mut d, self.interpolation());
        Ok(d)
    }

    /// Encode `text` for the inside of a token of this encoding; `at_start`
    /// says the text begins the token's content. `None` when the encoding
    /// cannot hold the text.
    pub(crate) fn encode(self, text: &str, at_start: bool) -> Option<String> {
        match self {
            Encoding::DotenvUnquoted => escapes::dotenv_encode(text, None),
            Encoding::DotenvSingle => escapes::dotenv_encode(text, Some(b'\'')),
            Encoding::DotenvDouble => escapes::dotenv_encode(text, Some(b'"')),
            Encoding::DotenvBacktick => escapes::dotenv_encode(text, Some(b'`')),
            Encoding::JsonDouble => Some(escapes::json_encode(text, b'"')),
            Encoding::JsonSingle => Some(escapes::json_encode(text, b'\'')),
            Encoding::YamlPlain | Encoding::YamlPlainFlow | Encoding::Text => Some(text.to_string()),
            Encoding::TextDouble | Encoding::TextSingle | Encoding::TextBacktick => Some(text.to_string()),
            Encoding::YamlSingle => yaml_scalar::encode_single(text),
            Encoding::YamlDouble => Some(yaml_scalar::encode_double(text)),
            Encoding::YamlLiteral | Encoding::YamlFolded => yaml_scalar::encode_block(text),
            Encoding::Properties => Some(escapes::properties_encode(text, at_start)),
            Encoding::XmlAttrDouble => escapes::xml_encode(text, Some(b'"')),
            Encoding::XmlAttrSingle => escapes::xml_encode(text, Some(b'\'')),
            Encoding::XmlText => escapes::xml_encode(text, None),
            Encoding::TomlBasic => escapes::toml_encode(text, TomlKind::Basic),
            Encoding::TomlLiteral => escapes::toml_encode(text, TomlKind::Literal),
            Encoding::TomlMultiBasic => escapes::toml_encode(text, TomlKind::MultiBasic),
            Encoding::TomlMultiLiteral => escapes::toml_encode(text, TomlKind::MultiLiteral),
            Encoding::Ini => escapes::ini_encode(text, false),
            Encoding::IniPython => escapes::ini_encode(text, true),
        }
    }
}

/// Mark interpolations in a decoded token opaque. Only a `$` or `%` that
/// came from the file verbatim starts one (an escaped `\$` does not).
fn mark_interpolation(d: &mut Decoded, style: Interpolation) {
    if style == Interpolation::None {
        return;
    }
    let trigger = if style == Interpolation::Percent { b'%' } else { b'$' };
    let verbatim: Vec<Span> = d.map.pieces().iter().filter(|p| p.kind == super::map::PieceKind::Verbatim).map(|p| p.value).collect();
    let v = d.value.as_bytes();
    let mut found = Vec::new();
    for span in verbatim {
        let mut i = span.start;
        while i < span.end {
            // On to the next trigger in the piece.
            match v.get(i..span.end).and_then(|rest| crate::syntax::bytes::find(trigger, rest)) {
                Some(skip) => i += skip,
                None => break,
            }
            let next = v.get(i + 1).copied();
            let len = match (style, next) {
                (Interpolation::Compose, Some(b'$')) => {
                    i += 2;
                    continue;
                }
                (Interpolation::Percent, Some(b'(')) => v.get(i..).and_then(|r| r.windows(2).position(|w| w == b")s")).map(|p| p + 2),
                (Interpolation::Percent, _) => None,
                (_, Some(b'{')) => braced_len(v, i),
                (Interpolation::Compose, Some(b'(')) => {
                    let n = name_len(v, i + 2);
                    (n > 0 && v.get(i + 2 + n) == Some(&b')')).then_some(n + 3)
                }
                (Interpolation::Shell | Interpolation::Compose, Some(_)) => {
                    let n = name_len(v, i + 1);
                    (n > 0).then_some(n + 1)
                }
                _ => None,
            };
            match len {
                Some(len) => {
                    found.push(Span::new(i, i + len));
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    for s in found {
        d.map.mark_opaque(s);
    }
}

/// Length of `${…}` at `i`, braces nested, or `None` if unterminated.
fn braced_len(v: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &b) in v.get(i + 1..)?.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(k + 2);
                }
            }
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// Length of a variable name (`[A-Za-z_][A-Za-z0-9_]*`) at `i`.
fn name_len(v: &[u8], i: usize) -> usize {
    match v.get(i) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            v.get(i..).map_or(0, |r| r.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count())
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_is_opaque() {
        let d = Encoding::DotenvDouble.decode(r#""postgres://${USER}:$PASS@h/\$x""#, 0).unwrap();
        let op: Vec<Span> = d.map.opaque().collect();
        assert_eq!(op, vec![Span::new(11, 18), Span::new(19, 24)]);
        let d = Encoding::YamlPlain.decode("a$$b$(POD)${X:-${Y}}", 0).unwrap();
        let op: Vec<&str> = d.map.opaque().map(|s| s.text(&d.value)).collect();
        assert_eq!(op, vec!["$(POD)", "${X:-${Y}}"]);
        let d = Encoding::DotenvSingle.decode("'$X'", 0).unwrap();
        assert_eq!(d.map.opaque().count(), 0);
    }
}
