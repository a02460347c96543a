// BEGIN HIDDEN
//! Winograd's minimal filtering: the convolution's three sums with half of
//! the multiplications, or fewer, for kernels of 3 weights or more.
//!
//! Four outputs of a kernel of three weights read a tile of six inputs.
//! Their sums `y_i = sum over k of w_k d_(i + k)` are the coefficients of a
//! product of polynomials, read backwards, and a product of polynomials is
//! known from its values at six points (here 0, 1, -1, 2, -2 and infinity),
//! where it is one multiplication per point. So with the tile `d` and the
//! kernel `w` each mapped to six values (sums of a few numbers times small
//! integers), the twelve multiplications of a tile become six. With two
//! more points (1/2 and -1/2), four outputs of five weights take 8 instead
//! of 20. A longer kernel is cut into chunks of three or five weights (the
//! last one filled up with zeros), whichever takes fewer multiplications,
//! each chunk reading the tiles three or five positions further on.
//!
//! Over channels the multiplications per point are matrix products: for
//! each point, `Cout x (chunks * Cin)` transformed weights times `(chunks *
//! Cin) x tiles` transformed inputs. The input's gradient is a convolution
//! too (of `grad_out` with the kernel reversed), and the weight's gradient
//! is the same trick with the roles swapped: a chunk's weights as the
//! outputs, a "kernel" of four numbers of `grad_out`, and the forward's
//! tiles of the input.
//!
//! Tiles of inputs overlap: a row's tiles are built 8 at a time from the
//! row cut into its four phases (every fourth number), number `j` of 8
//! consecutive tiles being 8 consecutive numbers of phase `j % 4`. The
//! transforms' matrices are constants, so that the compiler drops their
//! zeros and ones.

use std::cell::RefCell;

use ndarray::{ArrayView2, ArrayViewMut2, linalg::general_mat_mul};

/// Outputs per tile.
const M: usize = 4;

/// The most points a tile has: the size of a [`Matrix`].
const MAX: usize = 8;

/// The finite points. A tile of `N` points takes the first `N - 1` of
/// them, and infinity.
const FINITE: [f64; MAX - 1] = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5];

/// Tiles transformed at once: a run's sequences go through the products in
/// groups of about this many tiles, whose numbers (8 x 100 channels x 512
/// tiles, 3.3 MB) stay in the cache.
const BLOCK_TILES: usize = 512;

/// Tiles per step of a transform: a vector of AVX-512.
const LANES: usize = 8;

/// A transform's matrix, of which a tile of `N` points uses the first `N`
/// rows, and as many columns as the numbers it maps.
type Matrix = [[f64; MAX]; MAX];

/// The tables of tiles of `N` points, worked out by the compiler.
struct Tables<const N: usize>;

impl<const N: usize> Tables<N> {
    /// Weights per chunk of the kernel.
    const R: usize = N + 1 - M;

    /// A tile's values at the points, before scaling: row `p` holds the
    /// coefficients (lowest first) of the product of `z - a` over the
    /// finite points `a` other than point `p` (over all of them for
    /// infinity).
    const INPUT: Matrix = {
        let mut matrix = [[0.0; MAX]; MAX];
        let mut p = 0;
        while p < N {
            matrix[p] = product_without(N, p);
            p += 1;
        }
        matrix
    };

    /// What interpolation multiplies each point's product by: 1 over the
    /// product of `a_p - a` over the other finite points (1 for infinity).
    const SCALE: [f64; MAX] = {
        let mut scale = [0.0; MAX];
        let mut p = 0;
        while p < N {
            let mut product = 1.0;
            let mut l = 0;
            while p < N - 1 && l < N - 1 {
                if l != p {
                    product *= FINITE[p] - FINITE[l];
                }
                l += 1;
            }
            scale[p] = 1.0 / product;
            p += 1;
        }
        scale
    };

    /// Polynomials of `M` coefficients (a tile's outputs) at the points.
    const OUTPUTS: Matrix = evaluated(N, M);

    /// Polynomials of `R` coefficients (a chunk's weights) at the points.
    const KERNEL: Matrix = evaluated(N, N + 1 - M);

