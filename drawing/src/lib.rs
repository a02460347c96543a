//! A tiny SVG writer, shared by the book's generated figures
//! (`book/figures/`) and the plots of `cargo train` (`train/src/plots.rs`):
//! cells with a label, text, window outlines and arrows, in the colours and
//! font of the hand-drawn tensor figures (`book/src/figures/tensor-*.svg`);
//! and a [`Plot`] frame with axes, ticks, curves, dots and a legend.
//!
//! Coordinates are written rounded to two decimals, so the output is the
//! same text on every machine.

use std::fmt::Write;

/// The font of every figure: present everywhere, as a last resort `sans-serif`.
pub const FONT_FAMILY: &str = "Helvetica, Arial, sans-serif";
/// Text and numbers.
pub const INK: &str = "#222222";
/// Captions and secondary labels.
pub const MUTED: &str = "#555555";
/// Coordinates and indices.
pub const FAINT: &str = "#777777";
/// Windows, arrows and the element being discussed.
pub const ACCENT: &str = "#1f4e79";
/// The border of an ordinary cell, and the axes of a plot.
const BORDER: &str = "#444444";
/// The colours of the curves of a plot, in the order to use them: the
/// accent blue, then a darker shade of the kernel amber and of the output
/// green, so that a plot and the cell figures speak the same colours.
pub const CURVES: [&str; 3] = [ACCENT, "#c27a00", "#4b8a2e"];
/// A curve drawn for comparison only, behind the others.
pub const GHOST: &str = "#b0b0b0";
/// The grid lines of a plot.
const GRID: &str = "#e8e8e8";
/// The lines x = 0 and y = 0 of a plot, when they are not its edges.
const ZERO_LINE: &str = "#b8b8b8";

/// What a cell holds, which decides its colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An element of something shaped like the input: blue-grey.
    Input,
    /// A weight of the kernel: amber.
    Kernel,
    /// An element of something shaped like the output: green.
    Output,
    /// A position past the edge, read as zero: dashed, grey, italic.
    Zero,
    /// A cell of the `n`-th of several windows (or other groups of cells)
    /// that a figure tells apart, tinted `WINDOW_FILLS[n % 4]`: the same
    /// tint marks the same window wherever its numbers go.
    Window(usize),
}

/// The tints of [`Kind::Window`]: light blue, peach, lilac and teal, none
/// of them the fill of another kind, in the order to use them.
pub const WINDOW_FILLS: [&str; 4] = ["#cfe0f3", "#fad9bd", "#e2d6f1", "#c8e8e4"];

impl Kind {
    fn fill(self) -> &'static str {
        match self {
            Kind::Input => "#eef3f8",
            Kind::Kernel => "#ffd27f",
            Kind::Output => "#dcecd2",
            Kind::Zero => "#f6f6f6",
            Kind::Window(n) => WINDOW_FILLS[n % WINDOW_FILLS.len()],
        }
    }
}

/// Horizontal alignment of a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// How a text is written: size, alignment, weight, slant and colour.
#[derive(Clone, Copy, Debug)]
pub struct Font {
    pub size: f64,
    pub anchor: Anchor,
    pub bold: bool,
    pub italic: bool,
    pub colour: &'static str,
}

impl Font {
    /// 16 pixels, centred, regular, in ink.
    pub const BODY: Font = Font { size: 16.0, anchor: Anchor::Middle, bold: false, italic: false, colour: INK };

    pub fn size(self, size: f64) -> Font {
        Font { size, ..self }
    }
    pub fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
    pub fn italic(self) -> Font {
        Font { italic: true, ..self }
    }
    pub fn colour(self, colour: &'static str) -> Font {
        Font { colour, ..self }
    }
    pub fn start(self) -> Font {
        Font { anchor: Anchor::Start, ..self }
    }
    pub fn end(self) -> Font {
        Font { anchor: Anchor::End, ..self }
    }
}

/// A number as SVG wants it: at most two decimals, no trailing zeros.
pub fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

/// A tick label: like [`num`], with a typographic minus sign.
pub fn tick_label(value: f64) -> String {
    let text = num(value);
    match text.strip_prefix('-') {
        Some(magnitude) => format!("\u{2212}{magnitude}"),
        None => text,
    }
}

