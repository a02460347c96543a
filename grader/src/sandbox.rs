//! What keeps a runner away from the judge: the judge cannot be inspected
//! by a process of the same user, and a judge running as root starts its
//! runners as an unprivileged user.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The user and group runners drop to when the judge runs as root
/// (`nobody` on Linux).
const NOBODY: (u32, u32) = (65534, 65534);

/// Makes this process non-dumpable: a process of the same user can then
/// neither trace it nor open its `/proc/<pid>` files (its stdout among
/// them), so a runner cannot write into the judge's report.
pub fn harden() {
    // SAFETY: prctl with integer arguments only.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// The user and group to start runners as, when the judge runs as root.
pub fn unprivileged() -> Option<(u32, u32)> {
    // SAFETY: geteuid cannot fail.
    (unsafe { libc::geteuid() } == 0).then_some(NOBODY)
}

/// `program`, or a copy of it that the unprivileged user can run when the
/// judge runs as root and the program sits where that user cannot reach
/// (a home folder of mode 700, say). Copies go to `scratch`.
pub fn reachable(program: &Path, scratch: &Path) -> io::Result<PathBuf> {
    if unprivileged().is_none() || others_can_run(program) {
        return Ok(program.to_path_buf());
    }
    std::fs::create_dir_all(scratch)?;
    std::fs::set_permissions(scratch, std::fs::Permissions::from_mode(0o755))?;
    let copy = scratch.join(program.file_name().unwrap_or_default());
    std::fs::copy(program, &copy)?;
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))?;
    Ok(copy)
}

/// Whether every folder above `program` can be searched, and the program
/// run, by a user who owns none of them.
fn others_can_run(program: &Path) -> bool {
    let mode = |p: &Path| std::fs::metadata(p).map(|m| m.mode()).unwrap_or(0);
    mode(program) & 0o005 == 0o005
        && program.ancestors().skip(1).all(|dir| mode(dir) & 0o001 != 0 || dir.as_os_str().is_empty())
}
