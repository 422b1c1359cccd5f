//! Behaviour of `fix::write`: every branch of `write_atomic`, on real files.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

#[cfg(target_os = "linux")]
use dblint::fix::write::remove_stale_temp_files;
use dblint::fix::write::{Outcome, Snapshot, WriteError, WriteOptions, write_atomic};

const SECRET: &str = "s3cr3t-Pa55w0rd";
const OLD: &str = "DATABASE_URL=postgres://app:s3cr3t-Pa55w0rd@db/app\n";
const NEW: &str = "DATABASE_URL=postgres://app:s3cr3t-Pa55w0rd@db/app?sslmode=verify-full\n";

const NO_BACKUP: WriteOptions = WriteOptions { backup: false, no_temp_files_beside: false };
const BACKUP: WriteOptions = WriteOptions { backup: true, no_temp_files_beside: false };

/// The names in `dir`, sorted.
fn entries(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn write_file(path: &Path, content: &str, mode: u32) {
    fs::write(path, content).unwrap();
    set_mode(path, mode);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(path: &Path, mode: u32) {
    let mut perms = fs::metadata(path).unwrap().permissions();
    perms.set_readonly(mode & 0o222 == 0);
    fs::set_permissions(path, perms).unwrap();
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::symlink_metadata(path).unwrap().ino()
}

fn read(path: &Path) -> String {
    String::from_utf8(fs::read(path).unwrap()).unwrap()
}

#[track_caller]
fn assert_written(result: Result<Outcome, WriteError>) {
    assert!(matches!(result, Ok(Outcome::Written { .. })), "{result:?}");
}

/// Asserts that an error names the path and never shows the content.
fn assert_clean_message(err: &WriteError, path: &Path) {
    let shown = err.to_string();
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!format!("{err:?}").contains(SECRET));
    assert_eq!(err.path(), path);
}

#[test]
fn replaces_content_and_keeps_mode() {
    let dir = tempfile::tempdir().unwrap();
    for (i, m) in [0o600, 0o640, 0o644, 0o604, 0o700, 0o755].into_iter().enumerate() {
        let path = dir.path().join(format!(".env{i}"));
        write_file(&path, OLD, m);
        let snap = Snapshot::read(&path).unwrap();
        assert_eq!(snap.content(), OLD.as_bytes());
        let outcome = write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP).unwrap();
        assert_eq!(outcome, Outcome::Written { backup: None, stale_temp_files_removed: 0 });
        assert_eq!(read(&path), NEW);
        #[cfg(unix)]
        assert_eq!(mode(&path), m, "mode {m:o} not kept");
    }
    let expected: Vec<String> = (0..6).map(|i| format!(".env{i}")).collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(entries(dir.path()), set(&expected), "no temporary or backup files");
}

#[test]
fn snapshot_debug_hides_content() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o600);
    let snap = Snapshot::read(&path).unwrap();
    let shown = format!("{snap:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains(&format!("<{} bytes>", OLD.len())), "{shown}");
    assert!(snap.modified().is_some());
}

#[cfg(unix)]
#[test]
fn writes_through_symlinks_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dotfiles");
    fs::create_dir(&real).unwrap();
    let file = real.join("env");
    write_file(&file, OLD, 0o600);
    // home/.env -> ../dotfiles/env (relative, as stow makes it); home/alias -> .env (a chain).
    let home = dir.path().join("home");
    fs::create_dir(&home).unwrap();
    let link = home.join(".env");
    std::os::unix::fs::symlink("../dotfiles/env", &link).unwrap();
    let alias = home.join("alias");
    std::os::unix::fs::symlink(".env", &alias).unwrap();
    let file_inode = inode(&file);

    let snap = Snapshot::read(&alias).unwrap();
    assert_eq!(snap.path(), alias);
    assert_eq!(snap.target().unwrap().0, fs::canonicalize(&file).unwrap());
    let outcome = write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP).unwrap();
    assert!(matches!(outcome, Outcome::Written { backup: None, .. }));

    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(fs::symlink_metadata(&alias).unwrap().file_type().is_symlink());
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("../dotfiles/env"));
    assert_eq!(fs::read_link(&alias).unwrap(), Path::new(".env"));
    assert_eq!(read(&file), NEW);
    assert_eq!(read(&alias), NEW);
    assert_eq!(mode(&file), 0o600);
    assert_ne!(inode(&file), file_inode, "replaced by rename, not rewritten in place");
    assert_eq!(entries(&real), set(&["env"]));
    assert_eq!(entries(&home), set(&[".env", "alias"]));
}

