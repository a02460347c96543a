//! How the grader prints arrays: inline in a message (`[[1, 2], [3, 4]]`),
//! or an expected and an actual array side by side, the elements that
//! differ marked. Every number goes through [`numeric::fmt_value`] or
//! [`numeric::fmt_digits`], so a value reads the same everywhere.

use ndarray::{ArrayViewD, Dimension, IxDyn};
use numeric::gradcheck::{Tolerance, close};
use numeric::{fmt_digits, fmt_shape, fmt_value};

/// Arrays of at most this many elements are pictured whole; larger ones as
/// a window around their first difference.
pub const WHOLE: usize = 64;

/// The most rows and columns one block of a picture shows.
const SPAN: usize = 8;

/// The fewest significant digits a pictured element is given; more when
/// two elements that differ would otherwise print alike.
const DIGITS: usize = 4;

/// An axis longer than this prints inline as its first and last
/// [`ENDS`] elements around `...`, once the array has more than
/// [`WHOLE`] elements.
const LONG: usize = 8;
const ENDS: usize = 3;

/// `a` inline, nested like numpy (`[[1, 2], [3, 4]]`, `5` for no axes),
/// every element exact ([`fmt_value`]); an array of more than [`WHOLE`]
/// elements prints the ends of each long axis around `...`.
pub fn array(a: &ArrayViewD<f64>) -> String {
    let elide = a.len() > WHOLE;
    let mut out = String::new();
    let mut index = Vec::with_capacity(a.ndim());
    nest(a, elide, &mut index, &mut out);
    out
}

/// A list of numbers inline, as [`array`] prints a vector: `[1, 2.5, NaN]`.
pub fn list(values: &[f64]) -> String {
    array(&ArrayViewD::from_shape(IxDyn(&[values.len()]), values).expect("a slice is a vector"))
}

fn nest(a: &ArrayViewD<f64>, elide: bool, index: &mut Vec<usize>, out: &mut String) {
    let axis = index.len();
    if axis == a.ndim() {
        out.push_str(&fmt_value(a[IxDyn(index)]));
        return;
    }
    let len = a.shape()[axis];
    let shown: Vec<Option<usize>> = if elide && len > LONG {
        (0..ENDS).map(Some).chain([None]).chain((len - ENDS..len).map(Some)).collect()
    } else {
        (0..len).map(Some).collect()
    };
    out.push('[');
    for (k, i) in shown.into_iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        match i {
            Some(i) => {
                index.push(i);
                nest(a, elide, index, out);
                index.pop();
            }
            None => out.push_str("..."),
        }
    }
    out.push(']');
}

