//! Suppression comments: `# dblint: ignore[DBL203,DBL202] reason`.

use super::SourceError;
use super::lines::LineIndex;
use crate::syntax::Span;
use serde::Serialize;

/// A comment in a file: `span` covers it all (markers included), `body`
/// only its text (after `#`, `//`, `<!--` …, before any closing marker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    pub span: Span,
    pub body: Span,
}

/// A `dblint: ignore[…]` comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The whole comment.
    pub span: Span,
    /// The 1-based line the comment is on.
    pub line: usize,
    /// The 1-based line it applies to: its own line when it trails code,
    /// otherwise the next line holding anything but blanks and comments.
    pub applies_to: usize,
    /// The codes it silences; empty silences every code.
    pub codes: Vec<String>,
    /// The reason given after the codes, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Suppression {
    /// Whether this suppression silences `code` on a value spanning lines
    /// `first..=last`.
    pub fn covers(&self, code: &str, first: usize, last: usize) -> bool {
        (first..=last).contains(&self.applies_to) && (self.codes.is_empty() || self.codes.iter().any(|c| c.eq_ignore_ascii_case(code)))
    }
}

const DIRECTIVE: &str = "dblint:";

/// Parse the suppressions among `comments` (sorted by position).
pub(crate) fn collect(src: &str, comments: &[Comment], idx: &LineIndex<'_>, errors: &mut Vec<SourceError>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for c in comments {
        let body = c.body.text(src);
        let trimmed = body.trim_start();
        if trimmed.len() < DIRECTIVE.len() || !trimmed.get(..DIRECTIVE.len()).is_some_and(|t| t.eq_ignore_ascii_case(DIRECTIVE)) {
            continue;
        }
        let at = c.body.start + (body.len() - trimmed.len());
        match parse_directive(trimmed) {
            Ok((codes, reason)) => {
                let line = idx.line(c.span.start);
                let own_line = idx.line_span(line).is_some_and(|l| src.get(l.start..c.span.start).is_some_and(|t| t.trim().is_empty()));
                let applies_to = if own_line { next_code_line(src, comments, idx, line) } else { line };
                out.push(Suppression { span: c.span, line, applies_to, codes, reason });
            }
            Err((off, len, message)) => {
                let span = Span::new(at + off, at + off + len);
                errors.push(SourceError::new(idx, span, message));
            }
        }
    }
    out
}

type DirectiveError = (usize, usize, String);

/// `dblint: ignore[CODE, CODE] reason` → codes and reason.
fn parse_directive(text: &str) -> Result<(Vec<String>, Option<String>), DirectiveError> {
    let rest = text.get(DIRECTIVE.len()..).unwrap_or("");
    let word = rest.trim_start();
    let off = text.len() - word.len();
    let verb_len = word.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
    let verb = word.get(..verb_len).unwrap_or("");
    if verb != "ignore" {
        return Err((off, verb_len.max(1), "unknown dblint directive; expected \"ignore[CODE] reason\"".to_string()));
    }
    let after = word.get(verb_len..).unwrap_or("");
    let mut codes = Vec::new();
    let reason_text = if let Some(list) = after.strip_prefix('[') {
        let Some(close) = list.find(']') else {
            return Err((off + verb_len, 1, "unclosed '[' in dblint directive".to_string()));
        };
        let list_off = off + verb_len + 1;
        let mut pos = 0;
        for part in list.get(..close).unwrap_or("").split(',') {
            let code = part.trim();
            let lead = part.len() - part.trim_start().len();
            let valid = !code.is_empty()
                && code.bytes().take_while(u8::is_ascii_alphabetic).count() > 0
                && code.bytes().skip_while(u8::is_ascii_alphabetic).all(|b| b.is_ascii_digit())
                && code.bytes().any(|b| b.is_ascii_digit());
            if !valid {
                return Err((
                    list_off + pos + lead,
                    code.len().max(1),
                    "invalid rule code in dblint directive (expected codes such as DBL101)".to_string(),
                ));
            }
            codes.push(code.to_ascii_uppercase());
            pos += part.len() + 1;
        }
        list.get(close + 1..).unwrap_or("")
    } else {
        after
    };
    let reason = reason_text.trim().trim_start_matches([':', '-', '—']).trim();
    Ok((codes, (!reason.is_empty()).then(|| reason.to_string())))
}

/// The first line after `line` holding something other than blanks and
/// comments (or `line + 1` when there is none).
fn next_code_line(src: &str, comments: &[Comment], idx: &LineIndex<'_>, line: usize) -> usize {
    for l in line + 1..=idx.line_count() {
        let Some(span) = idx.line_span(l) else { break };
        let text = span.text(src);
        let lead = text.len() - text.trim_start().len();
        if text.trim().is_empty() {
            continue;
        }
        let first = span.start + lead;
        let comment_only = comments
            .binary_search_by_key(&first, |c| c.span.start)
            .ok()
            .and_then(|i| comments.get(i))
            .is_some_and(|c| c.span.end >= span.start + text.trim_end().len());
        if !comment_only {
            return l;
        }
    }
    line + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            parse_directive("dblint: ignore[DBL203, dbl202] local only").unwrap(),
            (vec!["DBL203".to_string(), "DBL202".to_string()], Some("local only".to_string()))
        );
        assert_eq!(parse_directive("dblint: ignore").unwrap(), (vec![], None));
        assert!(parse_directive("dblint: ignore[DBL1").is_err());
        assert!(parse_directive("dblint: ignore[x-1]").is_err());
        assert!(parse_directive("dblint: disable").is_err());
    }
}
