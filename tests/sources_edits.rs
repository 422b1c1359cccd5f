//! Mapping edits of a connection string back into its file: minimal edits,
//! re-encoding, requoting, and the errors for edits a container cannot hold.

use dblint::sources::{Encoding, FileKind, MapError, scan};
use dblint::syntax::{Edit, Span, apply_edits};

/// Edit the `n`th candidate of `src`, apply the file edits, rescan, and
/// return the new file. Asserts the rescanned candidate reads exactly as
/// the edited string and nothing outside the token changed.
fn edit(kind: FileKind, src: &str, n: usize, edits: &[Edit]) -> Result<String, MapError> {
    let found = scan(kind, src).unwrap();
    let c = &found.candidates[n];
    let expected = apply_edits(&c.value, edits).unwrap();
    let file_edits = c.file_edits(edits)?;
    for e in &file_edits {
        assert!(c.token.contains(e.span), "edit {e:?} outside token {:?}", c.token);
    }
    let out = apply_edits(src, &file_edits).unwrap();
    assert_eq!(&out[..c.token.start], &src[..c.token.start]);
    let tail = src.len() - c.token.end;
    assert_eq!(&out[out.len() - tail..], &src[c.token.end..]);
    let again = scan(kind, &out).unwrap();
    assert_eq!(again.candidates.len(), found.candidates.len(), "{out}");
    assert_eq!(again.candidates[n].value, expected, "{out}");
    assert_eq!(again.candidates[n].key, c.key);
    Ok(out)
}

/// Replace the first occurrence of `old` in candidate `n`'s value.
fn replace(kind: FileKind, src: &str, n: usize, old: &str, new: &str) -> Result<String, MapError> {
    let c = &scan(kind, src).unwrap().candidates[n];
    let at = c.value.find(old).unwrap();
    edit(kind, src, n, &[Edit::replace(Span::new(at, at + old.len()), new)])
}

#[test]
fn dotenv_minimal_edits_keep_crlf_bom_and_comments() {
    let src = "\u{feff}# c\r\nexport DATABASE_URL=\"postgres://app@db/app?sslmode=disable\" # keep\r\nX=1";
    let out = replace(FileKind::Dotenv, src, 0, "disable", "verify-full").unwrap();
    assert_eq!(out, "\u{feff}# c\r\nexport DATABASE_URL=\"postgres://app@db/app?sslmode=verify-full\" # keep\r\nX=1");
}

#[test]
fn dotenv_escapes_inside_double_quotes() {
    let src = "URL=\"postgres://u:pw@db/app\"\n";
    let out = replace(FileKind::Dotenv, src, 0, "pw", "p\"w\\").unwrap();
    assert_eq!(out, "URL=\"postgres://u:p\\\"w\\\\@db/app\"\n");
}

#[test]
fn dotenv_unquoted_value_is_requoted_when_needed() {
    let src = "URL=postgres://u@db/app # comment\n";
    // A plain edit stays unquoted.
    let out = replace(FileKind::Dotenv, src, 0, "app", "app2").unwrap();
    assert_eq!(out, "URL=postgres://u@db/app2 # comment\n");
    // A blank would end the value: requote, in double quotes.
    let out = replace(FileKind::Dotenv, src, 0, "app", "app?options=-c x").unwrap();
    assert_eq!(out, "URL=\"postgres://u@db/app?options=-c x\" # comment\n");
    // A '$' would interpolate: single quotes keep it literal.
    let out = replace(FileKind::Dotenv, src, 0, "u@", "u:pa$$w@").unwrap();
    assert_eq!(out, "URL='postgres://u:pa$$w@db/app' # comment\n");
}

#[test]
fn dotenv_interpolations_are_opaque() {
    let src = "URL=postgres://${USER}:${PASS}@db/app?sslmode=disable\n";
    let c = &scan(FileKind::Dotenv, src).unwrap().candidates[0];
    let at = c.value.find("${PASS}").unwrap();
    let err = c.file_edits(&[Edit::replace(Span::new(at + 2, at + 4), "X")]).unwrap_err();
    assert_eq!(err, MapError::Opaque { span: Span::new(23, 30) });
    // Editing around them is fine, and requoting keeps them interpolated.
    let out = replace(FileKind::Dotenv, src, 0, "disable", "verify-full").unwrap();
    assert_eq!(out, "URL=postgres://${USER}:${PASS}@db/app?sslmode=verify-full\n");
    let out = replace(FileKind::Dotenv, src, 0, "disable", "verify full").unwrap();
    assert_eq!(out, "URL=\"postgres://${USER}:${PASS}@db/app?sslmode=verify full\"\n");
    // An insertion that would extend `$USER`'s name is refused.
    let src = "URL=postgres://$USER@db/app\n";
    let c = &scan(FileKind::Dotenv, src).unwrap().candidates[0];
    assert!(c.file_edits(&[Edit::insert(16, "X")]).is_err());
}

