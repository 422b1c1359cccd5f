//! GitHub Actions workflow annotations:
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.

use super::{LineIndex, Report};
use crate::rules::Severity;
use std::io::{self, Write};

/// Escape a property value (`%`, CR, LF, `:` and `,`).
fn property(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A").replace(':', "%3A").replace(',', "%2C")
}

/// Escape a message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        let index = LineIndex::new(&file.source);
        for f in &file.findings {
            let d = &f.diagnostic;
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let (start, end) = file.range(&index, d.span);
            // GitHub rejects col/endColumn on annotations that span lines.
            let cols = if start.line == end.line { format!(",col={},endColumn={}", start.column, end.column) } else { String::new() };
            writeln!(
                out,
                "::{level} file={},line={},endLine={}{cols},title={}::{}",
                property(&file.path),
                start.line,
                end.line,
                property(&format!("dblint ({} {})", d.code, d.name)),
                data(&format!("{}: {} {}", file.path, d.code, d.message))
            )?;
        }
    }
    Ok(())
}
