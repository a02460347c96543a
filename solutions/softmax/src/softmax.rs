//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis};
// BEGIN HIDDEN
use std::mem::MaybeUninit;

use rayon::prelude::*;
// END HIDDEN

/// `exp(x) / sum(exp(x))` along `axis`, with the slice's maximum subtracted
/// first so that no `exp` overflows.
pub fn softmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: copy x; in every lane along the axis subtract the lane's max, exponentiate, then divide by the lane's sum
    // HINT(softmax): Exponentiate and divide by the slice's sum, giving positive weights that sum to 1.
    // HINT(softmax): Subtract the slice max first; nothing changes mathematically and every exponent stays ≤ 0.
    // HINT(softmax): Without the shift, x = 1000 gives inf/inf = NaN; normalise along dim.
    rows(x, axis, None, Kernel::Softmax)
    // END SOLUTION
}

/// `s * (grad_out - sum(grad_out * s))` along `axis`, with `s = softmax(x)`.
pub fn softmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = softmax(x), in every lane the gradient is s * (g - dot(g, s))
    // HINT(softmax_backward): One input moves every output of its slice.
    // HINT(softmax_backward): s × (own upstream gradient − the s-weighted sum of the slice's upstream gradients).
    // HINT(softmax_backward): Pitfall: s·g without the sum term.
    rows(x, axis, Some(grad_out), Kernel::SoftmaxBackward)
    // END SOLUTION
}

/// `x - max - log(sum(exp(x - max)))` along `axis`: the log-sum-exp trick.
pub fn logsoftmax_along(x: ArrayViewD<f64>, axis: Axis) -> ArrayD<f64> {
    // BEGIN SOLUTION: copy x; in every lane subtract the max m and then log(sum(exp(x - m))); never take the log of a softmax
    // HINT(logsoftmax): x minus the slice's log-sum-exp, finite at ±1000.
    // HINT(logsoftmax): Take out the max m: log Σ e^x = m + log Σ e^(x−m).
    // HINT(logsoftmax): Pitfalls: log of a softmax (−inf at −1000), subtracting m without adding it back.
    rows(x, axis, None, Kernel::LogSoftmax)
    // END SOLUTION
}

/// `grad_out - softmax(x) * sum(grad_out)` along `axis`.
pub fn logsoftmax_backward_along(x: ArrayViewD<f64>, axis: Axis, grad_out: ArrayViewD<f64>) -> ArrayD<f64> {
    // BEGIN SOLUTION: with s = softmax(x), in every lane the gradient is g - s * sum(g)
    // HINT(logsoftmax_backward): The derivative of log-sum-exp is the softmax.
    // HINT(logsoftmax_backward): Own gradient minus softmax × the slice's sum of gradients.
    // HINT(logsoftmax_backward): Pitfalls: no sum, an unshifted softmax inside (NaN at 1000).
    rows(x, axis, Some(grad_out), Kernel::LogSoftmaxBackward)
    // END SOLUTION
}

// BEGIN HIDDEN
// How these kernels are fast (the "making it fast" part of the softmax
// chapter): every slice is a contiguous row (the axis is moved last
// first when it is not); the row's exponentials are written straight into
// the output, and the rest of the work is a few passes over that row while
// it is in the cache; passes that fold keep 32 independent lanes, so that
// the compiler turns them into SIMD; `exp` is a polynomial ([`exp`])
// instead of a call into libm, which is scalar, and a cheaper one
// ([`exp_normal`]) when no result of the row can be subnormal; the maximum
// is a comparison, not `f64::max`; the code is compiled three
// times, for AVX-512, for AVX2 and for any x86-64, and the best the CPU has
// is chosen when it runs; and big arrays are split into one block of rows
// per thread.

/// What to compute on each row.
#[derive(Clone, Copy)]
enum Kernel {
    Softmax,
    SoftmaxBackward,
    LogSoftmax,
    LogSoftmaxBackward,
}

/// Arrays smaller than this many elements stay on the calling thread: on
/// the course's 2-core virtual machines, waking a pool thread that has gone
/// to sleep takes up to 0.1 ms, about the time of this many elements.
const PARALLEL_ELEMENTS: usize = 1 << 16;

