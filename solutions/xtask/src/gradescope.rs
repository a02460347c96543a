//! A Gradescope autograder: `setup.sh`, `run_autograder`, the pristine
//! handout and its crates, vendored, so that grading needs no network. The
//! scripts live in `solutions/xtask/gradescope/`; this module fills in the
//! seed, the time limit and the toolchain, vendors the crates and zips the
//! whole into `autograder.zip`, the file Gradescope takes.
//!
//! Crates that the grader and the runners never build on Linux (the
//! book's, Windows-only ones) are vendored as empty shells: cargo still
//! needs every locked package's manifest to resolve the workspace, but not
//! its sources. That keeps the zip small.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::batch::TOPICS;
use crate::{files, handout};

/// The platform Gradescope's images run.
pub const PLATFORM: &str = "x86_64-unknown-linux-gnu";

/// What to bake into the bundle.
#[derive(Debug, Clone)]
pub struct Options {
    /// The seed of every submission's grading.
    pub seed: u64,
    /// Seconds per task.
    pub timeout: u64,
}

/// Writes the bundle into `out` (absent or empty): `setup.sh`,
/// `run_autograder`, `handout/`, `vendor/`, and `autograder.zip` of them.
/// Returns the zip's path.
pub fn bundle(root: &Path, out: &Path, options: &Options) -> Result<PathBuf> {
    if out.exists() && !out.is_dir() {
        bail!("{} is a file: give a new folder for the bundle", out.display());
    }
    if out.exists() && std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
        bail!("{} is not empty: give a new folder for the bundle", out.display());
    }
    let handout_dir = out.join("handout");
    handout::export(root, &handout_dir)?;
    vendor(&handout_dir, &out.join("vendor"))?;
    let runners: Vec<String> = TOPICS.iter().map(|t| format!("--package {t}-runner")).collect();
    let fill = |template: &str| {
        template
            .replace("@SEED@", &options.seed.to_string())
            .replace("@TIMEOUT@", &options.timeout.to_string())
            .replace("@TOPICS@", &TOPICS.join(" "))
            .replace("@RUNNERS@", &runners.join(" "))
            .replace("@TOOLCHAIN@", &toolchain())
    };
    for (name, template) in [
        ("setup.sh", include_str!("../gradescope/setup.sh")),
        ("run_autograder", include_str!("../gradescope/run_autograder")),
    ] {
        let path = out.join(name);
        files::write(&path, fill(template).as_bytes())?;
        executable(&path)?;
    }
    let zip = out.join("autograder.zip");
    zip_folder(out, &zip, &["setup.sh", "run_autograder", "handout", "vendor"])?;
    Ok(zip)
}

/// The running toolchain's version (`1.95.0`): the one the bundle was
/// tested with.
fn toolchain() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| "stable".to_string())
}

fn executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

fn cargo(dir: &Path, args: &[&str]) -> Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!("`cargo {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    String::from_utf8(output.stdout).context("cargo printed something that is not UTF-8")
}

/// Vendors the crates of the handout at `handout` into `vendor`, points the
/// handout's cargo at them (offline), and empties those the grader never
/// builds on [`PLATFORM`].
fn vendor(handout: &Path, vendor: &Path) -> Result<()> {
    let vendor_arg = vendor.to_string_lossy().into_owned();
    cargo(handout, &["vendor", "--locked", "--versioned-dirs", &vendor_arg])?;
    let config = handout.join(".cargo").join("config.toml");
    let mut text = files::read_text(&config).unwrap_or_default();
    text.push_str(
        "\n# The autograder's crates come from the bundle, never the network.\n\
         [source.crates-io]\nreplace-with = \"vendored-sources\"\n\n\
         [source.vendored-sources]\ndirectory = \"../vendor\"\n\n[net]\noffline = true\n",
    );
    files::write(&config, text.as_bytes())?;
    let mut args = vec!["tree", "--offline", "--locked", "--edges", "normal,build", "--prefix", "none", "--target"];
    args.push(PLATFORM);
    args.extend(["--format", "{p}", "--package", "grader"]);
    let runners: Vec<String> = TOPICS.iter().map(|t| format!("{t}-runner")).collect();
    for runner in &runners {
        args.extend(["--package", runner.as_str()]);
    }
    let tree = cargo(handout, &args)?;
    // "ndarray v0.17.1" and "grader v0.1.0 (/path)": the vendored folder is
    // "ndarray-0.17.1".
    let needed: BTreeSet<String> = tree
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some(format!("{}-{}", words.next()?, words.next()?.strip_prefix('v')?))
        })
        .collect();
    for entry in std::fs::read_dir(vendor).with_context(|| format!("cannot list {}", vendor.display()))? {
        let entry = entry?;
        if !needed.contains(&*entry.file_name().to_string_lossy()) {
            hollow(&entry.path())?;
        }
    }
    Ok(())
}

/// Empties the vendored crate at `dir` but for its manifest: enough for
/// cargo to resolve it, not to build it.
fn hollow(dir: &Path) -> Result<()> {
    let checksum: serde_json::Value = serde_json::from_str(&files::read_text(&dir.join(".cargo-checksum.json"))?)
        .with_context(|| format!("{} has no readable .cargo-checksum.json", dir.display()))?;
    let manifest = files::read(&dir.join("Cargo.toml"))?;
    std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    files::write(&dir.join("Cargo.toml"), &manifest)?;
    files::write(&dir.join("src").join("lib.rs"), b"")?;
    let shell = serde_json::json!({ "files": {}, "package": checksum["package"] });
    files::write(&dir.join(".cargo-checksum.json"), shell.to_string().as_bytes())
}

/// Zips `names` (files and folders of `dir`) into `zip`, keeping the
/// executable bits.
fn zip_folder(dir: &Path, zip: &Path, names: &[&str]) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let file = std::fs::File::create(zip).with_context(|| format!("cannot create {}", zip.display()))?;
    let mut writer = zip::ZipWriter::new(file);
    for name in names {
        let top = dir.join(name);
        let paths = if top.is_dir() {
            files::files_under(&top)?.into_iter().map(|rel| Path::new(name).join(rel)).collect()
        } else {
            vec![PathBuf::from(name)]
        };
        for inside in paths {
            let path = dir.join(&inside);
            let mode = std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(mode.permissions().mode() & 0o777);
            writer.start_file(files::slash(&inside), options)?;
            writer.write_all(&files::read(&path)?)?;
        }
    }
    writer.finish().with_context(|| format!("cannot finish {}", zip.display()))?;
    Ok(())
}
