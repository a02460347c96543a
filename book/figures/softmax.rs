//! The figures of the `softmax` chapter: the hard maximum and argmax of the
//! two candidates (x, 0) next to their soft versions, log-sum-exp and
//! softmax, each above its derivative in x; and the softmax of a small
//! score vector at three temperatures.
//!
//! The curves are functions of one number, sampled one `f64` at a time as
//! in the activations figures. The bars of the temperature figure are a
//! literal table worked out with a script; the tests check it through two
//! properties that pin softmax down (the entries add up to 1, and their
//! ratios are the exponentials of the score differences over T) without
//! computing one.
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{ACCENT, CURVES, FAINT, Font, MUTED, Plot, Stroke, Svg, sample};

/// The colour of a function in these plots: the accent blue.
const FUNCTION: &str = CURVES[0];
/// The colour of a derivative: amber.
const DERIVATIVE: &str = CURVES[1];
/// The plotted range of x, and its ticks.
const RANGE: (f64, f64) = (-4.0, 4.0);
const X_TICKS: [f64; 5] = [-4.0, -2.0, 0.0, 2.0, 4.0];

/// The scores of the temperature figure, one per class.
const SCORES: [f64; 5] = [1.0, 2.0, 0.5, 3.0, 2.5];
/// softmax(SCORES / T) to six significant digits for three temperatures T,
/// with the colour and the legend of their bars.
const TEMPERATURES: [(f64, [f64; 5], &str, &str); 3] = [
    (0.25, [2.90688e-4, 0.015871, 3.93403e-5, 0.866527, 0.117272], CURVES[1], "T = 0.25"),
    (1.0, [0.0617453, 0.167841, 0.0374504, 0.45624, 0.276723], CURVES[0], "T = 1"),
    (4.0, [0.159484, 0.204781, 0.140744, 0.262944, 0.232047], CURVES[2], "T = 4"),
];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure { name: "softmax-max.svg", svg: max_and_log_sum_exp() },
        Figure { name: "softmax-argmax.svg", svg: argmax_and_softmax() },
        Figure { name: "softmax-temperature.svg", svg: temperature() },
    ]
}

/// max(x, 0).
fn hard_max(x: f64) -> f64 {
    x.max(0.0)
}

/// The entry of argmax(x, 0) that belongs to x: 1 where x wins, 0 where 0
/// wins. At the tie x = 0 either is right; the plots draw both as hollow dots.
fn x_wins(x: f64) -> f64 {
    if x > 0.0 { 1.0 } else { 0.0 }
}

/// log(e^x + e^0), the soft maximum of (x, 0), on the plotted range where
/// no care about overflow is needed.
fn soft_max(x: f64) -> f64 {
    x.exp().ln_1p()
}

/// The entry of softmax(x, 0) that belongs to x, which is sigmoid(x),
/// through the tanh identity of the activations figures.
fn sigmoid(x: f64) -> f64 {
    0.5 * (1.0 + (0.5 * x).tanh())
}

/// The slope of the sigmoid, sigmoid(x) (1 - sigmoid(x)).
fn sigmoid_slope(x: f64) -> f64 {
    let s = sigmoid(x);
    s * (1.0 - s)
}

/// The four panels of a hard-versus-soft figure: on the left the hard
/// function above its derivative, on the right the soft one above its own.
struct Panels {
    hard: Plot,
    hard_slope: Plot,
    soft: Plot,
    soft_slope: Plot,
}

/// A 760 x 510 figure with "hard" and "soft" over its two columns, and the
/// four [`Panels`] showing `values` (top row) and `slopes` (bottom row) of y.
fn hard_and_soft(title: &str, desc: &str, values: (f64, f64), slopes: (f64, f64)) -> (Svg, Panels) {
    let mut svg = Svg::new(760.0, 510.0, title, desc);
    let panel = |left: f64, top: f64, y_range: (f64, f64)| Plot {
        left,
        top,
        width: 280.0,
        height: 140.0,
        x_range: RANGE,
        y_range,
    };
    let panels = Panels {
        hard: panel(70.0, 68.0, values),
        hard_slope: panel(70.0, 282.0, slopes),
        soft: panel(450.0, 68.0, values),
        soft_slope: panel(450.0, 282.0, slopes),
    };
    let header = Font::BODY.bold().colour(ACCENT);
    svg.text(panels.hard.x(0.0), 24.0, "hard: one winner", header);
    svg.text(panels.soft.x(0.0), 24.0, "soft: a share for each", header);
    for plot in [&panels.hard_slope, &panels.soft_slope] {
        svg.text(plot.x(0.0), plot.bottom() + 42.0, "x", Font::BODY.italic().colour(MUTED));
    }
    (svg, panels)
}

