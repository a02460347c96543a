//! How the checks call a student's function: by name, through a
//! [`Transport`] (a runner process, or in tests the functions themselves),
//! with the arguments and results converted to and from [`wire`] values.
//!
//! A student function that panics, or a runner that dies, garbles its
//! reply or runs out of time, unwinds the check that called it with an
//! [`Abort`]; the [`Checker`](crate::Checker) records it against that
//! check only.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use ndarray::{Array, ArrayD, ArrayViewD, Dimension, IxDyn};
use wire::{Call, Failure, Reply, Storage, Value};

use crate::ShapeError;
use crate::tensor::TensorData;

/// Why a call to a runner produced no reply.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkError {
    /// The runner's process ended, or answered bytes that are no reply.
    Crashed(String),
    /// The task's time ran out.
    TimedOut(String),
}

/// Carries calls to wherever the functions under test run.
pub trait Transport {
    /// Evaluates one call.
    fn call(&mut self, call: Call) -> Result<Reply, LinkError>;
    /// A new check starts: a runner that died in the last one may be
    /// started again.
    fn begin_check(&mut self) {}
    /// Whether the task's time has run out.
    fn timed_out(&self) -> bool {
        false
    }
    /// Stops for good: the task is over.
    fn close(&mut self) {}
}

/// Why a check stopped inside a call, as the payload of its unwinding.
#[derive(Debug, Clone, PartialEq)]
pub enum Abort {
    /// The function reached a `todo!()` or panicked.
    Student(Failure),
    /// The runner failed.
    Link(LinkError),
}

/// A shared handle on a task's transport.
#[derive(Clone)]
pub struct Link(Rc<RefCell<Box<dyn Transport>>>);

impl Link {
    pub fn new(transport: impl Transport + 'static) -> Self {
        Link(Rc::new(RefCell::new(Box::new(transport))))
    }

    pub fn begin_check(&self) {
        self.0.borrow_mut().begin_check();
    }

    pub fn timed_out(&self) -> bool {
        self.0.borrow().timed_out()
    }

    /// Stops the transport (a runner process is killed); later calls fail.
    pub fn close(&self) {
        self.0.borrow_mut().close();
    }

    /// Calls `function` with `args`, and reads its results as `R`; unwinds
    /// with an [`Abort`] when there are none.
    pub fn invoke<R: Ret>(&self, function: &str, args: Vec<Value>) -> R {
        // Only the tensors' storages are needed back: a result may share one.
        let storages: Vec<Option<Arc<[f64]>>> = args
            .iter()
            .map(|arg| match arg {
                Value::Tensor(wire::Tensor { storage: Storage::Owned(data), .. }) => Some(data.clone()),
                _ => None,
            })
            .collect();
        let call = Call { function: function.to_string(), args };
        let reply = self.0.borrow_mut().call(call);
        let abort = match reply {
            Ok(Reply::Failed(failure)) => Abort::Student(failure),
            Ok(Reply::Unknown(why)) => {
                Abort::Link(LinkError::Crashed(format!("the runner could not call {function}: {why}")))
            }
            Ok(reply) => match R::from_reply(reply, &storages) {
                Ok(value) => return value,
                Err(why) => Abort::Link(LinkError::Crashed(format!("the runner's reply to {function} {why}"))),
            },
            Err(e) => Abort::Link(e),
        };
        std::panic::panic_any(abort)
    }
}

/// An argument of a call.
pub trait ToValue {
    fn to_value(self) -> Value;
}

impl ToValue for ArrayViewD<'_, f64> {
    /// The view's own layout over the span of memory it covers, so that the
    /// function sees the same strides (negative and zero ones included).
    fn to_value(self) -> Value {
        let shape = self.shape().to_vec();
        let strides = self.strides().to_vec();
        if self.is_empty() {
            return Value::Array(wire::Array { shape, strides, offset: 0, data: Vec::new() });
        }
        let (mut low, mut high) = (0isize, 0isize);
        for (&len, &stride) in shape.iter().zip(&strides) {
            let reach = (len as isize - 1) * stride;
            if reach < 0 { low += reach } else { high += reach }
        }
        // SAFETY: every element of the view lies at `ptr + offset` with
        // `low <= offset <= high`, in one allocation of initialised f64s, so
        // the span from the lowest to the highest element is readable.
        let data = unsafe { std::slice::from_raw_parts(self.as_ptr().offset(low), (high - low + 1) as usize) };
        Value::Array(wire::Array { shape, strides, offset: (-low) as usize, data: data.to_vec() })
    }
}

impl ToValue for &[usize] {
    fn to_value(self) -> Value {
        Value::Dims(self.to_vec())
    }
}

impl ToValue for (usize, usize) {
    fn to_value(self) -> Value {
        Value::Dims(vec![self.0, self.1])
    }
}

impl ToValue for usize {
    fn to_value(self) -> Value {
        Value::Usize(self)
    }
}

impl ToValue for u64 {
    fn to_value(self) -> Value {
        Value::U64(self)
    }
}

impl ToValue for f64 {
    fn to_value(self) -> Value {
        Value::F64(self)
    }
}

impl ToValue for bool {
    fn to_value(self) -> Value {
        Value::Bool(self)
    }
}

impl ToValue for &TensorData {
    fn to_value(self) -> Value {
        Value::Tensor(wire::Tensor {
            storage: Storage::Owned(self.storage().clone()),
            shape: self.shape().to_vec(),
            strides: self.strides().to_vec(),
            offset: self.offset(),
        })
    }
}

