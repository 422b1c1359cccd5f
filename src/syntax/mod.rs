//! Lossless syntax trees for connection strings.
//!
//! Every form dblint understands is parsed into a [`Tree`]: a flat list of
//! [`Token`]s that partitions the input (every byte belongs to exactly one
//! token, in order), plus a structured view (userinfo, hosts, database,
//! parameters) whose parts are [`Span`]s into the same input. Printing the
//! tokens gives the input back byte for byte, which is what lets the fixer
//! change only the bytes that must change.
//!
//! This layer knows nothing of clients' semantics beyond what they need to
//! *split* a string: which keywords exist, which values are valid and which
//! occurrence of a duplicate wins are questions for [`crate::model`].
//! Where two clients split the same text differently (libpq ends the
//! userinfo at the first `@`, WHATWG URL parsers at the last one), the
//! [`Dialect`] passed to [`parse`] selects the client's algorithm.

pub mod bytes;
pub mod decode;
pub mod detect;
pub mod edit;
pub mod go_mysql;
pub mod libpq_kv;
pub mod mysql_jdbc;
pub mod semicolon;
pub mod url;

mod tree;

pub use detect::{Form, detect};
pub use tree::{Host, Param, Quote, Token, TokenKind, Tree, Value};

use serde::Serialize;
use std::fmt;

/// A half-open byte range `start..end` into a source string.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at `at` (an insertion point).
    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// This span moved right by `offset` bytes.
    pub fn shift(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }

    /// The text this span covers in `src`.
    ///
    /// Spans produced by the parsers always lie on character boundaries of
    /// the string they were produced from; for any other string this returns
    /// an empty slice rather than panicking.
    pub fn text(self, src: &str) -> &str {
        src.get(self.range()).unwrap_or("")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A replacement of the bytes in `span` by `text`. An empty span inserts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

impl Edit {
    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Edit { span, text: text.into() }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit { span: Span::empty(at), text: text.into() }
    }

    pub fn delete(span: Span) -> Self {
        Edit { span, text: String::new() }
    }
}

/// Apply non-overlapping edits to `src`. Edits are applied in span order;
/// an edit that overlaps one already applied is an error (`None`).
pub fn apply_edits(src: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(src.len() + 16);
    let mut at = 0usize;
    for e in sorted {
        if e.span.start < at || e.span.end > src.len() || !src.is_char_boundary(e.span.start) || !src.is_char_boundary(e.span.end) {
            return None;
        }
        out.push_str(&src[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&src[at..]);
    Some(out)
}

/// Why a string could not be parsed: a message, the exact span at fault,
/// and, where one exists, what the parser expected there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

impl ParseError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError { message: message.into(), span, expected: None }
    }

    pub fn expected(mut self, what: impl Into<String>) -> Self {
        self.expected = Some(what.into());
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.message, self.span)?;
        if let Some(exp) = &self.expected {
            write!(f, " (expected {exp})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// How a particular client splits a string of a given [`Form`].
///
/// Most forms have one grammar; where real clients disagree about how the
/// same bytes split into parts, the dialect picks the client's algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// libpq's `conninfo_uri_parse` / `conninfo_parse`.
    Libpq,
    /// WHATWG / RFC 3986 URL parsers (node-postgres, Prisma's `url` crate, mysql2).
    Whatwg,
    /// pgjdbc's `Driver.parseURL`.
    Pgjdbc,
    /// MySQL Shell / X DevAPI "URI-like" strings.
    MysqlShell,
    /// MySQL Connector/J and MariaDB Connector/J `jdbc:` URLs.
    ConnectorJ,
    /// go-sql-driver/mysql DSNs.
    GoMysql,
    /// Microsoft.Data.SqlClient's connection-string grammar.
    SqlClient,
    /// ODBC attribute strings (`{…}` with `}}`).
    Odbc,
    /// mssql-jdbc's `Util.parseUrl`.
    MssqlJdbc,
    /// `@tediousjs/connection-string`.
    Tedious,
    /// Prisma's `connection-string` crate (`sqlserver://…;k=v`).
    PrismaJdbc,
}

/// Parse `input` as `form`, splitting it the way `dialect` does.
pub fn parse(input: &str, form: Form, dialect: Dialect) -> Result<Tree<'_>, ParseError> {
    match form {
        Form::PostgresUrl | Form::MysqlUrl | Form::PgJdbc => url::parse(input, form, dialect),
        Form::MysqlJdbc => mysql_jdbc::parse(input, dialect),
        Form::LibpqKeywords => libpq_kv::parse(input),
        Form::GoMysqlDsn => go_mysql::parse(input),
        Form::AdoNet | Form::Odbc | Form::SqlServerJdbc | Form::PrismaSqlServer => semicolon::parse(input, form, dialect),
    }
}

/// Detect the form of `input` and parse it with the form's default dialect.
pub fn parse_auto(input: &str) -> Result<Tree<'_>, ParseError> {
    let form = detect(input)?;
    parse(input, form, form.default_dialect())
}

