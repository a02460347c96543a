//! `Cargo.lock` for the handout: the instructor packages and whatever only
//! they use are removed, so that the students' lock file is the one cargo
//! would write for their workspace and names no solution crate.
//!
//! The pruning reads nothing but the lock file: its `dependencies` lists
//! name every package, those of every platform included, so no registry,
//! index or downloaded crate is needed.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use anyhow::{Context, Result};
use toml_edit::{DocumentMut, Item, Table, Value};

/// `text` (a `Cargo.lock`) without the `instructor_packages` and the
/// packages that only they reach, written as cargo would write it.
///
/// The packages kept are those reachable, through the lock's `dependencies`
/// lists, from the local packages (no `source`) not in `instructor_packages`.
/// A `dependencies` entry names its package as briefly as the packages kept
/// allow, as cargo does: `"name"` when no other package has that name,
/// `"name version"` when no other has that version, else `"name version
/// (source)"`. A list left empty is removed.
///
/// An edge that only a feature enabled by an instructor crate brought in
/// stays (the lock does not say why an edge is there): the handout export
/// lets cargo drop such edges afterwards, from the registry index alone.
///
/// **Errors** when `text` is not TOML, or a `dependencies` entry names a
/// package the lock does not hold.
pub fn prune(text: &str, instructor_packages: &BTreeSet<String>) -> Result<String> {
    let mut doc: DocumentMut = text.parse().context("Cargo.lock is not valid TOML")?;
    let Some(packages) = doc.get_mut("package").and_then(Item::as_array_of_tables_mut) else {
        return Ok(text.to_string());
    };
    let entries: Vec<Entry> = packages.iter().map(Entry::read).collect();
    let edges = entries
        .iter()
        .map(|entry| {
            entry
                .dependencies
                .iter()
                .map(|dependency| {
                    resolve(&entries, dependency).with_context(|| {
                        format!(
                            "Cargo.lock: `{} {}` depends on `{dependency}`, which it does not list",
                            entry.name, entry.version
                        )
                    })
                })
                .collect::<Result<Vec<usize>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let is_instructor = |i: usize| entries[i].is_local && instructor_packages.contains(&entries[i].name);

    let mut keep = vec![false; entries.len()];
    let mut queue: VecDeque<usize> = (0..entries.len()).filter(|&i| entries[i].is_local && !is_instructor(i)).collect();
    while let Some(i) = queue.pop_front() {
        if std::mem::replace(&mut keep[i], true) {
            continue;
        }
        queue.extend(edges[i].iter().copied().filter(|&j| !is_instructor(j) && !keep[j]));
    }

    // How many packages kept have each name, and each name and version.
    let mut counts: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for entry in entries.iter().zip(&keep).filter(|(_, kept)| **kept).map(|(e, _)| e) {
        *counts.entry(&entry.name).or_default().entry(&entry.version).or_default() += 1;
    }
    let encode = |j: usize| {
        let entry = &entries[j];
        let versions = &counts[entry.name.as_str()];
        match (versions.len(), versions[entry.version.as_str()]) {
            (1, 1) => entry.name.clone(),
            (_, 1) => format!("{} {}", entry.name, entry.version),
            _ => format!("{} {} ({})", entry.name, entry.version, entry.source_without_precise()),
        }
    };

    let mut index = 0;
    packages.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    for (package, i) in packages.iter_mut().zip((0..entries.len()).filter(|&i| keep[i])) {
        let Some(dependencies) = package.get_mut("dependencies").and_then(Item::as_array_mut) else { continue };
        let mut position = 0;
        dependencies.retain(|_| {
            position += 1;
            keep[edges[i][position - 1]]
        });
        let kept = edges[i].iter().copied().filter(|&j| keep[j]);
        for (value, j) in dependencies.iter_mut().zip(kept) {
            let decor = value.decor().clone();
            *value = Value::from(encode(j));
            *value.decor_mut() = decor;
        }
        if dependencies.is_empty() {
            package.remove("dependencies");
        }
    }
    Ok(doc.to_string())
}

/// What the pruning needs of one `[[package]]`.
struct Entry {
    name: String,
    version: String,
    /// `None` for a local (path) package.
    source: Option<String>,
    is_local: bool,
    dependencies: Vec<String>,
}

impl Entry {
    fn read(table: &Table) -> Entry {
        let text = |key: &str| table.get(key).and_then(Item::as_str).map(str::to_string);
        let source = text("source");
        Entry {
            name: text("name").unwrap_or_default(),
            version: text("version").unwrap_or_default(),
            is_local: source.is_none(),
            source,
            dependencies: table
                .get("dependencies")
                .and_then(Item::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
        }
    }

    /// The source as a `dependencies` entry names it: without the `#commit`
    /// of a git source.
    fn source_without_precise(&self) -> &str {
        let source = self.source.as_deref().unwrap_or_default();
        source.split_once('#').map_or(source, |(url, _)| url)
    }
}

/// The package a `dependencies` entry names: `"name"`, `"name version"` or
/// `"name version (source)"`; `None` unless exactly one package matches.
fn resolve(entries: &[Entry], dependency: &str) -> Option<usize> {
    let (name, rest) = dependency.split_once(' ').unwrap_or((dependency, ""));
    let (version, source) = match rest.split_once(' ') {
        Some((version, source)) => (version, source.strip_prefix('(')?.strip_suffix(')')?),
        None => (rest, ""),
    };
    let mut matches = entries.iter().enumerate().filter(|(_, e)| {
        e.name == name
            && (version.is_empty() || e.version == version)
            && (source.is_empty() || e.source_without_precise() == source)
    });
    let (first, _) = matches.next()?;
    // Cargo names a package with more words whenever fewer would be ambiguous.
    matches.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGISTRY: &str = "registry+https://github.com/rust-lang/crates.io-index";

    /// `[[package]]` tables, each `(name, version, source, dependencies)`,
    /// written as cargo writes them.
    fn lock(packages: &[(&str, &str, Option<&str>, &[&str])]) -> String {
        let mut text = String::from(
            "# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n",
        );
        for (name, version, source, dependencies) in packages {
            text += &format!("\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n");
            if let Some(source) = source {
                text += &format!("source = \"{source}\"\n");
            }
            if !dependencies.is_empty() {
                text += "dependencies = [\n";
                for dependency in *dependencies {
                    text += &format!(" \"{dependency}\",\n");
                }
                text += "]\n";
            }
        }
        text
    }

    fn instructor(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn instructor_packages_and_what_only_they_use_are_pruned() {
        let r = Some(REGISTRY);
        let before = lock(&[
            ("anstream", "0.6.0", r, &["anstyle", "anstyle-wincon"]),
            ("anstyle", "1.0.0", r, &[]),
            // Only Windows builds download it, but it stays: the handout builds there too.
            ("anstyle-wincon", "3.0.0", r, &["anstyle", "windows-sys"]),
            ("anyhow", "1.0.0", r, &[]),
            ("bench", "0.1.0", None, &["tensor-solution"]),
            ("grader", "0.1.0", None, &["anstream", "rand 0.9.0", "tensor", "tensor-solution"]),
            ("rand", "0.8.0", r, &[]),
            ("rand", "0.9.0", r, &[]),
            ("tensor", "0.1.0", None, &[]),
            ("tensor-solution", "0.1.0", None, &["rand 0.8.0"]),
            ("windows-sys", "0.59.0", r, &[]),
            ("xtask", "0.1.0", None, &["anyhow", "tensor"]),
        ]);
        let after = lock(&[
            ("anstream", "0.6.0", r, &["anstyle", "anstyle-wincon"]),
            ("anstyle", "1.0.0", r, &[]),
            ("anstyle-wincon", "3.0.0", r, &["anstyle", "windows-sys"]),
            ("bench", "0.1.0", None, &[]),
            ("grader", "0.1.0", None, &["anstream", "rand", "tensor"]),
            ("rand", "0.9.0", r, &[]),
            ("tensor", "0.1.0", None, &[]),
            ("windows-sys", "0.59.0", r, &[]),
        ]);
        assert_eq!(prune(&before, &instructor(&["xtask", "tensor-solution"])).unwrap(), after);
    }

    #[test]
    fn a_package_is_named_by_as_few_words_as_the_packages_kept_allow() {
        let git = "git+https://example.com/rand?branch=dev#0123456789abcdef";
        let r = Some(REGISTRY);
        let dependencies = [
            "rand 0.9.0 (git+https://example.com/rand?branch=dev)",
            &format!("rand 0.9.0 ({REGISTRY})"),
            "rand_core 0.6.0",
            "rand_core 0.9.0",
        ];
        let before = lock(&[
            ("demo-solution", "0.1.0", None, &dependencies[..1]),
            ("grader", "0.1.0", None, &dependencies[1..3]),
            ("rand", "0.9.0", Some(git), &dependencies[3..]),
            ("rand", "0.9.0", r, &[]),
            ("rand_core", "0.6.0", r, &[]),
            ("rand_core", "0.9.0", r, &[]),
        ]);
        let after = lock(&[
            ("grader", "0.1.0", None, &["rand", "rand_core"]),
            ("rand", "0.9.0", r, &[]),
            ("rand_core", "0.6.0", r, &[]),
        ]);
        assert_eq!(prune(&before, &instructor(&["demo-solution"])).unwrap(), after);
    }

    #[test]
    fn a_lock_without_instructor_packages_is_left_as_cargo_wrote_it() {
        let path = crate::workspace::root().join("Cargo.lock");
        let text = crate::files::read_text(&path).unwrap();
        assert_eq!(prune(&text, &BTreeSet::new()).unwrap(), text);
    }

    #[test]
    fn a_dependency_the_lock_does_not_hold_is_an_error() {
        let text = lock(&[("grader", "0.1.0", None, &["rand 0.9.0"]), ("rand", "0.8.0", Some(REGISTRY), &[])]);
        let error = format!("{:#}", prune(&text, &BTreeSet::new()).unwrap_err());
        assert!(error.contains("`grader 0.1.0` depends on `rand 0.9.0`"), "{error}");
    }
}
