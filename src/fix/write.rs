//! Writing fixed files so that nothing is ever lost.
//!
//! A fix rewrites a file that often holds passwords (`.env`, mode `0600`, sometimes a symlink
//! managed by stow or chezmoi). Truncating it and writing in place loses the file when the
//! process is interrupted half-way (a known failure of other fixers), and a careless
//! temp-file-and-rename resets permissions, replaces symlinks and splits hard links. This module
//! does the rename carefully:
//!
//! 1. [`Snapshot::read`] reads the file through any symlinks and remembers what it read: the
//!    bytes, the length, the modification time and the file's identity (device and inode on
//!    Unix). Only a file that is to be written has its real path worked out ([`prepare`]), so
//!    reading costs a lint one `stat`, one `open`, the reads and one `fstat`.
//! 2. [`write_atomic`] writes the new content to a temporary file in the *target's own*
//!    directory, gives it the original's permission bits and owner/group, flushes it
//!    (`fsync`), checks that the file on disk is still exactly what was read (identity,
//!    length, permissions and every byte of content — a modification time alone proves
//!    nothing), renames the temporary file over the target and flushes the directory.
//!    It is [`prepare`] (checks and temporary files) followed by the flush and the commit;
//!    [`commit_all`] does the same for many files at once, flushing each file system once
//!    before the renames and once after instead of every file and directory, and a
//!    [`Committer`] runs [`commit_all`] on a thread of its own, group after group, while the
//!    caller is still preparing files (the disk's waits overlap the linting).
//!
//! A process killed at any moment therefore leaves the file either wholly old or wholly new,
//! never empty, torn or missing (`tests/write_crash.rs` kills a writer with `SIGKILL` 200 times
//! at random moments to check this).
//!
//! # What is refused, and why
//!
//! Every refusal leaves the target untouched and removes the temporary files made so far.
//!
//! - **Changed on disk** ([`WriteError::Changed`]): another program (an editor, a second run)
//!   wrote the file after it was read; overwriting would lose that edit.
//! - **Read-only** ([`WriteError::ReadOnly`]): a rename does not need write permission on the
//!   file itself, so it would silently defeat a `chmod a-w`. Refused even for root.
//! - **Several hard links** ([`WriteError::HardLinked`]): a rename gives this name a new file
//!   while the other names keep the old one, silently splitting what the user linked
//!   together. Writing in place instead would keep the link but would not be atomic. Neither
//!   is what a careful user expects, so dblint refuses and says so; the user can break the
//!   link deliberately (`cp --remove-destination`) or edit the file by hand.
//! - **Owner or group that cannot be kept** ([`WriteError::OwnerNotKept`]): the replacement
//!   would belong to whoever runs dblint, which can widen who may read the secrets in it.
//! - **Backing up a backup** ([`WriteError::BackupOfBackup`]): `FILE.bak.bak` chains are
//!   debris, never wanted.
//!
//! # Backups
//!
//! Off by default. With [`WriteOptions::backup`] the original content is kept as `FILE.bak`
//! next to the real file (beside a symlink's *target*, not the link), written the same safe
//! way (temporary file, original permissions and owner, `fsync`, rename), replacing an older
//! `FILE.bak` if there is one. The backup is put in place just before the file is replaced; if
//! that last rename fails, the backup (then a copy of the untouched file) stays.
//!
//! # Temporary files
//!
//! Temporary files are hidden and named `.FILE.dblint-PID-XXXXXX.tmp` after the file they
//! replace and the writing process. A process killed between creating one and renaming it
//! leaves it behind; it is never read as the target, and on Linux the next write to the same
//! file removes those whose process no longer exists ([`remove_stale_temp_files`]). Elsewhere
//! they stay until removed by hand. A caller that has just listed the directory (the walk of
//! `dblint --fix DIR`) says so when it saw none ([`WriteOptions::no_temp_files_beside`]), and
//! the directory is not listed again; one that an ignore file hid from that walk stays.
//!
//! # Limits
//!
//! - Between the final check and the rename there is a window of microseconds in which a
//!   concurrent writer's change would still be lost; without locks that every editor honours,
//!   no scheme closes it.
//! - Extended attributes, ACLs and security labels of the original are not copied; only the
//!   permission bits and the owner/group are.
//! - File identity (device and inode) is known on Unix only; elsewhere a file replaced by
//!   another with the very same content is not noticed (nothing is lost: the content is equal).
//! - The file written is the one that was read: if a symlink is re-pointed between
//!   [`Snapshot::read`] and [`write_atomic`], its new target is not that file, and the write
//!   is refused as a change.
//!
//! Error messages name paths and causes only, never file content.

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::sources::parent_dir;
use tempfile::{Builder, NamedTempFile, TempPath};

