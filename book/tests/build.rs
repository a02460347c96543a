//! Builds the book the way `mdbook build` does and checks the result.
//!
//! The book is built once per test run into `CARGO_TARGET_TMPDIR` by
//! [`book::site::build`], the build `cargo book` runs: the mdbook-driver
//! library, with the mdbook-katex library in place of the `mdbook-katex`
//! program, so no program needs to be installed.
//!
//! Each test reads the sources or the built site and fails with one line per
//! problem, naming the file.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use mdbook_driver::config::Config;
use mdbook_katex::cfg::KatexConfig;

/// Hosts that would make a page load something from the network.
const CDN_HOSTS: &[&str] = &[
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "unpkg.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "code.jquery.com",
    "ajax.googleapis.com",
    "stackpath.bootstrapcdn.com",
    "polyfill.io",
];

/// The book's root: the directory of book.toml.
fn root() -> &'static Path {
    book::site::dir()
}

/// The chapters' directory.
fn src() -> PathBuf {
    root().join("src")
}

/// Builds the book once, with the reader's command (`cargo book --out
/// DIR`, the `book` program), and returns the directory of the site.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-html");
        if out.exists() {
            fs::remove_dir_all(&out).unwrap_or_else(|e| panic!("cannot clear {}: {e}", out.display()));
        }
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_book")).arg("--out").arg(&out).output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "`cargo book --out {}` failed:\n{stdout}{stderr}", out.display());
        assert!(stdout.contains(" built in "), "no `built in` line:\n{stdout}{stderr}");
        out
    })
}

/// Every file under `dir` whose name ends with one of `extensions`.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if extensions.iter().any(|ext| path.extension().is_some_and(|e| e == *ext)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// `path` relative to `base`, for messages.
fn shown(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).display().to_string()
}

/// Fails the test with every problem found, one per line.
fn assert_none(what: &str, mut problems: Vec<String>) {
    problems.dedup();
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

/// The values of the attribute `name` (such as `href`) in an HTML page,
/// HTML entities for `&` decoded.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let pattern = format!("{name}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&pattern) {
        let preceded_by_space = rest[..at].chars().next_back().is_some_and(char::is_whitespace);
        rest = &rest[at + pattern.len()..];
        let Some(end) = rest.find('"') else { break };
        if preceded_by_space {
            values.push(rest[..end].replace("&amp;", "&"));
        }
        rest = &rest[end..];
    }
    values
}

/// The targets of every `url(...)` in a stylesheet, quotes removed.
fn css_urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .filter_map(|part| part.split_once(')'))
        .map(|(target, _)| target.trim().trim_matches(['"', '\'']).to_string())
        .collect()
}

/// Undoes percent-encoding such as `%20`.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True for links that leave the book or stay on the page.
fn is_external_or_local(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    target.is_empty()
        || target.starts_with('#')
        || ["http:", "https:", "mailto:", "data:", "javascript:"].iter().any(|s| lower.starts_with(s))
}

/// The file a relative link in `page` points to, inside `site`, if it stays
/// inside it. A leading `/` is the root of the site.
fn resolve(site: &Path, page: &Path, target: &str) -> Option<PathBuf> {
    let mut path = if let Some(absolute) = target.strip_prefix('/') {
        site.join(absolute)
    } else {
        page.parent().unwrap_or(site).join(target)
    };
    // Normalise `..` without touching the file system.
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if !normal.starts_with(site) {
        return None;
    }
    path = normal;
    if path.is_dir() {
        path.push("index.html");
    }
    Some(path)
}

/// The `id`s of the elements of an HTML page.
fn ids(page: &Path) -> HashSet<String> {
    attribute_values(&read(page), "id").into_iter().collect()
}

