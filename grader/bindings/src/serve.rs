//! A runner's loop: calls in on one pipe, replies out on another, the
//! student's own output kept off both.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::os::fd::{FromRawFd, OwnedFd};

use wire::{Call, Reply, read_frame, write_frame};

use crate::dispatch::{evaluate, note_panic};
use crate::tables::Module;

/// Serves calls to `module` until the judge closes the pipe, then exits.
///
/// The judge writes calls to the runner's stdin and reads replies from its
/// stdout. Before any student code runs, this moves both pipes to fresh
/// descriptors closed on `exec`, points stdin at `/dev/null` and stdout at
/// stderr: what a student prints lands in the captured stderr, and a
/// process the student starts cannot hold the judge's pipes open.
pub fn serve(module: Module) -> ! {
    let (calls, replies) = match take_pipes() {
        Ok(pipes) => pipes,
        Err(e) => {
            eprintln!("runner: cannot set up its pipes: {e}");
            std::process::exit(3);
        }
    };
    std::panic::set_hook(Box::new(note_panic));
    let mut calls = BufReader::new(calls);
    let mut replies = BufWriter::new(replies);
    loop {
        let bytes = match read_frame(&mut calls) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => std::process::exit(0),
            Err(e) => {
                eprintln!("runner: cannot read a call: {e}");
                std::process::exit(3);
            }
        };
        let reply = match Call::decode(&bytes) {
            Ok(call) => evaluate(&module, &call),
            Err(e) => Reply::Unknown(e.to_string()),
        };
        if write_frame(&mut replies, &reply.encode()).is_err() {
            std::process::exit(0);
        }
    }
}

/// The call and reply pipes, moved off descriptors 0 and 1.
fn take_pipes() -> std::io::Result<(File, File)> {
    // SAFETY: plain descriptor calls on descriptors this process owns; each
    // result is checked before use and owned exactly once.
    unsafe {
        let calls = check(libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 3))?;
        let replies = check(libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3))?;
        let null = check(libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY))?;
        check(libc::dup2(null, 0))?;
        libc::close(null);
        check(libc::dup2(2, 1))?;
        let calls = OwnedFd::from_raw_fd(calls);
        let replies = OwnedFd::from_raw_fd(replies);
        Ok((File::from(calls), File::from(replies)))
    }
}

fn check(result: libc::c_int) -> std::io::Result<libc::c_int> {
    if result < 0 { Err(std::io::Error::last_os_error()) } else { Ok(result) }
}
