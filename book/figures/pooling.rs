//! The figures of the `pooling` chapter, drawn on its worked example: the
//! 4 x 4 grid holding 1 to 16 (one batch, one channel) cut into 2 x 2
//! windows, whose tile rows are (1, 2, 5, 6), (3, 4, 7, 8), (9, 10, 13, 14)
//! and (11, 12, 15, 16) and whose average pool is [[3.5, 5.5], [11.5, 13.5]].
//!
//! Regenerate with `cargo run -p book --bin figures`.

use super::Figure;
use super::svg::{ACCENT, FAINT, Font, Kind, MUTED, Svg, num};

/// The input of the worked example, row by row; value v sits in storage
/// slot v - 1.
const GRID: [[u32; 4]; 4] = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]];
/// The tile worked out by hand in the chapter: row n is window (i, j) =
/// (n / 2, n % 2), its four values row-major.
const TILE: [[u32; 4]; 4] = [[1, 2, 5, 6], [3, 4, 7, 8], [9, 10, 13, 14], [11, 12, 15, 16]];
/// The average pool, also worked out by hand: the mean of each tile row.
const AVERAGE: [[f64; 2]; 2] = [[3.5, 5.5], [11.5, 13.5]];
/// The strides of the contiguous input, shape (1, 1, 4, 4).
const CONTIGUOUS: [usize; 4] = [16, 16, 4, 1];
/// The strides of the folded view, shape (1, 1, 2, 2, 2, 2), axes (b, c, i, a, j, d).
const FOLDED: [usize; 6] = [16, 16, 8, 4, 2, 1];
/// The strides after the permute (0, 1, 2, 4, 3, 5), axes (b, c, i, j, a, d).
const PERMUTED: [usize; 6] = [16, 16, 8, 2, 4, 1];
/// The strides of the tile, shape (1, 1, 2, 2, 4), once copied contiguous.
const TILED: [usize; 5] = [16, 16, 8, 4, 1];

/// The figures of the chapter.
pub fn figures() -> Vec<Figure> {
    vec![Figure { name: "pooling-windows.svg", svg: windows() }, Figure { name: "pooling-fold.svg", svg: fold() }]
}

/// The window a value of the grid belongs to: the row of [`TILE`] that holds it.
fn window_of(value: u32) -> usize {
    TILE.iter().position(|row| row.contains(&value)).expect("every value of the grid is in one window")
}

/// A list of numbers as "(a, b, c)".
fn tuple(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(usize::to_string).collect();
    format!("({})", items.join(", "))
}