#[cfg(unix)]
#[test]
fn a_symlink_repointed_after_the_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("first.env"), dir.path().join("second.env"));
    write_file(&first, OLD, 0o600);
    write_file(&second, OLD, 0o600);
    let link = dir.path().join(".env");
    std::os::unix::fs::symlink("first.env", &link).unwrap();
    let snap = Snapshot::read(&link).unwrap();
    // Same content, other file: writing it would overwrite a file that was never read.
    fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("second.env", &link).unwrap();
    let err = write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP).unwrap_err();
    assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
    assert_clean_message(&err, &link);
    assert_eq!((read(&first), read(&second)), (OLD.to_string(), OLD.to_string()));
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("second.env"));
    assert_eq!(entries(dir.path()), set(&[".env", "first.env", "second.env"]));
}

#[test]
fn a_file_over_the_limit_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    fs::write(&path, vec![b'x'; 3 * 1024 * 1024]).unwrap();
    let err = Snapshot::read_at_most(&path, 2 * 1024 * 1024).unwrap_err();
    assert!(matches!(err, WriteError::TooLarge { limit, .. } if limit == 2 * 1024 * 1024), "{err:?}");
    assert_eq!(err.to_string(), format!("{}: larger than 2 MiB, not read", path.display()));
    assert_eq!(Snapshot::read_at_most(&path, 3 * 1024 * 1024).unwrap().content().len(), 3 * 1024 * 1024);
}

#[cfg(unix)]
#[test]
fn writes_through_a_symlinked_directory() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    fs::create_dir(&real).unwrap();
    write_file(&real.join(".env"), OLD, 0o600);
    let linked = dir.path().join("config");
    std::os::unix::fs::symlink("real", &linked).unwrap();

    let snap = Snapshot::read(linked.join(".env")).unwrap();
    assert_written(write_atomic(&snap, NEW.as_bytes(), &BACKUP));
    assert!(fs::symlink_metadata(&linked).unwrap().file_type().is_symlink());
    assert_eq!(read(&real.join(".env")), NEW);
    assert_eq!(entries(&real), set(&[".env", ".env.bak"]));
}

#[test]
fn read_only_file_is_refused_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for m in [0o444, 0o400] {
        let path = dir.path().join(".env");
        write_file(&path, OLD, m);
        let snap = Snapshot::read(&path).unwrap();
        for options in [NO_BACKUP, BACKUP] {
            let err = write_atomic(&snap, NEW.as_bytes(), &options).unwrap_err();
            assert!(matches!(err, WriteError::ReadOnly { .. }), "{err:?}");
            assert_clean_message(&err, &path);
            assert!(err.to_string().ends_with("is read-only; not overwritten"), "{err}");
        }
        assert_eq!(read(&path), OLD);
        #[cfg(unix)]
        assert_eq!(mode(&path), m);
        assert_eq!(entries(dir.path()), set(&[".env"]));
        set_mode(&path, 0o600);
        fs::remove_file(&path).unwrap();
    }
}

#[test]
fn unchanged_content_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o600);
    let old_time = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options().write(true).open(&path).unwrap().set_modified(old_time).unwrap();
    #[cfg(unix)]
    let before = inode(&path);
    let snap = Snapshot::read(&path).unwrap();
    assert_eq!(write_atomic(&snap, OLD.as_bytes(), &BACKUP).unwrap(), Outcome::Unchanged);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), old_time);
    #[cfg(unix)]
    assert_eq!(inode(&path), before);
    assert_eq!(entries(dir.path()), set(&[".env"]), "no backup either");

    // Nothing is written, so nothing can be refused: not even a read-only file.
    set_mode(&path, 0o444);
    let snap = Snapshot::read(&path).unwrap();
    assert_eq!(write_atomic(&snap, OLD.as_bytes(), &NO_BACKUP).unwrap(), Outcome::Unchanged);
    set_mode(&path, 0o600);
}