/// `expected` and `actual` (of one shape) side by side, the elements that
/// differ beyond `tol` marked `*`: whole when they have at most [`WHOLE`]
/// elements, else the neighbourhood (up to 8 x 8 of the last two axes) of
/// the first difference. A vector shows as rows of 8 labelled with the
/// index of their first element; an array of 2 axes and more as rows and
/// columns labelled with their indices, one block per index of the leading
/// axes. Empty when the arrays hold no difference or have no axes (the
/// message's first line says it all).
pub fn difference(expected: &ArrayViewD<f64>, actual: &ArrayViewD<f64>, tol: Tolerance) -> String {
    assert_eq!(expected.shape(), actual.shape(), "a difference of arrays of one shape");
    let differs = |at: &[usize]| !close(expected[IxDyn(at)], actual[IxDyn(at)], tol);
    let count = expected.indexed_iter().filter(|(at, _)| differs(at.slice())).count();
    let first = expected.indexed_iter().map(|(at, _)| at.slice().to_vec()).find(|at| differs(at));
    let (Some(first), true) = (first, expected.ndim() > 0) else {
        return String::new();
    };
    let whole = expected.len() <= WHOLE;
    let blocks = blocks(expected.shape(), &first, whole);
    // Each pair that differs gets the digits that tell its two apart.
    let pair = |at: &[usize]| {
        let (e, a) = (expected[IxDyn(at)], actual[IxDyn(at)]);
        let marked = differs(at);
        let digits = if marked { (DIGITS..=17).find(|&d| apart(e, a, d)).unwrap_or(17) } else { DIGITS };
        Pair { expected: Cell::new(&fmt_digits(e, digits)), actual: Cell::new(&fmt_digits(a, digits)), marked }
    };

    // Every cell of every block, and the widths that align them.
    let mut cells: Vec<Vec<(String, Vec<Option<Pair>>)>> = Vec::new();
    let (mut int_width, mut frac_width, mut label_width) = (1, 0, 0);
    for block in &blocks {
        label_width = label_width.max(block.label.as_ref().map_or(0, String::len));
        int_width = block.columns.iter().map(String::len).fold(int_width, usize::max);
        let mut rows = Vec::new();
        for (label, row) in &block.rows {
            label_width = label_width.max(label.len());
            let row: Vec<Option<Pair>> = row.iter().map(|at| at.as_deref().map(pair)).collect();
            for cell in row.iter().flatten().flat_map(|p| [&p.expected, &p.actual]) {
                int_width = int_width.max(cell.int.len());
                frac_width = frac_width.max(cell.frac.len());
            }
            rows.push((label.clone(), row));
        }
        cells.push(rows);
    }
    let columns_per_block = blocks.iter().map(|b| b.columns.len()).max().unwrap_or(0);
    // A cell: the number, then its mark; cells one space apart.
    let cell_width = int_width + frac_width + 1;
    let grid_width = (columns_per_block * (cell_width + 1) - 1).max("expected".len());
    let margin = "  ";
    let gap = "  |  ";

    let mut out = String::new();
    if !whole {
        out.push_str(&format!(
            "{margin}around index {} of the arrays of shape {}:\n",
            fmt_shape(&first),
            fmt_shape(expected.shape())
        ));
    }
    out.push_str(&format!("{margin}{:label_width$}  {:<grid_width$}{gap}actual\n", "", "expected"));
    let pad = |text: String, width: usize| format!("{text:<width$}");
    for (block, rows) in blocks.iter().zip(&cells) {
        let heading: Vec<String> = block.columns.iter().map(|c| pad(format!("{c:>int_width$}"), cell_width)).collect();
        let heading = pad(heading.join(" "), grid_width);
        let label = block.label.clone().unwrap_or_default();
        let line = format!("{margin}{label:>label_width$}  {heading}{gap}{heading}");
        out.push_str(line.trim_end());
        out.push('\n');
        for (label, row) in rows {
            let side = |pick: fn(&Pair) -> &Cell| {
                let texts: Vec<String> = row
                    .iter()
                    .map(|pair| match pair {
                        Some(pair) => {
                            let (number, mark) = (pick(pair), if pair.marked { '*' } else { ' ' });
                            pad(format!("{:>int_width$}{}{mark}", number.int, number.frac), cell_width)
                        }
                        None => " ".repeat(cell_width),
                    })
                    .collect();
                pad(texts.join(" "), grid_width)
            };
            let line = format!("{margin}{label:>label_width$}  {}{gap}{}", side(|p| &p.expected), side(|p| &p.actual));
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    let total = expected.len();
    out.push_str(&match count {
        1 => format!("{margin}* marks the 1 element of {total} that differs"),
        _ => format!("{margin}* marks the {count} elements of {total} that differ"),
    });
    out
}

/// Whether `e` and `a` print as two different numbers with `digits`
/// significant digits (two NaN always print alike).
fn apart(e: f64, a: f64, digits: usize) -> bool {
    (e.is_nan() && a.is_nan()) || fmt_digits(e, digits) != fmt_digits(a, digits)
}

/// One position of a picture: both values, and whether they differ.
struct Pair {
    expected: Cell,
    actual: Cell,
    marked: bool,
}

/// A number split at its point, to align a column on it.
struct Cell {
    int: String,
    frac: String,
}

impl Cell {
    fn new(text: &str) -> Self {
        let (int, frac) = text.find('.').map_or((text, ""), |point| text.split_at(point));
        Cell { int: int.to_string(), frac: frac.to_string() }
    }
}

/// A grid of a picture: a label (the leading indices), the column
/// headings, and rows of a label and the array indices of their cells
/// (`None` past the end of a vector's last row).
struct Block {
    label: Option<String>,
    columns: Vec<String>,
    rows: Vec<(String, Vec<Option<Vec<usize>>>)>,
}

/// Up to `span` consecutive positions of an axis of `len`, around `at`.
fn window(len: usize, at: usize, span: usize) -> std::ops::Range<usize> {
    let start = at.saturating_sub((span - 1) / 2).min(len.saturating_sub(span));
    start..len.min(start + span)
}

/// The blocks that picture an array of `shape`: all of it when `whole`,
/// else the neighbourhood of `first`.
fn blocks(shape: &[usize], first: &[usize], whole: bool) -> Vec<Block> {
    if let [len] = *shape {
        return vec![vector(len, first[0], whole)];
    }
    let rank = shape.len();
    let (rows, columns) = (shape[rank - 2], shape[rank - 1]);
    let lead = &shape[..rank - 2];
    let mut blocks = Vec::new();
    if whole {
        for leading in indices(lead) {
            let column_chunks: Vec<std::ops::Range<usize>> =
                (0..columns).step_by(SPAN).map(|start| start..columns.min(start + SPAN)).collect();
            for chunk in column_chunks {
                blocks.push(grid(&leading, rank, 0..rows, chunk));
            }
        }
    } else {
        let row_range = window(rows, first[rank - 2], SPAN);
        let column_range = window(columns, first[rank - 1], SPAN);
        // Small trailing blocks: neighbours along the last leading axis too.
        let per_block = row_range.len() * column_range.len();
        let neighbours = match lead.len() {
            0 => 0..1,
            n => window(lead[n - 1], first[n - 1], (WHOLE / per_block.max(1)).clamp(1, SPAN)),
        };
        for k in neighbours {
            let mut leading = first[..rank - 2].to_vec();
            if let Some(last) = leading.last_mut() {
                *last = k;
            }
            blocks.push(grid(&leading, rank, row_range.clone(), column_range.clone()));
        }
    }
    blocks
}

/// A block of the last two axes at the `leading` indices.
fn grid(leading: &[usize], rank: usize, rows: std::ops::Range<usize>, columns: std::ops::Range<usize>) -> Block {
    let label = (rank > 2).then(|| {
        let parts: Vec<String> = leading.iter().map(usize::to_string).chain(["", ""].map(|_| ":".into())).collect();
        format!("[{}]", parts.join(", "))
    });
    let cells = |r: usize| {
        let at = |c: usize| Some(leading.iter().copied().chain([r, c]).collect::<Vec<usize>>());
        columns.clone().map(at).collect()
    };
    Block {
        label,
        columns: columns.clone().map(|c| c.to_string()).collect(),
        rows: rows.map(|r| (r.to_string(), cells(r))).collect(),
    }
}

/// A vector as rows of up to [`SPAN`] elements, each labelled with the
/// index of its first, the columns headed by the offsets `+0`, `+1`, ...
fn vector(len: usize, first: usize, whole: bool) -> Block {
    let lines = len.div_ceil(SPAN);
    let shown = if whole { 0..lines } else { window(lines, first / SPAN, SPAN) };
    let rows = shown
        .map(|line| {
            let start = line * SPAN;
            let cells = (start..start + len.min(SPAN)).map(|i| (i < len).then(|| vec![i])).collect();
            (start.to_string(), cells)
        })
        .collect();
    Block { label: None, columns: (0..len.min(SPAN)).map(|k| format!("+{k}")).collect(), rows }
}

/// Every index of `shape` in row-major order (one, `[]`, for no axes).
fn indices(shape: &[usize]) -> Vec<Vec<usize>> {
    let mut all = vec![vec![]];
    for &len in shape {
        all = all.into_iter().flat_map(|prefix| (0..len).map(move |i| [prefix.clone(), vec![i]].concat())).collect();
    }
    all
}

#[cfg(test)]
mod tests {
    use ndarray::{ArrayD, array};
    use numeric::gradcheck::FORWARD;

    use super::*;

    fn picture(expected: ArrayD<f64>, actual: ArrayD<f64>) -> String {
        difference(&expected.view(), &actual.view(), FORWARD)
    }

    #[test]
    fn inline_arrays_nest_like_numpy() {
        assert_eq!(
            array(&array![[1.0, 2.5], [-3.0, 0.1 + 0.2]].into_dyn().view()),
            "[[1, 2.5], [-3, 0.30000000000000004]]"
        );
        assert_eq!(list(&[f64::NAN, f64::INFINITY, -1e300]), "[NaN, inf, -1e300]");
        assert_eq!(array(&ArrayD::from_elem(IxDyn(&[]), 5.0).view()), "5");
        assert_eq!(list(&[]), "[]");
        let long = ArrayD::from_shape_fn(IxDyn(&[2, 40]), |i| (i[0] * 40 + i[1]) as f64);
        assert_eq!(array(&long.view()), "[[0, 1, 2, ..., 37, 38, 39], [40, 41, 42, ..., 77, 78, 79]]");
    }

    #[test]
    fn a_short_vector_is_one_row_of_offsets() {
        let text = picture(array![1.0, 2.0, 3.0].into_dyn(), array![1.0, 2.5, 3.0].into_dyn());
        let expected = "
     expected           |  actual
     +0    +1    +2     |  +0    +1    +2
  0   1     2*    3     |   1     2.5*  3
  * marks the 1 element of 3 that differs";
        assert_eq!(text, &expected[1..], "\n{text}");
    }

    #[test]
    fn a_matrix_shows_rows_and_columns_by_index() {
        let text = picture(
            array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn(),
            array![[1.0, 2.0, 3.0], [4.5, 5.0, -6.25]].into_dyn(),
        );
        let expected = "
     expected              |  actual
      0      1      2      |   0      1      2
  0   1      2      3      |   1      2      3
  1   4*     5      6*     |   4.5*   5     -6.25*
  * marks the 2 elements of 6 that differ";
        assert_eq!(text, &expected[1..], "\n{text}");
    }

    #[test]
    fn three_axes_show_one_labelled_block_per_leading_index() {
        let e = ArrayD::from_shape_fn(IxDyn(&[2, 2, 3]), |i| (i[0] * 6 + i[1] * 3 + i[2]) as f64 / 4.0);
        let mut a = e.clone();
        a[[1, 0, 2]] = 0.0;
        let text = picture(e, a);
        let expected = "
             expected           |  actual
  [0, :, :]  0     1     2      |  0     1     2
          0  0     0.25  0.5    |  0     0.25  0.5
          1  0.75  1     1.25   |  0.75  1     1.25
  [1, :, :]  0     1     2      |  0     1     2
          0  1.5   1.75  2*     |  1.5   1.75  0*
          1  2.25  2.5   2.75   |  2.25  2.5   2.75
  * marks the 1 element of 12 that differs";
        assert_eq!(text, &expected[1..], "\n{text}");
    }

    #[test]
    fn a_large_array_shows_8_x_8_around_the_first_difference() {
        let e = ArrayD::from_shape_fn(IxDyn(&[20, 30]), |i| (i[0] * 100 + i[1]) as f64);
        let mut a = e.clone();
        a[[13, 28]] = -1.0;
        let text = picture(e, a);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 1 + 1 + 8 + 1, "\n{text}");
        assert_eq!(lines[0], "  around index (13, 28) of the arrays of shape (20, 30):");
        assert_eq!(
            lines[2],
            "        22    23    24    25    26    27    28    29   |    22    23    24    25    26    27    28    29"
        );
        assert_eq!(
            lines[3],
            "  10  1022  1023  1024  1025  1026  1027  1028  1029   |  1022  1023  1024  1025  1026  1027  1028  1029"
        );
        assert_eq!(
            lines[6],
            "  13  1322  1323  1324  1325  1326  1327  1328* 1329   |  1322  1323  1324  1325  1326  1327    -1* 1329"
        );
        assert_eq!(lines[11], "  * marks the 1 element of 600 that differs");
    }

    #[test]
    fn a_long_vector_shows_the_rows_of_8_around_the_first_difference() {
        let e = ArrayD::from_shape_fn(IxDyn(&[100]), |i| i[0] as f64);
        let mut a = e.clone();
        a[[98]] = 0.0;
        let text = picture(e, a);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  around index (98,) of the arrays of shape (100,):");
        assert_eq!(lines[3], "  40  40  41  42  43  44  45  46  47   |  40  41  42  43  44  45  46  47");
        assert_eq!(lines[10], "  96  96  97  98* 99                   |  96  97   0* 99");
        assert_eq!(lines.len(), 12, "\n{text}");
    }

    #[test]
    fn nan_and_infinities_print_as_such() {
        let text = picture(
            array![[0.5, f64::NAN], [f64::INFINITY, 1.0]].into_dyn(),
            array![[f64::NAN, f64::NAN], [f64::INFINITY, f64::NEG_INFINITY]].into_dyn(),
        );
        let expected = "
     expected         |  actual
        0       1     |     0       1
  0     0.5*  NaN*    |   NaN*    NaN*
  1   inf       1*    |   inf    -inf*
  * marks the 3 elements of 4 that differ";
        assert_eq!(text, &expected[1..], "\n{text}");
    }

    #[test]
    fn two_close_values_get_the_digits_that_tell_them_apart() {
        let text = picture(array![1.0, 0.25].into_dyn(), array![1.000000002, 0.25].into_dyn());
        assert!(text.contains("  0   1*            0.25          |   1.000000002*  0.25"), "\n{text}");
    }

    #[test]
    fn equal_arrays_and_scalars_have_no_picture() {
        assert_eq!(picture(array![1.0, 2.0].into_dyn(), array![1.0, 2.0].into_dyn()), "");
        let (one, two) = (ArrayD::from_elem(IxDyn(&[]), 1.0), ArrayD::from_elem(IxDyn(&[]), 2.0));
        assert_eq!(picture(one, two), "");
    }

    #[test]
    fn a_large_array_of_3_axes_shows_the_blocks_around_the_first_difference() {
        let e = ArrayD::from_shape_fn(IxDyn(&[3, 20, 20]), |i| (i[0] * 1000 + i[1] * 20 + i[2]) as f64);
        let mut a = e.clone();
        a[[2, 0, 19]] = 0.5;
        let text = picture(e, a);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  around index (2, 0, 19) of the arrays of shape (3, 20, 20):");
        assert!(lines[2].starts_with("  [2, :, :]    12      13"), "\n{text}");
        assert_eq!(lines.len(), 1 + 1 + 1 + 8 + 1, "\n{text}");
        assert!(lines[3].contains("2019*    |  2012") && lines[3].ends_with("2018       0.5*"), "\n{text}");

        // Blocks of one element: the neighbours along the leading axis.
        let e = ArrayD::from_shape_fn(IxDyn(&[100, 1, 1]), |i| i[0] as f64);
        let mut a = e.clone();
        a[[50, 0, 0]] = 3.0;
        let text = picture(e, a);
        let labels: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with('[')).collect();
        assert_eq!(labels.len(), 8, "\n{text}");
        assert!(labels[0].starts_with("  [47, :, :]") && labels[7].starts_with("  [54, :, :]"), "\n{text}");
        assert!(text.contains("[50, :, :]") && text.contains("50*") && text.contains(" 3*"), "\n{text}");
    }
}
