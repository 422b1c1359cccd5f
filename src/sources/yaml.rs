//! YAML files (docker compose, Kubernetes manifests, Spring
//! `application.yml`): every scalar value keyed by its dotted path.
//!
//! Two shapes get better keys than their path: Kubernetes `env` items
//! (`- name: DATABASE_URL` / `value: …`) are keyed by their `name`, and
//! `KEY=value` items of a list (compose `environment:` lists) yield the
//! part after `=`, keyed by `KEY`.

use super::{Ctx, Encoding, Offer, SourceError, atomic, join_path};
use crate::syntax::Span;
use saphyr_parser::{Event, Parser, ScalarStyle};

/// Deepest nesting of collections read (the tree is walked recursively).
const MAX_DEPTH: usize = 200;

/// One scalar with its place in the file.
struct Scalar {
    value: String,
    style: ScalarStyle,
    span: Span,
    flow: bool,
}

enum Node {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Alias,
}

/// Maps saphyr's character indices to byte offsets.
struct Offsets {
    /// Byte offset of each char, or empty when the text is ASCII.
    bytes: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(src: &str) -> Self {
        let bytes = if src.is_ascii() { Vec::new() } else { src.char_indices().map(|(i, _)| i).collect() };
        Offsets { bytes, len: src.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() { char_index.min(self.len) } else { self.bytes.get(char_index).copied().unwrap_or(self.len) }
    }
}

pub(crate) fn scan(cx: &mut Ctx<'_>) -> Result<(), SourceError> {
    let src = cx.src;
    let offsets = Offsets::new(src);
    // Build one tree per document from the event stream.
    let mut stack: Vec<(Node, bool)> = Vec::new(); // container, is flow
    let mut docs: Vec<Node> = Vec::new();
    let mut pending_key: Vec<Option<Node>> = Vec::new();
    let mut scalars: Vec<Span> = Vec::new();
    for ev in Parser::new_from_str(src) {
        let (ev, span) = ev.map_err(|e| {
            let at = offsets.byte(e.marker().index());
            SourceError::new(&cx.idx, Span::new(at, at), e.info().to_string())
        })?;
        if stack.len() > MAX_DEPTH {
            return Err(SourceError::new(&cx.idx, Span::empty(offsets.byte(span.start.index())), "YAML nested too deeply"));
        }
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        let node = match ev {
            Event::Scalar(value, style, _, _) => {
                let flow = stack.last().is_some_and(|(_, f)| *f);
                scalars.push(Span::new(start, end));
                Some(Node::Scalar(Scalar { value: value.into_owned(), style, span: Span::new(start, end), flow }))
            }
            Event::Alias(_) => Some(Node::Alias),
            Event::SequenceStart(..) => {
                let flow = src.as_bytes().get(start) == Some(&b'[') && end > start;
                stack.push((Node::Seq(Vec::new()), flow));
                pending_key.push(None);
                None
            }
            Event::MappingStart(..) => {
                let flow = src.as_bytes().get(start) == Some(&b'{') && end > start;
                stack.push((Node::Map(Vec::new()), flow));
                pending_key.push(None);
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                pending_key.pop();
                stack.pop().map(|(n, _)| n)
            }
            _ => None,
        };
        let Some(node) = node else { continue };
        match stack.last_mut() {
            None => docs.push(node),
            Some((Node::Seq(items), _)) => items.push(node),
            Some((Node::Map(entries), _)) => match pending_key.last_mut() {
                Some(slot @ None) => *slot = Some(node),
                Some(slot) => {
                    if let Some(k) = slot.take() {
                        entries.push((k, node));
                    }
                }
                None => {}
            },
            Some(_) => {}
        }
    }
    comments(cx, &scalars);
    for doc in &docs {
        walk(cx, doc, &mut Vec::new());
    }
    Ok(())
}

fn scalar_text(n: &Node) -> Option<&str> {
    match n {
        Node::Scalar(s) => Some(&s.value),
        _ => None,
    }
}

fn walk(cx: &mut Ctx<'_>, node: &Node, path: &mut Vec<String>) {
    match node {
        Node::Scalar(s) => value(cx, s, path),
        Node::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                walk(cx, item, path);
                path.pop();
            }
        }
        Node::Map(entries) => {
            // Kubernetes env items: `name: X` next to `value: …`.
            let env_name = entries.iter().find(|(k, _)| scalar_text(k) == Some("name")).and_then(|(_, v)| scalar_text(v));
            let has_value = entries.iter().any(|(k, _)| scalar_text(k) == Some("value"));
            for (k, v) in entries {
                let name = scalar_text(k).unwrap_or("?").to_string();
                match env_name {
                    Some(env) if has_value && name == "value" && path.last().is_some_and(|p| p.starts_with('[')) => {
                        let index = path.pop();
                        path.push(env.to_string());
                        walk(cx, v, path);
                        path.pop();
                        if let Some(i) = index {
                            path.push(i);
                        }
                    }
                    _ => {
                        path.push(name);
                        walk(cx, v, path);
                        path.pop();
                    }
                }
            }
        }
        Node::Alias => {}
    }
}

