//! The Rust side of `python3 bench/compare.py`: a small server that times
//! the course's kernels on request, so that the script can interleave our
//! runs with PyTorch's on the same shapes and under the same load.
//!
//! It reads commands on standard input, one per line, and answers each on
//! one line of standard output:
//!
//! - `list`: one line per case, `name op key=value ...` (the shape the
//!   script builds PyTorch's inputs from, and `flops` when the case has a
//!   flop count), then `end`;
//! - `time NAME SECONDS`: calls the case once to warm up, then again until
//!   `SECONDS` have passed (at least 3 calls), and answers the median
//!   seconds per call, or `skipped REASON`.
//!
//! Threads: the server uses rayon's pool, sized by `RAYON_NUM_THREADS`.

use std::io::{self, BufRead, Write};
use std::time::{Duration, Instant};

use ndarray::{Array2, Array3, Array4, Ix3, Ix4};
use support::random::{rng, uniform};

use crate::{Attention, AttentionBackward, Backward, Forward, Pool, PoolBackward, Reduce, ReduceBackward, SHAPES};

/// The functions to time; `None` for one that is not implemented (its
/// cases answer `skipped`).
#[derive(Default)]
pub struct Kernels {
    pub conv1d: Option<(Forward<Ix3>, Backward<Ix3>)>,
    pub conv2d: Option<(Forward<Ix4>, Backward<Ix4>)>,
    pub softmax: Option<(Reduce, ReduceBackward)>,
    pub logsoftmax: Option<(Reduce, ReduceBackward)>,
    pub maxpool: Option<(Pool, PoolBackward)>,
    pub avgpool: Option<(Pool, PoolBackward)>,
    pub attention: Option<(Attention, AttentionBackward)>,
}

/// One timed case: its name, its shape for the script, and how to run it.
struct Case {
    name: String,
    spec: String,
    run: Option<Box<dyn Fn()>>,
}

/// The cases: the shapes of `cargo bench` and of PERFORMANCE.md.
fn cases(k: &Kernels) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut add = |name: &str, spec: String, run: Option<Box<dyn Fn()>>| {
        cases.push(Case { name: name.to_string(), spec, run });
    };
    for s in &SHAPES {
        let [x, w, g] = crate::conv2d_operands(s);
        let spec = format!(
            "conv2d b={} cin={} h={} w={} cout={} kh={} kw={} flops={}",
            s.batch,
            s.cin,
            s.height,
            s.width,
            s.cout,
            s.kh,
            s.kw,
            s.forward_flops() + s.backward_flops()
        );
        let run = k.conv2d.map(|(f, b)| -> Box<dyn Fn()> {
            Box::new(move || {
                drop(f(x.view(), w.view()));
                drop(b(x.view(), w.view(), g.view()));
            })
        });
        add(&format!("conv2d-fwd+bwd-{}", s.name), spec, run);
    }
    // A 1D layer with many channels: batch 16, 50 -> 100 channels, width 60.
    for kernel in [3, 5] {
        let (b, cin, width, cout) = (16, 50, 60, 100);
        let mut r = rng(7);
        let x: Array3<f64> = uniform((b, cin, width), &mut r);
        let w: Array3<f64> = uniform((cout, cin, kernel), &mut r);
        let g: Array3<f64> = uniform((b, cout, width), &mut r);
        let flops = 3 * 2 * b * cout * width * cin * kernel;
        let spec = format!("conv1d b={b} cin={cin} w={width} cout={cout} k={kernel} flops={flops}");
        let run = k.conv1d.map(|(f, bw)| -> Box<dyn Fn()> {
            Box::new(move || {
                drop(f(x.view(), w.view()));
                drop(bw(x.view(), w.view(), g.view()));
            })
        });
        add(&format!("conv1d-fwd+bwd-K{kernel}"), spec, run);
    }
    let [x, g] = crate::score_operands();
    let [rows, cols] = crate::SCORES;
    for (op, pair) in [("softmax", k.softmax), ("logsoftmax", k.logsoftmax)] {
        let spec = format!("{op} rows={rows} cols={cols}");
        let (x1, x2, g2) = (x.clone(), x.clone(), g.clone());
        add(
            &format!("{op}-fwd"),
            spec.clone(),
            pair.map(|(f, _)| -> Box<dyn Fn()> { Box::new(move || drop(f(x1.view(), 1))) }),
        );
        add(
            &format!("{op}-fwd+bwd"),
            spec,
            pair.map(|(f, b)| -> Box<dyn Fn()> {
                Box::new(move || {
                    drop(f(x2.view(), 1));
                    drop(b(x2.view(), 1, g2.view()));
                })
            }),
        );
    }
    let [b, c, h, w] = crate::ACTIVATIONS;
    let (kh, kw) = crate::WINDOW;
    let x: Array4<f64> = uniform((b, c, h, w), &mut rng(8));
    let g: Array4<f64> = uniform((b, c, h / kh, w / kw), &mut rng(9));
    // Max pooling is timed forward and backward together; average pooling
    // also forward alone.
    for (op, pair, forward_alone) in [("maxpool", k.maxpool, false), ("avgpool", k.avgpool, true)] {
        let spec = format!("{op} b={b} c={c} h={h} w={w} kh={kh} kw={kw}");
        if forward_alone {
            let x = x.clone();
            add(
                &format!("{op}-fwd"),
                spec.clone(),
                pair.map(|(f, _)| -> Box<dyn Fn()> { Box::new(move || drop(f(x.view(), (kh, kw)))) }),
            );
        }
        let (x, g) = (x.clone(), g.clone());
        add(
            &format!("{op}-fwd+bwd"),
            spec,
            pair.map(|(f, bw)| -> Box<dyn Fn()> {
                Box::new(move || {
                    drop(f(x.view(), (kh, kw)));
                    drop(bw(x.view(), (kh, kw), g.view()));
                })
            }),
        );
    }
    let (b, t, d) = crate::TOKENS;
    for (mask, causal) in [("full", false), ("causal", true)] {
        let [q, kk, v, g] = crate::attention_operands();
        // Forward and backward: 2 + 4 products of T x T x D per batch
        // element (the backward's recomputed scores not counted); with the
        // mask, only the products' lower triangles are needed.
        let pairs = if causal { t * (t + 1) / 2 } else { t * t };
        let flops = 6 * 2 * b * pairs * d;
        let spec = format!("attention b={b} t={t} d={d} causal={} flops={flops}", causal as u8);
        add(
            &format!("attention-fwd+bwd-{mask}"),
            spec,
            k.attention.map(|(f, bw)| -> Box<dyn Fn()> {
                Box::new(move || {
                    drop(f(q.view(), kk.view(), v.view(), causal));
                    drop(bw(q.view(), kk.view(), v.view(), causal, g.view()));
                })
            }),
        );
    }
    // The matrix product every fast kernel here is measured against.
    let n = 512;
    let (a, bm): (Array2<f64>, Array2<f64>) = (uniform((n, n), &mut rng(10)), uniform((n, n), &mut rng(11)));
    add("gemm-512", format!("gemm n={n} flops={}", 2 * n * n * n), Some(Box::new(move || drop(a.dot(&bm)))));
    cases
}

