//! Hostile inputs for the public functions of the solutions and of
//! `support`, and [`probe`], which calls a function on them and fails when it
//! panics or takes more than [`TIME_LIMIT`].
//!
//! The inputs are hostile in their shapes, layouts and values, never in
//! their size in memory: an array holds at most [`LIMIT`] elements, or none.
//! An empty array may still have axes of up to 2^62 (`(2^62, 0)` takes no
//! memory), so a function that loops over the lanes of an empty array, or
//! multiplies its lengths without checking, is caught. Layouts are row-major,
//! reversed (negative strides, by `invert_axis`), transposed, broadcast (zero
//! strides) or sliced with a step of 2; values include NaN, infinities, 0,
//! -0 and 1e300.
//!
//! The functions take sizes from a list of named sizes (batch, channels,
//! width, ...) through templates, so that most problems are consistent and
//! reach the computation; [`tame`] then shrinks sizes to 0 until every array
//! the test allocates, and every output the function would allocate, is
//! small or empty, and [`Corruption`] breaks one shape in a way that keeps
//! it small, so that the refusals are reached too.

use std::any::Any;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, Once};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Slice};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

/// The longest a single call may take. The inputs are tiny: a call that
/// takes this long loops over something it should not.
pub const TIME_LIMIT: Duration = Duration::from_secs(1);

/// The most elements of an array that a test allocates.
pub const LIMIT: usize = 64;

/// Cases per property: `PROPTEST_CASES` or 256.
pub fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Caps the address space of the test process at 16 GiB, once: if a
/// function ever allocated an output as big as its hostile shape asks, the
/// allocation fails at once (and the test with it) instead of swapping the
/// shared machine to a halt.
pub fn cap_memory() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        {
            const CAP: libc::rlim_t = 16 << 30;
            let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            // SAFETY: getrlimit and setrlimit read and write one valid rlimit.
            unsafe {
                if libc::getrlimit(libc::RLIMIT_AS, &mut limit) == 0 && limit.rlim_cur > CAP {
                    limit.rlim_cur = CAP;
                    libc::setrlimit(libc::RLIMIT_AS, &limit);
                }
            }
        }
    });
}

/// How long a call may run before the watchdog ends the whole test
/// process: a call that never returns cannot be failed any other way.
pub const HANG_LIMIT: Duration = Duration::from_secs(10);

/// The calls running now, by thread: when each started and what it is.
static RUNNING: Mutex<Vec<(ThreadId, Instant, String)>> = Mutex::new(Vec::new());

/// Starts, once, the thread that ends the process (exit status 101, as a
/// failed test) when some call has run for [`HANG_LIMIT`], naming it.
fn watch() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((_, start, call)) = running.iter().find(|(_, start, _)| start.elapsed() > HANG_LIMIT) {
                    // Straight to stderr: the test harness captures eprintln!, and would drop it.
                    let _ = writeln!(std::io::stderr(), "{call} has run for {:?}: it hangs", start.elapsed());
                    std::process::exit(101);
                }
            }
        });
    });
}

/// Calls `f`; an error naming `call` when it panics or takes more than
/// [`TIME_LIMIT`], else its result. A call that runs for [`HANG_LIMIT`]
/// ends the process.
///
/// With `FUZZ_TRACE` set, prints every call before making it: the last line
/// printed names the call when the process dies (an abort is no panic).
pub fn probe<T>(call: impl FnOnce() -> String, f: impl FnOnce() -> T) -> Result<T, TestCaseError> {
    watch();
    let described = call();
    if std::env::var_os("FUZZ_TRACE").is_some() {
        let _ = writeln!(std::io::stderr(), "{described}");
    }
    let id = std::thread::current().id();
    let start = Instant::now();
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push((id, start, described));
    let result = catch_unwind(AssertUnwindSafe(f));
    let elapsed = start.elapsed();
    let described = {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        let at = running.iter().position(|(t, _, _)| *t == id).expect("registered above");
        running.swap_remove(at).2
    };
    match result {
        Err(payload) => Err(TestCaseError::fail(format!("{described} panicked: {}", message(payload.as_ref())))),
        Ok(_) if elapsed > TIME_LIMIT => Err(TestCaseError::fail(format!("{described} took {elapsed:?}"))),
        Ok(value) => Ok(value),
    }
}

