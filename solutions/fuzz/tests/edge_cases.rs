//! The hostile cases one by one, with the exact result or error each gives:
//! empty axes of 2^62, empty channels and batches, kernels bigger than the
//! image or of 2^62, reductions over 2^40 empty slices, attention with no
//! features or no keys, NaN and infinities.

use ndarray::{Array, Array2, Array3, Array4, ArrayD, ArrayViewD, IxDyn, array};
use support::{ShapeError, TensorData};

const HUGE: usize = 1 << 62;

/// An empty array of `shape`: no memory, however long its axes.
fn empty(shape: &[usize]) -> ArrayViewD<'static, f64> {
    ArrayViewD::from_shape(IxDyn(shape), &[]).unwrap()
}

/// `f()`, which must return within a second (see [`fuzz::probe`]).
fn quick<T>(f: impl FnOnce() -> T) -> T {
    let name = || std::thread::current().name().unwrap_or("a test").to_string();
    fuzz::probe(name, f).unwrap_or_else(|e| panic!("{e}"))
}

fn message<T>(result: Result<T, ShapeError>) -> String {
    match result {
        Ok(_) => panic!("expected a ShapeError"),
        Err(e) => e.to_string(),
    }
}

const TOO_BIG: &str =
    "that an array can hold (at most 2^60 - 1 elements, lengths other than 0 multiplying to at most 2^63 - 1)";

mod support_crate {
    use support::checked_size;
    use support::size::MAX_ELEMENTS;

    use super::*;

    #[test]
    fn tensor_data_refuses_shapes_whose_size_overflows() {
        assert_eq!(
            message(TensorData::new(vec![0.0], vec![HUGE, 4], vec![0, 0])),
            "TensorData: expected a shape an array can have (at most 2^60 - 1 elements, lengths other than 0 \
             multiplying to at most 2^63 - 1), given shape (4611686018427387904, 4)"
        );
        assert!(TensorData::new(vec![], vec![HUGE, 0, 4], vec![0, 0, 0]).is_err());
        assert!(TensorData::with_storage(vec![0.0].into(), vec![MAX_ELEMENTS + 1], vec![0], 0).is_err());
        let broadcast = TensorData::with_storage(vec![0.0].into(), vec![MAX_ELEMENTS], vec![0], 0).unwrap();
        assert_eq!(broadcast.size(), MAX_ELEMENTS);
    }

    #[test]
    fn tensor_data_refuses_layouts_whose_reach_overflows() {
        assert!(message(TensorData::new(vec![0.0; 4], vec![2, 2], vec![usize::MAX, 1])).ends_with("beyond any slot"));
        assert!(message(TensorData::with_storage(vec![0.0].into(), vec![1], vec![1], usize::MAX)).contains("reaches"));
    }

    #[test]
    fn empty_tensors_accept_any_strides_and_offset() {
        let t =
            TensorData::with_storage(vec![].into(), vec![HUGE, 0], vec![usize::MAX, usize::MAX], usize::MAX).unwrap();
        assert_eq!((t.size(), t.ndim()), (0, 2));
    }

    #[test]
    fn checked_size_counts_or_refuses() {
        assert_eq!(checked_size(&[HUGE, 0]), Some(0));
        assert_eq!(checked_size(&[1 << 20, 0, 1 << 20]), Some(0));
        assert_eq!(checked_size(&[HUGE, 4]), None);
        assert_eq!(checked_size(&[0, HUGE, 4]), None);
        assert_eq!(checked_size(&[usize::MAX]), None);
    }

    #[test]
    fn with_axes_refuses_a_broadcast_view_no_array_can_copy() {
        let one = Array::from_elem(IxDyn(&[1]), 1.0);
        let wide = one.broadcast(IxDyn(&[1 << 61])).unwrap();
        let err = support::axes::with_axes::<_, ndarray::Ix1>("f", "x", "(a,)", wide).unwrap_err();
        assert_eq!(err.to_string(), format!("f: expected x {TOO_BIG}, given x of shape (2305843009213693952,)"));
    }
}