/// The median seconds per call of `run`, called once to warm up and then
/// until `budget` has passed, at least 3 times.
fn median_seconds(run: &dyn Fn(), budget: Duration) -> f64 {
    run();
    let start = Instant::now();
    let mut times = Vec::new();
    while times.len() < 3 || start.elapsed() < budget {
        let t = Instant::now();
        run();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Serves `list` and `time` commands (see the module's documentation) on
/// standard input and output, until standard input closes.
pub fn serve(kernels: &Kernels) -> io::Result<()> {
    serve_on(kernels, io::stdin().lock(), io::stdout().lock())
}

/// [`serve`] on any reader and writer.
pub fn serve_on(kernels: &Kernels, input: impl BufRead, mut out: impl Write) -> io::Result<()> {
    let cases = cases(kernels);
    for line in input.lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["list"] => {
                for case in &cases {
                    writeln!(out, "{} {}", case.name, case.spec)?;
                }
                writeln!(out, "end")?;
            }
            ["time", name, seconds] => match (cases.iter().find(|c| c.name == *name), seconds.parse::<f64>()) {
                (None, _) => writeln!(out, "skipped no case named {name}")?,
                (_, Err(_)) => writeln!(out, "skipped {seconds} is not a number of seconds")?,
                (Some(Case { run: None, .. }), _) => writeln!(out, "skipped not implemented")?,
                (Some(Case { run: Some(run), .. }), Ok(s)) => {
                    writeln!(out, "{:e}", median_seconds(run.as_ref(), Duration::from_secs_f64(s.clamp(0.0, 60.0))))?
                }
            },
            _ => writeln!(out, "skipped unknown command {line:?}; expected `list` or `time NAME SECONDS`")?,
        }
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(kernels: &Kernels, commands: &str) -> Vec<String> {
        let mut out = Vec::new();
        serve_on(kernels, commands.as_bytes(), &mut out).unwrap();
        String::from_utf8(out).unwrap().lines().map(String::from).collect()
    }

    #[test]
    fn lists_every_case_with_its_shape_and_times_what_exists() {
        let lines = answers(
            &Kernels::default(),
            "list\ntime gemm-512 0\ntime softmax-fwd 0\ntime nothing 1\ntime gemm-512 x\nhello\n",
        );
        let end = lines.iter().position(|l| l == "end").unwrap();
        let names: Vec<&str> = lines[..end].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
        assert_eq!(names.len(), 15, "{names:?}");
        assert!(names.contains(&"conv2d-fwd+bwd-S1") && names.contains(&"attention-fwd+bwd-causal"));
        assert!(lines[0].contains("conv2d b=16 cin=1 h=28 w=28 cout=8 kh=5 kw=5 flops="), "{}", lines[0]);
        // Without the course's functions only the matrix product runs.
        let seconds: f64 = lines[end + 1].parse().unwrap();
        assert!(seconds > 0.0 && seconds < 1.0, "{seconds}");
        assert_eq!(lines[end + 2], "skipped not implemented");
        assert_eq!(lines[end + 3], "skipped no case named nothing");
        assert_eq!(lines[end + 4], "skipped x is not a number of seconds");
        assert!(lines[end + 5].starts_with("skipped unknown command \"hello\""));
    }

    #[test]
    fn times_the_kernels_it_is_given() {
        fn softmax(x: ndarray::ArrayViewD<f64>, _: usize) -> Result<ndarray::ArrayD<f64>, support::ShapeError> {
            Ok(x.mapv(f64::exp))
        }
        fn backward(
            x: ndarray::ArrayViewD<f64>,
            _: usize,
            _: ndarray::ArrayViewD<f64>,
        ) -> Result<ndarray::ArrayD<f64>, support::ShapeError> {
            Ok(x.to_owned())
        }
        let kernels = Kernels { softmax: Some((softmax, backward)), ..Kernels::default() };
        let lines = answers(&kernels, "time softmax-fwd 0\ntime softmax-fwd+bwd 0\ntime logsoftmax-fwd 0\n");
        assert!(lines[0].parse::<f64>().is_ok() && lines[1].parse::<f64>().is_ok(), "{lines:?}");
        assert_eq!(lines[2], "skipped not implemented");
    }
}