/// A named change that another program makes to the file.
type Change = (&'static str, fn(&Path));

/// What another program does to the file between our read and our write.
/// (A replacement with the same content is noticed through the file's identity, which only Unix
/// gives.)
fn changes() -> Vec<Change> {
    let mut changes: Vec<Change> = vec![
        ("same length, same mtime", |p| {
            let mtime = fs::metadata(p).unwrap().modified().unwrap();
            let edited = OLD.replace("app:", "APP:");
            assert_eq!(edited.len(), OLD.len());
            fs::write(p, edited).unwrap();
            fs::File::options().write(true).open(p).unwrap().set_modified(mtime).unwrap();
        }),
        ("appended", |p| {
            use std::io::Write;
            let mut f = fs::File::options().append(true).open(p).unwrap();
            f.write_all(b"OTHER=1\n").unwrap();
        }),
        ("truncated", |p| fs::write(p, "").unwrap()),
        ("removed", |p| fs::remove_file(p).unwrap()),
        ("replaced by a directory", |p| {
            fs::remove_file(p).unwrap();
            fs::create_dir(p).unwrap();
        }),
    ];
    #[cfg(unix)]
    changes.push(("replaced by rename, same content", |p| {
        let other = p.with_extension("editor-swap");
        fs::write(&other, OLD).unwrap();
        fs::rename(&other, p).unwrap();
    }));
    changes
}

#[test]
fn changed_on_disk_is_refused() {
    for (what, change) in changes() {
        for options in [NO_BACKUP, BACKUP] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(".env");
            write_file(&path, OLD, 0o600);
            let snap = Snapshot::read(&path).unwrap();
            change(&path);
            let after: Option<Vec<u8>> = fs::read(&path).ok();
            let names = entries(dir.path());

            let err = write_atomic(&snap, NEW.as_bytes(), &options).unwrap_err();
            assert!(matches!(err, WriteError::Changed { .. }), "{what}: {err:?}");
            assert_clean_message(&err, &path);
            assert!(err.to_string().ends_with("changed on disk since it was read; not overwritten"), "{err}");
            assert_eq!(snap.check_unchanged().unwrap_err().to_string(), err.to_string());
            assert_eq!(fs::read(&path).ok(), after, "{what}: the other edit survives");
            assert_eq!(entries(dir.path()), names, "{what}: nothing added");
        }
    }
}

#[test]
fn touch_alone_is_not_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o600);
    let snap = Snapshot::read(&path).unwrap();
    let later = SystemTime::now() + Duration::from_secs(60);
    fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
    snap.check_unchanged().unwrap();
    assert_written(write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP));
    assert_eq!(read(&path), NEW);
}

#[cfg(unix)]
#[test]
fn hard_linked_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let other = dir.path().join("env.shared");
    write_file(&path, OLD, 0o600);
    fs::hard_link(&path, &other).unwrap();
    let snap = Snapshot::read(&path).unwrap();
    let err = write_atomic(&snap, NEW.as_bytes(), &BACKUP).unwrap_err();
    assert!(matches!(err, WriteError::HardLinked { links: 2, .. }), "{err:?}");
    assert_clean_message(&err, &path);
    assert!(err.to_string().contains("has 2 hard links"), "{err}");
    assert_eq!(read(&path), OLD);
    assert_eq!(inode(&path), inode(&other), "still one file");
    assert_eq!(entries(dir.path()), set(&[".env", "env.shared"]));
}