mod tensor {
    use tensor_solution::*;

    use super::*;

    fn huge_and_empty() -> TensorData {
        TensorData::new(vec![], vec![HUGE, 0], vec![0, 1]).unwrap()
    }

    #[test]
    fn view_refuses_a_shape_whose_product_overflows() {
        let t = TensorData::new((0..8).map(f64::from).collect(), vec![8], vec![1]).unwrap();
        assert_eq!(
            message(view(&t, &[HUGE, 4])),
            "view: expected a shape a tensor can have (at most 2^60 - 1 elements, lengths other than 0 \
             multiplying to at most 2^63 - 1), given shape (4611686018427387904, 4)"
        );
        // 2^64 + 8 wraps around to 8 in a usize: it must not pass for 8 elements.
        assert!(view(&t, &[(1 << 63) + 4, 2]).is_err());
        // Empty, but with strides that do not fit.
        assert_eq!(view(&huge_and_empty(), &[0, HUGE, 4]).unwrap_err().function, "view");
        let v = view(&huge_and_empty(), &[0, HUGE]).unwrap();
        assert_eq!((v.shape(), v.strides()), (&[0, HUGE][..], &[HUGE, 1][..]));
    }

    #[test]
    fn empty_tensors_permute_copy_and_have_no_element() {
        let t = huge_and_empty();
        let p = permute(&t, &[1, 0]).unwrap();
        assert_eq!((p.shape(), p.strides()), (&[0, HUGE][..], &[1, 0][..]));
        assert_eq!(
            message(permute(&t, &[0, 0])),
            "permute: expected a permutation of the axes (0, 1), given order (0, 0) for shape (4611686018427387904, 0)"
        );
        assert_eq!(
            message(permute(&t, &[usize::MAX, 0])),
            "permute: expected a permutation of the axes (0, 1), given order (18446744073709551615, 0) for shape \
             (4611686018427387904, 0)"
        );
        let c = quick(|| contiguous(&p));
        assert_eq!((c.shape(), c.strides(), c.storage().len()), (&[0, HUGE][..], &[HUGE, 1][..], 0));
        assert!(is_contiguous(&t) && is_contiguous(&p));
        assert_eq!(
            message(get(&t, &[0, 0])),
            "get: expected an index within shape (4611686018427387904, 0), given index (0, 0)"
        );
    }

    #[test]
    fn shape_broadcast_of_huge_and_empty_axes() {
        assert_eq!(shape_broadcast(&[HUGE, 1], &[1, 0]).unwrap(), vec![HUGE, 0]);
        assert_eq!(shape_broadcast(&[0], &[HUGE, 1]).unwrap(), vec![HUGE, 0]);
        assert_eq!(shape_broadcast(&[usize::MAX], &[1]).unwrap(), vec![usize::MAX]);
        assert_eq!(
            message(shape_broadcast(&[0], &[2])),
            "shape_broadcast: expected shapes whose aligned sizes are equal or 1, given (0,) and (2,)"
        );
        assert!(shape_broadcast(&[HUGE], &[HUGE - 1]).is_err());
    }

    #[test]
    fn to_index_of_a_shape_with_no_index_is_zero_there() {
        assert_eq!(to_index(0, &[0]), vec![0]);
        assert_eq!(to_index(5, &[3, 0]), vec![0, 0]);
        assert_eq!(to_index(7, &[2, 0, 3]), vec![0, 0, 1]);
        assert_eq!(to_index(usize::MAX, &[]), Vec::<usize>::new());
    }

    #[test]
    fn contiguous_strides_saturate() {
        assert_eq!(contiguous_strides(&[0, HUGE, 4]), vec![usize::MAX, 4, 1]);
        assert_eq!(contiguous_strides(&[5, 0, HUGE, 4]), vec![0, usize::MAX, 4, 1]);
        assert_eq!(contiguous_strides(&[HUGE, 0]), vec![0, 1]);
        assert_eq!(contiguous_strides(&[usize::MAX, usize::MAX, usize::MAX]), vec![usize::MAX, usize::MAX, 1]);
    }

