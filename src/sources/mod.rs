//! Finding connection strings in files and mapping edits back to them.
//!
//! [`scan`] reads one file of a [`FileKind`] and returns a [`Scan`]: the
//! [`Candidate`] strings it holds (each decoded exactly as the application
//! reads it, with a [`SpanMap`] back to the file bytes), the
//! `dblint: ignore[…]` [`Suppression`] comments, references to environment
//! variables (`env("DATABASE_URL")` in a Prisma schema) and the errors met
//! on malformed lines. Nothing here rewrites a file: the fixer edits a
//! candidate's value in string coordinates and
//! [`Candidate::file_edits`] turns those edits into file edits encoded for
//! the container (quotes, escapes, entities), checked by decoding again.
//!
//! Every byte outside a candidate's edits is left alone, so CRLF line ends,
//! a byte-order mark, comments and the final newline survive a fix.
//!
//! ```
//! use dblint::sources::{FileKind, scan};
//! use dblint::syntax::{Edit, Span, apply_edits};
//!
//! let file = "export DATABASE_URL=\"postgres://app@db.example.com/app?sslmode=disable\" # dev\n";
//! let found = scan(FileKind::Dotenv, file).unwrap();
//! let c = &found.candidates[0];
//! assert_eq!(c.key, "DATABASE_URL");
//! let at = c.value.find("disable").unwrap();
//! let edits = c.file_edits(&[Edit::replace(Span::new(at, at + 7), "verify-full")]).unwrap();
//! let fixed = apply_edits(file, &edits).unwrap();
//! assert!(fixed.ends_with("sslmode=verify-full\" # dev\n"));
//! ```

mod candidate;
mod dotenv;
mod encoding;
mod escapes;
mod ini;
mod json;
mod lines;
mod map;
mod prisma;
mod properties;
mod suppress;
mod text;
mod toml;
mod xml;
mod yaml;
mod yaml_scalar;

pub use candidate::{Candidate, MapError, key_suggests_connection, plausible};
pub use encoding::Encoding;
pub use lines::LineIndex;
pub use map::{Piece, PieceKind, SpanMap};
pub use suppress::Suppression;

use crate::syntax::Span;
use escapes::Decoded;
use serde::Serialize;
use std::fmt;
use std::path::Path;
use suppress::Comment;

/// The kind of file a path names, which decides how it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `.env`, `.env.*` (`.env.production`, `.env.example`), `*.env`; not `.envrc`.
    Dotenv,
    /// `*.json`, `*.jsonc`, `*.json5` (`appsettings*.json`), comments allowed.
    Json,
    /// `*.yaml`, `*.yml` (docker compose, Kubernetes, Spring).
    Yaml,
    /// `*.properties` (Spring, Quarkus, Hibernate).
    Properties,
    /// `*.prisma`.
    Prisma,
    /// `*.toml`.
    Toml,
    /// `*.ini`, `*.cfg`: INI as Python's `configparser` reads it
    /// (`alembic.ini`, `setup.cfg`), `%` interpolation included.
    Ini,
    /// `*.conf`, `*.cnf`: INI-style `key = value` files without
    /// interpolation (`pg_service.conf`); read as text when they are not INI.
    Conf,
    /// `*.config`, `*.xml` (`web.config`, `app.config`, Tomcat `context.xml`):
    /// attribute values and element text.
    Xml,
    /// Anything else: URL and JDBC forms anywhere in the text.
    Text,
}

/// The directory holding the file at `path`: `.` for a bare file name (whose
/// `parent()` is empty), `None` for a root or an empty path.
pub fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d })
}

impl FileKind {
    /// The kind a path's name suggests.
    pub fn from_path(path: &Path) -> FileKind {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let lower = name.to_ascii_lowercase();
        if lower == ".envrc" {
            return FileKind::Text;
        }
        if lower == ".env" || lower.starts_with(".env.") || lower.ends_with(".env") {
            return FileKind::Dotenv;
        }
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "json" | "jsonc" | "json5" => FileKind::Json,
            "yaml" | "yml" => FileKind::Yaml,
            "properties" => FileKind::Properties,
            "prisma" => FileKind::Prisma,
            "toml" => FileKind::Toml,
            "ini" | "cfg" => FileKind::Ini,
            "conf" | "cnf" => FileKind::Conf,
            "config" | "xml" => FileKind::Xml,
            _ => FileKind::Text,
        }
    }

    /// The kind for `path` given its content: like [`FileKind::from_path`],
    /// except that a `.conf` file that is not INI-shaped is read as text
    /// and an unrecognised file starting with `<?xml` as XML.
    pub fn sniff(path: &Path, content: &str) -> FileKind {
        match FileKind::from_path(path) {
            FileKind::Conf if !ini::looks_like_ini(content) => FileKind::Text,
            FileKind::Text if content.trim_start_matches('\u{feff}').trim_start().starts_with("<?xml") => FileKind::Xml,
            kind => kind,
        }
    }

    /// The kind's name, as used in output.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Dotenv => "dotenv",
            FileKind::Json => "json",
            FileKind::Yaml => "yaml",
            FileKind::Properties => "properties",
            FileKind::Prisma => "prisma",
            FileKind::Toml => "toml",
            FileKind::Ini => "ini",
            FileKind::Conf => "conf",
            FileKind::Xml => "xml",
            FileKind::Text => "text",
        }
    }
}

