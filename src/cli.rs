//! The command line: argument parsing and dispatch. Findings go to stdout,
//! errors to stderr; exit 0 clean, 1 findings, 2 usage or I/O error.

use crate::model::{self, Client, Options};
use crate::report::redact;
use crate::syntax::{Span, TokenKind};
use clap::{Parser, Subcommand};
use serde::Serialize;
use std::io::{Read, Write};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "dblint", version, about = "Find and fix insecure or broken database connection strings")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a string's syntax tree, effective settings and TLS posture as JSON.
    Parse {
        /// The connection string, or `-` to read it from stdin.
        string: String,
        /// Read the string as this client does (libpq, node-postgres, prisma, pgjdbc,
        /// mysql-cli, connector-j, mariadb-connector-j, go-mysql, mysql2, sqlclient,
        /// odbc18, mssql-jdbc, tedious). Default: the most common client for the form.
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
    },
}

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN });
        }
    };
    let mut stdout = std::io::stdout().lock();
    match run(cli, &mut stdout) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "dblint: error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Run a parsed command line, writing findings to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<u8, String> {
    match cli.command {
        Command::Parse { string, client } => parse_command(&string, client.as_deref(), out),
    }
}

fn read_arg(arg: &str) -> Result<String, String> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
    // A trailing newline from `echo` is not part of the string.
    let trimmed = s.strip_suffix("\r\n").or_else(|| s.strip_suffix('\n')).unwrap_or(&s);
    Ok(trimmed.to_string())
}

fn parse_client(name: Option<&str>) -> Result<Option<Client>, String> {
    name.map(|n| {
        Client::from_name(n).ok_or_else(|| {
            format!("unknown client \"{n}\" (known: {})", Client::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "))
        })
    })
    .transpose()
}

#[derive(Serialize)]
struct TokenOut<'a> {
    kind: TokenKind,
    span: Span,
    text: &'a str,
}

#[derive(Serialize)]
struct SpanText {
    span: Span,
    text: String,
}

fn parse_command(arg: &str, client: Option<&str>, out: &mut dyn Write) -> Result<u8, String> {
    let input = read_arg(arg)?;
    let client = parse_client(client)?;
    let opts = Options::default();
    let analysis = match model::analyze(&input, client, &opts) {
        Ok(a) => a,
        Err(e) => {
            // The string may hold a password we cannot locate: print only the span.
            let err = serde_json::json!({ "error": { "message": e.message, "span": e.span, "expected": e.expected } });
            writeln!(out, "{}", serde_json::to_string_pretty(&err).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let tree = &analysis.tree;
    let tokens: Vec<TokenOut<'_>> = tree
        .token_texts()
        .map(|(kind, span, text)| TokenOut { kind, span, text: if kind.is_secret() { redact::REDACTED } else { text } })
        .collect();
    let part = |s: Option<Span>, secret: bool| {
        s.map(|span| SpanText { span, text: if secret { redact::REDACTED.to_string() } else { redact::redacted_excerpt(tree, span) } })
    };
    let mut settings = analysis.interpretation.settings.clone();
    for s in &mut settings.0 {
        if s.secret {
            s.value = redact::REDACTED.to_string();
        }
    }
    let interp = &analysis.interpretation;
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
    writeln!(out, "{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    Ok(if interp.is_fatal() { EXIT_FINDINGS } else { EXIT_CLEAN })
}
