//! Running the checks of one task: panics caught, `todo!()` recognised,
//! properties run by proptest from the run's seed.

use std::cell::RefCell;
use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};

use ndarray::{Array, ArrayD, ArrayView, ArrayViewD, Dimension};
use numeric::gradcheck::{Mismatch, Tolerance, first_mismatch, numerical_gradient};
use numeric::random::derive_seed;
use numeric::{fmt_shape, fmt_value};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use wire::Failure;

use crate::link::{Abort, Link, LinkError};
use crate::show;
use crate::task::{CheckReport, Status, Task, TaskReport};

/// A check's verdict: `Err` carries a message naming the function, its
/// inputs and the first difference.
pub type Outcome = Result<(), String>;

/// How many random cases each property tries.
pub const CASES: u32 = 96;

/// What stopped a call during the current check, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stop {
    /// A panic: the student's, or the judge's on a malformed result.
    Panic,
    /// A `todo!()`.
    Todo,
    /// The runner process died or garbled its reply.
    Crash,
    /// The task's time ran out.
    Timeout,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    static STOPPED: RefCell<Option<(Stop, String)>> = const { RefCell::new(None) };
}

/// Routes panics to [`note_panic`] instead of stderr, so that a panic (the
/// judge's, or an [`Abort`] from a call) becomes a check's message. Call
/// once per process, before running checks.
pub fn capture_panics() {
    panic::set_hook(Box::new(note_panic));
}

/// Records a panic of the current thread for the check that is running.
pub fn note_panic(info: &PanicHookInfo) {
    let payload = info.payload();
    let (stop, message) = if let Some(abort) = payload.downcast_ref::<Abort>() {
        match abort {
            Abort::Student(Failure::NotImplemented { message }) => (Stop::Todo, message.clone()),
            Abort::Student(Failure::Panicked { message }) => (Stop::Panic, message.clone()),
            Abort::Link(LinkError::Crashed(message)) => (Stop::Crash, message.clone()),
            Abort::Link(LinkError::TimedOut(message)) => (Stop::Timeout, message.clone()),
        }
    } else {
        let text = info.payload_as_str().unwrap_or("a panic with a non-string payload");
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        (Stop::Panic, format!("{text} at {place}"))
    };
    LAST_PANIC.with(|p| *p.borrow_mut() = Some(message.clone()));
    STOPPED.with(|s| {
        let mut s = s.borrow_mut();
        if s.as_ref().is_none_or(|(worst, _)| stop >= *worst) {
            *s = Some((stop, message));
        }
    });
}

/// The most recent panic recorded by [`capture_panics`] on this thread.
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// Forgets the last panic of this thread, so that [`caught_panic`] sees
/// only those of the property about to run.
fn forget_panic() {
    LAST_PANIC.with(|p| p.borrow_mut().take());
}

/// What proptest reports for a panic whose payload is no string, such as
/// an [`Abort`].
const UNKNOWN_PANIC: &str = "<unknown panic value>";

/// When proptest's `reason` for a failing case is a panic it caught, the
/// panic as [`note_panic`] recorded it: `panicked: <message> at file:line`.
/// Proptest keeps only the message (nothing of an [`Abort`]); the case it
/// reports is the last that failed, so a panic there is the last panic.
fn caught_panic(reason: &str) -> Option<String> {
    let panic = last_panic()?;
    let ours = reason == UNKNOWN_PANIC || panic == reason || panic.starts_with(&format!("{reason} at "));
    ours.then(|| format!("panicked: {panic}"))
}

fn take_stop() -> Option<(Stop, String)> {
    STOPPED.with(|s| s.borrow_mut().take())
}

/// Collects the checks of one task.
pub struct Checker {
    seed: u64,
    link: Option<Link>,
    checks: Vec<CheckReport>,
    not_implemented: bool,
    timed_out: bool,
    panicked: bool,
}

