// BEGIN HIDDEN
//! The matrix products of attention's blocks, with no copy per product.
//!
//! ndarray's product (matrixmultiply) first copies both operands into
//! blocks laid out for its kernel. On attention's small products (a block
//! of 32 queries against at most 128 keys, 64 numbers per token) those
//! copies took a third of the time, and the causal mask could only be
//! applied to whole blocks of queries. This product computes a tile of `c`
//! at a time, `c[i, j..j + C] += a[i, p] * b[p, j..j + C]` for `R` rows
//! `i` at once, reading `a` where it is (one number at a time, in any
//! layout) and `b` by rows. Each batch element copies `q`, `k`, `v` and
//! `grad_out` once into such operands ([`Operand`]), `k` and `v`
//! transposed too. And a [`Limit`] skips, tile by tile, what the causal
//! mask makes zero or throws away: a block computes what it needs to the
//! nearest tile, not to the nearest block.

use std::ops::Range;

use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

/// What the causal mask spares a product. `first` is the index of the
/// block's first query; rows and columns are those of `c`, and `p` is the
/// index the product sums over.
#[derive(Clone, Copy)]
pub(super) enum Limit {
    /// Everything is computed.
    None,
    /// Scores: row `i` needs the columns up to `first + i` only.
    Columns { first: usize },
    /// `a` is the block's weights (or their gradient): row `i` is zero
    /// past `p = first + i`.
    Below { first: usize },
    /// `a` is the block's weights transposed: row `j` (a key) is zero
    /// before `p = j - first`.
    Above { first: usize },
}

impl Limit {
    /// The columns of `c` that rows `rows` need, out of `n`, rounded up to
    /// whole tiles `width` wide: a few columns more cost less than the same
    /// ones computed one at a time.
    fn columns(self, rows: &Range<usize>, n: usize, width: usize) -> usize {
        match self {
            Limit::Columns { first } => n.min((first + rows.end).next_multiple_of(width)),
            _ => n,
        }
    }

    /// The terms of the sums of rows `rows` that may not be zero, out of `k`.
    fn terms(self, rows: &Range<usize>, k: usize) -> Range<usize> {
        match self {
            Limit::Below { first } => 0..k.min(first + rows.end),
            Limit::Above { first } => rows.start.saturating_sub(first).min(k)..k,
            _ => 0..k,
        }
    }
}

/// A right operand of [`product`]: a matrix copied so that every row
/// starts on a cache line. Rows are read as vectors of eight numbers, and
/// one that straddles two cache lines costs two reads: with these copies,
/// causal attention's backward ran about 15 % faster than with `q`, `k`
/// and `grad_out` read where the allocator had put them.
pub(super) struct Operand {
    numbers: Vec<f64>,
    start: usize,
    rows: usize,
    cols: usize,
    row: usize,
}

impl Operand {
    /// Zeros, `rows x cols`, to be filled with [`Operand::set`] or
    /// [`Operand::set_transposed`] once per batch element.
    pub(super) fn zeros(rows: usize, cols: usize) -> Self {
        let row = cols.next_multiple_of(LINE);
        // A row at least, or ndarray sees `rows x cols` with no rows as
        // reaching past the numbers.
        let numbers = vec![0.0; rows.max(1) * row + LINE];
        let start = numbers.as_ptr().align_offset(LINE * size_of::<f64>()).min(LINE);
        Operand { numbers, start, rows, cols, row }
    }

    /// Copies `x` in.
    ///
    /// **Panics** when `x` is not `rows x cols`.
    pub(super) fn set(&mut self, x: ArrayView2<f64>) {
        assert_eq!(x.dim(), (self.rows, self.cols), "an operand's shape");
        for (i, x) in x.rows().into_iter().enumerate() {
            let row = &mut self.numbers[self.start + i * self.row..][..self.cols];
            match x.as_slice() {
                Some(x) => row.copy_from_slice(x),
                None => row.iter_mut().zip(x).for_each(|(to, &from)| *to = from),
            }
        }
    }

