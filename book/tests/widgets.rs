//! The interactive figures of the notes (`book/src/widgets/`), each driven
//! in headless Chromium the way a reader would use it.
//!
//! The book is not built here: every test writes a small page of its own
//! into `CARGO_TARGET_TMPDIR` that links the widget's script and the shared
//! stylesheet by absolute `file://` paths and holds the placeholder exactly
//! as its chapter has it (read from the chapter). A probe script then types
//! into the figure's fields, moves its sliders, clicks its cells, and
//! reports what the figure shows; the test compares that with the worked
//! examples of the notes and of the grader (`grader/src/`), at a laptop's
//! width and at a phone's, where the figure must not make the page wider.

mod browser;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The book's root, the directory of book.toml.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn widgets() -> PathBuf {
    root().join("src").join("widgets")
}

/// A widget, the chapter that embeds it, and its script.
struct Widget {
    name: &'static str,
    chapter: &'static str,
}

const WIDGETS: [Widget; 6] = [
    Widget { name: "strides", chapter: "tensor.md" },
    Widget { name: "conv", chapter: "conv2d.md" },
    Widget { name: "pooling", chapter: "pooling.md" },
    Widget { name: "softmax", chapter: "softmax.md" },
    Widget { name: "gate", chapter: "attention.md" },
    Widget { name: "attention", chapter: "attention.md" },
];

/// The placeholder of `name` in `chapter`: the whole line that holds
/// `data-widget="name"`, which must be an empty `div` of class `widget`.
fn placeholder(name: &str, chapter: &str) -> String {
    let path = root().join("src").join(chapter);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let marker = format!("data-widget=\"{name}\"");
    let lines: Vec<&str> = text.lines().filter(|line| line.contains(&marker)).collect();
    assert_eq!(lines.len(), 1, "book/src/{chapter} should embed the {name} widget once, with a line holding {marker}");
    let line = lines[0].trim();
    assert!(
        line.starts_with("<div class=\"widget\" ") && line.ends_with("></div>"),
        "book/src/{chapter}: the {name} placeholder should be an empty <div class=\"widget\" ...></div> on its own line, \
         found {line}"
    );
    line.to_string()
}

