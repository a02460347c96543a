//! The figures `cargo train` writes: curves of a training run, a confusion
//! matrix, digits, filters and attention weights, as SVG text drawn by code.

use ndarray::{ArrayView2, ArrayView4};

use drawing::{ACCENT, CURVES, Font, MUTED, Plot, Stroke, Svg, num, shade};

/// The note at the top of every plot.
const ORIGIN: &str = "Drawn by `cargo train` (train/src/plots.rs).";
/// The amber of negative weights, beside the accent blue of positive ones.
const NEGATIVE: &str = "#c27a00";

/// Tick values from `from` to `to`, both included, at the roundest step
/// that gives at most six intervals.
fn ticks(from: f64, to: f64) -> Vec<f64> {
    let span = to - from;
    let steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
    let count = steps
        .iter()
        .map(|step| span / step)
        .find(|n| *n <= 6.0 + 1e-9 && (n - n.round()).abs() < 1e-6)
        .map_or(5, |n| n.round() as usize)
        .max(1);
    (0..=count).map(|i| from + span * i as f64 / count as f64).collect()
}

/// The bottom of an accuracy axis that shows every value of `series`: 0.8,
/// or lower in steps of 0.2.
pub fn accuracy_floor(series: &[&[f64]]) -> f64 {
    let lowest = series.iter().flat_map(|s| s.iter().copied()).fold(1.0, f64::min);
    let fifths = (0..=4).rev().find(|&k| f64::from(k) * 0.2 <= lowest).unwrap_or(0).min(4);
    f64::from(fifths) * 0.2
}

/// Round `value` up to a "nice" number for the top of an axis (1, 2 or 5 times a power of ten).
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|&c| c >= value).unwrap_or(10.0 * power)
}

/// A line plot of one or more series against the epoch (1, 2, ...; or
/// whatever `x_label` names), with
/// a dot on every point and a legend when there are several series.
/// `y_range` fixes the vertical axis; `None` runs it from 0 to a round
/// number above the largest value.
pub fn epochs_plot(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, &[f64])],
    y_range: Option<(f64, f64)>,
) -> String {
    let epochs = series.iter().map(|(_, s)| s.len()).max().unwrap_or(0).max(1);
    let largest = series.iter().flat_map(|(_, s)| s.iter().copied()).fold(0.0, f64::max);
    let y_range = y_range.unwrap_or((0.0, nice_ceiling(largest)));
    let plot =
        Plot { left: 80.0, top: 50.0, width: 480.0, height: 260.0, x_range: (0.5, epochs as f64 + 0.5), y_range };
    let values: Vec<String> = series
        .iter()
        .map(|(name, s)| format!("{name}: {}", s.iter().map(|v| format!("{v:.4}")).collect::<Vec<_>>().join(", ")))
        .collect();
    let mut svg = Svg::new(620.0, 390.0, title, &format!("{title} per {x_label}. {}", values.join(". ")));
    svg.text(310.0, 28.0, title, Font::BODY.bold());
    let x_ticks: Vec<f64> = (1..=epochs).step_by(epochs.div_ceil(10)).map(|e| e as f64).collect();
    svg.axes(&plot, &x_ticks, &ticks(y_range.0, y_range.1));
    svg.text(plot.left + plot.width / 2.0, plot.bottom() + 42.0, x_label, Font::BODY.size(14.0).colour(MUTED));
    svg.text(22.0, plot.top - 14.0, y_label, Font::BODY.size(14.0).colour(MUTED).start());
    let mut legend = Vec::new();
    for (i, (name, s)) in series.iter().enumerate() {
        let colour = CURVES[i % CURVES.len()];
        let points: Vec<(f64, f64)> = s.iter().enumerate().map(|(e, &v)| ((e + 1) as f64, v)).collect();
        svg.comment(name);
        if points.len() > 1 {
            svg.curve(&plot, &points, Stroke::solid(colour));
        }
        for &point in &points {
            svg.dot(&plot, point, colour, true);
        }
        legend.push((Stroke::solid(colour), *name));
    }
    if series.len() > 1 {
        svg.curve_legend(plot.left, 380.0, &legend);
    }
    svg.finish(ORIGIN)
}

