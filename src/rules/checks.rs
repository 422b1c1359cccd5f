//! Checks that need code: client issues found by the model, CA files read
//! from disk, provider-specific advice. A rule file names one with
//! `check: NAME`; each returns the places it fires.

use super::Context;
use super::context::Provider;
use super::diagnostic::{Applicability, Fix};
use super::facts::Facts;
use super::fixes::FixBuilder;
use crate::model::{CaSource, Client, IssueKind, Options};
use crate::syntax::{Edit, Span, decode, edit};
use std::path::{Path, PathBuf};

/// One place a check fires.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    pub span: Span,
    /// Values for the message template (`{issue}`, `{path}` …).
    pub vars: Vec<(&'static str, String)>,
    /// Whether the client refuses the string because of this.
    pub fatal: bool,
    /// A fix the check computed itself (overrides the rule's action).
    pub fix: Option<Fix>,
    pub notes: Vec<String>,
    /// The model issue behind the hit, for issue-based checks.
    pub suggestion: Option<String>,
}

/// The checks rule files can name.
pub const CHECKS: &[&str] = &[
    "source-error",
    "parse-error",
    "unknown-parameter",
    "invalid-value",
    "unescaped-userinfo",
    "duplicate-parameter",
    "invalid-port",
    "setting-ignored",
    "conflicting-settings",
    "ca-file-missing",
    "ca-expired",
    "ca-file-without-certificates",
    "stale-rds-ca",
    "ca-provider-mismatch",
    "provider-recommendation",
];

/// Run the check `name`.
pub fn run(name: &str, facts: &Facts<'_, '_>, opts: &Options) -> Vec<Hit> {
    let issue_kind = match name {
        "parse-error" => Some(IssueKind::Syntax),
        "unknown-parameter" => Some(IssueKind::UnknownParameter),
        "invalid-value" => Some(IssueKind::InvalidValue),
        "unescaped-userinfo" => Some(IssueKind::UnescapedUserinfo),
        "duplicate-parameter" => Some(IssueKind::DuplicateParameter),
        "invalid-port" => Some(IssueKind::InvalidPort),
        "setting-ignored" => Some(IssueKind::IgnoredSetting),
        "conflicting-settings" => Some(IssueKind::ConflictingSettings),
        _ => None,
    };
    if let Some(kind) = issue_kind {
        return issues(facts, kind);
    }
    match name {
        "ca-file-missing" => ca_file_missing(facts),
        "ca-expired" => ca_expired(facts),
        "ca-file-without-certificates" => ca_without_certificates(facts),
        "stale-rds-ca" => stale_rds_ca(facts),
        "ca-provider-mismatch" => ca_provider_mismatch(facts),
        "provider-recommendation" => provider_recommendation(facts, opts),
        _ => Vec::new(),
    }
}

/// Spans of template placeholders in a string (`${VAR}`, `{{ .Values.x }}`,
/// `$(VAR)`, `%(name)s`): text that a template engine or the environment
/// replaces before any client reads it.
pub fn placeholder_spans(text: &str) -> Vec<Span> {
    // (opening, closing) pairs; the placeholder runs to the first closing after the opening.
    const PAIRS: [(&[u8], &[u8]); 5] = [(b"${", b"}"), (b"{{", b"}}"), (b"$(", b")"), (b"%(", b")s"), (b"<%", b"%>")];
    use crate::syntax::bytes::find_short as find;
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (open, close) in PAIRS {
        let mut from = 0;
        while let Some(start) = b.get(from..).and_then(|h| find(h, open)).map(|i| from + i) {
            let body = start + open.len();
            match b.get(body..).and_then(|h| find(h, close)) {
                Some(end) => {
                    out.push(Span::new(start, body + end + close.len()));
                    from = body + end + close.len();
                }
                None => break,
            }
        }
    }
    out.sort();
    out
}

