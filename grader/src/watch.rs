//! `cargo grade --watch`: grade again on every save, as rustlings does.
//!
//! The whole selection is graded once; then each save under `modules/`
//! regrades the module saved (and the modules built on it), once its files
//! have been quiet for a moment, and only when their contents changed since
//! they were last graded, so a half-saved file is not graded and the same
//! file is never graded twice. The screen shows the module being edited, its
//! current task in full (its failure, or where its `todo!()` is), and the
//! course's progress on one line. Keys: `q` quits, `h` shows the next hint
//! of the current task, `n` moves on to the next unfinished task.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::new_debouncer;
use notify_debouncer_full::notify::RecursiveMode;

use crate::cli::{Color, Grader};
use crate::report::RunReport;
use crate::report::human;
use crate::task::{Status, TaskReport};
use crate::{Task, build, hints};

/// How long files must be quiet after a save before grading.
const QUIET: Duration = Duration::from_millis(300);

/// What the watcher reacts to.
enum Event {
    /// Files of these modules changed (all of them when `support` did).
    Saved(Vec<&'static str>),
    Key(char),
    /// The watcher or the keyboard failed; the message says why.
    Failed(String),
}

/// The state of one watch session: the latest report of every task and
/// which task is current.
struct Session<'a> {
    selected: &'a [Task],
    latest: Vec<TaskReport>,
    /// The current task, by index into `selected`.
    current: usize,
    /// The contents each module was last graded with.
    graded: BTreeMap<&'static str, u64>,
    /// The hint shown under the current task, if asked for.
    hint: Option<String>,
}

/// Runs the watch loop until `q` (or end of input). `command` and `target`
/// are as in the report.
pub fn watch(
    grader: &Grader,
    selected: &[Task],
    command: &str,
    target: &str,
    color: Color,
) -> Result<ExitCode, String> {
    let root = build::workspace();
    let (events, inbox) = mpsc::channel();
    let _watcher = watch_files(&root, selected, events.clone())?;
    read_keys(events);
    let mut out = anstream::AutoStream::new(std::io::stdout(), color.choice());
    let mut session = Session::start(selected);
    let mut shown = hints::Shown::load(&root);
    write(&mut out, &format!("grading {target} for the first time...\n"));
    let first = session.changed(&modules_of(selected), &root);
    session.grade(grader, &first)?;
    loop {
        write(&mut out, &session.screen(grader.seed, command, target));
        let event = match inbox.recv() {
            Ok(event) => event,
            Err(_) => return Ok(ExitCode::SUCCESS),
        };
        match event {
            Event::Key('q') => return Ok(ExitCode::SUCCESS),
            Event::Key('h') => {
                let task = session.selected[session.current];
                let text = shown.next(&task);
                shown.save()?;
                session.hint = Some(text);
            }
            Event::Key('n') => session.move_on(),
            Event::Key(_) => {}
            Event::Saved(modules) => {
                let changed = session.changed(&modules, &root);
                if changed.is_empty() {
                    // Saved without a change, or the rest of a save already graded.
                    continue;
                }
                write(&mut out, &format!("\n{} changed: grading...\n", changed.join(", ")));
                session.grade(grader, &changed)?;
                session.focus(changed[0]);
            }
            Event::Failed(message) => return Err(message),
        }
    }
}

impl<'a> Session<'a> {
    fn start(selected: &'a [Task]) -> Self {
        Session { selected, latest: Vec::new(), current: 0, graded: BTreeMap::new(), hint: None }
    }

