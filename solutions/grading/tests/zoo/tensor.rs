//! Realistic wrong implementations of the `tensor` module, each the kind of
//! mistake a student makes, and the task whose checks must catch it.

use support::{Index, Shape, ShapeError, Strides, TensorData, fmt_shape};
use tensor_solution as right;

use super::Mutant;

pub const MUTANTS: &[Mutant] = &[
    Mutant {
        task: "is_contiguous",
        what: "reports an empty tensor as not contiguous",
        plant: |i| i.tensor.is_contiguous = empty_not_contiguous,
    },
    Mutant {
        task: "is_contiguous",
        what: "skips zero strides, so a broadcast axis passes",
        plant: |i| i.tensor.is_contiguous = skips_zero_strides,
    },
    Mutant {
        task: "shape_broadcast",
        what: "takes the larger size, so (0,) with (1,) gives (1,)",
        plant: |i| i.tensor.shape_broadcast = larger_of_zero_and_one,
    },
    Mutant { task: "view", what: "refuses every empty tensor", plant: |i| i.tensor.view = refuses_empty_view },
    Mutant {
        task: "contiguous",
        what: "copies an empty tensor to shape (0,)",
        plant: |i| i.tensor.contiguous = flattens_empty,
    },
    Mutant {
        task: "contiguous_strides",
        what: "column-major strides",
        plant: |i| i.tensor.contiguous_strides = column_major,
    },
    Mutant {
        task: "contiguous_strides",
        what: "strides off by one axis",
        plant: |i| i.tensor.contiguous_strides = shifted_strides,
    },
    Mutant {
        task: "contiguous_strides",
        what: "a leading 1 that a shape of no axes keeps",
        plant: |i| i.tensor.contiguous_strides = leading_one,
    },
    Mutant {
        task: "index_to_position",
        what: "sum started at 1",
        plant: |i| i.tensor.index_to_position = sum_from_one,
    },
    Mutant {
        task: "index_to_position",
        what: "position ignores the last axis",
        plant: |i| i.tensor.index_to_position = drops_last,
    },
    Mutant {
        task: "index_to_position",
        what: "position multiplies reversed strides",
        plant: |i| i.tensor.index_to_position = reversed_strides,
    },
    Mutant { task: "to_index", what: "off by one: ordinal + 1", plant: |i| i.tensor.to_index = off_by_one },
    Mutant { task: "to_index", what: "first axis changes fastest", plant: |i| i.tensor.to_index = column_major_index },
    Mutant {
        task: "shape_broadcast",
        what: "accepts (5, 2) with (5,) by aligning at the left",
        plant: |i| i.tensor.shape_broadcast = left_aligned,
    },
    Mutant {
        task: "shape_broadcast",
        what: "takes the larger size without checking",
        plant: |i| i.tensor.shape_broadcast = max_without_check,
    },
    Mutant {
        task: "shape_broadcast",
        what: "refuses shapes of different ranks",
        plant: |i| i.tensor.shape_broadcast = same_rank_only,
    },
    Mutant {
        task: "broadcast_index",
        what: "aligns axes at the left",
        plant: |i| i.tensor.broadcast_index = left_index,
    },
    Mutant {
        task: "broadcast_index",
        what: "forgets to read coordinate 0 on size-1 axes",
        plant: |i| i.tensor.broadcast_index = no_stretch,
    },
    Mutant {
        task: "is_contiguous",
        what: "strides merely non-increasing (MiniTorch's shortcut)",
        plant: |i| i.tensor.is_contiguous = non_increasing,
    },
    Mutant {
        task: "is_contiguous",
        what: "strict about the strides of size-1 axes",
        plant: |i| i.tensor.is_contiguous = strict_size_one,
    },
    Mutant { task: "is_contiguous", what: "demands a zero offset", plant: |i| i.tensor.is_contiguous = zero_offset },
    Mutant {
        task: "is_contiguous",
        what: "compares with column-major strides",
        plant: |i| i.tensor.is_contiguous = column_major_contiguity,
    },
    Mutant { task: "permute", what: "copies the data", plant: |i| i.tensor.permute = copying_permute },
    Mutant {
        task: "permute",
        what: "forgets to permute the strides",
        plant: |i| i.tensor.permute = shape_only_permute,
    },
    Mutant { task: "permute", what: "uses the inverse permutation", plant: |i| i.tensor.permute = inverse_permute },
    Mutant { task: "permute", what: "accepts a repeated axis", plant: |i| i.tensor.permute = unchecked_permute },
    Mutant { task: "view", what: "allowed on a non-contiguous tensor", plant: |i| i.tensor.view = unchecked_view },
    Mutant {
        task: "view",
        what: "keeps the old strides' first entries",
        plant: |i| i.tensor.view = stale_strides_view,
    },
    Mutant { task: "view", what: "drops the offset", plant: |i| i.tensor.view = offset_dropping_view },
    Mutant { task: "contiguous", what: "returns the input unchanged", plant: |i| i.tensor.contiguous = clone_only },
    Mutant {
        task: "contiguous",
        what: "copies the storage in storage order",
        plant: |i| i.tensor.contiguous = storage_order,
    },
    Mutant { task: "get", what: "ignores the offset", plant: |i| i.tensor.get = offsetless_get },
    Mutant { task: "get", what: "ignores the strides (assumes row-major)", plant: |i| i.tensor.get = strideless_get },
    Mutant { task: "get", what: "drops the provided index check", plant: |i| i.tensor.get = unchecked_get },
];

