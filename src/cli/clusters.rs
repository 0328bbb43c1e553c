//! `deepscope clusters`: k-means clusters of a layer at a step.

use clap::Args;

use super::common::Selection;
use super::{CliResult, write_json};
use crate::query::neighbours::clusters;
use crate::query::select::DefaultLayer;

#[derive(Debug, Args)]
pub struct ClustersArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Number of clusters
    #[arg(long, default_value_t = 30)]
    pub k: usize,
    /// Seed of the k-means++ initialisation
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(serde::Serialize)]
struct ClusterJson {
    cluster: usize,
    size: usize,
    majority: String,
    purity: f64,
    nearest: Vec<u32>,
}

#[derive(serde::Serialize)]
struct ClustersJson {
    step: i64,
    layer: String,
    k: usize,
    inertia: f64,
    assignment: Vec<u32>,
    clusters: Vec<ClusterJson>,
}

pub fn run(args: &ClustersArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(DefaultLayer::Features)?;
    let c = clusters(&r.store, &r.at, args.k, args.seed)?;
    let clusters: Vec<ClusterJson> = (0..c.sizes.len())
        .map(|i| ClusterJson {
            cluster: i,
            size: c.sizes[i],
            majority: r.class_name(c.majority[i]),
            purity: c.purity[i],
            nearest: c.nearest_to_centroid[i].iter().take(10).copied().collect(),
        })
        .collect();
    if args.selection.json {
        return write_json(
            out,
            &ClustersJson {
                step: r.at.step,
                layer: r.at.layer.name.clone(),
                k: c.sizes.len(),
                inertia: c.inertia,
                assignment: c.assignment.clone(),
                clusters,
            },
        );
    }
    writeln!(
        out,
        "k-means, k = {}, on layer '{}' at step {}: inertia {:.4e}",
        c.sizes.len(),
        crate::text::escape(&r.at.layer.name),
        r.at.step,
        c.inertia
    )?;
    writeln!(
        out,
        "{:>7} {:>6} {:<12} {:>7}  nearest to centroid",
        "cluster", "size", "majority", "purity"
    )?;
    for cl in &clusters {
        let nearest: Vec<String> = cl.nearest.iter().map(|i| i.to_string()).collect();
        writeln!(
            out,
            "{:>7} {:>6} {:<12} {:>6.1}%  {}",
            cl.cluster,
            cl.size,
            cl.majority,
            cl.purity * 100.0,
            nearest.join(" ")
        )?;
    }
    Ok(())
}
