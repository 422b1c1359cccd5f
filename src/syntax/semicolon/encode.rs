//! Writing a value so that a dialect reads it back exactly: the fixer's
//! half of the tokenizer. Values that need no quoting are returned as they
//! are.

use super::super::Dialect;
use super::{java_trim, js_space};
use std::borrow::Cow;

/// Characters Prisma's lexer treats as structure; inside `{…}` they are text.
fn prisma_special(c: char) -> bool {
    matches!(c, ':' | '=' | '\\' | '/' | ';' | '[' | ']' | '{')
}

/// Whether `dialect` can carry `value` at all.
///
/// - SqlClient and ODBC: no NUL (.NET ends a string at NUL; ODBC drivers
///   take NUL-terminated strings).
/// - Prisma: ASCII only and not empty (the crate's lexer rejects other
///   characters and its grammar rejects an empty value).
/// - tedious and mssql-jdbc: anything.
pub fn encodable(dialect: Dialect, value: &str) -> bool {
    match dialect {
        Dialect::PrismaJdbc => !value.is_empty() && value.is_ascii(),
        Dialect::Tedious | Dialect::MssqlJdbc => true,
        _ => !value.contains('\0'),
    }
}

/// Quote or brace `value` so that `dialect` reads it back exactly as the
/// value of a `key=value` pair followed by `;` or the end of the string.
///
/// - SqlClient: bare when safe, else `"…"`, or `'…'` when the value holds
///   `"` but no `'`, doubling the quote otherwise (`""`).
/// - ODBC and mssql-jdbc: bare when safe, else `{…}` with `}` doubled.
/// - tedious: bare when safe, else `"…"` / `'…'` / `{…}`, whichever quote
///   the value does not hold, or `"…"` with `""`.
/// - Prisma: runs of characters in `:=\/;[]{` go inside `{…}` (as the
///   crate's `Display` writes them); `}` stays outside, since the first `}`
///   closes an escape.
///
/// Values [`encodable`] rejects come back in the dialect's best effort form,
/// which will not read back exactly.
pub fn encode_value(dialect: Dialect, value: &str) -> Cow<'_, str> {
    match dialect {
        Dialect::SqlClient => {
            let bare = !value.is_empty()
                && !value.contains(';')
                && !value.chars().any(|c| c.is_control() && !c.is_whitespace())
                // `Key==x` would read as the key `Key=x`.
                && !value.starts_with(['\'', '"', '='])
                && !value.ends_with(['\'', '"'])
                && !value.starts_with(char::is_whitespace)
                && !value.ends_with(char::is_whitespace);
            if bare {
                Cow::Borrowed(value)
            } else if !value.contains('"') {
                Cow::Owned(format!("\"{value}\""))
            } else if !value.contains('\'') {
                Cow::Owned(format!("'{value}'"))
            } else {
                Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
            }
        }
        Dialect::Tedious => {
            let bare = !value.is_empty()
                && !value.contains(';')
                && !value.starts_with(['\'', '"', '{', '='])
                && !value.starts_with(js_space)
                && !value.ends_with(js_space);
            if bare {
                Cow::Borrowed(value)
            } else if !value.contains('"') {
                Cow::Owned(format!("\"{value}\""))
            } else if !value.contains('\'') {
                Cow::Owned(format!("'{value}'"))
            } else if !value.contains('}') {
                Cow::Owned(format!("{{{value}}}"))
            } else {
                Cow::Owned(format!("\"{}\"", value.replace('"', "\"\"")))
            }
        }
        Dialect::MssqlJdbc => {
            let bare = !value.contains([';', '{']) && !value.starts_with(java_trim) && !value.ends_with(java_trim);
            if bare { Cow::Borrowed(value) } else { Cow::Owned(format!("{{{}}}", value.replace('}', "}}"))) }
        }
        Dialect::PrismaJdbc => {
            if !value.contains(prisma_special) {
                return Cow::Borrowed(value);
            }
            let mut out = String::with_capacity(value.len() + 4);
            let mut open = false;
            // Runs of special characters go in braces, as the crate's own
            // `Display` writes them; `}` always stays outside.
            for c in value.chars() {
                if prisma_special(c) {
                    if !open {
                        out.push('{');
                        open = true;
                    }
                } else if open {
                    out.push('}');
                    open = false;
                }
                out.push(c);
            }
            if open {
                out.push('}');
            }
            Cow::Owned(out)
        }
        _ => {
            // ODBC attribute values.
            let bare = !value.contains([';', '{', '}']) && !value.starts_with(char::is_whitespace) && !value.ends_with(char::is_whitespace);
            if bare { Cow::Borrowed(value) } else { Cow::Owned(format!("{{{}}}", value.replace('}', "}}"))) }
        }
    }
}
