//! Prisma schema files: the string properties of `datasource` blocks
//! (`url`, `directUrl`, `shadowDatabaseUrl`). A property set with
//! `env("NAME")` is not a literal: it is reported as an [`EnvRef`].
//!
//! Prisma string literals have JSON's grammar (prisma/prisma-engines
//! `psl/schema-ast/src/lib.rs`, `string_literal`, and
//! `psl/schema-ast/src/parser/parse_expression.rs`).
//!
//! [`EnvRef`]: super::EnvRef

use super::escapes::{Decoded, line_end};
use super::{Ctx, Encoding, EnvRef, Offer};
use crate::syntax::Span;

enum Tok {
    Ident(String),
    Str(Box<Decoded>),
    Punct(u8),
}

fn byte(src: &str, i: usize) -> Option<u8> {
    src.as_bytes().get(i).copied()
}

fn lex(cx: &mut Ctx<'_>) -> Vec<(Tok, Span)> {
    let src = cx.src;
    let mut out = Vec::new();
    let mut i = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while let Some(b) = byte(src, i) {
        match b {
            b if b.is_ascii_whitespace() => i += 1,
            b'/' if byte(src, i + 1) == Some(b'/') => {
                let end = line_end(src, i);
                let body = if byte(src, i + 2) == Some(b'/') { i + 3 } else { i + 2 };
                cx.comment(Span::new(i, end), Span::new(body.min(end), end));
                i = end;
            }
            b'"' => match Encoding::JsonDouble.decode(src, i) {
                Ok(d) => {
                    let span = Span::new(i, d.end);
                    i = d.end;
                    out.push((Tok::Str(Box::new(d)), span));
                }
                Err(e) => {
                    cx.error(e.at, e.message);
                    i = line_end(src, i);
                }
            },
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let s = i;
                while byte(src, i).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
                    i += 1;
                }
                out.push((Tok::Ident(src.get(s..i).unwrap_or("").to_string()), Span::new(s, i)));
            }
            b if b.is_ascii() => {
                out.push((Tok::Punct(b), Span::new(i, i + 1)));
                i += 1;
            }
            _ => i += src.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8),
        }
    }
    out
}

pub(crate) fn scan(cx: &mut Ctx<'_>) {
    let toks = lex(cx);
    let mut depth = 0usize;
    let mut datasource: Option<String> = None;
    let mut k = 0;
    while let Some((tok, _)) = toks.get(k) {
        match tok {
            Tok::Ident(w) if depth == 0 && w == "datasource" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct(b'{'), _))) = (toks.get(k + 1).map(|t| (&t.0, t.1)), toks.get(k + 2))
                {
                    datasource = Some(name.clone());
                    depth = 1;
                    k += 3;
                    continue;
                }
            }
            Tok::Punct(b'{') => depth += 1,
            Tok::Punct(b'}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    datasource = None;
                }
            }
            Tok::Ident(prop) if depth == 1 => {
                if let (Some(ds), Some((Tok::Punct(b'='), _))) = (&datasource, toks.get(k + 1)) {
                    let key = format!("datasource.{ds}.{prop}");
                    match (toks.get(k + 2), toks.get(k + 3), toks.get(k + 4), toks.get(k + 5)) {
                        (Some((Tok::Str(d), span)), ..) => {
                            let offer =
                                Offer { key, keyed: false, encoding: Encoding::JsonDouble, token: *span, d, sub: None, checked: true };
                            cx.offer(offer);
                            k += 3;
                            continue;
                        }
                        (
                            Some((Tok::Ident(f), fs)),
                            Some((Tok::Punct(b'('), _)),
                            Some((Tok::Str(d), _)),
                            Some((Tok::Punct(b')'), close)),
                        ) if f == "env" => {
                            cx.env_refs.push(EnvRef { key, name: d.value.clone(), span: fs.cover(*close) });
                            k += 6;
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        k += 1;
    }
}