#[test]
fn backup_keeps_the_original_and_never_chains() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let bak = dir.path().join(".env.bak");
    write_file(&path, OLD, 0o600);

    let snap = Snapshot::read(&path).unwrap();
    let outcome = write_atomic(&snap, NEW.as_bytes(), &BACKUP).unwrap();
    let canonical_bak = fs::canonicalize(&bak).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: Some(canonical_bak.clone()), stale_temp_files_removed: 0 });
    assert_eq!(read(&path), NEW);
    assert_eq!(read(&bak), OLD);
    #[cfg(unix)]
    assert_eq!(mode(&bak), 0o600, "the backup holds the same secrets");

    // A second fix overwrites the backup with what it replaced; no `.env.bak.bak`.
    let third = NEW.replace("verify-full", "require");
    let snap = Snapshot::read(&path).unwrap();
    let outcome = write_atomic(&snap, third.as_bytes(), &BACKUP).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: Some(canonical_bak), stale_temp_files_removed: 0 });
    assert_eq!(read(&path), third);
    assert_eq!(read(&bak), NEW);
    assert_eq!(entries(dir.path()), set(&[".env", ".env.bak"]));

    // Without the option, the old backup is left as it is and no new one is made.
    let snap = Snapshot::read(&path).unwrap();
    assert_written(write_atomic(&snap, OLD.as_bytes(), &NO_BACKUP));
    assert_eq!(read(&bak), NEW);
    assert_eq!(entries(dir.path()), set(&[".env", ".env.bak"]));
}

#[cfg(unix)]
#[test]
fn backup_of_a_symlinked_file_sits_beside_the_real_file() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dotfiles");
    let home = dir.path().join("home");
    fs::create_dir(&real).unwrap();
    fs::create_dir(&home).unwrap();
    write_file(&real.join("env"), OLD, 0o640);
    std::os::unix::fs::symlink("../dotfiles/env", home.join(".env")).unwrap();

    let snap = Snapshot::read(home.join(".env")).unwrap();
    assert_written(write_atomic(&snap, NEW.as_bytes(), &BACKUP));
    assert_eq!(entries(&home), set(&[".env"]));
    assert_eq!(entries(&real), set(&["env", "env.bak"]));
    assert_eq!(read(&real.join("env.bak")), OLD);
    assert_eq!(mode(&real.join("env.bak")), 0o640);
}

#[test]
fn a_backup_is_never_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env.bak");
    write_file(&path, OLD, 0o600);
    let snap = Snapshot::read(&path).unwrap();
    let err = write_atomic(&snap, NEW.as_bytes(), &BACKUP).unwrap_err();
    assert!(matches!(err, WriteError::BackupOfBackup { .. }), "{err:?}");
    assert_clean_message(&err, &path);
    assert_eq!(read(&path), OLD);
    assert_eq!(entries(dir.path()), set(&[".env.bak"]));
    // Without a backup it is an ordinary file.
    assert_written(write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP));
    assert_eq!(read(&path), NEW);
    assert_eq!(entries(dir.path()), set(&[".env.bak"]));
}

#[test]
fn missing_and_non_regular_files_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.env");
    let err = Snapshot::read(&missing).unwrap_err();
    assert!(matches!(&err, WriteError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound));
    assert!(err.to_string().starts_with(&format!("cannot read {}", missing.display())));

    let err = Snapshot::read(dir.path()).unwrap_err();
    assert!(matches!(err, WriteError::NotAFile { .. }), "{err:?}");
    assert_eq!(err.to_string(), format!("{} is not a regular file", dir.path().display()));

    #[cfg(unix)]
    {
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("nowhere", &dangling).unwrap();
        let err = Snapshot::read(&dangling).unwrap_err();
        assert!(matches!(err, WriteError::Read { .. }), "{err:?}");
        assert_clean_message(&err, &dangling);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join(".env");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !matches!(made, Ok(s) if s.success()) {
        eprintln!("skipped: mkfifo unavailable");
        return;
    }
    let err = Snapshot::read(&fifo).unwrap_err();
    assert!(matches!(err, WriteError::NotAFile { .. }), "{err:?}");
}

