// BEGIN HIDDEN
//! [`exponentials`](super::exponentials) written out in AVX-512
//! instructions, for the CPUs that have them.
//!
//! The portable `exp` spends sixteen multiplications (most of them
//! multiply-adds) per element, eleven on a polynomial of degree 11, and a
//! softmax is bound by them. Two AVX-512 registers hold sixteen numbers, and one
//! instruction (`vpermt2pd`) picks one of those sixteen for each lane: a
//! table of `2^(j/16)` that costs no memory access. With it the reduced
//! argument is sixteen times smaller, and a polynomial of degree 6 is as
//! accurate, for eleven multiplications in all:
//!
//! `x = (16 k + j) ln2 / 16 + r`, `|r| <= ln2 / 32`, and
//! `e^x = 2^k * 2^(j/16) * e^r`.
//!
//! `2^(j/16)` is a double plus a relative tail (the table's two halves),
//! so that the result stays within an ulp of libm's. The compiler does not
//! turn a table lookup into that instruction (it gathers from memory,
//! which on the course's AMD machines made the loop twice as slow), so
//! this loop is written with the intrinsics. `solutions/softmax/
//! exp_polynomial.py` prints the table and the coefficients.

use std::arch::x86_64::*;
use std::mem::MaybeUninit;

use super::{DOT, NOTHING};

/// `2^(j/16)`, `j = 0..16`, rounded to a double.
const TABLE: [f64; 16] = [
    1.0,
    1.044_273_782_427_413_8,
    1.090_507_732_665_257_7,
    1.138_788_634_756_691_6,
    1.189_207_115_002_721,
    1.241_857_812_073_484,
    1.296_839_554_651_009_6,
    1.354_255_546_936_892_7,
    std::f64::consts::SQRT_2,
    1.476_826_145_939_499_3,
    1.542_210_825_407_940_7,
    1.610_490_331_949_254_3,
    1.681_792_830_507_429,
    1.756_252_160_373_299_5,
    1.834_008_086_409_342_4,
    1.915_206_561_397_147_4,
];

/// What [`TABLE`] lacks, relative to it: `2^(j/16) = TABLE[j] (1 + TAIL[j])`.
const TAIL: [f64; 16] = [
    0.0,
    8.189_317_638_195_515e-17,
    -2.793_911_485_951_573_3e-17,
    7.826_573_258_636_076e-17,
    3.348_462_333_625_152_4e-17,
    3.750_854_201_303_127e-17,
    1.957_258_529_311_203_6e-17,
    5.686_480_957_911_74e-17,
    -6.835_808_657_661_922e-17,
    -2.359_109_477_085_005_3e-17,
    5.154_830_117_078_678_3e-17,
    1.534_141_005_360_372_3e-17,
    4.875_160_526_227_062e-17,
    1.685_487_290_628_973e-17,
    1.790_126_907_604_513e-17,
    -5.545_065_618_639_427e-17,
];

/// `e^r - 1 = r + r^2 q(r)` on `|r| <= ln2 / 32`: the coefficients of `q`,
/// highest power first (relative error of `e^r` below 1.4e-17).
const Q: [f64; 5] = [
    1.388_890_634_466_079_3e-3,
    8.333_477_628_456_25e-3,
    4.166_666_667_315_016_6e-2,
    1.666_666_666_420_975_6e-1,
    4.999_999_999_999_989e-1,
];

/// `1.5 * 2^52`, plus `64 * 16`: adding it rounds `16 x / ln2` to an
/// integer `n` kept in the low bits as `n + 1024`, so that `(n + 1024) >> 4`
/// is `k + 64`: the power of two is built as `2^(k + 64)`, a normal number
/// for every `x` down to -745.14, and the result scaled by `2^-64` after,
/// which rounds it once where it is subnormal (as the portable version).
const ROUND: f64 = super::ROUND + 1024.0;

