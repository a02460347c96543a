//! Convolutions at the sizes real code runs at: sequences and images longer
//! than the bands a blocked unfold works in (256 positions in the reference;
//! several bands, the last one short), batches with enough multiply-adds to
//! be split among threads (over 2^20), a batch of 5 that divides among no
//! common thread count, non-square images.
//!
//! The references are the function's own results on small inputs, which the
//! golden files vouch for: a batch must equal its images one at a time, and
//! every block of outputs must equal the convolution of the small crop of
//! input it reads (crops at the bottom and right keep the zero padding). The
//! backward must agree with the forward in every direction: for random
//! `dx`, `sum(grad_input * dx) = sum(g * conv(dx, w))`, both sides linear.

use ndarray::{ArrayD, Axis, IxDyn, Slice};
use numeric::fmt_shape;
use numeric::gradcheck::FORWARD;
use numeric::random::{derive_seed, rng, uniform};

use super::cases::Case;
use super::{Conv, Wrt};
use crate::Checker;
use crate::check::{Outcome, agrees, ensure};
use crate::edges::{exactly, zeros};

/// Output positions per crop along each spatial axis: far below any band.
const BLOCK: usize = 8;

/// Random directions per gradient.
const DIRECTIONS: u64 = 3;

/// Relative tolerance of a directional derivative, against the sum of the
/// magnitudes of its terms: f64 sums reach 1e-13, one f32 rounding 6e-8.
const DIRECTIONAL: f64 = 1e-10;

