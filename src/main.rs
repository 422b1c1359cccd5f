//! The `dblint` executable.
//!
//! A pre-commit hook starts dblint on every commit, so its start-up is part of its speed
//! (BENCHMARKS.md §2). The program provides the C `main` itself (`no_main`) instead of
//! going through Rust's runtime start, which on Linux asks the C library for the main
//! thread's stack bounds — glibc answers by reading and parsing `/proc/self/maps` — and
//! maps an alternate signal stack, only to turn a stack overflow into a message rather
//! than a plain `SIGSEGV`. Together with the statically linked unwinder (`build.rs`) this
//! was about a fifth of a run on one `.env` file. What the runtime does that matters is done
//! here: standard descriptors that are closed are reopened on `/dev/null` (or the first
//! file dblint opens to write could become its standard output), `SIGPIPE` is ignored so
//! that a closed pipe is an error the output code handles, a panic ends the process with
//! status 101, and standard output is flushed before exit.

// A test build of this file (`cargo test --all-targets`) gets the test harness's `main`.
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
mod entry {
    use std::ffi::{c_char, c_int};
    use std::io::Write as _;

    #[unsafe(no_mangle)]
    extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
        #[cfg(unix)]
        prepare_standard_streams();
        // Arguments come from `std::env::args_os`, which the standard library captures
        // before `main` on every platform dblint builds for.
        let code = std::panic::catch_unwind(dblint::cli::main).map_or(101, c_int::from);
        let _ = std::io::stdout().flush();
        code
    }

    /// Reopen closed standard descriptors on `/dev/null` and ignore `SIGPIPE`, as Rust's
    /// runtime start does.
    #[cfg(unix)]
    fn prepare_standard_streams() {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd { fd, events: 0, revents: 0 });
        // SAFETY: `fds` is a valid array of three `pollfd`s for the duration of the call.
        let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
        if polled < 0 || fds.iter().any(|p| p.revents & libc::POLLNVAL != 0) {
            for fd in [0, 1, 2] {
                // SAFETY: `fcntl(F_GETFD)` only asks whether `fd` is open.
                if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
                    // SAFETY: the path is a NUL-terminated C string; the lowest free
                    // descriptor, which is `fd`, is the one `open` returns.
                    unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
                }
            }
        }
        // SAFETY: setting a signal's disposition to `SIG_IGN` installs no handler code.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    }
}