/// [`super::exponentials`]: writes `e^(x - top)` of every `x` into `out`,
/// and returns the sum of those exponentials and the sum `ALSO` asks for.
/// Every `x - top` is at most 0, or NaN.
///
/// # Safety
///
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn exponentials<const ALSO: u8>(
    out: &mut [MaybeUninit<f64>],
    x: &[f64],
    top: f64,
    g: &[f64],
) -> (f64, f64) {
    assert_eq!(out.len(), x.len());
    assert!(ALSO == NOTHING || g.len() == x.len());
    // SAFETY (of every load and store): each reads or writes eight
    // numbers, in bounds (the tables have sixteen; the loop's lanes are
    // masked to those of `x`, `out` and `g`).
    let halves = |table: &[f64; 16]| unsafe { (_mm512_loadu_pd(table.as_ptr()), _mm512_loadu_pd(table[8..].as_ptr())) };
    let (table, tail) = (halves(&TABLE), halves(&TAIL));
    let (mut total, mut other) = (_mm512_setzero_pd(), _mm512_setzero_pd());
    let mut step = |at: usize, lanes: __mmask8, total: &mut __m512d, other: &mut __m512d| unsafe {
        let x = _mm512_sub_pd(_mm512_maskz_loadu_pd(lanes, x.as_ptr().add(at)), _mm512_set1_pd(top));
        let e = exp(x, table, tail);
        _mm512_mask_storeu_pd(out.as_mut_ptr().add(at).cast(), lanes, e);
        *total = _mm512_add_pd(*total, e);
        if ALSO != NOTHING {
            let g = _mm512_maskz_loadu_pd(lanes, g.as_ptr().add(at));
            *other = if ALSO == DOT { _mm512_fmadd_pd(e, g, *other) } else { _mm512_add_pd(*other, g) };
        }
    };
    let whole = x.len() / 8 * 8;
    for at in (0..whole).step_by(8) {
        step(at, 0xff, &mut total, &mut other);
    }
    if whole < x.len() {
        // The lanes past the end load 0, whose exponential is not stored
        // and must not count: masked off here.
        let lanes = first_lanes(x.len() - whole);
        let (mut t, mut o) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        step(whole, lanes, &mut t, &mut o);
        total = _mm512_add_pd(total, _mm512_maskz_mov_pd(lanes, t));
        other = _mm512_add_pd(other, _mm512_maskz_mov_pd(lanes, o));
    }
    (_mm512_reduce_add_pd(total), _mm512_reduce_add_pd(other))
}

/// [`super::largest`]: the largest element of `row` skipping NaN, or
/// `-inf` for none, in four vectors of lanes, and the last numbers read
/// under a mask instead of one at a time (causal attention's rows come in
/// every length: with this and [`scale`], the softmax's share of its time
/// outside `exp` fell from 5.5 % to 3.9 %).
///
/// # Safety
///
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn largest(row: &[f64]) -> f64 {
    let below = _mm512_set1_pd(f64::NEG_INFINITY);
    // `vmaxpd x, top` answers its second operand, the running value, when
    // `x` is NaN: NaN is skipped, as by the portable version.
    let larger = |top: __m512d, x: __m512d| _mm512_max_pd(x, top);
    let mut tops = [below; 4];
    let (blocks, rest) = row.as_chunks::<32>();
    for block in blocks {
        for (v, top) in tops.iter_mut().enumerate() {
            // SAFETY: eight numbers of the block's 32.
            *top = larger(*top, unsafe { _mm512_loadu_pd(block[8 * v..].as_ptr()) });
        }
    }
    for (v, part) in rest.chunks(8).enumerate() {
        let lanes = first_lanes(part.len());
        // SAFETY: the lanes masked in are those of `part`.
        tops[v] = larger(tops[v], unsafe { _mm512_mask_loadu_pd(below, lanes, part.as_ptr()) });
    }
    _mm512_reduce_max_pd(larger(larger(tops[0], tops[1]), larger(tops[2], tops[3])))
}