    /// Copies `x^T` in, in squares of a cache line by a cache line: a
    /// column at a time, the rows written are a power of two apart and fall
    /// in the same few sets of the cache, which then holds none of them
    /// (the transposes took 11 % of causal attention that way). Each square
    /// is transposed in vector registers ([`square`]): with its numbers
    /// moved one at a time, the transposes still took 10 % of causal
    /// attention's time, and now take 5 %.
    ///
    /// **Panics** when `x` is not `cols x rows`.
    pub(super) fn set_transposed(&mut self, x: ArrayView2<f64>) {
        assert_eq!(x.dim(), (self.cols, self.rows), "a transposed operand's shape");
        let x = x.as_standard_layout();
        let x = x.as_slice().expect("a standard matrix");
        let (rows, cols, row) = (self.rows, self.cols, self.row);
        let out = &mut self.numbers[self.start..];
        for j in (0..cols).step_by(LINE) {
            for i in (0..rows).step_by(LINE) {
                let (from, to) = (&x[j * rows + i..], &mut out[i * row + j..]);
                if i + LINE <= rows && j + LINE <= cols {
                    square(from, rows, to, row);
                } else {
                    transpose(from, rows, to, row, LINE.min(cols - j), LINE.min(rows - i));
                }
            }
        }
    }

    /// The matrix.
    pub(super) fn view(&self) -> ArrayView2<'_, f64> {
        let numbers = &self.numbers[self.start..];
        ArrayView2::from_shape((self.rows, self.cols).strides((self.row, 1)), numbers).expect("rows in the numbers")
    }

    /// Its rows from `first` on, as [`product`] reads its right operand:
    /// their numbers, and the distance between them.
    pub(super) fn rows_from(&self, first: usize) -> (&[f64], usize) {
        (&self.numbers[self.start + first * self.row..], self.row)
    }
}

/// Numbers per cache line.
const LINE: usize = 8;

/// `to[c * to_row + r] = from[r * from_row + c]` for `r < m` and `c < n`.
fn transpose(from: &[f64], from_row: usize, to: &mut [f64], to_row: usize, m: usize, n: usize) {
    for r in 0..m {
        for (c, &x) in from[r * from_row..][..n].iter().enumerate() {
            to[c * to_row + r] = x;
        }
    }
}

/// [`transpose`] of a whole square of `LINE x LINE`, in vector registers
/// where the CPU has them: the rows are read as vectors, their numbers
/// interleaved by shuffles, and the columns written as vectors.
fn square(from: &[f64], from_row: usize, to: &mut [f64], to_row: usize) {
    assert!(from.len() > (LINE - 1) * from_row + LINE - 1 && to.len() > (LINE - 1) * to_row + LINE - 1, "a square");
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") {
            // SAFETY: the CPU has the feature, and both squares are in
            // their slices (asserted above).
            return unsafe { square_avx512(from.as_ptr(), from_row, to.as_mut_ptr(), to_row) };
        }
        if has!("avx") {
            // SAFETY: as above.
            return unsafe { square_avx(from.as_ptr(), from_row, to.as_mut_ptr(), to_row) };
        }
    }
    transpose(from, from_row, to, to_row, LINE, LINE)
}

/// [`square`] with AVX-512: the rows, 8 vectors of 8, are interleaved in
/// pairs of numbers, then of 128-bit lanes twice.
///
/// # Safety
///
/// The CPU has AVX-512F, and both squares are within their allocations.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn square_avx512(from: *const f64, from_row: usize, to: *mut f64, to_row: usize) {
    use std::arch::x86_64::*;
    // Lane pairs `[a0, a2, b0, b2]` and `[a1, a3, b1, b3]` of two vectors.
    let even = |a, b| _mm512_shuffle_f64x2::<0b10_00_10_00>(a, b);
    let odd = |a, b| _mm512_shuffle_f64x2::<0b11_01_11_01>(a, b);
    // SAFETY: the caller's.
    let r: [__m512d; 8] = std::array::from_fn(|r| unsafe { _mm512_loadu_pd(from.add(r * from_row)) });
    // t[2k] holds columns 0, 2, 4, 6 of rows 2k and 2k + 1, t[2k + 1] the
    // odd columns.
    let t: [__m512d; 8] = std::array::from_fn(|k| {
        let (a, b) = (r[k & !1], r[k | 1]);
        if k % 2 == 0 { _mm512_unpacklo_pd(a, b) } else { _mm512_unpackhi_pd(a, b) }
    });
    // u[0..4] hold columns (0, 4), (2, 6), (1, 5) and (3, 7) of rows 0-3;
    // u[4..8] the same of rows 4-7.
    let u = [
        even(t[0], t[2]),
        odd(t[0], t[2]),
        even(t[1], t[3]),
        odd(t[1], t[3]),
        even(t[4], t[6]),
        odd(t[4], t[6]),
        even(t[5], t[7]),
        odd(t[5], t[7]),
    ];
    for (k, first) in [0, 2, 1, 3].into_iter().enumerate() {
        // SAFETY: the caller's.
        unsafe {
            _mm512_storeu_pd(to.add(first * to_row), even(u[k], u[k + 4]));
            _mm512_storeu_pd(to.add((first + 4) * to_row), odd(u[k], u[k + 4]));
        }
    }
}

