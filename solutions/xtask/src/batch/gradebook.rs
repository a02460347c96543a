//! `grades.csv`: the class's gradebook, one row per submission.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Graded;

/// `grades.csv`: a row per submission, a column per task, module subtotals
/// and the total.
pub fn gradebook(graded: &[Graded]) -> String {
    let mut columns: Vec<(String, String)> = Vec::new();
    for g in graded {
        for t in g.report.as_ref().and_then(|r| r["tasks"].as_array()).into_iter().flatten() {
            let key = (t["module"].as_str().unwrap_or("").to_string(), t["name"].as_str().unwrap_or("").to_string());
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    let modules: Vec<String> = columns.iter().fold(Vec::new(), |mut acc, (m, _)| {
        if !acc.contains(m) {
            acc.push(m.clone());
        }
        acc
    });
    let mut csv = String::from("submission,seed");
    for (module, task) in &columns {
        let _ = write!(csv, ",{module}/{task}");
    }
    for module in &modules {
        let _ = write!(csv, ",{module}");
    }
    csv.push_str(",total,notes\n");
    for g in graded {
        let scores: BTreeMap<(String, String), f64> = g
            .report
            .as_ref()
            .and_then(|r| r["tasks"].as_array())
            .into_iter()
            .flatten()
            .map(|t| {
                let key =
                    (t["module"].as_str().unwrap_or("").to_string(), t["name"].as_str().unwrap_or("").to_string());
                (key, t["score"].as_f64().unwrap_or(0.0))
            })
            .collect();
        let _ = write!(csv, "{},{}", field(&g.name), g.seed);
        for key in &columns {
            let _ = write!(csv, ",{}", scores.get(key).map(|s| format!("{s:.2}")).unwrap_or_default());
        }
        for module in &modules {
            // A fold from 0.0: an empty f64 sum() is -0.0.
            let sum = scores.iter().filter(|((m, _), _)| m == module).fold(0.0, |a, (_, s)| a + s);
            let _ = write!(csv, ",{sum:.2}");
        }
        let total = scores.values().fold(0.0, |a, s| a + s);
        let _ = writeln!(csv, ",{total:.2},{}", field(&g.notes.join("; ")));
    }
    csv
}

/// A CSV field, quoted when it needs to be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::sample_report;

    #[test]
    fn the_gradebook_has_a_column_per_task_and_subtotals() {
        let graded = vec![
            Graded {
                name: "ada".into(),
                seed: 1,
                report: Some(sample_report(&[("tensor", "view", 5.0), ("conv1d", "conv1d_forward", 1.25)])),
                notes: vec![],
                graded_now: true,
            },
            Graded { name: "bob, jr".into(), seed: 1, report: None, notes: vec!["no report".into()], graded_now: true },
        ];
        let csv = gradebook(&graded);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "submission,seed,tensor/view,conv1d/conv1d_forward,tensor,conv1d,total,notes");
        assert_eq!(lines[1], "ada,1,5.00,1.25,5.00,1.25,6.25,");
        assert_eq!(lines[2], "\"bob, jr\",1,,,0.00,0.00,0.00,no report");
    }
}
