//! `path:line:col: severity: CODE message` — one finding per line, the
//! shape editors' problem matchers and Vim's `errorformat` parse.

use super::{LineIndex, Report};
use std::io::{self, Write};

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for file in &report.files {
        let index = LineIndex::new(&file.source);
        for f in &file.findings {
            let d = &f.diagnostic;
            let pos = index.position(&file.source, d.span.start);
            writeln!(out, "{}:{}:{}: {}: {} {}", file.path, pos.line, pos.column, d.severity, d.code, d.message)?;
        }
    }
    Ok(())
}