/// [`square`] with AVX: four squares of 4 x 4, each in four vectors
/// interleaved in pairs of numbers, then of halves.
///
/// # Safety
///
/// The CPU has AVX, and both squares are within their allocations.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn square_avx(from: *const f64, from_row: usize, to: *mut f64, to_row: usize) {
    use std::arch::x86_64::*;
    for (i, j) in [(0, 0), (0, 4), (4, 0), (4, 4)] {
        // SAFETY: the caller's.
        let r: [__m256d; 4] = std::array::from_fn(|r| unsafe { _mm256_loadu_pd(from.add((i + r) * from_row + j)) });
        let t = [
            _mm256_unpacklo_pd(r[0], r[1]),
            _mm256_unpackhi_pd(r[0], r[1]),
            _mm256_unpacklo_pd(r[2], r[3]),
            _mm256_unpackhi_pd(r[2], r[3]),
        ];
        let columns = [
            _mm256_permute2f128_pd::<0x20>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x20>(t[1], t[3]),
            _mm256_permute2f128_pd::<0x31>(t[0], t[2]),
            _mm256_permute2f128_pd::<0x31>(t[1], t[3]),
        ];
        for (c, column) in columns.into_iter().enumerate() {
            // SAFETY: the caller's.
            unsafe { _mm256_storeu_pd(to.add((j + c) * to_row + i), column) };
        }
    }
}

/// A matrix read in place: `m[i, j]` is `data[i * rows + j * cols]`, where
/// `cols` is 1 (its rows are contiguous) or else `rows` is.
#[derive(Clone, Copy)]
struct Strided<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
}

/// `c = alpha * a b`, or `c += alpha * a b` when `accumulate`, except what
/// `limit` spares: columns it skips keep what `c` held, and terms it skips
/// are taken to be zero. `b` is read as `b[p * b_row + j]`: its rows need
/// to be contiguous, not the matrix (`k^T` cut to the keys a block sees).
///
/// **Panics** when the shapes do not match, `b` is too short, or `c` is
/// not in the standard layout.
pub(super) fn product(
    alpha: f64,
    a: ArrayView2<f64>,
    (b, b_row): (&[f64], usize),
    accumulate: bool,
    c: ArrayViewMut2<f64>,
    limit: Limit,
) {
    product_by(run, alpha, a, (b, b_row), accumulate, c, limit)
}

/// A version of [`apply`].
type Kernel = fn(&Problem, &mut [f64]);

/// [`product`] computed by `kernel`.
fn product_by(
    kernel: Kernel,
    alpha: f64,
    a: ArrayView2<f64>,
    (b, b_row): (&[f64], usize),
    accumulate: bool,
    mut c: ArrayViewMut2<f64>,
    limit: Limit,
) {
    let ((m, k), n) = (a.dim(), c.ncols());
    assert_eq!(c.nrows(), m, "rows of a product");
    assert!(k == 0 || n == 0 || b.len() >= (k - 1) * b_row + n, "b of a product");
    // `a` where it lies when its rows or its columns are contiguous (every
    // `a` of attention is a standard matrix or a transposed one), else a
    // standard copy.
    let in_place = |a: &ArrayView2<f64>| {
        a.as_slice_memory_order().is_some()
            && matches!(a.strides(), [_, 1] | [1, _])
            && a.strides().iter().all(|&s| s >= 0)
    };
    let copy;
    let a = if in_place(&a) {
        a
    } else {
        copy = a.as_standard_layout().into_owned();
        copy.view()
    };
    let (&[rows, cols], Some(data)) = (a.strides(), a.as_slice_memory_order()) else {
        unreachable!("a matrix in memory order")
    };
    let a = Strided { data, rows: rows as usize, cols: cols as usize };
    let c = c.as_slice_mut().expect("c in the standard layout");
    kernel(&Problem { alpha, accumulate, limit, a, b, b_row, m, n, k }, c);
}

