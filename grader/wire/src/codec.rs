//! The byte layout of values: a tag byte, then lengths as little-endian
//! `u64` and numbers as little-endian `f64` bits.

use std::fmt;
use std::sync::Arc;

use crate::{Array, MAX_FRAME, Storage, Tensor, Value};

/// Bytes that are not a well-formed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

pub(crate) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn put_str(out: &mut Vec<u8>, text: &str) {
    put_u64(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn put_dims(out: &mut Vec<u8>, dims: &[usize]) {
    put_u64(out, dims.len() as u64);
    dims.iter().for_each(|&d| put_u64(out, d as u64));
}

fn put_f64s(out: &mut Vec<u8>, data: &[f64]) {
    put_u64(out, data.len() as u64);
    out.reserve(data.len() * 8);
    data.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
}

pub(crate) fn put_values(out: &mut Vec<u8>, values: &[Value]) {
    put_u64(out, values.len() as u64);
    for value in values {
        match value {
            Value::Array(a) => {
                out.push(0);
                put_dims(out, &a.shape);
                put_u64(out, a.strides.len() as u64);
                a.strides.iter().for_each(|&s| put_u64(out, s as i64 as u64));
                put_u64(out, a.offset as u64);
                put_f64s(out, &a.data);
            }
            Value::Tensor(t) => {
                out.push(1);
                match &t.storage {
                    Storage::Owned(data) => {
                        out.push(0);
                        put_f64s(out, data);
                    }
                    Storage::SameAs(arg) => {
                        out.push(1);
                        put_u64(out, *arg as u64);
                    }
                }
                put_dims(out, &t.shape);
                put_dims(out, &t.strides);
                put_u64(out, t.offset as u64);
            }
            Value::Dims(dims) => {
                out.push(2);
                put_dims(out, dims);
            }
            Value::Usize(v) => {
                out.push(3);
                put_u64(out, *v as u64);
            }
            Value::U64(v) => {
                out.push(4);
                put_u64(out, *v);
            }
            Value::F64(v) => {
                out.push(5);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bool(v) => {
                out.push(6);
                out.push(u8::from(*v));
            }
        }
    }
}

/// A cursor over a message's bytes.
pub(crate) struct Input<'a> {
    bytes: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Input { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.bytes.len() {
            return Err(DecodeError(format!("{n} more bytes expected, {} left", self.bytes.len())));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    fn usize(&mut self) -> Result<usize, DecodeError> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| DecodeError(format!("{v} does not fit a usize")))
    }

    /// A count of items of `size` bytes each, no more than the bytes left.
    fn count(&mut self, size: usize) -> Result<usize, DecodeError> {
        let n = self.u64()?;
        if n.saturating_mul(size as u64) > self.bytes.len() as u64 || n > MAX_FRAME {
            return Err(DecodeError(format!("a length of {n} runs past the message")));
        }
        Ok(n as usize)
    }

    pub(crate) fn str(&mut self) -> Result<String, DecodeError> {
        let n = self.count(1)?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| DecodeError("text that is not UTF-8".into()))
    }

    fn dims(&mut self) -> Result<Vec<usize>, DecodeError> {
        let n = self.count(8)?;
        (0..n).map(|_| self.usize()).collect()
    }

    fn f64s(&mut self) -> Result<Vec<f64>, DecodeError> {
        let n = self.count(8)?;
        Ok(self.take(n * 8)?.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }

    pub(crate) fn values(&mut self) -> Result<Vec<Value>, DecodeError> {
        let n = self.count(1)?;
        (0..n).map(|_| self.value()).collect()
    }

    fn value(&mut self) -> Result<Value, DecodeError> {
        Ok(match self.byte()? {
            0 => {
                let shape = self.dims()?;
                let n = self.count(8)?;
                let strides = (0..n).map(|_| self.u64().map(|s| s as i64 as isize)).collect::<Result<_, _>>()?;
                let array = Array { shape, strides, offset: self.usize()?, data: self.f64s()? };
                if !array.is_valid() {
                    return Err(DecodeError(format!(
                        "an array whose shape {:?} and strides {:?} reach outside its {} numbers",
                        array.shape,
                        array.strides,
                        array.data.len()
                    )));
                }
                Value::Array(array)
            }
            1 => {
                let storage = match self.byte()? {
                    0 => Storage::Owned(Arc::from(self.f64s()?)),
                    1 => Storage::SameAs(self.usize()?),
                    tag => return Err(DecodeError(format!("unknown storage tag {tag}"))),
                };
                Value::Tensor(Tensor { storage, shape: self.dims()?, strides: self.dims()?, offset: self.usize()? })
            }
            2 => Value::Dims(self.dims()?),
            3 => Value::Usize(self.usize()?),
            4 => Value::U64(self.u64()?),
            5 => Value::F64(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"))),
            6 => match self.byte()? {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => return Err(DecodeError(format!("{b} is not a bool"))),
            },
            tag => return Err(DecodeError(format!("unknown value tag {tag}"))),
        })
    }

    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        match self.bytes.len() {
            0 => Ok(()),
            n => Err(DecodeError(format!("{n} bytes left over"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Array, Call, Failure, Reply, Storage, Tensor, Value};

    fn every_value() -> Vec<Value> {
        vec![
            Value::Array(Array {
                shape: vec![2, 3],
                strides: vec![-1, 2],
                offset: 1,
                data: (0..6).map(f64::from).collect(),
            }),
            Value::Array(Array::standard(vec![0, 4], vec![])),
            Value::Array(Array { shape: vec![5], strides: vec![0], offset: 0, data: vec![f64::NAN] }),
            Value::Tensor(Tensor {
                storage: Storage::Owned(vec![1.0, 2.0].into()),
                shape: vec![2],
                strides: vec![1],
                offset: 0,
            }),
            Value::Tensor(Tensor { storage: Storage::SameAs(0), shape: vec![], strides: vec![], offset: 3 }),
            Value::Dims(vec![usize::MAX, 0, 7]),
            Value::Usize(3),
            Value::U64(u64::MAX),
            Value::F64(-0.0),
            Value::Bool(true),
        ]
    }

    #[test]
    fn calls_and_replies_read_back_as_written() {
        let call = Call { function: "softmax".into(), args: every_value() };
        let back = Call::decode(&call.encode()).unwrap();
        // NaN != NaN, so compare the bytes of a second encoding.
        assert_eq!(back.encode(), call.encode());
        for reply in [
            Reply::Done(every_value()),
            Reply::Refused { function: "view".into(), expected: "8 elements".into(), given: "(3, 2)".into() },
            Reply::Failed(Failure::NotImplemented { message: "at src/lib.rs:3".into() }),
            Reply::Failed(Failure::Panicked { message: "boom".into() }),
            Reply::Unknown("no function nope".into()),
        ] {
            assert_eq!(Reply::decode(&reply.encode()).unwrap().encode(), reply.encode());
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic_or_an_allocation() {
        assert!(Reply::decode(&[]).is_err());
        assert!(Reply::decode(&[9]).is_err());
        // A count of 2^63 values in a five-byte message.
        let mut huge = vec![0u8];
        huge.extend_from_slice(&(1u64 << 63).to_le_bytes());
        assert!(Reply::decode(&huge).is_err());
        // Trailing bytes.
        let mut long = Reply::Done(vec![]).encode();
        long.push(0);
        assert!(Reply::decode(&long).is_err());
        // Every prefix of a valid message fails cleanly.
        let full = Reply::Done(every_value()).encode();
        for cut in 0..full.len() {
            assert!(Reply::decode(&full[..cut]).is_err(), "a prefix of {cut} bytes decoded");
        }
    }

    #[test]
    fn an_array_reaching_outside_its_numbers_is_refused() {
        let bad = Array { shape: vec![3], strides: vec![1], offset: 1, data: vec![0.0; 3] };
        let call = Call { function: "f".into(), args: vec![Value::Array(bad)] };
        let err = Call::decode(&call.encode()).unwrap_err();
        assert!(err.to_string().contains("reach outside"), "{err}");
        let backwards = Array { shape: vec![3], strides: vec![-1], offset: 1, data: vec![0.0; 3] };
        assert!(!backwards.is_valid());
        assert!(Array { offset: 2, ..backwards }.is_valid());
    }
}
