//! What a task is, and what grading one produces.

use serde::{Deserialize, Serialize};

use crate::{Checker, Implementation};

/// One graded exercise function.
#[derive(Clone, Copy)]
pub struct Task {
    /// The module (and crate) it belongs to, such as `"tensor"`.
    pub module: &'static str,
    /// The function it grades, such as `"permute"`.
    pub name: &'static str,
    /// The points it is worth.
    pub points: f64,
    /// Runs its checks against an implementation.
    pub run: fn(&Implementation, &mut Checker),
}

impl Task {
    /// `module/name`, how the runner addresses a task.
    pub fn id(&self) -> String {
        format!("{}/{}", self.module, self.name)
    }

    /// The chapter of the notes that teaches this task.
    pub fn chapter(&self) -> String {
        format!("book/src/{}.md", self.module)
    }
}

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every check passed.
    Passed,
    /// Some check failed.
    Failed,
    /// The function still reaches a `todo!()`.
    NotImplemented,
    /// The task ran past its time limit.
    TimedOut,
    /// The function panicked, or its runner process died (an abort, a
    /// stack overflow, running out of memory).
    Crashed,
    /// The module's crate (or one it needs) does not compile.
    DoesNotCompile,
}

impl Status {
    /// The word the human report prints.
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotImplemented => "not implemented",
            Status::TimedOut => "timed out",
            Status::Crashed => "crashed",
            Status::DoesNotCompile => "does not compile",
        }
    }
}

/// One check of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// What was checked, such as `"golden: numpy transpose"`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed (empty when it passed).
    pub message: String,
}

/// The result of grading one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReport {
    /// The function graded.
    pub name: String,
    /// Its module.
    pub module: String,
    /// Points earned: the weighted share of checks passed, capped when a
    /// check of typical inputs failed (see `credit`).
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// How it ended.
    pub status: Status,
    /// Seconds it took, including starting its process.
    pub seconds: f64,
    /// The chapter of the notes to read.
    pub chapter: String,
    /// Every check, in the order run.
    pub checks: Vec<CheckReport>,
}

impl TaskReport {
    /// A task that produced no checks of its own: its module does not
    /// compile, or the grader could not run it.
    pub fn without_checks(task: &Task, status: Status, message: String, seconds: f64) -> Self {
        TaskReport {
            name: task.name.to_string(),
            module: task.module.to_string(),
            score: 0.0,
            max_score: task.points,
            status,
            seconds,
            chapter: task.chapter(),
            checks: vec![CheckReport {
                name: if status == Status::DoesNotCompile { "compile" } else { "run" }.to_string(),
                passed: false,
                message,
            }],
        }
    }
}