    /// Those of `modules` whose files changed since they were last graded,
    /// recorded as graded now.
    fn changed(&mut self, modules: &[&'static str], root: &Path) -> Vec<&'static str> {
        modules
            .iter()
            .copied()
            .filter(|m| {
                let stamp = fingerprint(root, m);
                self.graded.insert(m, stamp) != Some(stamp)
            })
            .collect()
    }

    /// Grades the tasks of `modules`.
    fn grade(&mut self, grader: &Grader, modules: &[&'static str]) -> Result<(), String> {
        let tasks: Vec<Task> = self.selected.iter().filter(|t| modules.contains(&t.module)).copied().collect();
        let run = grader.grade(&tasks)?;
        for report in run.tasks {
            match self.latest.iter_mut().find(|t| t.module == report.module && t.name == report.name) {
                Some(old) => *old = report,
                None => self.latest.push(report),
            }
        }
        let order = |t: &TaskReport| self.selected.iter().position(|s| s.module == t.module && s.name == t.name);
        self.latest.sort_by_key(order);
        if self.status(self.current) == Some(Status::Passed) {
            self.move_on();
        }
        Ok(())
    }

    fn status(&self, index: usize) -> Option<Status> {
        let task = self.selected.get(index)?;
        self.latest.iter().find(|t| t.module == task.module && t.name == task.name).map(|t| t.status)
    }

    /// The current task becomes the first unfinished one of `module`.
    fn focus(&mut self, module: &str) {
        if self.selected[self.current].module == module && self.status(self.current) != Some(Status::Passed) {
            return;
        }
        if let Some(i) = (0..self.selected.len())
            .find(|&i| self.selected[i].module == module && self.status(i) != Some(Status::Passed))
        {
            self.set_current(i);
        }
    }

    /// The current task becomes the next unfinished one after it, wrapping.
    fn move_on(&mut self) {
        let n = self.selected.len();
        if let Some(i) = (1..=n).map(|k| (self.current + k) % n).find(|&i| self.status(i) != Some(Status::Passed)) {
            self.set_current(i);
        }
    }

    fn set_current(&mut self, index: usize) {
        if index != self.current {
            self.hint = None;
        }
        self.current = index;
    }

    /// The screen: the current module's tasks, the current task in full,
    /// the course on one line, and the keys.
    fn screen(&self, seed: u64, command: &str, target: &str) -> String {
        let module = self.selected[self.current].module;
        let run = RunReport::new(seed, self.latest.clone());
        let in_module =
            RunReport::new(seed, self.latest.iter().filter(|t| t.module == module).cloned().collect::<Vec<_>>());
        let current = self.latest.iter().find(|t| {
            let task = self.selected[self.current];
            t.module == task.module && t.name == task.name && t.status != Status::Passed
        });
        let mut screen = String::new();
        if std::io::stdout().is_terminal() {
            // Clear the screen and go home.
            screen.push_str("\x1b[2J\x1b[H");
        } else {
            screen.push_str(&format!("\n{}\n", "=".repeat(60)));
        }
        screen.push_str(&human::focused(&in_module, command, target, current));
        if let Some(hint) = &self.hint {
            screen.push_str(&format!("\n{hint}"));
        }
        let passed = run.tasks.iter().filter(|t| t.status == Status::Passed).count();
        let percent = if run.max_score > 0.0 { 100.0 * run.score / run.max_score } else { 0.0 };
        screen.push_str(&format!(
            "\ncourse: {:.1}/{:.1} points ({percent:.0}%), {passed} of {} tasks passed\n\
             watching {target}: save to grade again; q quits, h shows a hint, n moves on\n",
            run.score,
            run.max_score,
            run.tasks.len()
        ));
        screen
    }
}

/// The modules of `selected`, in order.
fn modules_of(selected: &[Task]) -> Vec<&'static str> {
    let mut modules: Vec<&'static str> = selected.iter().map(|t| t.module).collect();
    modules.dedup();
    modules
}

/// A hash of the files a module's grade depends on: its own sources and
/// manifest, and those of `support` and the modules it builds on.
fn fingerprint(root: &Path, module: &str) -> u64 {
    use std::hash::{DefaultHasher, Hash as _, Hasher as _};
    let mut hasher = DefaultHasher::new();
    for crate_name in build::needed_by(module) {
        let dir = root.join("modules").join(&crate_name);
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        for file in files {
            file.hash(&mut hasher);
            std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
        }
    }
    hasher.finish()
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, into);
        } else {
            into.push(path);
        }
    }
}

