//! The figures of the `activations` chapter: plots of ReLU, step and
//! sigmoid and of their derivatives.
//!
//! Unlike the convolution figures, which draw tables worked out by hand,
//! these are plots of functions, so the curves are sampled from the
//! textbook formulas below, one number at a time. The sigmoid comes from
//! its tanh identity, which is exact enough on the plotted range.
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{CURVES, FAINT, Font, MUTED, Plot, Stroke, Svg, sample};

/// The colour of a function in these plots: the accent blue.
const FUNCTION: &str = CURVES[0];
/// The colour of a derivative: amber.
const DERIVATIVE: &str = CURVES[1];
/// Beyond this |x| the slope of the sigmoid is below 0.01: the plots shade
/// the region as saturated (the tests check the claim).
const SATURATED: f64 = 4.6;
/// The temperatures of the last figure, with the colour of each curve.
const TEMPERATURES: [(f64, &str, &str); 3] =
    [(4.0, CURVES[2], "T = 4"), (1.0, CURVES[0], "T = 1: the sigmoid"), (0.25, CURVES[1], "T = 0.25")];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![
        Figure { name: "activations-relu.svg", svg: relu_and_step() },
        Figure { name: "activations-sigmoid.svg", svg: sigmoid_and_slope() },
        Figure { name: "activations-sigmoid-temperature.svg", svg: temperature() },
    ]
}

/// max(0, x).
fn relu(x: f64) -> f64 {
    x.max(0.0)
}

/// 1 for x > 0, else 0 (so 0 at x = 0, the course's convention).
fn step(x: f64) -> f64 {
    if x > 0.0 { 1.0 } else { 0.0 }
}

/// 1 / (1 + e^(-x)) on the plotted range, through the identity
/// sigmoid(x) = (1 + tanh(x / 2)) / 2 (the exercise asks for more: exact
/// values far out, where this plot never goes).
fn sigmoid(x: f64) -> f64 {
    0.5 * (1.0 + (0.5 * x).tanh())
}

/// The slope of the sigmoid, sigmoid(x) (1 - sigmoid(x)).
fn sigmoid_slope(x: f64) -> f64 {
    let s = sigmoid(x);
    s * (1.0 - s)
}

/// ReLU on the left, its derivative the step on the right, with the value
/// at 0 marked by a filled dot and the value not taken by a hollow one.
fn relu_and_step() -> String {
    let mut svg = Svg::new(
        760.0,
        370.0,
        "ReLU and its derivative, the step function",
        "Two plots side by side, x from −2.5 to 2.5. Left, ReLU(x) = max(0, x): a flat line at 0 for negative x, \
         marked slope 0, that bends at the origin, marked as the kink, into the line y = x for positive x, marked \
         slope 1, reaching 2 at x = 2. Right, its derivative ReLU′(x) = step(x): the value 0 for negative x and 1 \
         for positive x, a jump at the origin. At x = 0 a filled dot sits at height 0, labelled step(0) = 0, and a \
         hollow dot at height 1 shows the value the step only takes for x > 0. Below, a note: a filled dot is \
         the value at 0, a hollow dot is a value not taken there.",
    );
    let title = Font::BODY.size(15.0).bold();
    let note = Font::BODY.size(13.0).colour(MUTED);
    let x_ticks = [-2.0, -1.0, 0.0, 1.0, 2.0];

    svg.comment("Left: ReLU.");
    let left = Plot { left: 70.0, top: 50.0, width: 280.0, height: 220.0, x_range: (-2.5, 2.5), y_range: (-0.5, 2.5) };
    svg.text(left.x(0.0), 32.0, "ReLU(x) = max(0, x)", title);
    svg.axes(&left, &x_ticks, &[0.0, 1.0, 2.0]);
    svg.curve(&left, &sample(-2.5, 2.5, 101, relu), Stroke::solid(FUNCTION));
    svg.text(left.x(-1.25), left.y(0.12), "slope 0", note);
    svg.text(left.x(1.3), left.y(0.75), "slope 1", note.start());
    svg.text(left.x(0.12), left.y(-0.33), "kink at 0", note.colour(FAINT).start());
    svg.text(left.x(0.0), left.bottom() + 42.0, "x", Font::BODY.italic().colour(MUTED));

    svg.comment("Right: its derivative, the step, as two pieces and the dots at 0.");
    let right =
        Plot { left: 450.0, top: 50.0, width: 280.0, height: 220.0, x_range: (-2.5, 2.5), y_range: (-0.25, 1.25) };
    svg.text(right.x(0.0), 32.0, "ReLU′(x) = step(x)", title);
    svg.axes(&right, &x_ticks, &[0.0, 0.5, 1.0]);
    svg.curve(&right, &sample(-2.5, 0.0, 51, step), Stroke::solid(DERIVATIVE));
    // The right piece starts just past 0, where the step is already 1.
    svg.curve(&right, &[(0.0, 1.0), (2.5, step(2.5))], Stroke::solid(DERIVATIVE));
    svg.dot(&right, (0.0, step(0.0)), DERIVATIVE, true);
    svg.dot(&right, (0.0, 1.0), DERIVATIVE, false);
    svg.text(right.x(0.2), right.y(0.1), "step(0) = 0", note.start());
    svg.text(right.x(0.2), right.y(0.87), "1 only for x > 0", note.start());
    svg.text(right.x(0.0), right.bottom() + 42.0, "x", Font::BODY.italic().colour(MUTED));

    svg.comment("What the dots mean.");
    let y = 352.0;
    svg.circle((240.0, y - 4.5), DERIVATIVE, true);
    svg.text(252.0, y, "the value at 0", note.start());
    svg.circle((392.0, y - 4.5), DERIVATIVE, false);
    svg.text(404.0, y, "a value not taken at 0", note.start());
    svg.finish(super::ORIGIN)
}

