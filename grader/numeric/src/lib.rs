//! Numbers the grader and the students' `support` crate share.
//!
//! It lives beside the grader, outside `modules/`, because the grader
//! decides verdicts with it: a student's edits to `modules/` never change
//! how their results are compared. `support` re-exports all of it, so
//! students call it as `support::gradcheck`, `support::random` and
//! `support::fmt_shape`.
//!
//! - [`gradcheck`]: tolerances, element-wise comparison and central
//!   differences.
//! - [`random`]: seeded random arrays and noise.
//! - [`fmt_shape`]: how the course prints a shape, strides or an index.
//! - [`fmt_value`] and [`fmt_digits`]: how the course prints a number.

pub mod gradcheck;
pub mod random;

/// Writes a shape (or strides, or an index) the way the course prints them:
/// `(4, 2)`, `(5,)` for one axis, `()` for none.
///
/// ```
/// assert_eq!(numeric::fmt_shape(&[4, 2]), "(4, 2)");
/// assert_eq!(numeric::fmt_shape(&[5]), "(5,)");
/// assert_eq!(numeric::fmt_shape(&[]), "()");
/// ```
pub fn fmt_shape(dims: &[usize]) -> String {
    match dims {
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// Writes a number the way the course prints one: the shortest digits that
/// read back as `v` (`0.1`, `2`, `-0.7499999998827889`), in scientific
/// notation below `1e-4` and from `1e16` on (`1e-7`, `-1e300`), and `NaN`,
/// `inf`, `-inf`.
///
/// ```
/// assert_eq!(numeric::fmt_value(2.0), "2");
/// assert_eq!(numeric::fmt_value(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(numeric::fmt_value(-1e300), "-1e300");
/// assert_eq!(numeric::fmt_value(1.5e-7), "1.5e-7");
/// assert_eq!(numeric::fmt_value(f64::NAN), "NaN");
/// assert_eq!(numeric::fmt_value(f64::NEG_INFINITY), "-inf");
/// ```
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if scientific(v) { format!("{v:e}") } else { format!("{v}") }
}

/// [`fmt_value`] rounded to at most `digits` significant digits, trailing
/// zeros dropped: how an array's elements print side by side.
///
/// ```
/// assert_eq!(numeric::fmt_digits(2.0 / 3.0, 4), "0.6667");
/// assert_eq!(numeric::fmt_digits(0.5, 4), "0.5");
/// assert_eq!(numeric::fmt_digits(9.99996, 4), "10");
/// assert_eq!(numeric::fmt_digits(-123456.0, 4), "-123500");
/// assert_eq!(numeric::fmt_digits(1.0 / 3.0 * 1e-6, 4), "3.333e-7");
/// assert_eq!(numeric::fmt_digits(0.1, 17), "0.1");
/// ```
pub fn fmt_digits(v: f64, digits: usize) -> String {
    let digits = digits.max(1);
    if !v.is_finite() || significant_digits(v) <= digits {
        return fmt_value(v);
    }
    // Rounding may carry into a new leading digit (9.99996 -> 1.000e1):
    // read the exponent back from the rounded number.
    let rounded = format!("{:.*e}", digits - 1, v);
    let (mantissa, exponent) = rounded.split_once('e').expect("a float in scientific notation has an exponent");
    let exponent: i32 = exponent.parse().expect("an integer exponent");
    let mantissa = trim_zeros(mantissa);
    if scientific(10f64.powi(exponent)) {
        return format!("{mantissa}e{exponent}");
    }
    // Move the point of `d.ddd` by `exponent` places.
    let (sign, unsigned) = mantissa.split_at(usize::from(v < 0.0));
    let figures: String = unsigned.chars().filter(char::is_ascii_digit).collect();
    let fixed = if exponent < 0 {
        format!("0.{}{figures}", "0".repeat((-exponent - 1) as usize))
    } else {
        let point = exponent as usize + 1;
        if figures.len() <= point {
            format!("{figures}{}", "0".repeat(point - figures.len()))
        } else {
            format!("{}.{}", &figures[..point], &figures[point..])
        }
    };
    format!("{sign}{fixed}")
}

/// Whether [`fmt_value`] writes a finite, nonzero `v` with an exponent.
fn scientific(v: f64) -> bool {
    v != 0.0 && !(1e-4..1e16).contains(&v.abs())
}

/// How many significant digits the shortest exact form of `v` has.
fn significant_digits(v: f64) -> usize {
    let shortest = format!("{:e}", v.abs());
    let mantissa = shortest.split('e').next().unwrap_or_default();
    mantissa.chars().filter(char::is_ascii_digit).count()
}

/// `1.2500` -> `1.25`, `2.000` -> `2`; a number without a point is kept.
fn trim_zeros(text: &str) -> &str {
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_shortest_and_compact() {
        assert_eq!(fmt_value(0.0), "0");
        assert_eq!(fmt_value(-0.0), "-0");
        assert_eq!(fmt_value(1e-4), "0.0001");
        assert_eq!(fmt_value(9.5e-5), "9.5e-5");
        assert_eq!(fmt_value(1e16), "1e16");
        assert_eq!(fmt_value(123456789.0), "123456789");
        assert_eq!(fmt_value(f64::INFINITY), "inf");
    }

    #[test]
    fn digits_round_and_trim() {
        assert_eq!(fmt_digits(0.7499999998827889, 4), "0.75");
        assert_eq!(fmt_digits(0.7499999998827889, 10), "0.7499999999");
        assert_eq!(fmt_digits(-2.5, 4), "-2.5");
        assert_eq!(fmt_digits(1.0 + 2e-9, 4), "1");
        assert_eq!(fmt_digits(1.0 + 2e-9, 10), "1.000000002");
        assert_eq!(fmt_digits(0.000123456, 3), "0.000123");
        assert_eq!(fmt_digits(0.0000123456, 3), "1.23e-5");
        assert_eq!(fmt_digits(9.99996e-5, 4), "0.0001");
        assert_eq!(fmt_digits(1.23456e20, 3), "1.23e20");
        assert_eq!(fmt_digits(f64::NAN, 4), "NaN");
        for v in [0.1, 1.0 / 3.0, -7.25e-9, 6.02e23, 0.30000000000000004] {
            assert_eq!(fmt_digits(v, 17), fmt_value(v), "{v}");
            assert_eq!(fmt_value(v).parse::<f64>().unwrap(), v, "{v}");
        }
    }
}