    /// [`Tables::OUTPUTS`] with each row divided by its point's scale:
    /// `grad_out`'s part of a tile of the weight's gradient.
    const SCALED: Matrix = {
        let mut matrix = Self::OUTPUTS;
        let mut p = 0;
        while p < N {
            let mut i = 0;
            while i < M {
                matrix[p][i] *= Self::SCALE[p];
                i += 1;
            }
            p += 1;
        }
        matrix
    };
}

/// The coefficients, lowest first, of the product of `z - a` over the
/// first `n - 1` finite points but point `skip`.
const fn product_without(n: usize, skip: usize) -> [f64; MAX] {
    let mut coefficients = [0.0; MAX];
    coefficients[0] = 1.0;
    let mut l = 0;
    while l < n - 1 {
        if l != skip {
            let a = FINITE[l];
            let mut i = MAX - 1;
            while i > 0 {
                coefficients[i] = coefficients[i - 1] - a * coefficients[i];
                i -= 1;
            }
            coefficients[0] *= -a;
        }
        l += 1;
    }
    coefficients
}

/// Row `p < n`, column `i < len`: the polynomial `z^i` at point `p` of a
/// tile of `n` points (at infinity, the leading coefficient of a
/// polynomial of `len` coefficients).
const fn evaluated(n: usize, len: usize) -> Matrix {
    let mut matrix = [[0.0; MAX]; MAX];
    let mut p = 0;
    while p < n - 1 {
        let mut power = 1.0;
        let mut i = 0;
        while i < len {
            matrix[p][i] = power;
            power *= FINITE[p];
            i += 1;
        }
        p += 1;
    }
    matrix[n - 1][len - 1] = 1.0;
    matrix
}

/// The transforms for one kernel width.
pub(super) struct Winograd {
    taps: usize,
    /// Points per tile: 6 (chunks of 3 weights) or 8 (chunks of 5).
    points: usize,
    /// Chunks of the kernel.
    chunks: usize,
}

impl Winograd {
    /// The transforms for a kernel of `taps` weights, with the tiles that
    /// take the fewest multiplications (6 points on a tie), when they take
    /// at most 3/5 of those of the plain sums: `points` per chunk and `M`
    /// outputs against `taps` per output. That is from 3 weights on: for 2,
    /// a tile of 4 outputs costs 6 multiplications instead of 8, and the
    /// transforms cost about what that saves.
    pub(super) fn new(taps: usize) -> Option<Winograd> {
        let chunks = |points: usize| taps.div_ceil(points + 1 - M);
        let points = if MAX * chunks(MAX) < 6 * chunks(6) { MAX } else { 6 };
        let chunks = chunks(points);
        (5 * points * chunks <= 3 * M * taps).then_some(Winograd { taps, points, chunks })
    }

    /// The weights transformed, `points` matrices of `rows x (chunks *
    /// channels)` one after the other, column `(q, c)` holding chunk `q` of
    /// kernel `(i, c)` at the points, times the points' scales. The
    /// kernels are those of `weight` (`rows x channels x K`, in the
    /// standard layout), or with `reversed`, those of `weight` being
    /// `channels x rows x K`, each reversed: the input's gradient's.
    pub(super) fn weights(&self, weight: &[f64], rows: usize, reversed: bool) -> Vec<f64> {
        transformed_weights(self, weight, rows, reversed)
    }

    /// `to[s, i, t] = sum over c, k of weight[i, c, k] * run[s, c, t + k - shift]`
    /// for the sequences `s` of `run` (each `channels x width`, in the
    /// standard layout), where `u` is [`Winograd::weights`] and positions
    /// outside a sequence read zero. The forward is `shift = 0`; the
    /// input's gradient is `shift = K - 1` on `grad_out`, with the kernel
    /// reversed.
    pub(super) fn convolve(&self, u: &[f64], run: &[f64], channels: usize, width: usize, shift: usize, to: &mut [f64]) {
        convolve(self, u, run, channels, width, shift, to)
    }

