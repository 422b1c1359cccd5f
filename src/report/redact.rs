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

/// The tree's source with its secrets redacted.
pub fn redacted_source(tree: &Tree<'_>) -> String {
    redact_spans(tree.source(), &secret_spans(tree)).into_owned()
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
}
