//! Rendering findings. A renderer is a pure function of a [`Report`]: the
//! diagnostics of each file, already placed in file coordinates, with the
//! spans of every secret in the file. Every renderer redacts secrets — in
//! messages, code frames, fix edits and diffs — through [`redact`].

pub mod concise;
pub mod full;
pub mod github;
pub mod json;
pub mod redact;
pub mod sarif;

use crate::rules::{Diagnostic, RuleSet, Severity};
use crate::syntax::{Edit, Span};
use serde::Serialize;
use std::io::{self, Write};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: severity: CODE message`, one per line (editors' problem matchers).
    Concise,
    /// Human-readable, coloured, with a code frame.
    Full,
    /// A JSON array of findings.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// One finding in a file: the diagnostic with its span and fix edits in
/// file coordinates.
#[derive(Clone, Debug)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The whole connection string the finding is about (file coordinates).
    pub string_span: Span,
}

/// The findings of one file (or of one string given on the command line).
#[derive(Clone, Debug)]
pub struct FileReport {
    /// Path as displayed (relative to the working directory when possible).
    pub path: String,
    /// The file's text.
    pub source: String,
    /// Spans of every secret in `source`, sorted, non-overlapping.
    pub secrets: Vec<Span>,
    pub findings: Vec<Finding>,
}

/// Everything to render.
#[derive(Debug)]
pub struct Report<'a> {
    pub files: Vec<FileReport>,
    pub rules: &'a RuleSet,
}

/// Rendering options.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Colour human output (ANSI). Off for machine formats regardless.
    pub color: bool,
}

/// Render `report` in `format` to `out`. Messages, notes and fix titles
/// are scrubbed of the file's secrets first ([`redact::scrub`]), whatever
/// the renderer.
pub fn render(format: Format, report: &Report<'_>, out: &mut dyn Write, opts: RenderOptions) -> io::Result<()> {
    let scrubbed = Report { files: report.files.iter().map(FileReport::scrubbed).collect(), rules: report.rules };
    let report = &scrubbed;
    match format {
        Format::Concise => concise::render(report, out),
        Format::Full => full::render(report, out, opts),
        Format::Json => json::render(report, out, false),
        Format::JsonLines => json::render(report, out, true),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Byte offsets of line starts, for line/column lookups.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex { starts: crate::syntax::line_starts(text) }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The position of byte `offset` of `text`.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Position { line: line + 1, column }
    }

    /// Byte range of 0-based `line` without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let mut end = self.starts.get(line + 1).map_or(text.len(), |s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

impl FileReport {
    /// A copy whose messages, notes and fix titles hold no secret text.
    pub fn scrubbed(&self) -> FileReport {
        let secrets: Vec<&str> = self.secrets.iter().map(|s| s.text(&self.source)).collect();
        let scrubber = redact::Scrubber::new(&secrets);
        let clean = |t: &str| scrubber.scrub(t).into_owned();
        let mut out = self.clone();
        for f in &mut out.findings {
            let d = &mut f.diagnostic;
            d.message = clean(&d.message);
            for n in &mut d.notes {
                *n = clean(n);
            }
            if let Some(fix) = &mut d.fix {
                fix.title = clean(&fix.title);
            }
        }
        out
    }

    /// Start and end positions of a span.
    pub fn range(&self, index: &LineIndex, span: Span) -> (Position, Position) {
        (index.position(&self.source, span.start), index.position(&self.source, span.end))
    }

    /// What to hide inside `span`, in file coordinates: the secrets the
    /// parsers identified, and whatever looks like a secret in the text
    /// ([`redact::generic_spans`]), merged and sorted.
    pub fn hidden(&self, span: Span) -> Vec<Span> {
        let mut out: Vec<Span> =
            self.secrets.iter().filter(|s| s.overlaps(span)).map(|s| Span::new(s.start.max(span.start), s.end.min(span.end))).collect();
        out.extend(redact::generic_spans(span.text(&self.source)).into_iter().map(|s| s.shift(span.start)));
        redact::merge_spans(out)
    }

    /// `span`'s text with secrets redacted (see [`FileReport::hidden`]).
    pub fn redacted(&self, span: Span) -> String {
        self.redacted_within(span, span)
    }

    /// `span`'s text with secrets redacted, where what to hide was decided
    /// over the larger `context` (a whole line), so that a piece of a line
    /// is redacted exactly as the whole line is.
    pub fn redacted_within(&self, span: Span, context: Span) -> String {
        let rel: Vec<Span> = self
            .hidden(context)
            .into_iter()
            .filter(|s| s.overlaps(span))
            .map(|s| Span::new(s.start.max(span.start) - span.start, s.end.min(span.end) - span.start))
            .collect();
        redact::redact_spans(span.text(&self.source), &rel).into_owned()
    }

    /// An edit's replacement text as it may be shown: an edit that touches
    /// a secret shows [`redact::REDACTED`] instead of its content.
    pub fn shown_edit_text(&self, edit: &Edit) -> String {
        let touches = self
            .secrets
            .iter()
            .any(|s| s.overlaps(edit.span) || (edit.span.is_empty() && s.start < edit.span.start && edit.span.start < s.end));
        if touches { redact::REDACTED.to_string() } else { redact::generic(&edit.text).into_owned() }
    }
}

/// Counts by severity and fixability, for summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    pub unsafe_fixable: usize,
}

impl Summary {
    pub fn of(report: &Report<'_>) -> Summary {
        let mut s = Summary::default();
        for f in report.files.iter().flat_map(|f| &f.findings) {
            match f.diagnostic.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
            match f.diagnostic.fix.as_ref().map(|x| x.applicability).or(f.diagnostic.fixable) {
                Some(crate::rules::Applicability::Safe) => s.fixable += 1,
                Some(_) => s.unsafe_fixable += 1,
                None => {}
            }
        }
        s
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// The documentation URL of a rule.
pub fn rule_url(code: &str, name: &str) -> String {
    format!("https://github.com/dblint/dblint/blob/main/rules/{code}-{name}.yaml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_handle_crlf() {
        let text = "a=1\r\nDB=é→x\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 2, column: 6 });
        assert_eq!(idx.line_span(text, 0).text(text), "a=1");
        assert_eq!(idx.line_span(text, 2).text(text), "last");
        assert_eq!(idx.line_count(), 3);
    }
}