fn issues(facts: &Facts<'_, '_>, kind: IssueKind) -> Vec<Hit> {
    let settings = &facts.analysis.interpretation.settings;
    let placeholders = &facts.placeholders;
    // What a template fills in is not the client's problem: issues inside a placeholder are not reported.
    let templated = |i: &&crate::model::Issue| {
        placeholders.iter().any(|p| p.overlaps(i.span) || (i.span.is_empty() && p.start <= i.span.start && i.span.start <= p.end))
    };
    // `sslrootcert=system` with a weak mode has a rule of its own (DBL305).
    let covered = |i: &&crate::model::Issue| {
        kind == IssueKind::ConflictingSettings && i.key.as_deref() == Some("sslrootcert") && settings.value("sslrootcert") == Some("system")
    };
    facts
        .analysis
        .interpretation
        .issues
        .iter()
        .filter(|i| i.kind == kind && !covered(i) && !templated(i))
        .map(|i| Hit {
            span: i.span,
            vars: vec![("issue", i.message.clone())],
            fatal: i.fatal,
            suggestion: i.suggestion.clone(),
            ..Hit::default()
        })
        .collect()
}

/// Percent-encode the reserved characters of a user name or password,
/// leaving valid `%XX` escapes as they are (they are already encoded).
pub fn encode_userinfo(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let is_escape =
            bytes[i] == b'%' && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if is_escape {
            out.push_str(&text[i..i + 3]);
            i += 3;
            continue;
        }
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&decode::percent_encode_userinfo(&text[i..i + len]));
        i += len;
    }
    out
}

/// The fix of an issue-based hit, by action.
pub fn issue_fix(
    facts: &Facts<'_, '_>,
    hit: &Hit,
    action: super::spec::FixAction,
    title: &str,
    applicability: Applicability,
) -> Option<Fix> {
    use super::spec::FixAction;
    let tree = &facts.analysis.tree;
    let edits = match action {
        FixAction::Suggestion => vec![Edit::replace(hit.span, hit.suggestion.clone()?)],
        FixAction::PercentEncode => {
            let text = tree.text(hit.span);
            let encoded = encode_userinfo(text);
            if encoded == text {
                return None;
            }
            vec![Edit::replace(hit.span, encoded)]
        }
        FixAction::RemoveShadowed => {
            let p = tree.params.iter().find(|p| p.span.contains(hit.span) || hit.span.contains(p.key))?;
            let edits = edit::remove_param(tree, p);
            // Safe only when the removed occurrence says exactly what the one in effect says.
            let key = tree.key(p);
            let same = tree.params.iter().filter(|q| q.span != p.span && tree.key(q).eq_ignore_ascii_case(key)).any(|q| {
                let (a, b) = (p.value.map(|v| tree.unquoted_value(&v)), q.value.map(|v| tree.unquoted_value(&v)));
                a == b
            });
            let applicability = if same { applicability } else { applicability.min(Applicability::Unsafe) };
            return Some(Fix { title: title.to_string(), applicability, edits });
        }
        _ => return None,
    };
    Some(Fix { title: title.to_string(), applicability, edits })
}

/// A CA file named in the string, resolved the way the client resolves it.
struct CaFile {
    path: String,
    resolved: PathBuf,
    span: Span,
}

/// Whether a CA setting names a Java key store (JKS, PKCS#12) rather than
/// PEM or DER certificates: those files are read by the JVM, not by dblint.
pub fn is_key_store(setting: &str, path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    setting.to_ascii_lowercase().contains("store")
        || [".jks", ".p12", ".pfx", ".bcfks", ".keystore", ".truststore"].iter().any(|e| lower.ends_with(e))
}

fn ca_file(facts: &Facts<'_, '_>) -> Option<CaFile> {
    let interp = &facts.analysis.interpretation;
    let CaSource::File { path, setting } = &interp.tls.ca else { return None };
    if is_key_store(setting, path) {
        return None;
    }
    let span = interp.settings.get(setting).and_then(|s| s.origin.value_span()).unwrap_or(Span::new(0, facts.analysis.tree.source().len()));
    Some(CaFile { path: path.clone(), resolved: resolve(path, interp.client, facts.ctx), span })
}

/// Resolve a CA path: `~` is the home directory; a relative path is
/// relative to the schema directory for Prisma (it resolves certificate
/// paths against `./prisma`) and to the directory of the file holding the
/// string for everything else.
fn resolve(path: &str, client: Client, ctx: &Context) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/").or_else(|| path.strip_prefix("$HOME/")) {
        if let Some(home) = std::env::var_os("HOME") {
            return Path::new(&home).join(rest);
        }
    }
    let p = Path::new(path);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let base = if client == Client::Prisma { ctx.prisma_dir.as_ref().or(ctx.base_dir.as_ref()) } else { ctx.base_dir.as_ref() };
    match base {
        Some(b) => b.join(p),
        None => p.to_path_buf(),
    }
}