/// The grid with its four windows tinted, the windows pulled apart with
/// their means, and arrows from each window to its output.
fn windows() -> String {
    let mut svg = Svg::new(
        840.0,
        500.0,
        "Average pooling of a 4 × 4 grid with 2 × 2 windows",
        "On the left, the 4 × 4 input grid with rows 1, 2, 3, 4 and 5, 6, 7, 8 and 9, 10, 11, 12 and 13, 14, 15, \
         16, cut into four 2 × 2 windows, each tinted in its own colour: 1, 2, 5, 6 in blue at the top left; 3, 4, \
         7, 8 in peach at the top right; 9, 10, 13, 14 in lilac at the bottom left; 11, 12, 15, 16 in teal at the \
         bottom right. An arrow labelled 'cut into 2 × 2 windows' leads to the same four windows pulled apart, one \
         at each corner, with the mean of each written beside it: (1 + 2 + 5 + 6) / 4 = 3.5, (3 + 4 + 7 + 8) / 4 = \
         5.5, (9 + 10 + 13 + 14) / 4 = 11.5 and (11 + 12 + 15 + 16) / 4 = 13.5. From the inner corner of each \
         window an arrow points to the matching cell of the 2 × 2 average pool in the middle, tinted like its \
         window, with rows 3.5, 5.5 and 11.5, 13.5. The windows do not overlap, so each input number counts in \
         exactly one output.",
    );
    let c = 44.0;
    let window = 2.0 * c;
    let gap = 6.0;
    let heading = Font::BODY.size(15.0).bold();
    let formula = Font::BODY.size(14.0);
    let top = 96.0;

    // The right part: windows at the corners of a box, the output in its middle.
    let (right, across, down) = (340.0, 230.0, 150.0);
    let corner = |i: usize, j: usize| (right + (window + across) * j as f64, top + (window + down) * i as f64);
    let (ow, oh) = (60.0, c);
    let (ox, oy) = (right + window + (across - 2.0 * ow) / 2.0, top + window + (down - 2.0 * oh) / 2.0);
    let middle = top + window + down / 2.0;

    svg.comment("The input grid, its windows tinted and slightly apart.");
    let (gx, gy) = (30.0, middle - (4.0 * c + gap) / 2.0);
    svg.text(gx + 2.0 * c + gap / 2.0, gy - 16.0, "input, 4 × 4", heading);
    for (r, row) in GRID.iter().enumerate() {
        for (s, value) in row.iter().enumerate() {
            let x = gx + c * s as f64 + gap * (s / 2) as f64;
            let y = gy + c * r as f64 + gap * (r / 2) as f64;
            svg.cell(x, y, c, c, Kind::Window(window_of(*value)), &value.to_string());
        }
    }

    svg.comment("Cutting the grid into its windows.");
    let (from, to) = (gx + 4.0 * c + gap + 14.0, right - 22.0);
    svg.arrow((from, middle), (to, middle));
    let label = Font::BODY.size(13.0).colour(MUTED);
    svg.text((from + to) / 2.0, middle - 28.0, "cut into", label);
    svg.text((from + to) / 2.0, middle - 12.0, "2 × 2 windows", label);

    svg.comment("The four windows, each with its mean.");
    svg.text(right + window + across / 2.0, 36.0, "each window and its mean", heading);
    for (n, values) in TILE.iter().enumerate() {
        let (i, j) = (n / 2, n % 2);
        let (x, y) = corner(i, j);
        for (k, value) in values.iter().enumerate() {
            svg.cell(x + c * (k % 2) as f64, y + c * (k / 2) as f64, c, c, Kind::Window(n), &value.to_string());
        }
        let terms: Vec<String> = values.iter().map(u32::to_string).collect();
        let text = format!("({}) / 4 = {}", terms.join(" + "), num(AVERAGE[i][j]));
        let baseline = if i == 0 { y - 14.0 } else { y + window + 26.0 };
        svg.text(x + window / 2.0, baseline, &text, formula);
    }

    svg.comment("The average pool, each cell tinted like its window, and the arrows into it.");
    svg.text(ox + ow, oy - 12.0, "average pool", heading.size(14.0).colour(ACCENT));
    for (i, row) in AVERAGE.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            svg.cell(ox + ow * j as f64, oy + oh * i as f64, ow, oh, Kind::Window(2 * i + j), &num(*value));
        }
    }
    for i in 0..2 {
        for j in 0..2 {
            let (x, y) = corner(i, j);
            // From the window's corner that faces the middle to the output
            // cell's corner that faces the window.
            let inner = (x + window * (1 - j) as f64, y + window * (1 - i) as f64);
            let outer = (ox + 2.0 * ow * j as f64, oy + 2.0 * oh * i as f64);
            let toward = |a: f64, b: f64| if b > a { 4.0 } else { -4.0 };
            svg.arrow(
                (inner.0 + toward(inner.0, outer.0), inner.1 + toward(inner.1, outer.1)),
                (outer.0 - toward(inner.0, outer.0), outer.1 - toward(inner.1, outer.1)),
            );
        }
    }

    svg.text(
        420.0,
        482.0,
        "each output is the mean of its own 2 × 2 window; the windows do not overlap, so 4 × 4 becomes 2 × 2",
        Font::BODY.size(13.0).colour(MUTED),
    );
    svg.finish(super::ORIGIN)
}