impl Checker {
    /// A checker whose random inputs all derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Checker { seed, link: None, checks: Vec::new(), not_implemented: false, timed_out: false, panicked: false }
    }

    /// Tells `link` where each check starts, so that a runner that died in
    /// one check is started again for the next.
    pub fn with_link(mut self, link: Link) -> Self {
        self.link = Some(link);
        self
    }

    fn begin(&mut self) {
        take_stop();
        if let Some(link) = &self.link {
            link.begin_check();
        }
    }

    /// The seed the task's random inputs derive from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Runs a check on fixed inputs.
    pub fn check(&mut self, name: &str, check: impl FnOnce() -> Outcome) {
        if self.skip(name) {
            return;
        }
        self.begin();
        let verdict = panic::catch_unwind(AssertUnwindSafe(check))
            .unwrap_or_else(|_| Err(format!("panicked: {}", last_panic().unwrap_or_default())));
        self.record(name, verdict);
    }

    /// Runs `test` on [`CASES`] inputs drawn from `strategy`; on a failure,
    /// proptest shrinks the input and the message shows the smallest one.
    pub fn property<S>(&mut self, name: &str, strategy: S, test: impl Fn(S::Value) -> Outcome)
    where
        S: Strategy,
        S::Value: Debug,
    {
        self.property_cases(name, CASES, strategy, test);
    }

    /// [`Checker::property`] on `cases` inputs, for costly tests such as
    /// finite differences over every element.
    pub fn property_cases<S>(&mut self, name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Outcome)
    where
        S: Strategy,
        S::Value: Debug,
    {
        if self.skip(name) {
            return;
        }
        self.begin();
        let config = Config { cases, failure_persistence: None, max_shrink_iters: 2048, ..Config::default() };
        let seed = derive_seed(self.seed, name).to_le_bytes().repeat(4);
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        forget_panic();
        let verdict = match runner.run(&strategy, |value| test(value).map_err(TestCaseError::fail)) {
            Ok(()) => Ok(()),
            Err(TestError::Fail(reason, value)) => {
                let reason = caught_panic(reason.message()).unwrap_or_else(|| reason.message().to_string());
                Err(format!("{reason}\nsmallest failing input: {value:?}"))
            }
            Err(TestError::Abort(reason)) => Err(format!("could not generate inputs: {reason}")),
        };
        self.record(name, verdict);
    }

    /// Once a check has reached a `todo!()` or the task's time ran out, the
    /// rest are not run.
    fn skip(&mut self, name: &str) -> bool {
        let why = if self.not_implemented {
            "not run: the function is not implemented yet"
        } else if self.timed_out {
            "not run: the task ran out of time"
        } else {
            return false;
        };
        self.checks.push(CheckReport { name: name.to_string(), passed: false, message: why.to_string() });
        true
    }

    fn record(&mut self, name: &str, verdict: Outcome) {
        let message = match take_stop() {
            Some((Stop::Timeout, message)) => {
                self.timed_out = true;
                message
            }
            Some((Stop::Todo, message)) => {
                self.not_implemented = true;
                format!("not implemented: {message}")
            }
            Some((Stop::Crash, message)) => {
                self.panicked = true;
                format!("crashed: {message}")
            }
            // A panic is a crash even when proptest caught it and reported a failure.
            Some((Stop::Panic, message)) => {
                self.panicked = true;
                match verdict {
                    Err(m) if m.starts_with("panicked") => m,
                    Err(m) => format!("panicked: {m}"),
                    Ok(()) => format!("panicked: {message}"),
                }
            }
            None => verdict.err().unwrap_or_default(),
        };
        let passed = message.is_empty();
        self.checks.push(CheckReport { name: name.to_string(), passed, message });
    }

    /// The task's report: its status, and its points by [`crate::credit`]
    /// (none for a task that reached a `todo!()` or ran out of time). A
    /// panic in any check makes the task `crashed`.
    pub fn finish(self, task: &Task, seconds: f64) -> TaskReport {
        let passed = self.checks.iter().filter(|c| c.passed).count();
        let status = if self.not_implemented {
            Status::NotImplemented
        } else if self.timed_out {
            Status::TimedOut
        } else if self.panicked {
            Status::Crashed
        } else if passed == self.checks.len() {
            Status::Passed
        } else {
            Status::Failed
        };
        let score = match status {
            Status::NotImplemented | Status::TimedOut => 0.0,
            _ => crate::credit::score(task.points, &self.checks),
        };
        TaskReport {
            name: task.name.to_string(),
            module: task.module.to_string(),
            score,
            max_score: task.points,
            status,
            seconds,
            chapter: task.chapter(),
            checks: self.checks,
        }
    }
}

