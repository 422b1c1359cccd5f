//! Building fixes. A fix that touches several parameters is built by
//! applying one operation at a time to a working copy of the string,
//! re-parsing after each, and finally reduced to the one minimal edit that
//! turns the original into the result: operations never see stale spans,
//! and the edit changes only the bytes that differ.

use super::context::Provider;
use super::facts::Facts;
use crate::model::{self, Analysis, Assignment, CaSource, Client, Interpretation, Options, ServerAuth};
use crate::syntax::{self, Edit, Form, Span, Tree, edit};

/// A working copy of a string that parameter operations rewrite.
pub struct FixBuilder<'o> {
    original: &'o str,
    current: String,
    form: Form,
    client: Client,
    opts: Options,
    /// For the current text: each effective setting's normalised name and
    /// the key that set it, when written. Interpreting is the expensive part
    /// of an operation, so this is kept until the text changes.
    origins: Option<Vec<(String, Option<Span>)>>,
}

/// Lower-case with spaces, `_` and `-` removed: `Trust Server Certificate`,
/// `TrustServerCertificate` and `trustservercertificate` compare equal.
fn normalized(key: &str) -> String {
    key.chars().filter(|c| !matches!(c, ' ' | '_' | '-')).map(|c| c.to_ascii_lowercase()).collect()
}

fn origins_of(interp: &Interpretation) -> Vec<(String, Option<Span>)> {
    interp
        .settings
        .iter()
        .map(|s| {
            let key = match s.origin {
                model::Origin::Written { key: Some(k), .. } => Some(k),
                _ => None,
            };
            (normalized(&s.name), key)
        })
        .collect()
}

impl<'o> FixBuilder<'o> {
    pub fn new(analysis: &Analysis<'o>, opts: &Options) -> Self {
        let tree = &analysis.tree;
        FixBuilder {
            original: tree.source(),
            current: tree.source().to_string(),
            form: tree.form,
            client: analysis.interpretation.client,
            opts: opts.clone(),
            origins: Some(origins_of(&analysis.interpretation)),
        }
    }

