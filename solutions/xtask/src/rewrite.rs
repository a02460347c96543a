//! The TOML files the handout rewrites: the workspace manifest, the cargo
//! configuration and the generated stub manifests.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use toml_edit::{DocumentMut, Item, KeyMut, Value};

use crate::stub_manifest::GENERATED_HEADER;
use crate::workspace::SOLUTIONS;

/// Words that mark a comment as addressed to instructors.
const INSTRUCTOR_WORDS: [&str; 4] = ["handout", "xtask", "solutions/", "instructor"];

/// The root `Cargo.toml` without the instructor crates: no workspace
/// member, default member or exclusion under `solutions/` (and no comment
/// about them), no workspace dependency on an instructor package or path.
pub fn workspace_manifest(text: &str, instructor_packages: &BTreeSet<String>) -> Result<String> {
    let mut doc: DocumentMut = text.parse().context("the root Cargo.toml is not valid TOML")?;
    let Some(workspace) = doc.get_mut("workspace").and_then(Item::as_table_like_mut) else {
        return Ok(text.to_string());
    };
    for key in ["members", "default-members", "exclude"] {
        let Some(array) = workspace.get_mut(key).and_then(Item::as_array_mut) else { continue };
        let before = array.len();
        array.retain(|v| !v.as_str().is_some_and(is_instructor_path));
        if array.len() == before {
            continue;
        }
        if !array.to_string().contains('\n') {
            array.fmt();
        }
        if let Some(key) = workspace.key_mut(key) {
            drop_instructor_comments(key);
        }
    }
    if let Some(dependencies) = workspace.get_mut("dependencies").and_then(Item::as_table_like_mut) {
        let instructor: Vec<String> = dependencies
            .iter()
            .filter(|(name, item)| {
                instructor_packages.contains(*name)
                    || item.get("package").and_then(Item::as_str).is_some_and(|p| instructor_packages.contains(p))
                    || item.get("path").and_then(Item::as_str).is_some_and(is_instructor_path)
            })
            .map(|(name, _)| name.to_string())
            .collect();
        for name in instructor {
            dependencies.remove(&name);
        }
    }
    Ok(doc.to_string())
}

/// `.cargo/config.toml` without the aliases that run an instructor package
/// (`--package xtask`, `-p grading`) or a path under `solutions/`; their
/// comments go with them.
pub fn cargo_config(text: &str, instructor_packages: &BTreeSet<String>) -> Result<String> {
    let mut doc: DocumentMut = text.parse().context(".cargo/config.toml is not valid TOML")?;
    let Some(aliases) = doc.get_mut("alias").and_then(Item::as_table_like_mut) else {
        return Ok(text.to_string());
    };
    let instructor: Vec<String> = aliases
        .iter()
        .filter(|(_, item)| runs_instructor_code(item, instructor_packages))
        .map(|(name, _)| name.to_string())
        .collect();
    for name in instructor {
        aliases.remove(&name);
    }
    Ok(doc.to_string())
}

/// A generated stub manifest without its first line, which points to
/// `solutions/` and `cargo xtask`, neither of which the students have, and
/// with its doc examples turned on: in the handout they run against the
/// student's code (`cargo test -p <topic>`), failing until it works.
pub fn stub_manifest(text: &str) -> Result<String> {
    let text = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with(GENERATED_HEADER) => rest,
        _ => text,
    };
    let mut doc: DocumentMut = text.parse().context("not a valid TOML manifest")?;
    if let Some(lib) = doc.get_mut("lib").and_then(Item::as_table_mut) {
        lib.remove("doctest");
        if lib.is_empty() {
            doc.remove("lib");
        }
    }
    Ok(doc.to_string())
}

fn is_instructor_path(path: &str) -> bool {
    let path = path.trim_start_matches("./");
    path == SOLUTIONS || path.starts_with(&format!("{SOLUTIONS}/"))
}