/// The modules of `selected` that a change to `path` (under `modules/`)
/// touches: its own, those built on it, or all for `support`.
fn touched(root: &Path, path: &Path, selected: &[&'static str]) -> Vec<&'static str> {
    let Ok(rel) = path.strip_prefix(root.join("modules")) else { return Vec::new() };
    let Some(changed) = rel.components().next().and_then(|c| c.as_os_str().to_str()) else { return Vec::new() };
    selected.iter().copied().filter(|m| build::needed_by(m).iter().any(|n| n == changed)).collect()
}

/// Watches `modules/`, sending the selected modules touched by each burst
/// of saves.
fn watch_files(root: &Path, selected: &[Task], events: mpsc::Sender<Event>) -> Result<impl Drop + use<>, String> {
    let modules = modules_of(selected);
    let root_owned = root.to_path_buf();
    let mut debouncer = new_debouncer(QUIET, None, move |result: notify_debouncer_full::DebounceEventResult| {
        let event = match result {
            Ok(batch) => {
                let mut touched_now: Vec<&'static str> = Vec::new();
                for event in batch.iter().filter(|e| !e.kind.is_access()) {
                    for path in &event.paths {
                        for module in touched(&root_owned, path, &modules) {
                            if !touched_now.contains(&module) {
                                touched_now.push(module);
                            }
                        }
                    }
                }
                if touched_now.is_empty() {
                    return;
                }
                Event::Saved(touched_now)
            }
            Err(errors) => Event::Failed(format!("watching modules/ failed: {errors:?}")),
        };
        let _ = events.send(event);
    })
    .map_err(|e| format!("cannot watch modules/: {e}"))?;
    debouncer
        .watch(root.join("modules"), RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", root.join("modules").display()))?;
    Ok(debouncer)
}

/// Sends each key pressed (a terminal, read unbuffered) or each character
/// typed (any other input); end of input counts as `q`.
fn read_keys(events: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        if std::io::stdin().is_terminal() {
            let term = console::Term::stdout();
            loop {
                match term.read_key() {
                    Ok(console::Key::Char(c)) => {
                        if events.send(Event::Key(c.to_ascii_lowercase())).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        } else {
            for byte in std::io::stdin().lock().bytes() {
                let Ok(byte) = byte else { break };
                if !byte.is_ascii_whitespace()
                    && events.send(Event::Key(char::from(byte).to_ascii_lowercase())).is_err()
                {
                    return;
                }
            }
        }
        let _ = events.send(Event::Key('q'));
    });
}

fn write(out: &mut impl std::io::Write, text: &str) {
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_touches_its_module_and_those_built_on_it() {
        let root = Path::new("/w");
        let all = ["tensor", "pooling", "softmax", "attention"];
        assert_eq!(touched(root, Path::new("/w/modules/tensor/src/lib.rs"), &all), ["tensor"]);
        assert_eq!(
            touched(root, Path::new("/w/modules/pooling/src/lib.rs"), &all),
            ["pooling", "softmax", "attention"]
        );
        assert_eq!(touched(root, Path::new("/w/modules/support/src/lib.rs"), &all), all);
        assert!(touched(root, Path::new("/w/grader/src/lib.rs"), &all).is_empty());
        assert_eq!(touched(root, Path::new("/w/modules/softmax/src/x.rs"), &["tensor"]), Vec::<&str>::new());
    }

    #[test]
    fn moving_on_skips_passed_tasks_and_wraps() {
        let selected: Vec<Task> = crate::tasks().into_iter().filter(|t| t.module == "tensor").take(3).collect();
        let mut session = Session::start(&selected);
        let report = |i: usize, status: Status| TaskReport::without_checks(&selected[i], status, String::new(), 0.0);
        session.latest = vec![report(0, Status::Failed), report(1, Status::Passed), report(2, Status::NotImplemented)];
        session.move_on();
        assert_eq!(session.current, 2);
        session.move_on();
        assert_eq!(session.current, 0);
        session.current = 1;
        session.focus("tensor");
        assert_eq!(session.current, 0, "focus goes to the first unfinished task of the module");
    }
}