#[cfg(unix)]
#[test]
fn owner_and_group_are_kept() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o640);
    if is_root() {
        std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    let before = fs::metadata(&path).unwrap();
    let snap = Snapshot::read(&path).unwrap();
    assert_written(write_atomic(&snap, NEW.as_bytes(), &BACKUP));
    for p in [&path, &dir.path().join(".env.bak")] {
        let after = fs::metadata(p).unwrap();
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()), "{}", p.display());
        assert_eq!(after.mode() & 0o7777, 0o640);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn stale_temp_files_of_dead_writers_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o600);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let own = std::process::id();
    let stale = format!("..env.dblint-{dead}-aB3dE9.tmp");
    let live = format!("..env.dblint-{own}-xYz123.tmp");
    let keep = [".env", "..env.dblint-notapid-abcdef.tmp", "..env.local.dblint-1-abcdef.tmp"];
    for name in [stale.as_str(), live.as_str()].iter().chain(&keep[1..]) {
        fs::write(dir.path().join(name), "partial").unwrap();
    }
    // The next run is not confused: it reads the real file, and clears the dead writer's debris.
    let snap = Snapshot::read(&path).unwrap();
    assert_eq!(snap.content(), OLD.as_bytes());
    let outcome = write_atomic(&snap, NEW.as_bytes(), &NO_BACKUP).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: None, stale_temp_files_removed: 1 });
    assert_eq!(read(&path), NEW);
    let mut expected = set(&keep);
    expected.insert(live.clone());
    assert_eq!(entries(dir.path()), expected);
    assert_eq!(remove_stale_temp_files(&path).unwrap(), 0);
}

/// A caller that has just listed the directory (the walk of `dblint --fix DIR`) and seen no
/// temporary file spares the second listing; what looks like one is recognised whatever file
/// it was for.
#[cfg(target_os = "linux")]
#[test]
fn a_directory_known_to_hold_no_temp_files_is_not_listed_again() {
    use dblint::fix::write::is_temp_file_name;
    use std::ffi::OsStr;
    assert!(is_temp_file_name(OsStr::new("..env.dblint-4242-aB3dE9.tmp")));
    assert!(is_temp_file_name(OsStr::new(".appsettings.json.dblint-7-xYz123.tmp")));
    for name in [".env", "..env.tmp", ".env.dblint-1-a.tmp.bak", "x.dblint-1-abc.tmp"] {
        assert!(!is_temp_file_name(OsStr::new(name)), "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    write_file(&path, OLD, 0o600);
    let stale = "..env.dblint-999999999-aB3dE9.tmp";
    fs::write(dir.path().join(stale), "partial").unwrap();
    let listed = WriteOptions { backup: false, no_temp_files_beside: true };
    let outcome = write_atomic(&Snapshot::read(&path).unwrap(), NEW.as_bytes(), &listed).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: None, stale_temp_files_removed: 0 });
    assert_eq!(entries(dir.path()), set(&[".env", stale]), "taken at its word");
    let outcome = write_atomic(&Snapshot::read(&path).unwrap(), OLD.as_bytes(), &NO_BACKUP).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: None, stale_temp_files_removed: 1 });
    assert_eq!(entries(dir.path()), set(&[".env"]));
}

