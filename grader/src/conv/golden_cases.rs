//! The cases of a convolution's golden file.

use ndarray::ArrayD;

use crate::golden;

/// One case of a golden file.
pub struct GoldenCase {
    pub name: String,
    pub input: ArrayD<f64>,
    pub weight: ArrayD<f64>,
    pub grad_out: ArrayD<f64>,
    pub output: ArrayD<f64>,
    pub grad_input: ArrayD<f64>,
    pub grad_weight: ArrayD<f64>,
}

/// Every case of `file`, in the order of their names.
pub fn golden_cases(file: golden::File<[u8]>) -> Vec<GoldenCase> {
    golden::npz_cases(file)
        .into_iter()
        .map(|(name, mut arrays)| {
            let mut take = |field: &str| {
                arrays.remove(field).unwrap_or_else(|| panic!("golden file {}: {name} has no {field}", file.0))
            };
            GoldenCase {
                input: take("input"),
                weight: take("weight"),
                grad_out: take("grad_out"),
                output: take("output"),
                grad_input: take("grad_input"),
                grad_weight: take("grad_weight"),
                name,
            }
        })
        .collect()
}
