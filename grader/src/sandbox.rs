//! What keeps a runner away from the judge: the judge cannot be inspected
//! by a process of the same user, a runner may change no file and signal
//! no process but its own (where the kernel has Landlock), and a judge
//! running as root starts its runners as an unprivileged user.

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

/// A Landlock ruleset that forbids whoever applies it, and every process
/// it starts, to create, write, truncate, rename or delete any file,
/// anywhere, and to send a signal to any process outside it (the judge, or
/// the judge of another submission graded beside it); reading and running
/// programs stay allowed. Created by the judge and applied by each runner
/// between fork and exec ([`confine`]), so that even code a submission runs
/// before `main` is bound by it. Best effort: a kernel without Landlock
/// (before Linux 5.13, or not enabled) enforces nothing, and one before
/// Linux 6.12 only the part on files.
#[cfg(target_os = "linux")]
pub type Confinement = Option<landlock::RulesetCreated>;
#[cfg(not(target_os = "linux"))]
pub type Confinement = Option<()>;

/// The ruleset of [`Confinement`] (`None` where it cannot be built).
pub fn confinement() -> Confinement {
    #[cfg(target_os = "linux")]
    {
        use landlock::{ABI, Access, AccessFs, Ruleset, RulesetAttr, Scope};
        let rules = Ruleset::default().handle_access(AccessFs::from_write(ABI::V3)).ok()?;
        rules.scope(Scope::from_all(ABI::V6)).ok()?.create().ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Applies `rules` to the calling process, once. Meant for the child
/// between fork and exec: it only makes system calls (`prctl` and
/// `landlock_restrict_self`) and allocates nothing.
pub fn confine(rules: &mut Confinement) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if let Some(rules) = rules.take() {
        rules.restrict_self().map_err(|_| io::Error::last_os_error())?;
    }
    #[cfg(not(target_os = "linux"))]
    let _ = rules;
    Ok(())
}

/// Whether this kernel enforces the part of [`Confinement`] on files.
pub fn files_are_confined() -> bool {
    #[cfg(target_os = "linux")]
    {
        use landlock::{ABI, AccessFs, CompatLevel, Compatible, Ruleset, RulesetAttr};
        let strict = Ruleset::default().set_compatibility(CompatLevel::HardRequirement);
        strict.handle_access(AccessFs::from_write(ABI::V1)).and_then(|r| r.create()).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// Whether this kernel enforces the part of [`Confinement`] on signals.
pub fn signals_are_confined() -> bool {
    #[cfg(target_os = "linux")]
    {
        use landlock::{CompatLevel, Compatible, Ruleset, RulesetAttr, Scope};
        let strict = Ruleset::default().set_compatibility(CompatLevel::HardRequirement);
        strict.scope(Scope::Signal).and_then(|r| r.create()).is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    false
}
