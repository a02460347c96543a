//! The figures of the `conv2d` chapter, drawn on its worked example: the
//! 3 x 3 input [[1, 2, 0], [0, 1, 3], [2, 1, 1]] and the 2 x 2 kernel
//! [[1, 0], [2, 1]], whose output is [[2, 7, 6], [5, 4, 5], [2, 1, 1]].
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{ACCENT, FAINT, Font, Kind, MUTED, Svg};

/// The input of the worked example.
const INPUT: [[i32; 3]; 3] = [[1, 2, 0], [0, 1, 3], [2, 1, 1]];
/// Its kernel.
const KERNEL: [[i32; 2]; 2] = [[1, 0], [2, 1]];
/// The output, worked out by hand in the chapter.
const OUTPUT: [[i32; 3]; 3] = [[2, 7, 6], [5, 4, 5], [2, 1, 1]];
/// The unfolded input, also worked out by hand: one row per kernel entry
/// (a, d) in row-major order, one column per output position (i, j) in
/// row-major order, holding x[i + a, j + d]; `None` is a zero past the
/// bottom or right edge.
const COLUMNS: [[Option<i32>; 9]; 4] = [
    [Some(1), Some(2), Some(0), Some(0), Some(1), Some(3), Some(2), Some(1), Some(1)],
    [Some(2), Some(0), None, Some(1), Some(3), None, Some(1), Some(1), None],
    [Some(0), Some(1), Some(3), Some(2), Some(1), Some(1), None, None, None],
    [Some(1), Some(3), None, Some(1), Some(1), None, None, None, None],
];
/// The output positions the window figure shows.
const SHOWN: [(usize, usize); 3] = [(0, 0), (1, 2), (2, 2)];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![Figure { name: "conv2d-window.svg", svg: window() }, Figure { name: "conv2d-unfold.svg", svg: unfold() }]
}

/// The entry of the input padded with zeros below and to the right.
fn padded(i: usize, j: usize) -> Option<i32> {
    INPUT.get(i).and_then(|row| row.get(j)).copied()
}

/// A cell's label and kind for an entry that may lie past the edge.
fn entry(value: Option<i32>) -> (String, Kind) {
    match value {
        Some(v) => (v.to_string(), Kind::Input),
        None => ("0".to_string(), Kind::Zero),
    }
}