    /// `sum over s, t of g[s, o, t] * x[s, c, t + k]`, `Cout x (Cin * K)`,
    /// for the sequences of `x` (each `cin x width`) and `g` (each `cout x
    /// width`): the weight's gradient from one run of the batch.
    pub(super) fn weight_gradient(&self, x: &[f64], g: &[f64], cin: usize, cout: usize, width: usize) -> Vec<f64> {
        weight_gradient(self, x, g, cin, cout, width)
    }
}

/// Defines `fn $name($args) -> $ret` that calls `$body` compiled for the
/// widest SIMD the CPU has (with what it calls marked `#[inline(always)]`):
/// the transforms then take 8 numbers at a time with AVX-512, where
/// x86-64's baseline, SSE2, takes 2.
macro_rules! widest {
    (fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[allow(clippy::too_many_arguments)]
        fn $name($($arg: $ty),*) -> $ret {
            #[inline(always)]
            #[allow(clippy::too_many_arguments)]
            fn body($($arg: $ty),*) -> $ret $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx512($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[allow(clippy::too_many_arguments)]
                fn avx2($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }
                use std::arch::is_x86_feature_detected as has;
                if has!("avx512f") && has!("fma") {
                    // SAFETY: the CPU has both features, checked just above.
                    return unsafe { avx512($($arg),*) };
                }
                if has!("avx2") && has!("fma") {
                    // SAFETY: as above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            body($($arg),*)
        }
    };
}

/// `$f::<N>($args)` for the tiles of `$points` points.
macro_rules! with_points {
    ($points:expr, $f:ident($($arg:expr),*)) => {
        match $points {
            6 => $f::<6>($($arg),*),
            MAX => $f::<MAX>($($arg),*),
            points => unreachable!("tiles of {points} points"),
        }
    };
}

widest! {
    fn transformed_weights(winograd: &Winograd, weight: &[f64], rows: usize, reversed: bool) -> Vec<f64> {
        with_points!(winograd.points, weights_with(winograd, weight, rows, reversed))
    }
}

widest! {
    fn convolve(winograd: &Winograd, u: &[f64], run: &[f64], channels: usize, width: usize, shift: usize, to: &mut [f64]) -> () {
        with_points!(winograd.points, convolve_with(winograd.chunks, u, run, channels, width, shift, to))
    }
}

widest! {
    fn weight_gradient(winograd: &Winograd, x: &[f64], g: &[f64], cin: usize, cout: usize, width: usize) -> Vec<f64> {
        with_points!(winograd.points, weight_gradient_with(winograd, x, g, cin, cout, width))
    }
}

/// [`Winograd::weights`] for tiles of `N` points.
#[inline(always)]
fn weights_with<const N: usize>(winograd: &Winograd, weight: &[f64], rows: usize, reversed: bool) -> Vec<f64> {
    let (taps, chunks, r) = (winograd.taps, winograd.chunks, Tables::<N>::R);
    let kernels = weight.len() / taps;
    let channels = kernels / rows.max(1);
    // Tap by tap, so that each term is a multiply-add over all kernels.
    let mut planes = vec![0.0; chunks * r * kernels];
    for (k, plane) in planes.chunks_exact_mut(kernels).take(taps).enumerate() {
        if reversed {
            for (i, plane) in plane.chunks_exact_mut(channels).enumerate() {
                for (c, value) in plane.iter_mut().enumerate() {
                    *value = weight[(c * rows + i) * taps + taps - 1 - k];
                }
            }
        } else {
            plane.iter_mut().zip(weight.iter().skip(k).step_by(taps)).for_each(|(plane, &w)| *plane = w);
        }
    }
    let mut u = vec![0.0; N * kernels * chunks];
    for (p, u) in u.chunks_exact_mut(kernels * chunks).enumerate() {
        for (i, u) in u.chunks_exact_mut(chunks * channels).enumerate() {
            for (q, u) in u.chunks_exact_mut(channels).enumerate() {
                for (k, &value) in Tables::<N>::KERNEL[p][..r].iter().enumerate() {
                    let plane = &planes[(q * r + k) * kernels + i * channels..][..channels];
                    let a = Tables::<N>::SCALE[p] * value;
                    u.iter_mut().zip(plane).for_each(|(u, &w)| *u += a * w);
                }
            }
        }
    }
    u
}

/// [`Winograd::weight_gradient`] for tiles of `N` points.
#[inline(always)]
fn weight_gradient_with<const N: usize>(
    winograd: &Winograd,
    x: &[f64],
    g: &[f64],
    cin: usize,
    cout: usize,
    width: usize,
) -> Vec<f64> {
    let (taps, chunks, r) = (winograd.taps, winograd.chunks, Tables::<N>::R);
    let sums = weight_sums::<N>(chunks, x, g, cin, cout, width);
    // Back from the points, tap by tap: weight `q * R + k` is the
    // polynomial of chunk `q`'s coefficient `k`.
    let inner = chunks * cin;
    let mut planes = vec![0.0; taps * cout * cin];
    for (k, plane) in planes.chunks_exact_mut(cout * cin).enumerate() {
        let (q, k) = (k / r, k % r);
        for (p, sums) in sums.chunks_exact(cout * inner).enumerate() {
            let a = Tables::<N>::KERNEL[p][k];
            for (plane, sums) in plane.chunks_exact_mut(cin).zip(sums.chunks_exact(inner)) {
                plane.iter_mut().zip(&sums[q * cin..][..cin]).for_each(|(g, &sum)| *g += a * sum);
            }
        }
    }
    let mut gradient = vec![0.0; cout * cin * taps];
    for (k, plane) in planes.chunks_exact(cout * cin).enumerate() {
        gradient.iter_mut().skip(k).step_by(taps).zip(plane).for_each(|(g, &p)| *g = p);
    }
    gradient
}

/// [`Winograd::convolve`] for tiles of `N` points.
#[inline(always)]
fn convolve_with<const N: usize>(
    chunks: usize,
    u: &[f64],
    run: &[f64],
    channels: usize,
    width: usize,
    shift: usize,
    to: &mut [f64],
) {
    let inner = chunks * channels;
    let rows = u.len() / (N * inner);
    let (tiles, len) = (width.div_ceil(M), channels * width);
    let group = (BLOCK_TILES / tiles).clamp(1, run.len() / len);
    let (mut v, mut sums) = (spare(), spare());
    resized(&mut sums, N * rows * group * tiles + LANES);
    for (run, to) in run.chunks(group * len).zip(to.chunks_mut(group * rows * width)) {
        let count = tiles * run.len() / len;
        transformed::<N, N>(run, channels, width, chunks, -(shift as isize), &Tables::<N>::INPUT, &mut v);
        for (p, sums) in sums.chunks_exact_mut(rows * count).take(N).enumerate() {
            let u = ArrayView2::from_shape((rows, inner), &u[p * rows * inner..][..rows * inner]);
            let v = ArrayView2::from_shape((inner, count), &v[p * plane(inner, count)..][..inner * count]);
            let mut sums = ArrayViewMut2::from_shape((rows, count), sums).expect("rows x tiles");
            general_mat_mul(1.0, &u.expect("rows x inner"), &v.expect("inner x tiles"), 0.0, &mut sums);
        }
        untransformed::<N>(&sums, rows, width, count, to);
    }
    recycle([v, sums]);
}

/// The weight's gradient at the points, `N` matrices of `cout x (chunks *
/// cin)`. The "kernel" is [`M`] numbers of `grad_out`, the "outputs" a
/// chunk's weights, and the tiles of `x` those of the forward.
#[inline(always)]
fn weight_sums<const N: usize>(chunks: usize, x: &[f64], g: &[f64], cin: usize, cout: usize, width: usize) -> Vec<f64> {
    let (inner, tiles) = (chunks * cin, width.div_ceil(M));
    let group = (BLOCK_TILES / tiles).max(1);
    let mut sums = vec![0.0; N * cout * inner];
    let (mut v, mut h) = (spare(), spare());
    for (x, g) in x.chunks(group * cin * width).zip(g.chunks(group * cout * width)) {
        let count = tiles * x.len() / (cin * width);
        transformed::<N, N>(x, cin, width, chunks, 0, &Tables::<N>::INPUT, &mut v);
        transformed::<N, M>(g, cout, width, 1, 0, &Tables::<N>::SCALED, &mut h);
        for (p, sums) in sums.chunks_exact_mut(cout * inner).enumerate() {
            let h = ArrayView2::from_shape((cout, count), &h[p * plane(cout, count)..][..cout * count]);
            let v = ArrayView2::from_shape((inner, count), &v[p * plane(inner, count)..][..inner * count]);
            let mut sums = ArrayViewMut2::from_shape((cout, inner), sums).expect("cout x inner");
            general_mat_mul(1.0, &h.expect("cout x tiles"), &v.expect("inner x tiles").t(), 1.0, &mut sums);
        }
    }
    recycle([v, h]);
    sums
}

/// Writes to `out` the tiles of `run`'s sequences (each `rows x width`) at
/// the points, for `chunks` chunks of a kernel: `N` matrices of `(chunks *
/// rows) x tiles`, [`plane`] numbers apart, entry `(p, (q, row), tile t of
/// sequence s)` being `sum over j < LEN of matrix[p][j] * x[t * M + j +
/// offset + q * R]`, with `R` weights to a chunk, `x` that row of that
/// sequence, and zero outside it.
#[inline(always)]
fn transformed<const N: usize, const LEN: usize>(
    run: &[f64],
    rows: usize,
    width: usize,
    chunks: usize,
    offset: isize,
    matrix: &Matrix,
    out: &mut Vec<f64>,
) {
    let tiles = width.div_ceil(M);
    let sequences = run.len() / (rows * width);
    let count = tiles * sequences;
    // Each sequence's phases: its tiles, what the last ones reach past
    // them, and room for a whole vector past the last tile.
    let stride = tiles + LEN.div_ceil(M) + LANES;
    let mut phases = vec![0.0; M * stride];
    // Each point's matrix with room for a whole vector past its last tile.
    let plane = plane(chunks * rows, count);
    resized(out, N * plane);
    // Row by row, then sequence by sequence: a vector's numbers past a
    // sequence's last tile land on tiles written next, or past the matrix.
    for q in 0..chunks {
        // Zeros where no number of a sequence goes, the same for every row
        // of the chunk.
        phases.fill(0.0);
        let first = offset + (q * Tables::<N>::R) as isize;
        for row in 0..rows {
            for (s, sequence) in run.chunks_exact(rows * width).enumerate() {
                let x = &sequence[row * width..][..width];
                match usize::try_from(first) {
                    Ok(skip) => split(&x[skip.min(width)..], 0, &mut phases, stride),
                    Err(_) => split(x, first.unsigned_abs(), &mut phases, stride),
                }
                for t in (0..tiles).step_by(LANES) {
                    let mut d = [[0.0; LANES]; LEN];
                    for (j, d) in d.iter_mut().enumerate() {
                        d.copy_from_slice(&phases[j % M * stride + j / M + t..][..LANES]);
                    }
                    for (p, matrix) in matrix.iter().take(N).enumerate() {
                        let mut sum = [0.0; LANES];
                        for (d, &a) in d.iter().zip(matrix) {
                            if a != 0.0 {
                                sum.iter_mut().zip(d).for_each(|(sum, &d)| *sum += a * d);
                            }
                        }
                        let at = p * plane + (q * rows + row) * count + s * tiles + t;
                        let out: &mut [f64; LANES] = (&mut out[at..][..LANES]).try_into().expect("lanes");
                        *out = sum;
                    }
                }
            }
        }
    }
}

thread_local! {
    /// Buffers of earlier calls on this thread, kept for the next: a
    /// convolution's transformed tiles and products are megabytes, which a
    /// fresh allocation returns as zeros, and zeroing them took 8 % of the
    /// time. Every number read from them is written first.
    static SPARE: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of this thread's [`SPARE`]s, or a new one.
fn spare() -> Vec<f64> {
    SPARE.with_borrow_mut(Vec::pop).unwrap_or_default()
}

/// Gives buffers back to this thread's [`SPARE`]s.
fn recycle<const B: usize>(buffers: [Vec<f64>; B]) {
    SPARE.with_borrow_mut(|spare| spare.extend(buffers));
}

/// `buffer` with `len` numbers at least: those it had stay as they were (a
/// buffer's numbers are all written before they are read), and it never
/// shrinks, so that its next use need not zero what it grows by.
fn resized(buffer: &mut Vec<f64>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// From one point's matrix of `rows x count` transformed tiles to the
/// next: room for a vector of them past the last.
fn plane(rows: usize, count: usize) -> usize {
    rows * count + LANES
}

/// Deals `x` out to its `M` phases, each `stride` numbers of `phases`:
/// `x[i]` to number `(i + shift) / M` of phase `(i + shift) % M`. The
/// phases' other numbers are left as they are: every call with the same
/// `x.len()`, `shift` and `stride` writes the same ones.
#[inline(always)]
fn split(x: &[f64], shift: usize, phases: &mut [f64], stride: usize) {
    let phases = &mut phases[..M * stride];
    // The numbers before the first that goes to phase 0, then whole groups.
    let lead = ((M - shift % M) % M).min(x.len());
    for (i, &x) in x[..lead].iter().enumerate() {
        phases[(shift + i) % M * stride + (shift + i) / M] = x;
    }
    let (groups, rest) = x[lead..].as_chunks::<M>();
    let first = (shift + lead) / M;
    assert!(first + groups.len() < stride, "the phases hold the sequence");
    for (u, group) in groups.iter().enumerate() {
        for (r, &x) in group.iter().enumerate() {
            // SAFETY: `r < M` and `first + u < stride`, asserted above.
            unsafe { *phases.get_unchecked_mut(r * stride + first + u) = x };
        }
    }
    for (r, &x) in rest.iter().enumerate() {
        phases[r * stride + first + groups.len()] = x;
    }
}

/// `to[s, row, t * M + i] = sum over p of Tables::OUTPUTS[p][i] * sums[p, row,
/// tile t of sequence s]`, for the sequences of `to` (each `rows x
/// width`): the products at the points back to outputs.
#[inline(always)]
fn untransformed<const N: usize>(sums: &[f64], rows: usize, width: usize, count: usize, to: &mut [f64]) {
    let tiles = width.div_ceil(M);
    for (s, sequence) in to.chunks_exact_mut(rows * width).enumerate() {
        for (row, to) in sequence.chunks_exact_mut(width).enumerate() {
            for t in (0..tiles).step_by(LANES) {
                // `sums` has a vector's room past its last tile.
                let mut v = [[0.0; LANES]; N];
                for (p, v) in v.iter_mut().enumerate() {
                    v.copy_from_slice(&sums[(p * rows + row) * count + s * tiles + t..][..LANES]);
                }
                let mut y = [[0.0; LANES]; M];
                for (i, y) in y.iter_mut().enumerate() {
                    for (v, outputs) in v.iter().zip(&Tables::<N>::OUTPUTS) {
                        if outputs[i] != 0.0 {
                            y.iter_mut().zip(v).for_each(|(y, &v)| *y += outputs[i] * v);
                        }
                    }
                }
                let to = &mut to[t * M..];
                for (l, to) in to.chunks_mut(M).take(LANES).enumerate() {
                    for (i, to) in to.iter_mut().enumerate() {
                        *to = y[i][l];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables of six points are the ones in the literature (Lavin and
    /// Gray's F(4, 3), whose `B^T` and `G` rows are these rows and scales).
    #[test]
    fn the_tables_of_six_points_are_the_known_ones() {
        let input = [
            [4.0, 0.0, -5.0, 0.0, 1.0, 0.0],
            [0.0, -4.0, -4.0, 1.0, 1.0, 0.0],
            [0.0, 4.0, -4.0, -1.0, 1.0, 0.0],
            [0.0, -2.0, -1.0, 2.0, 1.0, 0.0],
            [0.0, 2.0, -1.0, -2.0, 1.0, 0.0],
            [0.0, 4.0, 0.0, -5.0, 0.0, 1.0],
        ];
        for (p, row) in input.iter().enumerate() {
            assert_eq!(Tables::<6>::INPUT[p][..6], row[..], "point {p}");
        }
        let scale = [1.0 / 4.0, -1.0 / 6.0, -1.0 / 6.0, 1.0 / 24.0, 1.0 / 24.0, 1.0];
        assert_eq!(Tables::<6>::SCALE[..6], scale[..]);
    }

    /// One tile, by the definition: `y_i = sum over k of w_k d_(i + k)`,
    /// through the points and back.
    fn a_tile_through_the_points<const N: usize>() {
        let r = Tables::<N>::R;
        let d: Vec<f64> = (0..N).map(|j| (j as f64 * 0.7).sin()).collect();
        let g: Vec<f64> = (0..r).map(|k| (k as f64 * 1.3).cos()).collect();
        for i in 0..M {
            let products: f64 = (0..N)
                .map(|p| {
                    let kernel: f64 = (0..r).map(|k| Tables::<N>::KERNEL[p][k] * g[k]).sum();
                    let tile: f64 = (0..N).map(|j| Tables::<N>::INPUT[p][j] * d[j]).sum();
                    Tables::<N>::OUTPUTS[p][i] * Tables::<N>::SCALE[p] * kernel * tile
                })
                .sum();
            let expected: f64 = (0..r).map(|k| g[k] * d[i + k]).sum();
            assert!((products - expected).abs() < 1e-14, "{N} points, output {i}");
        }
    }

    #[test]
    fn a_tile_through_the_points_is_the_tile_by_the_definition() {
        a_tile_through_the_points::<6>();
        a_tile_through_the_points::<MAX>();
    }

    #[test]
    fn kernels_take_the_tiles_of_fewest_multiplications() {
        let served: Vec<(usize, usize)> =
            (1..=12).filter_map(|taps| Winograd::new(taps).map(|w| (taps, w.points * w.chunks))).collect();
        // Multiplications per tile of 4 outputs: 6 per chunk of 3, or 8 per
        // chunk of 5.
        assert_eq!(served, [(3, 6), (4, 8), (5, 8), (6, 12), (7, 16), (8, 16), (9, 16), (10, 16), (11, 24), (12, 24)]);
    }

    /// Every tile's transform, by its definition, for offsets and widths
    /// around whole tiles and whole vectors of tiles, and rows in few
    /// enough tiles that a vector reaches past several of them.
    fn tiles_at_the_points<const N: usize>() {
        let r = Tables::<N>::R;
        for (rows, width) in [(1, 1), (2, 9), (3, 17), (2, 40), (5, 3), (16usize, 5usize)] {
            for (chunks, offset) in [(1, 0), (2, 0), (1, -2), (3, -4), (2, -1)] {
                let run: Vec<f64> = (0..3 * rows * width).map(|i| (i as f64 * 0.37).sin()).collect();
                let tiles = width.div_ceil(M);
                let mut out = Vec::new();
                transformed::<N, N>(&run, rows, width, chunks, offset, &Tables::<N>::INPUT, &mut out);
                for (s, q, row, t, p) in (0..3).flat_map(|s| {
                    (0..chunks).flat_map(move |q| {
                        (0..rows).flat_map(move |r| (0..tiles).flat_map(move |t| (0..N).map(move |p| (s, q, r, t, p))))
                    })
                }) {
                    let x = |j: usize| {
                        usize::try_from((t * M + j + q * r) as isize + offset)
                            .ok()
                            .filter(|&i| i < width)
                            .map_or(0.0, |i| run[(s * rows + row) * width + i])
                    };
                    let expected: f64 = (0..N).map(|j| Tables::<N>::INPUT[p][j] * x(j)).sum();
                    let got = out[p * plane(chunks * rows, 3 * tiles) + (q * rows + row) * 3 * tiles + s * tiles + t];
                    assert!(
                        (got - expected).abs() < 1e-12,
                        "{rows} x {width}, chunk {q} at {offset}: {s} {row} {t} {p}"
                    );
                }
            }
        }
    }

    #[test]
    fn tiles_at_the_points_follow_their_definition() {
        tiles_at_the_points::<6>();
        tiles_at_the_points::<MAX>();
    }
}
// END HIDDEN
