//! Commands that describe rather than lint: `rules`, `explain`, `parse`.

use super::{EXIT_CLEAN, EXIT_FINDINGS, ListFormat, io_err, read_arg};
use crate::model::{self, Client, Options};
use crate::report::redact;
use crate::rules::RuleSet;
use crate::syntax::{Span, TokenKind};
use serde::Serialize;
use std::io::Write;

/// `dblint rules`: the catalogue, one rule per line (or JSON).
pub fn rules(format: ListFormat, out: &mut dyn Write) -> Result<u8, String> {
    let set = RuleSet::builtin();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = set
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.id(),
                        "name": r.name(),
                        "severity": r.spec.severity,
                        "scope": r.spec.scope,
                        "summary": r.spec.summary,
                        "fix": r.spec.fix.as_ref().map(|f| f.applicability.name()),
                        "databases": r.spec.databases,
                        "clients": r.spec.clients,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list).map_err(|e| e.to_string())?;
            writeln!(out).map_err(io_err)?;
        }
        ListFormat::Text => {
            for r in &set.rules {
                let fix = match r.spec.fix.as_ref().map(|f| f.applicability) {
                    Some(crate::rules::Applicability::Safe) => "fix",
                    Some(_) => "fix*",
                    None => "",
                };
                writeln!(out, "{:<7} {:<30} {:<8} {:<5} {}", r.id(), r.name(), r.spec.severity, fix, r.spec.summary).map_err(io_err)?;
            }
            writeln!(
                out,
                "\nfix: safe fix applied by --fix; fix*: needs --unsafe-fixes. `dblint explain ID` prints a rule's documentation."
            )
            .map_err(io_err)?;
        }
    }
    Ok(EXIT_CLEAN)
}

/// `dblint explain ID|NAME`: a rule's documentation.
pub fn explain(key: &str, out: &mut dyn Write) -> Result<u8, String> {
    let set = RuleSet::builtin();
    let Some(r) = set.find(key) else {
        let names: Vec<&str> = set.rules.iter().flat_map(|r| [r.id(), r.name()]).collect();
        let hint = crate::model::keywords::closest(key, names.iter().copied()).map(|s| format!("; did you mean {s}?")).unwrap_or_default();
        return Err(format!("no rule \"{key}\"{hint} (see `dblint rules`)"));
    };
    let s = &r.spec;
    let d = r.docs();
    let mut text = format!("# {} ({})\n\n{}\n\nSeverity: {}. ", r.name(), r.id(), s.summary, s.severity);
    text.push_str(match s.fix.as_ref().map(|f| f.applicability) {
        Some(crate::rules::Applicability::Safe) => "Fix: safe, applied by --fix.\n",
        Some(crate::rules::Applicability::Unsafe) => "Fix: unsafe, applied by --fix --unsafe-fixes.\n",
        Some(crate::rules::Applicability::NeedsLiveCheck) => "Fix: needs a live TLS check.\n",
        None => "No automatic fix.\n",
    });
    text.push_str(&format!("\n## What it does\n{}\n## Why is this bad?\n{}\n## Example\n{}", d.what, d.why, d.example));
    if let Some(fs) = &d.fix_safety {
        text.push_str(&format!("\n## Fix safety\n{fs}"));
    }
    if !d.references.is_empty() {
        text.push_str("\n## References\n");
        for link in &d.references {
            text.push_str(&format!("- {link}\n"));
        }
    }
    write!(out, "{text}").map_err(io_err)?;
    Ok(EXIT_CLEAN)
}

#[derive(Serialize)]
struct TokenOut<'a> {
    kind: TokenKind,
    span: Span,
    text: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct SpanText {
    span: Span,
    text: String,
}

/// `dblint parse STRING`: tree, settings and posture as JSON, secrets redacted.
pub fn parse(arg: &str, client: Option<&str>, out: &mut dyn Write) -> Result<u8, String> {
    let input = read_arg(arg)?;
    let client = client
        .map(|n| {
            Client::from_name(n).ok_or_else(|| format!("unknown client \"{n}\" (known: {})", Client::ALL.map(|c| c.name()).join(", ")))
        })
        .transpose()?;
    let analysis = match model::analyze(&input, client, &Options::default()) {
        Ok(a) => a,
        Err(e) => {
            // The message never quotes the input; the span locates the fault.
            let err = serde_json::json!({ "error": { "message": e.message, "span": e.span, "expected": e.expected } });
            writeln!(out, "{}", serde_json::to_string_pretty(&err).map_err(|e| e.to_string())?).map_err(io_err)?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let tree = &analysis.tree;
    let secret_texts: Vec<&str> = redact::secret_spans(tree).into_iter().map(|s| tree.text(s)).collect();
    let tokens: Vec<TokenOut<'_>> = tree
        .token_texts()
        .map(|(kind, span, text)| TokenOut {
            kind,
            span,
            text: if kind.is_secret() { redact::REDACTED.into() } else { redact::generic(text) },
        })
        .collect();
    let part = |s: Option<Span>, secret: bool| {
        s.map(|span| SpanText {
            span,
            text: if secret { redact::REDACTED.to_string() } else { redact::generic(&redact::redacted_excerpt(tree, span)).into_owned() },
        })
    };
    let mut settings = analysis.interpretation.settings.clone();
    for s in &mut settings.0 {
        if s.secret {
            s.value = redact::REDACTED.to_string().into();
        }
    }
    let mut interp = analysis.interpretation.clone();
    for i in &mut interp.issues {
        i.message = redact::scrub(&i.message, &secret_texts).into_owned();
    }
    let interp = &interp;
    let doc = serde_json::json!({
        "input": redact::redacted_source(tree),
        "form": tree.form,
        "client": interp.client,
        "database": interp.database,
        "tree": {
            "scheme": part(tree.scheme, false),
            "user": part(tree.user, false),
            "password": part(tree.password, true),
            "hosts": tree.hosts,
            "database": part(tree.database, false),
            "params": tree.params,
            "fragment": part(tree.fragment, false),
            "tokens": tokens,
        },
        "endpoints": interp.endpoints,
        "settings": settings,
        "tls": interp.tls,
        "issues": interp.issues,
    });
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?).map_err(io_err)?;
    Ok(if interp.is_fatal() { EXIT_FINDINGS } else { EXIT_CLEAN })
}
