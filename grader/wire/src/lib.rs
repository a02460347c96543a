//! What crosses the pipe between the judge and a runner.
//!
//! The judge (the `grader` binary) decides every verdict but never runs a
//! student's code. A runner is a small process bound to one exercise crate:
//! it reads a [`Call`] (a function's name and its arguments), evaluates it,
//! and writes back a [`Reply`] (the results, a refusal of bad shapes, or a
//! panic). It knows nothing of checks, points or verdicts.
//!
//! Every message is one frame: its length as a little-endian `u64`, then
//! its bytes. Decoding never trusts a length: a frame or an array larger
//! than [`MAX_FRAME`] is an error, and so is any byte left over, so a
//! runner that writes garbage fails its own call and nothing else.
//!
//! ```
//! use wire::{Array, Call, Value};
//!
//! let call = Call { function: "relu".into(), args: vec![Value::Array(Array::standard(vec![2], vec![-1.0, 2.0]))] };
//! let bytes = call.encode();
//! assert_eq!(Call::decode(&bytes).unwrap(), call);
//! ```

mod codec;
mod frame;

use std::sync::Arc;

pub use codec::DecodeError;
pub use frame::{MAX_FRAME, read_frame, write_frame};

/// A strided array of `f64`: element `index` is
/// `data[offset + sum(index[i] * strides[i])]`. Strides may be zero or
/// negative, so that a call can hand a function a permuted, sliced,
/// reversed or broadcast view exactly as the judge built it.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub offset: usize,
    pub data: Vec<f64>,
}

impl Array {
    /// A row-major array holding `data`.
    pub fn standard(shape: Vec<usize>, data: Vec<f64>) -> Self {
        let mut strides = vec![0isize; shape.len()];
        let mut step = 1isize;
        for (stride, &len) in strides.iter_mut().zip(&shape).rev() {
            *stride = step;
            step = step.saturating_mul(len.max(1) as isize);
        }
        Array { shape, strides, offset: 0, data }
    }

    /// Whether every index lands inside `data` (checked arithmetic: a
    /// layout that would overflow is not valid).
    pub fn is_valid(&self) -> bool {
        if self.shape.len() != self.strides.len() {
            return false;
        }
        if self.shape.contains(&0) {
            return true;
        }
        let (mut low, mut high) = (self.offset as i128, self.offset as i128);
        for (&len, &stride) in self.shape.iter().zip(&self.strides) {
            let reach = (len as i128 - 1) * stride as i128;
            if reach < 0 { low += reach } else { high += reach }
        }
        low >= 0 && high < self.data.len() as i128
    }
}

/// Where a returned tensor's storage lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// Its own numbers.
    Owned(Arc<[f64]>),
    /// The very storage of the call's argument at this position: the
    /// function built a new layout without copying.
    SameAs(usize),
}

/// A strided tensor of the `tensor` module: storage, shape, strides, offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub storage: Storage,
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
    pub offset: usize,
}

/// One argument or one result.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Array(Array),
    Tensor(Tensor),
    /// A shape, strides, an index, an axis order, a kernel size.
    Dims(Vec<usize>),
    Usize(usize),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// A function to evaluate, by name, with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub function: String,
    pub args: Vec<Value>,
}

/// Why a call produced no results.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The function reached a `todo!()`; `message` says where.
    NotImplemented { message: String },
    /// The function panicked; `message` has the panic's text and place.
    Panicked { message: String },
}

/// What a runner answers to one [`Call`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The function's results, in the order of its return type.
    Done(Vec<Value>),
    /// The function returned a `ShapeError`.
    Refused { function: String, expected: String, given: String },
    /// The function did not return.
    Failed(Failure),
    /// The runner has no function of that name, or the arguments do not
    /// fit it: a mismatch between the judge and the runner's build.
    Unknown(String),
}

impl Call {
    /// The call's bytes (without the frame's length).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        codec::put_str(&mut out, &self.function);
        codec::put_values(&mut out, &self.args);
        out
    }

    /// Reads a call back; every byte must be used.
    pub fn decode(bytes: &[u8]) -> Result<Call, DecodeError> {
        let mut input = codec::Input::new(bytes);
        let call = Call { function: input.str()?, args: input.values()? };
        input.finish()?;
        Ok(call)
    }
}

impl Reply {
    /// The reply's bytes (without the frame's length).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Reply::Done(values) => {
                out.push(0);
                codec::put_values(&mut out, values);
            }
            Reply::Refused { function, expected, given } => {
                out.push(1);
                for text in [function, expected, given] {
                    codec::put_str(&mut out, text);
                }
            }
            Reply::Failed(Failure::NotImplemented { message }) => {
                out.push(2);
                codec::put_str(&mut out, message);
            }
            Reply::Failed(Failure::Panicked { message }) => {
                out.push(3);
                codec::put_str(&mut out, message);
            }
            Reply::Unknown(message) => {
                out.push(4);
                codec::put_str(&mut out, message);
            }
        }
        out
    }

    /// Reads a reply back; every byte must be used.
    pub fn decode(bytes: &[u8]) -> Result<Reply, DecodeError> {
        let mut input = codec::Input::new(bytes);
        let reply = match input.byte()? {
            0 => Reply::Done(input.values()?),
            1 => Reply::Refused { function: input.str()?, expected: input.str()?, given: input.str()? },
            2 => Reply::Failed(Failure::NotImplemented { message: input.str()? }),
            3 => Reply::Failed(Failure::Panicked { message: input.str()? }),
            4 => Reply::Unknown(input.str()?),
            tag => return Err(DecodeError(format!("unknown reply tag {tag}"))),
        };
        input.finish()?;
        Ok(reply)
    }
}
