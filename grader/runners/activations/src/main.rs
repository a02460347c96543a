//! Evaluates the grader's calls to `modules/activations`; built on its own, so a
//! compile error elsewhere never stops this module from being graded.

fn main() {
    bindings::serve(bindings::Module::Activations(bindings::activations!(activations)))
}
