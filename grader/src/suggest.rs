//! Names for `--task`: a task, a module, `module/task`, or a chapter's
//! file (`tensor.md`, `book/src/conv1d.md#the-backward-pass`); and, for a name
//! that is none of these, the known names nearest to it.

use std::path::Path;

use crate::Task;

/// The most names one suggestion offers.
const MOST: usize = 3;

/// The file name of the chapter `name` points to (`conv1d.md` for
/// `book/src/conv1d.md#the-backward-pass`), or `None` when `name` is no
/// Markdown file.
pub fn chapter_file(name: &str) -> Option<&str> {
    let path = name.split('#').next().unwrap_or(name);
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    file.ends_with(".md").then_some(file)
}

/// The file name of `task`'s chapter: `tensor.md`.
fn chapter_of(task: &Task) -> String {
    let chapter = task.chapter();
    Path::new(&chapter).file_name().map_or(chapter.clone(), |f| f.to_string_lossy().into_owned())
}

/// Whether `name` selects `task`: its name, its module, `module/task`, or
/// the file of its chapter.
pub fn selects(task: &Task, name: &str) -> bool {
    match chapter_file(name) {
        Some(file) => chapter_of(task) == file,
        None => task.name == name || task.module == name || task.id() == name,
    }
}

/// Why `name` selects no task of `all`, with the nearest names to try:
/// `no task or module is named 'permut'; did you mean 'permute'?`.
pub fn unknown(all: &[Task], name: &str) -> String {
    let mut known: Vec<String> = Vec::new();
    let mut add = |candidate: String| {
        if !known.contains(&candidate) {
            known.push(candidate);
        }
    };
    if chapter_file(name).is_some() {
        all.iter().map(chapter_of).for_each(&mut add);
        let file = chapter_file(name).unwrap_or(name);
        return match nearest(file, known.iter().map(String::as_str)).as_slice() {
            [] => format!("no module's chapter is named '{file}'; the chapters with tasks are {}", known.join(", ")),
            near => format!("no module's chapter is named '{file}'; did you mean {}?", either(near)),
        };
    }
    for task in all {
        add(task.module.to_string());
        add(task.name.to_string());
        add(task.id());
    }
    match nearest(name, known.iter().map(String::as_str)).as_slice() {
        [] => format!("no task or module is named '{name}'; --list shows them"),
        near => format!("no task or module is named '{name}'; did you mean {}?", either(near)),
    }
}

/// The candidates nearest `name`, in their order, at most [`MOST`]: those
/// of the smallest edit distance (a swap of two neighbours counts one
/// edit; case is ignored) among the ones within a third of `name`'s
/// length, or which `name` begins (`conv` for `conv1d`). None when no
/// candidate is that near.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let name = name.to_lowercase();
    let within = (name.chars().count() / 3).max(1);
    let near: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&name, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= within || (name.chars().count() >= 3 && c.to_lowercase().starts_with(&name)))
        .collect();
    let best = near.iter().map(|&(d, _)| d).min();
    near.into_iter().filter(|&(d, _)| Some(d) == best).map(|(_, c)| c).take(MOST).collect()
}

/// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`.
fn either(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Task> {
        crate::tasks()
    }

    #[test]
    fn a_near_miss_suggests_the_nearest_name() {
        assert_eq!(unknown(&all(), "permut"), "no task or module is named 'permut'; did you mean 'permute'?");
        assert_eq!(unknown(&all(), "premute"), "no task or module is named 'premute'; did you mean 'permute'?");
        assert_eq!(unknown(&all(), "Tensor"), "no task or module is named 'Tensor'; did you mean 'tensor'?");
        assert_eq!(
            unknown(&all(), "tensor/permut"),
            "no task or module is named 'tensor/permut'; did you mean 'tensor/permute'?"
        );
    }

    #[test]
    fn ties_and_prefixes_suggest_several() {
        assert_eq!(unknown(&all(), "conv"), "no task or module is named 'conv'; did you mean 'conv1d' or 'conv2d'?");
        assert_eq!(nearest("conv3d", ["conv1d", "conv2d", "pooling"]), ["conv1d", "conv2d"]);
        assert_eq!(either(&["a", "b", "c"]), "'a', 'b' or 'c'");
    }

    #[test]
    fn a_name_far_from_all_suggests_nothing() {
        assert_eq!(unknown(&all(), "zebra"), "no task or module is named 'zebra'; --list shows them");
        assert!(nearest("x", ["get", "view"]).is_empty());
    }

    #[test]
    fn a_chapter_file_selects_its_module() {
        for name in ["tensor.md", "book/src/tensor.md", "./book/src/tensor.md#storage-shape-strides-and-offset"] {
            let selected: Vec<&str> = all().iter().filter(|t| selects(t, name)).map(|t| t.module).collect();
            assert!(!selected.is_empty() && selected.iter().all(|&m| m == "tensor"), "{name}: {selected:?}");
            assert_eq!(selected.len(), all().iter().filter(|t| t.module == "tensor").count(), "{name}");
        }
        assert_eq!(chapter_file("conv1d.md#the-backward-pass"), Some("conv1d.md"));
        assert_eq!(chapter_file("conv1d"), None);
        assert!(unknown(&all(), "tensr.md").ends_with("did you mean 'tensor.md'?"), "{}", unknown(&all(), "tensr.md"));
        let text = unknown(&all(), "introduction.md");
        assert!(
            text.starts_with(
                "no module's chapter is named 'introduction.md'; the chapters with tasks are tensor.md, conv1d.md"
            ),
            "{text}"
        );
    }
}