fn column_major(shape: &[usize]) -> Strides {
    let mut strides = right::contiguous_strides(&shape.iter().rev().copied().collect::<Vec<_>>());
    strides.reverse();
    strides
}

fn shifted_strides(shape: &[usize]) -> Strides {
    // Multiplies in the axis's own size: (4, 2, 2) gives (8, 4, 2).
    shape.iter().enumerate().map(|(i, _)| shape[i..].iter().product()).collect()
}

fn drops_last(index: &[usize], strides: &[usize]) -> usize {
    let n = index.len().saturating_sub(1);
    right::index_to_position(&index[..n], &strides[..n])
}

fn reversed_strides(index: &[usize], strides: &[usize]) -> usize {
    index.iter().zip(strides.iter().rev()).map(|(i, s)| i * s).sum()
}

fn off_by_one(ordinal: usize, shape: &[usize]) -> Index {
    let size: usize = shape.iter().product();
    right::to_index((ordinal + 1) % size.max(1), shape)
}

fn column_major_index(ordinal: usize, shape: &[usize]) -> Index {
    let mut index = Vec::with_capacity(shape.len());
    let mut rest = ordinal;
    for &d in shape {
        index.push(rest % d);
        rest /= d;
    }
    index
}

fn left_aligned(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    let n = a.len().max(b.len());
    let at = |s: &[usize], i: usize| s.get(i).copied().unwrap_or(1);
    (0..n)
        .map(|i| match (at(a, i), at(b, i)) {
            (x, y) if x == y || y == 1 => Ok(x),
            (1, y) => Ok(y),
            _ => Err(ShapeError::new(
                "shape_broadcast",
                "compatible shapes",
                format!("{} and {}", fmt_shape(a), fmt_shape(b)),
            )),
        })
        .collect()
}

fn max_without_check(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    let n = a.len().max(b.len());
    let at = |s: &[usize], i: usize| if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
    Ok((0..n).map(|i| at(a, i).max(at(b, i))).collect())
}

fn same_rank_only(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    if a.len() != b.len() {
        return Err(ShapeError::new(
            "shape_broadcast",
            "shapes of one rank",
            format!("{} and {}", fmt_shape(a), fmt_shape(b)),
        ));
    }
    right::shape_broadcast(a, b)
}

fn left_index(big_index: &[usize], _big_shape: &[usize], shape: &[usize]) -> Index {
    shape.iter().zip(big_index).map(|(&d, &i)| if d == 1 { 0 } else { i }).collect()
}

fn no_stretch(big_index: &[usize], big_shape: &[usize], shape: &[usize]) -> Index {
    big_index[big_shape.len() - shape.len()..].to_vec()
}

fn non_increasing(t: &TensorData) -> bool {
    t.strides().windows(2).all(|w| w[0] >= w[1])
}

fn strict_size_one(t: &TensorData) -> bool {
    t.strides() == right::contiguous_strides(t.shape())
}

fn zero_offset(t: &TensorData) -> bool {
    t.offset() == 0 && right::is_contiguous(t)
}

fn copying_permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    Ok(right::contiguous(&right::permute(t, order)?))
}

fn shape_only_permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    let p = right::permute(t, order)?;
    let strides = if p.ndim() == t.ndim() && p.strides().len() > 1 {
        right::contiguous_strides(p.shape())
    } else {
        p.strides().to_vec()
    };
    let shape = p.shape().to_vec();
    match TensorData::with_storage(t.storage().clone(), shape.clone(), t.strides().to_vec(), t.offset()) {
        // Keeps the input's strides when they fit the storage, as the mistake does.
        Ok(kept) => Ok(kept),
        Err(_) => TensorData::with_storage(t.storage().clone(), shape, strides, t.offset()).or(Ok(p)),
    }
}