    #[test]
    fn index_to_position_and_broadcast_index_never_overflow() {
        assert_eq!(index_to_position(&[usize::MAX, usize::MAX], &[usize::MAX, 1]), usize::MAX);
        assert_eq!(broadcast_index(&[1], &[2, 3, 4], &[3, 4]), vec![0, 0]);
        assert_eq!(broadcast_index(&[1, 2, 3], &[2, 3, 4], &[5, 2, 3, 4]), vec![1, 2, 3, 0]);
    }
}

mod conv {
    use conv1d_solution::{conv1d, conv1d_backward};
    use conv2d_solution::{conv2d, conv2d_backward};

    use super::*;

    #[test]
    fn no_input_channels_give_zeros_of_the_output_shape() {
        let x = empty(&[2, 0, 5]);
        let w = empty(&[3, 0, 4]);
        assert_eq!(conv1d(x.clone(), w.clone()).unwrap(), Array3::zeros((2, 3, 5)));
        let g = ArrayD::ones(IxDyn(&[2, 3, 5]));
        let (gx, gw) = conv1d_backward(x, w, g.view()).unwrap();
        assert_eq!((gx.shape(), gw.shape()), (&[2, 0, 5][..], &[3, 0, 4][..]));

        let x = empty(&[2, 0, 4, 5]);
        let w = empty(&[3, 0, 2, 2]);
        assert_eq!(conv2d(x, w).unwrap(), Array4::zeros((2, 3, 4, 5)));
    }

    #[test]
    fn zero_batch_width_or_output_channels_give_empty_outputs() {
        let w = ArrayD::ones(IxDyn(&[3, 2, 2]));
        assert_eq!(conv1d(empty(&[0, 2, 5]), w.view()).unwrap().shape(), &[0, 3, 5]);
        assert_eq!(conv1d(empty(&[2, 2, 0]), w.view()).unwrap().shape(), &[2, 3, 0]);
        let x = ArrayD::ones(IxDyn(&[2, 2, 5]));
        assert_eq!(conv1d(x.view(), empty(&[0, 2, 3])).unwrap().shape(), &[2, 0, 5]);
        // A batch of 2^40 empty sequences: at once.
        let out = quick(|| conv1d(empty(&[1 << 40, 2, 0]), w.view()).unwrap());
        assert_eq!(out.shape(), &[1 << 40, 3, 0]);
        let (gx, gw) = quick(|| conv1d_backward(empty(&[1 << 40, 2, 0]), w.view(), empty(&[1 << 40, 3, 0])).unwrap());
        assert_eq!((gx.shape(), gw), (&[1 << 40, 2, 0][..], Array3::zeros((3, 2, 2))));
    }

    #[test]
    fn a_kernel_wider_than_the_input_reads_zeros_past_the_edge() {
        let x = array![[[1.0, 2.0, 3.0]]];
        let w = array![[[1.0, 1.0, 1.0, 1.0, 1.0]]];
        assert_eq!(conv1d(x.view(), w.view()).unwrap(), array![[[6.0, 5.0, 3.0]]]);
        let (gx, gw) = conv1d_backward(x.view(), w.view(), array![[[1.0, 1.0, 1.0]]].view()).unwrap();
        assert_eq!(gx, array![[[1.0, 2.0, 3.0]]]);
        assert_eq!(gw, array![[[6.0, 5.0, 3.0, 0.0, 0.0]]]);

        let x = array![[1.0, 2.0], [3.0, 4.0]].into_shape_with_order((1, 1, 2, 2)).unwrap();
        let w = Array4::ones((1, 1, 3, 4));
        let out = conv2d(x.view(), w.view()).unwrap();
        assert_eq!(out, array![[10.0, 6.0], [7.0, 4.0]].into_shape_with_order((1, 1, 2, 2)).unwrap());
        let (_, gw) = conv2d_backward(x.view(), w.view(), Array4::ones((1, 1, 2, 2)).view()).unwrap();
        let expected = array![[10.0, 6.0, 0.0, 0.0], [7.0, 4.0, 0.0, 0.0], [0.0; 4]];
        assert_eq!(gw, expected.into_shape_with_order((1, 1, 3, 4)).unwrap());
    }

