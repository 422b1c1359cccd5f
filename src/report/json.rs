//! JSON: an array of findings, or one finding per line (`json-lines`).

use super::{FileReport, LineIndex, Position, Report};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct EditOut {
    content: String,
    location: Position,
    end_location: Position,
    span: crate::syntax::Span,
}

#[derive(Serialize)]
struct FixOut<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<EditOut>,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: &'static str,
    message: &'a str,
    filename: &'a str,
    location: Position,
    end_location: Position,
    /// Byte offsets in the file.
    span: crate::syntax::Span,
    /// The connection string, secrets redacted.
    string: String,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    fix: Option<FixOut<'a>>,
    url: String,
}

fn findings<'a>(file: &'a FileReport, index: &LineIndex) -> impl Iterator<Item = FindingOut<'a>> + 'a {
    let index = index.clone();
    file.findings.iter().map(move |f| {
        let d = &f.diagnostic;
        let (location, end_location) = file.range(&index, d.span);
        FindingOut {
            code: d.code,
            name: d.name,
            severity: d.severity.name(),
            message: &d.message,
            filename: &file.path,
            location,
            end_location,
            span: d.span,
            string: file.redacted(f.string_span),
            notes: &d.notes,
            fix: d.fix.as_ref().map(|fix| FixOut {
                title: &fix.title,
                applicability: fix.applicability.name(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| {
                        let (location, end_location) = file.range(&index, e.span);
                        EditOut { content: file.shown_edit_text(e), location, end_location, span: e.span }
                    })
                    .collect(),
            }),
            url: super::rule_url(d.code, d.name),
        }
    })
}

pub fn render(report: &Report<'_>, out: &mut dyn Write, lines: bool) -> io::Result<()> {
    let mut all = Vec::new();
    for file in &report.files {
        let index = LineIndex::new(&file.source);
        for f in findings(file, &index) {
            if lines {
                serde_json::to_writer(&mut *out, &f)?;
                writeln!(out)?;
            } else {
                all.push(f);
            }
        }
    }
    if !lines {
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)?;
    }
    Ok(())
}
