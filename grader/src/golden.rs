//! Golden files: reference inputs and outputs computed by an established
//! library (numpy for the tensor module, JAX for the convolutions) with the
//! scripts kept beside them in `grader/golden/`. They are compiled into the
//! grader.

use std::collections::BTreeMap;
use std::io::Cursor;

use ndarray::{ArrayD, ArrayViewD};
use ndarray_npy::NpzReader;
use serde::de::DeserializeOwned;

use crate::Checker;
use crate::check::Outcome;
use crate::strided::{Layout, Strided};

/// A golden file's path in the repository and its contents.
pub type File<T> = (&'static str, &'static T);

/// `grader/golden/tensor.json`, written by `grader/golden/tensor.py`.
pub const TENSOR: File<str> = ("grader/golden/tensor.json", include_str!("../golden/tensor.json"));

/// `grader/golden/conv1d.npz`, written by `grader/golden/conv.py`.
pub const CONV1D: File<[u8]> = ("grader/golden/conv1d.npz", include_bytes!("../golden/conv1d.npz"));

/// `grader/golden/conv2d.npz`, written by `grader/golden/conv.py`.
pub const CONV2D: File<[u8]> = ("grader/golden/conv2d.npz", include_bytes!("../golden/conv2d.npz"));

/// `grader/golden/pooling.npz`, written by `grader/golden/pooling.py`.
pub const POOLING: File<[u8]> = ("grader/golden/pooling.npz", include_bytes!("../golden/pooling.npz"));

/// `grader/golden/activations.npz`, written by `grader/golden/activations.py`.
pub const ACTIVATIONS: File<[u8]> = ("grader/golden/activations.npz", include_bytes!("../golden/activations.npz"));

/// Parses a JSON golden file.
///
/// **Panics** when the file does not match `T`: a defect of the grader,
/// which the grader's own tests catch, reported as a failed check.
pub fn parse<T: DeserializeOwned>((path, text): File<str>) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("golden file {path} does not parse: {e}"))
}

/// The cases of an `.npz` golden file: arrays named `<case>_<field>`
/// grouped by case, in the order of their names.
///
/// **Panics** when the file cannot be read, as [`parse`] does.
pub fn npz_cases((path, bytes): File<[u8]>) -> BTreeMap<String, BTreeMap<String, ArrayD<f64>>> {
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("golden file {path} does not read: {e}") };
    let mut npz = NpzReader::new(Cursor::new(bytes)).unwrap_or_else(|e| fail(&e));
    let mut cases: BTreeMap<String, BTreeMap<String, ArrayD<f64>>> = BTreeMap::new();
    for name in npz.names().unwrap_or_else(|e| fail(&e)) {
        let array: ArrayD<f64> = npz.by_name(&name).unwrap_or_else(|e| fail(&e));
        let stem = name.strip_suffix(".npy").unwrap_or(&name);
        let Some((case, field)) = stem.split_once('_') else { fail(&format!("array {name} is not <case>_<field>")) };
        cases.entry(case.to_string()).or_default().insert(field.to_string(), array);
    }
    cases
}

/// `grader/golden/softmax.npz`, written by `grader/golden/softmax.py`.
pub const SOFTMAX: File<[u8]> = ("grader/golden/softmax.npz", include_bytes!("../golden/softmax.npz"));

/// `grader/golden/attention.npz`, written by `grader/golden/attention.py`.
pub const ATTENTION: File<[u8]> = ("grader/golden/attention.npz", include_bytes!("../golden/attention.npz"));

/// One case of an `.npz` golden file: its arrays by field name.
pub struct Case {
    pub name: String,
    path: &'static str,
    fields: BTreeMap<String, ArrayD<f64>>,
}

/// The cases of an `.npz` golden file whose names start with `group`.
///
/// **Panics** when the file cannot be read, as [`npz_cases`] does.
pub fn group(file: File<[u8]>, group: &str) -> Vec<Case> {
    npz_cases(file)
        .into_iter()
        .filter(|(name, _)| name.starts_with(group))
        .map(|(name, fields)| Case { name, path: file.0, fields })
        .collect()
}

impl Case {
    /// The array `field`, such as `x` or `grad_out`.
    ///
    /// **Panics** when the case has no such array, a defect of the grader.
    pub fn get(&self, field: &str) -> &ArrayD<f64> {
        self.fields.get(field).unwrap_or_else(|| panic!("golden file {}: {} has no {field}", self.path, self.name))
    }

    /// The first number of the array `field`: a stored axis, flag or size.
    pub fn number(&self, field: &str) -> f64 {
        self.get(field).iter().next().copied().unwrap_or(f64::NAN)
    }
}

/// The two golden checks of a function: `run` on the operands of every
/// golden case as stored, then on permuted, sliced and reversed views of
/// them. `run` gets the case, its operands (views, in the order `operands`
/// gives them) and a description of their layout to put in a message
/// (empty for the stored arrays).
///
/// The cases are loaded inside the checks, so a golden file that does not
/// read fails a check instead of stopping the grader.
pub fn checks<C>(
    c: &mut Checker,
    reference: &str,
    cases: impl Fn() -> Vec<C>,
    operands: impl Fn(&C) -> Vec<&ArrayD<f64>>,
    run: impl Fn(&C, &[ArrayViewD<f64>], &str) -> Outcome,
) {
    // Cases with an empty operand are edges: a function wrong only there
    // keeps most of its points.
    let empty = |case: &C| operands(case).iter().any(|a| a.is_empty());
    c.check(&format!("golden: computed by {reference}"), || {
        cases().iter().filter(|case| !empty(case)).try_for_each(|case| {
            let views: Vec<ArrayViewD<f64>> = operands(case).into_iter().map(|a| a.view()).collect();
            run(case, &views, "")
        })
    });
    let has_empty =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cases().iter().any(empty))).unwrap_or(false);
    if has_empty {
        c.check(&format!("edge: golden cases with empty arrays, computed by {reference}"), || {
            cases().iter().filter(|case| empty(case)).try_for_each(|case| {
                let views: Vec<ArrayViewD<f64>> = operands(case).into_iter().map(|a| a.view()).collect();
                run(case, &views, "")
            })
        });
    }
    c.check("golden, on permuted, sliced and reversed views", || {
        cases().iter().filter(|case| !empty(case)).try_for_each(|case| {
            Layout::ALL.iter().try_for_each(|&layout| {
                let strided: Vec<Strided> = operands(case).into_iter().map(|a| Strided::new(a, layout)).collect();
                let views: Vec<ArrayViewD<f64>> = strided.iter().map(Strided::view).collect();
                run(case, &views, &format!(", as a {}", layout.describe()))
            })
        })
    });
}