/// The title above `plot` and its axes, with `y_ticks` on the left.
fn panel(svg: &mut Svg, plot: &Plot, title: &str, y_ticks: &[f64]) {
    svg.comment(title);
    svg.text(plot.x(0.0), plot.top - 12.0, title, Font::BODY.size(14.0).bold());
    svg.axes(plot, &X_TICKS, y_ticks);
}

/// A jump from 0 to 1 at x = 0 in `stroke`, with both values at the tie
/// drawn hollow and labelled: either is right there.
fn jump_at_the_tie(svg: &mut Svg, plot: &Plot, stroke: Stroke) {
    let (from, to) = plot.x_range;
    svg.curve(plot, &[(from, x_wins(from)), (0.0, 0.0)], stroke);
    svg.curve(plot, &[(0.0, 1.0), (to, x_wins(to))], stroke);
    if stroke != Stroke::GHOST {
        svg.dot(plot, (0.0, 0.0), stroke.colour, false);
        svg.dot(plot, (0.0, 1.0), stroke.colour, false);
        let note = Font::BODY.size(13.0).colour(FAINT).start();
        svg.text(plot.x(0.25), plot.y(0.62), "tie at x = 0:", note);
        svg.text(plot.x(0.25), plot.y(0.62) + 16.0, "0 or 1", note);
    }
}

/// The legend under a hard-versus-soft figure.
fn legend(svg: &mut Svg) {
    svg.curve_legend(
        70.0,
        495.0,
        &[
            (Stroke::solid(FUNCTION), "the function"),
            (Stroke::solid(DERIVATIVE), "its derivative in x"),
            (Stroke::GHOST, "the hard version, for comparison"),
        ],
    );
}

/// max(x, 0) and log(e^x + 1), each above its derivative: the step on the
/// left, the sigmoid on the right.
fn max_and_log_sum_exp() -> String {
    let (mut svg, p) = hard_and_soft(
        "The maximum of (x, 0) and its soft version, log-sum-exp, with their derivatives",
        "Four plots for x from −4 to 4, in two columns. Left column, hard: above, max(x, 0), in blue, is 0 for \
         negative x and the line y = x for positive x. Below it, its derivative in x, in amber: 0 where 0 is the \
         larger candidate and 1 where x is, a jump at x = 0; at the tie x = 0 both values 0 and 1 are drawn as \
         hollow dots, labelled tie at x = 0: 0 or 1. The derivative is the entry of argmax(x, 0) that belongs to \
         x. Right column, soft: above, log(eˣ + e⁰), in blue, a smooth curve that hugs max(x, 0), drawn dashed \
         and grey behind it, far from the origin and lies above it by at most log 2 ≈ 0.693, at x = 0, marked by \
         a dot. Below it, its derivative, the sigmoid σ(x) = softmax(x, 0)₁, in amber, rising smoothly from \
         almost 0 to almost 1 through 0.5 at x = 0, marked by a dot, with the step dashed and grey behind it.",
        (-0.5, 4.5),
        (-0.2, 1.2),
    );
    let note = Font::BODY.size(13.0).colour(MUTED).start();

    panel(&mut svg, &p.hard, "max(x, 0)", &[0.0, 2.0, 4.0]);
    svg.curve(&p.hard, &sample(-4.0, 4.0, 81, hard_max), Stroke::solid(FUNCTION));

    panel(&mut svg, &p.hard_slope, "∂/∂x max(x, 0) = argmax(x, 0)₁", &[0.0, 0.5, 1.0]);
    jump_at_the_tie(&mut svg, &p.hard_slope, Stroke::solid(DERIVATIVE));

    panel(&mut svg, &p.soft, "log(eˣ + e⁰)", &[0.0, 2.0, 4.0]);
    svg.curve(&p.soft, &sample(-4.0, 4.0, 81, hard_max), Stroke::GHOST);
    svg.curve(&p.soft, &sample(-4.0, 4.0, 161, soft_max), Stroke::solid(FUNCTION));
    svg.dot(&p.soft, (0.0, soft_max(0.0)), FUNCTION, true);
    svg.text(p.soft.x(-3.7), p.soft.y(3.6), "the dot: log 2 ≈ 0.693 at x = 0,", note);
    svg.text(p.soft.x(-3.7), p.soft.y(3.6) + 16.0, "the most it lies above the max", note);

    panel(&mut svg, &p.soft_slope, "∂/∂x log(eˣ + e⁰) = softmax(x, 0)₁", &[0.0, 0.5, 1.0]);
    jump_at_the_tie(&mut svg, &p.soft_slope, Stroke::GHOST);
    svg.curve(&p.soft_slope, &sample(-4.0, 4.0, 161, sigmoid), Stroke::solid(DERIVATIVE));
    svg.dot(&p.soft_slope, (0.0, sigmoid(0.0)), DERIVATIVE, true);
    svg.text(p.soft_slope.x(0.35), p.soft_slope.y(0.42), "σ(0) = 0.5", note);

    legend(&mut svg);
    svg.finish(super::ORIGIN)
}