/// `Ok` when `condition` holds, else the message `describe` builds.
pub fn ensure(condition: bool, describe: impl FnOnce() -> String) -> Outcome {
    if condition { Ok(()) } else { Err(describe()) }
}

/// `Ok` when two shapes (or strides, or indices) are equal, else
/// `"<what>: expected (2, 1), got (1, 2)"`.
pub fn same_dims(what: impl FnOnce() -> String, expected: &[usize], actual: &[usize]) -> Outcome {
    ensure(actual == expected, || format!("{}: expected {}, got {}", what(), fmt_shape(expected), fmt_shape(actual)))
}

/// `Ok` when `actual == expected`, else `"<what>: expected .., got .."`.
pub fn same<T: PartialEq + Debug>(what: impl FnOnce() -> String, expected: T, actual: T) -> Outcome {
    ensure(actual == expected, || format!("{}: expected {expected:?}, got {actual:?}", what()))
}

/// `Ok` when two numbers are equal (exactly), else
/// `"<what>: expected 5, got 4.5"`, both printed by [`fmt_value`].
pub fn same_value(what: impl FnOnce() -> String, expected: f64, actual: f64) -> Outcome {
    ensure(actual == expected, || format!("{}: expected {}, got {}", what(), fmt_value(expected), fmt_value(actual)))
}

/// `Ok` when two lists of numbers are equal (exactly), else
/// `"<what>: expected [0, 2, 4], got [0, 4, 2]"` ([`show::list`]).
pub fn same_values(what: impl FnOnce() -> String, expected: &[f64], actual: &[f64]) -> Outcome {
    ensure(actual == expected, || format!("{}: expected {}, got {}", what(), show::list(expected), show::list(actual)))
}

/// `Ok` when `actual` has `expected`'s shape and values within `tol`, else
/// `"<what>: the shape: ..."` or `"<what>: at index (1, 0): expected .., got .."`
/// followed by both arrays side by side, the elements that differ marked
/// ([`show::difference`]).
pub fn agrees(what: impl Fn() -> String, expected: &ArrayViewD<f64>, actual: &ArrayD<f64>, tol: Tolerance) -> Outcome {
    same_dims(|| format!("{}: the shape", what()), expected.shape(), actual.shape())?;
    match first_mismatch(expected.view(), actual.view(), tol) {
        Some(mismatch) => Err(with_picture(format!("{}: {mismatch}", what()), expected, &actual.view(), tol)),
        None => Ok(()),
    }
}

/// [`numeric::gradcheck::check_gradient`] with the picture: `Ok` when
/// `claimed` agrees within `tol` with the central differences of
/// `sum(g * f(x))`, else the line `describe` makes of the first mismatch,
/// then the differences (expected) and `claimed` side by side.
pub fn gradient_agrees<D, E, F>(
    f: F,
    x: &Array<f64, D>,
    g: &Array<f64, E>,
    claimed: ArrayView<f64, D>,
    tol: Tolerance,
    describe: impl FnOnce(&Mismatch) -> String,
) -> Outcome
where
    D: Dimension,
    E: Dimension,
    F: Fn(&Array<f64, D>) -> Array<f64, E>,
{
    let differences = numerical_gradient(f, x, g, tol.step);
    match first_mismatch(differences.view(), claimed.view(), tol) {
        Some(mismatch) => {
            Err(with_picture(describe(&mismatch), &differences.view().into_dyn(), &claimed.into_dyn(), tol))
        }
        None => Ok(()),
    }
}

/// `line`, then the picture of `expected` and `actual` on the lines below
/// (nothing more for arrays without axes).
pub fn with_picture(line: String, expected: &ArrayViewD<f64>, actual: &ArrayViewD<f64>, tol: Tolerance) -> String {
    let picture = show::difference(expected, actual, tol);
    let line = if picture.is_empty() { line } else { format!("{line}\n{picture}") };
    match crate::mistakes::diagnose(expected, actual) {
        Some(hint) => format!("{line}\nthis looks like {hint}"),
        None => line,
    }
}
