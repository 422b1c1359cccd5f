//! The command line: argument parsing and dispatch. Findings go to stdout,
//! errors and summaries to stderr; exit 0 clean, 1 findings at or above
//! `--fail-on`, 2 usage or I/O error (an error outranks findings).

mod files;
mod info;

use crate::config::Config;
use crate::model::{Client, Options};
use crate::report::Format;
use crate::rules::{Environment, RuleSet, Selection, Severity};
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Exit statuses.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "dblint",
    version,
    about = "Find and fix insecure or broken database connection strings",
    after_help = "Examples:\n  dblint                       lint the current directory\n  dblint --fix .env            apply safe fixes to .env\n  dblint --diff .env.production  show what --fix would change\n  dblint check 'postgresql://app@db.example.com/app?sslmode=require'\n  dblint explain DBL203        what a rule finds and why",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint one connection string (`-` reads it from stdin).
    Check(Deferred<CheckArgs>),
    /// List the rule catalogue.
    Rules {
        /// `text` (default) or `json`.
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Print a rule's documentation.
    Explain {
        /// Rule id (DBL203) or name (server-not-authenticated).
        rule: String,
    },
    /// Print a string's syntax tree, effective settings and TLS posture as JSON.
    Parse {
        /// The connection string, or `-` for stdin.
        string: String,
        /// Read the string as this client does.
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The connection string, or `-` for stdin.
    pub string: String,
    #[command(flatten)]
    pub lint: LintArgs,
}

/// A subcommand's arguments, defined only when that subcommand runs or its
/// help is shown: linting files, the common case, does not pay for defining
/// `check`'s copy of every lint option (a tenth of argument parsing).
#[derive(Debug, Clone)]
pub struct Deferred<T>(pub T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args_for_update))
    }
}

/// `augment` applied to `cmd`, whose about texts (the subcommand's doc) stay:
/// deferred, a flattened struct's doc would otherwise replace them.
fn keeping_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    use clap::builder::Resettable;
    let kept = |text: Option<&clap::builder::StyledStr>| text.cloned().map_or(Resettable::Reset, Resettable::Value);
    let (about, long_about) = (kept(cmd.get_about()), kept(cmd.get_long_about()));
    augment(cmd).about(about).long_about(long_about)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options shared by linting files and linting one string.
#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Files and directories to lint (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format (default: full on a terminal, concise otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Read strings as this client does (libpq, node-postgres, prisma, pgjdbc, mysql-cli,
    /// connector-j, mariadb-connector-j, go-mysql, mysql2, sqlclient, odbc18, mssql-jdbc, tedious).
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
    /// The environment the strings are deployed to: production, development or unknown.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Rules to run: ids, id prefixes (DBL2) or names; comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Rules to skip: ids, id prefixes or names; comma-separated, repeatable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit status 1: error, warning or info.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Exit 0 even when findings remain (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Use this configuration file instead of discovering dblint.yaml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,
    /// Apply safe fixes.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff, also apply unsafe fixes (they change behaviour: read them first).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the changes --fix would make as a unified diff, change nothing; exit 1 if any.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// With --fix, keep the original of each changed file as FILE.bak.
    #[arg(long)]
    pub backup: bool,
    /// Look into every text file, not only .env, JSON, YAML, properties, Prisma, TOML, INI and .config files.
    #[arg(long)]
    pub all_files: bool,
    /// Apply the configuration's `exclude` to paths given on the command line too (for pre-commit).
    #[arg(long)]
    pub force_exclude: bool,
    /// Print only findings: no summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the resolved settings and exit.
    #[arg(long)]
    pub show_settings: bool,
    /// When to colour output (NO_COLOR is honoured in auto).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// libpq major version whose rules apply (keywords, sslrootcert=system …).
    #[arg(long, value_name = "N")]
    pub libpq_version: Option<u32>,
}

/// Everything a run needs, resolved from arguments and configuration.
pub struct Resolved {
    pub config: Config,
    pub rules: &'static RuleSet,
    pub selection: Selection,
    pub opts: Options,
    pub client: Option<Client>,
    pub env: Option<Environment>,
    pub fail_on: Severity,
    pub format: Format,
    pub color: bool,
}

