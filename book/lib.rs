//! Exists only so that cargo compiles the book's example programs and runs the test that builds the book.
