//! The `Cargo.toml` of a stub crate, derived from its solution's.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use toml_edit::{DocumentMut, Item, Key, Table, value};

/// The start of the first line of every generated `Cargo.toml`.
pub const GENERATED_HEADER: &str = "# Generated from solutions/";

/// Tables a solution's manifest may have; anything else would be lost in
/// the stub, so it is refused.
const KNOWN_TABLES: [&str; 6] = ["package", "lib", "dependencies", "dev-dependencies", "features", "lints"];

/// The stub's manifest: the solution's `[package]` under the topic's name
/// and without its description, its `[dependencies]` (solution crates
/// renamed to their topics), no `[dev-dependencies]`, and `doctest = false`.
///
/// `solution_dir` is shown in the header comment; `renames` maps each
/// solution package name to its topic.
pub fn stub_manifest(
    solution_manifest: &str,
    solution_dir: &str,
    topic: &str,
    renames: &BTreeMap<String, String>,
) -> Result<String> {
    let mut doc: DocumentMut = solution_manifest.parse().context("not a valid TOML manifest")?;
    if let Some((key, _)) = doc.iter().find(|(key, _)| !KNOWN_TABLES.contains(key)) {
        bail!("the stub generator does not support `[{key}]` in a solution's manifest (the stub would lose it)");
    }
    let Some(package) = doc.get_mut("package").and_then(Item::as_table_mut) else {
        bail!("no [package] table");
    };
    package["name"] = value(topic);
    package.remove("description");
    let package_position = package.position();

    doc.remove("dev-dependencies");
    if let Some(dependencies) = doc.get_mut("dependencies").and_then(Item::as_table_mut) {
        rename_keys(dependencies, renames);
    }

    let mut lib = match doc.remove("lib") {
        Some(Item::Table(table)) => table,
        Some(_) => bail!("`lib` must be a table"),
        None => {
            let mut table = Table::new();
            table.set_position(package_position);
            table
        }
    };
    lib.remove("name");
    lib.remove("doctest");
    lib.insert("doctest", value(false));
    if let Some(mut key) = lib.key_mut("doctest") {
        key.leaf_decor_mut().set_prefix(
            "# Here the doc examples run against the reference solution; the handout\n\
             # turns them on, so that they run against the student's code.\n",
        );
    }
    doc.insert("lib", Item::Table(lib));

    let header = format!("# Generated from {solution_dir} by `cargo xtask stubs`: edit the solution, not this file.");
    debug_assert!(header.starts_with(GENERATED_HEADER));
    Ok(format!("{header}\n{doc}"))
}

/// Renames the keys of `table` found in `renames`, keeping order and format.
fn rename_keys(table: &mut Table, renames: &BTreeMap<String, String>) {
    if !table.iter().any(|(key, _)| renames.contains_key(key)) {
        return;
    }
    let old = std::mem::take(table);
    table.set_position(old.position());
    *table.decor_mut() = old.decor().clone();
    table.set_implicit(old.is_implicit());
    for (name, item) in old.iter() {
        let Some((key, _)) = old.get_key_value(name) else { continue };
        let new_key = match renames.get(name) {
            Some(topic) => Key::new(topic.as_str()).with_leaf_decor(key.leaf_decor().clone()),
            None => key.clone(),
        };
        table.insert_formatted(&new_key, item.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOLUTION: &str = r#"[package]
name = "pooling-solution"
description = "Reference solution of the pooling module."
version.workspace = true
edition.workspace = true
publish = false

[dependencies]
support.workspace = true
tensor-solution.workspace = true

[dev-dependencies]
approx.workspace = true
"#;

    fn renames() -> BTreeMap<String, String> {
        BTreeMap::from([("tensor-solution".to_string(), "tensor".to_string())])
    }

    #[test]
    fn the_stub_manifest_keeps_the_package_and_dependencies() {
        let stub = stub_manifest(SOLUTION, "solutions/pooling", "pooling", &renames()).unwrap();
        assert_eq!(
            stub,
            r#"# Generated from solutions/pooling by `cargo xtask stubs`: edit the solution, not this file.
[package]
name = "pooling"
version.workspace = true
edition.workspace = true
publish = false

[lib]
# Here the doc examples run against the reference solution; the handout
# turns them on, so that they run against the student's code.
doctest = false

[dependencies]
support.workspace = true
tensor.workspace = true
"#
        );
    }

    #[test]
    fn unknown_tables_are_refused() {
        let manifest = format!("{SOLUTION}\n[[bin]]\nname = \"x\"\n");
        let err = stub_manifest(&manifest, "solutions/pooling", "pooling", &renames()).unwrap_err();
        assert!(err.to_string().contains("`[bin]`"), "{err}");
    }
}