impl Conv<'_> {
    /// The problems: one past the thresholds by a little (off-by-one band
    /// edges), one past them by a lot (several bands, threads).
    fn large_cases(&self, seed: u64) -> [Case; 2] {
        let case = |batch, in_channels, out_channels, size: Vec<usize>, kernel: Vec<usize>, label: &str| Case {
            batch,
            in_channels,
            out_channels,
            size,
            kernel,
            seed: derive_seed(seed, label),
        };
        match self.spatial {
            1 => [
                case(3, 2, 3, vec![257], vec![9], "just past a band"),
                case(5, 8, 8, vec![1030], vec![5], "bands and threads"),
            ],
            _ => [
                case(3, 2, 3, vec![9, 30], vec![5, 2], "just past a band"),
                case(5, 3, 6, vec![37, 29], vec![3, 4], "bands and threads"),
            ],
        }
    }

    /// A batch equals its images one at a time, and each block of outputs the
    /// convolution of its crop.
    pub fn large_forward(&self, c: &mut Checker) {
        let seed = c.seed();
        c.check("large: a batch of 5 equals its images one at a time, past the band and thread thresholds", || {
            self.large_cases(seed).iter().try_for_each(|case| {
                let [x, w, _] = case.operands();
                let full = self.run_forward(x.view(), w.view())?;
                self.output_shape_is(case, &full)?;
                (0..case.batch).try_for_each(|b| {
                    let image = x.slice_axis(Axis(0), Slice::from(b..b + 1));
                    let alone = self.run_forward(image, w.view())?;
                    let what = || {
                        format!(
                            "{}({}): image {b} of the batch against the same image alone",
                            self.name,
                            case.describe()
                        )
                    };
                    agrees(what, &full.slice_axis(Axis(0), Slice::from(b..b + 1)), &alone, FORWARD)
                })
            })
        });
        c.check("large: every block of outputs equals the convolution of the crop it reads, bottom and right edges included", || {
            self.large_cases(seed).iter().try_for_each(|case| {
                let [x, w, _] = case.operands();
                let full = self.run_forward(x.view(), w.view())?;
                self.output_shape_is(case, &full)?;
                blocks(&case.size).into_iter().try_for_each(|starts| {
                    let mut crop = x.view();
                    let mut expected = full.view();
                    for (axis, &start) in starts.iter().enumerate() {
                        let (size, k) = (case.size[axis], case.kernel[axis]);
                        let end = (start + BLOCK).min(size);
                        crop.slice_axis_inplace(Axis(axis + 2), Slice::from(start..(end + k - 1).min(size)));
                        expected.slice_axis_inplace(Axis(axis + 2), Slice::from(start..end));
                    }
                    let out = self.run_forward(crop.view(), w.view())?;
                    let mut kept = out.view();
                    for (axis, &start) in starts.iter().enumerate() {
                        let end = (start + BLOCK).min(case.size[axis]);
                        kept.slice_axis_inplace(Axis(axis + 2), Slice::from(0..end - start));
                    }
                    let what = || {
                        format!(
                            "{}({}): the outputs from {} against the convolution of the crop {} they read",
                            self.name,
                            case.describe(),
                            fmt_shape(&starts),
                            fmt_shape(crop.shape())
                        )
                    };
                    agrees(what, &expected, &kept.to_owned(), FORWARD)
                })
            })
        });
    }

    /// The gradients of a batch equal those of its images, and agree with
    /// the forward in random directions.
    pub fn large_backward(&self, c: &mut Checker) {
        let seed = c.seed();
        let name = self.backward_name();
        c.check(
            "large: a batch's gradients equal those of its images one at a time, past the band and thread thresholds",
            || {
                self.large_cases(seed).iter().try_for_each(|case| {
                    let [x, w, g] = case.operands();
                    let (gx, gw) = self.run_backward(x.view(), w.view(), g.view())?;
                    let mut summed = ArrayD::zeros(w.raw_dim());
                    for b in 0..case.batch {
                        let one = |a: &ArrayD<f64>| a.slice_axis(Axis(0), Slice::from(b..b + 1)).to_owned();
                        let (ix, iw) = self.run_backward(one(&x).view(), w.view(), one(&g).view())?;
                        let what = || {
                            format!("{name}({}): grad_input of image {b} against the same image alone", case.describe())
                        };
                        ensure(gx.shape() == x.shape(), || {
                            format!("{name}({}): grad_input has shape {}", case.describe(), fmt_shape(gx.shape()))
                        })?;
                        agrees(what, &one(&gx).view(), &ix, FORWARD)?;
                        ensure(iw.shape() == w.shape(), || {
                            format!("{name}: grad_weight has shape {}", fmt_shape(iw.shape()))
                        })?;
                        summed += &iw;
                    }
                    let what = || {
                        format!("{name}({}): grad_weight against the sum of the images' grad_weight", case.describe())
                    };
                    agrees(what, &summed.view(), &gw, FORWARD)
                })
            },
        );
        c.check("large: the gradients agree with the forward in random directions (sum(grad * d) = sum(g * conv(d)))", || {
            self.large_cases(seed).iter().try_for_each(|case| {
                let [x, w, g] = case.operands();
                let (gx, gw) = self.run_backward(x.view(), w.view(), g.view())?;
                (0..DIRECTIONS).try_for_each(|i| {
                    [Wrt::Input, Wrt::Weight].into_iter().try_for_each(|wrt| {
                        let (grad, like) = match wrt {
                            Wrt::Input => (&gx, &x),
                            Wrt::Weight => (&gw, &w),
                        };
                        ensure(grad.shape() == like.shape(), || {
                            format!("{name}({}): {} has shape {}", case.describe(), wrt.name(), fmt_shape(grad.shape()))
                        })?;
                        let d = uniform(IxDyn(like.shape()), &mut rng(derive_seed(case.seed, &format!("{}{i}", wrt.noun()))));
                        let moved = match wrt {
                            Wrt::Input => self.run_forward(d.view(), w.view())?,
                            Wrt::Weight => self.run_forward(x.view(), d.view())?,
                        };
                        self.output_shape_is(case, &moved)?;
                        let claimed = (grad * &d).sum();
                        let terms = &g * &moved;
                        let expected = terms.sum();
                        let scale = terms.iter().map(|v| v.abs()).sum::<f64>().max(f64::MIN_POSITIVE);
                        ensure((claimed - expected).abs() <= DIRECTIONAL * scale, || {
                            format!(
                                "{name}({}): sum({} * d) is {claimed:e} but sum(g * {}) is {expected:e} for a random {} d; a gradient is wrong somewhere in this large problem",
                                case.describe(),
                                wrt.name(),
                                match wrt {
                                    Wrt::Input => format!("{}(d, w)", self.name),
                                    Wrt::Weight => format!("{}(x, d)", self.name),
                                },
                                wrt.noun()
                            )
                        })
                    })
                })
            })
        });
    }

    /// Empty batches, images and kernels' input channels: shapes of the
    /// outputs, and zeros where nothing is summed.
    pub fn empty_forward(&self, c: &mut Checker) {
        c.check("edge: an empty batch, an empty image, no input channels", || {
            let shape = |lead, size| self.shape(lead, size);
            let cases = [
                (shape([0, 3], 5), shape([4, 3], 2), shape([0, 4], 5)),
                (shape([2, 3], 0), shape([4, 3], 2), shape([2, 4], 0)),
                (shape([2, 0], 5), shape([4, 0], 2), shape([2, 4], 5)),
            ];
            cases.iter().try_for_each(|(x, w, out)| {
                let call = format!("{}(input {}, weight {})", self.name, fmt_shape(x), fmt_shape(w));
                exactly(&call, (self.forward)(zeros(x).view(), uniform_like(w).view()), &zeros(out))
            })
        });
    }

    /// A batch of 40 copies of one image, given as a broadcast view (stride
    /// 0 along the batch), against the function's own result on the image.
    pub fn broadcast_forward(&self, c: &mut Checker) {
        c.check("edge: a batch broadcast from one image (stride 0 along an axis of 40) reads like 40 copies", || {
            let image = uniform_like(&self.shape([1, 3], 6));
            let w = uniform_like(&self.shape([2, 3], 3));
            let batch = image.broadcast(IxDyn(&self.shape([40, 3], 6))).expect("broadcasts");
            let alone = self.run_forward(image.view(), w.view())?;
            let all = self.run_forward(batch.view(), w.view())?;
            let expected = alone.broadcast(all.raw_dim()).ok_or_else(|| {
                format!(
                    "{}(a batch of 40 broadcast images): the output's shape is {}",
                    self.name,
                    fmt_shape(all.shape())
                )
            })?;
            agrees(
                || format!("{}(a batch of 40 broadcast images) against the image alone", self.name),
                &expected,
                &all,
                FORWARD,
            )
        });
    }

    /// Empty batches and input channels, for the backward: zero gradients of
    /// the operands' shapes.
    pub fn empty_backward(&self, c: &mut Checker) {
        let name = self.backward_name();
        c.check("edge: an empty batch, no input channels", || {
            let shape = |lead, size| self.shape(lead, size);
            let cases = [
                (shape([0, 3], 5), shape([4, 3], 2), shape([0, 4], 5)),
                (shape([2, 0], 5), shape([4, 0], 2), shape([2, 4], 5)),
            ];
            cases.iter().try_for_each(|(x, w, g)| {
                let call =
                    format!("{name}(input {}, weight {}, grad_out {})", fmt_shape(x), fmt_shape(w), fmt_shape(g));
                let (gx, gw) = (self.backward)(uniform_like(x).view(), uniform_like(w).view(), uniform_like(g).view())
                    .map_err(|e| format!("{call} refused a valid input: {e}"))?;
                exactly(&format!("{call}: grad_input"), Ok(gx), &zeros(x))?;
                exactly(&format!("{call}: grad_weight"), Ok(gw), &zeros(w))
            })
        });
    }

    /// `lead` (batch and channels, or output and input channels) followed by
    /// `size` on every spatial axis.
    fn shape(&self, lead: [usize; 2], size: usize) -> Vec<usize> {
        [lead.to_vec(), vec![size; self.spatial]].concat()
    }

    fn output_shape_is(&self, case: &Case, out: &ArrayD<f64>) -> Outcome {
        ensure(out.shape() == case.output_shape(), || {
            format!(
                "{}({}): the output's shape is {}, expected {}",
                self.name,
                case.describe(),
                fmt_shape(out.shape()),
                fmt_shape(&case.output_shape())
            )
        })
    }
}

/// The first output position of every block tiling `size`.
fn blocks(size: &[usize]) -> Vec<Vec<usize>> {
    size.iter().fold(vec![vec![]], |acc, &n| {
        acc.into_iter()
            .flat_map(|prefix| (0..n).step_by(BLOCK).map(move |s| [prefix.clone(), vec![s]].concat()))
            .collect()
    })
}

/// Values in [-1, 1) of `shape`, from a fixed seed.
fn uniform_like(shape: &[usize]) -> ArrayD<f64> {
    uniform(IxDyn(shape), &mut rng(7))
}