fn inverse_permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    let mut inverse = vec![0; order.len()];
    for (i, &axis) in order.iter().enumerate() {
        if axis < inverse.len() {
            inverse[axis] = i;
        }
    }
    right::permute(t, order)?;
    right::permute(t, &inverse)
}

fn unchecked_permute(t: &TensorData, order: &[usize]) -> Result<TensorData, ShapeError> {
    if order.len() != t.ndim() || order.iter().any(|&a| a >= t.ndim()) {
        return right::permute(t, order);
    }
    let shape = order.iter().map(|&a| t.shape()[a]).collect();
    let strides = order.iter().map(|&a| t.strides()[a]).collect();
    TensorData::with_storage(t.storage().clone(), shape, strides, t.offset())
}

fn unchecked_view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    TensorData::with_storage(t.storage().clone(), shape.to_vec(), right::contiguous_strides(shape), t.offset())
}

fn stale_strides_view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    let v = right::view(t, shape)?;
    let mut strides = v.strides().to_vec();
    for (s, old) in strides.iter_mut().zip(t.strides()) {
        *s = *old;
    }
    TensorData::with_storage(t.storage().clone(), shape.to_vec(), strides, t.offset()).or(Ok(v))
}

fn offset_dropping_view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    let v = right::view(t, shape)?;
    TensorData::with_storage(t.storage().clone(), shape.to_vec(), v.strides().to_vec(), 0)
}

fn clone_only(t: &TensorData) -> TensorData {
    t.clone()
}

fn storage_order(t: &TensorData) -> TensorData {
    let values = t.storage()[t.offset()..t.offset() + t.size()].to_vec();
    TensorData::new(values, t.shape().to_vec(), right::contiguous_strides(t.shape())).expect("fits")
}

fn offsetless_get(t: &TensorData, index: &[usize]) -> Result<f64, ShapeError> {
    right::get(t, index)?;
    Ok(t.storage()[right::index_to_position(index, t.strides())])
}

fn strideless_get(t: &TensorData, index: &[usize]) -> Result<f64, ShapeError> {
    right::get(t, index)?;
    let position = right::index_to_position(index, &right::contiguous_strides(t.shape()));
    Ok(t.storage()[t.offset() + position])
}

fn leading_one(shape: &[usize]) -> Strides {
    let mut strides = vec![1];
    for &d in shape.iter().skip(1).rev() {
        strides.insert(0, strides[0] * d);
    }
    strides
}

fn sum_from_one(index: &[usize], strides: &[usize]) -> usize {
    index.iter().zip(strides).fold(1, |acc, (i, s)| acc + i * s)
}

fn column_major_contiguity(t: &TensorData) -> bool {
    t.shape().iter().zip(t.strides()).zip(column_major(t.shape())).all(|((&d, &s), e)| d == 1 || s == e)
}

fn unchecked_get(t: &TensorData, index: &[usize]) -> Result<f64, ShapeError> {
    let position = t.offset() + right::index_to_position(index, t.strides());
    t.storage().get(position).copied().ok_or_else(|| ShapeError::new("get", "an index in range", fmt_shape(index)))
}

fn empty_not_contiguous(t: &TensorData) -> bool {
    t.size() > 0 && right::is_contiguous(t)
}
fn skips_zero_strides(t: &TensorData) -> bool {
    let shape: Vec<usize> = t.shape().iter().zip(t.strides()).map(|(&d, &s)| if s == 0 { 1 } else { d }).collect();
    let strides = t.strides().to_vec();
    TensorData::with_storage(t.storage().clone(), shape, strides, t.offset()).is_ok_and(|u| right::is_contiguous(&u))
}
fn larger_of_zero_and_one(a: &[usize], b: &[usize]) -> Result<Shape, ShapeError> {
    let fixed = |s: &[usize]| s.iter().map(|&d| d.max(1)).collect::<Vec<_>>();
    match (a.contains(&0) || b.contains(&0), right::shape_broadcast(&fixed(a), &fixed(b))) {
        (true, Ok(shape)) => Ok(shape),
        _ => right::shape_broadcast(a, b),
    }
}
fn refuses_empty_view(t: &TensorData, shape: &[usize]) -> Result<TensorData, ShapeError> {
    if t.size() == 0 {
        return Err(ShapeError::new("view", "a tensor with elements", "an empty tensor"));
    }
    right::view(t, shape)
}
fn flattens_empty(t: &TensorData) -> TensorData {
    if t.size() == 0 {
        return TensorData::new(vec![], vec![0], vec![1]).expect("an empty vector");
    }
    right::contiguous(t)
}
