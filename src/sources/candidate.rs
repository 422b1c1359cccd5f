//! Candidates: connection strings found in a file, and mapping edits made
//! to them back into the file.

use super::encoding::Encoding;
use super::map::{PieceKind, SpanMap};
use super::{Note, Offer};
use crate::syntax::{Edit, Form, Span, apply_edits, detect};
use serde::Serialize;
use std::fmt;

/// A connection string found in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Where the value sits: an environment variable (`DATABASE_URL`), a
    /// dotted path (`ConnectionStrings.Default`, `spring.datasource.url`,
    /// `services.api.environment.DATABASE_URL`), or empty in free text.
    pub key: String,
    /// The decoded value: exactly the string the application reads, with
    /// interpolations (`${VAR}`) left as written.
    pub value: String,
    /// The form `syntax::detect` recognised.
    pub form: Form,
    /// File bytes the value's own text occupies (inside any quotes).
    pub span: Span,
    /// File bytes of the whole token holding the value, quotes included.
    pub token: Span,
    /// How the token is written, which decides how replacements are encoded.
    pub encoding: Encoding,
    /// Decoded offsets to file offsets; opaque pieces are interpolations.
    pub map: SpanMap,
    /// Caveats about how different loaders read this value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// The token's raw text, for checking edits.
    #[serde(skip)]
    raw: String,
    /// Decoded token text before and after the value (for a value that is
    /// only part of its token, such as `KEY=value` in a YAML list).
    #[serde(skip)]
    prefix: String,
    #[serde(skip)]
    suffix: String,
    /// Opaque spans of the decoded token, or `None` when the token's
    /// decoding came from the container's parser alone.
    #[serde(skip)]
    token_opaque: Option<Vec<Span>>,
}