/// The fill of a heat-map cell for `value` in [0, 1]: white at 0, the
/// accent blue at 1, mixed channel by channel in between (values outside
/// the range are clamped). Labels on cells above one half read better in
/// white.
pub fn shade(value: f64) -> String {
    let t = value.clamp(0.0, 1.0);
    let mix = |at: usize| {
        let accent = u8::from_str_radix(&ACCENT[at..at + 2], 16).expect("ACCENT is #rrggbb");
        (255.0 + (f64::from(accent) - 255.0) * t).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", mix(1), mix(3), mix(5))
}

/// `text` with the characters XML reserves escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An SVG picture being drawn, written out by [`Svg::finish`].
pub struct Svg {
    width: f64,
    height: f64,
    title: String,
    desc: String,
    body: String,
}

impl Svg {
    /// An empty white picture of `width` x `height` pixels. `title` and
    /// `desc` are what screen readers announce; `desc` should say
    /// everything the picture shows.
    pub fn new(width: f64, height: f64, title: &str, desc: &str) -> Svg {
        Svg { width, height, title: title.to_string(), desc: desc.to_string(), body: String::new() }
    }

    /// An XML comment, to find one's way in the output.
    pub fn comment(&mut self, text: &str) {
        // `--` may not appear inside an XML comment.
        let _ = writeln!(self.body, "  <!-- {} -->", text.replace("--", "- -"));
    }

    /// A `w` x `h` cell at (`x`, `y`) coloured for `kind`, with `label` centred in it.
    pub fn cell(&mut self, x: f64, y: f64, w: f64, h: f64, kind: Kind, label: &str) {
        self.cell_font(x, y, w, h, kind, label, Font::BODY);
    }

    /// Like [`Svg::cell`], with the label in `font` (a zero is always grey and italic).
    #[allow(clippy::too_many_arguments)]
    pub fn cell_font(&mut self, x: f64, y: f64, w: f64, h: f64, kind: Kind, label: &str, font: Font) {
        let dash = if kind == Kind::Zero { " stroke-dasharray=\"4 3\"" } else { "" };
        let stroke = if kind == Kind::Zero { "#999999" } else { BORDER };
        let _ = writeln!(
            self.body,
            "  <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"1.5\"{dash}/>",
            num(x),
            num(y),
            num(w),
            num(h),
            kind.fill()
        );
        if !label.is_empty() {
            let font = if kind == Kind::Zero { font.colour("#888888").italic() } else { font };
            self.text(x + w / 2.0, y + h / 2.0 + font.size * 0.35, label, font.with_anchor(Anchor::Middle));
        }
    }

    /// A `w` x `h` cell at (`x`, `y`) in any `fill`, bordered like an
    /// ordinary cell, with `label` centred in `font`: a cell of a heat map,
    /// whose colour stands for its number (see [`shade`]).
    #[allow(clippy::too_many_arguments)]
    pub fn filled_cell(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, label: &str, font: Font) {
        let _ = writeln!(
            self.body,
            "  <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{BORDER}\" stroke-width=\"1.5\"/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
        if !label.is_empty() {
            self.text(x + w / 2.0, y + h / 2.0 + font.size * 0.35, label, font.with_anchor(Anchor::Middle));
        }
    }

    /// `text` with its baseline at `y`, anchored at `x` as `font` says.
    pub fn text(&mut self, x: f64, y: f64, text: &str, font: Font) {
        let anchor = match font.anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        let size =
            if font.size == Font::BODY.size { String::new() } else { format!(" font-size=\"{}\"", num(font.size)) };
        let bold = if font.bold { " font-weight=\"bold\"" } else { "" };
        let italic = if font.italic { " font-style=\"italic\"" } else { "" };
        let _ = writeln!(
            self.body,
            "  <text x=\"{}\" y=\"{}\" fill=\"{}\"{anchor}{size}{bold}{italic}>{}</text>",
            num(x),
            num(y),
            font.colour,
            escape(text)
        );
    }

    /// A rounded outline in the accent colour around a window.
    pub fn outline(&mut self, x: f64, y: f64, w: f64, h: f64) {
        let _ = writeln!(
            self.body,
            "  <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"5\" fill=\"none\" stroke=\"{ACCENT}\" stroke-width=\"3\"/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// A straight line in `colour`.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), colour: &str) {
        let _ = writeln!(
            self.body,
            "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// An arrow in the accent colour from `from` to `to`.
    pub fn arrow(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        let _ = writeln!(
            self.body,
            "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{ACCENT}\" stroke-width=\"2\" marker-end=\"url(#arrow)\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// A row of small swatches, each followed by what its colour means,
    /// starting at `x` with its text baseline at `y`.
    pub fn legend(&mut self, x: f64, y: f64, entries: &[(Kind, &str)]) {
        let font = Font::BODY.size(13.0).colour(MUTED).start();
        let mut at = x;
        for (kind, meaning) in entries {
            self.cell(at, y - 12.0, 16.0, 16.0, *kind, "");
            self.text(at + 22.0, y, meaning, font);
            // A rough width of the text, to place the next entry.
            at += 22.0 + 7.0 * meaning.chars().count() as f64 + 24.0;
        }
    }

    /// The finished document; `origin` says, in a comment at its top, which
    /// code drew it (so that nobody edits the SVG by hand).
    pub fn finish(self, origin: &str) -> String {
        let (w, h) = (num(self.width), num(self.height));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"{FONT_FAMILY}\" font-size=\"16\" role=\"img\" aria-labelledby=\"title desc\">"
        );
        let _ = writeln!(out, "  <!-- {} -->", escape(origin));
        let _ = writeln!(out, "  <title id=\"title\">{}</title>", escape(&self.title));
        let _ = writeln!(out, "  <desc id=\"desc\">{}</desc>", escape(&self.desc));
        let _ = writeln!(out, "  <defs>");
        let _ = writeln!(
            out,
            "    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
             orient=\"auto-start-reverse\">"
        );
        let _ = writeln!(out, "      <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"{ACCENT}\"/>");
        let _ = writeln!(out, "    </marker>");
        let _ = writeln!(out, "  </defs>");
        let _ = writeln!(out, "  <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>");
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}

/// How a curve is drawn: colour, width and whether it is dashed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    pub colour: &'static str,
    pub width: f64,
    pub dashed: bool,
}

impl Stroke {
    /// A solid line, 2.5 pixels wide, in `colour`.
    pub const fn solid(colour: &'static str) -> Stroke {
        Stroke { colour, width: 2.5, dashed: false }
    }
    /// A thin dashed line in [`GHOST`] grey, for a curve shown for comparison.
    pub const GHOST: Stroke = Stroke { colour: GHOST, width: 2.0, dashed: true };

    pub fn width(self, width: f64) -> Stroke {
        Stroke { width, ..self }
    }
    pub fn dashed(self) -> Stroke {
        Stroke { dashed: true, ..self }
    }
}

/// A rectangle of the picture that shows the data ranges `x_range` and
/// `y_range`: it turns data coordinates into pixels, with y growing upwards
/// as in mathematics (and downwards in SVG).
#[derive(Clone, Copy, Debug)]
pub struct Plot {
    /// Left edge in pixels.
    pub left: f64,
    /// Top edge in pixels.
    pub top: f64,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
    /// The data x at the left and at the right edge.
    pub x_range: (f64, f64),
    /// The data y at the bottom and at the top edge.
    pub y_range: (f64, f64),
}

impl Plot {
    /// The pixel column of the data coordinate `x`.
    pub fn x(&self, x: f64) -> f64 {
        let (from, to) = self.x_range;
        self.left + (x - from) / (to - from) * self.width
    }

    /// The pixel row of the data coordinate `y`.
    pub fn y(&self, y: f64) -> f64 {
        let (from, to) = self.y_range;
        self.top + (to - y) / (to - from) * self.height
    }

    /// The pixel position of the data point (`x`, `y`).
    pub fn at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (self.x(x), self.y(y))
    }

    /// The bottom edge in pixels.
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// The right edge in pixels.
    pub fn right(&self) -> f64 {
        self.left + self.width
    }
}

/// `n` points (x, f(x)) evenly spaced from `from` to `to`, both ends
/// included: a function sampled for [`Svg::curve`].
pub fn sample(from: f64, to: f64, n: usize, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    assert!(n >= 2, "a curve needs at least two points");
    (0..n)
        .map(|i| {
            // Computed from the index, not by adding steps up, so that a
            // grid through 0 hits 0 exactly.
            let x = from + (to - from) * i as f64 / (n - 1) as f64;
            (x, f(x))
        })
        .collect()
}

impl Svg {
    /// The frame of `plot`: light grid lines at the ticks, the lines x = 0
    /// and y = 0 a little darker when they fall inside, the left and bottom
    /// edges as axes with tick marks, and the tick labels outside them.
    pub fn axes(&mut self, plot: &Plot, x_ticks: &[f64], y_ticks: &[f64]) {
        let (left, right, top, bottom) = (plot.left, plot.right(), plot.top, plot.bottom());
        let label = Font::BODY.size(13.0).colour(MUTED);
        let (grid, zero, axis) =
            (Stroke::solid(GRID).width(1.0), Stroke::solid(ZERO_LINE).width(1.0), Stroke::solid(BORDER).width(1.5));
        self.comment("Axes: grid, zero lines, ticks and their labels.");
        for &x in x_ticks {
            self.segment((plot.x(x), top), (plot.x(x), bottom), grid);
        }
        for &y in y_ticks {
            self.segment((left, plot.y(y)), (right, plot.y(y)), grid);
        }
        let inside = |value: f64, (from, to): (f64, f64)| from < value && value < to;
        if inside(0.0, plot.x_range) {
            self.segment((plot.x(0.0), top), (plot.x(0.0), bottom), zero);
        }
        if inside(0.0, plot.y_range) {
            self.segment((left, plot.y(0.0)), (right, plot.y(0.0)), zero);
        }
        self.segment((left, bottom), (right, bottom), axis);
        self.segment((left, top), (left, bottom), axis);
        for &x in x_ticks {
            self.segment((plot.x(x), bottom), (plot.x(x), bottom + 5.0), axis);
            self.text(plot.x(x), bottom + 20.0, &tick_label(x), label);
        }
        for &y in y_ticks {
            self.segment((left - 5.0, plot.y(y)), (left, plot.y(y)), axis);
            self.text(left - 9.0, plot.y(y) + 4.5, &tick_label(y), label.end());
        }
    }

    /// The data `points` of `plot` joined by straight lines.
    pub fn curve(&mut self, plot: &Plot, points: &[(f64, f64)], stroke: Stroke) {
        let points: Vec<String> = points
            .iter()
            .map(|&point| {
                let (x, y) = plot.at(point);
                format!("{},{}", num(x), num(y))
            })
            .collect();
        let dash = if stroke.dashed { " stroke-dasharray=\"7 5\"" } else { "" };
        let _ = writeln!(
            self.body,
            "  <polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" \
             stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}/>",
            points.join(" "),
            stroke.colour,
            num(stroke.width)
        );
    }

    /// A dot on the data point `at` of `plot`: filled with `colour` when the
    /// point belongs to the curve, hollow (white inside) when it does not.
    pub fn dot(&mut self, plot: &Plot, at: (f64, f64), colour: &str, filled: bool) {
        self.circle(plot.at(at), colour, filled);
    }

    /// A dot like [`Svg::dot`] at the pixel position `(x, y)`, for a legend.
    pub fn circle(&mut self, (x, y): (f64, f64), colour: &str, filled: bool) {
        let fill = if filled { colour } else { "#ffffff" };
        let _ = writeln!(
            self.body,
            "  <circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            num(x),
            num(y)
        );
    }

    /// A filled rectangle without border, in pixels: a band behind a plot.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            "  <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// A row of short line samples, each followed by the name of its curve,
    /// starting at `x` with its text baseline at `y`: the legend of a plot.
    pub fn curve_legend(&mut self, x: f64, y: f64, entries: &[(Stroke, &str)]) {
        let font = Font::BODY.size(13.0).colour(MUTED).start();
        let mut at = x;
        for (stroke, meaning) in entries {
            self.segment((at, y - 4.5), (at + 28.0, y - 4.5), *stroke);
            self.text(at + 36.0, y, meaning, font);
            // A rough width of the text, to place the next entry.
            at += 36.0 + 7.0 * meaning.chars().count() as f64 + 26.0;
        }
    }

    /// A straight line drawn with `stroke`.
    pub fn segment(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: Stroke) {
        let dash = if stroke.dashed { " stroke-dasharray=\"7 5\"" } else { "" };
        let _ = writeln!(
            self.body,
            "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            stroke.colour,
            num(stroke.width)
        );
    }
}

impl Font {
    fn with_anchor(self, anchor: Anchor) -> Font {
        Font { anchor, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.35 * 15.0), "5.25");
        assert_eq!(num(79.6), "79.6");
        assert_eq!(num(-0.001), "0");
    }

    #[test]
    fn tick_labels_use_a_minus_sign() {
        assert_eq!(tick_label(-2.0), "\u{2212}2");
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(-0.0), "0");
    }

    #[test]
    fn samples_include_both_ends_and_zero() {
        let points = sample(-2.0, 2.0, 9, |x| 2.0 * x);
        assert_eq!(points.len(), 9);
        assert_eq!(points[0], (-2.0, -4.0));
        assert_eq!(points[4], (0.0, 0.0));
        assert_eq!(points[8], (2.0, 4.0));
    }

    #[test]
    fn plots_put_y_upwards() {
        let plot =
            Plot { left: 10.0, top: 20.0, width: 100.0, height: 50.0, x_range: (-1.0, 1.0), y_range: (0.0, 1.0) };
        assert_eq!(plot.at((-1.0, 0.0)), (10.0, 70.0));
        assert_eq!(plot.at((1.0, 1.0)), (110.0, 20.0));
        assert_eq!(plot.at((0.0, 0.5)), (60.0, 45.0));
    }

    #[test]
    fn window_tints_cycle_and_differ_from_the_other_kinds() {
        assert_eq!(Kind::Window(5).fill(), Kind::Window(1).fill());
        for n in 0..WINDOW_FILLS.len() {
            let others = [Kind::Input, Kind::Kernel, Kind::Output, Kind::Zero];
            assert!(others.iter().all(|k| k.fill() != Kind::Window(n).fill()), "window tint {n}");
        }
    }

    #[test]
    fn shades_run_from_white_to_the_accent() {
        assert_eq!(shade(0.0), "#ffffff");
        assert_eq!(shade(1.0), ACCENT);
        assert_eq!(shade(-1.0), "#ffffff");
        assert_eq!(shade(0.5), "#8fa7bc");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