/// Applies `kernel` to every lane of `x` along `axis`, with the matching
/// lane of `grad` for a backward.
fn rows(x: ArrayViewD<f64>, axis: Axis, grad: Option<ArrayViewD<f64>>, kernel: Kernel) -> ArrayD<f64> {
    let last = axis.index() + 1 == x.ndim();
    let (true, Some(flat_x), Some(g)) = (last, x.as_slice(), grad.as_ref().map_or(Some(&[][..]), |g| g.as_slice()))
    else {
        return strided(x, axis, grad, kernel);
    };
    let n = x.len_of(axis);
    // The output is not zeroed first (that would be one more pass over
    // memory): `apply` writes every row before reading it. Big arrays are
    // cut into one block of whole rows per thread of rayon's pool.
    let mut out = ArrayD::<f64>::uninit(x.raw_dim());
    let flat = out.as_slice_mut().expect("a new array");
    let threads = rayon::current_num_threads();
    if threads <= 1 || flat.len() < PARALLEL_ELEMENTS {
        run(kernel, flat_x, flat, g, n);
    } else {
        let block = (flat.len() / n).div_ceil(threads) * n;
        flat.par_chunks_mut(block).enumerate().for_each(|(i, out)| {
            let at = i * block..i * block + out.len();
            run(kernel, &flat_x[at.clone()], out, g.get(at).unwrap_or(&[]), n)
        });
    }
    // SAFETY: `apply` wrote every row of every block, and the blocks cover `out`.
    unsafe { out.assume_init() }
}

/// [`rows`] for lanes that are not contiguous: `axis` moved last and the
/// arrays copied in that order, then the result put back in `x`'s order.
fn strided(x: ArrayViewD<f64>, axis: Axis, grad: Option<ArrayViewD<f64>>, kernel: Kernel) -> ArrayD<f64> {
    let mut order: Vec<usize> = (0..x.ndim()).filter(|&a| a != axis.index()).collect();
    order.push(axis.index());
    let moved = |a: ArrayViewD<f64>| a.permuted_axes(order.clone()).as_standard_layout().into_owned();
    let (x, grad) = (moved(x), grad.map(moved));
    let out = rows(x.view(), Axis(order.len() - 1), grad.as_ref().map(|g| g.view()), kernel);
    let mut back = vec![0; order.len()];
    order.iter().enumerate().for_each(|(i, &a)| back[a] = i);
    out.permuted_axes(back).as_standard_layout().into_owned()
}