/// Why edits to a candidate could not be mapped into its file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MapError {
    /// An edit is out of bounds, not on a character boundary, or overlaps
    /// another edit.
    InvalidEdit {
        /// The edit's span, in string coordinates.
        span: Span,
    },
    /// An edit touches an interpolation such as `${VAR}` that the
    /// application expands.
    Opaque {
        /// The interpolation, in file coordinates.
        span: Span,
    },
    /// The edited value cannot be written in this container.
    Unrepresentable {
        /// The value's encoding.
        encoding: Encoding,
        /// Why it cannot hold the result.
        reason: &'static str,
    },
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::InvalidEdit { span } => write!(f, "invalid edit at {span} of the value"),
            MapError::Opaque { span } => write!(f, "the edit would change an interpolated variable at {span}"),
            MapError::Unrepresentable { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for MapError {}

impl Candidate {
    /// Build a candidate from an offered token.
    pub(crate) fn new(src: &str, form: Form, o: Offer<'_>) -> Option<Candidate> {
        let d = o.d;
        let sub = o.sub.unwrap_or(Span::new(0, d.value.len()));
        let map = d.map.slice(sub)?;
        let value = d.value.get(sub.range())?.to_string();
        let span = map.file_span().unwrap_or(Span::empty(d.content.start));
        let notes = d.notes.iter().filter(|n| span.contains(n.span) || n.span.overlaps(span)).cloned().collect();
        Some(Candidate {
            key: o.key,
            value,
            form,
            span,
            token: o.token,
            encoding: o.encoding,
            map,
            notes,
            raw: o.token.text(src).to_string(),
            prefix: d.value.get(..sub.start)?.to_string(),
            suffix: d.value.get(sub.end..)?.to_string(),
            token_opaque: o.checked.then(|| d.map.opaque().collect()),
        })
    }

    /// Decoded spans of the interpolations in the value (`${VAR}`, `$VAR` …).
    pub fn opaque(&self) -> Vec<Span> {
        self.map.opaque().collect()
    }

    /// Turn edits of [`Candidate::value`] (spans in string coordinates)
    /// into edits of the file, re-encoding each replacement for the
    /// container: escapes inside quotes, `''` in single-quoted YAML, JSON
    /// escapes, XML entities, `.properties` escapes and so on.
    ///
    /// Edits change as few bytes as possible; one that cuts into an escape
    /// is widened to the whole escape. When the new text cannot be written
    /// in the value's current quoting (a plain YAML scalar gaining `: `, an
    /// unquoted `.env` value gaining a space), the whole value is requoted,
    /// keeping the quote style when possible. Every result is checked by
    /// decoding the edited token again: it must read exactly as the edited
    /// string, with the same interpolations.
    ///
    /// Errors: an edit that is out of bounds or overlaps another
    /// ([`MapError::InvalidEdit`]), that touches an interpolation
    /// ([`MapError::Opaque`]), or whose result the container cannot hold
    /// ([`MapError::Unrepresentable`]).
    pub fn file_edits(&self, edits: &[Edit]) -> Result<Vec<Edit>, MapError> {
        let mut sorted: Vec<&Edit> = edits.iter().collect();
        sorted.sort_by_key(|e| (e.span.start, e.span.end));
        let mut at = 0;
        for e in &sorted {
            let s = e.span;
            if s.start < at
                || s.end < s.start
                || s.end > self.value.len()
                || !self.value.is_char_boundary(s.start)
                || !self.value.is_char_boundary(s.end)
            {
                return Err(MapError::InvalidEdit { span: s });
            }
            at = s.end;
        }
        for e in &sorted {
            for op in self.map.opaque() {
                let s = e.span;
                let overlaps = s.start < op.end && op.start < s.end;
                let inside = s.is_empty() && op.start < s.start && s.start < op.end;
                if overlaps || inside {
                    return Err(MapError::Opaque { span: self.map.cover(op).unwrap_or(self.span) });
                }
            }
        }
        if sorted.is_empty() {
            return Ok(Vec::new());
        }
        let new_value = apply_edits(&self.value, edits).ok_or(MapError::InvalidEdit { span: self.span })?;
        // Text right after an unbraced `$NAME` must not lengthen the name.
        for op in self.map.opaque() {
            let text = op.text(&self.value);
            if !text.starts_with('$') || text.starts_with("${") || text.starts_with("$(") {
                continue;
            }
            let delta: isize =
                sorted.iter().filter(|e| e.span.end <= op.start).map(|e| e.text.len() as isize - e.span.len() as isize).sum();
            let after = op.end.saturating_add_signed(delta);
            if new_value.as_bytes().get(after).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                return Err(MapError::Opaque { span: self.map.cover(op).unwrap_or(self.span) });
            }
        }
        let expected = format!("{}{}{}", self.prefix, new_value, self.suffix);
        let expected_opaque = self.token_opaque.as_ref().map(|ops| self.shift_opaque(ops, &sorted));

        if let Some(file) = self.minimal(&sorted)
            && self.verify(self.encoding, &file, &expected, expected_opaque.as_deref())
        {
            return Ok(file);
        }
        let has_opaque = expected_opaque.as_ref().is_some_and(|o| !o.is_empty());
        for enc in self.encoding.requote_choices(&new_value, has_opaque) {
            if let Some(edit) = self.requote(enc, &expected, expected_opaque.as_deref()) {
                return Ok(vec![edit]);
            }
        }
        Err(MapError::Unrepresentable { encoding: self.encoding, reason: self.encoding.limitation() })
    }

    /// Where the token's opaque spans move to once `edits` are applied.
    fn shift_opaque(&self, ops: &[Span], edits: &[&Edit]) -> Vec<Span> {
        let p = self.prefix.len();
        let v = self.value.len();
        let total: isize = edits.iter().map(|e| e.text.len() as isize - e.span.len() as isize).sum();
        ops.iter()
            .map(|op| {
                if op.end <= p {
                    *op
                } else if op.start >= p + v {
                    shift(*op, total)
                } else {
                    let at = op.start - p;
                    let delta: isize =
                        edits.iter().filter(|e| e.span.end <= at).map(|e| e.text.len() as isize - e.span.len() as isize).sum();
                    shift(*op, delta)
                }
            })
            .collect()
    }

    /// File edits that touch only the bytes that must change.
    fn minimal(&self, edits: &[&Edit]) -> Option<Vec<Edit>> {
        // Group edits whose widened ranges overlap.
        let mut groups: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
        for e in edits {
            let (s, w) = self.map.widen(e.span);
            match groups.last_mut() {
                Some(g) if s < g.1 || (s == g.1 && (e.span.is_empty() || g.0 == g.1)) => {
                    g.0 = g.0.min(s);
                    g.1 = g.1.max(w);
                    g.2.push(e);
                }
                _ => groups.push((s, w, vec![e])),
            }
        }
        let mut out = Vec::with_capacity(groups.len());
        for (s, w, es) in groups {
            let local: Vec<Edit> = es.iter().map(|e| Edit::replace(Span::new(e.span.start - s, e.span.end - s), e.text.clone())).collect();
            let text = apply_edits(self.value.get(s..w)?, &local)?;
            let fs = self.map.start_at(s)?;
            let fe = if s == w { fs } else { self.map.end_at(w)? };
            let enc = self.encoding.encode(&text, s == 0 && self.prefix.is_empty())?;
            out.push(Edit::replace(Span::new(fs, fe), enc));
        }
        Some(out)
    }

    /// Whether applying `file` edits to the token gives a token of `enc`
    /// that decodes to `expected` with the `opaque` interpolations.
    fn verify(&self, enc: Encoding, file: &[Edit], expected: &str, opaque: Option<&[Span]>) -> bool {
        let local: Option<Vec<Edit>> = file
            .iter()
            .map(|e| {
                (self.token.contains(e.span))
                    .then(|| Edit::replace(Span::new(e.span.start - self.token.start, e.span.end - self.token.start), e.text.clone()))
            })
            .collect();
        let Some(new_raw) = local.and_then(|l| apply_edits(&self.raw, &l)) else { return false };
        check_token(enc, &new_raw, expected, opaque)
    }

    /// The whole token rewritten in `enc`, interpolations copied as written.
    fn requote(&self, enc: Encoding, expected: &str, opaque: Option<&[Span]>) -> Option<Edit> {
        let (open, close) = enc.delimiters();
        let mut body = String::with_capacity(expected.len() + 8);
        let mut at = 0;
        for op in opaque.unwrap_or(&[]) {
            body.push_str(&enc.encode(expected.get(at..op.start)?, at == 0)?);
            body.push_str(expected.get(op.range())?);
            at = op.end;
        }
        body.push_str(&enc.encode(expected.get(at..)?, at == 0)?);
        let new_raw = format!("{open}{body}{close}");
        check_token(enc, &new_raw, expected, opaque).then(|| Edit::replace(self.token, new_raw))
    }
}