/// Whether a parameter key names a secret whose value must never be
/// printed (`password`, `pwd`, `sslpassword`, `trustStorePassword` …).
/// Runs for every parameter parsed, so it allocates nothing.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.as_bytes();
    // `pwd` and `pass` must be the whole key (surrounding spaces allowed).
    let whole = match (k.first(), k.last()) {
        (Some(a), Some(z)) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => k,
        _ => key.trim().as_bytes(),
    };
    if whole.eq_ignore_ascii_case(b"pwd") || whole.eq_ignore_ascii_case(b"pass") {
        return true;
    }
    const SECRET: Words = Words::new(&["password", "passwd", "passphrase", "secret", "token"]);
    SECRET.in_key(k)
}

/// The byte offset at which each line of `text` starts: 0, then one past every `\n`.
/// Shared by the file scanners and the report (both turn offsets into lines).
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    starts.extend(bytes::positions(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

/// Words looked for inside keys (`DB_PASSWORD`, `apiToken`), ignoring ASCII case: lowercase
/// ASCII words that start with a letter, at most 32, indexed by first letter when the set
/// is built (at compile time for a `const`). [`Words::in_key`] runs for every key parsed and
/// every key of every line shown, so it compares only the words that start with the letter
/// at hand.
pub struct Words {
    words: &'static [&'static str],
    /// For each letter `a`..=`z`, the words (bit n: `words[n]`) that start with it.
    by_first: [u32; 26],
}

impl Words {
    pub const fn new(words: &'static [&'static str]) -> Words {
        assert!(words.len() <= 32, "at most 32 words");
        let mut by_first = [0u32; 26];
        let mut i = 0;
        while i < words.len() {
            let w = words[i].as_bytes();
            assert!(!w.is_empty() && w[0].is_ascii_lowercase(), "each word starts with a lowercase letter");
            let mut j = 0;
            while j < w.len() {
                assert!(!w[j].is_ascii_uppercase() && w[j].is_ascii(), "words are lowercase ASCII");
                j += 1;
            }
            by_first[(w[0] - b'a') as usize] |= 1 << i;
            i += 1;
        }
        Words { words, by_first }
    }

    /// Whether `key` holds one of the words, ignoring ASCII case.
    pub fn in_key(&self, key: &[u8]) -> bool {
        key.iter().enumerate().any(|(i, &b)| {
            let c = b.to_ascii_lowercase();
            let Some(&starting) = c.checked_sub(b'a').and_then(|n| self.by_first.get(usize::from(n))) else { return false };
            let mut set = starting;
            while set != 0 {
                let n = set.trailing_zeros() as usize;
                set &= set - 1;
                if let Some(w) = self.words.get(n) {
                    if key.get(i..i + w.len()).is_some_and(|k| k.eq_ignore_ascii_case(w.as_bytes())) {
                        return true;
                    }
                }
            }
            false
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Words;

    proptest::proptest! {
        /// `Words::in_key` is "contains, ignoring ASCII case".
        #[test]
        fn words_in_key_is_case_blind_containment(key in "[a-zA-Z0-9_.-]{0,24}", extra in "[a-z][a-z0-9_]{0,5}") {
            let lowered = key.to_ascii_lowercase();
            let words: &'static [&'static str] = &["password", "pwd", "secret", "token", "api_key", "passwd"];
            let want = words.iter().any(|w| lowered.contains(w));
            proptest::prop_assert_eq!(Words::new(words).in_key(key.as_bytes()), want);
            let with_extra: &'static [&'static str] = Box::leak(vec!["password", "pwd", Box::leak(extra.into_boxed_str()) as &str].into_boxed_slice());
            let want = with_extra.iter().any(|w| lowered.contains(w));
            proptest::prop_assert_eq!(Words::new(with_extra).in_key(key.as_bytes()), want);
        }
    }

    #[test]
    fn words_are_found_anywhere() {
        const W: Words = Words::new(&["password", "apikey", "pwd"]);
        assert!(W.in_key(b"DB_PASSWORD"));
        assert!(W.in_key(b"xAPIKEYx"));
        assert!(W.in_key(b"PWD"));
        assert!(!W.in_key(b"sslmode"));
        assert!(!W.in_key(b"passwor"));
        assert!(!W.in_key(b""));
    }
}