/// A 10 x 10 table of `counts[true][predicted]`: each cell shaded by its
/// share of its row, the diagonal (the correct answers) outlined.
pub fn confusion_matrix(counts: &[[usize; 10]; 10]) -> String {
    let (cell, left, top) = (40.0, 90.0, 80.0);
    let correct: usize = (0..10).map(|i| counts[i][i]).sum();
    let total: usize = counts.iter().flatten().sum();
    let desc = format!(
        "The confusion matrix of the test set: row = true digit, column = predicted digit; {correct} of {total} on the diagonal. Rows: {}",
        counts.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>().join("; ")
    );
    let mut svg = Svg::new(left + 10.0 * cell + 40.0, top + 10.0 * cell + 40.0, "Confusion matrix", &desc);
    svg.text(left + 5.0 * cell, 28.0, "Confusion matrix (test set)", Font::BODY.bold());
    svg.text(left + 5.0 * cell, top - 30.0, "predicted digit", Font::BODY.size(14.0).colour(MUTED));
    svg.text(20.0, top + 5.0 * cell, "true", Font::BODY.size(14.0).colour(MUTED).start());
    let small = Font::BODY.size(13.0);
    for (i, row) in counts.iter().enumerate() {
        svg.text(left + (i as f64 + 0.5) * cell, top - 8.0, &i.to_string(), small.colour(MUTED));
        svg.text(left - 10.0, top + (i as f64 + 0.5) * cell + 4.5, &i.to_string(), small.colour(MUTED).end());
        let total: usize = row.iter().sum();
        for (j, &count) in row.iter().enumerate() {
            let share = count as f64 / total.max(1) as f64;
            let label = if count == 0 { String::new() } else { count.to_string() };
            let font = if share > 0.5 { small.colour("#ffffff") } else { small };
            svg.filled_cell(left + j as f64 * cell, top + i as f64 * cell, cell, cell, &shade(share), &label, font);
        }
    }
    for i in 0..10 {
        svg.outline(left + i as f64 * cell, top + i as f64 * cell, cell, cell);
    }
    svg.finish(ORIGIN)
}

/// The grey of a pixel in [0, 1]: white paper, dark ink.
fn ink(value: f64) -> String {
    let level = (255.0 * (1.0 - value.clamp(0.0, 1.0))).round() as u8;
    format!("#{level:02x}{level:02x}{level:02x}")
}

/// Draws an image (`H x W`, values in [0, 1]) with its top-left corner at
/// (`x`, `y`), `pixel` wide per pixel; the white pixels are left out.
fn digit(svg: &mut Svg, x: f64, y: f64, pixel: f64, image: ArrayView2<f64>) {
    svg.rect(x, y, pixel * image.ncols() as f64, pixel * image.nrows() as f64, "#ffffff");
    for ((r, c), &v) in image.indexed_iter() {
        if v > 0.02 {
            svg.rect(x + c as f64 * pixel, y + r as f64 * pixel, pixel + 0.05, pixel + 0.05, &ink(v));
        }
    }
}

/// A grid of test digits the network got wrong (`N x 1 x H x W`, pixels in
/// [0, 1]), each captioned "predicted (true)".
pub fn misclassified(images: ArrayView4<f64>, predicted: &[usize], truth: &[usize]) -> String {
    let (n, _, h, w) = images.dim();
    let (pixel, columns) = (2.0, 8);
    let (box_w, box_h) = (w as f64 * pixel + 16.0, h as f64 * pixel + 34.0);
    let rows = n.div_ceil(columns).max(1);
    let pairs: Vec<String> = predicted.iter().zip(truth).map(|(p, t)| format!("{p} for {t}")).collect();
    let desc = format!("{n} misclassified test digits, predicted for true: {}", pairs.join(", "));
    let mut svg =
        Svg::new(columns as f64 * box_w + 20.0, rows as f64 * box_h + 60.0, "Misclassified test digits", &desc);
    svg.text(10.0, 28.0, "Misclassified test digits: predicted (true)", Font::BODY.bold().start());
    for i in 0..n {
        let (x, y) = (10.0 + (i % columns) as f64 * box_w, 44.0 + (i / columns) as f64 * box_h);
        digit(&mut svg, x + 8.0, y, pixel, images.slice(ndarray::s![i, 0, .., ..]));
        let caption = format!("{} ({})", predicted[i], truth[i]);
        svg.text(x + box_w / 2.0, y + h as f64 * pixel + 20.0, &caption, Font::BODY.size(14.0).colour(ACCENT));
    }
    svg.finish(ORIGIN)
}

