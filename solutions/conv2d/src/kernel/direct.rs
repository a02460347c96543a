// BEGIN HIDDEN
//! The convolution by direct loops, for kernels with few weights per
//! output channel (`Cin * KH * KW`, the rows of the unfolded matrix).
//!
//! With one input channel and a 5 x 5 kernel (S1 of `cargo bench`) the
//! unfolded matrix has only 25 rows, and packing the thin matrix products'
//! operands took longer than multiplying them. Here each image is copied
//! once into zero-bordered planes whose rows are `W + KW - 1` long. In that
//! layout the window of output pixel `p = i * (W + KW - 1) + j` is the same
//! set of offsets from `p` for every pixel, so each output channel is a sum
//! of shifted copies of the planes, one per weight ([`correlate`]). The
//! last `KW - 1` pixels of every row are computed and thrown away.
//!
//! The backward is the same loop twice: `grad_input` correlates `grad_out`
//! (bordered at the top-left instead) with the weights turned 180 degrees,
//! and each weight's gradient is one dot product of `grad_out` with the
//! shifted planes ([`accumulate`]). With one or two input channels,
//! `grad_input` takes the kernel's rows as channels ([`kernel_rows`]).
//!
//! On the course's machines these loops are limited by loads from the
//! cache, not by multiplications: every vector loaded serves several
//! multiply-adds, and the vectors of running sums stay in registers.

use std::ops::Range;

use super::{Shape, for_each_batch_slice};

/// At most this many weights per output channel (`Cin * KH * KW`) take the
/// direct loops. Forward and backward on `cargo bench`'s shapes, one
/// thread: about 1.7 times as fast as the unfolded products on S1 (25
/// weights), 1.35 times on S2 (200), even on S3 (576).
const MAX_ROWS: usize = 256;

/// The computed pixels of a channel are a whole number of runs of up to
/// this many (see [`correlate`]).
const RUN: usize = 64;

/// The width of an AVX-512 vector of `f64`.
const LANES: usize = 8;

/// Output channels whose weight gradients are summed together: one
/// register of running sums each.
const OUTPUTS: usize = 4;

/// Taps whose weight gradients are summed together: with [`OUTPUTS`],
/// sixteen vectors of running sums.
const TAPS: usize = 4;

/// [`OUTPUTS`] channels of `grad_out` at [`LANES`] consecutive pixels.
type Block = [[f64; LANES]; OUTPUTS];

/// Whether the direct loops suit `shape` better than unfolded products:
/// few weights per output channel, and images of at least a run of pixels
/// (the buffers hold a whole number of runs per channel, which for tiny
/// images would be many times the images themselves).
pub(super) fn suits(shape: &Shape) -> bool {
    shape.rows() <= MAX_ROWS && shape.pixels() >= RUN
}

/// [`super::forward`] on a valid, non-empty `shape`: `x` is the input and
/// `w` the `Cout x rows` weight matrix, both row-major.
pub(super) fn forward(shape: &Shape, x: &[f64], w: &[f64]) -> Vec<f64> {
    let taps = shape.taps();
    let w = by_blocks(w, shape.cout, shape.rows(), block_size(shape.cout));
    let mut out = vec![0.0; shape.batch * shape.output_len()];
    for_each_batch_slice(shape, 1, &mut out, shape.output_len(), |images, outs| {
        run(Work::Forward { shape, x, w: &w, taps: &taps, images, outs })
    });
    out
}