    #[test]
    fn huge_kernels_of_empty_weights_and_of_broadcast_ones() {
        let g = ArrayD::ones(IxDyn(&[2, 1, 5]));
        let (gx, gw) = conv1d_backward(empty(&[2, 0, 5]), empty(&[1, 0, HUGE]), g.view()).unwrap();
        assert_eq!((gx.shape(), gw.shape()), (&[2, 0, 5][..], &[1, 0, HUGE][..]));
        assert_eq!(conv1d(empty(&[2, 0, 5]), empty(&[3, 0, 1 << 60])).unwrap(), Array3::zeros((2, 3, 5)));
        let out = conv2d(empty(&[2, 0, 5, 1]), empty(&[3, 0, 1 << 30, 1 << 30])).unwrap();
        assert_eq!(out, Array4::zeros((2, 3, 5, 1)));
        // One weight seen 2^40 times: only the 3 taps inside the input count.
        let one = Array::from_elem(IxDyn(&[1, 1, 1]), 1.0);
        let wide = one.broadcast(IxDyn(&[1, 1, 1 << 40])).unwrap();
        let x = ArrayD::from_shape_vec(IxDyn(&[1, 1, 3]), vec![1.0, 2.0, 3.0]).unwrap();
        assert_eq!(quick(|| conv1d(x.view(), wide.clone()).unwrap()), array![[[6.0, 5.0, 3.0]]]);
        let one = Array::from_elem(IxDyn(&[1, 1, 1, 1]), 1.0);
        let wide = one.broadcast(IxDyn(&[1, 1, 1 << 30, 1 << 29])).unwrap();
        let x = ArrayD::ones(IxDyn(&[1, 1, 2, 2]));
        assert_eq!(quick(|| conv2d(x.view(), wide).unwrap()).sum(), 4.0 + 2.0 + 2.0 + 1.0);
    }

    #[test]
    fn an_output_no_array_can_hold_is_a_shape_error() {
        let err = conv1d(empty(&[1 << 20, 0, 1 << 20]), empty(&[1 << 20, 0, 1])).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("conv1d: expected an output {TOO_BIG}, given an output of shape (1048576, 1048576, 1048576)")
        );
        let err = conv2d_backward(empty(&[1 << 20, 0, 1 << 20, 1]), empty(&[1 << 20, 0, 1, 1]), empty(&[0, 0, 0, 0]));
        assert_eq!(err.unwrap_err().function, "conv2d_backward");
        // 2^62 empty sequences and 4 output channels: B * Cout overflows, even though every array is empty.
        let w = ArrayD::ones(IxDyn(&[4, 1, 1]));
        let err = conv1d(empty(&[HUGE, 1, 0]), w.view()).unwrap_err();
        assert_eq!(err.given, "an output of shape (4611686018427387904, 4, 0)");
    }

    #[test]
    fn empty_kernels_are_refused() {
        assert_eq!(
            message(conv1d(empty(&[1, 0, 3]), empty(&[1, 0, 0]))),
            "conv1d: expected a kernel of at least 1 weight, given weight (1, 0, 0)"
        );
        assert_eq!(
            message(conv2d(empty(&[1, 0, 3, 3]), empty(&[1, 0, 2, 0]))),
            "conv2d: expected a kernel of at least 1 x 1, given weight (1, 0, 2, 0)"
        );
    }
}

mod pooling {
    use pooling_solution::{avgpool2d, avgpool2d_backward, tile};
    use softmax_solution::{maxpool2d, maxpool2d_backward};

    use super::*;

