//! Keyword tables: one mechanism that every client model uses to fold
//! written parameters into effective [`Settings`] — synonyms, case rules,
//! duplicate resolution, unknown keys — and to judge enumerated values.

use super::{Issue, IssueKind, Origin, Setting, Settings};
use crate::syntax::Span;

/// How a client compares keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Sensitive,
    /// ASCII case-insensitive (SqlClient, mssql-jdbc, ODBC, MySQL Shell …).
    Insensitive,
}

/// Which occurrence of a repeated keyword a client keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duplicates {
    LastWins,
    FirstWins,
    /// The client rejects the string.
    Error,
}

/// What a client does with a keyword it does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// Rejects the string (libpq, SqlClient).
    Error,
    /// Silently ignores it (Prisma, mssql-jdbc).
    Ignored,
    /// Passes it on (go-sql-driver sends it to the server as a system
    /// variable; Connector/J keeps it as a user property). Kept as a setting.
    Forwarded,
}

/// One keyword of a client.
#[derive(Clone, Copy, Debug)]
pub struct Keyword {
    /// Canonical name, as the client's documentation spells it.
    pub name: &'static str,
    /// Other spellings that mean the same keyword.
    pub aliases: &'static [&'static str],
    /// Whether its value is a secret.
    pub secret: bool,
}

impl Keyword {
    pub const fn new(name: &'static str) -> Self {
        Keyword { name, aliases: &[], secret: false }
    }

    pub const fn aliases(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Keyword { name, aliases, secret: false }
    }

    pub const fn secret(name: &'static str, aliases: &'static [&'static str]) -> Self {
        Keyword { name, aliases, secret: true }
    }
}

/// A client's keyword table and its rules.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Client name, for messages.
    pub client: &'static str,
    pub keywords: &'static [Keyword],
    pub case: Case,
    pub duplicates: Duplicates,
    pub unknown: Unknown,
}

/// A written parameter, decoded, ready to fold.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
}

impl Table {
    fn eq(&self, a: &str, b: &str) -> bool {
        match self.case {
            Case::Sensitive => a == b,
            Case::Insensitive => a.eq_ignore_ascii_case(b),
        }
    }

    /// The keyword `key` names, through synonyms and case rules.
    pub fn lookup(&self, key: &str) -> Option<&'static Keyword> {
        self.keywords.iter().find(|k| self.eq(k.name, key) || k.aliases.iter().any(|a| self.eq(a, key)))
    }

    /// The keyword the user most likely meant by an unknown `key`.
    pub fn suggest(&self, key: &str) -> Option<&'static str> {
        let names = self.keywords.iter().flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()));
        let best = closest(key, names)?;
        // Suggest the canonical spelling of whatever matched.
        self.lookup(best).map(|k| if k.aliases.contains(&best) { best } else { k.name })
    }

    /// Fold written parameters into settings, reporting unknown keys and
    /// duplicates as this client treats them.
    pub fn fold(&self, entries: impl IntoIterator<Item = Entry>, settings: &mut Settings, issues: &mut Vec<Issue>) {
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for e in entries {
            let origin = Origin::Written { key: Some(e.key_span), value: e.value_span };
            let Some(kw) = self.lookup(&e.key) else {
                let fatal = self.unknown == Unknown::Error;
                let what = match self.unknown {
                    Unknown::Error => "rejects",
                    Unknown::Ignored => "ignores",
                    Unknown::Forwarded => "does not know",
                };
                let suggestion = self.suggest(&e.key).map(str::to_string);
                let mut message = format!("{} {} the unknown parameter \"{}\"", self.client, what, e.key);
                if let Some(s) = &suggestion {
                    message.push_str(&format!("; did you mean \"{s}\"?"));
                }
                issues.push(
                    Issue::new(IssueKind::UnknownParameter, e.key_span, message, fatal).with_key(e.key.clone()).with_suggestion(suggestion),
                );
                if self.unknown == Unknown::Forwarded {
                    let secret = crate::syntax::is_secret_key(&e.key);
                    settings.0.push(Setting { name: e.key.into(), value: e.value.into(), origin, secret });
                }
                continue;
            };
            if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == kw.name) {
                let (msg, fatal) = match self.duplicates {
                    Duplicates::LastWins => (format!("\"{}\" is given more than once; {} uses the last one", kw.name, self.client), false),
                    Duplicates::FirstWins => {
                        (format!("\"{}\" is given more than once; {} uses the first one", kw.name, self.client), false)
                    }
                    Duplicates::Error => (format!("\"{}\" is given more than once, which {} rejects", kw.name, self.client), true),
                };
                let span = match self.duplicates {
                    Duplicates::FirstWins => e.key_span.cover(e.value_span),
                    _ => first,
                };
                issues.push(Issue::new(IssueKind::DuplicateParameter, span, msg, fatal).with_key(kw.name));
                if self.duplicates == Duplicates::FirstWins {
                    continue;
                }
            }
            seen.retain(|(n, _)| *n != kw.name);
            seen.push((kw.name, e.key_span.cover(e.value_span)));
            settings.set(Setting { name: kw.name.into(), value: e.value.into(), origin, secret: kw.secret });
        }
    }
}

