//! Builds the runner of each selected module with cargo, one package per
//! module, so that a module that does not compile fails only its own tasks.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The exercise crates each module's crate builds on, besides `support`.
pub const NEEDS: &[(&str, &[&str])] = &[
    ("softmax", &["pooling"]),
    ("attention", &["activations", "softmax", "pooling"]),
    ("network", &["conv2d", "activations", "softmax", "pooling"]),
];

/// The crates whose errors stop `module`'s runner from building.
pub fn needed_by(module: &str) -> Vec<String> {
    let extra = NEEDS.iter().find(|(m, _)| *m == module).map(|(_, needs)| needs.to_vec()).unwrap_or_default();
    [module, "support"].into_iter().chain(extra).map(str::to_string).collect()
}

/// For each module, its runner's executable, or why it could not be built
/// (the compiler's first error, with file, line and message).
///
/// **Errors** when cargo itself cannot be run.
pub fn runners(
    workspace: &Path,
    modules: &[&'static str],
) -> Result<BTreeMap<&'static str, Result<PathBuf, String>>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .args(["build", "--keep-going", "--message-format=json-diagnostic-rendered-ansi", "--quiet"])
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"));
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    for module in modules {
        command.args(["--package", &format!("{module}-runner")]);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not run cargo ({}) to build the runners: {e}", cargo.to_string_lossy()))?;
    let mut built = BTreeMap::new();
    // The first error of each crate, in the order the compiler gave them.
    let mut errors: Vec<(String, String)> = Vec::new();
    let stdout = child.stdout.take().expect("piped");
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let name = message["target"]["name"].as_str().unwrap_or_default();
                if let (Some(module), Some(exe)) = (name.strip_suffix("-runner"), message["executable"].as_str()) {
                    built.insert(module.to_string(), PathBuf::from(exe));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let krate = message["target"]["name"].as_str().unwrap_or_default().to_string();
                if !errors.iter().any(|(k, _)| *k == krate) {
                    errors.push((krate, first_error(&message["message"])));
                }
            }
            _ => {}
        }
    }
    let status = child.wait().map_err(|e| format!("cargo did not finish building the runners: {e}"))?;
    Ok(modules
        .iter()
        .map(|&module| {
            let result = match built.remove(module) {
                Some(exe) => Ok(exe),
                None => {
                    let needs = needed_by(module);
                    Err(match errors.iter().find(|(krate, _)| needs.contains(krate)) {
                        Some((krate, error)) if krate == module => {
                            format!("modules/{module} does not compile: {error}")
                        }
                        Some((krate, error)) => {
                            format!("modules/{module} needs modules/{krate}, which does not compile: {error}")
                        }
                        None => match errors.first() {
                            Some((krate, error)) => format!("the runner of {module} did not build; {krate}: {error}"),
                            None => format!("the runner of {module} did not build (cargo {status})"),
                        },
                    })
                }
            };
            (module, result)
        })
        .collect())
}

/// `file:line: message`, then the compiler's rendering without colours.
fn first_error(message: &Value) -> String {
    let text = message["message"].as_str().unwrap_or("an error");
    let span = message["spans"].as_array().and_then(|spans| spans.iter().find(|s| s["is_primary"] == true));
    let place = span
        .map(|s| format!("{}:{}: ", s["file_name"].as_str().unwrap_or("?"), s["line_start"].as_u64().unwrap_or(0)))
        .unwrap_or_default();
    let rendered = message["rendered"].as_str().map(strip_ansi).unwrap_or_default();
    let rendered: Vec<&str> = rendered.lines().take(16).collect();
    format!("{place}{text}\n{}", rendered.join("\n")).trim_end().to_string()
}

/// `text` without terminal colour codes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The workspace whose modules are graded: the one `cargo run` (`cargo
/// grade`) started the grader from, else the one it was built in.
///
/// Not only the path compiled in: cargo hashes a workspace's crates by
/// their paths inside it, so two copies of a handout that share a build
/// folder (the workers of `cargo xtask grade-batch`) can run one grader
/// binary, built in the other copy, which would then grade that copy.
pub fn workspace() -> PathBuf {
    let started_from = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    workspace_of(Path::new(env!("CARGO_MANIFEST_DIR")), started_from)
}

/// [`workspace`] for a grader built in `built_in` and started by cargo from
/// `started_from` (its `CARGO_MANIFEST_DIR` at run time, if any).
fn workspace_of(built_in: &Path, started_from: Option<PathBuf>) -> PathBuf {
    // Only the grader's own folder: a test of another crate that runs the
    // grader passes its own CARGO_MANIFEST_DIR down.
    let grader = started_from
        .filter(|dir| dir.file_name() == built_in.file_name() && dir.join("src").join("build.rs").is_file())
        .unwrap_or_else(|| built_in.to_path_buf());
    grader.parent().expect("grader/ has a parent").to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_the_copy_cargo_started_it_from() {
        // Two copies of a handout, as grade-batch's workers have: a grader
        // built in the first and started from the second grades the second.
        let slots = std::env::temp_dir().join(format!("gradlings-slots-{}", std::process::id()));
        let [first, second] = ["0", "1"].map(|slot| slots.join(slot).join("grader"));
        for grader in [&first, &second] {
            std::fs::create_dir_all(grader.join("src")).unwrap();
            std::fs::write(grader.join("src").join("build.rs"), "").unwrap();
        }
        assert_eq!(workspace_of(&first, Some(second.clone())), slots.join("1"));
        assert_eq!(workspace_of(&first, None), slots.join("0"));
        // Another crate's folder (a test that runs the grader) is not a grader.
        let other = slots.join("1").join("train");
        assert_eq!(workspace_of(&first, Some(other)), slots.join("0"));
        // Nor is a folder named grader without the grader's sources.
        let empty = slots.join("2").join("grader");
        assert_eq!(workspace_of(&first, Some(empty)), slots.join("0"));
        std::fs::remove_dir_all(&slots).unwrap();
    }

    #[test]
    fn the_table_of_needs_matches_the_manifests() {
        let root = workspace();
        let modules = ["tensor", "conv1d", "conv2d", "pooling", "activations", "softmax", "attention", "network"];
        for module in modules {
            let manifest = std::fs::read_to_string(root.join("modules").join(module).join("Cargo.toml")).unwrap();
            let deps = manifest.split("[dependencies]").nth(1).unwrap_or_default();
            for other in modules {
                let direct =
                    deps.lines().any(|l| l.starts_with(&format!("{other} ")) || l.starts_with(&format!("{other}.")));
                if direct {
                    assert!(needed_by(module).contains(&other.to_string()), "{module} needs {other}: add it to NEEDS");
                }
            }
        }
    }

    #[test]
    fn colour_codes_are_stripped() {
        assert_eq!(strip_ansi("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"), "error: x");
    }
}