/// [`probe`], for a call whose result does not matter.
pub fn survives<T>(call: impl FnOnce() -> String, f: impl FnOnce() -> T) -> Result<(), TestCaseError> {
    probe(call, f).map(drop)
}

fn message(payload: &(dyn Any + Send)) -> String {
    match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => "(not a string)".to_string(),
    }
}

/// Fails the case with `what` unless `ok`.
pub fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if ok { Ok(()) } else { Err(TestCaseError::fail(what())) }
}

/// A length of an axis: mostly 1 to 4, often 0, sometimes 2^20 to 2^62.
pub fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        2 => Just(0usize),
        6 => 1..=4usize,
        2 => (20..=62u32).prop_map(|k| 1usize << k),
    ]
}

/// Any `usize`, leaning to the hostile ones: for functions that only do
/// arithmetic on shapes and allocate nothing of their size.
pub fn wild() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => dim(),
        1 => Just(usize::MAX),
        1 => Just(usize::MAX - 1),
        1 => Just(isize::MAX as usize),
        1 => Just(1usize << 63),
        1 => any::<usize>(),
    ]
}

/// A shape of 0 to `max_ndim` axes of [`wild`] lengths.
pub fn wild_shape(max_ndim: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(wild(), 0..=max_ndim)
}

/// An element: mostly ordinary, often NaN, infinite, signed zero, huge or
/// tiny.
pub fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -3.0..3.0f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(1e300),
        1 => Just(-1e300),
        1 => Just(1000.0),
        1 => Just(f64::MIN_POSITIVE),
    ]
}

/// A few elements, repeated to fill any array.
pub fn values() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(value(), 1..=8)
}

/// How the elements of an array lie in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Row-major.
    Standard,
    /// Every axis reversed: negative strides.
    Reversed,
    /// Column-major: a row-major array of the reversed shape, axes reversed.
    Transposed,
    /// The axes of the mask's bits stretched from length 1: zero strides.
    Broadcast(u8),
    /// Every axis of length up to [`LIMIT`] read with a step of 2.
    Strided,
}

pub fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        2 => Just(Layout::Standard),
        1 => Just(Layout::Reversed),
        1 => Just(Layout::Transposed),
        1 => any::<u8>().prop_map(Layout::Broadcast),
        1 => Just(Layout::Strided),
    ]
}

/// An array of `shape` in `layout`, its elements cycling through `values`.
/// Build the storage with [`Hostile::backing`] and look at it with
/// [`Hostile::view`].
#[derive(Clone, Debug)]
pub struct Hostile {
    pub shape: Vec<usize>,
    pub layout: Layout,
    pub values: Vec<f64>,
}

impl Hostile {
    pub fn new(shape: Vec<usize>, layout: Layout, values: &[f64]) -> Hostile {
        Hostile { shape, layout, values: values.to_vec() }
    }

    /// Whether `axis` is stretched from length 1: an axis of the mask, unless
    /// it is empty (the storage would then hold the other axes in full).
    fn broadcast_axis(&self, axis: usize) -> bool {
        let masked = matches!(self.layout, Layout::Broadcast(mask) if axis < 8 && mask & (1 << axis) != 0);
        masked && self.shape[axis] != 0
    }

    /// Whether `axis` is read with a step of 2: every axis of length 1 to
    /// [`LIMIT`], unless twice the length is more than an array can have.
    fn strided_axis(&self, axis: usize) -> bool {
        let doubles = |d: usize| (1..=LIMIT).contains(&d);
        let doubled: Vec<usize> = self.shape.iter().map(|&d| if doubles(d) { 2 * d } else { d }).collect();
        self.layout == Layout::Strided && doubles(self.shape[axis]) && ndarray_size(&doubled).is_some()
    }

