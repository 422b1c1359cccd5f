//! Embeds the rule catalogue (`rules/*.yaml`) into the binary, converted to
//! JSON at build time: reading JSON at start-up is an order of magnitude
//! cheaper than YAML, and a pre-commit hook starts on every commit.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "yaml")).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no rule files found in {}: the catalogue cannot be empty", dir.display());
    let mut out = String::from(
        "/// The built-in rule files: (file name, the rule as JSON, its docs and examples as JSON).\npub static RULE_FILES: &[(&str, &str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        let mut value: serde_json::Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name} is not valid YAML: {e}"));
        // Documentation and examples are read only by `explain`, SARIF and the tests:
        // kept apart, they are parsed on demand instead of at every start.
        let mut about = serde_json::Map::new();
        if let Some(map) = value.as_object_mut() {
            for key in ["docs", "examples"] {
                if let Some(v) = map.remove(key) {
                    about.insert(key.to_string(), v);
                }
            }
        }
        let core = serde_json::to_string(&value).expect("a YAML value serializes as JSON");
        let about = serde_json::to_string(&about).expect("a YAML value serializes as JSON");
        let _ = writeln!(out, "    ({name:?}, {core:?}, {about:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("rules_index.rs");
    std::fs::write(dest, out).expect("writing the rule index");
}
