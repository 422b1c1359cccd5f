//! What a rule knows about a string beyond its text: the environment it is
//! deployed to, how exposed its host is, and which provider runs it.

use crate::model::{Endpoint, Transport};
use serde::Serialize;
use std::net::IpAddr;
use std::path::Path;

/// The environment a string is used in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    Production,
    Development,
    #[default]
    Unknown,
}

impl Environment {
    pub fn name(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Development => "development",
            Environment::Unknown => "unknown",
        }
    }

    pub fn from_name(s: &str) -> Option<Environment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Some(Environment::Production),
            "development" | "dev" | "test" | "local" => Some(Environment::Development),
            "unknown" => Some(Environment::Unknown),
            _ => None,
        }
    }

    /// The environment a file name implies: `.env.production`, `.env.prod`,
    /// `appsettings.Production.json`, `application-prod.properties`,
    /// `values.production.yaml` … and their development counterparts.
    pub fn from_path(path: &Path) -> Environment {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return Environment::Unknown };
        let lower = name.to_ascii_lowercase();
        // Split the name into words on the separators such files use.
        let words: Vec<&str> = lower.split(['.', '-', '_']).filter(|w| !w.is_empty()).collect();
        let has = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
        if has(&["production", "prod", "prd", "live"]) {
            Environment::Production
        } else if has(&["development", "dev", "local", "test", "testing", "example", "sample", "ci"]) {
            Environment::Development
        } else {
            Environment::Unknown
        }
    }
}

/// How exposed a host is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Locality {
    /// A Unix-domain socket or named pipe: no network at all.
    Socket,
    /// localhost, 127.0.0.0/8, ::1.
    Loopback,
    /// A single-label name such as a compose service (`db`, `postgres`).
    Service,
    /// Private address ranges and internal DNS suffixes.
    Private,
    /// Anything else: reachable across networks you do not control.
    Public,
}

impl Locality {
    pub fn name(self) -> &'static str {
        match self {
            Locality::Socket => "socket",
            Locality::Loopback => "loopback",
            Locality::Service => "service",
            Locality::Private => "private",
            Locality::Public => "public",
        }
    }

    /// Loopback and sockets: traffic never leaves the machine.
    pub fn is_local(self) -> bool {
        matches!(self, Locality::Socket | Locality::Loopback)
    }

    /// The locality of one endpoint.
    pub fn of(endpoint: &Endpoint) -> Locality {
        if endpoint.transport != Transport::Tcp {
            return Locality::Socket;
        }
        Locality::of_host(&endpoint.host)
    }

    /// The locality of a host name or address.
    pub fn of_host(host: &str) -> Locality {
        let h = host.trim().trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
        if h.is_empty() || h.starts_with('/') || h.starts_with('@') || h.starts_with(r"\\.\pipe") {
            return Locality::Socket;
        }
        if matches!(h.as_str(), "localhost" | "localhost.localdomain" | "ip6-localhost" | "(local)" | "." | "(localdb)")
            || h.ends_with(".localhost")
        {
            return Locality::Loopback;
        }
        if h.starts_with("(localdb)") || h.starts_with(r".\") || h.starts_with(r"(local)\") || h.starts_with(r"localhost\") {
            return Locality::Loopback;
        }
        // Zone ids (`fe80::1%eth0`) are not part of the address.
        let addr = h.split('%').next().unwrap_or(&h);
        if let Ok(ip) = addr.parse::<IpAddr>() {
            return match ip {
                IpAddr::V4(v4) if v4.is_loopback() || v4.is_unspecified() => Locality::Loopback,
                IpAddr::V4(v4)
                    if v4.is_private() || v4.is_link_local() || (v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])) =>
                {
                    Locality::Private
                }
                IpAddr::V6(v6) if v6.is_loopback() || v6.is_unspecified() => Locality::Loopback,
                IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 || (v6.segments()[0] & 0xffc0) == 0xfe80 => Locality::Private,
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => Locality::of_host(&v4.to_string()),
                    None => Locality::Public,
                },
                _ => Locality::Public,
            };
        }
        const PRIVATE_SUFFIXES: [&str; 9] =
            [".internal", ".local", ".lan", ".home.arpa", ".svc", ".svc.cluster.local", ".cluster.local", ".corp", ".intranet"];
        if PRIVATE_SUFFIXES.iter().any(|s| h.ends_with(s)) || h.contains(".privatelink.") || h.starts_with("private-") {
            return Locality::Private;
        }
        if !h.contains('.') && !h.contains(':') {
            return Locality::Service;
        }
        Locality::Public
    }

    /// The most exposed locality among `endpoints` (Public beats Private …).
    /// No endpoint at all means the client's default: a local socket or
    /// localhost.
    pub fn of_all(endpoints: &[Endpoint]) -> Locality {
        endpoints.iter().map(Locality::of).max().unwrap_or(Locality::Loopback)
    }
}