/// Applies `kernel` to the consecutive rows of `n` elements of `rows`
/// (and of `grad`, empty for a forward), compiled for the widest SIMD the
/// CPU has.
fn run(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("fma") {
            // SAFETY: the CPU has both features, checked just above.
            return unsafe { run_avx512(kernel, x, rows, grad, n) };
        }
        if has!("avx2") && has!("fma") {
            // SAFETY: as above.
            return unsafe { run_avx2(kernel, x, rows, grad, n) };
        }
    }
    // Elsewhere a fused multiply-add is an instruction on aarch64 only.
    apply::<{ cfg!(target_arch = "aarch64") }>(kernel, x, rows, grad, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn run_avx512(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    apply::<true>(kernel, x, rows, grad, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    apply::<true>(kernel, x, rows, grad, n)
}

/// The kernels, inlined into each of [`run`]'s versions; `FMA` says
/// whether a multiply-add is one instruction.
#[inline(always)]
fn apply<const FMA: bool>(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    for ((r, s), x) in rows.chunks_exact_mut(n).enumerate().zip(x.chunks_exact(n)) {
        // Every kernel starts with the row's exponentials, shifted by its
        // maximum, written straight into the output. When the whole row
        // lies within NORMAL of its maximum (the usual case; masked scores
        // of -inf aside), every one of them is a normal number or 0, and
        // the cheaper `exp_normal` is exact.
        let (top, bottom) = max_min(x);
        let s = if bottom - top >= -NORMAL {
            exp_into(s, x, |x| exp_normal::<FMA>(x - top))
        } else {
            exp_into(s, x, |x| exp::<FMA>(x - top))
        };
        let total = sum(s);
        let g = grad.get(r * n..(r + 1) * n).unwrap_or(&[]);
        match kernel {
            Kernel::Softmax => scale(s, 1.0 / total),
            // The backward passes fold the division by the total into
            // their last sweep, instead of sweeping the row once more for it.
            Kernel::SoftmaxBackward => {
                let inverse = 1.0 / total;
                let weighted = dot(s, g) * inverse;
                s.iter_mut().zip(g).for_each(|(s, &g)| *s = *s * inverse * (g - weighted));
            }
            Kernel::LogSoftmax => {
                let log_total = total.ln();
                s.iter_mut().zip(x).for_each(|(s, &x)| *s = x - top - log_total);
            }
            Kernel::LogSoftmaxBackward => {
                let factor = sum(g) / total;
                s.iter_mut().zip(g).for_each(|(s, &g)| *s = g - *s * factor);
            }
        }
    }
}

/// Writes `exp(x)` of every `x` into `out`, and returns it as initialised.
/// A loop of its own, because the compiler vectorises a plain loop over a
/// slice far more reliably than the same work folded into a sum (which
/// measured 15 % slower).
#[inline(always)]
fn exp_into<'a>(out: &'a mut [MaybeUninit<f64>], x: &[f64], exp: impl Fn(f64) -> f64) -> &'a mut [f64] {
    assert_eq!(out.len(), x.len());
    out.iter_mut().zip(x).for_each(|(out, &x)| {
        out.write(exp(x));
    });
    // SAFETY: every element was just written, and `MaybeUninit<f64>` has
    // the layout of `f64`.
    unsafe { &mut *(out as *mut [MaybeUninit<f64>] as *mut [f64]) }
}

#[inline(always)]
fn scale(row: &mut [f64], factor: f64) {
    row.iter_mut().for_each(|v| *v *= factor);
}

/// Lanes of the folds below: 32 independent accumulators, so that the
/// additions need not be done in order and fill four AVX-512 or eight AVX2
/// registers, each a chain of its own (one chain waits on its previous
/// step, and was the slowest part of the maximum).
const LANES: usize = 32;

/// Folds `row` with `f` into [`LANES`] independent lanes, then the lanes
/// into one.
#[inline(always)]
fn fold(row: &[f64], start: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut lanes = [start; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder().iter().fold(start, |a, &b| f(a, b));
    for c in chunks {
        for i in 0..LANES {
            lanes[i] = f(lanes[i], c[i]);
        }
    }
    lanes.iter().fold(rest, |a, &b| f(a, b))
}

/// The largest element and the smallest one above `-inf`, skipping NaN: a
/// comparison with NaN is false, so NaN never replaces the running value,
/// and the comparisons are one instruction each (`f64::max` needs three,
/// to return the other operand when the first is NaN). Two passes over a
/// row in the cache: folding both at once is a loop the compiler does not
/// vectorise.
#[inline(always)]
fn max_min(row: &[f64]) -> (f64, f64) {
    let top = fold(row, f64::NEG_INFINITY, |a, b| if b > a { b } else { a });
    let bottom = fold(row, f64::INFINITY, |a, b| if b < a && b > f64::NEG_INFINITY { b } else { a });
    (top, bottom)
}

#[inline(always)]
fn sum(row: &[f64]) -> f64 {
    fold(row, 0.0, |a, b| a + b)
}

#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut total = [0.0; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in ca.zip(cb) {
        for i in 0..LANES {
            total[i] += a[i] * b[i];
        }
    }
    total.iter().sum::<f64>() + rest
}

/// `a * b + c`, rounded once when `FMA` (one instruction; without the
/// instruction `f64::mul_add` calls a slow libm function).
#[inline(always)]
fn mul_add<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// How far below its maximum a row may reach for [`exp_normal`]: `e^-708`
/// is still a normal number (the smallest is about `e^-708.4`).
const NORMAL: f64 = 708.0;