/// The fill of a weight scaled to [-1, 1]: white at 0, blue for positive,
/// amber for negative.
fn diverging(value: f64) -> String {
    let t = value.clamp(-1.0, 1.0);
    let target = if t >= 0.0 { ACCENT } else { NEGATIVE };
    let mix = |at: usize| {
        let channel = u8::from_str_radix(&target[at..at + 2], 16).unwrap_or(0);
        (255.0 + (f64::from(channel) - 255.0) * t.abs()).round() as u8
    };
    format!("#{:02x}{:02x}{:02x}", mix(1), mix(3), mix(5))
}

/// The kernels of a convolution's first input channel (`Cout x Cin x K x K`),
/// side by side, each scaled by the largest absolute weight of all.
pub fn filters(weight: ArrayView4<f64>) -> String {
    let (cout, _, kh, kw) = weight.dim();
    let scale = weight.iter().fold(0.0f64, |m, &v| m.max(v.abs())).max(1e-12);
    let cell = 14.0;
    let width = kw as f64 * cell;
    let mut svg = Svg::new(
        20.0 + cout as f64 * (width + 16.0),
        kh as f64 * cell + 100.0,
        "First-layer filters",
        &format!(
            "The {cout} learned {kh} x {kw} kernels of the first convolution, blue for positive and amber for negative weights, the largest magnitude {} at full colour.",
            num(scale)
        ),
    );
    svg.text(10.0, 28.0, "First-layer filters (blue +, amber \u{2212})", Font::BODY.bold().start());
    for o in 0..cout {
        let x0 = 10.0 + o as f64 * (width + 16.0);
        for a in 0..kh {
            for d in 0..kw {
                let fill = diverging(weight[[o, 0, a, d]] / scale);
                svg.filled_cell(x0 + d as f64 * cell, 48.0 + a as f64 * cell, cell, cell, &fill, "", Font::BODY);
            }
        }
        svg.text(
            x0 + width / 2.0,
            48.0 + kh as f64 * cell + 22.0,
            &format!("#{o}"),
            Font::BODY.size(13.0).colour(MUTED),
        );
    }
    svg.finish(ORIGIN)
}

/// A heat map of attention weights (`T x T`, row = query position, column
/// = key position), the tokens written along both axes.
pub fn attention_map(title: &str, tokens: &[String], weights: ArrayView2<f64>) -> String {
    let t = tokens.len();
    let (cell, left, top) = (28.0, 70.0, 90.0);
    let rows: Vec<String> = weights
        .outer_iter()
        .enumerate()
        .map(|(i, row)| {
            let best = row.iter().enumerate().fold((0, -1.0), |b, (j, &v)| if v > b.1 { (j, v) } else { b });
            format!("position {i} ({}) attends most to position {} ({})", tokens[i], best.0, tokens[best.0])
        })
        .collect();
    let mut svg = Svg::new(
        left + t as f64 * cell + 30.0,
        top + t as f64 * cell + 50.0,
        title,
        &format!("{title}. {}.", rows.join("; ")),
    );
    svg.text(10.0, 28.0, title, Font::BODY.bold().start());
    svg.text(left + t as f64 * cell / 2.0, 52.0, "key (attended to)", Font::BODY.size(14.0).colour(MUTED));
    svg.text(10.0, top - 10.0, "query", Font::BODY.size(14.0).colour(MUTED).start());
    let small = Font::BODY.size(13.0);
    for (i, token) in tokens.iter().enumerate() {
        svg.text(left + (i as f64 + 0.5) * cell, top - 8.0, token, small.colour(MUTED));
        svg.text(left - 8.0, top + (i as f64 + 0.5) * cell + 4.5, token, small.colour(MUTED).end());
        for j in 0..t {
            let fill = shade(weights[[i, j]]);
            svg.filled_cell(left + j as f64 * cell, top + i as f64 * cell, cell, cell, &fill, "", small);
        }
    }
    svg.finish(ORIGIN)
}

