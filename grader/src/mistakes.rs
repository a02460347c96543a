//! Recognising a mistake from a mismatch: when the values a function
//! returned are the expected ones transformed in a telltale way (scaled,
//! shifted, reversed, transposed, rounded through f32, NaN), the report says
//! what it looks like.

use ndarray::{ArrayViewD, Axis, Slice};
use numeric::fmt_value;
use numeric::gradcheck::{Tolerance, close};

/// How close a transformed array must come to count as a match.
const MATCH: Tolerance = Tolerance { step: 0.0, abs: 1e-9, rel: 1e-9 };

/// "this looks like ...", or `None` when no known pattern fits. Both arrays
/// have one shape.
pub fn diagnose(expected: &ArrayViewD<f64>, actual: &ArrayViewD<f64>) -> Option<String> {
    if expected.shape() != actual.shape() || expected.is_empty() {
        return None;
    }
    let all = |f: &dyn Fn(f64, f64) -> bool| expected.iter().zip(actual.iter()).all(|(&e, &a)| f(e, a));
    if actual.iter().any(|v| v.is_nan()) && expected.iter().all(|v| v.is_finite()) {
        return Some(
            "NaN where every expected value is finite: an overflow (exp of a large number, inf - inf) or 0 * inf"
                .to_string(),
        );
    }
    if actual.iter().all(|&v| v == 0.0) {
        return Some("all zeros: was the result never written (an output of zeros returned as it was)?".to_string());
    }
    let f32_rounded = |v: f64| f64::from(v as f32) == v;
    if all(&|e, a| f32_rounded(a) && close(e, a, Tolerance { step: 0.0, abs: 1e-30, rel: 1e-6 }))
        && !all(&|e, _| f32_rounded(e))
    {
        return Some("every value is the expected one rounded to f32: was something computed in f32?".to_string());
    }
    if let Some(factor) = constant(expected, actual, |e, a| (e != 0.0).then(|| a / e))
        && factor != 1.0
        && factor != 0.0
        && all(&|e, a| close(a, e * factor, MATCH))
    {
        return Some(format!(
            "every value is {} times the expected one: a scale factor missing or extra (1 / (1 - rate), 1 / sqrt(d), a mean for a sum)?",
            fmt_value(factor)
        ));
    }
    if let Some(offset) = constant(expected, actual, |e, a| Some(a - e))
        && offset != 0.0
        && all(&|e, a| close(a, e + offset, MATCH))
    {
        return Some(format!(
            "every value is the expected one plus {}: a sum started from the wrong value?",
            fmt_value(offset)
        ));
    }
    for axis in 0..expected.ndim() {
        let n = expected.shape()[axis];
        if n < 2 {
            continue;
        }
        let mut reversed = expected.view();
        reversed.invert_axis(Axis(axis));
        if agree(&reversed, actual) {
            return Some(format!(
                "the expected values reversed along axis {axis}: a flipped kernel, or a loop that runs backwards?"
            ));
        }
        for shift in 1..n.min(9) {
            for (from, to, side) in [(0, shift, "later"), (shift, 0, "earlier")] {
                let moved = expected.slice_axis(Axis(axis), Slice::from(from..n - shift + from));
                let landed = actual.slice_axis(Axis(axis), Slice::from(to..n - shift + to));
                if agree(&moved, &landed) {
                    return Some(format!(
                        "the expected values moved {shift} {side} along axis {axis}: padding on the wrong side, a kernel anchored at its other end, or an off-by-one start?"
                    ));
                }
            }
        }
    }
    let rank = expected.ndim();
    if rank >= 2 && expected.shape()[rank - 1] == expected.shape()[rank - 2] && expected.shape()[rank - 1] > 1 {
        let transposed = expected.view().permuted_axes(swap_last(rank));
        if agree(&transposed, actual) {
            return Some("the transpose of the expected values: two axes (or strides) swapped?".to_string());
        }
    }
    None
}

/// The value `f(e, a)` takes on every element where it is defined, if one.
fn constant(expected: &ArrayViewD<f64>, actual: &ArrayViewD<f64>, f: impl Fn(f64, f64) -> Option<f64>) -> Option<f64> {
    let first = expected.iter().zip(actual.iter()).find_map(|(&e, &a)| f(e, a))?;
    first.is_finite().then_some(first)
}

/// Whether two views agree within [`MATCH`] and are not all zeros (a shift
/// or reversal of zeros proves nothing).
fn agree(a: &ArrayViewD<f64>, b: &ArrayViewD<f64>) -> bool {
    a.len() > 1
        && a.shape() == b.shape()
        && a.iter().any(|&v| v != 0.0)
        && a.iter().zip(b.iter()).all(|(&x, &y)| close(x, y, MATCH))
}

fn swap_last(rank: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rank).collect();
    order.swap(rank - 1, rank - 2);
    order
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, IxDyn};

    use super::*;

    fn v(values: &[f64]) -> ArrayD<f64> {
        ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap()
    }

    #[test]
    fn known_mistakes_are_named() {
        let e = v(&[8.0, 14.0, 9.0, 3.0]);
        let says = |a: &[f64], what: &str| {
            let hint = diagnose(&e.view(), &v(a).view()).unwrap_or_default();
            assert!(hint.contains(what), "{a:?}: {hint}");
        };
        says(&[0.0, 8.0, 14.0, 9.0], "moved 1 later");
        says(&[0.0, 8.0, 14.0, 9.0], "axis 0");
        says(&[0.0, 8.0, 14.0, 9.0], "padding");
        says(&[14.0, 9.0, 3.0, 0.0], "moved 1 earlier");
        says(&[16.0, 28.0, 18.0, 6.0], "2 times");
        says(&[9.0, 15.0, 10.0, 4.0], "plus 1");
        says(&[3.0, 9.0, 14.0, 8.0], "reversed");
        says(&[8.0, f64::NAN, 9.0, 3.0], "NaN");
        let e = v(&[0.1, 0.2, 0.3]);
        let rounded: Vec<f64> = e.iter().map(|&x| f64::from(x as f32)).collect();
        assert!(diagnose(&e.view(), &v(&rounded).view()).unwrap().contains("f32"));
        let e = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let t = ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!(diagnose(&e.view(), &t.view()).unwrap().contains("transpose"));
        let r = v(&[1.0, 2.0, 3.0, 5.0]);
        assert!(diagnose(&v(&[5.0, 3.0, 2.0, 1.0]).view(), &r.view()).unwrap().contains("reversed"));
    }

    #[test]
    fn unrelated_values_get_no_hint() {
        assert_eq!(diagnose(&v(&[1.0, 2.0, 3.0]).view(), &v(&[0.5, -7.0, 2.0]).view()), None);
        assert_eq!(diagnose(&v(&[0.0, 0.0]).view(), &v(&[0.0, 1.0]).view()), None);
        assert!(diagnose(&v(&[1.0, 2.0]).view(), &v(&[0.0, 0.0]).view()).unwrap().contains("all zeros"));
    }
}