/// Problems with the `href` and `src` targets of one page.
fn broken_links(site: &Path, page: &Path, anchors: &mut HashMap<PathBuf, HashSet<String>>) -> Vec<String> {
    let html = read(page);
    let mut problems = Vec::new();
    for attribute in ["href", "src"] {
        for raw in attribute_values(&html, attribute) {
            if is_external_or_local(&raw) {
                continue;
            }
            let (target, fragment) = match raw.split_once('#') {
                Some((target, fragment)) => (target, Some(fragment)),
                None => (raw.as_str(), None),
            };
            let target = target.split('?').next().unwrap_or_default();
            let Some(file) = resolve(site, page, &percent_decode(target)) else {
                problems.push(format!("{}: {attribute}=\"{raw}\" leaves the book", shown(page, site)));
                continue;
            };
            if !file.is_file() {
                problems.push(format!("{}: {attribute}=\"{raw}\" points to a missing file", shown(page, site)));
                continue;
            }
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else { continue };
            if file.extension().is_some_and(|e| e == "html") && file != page {
                let known = anchors.entry(file.clone()).or_insert_with(|| ids(&file));
                if !known.contains(&percent_decode(fragment)) {
                    problems.push(format!(
                        "{}: {attribute}=\"{raw}\" names an anchor that {} does not have",
                        shown(page, site),
                        shown(&file, site)
                    ));
                }
            }
        }
    }
    problems
}

/// Removes `<pre>`, `<code>`, `<script>` and `<style>` elements, leaving the
/// prose of a page.
fn prose(html: &str) -> String {
    let mut text = html.to_string();
    for tag in ["pre", "code", "script", "style"] {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut kept = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find(&open) {
            kept.push_str(&rest[..start]);
            match rest[start..].find(&close) {
                Some(end) => rest = &rest[start + end + close.len()..],
                None => {
                    rest = "";
                    break;
                }
            }
        }
        kept.push_str(rest);
        text = kept;
    }
    text
}

/// Up to 30 characters before byte `at` of `text` and 50 from it, on one line.
fn around(text: &str, at: usize) -> String {
    let before: Vec<char> = text[..at].chars().rev().take(30).collect();
    let after = text[at..].chars().take(50);
    before.into_iter().rev().chain(after).map(|c| if c == '\n' { ' ' } else { c }).collect()
}

/// The `{{#include ...}}` and `{{#rustdoc_include ...}}` directives of a
/// chapter: the path and what follows its first `:`, if anything.
fn includes(markdown: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        for piece in markdown.split(directive).skip(1) {
            let Some((argument, _)) = piece.split_once("}}") else { continue };
            let argument = argument.split_whitespace().next().unwrap_or_default();
            match argument.split_once(':') {
                Some((path, selector)) => found.push((path.to_string(), Some(selector.to_string()))),
                None => found.push((argument.to_string(), None)),
            }
        }
    }
    found
}

/// True when an include selector is a line range (`3`, `3:7`, `:7`) rather
/// than an anchor name.
fn is_line_range(selector: &str) -> bool {
    selector.split(':').all(|part| part.chars().all(|c| c.is_ascii_digit()))
}

/// How many lines lie between `// ANCHOR: name` and `// ANCHOR_END: name`,
/// if both markers are there.
fn anchored_line_count(code: &str, name: &str) -> Option<usize> {
    let is_marker = |line: &str, marker: &str| line.split_once(marker).is_some_and(|(_, rest)| rest.trim() == name);
    let lines: Vec<&str> = code.lines().collect();
    let start = lines.iter().position(|l| is_marker(l, "ANCHOR:"))?;
    let end = lines.iter().skip(start).position(|l| is_marker(l, "ANCHOR_END:"))?;
    Some(end.saturating_sub(1))
}

/// A `##` or `###` heading of a chapter: its line (from 1), its level, its
/// text and the id it names with `{#id}`, if any.
struct Heading {
    line: usize,
    level: usize,
    text: String,
    id: Option<String>,
}

/// The `##` and `###` headings of a chapter, those in code blocks left out.
fn headings(markdown: &str) -> Vec<Heading> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(marker)) => fence = Some(marker),
            (Some(open), Some(marker)) if open == marker => fence = None,
            _ => {}
        }
        if fence.is_some() || marker.is_some() {
            continue;
        }
        let level = line.chars().take_while(|&c| c == '#').count();
        let Some(text) = line[level..].strip_prefix(' ').filter(|_| level == 2 || level == 3) else { continue };
        // mdbook's heading attributes: `## Text {#id .class}`.
        let (text, id) = match text.trim_end().strip_suffix('}').and_then(|t| t.rsplit_once('{')) {
            Some((text, attributes)) => {
                let id = attributes.split_whitespace().find_map(|a| a.strip_prefix('#')).map(str::to_string);
                (text.trim_end(), id)
            }
            None => (text.trim_end(), None),
        };
        found.push(Heading { line: index + 1, level, text: text.to_string(), id });
    }
    found
}

