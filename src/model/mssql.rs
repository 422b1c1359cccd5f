//! Placeholder until the client models land.
use super::{Client, Interpretation, Options, Settings, TlsPosture, TlsVocabulary};
use crate::syntax::Tree;
use crate::syntax::detect::Database;

pub fn interpret(_tree: &Tree<'_>, client: Client, _opts: &Options) -> Interpretation {
    Interpretation {
        client,
        database: Database::SqlServer,
        endpoints: Vec::new(),
        settings: Settings::default(),
        tls: TlsPosture::off(),
        issues: Vec::new(),
    }
}

pub fn vocabulary(_client: Client) -> TlsVocabulary {
    TlsVocabulary::default()
}
