//! Secrets never leave dblint: the text of every secret token (passwords in
//! userinfo, `password=`/`pwd=`/`sslpassword=` values …) is replaced by
//! [`REDACTED`] before anything is printed. Redaction is structural — it
//! works on token spans, never by searching for the secret's text — so a
//! password that also occurs elsewhere in a line does not blank out the
//! rest of it, and the secret itself is never needed to render.

use crate::syntax::{Span, Tree};
use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

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
    // Longest first, so that a secret containing another is hidden whole.
    variants.sort_by_key(|v| std::cmp::Reverse(v.len()));
    variants.dedup();
    let mut out: Cow<'a, str> = Cow::Borrowed(text);
    for v in &variants {
        if out.contains(v.as_str()) {
            out = Cow::Owned(out.replace(v.as_str(), REDACTED));
        }
    }
    // Messages quote pieces of the input in double quotes: a quoted piece
    // that is part of a secret (a client misreading a password as a key)
    // is hidden too.
    if out.contains('"') && !variants.is_empty() {
        let mut rebuilt = String::with_capacity(out.len());
        for (i, part) in out.split('"').enumerate() {
            if i > 0 {
                rebuilt.push('"');
            }
            let quoted = i % 2 == 1;
            if quoted && part.len() >= 3 && variants.iter().any(|v| v.contains(part)) {
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

/// The spans [`generic`] redacts, sorted and merged.
pub fn generic_spans(text: &str) -> Vec<Span> {
    static URL: OnceLock<Regex> = OnceLock::new();
    static DSN: OnceLock<Regex> = OnceLock::new();
    static KEYED: OnceLock<Regex> = OnceLock::new();
    let url = URL.get_or_init(|| {
        // scheme://user:PASSWORD@ — up to the last `@` before the path.
        // Greedy to the last `@` on the line: an unescaped password may hold
        // `/`, `?`, `@`, blanks or `#` that the client (or the file) misreads.
        Regex::new(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@?#]*:(?P<v>[^\r\n]*)@[A-Za-z0-9\[(._\-]").expect("valid regex")
    });
    let keyed = KEYED.get_or_init(|| {
        Regex::new(
            r#"(?i)[A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credentials?)[A-Za-z0-9_.\-]*["']?\s*[:=]\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|\{(?P<br>[^}]*)\}|(?P<bare>[^\s;&,}\]"']+))"#,
        )
        .expect("valid regex")
    });
    // Go MySQL DSN: user:PASSWORD@tcp(…) — up to the last `@` before the address.
    let dsn = DSN.get_or_init(|| Regex::new(r"[A-Za-z0-9_.\-]+:(?P<v>\S*)@[a-z0-9]*\(").expect("valid regex"));
    let mut spans: Vec<Span> = Vec::new();
    for c in url.captures_iter(text).chain(dsn.captures_iter(text)) {
        if let Some(m) = c.name("v") {
            spans.push(Span::new(m.start(), m.end()));
        }
    }
    for c in keyed.captures_iter(text) {
        if let Some(m) = ["dq", "sq", "br", "bare"].iter().find_map(|n| c.name(n)) {
            spans.push(Span::new(m.start(), m.end()));
        }
    }
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
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
        ] {
            assert_eq!(generic(input), want, "{input}");
        }
    }
}
