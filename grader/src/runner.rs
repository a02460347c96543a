//! Grades tasks, each against a runner process of its own.
//!
//! The judge (this process) runs every check itself and sends each call of
//! a function under test to a runner: a process bound to one module's
//! crate that only evaluates calls. The runner starts in a process group
//! of its own, under a memory limit, as an unprivileged user when the judge
//! runs as root; the judge reads its replies with a deadline, keeps only
//! the tail of what it prints, and kills the whole group when the task ends.
//! Whatever a runner does, it can only fail its own task.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use wire::{Call, MAX_FRAME, Reply};

use crate::Implementation;
pub use crate::check::capture_panics;
use crate::check::{Checker, last_panic};
use crate::link::{Link, LinkError, Transport};
use crate::task::{Status, Task, TaskReport};

/// How to start the runner of a module.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

/// What a task's runner may use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Wall-clock time for the whole task, every call and restart included.
    pub budget: Duration,
    /// Address space of the runner, in bytes.
    pub memory: u64,
    /// How much of the runner's output to keep (its tail).
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { budget: Duration::from_secs(10), memory: 4 << 30, output: 16 << 10 }
    }
}

/// Grades one task with `implementation`, in this thread: what tests of
/// the grader use with functions called in-process. `link`, when given,
/// learns where each check starts. Call [`capture_panics`] first.
pub fn grade_with(task: &Task, implementation: &Implementation, link: Option<&Link>, seed: u64) -> TaskReport {
    let start = Instant::now();
    let mut checker = Checker::new(seed);
    if let Some(link) = link {
        checker = checker.with_link(link.clone());
    }
    match panic::catch_unwind(AssertUnwindSafe(|| (task.run)(implementation, &mut checker))) {
        Ok(()) => checker.finish(task, start.elapsed().as_secs_f64()),
        Err(_) => TaskReport::without_checks(
            task,
            Status::Crashed,
            format!("panicked outside any check: {}", last_panic().unwrap_or_default()),
            start.elapsed().as_secs_f64(),
        ),
    }
}

/// Grades `tasks`, `jobs` at a time, each against a fresh runner from
/// `runner(module)` (or the compiler's error when the module does not
/// build). Reports come back in the order of `tasks`, one per task.
pub fn run_all(
    tasks: &[Task],
    seed: u64,
    limits: Limits,
    jobs: usize,
    runner: &(dyn Fn(&str) -> Result<RunnerCommand, String> + Sync),
) -> Vec<TaskReport> {
    capture_panics();
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<TaskReport>>> = tasks.iter().map(|_| Mutex::new(None)).collect();
    thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, tasks.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(task) = tasks.get(i) else { break };
                    let report = panic::catch_unwind(AssertUnwindSafe(|| grade_task(task, seed, limits, runner)))
                        .unwrap_or_else(|_| {
                            let why = format!("the grader failed on this task: {}", last_panic().unwrap_or_default());
                            TaskReport::without_checks(task, Status::Crashed, why, 0.0)
                        });
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
                }
            });
        }
    });
    slots
        .into_iter()
        .zip(tasks)
        .map(|(slot, task)| {
            slot.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or_else(|| {
                TaskReport::without_checks(task, Status::Crashed, "the grader did not run this task".into(), 0.0)
            })
        })
        .collect()
}

fn grade_task(
    task: &Task,
    seed: u64,
    limits: Limits,
    runner: &(dyn Fn(&str) -> Result<RunnerCommand, String> + Sync),
) -> TaskReport {
    let command = match runner(task.module) {
        Ok(command) => command,
        Err(error) => return TaskReport::without_checks(task, Status::DoesNotCompile, error, 0.0),
    };
    let start = Instant::now();
    let link = Link::new(Process::new(command, limits));
    let implementation = Implementation::remote(&link);
    let mut report = grade_with(task, &implementation, Some(&link), seed);
    link.close();
    report.seconds = start.elapsed().as_secs_f64();
    report
}

/// A runner process serving one task, started on the first call and again
/// after it dies (once per check).
pub struct Process {
    command: RunnerCommand,
    limits: Limits,
    deadline: Instant,
    live: Option<Live>,
    /// Why the runner died in the current check.
    dead: Option<String>,
    timed_out: bool,
}

struct Live {
    child: Child,
    calls: File,
    replies: File,
    output: Arc<Mutex<Tail>>,
}

