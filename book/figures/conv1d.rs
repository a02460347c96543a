//! The figures of the `conv1d` chapter, drawn on its worked example: input
//! (0, 1, 2, 3), kernel (1, 2, 3), output (8, 14, 8, 3).
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{ACCENT, FAINT, Font, Kind, MUTED, Svg};

/// The input of the worked example.
const INPUT: [i32; 4] = [0, 1, 2, 3];
/// Its kernel.
const KERNEL: [i32; 3] = [1, 2, 3];
/// The output, worked out by hand in the chapter.
const OUTPUT: [i32; 4] = [8, 14, 8, 3];
/// The unfolded input, also worked out by hand: row k, column t holds the
/// input the kernel's entry k meets at output t; `None` is a zero past the
/// right edge.
const COLUMNS: [[Option<i32>; 4]; 3] =
    [[Some(0), Some(1), Some(2), Some(3)], [Some(1), Some(2), Some(3), None], [Some(2), Some(3), None, None]];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure { name: "conv1d-window.svg", svg: window() },
        Figure { name: "conv1d-backward.svg", svg: backward() },
        Figure { name: "conv1d-unfold.svg", svg: unfold() },
    ]
}

/// A cell's label and kind for an entry of [`COLUMNS`].
fn entry(value: Option<i32>) -> (String, Kind) {
    match value {
        Some(v) => (v.to_string(), Kind::Input),
        None => ("0".to_string(), Kind::Zero),
    }
}

/// The kernel at each of the four positions over the input and its two
/// zeros, with the sum each position gives.
fn window() -> String {
    let mut svg = Svg::new(
        700.0,
        570.0,
        "The kernel sliding over the input",
        "Four rows, one per output position t = 0, 1, 2, 3. Each row shows the input 0, 1, 2, 3 followed by two \
         zeros past its right edge, drawn dashed. Under it the kernel 1, 2, 3 sits at positions t, t + 1 and t + 2, \
         and an outline marks the window it covers. For t = 0 the window holds 0, 1, 2 and the sum is \
         0·1 + 1·2 + 2·3 = 8; for t = 1 it holds 1, 2, 3 and gives 1·1 + 2·2 + 3·3 = 14; for t = 2 it holds \
         2, 3 and one zero and gives 2·1 + 3·2 + 0·3 = 8; for t = 3 it holds 3 and two zeros and gives \
         3·1 + 0·2 + 0·3 = 3. The bottom row collects the output 8, 14, 8, 3, as wide as the input.",
    );
    let (x0, w, h) = (130.0, 50.0, 36.0);
    let small = Font::BODY.size(13.0).colour(FAINT);

    svg.comment("Column headings: the input positions and the zeros past the edge.");
    for s in 0..INPUT.len() {
        svg.text(x0 + w * s as f64 + w / 2.0, 40.0, &format!("x[{s}]"), small);
    }
    svg.text(x0 + w * 5.0, 40.0, "past the edge", small);

    for t in 0..OUTPUT.len() {
        let y = 60.0 + 100.0 * t as f64;
        svg.comment(&format!("Output position t = {t}."));
        svg.text(20.0, y + 45.0, &format!("t = {t}"), Font::BODY.bold().colour(ACCENT).start());
        svg.text(104.0, y + 24.0, "x", Font::BODY.italic().colour(MUTED).end());
        svg.text(104.0, y + 68.0, "w", Font::BODY.italic().colour(MUTED).end());
        for (s, value) in INPUT.iter().enumerate() {
            svg.cell(x0 + w * s as f64, y, w, h, Kind::Input, &value.to_string());
        }
        for s in INPUT.len()..INPUT.len() + KERNEL.len() - 1 {
            svg.cell(x0 + w * s as f64, y, w, h, Kind::Zero, "0");
        }
        for (k, value) in KERNEL.iter().enumerate() {
            svg.cell(x0 + w * (t + k) as f64, y + 44.0, w, h, Kind::Kernel, &value.to_string());
        }
        svg.outline(x0 + w * t as f64 - 4.0, y - 5.0, w * KERNEL.len() as f64 + 8.0, 44.0 + h + 10.0);
        let terms: Vec<String> =
            COLUMNS.iter().zip(KERNEL).map(|(row, weight)| format!("{}·{weight}", row[t].unwrap_or(0))).collect();
        svg.text(455.0, y + 45.0, &format!("{} =", terms.join(" + ")), Font::BODY.start());
        svg.cell(625.0, y + 22.0, w, h, Kind::Output, &OUTPUT[t].to_string());
    }

    svg.comment("The whole output, under the input positions it belongs to.");
    svg.text(20.0, 496.0, "output", Font::BODY.bold().start());
    for (t, value) in OUTPUT.iter().enumerate() {
        svg.cell(x0 + w * t as f64, 470.0, w, h, Kind::Output, &value.to_string());
    }
    svg.text(x0 + w * 4.0 + 12.0, 493.0, "as wide as the input", Font::BODY.size(13.0).colour(MUTED).start());

    svg.legend(
        20.0,
        548.0,
        &[
            (Kind::Input, "input"),
            (Kind::Zero, "zero past the edge"),
            (Kind::Kernel, "kernel"),
            (Kind::Output, "output"),
        ],
    );
    svg.finish(super::ORIGIN)
}

