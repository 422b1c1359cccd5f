//! The lossless tree shared by every form.

use super::{Dialect, Form, ParseError, Span, decode};
use serde::Serialize;
use std::borrow::Cow;

/// What a token is. Tokens partition the input: whitespace, separators and
/// quotes are tokens too, so nothing is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenKind {
    /// `postgresql://`, `jdbc:mysql://`, `sqlserver://` …
    Scheme,
    User,
    /// A password. Never printed: see [`crate::report::redact`].
    Password,
    /// `:` between user and password, host and port, or similar punctuation.
    Colon,
    /// `@` ending the userinfo.
    At,
    /// Host name, IP address or socket path.
    Host,
    Port,
    /// SQL Server instance name (`host\instance`).
    Instance,
    /// `\` before an instance name.
    Backslash,
    /// `[` or `]` around an IPv6 literal.
    Bracket,
    /// `,` between hosts.
    Comma,
    /// Network protocol of a Go DSN (`tcp`, `unix`) or an ADO.NET `tcp:` prefix.
    Protocol,
    /// `(` or `)`.
    Paren,
    /// `/` before the database.
    Slash,
    Database,
    /// `?` starting the query.
    Question,
    /// `&`, `;` or another separator between parameters.
    Separator,
    /// A parameter's key.
    Key,
    /// `=` between key and value.
    Equals,
    /// A parameter value (without its quotes).
    Value,
    /// A secret parameter value (password, `pwd`, `sslpassword` …). Never printed.
    SecretValue,
    /// An opening or closing quote or brace around a value.
    Quote,
    Whitespace,
    /// `#fragment` (ignored by most clients).
    Fragment,
}

impl TokenKind {
    /// Whether the token's text is a secret that must never be printed.
    pub fn is_secret(self) -> bool {
        matches!(self, TokenKind::Password | TokenKind::SecretValue)
    }
}

/// One token: a kind and the bytes it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// How a value is quoted in the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quote {
    #[default]
    None,
    /// `'…'`
    Single,
    /// `"…"`
    Double,
    /// `{…}`
    Brace,
}

/// A parameter value: `span` covers the raw text including quotes,
/// `inner` only what lies between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Value {
    pub span: Span,
    pub inner: Span,
    pub quote: Quote,
}

impl Value {
    /// An unquoted value.
    pub fn bare(span: Span) -> Self {
        Value { span, inner: span, quote: Quote::None }
    }
}

/// One `key=value` parameter (query parameter, libpq keyword, ADO.NET pair…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Param {
    /// From the first byte of the key to the last byte of the value.
    pub span: Span,
    pub key: Span,
    /// The `=` sign, absent for a bare key (`?ssl`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eq: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// One entry of a host list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Host {
    /// The whole entry, brackets and port included.
    pub span: Span,
    /// Host name, address or socket path, without brackets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<Span>,
    /// SQL Server instance name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Span>,
    /// Network protocol (`tcp`, `unix`, ADO.NET `tcp:` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Span>,
    /// Whether the name was written in `[` `]`.
    pub bracketed: bool,
    /// This host's own user name (Connector/J `u1:p1@h1,u2:p2@h2`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Span>,
    /// This host's own password. Never printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Span>,
    /// This host's `key=value` properties (Connector/J
    /// `address=(host=h)(port=1)` and `(host=h,port=1)`), as the range
    /// `start..end` of [`Tree::host_params`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<(usize, usize)>,
}

/// A parsed connection string.
#[derive(Clone, Debug, Serialize)]
pub struct Tree<'s> {
    #[serde(skip)]
    src: &'s str,
    pub form: Form,
    pub dialect: Dialect,
    pub tokens: Vec<Token>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Span>,
    pub hosts: Vec<Host>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<Span>,
    pub params: Vec<Param>,
    /// Per-host properties of every host, in order; each [`Host::params`]
    /// names its own range.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub host_params: Vec<Param>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fragment: Option<Span>,
}

