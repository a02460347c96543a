//! What a class run shows while it goes: on a terminal, a bar of
//! submissions done with those running and failed beside it; elsewhere (a
//! log, CI), one line per submission finished.

use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Graded;

/// The progress of one class run; shared by the workers.
pub struct Progress {
    bar: ProgressBar,
    state: Mutex<State>,
    start: Instant,
}

#[derive(Default)]
struct State {
    running: Vec<String>,
    failed: usize,
}

impl Progress {
    /// A bar for `total` submissions, drawn on stderr when it is a terminal.
    pub fn new(total: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} done  {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Progress { bar, state: Mutex::new(State::default()), start: Instant::now() }
    }

    /// `name` is being graded.
    pub fn start(&self, name: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.running.push(name.to_string());
        self.bar.set_message(state.message());
    }

    /// `graded` is finished: the bar moves on and its line is printed.
    pub fn finish(&self, graded: &Graded) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.running.retain(|n| *n != graded.name);
        let score = match &graded.report {
            Some(report) => format!("{}/{}", report["score"], report["max_score"]),
            None => {
                state.failed += 1;
                format!("no report: {}", graded.notes.last().map(String::as_str).unwrap_or(""))
            }
        };
        let how = if graded.graded_now { "graded" } else { "unchanged" };
        self.bar.inc(1);
        self.bar.set_message(state.message());
        let done = self.bar.position();
        let total = self.bar.length().unwrap_or(0);
        let secs = self.start.elapsed().as_secs_f64();
        self.line(format!("[{done}/{total}] {}: {score} ({how}, {secs:.0} s in all)", graded.name));
    }

    /// Prints `line` above the bar, or alone when there is no bar.
    pub fn line(&self, line: String) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// Clears the bar.
    pub fn done(&self) {
        self.bar.finish_and_clear();
    }
}

impl State {
    /// "running: ada, bob  failed: 1".
    fn message(&self) -> String {
        let mut message = format!("running: {}", self.running.join(", "));
        if self.failed > 0 {
            message.push_str(&format!("  failed: {}", self.failed));
        }
        message
    }
}
