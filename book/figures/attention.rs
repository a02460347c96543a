//! The figures of the `attention` chapter: the weights of a sigmoid gate
//! as functions of its score, and an attention weight matrix with and
//! without the causal mask.
//!
//! The gate's curves are functions of one number, sampled one `f64` at a
//! time through the tanh identity of the activations figures. The weight
//! matrices are literal tables worked out with a script from six small
//! integer queries and keys, which the tests hold. The tests check the
//! tables through the properties that pin softmax down (every row adds up
//! to 1, masked cells are 0, and the ratios within a row are the
//! exponentials of the score differences) without computing one.
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{CURVES, FAINT, Font, INK, Kind, MUTED, Plot, Stroke, Svg, sample, shade};

/// softmax over j of q_i . k_j / sqrt(4), row i for query i, to six
/// significant digits, for the queries and keys of the tests.
const WEIGHTS: [[f64; 6]; 6] = [
    [0.00788981, 0.0961175, 0.0130081, 0.430769, 0.430769, 0.0214467],
    [0.0404716, 0.0667264, 0.0245473, 0.0148887, 0.0404716, 0.812894],
    [0.47966, 0.107027, 0.0649149, 0.107027, 0.0649149, 0.176457],
    [0.058973, 0.021695, 0.435755, 0.264299, 0.160305, 0.058973],
    [0.10194, 0.0618295, 0.0227458, 0.0227458, 0.0375015, 0.753238],
    [0.0484988, 0.590837, 0.0484988, 0.0484988, 0.131833, 0.131833],
];
/// The same with the causal mask: the scores of keys j > i set to minus
/// infinity before the softmax, so those weights are exactly 0.
const CAUSAL_WEIGHTS: [[f64; 6]; 6] = [
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.377541, 0.622459, 0.0, 0.0, 0.0, 0.0],
    [0.736125, 0.164252, 0.0996236, 0.0, 0.0, 0.0],
    [0.0755365, 0.0277883, 0.558144, 0.338531, 0.0, 0.0],
    [0.413109, 0.250563, 0.092177, 0.092177, 0.151974, 0.0],
    [0.0484988, 0.590837, 0.0484988, 0.0484988, 0.131833, 0.131833],
];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![Figure { name: "attention-gate.svg", svg: gate() }, Figure { name: "attention-weights.svg", svg: weights() }]
}

/// 1 / (1 + e^(-r)) on the plotted range, through the identity
/// sigmoid(r) = (1 + tanh(r / 2)) / 2.
fn sigmoid(r: f64) -> f64 {
    0.5 * (1.0 + (0.5 * r).tanh())
}

/// The slope of the sigmoid, sigmoid(r) (1 - sigmoid(r)).
fn sigmoid_slope(r: f64) -> f64 {
    let s = sigmoid(r);
    s * (1.0 - s)
}