/// [`super::backward`] on a valid, non-empty `shape`: the input gradient,
/// and the weight gradient as a `Cout x rows` matrix.
pub(super) fn backward(shape: &Shape, x: &[f64], w: &[f64], g: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let taps = shape.taps();
    let (back_taps, back_weights) = if by_kernel_rows(shape) { kernel_rows(shape, w) } else { turned(shape, w) };
    let mut grad_input = vec![0.0; shape.batch * shape.image_len()];
    let partial_sums = for_each_batch_slice(shape, 2, &mut grad_input, shape.image_len(), |images, grad_images| {
        let mut grad_weight = vec![0.0; shape.cout * shape.rows()];
        run(Work::Backward {
            shape,
            x,
            g,
            taps: &taps,
            back_taps: &back_taps,
            back_weights: &back_weights,
            images,
            grad_images,
            grad_weight: &mut grad_weight,
        });
        grad_weight
    });
    let mut grad_weight = vec![0.0; shape.cout * shape.rows()];
    for part in partial_sums {
        grad_weight.iter_mut().zip(part).for_each(|(sum, part)| *sum += part);
    }
    (grad_input, grad_weight)
}

/// `grad_input`'s taps and weights: channel `c` reads weight `(o, c, a, d)`
/// at the tap turned 180 degrees, `(o, KH - 1 - a, KW - 1 - d)`, of
/// bordered `grad_out`; in blocks of [`block_size`] channels.
fn turned(shape: &Shape, w: &[f64]) -> (Vec<usize>, Vec<f64>) {
    let per_channel = shape.kh * shape.kw;
    let taps: Vec<usize> = (0..shape.cout * per_channel)
        .map(|t| t / per_channel * shape.grad_stride() + shape.tap(per_channel - 1 - t % per_channel))
        .collect();
    let weights: Vec<f64> = (0..shape.cin)
        .flat_map(|c| (0..shape.cout * per_channel).map(move |t| (c, t)))
        .map(|(c, t)| w[(t / per_channel) * shape.rows() + c * per_channel + t % per_channel])
        .collect();
    let weights = by_blocks(&weights, shape.cin, taps.len(), block_size(shape.cin));
    (taps, weights)
}

/// Whether `grad_input` is summed from the kernel's rows ([`kernel_rows`]):
/// with fewer input channels than a block, each vector loaded by
/// [`correlate`] would serve one or two multiply-adds only.
fn by_kernel_rows(shape: &Shape) -> bool {
    block_size(shape.cin) < OUTPUTS && (2..=MAX_KERNEL_ROWS).contains(&shape.kh)
}

/// The tallest kernel whose rows [`by_kernel_rows`] takes as channels.
const MAX_KERNEL_ROWS: usize = 7;

/// `grad_input` with each row of the kernel as a channel of its own: for
/// input channel `c` and row `a` of the kernel turned 180 degrees,
/// `y[c, a][p]` sums weight `(o, c, KH - 1 - a, d)` times bordered
/// `grad_out` at `p + (o, 0, KW - 1 - d)`, over `o` and `d`; then
/// `grad_input[c][p] = sum over a of y[c, a][p + a * (W + KW - 1)]`
/// ([`sum_rows`]). Every vector of `grad_out` loaded serves `KH`
/// multiply-adds instead of one: on S1 of `cargo bench` (one input
/// channel, 5 x 5), `grad_input` took a third of the time the other way.
/// Taps `(o, d)` in order `o * KW + d`, weights `[c][t][a]`.
fn kernel_rows(shape: &Shape, w: &[f64]) -> (Vec<usize>, Vec<f64>) {
    let (kh, kw) = (shape.kh, shape.kw);
    let taps = (0..shape.cout * kw).map(|t| t / kw * shape.grad_stride() + kw - 1 - t % kw).collect();
    let weights = (0..shape.cin)
        .flat_map(|c| (0..shape.cout * kw).flat_map(move |t| (0..kh).map(move |a| (c, t / kw, kh - 1 - a, t % kw))))
        .map(|(c, o, a, d)| w[o * shape.rows() + (c * kh + a) * kw + d])
        .collect();
    (taps, weights)
}

impl Shape {
    /// The length of a bordered row, `W + KW - 1`.
    fn padded_width(&self) -> usize {
        self.width + self.kw - 1
    }

