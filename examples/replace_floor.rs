//! The least that replacing the fixed files of a benchmark tree can cost.
//!
//! ```sh
//! cargo run --release --example replace_floor -- TREE
//! ```
//!
//! Rewrites, the way any atomic fixer must, the `.env` files of a tree made by
//! `benches/gen_tree.py` that `dblint --fix` rewrites (those holding one of its fixable
//! strings): a new file in the same directory, written, and renamed over the old one, on 16
//! threads as dblint's renames are. Nothing is parsed, checked or flushed, so this is
//! strictly less work than a fix; `benches/process.sh` times it beside `dblint --fix` and
//! `dblint` to show how much of a fix's time the file system alone takes (BENCHMARKS.md §3).
//! The new content is the old one, the size of a fixed file give or take a few bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

/// What `benches/gen_tree.py` writes into the strings that `dblint --fix` fixes.
const FIXABLE: [&[u8]; 3] = [b"sslmode=required", b":p@ss", b"?slmode="];
const THREADS: usize = 16;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), out)?;
        } else if kind.is_file() && entry.file_name() == ".env" {
            out.push(entry.path());
        }
    }
    Ok(())
}

/// Replaces `path` with a new file of the same content if it holds a fixable string.
fn replace(path: &Path) -> std::io::Result<bool> {
    let content = std::fs::read(path)?;
    if !FIXABLE.iter().any(|f| content.windows(f.len()).any(|w| w == *f)) {
        return Ok(false);
    }
    let temp = path.with_file_name(".env.floor.tmp");
    std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?.write_all(&content)?;
    std::fs::rename(&temp, path)?;
    Ok(true)
}

fn main() -> std::io::Result<()> {
    let Some(root) = std::env::args_os().nth(1) else {
        eprintln!("usage: replace_floor TREE");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    walk(Path::new(&root), &mut paths)?;
    let replaced: std::io::Result<usize> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let paths = &paths;
                s.spawn(move || -> std::io::Result<usize> {
                    let mut n = 0;
                    for p in paths.iter().skip(t).step_by(THREADS) {
                        n += usize::from(replace(p)?);
                    }
                    Ok(n)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).sum()
    });
    eprintln!("{} files replaced", replaced?);
    Ok(())
}