impl<'s> Tree<'s> {
    /// The string this tree was parsed from.
    pub fn source(&self) -> &'s str {
        self.src
    }

    /// The text of a span of this tree's source.
    pub fn text(&self, span: Span) -> &'s str {
        span.text(self.src)
    }

    /// Print the tree: the concatenation of its tokens. Equals the input.
    pub fn to_source(&self) -> String {
        let mut out = String::with_capacity(self.src.len());
        for t in &self.tokens {
            out.push_str(self.text(t.span));
        }
        out
    }

    /// The key of a parameter as written.
    pub fn key(&self, p: &Param) -> &'s str {
        self.text(p.key)
    }

    /// The raw value text between quotes (still escaped), or `None` for a bare key.
    pub fn raw_value(&self, p: &Param) -> Option<&'s str> {
        p.value.map(|v| self.text(v.inner))
    }

    /// The value with this form's quoting undone (`\'` in libpq, doubled
    /// quotes in ADO.NET, `}}` in ODBC/JDBC braces). Percent-decoding is a
    /// client decision and is not applied here: see [`decode::percent`].
    pub fn unquoted_value(&self, v: &Value) -> Cow<'s, str> {
        let raw = self.text(v.inner);
        match (self.form, v.quote) {
            (Form::LibpqKeywords, _) => decode::backslashes(raw),
            (_, Quote::Single) => decode::doubled(raw, '\''),
            (_, Quote::Double) => decode::doubled(raw, '"'),
            (_, Quote::Brace) if self.dialect == Dialect::PrismaJdbc => Cow::Borrowed(raw),
            (_, Quote::Brace) => decode::doubled(raw, '}'),
            (_, Quote::None) if self.dialect == Dialect::Tedious => decode::doubled(raw, ';'),
            (_, Quote::None) if self.dialect == Dialect::PrismaJdbc => super::semicolon::decode_prisma(raw),
            (_, Quote::None) => Cow::Borrowed(raw),
        }
    }

    /// Parameters whose key equals `key`, compared as `fold` says.
    pub fn params_named<'a>(&'a self, key: &'a str, case_insensitive: bool) -> impl Iterator<Item = &'a Param> + 'a {
        self.params.iter().filter(move |p| {
            let k = self.key(p);
            if case_insensitive { k.eq_ignore_ascii_case(key) } else { k == key }
        })
    }

    /// The per-host properties of `host` (empty for most forms).
    pub fn host_params_of(&self, host: &Host) -> &[Param] {
        host.params.and_then(|(start, end)| self.host_params.get(start..end)).unwrap_or(&[])
    }

    /// Tokens with their text, for display. Secret tokens are redacted.
    pub fn token_texts(&self) -> impl Iterator<Item = (TokenKind, Span, &'s str)> + '_ {
        self.tokens.iter().map(|t| (t.kind, t.span, self.text(t.span)))
    }
}

/// Builds a [`Tree`] while guaranteeing that tokens partition the input.
///
/// Parsers advance through the input by emitting tokens that each start
/// where the previous one ended; [`TreeBuilder::finish`] fails if any byte
/// was left uncovered, so losslessness is checked on every parse.
#[derive(Debug)]
pub struct TreeBuilder<'s> {
    tree: Tree<'s>,
    pos: usize,
}

impl<'s> TreeBuilder<'s> {
    pub fn new(src: &'s str, form: Form, dialect: Dialect) -> Self {
        TreeBuilder {
            tree: Tree {
                src,
                form,
                dialect,
                tokens: Vec::with_capacity(src.len() / 4 + 4),
                scheme: None,
                user: None,
                password: None,
                hosts: Vec::new(),
                database: None,
                params: Vec::new(),
                host_params: Vec::new(),
                fragment: None,
            },
            pos: 0,
        }
    }

    pub fn src(&self) -> &'s str {
        self.tree.src
    }

    /// Where the next token starts.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Emit a token from the current position to `end` and return its span.
    /// Empty tokens are not recorded (the span is still returned).
    pub fn token(&mut self, kind: TokenKind, end: usize) -> Span {
        debug_assert!(end >= self.pos && end <= self.tree.src.len(), "token past input: {kind:?} {}..{end}", self.pos);
        let end = end.clamp(self.pos, self.tree.src.len());
        let span = Span::new(self.pos, end);
        if !span.is_empty() {
            self.tree.tokens.push(Token { kind, span });
        }
        self.pos = end;
        span
    }

    /// Change the kind of the most recent token (e.g. a value found to be a secret).
    pub fn retag_last(&mut self, kind: TokenKind) {
        if let Some(t) = self.tree.tokens.last_mut() {
            t.kind = kind;
        }
    }

    /// Change the kind of every token inside `span`.
    pub fn retag(&mut self, span: Span, kind: TokenKind) {
        for t in self.tree.tokens.iter_mut().rev() {
            if t.span.end <= span.start {
                break;
            }
            if span.contains(t.span) {
                t.kind = kind;
            }
        }
    }

    pub fn tree_mut(&mut self) -> &mut Tree<'s> {
        &mut self.tree
    }

    /// Finish the tree. Every byte of the input must be covered by a token.
    pub fn finish(self) -> Result<Tree<'s>, ParseError> {
        let len = self.tree.src.len();
        if self.pos != len {
            return Err(ParseError::new("internal error: input not fully tokenized", Span::new(self.pos, len)));
        }
        Ok(self.tree)
    }
}
