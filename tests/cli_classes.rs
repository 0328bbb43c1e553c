//! `deepscope classes` on the sample: every figure of the JSON against the figures computed
//! independently from the logits at two steps (changes included), rows in the order
//! `deepscope similarity` gives, and the text table's rows.

mod common {
    pub mod class_figures;
    pub mod cli;
    pub mod runs;
}

use assert_cmd::Command;
use common::class_figures::figures;
use common::cli::sample_json;
use deepscope::store::Store;
use serde_json::Value;

/// A fraction of the JSON written as the table writes it (one decimal of a percentage).
fn percent(v: &Value) -> String {
    v.as_f64()
        .map_or("-".into(), |f| format!("{:.1}", f * 100.0))
}

fn points(v: &Value) -> String {
    match v.as_f64() {
        None => "-".into(),
        Some(d) => match (d * 1000.0).round() / 10.0 {
            p if p > 0.0 => format!("+{p:.1}"),
            p if p < 0.0 => format!("{p:.1}"),
            _ => "0.0".into(),
        },
    }
}

#[test]
fn json_rows_match_an_independent_count_at_two_steps_in_the_similarity_order() {
    let store = Store::open(common::runs::sample()).unwrap();
    let order = sample_json(&["similarity"])["order"].clone();
    for (step, previous) in [(6000, Some(5000)), (100, Some(50))] {
        let json = sample_json(&["classes", "--step", &step.to_string()]);
        assert_eq!(json["step"], step);
        assert_eq!(json["previous_step"], previous.unwrap());
        assert_eq!(json["order"], order);
        let expected = figures(&store, step, previous);
        let rows = json["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 10);
        for (row, class) in rows.iter().zip(order.as_array().unwrap()) {
            let f = &expected[class.as_u64().unwrap() as usize];
            assert_eq!(row["class"], f.class);
            assert_eq!(row["count"], f.count);
            assert_eq!(percent(&row["recall"]), f.recall, "{row}");
            assert_eq!(percent(&row["precision"]), f.precision, "{row}");
            let change = &row["change"];
            assert_eq!(points(&change["recall"]), f.recall_change, "{row}");
            assert_eq!(points(&change["precision"]), f.precision_change, "{row}");
            let (c, n, d) = f.confused.clone().unwrap();
            assert_eq!(row["confused_with"], serde_json::json!([c, n]), "{row}");
            let d: i64 = d.trim_start_matches('+').parse().unwrap();
            assert_eq!(change["confused"], d, "{row}");
        }
    }
}

#[test]
fn the_first_step_has_no_change_and_the_text_table_lists_every_class() {
    let json = sample_json(&["classes", "--step", "0"]);
    assert_eq!(json["previous_step"], Value::Null);
    assert!(
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["change"].is_null())
    );
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(["classes", "--step", "1000"])
        .arg(common::runs::sample())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let store = Store::open(common::runs::sample()).unwrap();
    let expected = figures(&store, 1000, Some(750));
    assert!(
        text.starts_with("classes at step 1000 (change since step 750)"),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().skip(2).collect();
    assert_eq!(lines.len(), 10);
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        let f = &expected[words[0].parse::<usize>().unwrap()];
        assert_eq!(
            words[1..6],
            [
                f.count.to_string(),
                f.recall.clone(),
                f.recall_change.clone(),
                f.precision.clone(),
                f.precision_change.clone()
            ],
            "{line}"
        );
    }
}

#[test]
fn a_missing_step_is_refused_with_exit_code_2() {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(["classes", "--step", "7"])
        .arg(common::runs::sample())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no step 7") && err.lines().count() == 1,
        "{err}"
    );
}
