//! Evaluates the grader's calls to `modules/conv2d`; built on its own, so a
//! compile error elsewhere never stops this module from being graded.

fn main() {
    bindings::serve(bindings::Module::Conv2d(bindings::conv2d!(conv2d)))
}