/// The 2 x 2 box at three output positions of the padded 3 x 3 input.
fn window() -> String {
    let mut svg = Svg::new(
        840.0,
        350.0,
        "The kernel box sliding over an image",
        "On the left, the 2 × 2 kernel with rows 1, 0 and 2, 1. Then three copies of the 3 × 3 input, with rows \
         1, 2, 0 and 0, 1, 3 and 2, 1, 1, each extended by a dashed row of zeros below and a dashed column of zeros \
         on the right. In each copy an outline marks the 2 × 2 box anchored at one output position. At (0, 0) the \
         box holds 1, 2, 0, 1 and the sum is 1·1 + 2·0 + 0·2 + 1·1 = 2. At (1, 2) it holds 3 and 1 and two zeros \
         from the right edge: 3·1 + 0·0 + 1·2 + 0·1 = 5. At (2, 2) it holds 1 and three zeros from the bottom and \
         right edges: 1·1 + 0·0 + 0·2 + 0·1 = 1. On the right, the whole 3 × 3 output, with rows 2, 7, 6 and \
         5, 4, 5 and 2, 1, 1; the three positions shown are outlined.",
    );
    let (y0, c) = (60.0, 36.0);
    let heading = Font::BODY.size(15.0).bold();

    svg.comment("The kernel.");
    svg.text(56.0, 40.0, "kernel", heading);
    for (a, row) in KERNEL.iter().enumerate() {
        for (d, value) in row.iter().enumerate() {
            svg.cell(20.0 + c * d as f64, y0 + c * a as f64, c, c, Kind::Kernel, &value.to_string());
        }
    }

    for (panel, &(i, j)) in SHOWN.iter().enumerate() {
        let x0 = 140.0 + 190.0 * panel as f64;
        svg.comment(&format!("The box anchored at output position ({i}, {j})."));
        svg.text(x0 + 2.0 * c, 40.0, &format!("out[{i}, {j}]"), heading.colour(ACCENT));
        for r in 0..4 {
            for s in 0..4 {
                let (label, kind) = entry(padded(r, s));
                svg.cell(x0 + c * s as f64, y0 + c * r as f64, c, c, kind, &label);
            }
        }
        svg.outline(x0 + c * j as f64 - 3.0, y0 + c * i as f64 - 3.0, 2.0 * c + 6.0, 2.0 * c + 6.0);
        let terms: Vec<String> = COLUMNS
            .iter()
            .zip(KERNEL.iter().flatten())
            .map(|(row, w)| format!("{}·{w}", row[3 * i + j].unwrap_or(0)))
            .collect();
        svg.text(x0 + 2.0 * c, 232.0, &terms.join(" + "), Font::BODY.size(14.0));
        svg.text(x0 + 2.0 * c, 256.0, &format!("= {}", OUTPUT[i][j]), Font::BODY.bold());
    }

    svg.comment("The whole output.");
    let xo = 710.0;
    svg.text(xo + 1.5 * c, 40.0, "output", heading);
    for (i, row) in OUTPUT.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            svg.cell(xo + c * j as f64, y0 + c * i as f64, c, c, Kind::Output, &value.to_string());
        }
    }
    for &(i, j) in &SHOWN {
        svg.outline(xo + c * j as f64 + 3.0, y0 + c * i as f64 + 3.0, c - 6.0, c - 6.0);
    }

    svg.text(
        420.0,
        296.0,
        "each output sums its own 2 × 2 box, anchored at its top-left corner; past the bottom and right edges, 0",
        Font::BODY.size(13.0).colour(MUTED),
    );
    svg.legend(
        20.0,
        332.0,
        &[
            (Kind::Input, "input"),
            (Kind::Zero, "zero past the edge"),
            (Kind::Kernel, "kernel"),
            (Kind::Output, "output"),
        ],
    );
    svg.finish(super::ORIGIN)
}

