#![no_main]
//! Any file content, read as every file kind: scanning never panics; every
//! candidate's map covers its value; mapping an edit of each candidate
//! either fails cleanly or gives a file whose rescan holds the edited value.

use dblint::sources::{self, FileKind};
use dblint::syntax::{Edit, Span};
use libfuzzer_sys::fuzz_target;

const KINDS: [FileKind; 10] = [
    FileKind::Dotenv,
    FileKind::Json,
    FileKind::Yaml,
    FileKind::Properties,
    FileKind::Prisma,
    FileKind::Toml,
    FileKind::Ini,
    FileKind::Conf,
    FileKind::Xml,
    FileKind::Text,
];

fuzz_target!(|input: &str| {
    for kind in KINDS {
        let Ok(scan) = sources::scan(kind, input) else { continue };
        for c in &scan.candidates {
            assert_eq!(c.map.value_len(), c.value.len());
            // Append a parameter: the commonest fix edit.
            let edit = Edit::insert(c.value.len(), "&sslmode=verify-full");
            if let Ok(edits) = c.file_edits(&[edit]) {
                let fixed = dblint::syntax::apply_edits(input, &edits).expect("mapped edits apply");
                let rescan = sources::scan(kind, &fixed).expect("an edited file still scans");
                let want = format!("{}&sslmode=verify-full", c.value);
                // Free text is written verbatim; there the edited string may stop looking like a
                // connection string (`jdbc:mysql` + an edit), so only its bytes are checked.
                let landed = rescan.candidates.iter().any(|r| r.value == want) || (kind == FileKind::Text && fixed.contains(&want));
                assert!(landed, "the edit did not land as written");
            }
            let _ = c.map.cover(Span::new(0, c.value.len()));
        }
    }
});