/// Above, the weights of the two branches of a gate, which are also the
/// factors on their gradients; below, the slope that scales the gradient
/// of the gate's own score.
fn gate() -> String {
    let mut svg = Svg::new(
        700.0,
        560.0,
        "The weights of a gate and the factors on its gradients",
        "Two plots for r from −6 to 6, about the gate x σ(r) + y (1 − σ(r)). Above, from 0 to 1: in blue, σ(r), \
         the weight of x and the factor on the gradient that x receives, rises in an S from almost 0 to almost \
         1; in amber, 1 − σ(r), the weight of y and the factor on the gradient of y, is its mirror image, \
         falling from almost 1 to almost 0. The two cross at 0.5 at r = 0, where the gate is an even mix. Dots \
         at r = 2 mark σ(2) ≈ 0.881 and 1 − σ(2) ≈ 0.119. A note on the left says that for r far below 0 the \
         output is almost y and y takes the gradient; a note on the right that for r far above 0 the output is \
         almost x and x takes the gradient. Below, from 0 to 0.3: in green, the slope σ(r)(1 − σ(r)), which \
         times g (x − y) is the gradient of r, a bump with its peak of 0.25 at r = 0 and a dot at r = 2 for \
         σ′(2) ≈ 0.105; it falls towards 0 on both sides, where the gate stops learning.",
    );
    let (x_weight, y_weight, slope) = (CURVES[0], CURVES[1], CURVES[2]);
    let title = Font::BODY.size(15.0).bold().start();
    let note = Font::BODY.size(13.0).colour(MUTED);
    let x_ticks = [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0];

    svg.comment("Above: the weights of x and y.");
    let weights =
        Plot { left: 70.0, top: 44.0, width: 600.0, height: 220.0, x_range: (-6.0, 6.0), y_range: (-0.05, 1.05) };
    svg.text(weights.left, 26.0, "gate(x, y, r) = x σ(r) + y (1 − σ(r)): the weights", title);
    svg.axes(&weights, &x_ticks, &[0.0, 0.5, 1.0]);
    svg.curve(&weights, &sample(-6.0, 6.0, 241, |r| 1.0 - sigmoid(r)), Stroke::solid(y_weight));
    svg.curve(&weights, &sample(-6.0, 6.0, 241, sigmoid), Stroke::solid(x_weight));
    let side = note.colour(FAINT);
    svg.text(weights.x(-5.8), weights.y(0.42), "r ≪ 0: out ≈ y,", side.start());
    svg.text(weights.x(-5.8), weights.y(0.42) + 16.0, "y takes the gradient", side.start());
    svg.text(weights.x(5.8), weights.y(0.58), "r ≫ 0: out ≈ x,", side.end());
    svg.text(weights.x(5.8), weights.y(0.58) + 16.0, "x takes the gradient", side.end());
    svg.dot(&weights, (2.0, sigmoid(2.0)), x_weight, true);
    svg.dot(&weights, (2.0, 1.0 - sigmoid(2.0)), y_weight, true);
    svg.text(weights.x(1.85), weights.y(sigmoid(2.0)) - 4.0, "σ(2) ≈ 0.881", note.end());
    svg.text(weights.x(2.25), weights.y(0.22), "1 − σ(2) ≈ 0.119", note.start());
    svg.curve_legend(
        70.0,
        weights.bottom() + 46.0,
        &[
            (Stroke::solid(x_weight), "σ(r): weight of x, factor on its gradient"),
            (Stroke::solid(y_weight), "1 − σ(r): the same for y"),
        ],
    );

    svg.comment("Below: the slope, the factor on the gradient of r.");
    let slopes =
        Plot { left: 70.0, top: 374.0, width: 600.0, height: 110.0, x_range: (-6.0, 6.0), y_range: (-0.02, 0.3) };
    svg.text(slopes.left, 356.0, "σ′(r) = σ(r)(1 − σ(r)): times g (x − y), the gradient of r", title);
    svg.axes(&slopes, &x_ticks, &[0.0, 0.25]);
    svg.curve(&slopes, &sample(-6.0, 6.0, 241, sigmoid_slope), Stroke::solid(slope));
    svg.dot(&slopes, (2.0, sigmoid_slope(2.0)), slope, true);
    svg.text(slopes.x(2.2), slopes.y(sigmoid_slope(2.0)) - 6.0, "σ′(2) ≈ 0.105", note.start());
    svg.text(slopes.x(-5.8), slopes.y(0.2), "far from 0 the gate", side.start());
    svg.text(slopes.x(-5.8), slopes.y(0.2) + 16.0, "stops learning", side.start());
    svg.text(slopes.x(0.0), slopes.bottom() + 42.0, "r", Font::BODY.italic().colour(MUTED));
    svg.finish(super::ORIGIN)
}

/// The side of a cell of the weight matrices, in pixels.
const CELL: f64 = 44.0;

