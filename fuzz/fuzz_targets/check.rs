//! What every parser fuzz target checks: parsing never panics; a tree
//! prints back to its input byte for byte; every client that reads the
//! form interprets the tree without panicking.

use dblint::model::{self, Client, Options};
use dblint::syntax::{self, Form};

pub fn check(form: Form, input: &str) {
    let opts = Options::default();
    for client in Client::ALL.into_iter().filter(|c| c.reads(form)) {
        if let Ok(tree) = syntax::parse(input, form, client.dialect(form)) {
            assert_eq!(tree.to_source(), input, "round trip failed for {form:?} / {client:?}");
            let mut at = 0;
            for t in &tree.tokens {
                assert_eq!(t.span.start, at, "tokens do not partition the input");
                at = t.span.end;
            }
            assert_eq!(at, input.len());
            let _ = model::interpret(&tree, client, &opts);
        }
    }
}
