//! Property tests for `sources`: values written into each container by an
//! encoder independent of dblint's decode to exactly the value; edits
//! mapped back and re-scanned read exactly as the edited string and leave
//! every byte outside the token alone; garbage never panics.

use dblint::sources::{Encoding, FileKind, LineIndex, MapError, PieceKind, Scan, scan};
use dblint::syntax::{Edit, Span, apply_edits};
use proptest::prelude::*;

const PREFIX: &str = "postgres://";

/// `PROPTEST_CASES` when set (for long runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Characters that stress quoting and escaping.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::char::range('0', '9'),
        6 => prop::sample::select(vec!['"', '\'', '\\', ' ', '#', '$', ':', '{', '}', '&', ';', '=', '%', '@', '/', '?', '!', '<', '>', ',', '[', ']', '`']),
        1 => prop::sample::select(vec!['é', '😀', '\t', '\n']),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// A Postgres URL with a tricky password.
fn value() -> impl Strategy<Value = String> {
    (text(12), prop::sample::select(vec!["disable", "require", "verify-full"]))
        .prop_map(|(pw, mode)| format!("{PREFIX}app:{pw}@db.example.com:5432/app?sslmode={mode}"))
}

// ------------------------------------------------ independent encoders

fn esc_dotenv_double(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '\\' => "\\\\".into(),
            '"' => "\\\"".into(),
            '$' => "\\$".into(),
            '\n' => "\\n".into(),
            c => c.to_string(),
        })
        .collect()
}

fn esc_json(v: &str) -> String {
    serde_json::to_string(v).unwrap()
}

fn esc_yaml_double(v: &str) -> String {
    let body: String = v
        .chars()
        .map(|c| match c {
            '\\' => "\\\\".into(),
            '"' => "\\\"".into(),
            '\n' => "\\n".into(),
            '\t' => "\\t".into(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{body}\"")
}

fn esc_properties(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '\\' => "\\\\".into(),
            '\n' => "\\n".into(),
            '\t' => "\\t".into(),
            c if c.is_ascii() => c.to_string(),
            c => c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("\\u{u:04x}")).collect(),
        })
        .collect()
}

fn esc_xml(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '"' => "&quot;".into(),
            '\n' => "&#10;".into(),
            '\t' => "&#x9;".into(),
            c => c.to_string(),
        })
        .collect()
}

fn esc_toml_basic(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '\\' => "\\\\".into(),
            '"' => "\\\"".into(),
            '\n' => "\\n".into(),
            c => c.to_string(),
        })
        .collect()
}

/// The containers a value can be written in: kind, file text, token.
fn containers(v: &str, crlf: bool) -> Vec<(FileKind, String, String)> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = Vec::new();
    let mut add = |kind, before: &str, token: String, after: &str| {
        let file = format!("{}{token}{}", before.replace('\n', nl), after.replace('\n', nl));
        out.push((kind, file, token));
    };
    add(FileKind::Dotenv, "\u{feff}# settings\nexport DATABASE_URL=", format!("\"{}\"", esc_dotenv_double(v)), " # note\nOTHER=1\n");
    if !v.contains(['\'', '\r']) {
        add(FileKind::Dotenv, "A=1\nDATABASE_URL = ", format!("'{v}'"), "\n");
    }
    if !v.contains(char::is_whitespace) {
        add(FileKind::Dotenv, "DATABASE_URL=", v.to_string(), "");
    }
    add(FileKind::Json, "\u{feff}{\n  // c\n  \"ConnectionStrings\": { \"Default\": ", esc_json(v), " },\n}\n");
    add(FileKind::Yaml, "\u{feff}services:\n  api:\n    environment:\n      DATABASE_URL: ", esc_yaml_double(v), "  # c\n");
    add(FileKind::Yaml, "env:\n  - ", esc_yaml_double(&format!("DATABASE_URL={v}")), "\n");
    if v.get(PREFIX.len()..).is_some_and(|r| r.bytes().all(|b| b.is_ascii_alphanumeric() || b"@:/?=.-".contains(&b))) {
        add(FileKind::Yaml, "a:\n  url: ", v.to_string(), " # c\n  b: 1\n");
        add(FileKind::Yaml, "a: [", v.to_string(), ", x]\n");
        add(FileKind::Yaml, "a: |-\n  ", v.to_string(), "\n# c\nb: 1\n");
        add(FileKind::Yaml, "a:\n  b: >-\n    ", v.to_string(), "\n\n  c: 1\n");
    }
    if !v.contains(['\n', '\t']) {
        add(FileKind::Yaml, "url: ", format!("'{}'", v.replace('\'', "''")), "\nnext: 1\n");
    }
    add(FileKind::Properties, "# c\nspring.datasource.url = ", esc_properties(v), "\nother=1\n");
    add(
        FileKind::Xml,
        "<configuration>\n  <connectionStrings>\n    <add name=\"Db\" connectionString=",
        format!("\"{}\"", esc_xml(v)),
        " />\n  </connectionStrings>\n</configuration>\n",
    );
    add(FileKind::Toml, "[database]\nurl = ", format!("\"{}\"", esc_toml_basic(v)), "\npool = 5\n");
    if !v.contains(['\'', '\n', '\t']) {
        add(FileKind::Toml, "[database]\nurl = ", format!("'{v}'"), "\n");
    }
    if !v.contains('\n') {
        add(FileKind::Ini, "[alembic]\nsqlalchemy.url = ", v.replace('%', "%%"), "\n");
    }
    add(FileKind::Prisma, "datasource db {\n  provider = \"postgresql\"\n  url = ", esc_json(v), "\n}\n");
    if !v.contains(|c: char| c.is_whitespace() || "\"'`<>\\".contains(c)) && !v.ends_with(['.', ',', ';', ':', '!', '?', ')']) {
        add(FileKind::Text, "Connect to ", v.to_string(), " today\n");
    }
    out
}