fn shift(s: Span, delta: isize) -> Span {
    Span::new(s.start.saturating_add_signed(delta), s.end.saturating_add_signed(delta))
}

/// Whether `raw` is exactly one token of `enc` reading as `expected`.
fn check_token(enc: Encoding, raw: &str, expected: &str, opaque: Option<&[Span]>) -> bool {
    let Ok(d) = enc.decode(raw, 0) else { return false };
    d.end == raw.len()
        && d.value == expected
        && opaque.is_none_or(|o| d.map.opaque().eq(o.iter().copied()))
        && d.map.pieces().iter().all(|p| p.kind != PieceKind::Opaque || opaque.is_some())
}

// --------------------------------------------------------- plausibility

/// Substrings of a key that mark a connection string.
const KEY_MARKERS: &[&str] = &[
    "database",
    "datasource",
    "connection",
    "connstr",
    "postgres",
    "mysql",
    "mariadb",
    "mssql",
    "sqlserver",
    "jdbc",
    "odbc",
    "libpq",
    "conninfo",
];
/// Whole words of a key that mark a connection string.
const KEY_WORDS: &[&str] = &["url", "uri", "dsn", "conn", "db", "sql", "pg", "dburl", "dburi", "dbconn", "dbstring", "urls", "dsns"];

/// Calls `f` with each word of `key`, as a slice of it, until `f` says yes; returns whether
/// it did. Words end at anything not alphanumeric and before an upper-case letter that
/// follows a lower-case letter or a digit (camel-case humps).
fn any_word(key: &str, mut f: impl FnMut(&str) -> bool) -> bool {
    let mut start = 0;
    let mut prev_lower = false;
    for (i, c) in key.char_indices() {
        if !c.is_alphanumeric() {
            if start < i && f(&key[start..i]) {
                return true;
            }
            start = i + c.len_utf8();
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && start < i {
            if f(&key[start..i]) {
                return true;
            }
            start = i;
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    start < key.len() && f(&key[start..])
}

/// A word lower-cased character by character.
fn lowercase(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).collect()
}

/// Whether a key or path suggests its value is a connection string.
///
/// Runs for every key of every file: ASCII words (nearly all) are lower-cased on the stack,
/// without allocating.
pub fn key_suggests_connection(key: &str) -> bool {
    let mut buf = [0u8; 64];
    any_word(key, |word| match buf.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            for (l, c) in lower.iter_mut().zip(word.bytes()) {
                *l = c.to_ascii_lowercase();
            }
            word_suggests_connection(lower)
        }
        _ => word_suggests_connection(lowercase(word).as_bytes()),
    })
}

/// Whether one lower-cased word of a key names a connection string.
fn word_suggests_connection(w: &[u8]) -> bool {
    KEY_WORDS.iter().any(|k| k.as_bytes() == w)
        || KEY_MARKERS.iter().any(|m| w.len() >= m.len() && w.windows(m.len()).any(|x| x == m.as_bytes()))
}

/// `key=value` pairs of a `;`- or blank-separated string, keys lower-cased.
fn pairs(value: &str, sep: char) -> Vec<(String, &str)> {
    value
        .split(sep)
        .filter_map(|seg| seg.split_once('='))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().trim_matches(['\'', '"'])))
        .collect()
}

