//! JSON and JSONC files (`appsettings.json` and friends): every string
//! value, keyed by its dotted path. Comments and trailing commas are
//! allowed, as .NET's configuration reader allows them.

use super::{Ctx, Encoding, Offer, SourceError, atomic, join_path};
use crate::syntax::Span;
use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

pub(crate) fn scan(cx: &mut Ctx<'_>) -> Result<(), SourceError> {
    let src = cx.src;
    let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let text = src.get(bom..).unwrap_or("");
    let collect = CollectOptions { comments: CommentCollectionStrategy::Separate, tokens: false };
    let parsed = parse_to_ast(text, &collect, &ParseOptions::default()).map_err(|e| {
        let r = e.range();
        SourceError::new(&cx.idx, Span::new(r.start + bom, r.end + bom), e.kind().to_string())
    })?;
    if let Some(comments) = &parsed.comments {
        for list in comments.values() {
            for c in list.iter() {
                let r = c.range();
                let span = Span::new(r.start + bom, r.end + bom);
                let closer = if c.text().len() + 2 < span.len() { 2 } else { 0 };
                cx.comment(span, Span::new(span.start + 2, span.end - closer));
            }
        }
    }
    if let Some(value) = &parsed.value {
        let mut path = Vec::new();
        walk(cx, value, &mut path, bom);
    }
    Ok(())
}

fn walk(cx: &mut Ctx<'_>, value: &Value<'_>, path: &mut Vec<String>, bom: usize) {
    match value {
        Value::Object(o) => {
            for p in &o.properties {
                let name = match &p.name {
                    ObjectPropName::String(s) => s.value.to_string(),
                    ObjectPropName::Word(w) => w.value.to_string(),
                };
                path.push(name);
                walk(cx, &p.value, path, bom);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, v) in a.elements.iter().enumerate() {
                path.push(format!("[{i}]"));
                walk(cx, v, path, bom);
                path.pop();
            }
        }
        Value::StringLit(s) => {
            let token = Span::new(s.range.start + bom, s.range.end + bom);
            let raw = token.text(cx.src);
            let encoding = if raw.starts_with('\'') { Encoding::JsonSingle } else { Encoding::JsonDouble };
            let ours = cx.src.get(..token.end).and_then(|upto| encoding.decode(upto, token.start).ok());
            let ours = ours.filter(|d| d.end == token.end && d.value == s.value);
            let checked = ours.is_some();
            let d = ours.unwrap_or_else(|| atomic(s.value.to_string(), Span::new(token.start + 1, token.end.saturating_sub(1)), token.end));
            let keyed = path.iter().any(|p| p.eq_ignore_ascii_case("ConnectionStrings"));
            cx.offer(Offer { key: join_path(path), keyed, encoding, token, d: &d, sub: None, checked });
        }
        _ => {}
    }
}
