//! Linting and fixing files (`dblint [PATHS]`, `--fix`, `--diff`) and one
//! string (`dblint check`).

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, LintArgs, Resolved, io_err, read_arg, resolve};
use crate::fix::{self, write};
use crate::lint::Linter;
use crate::report::{self, FileReport, Format, RenderOptions, Report, Summary};
use crate::rules::{Applicability, Context, Severity};
use crate::sources::FileKind;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Files larger than this are not read (no connection-string file is).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One file to look at, and whether it was named on the command line.
struct Target {
    path: PathBuf,
    explicit: bool,
    /// Its directory was listed by the walk and holds no name of a temporary file of dblint's
    /// (so a fix need not list it again to remove stale ones).
    no_temp_files_beside: bool,
}

/// What happened to one file.
#[derive(Default)]
struct FileResult {
    report: Option<FileReport>,
    applied: Vec<fix::Applied>,
    refused: Vec<fix::Refused>,
    diff: Option<String>,
    written: bool,
    strings: usize,
    /// An I/O or encoding problem: printed on stderr, exit 2.
    error: Option<String>,
    /// A file skipped with a reason (binary, not UTF-8, too large) when walking.
    skipped: Option<String>,
    /// The findings from before the fixes, shown instead if writing the
    /// fixed content (handed to the [`write::Committer`]) fails.
    unwritten: Option<FileReport>,
}

impl FileResult {
    fn error(msg: String) -> FileResult {
        FileResult { error: Some(msg), ..FileResult::default() }
    }

    fn skipped(msg: String) -> FileResult {
        FileResult { skipped: Some(msg), ..FileResult::default() }
    }
}

/// The kinds dblint looks into when walking a directory.
fn walked_kind(path: &Path, all_files: bool) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // Backups and the fixer's own temporary files are never linted.
    if name.ends_with(".bak") || (name.starts_with('.') && name.contains(".dblint-") && name.ends_with(".tmp")) {
        return false;
    }
    if all_files {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    match FileKind::from_path(path) {
        FileKind::Dotenv | FileKind::Json | FileKind::Yaml | FileKind::Properties | FileKind::Prisma | FileKind::Toml | FileKind::Ini => {
            true
        }
        FileKind::Xml => lower.ends_with(".config"),
        _ => false,
    }
}

/// Expand paths into files: directories are walked with `.gitignore`
/// respected (hidden files included — `.env` files are hidden).
fn collect(r: &Resolved, args: &LintArgs, paths: &[PathBuf]) -> (Vec<Target>, Vec<String>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                errors.push(format!("{}: {e}", p.display()));
                continue;
            }
        };
        if !meta.is_dir() {
            if !(args.force_exclude && r.config.excludes(p)) {
                targets.push(Target { path: p.clone(), explicit: true, no_temp_files_beside: false });
            }
            continue;
        }
        let walker = ignore::WalkBuilder::new(p)
            .hidden(false)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(true)
            .require_git(false)
            .filter_entry(|e| !matches!(e.file_name().to_str(), Some(".git" | ".hg" | ".svn" | "node_modules")))
            .build();
        let first_walked = targets.len();
        // Directories in which the walk saw what may be a temporary file left by a killed fix
        // (one that an ignore file hides is not seen, and stays, as everywhere but on Linux).
        let mut with_temp_files: Vec<PathBuf> = Vec::new();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let path = e.path();
                    let is_file = e.file_type().is_some_and(|t| t.is_file());
                    if is_file && write::is_temp_file_name(e.file_name()) {
                        with_temp_files.extend(path.parent().map(Path::to_path_buf));
                    }
                    if is_file && walked_kind(path, args.all_files) && !r.config.excludes(path) {
                        targets.push(Target { path: path.to_path_buf(), explicit: false, no_temp_files_beside: true });
                    }
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        if !with_temp_files.is_empty() {
            for t in &mut targets[first_walked..] {
                t.no_temp_files_beside = !t.path.parent().is_some_and(|d| with_temp_files.iter().any(|w| w == d));
            }
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|later, kept| {
        let same = later.path == kept.path;
        // Listed again before a fix unless every way it was found says there is no need.
        kept.no_temp_files_beside &= !same || later.no_temp_files_beside;
        same
    });
    (targets, errors)
}

fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The file's lines (terminators included), each with its secrets redacted.
fn redacted_lines(file: &FileReport) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in file.source.split_inclusive('\n') {
        out.push(file.redacted(crate::syntax::Span::new(at, at + line.len())));
        at += line.len();
    }
    out
}

