//! Evaluating one call: the arguments decoded into the views, tensors and
//! numbers a module's functions take, the function run with its panics
//! caught, the results encoded back.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::Arc;

use ndarray::{Array, ArrayViewD, Dimension, IxDyn, ShapeBuilder};
use support::{ShapeError, TensorData};
use wire::{Call, Failure, Reply, Storage, Value};

use crate::tables::Module;

/// What `todo!()` panics with.
const TODO_PANIC: &str = "not yet implemented";

thread_local! {
    static LAST_PLACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records where a panic happened, for the reply that reports it. The
/// runner's panic hook calls this; a process that also runs the judge
/// calls it from its own hook.
pub fn note_panic(info: &PanicHookInfo) {
    let place = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
    LAST_PLACE.with(|p| *p.borrow_mut() = place);
}

/// Evaluates `call` with `module`'s functions: the results, a refusal, or
/// the panic that stopped it.
pub fn evaluate(module: &Module, call: &Call) -> Reply {
    LAST_PLACE.with(|p| p.borrow_mut().take());
    match panic::catch_unwind(AssertUnwindSafe(|| run(module, call))) {
        Ok(Ok(reply)) => reply,
        Ok(Err(mismatch)) => Reply::Unknown(mismatch),
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with a non-string payload".to_string());
            let place = LAST_PLACE.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "an unknown place".to_string());
            Reply::Failed(match text.strip_prefix(TODO_PANIC) {
                Some(hint) => match hint.trim_start_matches(':').trim() {
                    "" => Failure::NotImplemented { message: format!("reaches the todo!() at {place}") },
                    hint => Failure::NotImplemented { message: format!("reaches the todo!() at {place}: {hint}") },
                },
                None => Failure::Panicked { message: format!("{text} at {place}") },
            })
        }
    }
}

/// The arguments of one call, read by position.
struct Args<'a> {
    function: &'a str,
    values: &'a [Value],
}

impl<'a> Args<'a> {
    fn get(&self, i: usize) -> Result<&'a Value, String> {
        self.values.get(i).ok_or_else(|| format!("{}: argument {i} is missing", self.function))
    }

    fn wrong(&self, i: usize, kind: &str) -> String {
        format!("{}: argument {i} is not {kind}", self.function)
    }

    fn array(&self, i: usize) -> Result<ArrayViewD<'a, f64>, String> {
        match self.get(i)? {
            Value::Array(a) => Ok(view(a)),
            _ => Err(self.wrong(i, "an array")),
        }
    }

    fn dims(&self, i: usize) -> Result<&'a [usize], String> {
        match self.get(i)? {
            Value::Dims(d) => Ok(d),
            _ => Err(self.wrong(i, "a list of sizes")),
        }
    }

    fn kernel(&self, i: usize) -> Result<(usize, usize), String> {
        match self.dims(i)? {
            &[kh, kw] => Ok((kh, kw)),
            _ => Err(self.wrong(i, "a kernel (kh, kw)")),
        }
    }

    fn usize(&self, i: usize) -> Result<usize, String> {
        match self.get(i)? {
            Value::Usize(v) => Ok(*v),
            _ => Err(self.wrong(i, "a usize")),
        }
    }

    fn u64(&self, i: usize) -> Result<u64, String> {
        match self.get(i)? {
            Value::U64(v) => Ok(*v),
            _ => Err(self.wrong(i, "a u64")),
        }
    }

    fn f64(&self, i: usize) -> Result<f64, String> {
        match self.get(i)? {
            Value::F64(v) => Ok(*v),
            _ => Err(self.wrong(i, "an f64")),
        }
    }

    fn bool(&self, i: usize) -> Result<bool, String> {
        match self.get(i)? {
            Value::Bool(v) => Ok(*v),
            _ => Err(self.wrong(i, "a bool")),
        }
    }

    fn tensor(&self, i: usize) -> Result<TensorData, String> {
        match self.get(i)? {
            Value::Tensor(t) => match &t.storage {
                Storage::Owned(data) => {
                    TensorData::with_storage(data.clone(), t.shape.clone(), t.strides.clone(), t.offset)
                        .map_err(|e| format!("{}: argument {i}: {e}", self.function))
                }
                Storage::SameAs(_) => Err(self.wrong(i, "a tensor with storage of its own")),
            },
            _ => Err(self.wrong(i, "a tensor")),
        }
    }
}