/// [`super::scale`]: every element of `row` times `factor`, the last ones
/// under a mask.
///
/// # Safety
///
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn scale(row: &mut [f64], factor: f64) {
    let factor = _mm512_set1_pd(factor);
    let (vectors, rest) = row.as_chunks_mut::<8>();
    for v in vectors {
        // SAFETY: the eight numbers of `v`.
        unsafe { _mm512_storeu_pd(v.as_mut_ptr(), _mm512_mul_pd(_mm512_loadu_pd(v.as_ptr()), factor)) };
    }
    // Masked stores are slower than plain ones on AMD's CPUs: the last
    // numbers only.
    if !rest.is_empty() {
        let (lanes, at) = (first_lanes(rest.len()), rest.as_mut_ptr());
        // SAFETY: the lanes masked in are those of `rest`.
        unsafe { _mm512_mask_storeu_pd(at, lanes, _mm512_mul_pd(_mm512_maskz_loadu_pd(lanes, at), factor)) };
    }
}

/// The mask of the first `n` lanes of eight, `1 <= n <= 8`.
fn first_lanes(n: usize) -> __mmask8 {
    u8::MAX >> (8 - n)
}

/// `e^x` in every lane of `x` (each at most 0, or NaN): `-inf` and
/// everything below -745.14 give 0, NaN gives NaN.
#[target_feature(enable = "avx512f")]
fn exp(x: __m512d, table: (__m512d, __m512d), tail: (__m512d, __m512d)) -> __m512d {
    // ln 2 / 16 in two parts: n * LN2_HI is exact, as k * ln 2's high part.
    const LN2_HI: f64 = super::LN2_HI / 16.0;
    const LN2_LO: f64 = super::LN2_LO / 16.0;
    let t = _mm512_fmadd_pd(x, _mm512_set1_pd(16.0 * std::f64::consts::LOG2_E), _mm512_set1_pd(ROUND));
    let n = _mm512_sub_pd(t, _mm512_set1_pd(ROUND));
    let r = _mm512_fnmadd_pd(n, _mm512_set1_pd(LN2_HI), x);
    let r = _mm512_fnmadd_pd(n, _mm512_set1_pd(LN2_LO), r);
    // The low four bits of n pick the table's entry; the rest is k + 64.
    let bits = _mm512_castpd_si512(t);
    let (entry, entry_tail) =
        (_mm512_permutex2var_pd(table.0, bits, table.1), _mm512_permutex2var_pd(tail.0, bits, tail.1));
    // n + 1024 sits in the low bits of t; shifted up by 48, its bits past
    // the low four land in the exponent's place (and nothing below it).
    let power = _mm512_and_si512(_mm512_slli_epi64::<48>(bits), _mm512_set1_epi64(-1 << 52));
    let scale = _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(entry), power));
    let q = Q[1..].iter().fold(_mm512_set1_pd(Q[0]), |q, &c| _mm512_fmadd_pd(q, r, _mm512_set1_pd(c)));
    // e^r - 1 + the tail, then scale * (1 + that): one rounding at the end.
    let small = _mm512_add_pd(_mm512_fmadd_pd(_mm512_mul_pd(r, r), q, r), entry_tail);
    let e = _mm512_fmadd_pd(scale, small, scale);
    // Not below -745.14 (NaN is not below anything, and stays NaN).
    let kept = _mm512_cmp_pd_mask::<_CMP_NLT_UQ>(x, _mm512_set1_pd(super::UNDERFLOW));
    _mm512_maskz_mul_pd(kept, e, _mm512_set1_pd(super::TWO_TO_MINUS_64))
}

#[cfg(test)]
mod tests {
    use super::super::{SUM, exp_test_points, ulps};
    use super::*;