/// Which outputs read x[2], and how its gradient gathers them back with the
/// kernel reversed.
fn backward() -> String {
    let mut svg = Svg::new(
        700.0,
        570.0,
        "The backward pass of conv1d: the kernel reversed",
        "Top, the forward pass: a row of outputs out[0] to out[3] above a row of inputs x[0] to x[3]. Arrows leave \
         x[2] for the three outputs that read it: out[0] through the weight w[2], out[1] through w[1] and out[2] \
         through w[0]. Bottom, the backward pass: the upstream gradient g[0] to g[3], preceded by two zeros before \
         its left edge, drawn dashed. Under g[0], g[1], g[2] sits the kernel in reverse order, w[2], w[1], w[0], \
         in a window that ends at position 2, giving grad_x[2] = w[2]·g[0] + w[1]·g[1] + w[0]·g[2]. For every s, \
         the window of grad_x[s] ends at s, and positions before 0 read as zero.",
    );
    let (x0, w, h) = (290.0, 80.0, 40.0);
    let label = Font::BODY.size(15.0);
    let heading = Font::BODY.size(15.0).bold().start();
    let row_name = Font::BODY.italic().colour(MUTED).end();

    svg.comment("Forward: the outputs that read x[2].");
    svg.text(20.0, 30.0, "forward: the outputs that read x[2]", heading);
    svg.text(x0 - 12.0, 76.0, "out", row_name);
    svg.text(x0 - 12.0, 246.0, "x", row_name);
    for t in 0..4 {
        let x = x0 + w * t as f64;
        svg.cell_font(x, 50.0, w, h, Kind::Output, &format!("out[{t}]"), label);
        svg.cell_font(x, 220.0, w, h, Kind::Input, &format!("x[{t}]"), label);
    }
    svg.outline(x0 + 2.0 * w - 3.0, 217.0, w + 6.0, h + 6.0);
    let from = (x0 + 2.5 * w, 217.0);
    for t in 0..3 {
        let to = (x0 + w * t as f64 + w / 2.0, 93.0);
        svg.arrow(from, to);
        // The weight sits on the arrow, three quarters of the way up.
        let (cx, cy) = (from.0 + 0.75 * (to.0 - from.0), from.1 + 0.75 * (to.1 - from.1));
        svg.cell_font(cx - 20.0, cy - 11.0, 40.0, 22.0, Kind::Kernel, &format!("w[{}]", 2 - t), Font::BODY.size(13.0));
    }
    svg.text(
        x0 + 2.0 * w,
        292.0,
        "out[t] reads x[2] through the weight w[2 − t], for t = 0, 1, 2",
        Font::BODY.size(13.0).colour(MUTED),
    );

    svg.comment("Backward: grad_x[2] from the window of g that ends at position 2.");
    svg.text(20.0, 330.0, "backward: grad_x[2] gathers the gradients of those outputs", heading);
    svg.text(x0 - 2.0 * w - 12.0, 382.0, "g", row_name);
    svg.text(x0 - 2.0 * w - 12.0, 428.0, "w", row_name);
    svg.text(x0 - w, 350.0, "before the left edge", Font::BODY.size(12.0).colour(FAINT));
    for s in 1..=2 {
        svg.cell(x0 - w * s as f64, 356.0, w, h, Kind::Zero, "0");
    }
    for t in 0..4 {
        svg.cell_font(x0 + w * t as f64, 356.0, w, h, Kind::Output, &format!("g[{t}]"), label);
    }
    for j in 0..3 {
        svg.cell_font(x0 + w * j as f64, 402.0, w, h, Kind::Kernel, &format!("w[{}]", 2 - j), label);
    }
    svg.outline(x0 - 4.0, 351.0, 3.0 * w + 8.0, 2.0 * h + 16.0);
    svg.text(x0 + 1.5 * w, 480.0, "grad_x[2] = w[2]·g[0] + w[1]·g[1] + w[0]·g[2]", Font::BODY);
    svg.text(
        x0 + 1.5 * w,
        506.0,
        "the window of grad_x[s] ends at s; the kernel is read backwards; before 0, g is zero",
        Font::BODY.size(13.0).colour(MUTED),
    );

    svg.legend(
        20.0,
        550.0,
        &[
            (Kind::Input, "input-shaped"),
            (Kind::Output, "output-shaped"),
            (Kind::Kernel, "kernel"),
            (Kind::Zero, "zero past the edge"),
        ],
    );
    svg.finish(super::ORIGIN)
}