/// Writes a page that embeds `placeholder` the way the book does (the
/// scripts at the end of the body, after the content), and returns its path.
fn page(name: &str, placeholder: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("widgets");
    fs::create_dir_all(&dir).unwrap();
    let url = |file: &str| format!("file://{}", widgets().join(file).display());
    // A stand-in for the book's own page: its content column and its roomy
    // tables, which the widget's stylesheet must override.
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body {{ margin: 0; font-family: sans-serif; }} \
         main {{ max-width: 750px; margin: 0 auto; padding: 0 15px; }} \
         table {{ margin: 0 auto; border-collapse: collapse; }} table td {{ padding: 3px 20px; border: 1px solid #ccc; }} \
         table thead th {{ padding: 3px 20px; }} table tbody tr:nth-child(2n) {{ background: #eee; }}</style>\
         <link rel=\"stylesheet\" href=\"{css}\"></head>\n<body><main>\n<h1>The {name} figure</h1>\n\
         <p>A paragraph of the chapter.</p>\n{placeholder}\n<p>The next paragraph.</p>\n</main>\n\
         <script src=\"{common}\"></script>\n<script src=\"{script}\"></script>\n</body></html>\n",
        css = url("widgets.css"),
        common = url("common.js"),
        script = url(&format!("{name}.js")),
    );
    let path = dir.join(format!("{name}.html"));
    fs::write(&path, html).unwrap();
    path
}

/// Helpers for the probes: typing into a field (with the `input` and
/// `change` events a reader's typing fires), reading what is shown, and
/// measuring how far the page or the widget sticks out to the right.
const PRELUDE: &str = r#"<script>
function role(w, name) { return w.querySelector('[data-role="' + name + '"]'); }
function all(w, selector) { return Array.from(w.querySelectorAll(selector)); }
function type(el, value) {
  el.value = String(value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.dispatchEvent(new Event("change", { bubbles: true }));
}
function typeRole(w, name, value) { type(role(w, name), value); }
function message(w) { const m = role(w, "message"); return m && !m.hidden ? m.textContent : ""; }
function texts(nodes) { return nodes.map((n) => n.textContent.trim()); }
function values(nodes) { return nodes.map((n) => Number(n.dataset.value)); }
function overflow(w) {
  const page = document.documentElement;
  const box = w.getBoundingClientRect();
  return { page: page.scrollWidth - page.clientWidth, right: box.right - page.clientWidth, left: box.left,
    width: page.clientWidth };
}
function probe(name, body) {
  addEventListener("load", () => {
    let result;
    try {
      const w = document.querySelector('.widget[data-widget="' + name + '"]');
      result = { built: w !== null && w.children.length > 0, start: overflow(w) };
      Object.assign(result, body(w));
      result.end = overflow(w);
    } catch (e) {
      result = { fatal: String(e) + "\n" + e.stack };
    }
    parent.postMessage(JSON.stringify(result), "*");
  });
}
"#;

/// A value of the JSON a probe posts.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    List(Vec<Json>),
    Map(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Json {
        let mut p = Parser { s: text.as_bytes(), at: 0 };
        let v = p.value();
        p.space();
        assert_eq!(p.at, p.s.len(), "trailing text after the JSON: {text}");
        v
    }

    /// The member `key` of a map; a missing key is `Null`.
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Map(m) => m.iter().find(|(k, _)| k == key).map_or(&Json::Null, |(_, v)| v),
            _ => &Json::Null,
        }
    }

    fn num(&self) -> f64 {
        match self {
            Json::Num(x) => *x,
            other => panic!("expected a number, got {other:?}"),
        }
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            other => panic!("expected a string, got {other:?}"),
        }
    }

    fn list(&self) -> &[Json] {
        match self {
            Json::List(l) => l,
            other => panic!("expected a list, got {other:?}"),
        }
    }

    fn nums(&self) -> Vec<f64> {
        self.list().iter().map(Json::num).collect()
    }

    fn strs(&self) -> Vec<&str> {
        self.list().iter().map(Json::str).collect()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.space();
        assert_eq!(self.s.get(self.at), Some(&c), "JSON: expected {:?} at byte {}", c as char, self.at);
        self.at += 1;
    }

    fn value(&mut self) -> Json {
        self.space();
        match self.s[self.at] {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.space();
                if self.s[self.at] == b'}' {
                    self.at += 1;
                    return Json::Map(members);
                }
                loop {
                    self.space();
                    let key = self.string();
                    self.eat(b':');
                    members.push((key, self.value()));
                    self.space();
                    self.at += 1;
                    match self.s[self.at - 1] {
                        b',' => continue,
                        b'}' => return Json::Map(members),
                        c => panic!("JSON: unexpected {:?} in an object", c as char),
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.s[self.at] == b']' {
                    self.at += 1;
                    return Json::List(items);
                }
                loop {
                    items.push(self.value());
                    self.space();
                    self.at += 1;
                    match self.s[self.at - 1] {
                        b',' => continue,
                        b']' => return Json::List(items),
                        c => panic!("JSON: unexpected {:?} in a list", c as char),
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            _ => {
                let start = self.at;
                while self.at < self.s.len() && b"+-0123456789.eE".contains(&self.s[self.at]) {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.at]).unwrap();
                Json::Num(text.parse().unwrap_or_else(|e| panic!("JSON: bad number {text:?}: {e}")))
            }
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Json {
        assert!(self.s[self.at..].starts_with(word.as_bytes()), "JSON: expected {word} at byte {}", self.at);
        self.at += word.len();
        value
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = String::new();
        loop {
            let rest = std::str::from_utf8(&self.s[self.at..]).unwrap();
            let c = rest.chars().next().expect("JSON: unterminated string");
            self.at += c.len_utf8();
            match c {
                '"' => return out,
                '\\' => {
                    let e = self.s[self.at] as char;
                    self.at += 1;
                    match e {
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex = std::str::from_utf8(&self.s[self.at..self.at + 4]).unwrap();
                            self.at += 4;
                            let unit = u32::from_str_radix(hex, 16).unwrap();
                            out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }
}

/// Runs `probe_body` (the body of `probe(name, (w) => { ... return {...}; })`)
/// on the widget's page at each size of [`browser::SIZES`], checks that it
/// rendered without script errors and fits the page, and returns what it
/// reported at each width.
fn drive(test: &str, name: &str, chapter: &str, probe_body: &str) -> Vec<(u32, Json)> {
    let started = Instant::now();
    let html = page(name, &placeholder(name, chapter));
    let script = format!("{PRELUDE}probe(\"{name}\", (w) => {{\n{probe_body}\n}});\n</script>");
    let mut reports = Vec::new();
    for size in browser::SIZES {
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("widgets").join(format!("{name}-{}", size.0));
        let posted = browser::probe(&html, size, &script, &scratch);
        let json = Json::parse(&posted);
        // `WIDGETS_DUMP=1 cargo test -p book --test widgets -- --nocapture` shows every report.
        if std::env::var_os("WIDGETS_DUMP").is_some() {
            eprintln!("{name} at width {}: {posted}", size.0);
        }
        let errors = json.get("errors").list();
        assert!(errors.is_empty(), "{name} at width {}: script errors: {errors:?}", size.0);
        let result = json.get("result").clone();
        assert_eq!(
            result.get("fatal"),
            &Json::Null,
            "{name} at width {}: the probe failed: {:?}",
            size.0,
            result.get("fatal")
        );
        assert_eq!(result.get("built"), &Json::Bool(true), "{name} at width {}: the widget did not render", size.0);
        for moment in ["start", "end"] {
            let o = result.get(moment);
            assert!(
                o.get("page").num() <= 0.0 && o.get("right").num() <= 0.5 && o.get("left").num() >= 0.0,
                "{name} at width {} ({moment} of the probe): the widget is wider than the page: {o:?}",
                size.0
            );
        }
        reports.push((size.0, result));
    }
    eprintln!("{test}: {:.1} s for {} page loads", started.elapsed().as_secs_f64(), browser::SIZES.len());
    reports
}

/// `actual` within `tolerance` of `expected`, element by element.
#[track_caller]
fn close(what: &str, actual: &[f64], expected: &[f64], tolerance: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: {actual:?} against {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() <= tolerance, "{what}: {actual:?}, expected {expected:?} (within {tolerance})");
    }
}

/// The stable softmax, written again here to check the page's numbers.
fn softmax(x: &[f64]) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| if *v == f64::NEG_INFINITY { 0.0 } else { (v - m).exp() }).collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| v / total).collect()
}

#[test]
fn chapters_embed_their_widgets_and_book_toml_loads_them() {
    let toml = fs::read_to_string(root().join("book.toml")).unwrap();
    let html = toml.split("[output.html]").nth(1).expect("book.toml has an [output.html] table");
    let html = html.split("\n[").next().unwrap();
    let list = |key: &str| -> Vec<String> {
        let line = html
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("[output.html] has no {key}"));
        line.split('"').skip(1).step_by(2).map(str::to_string).collect()
    };
    let js = list("additional-js");
    let css = list("additional-css");
    assert_eq!(css, ["src/widgets/widgets.css"], "additional-css");
    assert_eq!(js.first().map(String::as_str), Some("src/widgets/common.js"), "common.js must load before the widgets");
    let mut problems = String::new();
    for w in &WIDGETS {
        let file = format!("src/widgets/{}.js", w.name);
        if !js.contains(&file) {
            writeln!(problems, "additional-js lacks {file}").unwrap();
        }
        placeholder(w.name, w.chapter);
    }
    for file in js.iter().chain(&css) {
        if !root().join(file).is_file() {
            writeln!(problems, "book.toml loads {file}, which does not exist").unwrap();
        }
    }
    assert!(problems.is_empty(), "{problems}");
}

#[test]
fn strides_explorer() {
    if !browser::available("strides_explorer") {
        return;
    }
    let probe = r#"
    const r = {};
    const last = () => {
      const rows = all(w, '[data-role="steps"] tbody tr');
      const row = rows[rows.length - 1];
      return { step: row.dataset.step, shape: row.querySelector(".shape").textContent,
        strides: row.querySelector(".strides").textContent, contiguous: row.querySelector(".contiguous").textContent };
    };
    const read = () => all(w, '[data-role="storage"] .is-read').map((c) => c.dataset.slot);
    r.initial = last();
    r.slots = all(w, '[data-role="storage"] [data-slot]').length;
    r.cells = all(w, '[data-role="elements"] [data-index]').length;
    typeRole(w, "order", "2,0,1");
    r.permuted = last();
    typeRole(w, "index", "3,1,2");
    r.position = Number(role(w, "position").dataset.value);
    r.positionText = role(w, "position").textContent;
    r.read = read();
    r.selected = all(w, '[data-role="elements"] .is-selected').map((c) => c.dataset.index);
    typeRole(w, "view", "4,6");
    r.notContiguous = message(w);
    r.afterRefusal = last();
    typeRole(w, "view", "");
    all(w, '[data-role="elements"] [data-index="1,0,2"]')[0].click();
    r.clicked = { index: role(w, "index").value, position: Number(role(w, "position").dataset.value), read: read() };
    typeRole(w, "index", "");
    typeRole(w, "order", "");
    typeRole(w, "shape", "4,2");
    typeRole(w, "order", "1,0");
    typeRole(w, "index", "1,3");
    r.grid = { last: last(), position: Number(role(w, "position").dataset.value), read: read() };
    typeRole(w, "view", "8");
    r.gridView = message(w);
    typeRole(w, "view", "");
    typeRole(w, "index", "");
    typeRole(w, "order", "");
    typeRole(w, "shape", "8");
    typeRole(w, "view", "4,2");
    r.viewed = last();
    typeRole(w, "view", "3,3");
    r.sizes = message(w);
    typeRole(w, "view", "");
    typeRole(w, "shape", "4,2,2");
    r.fresh = last();
    typeRole(w, "order", "0,0,1");
    r.repeated = message(w);
    typeRole(w, "order", "1");
    r.short = message(w);
    typeRole(w, "order", "");
    typeRole(w, "shape", "2,x");
    r.badShape = message(w);
    typeRole(w, "shape", "2");
    typeRole(w, "offset", "4");
    typeRole(w, "index", "1");
    r.offset = { position: Number(role(w, "position").dataset.value), read: read(), message: message(w) };
    typeRole(w, "index", "2");
    r.pastTheEnd = message(w);
    typeRole(w, "offset", "0");
    typeRole(w, "index", "");
    typeRole(w, "shape", "16,16");
    r.big = all(w, '[data-role="elements"] [data-index]').length;
    return r;
    "#;
    for (width, r) in drive("strides_explorer", "strides", "tensor.md", probe) {
        let at = format!("strides at width {width}");
        let step = |v: &Json| {
            (v.get("step").str().to_string(), v.get("shape").str().to_string(), v.get("strides").str().to_string())
        };
        // The chapter's placeholder: shape (2, 3, 4), strides (12, 4, 1), 24 slots.
        assert_eq!(step(r.get("initial")), ("start".into(), "(2, 3, 4)".into(), "(12, 4, 1)".into()), "{at}");
        assert_eq!(r.get("slots").num(), 24.0, "{at}");
        assert_eq!(r.get("cells").num(), 24.0, "{at}");
        // grader/src/tensor/views.rs: (2, 3, 4) strides (12, 4, 1) in order (2, 0, 1) is (4, 2, 3) strides (1, 12, 4).
        assert_eq!(step(r.get("permuted")), ("permute".into(), "(4, 2, 3)".into(), "(1, 12, 4)".into()), "{at}");
        assert_eq!(r.get("permuted").get("contiguous").str(), "no (axis 0)", "{at}");
        // Index (3, 1, 2) reads 3*1 + 1*12 + 2*4 = 23.
        assert_eq!(r.get("position").num(), 23.0, "{at}");
        assert!(r.get("positionText").str().ends_with("= 23"), "{at}: {:?}", r.get("positionText"));
        assert_eq!(r.get("read").strs(), ["23"], "{at}");
        assert_eq!(r.get("selected").strs(), ["3,1,2"], "{at}");
        assert!(r.get("notContiguous").str().contains("not contiguous"), "{at}: {:?}", r.get("notContiguous"));
        assert_eq!(r.get("afterRefusal").get("step").str(), "permute", "{at}: a refused view adds no step");
        // Clicking the element (1, 0, 2) selects it: 1*1 + 0*12 + 2*4 = 9.
        let clicked = r.get("clicked");
        assert_eq!(clicked.get("index").str(), "1,0,2", "{at}");
        assert_eq!(clicked.get("position").num(), 9.0, "{at}");
        assert_eq!(clicked.get("read").strs(), ["9"], "{at}");
        // grader/src/tensor/indexing.rs: index (1, 3) with strides (1, 2) is at 7, in the
        // permuted grid (2, 4) that grader/src/tensor/views.rs refuses to view as (8,).
        let grid = r.get("grid");
        assert_eq!(step(grid.get("last")), ("permute".into(), "(2, 4)".into(), "(1, 2)".into()), "{at}");
        assert_eq!(grid.get("position").num(), 7.0, "{at}");
        assert_eq!(grid.get("read").strs(), ["7"], "{at}");
        assert!(r.get("gridView").str().contains("not contiguous"), "{at}: {:?}", r.get("gridView"));
        // grader/src/tensor/views.rs: 8 contiguous elements viewed as (4, 2) have strides (2, 1);
        // a view as (3, 3) is refused.
        assert_eq!(step(r.get("viewed")), ("view".into(), "(4, 2)".into(), "(2, 1)".into()), "{at}");
        assert!(r.get("sizes").str().contains("9 elements"), "{at}: {:?}", r.get("sizes"));
        // grader/src/tensor/indexing.rs: shape (4, 2, 2) has strides (4, 2, 1).
        assert_eq!(step(r.get("fresh")), ("start".into(), "(4, 2, 2)".into(), "(4, 2, 1)".into()), "{at}");
        assert!(r.get("repeated").str().contains("listed twice"), "{at}: {:?}", r.get("repeated"));
        assert!(r.get("short").str().contains("3 entries"), "{at}: {:?}", r.get("short"));
        assert!(r.get("badShape").str().contains("not a number"), "{at}: {:?}", r.get("badShape"));
        // grader/src/tensor/views.rs: row 2 of the grid (shape (2,), offset 4), index (1,) reads slot 5.
        let offset = r.get("offset");
        assert_eq!(offset.get("position").num(), 5.0, "{at}");
        assert_eq!(offset.get("read").strs(), ["5"], "{at}");
        assert_eq!(offset.get("message").str(), "", "{at}");
        assert!(r.get("pastTheEnd").str().contains("past the end"), "{at}: {:?}", r.get("pastTheEnd"));
        assert_eq!(r.get("big").num(), 256.0, "{at}");
    }
}

#[test]
fn sliding_conv_window() {
    if !browser::available("sliding_conv_window") {
        return;
    }
    let probe = r#"
    const r = {};
    const output = () => all(w, '[data-role="output"] .widget-cell');
    const windowCells = () => all(w, '[data-role="padded"] .in-window').map((c) =>
      (c.classList.contains("is-pad") ? "pad " : "") + c.querySelector(".widget-num").textContent);
    r.output = values(output());
    r.outputText = texts(output());
    r.pads = all(w, '[data-role="padded"] .is-pad').length;
    r.first = { at: role(w, "at").textContent, window: windowCells(), value: Number(role(w, "products").dataset.value) };
    typeRole(w, "position", 5);
    r.slid = { at: role(w, "at").textContent, window: windowCells(), value: Number(role(w, "products").dataset.value),
      text: role(w, "products").textContent, selected: all(w, '[data-role="output"] .is-selected').map((c) => c.dataset.i + "," + c.dataset.j) };
    all(w, '[data-role="output"] [data-i="2"][data-j="2"]')[0].click();
    r.corner = { at: role(w, "at").textContent, slider: role(w, "position").value, window: windowCells(),
      value: Number(role(w, "products").dataset.value) };
    role(w, "next").click();
    r.afterNext = role(w, "position").value;
    role(w, "prev").click();
    r.afterPrev = { slider: role(w, "position").value, value: Number(role(w, "products").dataset.value) };
    typeRole(w, "input", "0 0 0; 0 0 0; 0 0 1");
    r.oneHot = values(output());
    typeRole(w, "kernel", "1 2; 3");
    r.ragged = message(w);
    r.raggedCells = output().length;
    typeRole(w, "kernel", "1 0; 2 1");
    r.recovered = { message: message(w), cells: output().length };
    const rows = [];
    for (let i = 0; i < 12; i++) {
      rows.push(Array.from({ length: 12 }, (_, j) => (i * 12 + j) % 7 - 3).join(" "));
    }
    typeRole(w, "input", rows.join("; "));
    typeRole(w, "kernel", "1 1 1 1; 1 1 1 1; 1 1 1 1");
    r.large = output().length;
    return r;
    "#;
    for (width, r) in drive("sliding_conv_window", "conv", "conv2d.md", probe) {
        let at = format!("conv at width {width}");
        // grader/src/conv2d.rs, the worked example of book/src/conv2d.md: the 3 x 3 image
        // (1 2 0; 0 1 3; 2 1 1) and the 2 x 2 kernel (1 0; 2 1) give (2 7 6; 5 4 5; 2 1 1).
        close(&at, &r.get("output").nums(), &[2.0, 7.0, 6.0, 5.0, 4.0, 5.0, 2.0, 1.0, 1.0], 0.0);
        assert_eq!(r.get("outputText").strs(), ["2", "7", "6", "5", "4", "5", "2", "1", "1"], "{at}");
        // One row of zeros below and one column to the right: 16 - 9 cells.
        assert_eq!(r.get("pads").num(), 7.0, "{at}");
        let first = r.get("first");
        assert_eq!(first.get("at").str(), "(i, j) = (0, 0)", "{at}");
        assert_eq!(first.get("window").strs(), ["1", "2", "0", "1"], "{at}");
        assert_eq!(first.get("value").num(), 2.0, "{at}");
        // The notes: at (1, 2) the box covers 3, a zero past the edge, 1, a zero, and gives 5.
        let slid = r.get("slid");
        assert_eq!(slid.get("at").str(), "(i, j) = (1, 2)", "{at}");
        assert_eq!(slid.get("window").strs(), ["3", "pad 0", "1", "pad 0"], "{at}");
        assert_eq!(slid.get("value").num(), 5.0, "{at}");
        assert!(slid.get("text").str().contains("= 5"), "{at}: {:?}", slid.get("text"));
        assert_eq!(slid.get("selected").strs(), ["1,2"], "{at}");
        // At the corner (2, 2) only the top-left entry is inside: 1.
        let corner = r.get("corner");
        assert_eq!(corner.get("at").str(), "(i, j) = (2, 2)", "{at}");
        assert_eq!(corner.get("slider").str(), "8", "{at}");
        assert_eq!(corner.get("window").strs(), ["1", "pad 0", "pad 0", "pad 0"], "{at}");
        assert_eq!(corner.get("value").num(), 1.0, "{at}");
        assert_eq!(r.get("afterNext").str(), "8", "{at}: the last position stays the last");
        assert_eq!(r.get("afterPrev").get("slider").str(), "7", "{at}");
        assert_eq!(r.get("afterPrev").get("value").num(), 1.0, "{at}");
        // book/src/conv2d.md: a one-hot input at the bottom-right corner reproduces the kernel
        // rotated by half a turn in the output's bottom-right 2 x 2 block, (1 2; 0 1).
        close(&at, &r.get("oneHot").nums(), &[0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 1.0], 0.0);
        assert!(r.get("ragged").str().contains("row 1 has 1 numbers"), "{at}: {:?}", r.get("ragged"));
        assert_eq!(r.get("raggedCells").num(), 0.0, "{at}");
        assert_eq!(r.get("recovered").get("message").str(), "", "{at}");
        assert_eq!(r.get("recovered").get("cells").num(), 9.0, "{at}");
        assert_eq!(r.get("large").num(), 144.0, "{at}");
    }
}

#[test]
fn pooling_windows() {
    if !browser::available("pooling_windows") {
        return;
    }
    let probe = r#"
    const r = {};
    const tile = () => all(w, '[data-role="tile"] tbody tr').map((row) => row.querySelector(".values").textContent);
    const means = () => values(all(w, '[data-role="output"] .widget-cell'));
    r.shape = role(w, "tile-shape").dataset.shape;
    r.windows = tile();
    r.means = means();
    r.meanText = texts(all(w, '[data-role="output"] .widget-cell'));
    r.steps = all(w, '[data-role="steps"] tbody tr').map((row) => row.querySelector(".shape").textContent + " " +
      row.querySelector(".strides").textContent);
    r.slots = all(w, '[data-role="tile"] tbody tr').map((row) => row.querySelector(".slots").textContent);
    all(w, '[data-role="output"] [data-window="0,1"]')[0].click();
    r.chosen = { value: Number(role(w, "selected").dataset.value), text: role(w, "selected").textContent,
      cells: texts(all(w, '[data-role="grid"] .is-selected')) };
    typeRole(w, "kw", 1);
    r.column = { shape: role(w, "tile-shape").dataset.shape, windows: tile().slice(0, 4), means: means().slice(0, 4) };
    typeRole(w, "kh", 3);
    r.refused = message(w);
    r.refusedCells = all(w, '[data-role="output"] .widget-cell').length;
    typeRole(w, "kh", 2);
    typeRole(w, "kw", 2);
    r.back = { message: message(w), means: means() };
    typeRole(w, "input", "0 0 0 0; 0 4 0 0; 0 0 0 0; 0 0 0 0");
    r.shifted = means();
    typeRole(w, "input", "0 0 0 0; 0 0 4 0; 0 0 0 0; 0 0 0 0");
    r.crossed = means();
    const rows = [];
    for (let i = 0; i < 12; i++) {
      rows.push(Array.from({ length: 12 }, (_, j) => i * 12 + j + 100).join(" "));
    }
    typeRole(w, "input", rows.join("; "));
    typeRole(w, "kw", 1);
    r.large = all(w, '[data-role="output"] .widget-cell').length;
    return r;
    "#;
    for (width, r) in drive("pooling_windows", "pooling", "pooling.md", probe) {
        let at = format!("pooling at width {width}");
        // grader/src/pooling/mod.rs: the 4 x 4 grid 1..16 in 2 x 2 windows starts with (1, 2, 5, 6)
        // and pools to (3.5, 5.5; 11.5, 13.5).
        assert_eq!(r.get("shape").str(), "1,1,2,2,4", "{at}");
        assert_eq!(
            r.get("windows").strs(),
            ["(1, 2, 5, 6)", "(3, 4, 7, 8)", "(9, 10, 13, 14)", "(11, 12, 15, 16)"],
            "{at}"
        );
        close(&at, &r.get("means").nums(), &[3.5, 5.5, 11.5, 13.5], 0.0);
        assert_eq!(r.get("meanText").strs(), ["3.5", "5.5", "11.5", "13.5"], "{at}");
        // book/src/pooling.md, "The strides of each step".
        assert_eq!(
            r.get("steps").strs(),
            [
                "(1, 1, 4, 4) (16, 16, 4, 1)",
                "(1, 1, 2, 2, 2, 2) (16, 16, 8, 4, 2, 1)",
                "(1, 1, 2, 2, 2, 2) (16, 16, 8, 2, 4, 1)",
                "(1, 1, 2, 2, 4) (16, 16, 8, 4, 1)"
            ],
            "{at}"
        );
        assert_eq!(r.get("slots").strs()[..2], ["0, 1, 4, 5", "2, 3, 6, 7"], "{at}");
        let chosen = r.get("chosen");
        assert_eq!(chosen.get("value").num(), 5.5, "{at}");
        let text = chosen.get("text").str();
        assert!(text.contains("(3, 4, 7, 8)") && text.ends_with("/ 4 = 5.5"), "{at}: {text}");
        assert_eq!(chosen.get("cells").strs(), ["3", "4", "7", "8"], "{at}");
        // grader/src/pooling/mod.rs: a 2 x 1 kernel reads down the columns: (1, 5), (2, 6), ...
        let column = r.get("column");
        assert_eq!(column.get("shape").str(), "1,1,2,4,2", "{at}");
        assert_eq!(column.get("windows").strs(), ["(1, 5)", "(2, 6)", "(3, 7)", "(4, 8)"], "{at}");
        close(&at, &column.get("means").nums(), &[3.0, 4.0, 5.0, 6.0], 0.0);
        assert!(r.get("refused").str().contains("kh = 3 does not divide"), "{at}: {:?}", r.get("refused"));
        assert_eq!(r.get("refusedCells").num(), 0.0, "{at}");
        assert_eq!(r.get("back").get("message").str(), "", "{at}");
        close(&at, &r.get("back").get("means").nums(), &[3.5, 5.5, 11.5, 13.5], 0.0);
        // book/src/pooling.md: a single 4 at (1, 1) pools to 1 at (0, 0); moved to (1, 2)
        // it crosses into the next window.
        close(&at, &r.get("shifted").nums(), &[1.0, 0.0, 0.0, 0.0], 0.0);
        close(&at, &r.get("crossed").nums(), &[0.0, 1.0, 0.0, 0.0], 0.0);
        assert_eq!(r.get("large").num(), 72.0, "{at}");
    }
}

#[test]
fn softmax_temperature_and_ties() {
    if !browser::available("softmax_temperature_and_ties") {
        return;
    }
    let probe = r#"
    const r = {};
    const shown = () => ({ p: values(all(w, '[data-role="bars"] [data-role="p"]')),
      text: texts(all(w, '[data-role="bars"] [data-role="p"]')), max: Number(role(w, "max").dataset.value),
      argmax: role(w, "argmax").dataset.value, sum: Number(role(w, "sum").dataset.value),
      tie: role(w, "tie").hidden ? "" : role(w, "tie").textContent, tied: role(w, "tie").dataset.tied || "" });
    r.initial = shown();
    typeRole(w, "scores", "1, 2, 3");
    r.plain = shown();
    typeRole(w, "scores", "1, 2, 0.5, 3, 2.5");
    r.byT = {};
    for (const t of ["0.25", "1", "4"]) {
      typeRole(w, "temperature", t);
      r.byT[t] = Object.assign(shown(), { label: role(w, "t-value").textContent });
    }
    typeRole(w, "temperature", "1");
    typeRole(w, "scores", "1000, 1000, -1000");
    r.stable = shown();
    typeRole(w, "scores", "2, 5, 5");
    typeRole(w, "temperature", "0.05");
    r.coldTie = shown();
    typeRole(w, "scores", "1, oops");
    r.bad = { message: message(w), bars: all(w, '[data-role="bars"] [data-role="p"]').length };
    typeRole(w, "scores", "0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6");
    r.many = all(w, '[data-role="bars"] [data-role="p"]').length;
    return r;
    "#;
    for (width, r) in drive("softmax_temperature_and_ties", "softmax", "softmax.md", probe) {
        let at = format!("softmax at width {width}");
        // The chapter's placeholder: scores (1, 2, 2, 0.5) at T = 1, a tie for the maximum.
        let initial = r.get("initial");
        close(&at, &initial.get("p").nums(), &softmax(&[1.0, 2.0, 2.0, 0.5]), 1e-15);
        assert_eq!(initial.get("max").num(), 2.0, "{at}");
        // book/src/softmax.md and COURSE.md: one 1 per slice, at any one tied position;
        // the reference solution, and the widget, take the first.
        assert_eq!(initial.get("argmax").str(), "0,1,0,0", "{at}");
        assert_eq!(initial.get("tied").str(), "1,2", "{at}");
        let tie = initial.get("tie").str();
        assert!(tie.contains("exactly one 1") && tie.contains("never split"), "{at}: {tie}");
        close(&at, &[initial.get("sum").num()], &[1.0], 1e-15);
        // grader/src/softmax/mod.rs: softmax(1, 2, 3) = (0.0900, 0.2447, 0.6652).
        let plain = r.get("plain");
        close(&at, &plain.get("p").nums(), &[0.09003057317038046, 0.24472847105479764, 0.6652409557748219], 1e-15);
        assert_eq!(plain.get("text").strs(), ["0.0900", "0.2447", "0.6652"], "{at}");
        assert_eq!(plain.get("argmax").str(), "0,0,1", "{at}");
        assert_eq!(plain.get("max").num(), 3.0, "{at}");
        assert_eq!(plain.get("tie").str(), "", "{at}: no tie, no note");
        // book/src/softmax.md, the temperature table for z = (1, 2, 0.5, 3, 2.5).
        let z = [1.0, 2.0, 0.5, 3.0, 2.5];
        let table: [(&str, f64, [&str; 5]); 3] = [
            ("0.25", 0.25, ["0.0003", "0.0159", "3.9e-5", "0.8665", "0.1173"]),
            ("1", 1.0, ["0.0617", "0.1678", "0.0375", "0.4562", "0.2767"]),
            ("4", 4.0, ["0.1595", "0.2048", "0.1407", "0.2629", "0.2320"]),
        ];
        for (key, t, text) in table {
            let row = r.get("byT").get(key);
            let scaled: Vec<f64> = z.iter().map(|v| v / t).collect();
            close(&format!("{at}, T = {key}"), &row.get("p").nums(), &softmax(&scaled), 1e-15);
            assert_eq!(row.get("text").strs(), text, "{at}, T = {key}");
            assert_eq!(row.get("argmax").str(), "0,0,0,1,0", "{at}, T = {key}");
            assert_eq!(row.get("label").str(), format!("T = {t:.2}"), "{at}");
        }
        // grader/src/softmax/mod.rs, stability: (1000, 1000, -1000) gives (0.5, 0.5, 0).
        let stable = r.get("stable");
        close(&at, &stable.get("p").nums(), &[0.5, 0.5, 0.0], 0.0);
        assert_eq!(stable.get("tied").str(), "0,1", "{at}");
        // book/src/softmax.md: the slice (2, 5, 5); cold, the tied scores share equally.
        let cold = r.get("coldTie");
        close(&at, &cold.get("p").nums(), &[0.0, 0.5, 0.5], 1e-12);
        assert_eq!(cold.get("argmax").str(), "0,1,0", "{at}");
        assert_eq!(cold.get("tied").str(), "1,2", "{at}");
        assert!(r.get("bad").get("message").str().contains("not a number"), "{at}: {:?}", r.get("bad"));
        assert_eq!(r.get("bad").get("bars").num(), 0.0, "{at}");
        assert_eq!(r.get("many").num(), 16.0, "{at}");
    }
}

#[test]
fn sigmoid_gate() {
    if !browser::available("sigmoid_gate") {
        return;
    }
    let probe = r#"
    const r = {};
    const column = (name) => values(all(w, '[data-role="table"] td[data-col="' + name + '"]'));
    const columnText = (name) => texts(all(w, '[data-role="table"] td[data-col="' + name + '"]'));
    const number = (i) => w.querySelector('[data-role="r"][data-i="' + i + '"]');
    const slider = (i) => w.querySelector('[data-role="r-slider"][data-i="' + i + '"]');
    r.initial = { sigma: column("sigma"), sigmaText: columnText("sigma"), gate: column("gate"), gateText: columnText("gate"),
      gradR: column("grad-r"), slope: column("slope"), sliders: all(w, '[data-role="r-slider"]').length };
    type(number(1), 1000);
    type(number(2), -1000);
    r.far = { gate: column("gate"), sigma: column("sigma"), gradR: column("grad-r") };
    type(slider(0), "2");
    r.slid = { number: number(0).value, sigma: column("sigma")[0], gate: column("gate")[0] };
    typeRole(w, "x", "1, 2");
    r.mismatch = { message: message(w), rows: all(w, '[data-role="table"] tbody tr').length };
    typeRole(w, "x", "0, 3, 4");
    r.same = { gate: column("gate"), gradR: column("grad-r"), r: column("r"), message: message(w) };
    typeRole(w, "x", "1, 2, 3, 4, 5, 6, 7, 8");
    typeRole(w, "y", "8, 7, 6, 5, 4, 3, 2, 1");
    r.wide = all(w, '[data-role="r-slider"]').length;
    return r;
    "#;
    for (width, r) in drive("sigmoid_gate", "gate", "attention.md", probe) {
        let at = format!("gate at width {width}");
        // book/src/attention.md: x (2, -1, 4), y (0, 3, 4), r (0, 2, -2): weights
        // (0.5, 0.880797, 0.119203), gate (1, -0.523188, 4), grad of r (0.5, -0.419974, 0).
        // grader/src/activations/mod.rs: sigmoid(2) = 0.8807970779778823, sigmoid(-2) = 0.11920292202211755.
        let initial = r.get("initial");
        assert_eq!(initial.get("sliders").num(), 3.0, "{at}");
        close(&at, &initial.get("sigma").nums(), &[0.5, 0.8807970779778823, 0.11920292202211755], 1e-15);
        assert_eq!(initial.get("sigmaText").strs(), ["0.500000", "0.880797", "0.119203"], "{at}");
        close(&at, &initial.get("gate").nums(), &[1.0, -0.523188, 4.0], 5e-7);
        assert_eq!(initial.get("gateText").strs(), ["1", "-0.523188", "4"], "{at}");
        close(&at, &initial.get("gradR").nums(), &[0.5, -0.419974, 0.0], 5e-7);
        close(&at, &initial.get("slope").nums(), &[0.25, 0.104994, 0.104994], 5e-7);
        // grader/src/attention/gate.rs: x (2, -1, 4), y (0, 3, 4), r (0, 1000, -1000) give (1, -1, 4),
        // the sigmoid exactly 1 and 0 far out, its slope exactly 0.
        let far = r.get("far");
        close(&at, &far.get("gate").nums(), &[1.0, -1.0, 4.0], 0.0);
        close(&at, &far.get("sigma").nums(), &[0.5, 1.0, 0.0], 0.0);
        close(&at, &far.get("gradR").nums(), &[0.5, 0.0, 0.0], 0.0);
        // The slider moves r0 to 2: the weight of x is sigmoid(2), the gate 2 sigmoid(2).
        let slid = r.get("slid");
        assert_eq!(slid.get("number").str(), "2", "{at}");
        close(
            &at,
            &[slid.get("sigma").num(), slid.get("gate").num()],
            &[0.8807970779778823, 2.0 * 0.8807970779778823],
            1e-15,
        );
        assert!(r.get("mismatch").get("message").str().contains("one shape"), "{at}: {:?}", r.get("mismatch"));
        assert_eq!(r.get("mismatch").get("rows").num(), 0.0, "{at}");
        // x = y: the gate is x whatever the scores, and r gets no gradient.
        let same = r.get("same");
        assert_eq!(same.get("message").str(), "", "{at}");
        close(&at, &same.get("r").nums(), &[2.0, 1000.0, -1000.0], 0.0);
        close(&at, &same.get("gate").nums(), &[0.0, 3.0, 4.0], 1e-15);
        close(&at, &same.get("gradR").nums(), &[0.0, 0.0, 0.0], 0.0);
        assert_eq!(r.get("wide").num(), 8.0, "{at}");
    }
}

#[test]
fn attention_weights_and_causal_mask() {
    if !browser::available("attention_weights_and_causal_mask") {
        return;
    }
    let probe = r#"
    const r = {};
    const grid = (name) => values(all(w, '[data-role="' + name + '"] .widget-cell:not(.widget-sum)'));
    const shown = () => ({ scores: grid("scores"), scoresText: texts(all(w, '[data-role="scores"] .widget-cell')),
      weights: grid("weights"), sums: values(all(w, '[data-role="row-sum"]')), output: grid("output"),
      masked: all(w, '[data-role="weights"] .is-masked').map((c) => c.dataset.i + "," + c.dataset.j),
      maskedText: texts(all(w, '[data-role="weights"] .is-masked')) });
    r.plain = shown();
    const causal = role(w, "causal");
    causal.click();
    r.causal = shown();
    w.querySelector('[data-role="weights"] [data-i="0"][data-j="2"]').click();
    r.maskedDetail = role(w, "detail").textContent;
    w.querySelector('[data-role="weights"] [data-i="1"][data-j="0"]').click();
    r.detail = role(w, "detail").textContent;
    typeRole(w, "q", "0 0 0 0; 0 0 0 0");
    typeRole(w, "k", "0 0 0 0; 0 0 0 0");
    typeRole(w, "v", "1 2; 3 4");
    r.zeroCausal = shown();
    causal.click();
    r.zeroPlain = shown();
    typeRole(w, "k", "0 0 0 0; 0 0 0 0; 1 1 1 1");
    typeRole(w, "v", "1 2; 3 4; 5 6");
    r.moreKeys = { message: message(w), weights: grid("weights").length };
    causal.click();
    r.needSquare = { message: message(w), cells: grid("weights").length };
    causal.click();
    typeRole(w, "k", "1 1; 2 2");
    r.features = message(w);
    const rows = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => ((i + 2 * j) % 5) - 2).join(" ")).join("; ");
    typeRole(w, "q", rows);
    typeRole(w, "k", rows);
    typeRole(w, "v", rows);
    causal.click();
    r.large = { cells: grid("weights").length, sums: values(all(w, '[data-role="row-sum"]')) };
    return r;
    "#;
    let e = std::f64::consts::E;
    let (e2, third) = (e * e, 1.0 / 3.0);
    let sigmoid2 = 0.8807970779778823;
    for (width, r) in drive("attention_weights_and_causal_mask", "attention", "attention.md", probe) {
        let at = format!("attention at width {width}");
        // book/src/attention.md, "A worked example": S = (1 1 0; 2 0 2; 1 1 1), the rows of P
        // (e, e, 1) / (2e + 1), (e^2, 1, e^2) / (2e^2 + 1), (1, 1, 1) / 3, and O = P V.
        let plain = r.get("plain");
        close(&at, &plain.get("scores").nums(), &[1.0, 1.0, 0.0, 2.0, 0.0, 2.0, 1.0, 1.0, 1.0], 0.0);
        let p = [
            e / (2.0 * e + 1.0),
            e / (2.0 * e + 1.0),
            1.0 / (2.0 * e + 1.0),
            e2 / (2.0 * e2 + 1.0),
            1.0 / (2.0 * e2 + 1.0),
            e2 / (2.0 * e2 + 1.0),
            third,
            third,
            third,
        ];
        close(&at, &plain.get("weights").nums(), &p, 1e-15);
        close(&at, &plain.get("sums").nums(), &[1.0; 3], 1e-15);
        close(
            &at,
            &plain.get("output").nums(),
            &[p[0] + p[2], p[1] + p[2], p[3] + p[5], p[4] + p[5], 2.0 * third, 2.0 * third],
            1e-15,
        );
        // The notes round them: P (0.4223 0.4223 0.1554; 0.4683 0.0634 0.4683; ...), O (0.5777 0.5777; 0.9366 0.5317; ...).
        close(&at, &plain.get("weights").nums()[..6], &[0.4223, 0.4223, 0.1554, 0.4683, 0.0634, 0.4683], 5e-5);
        close(&at, &plain.get("output").nums(), &[0.5777, 0.5777, 0.9366, 0.5317, 0.6667, 0.6667], 5e-5);
        assert!(plain.get("masked").list().is_empty(), "{at}");
        // With the causal mask: S above the diagonal is -inf, P (1 0 0; 0.8808 0.1192 0; 1/3 1/3 1/3),
        // O (1 0; 0.8808 0.1192; 0.6667 0.6667): the first output row is v1.
        let causal = r.get("causal");
        assert_eq!(causal.get("masked").strs(), ["0,1", "0,2", "1,2"], "{at}");
        assert_eq!(causal.get("maskedText").strs(), ["0", "0", "0"], "{at}");
        assert_eq!(causal.get("scoresText").strs()[1], "-\u{221e}", "{at}");
        let pc = [1.0, 0.0, 0.0, sigmoid2, 1.0 - sigmoid2, 0.0, third, third, third];
        close(&at, &causal.get("weights").nums(), &pc, 1e-15);
        close(&at, &causal.get("sums").nums(), &[1.0; 3], 1e-15);
        close(
            &at,
            &causal.get("output").nums(),
            &[1.0, 0.0, sigmoid2, 1.0 - sigmoid2, 2.0 * third, 2.0 * third],
            1e-15,
        );
        assert!(r.get("maskedDetail").str().contains("may not see key 2"), "{at}: {:?}", r.get("maskedDetail"));
        assert!(r.get("detail").str().starts_with("S[1, 0] = q1 \u{b7} k0 / \u{221a}4"), "{at}: {:?}", r.get("detail"));
        // grader/src/attention/scaled.rs: q = k = 0, v ((1, 2), (3, 4)): equal scores average the
        // values, (2, 3) twice; causal, the first query sees only the first value: (1, 2), (2, 3).
        close(&at, &r.get("zeroPlain").get("output").nums(), &[2.0, 3.0, 2.0, 3.0], 1e-15);
        close(&at, &r.get("zeroCausal").get("output").nums(), &[1.0, 2.0, 2.0, 3.0], 1e-15);
        close(&at, &r.get("zeroCausal").get("weights").nums(), &[1.0, 0.0, 0.5, 0.5], 1e-15);
        // More keys than queries is fine without the mask, refused with it.
        assert_eq!(r.get("moreKeys").get("message").str(), "", "{at}");
        assert_eq!(r.get("moreKeys").get("weights").num(), 6.0, "{at}");
        assert!(
            r.get("needSquare").get("message").str().contains("as many queries as keys"),
            "{at}: {:?}",
            r.get("needSquare")
        );
        assert_eq!(r.get("needSquare").get("cells").num(), 0.0, "{at}");
        assert!(r.get("features").str().contains("D must agree"), "{at}: {:?}", r.get("features"));
        let large = r.get("large");
        assert_eq!(large.get("cells").num(), 100.0, "{at}");
        close(&at, &large.get("sums").nums(), &[1.0; 10], 1e-12);
    }
}
