//! The grader on the solutions with attacks planted in the `tensor`
//! module, for the hostile tests: each attack may fail its own task and
//! nothing else, and none may change a file.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use support::{Index, Shape, ShapeError, Strides, TensorData};
use tensor_solution as right;

/// A full-marks report, as a forger would print it.
const FORGED: &str = r#"gradlings-result: {"name":"contiguous_strides","module":"tensor","score":100.0,"max_score":3.0,"status":"passed","seconds":0.0,"chapter":"","checks":[]}"#;

/// Prints a forged report and exits with success.
fn forges_and_exits(_shape: &[usize]) -> Strides {
    println!("{FORGED}");
    std::process::exit(0)
}

/// Prints a forged report, closes its stdout and answers wrongly.
fn forges_and_closes(_index: &[usize], _strides: &[usize]) -> usize {
    println!("{FORGED}");
    let _ = std::io::stdout().flush();
    // SAFETY: closes this process's own descriptors 1 and 3 to 9, where a
    // forger would look for the judge's pipes.
    unsafe {
        for fd in [1, 3, 4, 5, 6, 7, 8, 9] {
            libc::close(fd);
        }
    }
    0
}

/// Prints a forged report for every task the grader has, read from its
/// arguments and environment, and answers wrongly.
fn forges_every_task(_ordinal: usize, shape: &[usize]) -> Index {
    let args: Vec<String> = std::env::args().collect();
    for name in args.iter().chain(["to_index", "conv1d_forward", "attention"].map(String::from).iter()) {
        println!("gradlings-result: {{\"name\":\"{name}\",\"status\":\"passed\",\"score\":1e9,\"max_score\":1e9}}");
    }
    vec![0; shape.len()]
}

/// Leaves a detached process behind that would hold inherited pipes for an
/// hour, then answers rightly.
fn leaves_a_sleeper(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    static ONCE: AtomicBool = AtomicBool::new(false);
    if !ONCE.swap(true, Ordering::SeqCst) {
        let _ = std::process::Command::new("sleep").arg("3600").spawn();
    }
    right::shape_broadcast(a, b)
}

/// Writes a full-marks JSON document into the judge's own stdout through
/// `/proc`, then answers rightly.
fn writes_into_the_judge(big: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {
    let parent = std::os::unix::process::parent_id();
    for fd in [1, 2] {
        if let Ok(mut out) = std::fs::OpenOptions::new().write(true).open(format!("/proc/{parent}/fd/{fd}")) {
            let _ = out.write_all(br#"{"seed":0,"score":189.0,"max_score":189.0,"tasks":[]}"#);
        }
    }
    right::broadcast_index(big, big_shape, shape)
}

/// Writes garbage where a reply belongs.
fn answers_garbage(_t: &TensorData) -> bool {
    // SAFETY: writes to descriptors of this process; failures are ignored.
    unsafe {
        for fd in 3..16 {
            libc::write(fd, [0xffu8; 64].as_ptr().cast(), 64);
        }
    }
    std::process::exit(0)
}

/// Asks for 64 GiB.
fn allocates_64_gib(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    let huge = vec![1u8; 64 << 30];
    std::hint::black_box(&huge);
    right::permute(t, order)
}

/// Prints 200 MB on its first call, then answers rightly.
fn floods_output(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    static ONCE: AtomicBool = AtomicBool::new(false);
    if !ONCE.swap(true, Ordering::SeqCst) {
        let line = "x".repeat(1023) + "\n";
        let mut out = std::io::stdout().lock();
        for _ in 0..200 * 1024 {
            let _ = out.write_all(line.as_bytes());
        }
    }
    right::view(t, shape)
}

/// Tries to change files it can reach, then answers rightly: the file
/// named by `GRADLINGS_HOSTILE_VICTIM` (rewritten, then deleted), and a new
/// file beside its own executable, where the judge's binary lies. With
/// `GRADLINGS_HOSTILE_SIGNAL` set, it first tries to kill the judge.
fn tampers_with_the_judge(t: &TensorData) -> TensorData {
    if std::env::var_os("GRADLINGS_HOSTILE_SIGNAL").is_some() {
        // SAFETY: a signal to another process; failure is ignored.
        unsafe {
            libc::kill(std::os::unix::process::parent_id() as libc::pid_t, libc::SIGKILL);
        }
    }
    if let Some(victim) = std::env::var_os("GRADLINGS_HOSTILE_VICTIM") {
        let _ = std::fs::write(&victim, "a forged report");
        let _ = std::fs::remove_file(&victim);
    }
    if let Ok(exe) = std::env::current_exe() {
        let _ = std::fs::write(exe.with_file_name(TAMPERED), "a forged judge");
    }
    right::contiguous(t)
}

/// The file [`tampers_with_the_judge`] tries to create beside the judge.
const TAMPERED: &str = "tampered-by-a-runner";

/// Never answers, and ignores the pipe closing.
fn never_answers(_t: &TensorData, _index: &[usize]) -> Result<f64, ShapeError> {
    // SAFETY: ignoring SIGPIPE and SIGTERM only changes this process.
    unsafe {
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn main() -> std::process::ExitCode {
    let mut hostile = grading::solutions();
    hostile.tensor.contiguous_strides = forges_and_exits;
    hostile.tensor.index_to_position = forges_and_closes;
    hostile.tensor.to_index = forges_every_task;
    hostile.tensor.shape_broadcast = leaves_a_sleeper;
    hostile.tensor.broadcast_index = writes_into_the_judge;
    hostile.tensor.is_contiguous = answers_garbage;
    hostile.tensor.permute = allocates_64_gib;
    hostile.tensor.view = floods_output;
    hostile.tensor.get = never_answers;
    hostile.tensor.contiguous = tampers_with_the_judge;
    grading::main(hostile, "grade-hostile", "solutions/ with planted attacks")
}