/// The sigmoid and its slope, with the step behind them and the saturated
/// regions shaded.
fn sigmoid_and_slope() -> String {
    let mut svg = Svg::new(
        700.0,
        440.0,
        "The sigmoid and its derivative",
        "A plot for x from −6 to 6 and y from 0 to 1. The sigmoid σ(x) = 1 / (1 + e^(−x)), in blue, rises in an S \
         from almost 0 at the left to almost 1 at the right, passing through 0.5 at x = 0; dots mark σ(0) = 0.5, \
         σ(2) ≈ 0.881 and σ(−2) ≈ 0.119, whose sum is 1. Its derivative σ′(x) = σ(x)(1 − σ(x)), in amber, is a \
         low bump with its peak of 0.25 at x = 0, marked by a dot, and falls towards 0 on both sides. Behind them, \
         dashed and grey, the step function jumps from 0 to 1 at x = 0: the sigmoid is a smoothed step. The regions \
         |x| > 4.6 are shaded and labelled saturated: there the slope is below 0.01.",
    );
    let plot =
        Plot { left: 70.0, top: 30.0, width: 600.0, height: 320.0, x_range: (-6.0, 6.0), y_range: (-0.05, 1.05) };
    let note = Font::BODY.size(13.0).colour(MUTED);

    svg.comment("The saturated regions, where the slope is below 0.01.");
    let band = plot.x(6.0) - plot.x(SATURATED);
    svg.rect(plot.left, plot.top, band, plot.height, "#f2f2f2");
    svg.rect(plot.x(SATURATED), plot.top, band, plot.height, "#f2f2f2");
    svg.axes(&plot, &[-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0], &[0.0, 0.25, 0.5, 0.75, 1.0]);
    for side in [-1.0, 1.0] {
        let x = plot.x(side * (6.0 + SATURATED) / 2.0);
        svg.text(x, plot.y(0.55), "saturated", note.size(12.0).colour(FAINT));
        svg.text(x, plot.y(0.55) + 16.0, "σ′ < 0.01", note.size(12.0).colour(FAINT));
    }

    svg.comment("The step, for comparison, then the slope and the sigmoid.");
    step_pieces(&mut svg, &plot);
    svg.curve(&plot, &sample(-6.0, 6.0, 241, sigmoid_slope), Stroke::solid(DERIVATIVE));
    svg.curve(&plot, &sample(-6.0, 6.0, 241, sigmoid), Stroke::solid(FUNCTION));

    svg.comment("The worked numbers of the chapter.");
    for x in [-2.0, 0.0, 2.0] {
        svg.dot(&plot, (x, sigmoid(x)), FUNCTION, true);
    }
    svg.dot(&plot, (0.0, sigmoid_slope(0.0)), DERIVATIVE, true);
    svg.text(plot.x(0.3), plot.y(0.43), "σ(0) = 0.5", note.start());
    svg.text(plot.x(2.3), plot.y(0.8), "σ(2) ≈ 0.881", note.start());
    svg.text(plot.x(-2.3), plot.y(0.19), "σ(−2) ≈ 0.119", note.end());
    svg.text(plot.x(0.3), plot.y(0.29), "σ′(0) = 0.25", note.start());
    svg.text(plot.x(0.0), plot.bottom() + 42.0, "x", Font::BODY.italic().colour(MUTED));

    svg.curve_legend(
        70.0,
        425.0,
        &[
            (Stroke::solid(FUNCTION), "σ(x)"),
            (Stroke::solid(DERIVATIVE), "σ′(x) = σ(x)(1 − σ(x))"),
            (Stroke::GHOST, "step(x)"),
        ],
    );
    svg.finish(super::ORIGIN)
}