fn ca_file_missing(facts: &Facts<'_, '_>) -> Vec<Hit> {
    let Some(ca) = ca_file(facts) else { return Vec::new() };
    if ca.path.eq_ignore_ascii_case("system") || ca.path.contains("${") || ca.resolved.exists() {
        return Vec::new();
    }
    vec![Hit { span: ca.span, vars: vec![("path", ca.resolved.display().to_string())], ..Hit::default() }]
}

/// One certificate of a CA file, as much as the rules need.
#[derive(Clone, Debug)]
pub struct CaCert {
    pub subject_cn: String,
    pub not_after: i64,
}

/// Read the certificates of a PEM (or single DER) file.
pub fn read_certs(path: &Path) -> Option<Vec<CaCert>> {
    let data = std::fs::read(path).ok()?;
    let mut out = Vec::new();
    // Only the subject and the validity are read: the extensions are left unparsed.
    let mut parser = x509_parser::certificate::X509CertificateParser::new().with_deep_parse_extensions(false);
    let mut push = |der: &[u8]| {
        use x509_parser::nom::Parser as _;
        if let Ok((_, cert)) = parser.parse(der) {
            let cn = cert.subject().iter_common_name().next().and_then(|c| c.as_str().ok()).unwrap_or("").to_string();
            out.push(CaCert { subject_cn: cn, not_after: cert.validity().not_after.timestamp() });
        }
    };
    if data.starts_with(b"-----") || data.windows(11).any(|w| w == b"-----BEGIN ") {
        for pem in x509_parser::pem::Pem::iter_from_buffer(&data).flatten() {
            push(&pem.contents);
        }
    } else {
        push(&data);
    }
    Some(out)
}

fn ca_without_certificates(facts: &Facts<'_, '_>) -> Vec<Hit> {
    let Some(ca) = ca_file(facts) else { return Vec::new() };
    // Directories (`ssl-capath`, `sslrootcert` pointing at a hashed dir) are not files of certificates.
    if !ca.resolved.is_file() {
        return Vec::new();
    }
    match facts.ca_certs(&ca.resolved) {
        Some([]) => vec![Hit { span: ca.span, vars: vec![("path", ca.path.clone())], fatal: true, ..Hit::default() }],
        _ => Vec::new(),
    }
}

const DAY: i64 = 86_400;

fn ca_expired(facts: &Facts<'_, '_>) -> Vec<Hit> {
    let Some(ca) = ca_file(facts) else { return Vec::new() };
    let Some(certs) = facts.ca_certs(&ca.resolved) else { return Vec::new() };
    let now = facts.ctx.now;
    let expired: Vec<&CaCert> = certs.iter().filter(|c| c.not_after < now).collect();
    let soon: Vec<&CaCert> = certs.iter().filter(|c| c.not_after >= now && c.not_after < now + 30 * DAY).collect();
    if expired.is_empty() && soon.is_empty() {
        return Vec::new();
    }
    let date = |t: i64| {
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = t.div_euclid(DAY) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}")
    };
    let all_expired = expired.len() == certs.len();
    let (what, list) = if expired.is_empty() { ("expires within 30 days", soon) } else { ("has expired", expired) };
    let first = list[0];
    let detail = if list.len() == 1 {
        format!("\"{}\" (not after {})", first.subject_cn, date(first.not_after))
    } else {
        format!("{} certificates, e.g. \"{}\" (not after {})", list.len(), first.subject_cn, date(first.not_after))
    };
    let all = list.len() == certs.len();
    let mut notes = Vec::new();
    if !all {
        notes.push(format!("{} of {} certificates in the file are still valid", certs.len() - list.len(), certs.len()));
    }
    vec![Hit {
        span: ca.span,
        vars: vec![("what", what.to_string()), ("certs", detail), ("path", ca.path.clone())],
        fatal: all_expired,
        notes,
        ..Hit::default()
    }]
}

/// Legacy RDS bundle names (`domain.md` §1.4).
fn legacy_rds_name(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("rds-combined-ca")
        || name.starts_with("rds-ca-2019")
        || name.starts_with("rds-ca-2015")
        || (name.starts_with("rds-ca-") && name.contains("2019-root"))
}

