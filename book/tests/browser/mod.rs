//! Pages in a real browser: Debian's headless Chromium loads a page, runs
//! its scripts, and a probe script appended to the page reports what it
//! measured as JSON.
//!
//! Chromium's headless windows are at least 500 px wide, so a page is laid
//! out in an iframe of the size under test, inside a host page; the probe
//! posts its result to the host, whose DOM Chromium dumps. Shared by the
//! book's tests and the instructor's (`#[path]`-included there).
//!
//! Where Chromium is missing, [`available`] says so: tests skip with a
//! note, unless `GRADLINGS_REQUIRE_BROWSER` is set (CI sets it), where a
//! missing browser fails.

#![allow(dead_code)]

use std::fs::{self, File};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// A phone's width and a laptop's, with their heights.
pub const SIZES: [(u32, u32); 2] = [(1280, 900), (390, 844)];

/// Whether Chromium is here. When it is not, prints why a test is skipped,
/// or panics when `GRADLINGS_REQUIRE_BROWSER` is set.
pub fn available(test: &str) -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        std::env::var_os("GRADLINGS_REQUIRE_BROWSER").is_none(),
        "{CHROMIUM} is missing: install Debian's `chromium` package (`apt-get install chromium`), as CI does"
    );
    eprintln!("skipping {test}: {CHROMIUM} is missing (Debian's `chromium` package runs it)");
    false
}

/// The DOM of `page` once headless Chromium has loaded it and run its
/// scripts (with 3 s of virtual time), in a `width` x `height` window: a
/// fresh profile in `scratch`, no network, and a minute to answer.
pub fn dom(page: &Path, (width, height): (u32, u32), scratch: &Path) -> String {
    fs::create_dir_all(scratch).unwrap();
    let (out, log) = (scratch.join("dom.html"), scratch.join("stderr.txt"));
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", scratch.join("profile").display()))
        .arg(format!("--window-size={width},{height}"))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&log).unwrap())
        // Its own process group, so that a hung Chromium goes with its helpers.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill").args(["-KILL", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            panic!("chromium did not finish within a minute on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = fs::read_to_string(&out).unwrap();
    if !status.success() || dom.is_empty() {
        let log = fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        panic!("chromium failed ({status}) on {}:\n{}", page.display(), tail.join("\n"));
    }
    dom
}

/// What `probe` (a `<script>` that ends by calling
/// `parent.postMessage(JSON.stringify(result), "*")`) reports about the
/// HTML file `page` laid out in a `width` x `height` frame: the JSON text
/// it posted. Script errors on the page are reported too: the probe's
/// result is wrapped as `{"errors": [...], "result": ...}`.
///
/// The probed copy (`<page>.probed.html`) and its host page go beside
/// `page`, so that the page's relative links still resolve.
pub fn probe(page: &Path, (width, height): (u32, u32), probe: &str, scratch: &Path) -> String {
    let dir = page.parent().unwrap();
    let stem = page.file_stem().unwrap().to_string_lossy();
    let html = fs::read_to_string(page).unwrap();
    // Errors are caught from the first script on.
    let catcher = "<script>window.__errors = []; addEventListener(\"error\", (e) => \
                   window.__errors.push(String(e.message) + \" at \" + e.filename + \":\" + e.lineno));</script>";
    let head_end = html.find("<head>").map(|i| i + "<head>".len()).unwrap_or(0);
    let mut probed = html.clone();
    probed.insert_str(head_end, catcher);
    let wrapped = probe.replace(
        "parent.postMessage(JSON.stringify(",
        "parent.postMessage(JSON.stringify({errors: window.__errors, result: ",
    );
    let wrapped = wrapped.replace("), \"*\")", "}), \"*\")");
    let probed = probed.replacen("</body>", &format!("{wrapped}</body>"), 1);
    assert!(probed.len() > html.len() + catcher.len(), "{} has no </body>", page.display());
    let probed_name = format!("{stem}.probed-{width}.html");
    fs::write(dir.join(&probed_name), probed).unwrap();
    let host = format!(
        "<!DOCTYPE html><html><head><style>html,body{{margin:0;overflow:hidden}}iframe{{display:block;border:0}}</style></head>\
         <body><iframe src=\"{probed_name}\" width=\"{width}\" height=\"{height}\"></iframe><pre id=\"result\"></pre>\
         <script>addEventListener(\"message\", (e) => {{ document.getElementById(\"result\").textContent = e.data; }});</script>\
         </body></html>"
    );
    let host_path = dir.join(format!("{stem}.host-{width}.html"));
    fs::write(&host_path, host).unwrap();
    let dom = dom(&host_path, (width.max(500), height), scratch);
    let _ = fs::remove_file(dir.join(&probed_name));
    let _ = fs::remove_file(&host_path);
    dom.split_once("<pre id=\"result\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(text, _)| text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&"))
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| {
            panic!("the probe posted nothing from {} (a script error before it?):\n{dom}", page.display())
        })
}