/// The chapters: every Markdown file of `src/` but SUMMARY.md.
fn chapters() -> Vec<PathBuf> {
    files(&src(), &["md"]).into_iter().filter(|c| !c.ends_with("SUMMARY.md")).collect()
}

/// The links to a section of a chapter in `text`: `book/src/<chapter>.md#<anchor>`
/// and `<chapter>.html#<anchor>`, as (the link, the chapter's name, the anchor).
fn section_links(text: &str) -> Vec<(String, String, String)> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut found = Vec::new();
    for suffix in [".md#", ".html#"] {
        for (at, _) in text.match_indices(suffix) {
            let before = &text[..at];
            let chapter = &before[before.trim_end_matches(is_name).len()..];
            let after = &text[at + suffix.len()..];
            let anchor = &after[..after.len() - after.trim_start_matches(is_name).len()];
            let prefix = if suffix == ".md#" { "book/src/" } else { "" };
            if chapter.is_empty() || anchor.is_empty() || !before[..before.len() - chapter.len()].ends_with(prefix) {
                continue;
            }
            found.push((format!("{prefix}{chapter}{suffix}{anchor}"), chapter.to_string(), anchor.to_string()));
        }
    }
    found
}

#[test]
fn includes_name_existing_files_and_anchors() {
    let mut problems = Vec::new();
    for chapter in files(&src(), &["md"]) {
        let name = shown(&chapter, root());
        for (path, selector) in includes(&read(&chapter)) {
            let file = chapter.parent().expect("a chapter's directory").join(&path);
            if !file.is_file() {
                problems.push(format!("{name}: includes {path}, which does not exist"));
                continue;
            }
            let Some(anchor) = selector.filter(|s| !is_line_range(s)) else { continue };
            match anchored_line_count(&read(&file), &anchor) {
                None => problems.push(format!(
                    "{name}: includes {path}:{anchor}, but {path} has no ANCHOR/ANCHOR_END pair named {anchor}"
                )),
                Some(0) => problems.push(format!("{name}: includes {path}:{anchor}, which is empty")),
                Some(_) => {}
            }
        }
    }
    assert_none("broken includes", problems);
}

#[test]
fn every_example_is_shown_in_a_chapter() {
    let chapters: Vec<String> = files(&src(), &["md"]).iter().map(|c| read(c)).collect();
    let problems = files(&root().join("examples"), &["rs"])
        .into_iter()
        .filter_map(|example| {
            let name = example.file_name()?.to_str()?.to_string();
            let shows = |path: &String| Path::new(path).file_name().is_some_and(|n| *n == *name);
            let included = chapters.iter().any(|c| includes(c).iter().any(|(path, _)| shows(path)));
            (!included).then(|| format!("examples/{name} is not included by any chapter"))
        })
        .collect();
    assert_none("examples no chapter shows", problems);
}

#[test]
fn every_chapter_and_figure_is_used() {
    let summary = read(&src().join("SUMMARY.md"));
    let chapters: Vec<String> = files(&src(), &["md"]).iter().map(|c| read(c)).collect();
    let mut problems = Vec::new();
    for chapter in files(&src(), &["md"]) {
        let name = shown(&chapter, &src());
        if name != "SUMMARY.md" && !summary.contains(&format!("({name})")) {
            problems.push(format!("src/{name} is not listed in SUMMARY.md"));
        }
    }
    for figure in files(&src().join("figures"), &["svg", "png", "jpg"]) {
        let name = shown(&figure, &src());
        if !chapters.iter().any(|c| c.contains(&format!("({name})"))) {
            problems.push(format!("src/{name} is not shown by any chapter"));
        }
    }
    assert_none("unused files", problems);
}

