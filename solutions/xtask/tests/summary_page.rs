//! The HTML class summary of a synthetic class of 30, laid out by headless
//! Chromium at a desktop and at a phone width: the page never gets wider
//! than the window, and its 7 histograms are visible.
//!
//! The browser harness is the book's (`book/tests/browser`); here a
//! missing Chromium fails the test, since an instructor's machine runs CI.

use std::fs;
use std::path::Path;

use serde_json::{Value, json};
use xtask::batch::{Graded, TOPICS, summary};

#[path = "../../../book/tests/browser/mod.rs"]
mod browser;

/// The statuses of a synthetic class, mostly passed.
const STATUSES: [&str; 10] = [
    "passed",
    "passed",
    "passed",
    "passed",
    "failed",
    "failed",
    "not_implemented",
    "timed_out",
    "crashed",
    "does_not_compile",
];

/// Measures the page it is appended to, once loaded, and posts the result
/// to the host page. Elements inside a horizontal scroller may stick out;
/// nothing else may.
const PROBE: &str = r#"<script>
addEventListener("load", () => {
  const root = document.documentElement, view = root.clientWidth;
  const scrolls = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > view + 0.5 && !scrolls(e))
    .map((e) => e.tagName.toLowerCase());
  const svgs = [...document.querySelectorAll("svg")].map((s) => {
    const r = s.getBoundingClientRect();
    return [r.width, r.height];
  });
  const heading = document.querySelector("h1");
  parent.postMessage(JSON.stringify({
    inner: innerWidth,
    overflow: root.scrollWidth > innerWidth || root.scrollWidth > view,
    wide,
    svgs,
    heading: heading ? heading.textContent : null,
  }), "*");
});
</script>
"#;

/// One task of a synthetic report; its status decides its score and checks.
fn task(module: &str, name: &str, status: &str) -> Value {
    let passed = status == "passed";
    let hint = if module.starts_with("conv") {
        "this looks like a flipped kernel (a true convolution): with the kernel reversed, your function gives the expected output"
    } else {
        "this looks like every value is the expected one rounded to f32: compare in f64"
    };
    let score = match status {
        "passed" => 5.0,
        "failed" => 2.5,
        _ => 0.0,
    };
    json!({
        "name": name, "module": module, "score": score, "max_score": 5.0, "status": status, "seconds": 0.25,
        "chapter": format!("book/src/{module}.md"),
        "checks": [
            {"name": "golden: numpy reference", "passed": passed, "message": format!("expected 1.5, got 2.5\n{hint}")},
            {
                "name": format!("property: {name}_agrees_with_the_reference_for_every_shape_stride_and_offset"),
                "passed": passed || status == "failed",
                "message": "differs at [3, 1]: expected 0.25, got 0.5",
            },
            {"name": "edge: empty <input> & \"zero\" strides", "passed": status != "crashed", "message": "panicked"},
        ],
    })
}

/// Submission `i` of the class: every tenth has no report, one has a name
/// that needs escaping, the others' statuses vary by task.
fn submission(i: usize) -> Graded {
    let name = if i == 9 { "<b>&amp; o'neil".to_string() } else { format!("student-{i:02}") };
    let mut graded = Graded { name, seed: 7, report: None, notes: vec![], graded_now: true };
    if i % 10 == 9 {
        graded.notes.push(format!(
            "the grader gave no report (exit status: 101): error: could not compile /home/student-{i}/modules/conv2d/src/lib.rs:123:45/a_very_long_path_without_any_space_at_all_to_break"
        ));
        return graded;
    }
    let tasks: Vec<Value> = TOPICS
        .iter()
        .flat_map(|module| ["forward", "backward", "edge_cases"].map(|name| (*module, name)))
        .enumerate()
        .map(|(j, (module, name))| {
            task(module, &format!("{module}_{name}"), STATUSES[(i * 7 + j * 3) % STATUSES.len()])
        })
        .collect();
    let score = tasks.iter().map(|t| t["score"].as_f64().unwrap()).sum::<f64>();
    graded.report = Some(json!({"score": score, "max_score": 5.0 * tasks.len() as f64, "seed": 7, "tasks": tasks}));
    graded
}

/// What [`PROBE`] found in the HTML file `page` laid out in a `width` x
/// `height` frame.
fn measure(page: &Path, size: (u32, u32)) -> Value {
    let scratch = tempfile::tempdir().unwrap();
    let text = browser::probe(page, size, PROBE, scratch.path());
    let found: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(found["errors"], json!([]), "script errors on the page");
    found["result"].clone()
}

#[test]
fn the_summary_page_fits_a_desktop_and_a_phone() {
    assert!(std::path::Path::new(browser::CHROMIUM).exists(), "install Debian's `chromium` package, as CI does");
    let graded: Vec<Graded> = (0..30).map(submission).collect();
    let html = summary::html(&graded);
    assert!(html.contains("&lt;b&gt;&amp;amp; o&#39;neil") && !html.contains("<b>"), "names are escaped");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("summary.html");
    fs::write(&page, &html).unwrap();
    for size in browser::SIZES {
        let found = measure(&page, size);
        let at = format!("at {}x{}: {found}", size.0, size.1);
        assert_eq!(found["inner"], size.0, "the frame is not the width under test {at}");
        assert_eq!(found["heading"], "Class summary", "{at}");
        assert_eq!(found["overflow"], false, "the page scrolls sideways {at}");
        assert_eq!(found["wide"], json!([]), "elements stick out of the page {at}");
        let svgs = found["svgs"].as_array().unwrap();
        assert_eq!(svgs.len(), TOPICS.len(), "a histogram per module {at}");
        for svg in svgs {
            let (w, h) = (svg[0].as_f64().unwrap(), svg[1].as_f64().unwrap());
            assert!(w > 0.0 && h > 0.0 && w <= f64::from(size.0), "a histogram is hidden or too wide {at}");
        }
    }
}
