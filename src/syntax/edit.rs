//! Style-preserving edits of a tree: set, rename or remove a parameter so
//! that only the bytes that must change do, and an inserted parameter looks
//! as if the author had written it (separator, key casing, quoting).

use super::{Edit, Form, Param, Span, TokenKind, Tree};
use std::borrow::Cow;

/// How keys are cased in a string, for inserting new ones the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyCase {
    /// Keys as the client documents them (`TrustServerCertificate`, `sslMode`).
    Canonical,
    /// All keys written in lower case (`encrypt=true;trustservercertificate=false`).
    Lower,
}

/// The key casing the string uses: `Lower` when every key that has a
/// letter is lower case, `Canonical` otherwise.
pub fn key_case(tree: &Tree<'_>) -> KeyCase {
    let mut any = false;
    for p in &tree.params {
        let k = tree.key(p);
        if k.bytes().any(|b| b.is_ascii_alphabetic()) {
            any = true;
            if k.bytes().any(|b| b.is_ascii_uppercase()) {
                return KeyCase::Canonical;
            }
        }
    }
    if any { KeyCase::Lower } else { KeyCase::Canonical }
}

/// Spell `key` the way this string spells its keys.
pub fn styled_key<'k>(tree: &Tree<'_>, key: &'k str) -> Cow<'k, str> {
    match tree.form {
        // Keys of these forms are case-insensitive: follow the author.
        Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer if key_case(tree) == KeyCase::Lower => {
            Cow::Owned(key.to_ascii_lowercase())
        }
        _ => Cow::Borrowed(key),
    }
}

/// Encode `value` so that this form reads it back unchanged.
pub fn encode_value<'v>(tree: &Tree<'_>, value: &'v str) -> Cow<'v, str> {
    match tree.form {
        Form::LibpqKeywords => super::libpq_kv::encode_value(value),
        Form::PostgresUrl | Form::MysqlUrl | Form::PgJdbc | Form::MysqlJdbc | Form::GoMysqlDsn => super::url::encode_query_component(value),
        Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer => super::semicolon::encode_value(tree.dialect, value),
    }
}

/// The parameter whose key is written at `key_span`.
pub fn param_at<'t>(tree: &'t Tree<'_>, key_span: Span) -> Option<&'t Param> {
    tree.params.iter().find(|p| p.key == key_span)
}

/// Edits that give `key` the value `value`: the value of `existing` is
/// replaced when given, otherwise a new parameter is appended in the
/// string's own style.
pub fn set_param(tree: &Tree<'_>, existing: Option<&Param>, key: &str, value: &str) -> Vec<Edit> {
    let encoded = encode_value(tree, value);
    if let Some(p) = existing {
        return match p.value {
            Some(v) => {
                if tree.text(v.span) == encoded {
                    Vec::new()
                } else {
                    vec![Edit::replace(v.span, encoded.into_owned())]
                }
            }
            // A bare key (`?ssl`): add `=value`.
            None => vec![Edit::insert(p.key.end, format!("={encoded}"))],
        };
    }
    let key = styled_key(tree, key);
    vec![append_param(tree, &format!("{key}={encoded}"))]
}

/// Insert `pair` (`key=value`, already encoded) as a new last parameter.
pub fn append_param(tree: &Tree<'_>, pair: &str) -> Edit {
    let src = tree.source();
    match tree.form {
        Form::LibpqKeywords => {
            // After the last non-whitespace byte, keeping trailing whitespace at the end.
            let end = src.trim_end().len();
            let sep = if end == 0 { "" } else { " " };
            Edit::insert(end, format!("{sep}{pair}"))
        }
        Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer => {
            let trimmed = src.trim_end();
            let end = trimmed.len();
            let ends_with_sep = trimmed.ends_with(';');
            let spaced = tree.tokens.windows(2).any(|w| w[0].kind == TokenKind::Separator && w[1].kind == TokenKind::Whitespace);
            let space = if spaced { " " } else { "" };
            if ends_with_sep {
                Edit::insert(end, format!("{space}{pair};"))
            } else if end == 0 {
                Edit::insert(0, pair.to_string())
            } else {
                Edit::insert(end, format!(";{space}{pair}"))
            }
        }
        Form::PostgresUrl | Form::MysqlUrl | Form::PgJdbc | Form::MysqlJdbc | Form::GoMysqlDsn => {
            let end = tree.fragment.map_or(src.len(), |f| f.start);
            let has_query = tree.tokens.iter().any(|t| t.kind == TokenKind::Question);
            if !has_query {
                Edit::insert(end, format!("?{pair}"))
            } else if src[..end].ends_with('?') || src[..end].ends_with('&') {
                Edit::insert(end, pair.to_string())
            } else {
                Edit::insert(end, format!("&{pair}"))
            }
        }
    }
}

/// Edits that remove `param` together with one separator next to it, so
/// that no `&&`, `;;` or dangling `?` is left behind.
pub fn remove_param(tree: &Tree<'_>, param: &Param) -> Vec<Edit> {
    let toks = &tree.tokens;
    let Some(first) = toks.iter().position(|t| t.span.start == param.span.start) else {
        return vec![Edit::delete(param.span)];
    };
    // The parameter's last token, closing quote included.
    let end_of_param = param.value.map_or(param.span.end, |v| v.span.end.max(param.span.end));
    let last = toks.iter().rposition(|t| t.span.end <= end_of_param).unwrap_or(first).max(first);
    let is_sep = |k: TokenKind| matches!(k, TokenKind::Separator | TokenKind::Whitespace);
    let start = toks[first].span.start;
    let after = toks[last + 1..].iter().take_while(|t| is_sep(t.kind)).count();
    let after_end = toks.get(last + after).map_or(toks[last].span.end, |t| t.span.end);
    let followed = toks.get(last + 1 + after).is_some_and(|t| t.kind != TokenKind::Fragment);
    let semicolons = matches!(tree.form, Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer);
    if after > 0 && (followed || semicolons) {
        // Eat the separators after it: `a=1&b=2` → `b=2`; `A=1;B=2;` → `A=1;`.
        return vec![Edit::delete(Span::new(start, after_end))];
    }
    // The last parameter: eat the separator before it (`&`, `;`, the `?`, spaces).
    let before = toks[..first].iter().rev().take_while(|t| is_sep(t.kind) || t.kind == TokenKind::Question).count();
    let start = if before > 0 { toks[first - before].span.start } else { start };
    vec![Edit::delete(Span::new(start, toks[last].span.end))]
}

/// Edits that rename the key of `param` to `key` (value untouched).
pub fn rename_param(tree: &Tree<'_>, param: &Param, key: &str) -> Vec<Edit> {
    let key = styled_key(tree, key);
    if tree.key(param) == key {
        return Vec::new();
    }
    vec![Edit::replace(param.key, key.into_owned())]
}
