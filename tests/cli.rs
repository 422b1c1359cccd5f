//! The command line as a user runs it: exit codes, usage errors, every
//! output format on the bundled fixtures (snapshots), SARIF validated
//! against the SARIF 2.1.0 schema, `--fix`/`--diff` on files, `check`,
//! `rules`, `explain`, suppressions and configuration.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn dblint_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_dblint")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dblint(args: &[&str]) -> Run {
    dblint_in(&root(), args)
}

fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

const BAD: &str = "DATABASE_URL=postgresql://app@db.example.com/app?sslmode=disable\n";
const GOOD: &str = "DATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system\n";

#[test]
fn exit_codes() {
    let bad = temp_with(&[(".env", BAD)]);
    let good = temp_with(&[(".env", GOOD)]);
    assert_eq!(dblint_in(bad.path(), &["--isolated", "."]).code, 1);
    assert_eq!(dblint_in(good.path(), &["--isolated", "."]).code, 0);
    assert_eq!(dblint_in(bad.path(), &["--isolated", "--exit-zero", "."]).code, 0);
    // --fail-on error: a warning alone passes.
    let warn = temp_with(&[(".env", "U=mysql://app@db.example.com/app?ssl-mode=VERIFY_CA&ssl-ca=%2Fetc%2Fca.pem\n")]);
    let r = dblint_in(warn.path(), &["--isolated", "--select", "DBL204", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(dblint_in(warn.path(), &["--isolated", "--select", "DBL204", "--fail-on", "error", "."]).code, 0);
    // Usage and I/O errors: 2, with the reason on stderr.
    for (args, want) in [
        (vec!["--isolated", "--select", "DBL999"], "unknown rule selector"),
        (vec!["--isolated", "--client", "oracle", "."], "unknown client"),
        (vec!["--isolated", "--fail-on", "fatal", "."], "--fail-on"),
        (vec!["--isolated", "does-not-exist"], "does-not-exist"),
        (vec!["--bogus-flag"], "--bogus-flag"),
        (vec!["explain", "DBL999"], "no rule"),
    ] {
        let r = dblint_in(bad.path(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: stderr should mention {want}: {}", r.stderr);
    }
    // An error outranks findings.
    let r = dblint_in(bad.path(), &["--isolated", ".", "missing.env"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("DBL201"), "findings are still reported: {}", r.stdout);
}

#[test]
fn concise_format_is_editor_friendly() {
    let dir = temp_with(&[(".env.production", &format!("# comment\n{BAD}"))]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", "."]);
    let first = r.stdout.lines().next().unwrap_or("");
    assert!(first.starts_with(".env.production:2:"), "{first}");
    let re = regex::Regex::new(r"^[^:]+:\d+:\d+: (error|warning|info): DBL\d{3} .+$").unwrap();
    for line in r.stdout.lines() {
        assert!(re.is_match(line), "not path:line:col: severity: CODE message: {line}");
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let dir = temp_with(&[
        (".env.production", &format!("{BAD}OTHER=\"Server=tcp:x.database.windows.net,1433;Encrypt=True;TrustServerCertificate=True\"\n")),
        ("appsettings.json", "{\"ConnectionStrings\": {\"Db\": \"Server=db.example.com;Encrypt=False\"}}\n"),
    ]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "sarif", "."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF is JSON");
    let schema: serde_json::Value = serde_json::from_str(include_str!("data/sarif-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF is invalid:\n{}", errors.join("\n"));
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 21);
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let region = &res["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1 && region["endColumn"].as_u64().is_some());
    }
    // A rule with an unsafe fix carries it.
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
}

#[test]
fn fix_rewrites_only_the_bytes_that_change() {
    let env = "\u{feff}# keep me\r\nexport A=1\r\nDATABASE_URL=\"postgresql://app:p@ss@db.example.com/app?sslmode=verify_full&sslrootcert=system\" # trailing\r\nB='x'\r\n";
    let dir = temp_with(&[(".env", env)]);
    let r = dblint_in(dir.path(), &["--isolated", "--fix", "."]);
    let after = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    let want = env.replace("p@ss@", "p%40ss@").replace("verify_full", "verify-full");
    assert_eq!(after, want, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("fixed 2 problems in 1 file"), "{}", r.stderr);
    // Idempotent: a second run changes nothing.
    let again = dblint_in(dir.path(), &["--isolated", "--fix", "."]);
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), want);
    assert!(again.stderr.contains("fixed 0 problems"), "{}", again.stderr);
}

/// `--fix DIR` removes the temporary files a killed fix left beside the files it rewrites,
/// found by the walk itself, and lists no other directory again.
#[cfg(target_os = "linux")]
#[test]
fn fix_of_a_tree_removes_stale_temporary_files() {
    let env = "DATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify_full\n";
    let stale = "svc1/..env.dblint-999999999-aB3dE9.tmp";
    let dir = temp_with(&[("svc1/.env", env), ("svc2/.env", env), (stale, "partial")]);
    let r = dblint_in(dir.path(), &["--isolated", "--fix", "."]);
    assert!(r.stderr.contains("fixed 2 problems in 2 files"), "{}", r.stderr);
    assert!(!dir.path().join(stale).exists(), "the dead writer's temporary file is removed");
    for svc in ["svc1", "svc2"] {
        let names: Vec<_> = std::fs::read_dir(dir.path().join(svc)).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        assert_eq!(names, [".env"], "{svc}");
    }
}

/// `$VAR` that the file itself expands (unquoted or double-quoted `.env` values) is not what
/// the client reads: nothing in it is reported. In single quotes it is literal, and reported;
/// the two strings are the same text, so this also keeps them apart in the memo of string lints.
#[test]
fn variables_the_file_expands_are_not_reported() {
    let env = "A=postgresql://app@db.example.com/app?sslmode=$MODE\n\
               B='postgresql://app@db.example.com/app?sslmode=$MODE'\n\
               C=\"postgresql://app@db.example.com/app?sslmode=${MODE}\"\n";
    let dir = temp_with(&[(".env", env)]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", ".env"]);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines, [".env:2:48: error: DBL103 invalid sslmode value: \"$MODE\""], "{}", r.stderr);
    assert_eq!(r.code, 1);
}

/// A password the file expands from a variable is not written in the file.
#[test]
fn a_password_the_file_expands_is_not_plaintext() {
    let env = "D=postgresql://app:$db_pass@db.example.com/app?sslmode=verify-full\n\
               E='postgresql://app:$db_pass@db.example.com/app?sslmode=verify-full'\n";
    let dir = temp_with(&[(".env.production", env)]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", ".env.production"]);
    let codes: Vec<&str> = r.stdout.lines().map(|l| l.split(": ").nth(2).unwrap_or("").split(' ').next().unwrap_or("")).collect();
    assert_eq!(codes, ["DBL601"], "{}", r.stdout);
    assert!(r.stdout.starts_with(".env.production:2:"), "only the single-quoted literal: {}", r.stdout);
}

/// The executable starts itself (src/main.rs): with its standard streams closed it still
/// works — a fix writes exactly the fixed file, leaves nothing beside it, and exits as usual.
#[cfg(unix)]
#[test]
fn runs_with_its_standard_streams_closed() {
    let env = "DATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify_full&sslrootcert=system\n";
    let dir = temp_with(&[(".env", env)]);
    let status = Command::new("sh")
        .args(["-c", "exec \"$0\" --isolated --fix .env <&- >&- 2>&-", env!("CARGO_BIN_EXE_dblint")])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), env.replace("verify_full", "verify-full"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [".env"]);
}

/// Output into a pipe that its reader has closed (`dblint | head`) ends the run with its
/// usual exit status, not with a `SIGPIPE` death.
#[cfg(unix)]
#[test]
fn a_closed_pipe_is_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dblint"))
        .args(["--isolated", "--format", "concise", "fixtures"])
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}");
}

/// A bare file name is written in the working directory, as given.
#[test]
fn fix_writes_a_file_named_without_a_directory() {
    let env = "DATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify_full\n";
    let dir = temp_with(&[(".env", env)]);
    let r = dblint_in(dir.path(), &["--isolated", "--fix", ".env"]);
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), env.replace("verify_full", "verify-full"), "{}", r.stderr);
    assert!(r.stderr.contains("fixed 1 problem in 1 file"), "{}", r.stderr);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(names, [".env"], "no temporary file is left");
}

/// Many files at once take the batched write path (`write::commit_all`):
/// every file is still replaced whole, keeps its permissions, and a file
/// that cannot be written is reported without stopping the others.
#[test]
fn fix_writes_a_large_batch_of_files() {
    use std::os::unix::fs::PermissionsExt;
    let n = dblint::fix::write::BATCH + 9;
    let env = "DATABASE_URL=\"postgresql://app:p@ss@db.example.com/app?sslmode=verify_full&sslrootcert=system\"\n";
    let files: Vec<(String, &str)> = (0..n).map(|i| (format!("svc{i:02}/.env"), env)).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), *c)).collect();
    let dir = temp_with(&refs);
    for i in 0..n {
        let mode = if i == 3 { 0o444 } else { 0o600 };
        std::fs::set_permissions(dir.path().join(format!("svc{i:02}/.env")), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let r = dblint_in(dir.path(), &["--isolated", "--fix", "."]);
    assert_eq!(r.code, 2, "one file is read-only: {}", r.stderr);
    assert!(r.stderr.contains("svc03/.env") && r.stderr.contains("read-only"), "{}", r.stderr);
    let want = env.replace("p@ss@", "p%40ss@").replace("verify_full", "verify-full");
    for i in 0..n {
        let path = dir.path().join(format!("svc{i:02}/.env"));
        let (content, mode) = (std::fs::read_to_string(&path).unwrap(), std::fs::metadata(&path).unwrap().permissions().mode() & 0o777);
        if i == 3 {
            assert_eq!((content.as_str(), mode), (env, 0o444));
        } else {
            assert_eq!((content.as_str(), mode), (want.as_str(), 0o600), "{}", path.display());
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left: {leftovers:?}");
    }
}

#[test]
fn diff_changes_nothing_and_exits_one() {
    let dir = temp_with(&[(".env", BAD)]);
    let r = dblint_in(dir.path(), &["--isolated", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("-DATABASE_URL=postgresql://app@db.example.com/app?sslmode=disable"), "{}", r.stdout);
    assert!(r.stdout.contains("+DATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system"), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(dir.path().join(".env")).unwrap(), BAD);
    // Safe fixes only: tightening TLS is unsafe, so nothing would change.
    let r = dblint_in(dir.path(), &["--isolated", "--diff", "."]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.is_empty());
}

#[test]
fn check_lints_and_fixes_one_string() {
    let r = dblint(&["check", "--isolated", "--format", "concise", "postgresql://app@db.example.com/app?sslmode=required"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("DBL103"), "{}", r.stdout);
    let r = dblint(&["check", "--isolated", "--fix", "postgresql://app@db.example.com/app?sslmode=required"]);
    assert_eq!(r.stdout.trim(), "postgresql://app@db.example.com/app?sslmode=require");
    let r = dblint(&["check", "--isolated", "--fix", "--unsafe-fixes", "postgresql://app@db.example.com/app?sslmode=required"]);
    assert_eq!(r.stdout.trim(), "postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Not a connection string: a precise error, exit 1.
    let r = dblint(&["check", "--isolated", "--format", "concise", "redis://cache:6379"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("DBL101") && r.stdout.contains("unsupported scheme"), "{}", r.stdout);
}

#[test]
fn rules_and_explain() {
    let r = dblint(&["rules"]);
    assert_eq!(r.code, 0);
    for id in ["DBL101", "DBL203", "DBL303", "DBL601"] {
        assert!(r.stdout.contains(id), "{id} listed");
    }
    let r = dblint(&["rules", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(list.as_array().unwrap().len() >= 21);
    for key in ["DBL203", "server-not-authenticated", "dbl203"] {
        let r = dblint(&["explain", key]);
        assert_eq!(r.code, 0, "{key}");
        assert!(r.stdout.contains("# server-not-authenticated (DBL203)") && r.stdout.contains("## Why is this bad?"), "{}", r.stdout);
    }
    let r = dblint(&["explain", "server-not-authentcated"]);
    assert!(r.stderr.contains("did you mean server-not-authenticated"), "{}", r.stderr);
}

#[test]
fn suppressions_and_configuration() {
    let env = format!("# dblint: ignore[DBL201] local tunnel terminates TLS\n{BAD}");
    let dir = temp_with(&[(".env", &env)]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", "."]);
    assert!(!r.stdout.contains("DBL201"), "suppressed: {}", r.stdout);
    let dir = temp_with(&[(".env", BAD), ("dblint.yaml", "ignore: [DBL201]\n"), ("sub/.env", BAD)]);
    let r = dblint_in(&dir.path().join("sub"), &["--format", "concise", "."]);
    assert!(!r.stdout.contains("DBL201"), "config ignore applies from an ancestor: {}", r.stdout);
    let r = dblint_in(&dir.path().join("sub"), &["--isolated", "--format", "concise", "."]);
    assert!(r.stdout.contains("DBL201"), "--isolated ignores it: {}", r.stdout);
    let dir = temp_with(&[(".env", BAD), ("dblint.yaml", "slect: [DBL2]\n")]);
    let r = dblint_in(dir.path(), &["."]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown field"), "{}", r.stderr);
}

#[test]
fn walks_hidden_env_files_and_respects_gitignore() {
    let dir = temp_with(&[
        (".env.production", BAD),
        ("ignored/.env", BAD),
        (".gitignore", "ignored/\n"),
        ("notes.txt", BAD),
        ("app/.env.bak", BAD),
    ]);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", "."]);
    assert!(r.stdout.contains(".env.production:1:"), "{}", r.stdout);
    assert!(!r.stdout.contains("ignored/"), "gitignored: {}", r.stdout);
    assert!(!r.stdout.contains("notes.txt"), "not a config file kind: {}", r.stdout);
    assert!(!r.stdout.contains(".bak"), "backups are skipped: {}", r.stdout);
    let r = dblint_in(dir.path(), &["--isolated", "--format", "concise", "--all-files", "."]);
    assert!(r.stdout.contains("notes.txt:1:"), "--all-files: {}", r.stdout);
}