/// The nine windows as the columns of a 4 x 9 matrix, the kernel as a row,
/// and the product folded back into a 3 x 3 image.
fn unfold() -> String {
    let mut svg = Svg::new(
        760.0,
        420.0,
        "The 2D convolution as one matrix product",
        "On the left, the kernel flattened into a row 1, 0, 2, 1, its entries labelled by their offsets (0,0), \
         (0,1), (1,0), (1,1). It multiplies a matrix of 4 rows, one per kernel offset (a, d), and 9 columns, one \
         per output position (i, j) from (0,0) to (2,2); the entry in row (a, d) and column (i, j) is x[i + a, \
         j + d], or a dashed zero when that lies past the bottom or right edge. The columns are (1, 2, 0, 1), \
         (2, 0, 1, 3), (0, 0, 3, 0), (0, 1, 2, 1), (1, 3, 1, 1), (3, 0, 1, 0), (2, 1, 0, 0), (1, 1, 0, 0) and \
         (1, 0, 0, 0). Below the matrix, the product row 2, 7, 6, 5, 4, 5, 2, 1, 1, one number per column, and an \
         arrow to the same nine numbers reshaped into the 3 × 3 output with rows 2, 7, 6 and 5, 4, 5 and 2, 1, 1. \
         Column (0,1), the box 2, 0, 1, 3, and its output 7 are outlined. Below, the shapes: weight 1 × 4, \
         columns 4 × 9, output 1 × 9.",
    );
    let (xm, ym, c) = (220.0, 70.0, 36.0);
    let faint = Font::BODY.size(11.0).colour(FAINT);
    let offsets = ["(0,0)", "(0,1)", "(1,0)", "(1,1)"];

    svg.comment("The kernel as a row, entries in row-major order of their offsets.");
    let mid = ym + 1.5 * c;
    for (k, value) in KERNEL.iter().flatten().enumerate() {
        svg.text(20.0 + c * k as f64 + c / 2.0, mid - 6.0, offsets[k], faint);
        svg.cell(20.0 + c * k as f64, mid, c, c, Kind::Kernel, &value.to_string());
    }
    svg.text(192.0, mid + 24.0, "·", Font::BODY.size(24.0).bold());

    svg.comment("The unfolded input: 4 rows (kernel offsets), 9 columns (output positions).");
    let heading = Font::BODY.size(13.0).colour(MUTED);
    svg.text(20.0 + 2.0 * c, mid - 26.0, "kernel offsets (a, d)", heading);
    svg.text(xm + 4.5 * c, ym - 28.0, "output positions (i, j)", heading);
    for t in 0..9 {
        svg.text(xm + c * t as f64 + c / 2.0, ym - 8.0, &format!("({},{})", t / 3, t % 3), faint);
    }
    for (k, row) in COLUMNS.iter().enumerate() {
        for (t, value) in row.iter().enumerate() {
            let (label, kind) = entry(*value);
            svg.cell(xm + c * t as f64, ym + c * k as f64, c, c, kind, &label);
        }
        svg.text(
            xm + 9.0 * c + 10.0,
            ym + c * k as f64 + 23.0,
            &format!("a, d = {}", &offsets[k][1..4]),
            faint.start(),
        );
    }
    svg.outline(xm + c - 3.0, ym - 3.0, c + 6.0, 4.0 * c + 6.0);

    svg.comment("The product, one number per column, reshaped to the output image.");
    let yo = ym + 4.0 * c + 36.0;
    svg.text(192.0, yo + 24.0, "=", Font::BODY.size(22.0).bold());
    for (t, value) in OUTPUT.iter().flatten().enumerate() {
        svg.cell(xm + c * t as f64, yo, c, c, Kind::Output, &value.to_string());
    }
    svg.outline(xm + c - 3.0, yo - 3.0, c + 6.0, c + 6.0);
    svg.arrow((xm + 9.0 * c + 8.0, yo + c / 2.0), (xm + 9.0 * c + 58.0, yo + c / 2.0));
    let xg = xm + 9.0 * c + 68.0;
    svg.text(xg + 1.5 * c, yo - 28.0, "reshaped to 3 × 3", Font::BODY.size(13.0).colour(MUTED));
    for (i, row) in OUTPUT.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            svg.cell(xg + c * j as f64, yo - 18.0 + c * i as f64, c, c, Kind::Output, &value.to_string());
        }
    }
    svg.outline(xg + c - 2.0, yo - 20.0, c + 4.0, c + 4.0);

    svg.text(
        380.0,
        378.0,
        "shapes: weight 1 × 4 (Cout × Cin·KH·KW), columns 4 × 9 (Cin·KH·KW × H·W), output 1 × 9 (Cout × H·W)",
        Font::BODY.size(13.0).colour(MUTED),
    );
    svg.legend(
        20.0,
        406.0,
        &[
            (Kind::Input, "input"),
            (Kind::Zero, "zero past the edge"),
            (Kind::Kernel, "weight"),
            (Kind::Output, "output"),
        ],
    );
    svg.finish(super::ORIGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables drawn agree with each other: the kernel row times the
    /// unfolded matrix is the output, read row-major.
    #[test]
    fn kernel_times_columns_is_the_output() {
        let kernel: Vec<i32> = KERNEL.iter().flatten().copied().collect();
        for (t, expected) in OUTPUT.iter().flatten().enumerate() {
            let product: i32 = COLUMNS.iter().zip(&kernel).map(|(row, w)| w * row[t].unwrap_or(0)).sum();
            assert_eq!(product, *expected, "column {t}");
        }
    }

    /// Row (0, 0) of the unfolded matrix is the input itself, read row-major.
    #[test]
    fn first_row_is_the_input() {
        let first: Vec<i32> = COLUMNS[0].iter().map(|v| v.unwrap_or(0)).collect();
        let input: Vec<i32> = INPUT.iter().flatten().copied().collect();
        assert_eq!(first, input);
    }
}
