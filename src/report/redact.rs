//! Secrets never leave dblint: the text of every secret token (passwords in
//! userinfo, `password=`/`pwd=`/`sslpassword=` values …) is replaced by
//! [`REDACTED`] before anything is printed. Redaction is structural — it
//! works on token spans, never by searching for the secret's text — so a
//! password that also occurs elsewhere in a line does not blank out the
//! rest of it, and the secret itself is never needed to render.

use crate::syntax::{Span, Tree};
use std::borrow::Cow;

/// What a secret is replaced by.
pub const REDACTED: &str = "<redacted>";

/// The spans of `tree`'s secret tokens, in order.
pub fn secret_spans(tree: &Tree<'_>) -> Vec<Span> {
    tree.tokens.iter().filter(|t| t.kind.is_secret()).map(|t| t.span).collect()
}

/// `text` with every span in `secrets` replaced by [`REDACTED`].
/// `secrets` must be sorted and non-overlapping, as [`secret_spans`] returns.
pub fn redact_spans<'a>(text: &'a str, secrets: &[Span]) -> Cow<'a, str> {
    let secrets: Vec<Span> = secrets.iter().copied().filter(|s| !s.is_empty() && s.end <= text.len()).collect();
    if secrets.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in secrets {
        if s.start < at {
            continue;
        }
        out.push_str(text.get(at..s.start).unwrap_or(""));
        out.push_str(REDACTED);
        at = s.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    Cow::Owned(out)
}

/// The tree's source with its secrets redacted, structurally and then by
/// [`generic`] (a password in a fragment or a misplaced parameter is still hidden).
pub fn redacted_source(tree: &Tree<'_>) -> String {
    generic(&redact_spans(tree.source(), &secret_spans(tree))).into_owned()
}

/// Redact the part of `text` that `span` covers, where `span` is in the
/// coordinates of `tree`'s source: used for excerpts and messages quoting
/// part of a string.
pub fn redacted_excerpt(tree: &Tree<'_>, span: Span) -> String {
    let secrets: Vec<Span> = secret_spans(tree)
        .into_iter()
        .filter(|s| s.overlaps(span))
        .map(|s| Span::new(s.start.max(span.start) - span.start, s.end.min(span.end) - span.start))
        .collect();
    redact_spans(span.text(tree.source()), &secrets).into_owned()
}

/// Scrub a message or note: any occurrence of a secret's text (as written
/// or percent-decoded; three characters or more) becomes [`REDACTED`], and
/// then [`generic`] applies. Messages are written not to quote secrets;
/// this is the net below that rule.
pub fn scrub<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    Scrubber::new(secrets).scrub(text)
}

/// [`scrub`] for many texts with the same secrets: the variants to look
/// for are worked out once.
pub struct Scrubber {
    /// Secret texts, decoded forms and pieces, longest first, each with its searcher
    /// (built once, for every text scrubbed).
    variants: Vec<(String, crate::syntax::bytes::Finder)>,
}

impl Scrubber {
    pub fn new(secrets: &[&str]) -> Scrubber {
        let mut variants: Vec<String> = Vec::new();
        for s in secrets {
            if s.len() >= 3 {
                variants.push((*s).to_string());
                let decoded = crate::syntax::decode::percent_lenient(s, false);
                if decoded != *s && decoded.len() >= 3 {
                    variants.push(decoded.into_owned());
                }
            }
        }
        // A client that misreads an unescaped password splits it at a URL
        // delimiter and quotes a piece (as a host, a key …): the pieces of
        // four characters or more are hidden too.
        let pieces: Vec<String> = variants
            .iter()
            .flat_map(|v| {
                v.split(['@', ':', '/', '?', '#', '&', '=', ';', ','])
                    .filter(|p| p.len() >= 4 && p.len() < v.len())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        variants.extend(pieces);
        // Longest first, so that a secret containing another is hidden whole.
        variants.sort_by_key(|v| std::cmp::Reverse(v.len()));
        variants.dedup();
        let variants = variants
            .into_iter()
            .map(|v| {
                let finder = crate::syntax::bytes::Finder::new(v.as_bytes());
                (v, finder)
            })
            .collect();
        Scrubber { variants }
    }

    /// `text` with the secrets hidden.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        for (v, finder) in &self.variants {
            if finder.find(out.as_bytes()).is_some() {
                out = Cow::Owned(out.replace(v.as_str(), REDACTED));
            }
        }
        // Messages quote pieces of the input in double quotes: a quoted piece
        // that is part of a secret (a client misreading a password as a key)
        // is hidden too.
        if out.contains('"') && !self.variants.is_empty() {
            let mut rebuilt = String::with_capacity(out.len());
            for (i, part) in out.split('"').enumerate() {
                if i > 0 {
                    rebuilt.push('"');
                }
                let quoted = i % 2 == 1;
                if quoted && part.len() >= 3 && self.variants.iter().any(|(v, _)| v.contains(part)) {
                    rebuilt.push_str(REDACTED);
                } else {
                    rebuilt.push_str(part);
                }
            }
            if rebuilt != *out {
                out = Cow::Owned(rebuilt);
            }
        }
        match generic(&out) {
            Cow::Borrowed(_) => out,
            Cow::Owned(o) => Cow::Owned(o),
        }
    }
}

