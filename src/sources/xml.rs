//! XML configuration (`web.config`, `app.config`, Tomcat `context.xml`,
//! Hibernate configuration): attribute values and the text of elements
//! without children.
//!
//! Keys: `connectionStrings.Default` for `<add name="Default"
//! connectionString="…"/>` under `<connectionStrings>`, `appSettings.Db`
//! for `<add key="Db" value="…"/>`, the `name` attribute of a leaf element
//! holding text (`<property name="connection.url">…</property>`), and
//! `element.attribute` otherwise. `key=value` forms are accepted under
//! `connectionStrings` unless `providerName` names a provider other than
//! SqlClient.

use super::{Ctx, Encoding, Offer};
use crate::syntax::Span;

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

fn find(src: &str, from: usize, pat: &str) -> Option<usize> {
    src.get(from..)?.find(pat).map(|p| from + p)
}

fn is_name_byte(b: u8) -> bool {
    !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/' | b'<' | b'"' | b'\'')
}

/// An open element: its name, identifying attribute, whether it has
/// children, and where its text starts.
struct Open {
    name: String,
    id: Option<String>,
    children: bool,
    text_from: usize,
}

pub(crate) fn scan(cx: &mut Ctx<'_>) {
    let src = cx.src;
    let mut stack: Vec<Open> = Vec::new();
    let mut i = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while let Some(lt) = find(src, i, "<") {
        let rest = src.get(lt..).unwrap_or("");
        if rest.starts_with("<!--") {
            let Some(close) = find(src, lt + 4, "-->") else {
                cx.error(Span::new(lt, lt + 4), "unterminated comment");
                return;
            };
            cx.comment(Span::new(lt, close + 3), Span::new(lt + 4, close));
            i = close + 3;
            continue;
        }
        if rest.starts_with("<![CDATA[") {
            if let Some(top) = stack.last_mut() {
                top.children = true; // not read as text
            }
            i = find(src, lt, "]]>").map_or(src.len(), |p| p + 3);
            continue;
        }
        if rest.starts_with("<?") {
            i = find(src, lt, "?>").map_or(src.len(), |p| p + 2);
            continue;
        }
        if rest.starts_with("<!") {
            let inner = find(src, lt, "[").filter(|&b| find(src, lt, ">").is_none_or(|g| b < g));
            i = match inner {
                Some(_) => find(src, lt, "]>").map_or(src.len(), |p| p + 2),
                None => find(src, lt, ">").map_or(src.len(), |p| p + 1),
            };
            continue;
        }
        if rest.starts_with("</") {
            let name_end = (lt + 2..src.len()).find(|&k| !byte(src, k).is_some_and(is_name_byte)).unwrap_or(src.len());
            let name = src.get(lt + 2..name_end).unwrap_or("");
            match stack.iter().rposition(|o| o.name == name) {
                Some(at) => {
                    let leaf = stack.len() == at + 1;
                    if let Some(open) = stack.pop().filter(|o| leaf && !o.children) {
                        text(cx, &open, &stack, lt);
                    }
                    stack.truncate(at);
                }
                None => cx.error(Span::new(lt, name_end), format!("closing tag </{name}> without an opening tag")),
            }
            i = find(src, name_end, ">").map_or(src.len(), |p| p + 1);
            continue;
        }
        if let Some(top) = stack.last_mut() {
            top.children = true;
        }
        i = element(cx, lt, &mut stack);
    }
}