/// A program editing the file in place while a fix is being written: the edit lands after the
/// first check (the temporary file already exists), so only the last check before the rename
/// can catch it. It must, and must clean up.
#[test]
fn edit_during_the_write_is_detected_and_leaves_no_debris() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    let big = "X".repeat(4 << 20);
    write_file(&path, &big, 0o600);
    let stop = AtomicBool::new(false);
    let (mut changed, mut written) = (0, 0);
    let temp_exists = || entries(dir.path()).iter().any(|n| n.contains(".dblint-"));
    std::thread::scope(|s| {
        s.spawn(|| {
            use std::io::{Seek, SeekFrom, Write};
            let mut n = 0u8;
            while !stop.load(Ordering::Relaxed) {
                if !temp_exists() {
                    std::thread::sleep(Duration::from_micros(50));
                    continue;
                }
                if let Ok(mut f) = fs::File::options().write(true).open(&path) {
                    n = n.wrapping_add(1);
                    let _ = f.seek(SeekFrom::Start(1 << 20)).and_then(|_| f.write_all(&[n]));
                }
                while temp_exists() && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_micros(50));
                }
            }
        });
        for i in 0..40 {
            let snap = Snapshot::read(&path).unwrap();
            let mut next = snap.content().to_vec();
            next[0] = b'A' + (i % 26) as u8;
            match write_atomic(&snap, &next, &BACKUP) {
                Ok(_) => written += 1,
                Err(WriteError::Changed { .. }) => changed += 1,
                Err(e) => panic!("{e}"),
            }
            assert!(!temp_exists(), "temporary file left after attempt {i}");
            if changed >= 5 {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert!(changed >= 5, "edits during the write went unnoticed ({written} writes, {changed})");
    let mut expected = set(&[".env"]);
    if written > 0 {
        expected.insert(".env.bak".into());
    }
    assert_eq!(entries(dir.path()), expected);
}

// ---------------------------------------------------------------------------------------------
// Permission errors seen by an ordinary user. As root (CI) they run in a child process, this
// test binary re-executed as `nobody`; otherwise in-process when the situation can be set up.

#[cfg(unix)]
const NOBODY: u32 = 65534;
const SCENARIO_ENV: &str = "DBLINT_WRITE_SCENARIO_FILE";

#[cfg(unix)]
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid() == 0
}

/// Reads FILE and tries to write new content; the result, as "Variant: message".
fn attempt(path: &Path) -> String {
    let result = Snapshot::read(path).and_then(|s| write_atomic(&s, NEW.as_bytes(), &BACKUP));
    match result {
        Ok(outcome) => format!("Ok: {outcome:?}"),
        Err(e) => {
            let variant = format!("{e:?}");
            let variant = variant.split([' ', '{', '(']).next().unwrap_or_default().to_string();
            format!("{variant}: {e}")
        }
    }
}

/// Entry point of the child process; does nothing in an ordinary test run.
#[test]
fn scenario_child() {
    if let Ok(file) = std::env::var(SCENARIO_ENV) {
        println!("SCENARIO-RESULT {}", attempt(Path::new(&file)));
    }
}

