//! Formatting generated stubs as `cargo fmt` would, so that they pass
//! `cargo fmt --check` (a long `todo!("<hint>")` line, for one, is wrapped).

use std::io::{ErrorKind, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, bail};

/// `source` formatted by rustfmt (`$RUSTFMT`, else `rustfmt`) for `edition`
/// as if it were a file in `dir`: with the `rustfmt.toml` found from there
/// upwards, as `cargo fmt` would (`dir` need not exist yet).
///
/// **Errors** when rustfmt is missing or cannot parse `source`.
pub fn format(source: &str, edition: &str, dir: &Path) -> Result<String> {
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    // rustfmt looks for the configuration of its standard input from the
    // current directory.
    let cwd = dir.ancestors().find(|d| d.is_dir()).unwrap_or(dir);
    let mut child = Command::new(&rustfmt)
        .args(["--edition", edition, "--emit", "stdout"])
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => anyhow!(
                "rustfmt is not installed (`rustup component add rustfmt`): stubs are formatted as `cargo fmt` would"
            ),
            _ => anyhow!("cannot run {}: {e}", rustfmt.to_string_lossy()),
        })?;
    // rustfmt reads all of its input before it writes, so this cannot block.
    let written = child.stdin.take().map(|mut stdin| stdin.write_all(source.as_bytes()));
    let output = child.wait_with_output().context("rustfmt did not finish")?;
    if !output.status.success() {
        bail!("rustfmt could not format the stub:\n{}", String::from_utf8_lossy(&output.stderr).trim_end());
    }
    written.transpose().context("cannot send the stub to rustfmt")?;
    String::from_utf8(output.stdout).context("rustfmt wrote something that is not UTF-8")
}