#[test]
fn links_images_and_anchors_resolve() {
    let site = site();
    let mut anchors = HashMap::new();
    let problems = files(site, &["html"]).iter().flat_map(|page| broken_links(site, page, &mut anchors)).collect();
    assert_none("broken links", problems);
}

#[test]
fn stylesheet_urls_resolve() {
    let site = site();
    let mut problems = Vec::new();
    for sheet in files(site, &["css"]) {
        for url in css_urls(&read(&sheet)) {
            if is_external_or_local(&url) {
                continue;
            }
            let target = url.split(['?', '#']).next().unwrap_or_default();
            match resolve(site, &sheet, &percent_decode(target)) {
                Some(file) if file.is_file() => {}
                _ => problems.push(format!("{}: url({url}) points to a missing file", shown(&sheet, site))),
            }
        }
    }
    assert_none("broken stylesheet urls", problems);
}

#[test]
fn katex_stylesheet_is_linked_from_every_page() {
    let site = site();
    assert!(site.join("katex/katex.min.css").is_file(), "the build has no katex/katex.min.css");
    let problems = files(site, &["html"])
        .iter()
        .filter(|page| !attribute_values(&read(page), "href").iter().any(|h| h.ends_with("katex/katex.min.css")))
        .map(|page| format!("{} does not link katex/katex.min.css", shown(page, site)))
        .collect();
    assert_none("pages without the KaTeX stylesheet", problems);
}

#[test]
fn no_directive_is_left_unexpanded() {
    let site = site();
    let problems = files(site, &["html"])
        .iter()
        .filter(|page| read(page).contains("{{#"))
        .map(|page| format!("{} contains a literal {{{{# (an include that failed?)", shown(page, site)))
        .collect();
    assert_none("unexpanded mdbook directives", problems);
}

#[test]
fn all_math_renders() {
    let site = site();
    let config = Config::from_disk(root().join("book.toml")).expect("book.toml parses");
    let error_color = config
        .get::<String>("preprocessor.katex.error-color")
        .expect("error-color is a string")
        .unwrap_or_else(|| KatexConfig::default().error_color);
    let mut problems = Vec::new();
    for page in files(site, &["html"]) {
        let html = read(&page);
        if html.contains("katex-error") {
            problems.push(format!("{}: KaTeX could not render a formula (class katex-error)", shown(&page, site)));
        }
        // Without throw-on-error, KaTeX paints what it cannot parse, such as
        // an unknown command, in the error colour.
        if let Some(at) = html.find(&format!("color:{error_color}")) {
            problems.push(format!("{}: KaTeX marked an error in \"{}\"", shown(&page, site), around(&html, at)));
        }
        // Math that KaTeX could not parse keeps its `$` delimiters. A literal
        // dollar sign in prose must be written `&#36;`.
        let text = prose(&html);
        if let Some(at) = text.find('$') {
            problems.push(format!(
                "{}: math left unrendered (a `$` outside code) in \"{}\"",
                shown(&page, site),
                around(&text, at)
            ));
        }
    }
    let rendered = files(site, &["html"]).iter().any(|page| read(page).contains("class=\"katex\""));
    if !rendered {
        problems.push("no page contains KaTeX output: did the katex preprocessor run?".to_string());
    }
    assert_none("math that did not render", problems);
}

#[test]
fn nothing_loads_from_a_cdn() {
    let site = site();
    let mut problems = Vec::new();
    for file in files(site, &["html", "css", "js"]) {
        let text = read(&file);
        for host in CDN_HOSTS.iter().filter(|host| text.contains(*host)) {
            problems.push(format!("{} refers to {host}", shown(&file, site)));
        }
    }
    assert_none("references to a CDN", problems);
}

#[test]
fn images_have_alt_text() {
    let site = site();
    let mut problems = Vec::new();
    for page in files(site, &["html"]) {
        for image in read(&page).split("<img").skip(1) {
            let tag = image.split('>').next().unwrap_or_default();
            let alt = attribute_values(tag, "alt");
            if alt.first().is_none_or(|a| a.trim().is_empty()) {
                let src = attribute_values(tag, "src").pop().unwrap_or_default();
                problems.push(format!("{}: <img src=\"{src}\"> has no alt text", shown(&page, site)));
            }
        }
    }
    assert_none("images without alt text", problems);
}

