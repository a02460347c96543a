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
// it is in the cache; passes that fold keep 8 independent lanes, so that
// the compiler turns them into SIMD; `exp` is a polynomial ([`exp`])
// instead of a call into libm, which is scalar; the code is compiled three
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
        // maximum, written straight into the output.
        let top = max(x);
        let s = exp_into::<FMA>(s, x, top);
        let total = sum(s);
        let g = grad.get(r * n..(r + 1) * n).unwrap_or(&[]);
        match kernel {
            Kernel::Softmax => scale(s, 1.0 / total),
            Kernel::SoftmaxBackward => {
                scale(s, 1.0 / total);
                let weighted = dot(s, g);
                s.iter_mut().zip(g).for_each(|(s, &g)| *s *= g - weighted);
            }
            Kernel::LogSoftmax => {
                let log_total = total.ln();
                s.iter_mut().zip(x).for_each(|(s, &x)| *s = x - top - log_total);
            }
            Kernel::LogSoftmaxBackward => {
                scale(s, 1.0 / total);
                let total = sum(g);
                s.iter_mut().zip(g).for_each(|(s, &g)| *s = g - *s * total);
            }
        }
    }
}

/// Writes `exp(x - shift)` into `out`, and returns it as initialised. A
/// loop of its own, because the compiler vectorises a plain loop over a
/// slice far more reliably than the same work folded into a sum.
#[inline(always)]
fn exp_into<'a, const FMA: bool>(out: &'a mut [MaybeUninit<f64>], x: &[f64], shift: f64) -> &'a mut [f64] {
    assert_eq!(out.len(), x.len());
    out.iter_mut().zip(x).for_each(|(out, &x)| {
        out.write(exp::<FMA>(x - shift));
    });
    // SAFETY: every element was just written, and `MaybeUninit<f64>` has
    // the layout of `f64`.
    unsafe { &mut *(out as *mut [MaybeUninit<f64>] as *mut [f64]) }
}

#[inline(always)]
fn scale(row: &mut [f64], factor: f64) {
    row.iter_mut().for_each(|v| *v *= factor);
}

/// Lanes of the folds below: 8 independent accumulators, so that the
/// additions need not be done in order and fill two or four SIMD registers.
const LANES: usize = 8;

/// The largest element, skipping NaN as `f64::max` does.
#[inline(always)]
fn max(row: &[f64]) -> f64 {
    let mut top = [f64::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder().iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    for c in chunks {
        for i in 0..LANES {
            top[i] = top[i].max(c[i]);
        }
    }
    top.iter().fold(rest, |a, &b| a.max(b))
}

#[inline(always)]
fn sum(row: &[f64]) -> f64 {
    let mut total = [0.0; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for i in 0..LANES {
            total[i] += c[i];
        }
    }
    total.iter().sum::<f64>() + rest
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

/// `e^x` within 1 ulp of [`f64::exp`] (on normal results), in straight-line
/// code that the compiler vectorises, unlike the call into libm.
///
/// `x = k ln 2 + r` with `k` an integer and `|r| <= ln 2 / 2`, so
/// `e^x = 2^k e^r`: `e^r` is its Taylor polynomial of degree 13 (the next
/// term is below 1e-17 of it), and `2^k` is built from its exponent bits,
/// as two factors so that results down to the smallest subnormal and up to
/// `f64::MAX` come out right. NaN stays NaN, `-inf` gives 0 and `+inf` inf.
#[inline(always)]
pub(crate) fn exp<const FMA: bool>(x: f64) -> f64 {
    // ln 2 in two parts (fdlibm's): k * LN2_HI is exact for |k| < 2^20.
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Adding 1.5 * 2^52 rounds to an integer, kept in the low bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    // 1/13!, 1/12!, ..., 1/1!, 1/0!: Horner's scheme, highest power first.
    const TAYLOR: [f64; 14] = [
        1.605_904_383_682_161_3e-10,
        2.087_675_698_786_81e-9,
        2.505_210_838_544_172e-8,
        2.755_731_922_398_589e-7,
        2.755_731_922_398_589_3e-6,
        2.480_158_730_158_73e-5,
        1.984_126_984_126_984e-4,
        1.388_888_888_888_889e-3,
        8.333_333_333_333_333e-3,
        4.166_666_666_666_666_4e-2,
        1.666_666_666_666_666_6e-1,
        0.5,
        1.0,
        1.0,
    ];
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
    let t = mul_add::<FMA>(x, std::f64::consts::LOG2_E, ROUND);
    let k = t - ROUND;
    let r = mul_add::<FMA>(-k, LN2_LO, mul_add::<FMA>(-k, LN2_HI, x));
    let p = TAYLOR[1..].iter().fold(TAYLOR[0], |p, &c| mul_add::<FMA>(p, r, c));
    // k in [-1077, 1025] as an integer, split in two halves each of which
    // is a normal power of two: 2^k = 2^half * 2^(k - half). For NaN, k is
    // garbage and p is NaN: the integer steps wrap rather than overflow.
    let k = (t.to_bits().wrapping_sub(ROUND.to_bits()) as i64).wrapping_add(2048);
    let half = (k as u64 >> 1) as i64 - 1024;
    let rest = k.wrapping_sub(2048).wrapping_sub(half);
    let power = |e: i64| f64::from_bits((e.wrapping_add(1023) as u64) << 52);
    if zero { 0.0 } else { p * power(half) * power(rest) }
}
// END HIDDEN
