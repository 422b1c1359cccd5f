//! Microsoft JDBC Driver for SQL Server (mssql-jdbc).
//!
//! Sources: microsoft/mssql-jdbc `SQLServerDriver.java` (property enums,
//! `getNormalizedPropertyName`: names compared ignoring case, synonyms
//! `database`, `userName`, `server`, `domainName`, `port` and, in current
//! main, `uid`, `trusted_connection`, `app`, `connectTimeout`,
//! `columnEncryption`, `quotedId`; unknown names are logged and dropped),
//! `Util.parseUrl` (later properties replace earlier ones, including the
//! server, instance and port of the URL head; `UtilTest.testDuplicateKeywords`),
//! `EncryptOption` (`false|no|optional`, `true|mandatory`, `strict`; default
//! `true` since 10.2), `SSLProtocol` (`TLS`, `TLSv1` … `TLSv1.3`).
//! With `encrypt=false` the login-only handshake trusts any certificate
//! (`PermissiveX509TrustManager` when encryption is not requested);
//! `serverCertificate` is only used with `encrypt=strict`.

use super::common::{self, Level, Out, conflicts, explain_duplicates, written};
use crate::model::keywords::{Case, Duplicates, Entry, Keyword, Table, Unknown};
use crate::model::{CaSource, Client, Endpoint, Interpretation, Issue, IssueKind, Origin, TlsVersion, Transport};
use crate::syntax::{Span, Tree};

static KEYWORDS: &[Keyword] = &[
    // SQLServerDriverStringProperty
    Keyword::new("applicationIntent"),
    Keyword::aliases("applicationName", &["app"]),
    Keyword::new("prepareMethod"),
    Keyword::aliases("databaseName", &["database"]),
    Keyword::new("failoverPartner"),
    Keyword::new("hostNameInCertificate"),
    Keyword::new("instanceName"),
    Keyword::new("jaasConfigurationName"),
    Keyword::secret("password", &[]),
    Keyword::new("responseBuffering"),
    Keyword::new("selectMethod"),
    Keyword::aliases("domain", &["domainName"]),
    Keyword::aliases("serverName", &["server"]),
    Keyword::new("iPAddressPreference"),
    Keyword::new("serverSpn"),
    Keyword::new("realm"),
    Keyword::new("socketFactoryClass"),
    Keyword::new("socketFactoryConstructorArg"),
    Keyword::new("trustStoreType"),
    Keyword::new("trustStore"),
    Keyword::secret("trustStorePassword", &[]),
    Keyword::new("trustManagerClass"),
    Keyword::new("trustManagerConstructorArg"),
    Keyword::aliases("user", &["userName", "uid"]),
    Keyword::new("workstationID"),
    Keyword::new("authenticationScheme"),
    Keyword::new("authentication"),
    Keyword::secret("accessToken", &[]),
    Keyword::aliases("columnEncryptionSetting", &["columnEncryption"]),
    Keyword::new("enclaveAttestationUrl"),
    Keyword::new("enclaveAttestationProtocol"),
    Keyword::new("keyStoreAuthentication"),
    Keyword::secret("keyStoreSecret", &[]),
    Keyword::new("keyStoreLocation"),
    Keyword::new("sslProtocol"),
    Keyword::new("msiClientId"),
    Keyword::new("keyVaultProviderClientId"),
    Keyword::secret("keyVaultProviderClientKey", &[]),
    Keyword::new("keyStorePrincipalId"),
    Keyword::new("clientCertificate"),
    Keyword::new("clientKey"),
    Keyword::secret("clientKeyPassword", &[]),
    Keyword::new("AADSecurePrincipalId"),
    Keyword::secret("AADSecurePrincipalSecret", &[]),
    Keyword::new("maxResultBuffer"),
    Keyword::new("encrypt"),
    Keyword::new("serverCertificate"),
    Keyword::new("datetimeParameterType"),
    Keyword::new("accessTokenCallbackClass"),
    Keyword::new("retryExec"),
    Keyword::new("retryConn"),
    Keyword::aliases("quotedIdentifier", &["quotedId"]),
    Keyword::new("concatNullYieldsNull"),
    // SQLServerDriverIntProperty
    Keyword::new("packetSize"),
    Keyword::new("lockTimeout"),
    Keyword::aliases("loginTimeout", &["connectTimeout"]),
    Keyword::new("queryTimeout"),
    Keyword::aliases("portNumber", &["port"]),
    Keyword::new("socketTimeout"),
    Keyword::new("serverPreparedStatementDiscardThreshold"),
    Keyword::new("statementPoolingCacheSize"),
    Keyword::new("cancelQueryTimeout"),
    Keyword::new("connectRetryCount"),
    Keyword::new("connectRetryInterval"),
    Keyword::new("msiTokenCacheTtl"),
    // SQLServerDriverBooleanProperty
    Keyword::new("disableStatementPooling"),
    Keyword::aliases("integratedSecurity", &["trusted_connection"]),
    Keyword::new("lastUpdateCount"),
    Keyword::new("multiSubnetFailover"),
    Keyword::new("replication"),
    Keyword::new("serverNameAsACE"),
    Keyword::new("sendStringParametersAsUnicode"),
    Keyword::new("sendTimeAsDatetime"),
    Keyword::new("TransparentNetworkIPResolution"),
    Keyword::new("trustServerCertificate"),
    Keyword::new("xopenStates"),
    Keyword::new("fips"),
    Keyword::new("enablePrepareOnFirstPreparedStatementCall"),
    Keyword::new("useBulkCopyForBatchInsert"),
    Keyword::new("useFmtOnly"),
    Keyword::new("sendTemporalDataTypesAsStringForBulkCopy"),
    Keyword::new("delayLoadingLobs"),
    Keyword::new("ignoreOffsetOnDateTimeOffsetConversion"),
    Keyword::new("useDefaultJaasConfig"),
    Keyword::new("useDefaultGSSCredential"),
    Keyword::new("useFlexibleCallableStatements"),
    Keyword::new("calcBigDecimalScale"),
    Keyword::new("cacheBulkCopyMetadata"),
];