fn only_candidate(kind: FileKind, file: &str) -> Scan {
    let s = scan(kind, file).unwrap_or_else(|e| panic!("{kind:?} {e}\n{file}"));
    assert_eq!(s.candidates.len(), 1, "{kind:?}\n{file}\n{:#?}", s.candidates);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s
}

/// Edits within the value after the scheme: sorted cut points and texts.
fn edits() -> impl Strategy<Value = Vec<(f64, f64, String)>> {
    prop::collection::vec((0.0..1.0f64, 0.0..0.3f64, text(6)), 1..4)
}

fn place(value: &str, raw: &[(f64, f64, String)]) -> Vec<Edit> {
    let boundaries: Vec<usize> = (PREFIX.len()..=value.len()).filter(|&i| value.is_char_boundary(i)).collect();
    let pick = |f: f64| boundaries[((f * boundaries.len() as f64) as usize).min(boundaries.len() - 1)];
    let mut edits: Vec<Edit> = Vec::new();
    let mut at = PREFIX.len();
    let mut sorted = raw.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (s, len, t) in sorted {
        let start = pick(s).max(at);
        let end = pick((s + len).min(1.0)).max(start);
        edits.push(Edit::replace(Span::new(start, end), t));
        at = end;
    }
    edits
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    /// Every container decodes to exactly the value written into it.
    #[test]
    fn decoded_value_is_the_written_value(v in value(), crlf in any::<bool>()) {
        for (kind, file, token) in containers(&v, crlf) {
            let s = only_candidate(kind, &file);
            let c = &s.candidates[0];
            prop_assert_eq!(&c.value, &v, "{:?}\n{}", kind, file);
            prop_assert!(c.token.text(&file).contains(token.as_str()), "{:?}: {:?}", kind, c.token.text(&file));
            for p in c.map.pieces() {
                if p.kind == PieceKind::Verbatim {
                    prop_assert_eq!(p.value.text(&c.value), p.file.text(&file));
                }
            }
        }
    }

    /// Mapped edits re-scan to exactly the edited string, touch nothing
    /// outside the token, and fail only where the container cannot hold
    /// the result or the edit touches an interpolation.
    #[test]
    fn mapped_edits_round_trip(v in value(), crlf in any::<bool>(), raw in edits()) {
        for (kind, file, _) in containers(&v, crlf) {
            let s = only_candidate(kind, &file);
            let c = &s.candidates[0];
            let e = place(&c.value, &raw);
            let expected = apply_edits(&c.value, &e).unwrap();
            match c.file_edits(&e) {
                Ok(fe) => {
                    for x in &fe {
                        prop_assert!(c.token.contains(x.span));
                    }
                    let out = apply_edits(&file, &fe).unwrap();
                    prop_assert_eq!(&out[..c.token.start], &file[..c.token.start]);
                    let tail = file.len() - c.token.end;
                    prop_assert_eq!(&out[out.len() - tail..], &file[c.token.end..]);
                    let again = only_candidate(kind, &out);
                    // Line breaks that end a value belong to the container, not the string.
                    let kept = expected.trim_end_matches(['\n', '\r']);
                    let expected = if kept.is_empty() { expected.as_str() } else { kept };
                    prop_assert_eq!(&again.candidates[0].value, expected, "{:?} {:?}\n{}\n{}", kind, e, file, out);
                }
                Err(MapError::Opaque { .. }) => {
                    // The edit overlaps an interpolation or starts right after one.
                    let touches = e.iter().any(|x| c.opaque().iter().any(|o| x.span.start < o.end && o.start < x.span.end
                        || (x.span.is_empty() && o.start < x.span.start && x.span.start < o.end)
                        || x.span.start == o.end));
                    prop_assert!(touches, "{:?} {:?}", kind, e);
                }
                Err(MapError::Unrepresentable { encoding, .. }) => {
                    let allowed = match encoding {
                        Encoding::IniPython | Encoding::Text => true,
                        Encoding::YamlLiteral | Encoding::YamlFolded => expected.contains(['$', '\n']),
                        Encoding::YamlDouble | Encoding::YamlSingle | Encoding::YamlPlain | Encoding::YamlPlainFlow | Encoding::Properties => {
                            expected.contains('$')
                        }
                        _ => false,
                    };
                    prop_assert!(allowed, "{:?} {:?} {:?}\n{}", kind, encoding, e, file);
                }
                Err(err) => prop_assert!(false, "{:?}: {:?}", kind, err),
            }
        }
    }
}

