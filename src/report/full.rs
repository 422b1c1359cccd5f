//! Human output: a header per finding, a code frame of the line with the
//! span underlined (secrets redacted), notes and the fix on offer.

use super::{LineIndex, RenderOptions, Report};
use crate::rules::{Applicability, Severity};
use crate::syntax::Span;
use anstyle::{AnsiColor, Style};
use std::io::{self, Write};

struct Palette {
    error: Style,
    warning: Style,
    info: Style,
    bold: Style,
    dim: Style,
    help: Style,
}

impl Palette {
    fn new(color: bool) -> Palette {
        if !color {
            let plain = Style::new();
            return Palette { error: plain, warning: plain, info: plain, bold: plain, dim: plain, help: plain };
        }
        Palette {
            error: AnsiColor::Red.on_default().bold(),
            warning: AnsiColor::Yellow.on_default().bold(),
            info: AnsiColor::Cyan.on_default().bold(),
            bold: Style::new().bold(),
            dim: AnsiColor::Blue.on_default().bold(),
            help: AnsiColor::Green.on_default().bold(),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

/// Longest line shown whole; longer lines are cut around the span.
const MAX_LINE: usize = 160;

/// Redacted text of a line, cut around `[from, to)` when long, with the
/// display column and width of `[from, to)` in the text shown.
fn frame_line(file: &super::FileReport, line: Span, from: usize, to: usize) -> (String, usize, usize) {
    let from = from.clamp(line.start, line.end);
    let to = to.clamp(from, line.end);
    // Cut long lines to a window on character boundaries.
    let src = &file.source;
    let mut start = line.start;
    let mut end = line.end;
    if line.len() > MAX_LINE {
        start = floor_char(src, from.saturating_sub(60).max(line.start));
        end = ceil_char(src, (to + 60).min(line.end).max(from.min(line.end)));
    }
    let piece = |a: usize, b: usize| file.redacted_within(Span::new(a, b), line);
    let (before, mid, after) = (piece(start, from), piece(from, to), piece(to, end));
    let lead = if start > line.start { "…" } else { "" };
    let tail = if end < line.end { "…" } else { "" };
    let col = lead.chars().count() + before.chars().count();
    let width = mid.chars().count().max(1);
    (format!("{lead}{before}{mid}{after}{tail}"), col, width)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

pub fn render(report: &Report<'_>, out: &mut dyn Write, opts: RenderOptions) -> io::Result<()> {
    let p = Palette::new(opts.color);
    for file in &report.files {
        let index = LineIndex::new(&file.source);
        for f in &file.findings {
            let d = &f.diagnostic;
            let sev = p.severity(d.severity);
            writeln!(out, "{sev}{}[{}]{sev:#}{}: {}{:#}", d.severity, d.code, p.bold, d.message, p.bold)?;
            let pos = index.position(&file.source, d.span.start);
            let line_no = pos.line.to_string();
            let gutter = " ".repeat(line_no.len());
            writeln!(out, "{gutter}{}-->{:#} {}:{}:{}", p.dim, p.dim, file.path, pos.line, pos.column)?;
            let first = index.line_of(d.span.start);
            let last = index.line_of(d.span.end.saturating_sub(1).max(d.span.start));
            writeln!(out, "{gutter} {}|{:#}", p.dim, p.dim)?;
            for line in first..=last.min(first + 3) {
                let ls = index.line_span(&file.source, line);
                let (text, col, width) = frame_line(file, ls, d.span.start.max(ls.start), d.span.end.min(ls.end));
                let n = (line + 1).to_string();
                writeln!(out, "{}{n:>w$} |{:#} {text}", p.dim, p.dim, w = line_no.len())?;
                writeln!(out, "{gutter} {}|{:#} {}{sev}{}{sev:#}", p.dim, p.dim, " ".repeat(col), "^".repeat(width))?;
            }
            for note in &d.notes {
                writeln!(out, "{gutter} {}={:#} note: {note}", p.dim, p.dim)?;
            }
            if let Some(fix) = &d.fix {
                let how = match fix.applicability {
                    Applicability::Safe => "run with --fix",
                    Applicability::Unsafe => "run with --fix --unsafe-fixes",
                    Applicability::NeedsLiveCheck => "needs a live TLS check before it can be applied",
                };
                writeln!(out, "{gutter} {}={:#} {}help{:#}: {} ({how})", p.dim, p.dim, p.help, p.help, fix.title)?;
            }
            writeln!(out, "{gutter} {}={:#} rule: {} ({})", p.dim, p.dim, d.name, super::rule_url(d.code, d.name))?;
            writeln!(out)?;
        }
    }
    Ok(())
}