/// Read the start tag at `lt`; return where scanning continues.
fn element(cx: &mut Ctx<'_>, lt: usize, stack: &mut Vec<Open>) -> usize {
    let src = cx.src;
    let mut i = lt + 1;
    while byte(src, i).is_some_and(is_name_byte) {
        i += 1;
    }
    let name = src.get(lt + 1..i).unwrap_or("").to_string();
    if name.is_empty() {
        cx.error(Span::new(lt, lt + 1), "'<' must start a tag");
        return lt + 1;
    }
    let mut attrs = Vec::new();
    let closed;
    loop {
        while byte(src, i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        match byte(src, i) {
            None => {
                cx.error(Span::new(lt, i), format!("unterminated tag <{name}>"));
                return src.len();
            }
            Some(b'>') => {
                closed = false;
                i += 1;
                break;
            }
            Some(b'/') if byte(src, i + 1) == Some(b'>') => {
                closed = true;
                i += 2;
                break;
            }
            _ => {}
        }
        let a = i;
        while byte(src, i).is_some_and(is_name_byte) {
            i += 1;
        }
        let attr = src.get(a..i).unwrap_or("").to_string();
        while byte(src, i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if attr.is_empty() || byte(src, i) != Some(b'=') {
            cx.error(Span::new(a, (i + 1).min(src.len())), format!("expected name=\"value\" in <{name}>"));
            return find(src, i, ">").map_or(src.len(), |p| p + 1);
        }
        i += 1;
        while byte(src, i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let encoding = match byte(src, i) {
            Some(b'"') => Encoding::XmlAttrDouble,
            Some(b'\'') => Encoding::XmlAttrSingle,
            _ => {
                cx.error(Span::new(i, (i + 1).min(src.len())), format!("expected a quoted value for {attr}"));
                return find(src, i, ">").map_or(src.len(), |p| p + 1);
            }
        };
        match encoding.decode(src, i) {
            Ok(d) => {
                let token = Span::new(i, d.end);
                i = d.end;
                attrs.push((attr, encoding, token, d));
            }
            Err(e) => {
                cx.error(e.at, e.message);
                return find(src, i + 1, ">").map_or(src.len(), |p| p + 1);
            }
        }
    }
    let get = |n: &str| attrs.iter().find(|(a, ..)| a.eq_ignore_ascii_case(n)).map(|(.., d)| d.value.clone());
    let id = get("name").or_else(|| get("key"));
    let foreign_provider = get("providerName").is_some_and(|p| !p.is_empty() && !p.contains("SqlClient"));
    let parent = stack.last().map_or("", |o| o.name.as_str());
    for (attr, encoding, token, d) in &attrs {
        let lower = attr.to_ascii_lowercase();
        if matches!(lower.as_str(), "name" | "key" | "providername") {
            continue;
        }
        let key = match &id {
            Some(id) if matches!(lower.as_str(), "connectionstring" | "value") => format!("{parent}.{id}"),
            _ => format!("{name}.{attr}"),
        };
        let keyed = !foreign_provider && (parent.eq_ignore_ascii_case("connectionStrings") || lower == "connectionstring");
        // A foreign provider's key=value strings are not SQL Server's.
        if foreign_provider && super::plausible(&d.value, false).is_none() {
            continue;
        }
        cx.offer(Offer { key, keyed, encoding: *encoding, token: *token, d, sub: None, checked: true });
    }
    if !closed {
        stack.push(Open { name, id, children: false, text_from: i });
    }
    i
}

/// Offer the text of a leaf element ending at `lt`.
fn text(cx: &mut Ctx<'_>, open: &Open, stack: &[Open], lt: usize) {
    let src = cx.src;
    let Some(raw) = src.get(open.text_from..lt) else { return };
    let start = open.text_from + (raw.len() - raw.trim_start().len());
    let end = open.text_from + raw.trim_end().len();
    if start >= end {
        return;
    }
    let Some(upto) = src.get(..end) else { return };
    match Encoding::XmlText.decode(upto, start) {
        Ok(d) => {
            let key = match &open.id {
                Some(id) => id.clone(),
                None => stack.last().map_or(open.name.clone(), |p| format!("{}.{}", p.name, open.name)),
            };
            let keyed = stack.last().is_some_and(|p| p.name.eq_ignore_ascii_case("connectionStrings"));
            cx.offer(Offer { key, keyed, encoding: Encoding::XmlText, token: Span::new(start, end), d: &d, sub: None, checked: true });
        }
        Err(e) => cx.error(e.at, e.message),
    }
}
