//! Running the checks of one task: panics caught, `todo!()` recognised,
//! properties run by proptest from the run's seed.

use std::fmt::Debug;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{ArrayD, ArrayViewD};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use support::fmt_shape;
use support::gradcheck::{Tolerance, first_mismatch};
use support::random::derive_seed;

use crate::task::{CheckReport, Status, Task, TaskReport};

/// A check's verdict: `Err` carries a message naming the function, its
/// inputs and the first difference.
pub type Outcome = Result<(), String>;

/// How many random cases each property tries.
pub const CASES: u32 = 96;

/// What `todo!()` panics with.
const TODO_PANIC: &str = "not yet implemented";

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static SAW_TODO: AtomicBool = AtomicBool::new(false);
static SAW_PANIC: AtomicBool = AtomicBool::new(false);

/// Replaces the default panic message on stderr with a record the checks
/// read back, so that a panic in student code becomes a check's message.
/// Call once per process, before running checks.
pub fn capture_panics() {
    panic::set_hook(Box::new(|info| {
        let text = info.payload_as_str().unwrap_or("a panic with a non-string payload");
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let record = match text.strip_prefix(TODO_PANIC) {
            Some(hint) => {
                SAW_TODO.store(true, Ordering::SeqCst);
                match hint.trim_start_matches(':').trim() {
                    "" => format!("reaches the todo!() at {place}"),
                    hint => format!("reaches the todo!() at {place}: {hint}"),
                }
            }
            None => {
                SAW_PANIC.store(true, Ordering::SeqCst);
                format!("{text} at {place}")
            }
        };
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(record);
    }));
}

/// The most recent panic recorded by [`capture_panics`].
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Collects the checks of one task.
pub struct Checker {
    seed: u64,
    checks: Vec<CheckReport>,
    not_implemented: bool,
    panicked: bool,
}

impl Checker {
    /// A checker whose random inputs all derive from `seed`.
    pub fn new(seed: u64) -> Self {
        Checker { seed, checks: Vec::new(), not_implemented: false, panicked: false }
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
        let config = Config { cases, failure_persistence: None, max_shrink_iters: 2048, ..Config::default() };
        let seed = derive_seed(self.seed, name).to_le_bytes().repeat(4);
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        let verdict = match runner.run(&strategy, |value| test(value).map_err(TestCaseError::fail)) {
            Ok(()) => Ok(()),
            Err(TestError::Fail(reason, value)) => Err(format!("{reason}\nsmallest failing input: {value:?}")),
            Err(TestError::Abort(reason)) => Err(format!("could not generate inputs: {reason}")),
        };
        self.record(name, verdict);
    }

    /// Once a check has reached a `todo!()`, the rest are not run.
    fn skip(&mut self, name: &str) -> bool {
        if self.not_implemented {
            self.checks.push(CheckReport {
                name: name.to_string(),
                passed: false,
                message: "not run: the function is not implemented yet".to_string(),
            });
        }
        self.not_implemented
    }

    fn record(&mut self, name: &str, verdict: Outcome) {
        let todo = SAW_TODO.swap(false, Ordering::SeqCst);
        let panic = SAW_PANIC.swap(false, Ordering::SeqCst);
        let message = if todo {
            self.not_implemented = true;
            format!("not implemented: {}", last_panic().unwrap_or_default())
        } else if panic {
            // A panic is a crash even when proptest caught it and reported a failure.
            self.panicked = true;
            match verdict {
                Err(m) if m.starts_with("panicked") => m,
                Err(m) => format!("panicked: {m}"),
                Ok(()) => format!("panicked: {}", last_panic().unwrap_or_default()),
            }
        } else {
            verdict.err().unwrap_or_default()
        };
        let passed = message.is_empty();
        self.checks.push(CheckReport { name: name.to_string(), passed, message });
    }

    /// The task's report: its status, and its points scaled by the share of
    /// checks that passed (none for a task that reached a `todo!()`). A
    /// panic in any check makes the task `crashed`.
    pub fn finish(self, task: &Task, seconds: f64) -> TaskReport {
        let passed = self.checks.iter().filter(|c| c.passed).count();
        let total = self.checks.len().max(1);
        let status = if self.not_implemented {
            Status::NotImplemented
        } else if self.panicked {
            Status::Crashed
        } else if passed == self.checks.len() {
            Status::Passed
        } else {
            Status::Failed
        };
        let score = if status == Status::NotImplemented { 0.0 } else { task.points * passed as f64 / total as f64 };
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

/// `Ok` when `actual` has `expected`'s shape and values within `tol`, else
/// `"<what>: the shape: ..."` or `"<what>: at index (1, 0): expected .., got .."`.
pub fn agrees(what: impl Fn() -> String, expected: &ArrayViewD<f64>, actual: &ArrayD<f64>, tol: Tolerance) -> Outcome {
    same_dims(|| format!("{}: the shape", what()), expected.shape(), actual.shape())?;
    match first_mismatch(expected.view(), actual.view(), tol) {
        Some(mismatch) => Err(format!("{}: {mismatch}", what())),
        None => Ok(()),
    }
}