#[test]
fn json_escapes_and_widened_escapes() {
    let src = "{ \"ConnectionStrings\": { \"Db\": \"Server=h;Password=p\\u0040ss;Encrypt=False\" } }";
    // An edit that cuts into `\u0040` replaces the whole escape.
    let c = &scan(FileKind::Json, src).unwrap().candidates[0];
    let at = c.value.find('@').unwrap();
    let out = edit(FileKind::Json, src, 0, &[Edit::replace(Span::new(at, at + 1), "\"")]).unwrap();
    assert_eq!(out, "{ \"ConnectionStrings\": { \"Db\": \"Server=h;Password=p\\\"ss;Encrypt=False\" } }");
    let out = replace(FileKind::Json, src, 0, "False", "True").unwrap();
    assert!(out.contains("p\\u0040ss;Encrypt=True\""));
}

#[test]
fn yaml_styles() {
    let src = "a:\n  url: postgres://u@db/app\n  b: 'postgres://u@db/app'\n  c: \"postgres://u@db/app\"\n  d: |\n    postgres://u@db/app\n  e: [mysql://u@db/app, x]\n";
    // Plain stays plain when it can.
    let out = replace(FileKind::Yaml, src, 0, "app", "app2").unwrap();
    assert!(out.contains("url: postgres://u@db/app2\n"));
    // ': ' and ' #' force quotes; single quotes are preferred.
    let out = replace(FileKind::Yaml, src, 0, "app", "app #x: y").unwrap();
    assert!(out.contains("url: 'postgres://u@db/app #x: y'\n"), "{out}");
    // Single quotes double a quote.
    let out = replace(FileKind::Yaml, src, 1, "app", "it's").unwrap();
    assert!(out.contains("b: 'postgres://u@db/it''s'\n"));
    // A line break cannot go in single quotes: double quotes instead.
    let out = replace(FileKind::Yaml, src, 1, "app", "a\nb").unwrap();
    assert!(out.contains("b: \"postgres://u@db/a\\nb\"\n"), "{out}");
    let out = replace(FileKind::Yaml, src, 2, "app", "a\"b\\c").unwrap();
    assert!(out.contains("c: \"postgres://u@db/a\\\"b\\\\c\"\n"));
    // Block scalars take edits within a line, not new lines.
    let out = replace(FileKind::Yaml, src, 3, "app", "app?sslmode=require").unwrap();
    assert!(out.contains("    postgres://u@db/app?sslmode=require\n"));
    let err = replace(FileKind::Yaml, src, 3, "app", "a\nb").unwrap_err();
    assert!(matches!(err, MapError::Unrepresentable { encoding: Encoding::YamlLiteral, .. }));
    // Flow context: ',' needs quotes.
    let out = replace(FileKind::Yaml, src, 4, "app", "a,b").unwrap();
    assert!(out.contains("e: ['mysql://u@db/a,b', x]"), "{out}");
}

#[test]
fn yaml_list_items_edit_only_the_value() {
    let src = "environment:\n  - \"DATABASE_URL=postgres://u@db/app\"\n  - URL=mysql://u@db/app\n";
    let out = replace(FileKind::Yaml, src, 0, "app", "a\"pp").unwrap();
    assert_eq!(out, "environment:\n  - \"DATABASE_URL=postgres://u@db/a\\\"pp\"\n  - URL=mysql://u@db/app\n");
    let out = replace(FileKind::Yaml, src, 1, "app", "a: b").unwrap();
    assert_eq!(out, "environment:\n  - \"DATABASE_URL=postgres://u@db/app\"\n  - 'URL=mysql://u@db/a: b'\n");
}