/// The view a wire array describes, over its numbers. Negative strides are
/// made by reversing axes of a view with positive ones.
pub fn view(a: &wire::Array) -> ArrayViewD<'_, f64> {
    assert!(a.is_valid(), "decoded arrays are valid");
    let shape = IxDyn(&a.shape);
    if a.shape.contains(&0) {
        return ArrayViewD::from_shape(shape, &[]).expect("an empty view");
    }
    let mut start = a.offset as isize;
    for (&len, &stride) in a.shape.iter().zip(&a.strides) {
        if stride < 0 {
            start += (len as isize - 1) * stride;
        }
    }
    let strides = IxDyn(&a.strides.iter().map(|s| s.unsigned_abs()).collect::<Vec<_>>());
    // SAFETY: `is_valid` proved that every index lands in `data` (offsets
    // from `start` with the absolute strides span exactly the same slots),
    // the strides are non-negative, and the view borrows `a` for its life.
    // Overlapping (zero) strides are fine for a read-only view.
    let mut v = unsafe { ArrayViewD::from_shape_ptr(shape.strides(strides), a.data.as_ptr().offset(start)) };
    for (axis, &stride) in a.strides.iter().enumerate() {
        if stride < 0 {
            v.invert_axis(ndarray::Axis(axis));
        }
    }
    v
}

/// A result in values. `args` lets a returned tensor name the argument
/// whose storage it shares.
trait Encode {
    fn encode(self, args: &[Value], out: &mut Vec<Value>);
}

impl<D: Dimension> Encode for Array<f64, D> {
    fn encode(self, _: &[Value], out: &mut Vec<Value>) {
        out.push(Value::Array(wire::Array::standard(self.shape().to_vec(), self.iter().copied().collect())));
    }
}

impl Encode for Vec<usize> {
    fn encode(self, _: &[Value], out: &mut Vec<Value>) {
        out.push(Value::Dims(self));
    }
}

impl Encode for usize {
    fn encode(self, _: &[Value], out: &mut Vec<Value>) {
        out.push(Value::Usize(self));
    }
}

impl Encode for bool {
    fn encode(self, _: &[Value], out: &mut Vec<Value>) {
        out.push(Value::Bool(self));
    }
}

impl Encode for f64 {
    fn encode(self, _: &[Value], out: &mut Vec<Value>) {
        out.push(Value::F64(self));
    }
}