/// Certificates of the retired RDS generations: the 2015 root and regional
/// CAs, and the 2019 root and intermediates.
fn retired_rds_cert(cn: &str) -> bool {
    let cn = cn.trim();
    cn.starts_with("Amazon RDS ") && !cn.contains(" G1")
}

fn stale_rds_ca(facts: &Facts<'_, '_>) -> Vec<Hit> {
    if !matches!(facts.provider, Some(Provider::Rds | Provider::Aurora)) {
        return Vec::new();
    }
    let Some(ca) = ca_file(facts) else { return Vec::new() };
    let by_name = legacy_rds_name(&ca.path);
    let certs = facts.ca_certs(&ca.resolved).unwrap_or_default();
    let retired: Vec<&CaCert> = certs.iter().filter(|c| retired_rds_cert(&c.subject_cn)).collect();
    let current = certs.iter().any(|c| c.subject_cn.contains(" G1"));
    if !by_name && (retired.is_empty() || current) {
        return Vec::new();
    }
    let why = if by_name {
        format!("\"{}\" is a retired RDS bundle name", ca.path)
    } else {
        format!("it holds retired RDS certificates (\"{}\")", retired[0].subject_cn)
    };
    vec![Hit { span: ca.span, vars: vec![("why", why), ("path", ca.path.clone())], ..Hit::default() }]
}

/// The fix of a stale RDS CA: the global bundle, in the same directory.
pub fn replace_ca_fix(facts: &Facts<'_, '_>, hit: &Hit, title: &str, applicability: Applicability, opts: &Options) -> Option<Fix> {
    let interp = &facts.analysis.interpretation;
    let CaSource::File { path, setting } = &interp.tls.ca else { return None };
    let dir_len = path.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let new_path = format!("{}global-bundle.pem", &path[..dir_len]);
    let mut b = FixBuilder::new(facts.analysis, opts);
    b.set(setting, &new_path);
    let _ = hit;
    Some(Fix { title: title.replace("{new}", &new_path), applicability, edits: vec![b.finish()?] })
}

fn ca_provider_mismatch(facts: &Facts<'_, '_>) -> Vec<Hit> {
    let Some(ca) = ca_file(facts) else { return Vec::new() };
    let name = ca.path.rsplit(['/', '\\']).next().unwrap_or(&ca.path).to_ascii_lowercase();
    let certs = facts.ca_certs(&ca.resolved).unwrap_or_default();
    let cns: Vec<&str> = certs.iter().map(|c| c.subject_cn.as_str()).collect();
    let why = match facts.provider {
        Some(Provider::RdsProxy) => {
            let rds_bundle = name.starts_with("rds-")
                || name == "global-bundle.pem"
                || name.ends_with("-bundle.pem")
                || cns.iter().any(|c| c.starts_with("Amazon RDS"));
            let amazon_root = cns.iter().any(|c| c.starts_with("Amazon Root CA") || c.starts_with("Starfield"));
            (rds_bundle && !amazon_root)
                .then(|| "RDS Proxy presents ACM certificates from Amazon Root CA 1, which RDS CA bundles do not contain".to_string())
        }
        Some(Provider::AzurePostgres | Provider::AzureMysql | Provider::AzureSql) => {
            let retired = |s: &str| s.contains("baltimorecybertrustroot") || (s.contains("digicertglobalrootca") && !s.contains("g2"));
            let retired_cn = cns.iter().any(|c| *c == "Baltimore CyberTrust Root" || *c == "DigiCert Global Root CA");
            let current_cn =
                cns.iter().any(|c| *c == "DigiCert Global Root G2" || c.starts_with("Microsoft RSA Root Certificate Authority 2017"));
            ((retired(&name) && certs.is_empty()) || (retired_cn && !current_cn))
                .then(|| "Azure moved to DigiCert Global Root G2 and Microsoft RSA Root Certificate Authority 2017; this file holds a retired root only".to_string())
        }
        _ => None,
    };
    why.map(|w| vec![Hit { span: ca.span, vars: vec![("why", w), ("path", ca.path.clone())], ..Hit::default() }]).unwrap_or_default()
}