/// The storage, the folded view, the permuted view and the tile, with
/// their strides.
fn fold() -> String {
    let mut svg = Svg::new(
        860.0,
        712.0,
        "Tiling by views: fold, permute, copy",
        "Top: the storage of the contiguous input of shape (1, 1, 4, 4) and strides (16, 16, 4, 1), sixteen slots \
         numbered 0 to 15 holding the values 1 to 16, each tinted by the 2 × 2 window its value belongs to, so \
         the tints alternate in pairs: 1, 2 blue, 3, 4 peach, 5, 6 blue, 7, 8 peach, then 9, 10 lilac, 11, 12 \
         teal, 13, 14 lilac, 15, 16 teal. An arrow labelled 'view: no copy' leads to the left table: the view of \
         shape (1, 1, 2, 2, 2, 2), axes (b, c, i, a, j, d), strides (16, 16, 8, 4, 2, 1), drawn with rows (i, a) \
         and columns (j, d). It \
         shows the grid unchanged, rows 1 2 3 4, 5 6 7 8, 9 10 11 12, 13 14 15 16, with the windows as 2 × 2 blocks; \
         a step along i, a, j, d moves 8, 4, 2, 1 slots. An arrow labelled 'permute (0, 1, 2, 4, 3, 5)', 'axes a \
         and j swap: no copy', leads to the right table: the permuted view, axes (b, c, i, j, a, d), strides (16, \
         16, 8, 2, 4, 1), drawn with rows (i, j) and columns (a, d). Each of its rows is one window in one colour: 1 2 5 6, 3 4 7 8, 9 10 \
         13 14, 11 12 15 16; a step along i, j, a, d moves 8, 2, 4, 1 slots. An arrow leads down to the bottom \
         row: after a contiguous copy and a view as (1, 1, 2, 2, 4), strides (16, 16, 8, 4, 1), the new storage \
         holds 1 2 5 6, 3 4 7 8, 9 10 13 14, 11 12 15 16, one group of four per window (i, j) = (0, 0), (0, 1), \
         (1, 0), (1, 1): the rows of the tile. The view and the permute change only shape and strides; \
         only the contiguous copy moves numbers.",
    );
    let c = 44.0;
    let gap = 6.0;
    let heading = Font::BODY.size(15.0).bold().start();
    let strides = Font::BODY.size(14.0).colour(ACCENT).start();
    let note = Font::BODY.size(13.0).colour(MUTED);
    let faint = Font::BODY.size(11.0).colour(FAINT);

    svg.comment("The storage of the contiguous input.");
    let x0 = 96.0;
    svg.text(30.0, 30.0, "contiguous input, shape (1, 1, 4, 4)", heading);
    svg.text(362.0, 30.0, &format!("strides {}", tuple(&CONTIGUOUS)), strides);
    svg.text(x0 - 12.0, 60.0, "slot", faint.end());
    svg.text(x0 - 12.0, 93.0, "storage", note.end());
    for (slot, value) in GRID.iter().flatten().enumerate() {
        let x = x0 + c * slot as f64;
        svg.text(x + c / 2.0, 60.0, &slot.to_string(), faint);
        svg.cell(x, 66.0, c, c, Kind::Window(window_of(*value)), &value.to_string());
    }
    svg.text(
        x0 + 8.0 * c,
        132.0,
        "value v sits in slot v − 1; the tint of a value is the 2 × 2 window it belongs to",
        note,
    );

    // The two tables: a 4 x 4 block matrix each, rows and columns in pairs.
    let table = |svg: &mut Svg, x: f64, y: f64, rows: &[[u32; 4]; 4], row_axes: &str, col_axes: &str| {
        for k in 0..4 {
            let pair = format!("{},{}", k / 2, k % 2);
            svg.text(x + c * k as f64 + gap * (k / 2) as f64 + c / 2.0, y - 8.0, &pair, faint);
            svg.text(x - 8.0, y + c * k as f64 + gap * (k / 2) as f64 + c / 2.0 + 4.0, &pair, faint.end());
        }
        svg.text(x + 2.0 * c + gap / 2.0, y - 24.0, &format!("columns ({col_axes})"), faint);
        svg.text(x - 8.0, y - 8.0, &format!("({row_axes})"), faint.end());
        for (r, row) in rows.iter().enumerate() {
            for (s, value) in row.iter().enumerate() {
                let (cx, cy) = (x + c * s as f64 + gap * (s / 2) as f64, y + c * r as f64 + gap * (r / 2) as f64);
                svg.cell(cx, cy, c, c, Kind::Window(window_of(*value)), &value.to_string());
            }
        }
    };
    let (lx, rx, ty) = (130.0, 580.0, 296.0);
    let side = 4.0 * c + gap;

    svg.comment("Storage to the folded view: a view, no copy.");
    svg.arrow((lx + side / 2.0, 146.0), (lx + side / 2.0, 178.0));
    svg.text(lx + side / 2.0 + 14.0, 167.0, "view: no copy", note.start());

    svg.comment("The folded view, shape (1, 1, 2, 2, 2, 2).");
    svg.text(60.0, 204.0, "view as (1, 1, 2, 2, 2, 2)", heading);
    svg.text(60.0, 224.0, "axes (b, c, i, a, j, d)", note.start());
    svg.text(60.0, 244.0, &format!("strides {}", tuple(&FOLDED)), strides);
    table(&mut svg, lx, ty, &GRID, "i, a", "j, d");
    svg.text(lx + side / 2.0, ty + side + 26.0, "a step along i, a, j, d moves 8, 4, 2, 1 slots", note);

    svg.comment("The folded view to the permuted one: a permute, no copy.");
    let mid = ty + side / 2.0;
    svg.arrow((lx + side + 22.0, mid), (rx - 52.0, mid));
    let centre = (lx + side + rx - 30.0) / 2.0;
    svg.text(centre, mid - 12.0, "permute (0, 1, 2, 4, 3, 5)", note.colour(ACCENT));
    svg.text(centre, mid + 22.0, "axes a and j swap: no copy", note);

    svg.comment("The permuted view: one window per row.");
    svg.text(rx - 50.0, 204.0, "the permuted view", heading);
    svg.text(rx - 50.0, 224.0, "axes (b, c, i, j, a, d)", note.start());
    svg.text(rx - 50.0, 244.0, &format!("strides {}", tuple(&PERMUTED)), strides);
    table(&mut svg, rx, ty, &TILE, "i, j", "a, d");
    svg.text(rx + side / 2.0, ty + side + 26.0, "a step along i, j, a, d moves 8, 2, 4, 1 slots", note);

    svg.comment("A contiguous copy, viewed as (1, 1, 2, 2, 4): the tile.");
    svg.arrow((rx + side / 2.0, ty + side + 40.0), (rx + side / 2.0, ty + side + 84.0));
    svg.text(rx + side / 2.0 + 14.0, ty + side + 60.0, "contiguous copy,", note.start());
    svg.text(rx + side / 2.0 + 14.0, ty + side + 76.0, "then a view", note.start());
    let by = ty + side + 112.0;
    svg.text(30.0, by - 34.0, "the tile, shape (1, 1, 2, 2, 4)", heading);
    svg.text(30.0, by - 12.0, &format!("strides {}", tuple(&TILED)), strides);
    let group = 10.0;
    let bx = (860.0 - 16.0 * c - 3.0 * group) / 2.0;
    for (n, row) in TILE.iter().enumerate() {
        let gx = bx + (4.0 * c + group) * n as f64;
        for (k, value) in row.iter().enumerate() {
            svg.cell(gx + c * k as f64, by, c, c, Kind::Window(n), &value.to_string());
        }
        svg.text(gx + 2.0 * c, by + c + 20.0, &format!("window (i, j) = ({}, {})", n / 2, n % 2), faint.size(12.0));
    }
    svg.text(
        430.0,
        by + c + 56.0,
        "the view and the permute change only shape and strides; only the contiguous copy moves numbers",
        note,
    );
    svg.finish(super::ORIGIN)
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayView, IxDyn, ShapeBuilder};

    use super::*;

    /// The slot that ndarray reads for `index` under `strides`, in a
    /// storage holding the slot numbers 0 to 15.
    fn slot(index: &[usize], strides: &[usize]) -> usize {
        let storage: Vec<usize> = (0..16).collect();
        // Each axis just long enough for the index; ndarray does the arithmetic.
        let shape: Vec<usize> = index.iter().map(|&i| i + 1).collect();
        let view = ArrayView::from_shape(IxDyn(&shape).strides(IxDyn(strides)), &storage)
            .expect("the strides stay inside the storage");
        view[IxDyn(index)]
    }

    /// The grid is the storage 1..16 read with the contiguous strides, and
    /// the folded view reads the same grid.
    #[test]
    fn the_views_drawn_read_the_grid() {
        for (h, row) in GRID.iter().enumerate() {
            for (w, &value) in row.iter().enumerate() {
                let value = value as usize;
                assert_eq!(slot(&[0, 0, h, w], &CONTIGUOUS) + 1, value);
                assert_eq!(slot(&[0, 0, h / 2, h % 2, w / 2, w % 2], &FOLDED) + 1, value);
            }
        }
    }

    /// Reading the storage with the permuted strides gives the tile rows,
    /// and so does the contiguous tile with its own strides.
    #[test]
    fn the_permuted_strides_read_the_tile() {
        for (n, row) in TILE.iter().enumerate() {
            for (k, value) in row.iter().enumerate() {
                let (i, j, a, d) = (n / 2, n % 2, k / 2, k % 2);
                assert_eq!(slot(&[0, 0, i, j, a, d], &PERMUTED) + 1, *value as usize, "window {n}, entry {k}");
                assert_eq!(slot(&[0, 0, i, j, k], &TILED), 4 * n + k);
            }
        }
    }

    /// Each tile row is its window of the grid, and its mean is the average
    /// pool drawn.
    #[test]
    fn tile_rows_are_the_windows_and_average_to_the_pool() {
        for (n, row) in TILE.iter().enumerate() {
            let (i, j) = (n / 2, n % 2);
            let block =
                [GRID[2 * i][2 * j], GRID[2 * i][2 * j + 1], GRID[2 * i + 1][2 * j], GRID[2 * i + 1][2 * j + 1]];
            assert_eq!(*row, block);
            let mean = row.iter().sum::<u32>() as f64 / 4.0;
            assert_eq!(mean, AVERAGE[i][j]);
        }
    }
}