/// One weight matrix with its title, its key indices above it and the sum
/// of each row to its right; the cells above the diagonal drawn as masked
/// when `causal`.
fn matrix(svg: &mut Svg, left: f64, top: f64, title: &str, weights: &[[f64; 6]; 6], causal: bool) {
    let index = Font::BODY.size(13.0).colour(FAINT);
    let right = left + 6.0 * CELL;
    svg.comment(title);
    svg.text(left + 3.0 * CELL, top - 58.0, title, Font::BODY.size(15.0).bold());
    svg.text(left + 3.0 * CELL, top - 32.0, "key j →", Font::BODY.size(14.0).italic().colour(MUTED));
    svg.text(right + 30.0, top - 10.0, "row sum", index);
    for (i, row) in weights.iter().enumerate() {
        let y = top + CELL * i as f64;
        for (j, &w) in row.iter().enumerate() {
            let x = left + CELL * j as f64;
            if i == 0 {
                svg.text(x + CELL / 2.0, top - 10.0, &j.to_string(), index);
            }
            if causal && j > i {
                svg.cell(x, y, CELL, CELL, Kind::Zero, "");
            } else {
                let ink = if w > 0.5 { "#ffffff" } else { INK };
                svg.filled_cell(x, y, CELL, CELL, &shade(w), &format!("{w:.2}"), Font::BODY.size(13.0).colour(ink));
            }
        }
        let sum: f64 = row.iter().sum();
        svg.text(right + 30.0, y + CELL / 2.0 + 4.5, &format!("{sum:.2}"), Font::BODY.size(13.0).colour(MUTED));
    }
}