/// The `|` or `>` indicator of the block scalar whose content starts at
/// `content`: the last indicator on the closest non-blank line before it.
fn block_header(src: &str, content: usize) -> Option<usize> {
    let before = src.get(..content)?;
    let line_end = before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    let line_start = before.get(..line_end)?.rfind('\n').map_or(0, |i| i + 1);
    let line = before.get(line_start..line_end)?;
    let bytes = line.as_bytes();
    let mut found = None;
    for (i, &b) in bytes.iter().enumerate() {
        let prev_blank = i == 0 || bytes.get(i - 1).is_some_and(|p| matches!(p, b' ' | b'\t'));
        if b == b'#' && prev_blank {
            break;
        }
        if matches!(b, b'|' | b'>') && prev_blank {
            found = Some(line_start + i);
        }
    }
    found
}

fn value(cx: &mut Ctx<'_>, s: &Scalar, path: &[String]) {
    let src = cx.src;
    let (encoding, start) = match s.style {
        ScalarStyle::Plain if s.flow => (Encoding::YamlPlainFlow, s.span.start),
        ScalarStyle::Plain => (Encoding::YamlPlain, s.span.start),
        ScalarStyle::SingleQuoted => (Encoding::YamlSingle, s.span.start),
        ScalarStyle::DoubleQuoted => (Encoding::YamlDouble, s.span.start),
        ScalarStyle::Literal => (Encoding::YamlLiteral, block_header(src, s.span.start).unwrap_or(s.span.start)),
        ScalarStyle::Folded => (Encoding::YamlFolded, block_header(src, s.span.start).unwrap_or(s.span.start)),
    };
    // Block scalars read on to their first less-indented line; the others
    // to the parser's span end (which may run past a closing quote).
    let limit = match s.style {
        ScalarStyle::Literal | ScalarStyle::Folded => src.len(),
        _ => s.span.end,
    };
    let ours = src.get(..limit).and_then(|upto| encoding.decode(upto, start).ok()).filter(|d| d.value == s.value);
    let checked = ours.is_some();
    let d = ours.unwrap_or_else(|| {
        let text = src.get(start..s.span.end).unwrap_or("");
        let (content, end) = match s.style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let q = if s.style == ScalarStyle::SingleQuoted { '\'' } else { '"' };
                let end = text.rfind(q).map_or(s.span.end, |p| start + p + 1);
                (Span::new(start + 1, end.saturating_sub(1).max(start + 1)), end)
            }
            _ => {
                let end = start + text.trim_end().len();
                (Span::new(s.span.start.min(end), end), end)
            }
        };
        atomic(s.value.clone(), content, end)
    });
    let token = Span::new(start, d.end);
    let key = join_path(path);
    // `KEY=value` items of a list.
    if path.last().is_some_and(|p| p.starts_with('['))
        && let Some(eq) = s.value.find('=')
        && eq > 0
        && s.value.get(..eq).is_some_and(|k| k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        && s.value.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
    {
        let parent = join_path(path.get(..path.len() - 1).unwrap_or(&[]));
        let var = s.value.get(..eq).unwrap_or("");
        let key = if parent.is_empty() { var.to_string() } else { format!("{parent}.{var}") };
        let sub = Span::new(eq + 1, s.value.len());
        cx.offer(Offer { key, keyed: false, encoding, token, d: &d, sub: Some(sub), checked });
        return;
    }
    let keyed = path.iter().any(|p| p.eq_ignore_ascii_case("ConnectionStrings"));
    cx.offer(Offer { key, keyed, encoding, token, d: &d, sub: None, checked });
}

/// Comments: a `#` at a line start or after a blank, outside every scalar.
fn comments(cx: &mut Ctx<'_>, scalars: &[Span]) {
    let src = cx.src;
    let bytes = src.as_bytes();
    let mut sorted: Vec<Span> = scalars.to_vec();
    sorted.sort();
    let mut i = 0;
    while let Some(p) = bytes.get(i..).and_then(|b| b.iter().position(|&c| c == b'#')).map(|p| i + p) {
        let prev_ok = p == 0 || matches!(bytes.get(p - 1), Some(b' ' | b'\t' | b'\n' | b'\r') | Some(0xbf));
        let inside = {
            let k = sorted.partition_point(|s| s.start <= p);
            k > 0 && sorted.get(k - 1).is_some_and(|s| p < s.end)
        };
        if prev_ok && !inside {
            let end = super::escapes::line_end(src, p);
            cx.comment(Span::new(p, end), Span::new(p + 1, end));
            i = end;
        } else {
            i = p + 1;
        }
    }
}