    #[test]
    fn zero_size_images_pool_to_empty_outputs() {
        let x = empty(&[2, 3, 0, 4]);
        assert_eq!(tile(x.clone(), (3, 2)).unwrap().shape(), &[2, 3, 0, 2, 6]);
        assert_eq!(avgpool2d(x.clone(), (3, 2)).unwrap().shape(), &[2, 3, 0, 2]);
        assert_eq!(maxpool2d(x.clone(), (3, 2)).unwrap().shape(), &[2, 3, 0, 2]);
        let g = empty(&[2, 3, 0, 2]);
        assert_eq!(avgpool2d_backward(x.clone(), (3, 2), g.clone()).unwrap().shape(), &[2, 3, 0, 4]);
        assert_eq!(maxpool2d_backward(x, (3, 2), g).unwrap().shape(), &[2, 3, 0, 4]);
        // 2^40 empty images: at once.
        let many = empty(&[1 << 40, 1, 4, 0]);
        assert_eq!(quick(|| maxpool2d(many.clone(), (2, 2)).unwrap()).shape(), &[1 << 40, 1, 2, 0]);
        assert_eq!(quick(|| tile(many, (2, 2)).unwrap()).shape(), &[1 << 40, 1, 2, 0, 4]);
    }

    #[test]
    fn zero_kernels_are_refused() {
        let x = Array4::<f64>::zeros((1, 1, 4, 4));
        assert_eq!(
            message(avgpool2d(x.view(), (0, 2))),
            "avgpool2d: expected a kernel of at least 1 x 1, given kernel (0, 2)"
        );
        assert_eq!(
            message(tile(empty(&[1, 1, 0, 0]), (2, 0))),
            "tile: expected a kernel of at least 1 x 1, given kernel (2, 0)"
        );
        assert_eq!(maxpool2d(x.view(), (0, 0)).unwrap_err().function, "maxpool2d");
    }

    #[test]
    fn kernels_larger_than_a_non_empty_image_are_refused() {
        let x = Array4::<f64>::zeros((1, 1, 2, 2));
        assert_eq!(
            message(avgpool2d(x.view(), (4, 4))),
            "avgpool2d: expected a height and width divisible by the kernel (4, 4), given input (1, 1, 2, 2)"
        );
        assert_eq!(maxpool2d(x.view(), (HUGE, 1)).unwrap_err().function, "maxpool2d");
        assert_eq!(tile(x.view(), (1, HUGE)).unwrap_err().function, "tile");
    }

    #[test]
    fn huge_kernels_over_empty_images() {
        let x = empty(&[1, 1, 0, 0]);
        assert_eq!(avgpool2d(x.clone(), (HUGE, HUGE)).unwrap().shape(), &[1, 1, 0, 0]);
        assert_eq!(maxpool2d(x.clone(), (HUGE, HUGE)).unwrap().shape(), &[1, 1, 0, 0]);
        assert_eq!(avgpool2d_backward(x.clone(), (HUGE, HUGE), empty(&[1, 1, 0, 0])).unwrap().shape(), &[1, 1, 0, 0]);
        assert_eq!(
            message(tile(x.clone(), (HUGE, HUGE))),
            "tile: expected a kernel whose kh * kw fits in a usize, given kernel (4611686018427387904, 4611686018427387904)"
        );
        assert_eq!(tile(x, (HUGE, 1)).unwrap().shape(), &[1, 1, 0, 0, HUGE]);
        let err = tile(empty(&[4, 1, 0, 1]), (HUGE, 1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("tile: expected an output {TOO_BIG}, given an output of shape (4, 1, 0, 1, 4611686018427387904)")
        );
    }
}

mod activations {
    use activations_solution::{relu, relu_backward, sigmoid, sigmoid_backward, step};

    use super::*;

    #[test]
    fn empty_arrays_of_any_shape() {
        for shape in [&[0][..], &[HUGE, 0], &[1 << 20, 0, 1 << 20], &[0, 0, 0, 0, 0]] {
            let x = empty(shape);
            assert_eq!(quick(|| relu(x.clone())).shape(), shape);
            assert_eq!(quick(|| step(x.clone())).shape(), shape);
            assert_eq!(quick(|| sigmoid(x.clone())).shape(), shape);
            assert_eq!(quick(|| relu_backward(x.clone(), x.clone())).unwrap().shape(), shape);
            assert_eq!(quick(|| sigmoid_backward(x.clone(), x.clone())).unwrap().shape(), shape);
        }
        assert_eq!(relu_backward(empty(&[0, 2]), empty(&[2, 0])).unwrap_err().function, "relu_backward");
    }

