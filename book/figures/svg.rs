//! A tiny SVG writer for the generated figures: cells with a label, text,
//! window outlines and arrows, in the colours and font of the hand-drawn
//! tensor figures (`book/src/figures/tensor-*.svg`).
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
/// The border of an ordinary cell.
const BORDER: &str = "#444444";

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
}

impl Kind {
    fn fill(self) -> &'static str {
        match self {
            Kind::Input => "#eef3f8",
            Kind::Kernel => "#ffd27f",
            Kind::Output => "#dcecd2",
            Kind::Zero => "#f6f6f6",
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

    /// The finished document.
    pub fn finish(self) -> String {
        let (w, h) = (num(self.width), num(self.height));
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             font-family=\"{FONT_FAMILY}\" font-size=\"16\" role=\"img\" aria-labelledby=\"title desc\">"
        );
        let _ = writeln!(
            out,
            "  <!-- Generated by the code in book/figures/: edit that code and regenerate (see book/figures/mod.rs), not this file. -->"
        );
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
    fn text_is_escaped() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