/// Unified diff of one file. Lines are compared as written and shown with
/// their secrets redacted, so a fix inside a password (percent-encoding it)
/// still shows as a changed line, without showing the password.
fn diff(display: &str, before: &FileReport, after: &FileReport) -> String {
    use std::fmt::Write as _;
    let (old, new) = (redacted_lines(before), redacted_lines(after));
    let d = similar::TextDiff::from_lines(&before.source, &after.source);
    let (a, b) = if Path::new(display).is_absolute() {
        (display.to_string(), display.to_string())
    } else {
        (format!("a/{display}"), format!("b/{display}"))
    };
    let mut out = format!("--- {a}\n+++ {b}\n");
    for group in d.grouped_ops(1) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let (o, n) = (first.old_range().start..last.old_range().end, first.new_range().start..last.new_range().end);
        let _ = writeln!(out, "@@ -{},{} +{},{} @@", o.start + 1, o.len(), n.start + 1, n.len());
        for op in &group {
            for change in d.iter_changes(op) {
                let (sign, text) = match change.tag() {
                    similar::ChangeTag::Delete => ('-', change.old_index().and_then(|i| old.get(i))),
                    similar::ChangeTag::Insert => ('+', change.new_index().and_then(|i| new.get(i))),
                    similar::ChangeTag::Equal => (' ', change.old_index().and_then(|i| old.get(i))),
                };
                let text = text.map_or("", String::as_str);
                out.push(sign);
                out.push_str(text);
                if !text.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// Lints one file and, with `level`, fixes it: the fixed content goes to
/// `writer` under `key` (see [`commit`]).
fn process(
    linter: &Linter<'_>,
    t: &Target,
    args: &LintArgs,
    level: Option<Applicability>,
    writer: Option<(&write::Committer, usize)>,
) -> FileResult {
    let display = display_path(&t.path);
    let snapshot = match write::Snapshot::read_at_most(&t.path, MAX_FILE_BYTES) {
        Ok(s) => s,
        Err(write::WriteError::TooLarge { limit, .. }) => {
            let msg = format!("{display}: larger than {} MiB, not read", limit / (1024 * 1024));
            return if t.explicit { FileResult::error(msg) } else { FileResult::skipped(msg) };
        }
        Err(e) => return FileResult::error(e.to_string()),
    };
    let bytes = snapshot.content();
    if crate::syntax::bytes::find(0, &bytes[..bytes.len().min(8192)]).is_some() {
        let msg = format!("{display}: binary file, not read");
        return if t.explicit { FileResult::error(msg) } else { FileResult::skipped(msg) };
    }
    let Ok(content) = std::str::from_utf8(bytes) else {
        let msg = format!("{display}: not UTF-8 text, not read");
        return if t.explicit { FileResult::error(msg) } else { FileResult::skipped(msg) };
    };
    let Some(level) = level else {
        let lint = linter.lint_file(&t.path, &display, content);
        return FileResult { strings: lint.strings, report: Some(lint.report), ..FileResult::default() };
    };
    let mut memo = crate::lint::FileMemo::default();
    let before = linter.lint_file_memo(&t.path, &display, content, &mut memo);
    let outcome = fix::fix_linted_file(linter, &t.path, &display, content, before.clone(), &mut memo, level);
    let mut result = FileResult {
        strings: outcome.after.strings,
        applied: outcome.applied.clone(),
        refused: outcome.refused.clone(),
        ..FileResult::default()
    };
    if !outcome.converged {
        result.error = Some(format!("{display}: fixes did not converge after {} rounds; nothing written", fix::MAX_ROUNDS));
        result.report = Some(before.report);
        return result;
    }
    let changed = outcome.fixed != content;
    if args.diff {
        if changed {
            result.diff = Some(diff(&display, &before.report, &outcome.after.report));
        }
        result.report = Some(before.report);
        return result;
    }
    if let (true, Some((writer, key))) = (changed, writer) {
        match write::prepare(
            &snapshot,
            outcome.fixed.as_bytes(),
            &write::WriteOptions { backup: args.backup, no_temp_files_beside: t.no_temp_files_beside },
        ) {
            Ok(Some(pending)) => {
                writer.submit(key, pending);
                result.unwritten = Some(before.report);
            }
            Ok(None) => {}
            Err(e) => {
                result.error = Some(e.to_string());
                result.applied.clear();
                result.report = Some(before.report);
                return result;
            }
        }
    }
    result.report = Some(outcome.after.report);
    result
}

/// Whether findings at or above the threshold remain.
fn fails(report: &Report<'_>, fail_on: Severity) -> bool {
    report.files.iter().flat_map(|f| &f.findings).any(|f| f.diagnostic.severity >= fail_on)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Waits for every fix handed to `writer` to be written (it writes while
/// files are still being processed; see [`write::Committer`]); a file that
/// could not be written reports the error and keeps its findings from before.
fn commit(mut results: Vec<FileResult>, writer: write::Committer) -> Vec<FileResult> {
    for (i, outcome) in writer.finish() {
        let Some(r) = results.get_mut(i) else { continue };
        let before = r.unwritten.take();
        match outcome {
            Ok(_) => r.written = true,
            Err(e) => {
                r.error = Some(e.to_string());
                r.applied.clear();
                r.report = before;
            }
        }
    }
    results
}

/// `dblint [PATHS]`.
pub fn run(args: &LintArgs, out: &mut dyn Write) -> Result<u8, String> {
    let r = resolve(args)?;
    if args.show_settings {
        return show_settings(&r, args, out);
    }
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let (targets, walk_errors) = collect(&r, args, &paths);
    let mut linter = Linter::new(r.rules, &r.config, r.selection.clone(), r.opts.clone());
    linter.client = r.client;
    linter.env = r.env;
    let level = match (args.fix || args.diff, args.unsafe_fixes) {
        (false, _) => None,
        (true, false) => Some(Applicability::Safe),
        (true, true) => Some(Applicability::Unsafe),
    };
    // Fixes are worked out when they are shown, or, when applied, those
    // that may be applied; concise and GitHub output only say that one exists.
    let shows_fixes = !matches!(r.format, Format::Concise | Format::Github);
    linter.fixes = if shows_fixes { Some(Applicability::NeedsLiveCheck) } else { level };
    // Fixed files are written by a thread of their own, in groups, while
    // the rest are still being processed (see `commit`).
    let writer = match level {
        Some(_) if !args.diff => Some(write::Committer::start().map_err(|e| format!("cannot start writing: {e}"))?),
        _ => None,
    };
    let progress = Progress::start(targets.len(), !args.quiet && std::io::stderr().is_terminal());
    let work = |(i, t): (usize, &Target)| {
        let res = process(&linter, t, args, level, writer.as_ref().map(|w| (w, i)));
        progress.tick();
        res
    };
    // Threads pay off from a handful of files on; one file (a pre-commit
    // run on a single .env) is linted on this thread without starting a pool.
    let results: Vec<FileResult> =
        if targets.len() < 4 { targets.iter().enumerate().map(work).collect() } else { targets.par_iter().enumerate().map(work).collect() };
    let results = match writer {
        Some(writer) => commit(results, writer),
        None => results,
    };
    progress.finish();

    let mut stderr = std::io::stderr();
    let mut had_error = !walk_errors.is_empty();
    for e in &walk_errors {
        let _ = writeln!(stderr, "dblint: error: {e}");
    }
    let mut files = Vec::new();
    let (mut strings, mut applied, mut written, mut diffs) = (0, 0, 0, 0);
    for res in results {
        if let Some(e) = &res.error {
            had_error = true;
            let _ = writeln!(stderr, "dblint: error: {e}");
        }
        if let Some(s) = &res.skipped {
            if !args.quiet {
                let _ = writeln!(stderr, "dblint: note: {s}");
            }
        }
        for refused in &res.refused {
            let _ = writeln!(stderr, "dblint: note: {} fix \"{}\" not applied: the result would not parse", refused.code, refused.title);
        }
        strings += res.strings;
        applied += res.applied.len();
        written += usize::from(res.written);
        if let Some(d) = &res.diff {
            diffs += 1;
            write!(out, "{d}").map_err(io_err)?;
        }
        if let Some(rep) = res.report {
            files.push(rep);
        }
    }
    let checked = files.len();
    let report = Report { files, rules: r.rules };
    if !args.diff {
        report::render(r.format, &report, out, RenderOptions { color: r.color }).map_err(io_err)?;
    }
    let summary = Summary::of(&report);
    let human = matches!(r.format, Format::Full | Format::Concise);
    if !args.quiet && (human || level.is_some()) {
        let mut line =
            format!("Checked {} ({}): ", plural(checked, "file", "files"), plural(strings, "connection string", "connection strings"));
        if summary.total() == 0 {
            line.push_str("no problems");
        } else {
            let counts: Vec<String> =
                [(summary.errors, "error", "errors"), (summary.warnings, "warning", "warnings"), (summary.infos, "info", "infos")]
                    .into_iter()
                    .filter(|(n, _, _)| *n > 0)
                    .map(|(n, one, many)| plural(n, one, many))
                    .collect();
            line.push_str(&counts.join(", "));
        }
        if args.diff {
            line.push_str(&format!("; --fix would change {}", plural(diffs, "file", "files")));
        } else if level.is_some() {
            line.push_str(&format!("; fixed {} in {}", plural(applied, "problem", "problems"), plural(written, "file", "files")));
        } else if summary.fixable + summary.unsafe_fixable > 0 {
            let mut parts = Vec::new();
            if summary.fixable > 0 {
                parts.push(format!("{} fixable with --fix", summary.fixable));
            }
            if summary.unsafe_fixable > 0 {
                parts.push(format!("{} with --fix --unsafe-fixes", summary.unsafe_fixable));
            }
            line.push_str(&format!("; {}", parts.join(", ")));
        }
        let _ = writeln!(stderr, "{line}");
    }
    if had_error {
        return Ok(EXIT_ERROR);
    }
    if args.diff {
        return Ok(if diffs > 0 { EXIT_FINDINGS } else { EXIT_CLEAN });
    }
    Ok(if !args.exit_zero && fails(&report, r.fail_on) { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// `dblint check STRING`.
pub fn check(arg: &str, args: &LintArgs, out: &mut dyn Write) -> Result<u8, String> {
    if !args.paths.is_empty() {
        return Err("`dblint check` takes one string; lint files with `dblint PATH…`".into());
    }
    let r = resolve(args)?;
    let input = read_arg(arg)?;
    let display = if arg == "-" { "<stdin>" } else { "<string>" };
    let mut linter = Linter::new(r.rules, &r.config, r.selection.clone(), r.opts.clone());
    linter.client = r.client;
    linter.env = r.env;
    if args.fix || args.diff {
        let level = if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe };
        let ctx = Context { env: r.env.or(r.config.env).unwrap_or_default(), ..Context::default() };
        let outcome = fix::fix_string(r.rules, &input, r.client, &ctx, &r.opts, &r.selection, level);
        let fixed_report = linter.lint_string(display, &outcome.fixed);
        // The fixed string goes to stdout with its password redacted; what remains, to stderr.
        writeln!(out, "{}", fixed_report.redacted(crate::syntax::Span::new(0, outcome.fixed.len()))).map_err(io_err)?;
        let mut stderr = std::io::stderr();
        for a in &outcome.applied {
            let _ = writeln!(stderr, "fixed {} ({}): {}", a.code, a.name, a.title);
        }
        let rep = Report { files: vec![fixed_report], rules: r.rules };
        report::render(Format::Concise, &rep, &mut stderr, RenderOptions::default()).map_err(io_err)?;
        if !rep.files[0].secrets.is_empty() {
            let _ = writeln!(stderr, "note: the password is shown as {}; the rest of the string is exact", report::redact::REDACTED);
        }
        return Ok(if !args.exit_zero && fails(&rep, r.fail_on) { EXIT_FINDINGS } else { EXIT_CLEAN });
    }
    let rep = Report { files: vec![linter.lint_string(display, &input)], rules: r.rules };
    report::render(r.format, &rep, out, RenderOptions { color: r.color }).map_err(io_err)?;
    Ok(if !args.exit_zero && fails(&rep, r.fail_on) { EXIT_FINDINGS } else { EXIT_CLEAN })
}

fn show_settings(r: &Resolved, args: &LintArgs, out: &mut dyn Write) -> Result<u8, String> {
    let doc = serde_json::json!({
        "config": r.config.path.as_ref().map(|p| p.display().to_string()),
        "root": r.config.root.display().to_string(),
        "file": r.config.file,
        "select": r.selection.select,
        "ignore": r.selection.ignore,
        "fail-on": r.fail_on,
        "client": r.client,
        "env": r.env,
        "libpq-version": r.opts.libpq_version,
        "format": format!("{:?}", r.format).to_lowercase(),
        "fix": args.fix,
        "unsafe-fixes": args.unsafe_fixes,
        "rules": r.rules.rules.iter().filter(|x| r.selection.selects(x)).map(|x| x.id()).collect::<Vec<_>>(),
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?).map_err(io_err)?;
    Ok(EXIT_CLEAN)
}

/// A progress line on stderr while many files are linted.
struct Progress {
    total: usize,
    done: AtomicUsize,
    enabled: bool,
}

impl Progress {
    fn start(total: usize, tty: bool) -> Progress {
        Progress { total, done: AtomicUsize::new(0), enabled: tty && total >= 200 }
    }

    fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled && (n % 97 == 0 || n == self.total) {
            let _ = write!(std::io::stderr(), "\rdblint: {n}/{} files", self.total);
        }
    }

    fn finish(&self) {
        if self.enabled {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