    /// Run `f` on the current text's tree and settings origins; `None` if it no longer parses.
    fn with<R>(&mut self, f: impl FnOnce(&Tree<'_>, &[(String, Option<Span>)]) -> R) -> Option<R> {
        let tree = syntax::parse(&self.current, self.form, self.client.dialect(self.form)).ok()?;
        if self.origins.is_none() {
            self.origins = Some(origins_of(&model::interpret(&tree, self.client, &self.opts)));
        }
        let origins = self.origins.as_deref().unwrap_or_default();
        Some(f(&tree, origins))
    }

    fn apply(&mut self, edits: Vec<Edit>) -> bool {
        if edits.is_empty() {
            return false;
        }
        match syntax::apply_edits(&self.current, &edits) {
            Some(next) => {
                self.current = next;
                self.origins = None;
                true
            }
            None => false,
        }
    }

    /// The written key of the setting `key` is in effect from, if written.
    fn effective(origins: &[(String, Option<Span>)], key: &str) -> Option<Span> {
        let want = normalized(key);
        origins.iter().find(|(n, _)| *n == want).and_then(|(_, k)| *k)
    }

    /// The written parameters that set `key` (any spelling or synonym the
    /// client folds into it), in order.
    fn params_for(tree: &Tree<'_>, origins: &[(String, Option<Span>)], key: &str) -> Vec<Span> {
        let want = normalized(key);
        let mut spans: Vec<Span> = Self::effective(origins, key).into_iter().collect();
        for p in &tree.params {
            if normalized(tree.key(p)) == want && !spans.contains(&p.key) {
                spans.push(p.key);
            }
        }
        spans.sort();
        spans
    }

    /// Make `key` = `value`: replace the effective occurrence's value or append.
    pub fn set(&mut self, key: &str, value: &str) -> bool {
        let edits = self.with(|tree, origins| {
            // The occurrence in effect is the setting's origin; otherwise the last one written.
            let effective = Self::effective(origins, key).or_else(|| Self::params_for(tree, origins, key).last().copied());
            let param = effective.and_then(|k| edit::param_at(tree, k));
            edit::set_param(tree, param, key, value)
        });
        edits.is_some_and(|e| self.apply(e))
    }

    /// Remove every occurrence of `key`.
    pub fn remove(&mut self, key: &str) -> bool {
        let mut changed = false;
        // One at a time: each removal shifts the spans of the next.
        for _ in 0..16 {
            let edits = self.with(|tree, origins| {
                let spans = Self::params_for(tree, origins, key);
                spans.first().and_then(|k| edit::param_at(tree, *k)).map(|p| edit::remove_param(tree, p)).unwrap_or_default()
            });
            let applied = edits.is_some_and(|e| self.apply(e));
            if !applied {
                break;
            }
            changed = true;
        }
        changed
    }

    /// Apply `assignments` in order.
    pub fn assign(&mut self, assignments: &[Assignment]) {
        for (k, v) in assignments {
            self.set(k, v);
        }
    }

    /// The one edit that turns the original into the current text, or
    /// `None` when nothing changed or the result does not parse.
    pub fn finish(self) -> Option<Edit> {
        if self.current == self.original {
            return None;
        }
        syntax::parse(&self.current, self.form, self.client.dialect(self.form)).ok()?;
        Some(minimal_edit(self.original, &self.current))
    }
}

/// The smallest single edit turning `a` into `b` (common prefix and suffix
/// trimmed on character boundaries).
pub fn minimal_edit(a: &str, b: &str) -> Edit {
    let prefix = a.char_indices().zip(b.chars()).take_while(|((_, x), y)| x == y).map(|((_, x), _)| x.len_utf8()).sum::<usize>();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let suffix = a_rest.chars().rev().zip(b_rest.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum::<usize>();
    let suffix = suffix.min(a_rest.len()).min(b_rest.len());
    Edit::replace(Span::new(prefix, a.len() - suffix), &b[prefix..b.len() - suffix])
}

/// What a TLS-tightening fix aims at, in words for the fix title.
#[derive(Clone, Debug)]
pub struct TlsTarget {
    pub edit: Edit,
    pub description: String,
    pub notes: Vec<String>,
}

/// The strongest posture the client can express and the provider's
/// certificates satisfy, as one edit of the string.
///
/// - verify-full (chain and host name) where the provider's certificates
///   carry the host name; verify-ca for Cloud SQL's per-instance CAs;
///   require where the client can express nothing stronger;
/// - the CA: kept when the string names one; the provider's bundle where the
///   provider uses its own CA; the system store otherwise (spelled the way
///   the client needs, e.g. libpq's `sslrootcert=system`);
/// - legacy and weakening keys (`requiressl`, `useSSL`, `sslfactory` …) removed.
pub fn tighten_tls(facts: &Facts<'_, '_>, opts: &Options) -> Option<TlsTarget> {
    let analysis = facts.analysis;
    let interp = &analysis.interpretation;
    let vocab = model::tls_vocabulary(interp.client, interp.database, opts);
    let provider = facts.provider;
    let names_host = facts.certificate_names_host();
    let (level, assignments) = match (names_host, vocab.verify_full, vocab.verify_ca, vocab.require) {
        (true, Some(a), _, _) => (ServerAuth::ChainAndHost, a),
        (_, _, Some(a), _) => (ServerAuth::Chain, a),
        (_, _, _, Some(a)) => (ServerAuth::None, a),
        _ => return None,
    };
    let mut b = FixBuilder::new(analysis, opts);
    let mut notes = Vec::new();
    for key in vocab.remove {
        b.remove(key);
    }
    b.assign(assignments);
    let mut ca_text = String::new();
    if level >= ServerAuth::Chain {
        let has_ca = matches!(interp.tls.ca, CaSource::File { .. } | CaSource::Pinned { .. } | CaSource::Custom { .. });
        let private_ca = provider.and_then(Provider::ca_file_name);
        // A Java key store setting takes a key store, not the provider's PEM bundle.
        let pem_key = vocab.ca_file.filter(|k| !super::checks::is_key_store(k, ""));
        match (has_ca, private_ca, pem_key) {
            (true, _, _) => {}
            (false, Some(file), None) => {
                if let (Some(p), Some(hint)) = (provider, provider.and_then(Provider::ca_hint)) {
                    notes.push(format!(
                        "{} certificates are issued by its own CA: add {hint} ({file}) to the trust store this client uses",
                        p.title()
                    ));
                }
            }
            (false, Some(file), Some(key)) => {
                b.set(key, file);
                ca_text = format!(" with {file}");
                if let (Some(p), Some(hint)) = (provider, provider.and_then(Provider::ca_hint)) {
                    notes.push(format!("{} certificates are issued by its own CA: put {hint} at {file}", p.title()));
                }
            }
            (false, _, _) => {
                if let Some(sys) = vocab.system_ca {
                    b.assign(sys);
                }
                ca_text = " against the system trust store".to_string();
            }
        }
    }
    let edit = b.finish()?;
    let description = match level {
        ServerAuth::ChainAndHost => format!("verify the certificate chain and host name{ca_text}"),
        ServerAuth::Chain => format!("verify the certificate chain{ca_text}"),
        ServerAuth::None => "require TLS".to_string(),
    };
    Some(TlsTarget { edit, description, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_edits() {
        assert_eq!(minimal_edit("a?sslmode=disable", "a?sslmode=verify-full"), Edit::replace(Span::new(10, 17), "verify-full"));
        assert_eq!(minimal_edit("abc", "abc&x=1"), Edit::replace(Span::new(3, 3), "&x=1"));
        assert_eq!(minimal_edit("aéb", "aéc"), Edit::replace(Span::new(3, 4), "c"));
        assert_eq!(minimal_edit("aa", "a"), Edit::replace(Span::new(1, 2), ""));
    }
}
