//! Progressive hints, two or three per task, shown one at a time by
//! `cargo grade --hint TASK` (and `h` in watch mode). They are written once,
//! as `// HINT:` lines inside the reference solutions' SOLUTION regions,
//! and `cargo xtask stubs` gathers them into `grader/hints/<module>.json`,
//! so they never carry solution code into the handout.
//!
//! How many hints of each task were shown is kept in
//! `target/gradlings/hints-shown.json`, so that asking again gives the next.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Task, sections};

/// Each module's hints, by function name, as `cargo xtask stubs` wrote them.
const FILES: [(&str, &str); 8] = [
    ("tensor", include_str!("../hints/tensor.json")),
    ("conv1d", include_str!("../hints/conv1d.json")),
    ("conv2d", include_str!("../hints/conv2d.json")),
    ("pooling", include_str!("../hints/pooling.json")),
    ("activations", include_str!("../hints/activations.json")),
    ("softmax", include_str!("../hints/softmax.json")),
    ("attention", include_str!("../hints/attention.json")),
    ("network", include_str!("../hints/network.json")),
];

/// The hints of `task`, in order; none for a module without a hints file.
pub fn of(task: &Task) -> Vec<String> {
    FILES
        .iter()
        .find(|(module, _)| *module == task.module)
        .and_then(|(_, json)| serde_json::from_str::<BTreeMap<String, Vec<String>>>(json).ok())
        .and_then(|mut all| all.remove(task.name))
        .unwrap_or_default()
}

/// How many hints of each task (`module/name`) a student has seen.
#[derive(Debug, Default)]
pub struct Shown {
    path: PathBuf,
    counts: BTreeMap<String, usize>,
}

impl Shown {
    /// The record kept under `root/target` (empty when absent or unreadable).
    pub fn load(root: &Path) -> Self {
        let path = root.join("target").join("gradlings").join("hints-shown.json");
        let counts =
            std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
        Shown { path, counts }
    }

    /// How many hints of `task` were shown.
    pub fn count(&self, task: &Task) -> usize {
        self.counts.get(&key(task)).copied().unwrap_or(0)
    }

    /// The next hint of `task` as the text to print, counting it as shown;
    /// after the last, all of them again.
    pub fn next(&mut self, task: &Task) -> String {
        let hints = of(task);
        if hints.is_empty() {
            return format!(
                "{}/{} has no hints beyond its todo!() text; the notes: {}\n",
                task.module,
                task.name,
                sections::page(task.module, task.name)
            );
        }
        let seen = self.count(task);
        if seen >= hints.len() {
            let mut text = format!("every hint for {}/{} (you have seen them all):\n", task.module, task.name);
            for (i, hint) in hints.iter().enumerate() {
                text.push_str(&format!("  {}. {hint}\n", i + 1));
            }
            return text + &format!("the notes: {}\n", sections::page(task.module, task.name));
        }
        self.counts.insert(key(task), seen + 1);
        let more = if seen + 1 < hints.len() {
            format!("run it again for hint {}", seen + 2)
        } else {
            "that was the last one".to_string()
        };
        format!(
            "hint {} of {} for {}/{}:\n  {}\n({more})\n",
            seen + 1,
            hints.len(),
            task.module,
            task.name,
            hints[seen]
        )
    }

    /// Writes the record back.
    pub fn save(&self) -> Result<(), String> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&self.path, serde_json::to_string_pretty(&self.counts).unwrap_or_default())
        };
        write().map_err(|e| format!("could not record the hints shown in {}: {e}", self.path.display()))
    }
}

fn key(task: &Task) -> String {
    format!("{}/{}", task.module, task.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks;

    #[test]
    fn every_task_has_two_or_three_hints() {
        let missing: Vec<String> = tasks()
            .iter()
            .filter(|t| !(2..=3).contains(&of(t).len()))
            .map(|t| format!("{}/{}: {} hints", t.module, t.name, of(t).len()))
            .collect();
        assert!(missing.is_empty(), "write `// HINT:` lines in the solutions, then `cargo xtask stubs`:\n{missing:#?}");
    }

    #[test]
    fn every_hint_names_a_task() {
        let all = tasks();
        for (module, json) in FILES {
            let hints: BTreeMap<String, Vec<String>> = serde_json::from_str(json).unwrap();
            for name in hints.keys() {
                assert!(
                    all.iter().any(|t| t.module == module && t.name == name),
                    "grader/hints/{module}.json has hints for `{name}`, which is no task of {module}: \
                     write `// HINT(task): ...` in a helper's region"
                );
            }
        }
    }

    #[test]
    fn hints_come_one_at_a_time_and_are_remembered() {
        let dir = std::env::temp_dir().join(format!("gradlings-hints-{}", std::process::id()));
        let all = tasks();
        let task = all.iter().find(|t| of(t).len() >= 2).expect("a task with hints");
        let hints = of(task);
        let mut shown = Shown::load(&dir);
        let first = shown.next(task);
        assert!(first.starts_with(&format!("hint 1 of {}", hints.len())) && first.contains(&hints[0]), "{first}");
        shown.save().unwrap();
        let mut again = Shown::load(&dir);
        assert_eq!(again.count(task), 1);
        let second = again.next(task);
        assert!(second.contains(&hints[1]) && !second.contains(&hints[0]), "{second}");
        for _ in 2..hints.len() {
            again.next(task);
        }
        let all_again = again.next(task);
        assert!(hints.iter().all(|h| all_again.contains(h.as_str())), "{all_again}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
