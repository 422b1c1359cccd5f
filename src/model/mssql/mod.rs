//! The SQL Server family: how each client reads its strings.
//!
//! | client | form | `Encrypt` default | module |
//! |---|---|---|---|
//! | Microsoft.Data.SqlClient ≥ 5 (`sqlclient`) | ADO.NET | Mandatory | [`sqlclient`] |
//! | ODBC Driver 18 (`odbc18`) | ODBC, ADO.NET | yes | [`odbc`] |
//! | mssql-jdbc (`mssql-jdbc`) | `jdbc:sqlserver://` | true (since 10.2) | [`jdbc`] |
//! | node-mssql + tedious (`tedious`) | ADO.NET | true | [`tedious`] |
//! | Prisma (`prisma`) | `sqlserver://` | login only (tiberius) | [`prisma`] |
//!
//! Every client maps its settings onto the TDS ladder of [`common::Level`]:
//! off, login packet only, all traffic, or TDS 8 strict; then
//! TrustServerCertificate decides whether the server is authenticated.

pub mod common;
pub mod jdbc;
pub mod odbc;
pub mod prisma;
pub mod sqlclient;
pub mod tedious;

use super::{Client, Interpretation, Issue, IssueKind, Options, TlsPosture, TlsVocabulary};
use crate::syntax::{self, Span, Tree};
use common::Out;

/// Read `tree` as `client` does. A tree split by another client's dialect
/// is split again the client's way first; if that fails, the client
/// rejects the string ([`IssueKind::Syntax`]). A client outside the SQL
/// Server family is replaced by the form's default client.
pub fn interpret(tree: &Tree<'_>, client: Client, _opts: &Options) -> Interpretation {
    let client = if matches!(client, Client::SqlClient | Client::Odbc18 | Client::MssqlJdbc | Client::Tedious | Client::Prisma) {
        client
    } else {
        Client::default_for(tree.form)
    };
    let dialect = client.dialect(tree.form);
    if tree.dialect != dialect {
        return match syntax::parse(tree.source(), tree.form, dialect) {
            Ok(own) if own.dialect == dialect => read(&own, client),
            Ok(_) => {
                rejected(tree, client, format!("{client} does not read {} strings", tree.form.name()), Span::new(0, tree.source().len()))
            }
            Err(e) => rejected(tree, client, e.message, e.span),
        };
    }
    read(tree, client)
}

fn read(tree: &Tree<'_>, client: Client) -> Interpretation {
    match client {
        Client::Odbc18 => odbc::interpret(tree),
        Client::MssqlJdbc => jdbc::interpret(tree),
        Client::Tedious => tedious::interpret(tree),
        Client::Prisma => prisma::interpret(tree),
        _ => sqlclient::interpret(tree),
    }
}

fn rejected(_tree: &Tree<'_>, client: Client, message: String, span: Span) -> Interpretation {
    let mut out = Out::new(client);
    out.issue(Issue::new(IssueKind::Syntax, span, message, true));
    out.finish(TlsPosture::off())
}

/// How `client` spells TLS settings in its SQL Server strings.
///
/// Verify-full is `Encrypt=true` with `TrustServerCertificate=false` in the
/// client's spelling. `ServerCertificate` pins one certificate and is not a
/// CA, so clients whose only certificate key is that one have no `ca_file`.
pub fn vocabulary(client: Client) -> TlsVocabulary {
    match client {
        Client::SqlClient => TlsVocabulary {
            require: Some(&[("Encrypt", "True"), ("TrustServerCertificate", "True")]),
            verify_full: Some(&[("Encrypt", "True"), ("TrustServerCertificate", "False")]),
            ..TlsVocabulary::default()
        },
        Client::Odbc18 => TlsVocabulary {
            require: Some(&[("Encrypt", "yes"), ("TrustServerCertificate", "yes")]),
            verify_full: Some(&[("Encrypt", "yes"), ("TrustServerCertificate", "no")]),
            ..TlsVocabulary::default()
        },
        Client::MssqlJdbc => TlsVocabulary {
            require: Some(&[("encrypt", "true"), ("trustServerCertificate", "true")]),
            verify_full: Some(&[("encrypt", "true"), ("trustServerCertificate", "false")]),
            // A Java key store (JKS/PKCS12) of trusted certificates, not a PEM file.
            ca_file: Some("trustStore"),
            min_tls12: Some(&[("sslProtocol", "TLSv1.2")]),
            remove: &["trustManagerClass", "trustManagerConstructorArg"],
            ..TlsVocabulary::default()
        },
        Client::Tedious => TlsVocabulary {
            require: Some(&[("Encrypt", "true"), ("TrustServerCertificate", "true")]),
            verify_full: Some(&[("Encrypt", "true"), ("TrustServerCertificate", "false")]),
            ..TlsVocabulary::default()
        },
        Client::Prisma => TlsVocabulary {
            require: Some(&[("encrypt", "true"), ("trustServerCertificate", "true")]),
            verify_full: Some(&[("encrypt", "true"), ("trustServerCertificate", "false")]),
            ca_file: Some("trustServerCertificateCA"),
            // quaint-only spellings that the connection (tiberius) never reads.
            remove: &["trust_server_certificate", "trust_server_certificate_ca"],
            ..TlsVocabulary::default()
        },
        _ => TlsVocabulary::default(),
    }
}

#[cfg(test)]
mod tests;