/// The x entry of argmax(x, 0) and of softmax(x, 0), each above its
/// derivative: zero on the left, sigmoid(x) (1 - sigmoid(x)) on the right.
fn argmax_and_softmax() -> String {
    let (mut svg, p) = hard_and_soft(
        "The argmax of (x, 0) and its soft version, softmax, with their derivatives",
        "Four plots for x from −4 to 4, in two columns. Left column, hard: above, the entry of argmax(x, 0) that \
         belongs to x, in blue: 0 for negative x and 1 for positive x, a step; at the tie x = 0 both 0 and 1 are \
         drawn as hollow dots, labelled tie at x = 0: 0 or 1. Below it, its derivative, in amber: 0 on both sides, \
         a flat line on the axis, with a hollow dot at x = 0, labelled no derivative at the jump. Right column, \
         soft: above, softmax(x, 0)₁ = σ(x), in blue, rising smoothly from almost 0 to almost 1 through 0.5 at \
         x = 0, marked by a dot, with the step dashed and grey behind it. Below it, its derivative \
         σ(x)(1 − σ(x)), in amber, a bump that peaks at 0.25 at x = 0, marked by a dot, and is positive \
         everywhere.",
        (-0.2, 1.2),
        (-0.03, 0.3),
    );
    let note = Font::BODY.size(13.0).colour(MUTED).start();

    panel(&mut svg, &p.hard, "argmax(x, 0)₁", &[0.0, 0.5, 1.0]);
    jump_at_the_tie(&mut svg, &p.hard, Stroke::solid(FUNCTION));

    panel(&mut svg, &p.hard_slope, "∂/∂x argmax(x, 0)₁ = 0", &[0.0, 0.1, 0.2, 0.3]);
    svg.curve(&p.hard_slope, &[(-4.0, 0.0), (0.0, 0.0)], Stroke::solid(DERIVATIVE));
    svg.curve(&p.hard_slope, &[(0.0, 0.0), (4.0, 0.0)], Stroke::solid(DERIVATIVE));
    svg.dot(&p.hard_slope, (0.0, 0.0), DERIVATIVE, false);
    svg.text(p.hard_slope.x(0.25), p.hard_slope.y(0.1), "no derivative at the jump,", note.colour(FAINT));
    svg.text(p.hard_slope.x(0.25), p.hard_slope.y(0.1) + 16.0, "0 everywhere else", note.colour(FAINT));

    panel(&mut svg, &p.soft, "softmax(x, 0)₁ = σ(x)", &[0.0, 0.5, 1.0]);
    jump_at_the_tie(&mut svg, &p.soft, Stroke::GHOST);
    svg.curve(&p.soft, &sample(-4.0, 4.0, 161, sigmoid), Stroke::solid(FUNCTION));
    svg.dot(&p.soft, (0.0, sigmoid(0.0)), FUNCTION, true);
    svg.text(p.soft.x(0.35), p.soft.y(0.42), "σ(0) = 0.5", note);

    panel(&mut svg, &p.soft_slope, "∂/∂x σ(x) = σ(x)(1 − σ(x))", &[0.0, 0.1, 0.2, 0.3]);
    svg.curve(&p.soft_slope, &sample(-4.0, 4.0, 161, sigmoid_slope), Stroke::solid(DERIVATIVE));
    svg.dot(&p.soft_slope, (0.0, sigmoid_slope(0.0)), DERIVATIVE, true);
    svg.text(p.soft_slope.x(0.35), p.soft_slope.y(0.262), "σ′(0) = 0.25", note);

    legend(&mut svg);
    svg.finish(super::ORIGIN)
}

