//! The soft argmax, its logarithm, and their gradients.

use ndarray::{ArrayD, ArrayViewD, Axis};
// BEGIN HIDDEN
use std::mem::MaybeUninit;

use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
mod avx512;
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
// first when it is not); one sweep finds the row's maximum, one writes its
// exponentials straight into the output and sums them (and what a
// backward needs of `grad_out`), and one more, over the row while it is
// in the cache, finishes it; sums and the maximum keep 32 independent
// lanes, so that the compiler turns them into SIMD; `exp` is a polynomial
// ([`exp_negative`]) instead of a call into libm, which is scalar; the
// maximum is a comparison, not `f64::max`; the code is compiled three
// times, for AVX-512, for AVX2 and for any x86-64, and the best the CPU
// has is chosen when it runs, with the exponentials' sweep written out in
// AVX-512 instructions ([`avx512`]) to use a table in registers (and the
// maximum and the scaling, to read a row's last numbers under a mask
// rather than one at a time); and big
// arrays are split into one block of rows per thread.

/// [`softmax_along`]'s kernel on rows of `n` numbers already in a slice.
pub(crate) fn softmax_rows(x: &[f64], out: &mut [f64], n: usize) {
    assert_eq!(x.len(), out.len(), "a softmax's rows and its output");
    assert!(x.len().is_multiple_of(n), "rows of {n} numbers");
    if x.is_empty() {
        return;
    }
    // SAFETY: `MaybeUninit<f64>` has the layout of `f64`, and `run`
    // writes only numbers into its output.
    let out = unsafe { &mut *(out as *mut [f64] as *mut [MaybeUninit<f64>]) };
    run(Kernel::Softmax, x, out, &[], n)
}

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
    apply::<{ cfg!(target_arch = "aarch64") }, false>(kernel, x, rows, grad, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn run_avx512(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    apply::<true, true>(kernel, x, rows, grad, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(kernel: Kernel, x: &[f64], rows: &mut [MaybeUninit<f64>], grad: &[f64], n: usize) {
    apply::<true, false>(kernel, x, rows, grad, n)
}

/// The kernels, inlined into each of [`run`]'s versions; `FMA` says
/// whether a multiply-add is one instruction, `AVX512` whether the CPU has
/// AVX-512 (only [`run_avx512`] says so).
#[inline(always)]
fn apply<const FMA: bool, const AVX512: bool>(
    kernel: Kernel,
    x: &[f64],
    rows: &mut [MaybeUninit<f64>],
    grad: &[f64],
    n: usize,
) {
    for ((r, s), x) in rows.chunks_exact_mut(n).enumerate().zip(x.chunks_exact(n)) {
        // Every kernel starts with the row's exponentials, shifted by its
        // maximum, written straight into the output, and in the same sweep
        // their total and (for a backward) the sum it needs of `grad_out`.
        let top = largest::<AVX512>(x);
        let g = grad.get(r * n..(r + 1) * n).unwrap_or(&[]);
        match kernel {
            Kernel::Softmax => {
                let (s, total, _) = exponentials::<FMA, AVX512, NOTHING>(s, x, top, &[]);
                scale::<AVX512>(s, 1.0 / total)
            }
            // The backward passes fold the division by the total into
            // their last sweep, instead of sweeping the row once more for it.
            Kernel::SoftmaxBackward => {
                let (s, total, dot) = exponentials::<FMA, AVX512, DOT>(s, x, top, g);
                let inverse = 1.0 / total;
                let weighted = dot * inverse;
                s.iter_mut().zip(g).for_each(|(s, &g)| *s = *s * inverse * (g - weighted));
            }
            Kernel::LogSoftmax => {
                let (s, total, _) = exponentials::<FMA, AVX512, NOTHING>(s, x, top, &[]);
                let log_total = total.ln();
                s.iter_mut().zip(x).for_each(|(s, &x)| *s = x - top - log_total);
            }
            Kernel::LogSoftmaxBackward => {
                let (s, total, g_total) = exponentials::<FMA, AVX512, SUM>(s, x, top, g);
                let factor = g_total / total;
                s.iter_mut().zip(g).for_each(|(s, &g)| *s = g - *s * factor);
            }
        }
    }
}

/// What [`exponentials`] sums besides the exponentials `e`: nothing, the
/// dot product of `e` with `g`, or `g` alone.
const NOTHING: u8 = 0;
const DOT: u8 = 1;
const SUM: u8 = 2;

/// Writes `e^(x - top)` of every `x` into `out` and returns it as
/// initialised, with the sum of those exponentials and the sum `ALSO`
/// asks for (0 for [`NOTHING`]). One sweep in blocks of [`LANES`], each
/// sum kept in that many independent lanes: written so, the compiler
/// vectorises the loop as it does a plain map (the same sums folded into
/// an iterator chain measured 15 % slower than a second pass). On CPUs
/// with AVX-512, [`avx512::exponentials`] does it with a table of powers
/// of two in registers, which the compiler cannot write itself.
#[inline(always)]
fn exponentials<'a, const FMA: bool, const AVX512: bool, const ALSO: u8>(
    out: &'a mut [MaybeUninit<f64>],
    x: &[f64],
    top: f64,
    g: &[f64],
) -> (&'a mut [f64], f64, f64) {
    assert_eq!(out.len(), x.len());
    // A forward has no `g`: it walks `x` twice instead, and ignores it.
    let g = if ALSO == NOTHING { x } else { g };
    assert_eq!(g.len(), x.len());
    #[cfg(target_arch = "x86_64")]
    if AVX512 {
        // SAFETY: `AVX512` is true in `run_avx512` only, which runs on
        // CPUs that have AVX-512F.
        let (total, other) = unsafe { avx512::exponentials::<ALSO>(out, x, top, g) };
        // SAFETY: that wrote every element.
        return (unsafe { written(out) }, total, other);
    }
    let (mut total, mut other) = ([0.0; LANES], [0.0; LANES]);
    let mut step = |out: &mut MaybeUninit<f64>, x: f64, g: f64, lane: usize| {
        let e = exp_negative::<FMA>(x - top);
        out.write(e);
        total[lane] += e;
        match ALSO {
            DOT => other[lane] += e * g,
            SUM => other[lane] += g,
            _ => {}
        }
    };
    let (mut blocks, mut xs, mut gs) = (out.chunks_exact_mut(LANES), x.chunks_exact(LANES), g.chunks_exact(LANES));
    for ((out, x), g) in (&mut blocks).zip(&mut xs).zip(&mut gs) {
        for lane in 0..LANES {
            step(&mut out[lane], x[lane], g[lane], lane);
        }
    }
    let rest = blocks.into_remainder().iter_mut().zip(xs.remainder()).zip(gs.remainder());
    rest.for_each(|((out, &x), &g)| step(out, x, g, 0));
    // SAFETY: `step` wrote every element, of the blocks and of the rest.
    (unsafe { written(out) }, total.iter().sum(), other.iter().sum())
}

/// `out` as the numbers it holds.
///
/// # Safety
///
/// Every element of `out` must have been written.
#[inline(always)]
unsafe fn written(out: &mut [MaybeUninit<f64>]) -> &mut [f64] {
    // SAFETY: `MaybeUninit<f64>` has the layout of `f64`, and the caller
    // wrote every element.
    unsafe { &mut *(out as *mut [MaybeUninit<f64>] as *mut [f64]) }
}

/// Every element of `row` times `factor`.
#[inline(always)]
fn scale<const AVX512: bool>(row: &mut [f64], factor: f64) {
    #[cfg(target_arch = "x86_64")]
    if AVX512 {
        // SAFETY: `AVX512` is true in `run_avx512` only.
        return unsafe { avx512::scale(row, factor) };
    }
    row.iter_mut().for_each(|v| *v *= factor);
}

/// Lanes of the sums above and of the maximum: 32 independent
/// accumulators, so that the additions need not be done in order and fill
/// four AVX-512 or eight AVX2 registers, each a chain of its own (one chain
/// waits on its previous step, and was the slowest part of the maximum).
const LANES: usize = 32;

/// The largest element of `row`, skipping NaN: a comparison with NaN is
/// false, so NaN never replaces the running value, and the comparison is
/// one instruction (`f64::max` needs three, to return the other operand
/// when the first is NaN). Folded into [`LANES`] independent lanes.
#[inline(always)]
fn largest<const AVX512: bool>(row: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if AVX512 {
        // SAFETY: `AVX512` is true in `run_avx512` only.
        return unsafe { avx512::largest(row) };
    }
    let larger = |a: f64, b: f64| if b > a { b } else { a };
    let mut lanes = [f64::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder().iter().fold(f64::NEG_INFINITY, |a, &b| larger(a, b));
    for c in chunks {
        for i in 0..LANES {
            lanes[i] = larger(lanes[i], c[i]);
        }
    }
    lanes.iter().fold(rest, |a, &b| larger(a, b))
}

/// `a * b + c`, rounded once when `FMA` (one instruction; without the
/// instruction `f64::mul_add` calls a slow libm function).
#[inline(always)]
fn mul_add<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// `x = k ln 2 + r` with `k` an integer and `|r| <= ln 2 / 2`, so that
/// `e^x = 2^k e^r`: returns `k + ROUND` (`k` sits in its low bits) and
/// `e^r`, a polynomial of degree 11 whose relative error is below 1e-17:
/// fitted to this interval by `exp_polynomial.py` beside this crate, it
/// needs two terms fewer than the Taylor series for the same accuracy.
#[inline(always)]
fn reduce<const FMA: bool>(x: f64) -> (f64, f64) {
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

/// ln 2 in two parts (fdlibm's): `k * LN2_HI` is exact for `|k| < 2^20`.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// Below this `e^x` rounds to 0 (`e^-745.14` is under half the smallest
/// subnormal).
const UNDERFLOW: f64 = -745.14;

/// `2^e` for `e` in `[-1022, 1023]`, built from its exponent bits.
#[inline(always)]
fn power_of_two(e: i64) -> f64 {
    f64::from_bits((e.wrapping_add(1023) as u64) << 52)
}

/// `e^x` for `x <= 0`, within 1 ulp of [`f64::exp`] on normal results and
/// rounded once on subnormal ones, in straight-line code that the compiler
/// vectorises, unlike the call into libm. A softmax only ever needs these:
/// its exponents are shifted by the row's maximum. `-inf` gives 0, NaN NaN.
///
/// `e^x = 2^k e^r` ([`reduce`]). `e^r 2^(k + 64)` is a normal number for
/// every `x` down to -745.14 and exact; multiplying it by `2^-64` rounds
/// it once where `e^x` is subnormal (a single `2^k` would not exist
/// there), and changes nothing elsewhere. Below -745.14, `e^x` rounds to
/// 0: those lanes compute garbage and are then set to 0.
#[inline(always)]
pub(crate) fn exp_negative<const FMA: bool>(x: f64) -> f64 {
    let (t, p) = reduce::<FMA>(x);
    let k = t.to_bits().wrapping_sub(ROUND.to_bits()) as i64;
    if x < UNDERFLOW { 0.0 } else { p * power_of_two(k.wrapping_add(64)) * TWO_TO_MINUS_64 }
}

/// `2^-64`, which [`exp_negative`] scales by.
const TWO_TO_MINUS_64: f64 = 1.0 / 18_446_744_073_709_551_616.0;
/// Where the tests hold the exponentials to 1 ulp of libm: every `x`
/// from 0 down to -745.1 (the smallest subnormal results), densely near 0
/// and where results turn subnormal.
#[cfg(test)]
pub(crate) fn exp_test_points() -> impl Iterator<Item = f64> {
    (0..400_000)
        .map(|i| -745.1 * i as f64 / 400_000.0)
        .chain((0..5000).map(|i| -i as f64 * 1e-4))
        .chain((0..5000).map(|i| -708.0 - i as f64 * 1e-3))
        .chain([-708.0, -708.4, -0.0, 0.0, -745.1])
}

/// How many representable numbers lie between `a` and `b` (of one sign).
#[cfg(test)]
pub(crate) fn ulps(a: f64, b: f64) -> i64 {
    (a.to_bits() as i64 - b.to_bits() as i64).abs()
}
// END HIDDEN