/// The last bytes a runner wrote to stderr, and how many it wrote in all.
#[derive(Default)]
struct Tail {
    bytes: Vec<u8>,
    total: u64,
}

impl Process {
    pub fn new(command: RunnerCommand, limits: Limits) -> Self {
        Process { command, limits, deadline: Instant::now() + limits.budget, live: None, dead: None, timed_out: false }
    }

    fn spawn(&self) -> io::Result<Live> {
        let mut command = Command::new(&self.command.program);
        command
            .args(&self.command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("RUST_BACKTRACE", "0")
            .process_group(0);
        let memory = self.limits.memory;
        let mut confinement = crate::sandbox::confinement();
        // SAFETY: setrlimit, prctl and landlock_restrict_self are system
        // calls, async-signal-safe, and touch no memory of the parent.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit { rlim_cur: memory as libc::rlim_t, rlim_max: memory as libc::rlim_t };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(io::Error::last_os_error());
                }
                crate::sandbox::confine(&mut confinement)
            });
        }
        if let Some((uid, gid)) = crate::sandbox::unprivileged() {
            command.uid(uid).gid(gid).current_dir("/");
        }
        let mut child = command.spawn()?;
        let calls = File::from(std::os::fd::OwnedFd::from(child.stdin.take().expect("piped")));
        let replies = File::from(std::os::fd::OwnedFd::from(child.stdout.take().expect("piped")));
        nonblocking(&calls)?;
        nonblocking(&replies)?;
        let output = Arc::new(Mutex::new(Tail::default()));
        let stderr = child.stderr.take().expect("piped");
        let (sink, cap) = (output.clone(), self.limits.output);
        // Detached: a process the runner started may hold the pipe open
        // long after the task; the judge never waits for this thread.
        thread::spawn(move || drain(stderr, &sink, cap));
        Ok(Live { child, calls, replies, output })
    }

    /// Kills the runner's whole process group and reaps it.
    fn kill(&mut self) -> Option<Live> {
        let mut live = self.live.take()?;
        let pid = live.child.id() as libc::pid_t;
        // SAFETY: signals to the group this runner leads, and to itself.
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
        let _ = live.child.kill();
        let _ = live.child.wait();
        Some(live)
    }

    /// The runner ended or misbehaved: kill it and say how, with its last
    /// words.
    fn died(&mut self, what: String) -> LinkError {
        let status = self.live.as_mut().and_then(|live| wait_briefly(&mut live.child));
        let live = self.kill();
        let exit = match status {
            Some(status) => describe_exit(&status),
            None => what,
        };
        let tail = live.map(|l| tail_text(&l.output)).unwrap_or_default();
        let message = format!("the runner {exit}{tail}");
        self.dead = Some(message.clone());
        LinkError::Crashed(message)
    }

    fn timeout(&mut self) -> LinkError {
        self.kill();
        self.timed_out = true;
        LinkError::TimedOut(format!(
            "still running after {} s; is there an endless loop?",
            self.limits.budget.as_secs_f64()
        ))
    }
}

impl Transport for Process {
    fn call(&mut self, call: Call) -> Result<Reply, LinkError> {
        if self.timed_out || Instant::now() >= self.deadline {
            return Err(self.timeout());
        }
        if let Some(message) = &self.dead {
            return Err(LinkError::Crashed(format!("{message} (earlier in this check)")));
        }
        if self.live.is_none() {
            match self.spawn() {
                Ok(live) => self.live = Some(live),
                Err(e) => {
                    let message = format!("could not be started ({}): {e}", self.command.program.display());
                    self.dead = Some(message.clone());
                    return Err(LinkError::Crashed(message));
                }
            }
        }
        let live = self.live.as_mut().expect("started");
        let bytes = call.encode();
        let mut frame = (bytes.len() as u64).to_le_bytes().to_vec();
        frame.extend_from_slice(&bytes);
        match write_all(&mut live.calls, &frame, self.deadline) {
            Ok(()) => {}
            Err(Io::Late) => return Err(self.timeout()),
            Err(Io::Broken(e)) => return Err(self.died(format!("stopped reading calls ({e})"))),
        }
        let mut length = [0u8; 8];
        match read_exact(&mut live.replies, &mut length, self.deadline) {
            Ok(()) => {}
            Err(Io::Late) => return Err(self.timeout()),
            Err(Io::Broken(e)) => return Err(self.died(format!("closed its replies ({e})"))),
        }
        let length = u64::from_le_bytes(length);
        if length > MAX_FRAME {
            return Err(self.died(format!("announced a reply of {length} bytes")));
        }
        let mut body = vec![0u8; length as usize];
        match read_exact(&mut live.replies, &mut body, self.deadline) {
            Ok(()) => {}
            Err(Io::Late) => return Err(self.timeout()),
            Err(Io::Broken(e)) => return Err(self.died(format!("closed its replies mid-reply ({e})"))),
        }
        Reply::decode(&body).map_err(|e| self.died(format!("answered bytes that are no reply ({e})")))
    }