// ----------------------------------------------------------- robustness

fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "KEY=",
        "export ",
        "\"",
        "'",
        "`",
        "#",
        "\n",
        "\r\n",
        "\r",
        "\\",
        "${",
        "$X",
        "}",
        "{",
        "postgres://u:p@h/db",
        "jdbc:mysql://h/db",
        " ",
        "\t",
        "<",
        ">",
        "<!--",
        "-->",
        "<add name=\"a\" connectionString=\"",
        "/>",
        "&amp;",
        "&",
        "&#",
        "=",
        ":",
        "[",
        "]",
        "- ",
        "|",
        ">-",
        "'''",
        "\"\"\"",
        "%",
        "%(",
        "é",
        "\u{feff}",
        "datasource db {",
        "url = ",
        "env(\"X\")",
        "//",
        ";",
        "!",
        "dblint: ignore[",
        "DBL101",
        "]",
        "\\u00",
        "\\\n",
        "?",
        "<![CDATA[",
        "</a>",
        "<a>",
        "[section]",
        "/*",
        "*/",
    ])
}

fn garbage() -> impl Strategy<Value = String> {
    prop_oneof![prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat()), any::<String>()]
}

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

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    /// Any input: no panic, spans in bounds, positions consistent, and
    /// mapped edits stay inside their token.
    #[test]
    fn garbage_never_panics(src in garbage(), at in 0.0..1.0f64, t in text(4)) {
        let idx = LineIndex::new(&src);
        for kind in KINDS {
            let s = match scan(kind, &src) {
                Ok(s) => s,
                Err(e) => {
                    prop_assert!(e.span.end <= src.len() && e.span.start <= e.span.end);
                    continue;
                }
            };
            for e in &s.errors {
                prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len(), "{:?} {:?}", kind, e);
                prop_assert_eq!((e.line, e.col), idx.line_col(e.span.start));
                prop_assert!(!e.message.contains("p@h"), "error leaks text: {}", e.message);
            }
            for x in &s.suppressions {
                prop_assert!(x.applies_to >= x.line);
            }
            for c in &s.candidates {
                prop_assert!(c.token.end <= src.len() && c.token.contains(c.span));
                prop_assert_eq!(c.map.value_len(), c.value.len());
                let b: Vec<usize> = (0..=c.value.len()).filter(|&i| c.value.is_char_boundary(i)).collect();
                let p = b[((at * b.len() as f64) as usize).min(b.len() - 1)];
                if let Ok(fe) = c.file_edits(&[Edit::insert(p, t.clone())]) {
                    for x in &fe {
                        prop_assert!(c.token.contains(x.span));
                    }
                }
            }
        }
    }
}