/// Resolve arguments and configuration; errors are usage errors.
pub fn resolve(args: &LintArgs) -> Result<Resolved, String> {
    let config = if args.isolated {
        Config::default()
    } else if let Some(p) = &args.config {
        Config::load(p)?
    } else {
        let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
        Config::discover(&cwd)?
    };
    let rules: &'static RuleSet =
        if config.file.rules_dirs.is_empty() { RuleSet::builtin() } else { Box::leak(Box::new(RuleSet::with_dirs(&config.rules_dirs())?)) };
    let mut selection = Selection { select: config.file.select.clone(), ignore: config.file.ignore.clone() };
    if !args.select.is_empty() {
        selection.select = args.select.clone();
    }
    selection.ignore.extend(args.ignore.iter().cloned());
    let unknown = selection.unknown(rules);
    if !unknown.is_empty() {
        return Err(format!("unknown rule selector(s): {} (see `dblint rules`)", unknown.join(", ")));
    }
    let client = args
        .client
        .as_deref()
        .map(|n| {
            Client::from_name(n).ok_or_else(|| format!("unknown client \"{n}\" (known: {})", Client::ALL.map(|c| c.name()).join(", ")))
        })
        .transpose()?;
    let env = args
        .env
        .as_deref()
        .map(|e| Environment::from_name(e).ok_or_else(|| format!("unknown environment \"{e}\" (production, development, unknown)")))
        .transpose()?;
    let fail_on = match args.fail_on.as_deref() {
        Some(s) => Severity::from_name(s).ok_or_else(|| format!("--fail-on must be error, warning or info, not \"{s}\""))?,
        None => config.fail_on.unwrap_or(Severity::Warning),
    };
    let mut opts = Options::default();
    if let Some(v) = args.libpq_version.or(config.file.libpq_version) {
        if !(9..=30).contains(&v) {
            return Err(format!("--libpq-version {v} is not a libpq major version"));
        }
        opts.libpq_version = v;
    }
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let format = args.format.unwrap_or(if stdout_tty { Format::Full } else { Format::Concise });
    if (args.unsafe_fixes || args.backup) && !(args.fix || args.diff) {
        return Err("--unsafe-fixes and --backup need --fix (or --diff)".into());
    }
    Ok(Resolved { config, rules, selection, opts, client, env, fail_on, format, color })
}

/// Entry point of the binary: parse the command line, run it, return the exit status.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_CLEAN };
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(UntilClosed { inner: stdout.lock(), closed: false });
    let code = match run(cli, &mut out) {
        Ok(code) => code,
        Err(e) => {
            let _ = out.flush();
            let _ = writeln!(std::io::stderr(), "dblint: error: {e}");
            EXIT_ERROR
        }
    };
    if let Err(e) = out.flush() {
        let _ = writeln!(std::io::stderr(), "dblint: error: cannot write output: {e}");
        return EXIT_ERROR;
    }
    code
}

/// Standard output that a closed pipe (`dblint | head`) silences instead of failing: the
/// reader wants no more, which is not an error of ours, and the run (files being fixed
/// included) finishes with its usual exit status.
struct UntilClosed<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> UntilClosed<W> {
    fn outcome<T>(&mut self, result: std::io::Result<T>, unwritten: T) -> std::io::Result<T> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(unwritten)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for UntilClosed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.outcome(result, buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.outcome(result, ())
    }
}

/// Run a parsed command line, writing findings to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<u8, String> {
    match cli.command {
        None => files::run(&cli.lint, out),
        Some(Command::Check(Deferred(CheckArgs { string, lint }))) => files::check(&string, &lint, out),
        Some(Command::Rules { format }) => info::rules(format, out),
        Some(Command::Explain { rule }) => info::explain(&rule, out),
        Some(Command::Parse { string, client }) => info::parse(&string, client.as_deref(), out),
    }
}

/// Read an argument that may be `-` for stdin.
pub(crate) fn read_arg(arg: &str) -> Result<String, String> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut s = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| format!("cannot read stdin: {e}"))?;
    // A trailing newline from `echo` is not part of the string.
    let trimmed = s.strip_suffix("\r\n").or_else(|| s.strip_suffix('\n')).unwrap_or(&s);
    Ok(trimmed.to_string())
}

pub(crate) fn io_err(e: std::io::Error) -> String {
    format!("cannot write output: {e}")
}