/// `x = k ln 2 + r` with `k` an integer and `|r| <= ln 2 / 2`, so that
/// `e^x = 2^k e^r`: returns `k + ROUND` (`k` sits in its low bits) and
/// `e^r`, a polynomial of degree 11 whose relative error is below 1e-17:
/// fitted to this interval by `exp_polynomial.py` beside this crate, it
/// needs two terms fewer than the Taylor series for the same accuracy.
#[inline(always)]
fn reduce<const FMA: bool>(x: f64) -> (f64, f64) {
    // ln 2 in two parts (fdlibm's): k * LN2_HI is exact for |k| < 2^20.
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // The coefficients of r^11 down to r^2, then of r and 1: Horner's
    // scheme, highest power first.
    const POLYNOMIAL: [f64; 12] = [
        2.511_003_829_672_724_2e-8,
        2.763_264_067_543_023_5e-7,
        2.755_724_236_744_966e-6,
        2.480_148_736_602_567_5e-5,
        1.984_126_988_656_380_2e-4,
        1.388_888_894_778_552_3e-3,
        8.333_333_333_322_215e-3,
        4.166_666_666_652_210_6e-2,
        1.666_666_666_666_667_4e-1,
        5.000_000_000_000_01e-1,
        1.0,
        1.0,
    ];
    let t = mul_add::<FMA>(x, std::f64::consts::LOG2_E, ROUND);
    let k = t - ROUND;
    let r = mul_add::<FMA>(-k, LN2_LO, mul_add::<FMA>(-k, LN2_HI, x));
    (t, POLYNOMIAL[1..].iter().fold(POLYNOMIAL[0], |p, &c| mul_add::<FMA>(p, r, c)))
}

/// Adding 1.5 * 2^52 rounds to an integer, kept in the low bits.
const ROUND: f64 = 6_755_399_441_055_744.0;

/// `2^e` for `e` in `[-1022, 1023]`, built from its exponent bits.
#[inline(always)]
fn power_of_two(e: i64) -> f64 {
    f64::from_bits((e.wrapping_add(1023) as u64) << 52)
}

/// `e^x` within 1 ulp of [`f64::exp`] (on normal results), in straight-line
/// code that the compiler vectorises, unlike the call into libm.
///
/// `e^x = 2^k e^r` ([`reduce`]), with `2^k` built as two factors so that
/// results down to the smallest subnormal and up to `f64::MAX` come out
/// right. NaN stays NaN, `-inf` gives 0 and `+inf` inf.
#[inline(always)]
pub(crate) fn exp<const FMA: bool>(x: f64) -> f64 {
    // Above 710 e^x is inf anyway (NaN stays NaN). Below -745.14 it rounds
    // to 0: those lanes compute e^0 and are then set to 0, because an
    // underflowing product costs a hundred cycles or more on many CPUs,
    // and attention's masked scores are all -inf.
    let zero = x < -745.14;
    let x = if zero {
        0.0
    } else if x > 710.0 {
        710.0
    } else {
        x
    };
    let (t, p) = reduce::<FMA>(x);
    // k in [-1077, 1025] as an integer, split in two halves each of which
    // is a normal power of two: 2^k = 2^half * 2^(k - half). For NaN, k is
    // garbage and p is NaN: the integer steps wrap rather than overflow.
    let k = (t.to_bits().wrapping_sub(ROUND.to_bits()) as i64).wrapping_add(2048);
    let half = (k as u64 >> 1) as i64 - 1024;
    let rest = k.wrapping_sub(2048).wrapping_sub(half);
    if zero { 0.0 } else { p * power_of_two(half) * power_of_two(rest) }
}

/// [`exp`] for `x` in `[-NORMAL, 0]`, where `e^x` is a normal number, and
/// for `-inf` (0) and NaN (NaN): `2^k` is then one factor, and the only
/// clamp is the one to 0. A third fewer instructions than [`exp`], which
/// is what a softmax spends most of its time in.
#[inline(always)]
pub(crate) fn exp_normal<const FMA: bool>(x: f64) -> f64 {
    let (t, p) = reduce::<FMA>(x);
    if x < -NORMAL { 0.0 } else { p * power_of_two(t.to_bits().wrapping_sub(ROUND.to_bits()) as i64) }
}
// END HIDDEN