#[test]
fn every_section_heading_has_a_unique_explicit_id() {
    let mut problems = Vec::new();
    for chapter in chapters() {
        let name = shown(&chapter, root());
        let mut seen: HashMap<String, usize> = HashMap::new();
        for heading in headings(&read(&chapter)) {
            let (line, hashes) = (heading.line, "#".repeat(heading.level));
            match heading.id {
                None => problems.push(format!("{name}:{line}: `{hashes} {}` has no {{#id}}", heading.text)),
                Some(id) => {
                    if let Some(first) = seen.insert(id.clone(), line) {
                        problems.push(format!("{name}:{line}: id {id} is already the id of line {first}"));
                    }
                }
            }
        }
        if seen.is_empty() {
            problems.push(format!("{name} has no ## or ### heading: is the heading parser broken?"));
        }
    }
    assert_none("section headings without a stable id", problems);
}

#[test]
fn heading_ids_are_the_ids_of_the_built_pages() {
    let site = site();
    let mut problems = Vec::new();
    for chapter in chapters() {
        let page = site.join(shown(&chapter, &src())).with_extension("html");
        let all = attribute_values(&read(&page), "id");
        let known: HashSet<&String> = all.iter().collect();
        for id in headings(&read(&chapter)).into_iter().filter_map(|h| h.id) {
            if !known.contains(&id) {
                problems.push(format!("{} has no element with id {id}", shown(&page, site)));
            }
        }
        let mut seen = HashSet::new();
        for id in all.iter().filter(|id| !seen.insert(*id)) {
            problems.push(format!("{} has two elements with id {id}", shown(&page, site)));
        }
    }
    assert_none("heading ids missing from the pages", problems);
}

#[test]
fn the_graders_links_to_sections_resolve() {
    let site = site();
    let grader = book::site::workspace().join("grader").join("src");
    let mut anchors: HashMap<String, HashSet<String>> = HashMap::new();
    let (mut problems, mut count) = (Vec::new(), 0);
    for file in files(&grader, &["rs"]) {
        let name = shown(&file, book::site::workspace());
        for (index, line) in read(&file).lines().enumerate() {
            for (link, chapter, anchor) in section_links(line) {
                count += 1;
                let page = site.join(format!("{chapter}.html"));
                if !page.is_file() {
                    problems.push(format!("{name}:{}: {link}: the book has no chapter {chapter}", index + 1));
                    continue;
                }
                let known = anchors.entry(chapter.clone()).or_insert_with(|| ids(&page));
                if !known.contains(&anchor) {
                    problems.push(format!("{name}:{}: {link}: {chapter}.html has no section {anchor}", index + 1));
                }
            }
        }
    }
    assert!(count > 0, "no link to a section found in {}: is the link scanner broken?", grader.display());
    assert_none("links from the grader to sections that do not exist", problems);
}

#[test]
fn section_links_are_found_in_prose_and_code() {
    let text = "see (book/src/conv1d.md#conventions), ./book/src/tensor.md#a-b_c and attention.html#why; \
                not conv1d.md#x, book/src/.md#y nor book/src/conv2d.md#";
    let found: Vec<String> = section_links(text).into_iter().map(|(link, _, _)| link).collect();
    assert_eq!(found, ["book/src/conv1d.md#conventions", "book/src/tensor.md#a-b_c", "attention.html#why"]);
}

#[test]
fn headings_parse_levels_ids_and_skip_code() {
    let markdown = "# Title\n## Zero padding {#zero-padding}\n```text\n## not a heading\n```\n### Ties\n#### Deeper\n";
    let found: Vec<(usize, usize, String, Option<String>)> =
        headings(markdown).into_iter().map(|h| (h.line, h.level, h.text, h.id)).collect();
    assert_eq!(
        found,
        [(2, 2, "Zero padding".to_string(), Some("zero-padding".to_string())), (6, 3, "Ties".to_string(), None)]
    );
}