    #[test]
    fn nan_and_infinities() {
        let x = array![f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
        assert_eq!(relu(x.view()).to_vec()[1..], [f64::INFINITY, 0.0]);
        assert!(relu(x.view())[0] == 0.0, "NaN > 0 is false: relu(NaN) = 0");
        assert_eq!(step(x.view()), array![0.0, 1.0, 0.0]);
        let s = sigmoid(x.view());
        assert!(s[0].is_nan());
        assert_eq!(s.to_vec()[1..], [1.0, 0.0]);
        let g = sigmoid_backward(x.view(), array![1.0, 1.0, 1.0].view()).unwrap();
        assert!(g[0].is_nan());
        assert_eq!(g.to_vec()[1..], [0.0, 0.0]);
    }
}

mod softmax {
    use softmax_solution::*;
    use support::random::rng;

    use super::*;

    #[test]
    fn reductions_over_2_to_the_40_empty_slices_return_at_once() {
        let x = empty(&[1 << 20, 0, 1 << 20]);
        for dim in 0..3 {
            assert_eq!(quick(|| softmax(x.clone(), dim)).unwrap().shape(), x.shape());
            assert_eq!(quick(|| logsoftmax(x.clone(), dim)).unwrap().shape(), x.shape());
            assert_eq!(quick(|| softmax_backward(x.clone(), dim, x.clone())).unwrap().shape(), x.shape());
            assert_eq!(quick(|| logsoftmax_backward(x.clone(), dim, x.clone())).unwrap().shape(), x.shape());
        }
        // Along the non-empty axes there is something to reduce over, in no slice.
        assert_eq!(quick(|| max(x.clone(), 0)).unwrap().shape(), &[1, 0, 1 << 20]);
        assert_eq!(quick(|| argmax(x.clone(), 2)).unwrap().shape(), x.shape());
        let g = empty(&[1 << 20, 0, 1]);
        assert_eq!(quick(|| max_backward(x.clone(), 2, g)).unwrap().shape(), x.shape());
        let tall = empty(&[1 << 40, 0]);
        assert_eq!(quick(|| max(tall.clone(), 0)).unwrap().shape(), &[1, 0]);
        assert_eq!(quick(|| argmax(tall, 0)).unwrap().shape(), &[1 << 40, 0]);
    }

    #[test]
    fn an_empty_axis_has_no_maximum() {
        assert_eq!(
            message(max(empty(&[1 << 20, 0, 1 << 20]), 1)),
            "max: expected at least one element along dim 1, given x of shape (1048576, 0, 1048576)"
        );
        assert_eq!(argmax(empty(&[2, 0]), 1).unwrap_err().function, "argmax");
        let g = ArrayD::zeros(IxDyn(&[2, 1]));
        assert_eq!(max_backward(empty(&[2, 0]), 1, g.view()).unwrap_err().function, "max_backward");
    }

    #[test]
    fn dims_out_of_range_are_shape_errors() {
        let x = Array2::<f64>::zeros((2, 3));
        assert_eq!(
            message(softmax(x.view(), usize::MAX)),
            "softmax: expected dim < 2 (the number of axes of x), given dim 18446744073709551615 for x of shape (2, 3)"
        );
        let scalar = ArrayD::<f64>::zeros(IxDyn(&[]));
        assert_eq!(max(scalar.view(), 0).unwrap_err().function, "max");
        assert_eq!(logsoftmax_backward(x.view(), 2, x.view()).unwrap_err().function, "logsoftmax_backward");
    }