    /// The storage the view reads.
    pub fn backing(&self) -> ArrayD<f64> {
        let shape: Vec<usize> = match self.layout {
            Layout::Standard | Layout::Reversed => self.shape.clone(),
            Layout::Transposed => self.shape.iter().rev().copied().collect(),
            Layout::Broadcast(_) => {
                (0..self.shape.len()).map(|a| if self.broadcast_axis(a) { 1 } else { self.shape[a] }).collect()
            }
            Layout::Strided => (0..self.shape.len())
                .map(|a| if self.strided_axis(a) { 2 * self.shape[a] } else { self.shape[a] })
                .collect(),
        };
        let mut cycle = self.values.iter().copied().cycle();
        ArrayD::from_shape_simple_fn(IxDyn(&shape), || cycle.next().unwrap_or(0.0))
    }

    /// The array: `self.shape` read from `backing` in `self.layout`.
    pub fn view<'a>(&self, backing: &'a ArrayD<f64>) -> ArrayViewD<'a, f64> {
        match self.layout {
            Layout::Standard => backing.view(),
            Layout::Reversed => {
                let mut view = backing.view();
                (0..view.ndim()).for_each(|a| view.invert_axis(Axis(a)));
                view
            }
            Layout::Transposed => backing.view().reversed_axes(),
            Layout::Broadcast(_) => backing.broadcast(IxDyn(&self.shape)).expect("length 1 stretches to any length"),
            Layout::Strided => backing.slice_each_axis(|axis| {
                if self.strided_axis(axis.axis.index()) { Slice::new(0, None, 2) } else { Slice::from(..) }
            }),
        }
    }
}

/// The number of elements of `shape` when an ndarray array can have it (the
/// lengths other than 0 multiply to at most `isize::MAX`).
pub fn ndarray_size(shape: &[usize]) -> Option<usize> {
    let nonzero = shape.iter().filter(|&&d| d != 0).try_fold(1usize, |p, &d| p.checked_mul(d))?;
    if nonzero > isize::MAX as usize { None } else { Some(if shape.contains(&0) { 0 } else { nonzero }) }
}

/// A shape built from named sizes: every axis is the product of the sizes
/// at the listed indices (`&[2, 4]` is `sizes[2] * sizes[4]`).
pub type Template = &'static [&'static [usize]];

/// The shape `template` gives `sizes`, or `None` when a length overflows.
pub fn build(sizes: &[usize], template: Template) -> Option<Vec<usize>> {
    template.iter().map(|axis| axis.iter().try_fold(1usize, |p, &i| p.checked_mul(sizes[i]))).collect()
}

/// Sets sizes to 0, chosen by `pick`, until every shape of `templates` is a
/// valid ndarray shape of at most [`LIMIT`] elements or none.
pub fn tame(sizes: &mut [usize], templates: &[Template], mut pick: u64) {
    loop {
        let wild = templates.iter().find(|t| build(sizes, t).and_then(|s| ndarray_size(&s)).is_none_or(|n| n > LIMIT));
        let Some(template) = wild else { return };
        let mut used: Vec<usize> =
            template.iter().flat_map(|axis| axis.iter().copied()).filter(|&i| sizes[i] > 1).collect();
        used.sort_unstable();
        used.dedup();
        if used.is_empty() {
            return; // Every length is 0 or 1: small already.
        }
        sizes[used[(pick % used.len() as u64) as usize]] = 0;
        pick = pick.rotate_right(7) ^ 0x9e37_79b9_7f4a_7c15;
    }
}

/// One way to break a shape that keeps it small: a length other than 0
/// becomes 0 to 4, an axis of 1 or 2 is appended, or a last axis other than
/// 0 is dropped (an empty array never becomes a full one, so no output
/// derived from it grows past a few times [`LIMIT`]).
#[derive(Clone, Copy, Debug)]
pub enum Corruption {
    Length { axis: usize, to: usize },
    Append(usize),
    DropLast,
}