/// mssql-jdbc's property table.
pub static TABLE: Table = Table {
    client: "mssql-jdbc",
    keywords: KEYWORDS,
    case: Case::Insensitive,
    duplicates: Duplicates::LastWins,
    unknown: Unknown::Ignored,
};

const ENCRYPT: &[(&str, Level)] = &[
    ("true", Level::Required),
    ("mandatory", Level::Required),
    ("false", Level::LoginOnly),
    ("no", Level::LoginOnly),
    ("optional", Level::LoginOnly),
    ("strict", Level::Strict),
];

const SSL_PROTOCOLS: &[(&str, Option<TlsVersion>)] = &[
    ("TLS", None),
    ("TLSv1", Some(TlsVersion::Tls10)),
    ("TLSv1.1", Some(TlsVersion::Tls11)),
    ("TLSv1.2", Some(TlsVersion::Tls12)),
    ("TLSv1.3", Some(TlsVersion::Tls13)),
];

const BOOLEANS: &[&str] = &["trustServerCertificate", "integratedSecurity", "multiSubnetFailover", "fips", "sendStringParametersAsUnicode"];

/// Read `tree` as mssql-jdbc does.
pub fn interpret(tree: &Tree<'_>) -> Interpretation {
    let client = Client::MssqlJdbc;
    let mut out = Out::new(client);
    let src = tree.source();

    // The URL head sets serverName, instanceName and portNumber before the properties.
    let mut entries: Vec<Entry> = Vec::new();
    if let Some(h) = tree.hosts.first() {
        for (name, span) in [("serverName", h.name), ("instanceName", h.instance), ("portNumber", h.port)] {
            if let Some(span) = span {
                entries.push(Entry { key: name.into(), value: span.text(src).into(), key_span: Span::empty(span.start), value_span: span });
            }
        }
    }
    let pairs = written(tree);
    entries.extend(pairs.iter().map(|w| Entry {
        key: w.key.clone(),
        value: w.value.clone(),
        key_span: w.key_span,
        value_span: w.value_span,
    }));
    TABLE.fold(entries, &mut out.settings, &mut out.issues);
    for s in &mut out.settings.0 {
        if let Origin::Written { key: Some(k), value } = s.origin {
            if k.is_empty() {
                s.origin = Origin::Written { key: None, value };
            }
        }
    }
    explain_duplicates(&mut out, tree, Duplicates::LastWins);
    common::foreign_tls_keys(&mut out, &pairs);

    // Values.
    let mut level = Level::Required;
    if let Some((v, _, vspan)) = out.get("encrypt") {
        match ENCRYPT.iter().find(|(s, _)| s.eq_ignore_ascii_case(v.trim())) {
            Some(&(_, l)) => level = l,
            None => {
                let allowed: Vec<&str> = ENCRYPT.iter().map(|(s, _)| *s).collect();
                out.issue(common::invalid(
                    client,
                    common::Bad { key: "encrypt", value: &v, span: vspan },
                    &allowed,
                    Some("true"),
                    true,
                    "not a valid encrypt option",
                ));
            }
        }
    }
    let mut trust = false;
    for key in BOOLEANS {
        if let Some((v, _, vspan)) = out.get(key) {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" => trust |= *key == "trustServerCertificate",
                "false" => {}
                _ => {
                    let reason = format!("The property {key} does not contain a valid boolean value. Only true or false can be used.");
                    let secure = (*key == "trustServerCertificate").then_some("false");
                    out.issue(common::invalid(
                        client,
                        common::Bad { key, value: &v, span: vspan },
                        &["true", "false"],
                        secure,
                        true,
                        &reason,
                    ));
                }
            }
        }
    }
    let mut min_version = None;
    if let Some((v, _, vspan)) = out.get("sslProtocol") {
        match SSL_PROTOCOLS.iter().find(|(s, _)| s.eq_ignore_ascii_case(v.trim())) {
            Some(&(_, version)) => min_version = version,
            None => {
                let allowed: Vec<&str> = SSL_PROTOCOLS.iter().map(|(s, _)| *s).collect();
                let reason =
                    format!("SSL Protocol {} label is not valid. Only TLS, TLSv1, TLSv1.1, TLSv1.2, and TLSv1.3 are supported.", v.trim());
                out.issue(common::invalid(
                    client,
                    common::Bad { key: "sslProtocol", value: &v, span: vspan },
                    &allowed,
                    Some("TLSv1.2"),
                    true,
                    &reason,
                ));
            }
        }
    }

    // The server.
    let port = match out.get("portNumber") {
        Some((v, _, vspan)) => match v.trim().parse::<i64>().ok().filter(|n| (0..=65535).contains(n)) {
            Some(n) => u16::try_from(n).ok(),
            None => {
                out.issue(common::bad_port(client, "portNumber", &v, vspan, true, &format!("The port number {} is not valid.", v.trim())));
                None
            }
        },
        None => None,
    };
    let instance = out.get("instanceName").map(|(v, ..)| v);
    let server = out.get("serverName");
    let host = server.as_ref().map_or_else(|| "localhost".to_string(), |(v, ..)| v.clone());
    let span = server.map(|(_, s, _)| s);
    let port = port.or(if instance.is_none() { Some(1433) } else { None });
    out.endpoints.push(Endpoint { host, port, transport: Transport::Tcp, span });

    // TLS.
    let ca = if let Some((class, ..)) = out.get("trustManagerClass") {
        CaSource::Custom { description: format!("trust manager class {class}") }
    } else if let (Some((path, ..)), Level::Strict) = (out.get("serverCertificate"), level) {
        CaSource::Pinned { path, setting: "serverCertificate".into() }
    } else if let Some((path, ..)) = out.get("trustStore") {
        CaSource::File { path, setting: "trustStore".into() }
    } else {
        CaSource::System
    };
    let custom = matches!(ca, CaSource::Custom { .. });
    let mut tls = common::posture(level, trust, ca, false);
    tls.min_version = min_version;
    tls.decided_by.push("encrypt".into());
    if level != Level::Strict {
        tls.decided_by.push("trustServerCertificate".into());
    }
    if min_version.is_some() {
        tls.decided_by.push("sslProtocol".into());
        tls.notes.push("sslProtocol names the one protocol version the driver offers".into());
    }
    if level == Level::LoginOnly {
        tls.notes.push("only the login packet is encrypted, and that handshake accepts any certificate".into());
    }
    if custom && tls.server_auth != crate::model::ServerAuth::None {
        tls.decided_by.push("trustManagerClass".into());
        tls.notes.push("a custom trust manager decides which certificates are accepted; it may accept any".into());
    }
    if tls.server_auth != crate::model::ServerAuth::None {
        if let Some((name, ..)) = out.get("hostNameInCertificate") {
            tls.notes.push(format!("the certificate must name \"{name}\" instead of the server"));
            tls.decided_by.push("hostNameInCertificate".into());
        }
    }
    if let (Some((_, span, _)), true) = (out.get("serverCertificate"), level != Level::Strict) {
        out.issue(
            Issue::new(
                IssueKind::IgnoredSetting,
                span,
                "mssql-jdbc uses serverCertificate only with encrypt=strict; here it is ignored",
                false,
            )
            .with_key("serverCertificate"),
        );
    }
    conflicts(&mut out, level, "encrypt", "trustServerCertificate", trust, Some("hostNameInCertificate"));
    out.default("encrypt", "true");
    out.default("trustServerCertificate", "false");
    out.finish(tls)
}