/// A problem reading a file: a message, its span and where it starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceError {
    /// What is wrong; quotes keys and syntax, never values.
    pub message: String,
    /// The offending bytes.
    pub span: Span,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, in characters.
    pub col: usize,
}

impl SourceError {
    pub(crate) fn new(idx: &LineIndex<'_>, span: Span, message: impl Into<String>) -> Self {
        let (line, col) = idx.line_col(span.start);
        SourceError { message: message.into(), span, line, col }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for SourceError {}

/// A caveat about how loaders read a value (for example an unquoted `.env`
/// value holding `#`, which Node's dotenv cuts short). Never holds the
/// value's text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The bytes the caveat is about.
    pub span: Span,
    /// The caveat.
    pub message: String,
}

/// A reference to an environment variable where a connection string is
/// expected: `url = env("DATABASE_URL")` in a Prisma schema, or a value
/// that is one interpolation (`DATABASE_URL: ${PRIMARY_URL}` in docker
/// compose, `spring.datasource.url=${JDBC_URL}`, `DB_URL=$PRIMARY_URL`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvRef {
    /// The setting holding the reference (`datasource.db.url`).
    pub key: String,
    /// The variable's name.
    pub name: String,
    /// The whole reference (`env("DATABASE_URL")`).
    pub span: Span,
}

/// What [`scan`] found in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// How the file was read.
    pub kind: FileKind,
    /// The connection strings, in file order.
    pub candidates: Vec<Candidate>,
    /// The `dblint: ignore[…]` comments.
    pub suppressions: Vec<Suppression>,
    /// Settings that take their connection string from the environment.
    pub env_refs: Vec<EnvRef>,
    /// Malformed lines and directives; scanning carried on past them.
    pub errors: Vec<SourceError>,
}

/// Find the connection strings in `content`, read as a file of `kind`.
///
/// Line-based kinds (`.env`, properties, INI, XML, Prisma, text) report
/// malformed lines in [`Scan::errors`] and carry on. JSON, YAML and TOML
/// files that do not parse return the parser's error.
pub fn scan(kind: FileKind, content: &str) -> Result<Scan, SourceError> {
    let mut cx = Ctx::new(content);
    match kind {
        FileKind::Dotenv => dotenv::scan(&mut cx),
        FileKind::Json => json::scan(&mut cx)?,
        FileKind::Yaml => yaml::scan(&mut cx)?,
        FileKind::Properties => properties::scan(&mut cx),
        FileKind::Prisma => prisma::scan(&mut cx),
        FileKind::Toml => toml::scan(&mut cx)?,
        FileKind::Ini => ini::scan(&mut cx, true),
        FileKind::Conf => ini::scan(&mut cx, false),
        FileKind::Xml => xml::scan(&mut cx),
        FileKind::Text => text::scan(&mut cx),
    }
    Ok(cx.finish(kind))
}

/// Scanning state shared by the readers of each kind.
pub(crate) struct Ctx<'a> {
    pub src: &'a str,
    pub idx: LineIndex<'a>,
    pub candidates: Vec<Candidate>,
    pub comments: Vec<Comment>,
    pub env_refs: Vec<EnvRef>,
    pub errors: Vec<SourceError>,
}

impl<'a> Ctx<'a> {
    fn new(src: &'a str) -> Self {
        Ctx { src, idx: LineIndex::new(src), candidates: Vec::new(), comments: Vec::new(), env_refs: Vec::new(), errors: Vec::new() }
    }

