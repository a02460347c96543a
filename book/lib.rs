//! The crate behind the course notes. It builds the book ([`site`], run by
//! `cargo book` and the tests) and holds the code that draws the book's
//! generated figures ([`figures`], written out by
//! `cargo run -p book --bin figures`), so that cargo also compiles the
//! book's example programs (`examples/`) and runs the tests that build the
//! book and compare the figures with their code.

pub mod figures;
pub mod site;