    #[test]
    fn nan_is_skipped_by_max_and_argmax() {
        let x = array![[f64::NAN, 1.0, 3.0, f64::NAN], [f64::NAN, f64::NAN, f64::NAN, f64::NAN]];
        let m = max(x.view(), 1).unwrap();
        assert_eq!(m[[0, 0]], 3.0);
        assert!(m[[1, 0]].is_nan());
        assert_eq!(argmax(x.view(), 1).unwrap(), array![[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]]);
        let g = max_backward(x.view(), 1, array![[2.0], [5.0]].view()).unwrap();
        assert_eq!(g, array![[0.0, 0.0, 2.0, 0.0], [5.0, 0.0, 0.0, 0.0]]);
        let inf = array![[f64::NEG_INFINITY, f64::NEG_INFINITY], [1.0, f64::INFINITY]];
        assert_eq!(argmax(inf.view(), 1).unwrap(), array![[1.0, 0.0], [0.0, 1.0]]);
        let pooled = maxpool2d(array![[[[f64::NAN, 1.0], [2.0, f64::NAN]]]].view(), (2, 2)).unwrap();
        assert_eq!(pooled[[0, 0, 0, 0]], 2.0);
    }

    #[test]
    fn softmax_of_nan_or_infinite_scores_is_nan_not_a_panic() {
        let x = array![
            [f64::NAN, 1.0],
            [f64::INFINITY, 1.0],
            [f64::NEG_INFINITY, f64::NEG_INFINITY],
            [f64::NEG_INFINITY, 0.0]
        ];
        let p = softmax(x.view(), 1).unwrap();
        assert!(p.row(0).iter().all(|v| v.is_nan()));
        assert!(p[[1, 0]].is_nan());
        assert!(p.row(2).iter().all(|v| v.is_nan()));
        assert_eq!(p.row(3), array![0.0, 1.0]);
        assert_eq!(logsoftmax(x.view(), 1).unwrap()[[3, 1]], 0.0);
    }

    #[test]
    fn dropout_of_empty_arrays_and_nan_rates() {
        let x = empty(&[HUGE, 0]);
        let (out, mask) = quick(|| dropout(x.clone(), 0.5, &mut rng(1), Mode::Train)).unwrap();
        assert_eq!((out.shape(), mask.shape()), (&[HUGE, 0][..], &[HUGE, 0][..]));
        assert_eq!(quick(|| dropout_backward(mask.view(), x.clone())).unwrap().shape(), &[HUGE, 0]);
        let x = array![1.0, 2.0];
        assert_eq!(
            message(dropout(x.view(), f64::NAN, &mut rng(1), Mode::Train)),
            "dropout: expected a rate between 0 and 1, given rate NaN"
        );
        assert_eq!(
            message(dropout(x.view(), f64::INFINITY, &mut rng(1), Mode::Eval)),
            "dropout: expected a rate between 0 and 1, given rate inf"
        );
        let (out, _) = dropout(array![f64::NAN, f64::INFINITY].view(), 1.0, &mut rng(1), Mode::Train).unwrap();
        assert!(out[0].is_nan() && out[1].is_nan(), "0 * NaN and 0 * inf are NaN: {out}");
    }
}

mod attention {
    use attention_solution::*;

    use super::*;