impl Encode for TensorData {
    fn encode(self, args: &[Value], out: &mut Vec<Value>) {
        let shared = args.iter().position(|arg| match arg {
            Value::Tensor(wire::Tensor { storage: Storage::Owned(data), .. }) => Arc::ptr_eq(data, self.storage()),
            _ => false,
        });
        let storage = match shared {
            Some(arg) => Storage::SameAs(arg),
            None => Storage::Owned(self.storage().clone()),
        };
        out.push(Value::Tensor(wire::Tensor {
            storage,
            shape: self.shape().to_vec(),
            strides: self.strides().to_vec(),
            offset: self.offset(),
        }));
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(self, args: &[Value], out: &mut Vec<Value>) {
        self.0.encode(args, out);
        self.1.encode(args, out);
    }
}

impl<A: Encode, B: Encode, C: Encode> Encode for (A, B, C) {
    fn encode(self, args: &[Value], out: &mut Vec<Value>) {
        self.0.encode(args, out);
        self.1.encode(args, out);
        self.2.encode(args, out);
    }
}

/// A function's return value as a reply.
trait Answer {
    fn answer(self, args: &[Value]) -> Reply;
}

impl<T: Encode> Answer for T {
    fn answer(self, args: &[Value]) -> Reply {
        let mut out = Vec::new();
        self.encode(args, &mut out);
        Reply::Done(out)
    }
}

impl<T: Encode> Answer for Result<T, ShapeError> {
    fn answer(self, args: &[Value]) -> Reply {
        match self {
            Ok(value) => value.answer(args),
            Err(e) => Reply::Refused { function: e.function.to_string(), expected: e.expected, given: e.given },
        }
    }
}

fn run(module: &Module, call: &Call) -> Result<Reply, String> {
    let a = Args { function: &call.function, values: &call.args };
    let v = &call.args[..];
    let unknown = || Err(format!("this runner has no function {}", call.function));
    Ok(match module {
        Module::Tensor(f) => match a.function {
            "contiguous_strides" => (f.contiguous_strides)(a.dims(0)?).answer(v),
            "index_to_position" => (f.index_to_position)(a.dims(0)?, a.dims(1)?).answer(v),
            "to_index" => (f.to_index)(a.usize(0)?, a.dims(1)?).answer(v),
            "shape_broadcast" => (f.shape_broadcast)(a.dims(0)?, a.dims(1)?).answer(v),
            "broadcast_index" => (f.broadcast_index)(a.dims(0)?, a.dims(1)?, a.dims(2)?).answer(v),
            "is_contiguous" => (f.is_contiguous)(&a.tensor(0)?).answer(v),
            "permute" => (f.permute)(&a.tensor(0)?, a.dims(1)?).answer(v),
            "view" => (f.view)(&a.tensor(0)?, a.dims(1)?).answer(v),
            "contiguous" => (f.contiguous)(&a.tensor(0)?).answer(v),
            "get" => (f.get)(&a.tensor(0)?, a.dims(1)?).answer(v),
            _ => return unknown(),
        },
        Module::Conv1d(f) => match a.function {
            "conv1d" => (f.conv1d)(a.array(0)?, a.array(1)?).answer(v),
            "conv1d_backward" => (f.conv1d_backward)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            _ => return unknown(),
        },
        Module::Conv2d(f) => match a.function {
            "conv2d" => (f.conv2d)(a.array(0)?, a.array(1)?).answer(v),
            "conv2d_backward" => (f.conv2d_backward)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            _ => return unknown(),
        },
        Module::Pooling(f) => match a.function {
            "tile" => (f.tile)(a.array(0)?, a.kernel(1)?).answer(v),
            "avgpool2d" => (f.avgpool2d)(a.array(0)?, a.kernel(1)?).answer(v),
            "avgpool2d_backward" => (f.avgpool2d_backward)(a.array(0)?, a.kernel(1)?, a.array(2)?).answer(v),
            _ => return unknown(),
        },
        Module::Activations(f) => match a.function {
            "relu" => (f.relu)(a.array(0)?).answer(v),
            "relu_backward" => (f.relu_backward)(a.array(0)?, a.array(1)?).answer(v),
            "step" => (f.step)(a.array(0)?).answer(v),
            "sigmoid" => (f.sigmoid)(a.array(0)?).answer(v),
            "sigmoid_backward" => (f.sigmoid_backward)(a.array(0)?, a.array(1)?).answer(v),
            _ => return unknown(),
        },
        Module::Softmax(f) => match a.function {
            "max" => (f.max)(a.array(0)?, a.usize(1)?).answer(v),
            "max_backward" => (f.max_backward)(a.array(0)?, a.usize(1)?, a.array(2)?).answer(v),
            "argmax" => (f.argmax)(a.array(0)?, a.usize(1)?).answer(v),
            "softmax" => (f.softmax)(a.array(0)?, a.usize(1)?).answer(v),
            "softmax_backward" => (f.softmax_backward)(a.array(0)?, a.usize(1)?, a.array(2)?).answer(v),
            "logsoftmax" => (f.logsoftmax)(a.array(0)?, a.usize(1)?).answer(v),
            "logsoftmax_backward" => (f.logsoftmax_backward)(a.array(0)?, a.usize(1)?, a.array(2)?).answer(v),
            "maxpool2d" => (f.maxpool2d)(a.array(0)?, a.kernel(1)?).answer(v),
            "maxpool2d_backward" => (f.maxpool2d_backward)(a.array(0)?, a.kernel(1)?, a.array(2)?).answer(v),
            "dropout" => {
                // The generator is seeded here, from the judge's seed; the
                // reply ends with its next draw, so the judge can tell
                // whether (and how far) the function advanced it.
                let mut rng = numeric::random::rng(a.u64(2)?);
                let result = (f.dropout)(a.array(0)?, a.f64(1)?, &mut rng, a.bool(3)?);
                let next = rand_next(&mut rng);
                match result.answer(v) {
                    Reply::Done(mut values) => {
                        values.push(Value::U64(next));
                        Reply::Done(values)
                    }
                    other => other,
                }
            }
            "dropout_backward" => (f.dropout_backward)(a.array(0)?, a.array(1)?).answer(v),
            _ => return unknown(),
        },
        Module::Attention(f) => match a.function {
            "gate" => (f.gate)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            "gate_backward" => (f.gate_backward)(a.array(0)?, a.array(1)?, a.array(2)?, a.array(3)?).answer(v),
            "softmax_gate" => (f.softmax_gate)(a.array(0)?, a.array(1)?).answer(v),
            "softmax_gate_backward" => (f.softmax_gate_backward)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            "attention" => (f.attention)(a.array(0)?, a.array(1)?, a.array(2)?, a.bool(3)?).answer(v),
            "attention_backward" => {
                (f.attention_backward)(a.array(0)?, a.array(1)?, a.array(2)?, a.bool(3)?, a.array(4)?).answer(v)
            }
            _ => return unknown(),
        },
        Module::Network(f) => match a.function {
            "linear" => (f.linear)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            "linear_backward" => (f.linear_backward)(a.array(0)?, a.array(1)?, a.array(2)?).answer(v),
            "cross_entropy" => (f.cross_entropy)(a.array(0)?, a.dims(1)?).answer(v),
            "cross_entropy_backward" => (f.cross_entropy_backward)(a.array(0)?, a.dims(1)?).answer(v),
            "small_network" => {
                (f.small_network)(a.array(0)?, a.array(1)?, a.array(2)?, a.array(3)?, a.dims(4)?).answer(v)
            }
            _ => return unknown(),
        },
    })
}

/// The generator's next `u64`.
fn rand_next(rng: &mut support::random::Rng) -> u64 {
    rand::Rng::next_u64(rng)
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, Axis, s};