fn provider_recommendation(facts: &Facts<'_, '_>, opts: &Options) -> Vec<Hit> {
    let interp = &facts.analysis.interpretation;
    let settings = &interp.settings;
    let whole = Span::new(0, facts.analysis.tree.source().len());
    let host_span = interp.endpoints.first().and_then(|e| e.span).unwrap_or(whole);
    let mut hits = Vec::new();
    let mut recommend = |advice: String, set: &[(&str, &str)], applicability: Applicability| {
        let mut b = FixBuilder::new(facts.analysis, opts);
        for (k, v) in set {
            b.set(k, v);
        }
        let fix = b.finish().map(|e| Fix {
            title: format!("Set {}", set.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")),
            applicability,
            edits: vec![e],
        });
        hits.push(Hit { span: host_span, vars: vec![("advice", advice)], fix, ..Hit::default() });
    };
    let port = interp.endpoints.first().and_then(|e| e.port);
    let encrypted = interp.tls.encryption == crate::model::Encryption::Required;
    match (facts.provider, interp.client) {
        // The shared pooler and the dedicated one (db.<ref>.supabase.co) both pool transactions on 6543.
        (Some(Provider::SupabasePooler | Provider::Supabase), Client::Prisma)
            if port == Some(6543) && settings.value("pgbouncer") != Some("true") =>
        {
            recommend(
                "the Supabase transaction pooler (port 6543) needs pgbouncer=true with Prisma, or prepared statements fail".into(),
                &[("pgbouncer", "true")],
                Applicability::Safe,
            )
        }
        (Some(Provider::Neon), Client::Libpq) if encrypted && settings.value("channel_binding") != Some("require") => recommend(
            "Neon supports SCRAM channel binding; channel_binding=require stops a man in the middle from downgrading authentication".into(),
            &[("channel_binding", "require")],
            Applicability::Unsafe,
        ),
        (Some(Provider::AzureSql), Client::MssqlJdbc) if settings.iter().all(|s| !s.name.eq_ignore_ascii_case("hostNameInCertificate")) => {
            recommend(
                "Azure SQL's connection strings name the certificate's host, *.database.windows.net, for JDBC".into(),
                &[("hostNameInCertificate", "*.database.windows.net")],
                Applicability::Unsafe,
            )
        }
        (Some(Provider::CloudSql), _)
            if !facts.certificate_names_host() && interp.tls.server_auth == crate::model::ServerAuth::ChainAndHost =>
        {
            let vocab = crate::model::tls_vocabulary(interp.client, interp.database, opts);
            if let Some(ca) = vocab.verify_ca {
                recommend(
                    "Cloud SQL's per-instance CA issues certificates without the instance's address, so host-name verification fails; verify the chain only".into(),
                    ca,
                    Applicability::Unsafe,
                );
            }
        }
        _ => {}
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_of_every_kind() {
        let s = "postgres://${USER}:{{ .Values.pw }}@$(HOST):%(port)s/<%= db %>?x=%41&y=${unclosed";
        let found: Vec<&str> = placeholder_spans(s).iter().map(|p| p.text(s)).collect();
        assert_eq!(found, ["${USER}", "{{ .Values.pw }}", "$(HOST)", "%(port)s", "<%= db %>"]);
        assert!(placeholder_spans("postgresql://app:p%40ss@db/app?sslmode=require").is_empty());
        assert!(placeholder_spans("").is_empty());
        assert_eq!(placeholder_spans("a$${B}"), [Span::new(2, 6)]);
    }

    #[test]
    fn userinfo_encoding_keeps_escapes() {
        assert_eq!(encode_userinfo("p@ss%40w#rd"), "p%40ss%40w%23rd");
        assert_eq!(encode_userinfo("100%"), "100%25");
        assert_eq!(encode_userinfo("ünï"), "%C3%BCn%C3%AF");
    }

    #[test]
    fn rds_names() {
        assert!(legacy_rds_name("/etc/ssl/rds-combined-ca-bundle.pem"));
        assert!(legacy_rds_name("rds-ca-2019-root.pem"));
        assert!(!legacy_rds_name("global-bundle.pem"));
        assert!(retired_rds_cert("Amazon RDS Root 2019 CA"));
        assert!(retired_rds_cert("Amazon RDS us-east-1 2019 CA"));
        assert!(retired_rds_cert("Amazon RDS ap-northeast-1 CA"));
        assert!(retired_rds_cert("Amazon RDS af-south-1 Root CA"));
        assert!(!retired_rds_cert("Amazon RDS us-east-1 Root CA RSA2048 G1"));
        assert!(!retired_rds_cert("Amazon RDS us-east-1 Subordinate CA RSA2048 G1.A.3"));
    }
}