    #[test]
    fn no_features_means_equal_scores() {
        let q = empty(&[1, 3, 0]);
        let k = empty(&[1, 3, 0]);
        let v = array![[[3.0, 0.0], [0.0, 3.0], [6.0, 6.0]]].into_dyn();
        let out = attention(q.clone(), k.clone(), v.view(), false).unwrap();
        assert_eq!(out, array![[[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]]);
        let causal = attention(q.clone(), k.clone(), v.view(), true).unwrap();
        assert_eq!(causal, array![[[3.0, 0.0], [1.5, 1.5], [3.0, 3.0]]]);
        let g = Array3::ones((1, 3, 2)).into_dyn();
        let (gq, gk, gv) = attention_backward(q, k, v.view(), false, g.view()).unwrap();
        assert_eq!((gq.shape(), gk.shape()), (&[1, 3, 0][..], &[1, 3, 0][..]));
        assert_eq!(gv, Array3::ones((1, 3, 2)));
    }

    #[test]
    fn no_keys_give_zeros() {
        let q = Array3::<f64>::ones((2, 3, 4)).into_dyn();
        let out = attention(q.view(), empty(&[2, 0, 4]), empty(&[2, 0, 5]), false).unwrap();
        assert_eq!(out, Array3::zeros((2, 3, 5)));
        let g = Array3::<f64>::ones((2, 3, 5)).into_dyn();
        let (gq, gk, gv) = attention_backward(q.view(), empty(&[2, 0, 4]), empty(&[2, 0, 5]), false, g.view()).unwrap();
        assert_eq!(gq, Array3::zeros((2, 3, 4)));
        assert_eq!((gk.shape(), gv.shape()), (&[2, 0, 4][..], &[2, 0, 5][..]));
        assert_eq!(
            attention(empty(&[2, 0, 4]), empty(&[2, 0, 4]), empty(&[2, 0, 5]), true).unwrap().shape(),
            &[2, 0, 5]
        );
    }

    #[test]
    fn empty_batches_of_2_to_the_40_return_at_once() {
        let (q, k, v) = (empty(&[1 << 40, 0, 3]), empty(&[1 << 40, 0, 3]), empty(&[1 << 40, 0, 2]));
        assert_eq!(quick(|| attention(q.clone(), k.clone(), v.clone(), true)).unwrap().shape(), &[1 << 40, 0, 2]);
        let g = empty(&[1 << 40, 0, 2]);
        let (gq, _, _) = quick(|| attention_backward(q, k, v, false, g)).unwrap();
        assert_eq!(gq.shape(), &[1 << 40, 0, 3]);
        let x = empty(&[1 << 40, 0, 0]);
        let r = empty(&[1 << 40, 0]);
        assert_eq!(quick(|| softmax_gate(x.clone(), r.clone())).unwrap().shape(), &[1 << 40, 0]);
        let g = empty(&[1 << 40, 0]);
        let (gx, gr) = quick(|| softmax_gate_backward(x, r, g)).unwrap();
        assert_eq!((gx.shape(), gr.shape()), (&[1 << 40, 0, 0][..], &[1 << 40, 0][..]));
    }

    #[test]
    fn outputs_no_array_can_hold_are_shape_errors() {
        let err =
            attention(empty(&[1 << 20, 1 << 20, 0]), empty(&[1 << 20, 0, 0]), empty(&[1 << 20, 0, 1 << 20]), false);
        assert_eq!(
            err.unwrap_err().to_string(),
            format!("attention: expected an output {TOO_BIG}, given an output of shape (1048576, 1048576, 1048576)")
        );
        let err = softmax_gate(empty(&[1 << 31, 0, 1 << 31]), empty(&[1 << 31, 0]));
        assert_eq!(err.unwrap_err().function, "softmax_gate");
    }

    #[test]
    fn gates_of_empty_arrays_and_no_rows_to_mix() {
        let e = empty(&[HUGE, 0]);
        assert_eq!(quick(|| gate(e.clone(), e.clone(), e.clone())).unwrap().shape(), &[HUGE, 0]);
        let (a, b, c) = quick(|| gate_backward(e.clone(), e.clone(), e.clone(), e.clone())).unwrap();
        assert!([a.shape(), b.shape(), c.shape()].iter().all(|s| *s == [HUGE, 0]));
        assert_eq!(softmax_gate(empty(&[2, 0, 3]), empty(&[2, 0])).unwrap(), Array2::zeros((2, 3)));
        let g = Array2::<f64>::ones((2, 3)).into_dyn();
        let (gx, gr) = softmax_gate_backward(empty(&[2, 0, 3]), empty(&[2, 0]), g.view()).unwrap();
        assert_eq!((gx.shape(), gr.shape()), (&[2, 0, 3][..], &[2, 0][..]));
        let r = array![[f64::NAN, 1.0]];
        let x = Array3::ones((1, 2, 2));
        assert!(softmax_gate(x.view(), r.view()).unwrap().iter().all(|v| v.is_nan()));
    }
}
