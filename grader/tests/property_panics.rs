//! A panic inside a property: the judge's own, or a student's forwarded by
//! a runner, keeps its message and its `file:line` in the check's message.
//! (A binary of its own: it routes every panic of the process to the
//! checker's hook.)

use grader::check::capture_panics;
use grader::link::Abort;
use grader::{CheckReport, Checker, Implementation, Status, Task};
use wire::Failure;

fn nothing(_: &Implementation, _: &mut Checker) {}

fn finish(c: Checker) -> (Status, Vec<CheckReport>) {
    let report = c.finish(&Task { module: "tensor", name: "permute", points: 1.0, run: nothing }, 0.0);
    (report.status, report.checks)
}

#[test]
fn a_panic_in_a_property_keeps_its_message_and_place() {
    capture_panics();
    let mut c = Checker::new(7);
    let line = line!() + 3;
    c.property("property: below 10", 0..100u32, |n| {
        if n >= 10 {
            panic!("{n} is too big");
        }
        Ok(())
    });
    c.property("property: a student's panic, forwarded by the runner", 0..100u32, |n| {
        if n >= 5 {
            let message = "index out of bounds at modules/tensor/src/layout.rs:12".to_string();
            std::panic::panic_any(Abort::Student(Failure::Panicked { message }));
        }
        Ok(())
    });
    c.property("property: an error after a panic elsewhere", 0..100u32, |n| {
        if n >= 3 { Err(format!("{n} is not below 3")) } else { Ok(()) }
    });
    let (status, checks) = finish(c);
    drop(std::panic::take_hook()); // Assertions print again.
    assert_eq!(status, Status::Crashed);
    let place = format!("{}:{line}", file!());
    assert_eq!(checks[0].message, format!("panicked: 10 is too big at {place}\nsmallest failing input: 10"));
    assert_eq!(
        checks[1].message,
        "panicked: index out of bounds at modules/tensor/src/layout.rs:12\nsmallest failing input: 5"
    );
    assert_eq!(checks[2].message, "3 is not below 3\nsmallest failing input: 3");
}