/// Marker between the target's name and the writer's process id in temporary file names.
const TEMP_MARKER: &str = ".dblint-";
/// Extension of temporary files.
const TEMP_SUFFIX: &str = ".tmp";
/// Extension appended to the file name of a backup.
const BACKUP_SUFFIX: &str = ".bak";
/// Buffer size used when comparing the file on disk with the snapshot.
const COMPARE_CHUNK: usize = 64 * 1024;

/// A file as it was read: its path, content, and what is needed to notice a later change.
///
/// Its `Debug` output shows the content's length, never the content.
#[derive(Clone)]
pub struct Snapshot {
    path: PathBuf,
    content: Vec<u8>,
    stamp: Stamp,
}

/// What identifies a version of a file on disk besides its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    id: FileId,
}

/// Identity of a file independent of its name (device and inode on Unix; nothing elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

impl FileId {
    fn of(meta: &Metadata) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId { dev: meta.dev(), ino: meta.ino() }
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId {}
        }
    }
}

impl Stamp {
    fn of(meta: &Metadata) -> Self {
        Stamp { len: meta.len(), modified: meta.modified().ok(), id: FileId::of(meta) }
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("content", &format_args!("<{} bytes>", self.content.len()))
            .field("stamp", &self.stamp)
            .finish()
    }
}

impl Snapshot {
    /// Reads `path`, following symlinks to the real file, and remembers its state.
    ///
    /// Fails if the path does not exist, is not a regular file (directories, devices and
    /// FIFOs are refused before they are opened), or changed while it was being read.
    pub fn read(path: impl AsRef<Path>) -> Result<Snapshot, WriteError> {
        Snapshot::read_at_most(path, u64::MAX)
    }

    /// [`Snapshot::read`], refusing a file longer than `limit` bytes before reading it
    /// ([`WriteError::TooLarge`]).
    pub fn read_at_most(path: impl AsRef<Path>, limit: u64) -> Result<Snapshot, WriteError> {
        let path = path.as_ref().to_path_buf();
        let read_error = |source| WriteError::Read { path: path.clone(), source };
        // Looked at before opening: opening a FIFO would block, opening a device may act.
        let meta = fs::metadata(&path).map_err(read_error)?;
        if !meta.is_file() {
            return Err(WriteError::NotAFile { path });
        }
        if meta.len() > limit {
            return Err(WriteError::TooLarge { path, limit });
        }
        let before = Stamp::of(&meta);
        let mut file = File::open(&path).map_err(read_error)?;
        // One byte more than the length read, to see the end (or that the file grew) without
        // growing the buffer.
        let mut content = Vec::with_capacity(usize::try_from(before.len).unwrap_or(0).saturating_add(1));
        // Plain reads to the end (`File::read_to_end` would ask for the length and the
        // position again first).
        (&mut file).take(u64::MAX).read_to_end(&mut content).map_err(read_error)?;
        // The file opened and read is the one looked at, unchanged from before the open to
        // after the last read: same identity, length and modification time.
        let stamp = Stamp::of(&file.metadata().map_err(read_error)?);
        if stamp != before || stamp.len != content.len() as u64 {
            return Err(WriteError::Changed { path });
        }
        Ok(Snapshot { path, content, stamp })
    }

    /// The path as given to [`Snapshot::read`] (possibly a symlink); errors name this path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The real file behind [`Snapshot::path`], the file that [`write_atomic`] replaces, and
    /// its metadata, if it is still the file that was read (identity and length): the path
    /// itself when it names a regular file (a symlinked directory on the way is harmless: the
    /// replacement is made and renamed in that same directory), else the path with every
    /// symlink resolved.
    pub fn target(&self) -> Result<(PathBuf, Metadata), WriteError> {
        let changed = || WriteError::Changed { path: self.path.clone() };
        let io_error = |source: io::Error| match source.kind() {
            io::ErrorKind::NotFound => changed(),
            _ => WriteError::Io { path: self.path.clone(), action: "re-read", source },
        };
        let mut target = self.path.clone();
        let mut meta = fs::symlink_metadata(&target).map_err(io_error)?;
        if meta.file_type().is_symlink() {
            target = fs::canonicalize(&self.path).map_err(io_error)?;
            meta = fs::symlink_metadata(&target).map_err(io_error)?;
        }
        if !self.is_still(&meta) {
            return Err(changed());
        }
        Ok((target, meta))
    }

    /// Whether `meta` describes the file that was read: a regular file of the same identity
    /// and length.
    fn is_still(&self, meta: &Metadata) -> bool {
        meta.is_file() && FileId::of(meta) == self.stamp.id && meta.len() == self.stamp.len
    }

