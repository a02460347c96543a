//! JUnit XML (`--junit FILE`), for classrooms graded in CI: one test suite
//! per module, one test case per task. A task that failed or is not
//! implemented is a `<failure>`; one that crashed, timed out or does not
//! compile is an `<error>`: the run could not judge it.

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use super::RunReport;
use crate::sections;
use crate::task::{Status, TaskReport};

/// The document, UTF-8, with the XML declaration.
pub fn xml(run: &RunReport) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let count = |of: &dyn Fn(&TaskReport) -> bool| run.tasks.iter().filter(|t| of(t)).count().to_string();
    let time = |tasks: &mut dyn Iterator<Item = &TaskReport>| format!("{:.3}", tasks.map(|t| t.seconds).sum::<f64>());
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "gradlings"));
    root.push_attribute(("tests", run.tasks.len().to_string().as_str()));
    root.push_attribute(("failures", count(&|t| is_failure(t.status)).as_str()));
    root.push_attribute(("errors", count(&|t| is_error(t.status)).as_str()));
    root.push_attribute(("time", time(&mut run.tasks.iter()).as_str()));
    let mut modules: Vec<&str> = run.tasks.iter().map(|t| t.module.as_str()).collect();
    modules.dedup();
    let result = (|| -> std::io::Result<()> {
        writer.write_event(Event::Start(root.borrow()))?;
        for module in modules {
            let of_module = || run.tasks.iter().filter(move |t| t.module == module);
            let mut suite = BytesStart::new("testsuite");
            suite.push_attribute(("name", module));
            suite.push_attribute(("tests", of_module().count().to_string().as_str()));
            suite.push_attribute((
                "failures",
                of_module().filter(|t| is_failure(t.status)).count().to_string().as_str(),
            ));
            suite.push_attribute(("errors", of_module().filter(|t| is_error(t.status)).count().to_string().as_str()));
            suite.push_attribute(("time", time(&mut of_module()).as_str()));
            writer.write_event(Event::Start(suite.borrow()))?;
            writer.create_element("properties").write_inner_content(|w| {
                for (name, value) in [("seed", run.seed.to_string()), ("score", format!("{}", run.score))] {
                    w.create_element("property")
                        .with_attribute(("name", name))
                        .with_attribute(("value", value.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
            for task in of_module() {
                case(&mut writer, task)?;
            }
            writer.write_event(Event::End(BytesEnd::new("testsuite")))?;
        }
        writer.write_event(Event::End(BytesEnd::new("testsuites")))
    })();
    result.expect("writing XML into memory cannot fail");
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}\n", String::from_utf8_lossy(&writer.into_inner()))
}

/// A task whose checks ran and found it wrong (or unwritten).
fn is_failure(status: Status) -> bool {
    matches!(status, Status::Failed | Status::NotImplemented)
}

/// A task the grader could not judge.
fn is_error(status: Status) -> bool {
    matches!(status, Status::TimedOut | Status::Crashed | Status::DoesNotCompile)
}

/// One `<testcase>`: its points in `<system-out>`, and what went wrong.
fn case(writer: &mut Writer<Vec<u8>>, task: &TaskReport) -> std::io::Result<()> {
    let time = format!("{:.3}", task.seconds);
    let element = writer
        .create_element("testcase")
        .with_attribute(("classname", task.module.as_str()))
        .with_attribute(("name", task.name.as_str()))
        .with_attribute(("time", time.as_str()));
    element.write_inner_content(|w| {
        let kind = if is_failure(task.status) {
            "failure"
        } else if is_error(task.status) {
            "error"
        } else {
            ""
        };
        if !kind.is_empty() {
            let failing: Vec<String> =
                task.checks.iter().filter(|c| !c.passed).map(|c| format!("{}\n{}", c.name, c.message)).collect();
            let first = task.checks.iter().find(|c| !c.passed).map(|c| c.name.as_str()).unwrap_or("");
            let message =
                format!("{}: {first} (read {})", task.status.label(), sections::page(&task.module, &task.name));
            w.create_element(kind)
                .with_attribute(("message", message.as_str()))
                .with_attribute(("type", task.status.label()))
                .write_text_content(BytesText::new(&failing.join("\n\n")))?;
        }
        let points = format!("{} of {} points", task.score, task.max_score);
        w.create_element("system-out").write_text_content(BytesText::new(&points))?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn one_suite_per_module_and_failures_with_their_checks() {
        let xml = xml(&sample());
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gradlings\" tests=\"2\" failures=\"1\" errors=\"0\""), "{xml}");
        assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
        assert!(xml.contains("<testcase classname=\"tensor\" name=\"view\""), "{xml}");
        assert!(xml.contains("<property name=\"seed\" value=\"7\"/>"), "{xml}");
        // The check's message is escaped, not dropped.
        assert!(
            xml.contains("expected &lt;1&gt;, got &quot;2&quot;") || xml.contains("expected &lt;1&gt;, got \"2\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<failure message=\"failed: golden: numpy (read target/book/conv1d.html#conventions)\" type=\"failed\">"
            ),
            "{xml}"
        );
        assert!(xml.contains("<system-out>0.5 of 4 points</system-out>"), "{xml}");
        // Well formed: every element closes, and the text reads back.
        let mut reader = quick_xml::Reader::from_str(&xml);
        reader.config_mut().check_end_names = true;
        let mut texts = Vec::new();
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Eof => break,
                Event::Text(text) => texts.push(text.into_inner().into_owned()),
                _ => {}
            }
        }
        assert!(texts.iter().any(|t| t.contains("golden: numpy")), "{texts:?}");
    }

    #[test]
    fn a_crash_is_an_error() {
        let mut run = sample();
        run.tasks[1].status = Status::Crashed;
        let xml = xml(&run);
        assert!(xml.contains("errors=\"1\"") && xml.contains("<error message=\"crashed: "), "{xml}");
        assert!(!xml.contains("<failure"), "{xml}");
    }
}