    fn begin_check(&mut self) {
        self.dead = None;
    }

    fn timed_out(&self) -> bool {
        self.timed_out
    }

    fn close(&mut self) {
        self.kill();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How a read or write with a deadline ended early.
enum Io {
    Late,
    Broken(io::Error),
}

fn nonblocking(file: &File) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Waits until `file` is ready for `events`, or the deadline passes.
fn ready(file: &File, events: libc::c_short, deadline: Instant) -> Result<(), Io> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Io::Late);
        }
        let mut fd = libc::pollfd { fd: file.as_raw_fd(), events, revents: 0 };
        let ms = left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd.
        match unsafe { libc::poll(&mut fd, 1, ms) } {
            n if n > 0 => return Ok(()),
            0 => continue,
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(Io::Broken(e));
                }
            }
        }
    }
}

fn write_all(file: &mut File, mut bytes: &[u8], deadline: Instant) -> Result<(), Io> {
    while !bytes.is_empty() {
        match file.write(bytes) {
            Ok(0) => return Err(Io::Broken(io::ErrorKind::WriteZero.into())),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => ready(file, libc::POLLOUT, deadline)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Io::Broken(e)),
        }
    }
    Ok(())
}

fn read_exact(file: &mut File, mut buf: &mut [u8], deadline: Instant) -> Result<(), Io> {
    while !buf.is_empty() {
        match file.read(buf) {
            Ok(0) => return Err(Io::Broken(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => buf = &mut buf[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => ready(file, libc::POLLIN, deadline)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Io::Broken(e)),
        }
    }
    Ok(())
}

/// Keeps the last `cap` bytes of `pipe`.
fn drain(mut pipe: impl Read, sink: &Mutex<Tail>, cap: usize) {
    let mut chunk = vec![0u8; 64 << 10];
    while let Ok(n @ 1..) = pipe.read(&mut chunk) {
        let mut tail = sink.lock().unwrap_or_else(|e| e.into_inner());
        tail.total += n as u64;
        tail.bytes.extend_from_slice(&chunk[..n]);
        if tail.bytes.len() > cap {
            let excess = tail.bytes.len() - cap;
            tail.bytes.drain(..excess);
        }
    }
}

/// The exit status of a runner that is ending, if it ends within a moment.
fn wait_briefly(child: &mut Child) -> Option<std::process::ExitStatus> {
    let until = Instant::now() + Duration::from_millis(200);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(2)),
            _ => return None,
        }
    }
}

/// The last lines a runner printed, as a suffix to a message.
fn tail_text(output: &Mutex<Tail>) -> String {
    // Let the drain thread catch up with what the runner wrote last.
    thread::sleep(Duration::from_millis(5));
    let tail = output.lock().unwrap_or_else(|e| e.into_inner());
    let text = String::from_utf8_lossy(&tail.bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let dropped = if tail.total > tail.bytes.len() as u64 {
        format!(" (the last {} of {} bytes it printed)", tail.bytes.len(), tail.total)
    } else {
        String::new()
    };
    format!("; its last output{dropped}:\n{}", lines[lines.len().saturating_sub(4)..].join("\n"))
}

/// "exited with status 3", "was killed by signal 6 (SIGABRT)", ...
fn describe_exit(status: &std::process::ExitStatus) -> String {
    if let Some(signal) = status.signal() {
        let name = match signal {
            4 => " (SIGILL)",
            6 => " (SIGABRT: an abort, a stack overflow or running out of memory)",
            9 => " (SIGKILL)",
            11 => " (SIGSEGV: a stack overflow or a bad memory access)",
            _ => "",
        };
        return format!("was killed by signal {signal}{name}");
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "ended without a status".to_string(),
    }
}

/// The runner of `module` when one program serves every module:
/// `program --serve MODULE`.
pub fn serving(program: &Path, module: &str) -> RunnerCommand {
    RunnerCommand { program: program.to_path_buf(), args: vec!["--serve".into(), module.into()] }
}