pub fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        3 => (any::<usize>(), 0..=4usize).prop_map(|(axis, to)| Corruption::Length { axis, to }),
        1 => (1..=2usize).prop_map(Corruption::Append),
        1 => Just(Corruption::DropLast),
    ]
}

impl Corruption {
    pub fn apply(self, shape: &mut Vec<usize>) {
        let before = shape.clone();
        match self {
            Corruption::Length { axis, to } => {
                let nonzero: Vec<usize> = (0..shape.len()).filter(|&a| shape[a] != 0).collect();
                if !nonzero.is_empty() {
                    shape[nonzero[axis % nonzero.len()]] = to;
                }
            }
            Corruption::Append(len) => shape.push(len),
            Corruption::DropLast => {
                if shape.last().is_some_and(|&d| d != 0) {
                    shape.pop();
                }
            }
        }
        if ndarray_size(shape).is_none_or(|n| n > 4 * LIMIT) {
            *shape = before;
        }
    }
}

/// The shapes of one problem: `templates` applied to `sizes` after
/// [`tame`], then `corruption` (if any) applied to the shape it names
/// (modulo the number of shapes).
pub fn shapes(
    sizes: &mut [usize],
    templates: &[Template],
    pick: u64,
    corruption: Option<(usize, Corruption)>,
) -> Vec<Vec<usize>> {
    tame(sizes, templates, pick);
    let mut shapes: Vec<Vec<usize>> =
        templates.iter().map(|t| build(sizes, t).expect("tame leaves valid shapes")).collect();
    if let Some((which, corruption)) = corruption {
        let n = shapes.len();
        corruption.apply(&mut shapes[which % n]);
    }
    shapes
}

/// Sets lengths of `shape` to 0, chosen by `pick`, until it is a valid
/// ndarray shape of at most [`LIMIT`] elements or none.
pub fn tame_shape(shape: &mut [usize], mut pick: u64) {
    while ndarray_size(shape).is_none_or(|n| n > LIMIT) {
        let big: Vec<usize> = (0..shape.len()).filter(|&a| shape[a] > 1).collect();
        shape[big[(pick % big.len() as u64) as usize]] = 0;
        pick = pick.rotate_right(7) ^ 0x9e37_79b9_7f4a_7c15;
    }
}

/// A shape of 0 to `max_ndim` axes of [`dim`] lengths, made small by
/// [`tame_shape`].
pub fn small_shape(max_ndim: usize) -> impl Strategy<Value = Vec<usize>> {
    (proptest::collection::vec(dim(), 0..=max_ndim), any::<u64>()).prop_map(|(mut shape, pick)| {
        tame_shape(&mut shape, pick);
        shape
    })
}

/// An array of a [`small_shape`] in any layout.
pub fn hostile(max_ndim: usize) -> impl Strategy<Value = Hostile> {
    (small_shape(max_ndim), layout(), values()).prop_map(|(shape, layout, values)| Hostile { shape, layout, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_shows_the_shape_asked_for() {
        for layout in
            [Layout::Standard, Layout::Reversed, Layout::Transposed, Layout::Broadcast(0b101), Layout::Strided]
        {
            for shape in [vec![], vec![0], vec![2, 3], vec![1 << 61, 0, 3], vec![3, 1, 2, 2]] {
                let h = Hostile::new(shape.clone(), layout, &[1.0, f64::NAN]);
                let backing = h.backing();
                assert!(
                    backing.len() <= 4 * LIMIT && (backing.is_empty() || !shape.contains(&0)),
                    "{layout:?} {shape:?}"
                );
                assert_eq!(h.view(&backing).shape(), &shape[..], "{layout:?}");
            }
        }
    }

    #[test]
    fn tame_leaves_small_or_empty_shapes() {
        let mut sizes = vec![1 << 62, 1 << 40, 3, 1 << 20];
        let templates: [Template; 2] = [&[&[0], &[1]], &[&[2, 3], &[1]]];
        tame(&mut sizes, &templates, 5);
        for t in templates {
            let n = ndarray_size(&build(&sizes, t).unwrap()).unwrap();
            assert!(n <= LIMIT);
        }
    }
}