/// The attention weights of six queries over six keys, without a mask and
/// with the causal mask, side by side, over a scale of shades.
fn weights() -> String {
    let mut svg = Svg::new(
        800.0,
        440.0,
        "Attention weights without and with the causal mask",
        "Two 6 by 6 grids of attention weights, softmax(Q Kᵀ / √D) for six queries and six keys of D = 4 \
         features, one row per query i (0 to 5, down the left) and one column per key j (0 to 5, along the \
         top). Each cell is shaded from white for 0 to dark blue for 1 and shows its weight with two decimals; \
         every row adds up to 1.00, written to the right of it. Left, no mask: every query spreads its weight \
         over all six keys, mostly on one or two of them: query 0 puts 0.43 on key 3 and 0.43 on key 4, query 1 \
         puts 0.81 on key 5, query 2 puts 0.48 on key 0, query 3 puts 0.44 on key 2, query 4 puts 0.75 on key 5 \
         and query 5 puts 0.59 on key 1. Right, the causal mask: the cells above the diagonal, keys later than \
         the query, are dashed and empty, with weight exactly 0, and the weight of each row is shared among \
         keys 0 to i alone, so each row still adds up to 1.00. Query 0 puts 1.00 on key 0, query 1 splits \
         0.38 and 0.62 between keys 0 and 1, query 4, which can no longer see key 5, puts 0.41 on key 0. The \
         last row, which sees every key, is the same in both grids.",
    );
    let top = 96.0;
    let row_label = Font::BODY.size(13.0).colour(FAINT).end();
    svg.text(80.0, top - 10.0, "query i ↓", Font::BODY.size(14.0).italic().colour(MUTED).end());
    for i in 0..6 {
        svg.text(80.0, top + CELL * i as f64 + CELL / 2.0 + 4.5, &i.to_string(), row_label);
    }
    matrix(&mut svg, 90.0, top, "no mask", &WEIGHTS, false);
    matrix(&mut svg, 466.0, top, "causal mask: only keys j ≤ i", &CAUSAL_WEIGHTS, true);

    svg.comment("The scale of shades, and the masked cell.");
    let y = top + 6.0 * CELL + 44.0;
    let scale = Font::BODY.size(13.0).colour(MUTED);
    svg.text(90.0, y, "weight:", scale.start());
    for (n, w) in [0.0, 0.25, 0.5, 0.75, 1.0].into_iter().enumerate() {
        let x = 150.0 + 66.0 * n as f64;
        svg.filled_cell(x, y - 13.0, 18.0, 18.0, &shade(w), "", scale);
        svg.text(x + 24.0, y, &w.to_string(), scale.start());
    }
    svg.cell(466.0, y - 13.0, 18.0, 18.0, Kind::Zero, "");
    svg.text(492.0, y, "masked, j > i: score −∞, weight 0", scale.start());
    svg.text(
        90.0,
        y + 26.0,
        "the same six queries and keys in both grids; the last row sees every key either way",
        scale.colour(FAINT).start(),
    );
    svg.finish(super::ORIGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The six queries of the weight figure, D = 4 features each: small
    /// integers, so that the scores are multiples of one half.
    const QUERIES: [[f64; 4]; 6] = [
        [-1.0, 0.0, -1.0, 2.0],
        [-1.0, 2.0, 1.0, 0.0],
        [0.0, -1.0, 2.0, 0.0],
        [-1.0, -1.0, -1.0, -1.0],
        [-1.0, 1.0, 2.0, 0.0],
        [1.0, 2.0, -1.0, 1.0],
    ];
    /// The six keys of the weight figure.
    const KEYS: [[f64; 4]; 6] = [
        [1.0, 0.0, 2.0, 0.0],
        [1.0, 1.0, 1.0, 2.0],
        [0.0, 0.0, 0.0, -1.0],
        [-1.0, -1.0, 0.0, 2.0],
        [-1.0, 0.0, 0.0, 2.0],
        [-1.0, 2.0, 2.0, 0.0],
    ];

    /// q . k / sqrt(4), the scaled score of the figure.
    fn score(i: usize, j: usize) -> f64 {
        QUERIES[i].iter().zip(KEYS[j]).map(|(q, k)| q * k).sum::<f64>() / 2.0
    }

    /// Every drawn row adds up to 1, to the digits written.
    #[test]
    fn rows_add_up_to_one() {
        for (n, row) in WEIGHTS.iter().chain(&CAUSAL_WEIGHTS).enumerate() {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-5, "row {}", n % 6);
        }
    }

    /// The masked cells, keys after the query, are exactly 0, and no other
    /// cell is.
    #[test]
    fn masked_cells_are_zero() {
        for (i, row) in CAUSAL_WEIGHTS.iter().enumerate() {
            for (j, &w) in row.iter().enumerate() {
                assert_eq!(w == 0.0, j > i, "cell ({i}, {j})");
            }
        }
    }

    /// Within a row, weight j over weight k is e^(s_ij - s_ik) for the
    /// scores of the drawn queries and keys, with or without the mask:
    /// with the sums above, that pins the tables down as the softmax of
    /// the scores over the keys the query may see.
    #[test]
    fn weights_are_in_the_ratios_of_softmax() {
        for i in 0..6 {
            for j in 0..6 {
                let plain = (WEIGHTS[i][j] / WEIGHTS[i][0]).ln();
                assert!((plain - (score(i, j) - score(i, 0))).abs() < 1e-4, "cell ({i}, {j})");
                if j <= i {
                    let causal = (CAUSAL_WEIGHTS[i][j] / CAUSAL_WEIGHTS[i][0]).ln();
                    assert!((causal - (score(i, j) - score(i, 0))).abs() < 1e-4, "masked cell ({i}, {j})");
                }
            }
        }
    }

    /// The first causal row is all on key 0; the last row sees every key,
    /// so the mask does not change it.
    #[test]
    fn the_mask_changes_neither_end_row_as_the_chapter_says() {
        assert_eq!(CAUSAL_WEIGHTS[0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(CAUSAL_WEIGHTS[5], WEIGHTS[5]);
    }

    /// The numbers the gate figure marks.
    #[test]
    fn the_marked_points() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid_slope(0.0), 0.25);
        assert!((sigmoid(2.0) - 0.880797).abs() < 5e-7);
        assert!((sigmoid_slope(2.0) - 0.104994).abs() < 5e-7);
    }
}