/// A managed database provider recognised from a host name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Amazon RDS DB instance.
    Rds,
    /// Aurora cluster endpoint (writer, reader, custom, limitless).
    Aurora,
    /// RDS Proxy: ACM certificates (Amazon Root CA 1), not the RDS CAs.
    RdsProxy,
    AzureSql,
    AzurePostgres,
    AzureMysql,
    CloudSql,
    Supabase,
    /// Supabase's shared or dedicated pooler (Supavisor).
    SupabasePooler,
    Neon,
    PlanetScale,
    DigitalOcean,
    CockroachCloud,
    Aiven,
    TidbCloud,
    Heroku,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Rds => "rds",
            Provider::Aurora => "aurora",
            Provider::RdsProxy => "rds-proxy",
            Provider::AzureSql => "azure-sql",
            Provider::AzurePostgres => "azure-postgres",
            Provider::AzureMysql => "azure-mysql",
            Provider::CloudSql => "cloud-sql",
            Provider::Supabase => "supabase",
            Provider::SupabasePooler => "supabase-pooler",
            Provider::Neon => "neon",
            Provider::PlanetScale => "planetscale",
            Provider::DigitalOcean => "digitalocean",
            Provider::CockroachCloud => "cockroach-cloud",
            Provider::Aiven => "aiven",
            Provider::TidbCloud => "tidb-cloud",
            Provider::Heroku => "heroku",
        }
    }

    /// A name for messages.
    pub fn title(self) -> &'static str {
        match self {
            Provider::Rds => "Amazon RDS",
            Provider::Aurora => "Amazon Aurora",
            Provider::RdsProxy => "Amazon RDS Proxy",
            Provider::AzureSql => "Azure SQL",
            Provider::AzurePostgres => "Azure Database for PostgreSQL",
            Provider::AzureMysql => "Azure Database for MySQL",
            Provider::CloudSql => "Google Cloud SQL",
            Provider::Supabase => "Supabase",
            Provider::SupabasePooler => "Supabase pooler",
            Provider::Neon => "Neon",
            Provider::PlanetScale => "PlanetScale",
            Provider::DigitalOcean => "DigitalOcean",
            Provider::CockroachCloud => "CockroachDB Cloud",
            Provider::Aiven => "Aiven",
            Provider::TidbCloud => "TiDB Cloud",
            Provider::Heroku => "Heroku Postgres",
        }
    }

    /// Recognise the provider of a host (case-insensitive), following the
    /// hostname patterns providers publish (`domain.md` §1.5, §2).
    pub fn detect(host: &str) -> Option<Provider> {
        let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
        let ends = |s: &str| h.ends_with(s);
        // Heroku's databases live on RDS-shaped hosts in one fixed account.
        if h.contains(".cluster-czrs8kj4isg7.") || (ends(".compute-1.amazonaws.com") && h.starts_with("ec2-")) {
            return Some(Provider::Heroku);
        }
        let rds = ends(".rds.amazonaws.com")
            || ends(".rds.amazonaws.com.cn")
            || (h.contains(".rds.")
                && (ends(".amazonaws.com") || ends(".amazonaws.com.cn") || ends(".c2s.ic.gov") || ends(".sc2s.sgov.gov")));
        if rds {
            let labels: Vec<&str> = h.split('.').collect();
            let second = labels.get(1).copied().unwrap_or("");
            // RDS Proxy: `<proxy>.proxy-<id>.…`, and additional endpoints `<name>.endpoint.proxy-<id>.…`.
            let proxy = second.starts_with("proxy-") || (second == "endpoint" && labels.get(2).is_some_and(|l| l.starts_with("proxy-")));
            return Some(if proxy {
                Provider::RdsProxy
            } else if ["cluster-", "cluster-ro-", "cluster-custom-", "shardgrp-"].iter().any(|p| second.starts_with(p)) {
                Provider::Aurora
            } else {
                Provider::Rds
            });
        }
        if h.contains(".postgres.database.") && (ends(".azure.com") || ends(".usgovcloudapi.net") || ends(".chinacloudapi.cn")) {
            return Some(Provider::AzurePostgres);
        }
        if h.contains(".mysql.database.") && (ends(".azure.com") || ends(".usgovcloudapi.net") || ends(".chinacloudapi.cn")) {
            return Some(Provider::AzureMysql);
        }
        let azure_sql = [
            ".database.windows.net",
            ".database.chinacloudapi.cn",
            ".database.usgovcloudapi.net",
            ".database.cloudapi.de",
            ".database.fabric.microsoft.com",
        ];
        if azure_sql.iter().any(|s| ends(s)) {
            return Some(Provider::AzureSql);
        }
        let table: [(&str, Provider); 9] = [
            (".sql.goog", Provider::CloudSql),
            (".pooler.supabase.com", Provider::SupabasePooler),
            (".supabase.co", Provider::Supabase),
            (".neon.tech", Provider::Neon),
            (".psdb.cloud", Provider::PlanetScale),
            (".db.ondigitalocean.com", Provider::DigitalOcean),
            (".cockroachlabs.cloud", Provider::CockroachCloud),
            (".aivencloud.com", Provider::Aiven),
            (".tidbcloud.com", Provider::TidbCloud),
        ];
        table.iter().find(|(s, _)| ends(s)).map(|(_, p)| *p)
    }

    /// Whether the provider refuses unencrypted connections by default, so
    /// that turning TLS off makes the connection fail.
    pub fn enforces_tls(self) -> bool {
        matches!(
            self,
            Provider::AzureSql
                | Provider::AzurePostgres
                | Provider::AzureMysql
                | Provider::Neon
                | Provider::PlanetScale
                | Provider::DigitalOcean
                | Provider::CockroachCloud
                | Provider::Aiven
                | Provider::TidbCloud
                | Provider::Heroku
                | Provider::RdsProxy
        )
    }

    /// Whether the provider's server certificates chain to a root that
    /// operating-system trust stores carry, so the system store verifies them.
    pub fn public_ca(self) -> bool {
        matches!(
            self,
            Provider::AzureSql
                | Provider::AzurePostgres
                | Provider::AzureMysql
                | Provider::Neon
                | Provider::PlanetScale
                | Provider::TidbCloud
                | Provider::RdsProxy
        )
    }

    /// Where the provider's CA certificate comes from, for messages and fixes.
    pub fn ca_hint(self) -> Option<&'static str> {
        Some(match self {
            Provider::Rds | Provider::Aurora => "the RDS global bundle, https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem",
            Provider::RdsProxy => "Amazon Root CA 1 (https://www.amazontrust.com/repository/AmazonRootCA1.pem) or the system store",
            Provider::CloudSql => "the instance's server CA (gcloud sql ssl server-ca-certs list)",
            Provider::Supabase | Provider::SupabasePooler => "the project's CA certificate (prod-ca-2021.crt, from Database Settings)",
            Provider::DigitalOcean => "the cluster's ca-certificate.crt from the control panel",
            Provider::CockroachCloud => "the cluster CA from the Cloud console",
            Provider::Aiven => "the project CA (ca.pem) from the Aiven console",
            Provider::Heroku => return None,
            _ => "the system trust store",
        })
    }

    /// The file name of the CA bundle a fix points at, for providers whose
    /// CA is not in system trust stores.
    pub fn ca_file_name(self) -> Option<&'static str> {
        Some(match self {
            Provider::Rds | Provider::Aurora => "global-bundle.pem",
            Provider::CloudSql => "server-ca.pem",
            Provider::Supabase | Provider::SupabasePooler => "prod-ca-2021.crt",
            Provider::DigitalOcean => "ca-certificate.crt",
            Provider::CockroachCloud => "root.crt",
            Provider::Aiven => "ca.pem",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localities() {
        for (h, l) in [
            ("localhost", Locality::Loopback),
            ("127.0.0.1", Locality::Loopback),
            ("::1", Locality::Loopback),
            ("[::1]", Locality::Loopback),
            ("/var/run/postgresql", Locality::Socket),
            ("", Locality::Socket),
            ("db", Locality::Service),
            ("10.0.3.4", Locality::Private),
            ("192.168.1.10", Locality::Private),
            ("172.20.0.2", Locality::Private),
            ("postgres.railway.internal", Locality::Private),
            ("mydb.default.svc.cluster.local", Locality::Private),
            ("db.example.com", Locality::Public),
            ("8.8.8.8", Locality::Public),
            ("(local)", Locality::Loopback),
            (r".\SQLEXPRESS", Locality::Loopback),
        ] {
            assert_eq!(Locality::of_host(h), l, "{h}");
        }
    }

    #[test]
    fn providers() {
        for (h, p) in [
            ("mydb.c9akciq32.us-east-1.rds.amazonaws.com", Some(Provider::Rds)),
            ("mycluster.cluster-c9akciq32.us-east-1.rds.amazonaws.com", Some(Provider::Aurora)),
            ("mycluster.cluster-ro-c9akciq32.us-east-1.rds.amazonaws.com", Some(Provider::Aurora)),
            ("the-proxy.proxy-demo.us-east-1.rds.amazonaws.com", Some(Provider::RdsProxy)),
            ("c3gtj1dt5vh48j.cluster-czrs8kj4isg7.us-east-1.rds.amazonaws.com", Some(Provider::Heroku)),
            ("myserver.database.windows.net", Some(Provider::AzureSql)),
            ("pg.postgres.database.usgovcloudapi.net", Some(Provider::AzurePostgres)),
            ("my.mysql.database.chinacloudapi.cn", Some(Provider::AzureMysql)),
            ("ro.endpoint.proxy-demo.us-east-1.rds.amazonaws.com", Some(Provider::RdsProxy)),
            ("mydemoserver.postgres.database.azure.com", Some(Provider::AzurePostgres)),
            ("mydemoserver.mysql.database.azure.com", Some(Provider::AzureMysql)),
            ("db.abcdefghijkl.supabase.co", Some(Provider::Supabase)),
            ("aws-0-eu-central-1.pooler.supabase.com", Some(Provider::SupabasePooler)),
            ("ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech", Some(Provider::Neon)),
            ("aws.connect.psdb.cloud", Some(Provider::PlanetScale)),
            ("db-postgresql-nyc3-12345-do-user-123456-0.b.db.ondigitalocean.com", Some(Provider::DigitalOcean)),
            ("free-tier4.aws-us-west-2.cockroachlabs.cloud", Some(Provider::CockroachCloud)),
            ("pg-1234-myproj.a.aivencloud.com", Some(Provider::Aiven)),
            ("gateway01.us-west-2.prod.aws.tidbcloud.com", Some(Provider::TidbCloud)),
            ("abcde.12345.us-central1.sql.goog", Some(Provider::CloudSql)),
            ("db.example.com", None),
        ] {
            assert_eq!(Provider::detect(h), p, "{h}");
        }
    }

    #[test]
    fn environments_from_file_names() {
        for (f, e) in [
            (".env.production", Environment::Production),
            (".env.prod", Environment::Production),
            ("appsettings.Production.json", Environment::Production),
            ("application-prod.properties", Environment::Production),
            (".env.development", Environment::Development),
            (".env.local", Environment::Development),
            (".env", Environment::Unknown),
            ("appsettings.json", Environment::Unknown),
        ] {
            assert_eq!(Environment::from_path(Path::new(f)), e, "{f}");
        }
    }
}