    /// The bytes that were read.
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The modification time that was read, where the platform has one.
    pub fn modified(&self) -> Option<SystemTime> {
        self.stamp.modified
    }

    /// Checks that the file on disk is still the one that was read: same identity, same
    /// length and, byte for byte, the same content (comparing the bytes themselves is stronger
    /// than comparing a hash or a modification time). A changed modification time alone is
    /// not a change (`touch`).
    ///
    /// Returns [`WriteError::Changed`] if anything differs or the file is gone.
    pub fn check_unchanged(&self) -> Result<(), WriteError> {
        let (target, _) = self.target()?;
        self.current(&target).map(drop)
    }

    /// The metadata of `target` (the real file, from [`Snapshot::target`]) if it is still,
    /// byte for byte, the file that was read.
    fn current(&self, target: &Path) -> Result<Metadata, WriteError> {
        let changed = || WriteError::Changed { path: self.path.clone() };
        let io_error = |source| WriteError::Io { path: self.path.clone(), action: "re-read", source };
        let mut file = match open_existing(target) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(changed()),
            // Replaced by a symlink (`O_NOFOLLOW`).
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => return Err(changed()),
            Err(e) => return Err(io_error(e)),
        };
        let meta = file.metadata().map_err(io_error)?;
        if !self.is_still(&meta) {
            return Err(changed());
        }
        if !same_content(&mut file, &self.content).map_err(io_error)? {
            return Err(changed());
        }
        Ok(meta)
    }
}

/// Opens for reading the file that `path` names, which should be a regular file: without
/// following a symlink, and (on Unix) without blocking on a FIFO or adopting a terminal, so
/// that whatever was put in its place can be looked at with `fstat` and refused.
fn open_existing(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
    }
    #[cfg(not(unix))]
    {
        File::open(path)
    }
}

/// Whether `reader` yields exactly `expected`, compared chunk by chunk.
fn same_content(reader: &mut impl Read, expected: &[u8]) -> io::Result<bool> {
    // One byte more than expected is enough to see that the file grew.
    let mut buf = vec![0u8; COMPARE_CHUNK.min(expected.len() + 1)];
    let mut rest = expected;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(rest.is_empty());
        }
        let (Some(got), Some(want)) = (buf.get(..n), rest.get(..n)) else {
            return Ok(false);
        };
        if got != want {
            return Ok(false);
        }
        rest = rest.get(n..).unwrap_or_default();
    }
}

/// How [`write_atomic`] writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Keep the original content as `FILE.bak` beside the real file (off by default).
    pub backup: bool,
    /// The caller has just listed the file's directory and found no name that
    /// [`is_temp_file_name`] accepts, so there is no stale temporary file to look for
    /// ([`remove_stale_temp_files`] is skipped).
    pub no_temp_files_beside: bool,
}

/// What [`write_atomic`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub enum Outcome {
    /// The new content equals the old; nothing was written, not even a backup.
    Unchanged,
    /// The file was replaced.
    Written {
        /// Where the original content was kept, when a backup was asked for.
        backup: Option<PathBuf>,
        /// How many temporary files left by killed writers were removed (see
        /// [`remove_stale_temp_files`]).
        stale_temp_files_removed: usize,
    },
}