/// Runs `attempt` on `file` as `nobody`, from a copy of this test binary that `nobody` may run.
#[cfg(unix)]
fn attempt_as_nobody(root: &Path, file: &Path) -> String {
    use std::os::unix::process::CommandExt;
    let exe = root.join("test-binary");
    fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    set_mode(&exe, 0o755);
    let out = std::process::Command::new(&exe)
        .args(["--exact", "scenario_child", "--nocapture", "--test-threads=1"])
        .env(SCENARIO_ENV, file)
        .current_dir(root)
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().find_map(|l| l.split_once("SCENARIO-RESULT ").map(|(_, r)| r));
    match line {
        Some(result) => result.to_string(),
        None => panic!("child failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)),
    }
}

/// A scenario directory: `root` (searchable by all) / `dir` / `.env`.
#[cfg(unix)]
struct Scene {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
    dir: std::path::PathBuf,
    file: std::path::PathBuf,
}

#[cfg(unix)]
fn scene(file_mode: u32) -> Scene {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    set_mode(&root, 0o755);
    let dir = root.join("project");
    fs::create_dir(&dir).unwrap();
    let file = dir.join(".env");
    write_file(&file, OLD, file_mode);
    Scene { _tmp: tmp, root, dir, file }
}

#[cfg(unix)]
#[test]
fn unwritable_directory_is_reported() {
    let s = scene(0o600);
    let result = if is_root() {
        std::os::unix::fs::chown(&s.dir, Some(NOBODY), Some(NOBODY)).unwrap();
        std::os::unix::fs::chown(&s.file, Some(NOBODY), Some(NOBODY)).unwrap();
        set_mode(&s.dir, 0o555);
        attempt_as_nobody(&s.root, &s.file)
    } else {
        set_mode(&s.dir, 0o555);
        attempt(&s.file)
    };
    set_mode(&s.dir, 0o755);
    let expected = format!("DirectoryNotWritable: cannot create a file in {} to replace {}: ", s.dir.display(), s.file.display());
    assert!(result.starts_with(&expected), "{result}");
    assert!(result.ends_with("; not overwritten"), "{result}");
    assert!(!result.contains(SECRET));
    assert_eq!(read(&s.file), OLD);
    assert_eq!(entries(&s.dir), set(&[".env"]));
}

#[cfg(unix)]
#[test]
fn owner_without_write_permission_is_refused() {
    let s = scene(0o464);
    let result = if is_root() {
        std::os::unix::fs::chown(&s.dir, Some(NOBODY), Some(NOBODY)).unwrap();
        std::os::unix::fs::chown(&s.file, Some(NOBODY), Some(NOBODY)).unwrap();
        attempt_as_nobody(&s.root, &s.file)
    } else {
        attempt(&s.file)
    };
    assert_eq!(result, format!("ReadOnly: {} is read-only; not overwritten", s.file.display()));
    assert_eq!(read(&s.file), OLD);
    assert_eq!(mode(&s.file), 0o464);
    assert_eq!(entries(&s.dir), set(&[".env"]), "temporary files removed");
}

#[cfg(unix)]
#[test]
fn group_that_cannot_be_kept_is_refused() {
    use std::os::unix::fs::MetadataExt;
    if !is_root() {
        eprintln!("skipped: needs root to give a file a group its owner is not in");
        return;
    }
    // nobody owns the file, but its group is root's, which nobody may not give a new file:
    // the replacement would be readable by nobody's group instead.
    let s = scene(0o640);
    std::os::unix::fs::chown(&s.dir, Some(NOBODY), Some(NOBODY)).unwrap();
    std::os::unix::fs::chown(&s.file, Some(NOBODY), Some(0)).unwrap();
    let result = attempt_as_nobody(&s.root, &s.file);
    let expected = format!("OwnerNotKept: cannot give the rewritten {} its original owner and group: ", s.file.display());
    assert!(result.starts_with(&expected), "{result}");
    assert!(result.ends_with("; not overwritten"), "{result}");
    assert_eq!(read(&s.file), OLD);
    let meta = fs::metadata(&s.file).unwrap();
    assert_eq!((meta.uid(), meta.gid(), meta.mode() & 0o7777), (NOBODY, 0, 0o640));
    assert_eq!(entries(&s.dir), set(&[".env"]), "temporary files removed");
}

/// A `Committer` fed from many threads writes every replacement, in several groups (more
/// than `GROUP` files), reports each under its key, leaves no temporary file, and refuses
/// only the file that changed on disk after it was prepared.
#[test]
fn committer_writes_groups_while_more_arrive() {
    use dblint::fix::write::{Committer, GROUP, prepare};
    use rayon::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let n = 2 * GROUP + 3;
    let paths: Vec<_> = (0..n).map(|i| dir.path().join(format!("{i:04}.env"))).collect();
    for p in &paths {
        write_file(p, OLD, 0o600);
    }
    let changed = 7;
    let committer = Committer::start().unwrap();
    paths.par_iter().enumerate().for_each(|(i, p)| {
        let snapshot = Snapshot::read(p).unwrap();
        let pending = prepare(&snapshot, NEW.as_bytes(), &NO_BACKUP).unwrap().expect("content differs");
        if i == changed {
            fs::write(p, "DATABASE_URL=edited meanwhile\n").unwrap();
        }
        committer.submit(i, pending);
    });
    let mut outcomes = committer.finish();
    outcomes.sort_by_key(|(key, _)| *key);
    assert_eq!(outcomes.iter().map(|(key, _)| *key).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>());
    for (i, result) in outcomes {
        if i == changed {
            assert!(matches!(result, Err(WriteError::Changed { .. })), "{result:?}");
            assert_eq!(read(&paths[i]), "DATABASE_URL=edited meanwhile\n");
        } else {
            assert_written(result);
            assert_eq!((read(&paths[i]).as_str(), mode(&paths[i])), (NEW, 0o600));
        }
    }
    assert_eq!(entries(dir.path()).len(), n, "no temporary file is left");
}