/// Defence in depth for text shown around findings (code frames, diff
/// context, snippets): whatever the parsers did not identify as a secret —
/// another string on the same line, a `DB_PASSWORD=` next to it, a value of
/// a minified JSON file — is redacted when it looks like one: URL userinfo
/// passwords and the values of keys naming a password, secret, token or key.
pub fn generic(text: &str) -> Cow<'_, str> {
    let spans = generic_spans(text);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(redact_spans(text, &spans).into_owned())
}

/// `spans` sorted, with overlapping and touching spans joined into one.
pub fn merge_spans(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

/// Key words that make a key's value a secret (compared case-insensitively).
const SECRET_MARKERS: crate::syntax::Words = crate::syntax::Words::new(&[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "private_key",
    "credential",
]);

/// Whether a key names a secret: it holds one of [`SECRET_MARKERS`].
fn names_secret(key: &[u8]) -> bool {
    key.len() >= 3 && SECRET_MARKERS.in_key(key)
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// The spans [`generic`] redacts, sorted and merged.
///
/// A hand-written scan rather than regular expressions: it runs on every
/// string of every file, and compiling patterns this general costs more
/// than linting a small file (a pre-commit hook starts for each commit).
/// Three shapes are recognised:
/// - `scheme://user:PASSWORD@host` — up to the last `@` of the line that a
///   host character follows, since an unescaped password may hold `/`,
///   `?`, `@`, blanks or `#` that the client or the file misreads;
/// - Go MySQL DSNs, `user:PASSWORD@proto(` — up to the last `@` before `proto(`;
/// - `KEY=value`, `"key": "value"`, `Key='value'`, `Pwd={value}` where the key
///   names a password, secret, token or key.
pub fn generic_spans(text: &str) -> Vec<Span> {
    let b = text.as_bytes();
    let mut spans: Vec<Span> = Vec::new();
    let line_end = |from: usize| crate::syntax::bytes::find2(b'\n', b'\r', &b[from..]).map_or(b.len(), |i| from + i);
    // URL userinfo.
    let mut from = 0;
    while let Some(i) = crate::syntax::bytes::find_short(&b[from..], b"://").map(|i| from + i) {
        from = i + 3;
        let scheme_ok = i > 0 && b[i - 1].is_ascii_alphanumeric();
        let user_end = b[i + 3..]
            .iter()
            .position(|&c| matches!(c, b':' | b'@' | b'/' | b'?' | b'#') || c.is_ascii_whitespace())
            .map_or(b.len(), |p| i + 3 + p);
        if !scheme_ok || b.get(user_end) != Some(&b':') {
            continue;
        }
        let end = line_end(user_end);
        let at = (user_end + 1..end).rev().find(|&k| {
            b[k] == b'@' && b.get(k + 1).is_some_and(|&h| h.is_ascii_alphanumeric() || matches!(h, b'[' | b'(' | b'.' | b'_' | b'-'))
        });
        if let Some(at) = at {
            spans.push(Span::new(user_end + 1, at));
        }
    }
    // Go MySQL DSN: `user:PASSWORD@proto(`.
    let mut from = 0;
    while let Some(p) = crate::syntax::bytes::find(b'(', &b[from..]).map(|i| from + i) {
        from = p + 1;
        let proto_start = (0..p).rev().take_while(|&k| b[k].is_ascii_lowercase() || b[k].is_ascii_digit()).last().unwrap_or(p);
        if proto_start == 0 || b[proto_start - 1] != b'@' {
            continue;
        }
        let at = proto_start - 1;
        let token_start =
            (0..at).rev().take_while(|&k| !b[k].is_ascii_whitespace() && !matches!(b[k], b'"' | b'\'' | b'=')).last().unwrap_or(at);
        if let Some(colon) = b[token_start..at].iter().position(|&c| c == b':') {
            let user = &b[token_start..token_start + colon];
            if !user.is_empty() && user.iter().all(|&c| is_key_byte(c)) {
                spans.push(Span::new(token_start + colon + 1, at));
            }
        }
    }
    // KEY=value where the key names a secret.
    for i in crate::syntax::bytes::positions2(b'=', b':', b) {
        // The key: back over blanks and a closing quote, then key characters.
        let mut k = i;
        while k > 0 && b[k - 1].is_ascii_whitespace() && b[k - 1] != b'\n' {
            k -= 1;
        }
        if k > 0 && matches!(b[k - 1], b'"' | b'\'') {
            k -= 1;
        }
        let key_end = k;
        while k > 0 && is_key_byte(b[k - 1]) {
            k -= 1;
        }
        if k == key_end {
            continue;
        }
        if !names_secret(&b[k..key_end]) {
            continue;
        }
        // The value: after blanks, quoted, braced or bare.
        let mut v = i + 1;
        while v < b.len() && (b[v] == b' ' || b[v] == b'\t') {
            v += 1;
        }
        let span = match b.get(v) {
            Some(b'"') => {
                let mut e = v + 1;
                while e < b.len() && b[e] != b'"' && b[e] != b'\n' {
                    e += if b[e] == b'\\' { 2 } else { 1 };
                }
                Span::new(v + 1, e.min(b.len()))
            }
            Some(&q @ (b'\'' | b'{')) => {
                // The value ends at a closing quote that a delimiter follows
                // (when in doubt, more is hidden, never less):
                // a quote inside it may be doubled (`''`, `}}`) or escaped
                // (`\'`, and `\\'` once a `.env` file doubles the backslash).
                let close = if q == b'{' { b'}' } else { b'\'' };
                let mut from = v + 1;
                let end = loop {
                    match b[from..].iter().position(|&x| x == close || x == b'\n').map(|p| from + p) {
                        None => break b.len(),
                        Some(at) if b[at] == b'\n' => break at,
                        Some(at) if b.get(at + 1) == Some(&close) => from = at + 2,
                        Some(at) => {
                            let delimited =
                                b.get(at + 1).is_none_or(|&n| n.is_ascii_whitespace() || matches!(n, b';' | b'"' | b',' | b'&'));
                            if delimited {
                                break at;
                            }
                            from = at + 1;
                        }
                    }
                };
                Span::new(v + 1, end)
            }
            Some(_) => {
                let e = b[v..]
                    .iter()
                    .position(|&x| x.is_ascii_whitespace() || matches!(x, b';' | b'&' | b',' | b'}' | b']' | b'"' | b'\''))
                    .map_or(b.len(), |p| v + p);
                Span::new(v, e)
            }
            None => continue,
        };
        spans.push(span);
    }
    // Every span starts and ends next to an ASCII delimiter; snap to character boundaries all the same.
    for s in &mut spans {
        while s.start > 0 && !text.is_char_boundary(s.start) {
            s.start -= 1;
        }
        while s.end < text.len() && !text.is_char_boundary(s.end) {
            s.end += 1;
        }
    }
    let mut merged = merge_spans(spans);
    // Already-redacted values stay as they are.
    merged.retain(|s| s.text(text) != REDACTED && !s.is_empty());
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Dialect, Form, parse};

    #[test]
    fn redacts_structurally() {
        let s = "postgresql://prod:prod@prod.example.com/prod?sslpassword=prod";
        let t = parse(s, Form::PostgresUrl, Dialect::Libpq).unwrap();
        assert_eq!(redacted_source(&t), "postgresql://prod:<redacted>@prod.example.com/prod?sslpassword=<redacted>");
        assert_eq!(redacted_excerpt(&t, Span::new(13, 30)), "prod:<redacted>@prod.ex");
    }

    #[test]
    fn generic_redaction() {
        for (input, want) in [
            ("DB_PASSWORD=hunter2", "DB_PASSWORD=<redacted>"),
            ("export API_TOKEN='abc def'", "export API_TOKEN='<redacted>'"),
            (r#"{"Password": "p\"w", "User": "x"}"#, r#"{"Password": "<redacted>", "User": "x"}"#),
            ("Server=x;Pwd={a;b};Encrypt=True", "Server=x;Pwd={<redacted>};Encrypt=True"),
            ("url: redis://default:s3cr3t@cache:6379/0", "url: redis://default:<redacted>@cache:6379/0"),
            ("u=postgresql://a:p@ss@h/db", "u=postgresql://a:<redacted>@h/db"),
            ("HOST=db.example.com PORT=5432", "HOST=db.example.com PORT=5432"),
            ("Password=<redacted>;", "Password=<redacted>;"),
            ("GO_DSN='app:hun@ter2@tcp(db:3306)/app'", "GO_DSN='app:<redacted>@tcp(db:3306)/app'"),
            // Quotes inside quoted values: doubled, escaped, escaped again by a `.env` file.
            ("Server=x;Password='it''s';Encrypt=True", "Server=x;Password='<redacted>';Encrypt=True"),
            (r"password='\'=#^X)S' sslmode=disable", "password='<redacted>' sslmode=disable"),
            (r"password='\\'=#^X)S' sslmode=disable", "password='<redacted>' sslmode=disable"),
            ("Pwd={a}}b};Encrypt=True", "Pwd={<redacted>};Encrypt=True"),
            (r"password='\\']#&==)' sslmode=disable", "password='<redacted>' sslmode=disable"),
        ] {
            assert_eq!(generic(input), want, "{input}");
        }
    }
}