    use super::*;

    /// What the judge sends for a view: the span of storage it covers.
    fn sent(v: ArrayViewD<f64>, storage: &[f64], offset: usize) -> wire::Array {
        wire::Array { shape: v.shape().to_vec(), strides: v.strides().to_vec(), offset, data: storage.to_vec() }
    }

    #[test]
    fn views_arrive_with_the_layout_they_were_sent_with() {
        let base = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64);
        let data: Vec<f64> = base.iter().copied().collect();
        // Transposed: strides (1, 4).
        let t = base.t();
        let got = view(&sent(t.into_dyn(), &data, 0)).to_owned();
        assert_eq!(got, t.into_dyn().to_owned());
        // Reversed rows: strides (-4, 1), starting at slot 8.
        let mut r = base.view();
        r.invert_axis(Axis(0));
        let wire = sent(r.into_dyn(), &data, 8);
        assert_eq!(view(&wire).strides(), &[-4, 1]);
        assert_eq!(view(&wire), r.into_dyn());
        // A column slice, and a broadcast row with a zero stride.
        let c = base.slice(s![.., 1..3]);
        assert_eq!(view(&sent(c.into_dyn(), &data, 1)), c.into_dyn());
        let b = wire::Array { shape: vec![5, 4], strides: vec![0, 1], offset: 4, data: data.clone() };
        assert_eq!(view(&b), base.row(1).broadcast((5, 4)).unwrap().into_dyn());
        // Empty.
        let e = wire::Array { shape: vec![0, 3], strides: vec![3, 1], offset: 0, data: vec![] };
        assert_eq!(view(&e).shape(), &[0, 3]);
    }
}