/// The windows unfolded into the columns of a matrix, and the convolution
/// as one product with the kernel as a row.
fn unfold() -> String {
    let mut svg = Svg::new(
        660.0,
        370.0,
        "The convolution as one matrix product",
        "At the top, the input 0, 1, 2, 3 followed by two zeros past the right edge; an outline marks the window \
         1, 2, 3 of output position 1, and an arrow carries it down to become column 1 of a matrix. The matrix \
         has 3 rows, one per kernel entry, and 4 columns, one per output position: row k, column t holds x[t + k]. \
         Its columns are (0, 1, 2), (1, 2, 3), (2, 3, 0) and (3, 0, 0), the zeros coming from past the edge. On \
         the left, the weight as a row, 1, 2, 3, multiplies the matrix; on the right, the product is the output \
         row 8, 14, 8, 3. Column 1 and its output 14 are outlined. Below, the shapes: weight 1 × 3, columns 3 × 4, \
         output 1 × 4.",
    );
    let (xm, ym, w, h) = (230.0, 150.0, 44.0, 36.0);
    let faint = Font::BODY.size(12.0).colour(FAINT);

    svg.comment("The input and the window of output position 1.");
    svg.text(xm - 14.0, 64.0, "x", Font::BODY.italic().colour(MUTED).end());
    for (s, value) in INPUT.iter().enumerate() {
        svg.cell(xm + w * s as f64, 40.0, w, h, Kind::Input, &value.to_string());
    }
    for s in INPUT.len()..INPUT.len() + KERNEL.len() - 1 {
        svg.cell(xm + w * s as f64, 40.0, w, h, Kind::Zero, "0");
    }
    svg.text(xm + w * 5.0, 94.0, "zeros past the edge", faint);
    svg.outline(xm + w - 3.0, 37.0, 3.0 * w + 6.0, h + 6.0);
    svg.arrow((xm + 2.5 * w, 82.0), (xm + 1.5 * w, ym - 6.0));

    svg.comment("The weight as a row.");
    let mid = ym + h;
    for (k, value) in KERNEL.iter().enumerate() {
        svg.text(40.0 + w * k as f64 + w / 2.0, mid - 6.0, &format!("w[{k}]"), faint);
        svg.cell(40.0 + w * k as f64, mid, w, h, Kind::Kernel, &value.to_string());
    }
    svg.text(201.0, mid + 24.0, "·", Font::BODY.size(24.0).bold());

    svg.comment("The unfolded input: one column per output position.");
    for (k, row) in COLUMNS.iter().enumerate() {
        for (t, value) in row.iter().enumerate() {
            let (label, kind) = entry(*value);
            svg.cell(xm + w * t as f64, ym + h * k as f64, w, h, kind, &label);
        }
    }
    for t in 0..OUTPUT.len() {
        svg.text(xm + w * t as f64 + w / 2.0, ym + 3.0 * h + 18.0, &format!("t = {t}"), faint);
    }
    svg.outline(xm + w - 3.0, ym - 3.0, w + 6.0, 3.0 * h + 6.0);

    svg.comment("The product: the output row.");
    svg.text(425.0, mid + 24.0, "=", Font::BODY.size(22.0).bold());
    for (t, value) in OUTPUT.iter().enumerate() {
        svg.cell(445.0 + w * t as f64, mid, w, h, Kind::Output, &value.to_string());
    }
    svg.outline(445.0 + w - 3.0, mid - 3.0, w + 6.0, h + 6.0);

    let dims = Font::BODY.size(13.0).colour(MUTED);
    svg.text(106.0, 300.0, "weight: Cout × Cin·K = 1 × 3", dims);
    svg.text(xm + 2.0 * w, 300.0, "columns: Cin·K × W = 3 × 4", dims);
    svg.text(445.0 + 2.0 * w, 300.0, "output: Cout × W = 1 × 4", dims);
    svg.text(xm + 2.0 * w, 324.0, "row k, column t holds x[t + k]", dims);

    svg.legend(
        20.0,
        356.0,
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

    /// The tables drawn agree with each other: the weight row times the
    /// unfolded matrix is the output row.
    #[test]
    fn weight_times_columns_is_the_output() {
        for (t, expected) in OUTPUT.iter().enumerate() {
            let product: i32 = COLUMNS.iter().zip(KERNEL).map(|(row, w)| w * row[t].unwrap_or(0)).sum();
            assert_eq!(product, *expected, "column {t}");
        }
    }

    /// Column 0 of the unfolded matrix is the start of the input.
    #[test]
    fn first_column_is_the_first_window() {
        let first: Vec<i32> = COLUMNS.iter().map(|row| row[0].unwrap_or(0)).collect();
        assert_eq!(first, INPUT[..KERNEL.len()]);
    }
}