/// softmax(SCORES / T) as grouped bars, one group per class, with the
/// limits T -> 0 (one-hot on the top score) and T -> infinity (uniform).
fn temperature() -> String {
    let mut svg = Svg::new(
        700.0,
        445.0,
        "The softmax of five scores at three temperatures",
        "A bar chart of softmax(z / T) for the scores z = (1, 2, 0.5, 3, 2.5) of five classes, three bars per \
         class, for T = 0.25 in amber, T = 1 in blue and T = 4 in green; the y axis runs from 0 to 1. With \
         T = 0.25 almost everything goes to class 4, the top score: 0.867, with 0.117 for class 5 and little for \
         the others. With T = 1 the shares are 0.062, 0.168, 0.037, 0.456 and 0.277. With T = 4 they are close \
         to each other, from 0.141 to 0.263. A dashed grey line at 0.2 marks the limit T → ∞, where every class \
         gets 1/5; a hollow dot at height 1 above class 4 marks the limit T → 0, the one-hot argmax. The order of \
         the classes is the same at every temperature.",
    );
    let plot = Plot { left: 70.0, top: 40.0, width: 600.0, height: 300.0, x_range: (0.5, 5.5), y_range: (0.0, 1.05) };
    let note = Font::BODY.size(13.0).colour(MUTED);
    svg.text(
        plot.left,
        24.0,
        "softmax(z / T) for the scores z = (1, 2, 0.5, 3, 2.5)",
        Font::BODY.size(15.0).bold().start(),
    );
    svg.axes(&plot, &[], &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);

    svg.comment("The limit T -> infinity: 1/5 for every class.");
    svg.segment((plot.left, plot.y(0.2)), (plot.right(), plot.y(0.2)), Stroke::GHOST);
    svg.text(plot.x(0.6), plot.y(0.2) - 7.0, "T → ∞: 1/5 each", note.colour(FAINT).start());

    let (bar, step) = (0.22, 0.25);
    for (n, (_, shares, colour, label)) in TEMPERATURES.iter().enumerate() {
        svg.comment(label);
        let offset = (n as f64 - 1.0) * step;
        for (class, &share) in shares.iter().enumerate() {
            let centre = class as f64 + 1.0 + offset;
            let (x, y) = plot.at((centre - bar / 2.0, share));
            svg.rect(x, y, plot.x(centre + bar / 2.0) - x, plot.y(0.0) - y, colour);
        }
        // The share of the top score, written over its bar.
        let top = 3;
        let text = format!("{:.3}", shares[top]);
        svg.text(plot.x(top as f64 + 1.0 + offset), plot.y(shares[top]) - 6.0, &text, note.size(11.0));
    }

    svg.comment("The limit T -> 0: everything on the top score.");
    svg.dot(&plot, (4.0, 1.0), MUTED, false);
    svg.text(plot.x(4.12), plot.y(1.0) + 4.5, "T → 0: one-hot,", note.start());
    svg.text(plot.x(4.12), plot.y(1.0) + 20.5, "all on the top score", note.start());

    svg.comment("The classes and their scores under the axis.");
    for (class, score) in SCORES.iter().enumerate() {
        let x = plot.x(class as f64 + 1.0);
        svg.text(x, plot.bottom() + 20.0, &format!("class {}", class + 1), note);
        svg.text(x, plot.bottom() + 37.0, &format!("score {score}"), note.colour(FAINT));
    }

    let mut entries: Vec<(Stroke, &str)> =
        TEMPERATURES.iter().map(|&(_, _, colour, label)| (Stroke::solid(colour).width(10.0), label)).collect();
    entries.push((Stroke::GHOST, "T → ∞: uniform"));
    svg.curve_legend(70.0, 425.0, &entries);
    svg.finish(super::ORIGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the table adds up to 1, to the digits written.
    #[test]
    fn the_shares_add_up_to_one() {
        for (t, shares, _, _) in TEMPERATURES {
            assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-5, "T = {t}");
        }
    }

    /// Within a row, share i over share j is e^((z_i - z_j) / T): with the
    /// sum above, that pins the table down as softmax(z / T).
    #[test]
    fn the_shares_are_in_the_ratios_of_softmax() {
        for (t, shares, _, _) in TEMPERATURES {
            for (i, (share, score)) in shares.iter().zip(SCORES).enumerate() {
                let drawn = (share / shares[3]).ln();
                assert!((drawn - (score - SCORES[3]) / t).abs() < 1e-4, "T = {t}, class {}", i + 1);
            }
        }
    }

    /// The numbers the figures and the chapter quote.
    #[test]
    fn the_marked_points() {
        assert_eq!(soft_max(0.0), 2f64.ln());
        assert_eq!(sigmoid(0.0), 0.5);
        assert_eq!(sigmoid_slope(0.0), 0.25);
        assert_eq!(hard_max(-1.5), 0.0);
        assert_eq!((x_wins(-1.0), x_wins(1.0)), (0.0, 1.0));
    }

    /// log(e^x + 1) lies above max(x, 0) by at most log 2, the most at x = 0.
    #[test]
    fn the_soft_max_stays_within_log_2_of_the_max() {
        for (x, y) in sample(RANGE.0, RANGE.1, 161, soft_max) {
            let gap = y - hard_max(x);
            assert!(gap > 0.0 && gap <= 2f64.ln() + 1e-15, "x = {x}");
        }
    }
}
