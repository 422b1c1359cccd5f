//! dblint as a pre-commit hook, with the real `pre-commit` tool (from PyPI)
//! installing this checkout's hook (`.pre-commit-hooks.yaml`, `language:
//! rust`) into a temporary git repository: a bad `.env.production` is
//! blocked, a clean one passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

fn git(dir: &Path, args: &[&str]) {
    let out = run(Command::new("git").args(args).current_dir(dir));
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `pre-commit try-repo CHECKOUT dblint --files FILE` in `repo`.
fn try_repo(repo: &Path, file: &str) -> Output {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    run(Command::new("pre-commit")
        .args(["try-repo", &checkout().display().to_string(), "dblint", "--files", file, "--verbose"])
        .current_dir(repo)
        // Keep pre-commit's environments and the hook's build cache between runs.
        .env("PRE_COMMIT_HOME", tmp.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", tmp.join("pre-commit-hook-target"))
        // The hook is built in release mode: trade speed of the binary for build time.
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("NO_COLOR", "1"))
}

#[test]
fn pre_commit_blocks_bad_env_and_passes_clean_one() {
    let version = Command::new("pre-commit").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "the `pre-commit` tool is required (pip install pre-commit; scripts/test installs it)"
    );

    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    git(dir, &["config", "user.email", "test@example.com"]);
    git(dir, &["config", "user.name", "test"]);

    std::fs::write(dir.join(".env.production"), "# app settings\nDATABASE_URL=postgresql://app@db.example.com/app?sslmode=disable\n")
        .unwrap();
    git(dir, &["add", "."]);
    let bad = try_repo(dir, ".env.production");
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "a bad .env.production must be blocked:\n{stdout}\n{}", String::from_utf8_lossy(&bad.stderr));
    assert!(stdout.contains("DBL201"), "the hook reports the finding:\n{stdout}");
    assert!(stdout.contains(".env.production:2:"), "with the file and line:\n{stdout}");

    std::fs::write(
        dir.join(".env.production"),
        "# app settings\nDATABASE_URL=postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system\n",
    )
    .unwrap();
    git(dir, &["add", "."]);
    let good = try_repo(dir, ".env.production");
    assert!(
        good.status.success(),
        "a clean .env.production passes:\n{}\n{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
}
