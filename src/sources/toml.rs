//! TOML files: every string value keyed by its dotted path, parsed with
//! `toml_edit` (which keeps byte spans) and decoded again here for the map.

use super::escapes::line_end;
use super::{Ctx, Encoding, Offer, SourceError, atomic, join_path};
use crate::syntax::Span;
use toml_edit::{Document, Item, Table, Value};

pub(crate) fn scan(cx: &mut Ctx<'_>) -> Result<(), SourceError> {
    let src = cx.src;
    let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let text = src.get(bom..).unwrap_or("");
    let doc = Document::parse(text).map_err(|e| {
        let r = e.span().unwrap_or(0..0);
        SourceError::new(&cx.idx, Span::new(r.start + bom, r.end + bom), e.message().to_string())
    })?;
    comments(cx, bom);
    let mut path = Vec::new();
    table(cx, doc.as_table(), &mut path, bom);
    Ok(())
}

fn table(cx: &mut Ctx<'_>, t: &Table, path: &mut Vec<String>, bom: usize) {
    for (k, item) in t.iter() {
        path.push(k.to_string());
        match item {
            Item::Value(v) => value(cx, v, path, bom),
            Item::Table(t) => table(cx, t, path, bom),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    table(cx, t, path, bom);
                    path.pop();
                }
            }
            Item::None => {}
        }
        path.pop();
    }
}

fn value(cx: &mut Ctx<'_>, v: &Value, path: &mut Vec<String>, bom: usize) {
    match v {
        Value::String(s) => {
            let Some(r) = s.span() else { return };
            let token = Span::new(r.start + bom, r.end + bom);
            let raw = token.text(cx.src);
            let encoding = if raw.starts_with("\"\"\"") {
                Encoding::TomlMultiBasic
            } else if raw.starts_with("'''") {
                Encoding::TomlMultiLiteral
            } else if raw.starts_with('\'') {
                Encoding::TomlLiteral
            } else {
                Encoding::TomlBasic
            };
            let ours = cx.src.get(..token.end).and_then(|upto| encoding.decode(upto, token.start).ok());
            let ours = ours.filter(|d| d.end == token.end && d.value == *s.value());
            let checked = ours.is_some();
            let (open, close) = encoding.delimiters();
            let d = ours.unwrap_or_else(|| {
                atomic(s.value().clone(), Span::new(token.start + open.len(), token.end.saturating_sub(close.len())), token.end)
            });
            cx.offer(Offer { key: join_path(path), keyed: false, encoding, token, d: &d, sub: None, checked });
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                path.push(format!("[{i}]"));
                value(cx, v, path, bom);
                path.pop();
            }
        }
        Value::InlineTable(t) => {
            for (k, v) in t.iter() {
                path.push(k.to_string());
                value(cx, v, path, bom);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Comments: `#` outside strings (the document parsed, so strings are
/// well formed).
fn comments(cx: &mut Ctx<'_>, from: usize) {
    let src = cx.src;
    let b = src.as_bytes();
    let mut i = from;
    while let Some(&c) = b.get(i) {
        match c {
            b'#' => {
                let end = line_end(src, i);
                cx.comment(Span::new(i, end), Span::new(i + 1, end));
                i = end;
            }
            b'"' | b'\'' => {
                let triple = b.get(i..i + 3).is_some_and(|t| t.iter().all(|&x| x == c));
                i += if triple { 3 } else { 1 };
                loop {
                    match b.get(i) {
                        None => return,
                        Some(b'\\') if c == b'"' => i += 2,
                        Some(&x) if x == c && (!triple || b.get(i..i + 3).is_some_and(|t| t.iter().all(|&y| y == c))) => {
                            i += if triple { 3 } else { 1 };
                            // Up to two more quotes may close a multi-line string.
                            while triple && b.get(i) == Some(&c) {
                                i += 1;
                            }
                            break;
                        }
                        Some(b'\n') if !triple => break,
                        Some(_) => i += 1,
                    }
                }
            }
            _ => i += 1,
        }
    }
}
