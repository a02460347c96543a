//! Where in the notes each task is taught: the section of the built book
//! (`cargo book` writes it to `target/book/`), which reports link to. The
//! book's tests check that every link here names a real section.

/// `(module, task)` and the page and section that teach it.
const SECTIONS: &[(&str, &str, &str)] = &[
    ("tensor", "contiguous_strides", "tensor.html#row-major-strides"),
    ("tensor", "index_to_position", "tensor.html#from-an-index-to-a-position-and-back"),
    ("tensor", "to_index", "tensor.html#from-an-index-to-a-position-and-back"),
    ("tensor", "is_contiguous", "tensor.html#contiguity"),
    ("tensor", "permute", "tensor.html#permute-reorder-the-axes"),
    ("tensor", "view", "tensor.html#view-another-shape-over-the-same-storage"),
    ("tensor", "contiguous", "tensor.html#contiguous-a-row-major-copy"),
    ("tensor", "get", "tensor.html#get-read-one-element"),
    ("tensor", "shape_broadcast", "tensor.html#broadcasting"),
    ("tensor", "broadcast_index", "tensor.html#broadcasting"),
    ("conv1d", "conv1d_forward", "conv1d.html#conventions"),
    ("conv1d", "conv1d_backward", "conv1d.html#the-backward-pass"),
    ("conv2d", "conv2d_forward", "conv2d.html#conventions"),
    ("conv2d", "conv2d_backward", "conv2d.html#the-backward-pass"),
    ("pooling", "tile", "pooling.html#tiling-windows-from-views"),
    ("pooling", "avgpool2d", "pooling.html#average-and-max"),
    ("pooling", "avgpool2d_backward", "pooling.html#the-backward-pass"),
    ("activations", "relu", "activations.html#relu"),
    ("activations", "relu_backward", "activations.html#the-backward-pass"),
    ("activations", "step", "activations.html#the-step-a-hard-decision"),
    ("activations", "sigmoid", "activations.html#computing-the-sigmoid-without-overflow"),
    ("activations", "sigmoid_backward", "activations.html#its-derivative"),
    ("softmax", "max", "softmax.html#max"),
    ("softmax", "max_backward", "softmax.html#the-backward-pass-the-winner-takes-the-gradient"),
    ("softmax", "argmax", "softmax.html#argmax"),
    ("softmax", "softmax", "softmax.html#computing-softmax-without-overflow"),
    ("softmax", "softmax_backward", "softmax.html#softmax"),
    ("softmax", "logsoftmax", "softmax.html#the-soft-maximum-log-sum-exp"),
    ("softmax", "logsoftmax_backward", "softmax.html#logsoftmax"),
    ("softmax", "maxpool2d", "softmax.html#max-pooling"),
    ("softmax", "maxpool2d_backward", "softmax.html#max-pooling"),
    ("softmax", "dropout", "softmax.html#dropout"),
    ("softmax", "dropout_backward", "softmax.html#its-backward-pass-uses-the-same-mask"),
    ("attention", "gate", "attention.html#a-gate-a-learned-choice-between-two-computations"),
    ("attention", "gate_backward", "attention.html#the-gradient-follows-the-gate"),
    ("attention", "softmax_gate", "attention.html#from-two-candidates-to-many-softmax-gating"),
    ("attention", "softmax_gate_backward", "attention.html#its-backward-pass"),
    ("attention", "attention", "attention.html#attention-scores-from-queries-and-keys"),
    ("attention", "attention_backward", "attention.html#the-backward-pass"),
    ("network", "linear", "network.html#a-linear-layer"),
    ("network", "linear_backward", "network.html#the-gradients-of-a-linear-layer"),
    ("network", "cross_entropy", "network.html#cross-entropy-from-logsoftmax"),
    ("network", "cross_entropy_backward", "network.html#its-gradient-softmax-minus-one-hot"),
    ("network", "small_network", "network.html#composing-layers"),
];

/// Where the built book is, relative to the workspace.
pub const BOOK: &str = "target/book";

/// The page and section of the built book that teaches `module`'s task
/// `name`, such as `target/book/tensor.html#permute-reorder-the-axes`; the
/// module's page for a task not in the table.
pub fn page(module: &str, name: &str) -> String {
    match SECTIONS.iter().find(|(m, n, _)| *m == module && *n == name) {
        Some((_, _, section)) => format!("{BOOK}/{section}"),
        None => format!("{BOOK}/{module}.html"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_has_a_section_of_its_own_chapter() {
        for task in crate::tasks() {
            let (_, _, section) = SECTIONS
                .iter()
                .find(|(m, n, _)| *m == task.module && *n == task.name)
                .unwrap_or_else(|| panic!("{}/{} has no section in SECTIONS", task.module, task.name));
            assert!(section.starts_with(&format!("{}.html#", task.module)), "{section}");
        }
        assert_eq!(SECTIONS.len(), crate::tasks().len(), "a row of SECTIONS names no task");
    }
}