    /// The length of a bordered plane: `H + KH - 1` rows.
    fn plane(&self) -> usize {
        (self.height + self.kh - 1) * self.padded_width()
    }

    /// The pixels of each `y` plane of [`kernel_rows`]: a whole bordered
    /// plane, rounded up to runs.
    fn row_span(&self) -> usize {
        self.plane().next_multiple_of(RUN)
    }

    /// The pixels computed per channel: `H` bordered rows, rounded up to runs.
    fn span(&self) -> usize {
        (self.height * self.padded_width()).next_multiple_of(RUN)
    }

    /// The offset in the bordered planes of row `row` = `(c, a, d)` of the
    /// unfolded matrix: output pixel `p` reads it at `p + tap`.
    fn tap(&self, row: usize) -> usize {
        let (c, a, d) = self.row_origin(row);
        c * self.plane() + a * self.padded_width() + d
    }

    /// [`Shape::tap`] of every row, in order.
    fn taps(&self) -> Vec<usize> {
        (0..self.rows()).map(|row| self.tap(row)).collect()
    }

    /// Zeroed room for `channels` bordered planes `stride` apart, and for
    /// the last run of the last channel read at the farthest tap.
    fn bordered(&self, channels: usize, stride: usize) -> Vec<f64> {
        vec![
            0.0;
            channels.saturating_sub(1) * stride + self.plane() + self.span() - self.height * self.padded_width()
                + self.kw
        ]
    }

    /// Where `grad_out`, bordered at the top-left, starts in its plane.
    fn grad_origin(&self) -> usize {
        (self.kh - 1) * self.padded_width() + self.kw - 1
    }

    /// The distance between the planes of bordered `grad_out`: at least
    /// [`Shape::span`] pixels from its origin to the next plane, so that
    /// the planes read from the origin on are `grad_out` in rows of the
    /// bordered width, zero past `W` and past the last row.
    fn grad_stride(&self) -> usize {
        self.plane().max(self.grad_origin() + self.span())
    }

    /// Copies row-major `H x W` planes into the bordered planes of `out`,
    /// `stride` apart, each pixel `(i, j)` to `(i + top, j + left)`. The
    /// border is never written, so it stays zero from image to image.
    fn border(&self, planes: &[f64], (top, left): (usize, usize), stride: usize, out: &mut [f64]) {
        let (width, padded) = (self.width, self.padded_width());
        for (c, plane) in planes.chunks_exact(self.pixels()).enumerate() {
            for (i, row) in plane.chunks_exact(width).enumerate() {
                out[c * stride + (i + top) * padded + left..][..width].copy_from_slice(row);
            }
        }
    }

    /// Copies the first `W` pixels of every computed row of each channel of
    /// `sums` (rows of [`Shape::span`] pixels) into the `H x W` planes of `out`.
    fn crop(&self, sums: &[f64], out: &mut [f64]) {
        for (sums, out) in sums.chunks_exact(self.span()).zip(out.chunks_exact_mut(self.pixels())) {
            for (out, sums) in out.chunks_exact_mut(self.width).zip(sums.chunks(self.padded_width())) {
                out.copy_from_slice(&sums[..self.width]);
            }
        }
    }
}

/// One thread's share of a forward or a backward.
enum Work<'a> {
    Forward {
        shape: &'a Shape,
        x: &'a [f64],
        w: &'a [f64],
        taps: &'a [usize],
        images: Range<usize>,
        outs: &'a mut [f64],
    },
    Backward {
        shape: &'a Shape,
        x: &'a [f64],
        g: &'a [f64],
        taps: &'a [usize],
        back_taps: &'a [usize],
        back_weights: &'a [f64],
        images: Range<usize>,
        grad_images: &'a mut [f64],
        grad_weight: &'a mut [f64],
    },
}

