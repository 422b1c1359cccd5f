//! SARIF 2.1.0, as GitHub code scanning reads it: one run, the rule
//! catalogue in `tool.driver.rules`, results with full regions, fixes, and
//! content-based fingerprints (a hash of the redacted finding, not of its
//! position, so a different secret on a suppressed line is not hidden).

use super::{LineIndex, Report};
use crate::rules::Severity;
use crate::rules::spec::Scope;
use serde_json::{Value, json};
use std::io::{self, Write};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, 64 bits: a stable fingerprint without a cryptographic dependency.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// A relative path as a URI reference (forward slashes, spaces and `%` escaped).
fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let p = p.strip_prefix("./").unwrap_or(&p);
    p.replace('%', "%25").replace(' ', "%20").replace('#', "%23").replace('?', "%3F")
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = report
        .rules
        .rules
        .iter()
        .map(|r| {
            let s = &r.spec;
            let d = r.docs();
            let mut markdown = format!("## What it does\n{}\n## Why is this bad?\n{}\n## Example\n```\n{}```\n", d.what, d.why, d.example);
            if let Some(fs) = &d.fix_safety {
                markdown.push_str(&format!("## Fix safety\n{fs}\n"));
            }
            let mut tags = vec!["dblint"];
            if s.scope == Scope::Security {
                tags.push("security");
            } else {
                tags.push("correctness");
            }
            let mut props = json!({ "tags": tags, "precision": "high" });
            if s.scope == Scope::Security {
                let score = match s.severity {
                    Severity::Error => "8.0",
                    Severity::Warning => "5.0",
                    Severity::Info => "2.0",
                };
                props["security-severity"] = json!(score);
            }
            json!({
                "id": r.id(),
                "name": r.name(),
                "shortDescription": { "text": s.summary },
                "fullDescription": { "text": d.what.trim() },
                "help": { "text": format!("{}\n{}", d.what.trim(), d.why.trim()), "markdown": markdown },
                "helpUri": super::rule_url(r.id(), r.name()),
                "defaultConfiguration": { "level": level(s.severity) },
                "properties": props,
            })
        })
        .collect();
    let mut results = Vec::new();
    for file in &report.files {
        let index = LineIndex::new(&file.source);
        for f in &file.findings {
            let d = &f.diagnostic;
            let (start, end) = file.range(&index, d.span);
            let rule_index = report.rules.rules.iter().position(|r| r.id() == d.code);
            let region = json!({
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
                "snippet": { "text": file.redacted(d.span) },
            });
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&file.path) },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "dblintFindingHash/v1": fnv(&[d.code, &file.path, &file.redacted(f.string_span), &d.message]) },
            });
            if let Some(i) = rule_index {
                result["ruleIndex"] = json!(i);
            }
            if let Some(fix) = &d.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        let (s, t) = file.range(&index, e.span);
                        json!({
                            "deletedRegion": { "startLine": s.line, "startColumn": s.column, "endLine": t.line, "endColumn": t.column },
                            "insertedContent": { "text": file.shown_edit_text(e) },
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": format!("{} ({})", fix.title, fix.applicability.name()) },
                    "artifactChanges": [{ "artifactLocation": { "uri": uri(&file.path) }, "replacements": replacements }],
                }]);
            }
            if !d.notes.is_empty() {
                result["properties"] = json!({ "notes": d.notes });
            }
            results.push(result);
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dblint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/dblint/dblint",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