/// Why a file could not be read or written. Messages name the path and the cause, never the
/// content. Every variant but [`WriteError::NotDurable`] means the file was left untouched.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The file could not be read.
    Read {
        /// The path as given.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The path is not a regular file (a directory, device, FIFO …).
    NotAFile {
        /// The path as given.
        path: PathBuf,
    },
    /// The file is longer than the limit given to [`Snapshot::read_at_most`]; it was not read.
    TooLarge {
        /// The path as given.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file changed on disk since it was read (or while it was being read).
    Changed {
        /// The path as given.
        path: PathBuf,
    },
    /// The file is read-only (no write permission bit, or on a read-only file system).
    ReadOnly {
        /// The path as given.
        path: PathBuf,
    },
    /// The file has several hard links, which replacing it would split.
    HardLinked {
        /// The path as given.
        path: PathBuf,
        /// Its number of links.
        links: u64,
    },
    /// The directory holding the file does not allow creating the replacement.
    DirectoryNotWritable {
        /// The path as given.
        path: PathBuf,
        /// The real file's directory.
        dir: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The replacement could not be given the original's owner and group.
    OwnerNotKept {
        /// The path as given.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A backup was asked for a file whose name already ends in `.bak`.
    BackupOfBackup {
        /// The path as given.
        path: PathBuf,
    },
    /// Another I/O step failed before the file was replaced.
    Io {
        /// The path as given.
        path: PathBuf,
        /// What was being done, as a verb phrase taking the path as object.
        action: &'static str,
        /// The cause.
        source: io::Error,
    },
    /// The file was replaced, but its directory could not be flushed to disk, so the
    /// replacement may not survive a power loss.
    NotDurable {
        /// The path as given.
        path: PathBuf,
        /// The real file's directory.
        dir: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

impl WriteError {
    /// The path the error is about, as given to [`Snapshot::read`].
    pub fn path(&self) -> &Path {
        match self {
            WriteError::Read { path, .. }
            | WriteError::NotAFile { path }
            | WriteError::TooLarge { path, .. }
            | WriteError::Changed { path }
            | WriteError::ReadOnly { path }
            | WriteError::HardLinked { path, .. }
            | WriteError::DirectoryNotWritable { path, .. }
            | WriteError::OwnerNotKept { path, .. }
            | WriteError::BackupOfBackup { path }
            | WriteError::Io { path, .. }
            | WriteError::NotDurable { path, .. } => path,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            WriteError::NotAFile { path } => {
                write!(f, "{} is not a regular file", path.display())
            }
            WriteError::TooLarge { path, limit } => {
                write!(f, "{}: larger than {} MiB, not read", path.display(), limit / (1024 * 1024))
            }
            WriteError::Changed { path } => write!(f, "{} changed on disk since it was read; not overwritten", path.display()),
            WriteError::ReadOnly { path } => {
                write!(f, "{} is read-only; not overwritten", path.display())
            }
            WriteError::HardLinked { path, links } => write!(
                f,
                "{} has {links} hard links and replacing it would split them; not overwritten \
                 (break the link first, e.g. with `cp --remove-destination`, or edit it by hand)",
                path.display()
            ),
            WriteError::DirectoryNotWritable { path, dir, source } => {
                write!(f, "cannot create a file in {} to replace {}: {source}; not overwritten", dir.display(), path.display())
            }
            WriteError::OwnerNotKept { path, source } => write!(
                f,
                "cannot give the rewritten {} its original owner and group: {source}; \
                 not overwritten",
                path.display()
            ),
            WriteError::BackupOfBackup { path } => {
                write!(f, "{} is itself a backup; refusing to back it up as another `{BACKUP_SUFFIX}` file", path.display())
            }
            WriteError::Io { path, action, source } => write!(f, "cannot {action} {}: {source}; not overwritten", path.display()),
            WriteError::NotDurable { path, dir, source } => {
                write!(f, "{} was replaced, but flushing {} to disk failed: {source}", path.display(), dir.display())
            }
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Read { source, .. }
            | WriteError::DirectoryNotWritable { source, .. }
            | WriteError::OwnerNotKept { source, .. }
            | WriteError::Io { source, .. }
            | WriteError::NotDurable { source, .. } => Some(source),
            WriteError::NotAFile { .. }
            | WriteError::TooLarge { .. }
            | WriteError::Changed { .. }
            | WriteError::ReadOnly { .. }
            | WriteError::HardLinked { .. }
            | WriteError::BackupOfBackup { .. } => None,
        }
    }
}

/// Replaces the file read into `snapshot` with `new_content`, atomically.
///
/// Writes through symlinks to the real file (links stay links), keeps its permission bits and
/// owner/group, refuses if the file changed since it was read, and never leaves the file
/// empty, torn or missing, whenever the process is stopped. Content equal to the snapshot's
/// is not written at all ([`Outcome::Unchanged`]). See the [module documentation](self) for
/// every refusal and its reason.
pub fn write_atomic(snapshot: &Snapshot, new_content: &[u8], options: &WriteOptions) -> Result<Outcome, WriteError> {
    let Some(pending) = prepare(snapshot, new_content, options)? else { return Ok(Outcome::Unchanged) };
    pending.flush()?;
    let (path, dir) = (pending.snapshot.path.clone(), pending.dir());
    let outcome = pending.commit()?;
    sync_dir(&dir).map_err(|source| WriteError::NotDurable { path, dir, source })?;
    Ok(outcome)
}

/// A replacement made ready by [`prepare`]: the new content (and the backup, if asked for)
/// sits in a temporary file beside the real file, with its permissions and owner, neither
/// flushed nor renamed yet. Dropping it removes the temporary files.
#[derive(Debug)]
pub struct Pending {
    snapshot: Snapshot,
    /// The real file ([`Snapshot::target`]).
    target: PathBuf,
    meta: Metadata,
    temp: TempPath,
    backup: Option<(PathBuf, TempPath)>,
    stale_temp_files_removed: usize,
}

/// The first half of [`write_atomic`]: every check that can be made before writing, and the
/// temporary files. `None` when the content is unchanged (nothing to write).
pub fn prepare(snapshot: &Snapshot, new_content: &[u8], options: &WriteOptions) -> Result<Option<Pending>, WriteError> {
    if new_content == snapshot.content.as_slice() {
        return Ok(None);
    }
    let path = &snapshot.path;
    // Identity and length only: the content is compared just before the rename.
    let (target, meta) = snapshot.target()?;
    if is_read_only(&meta) {
        return Err(WriteError::ReadOnly { path: path.clone() });
    }
    let links = link_count(&meta);
    if links > 1 {
        return Err(WriteError::HardLinked { path: path.clone(), links });
    }
    let (Some(dir), Some(name)) = (parent_dir(&target), target.file_name()) else {
        return Err(WriteError::NotAFile { path: path.clone() });
    };
    let backup = if options.backup {
        if name.as_encoded_bytes().ends_with(BACKUP_SUFFIX.as_bytes()) {
            return Err(WriteError::BackupOfBackup { path: path.clone() });
        }
        let mut backup_name = name.to_os_string();
        backup_name.push(BACKUP_SUFFIX);
        Some(dir.join(backup_name))
    } else {
        None
    };

    // Best effort: a leftover temporary file is harmless, so failing to remove one is no error.
    // The directory is listed only when the caller has not just done so, or saw one (a
    // symlink's target may be elsewhere: then it is listed).
    let listed = options.no_temp_files_beside && target == snapshot.path;
    let stale_temp_files_removed = if listed { 0 } else { remove_stale_temp_files(&target).unwrap_or(0) };

    // The files are closed once written (a large tree may have thousands pending) and
    // flushed by name later, one by one or all at once ([`commit_all`]).
    let temp = prepare_temp(snapshot, &target, &meta, new_content)?.into_temp_path();
    let backup = match backup {
        Some(b) => Some((b, prepare_temp(snapshot, &target, &meta, &snapshot.content)?.into_temp_path())),
        None => None,
    };
    Ok(Some(Pending { snapshot: snapshot.clone(), target, meta, temp, backup, stale_temp_files_removed }))
}

impl Pending {
    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.snapshot.path
    }

    /// The real file's directory.
    fn dir(&self) -> PathBuf {
        parent_dir(&self.target).map(Path::to_path_buf).unwrap_or_default()
    }

    /// Flushes the temporary files to disk (`fsync`).
    fn flush(&self) -> Result<(), WriteError> {
        let io_error = |source| WriteError::Io { path: self.snapshot.path.clone(), action: "flush a temporary copy of", source };
        for temp in std::iter::once(&self.temp).chain(self.backup.as_ref().map(|(_, t)| t)) {
            File::open(temp).and_then(|f| f.sync_all()).map_err(io_error)?;
        }
        Ok(())
    }

    /// The second half of [`write_atomic`], once the temporary files are on disk: the last
    /// check that the file is still what was read, then the renames (backup first).
    fn commit(self) -> Result<Outcome, WriteError> {
        let path = &self.snapshot.path;
        let now = self.snapshot.current(&self.target)?;
        if !same_access(&self.meta, &now) {
            return Err(WriteError::Changed { path: path.clone() });
        }
        let backup = match self.backup {
            Some((backup, backup_temp)) => {
                // On failure the temporary file is dropped, which deletes it.
                backup_temp.persist(&backup).map_err(|e| WriteError::Io { path: path.clone(), action: "back up", source: e.error })?;
                Some(backup)
            }
            None => None,
        };
        self.temp.persist(&self.target).map_err(|e| WriteError::Io { path: path.clone(), action: "replace", source: e.error })?;
        Ok(Outcome::Written { backup, stale_temp_files_removed: self.stale_temp_files_removed })
    }
}

/// From this many files on, [`commit_all`] flushes each file system once instead of each
/// file and directory.
pub const BATCH: usize = 16;

/// Writes many prepared replacements, each as [`write_atomic`] would, with the same
/// guarantees: every temporary file is on disk before any rename, every rename is on disk
/// before this returns. Below [`BATCH`] files each is flushed on its own (`fsync` of the file
/// and of its directory); from [`BATCH`] on, on Linux, each file system holding them is
/// flushed once before the renames and once after (`syncfs`): two `fsync`s per file are what
/// would make fixing a large tree cost far more than linting it.
pub fn commit_all(pending: Vec<Pending>) -> Vec<Result<Outcome, WriteError>> {
    #[cfg(target_os = "linux")]
    if pending.len() >= BATCH {
        return commit_batch(pending);
    }
    pending
        .into_iter()
        .map(|p| {
            p.flush()?;
            let (path, dir) = (p.snapshot.path.clone(), p.dir());
            let outcome = p.commit()?;
            sync_dir(&dir).map_err(|source| WriteError::NotDurable { path, dir, source })?;
            Ok(outcome)
        })
        .collect()
}

/// The smallest group of replacements a [`Committer`] writes at once, unless it is the last.
/// Each group costs two `syncfs`; groups of this size keep that cost small against the
/// files' own writes while leaving enough groups to overlap with the work still going on.
pub const GROUP: usize = 512;

/// Writes prepared replacements ([`Pending`]) on a thread of its own while the caller is
/// still preparing more, so that waiting for the disk (flushes, renames) overlaps the
/// caller's work instead of following it.
///
/// Replacements are written in groups, each exactly as [`commit_all`] writes a batch, with
/// the same guarantees for every file: its content is on disk before its rename, and its
/// rename is on disk before [`Committer::finish`] returns. A group is at least [`GROUP`]
/// replacements, or what is left when the caller is done: while one group is written, the
/// next gathers.
pub struct Committer {
    queue: std::sync::mpsc::Sender<(usize, Pending)>,
    writer: std::thread::JoinHandle<Vec<(usize, Result<Outcome, WriteError>)>>,
}

impl Committer {
    /// Starts the writing thread.
    pub fn start() -> io::Result<Committer> {
        let (queue, incoming) = std::sync::mpsc::channel::<(usize, Pending)>();
        let writer = std::thread::Builder::new().name("dblint-writer".into()).spawn(move || {
            let mut outcomes = Vec::new();
            // Blocks until a first replacement arrives, or the caller is done.
            while let Ok(first) = incoming.recv() {
                let mut group = vec![first];
                while group.len() < GROUP {
                    match incoming.recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                group.extend(incoming.try_iter());
                let (keys, pending): (Vec<usize>, Vec<Pending>) = group.into_iter().unzip();
                outcomes.extend(keys.into_iter().zip(commit_all(pending)));
            }
            outcomes
        })?;
        Ok(Committer { queue, writer })
    }

    /// Hands over one replacement, under a key that [`Committer::finish`] reports its
    /// outcome with. Callable from many threads at once.
    pub fn submit(&self, key: usize, pending: Pending) {
        // The writer only stops once the queue is closed, which `finish` does; if it died
        // (a panic), the replacement is dropped, which removes its temporary files.
        let _ = self.queue.send((key, pending));
    }

    /// Waits until every replacement handed over is written (or refused), and returns each
    /// one's outcome with its key.
    pub fn finish(self) -> Vec<(usize, Result<Outcome, WriteError>)> {
        let Committer { queue, writer } = self;
        drop(queue);
        writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// How many renames [`commit_all`] runs at once for a large batch (see `commit_batch`).
#[cfg(target_os = "linux")]
const RENAME_THREADS: usize = 16;

#[cfg(target_os = "linux")]
fn commit_batch(pending: Vec<Pending>) -> Vec<Result<Outcome, WriteError>> {
    use std::collections::HashMap;
    // One directory per file system, to flush that file system through.
    let mut filesystems: HashMap<u64, PathBuf> = HashMap::new();
    for p in &pending {
        filesystems.entry(p.snapshot.stamp.id.dev).or_insert_with(|| p.dir());
    }
    // The file systems whose flush failed, with the error.
    let flush = |filesystems: &HashMap<u64, PathBuf>| -> HashMap<u64, io::Error> {
        filesystems
            .iter()
            .filter_map(|(dev, dir)| File::open(dir).and_then(|d| rustix::fs::syncfs(&d).map_err(io::Error::from)).err().map(|e| (*dev, e)))
            .collect()
    };
    let failed = flush(&filesystems);
    // The last checks and the renames, file by file: independent, so in parallel, and on
    // more threads than cores: a rename that replaces a file frees the old one's blocks, and
    // the file system may wait for the device to take them back (`discard`) before it
    // returns, so most of a rename's time is spent waiting, not computing.
    use rayon::prelude::*;
    let rename = |p: Pending| {
        let (dev, path, dir) = (p.snapshot.stamp.id.dev, p.snapshot.path.clone(), p.dir());
        let result = match failed.get(&dev) {
            // Not renamed: dropping `p` removes its temporary files.
            Some(e) => Err(WriteError::Io {
                path: path.clone(),
                action: "flush a temporary copy of",
                source: io::Error::new(e.kind(), e.to_string()),
            }),
            None => p.commit(),
        };
        (dev, path, dir, result)
    };
    // One pool for the whole run: a large fix commits several groups ([`Committer`]).
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let rename_all = move || -> Vec<(u64, PathBuf, PathBuf, Result<Outcome, WriteError>)> { pending.into_par_iter().map(rename).collect() };
    let renamed = match POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().num_threads(RENAME_THREADS).build().ok()) {
        Some(pool) => pool.install(rename_all),
        // No threads to be had: the global pool does the same work, only with fewer at once.
        None => rename_all(),
    };
    let renamed_on: HashMap<u64, PathBuf> =
        filesystems.into_iter().filter(|(dev, _)| renamed.iter().any(|(d, _, _, r)| d == dev && r.is_ok())).collect();
    let not_durable = flush(&renamed_on);
    renamed
        .into_iter()
        .map(|(dev, path, dir, result)| match (result, not_durable.get(&dev)) {
            (Ok(_), Some(e)) => Err(WriteError::NotDurable { path, dir, source: io::Error::new(e.kind(), e.to_string()) }),
            (result, _) => result,
        })
        .collect()
}

/// Creates a temporary file in `dir` holding `content`, with the permissions and owner of
/// `meta`. It is deleted when dropped unless persisted; the caller flushes it.
fn prepare_temp(snapshot: &Snapshot, target: &Path, meta: &Metadata, content: &[u8]) -> Result<NamedTempFile, WriteError> {
    let path = &snapshot.path;
    let io_error = |action| move |source| WriteError::Io { path: path.clone(), action, source };
    let dir = parent_dir(target).unwrap_or(Path::new("."));
    let prefix = temp_prefix(target);
    let mut builder = Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // Created with the original's permission bits (less the umask), so that `copy_access`
    // usually finds nothing to change: never wider than the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        builder.permissions(fs::Permissions::from_mode(meta.mode() & 0o777));
    }
    let mut temp = builder.tempfile_in(dir).map_err(|source| match source.kind() {
        io::ErrorKind::PermissionDenied => WriteError::DirectoryNotWritable { path: path.clone(), dir: dir.to_path_buf(), source },
        io::ErrorKind::ReadOnlyFilesystem => WriteError::ReadOnly { path: path.clone() },
        _ => io_error("create a temporary file to replace")(source),
    })?;
    copy_access(temp.as_file(), meta, path)?;
    temp.write_all(content).map_err(io_error("write a temporary copy of"))?;
    Ok(temp)
}

/// Gives `file` the owner, group and permission bits described by `meta`.
fn copy_access(file: &File, meta: &Metadata, path: &Path) -> Result<(), WriteError> {
    let io_error = |source| WriteError::Io { path: path.to_path_buf(), action: "set the permissions of a temporary copy of", source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
        let mine = file.metadata().map_err(io_error)?;
        // An owner without the owner's write bit (say mode 0464) may not write the file even
        // though some write bit is set; a rename would bypass that.
        if mine.uid() != 0 && mine.uid() == meta.uid() && meta.mode() & 0o200 == 0 {
            return Err(WriteError::ReadOnly { path: path.to_path_buf() });
        }
        let uid = (mine.uid() != meta.uid()).then_some(meta.uid());
        let gid = (mine.gid() != meta.gid()).then_some(meta.gid());
        if uid.is_some() || gid.is_some() {
            fchown(file, uid, gid).map_err(|source| WriteError::OwnerNotKept { path: path.to_path_buf(), source })?;
        }
        // After `fchown`, which may clear the set-user-ID and set-group-ID bits.
        if uid.is_some() || gid.is_some() || mine.mode() & 0o7777 != meta.mode() & 0o7777 {
            file.set_permissions(fs::Permissions::from_mode(meta.mode() & 0o7777)).map_err(io_error)?;
        }
    }
    #[cfg(not(unix))]
    {
        file.set_permissions(meta.permissions()).map_err(io_error)?;
    }
    Ok(())
}

/// Whether `a` and `b` have the same permissions and owner (the ones given to the replacement).
fn same_access(a: &Metadata, b: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.mode() == b.mode() && a.uid() == b.uid() && a.gid() == b.gid()
    }
    #[cfg(not(unix))]
    {
        a.permissions() == b.permissions()
    }
}

/// Whether no write permission bit is set (for anyone): the owner's explicit "do not modify".
fn is_read_only(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.mode() & 0o222 == 0
    }
    #[cfg(not(unix))]
    {
        meta.permissions().readonly()
    }
}

/// The number of hard links to the file (1 where the platform does not say).
fn link_count(meta: &Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// Flushes a directory entry change (the rename) to disk. File systems that cannot flush a
/// directory report `EINVAL`; there is nothing more to do on them.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        match File::open(dir).and_then(|d| d.sync_all()) {
            Err(e) if matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported) => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// This process's id, asked of the system once (`getpid` is a system call, and a large fix
/// names thousands of temporary files).
fn own_pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// `.NAME.dblint-PID-`: the start of this process's temporary files for `target`.
fn temp_prefix(target: &Path) -> OsString {
    let mut prefix = OsString::from(".");
    if let Some(name) = target.file_name() {
        prefix.push(name);
    }
    prefix.push(TEMP_MARKER);
    prefix.push(own_pid().to_string());
    prefix.push("-");
    prefix
}

/// Removes the temporary files that writers killed mid-write left beside `target` (the real
/// file, as [`Snapshot::target`] gives it), and returns how many were removed.
///
/// A temporary file is stale when the process named in it no longer exists. Files of live
/// processes (including this one) and every other file are left alone. This needs `/proc` and
/// is done on Linux only; elsewhere it removes nothing. [`write_atomic`] calls it before
/// each write.
pub fn remove_stale_temp_files(target: &Path) -> io::Result<usize> {
    #[cfg(target_os = "linux")]
    {
        let (Some(dir), Some(name)) = (parent_dir(target), target.file_name()) else {
            return Ok(0);
        };
        static PROC: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if !*PROC.get_or_init(|| Path::new("/proc/self").exists()) {
            return Ok(0);
        }
        let mut start = b".".to_vec();
        start.extend_from_slice(name.as_encoded_bytes());
        start.extend_from_slice(TEMP_MARKER.as_bytes());
        let own = own_pid();
        let mut removed = 0;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let file_name = entry.file_name();
            let Some(pid) = temp_file_pid(file_name.as_encoded_bytes(), &start) else {
                continue;
            };
            if pid == own || Path::new("/proc").join(pid.to_string()).exists() {
                continue;
            }
            if !entry.file_type()?.is_file() {
                continue;
            }
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = target;
        Ok(0)
    }
}

/// Whether `name` may be one of dblint's temporary files (`.NAME.dblint-PID-RANDOM.tmp`),
/// whatever file it was to replace: what a caller that lists a directory looks for before it
/// sets [`WriteOptions::no_temp_files_beside`].
pub fn is_temp_file_name(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    let Some(rest) = name.strip_prefix(b".").and_then(|r| r.strip_suffix(TEMP_SUFFIX.as_bytes())) else { return false };
    crate::syntax::bytes::find_short(rest, TEMP_MARKER.as_bytes()).is_some()
}

/// The process id in a temporary file name `START PID - RANDOM .tmp`, if `name` is one.
#[cfg(target_os = "linux")]
fn temp_file_pid(name: &[u8], start: &[u8]) -> Option<u32> {
    let rest = name.strip_prefix(start)?.strip_suffix(TEMP_SUFFIX.as_bytes())?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (digits, random) = rest.split_at(dash);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || random.len() < 2 {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_content_across_chunks() {
        let data: Vec<u8> = (0..(COMPARE_CHUNK * 2 + 17)).map(|i| (i % 251) as u8).collect();
        assert!(same_content(&mut data.as_slice(), &data).unwrap());
        let mut other = data.clone();
        if let Some(last) = other.last_mut() {
            *last ^= 1;
        }
        assert!(!same_content(&mut other.as_slice(), &data).unwrap());
        assert!(!same_content(&mut &data[..data.len() - 1], &data).unwrap());
        let longer = [data.as_slice(), b"x"].concat();
        assert!(!same_content(&mut longer.as_slice(), &data).unwrap());
        assert!(same_content(&mut &b""[..], b"").unwrap());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn parses_temp_file_names() {
        let start = b"..env.dblint-";
        assert_eq!(temp_file_pid(b"..env.dblint-123-abcdef.tmp", start), Some(123));
        assert_eq!(temp_file_pid(b"..env.dblint-123-.tmp", start), None);
        assert_eq!(temp_file_pid(b"..env.dblint--abc.tmp", start), None);
        assert_eq!(temp_file_pid(b"..env.dblint-12x-abc.tmp", start), None);
        assert_eq!(temp_file_pid(b"..env.dblint-123-abc.tmpx", start), None);
        assert_eq!(temp_file_pid(b"..env.local.dblint-123-abc.tmp", start), None);
        assert_eq!(temp_file_pid(b".env", start), None);
    }

    #[test]
    fn temp_prefix_hides_and_names_the_writer() {
        let prefix = temp_prefix(Path::new("/x/.env"));
        let expected = format!("..env{TEMP_MARKER}{}-", std::process::id());
        assert_eq!(prefix, OsString::from(expected));
    }
}