/// The sizes and operands of a [`product`]: `c` is `m x n`, and every
/// element a sum of `k` terms.
struct Problem<'a> {
    alpha: f64,
    accumulate: bool,
    limit: Limit,
    a: Strided<'a>,
    b: &'a [f64],
    b_row: usize,
    m: usize,
    n: usize,
    k: usize,
}

/// [`apply`], compiled for the widest SIMD the CPU has, with tiles whose
/// running sums fill half of its vector registers: 8 rows of 16 numbers
/// with AVX-512 (32 registers of 8), 4 rows of 8 with AVX2 (16 of 4). Each
/// vector of `b` read serves `R` multiply-adds; tiles of 4 rows ran
/// attention up to 14 % slower with AVX-512.
fn run(problem: &Problem, c: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("fma") {
            // SAFETY: the CPU has both features, checked just above.
            return unsafe { run_avx512(problem, c) };
        }
        if has!("avx2") && has!("fma") {
            // SAFETY: as above.
            return unsafe { run_avx2(problem, c) };
        }
    }
    // Elsewhere a fused multiply-add is an instruction on aarch64 only.
    apply::<{ cfg!(target_arch = "aarch64") }, 4, 8>(problem, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn run_avx512(problem: &Problem, c: &mut [f64]) {
    apply::<true, 8, 16>(problem, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(problem: &Problem, c: &mut [f64]) {
    apply::<true, 4, 8>(problem, c)
}

/// The product, in tiles of `R` rows by `C` columns of `c` (the rows past
/// the last whole tile in tiles of one row), and the columns past the last
/// whole tile one element at a time.
#[inline(always)]
fn apply<const FMA: bool, const R: usize, const C: usize>(problem: &Problem, c: &mut [f64]) {
    let Problem { m, n, k, limit, .. } = *problem;
    for start in (0..m).step_by(R) {
        let rows = start..(start + R).min(m);
        let (columns, terms) = (limit.columns(&rows, n, C), limit.terms(&rows, k));
        let whole = columns / C * C;
        if rows.len() == R {
            tiles::<FMA, R, C>(problem, start, whole, terms.clone(), c);
        } else {
            rows.clone().for_each(|i| tiles::<FMA, 1, C>(problem, i, whole, terms.clone(), c));
        }
        for i in rows {
            for j in whole..columns {
                let a = |p: usize| problem.a.data[i * problem.a.rows + p * problem.a.cols];
                let sum =
                    terms.clone().fold(0.0, |sum, p| multiply_add::<FMA>(a(p), problem.b[p * problem.b_row + j], sum));
                store(problem, &mut c[i * n + j..][..1], &[sum]);
            }
        }
    }
}

/// The tiles of `R` rows from row `i` and the first `columns` columns (a
/// whole number of tiles) of `c`.
#[inline(always)]
fn tiles<const FMA: bool, const R: usize, const C: usize>(
    problem: &Problem,
    i: usize,
    columns: usize,
    terms: Range<usize>,
    c: &mut [f64],
) {
    for j in (0..columns).step_by(C) {
        let sums = tile::<FMA, R, C>(problem, i, j, terms.clone());
        for (r, sums) in sums.iter().enumerate() {
            store(problem, &mut c[(i + r) * problem.n + j..][..C], sums);
        }
    }
}

/// The sums of the tile of `R` rows and `C` columns of `c` whose top-left
/// element is `(i, j)`, over the terms `terms`.
#[inline(always)]
fn tile<const FMA: bool, const R: usize, const C: usize>(
    problem: &Problem,
    i: usize,
    j: usize,
    terms: Range<usize>,
) -> [[f64; C]; R] {
    let Strided { data: a, rows, cols } = problem.a;
    let mut sums = [[0.0; C]; R];
    let b = |p: usize| -> &[f64; C] { problem.b[p * problem.b_row + j..][..C].try_into().expect("a tile's row") };
    // Each layout of `a` has its loop, with `a`'s bounds checked once
    // before it rather than at each of its numbers (which took 30 of the
    // loop's 60 instructions).
    if cols == 1 {
        let rows_of_a = &a[i * rows + terms.start..][..(R - 1) * rows + terms.len()];
        for q in 0..terms.len() {
            // SAFETY: `r * rows + q < (R - 1) * rows + terms.len()`, the
            // length of `rows_of_a`, for every `r < R` and `q < terms.len()`.
            add::<FMA, R, C>(&mut sums, |r| unsafe { *rows_of_a.get_unchecked(r * rows + q) }, b(terms.start + q));
        }
    } else {
        for p in terms {
            let a = <&[f64; R]>::try_from(&a[i + p * cols..][..R]).expect("a tile's column");
            add::<FMA, R, C>(&mut sums, |r| a[r], b(p));
        }
    }
    sums
}

/// Adds the products of one term, `a(r) * b[c]`, to `sums[r][c]`. Each
/// `a(r)` is read right where it is used: the compiler then broadcasts it
/// to a vector straight from memory, rather than loading all of them
/// first and broadcasting each from a register, which takes a slot of the
/// units that also multiply (a tenth slower).
#[inline(always)]
fn add<const FMA: bool, const R: usize, const C: usize>(
    sums: &mut [[f64; C]; R],
    a: impl Fn(usize) -> f64,
    b: &[f64; C],
) {
    for (r, sums) in sums.iter_mut().enumerate() {
        let a = a(r);
        for (sum, &b) in sums.iter_mut().zip(b) {
            *sum = multiply_add::<FMA>(a, b, *sum);
        }
    }
}

/// Writes (or adds) `alpha` times `sums` into `c`.
#[inline(always)]
fn store(problem: &Problem, c: &mut [f64], sums: &[f64]) {
    if problem.accumulate {
        c.iter_mut().zip(sums).for_each(|(c, &s)| *c += problem.alpha * s);
    } else {
        c.iter_mut().zip(sums).for_each(|(c, &s)| *c = problem.alpha * s);
    }
}

/// `a * b + c`, in one rounding where the CPU has the instruction (without
/// it, `f64::mul_add` calls a slow libm function).
#[inline(always)]
fn multiply_add<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, s};
    use support::random::{rng, uniform};

    use super::*;

    /// `a b` as a plain sum, for comparison.
    fn plain(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| (0..a.ncols()).map(|p| a[[i, p]] * b[[p, j]]).sum())
    }

    /// Every version of the loops, whatever this CPU runs: the one it
    /// picks, and the portable ones with and without multiply-adds.
    const KERNELS: [(Kernel, &str); 3] =
        [(run, "this CPU's"), (apply::<true, 4, 8>, "tiles of 4 x 8"), (apply::<false, 4, 8>, "no fma")];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    #[test]
    fn products_match_the_plain_sums_on_every_edge() {
        // Sizes around whole tiles, both layouts of `a`, and `b`'s rows
        // further apart than its width.
        for (m, k, n) in
            [(0, 3, 5), (3, 0, 5), (3, 4, 0), (1, 1, 1), (7, 5, 16), (9, 17, 33), (8, 64, 128), (21, 3, 40)]
        {
            let a: Array2<f64> = uniform((m, k), &mut rng(1));
            let a_t: Array2<f64> = uniform((k, m), &mut rng(2));
            let b: Array2<f64> = uniform((k, n + 3), &mut rng(3));
            let b_rows = (b.as_slice().unwrap(), n + 3);
            let b = b.slice(s![.., ..n]);
            let c: Array2<f64> = uniform((m, n), &mut rng(4));
            for ((a, name), (kernel, version)) in
                [(a.view(), "a"), (a_t.t(), "a^T")].into_iter().flat_map(|a| KERNELS.map(|k| (a, k)))
            {
                let expected = plain(a, b);
                let mut set = c.clone();
                product_by(kernel, 0.5, a, b_rows, false, set.view_mut(), Limit::None);
                let mut added = c.clone();
                product_by(kernel, 0.5, a, b_rows, true, added.view_mut(), Limit::None);
                for ((i, j), e) in expected.indexed_iter() {
                    assert!(close(set[[i, j]], 0.5 * e), "{version}, {name} {m}x{k}x{n} at {i}, {j}");
                    assert!(close(added[[i, j]], c[[i, j]] + 0.5 * e), "{version}, {name} {m}x{k}x{n} at {i}, {j}");
                }
            }
        }
    }

    #[test]
    fn operands_hold_the_matrix_or_its_transpose() {
        // Shapes around whole squares of a cache line, and a view whose
        // rows are not contiguous.
        for (rows, cols) in [(0, 5), (5, 0), (1, 1), (8, 8), (7, 9), (16, 24), (64, 128), (13, 21)] {
            let x: Array2<f64> = uniform((rows, 2 * cols), &mut rng(7));
            let x = x.slice(s![.., ..;2]);
            let mut operand = Operand::zeros(rows, cols);
            operand.set(x);
            assert_eq!(operand.view(), x, "{rows} x {cols}");
            let mut transposed = Operand::zeros(cols, rows);
            transposed.set_transposed(x);
            assert_eq!(transposed.view(), x.t(), "{rows} x {cols} transposed");
        }
    }

    #[test]
    fn every_version_of_a_square_transposes_it() {
        let (from_row, to_row) = (11, 13);
        let from: Vec<f64> = (0..LINE * from_row).map(|x| x as f64).collect();
        let mut expected = vec![0.0; LINE * to_row];
        transpose(&from, from_row, &mut expected, to_row, LINE, LINE);
        for r in 0..LINE {
            for c in 0..LINE {
                assert_eq!(expected[c * to_row + r], from[r * from_row + c]);
            }
        }
        let mut to = vec![0.0; LINE * to_row];
        square(&from, from_row, &mut to, to_row);
        assert_eq!(to, expected, "this CPU's");
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") {
                let mut to = vec![0.0; LINE * to_row];
                // SAFETY: the CPU has the feature, and the squares fit.
                unsafe { square_avx512(from.as_ptr(), from_row, to.as_mut_ptr(), to_row) };
                assert_eq!(to, expected, "AVX-512");
            }
            if has!("avx") {
                let mut to = vec![0.0; LINE * to_row];
                // SAFETY: as above.
                unsafe { square_avx(from.as_ptr(), from_row, to.as_mut_ptr(), to_row) };
                assert_eq!(to, expected, "AVX");
            }
        }
    }

    #[test]
    fn limits_skip_only_what_the_mask_spares() {
        for (kernel, version) in KERNELS {
            limits_of(kernel, version);
        }
    }

    fn limits_of(kernel: Kernel, version: &str) {
        let (m, k, n, first) = (21, 40, 45, 5);
        let b: Array2<f64> = uniform((k, n), &mut rng(5));
        let b_rows = (b.as_slice().unwrap(), n);
        // Columns: row i is right up to column first + i; the rest is free.
        let a: Array2<f64> = uniform((m, k), &mut rng(6));
        let expected = plain(a.view(), b.view());
        let mut c = Array2::zeros((m, n));
        product_by(kernel, 1.0, a.view(), b_rows, false, c.view_mut(), Limit::Columns { first });
        for ((i, j), e) in expected.indexed_iter() {
            assert!(j > first + i || close(c[[i, j]], *e), "{version}, columns: {i}, {j}");
        }
        // Below: row i of a is zero past first + i, and the terms it skips
        // are those zeros.
        let below = Array2::from_shape_fn((m, k), |(i, p)| if p > first + i { 0.0 } else { a[[i, p]] });
        let mut c = Array2::zeros((m, n));
        product_by(kernel, 1.0, below.view(), b_rows, false, c.view_mut(), Limit::Below { first });
        assert!(c.iter().zip(&plain(below.view(), b.view())).all(|(c, e)| close(*c, *e)), "{version}, below");
        // Above: row j of a is zero before j - first (a key is seen by the
        // block's queries from j - first on).
        let above = Array2::from_shape_fn((m, k), |(j, p)| if p + first < j { 0.0 } else { a[[j, p]] });
        let mut c = Array2::ones((m, n));
        product_by(kernel, 1.0, above.view(), b_rows, true, c.view_mut(), Limit::Above { first });
        assert!(c.iter().zip(&plain(above.view(), b.view())).all(|(c, e)| close(*c, 1.0 + e)), "{version}, above");
    }
}
// END HIDDEN
