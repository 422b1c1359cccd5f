//! Applying fixes. Fixes are edits with an applicability; the ones at or
//! above the requested level are applied in span order (a fix that overlaps
//! one already taken waits for the next round), the text is linted again,
//! and this repeats until nothing is left to fix (a bounded fixpoint).
//! A round whose result no longer parses is undone fix by fix, so text that
//! a client cannot read is never produced. [`write`] puts the result on disk.

pub mod write;

use crate::lint::{FileLint, FileMemo, Linter};
use crate::model::{Client, Options};
use crate::rules::{self, Applicability, Context, Diagnostic, RuleSet, Selection};
use crate::syntax::{Edit, apply_edits};
use std::path::Path;

/// Rounds before giving up on reaching a fixpoint.
pub const MAX_ROUNDS: usize = 10;

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub code: &'static str,
    pub name: &'static str,
    pub title: String,
    pub applicability: Applicability,
    /// Byte offset in the text it was applied to (that round's text).
    pub at: usize,
}

/// A fix that was not applied because its result would not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub title: String,
}

/// The outcome of fixing one text.
#[derive(Clone, Debug)]
pub struct Outcome<T> {
    pub fixed: String,
    pub applied: Vec<Applied>,
    pub refused: Vec<Refused>,
    /// Whether the last round found nothing more to fix.
    pub converged: bool,
    /// The lint of the fixed text.
    pub after: T,
}

/// Fixes to apply this round: at or above `level`, non-overlapping, in order.
fn choose<'d>(diags: &'d [Diagnostic], level: Applicability, refused: &[Refused]) -> Vec<(&'d Diagnostic, Vec<Edit>)> {
    let mut candidates: Vec<(&Diagnostic, Vec<Edit>)> = diags
        .iter()
        .filter_map(|d| d.fix.as_ref().filter(|f| f.applicability >= level && !f.edits.is_empty()).map(|f| (d, f.edits.clone())))
        .filter(|(d, _)| !refused.iter().any(|r| r.code == d.code && d.fix.as_ref().is_some_and(|f| f.title == r.title)))
        .collect();
    candidates.sort_by_key(|(_, e)| e.iter().map(|x| x.span.start).min().unwrap_or(0));
    let mut taken: Vec<(&Diagnostic, Vec<Edit>)> = Vec::new();
    let mut taken_edits: Vec<Edit> = Vec::new();
    for (d, edits) in candidates {
        // Overlapping edits, or two insertions at one point (their order would be a guess), wait for the next round.
        let clashes = edits.iter().any(|e| {
            taken_edits.iter().any(|t| e.span.overlaps(t.span) || (e.span.is_empty() && t.span.is_empty() && e.span.start == t.span.start))
        });
        if clashes {
            continue;
        }
        taken_edits.extend(edits.iter().cloned());
        taken.push((d, edits));
    }
    taken
}

/// One generic fixpoint over any text that can be linted, starting from
/// `first`, the lint of `input`.
fn fixpoint<T>(
    input: &str,
    level: Applicability,
    first: (T, Vec<Diagnostic>),
    mut lint: impl FnMut(&str) -> (T, Vec<Diagnostic>),
    // How many parse failures a lint shows: a round must not increase it.
    broken: impl Fn(&[Diagnostic]) -> usize,
) -> Outcome<T> {
    let mut text = input.to_string();
    let mut applied = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    let (mut state, mut diags) = first;
    for _ in 0..MAX_ROUNDS {
        let chosen = choose(&diags, level, &refused);
        if chosen.is_empty() {
            return Outcome { fixed: text, applied, refused, converged: true, after: state };
        }
        let before = broken(&diags);
        let all: Vec<Edit> = chosen.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
        let next = apply_edits(&text, &all);
        let next_lint = next.as_ref().map(|n| lint(n));
        match (next, next_lint) {
            (Some(n), Some((s, d))) if broken(&d) <= before => {
                for (diag, edits) in &chosen {
                    applied.push(applied_of(diag, edits));
                }
                text = n;
                state = s;
                diags = d;
            }
            _ => {
                // Undo the round; keep only the fixes that are sound on their own.
                let mut progressed = false;
                for (diag, edits) in &chosen {
                    let ok = apply_edits(&text, edits).map(|n| {
                        let (s, d) = lint(&n);
                        (n, s, d)
                    });
                    match ok {
                        Some((n, s, d)) if broken(&d) <= before => {
                            applied.push(applied_of(diag, edits));
                            text = n;
                            state = s;
                            diags = d;
                            progressed = true;
                            break;
                        }
                        _ => {
                            refused.push(Refused { code: diag.code, title: diag.fix.as_ref().map(|f| f.title.clone()).unwrap_or_default() })
                        }
                    }
                }
                if !progressed {
                    // Everything chosen was refused; the next round tries the rest.
                    continue;
                }
            }
        }
    }
    let converged = choose(&diags, level, &refused).is_empty();
    Outcome { fixed: text, applied, refused, converged, after: state }
}

fn applied_of(d: &Diagnostic, edits: &[Edit]) -> Applied {
    let fix = d.fix.as_ref();
    Applied {
        code: d.code,
        name: d.name,
        title: fix.map(|f| f.title.clone()).unwrap_or_default(),
        applicability: fix.map_or(Applicability::Safe, |f| f.applicability),
        at: edits.iter().map(|e| e.span.start).min().unwrap_or(0),
    }
}

fn parse_failures(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.code == "DBL101" || d.code == crate::lint::FILE_SYNTAX_CODE).count()
}

/// Fix one string (`dblint check --fix`).
pub fn fix_string(
    rules: &RuleSet,
    input: &str,
    client: Option<Client>,
    ctx: &Context,
    opts: &Options,
    selection: &Selection,
    level: Applicability,
) -> Outcome<Vec<Diagnostic>> {
    let lint = |text: &str| {
        let (_, d) = rules::lint_str(rules, text, client, ctx, opts, selection);
        (d.clone(), d)
    };
    fixpoint(input, level, lint(input), lint, parse_failures)
}

/// Fix the content of a file; `after` is the lint of the fixed content.
pub fn fix_file(linter: &Linter<'_>, path: &Path, display: &str, content: &str, level: Applicability) -> Outcome<FileLint> {
    let mut memo = FileMemo::default();
    let first = linter.lint_file_memo(path, display, content, &mut memo);
    fix_linted_file(linter, path, display, content, first, &mut memo, level)
}

/// [`fix_file`] for content already linted (`first`, with fixes worked
/// out): a file with nothing to fix is not linted again.
pub fn fix_linted_file(
    linter: &Linter<'_>,
    path: &Path,
    display: &str,
    content: &str,
    first: FileLint,
    memo: &mut FileMemo,
    level: Applicability,
) -> Outcome<FileLint> {
    let with_diagnostics = |l: FileLint| {
        let d = l.report.findings.iter().map(|f| f.diagnostic.clone()).collect();
        (l, d)
    };
    fixpoint(
        content,
        level,
        with_diagnostics(first),
        |text| with_diagnostics(linter.lint_file_memo(path, display, text, memo)),
        parse_failures,
    )
}