    /// Record an error at `span`.
    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        let end = span.end.min(self.src.len());
        let mut start = span.start.min(end);
        while !self.src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end;
        while !self.src.is_char_boundary(end) {
            end += 1;
        }
        self.errors.push(SourceError::new(&self.idx, Span::new(start, end), message));
    }

    /// Record a comment.
    pub(crate) fn comment(&mut self, span: Span, body: Span) {
        self.comments.push(Comment { span, body });
    }

    /// Offer a decoded token; it becomes a candidate when it is plausibly
    /// a connection string (see [`plausible`]).
    pub(crate) fn offer(&mut self, mut o: Offer<'_>) {
        // A YAML `|` block (or any value) ending in line breaks: the breaks
        // are the container's, not the connection string's; leave them out
        // so that edits at the end of the string keep them.
        let whole = o.sub.unwrap_or(Span::new(0, o.d.value.len()));
        let text = o.d.value.get(whole.range()).unwrap_or("");
        let kept = text.trim_end_matches(['\n', '\r']).len();
        if kept > 0 && kept < text.len() {
            o.sub = Some(Span::new(whole.start, whole.start + kept));
        }
        let value = match o.sub {
            Some(s) => o.d.value.get(s.range()).unwrap_or(""),
            None => o.d.value.as_str(),
        };
        let Some(form) = plausible(value, o.keyed || key_suggests_connection(&o.key)) else {
            // `DATABASE_URL: ${PRIMARY_URL}`: the string comes from elsewhere.
            let whole = o.sub.unwrap_or(Span::new(0, o.d.value.len()));
            if let Some(name) = interpolated_name(value)
                && (o.keyed || key_suggests_connection(&o.key))
                && o.d.map.opaque().any(|op| op == whole)
                && let Some(span) = o.d.map.cover(whole)
            {
                self.env_refs.push(EnvRef { key: o.key, name: name.to_string(), span });
            }
            return;
        };
        if let Some(c) = Candidate::new(self.src, form, o) {
            self.candidates.push(c);
        }
    }

    fn finish(mut self, kind: FileKind) -> Scan {
        self.comments.sort_by_key(|c| c.span.start);
        self.comments.dedup();
        let suppressions = suppress::collect(self.src, &self.comments, &self.idx, &mut self.errors);
        self.errors.sort_by_key(|e| e.span.start);
        Scan { kind, candidates: self.candidates, suppressions, env_refs: self.env_refs, errors: self.errors }
    }
}

/// A decoded token offered as a candidate.
pub(crate) struct Offer<'d> {
    /// Where the value sits (variable name or dotted path).
    pub key: String,
    /// Whether the context allows `key=value` forms even when the key does
    /// not suggest a connection string (`ConnectionStrings` sections).
    pub keyed: bool,
    pub encoding: Encoding,
    /// The whole token in the file.
    pub token: Span,
    pub d: &'d Decoded,
    /// The decoded sub-span holding the value, when it is only part of
    /// the token (`KEY=value` items of a YAML list).
    pub sub: Option<Span>,
    /// Whether the decoding is ours and matched the container parser's;
    /// when not, the map is a single escape and only whole-value edits map.
    pub checked: bool,
}

/// A decoding that only knows the value (from a container parser), with
/// one escape piece over `content`: edits then replace the whole value.
pub(crate) fn atomic(value: String, content: Span, end: usize) -> Decoded {
    let mut map = SpanMap::default();
    map.escape(content, value.len());
    Decoded { value, map, content, end, notes: Vec::new() }
}

/// The variable of a value that is one interpolation: `$NAME`, `${NAME}`
/// or `${NAME:-default}` (and the other shell operators).
fn interpolated_name(value: &str) -> Option<&str> {
    let inner = match value.strip_prefix("${") {
        Some(rest) => rest.strip_suffix('}')?,
        None => value.strip_prefix('$')?,
    };
    let len = inner.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let name = inner.get(..len)?;
    let rest = inner.get(len..)?;
    let operator = rest.is_empty() || (value.starts_with("${") && rest.starts_with([':', '-', '?', '+', '=']));
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) && operator).then_some(name)
}

/// Join path components: `a.b`, `a[0].b`.
pub(crate) fn join_path(parts: &[String]) -> String {
    let mut s = String::new();
    for p in parts {
        if !s.is_empty() && !p.starts_with('[') {
            s.push('.');
        }
        s.push_str(p);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_paths() {
        let k = |p: &str| FileKind::from_path(Path::new(p));
        assert_eq!(k(".env"), FileKind::Dotenv);
        assert_eq!(k("app/.env.production"), FileKind::Dotenv);
        assert_eq!(k("prod.env"), FileKind::Dotenv);
        assert_eq!(k(".envrc"), FileKind::Text);
        assert_eq!(k("appsettings.Production.json"), FileKind::Json);
        assert_eq!(k("docker-compose.yml"), FileKind::Yaml);
        assert_eq!(k("application-prod.properties"), FileKind::Properties);
        assert_eq!(k("schema.prisma"), FileKind::Prisma);
        assert_eq!(k("alembic.ini"), FileKind::Ini);
        assert_eq!(k("pg_service.conf"), FileKind::Conf);
        assert_eq!(k("web.config"), FileKind::Xml);
        assert_eq!(k("README.md"), FileKind::Text);
        assert_eq!(FileKind::sniff(Path::new("nginx.conf"), "server {\n listen 80;\n}\n"), FileKind::Text);
        assert_eq!(FileKind::sniff(Path::new("x.conf"), "[db]\nhost=h\n"), FileKind::Conf);
    }
}