/// Checks that `svg` is a well-formed XML document with one `<svg>` root:
/// every tag closed in order, attributes quoted, no stray `<` or `&`.
///
/// **Errors** with the first problem and where it is.
pub fn well_formed(svg: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg.trim_start();
    let mut roots = 0;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            check_text(rest)?;
            break;
        };
        check_text(&rest[..open])?;
        if stack.is_empty() && !rest[..open].trim().is_empty() {
            return Err(format!("text outside the root: {:?}", &rest[..open]));
        }
        rest = &rest[open..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment.find("-->").ok_or("an unclosed comment")?;
            rest = &comment[end + 3..];
            continue;
        }
        let end = rest.find('>').ok_or("an unclosed tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split_whitespace().next().ok_or("an empty tag")?;
        if !body[name.len()..].matches('"').count().is_multiple_of(2) {
            return Err(format!("unbalanced quotes in <{tag}>"));
        }
        if stack.is_empty() {
            roots += 1;
            if name != "svg" || roots > 1 {
                return Err(format!("the root is <{name}>, the {roots}th"));
            }
        }
        if !self_closing {
            stack.push(name);
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err("no <svg> root".to_string());
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), String> {
    for (at, _) in text.match_indices('&') {
        let entity = &text[at..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&#"].iter().any(|e| entity.starts_with(e)) {
            return Err(format!("a bare & in {text:?}"));
        }
    }
    if text.contains('>') {
        return Err(format!("a bare > in {text:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, Array4};

    use super::*;

    fn count(svg: &str, element: &str) -> usize {
        svg.matches(&format!("<{element} ")).count()
    }

    #[test]
    fn the_checker_catches_broken_documents() {
        assert!(well_formed("<svg a=\"1\"><g><rect/></g></svg>\n").is_ok());
        assert!(well_formed("<svg><g></svg>").is_err());
        assert!(well_formed("<svg><text>a & b</text></svg>").is_err());
        assert!(well_formed("<svg><rect x=\"1/></svg>").is_err());
        assert!(well_formed("<svg></svg><svg></svg>").is_err());
    }

    #[test]
    fn epoch_plots_have_a_curve_and_a_dot_per_epoch() {
        let loss = [0.9, 0.4, 0.2];
        let svg = epochs_plot("Training loss", "epoch", "loss", &[("train", &loss)], None);
        well_formed(&svg).unwrap();
        assert_eq!(count(&svg, "polyline"), 1);
        assert_eq!(count(&svg, "circle"), 3);
        assert!(svg.contains("<title id=\"title\">Training loss</title>"));
        let two = epochs_plot("Accuracy", "epoch", "accuracy", &[("train", &loss), ("test", &loss)], Some((0.0, 1.0)));
        well_formed(&two).unwrap();
        assert_eq!(count(&two, "polyline"), 2);
    }

    #[test]
    fn axes_get_round_ticks_and_room_for_every_value() {
        assert_eq!(ticks(0.0, 1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(0.8, 1.0).len(), 5);
        assert_eq!(ticks(0.0, 2.0), [0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(accuracy_floor(&[&[0.93, 0.97], &[0.85]]), 0.8);
        assert_eq!(accuracy_floor(&[&[0.72, 0.9]]), 0.6000000000000001);
        assert_eq!(accuracy_floor(&[&[0.05]]), 0.0);
    }

    #[test]
    fn the_confusion_matrix_has_a_hundred_cells() {
        let mut counts = [[0; 10]; 10];
        (0..10).for_each(|i| counts[i][i] = 97);
        counts[4][9] = 3;
        let svg = confusion_matrix(&counts);
        well_formed(&svg).unwrap();
        // 100 cells, 10 outlines of the diagonal and the background.
        assert_eq!(count(&svg, "rect"), 111);
        assert!(svg.contains(">97</text>") && svg.contains(">3</text>"));
    }

    #[test]
    fn digits_filters_and_attention_maps_are_well_formed() {
        let mut images = Array4::<f64>::zeros((3, 1, 28, 28));
        images[[0, 0, 5, 5]] = 1.0;
        let svg = misclassified(images.view(), &[1, 2, 3], &[7, 8, 9]);
        well_formed(&svg).unwrap();
        assert!(svg.contains(">1 (7)</text>") && svg.contains(">3 (9)</text>"));
        assert!(svg.contains("#000000"));

        let weights = Array4::from_shape_fn((6, 1, 5, 5), |(o, _, a, d)| o as f64 - a as f64 * d as f64);
        let svg = filters(weights.view());
        well_formed(&svg).unwrap();
        assert_eq!(count(&svg, "rect"), 1 + 6 * 25);

        let tokens: Vec<String> = ["3", "1", "|", "1"].iter().map(|s| s.to_string()).collect();
        let svg = attention_map("Attention & co", &tokens, Array2::<f64>::eye(4).view());
        well_formed(&svg).unwrap();
        assert_eq!(count(&svg, "rect"), 1 + 16);
        assert!(svg.contains("Attention &amp; co"));
    }
}
