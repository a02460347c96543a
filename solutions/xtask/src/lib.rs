//! Instructor tasks for gradlings: generating the student stubs from the
//! reference solutions, and exporting the student handout.
//!
//! - [`stubs`]: `modules/<topic>` from `solutions/<topic>`, with the
//!   solution bodies replaced by `todo!` as the [`regions`] markers say.
//! - [`handout`]: the repository minus everything instructor-only, ready to
//!   be pushed as the students' repository.
//! - [`batch`]: a whole class graded at once, into a gradebook, one
//!   report (JSON, Gradescope `results.json`, JUnit XML) per submission and
//!   a class summary.
//! - [`gradescope`]: an autograder bundle for Gradescope, crates vendored.
//!
//! The `xtask` binary (`cargo xtask --help`) is a thin command line over
//! these modules.
//!
//! ```no_run
//! let root = xtask::workspace::root();
//! let stubs = xtask::stubs::generate(&root)?;
//! assert!(xtask::stubs::differences(&root, &stubs)?.is_empty(), "run `cargo xtask stubs`");
//! let summary = xtask::handout::export(&root, std::path::Path::new("/tmp/handout"))?;
//! println!("{summary}");
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod batch;
pub mod files;
pub mod git;
pub mod gradescope;
pub mod handout;
pub mod lockfile;
pub mod markdown;
pub mod regions;
pub mod rewrite;
pub mod rustfmt;
pub mod stub_manifest;
pub mod stubs;
pub mod workspace;