/// The form of `value` when it is plausibly a connection string.
///
/// URL and JDBC forms always are. `key=value` forms (libpq, ADO.NET, ODBC,
/// Go DSN) only when `keyed` (the key suggests a connection string or the
/// value sits under `ConnectionStrings`) and the pairs look like a real
/// connection: a libpq string names a host, database, user or service;
/// an ADO.NET string names a server or database and is not an SQLite
/// (`Data Source=app.db`) or Npgsql (`Host=`) string; a Go DSN has an
/// address (`@tcp(…)`, `@unix(…)`, `@/`).
pub fn plausible(value: &str, keyed: bool) -> Option<Form> {
    let form = detect(value).ok()?;
    match form {
        Form::PostgresUrl | Form::PgJdbc | Form::MysqlUrl | Form::MysqlJdbc | Form::SqlServerJdbc | Form::PrismaSqlServer => Some(form),
        _ if !keyed => None,
        Form::LibpqKeywords => {
            const KEYS: &[&str] = &["host", "hostaddr", "port", "dbname", "user", "password", "sslmode", "service"];
            pairs(value, ' ').iter().any(|(k, _)| KEYS.contains(&k.as_str())).then_some(form)
        }
        Form::AdoNet => {
            const KEYS: &[&str] =
                &["server", "data source", "address", "addr", "network address", "initial catalog", "database", "user id", "uid"];
            let p = pairs(value, ';');
            let sqlite = p.iter().any(|(k, v)| {
                (k == "data source" || k == "filename")
                    && [".db", ".sqlite", ".sqlite3", ":memory:"].iter().any(|ext| v.to_ascii_lowercase().ends_with(ext))
            });
            let npgsql = p.iter().any(|(k, _)| k == "host" || k == "username");
            (p.iter().any(|(k, _)| KEYS.contains(&k.as_str())) && !sqlite && !npgsql).then_some(form)
        }
        Form::Odbc => Some(form),
        Form::GoMysqlDsn => {
            let addr = ["@tcp(", "@unix(", "@/", "@tcp6("].iter().any(|m| value.contains(m));
            addr.then_some(form)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of a key ([`any_word`]), lower-cased.
    fn key_words(key: &str) -> Vec<String> {
        let mut words = Vec::new();
        any_word(key, |w| {
            words.push(lowercase(w));
            false
        });
        words
    }

    #[test]
    fn keys() {
        assert_eq!(key_words("ConnectionStrings.DefaultConnection"), ["connection", "strings", "default", "connection"]);
        assert!(key_suggests_connection("DATABASE_URL"));
        assert!(key_suggests_connection("spring.datasource.url"));
        assert!(key_suggests_connection("appSettings.MyDb"));
        assert!(key_suggests_connection("PG_CONN"));
        assert!(key_suggests_connection("PGCONNINFO"));
        assert!(key_suggests_connection("LIBPQ_STRING"));
        assert!(!key_suggests_connection("feedback"));
        assert!(!key_suggests_connection("LOG_LEVEL"));
        assert!(!key_suggests_connection("FEATURE_FLAGS"));
    }

    proptest::proptest! {
        /// Lower-casing words on the stack decides as lower-casing them into strings does.
        #[test]
        fn ascii_fast_path_agrees(key in "[A-Za-zÉé0-9_.:/ -]{0,40}(DB|Url|url|SQL|Conn|database|Mysql)?[A-Za-z0-9_.-]{0,8}") {
            let general = key_words(&key).iter().any(|w| word_suggests_connection(w.as_bytes()));
            proptest::prop_assert_eq!(key_suggests_connection(&key), general);
        }
    }

    #[test]
    fn plausibility() {
        assert_eq!(plausible("postgres://h/db", false), Some(Form::PostgresUrl));
        assert_eq!(plausible("host=h sslmode=require", false), None);
        assert_eq!(plausible("host=h sslmode=require", true), Some(Form::LibpqKeywords));
        assert_eq!(plausible("min=1 max=10", true), None);
        assert_eq!(plausible("Server=h;Database=d", true), Some(Form::AdoNet));
        assert_eq!(plausible("Data Source=app.db", true), None);
        assert_eq!(plausible("Host=h;Database=d;Username=u", true), None);
        assert_eq!(plausible("/var/lib/db", true), None);
        assert_eq!(plausible("u:p@tcp(h:3306)/db", true), Some(Form::GoMysqlDsn));
        assert_eq!(plausible("redis://h", true), None);
        assert_eq!(plausible("debug", true), None);
    }
}