/// Whether an alias's command names an instructor package or path.
fn runs_instructor_code(alias: &Item, instructor_packages: &BTreeSet<String>) -> bool {
    let words: Vec<&str> = match alias {
        Item::Value(Value::String(s)) => s.value().split_whitespace().collect(),
        Item::Value(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => return false,
    };
    let names_package = |word: &str| instructor_packages.contains(word);
    words.iter().any(|w| w.contains(&format!("{SOLUTIONS}/")))
        || words.windows(2).any(|w| matches!(w[0], "-p" | "--package") && names_package(w[1]))
        || words.iter().any(|w| w.strip_prefix("--package=").or(w.strip_prefix("-p")).is_some_and(names_package))
}

/// Removes, from the comments before `key`, each paragraph (comment lines
/// between blank lines) that speaks to instructors.
fn drop_instructor_comments(mut key: KeyMut<'_>) {
    let decor = key.leaf_decor_mut();
    let Some(prefix) = decor.prefix().and_then(|p| p.as_str()).map(str::to_string) else { return };
    let mut kept = String::new();
    let mut paragraph = String::new();
    let flush = |paragraph: &mut String, kept: &mut String| {
        let lower = paragraph.to_lowercase();
        if !INSTRUCTOR_WORDS.iter().any(|w| lower.contains(w)) {
            kept.push_str(paragraph);
        }
        paragraph.clear();
    };
    for line in prefix.split_inclusive('\n') {
        if line.trim_start().starts_with('#') {
            paragraph.push_str(line);
        } else {
            flush(&mut paragraph, &mut kept);
            kept.push_str(line);
        }
    }
    flush(&mut paragraph, &mut kept);
    decor.set_prefix(kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instructor() -> BTreeSet<String> {
        ["xtask", "grading", "tensor-solution"].map(String::from).into()
    }

    #[test]
    fn the_workspace_loses_its_instructor_members_and_their_comment() {
        let text = r#"[workspace]
resolver = "3"
# The handout (`cargo xtask handout`) drops the `solutions/*` member.
members = ["modules/*", "grader", "book", "solutions/*"]

[workspace.dependencies]
support = { path = "modules/support" }
tensor-solution = { path = "solutions/tensor" }
renamed = { package = "grading", path = "elsewhere" }
ndarray = "0.17"
"#;
        assert_eq!(
            workspace_manifest(text, &instructor()).unwrap(),
            r#"[workspace]
resolver = "3"
members = ["modules/*", "grader", "book"]

[workspace.dependencies]
support = { path = "modules/support" }
ndarray = "0.17"
"#
        );
    }

    #[test]
    fn a_multi_line_member_list_keeps_its_layout() {
        let text = "[workspace]\n# Crates.\nmembers = [\n    \"solutions/*\",\n    \"modules/*\",\n]\n";
        assert_eq!(
            workspace_manifest(text, &instructor()).unwrap(),
            "[workspace]\n# Crates.\nmembers = [\n    \"modules/*\",\n]\n"
        );
    }

    #[test]
    fn instructor_aliases_go_with_their_comments() {
        let text = r#"[alias]
# Grade the exercises in modules/ (what students run).
grade = "run --quiet --package grader --"
# Instructor only: grade the reference crates in solutions/ with the same checks.
grade-solutions = "run --quiet --package grading --bin grade-solutions --"
# Instructor only: stub generation and handout export.
xtask = "run --quiet --package xtask --"
short = "run -p xtask"
listed = ["run", "--package=grading"]
path = "run --manifest-path solutions/xtask/Cargo.toml"
"#;
        assert_eq!(
            cargo_config(text, &instructor()).unwrap(),
            "[alias]\n# Grade the exercises in modules/ (what students run).\ngrade = \"run --quiet --package grader --\"\n"
        );
    }

    #[test]
    fn the_generated_header_is_dropped_from_stub_manifests() {
        let text =
            "# Generated from solutions/tensor by `cargo xtask stubs`: edit the solution, not this file.\n[package]\n";
        assert_eq!(stub_manifest(text).unwrap(), "[package]\n");
        assert_eq!(stub_manifest("[package]\n").unwrap(), "[package]\n");
    }

    #[test]
    fn the_handout_runs_the_stubs_doc_examples() {
        let text = format!(
            "{GENERATED_HEADER}tensor\n[package]\nname = \"tensor\"\n\n[lib]\n# Against the solution.\ndoctest = false\n\n[dependencies]\nsupport.workspace = true\n"
        );
        assert_eq!(
            stub_manifest(&text).unwrap(),
            "[package]\nname = \"tensor\"\n\n[dependencies]\nsupport.workspace = true\n"
        );
    }
}
