//! `deepscope suspects`: the images whose label is probably wrong, most suspect first. The
//! queue is computed by `query::suspects` (shared with the viewer); this file only prints it.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{CliResult, write_json};
use crate::analysis::suspects::{Method, RankBy};
use crate::model::StepId;
use crate::query::marks::{MarkStore, Marks};
use crate::query::suspects::{SuspectOptions, SuspectQueue, suspects, write_csv};
use crate::store::Store;
use crate::text::escape;

#[derive(Debug, Args)]
pub struct SuspectsArgs {
    /// Stats database
    pub db: PathBuf,
    /// Step of the confident-learning pass, and last step of the dynamics (default: last)
    #[arg(long)]
    pub step: Option<StepId>,
    /// Evidence to rank by
    #[arg(long, value_enum, default_value_t = MethodArg::Combined)]
    pub method: MethodArg,
    /// Order of the confident-learning set (cleanlab's rank_by)
    #[arg(long, value_enum, default_value_t = RankByArg::SelfConfidence)]
    pub rank_by: RankByArg,
    /// Print JSON instead of a readable table
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (with the marks set in the viewer) instead of a readable table
    #[arg(long)]
    pub csv: bool,
}

/// `--method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Confident learning on one step's probabilities (as cleanlab)
    Confident,
    /// Training dynamics over all steps (mean margin of the given class)
    Dynamics,
    /// Both
    Combined,
}

/// `--rank-by` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankByArg {
    SelfConfidence,
    NormalizedMargin,
}

impl SuspectsArgs {
    fn options(&self) -> SuspectOptions {
        SuspectOptions {
            step: self.step,
            method: match self.method {
                MethodArg::Confident => Method::Confident,
                MethodArg::Dynamics => Method::Dynamics,
                MethodArg::Combined => Method::Combined,
            },
            rank_by: match self.rank_by {
                RankByArg::SelfConfidence => RankBy::SelfConfidence,
                RankByArg::NormalizedMargin => RankBy::NormalizedMargin,
            },
        }
    }
}

pub fn run(args: &SuspectsArgs, out: &mut dyn std::io::Write) -> CliResult {
    let store = Store::open(&args.db)?;
    let queue = suspects(&store, &args.options())?;
    if args.json {
        return write_json(out, &queue.suspects);
    }
    let marks = match MarkStore::from_env() {
        Some(marks) => marks.load(&args.db)?,
        None => Marks::default(),
    };
    if args.csv {
        let clean = |s: &str| escape(s).into_owned();
        return Ok(write_csv(out, &queue, store.catalog(), &marks, &clean)?);
    }
    table(out, &store, &queue, &marks)
}

fn table(
    out: &mut dyn std::io::Write,
    store: &Store,
    queue: &SuspectQueue,
    marks: &Marks,
) -> CliResult {
    let catalog = store.catalog();
    let class = |c: u32| escape(catalog.classes.get(c as usize).map_or("?", String::as_str));
    writeln!(
        out,
        "step {}: {} suspected label errors of {} images ({} ranking)",
        queue.step,
        queue.suspects.len(),
        catalog.num_images(),
        match queue.method {
            Method::Confident => "confident learning",
            Method::Dynamics => "training dynamics",
            Method::Combined => "combined",
        }
    )?;
    writeln!(
        out,
        "{:>5} {:>8}  {:<16} {:<12} {:<12} {:>6} {:>7} {:>7}  {:<2} mark",
        "rank", "image", "name", "given", "suggested", "score", "p(given)", "aum", "cl"
    )?;
    for (rank, s) in queue.suspects.iter().enumerate() {
        let name = s.name.as_deref().map_or("".into(), escape);
        let p = s.p_given_mean.unwrap_or(s.self_confidence);
        let aum = s.aum.map_or("-".into(), |a| format!("{a:.2}"));
        let mark = marks.get(s.image).map_or("", |m| m.as_str());
        writeln!(
            out,
            "{:>5} {:>8}  {:<16} {:<12} {:<12} {:>6.3} {:>8.3} {:>7}  {:<2} {}",
            rank + 1,
            s.image,
            name,
            class(s.given),
            class(s.suggested),
            s.score,
            p,
            aum,
            if s.confident { "*" } else { "" },
            mark
        )?;
    }
    Ok(())
}