/// Normalise for loose comparison: lowercase, `_` and spaces as `-`.
fn loose(s: &str) -> String {
    let mut out = String::new();
    loose_into(s, &mut out);
    out
}

/// [`loose`] into a buffer that is reused from one candidate to the next.
fn loose_into(s: &str, out: &mut String) {
    out.clear();
    out.extend(s.trim().chars().map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() }));
}

/// The candidate closest to `input`, if one is close enough and unambiguous.
///
/// A candidate equal to the input up to case, `_`/`-` and spaces wins
/// outright; otherwise the smallest edit distance within a third of the
/// length (at least 2) wins, if no other candidate ties with it.
///
/// Runs for every unknown key against a client's whole keyword table, so
/// candidates are measured from the most promising on, and only while they
/// could still win or tie: an edit distance is at least the difference in
/// length, and at least the number of characters one string has that the
/// other lacks ([`bag_distance`]).
pub fn closest<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let li = loose(input);
    if li.is_empty() {
        return None;
    }
    let li_chars = li.chars().count();
    let li_counts = char_counts(&li);
    // Every candidate's loose form, one after another in `forms`.
    let mut forms = String::new();
    // (candidate, its loose form's range in `forms`, the least distance it can have, prefix-related)
    let mut all: Vec<(&'c str, std::ops::Range<usize>, usize, bool)> = Vec::new();
    let mut lc = String::new();
    for c in candidates {
        loose_into(c, &mut lc);
        if lc == li {
            return Some(c);
        }
        // A prefix/suffix relation ("required" → "require", "verify" → "verify-full") counts as close.
        let related = lc.starts_with(&li) || li.starts_with(&lc);
        let at_least = li_chars.abs_diff(lc.chars().count());
        let at_least = li_counts.as_ref().map_or(at_least, |counts| at_least.max(bag_distance(counts, &li, &lc)));
        let at_least = if related { at_least.min(2) } else { at_least };
        all.push((c, forms.len()..forms.len() + lc.len(), at_least, related));
        forms.push_str(&lc);
    }
    // Stable: candidates with the same loose form keep their order, so the first of them wins.
    all.sort_by_key(|&(_, _, at_least, _)| at_least);
    // The best candidate so far, its distance and its loose form.
    let mut best: Option<(&'c str, usize, &str)> = None;
    let mut tie = false;
    for (c, range, at_least, related) in all {
        if best.is_some_and(|(_, bd, _)| at_least > bd) {
            // Neither this candidate nor any after it can be as close as the best.
            break;
        }
        let lc = forms.get(range).unwrap_or_default();
        let d = strsim::damerau_levenshtein(&li, lc);
        let d = if related { d.min(2) } else { d };
        match best {
            Some((_, bd, bl)) if d == bd && bl != lc => tie = true,
            Some((_, bd, _)) if d >= bd => {}
            _ => {
                best = Some((c, d, lc));
                tie = false;
            }
        }
    }
    let (c, d, lc) = best?;
    let limit = (li.len().max(lc.len()) / 3).max(2);
    (d <= limit && !tie).then_some(c)
}

/// How many times each character occurs in an ASCII string (`None` otherwise), for
/// [`bag_distance`].
fn char_counts(s: &str) -> Option<[i32; 128]> {
    let mut counts = [0i32; 128];
    for x in s.bytes() {
        *counts.get_mut(usize::from(x))? += 1;
    }
    Some(counts)
}

/// A lower bound on the edit distance of `a` (whose [`char_counts`] are `a_counts`) and `b`:
/// how many characters one has that the other lacks, the larger of the two counts. An
/// insertion, deletion or substitution changes each count by at most one, and a
/// transposition changes neither. 0 (no bound) when `b` is not ASCII.
fn bag_distance(a_counts: &[i32; 128], a: &str, b: &str) -> usize {
    let mut diff = *a_counts;
    for y in b.bytes() {
        let Some(d) = diff.get_mut(usize::from(y)) else { return 0 };
        *d -= 1;
    }
    let (mut more, mut fewer) = (0usize, 0usize);
    for x in a.bytes().chain(b.bytes()) {
        let d = diff.get_mut(usize::from(x)).map_or(0, std::mem::take);
        if d > 0 {
            more += d.unsigned_abs() as usize;
        } else {
            fewer += d.unsigned_abs() as usize;
        }
    }
    more.max(fewer)
}

/// Check that `value` is one of `allowed` (compared as `case` says).
/// Returns the matching canonical spelling, or an [`Issue`] naming the
/// closest valid value.
pub fn check_enum(
    client: &str,
    key: &str,
    value: &str,
    span: Span,
    allowed: &'static [&'static str],
    case: Case,
    fatal: bool,
) -> Result<&'static str, Issue> {
    let hit = allowed.iter().find(|a| match case {
        Case::Sensitive => **a == value,
        Case::Insensitive => a.eq_ignore_ascii_case(value),
    });
    if let Some(a) = hit {
        return Ok(a);
    }
    let suggestion = closest(value, allowed.iter().copied());
    let verdict = if fatal { "rejects" } else { "ignores" };
    let mut message = format!("{client} {verdict} {key}=\"{value}\" (valid values: {})", allowed.join(", "));
    if let Some(s) = suggestion {
        message.push_str(&format!("; did you mean \"{s}\"?"));
    }
    Err(Issue::new(IssueKind::InvalidValue, span, message, fatal).with_key(key).with_suggestion(suggestion.map(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODES: &[&str] = &["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    #[test]
    fn closest_values() {
        assert_eq!(closest("required", MODES.iter().copied()), Some("require"));
        assert_eq!(closest("verify_full", MODES.iter().copied()), Some("verify-full"));
        assert_eq!(closest("verify-all", MODES.iter().copied()), Some("verify-full"));
        assert_eq!(closest("VERIFY-CA", MODES.iter().copied()), Some("verify-ca"));
        assert_eq!(closest("disabled", MODES.iter().copied()), Some("disable"));
        assert_eq!(closest("xyzzy", MODES.iter().copied()), None);
    }

    /// `closest` as it was before it learned to skip candidates that cannot win: every
    /// candidate measured.
    fn closest_measuring_all<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
        let li = loose(input);
        if li.is_empty() {
            return None;
        }
        let mut best: Option<(&'c str, usize)> = None;
        let mut tie = false;
        for c in candidates {
            let lc = loose(c);
            if lc == li {
                return Some(c);
            }
            let d = strsim::damerau_levenshtein(&li, &lc);
            let d = if lc.starts_with(&li) || li.starts_with(&lc) { d.min(2) } else { d };
            match best {
                Some((b, bd)) if d == bd && loose(b) != lc => tie = true,
                Some((_, bd)) if d >= bd => {}
                _ => {
                    best = Some((c, d));
                    tie = false;
                }
            }
        }
        let (c, d) = best?;
        let limit = (li.len().max(loose(c).len()) / 3).max(2);
        (d <= limit && !tie).then_some(c)
    }

    const LIBPQ_NAMES: &[&str] = &[
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "sslmode",
        "sslrootcert",
        "sslcert",
        "sslkey",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "sslnegotiation",
        "sslcertmode",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "channel_binding",
        "gssencmode",
        "connect_timeout",
        "application_name",
        "options",
        "target_session_attrs",
    ];

    proptest::proptest! {
        /// Skipping candidates by length never changes the answer, whatever the input:
        /// typos of real keywords (cut, grown, case and separators changed) and noise.
        #[test]
        fn skipping_candidates_changes_nothing(
            pick in 0..LIBPQ_NAMES.len(),
            cut in 0usize..4,
            grow in "[a-zA-Z_ -]{0,3}",
            noise in "[a-zA-Z_ -]{0,24}",
            upper in proptest::bool::ANY,
        ) {
            let name = LIBPQ_NAMES[pick];
            let typo = format!("{}{grow}", &name[..name.len().saturating_sub(cut)]);
            let typo = if upper { typo.to_uppercase() } else { typo };
            for input in [typo.as_str(), noise.as_str()] {
                proptest::prop_assert_eq!(closest(input, LIBPQ_NAMES.iter().copied()), closest_measuring_all(input, LIBPQ_NAMES.iter().copied()));
                proptest::prop_assert_eq!(closest(input, MODES.iter().copied()), closest_measuring_all(input, MODES.iter().copied()));
            }
        }
    }

    static KW: &[Keyword] =
        &[Keyword::new("sslmode"), Keyword::aliases("Data Source", &["server", "addr"]), Keyword::secret("password", &["pwd"])];

    fn entry(k: &str, v: &str, at: usize) -> Entry {
        Entry {
            key: k.into(),
            value: v.into(),
            key_span: Span::new(at, at + k.len()),
            value_span: Span::new(at + k.len() + 1, at + k.len() + 1 + v.len()),
        }
    }

    #[test]
    fn folding_synonyms_duplicates_unknowns() {
        let t = Table { client: "test", keywords: KW, case: Case::Insensitive, duplicates: Duplicates::LastWins, unknown: Unknown::Error };
        let mut s = Settings::default();
        let mut issues = Vec::new();
        t.fold(
            [entry("Server", "a", 0), entry("Data Source", "b", 10), entry("slmode", "x", 30), entry("PWD", "p", 40)],
            &mut s,
            &mut issues,
        );
        assert_eq!(s.value("Data Source"), Some("b"));
        assert!(s.get("password").unwrap().secret);
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].kind, IssueKind::DuplicateParameter);
        assert_eq!(issues[1].kind, IssueKind::UnknownParameter);
        assert_eq!(issues[1].suggestion.as_deref(), Some("sslmode"));
        assert!(issues[1].fatal);
    }
}