#[test]
fn properties_escapes() {
    let src = "spring.datasource.url=jdbc:postgresql://db/app?ssl=false\\\n    &x=1\n";
    let out = replace(FileKind::Properties, src, 0, "false", "true").unwrap();
    assert_eq!(out, "spring.datasource.url=jdbc:postgresql://db/app?ssl=true\\\n    &x=1\n");
    let out = replace(FileKind::Properties, src, 0, "app", "é\\").unwrap();
    assert!(out.contains("db/\\u00E9\\\\?ssl"));
    // An edit across the continuation replaces it.
    let out = replace(FileKind::Properties, src, 0, "false&x", "false&y").unwrap();
    assert_eq!(out, "spring.datasource.url=jdbc:postgresql://db/app?ssl=false&y=1\n");
}

#[test]
fn xml_entities() {
    let src = "<c><add key=\"Db\" value=\"postgres://u@db/app?a=1&amp;b=2\"/></c>";
    let out = replace(FileKind::Xml, src, 0, "b=2", "b=2&c=\"<3>\"").unwrap();
    assert_eq!(out, "<c><add key=\"Db\" value=\"postgres://u@db/app?a=1&amp;b=2&amp;c=&quot;&lt;3&gt;&quot;\"/></c>");
    let err = replace(FileKind::Xml, src, 0, "b=2", "\u{1}").unwrap_err();
    assert!(matches!(err, MapError::Unrepresentable { .. }));
}

#[test]
fn toml_literal_is_requoted_as_basic() {
    let src = "[db]\nurl = 'postgres://u@db/app'\n";
    let out = replace(FileKind::Toml, src, 0, "app", "it's").unwrap();
    assert_eq!(out, "[db]\nurl = \"postgres://u@db/it's\"\n");
    let out = replace(FileKind::Toml, src, 0, "app", "app2").unwrap();
    assert_eq!(out, "[db]\nurl = 'postgres://u@db/app2'\n");
}

#[test]
fn ini_percent_is_doubled() {
    let src = "[alembic]\nsqlalchemy.url = postgres://u:p%%40ss@db/app\n";
    let out = replace(FileKind::Ini, src, 0, "p%40ss", "n%23w").unwrap();
    assert_eq!(out, "[alembic]\nsqlalchemy.url = postgres://u:n%%23w@db/app\n");
    let err = replace(FileKind::Ini, src, 0, "app", "a\nb").unwrap_err();
    assert!(matches!(err, MapError::Unrepresentable { encoding: Encoding::IniPython, .. }));
}

#[test]
fn text_cannot_hold_blanks() {
    let src = "see postgres://u@db/app for details\n";
    let out = replace(FileKind::Text, src, 0, "app", "app?sslmode=require").unwrap();
    assert_eq!(out, "see postgres://u@db/app?sslmode=require for details\n");
    let err = replace(FileKind::Text, src, 0, "app", "a b").unwrap_err();
    assert!(matches!(err, MapError::Unrepresentable { encoding: Encoding::Text, .. }));
}

#[test]
fn prisma_strings() {
    let src = "datasource db {\n  provider = \"postgresql\"\n  url = \"postgresql://u@db/app\"\n}\n";
    let out = replace(FileKind::Prisma, src, 0, "app", "a\\pp").unwrap();
    assert!(out.contains("url = \"postgresql://u@db/a\\\\pp\""));
}

#[test]
fn invalid_edits_are_rejected() {
    let src = "URL=postgres://u@db/app\n";
    let c = &scan(FileKind::Dotenv, src).unwrap().candidates[0];
    let len = c.value.len();
    assert!(matches!(c.file_edits(&[Edit::replace(Span::new(0, len + 1), "x")]), Err(MapError::InvalidEdit { .. })));
    let overlapping = [Edit::replace(Span::new(1, 4), "a"), Edit::replace(Span::new(3, 5), "b")];
    assert!(matches!(c.file_edits(&overlapping), Err(MapError::InvalidEdit { .. })));
    // Several edits at once, one of them an insertion.
    let edits = [Edit::insert(len, "?sslmode=require"), Edit::replace(Span::new(11, 12), "user")];
    let out = edit(FileKind::Dotenv, src, 0, &edits).unwrap();
    assert_eq!(out, "URL=postgres://user@db/app?sslmode=require\n");
}
