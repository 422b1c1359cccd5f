//! A writer killed with `SIGKILL` at random moments never loses, empties or tears the file.
//!
//! The test re-executes its own binary in "writer loop" mode (`writer_loop_child`, switched on
//! by an environment variable): the child replaces one file over and over with the real
//! `write_atomic`, alternating two large, different contents, until the parent kills it after
//! a random (seeded) delay. After every kill the file must be exactly one of the two contents,
//! with its mode intact; a backup, when asked for, must be too. Temporary files left by a
//! killed writer must never be taken for the file, must not pile up (the next writer removes
//! them), and are all gone after a final, uninterrupted write.
//!
//! `DBLINT_CRASH_SEED` and `DBLINT_CRASH_KILLS` override the seed and the number of kills.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dblint::fix::write::{Outcome, Snapshot, WriteOptions, write_atomic};

const DIR_ENV: &str = "DBLINT_CRASH_DIR";
const BACKUP_ENV: &str = "DBLINT_CRASH_BACKUP";
const READY: &str = "WRITER-READY";
const DEFAULT_SEED: u64 = 0x00db_1147_c0ff_ee00;
const DEFAULT_KILLS: u32 = 200;
/// Longest random delay between the writer being ready and its death.
const MAX_DELAY_US: u64 = 150_000;
const FILE: &str = ".env";
const BACKUP: &str = ".env.bak";
const MODE: u32 = 0o600;

/// splitmix64: a small seeded generator, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `len` pseudo-random bytes: two different seeds give contents that differ throughout.
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The child: replaces `work/.env` forever, alternating the contents of `a.bin` and `b.bin`.
/// Does nothing in an ordinary test run.
#[test]
fn writer_loop_child() {
    let Ok(dir) = std::env::var(DIR_ENV) else { return };
    let dir = Path::new(&dir);
    let a = fs::read(dir.join("a.bin")).unwrap();
    let b = fs::read(dir.join("b.bin")).unwrap();
    let target = dir.join("work").join(FILE);
    let options = WriteOptions { backup: std::env::var(BACKUP_ENV).is_ok_and(|v| v == "1"), no_temp_files_beside: false };
    eprintln!("{READY}");
    loop {
        let snap = Snapshot::read(&target).unwrap();
        let current = snap.content();
        assert!(current == a.as_slice() || current == b.as_slice(), "torn file seen by the writer");
        let next = if current == a.as_slice() { &b } else { &a };
        let outcome = write_atomic(&snap, next, &options).unwrap();
        assert!(matches!(outcome, Outcome::Written { .. }));
    }
}

/// Which of the two contents `path` holds, or why it holds neither.
fn which(path: &Path, a: &[u8], b: &[u8]) -> Result<char, String> {
    let got = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if got == a {
        Ok('a')
    } else if got == b {
        Ok('b')
    } else {
        Err(format!("{} is torn: {} bytes, neither content", path.display(), got.len()))
    }
}

fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn killed_writer_never_tears_the_file() {
    let seed = env_or("DBLINT_CRASH_SEED", DEFAULT_SEED);
    let kills = env_or("DBLINT_CRASH_KILLS", DEFAULT_KILLS);
    eprintln!("seed {seed:#x}, {kills} kills (DBLINT_CRASH_SEED / DBLINT_CRASH_KILLS to change)");
    let mut rng = Rng(seed);
    let a = content(seed ^ 0xa, 6 << 20);
    let b = content(seed ^ 0xb, (4 << 20) + 12_345);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let work = dir.join("work");
    fs::create_dir(&work).unwrap();
    fs::write(dir.join("a.bin"), &a).unwrap();
    fs::write(dir.join("b.bin"), &b).unwrap();
    let target = work.join(FILE);
    fs::write(&target, &a).unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(MODE)).unwrap();

    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let (mut seen, mut kills_with_debris, mut most_debris) = ([0u32; 2], 0u32, 0usize);
    for kill in 0..kills {
        let backup = kill % 2 == 1;
        let mut child = Command::new(&exe)
            .args(["--exact", "writer_loop_child", "--nocapture", "--test-threads=1"])
            .env(DIR_ENV, dir)
            .env(BACKUP_ENV, if backup { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains(READY) {
            line.clear();
            if stderr.read_line(&mut line).unwrap() == 0 {
                panic!("kill {kill}: the writer exited before it was ready");
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(MAX_DELAY_US)));
        if let Some(status) = child.try_wait().unwrap() {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            panic!("kill {kill}: the writer stopped by itself ({status}):\n{rest}");
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let fail = |why: String| -> ! { panic!("seed {seed:#x}, kill {kill}: {why}") };
        let now = which(&target, &a, &b).unwrap_or_else(|e| fail(e));
        seen[usize::from(now == 'b')] += 1;
        assert_eq!(mode(&target), MODE, "kill {kill}: mode changed");
        let backup_path = work.join(BACKUP);
        if backup_path.exists() {
            which(&backup_path, &a, &b).unwrap_or_else(|e| fail(e));
            assert_eq!(mode(&backup_path), MODE, "kill {kill}: backup mode");
        }
        let debris: Vec<String> = names(&work).into_iter().filter(|n| n != FILE && n != BACKUP).collect();
        for name in &debris {
            let ours = name.starts_with("..env.dblint-") && name.ends_with(".tmp");
            assert!(ours, "kill {kill}: unexpected file {name}");
        }
        // The writer removes its dead predecessors' files before making its own (at most two:
        // the new content and the backup), so they never pile up.
        assert!(debris.len() <= 2, "kill {kill}: temporary files pile up: {debris:?}");
        kills_with_debris += u32::from(!debris.is_empty());
        most_debris = most_debris.max(debris.len());
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{kills} kills in {elapsed:.1?}: file held a {}x, b {}x; {kills_with_debris} kills left \
         temporary files (at most {most_debris} at once)",
        seen[0], seen[1]
    );
    assert!(seen[0] > 0 && seen[1] > 0, "the writer never completed a write between kills");
    assert!(kills_with_debris > 0, "no kill landed while a temporary file existed");

    // A last, uninterrupted run reads the real file, not the debris, and clears the debris.
    let debris = names(&work).into_iter().filter(|n| n != FILE && n != BACKUP).count();
    let snap = Snapshot::read(&target).unwrap();
    let next = if snap.content() == a.as_slice() { &b } else { &a };
    let outcome = write_atomic(&snap, next, &WriteOptions::default()).unwrap();
    assert_eq!(outcome, Outcome::Written { backup: None, stale_temp_files_removed: debris });
    let left: Vec<String> = names(&work).into_iter().filter(|n| n != FILE && n != BACKUP).collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(fs::read(&target).unwrap(), next.as_slice());
}