/// Does `work`, compiled for the widest SIMD the CPU has.
fn run(work: Work) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("fma") {
            // SAFETY: the CPU has both features, checked just above.
            return unsafe { run_avx512(work) };
        }
        if has!("avx2") && has!("fma") {
            // SAFETY: as above.
            return unsafe { run_avx2(work) };
        }
    }
    // Elsewhere a fused multiply-add is an instruction on aarch64 only.
    apply::<{ cfg!(target_arch = "aarch64") }>(work)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn run_avx512(work: Work) {
    apply::<true>(work)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(work: Work) {
    apply::<true>(work)
}

/// The loops, inlined into each of [`run`]'s versions; `FMA` says whether
/// a multiply-add is one instruction.
#[inline(always)]
fn apply<const FMA: bool>(work: Work) {
    match work {
        Work::Forward { shape, x, w, taps, images, outs } => {
            let mut planes = shape.bordered(shape.cin, shape.plane());
            let mut sums = vec![0.0; block_size(shape.cout) * shape.span()];
            for (b, out) in images.zip(outs.chunks_exact_mut(shape.output_len())) {
                shape.border(&x[b * shape.image_len()..][..shape.image_len()], (0, 0), shape.plane(), &mut planes);
                correlate_blocks::<FMA>(shape, &planes, taps, w, &mut sums, out);
            }
        }
        Work::Backward { shape, x, g, taps, back_taps, back_weights, images, grad_images, grad_weight } => {
            let span = shape.span();
            let mut planes = shape.bordered(shape.cin, shape.plane());
            // grad_out bordered at the top-left, for grad_input, and from its
            // origin on, interleaved, for grad_weight.
            let mut grads = shape.bordered(shape.cout, shape.grad_stride());
            // The `y` planes of `kernel_rows` are read past the last plane.
            grads.resize(grads.len() + shape.row_span(), 0.0);
            let mut blocks = vec![[[0.0; LANES]; OUTPUTS]; shape.cout.div_ceil(OUTPUTS) * span / LANES];
            let by_rows = by_kernel_rows(shape);
            let mut sums = vec![0.0; if by_rows { shape.kh * shape.row_span() } else { block_size(shape.cin) * span }];
            for (b, grad_image) in images.zip(grad_images.chunks_exact_mut(shape.image_len())) {
                let g = &g[b * shape.output_len()..][..shape.output_len()];
                shape.border(&x[b * shape.image_len()..][..shape.image_len()], (0, 0), shape.plane(), &mut planes);
                shape.border(g, (shape.kh - 1, shape.kw - 1), shape.grad_stride(), &mut grads);
                interleave(&grads[shape.grad_origin()..], shape, &mut blocks);
                if by_rows {
                    let weights = back_weights.chunks_exact(shape.kh * back_taps.len());
                    for (weights, grad_image) in weights.zip(grad_image.chunks_exact_mut(shape.pixels())) {
                        correlate_rows::<FMA>(shape.kh, &grads, back_taps, weights, &mut sums);
                        sum_rows(shape, &sums, grad_image);
                    }
                } else {
                    correlate_blocks::<FMA>(shape, &grads, back_taps, back_weights, &mut sums, grad_image);
                }
                let outputs = blocks.chunks_exact(span / LANES);
                for (blocks, grad_weight) in outputs.zip(grad_weight.chunks_mut(OUTPUTS * shape.rows())) {
                    accumulate::<FMA>(blocks, &planes, taps, grad_weight);
                }
            }
        }
    }
}

/// For a block of `K` channels `k`: `out[k][p] = sum over t of
/// weights[t * K + k] * planes[taps[t] + p]`, where `out` is `K` rows of
/// [`Shape::span`] pixels. Each run of `R` pixels keeps its sums in
/// registers, and each vector read from the planes serves every channel:
/// loads, not multiplications, are what limits this loop.
#[inline(always)]
fn correlate<const FMA: bool, const K: usize, const R: usize>(
    planes: &[f64],
    taps: &[usize],
    weights: &[f64],
    out: &mut [f64],
) {
    let span = out.len() / K;
    for start in (0..span).step_by(R) {
        let mut sums = [[0.0; R]; K];
        for (&tap, weights) in taps.iter().zip(weights.chunks_exact(K)) {
            let x: &[f64; R] = planes[tap + start..][..R].try_into().expect("a run");
            let weights: &[f64; K] = weights.try_into().expect("a block");
            for (sums, &weight) in sums.iter_mut().zip(weights) {
                for (sum, &x) in sums.iter_mut().zip(x) {
                    *sum = multiply_add::<FMA>(x, weight, *sum);
                }
            }
        }
        for (k, sums) in sums.iter().enumerate() {
            out[k * span + start..][..R].copy_from_slice(sums);
        }
    }
}

/// Every output channel of `out` (`H x W` planes), [`correlate`]d from
/// `planes` in blocks of [`block_size`] channels (`weights` as laid out by
/// [`by_blocks`]), each block through `sums` and cropped; eight vectors of
/// running sums whatever the block's size (sixteen, as 4 channels of 32
/// pixels, would load less per multiply-add, but the compiler then stops
/// vectorising and S1 and S2 of `cargo bench` ran 3 to 5 times slower).
#[inline(always)]
fn correlate_blocks<const FMA: bool>(
    shape: &Shape,
    planes: &[f64],
    taps: &[usize],
    weights: &[f64],
    sums: &mut [f64],
    out: &mut [f64],
) {
    let k = sums.len() / shape.span();
    for (weights, out) in weights.chunks_exact(k * taps.len()).zip(out.chunks_mut(k * shape.pixels())) {
        match k {
            1 => correlate::<FMA, 1, 64>(planes, taps, weights, sums),
            2 => correlate::<FMA, 2, 32>(planes, taps, weights, sums),
            _ => correlate::<FMA, 4, 16>(planes, taps, weights, sums),
        }
        shape.crop(sums, out);
    }
}

/// [`correlate`] with the `kh` rows of the kernel as channels, in runs of
/// two vectors: from `4` running sums for `kh = 2` to `14` for `kh = 7`.
#[inline(always)]
fn correlate_rows<const FMA: bool>(kh: usize, planes: &[f64], taps: &[usize], weights: &[f64], out: &mut [f64]) {
    match kh {
        2 => correlate::<FMA, 2, 8>(planes, taps, weights, out),
        3 => correlate::<FMA, 3, 8>(planes, taps, weights, out),
        4 => correlate::<FMA, 4, 8>(planes, taps, weights, out),
        5 => correlate::<FMA, 5, 8>(planes, taps, weights, out),
        6 => correlate::<FMA, 6, 8>(planes, taps, weights, out),
        7 => correlate::<FMA, 7, 8>(planes, taps, weights, out),
        _ => unreachable!("kernels of 2 to {MAX_KERNEL_ROWS} rows"),
    }
}

/// One channel of `grad_input` (`H x W`) from its `KH` planes `y` of
/// [`kernel_rows`], [`Shape::row_span`] pixels each: pixel `(i, j)` is the
/// sum over `a` of `y[a]` at `(i + a) * (W + KW - 1) + j`.
fn sum_rows(shape: &Shape, y: &[f64], out: &mut [f64]) {
    let (padded, span) = (shape.padded_width(), shape.row_span());
    for (i, out) in out.chunks_exact_mut(shape.width).enumerate() {
        out.copy_from_slice(&y[i * padded..][..shape.width]);
        for a in 1..shape.kh {
            let y = &y[a * span + (i + a) * padded..][..shape.width];
            out.iter_mut().zip(y).for_each(|(out, y)| *out += y);
        }
    }
}

/// The channels [`correlate`] computes together out of `channels`.
fn block_size(channels: usize) -> usize {
    channels.clamp(1, 4).next_power_of_two().min(4)
}

/// The `rows x cols` row-major matrix `m` in blocks of `k` rows, each
/// stored column after column: `m[b * k + i][j]` at `(b * cols + j) * k + i`,
/// zero past the last row.
fn by_blocks(m: &[f64], rows: usize, cols: usize, k: usize) -> Vec<f64> {
    (0..rows.div_ceil(k) * cols * k)
        .map(|n| {
            let (block, j, i) = (n / (cols * k), n / k % cols, n % k);
            m.get((block * k + i) * cols + j).copied().unwrap_or(0.0)
        })
        .collect()
}

/// For [`OUTPUTS`] output channels `o` at once, adds to `grad_weight[o][t]`
/// the dot product of channel `o` of `blocks` with the planes read at
/// `taps[t]`, every `t`.
#[inline(always)]
fn accumulate<const FMA: bool>(blocks: &[Block], planes: &[f64], taps: &[usize], grad_weight: &mut [f64]) {
    let len = blocks.len() * LANES;
    for (first, group) in (0..).step_by(TAPS).zip(taps.chunks(TAPS)) {
        // A last, short group of taps is filled up with its first one.
        let planes = std::array::from_fn(|t| &planes[*group.get(t).unwrap_or(&group[0])..][..len]);
        let sums = dots::<FMA>(blocks, planes);
        // The zero channels past Cout have no row in `grad_weight`.
        for (row, sums) in grad_weight.chunks_exact_mut(taps.len()).zip(&sums) {
            for (sum, sums) in row[first..].iter_mut().zip(&sums[..group.len()]) {
                *sum += sums.iter().sum::<f64>();
            }
        }
    }
}

/// The dot products of each of the [`OUTPUTS`] channels of `blocks` with
/// each of [`TAPS`] slices, as vectors of running sums. Each vector loaded
/// serves [`TAPS`] or [`OUTPUTS`] products: loads, not multiplications,
/// are what limits this loop.
#[inline(always)]
fn dots<const FMA: bool>(blocks: &[Block], planes: [&[f64]; TAPS]) -> [[[f64; LANES]; TAPS]; OUTPUTS] {
    let mut sums = [[[0.0; LANES]; TAPS]; OUTPUTS];
    for (n, block) in blocks.iter().enumerate() {
        let x: [&[f64; LANES]; TAPS] =
            std::array::from_fn(|t| planes[t][n * LANES..][..LANES].try_into().expect("a vector"));
        for (sums, g) in sums.iter_mut().zip(block) {
            for (sums, x) in sums.iter_mut().zip(x) {
                for ((sum, &g), &x) in sums.iter_mut().zip(g).zip(x) {
                    *sum = multiply_add::<FMA>(g, x, *sum);
                }
            }
        }
    }
    sums
}

/// Interleaves the first [`Shape::span`] pixels of the `Cout` planes of
/// `grads`, [`Shape::grad_stride`] apart, by [`OUTPUTS`] channels and
/// [`LANES`] pixels: `blocks[b * span / LANES + n][k]` holds pixels
/// `n * LANES ..` of channel `b * OUTPUTS + k`. Channels past Cout stay zero.
fn interleave(grads: &[f64], shape: &Shape, blocks: &mut [Block]) {
    let (per_block, stride) = (shape.span() / LANES, shape.grad_stride());
    for o in 0..shape.cout {
        let blocks = &mut blocks[o / OUTPUTS * per_block..][..per_block];
        let plane = &grads[o * stride..][..per_block * LANES];
        for (block, lanes) in blocks.iter_mut().zip(plane.chunks_exact(LANES)) {
            block[o % OUTPUTS] = lanes.try_into().expect("a vector");
        }
    }
}

/// `a * b + c`, in one rounding where the CPU has the instruction (without
/// it `f64::mul_add` is a slow library call).
#[inline(always)]
fn multiply_add<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}
// END HIDDEN
