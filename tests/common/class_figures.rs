//! The per-class figures of a step computed here from the logits, independently of the
//! analysis code: argmax by hand, counts, precision and recall in percent, the commonest
//! confusion, and the changes since the previous step, as the table writes them.

use deepscope::store::Store;

/// One class's figures as written: counts, percentages with one decimal, signed changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub class: usize,
    pub count: u32,
    pub recall: String,
    pub recall_change: String,
    pub precision: String,
    pub precision_change: String,
    /// (class, count, change of that cell's count) or None.
    pub confused: Option<(usize, u32, String)>,
}

/// counts[true][predicted] at `step`.
pub fn confusion(store: &Store, step: i64) -> Vec<Vec<u32>> {
    let catalog = store.catalog();
    let layer = catalog.prediction_layer().unwrap().name.clone();
    let logits = store.load(step, &layer).unwrap();
    let k = catalog.classes.len();
    let mut m = vec![vec![0u32; k]; k];
    for (i, row) in logits.rows().into_iter().enumerate() {
        let mut best = 0;
        for (j, &v) in row.iter().enumerate() {
            if v > row[best] {
                best = j;
            }
        }
        m[catalog.labels[i] as usize][best] += 1;
    }
    m
}

fn pct(n: u32, of: u32) -> Option<f64> {
    (of > 0).then(|| f64::from(n) / f64::from(of))
}

fn written(f: Option<f64>) -> String {
    f.map_or("-".into(), |f| format!("{:.1}", f * 100.0))
}

fn change(now: Option<f64>, before: Option<Option<f64>>) -> String {
    match (now, before) {
        (Some(a), Some(Some(b))) => {
            let p = ((a - b) * 1000.0).round() / 10.0;
            if p > 0.0 {
                format!("+{p:.1}")
            } else if p < 0.0 {
                format!("{p:.1}")
            } else {
                "0.0".into()
            }
        }
        _ => "-".into(),
    }
}

/// Every class's figures at `step`, changes measured from `previous` (None: "-").
pub fn figures(store: &Store, step: i64, previous: Option<i64>) -> Vec<Figures> {
    let now = confusion(store, step);
    let before = previous.map(|p| confusion(store, p));
    let k = now.len();
    let stats = |m: &Vec<Vec<u32>>, c: usize| {
        let count: u32 = m[c].iter().sum();
        let predicted: u32 = (0..k).map(|r| m[r][c]).sum();
        (pct(m[c][c], predicted), pct(m[c][c], count), count)
    };
    (0..k)
        .map(|c| {
            let (precision, recall, count) = stats(&now, c);
            let then = before.as_ref().map(|b| stats(b, c));
            let mut confused: Option<(usize, u32)> = None;
            for (j, &n) in now[c].iter().enumerate() {
                if j != c && n > 0 && confused.is_none_or(|(_, best)| n > best) {
                    confused = Some((j, n));
                }
            }
            Figures {
                class: c,
                count,
                recall: written(recall),
                recall_change: change(recall, then.map(|t| t.1)),
                precision: written(precision),
                precision_change: change(precision, then.map(|t| t.0)),
                confused: confused.map(|(j, n)| {
                    let d = before.as_ref().map(|b| i64::from(n) - i64::from(b[c][j]));
                    let d = match d {
                        None => "-".to_string(),
                        Some(d) if d > 0 => format!("+{d}"),
                        Some(d) => d.to_string(),
                    };
                    (j, n, d)
                }),
            }
        })
        .collect()
}