    /// The exponentials of `x` (top 0), with their sums.
    fn run<const ALSO: u8>(x: &[f64], g: &[f64]) -> Option<(Vec<f64>, f64, f64)> {
        if !is_x86_feature_detected!("avx512f") {
            eprintln!("skipped: this CPU has no AVX-512");
            return None;
        }
        let mut out = vec![MaybeUninit::uninit(); x.len()];
        // SAFETY: the CPU has AVX-512F, checked just above.
        let (total, other) = unsafe { exponentials::<ALSO>(&mut out, x, 0.0, g) };
        // SAFETY: `exponentials` wrote every element.
        Some((out.iter().map(|e| unsafe { e.assume_init() }).collect(), total, other))
    }

    #[test]
    fn within_an_ulp_of_libm_down_to_the_smallest_subnormal() {
        let x: Vec<f64> = exp_test_points().collect();
        let Some((e, _, _)) = run::<NOTHING>(&x, &[]) else { return };
        let worst = x.iter().zip(&e).map(|(x, &e)| ulps(e, x.exp())).max();
        assert!(worst <= Some(1), "{worst:?}");
        assert!(e[x.len() - 1] > 0.0 && e[x.len() - 2] == 1.0);
        let special = [-745.2, -800.0, -1e308, f64::MIN, f64::NEG_INFINITY, f64::NAN, -f64::NAN];
        let (e, _, _) = run::<NOTHING>(&special, &[]).expect("AVX-512");
        assert_eq!(e[..5], [0.0; 5]);
        assert!(e[5].is_nan() && e[6].is_nan());
    }

    #[test]
    fn sums_count_every_element_and_no_other() {
        // Lengths around whole vectors: the last one's missing lanes are
        // neither written nor summed.
        for n in 0..=25 {
            let x: Vec<f64> = (0..n).map(|i| -0.25 * i as f64).collect();
            let g: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
            let Some((e, total, dot)) = run::<DOT>(&x, &g) else { return };
            let (_, _, g_total) = run::<SUM>(&x, &g).expect("AVX-512");
            let expected: Vec<f64> = x.iter().map(|x| x.exp()).collect();
            assert!(e.iter().zip(&expected).all(|(a, b)| (a - b).abs() <= 1e-15 * b), "{n}");
            assert!((total - expected.iter().sum::<f64>()).abs() <= 1e-14, "{n}");
            assert!((dot - expected.iter().zip(&g).map(|(e, g)| e * g).sum::<f64>()).abs() <= 1e-13, "{n}");
            assert_eq!(g_total, g.iter().sum::<f64>(), "{n}");
        }
    }

    #[test]
    fn the_maximum_and_the_scaling_read_every_element_and_no_other() {
        if !is_x86_feature_detected!("avx512f") {
            eprintln!("skipped: this CPU has no AVX-512");
            return;
        }
        // Every length up to past two blocks of 32, the largest number at
        // each place in turn, NaN skipped, and rows of -inf or NaN alone.
        for n in 0..=70 {
            for at in 0..n {
                let mut row: Vec<f64> = (0..n).map(|i| if i % 3 == 0 { f64::NAN } else { -(i as f64) }).collect();
                row[at] = 5.0;
                // SAFETY: the CPU has AVX-512F, checked above.
                assert_eq!(unsafe { largest(&row) }, 5.0, "{n}, the largest at {at}");
                let (mut scaled, factor) = (row.clone(), 0.5);
                // SAFETY: as above.
                unsafe { scale(&mut scaled[..at], factor) };
                let expected = row.iter().enumerate().map(|(i, x)| if i < at { x * factor } else { *x });
                assert!(scaled.iter().zip(expected).all(|(a, b)| a == &b || a.is_nan() && b.is_nan()), "{n}, {at}");
            }
            // SAFETY: as above.
            assert_eq!(unsafe { largest(&vec![f64::NEG_INFINITY; n]) }, f64::NEG_INFINITY, "{n}");
            // SAFETY: as above.
            assert_eq!(unsafe { largest(&vec![f64::NAN; n]) }, f64::NEG_INFINITY, "{n}");
        }
    }
}
// END HIDDEN