/// sigmoid(x / T) for three temperatures T, with the step behind them.
fn temperature() -> String {
    let mut svg = Svg::new(
        700.0,
        440.0,
        "The sigmoid at three temperatures",
        "A plot for x from −6 to 6 and y from 0 to 1 of σ(x / T) for three temperatures. With T = 4, in green, the \
         curve is a gentle slope that is still far from 0 and 1 at the edges of the plot. With T = 1, in blue, it \
         is the ordinary sigmoid. With T = 0.25, in amber, it climbs from almost 0 to almost 1 between x = −1 and \
         x = 1. All three pass through 0.5 at x = 0, with a slope there of 1 / (4T): 1/16, 1/4 and 1. Behind them, \
         dashed and grey, the step function, which the curves approach as T shrinks.",
    );
    let plot =
        Plot { left: 70.0, top: 30.0, width: 600.0, height: 320.0, x_range: (-6.0, 6.0), y_range: (-0.05, 1.05) };
    svg.axes(&plot, &[-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0], &[0.0, 0.25, 0.5, 0.75, 1.0]);
    step_pieces(&mut svg, &plot);
    for (t, colour, label) in TEMPERATURES {
        svg.comment(label);
        svg.curve(&plot, &sample(-6.0, 6.0, 241, |x| sigmoid(x / t)), Stroke::solid(colour));
    }
    svg.text(
        plot.x(-5.7),
        plot.y(0.93),
        "as T shrinks, σ(x / T) approaches the step;",
        Font::BODY.size(13.0).colour(MUTED).start(),
    );
    svg.text(
        plot.x(-5.7),
        plot.y(0.93) + 18.0,
        "its slope at 0 is 1 / (4T)",
        Font::BODY.size(13.0).colour(MUTED).start(),
    );
    svg.text(plot.x(0.0), plot.bottom() + 42.0, "x", Font::BODY.italic().colour(MUTED));

    let mut entries: Vec<(Stroke, &str)> =
        TEMPERATURES.iter().map(|&(_, colour, label)| (Stroke::solid(colour), label)).collect();
    entries.push((Stroke::GHOST, "step(x)"));
    svg.curve_legend(70.0, 425.0, &entries);
    svg.finish(super::ORIGIN)
}

/// The step function of `plot`'s range, dashed and grey, in its two pieces.
fn step_pieces(svg: &mut Svg, plot: &Plot) {
    let (from, to) = plot.x_range;
    svg.curve(plot, &[(from, step(from)), (0.0, step(0.0))], Stroke::GHOST);
    svg.curve(plot, &[(0.0, 1.0), (to, step(to))], Stroke::GHOST);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chapter's worked example for ReLU and step.
    #[test]
    fn relu_and_step_of_the_worked_example() {
        let x = [-2.0, -0.5, 0.0, 0.5, 2.0];
        assert_eq!(x.map(relu), [0.0, 0.0, 0.0, 0.5, 2.0]);
        assert_eq!(x.map(step), [0.0, 0.0, 0.0, 1.0, 1.0]);
    }

    /// The chapter's worked numbers for the sigmoid, to the digits it prints.
    #[test]
    fn sigmoid_of_the_worked_example() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!((sigmoid(2.0) - 0.880797).abs() < 5e-7);
        assert!((sigmoid(-2.0) - 0.119203).abs() < 5e-7);
        assert_eq!(sigmoid_slope(0.0), 0.25);
        assert!((sigmoid(-2.0) + sigmoid(2.0) - 1.0).abs() < 1e-15);
    }

    /// The stable form gives exactly 1 and 0 at +-1000, with no NaN.
    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid_slope(1000.0), 0.0);
        assert_eq!(sigmoid_slope(-1000.0), 0.0);
    }

    /// The shaded regions are where the slope is below 0.01, and only there.
    #[test]
    fn saturation_starts_where_the_figure_says() {
        assert!(sigmoid_slope(SATURATED) < 0.01);
        assert!(sigmoid_slope(SATURATED - 0.1) > 0.01);
    }
}