/// The storage of each tensor argument of a call, by position (`None` for
/// other arguments): what a returned tensor may share.
pub type Storages = [Option<Arc<[f64]>>];

/// One result read from a reply's values.
pub trait FromValues: Sized {
    fn take(values: &mut std::vec::IntoIter<Value>, storages: &Storages) -> Result<Self, String>;
}

fn next(values: &mut std::vec::IntoIter<Value>) -> Result<Value, String> {
    values.next().ok_or_else(|| "has too few results".to_string())
}

impl<D: Dimension> FromValues for Array<f64, D> {
    fn take(values: &mut std::vec::IntoIter<Value>, _: &Storages) -> Result<Self, String> {
        match next(values)? {
            Value::Array(a) => {
                let dyn_array = ArrayD::from_shape_vec(IxDyn(&a.shape), a.data)
                    .map_err(|e| format!("holds an array that does not fit its shape: {e}"))?;
                dyn_array.into_dimensionality().map_err(|_| "holds an array of the wrong rank".to_string())
            }
            _ => Err("holds something else where an array belongs".to_string()),
        }
    }
}

impl FromValues for Vec<usize> {
    fn take(values: &mut std::vec::IntoIter<Value>, _: &Storages) -> Result<Self, String> {
        match next(values)? {
            Value::Dims(d) => Ok(d),
            _ => Err("holds something else where sizes belong".to_string()),
        }
    }
}

macro_rules! scalar_from_values {
    ($ty:ty, $variant:ident) => {
        impl FromValues for $ty {
            fn take(values: &mut std::vec::IntoIter<Value>, _: &Storages) -> Result<Self, String> {
                match next(values)? {
                    Value::$variant(v) => Ok(v),
                    _ => Err(format!("holds something else where a {} belongs", stringify!($ty))),
                }
            }
        }
    };
}
scalar_from_values!(usize, Usize);
scalar_from_values!(u64, U64);
scalar_from_values!(f64, F64);
scalar_from_values!(bool, Bool);

impl FromValues for TensorData {
    fn take(values: &mut std::vec::IntoIter<Value>, storages: &Storages) -> Result<Self, String> {
        match next(values)? {
            Value::Tensor(t) => {
                let storage: Arc<[f64]> = match t.storage {
                    Storage::Owned(data) => data,
                    Storage::SameAs(i) => match storages.get(i) {
                        Some(Some(data)) => data.clone(),
                        _ => return Err(format!("shares the storage of argument {i}, which is no tensor")),
                    },
                };
                TensorData::with_storage(storage, t.shape, t.strides, t.offset)
                    .map_err(|e| format!("holds a tensor whose layout leaves its storage: {e}"))
            }
            _ => Err("holds something else where a tensor belongs".to_string()),
        }
    }
}

impl<A: FromValues, B: FromValues> FromValues for (A, B) {
    fn take(values: &mut std::vec::IntoIter<Value>, storages: &Storages) -> Result<Self, String> {
        Ok((A::take(values, storages)?, B::take(values, storages)?))
    }
}

impl<A: FromValues, B: FromValues, C: FromValues> FromValues for (A, B, C) {
    fn take(values: &mut std::vec::IntoIter<Value>, storages: &Storages) -> Result<Self, String> {
        Ok((A::take(values, storages)?, B::take(values, storages)?, C::take(values, storages)?))
    }
}

/// What a function returns, read from its reply.
pub trait Ret: Sized {
    fn from_reply(reply: Reply, storages: &Storages) -> Result<Self, String>;
}

fn all<T: FromValues>(values: Vec<Value>, storages: &Storages) -> Result<T, String> {
    let mut values = values.into_iter();
    let value = T::take(&mut values, storages)?;
    match values.len() {
        0 => Ok(value),
        n => Err(format!("has {n} results too many")),
    }
}

impl<T: FromValues> Ret for Result<T, ShapeError> {
    fn from_reply(reply: Reply, storages: &Storages) -> Result<Self, String> {
        match reply {
            Reply::Done(values) => all(values, storages).map(Ok),
            Reply::Refused { function, expected, given } => Ok(Err(ShapeError { function, expected, given })),
            _ => Err("is neither results nor a refusal".to_string()),
        }
    }
}

macro_rules! infallible_ret {
    ($($ty:ty),*) => {$(
        impl Ret for $ty {
            fn from_reply(reply: Reply, storages: &Storages) -> Result<Self, String> {
                match reply {
                    Reply::Done(values) => all(values, storages),
                    _ => Err("is a refusal from a function that cannot refuse".to_string()),
                }
            }
        }
    )*};
}
infallible_ret!(Vec<usize>, usize, bool, TensorData, ArrayD<f64>);

/// A closure that calls `$name` through `$link`, typed like the function.
///
/// It is leaked, so that a table of them is `Copy` like a table of function
/// pointers: a table is built once per task (a few dozen closures), and the
/// runner it calls is stopped through [`Link::close`], not by dropping.
macro_rules! remote {
    ($link:expr, $name:literal, |$($arg:ident : $ty:ty),*| -> $ret:ty) => {{
        let link = $link.clone();
        Box::leak(Box::new(move |$($arg: $ty),*| -> $ret {
            link.invoke($name, vec![$($crate::link::ToValue::to_value($arg)),*])
        }))
    }};
}
pub(crate) use remote;
