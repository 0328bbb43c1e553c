//! `deepscope neighbors`: the images nearest to one image in a layer.

use clap::Args;

use super::common::{MetricArg, Selection, features_layer};
use super::shell_image::{ImageMode, print_thumbnail};
use super::{CliError, CliResult, write_json};
use crate::analysis::neighbours::{Neighbour, nearest};
use crate::model::ImageId;

#[derive(Debug, Args)]
pub struct NeighborsArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// The image whose neighbours are wanted
    #[arg(long)]
    pub image: ImageId,
    /// How many neighbours
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Distance between activation vectors
    #[arg(long, value_enum, default_value_t = MetricArg::Cosine)]
    pub metric: MetricArg,
    /// Only neighbours of this true class (name or id)
    #[arg(long)]
    pub class: Option<String>,
    /// Print each neighbour's image beside its line (in a terminal)
    #[arg(long)]
    pub show: bool,
    /// How to draw images with --show
    #[arg(long, value_enum, default_value_t = ImageMode::Auto)]
    pub images: ImageMode,
}

#[derive(serde::Serialize)]
struct NeighborJson {
    image: ImageId,
    label: u32,
    distance: f32,
}

#[derive(serde::Serialize)]
struct NeighborsJson {
    image: ImageId,
    step: i64,
    layer: String,
    neighbors: Vec<NeighborJson>,
}

pub fn run(args: &NeighborsArgs, out: &mut dyn std::io::Write) -> CliResult {
    let r = args.selection.resolve(features_layer)?;
    r.check_image(args.image)?;
    let labels = &r.store.catalog().labels;
    let among: Option<Vec<ImageId>> = match &args.class {
        Some(c) => {
            let class = r.class(c)?;
            Some(
                (0..labels.len() as ImageId)
                    .filter(|&i| labels[i as usize] == class)
                    .collect(),
            )
        }
        None => None,
    };
    let values = r.load()?;
    let found: Vec<Neighbour> = nearest(
        values.view(),
        args.image,
        args.k,
        args.metric.into(),
        among.as_deref(),
    );
    if args.selection.json {
        let neighbors = found
            .iter()
            .map(|n| NeighborJson {
                image: n.image,
                label: labels[n.image as usize],
                distance: n.distance,
            })
            .collect();
        return write_json(
            out,
            &NeighborsJson {
                image: args.image,
                step: r.step,
                layer: r.layer.name.clone(),
                neighbors,
            },
        );
    }
    writeln!(
        out,
        "nearest to image {} ({}) in layer '{}' at step {}, {:?} distance",
        args.image,
        r.class_name(labels[args.image as usize]),
        r.layer.name,
        r.step,
        args.metric
    )?;
    for (rank, n) in found.iter().enumerate() {
        writeln!(
            out,
            "{:>4}. image {:>8}  {:<14} {:.4}",
            rank + 1,
            n.image,
            r.class_name(labels[n.image as usize]),
            n.distance
        )?;
        if args.show {
            out.flush()?;
            if let Some(thumb) = r.store.thumbnail(n.image)?
                && print_thumbnail(&thumb, 14, args.images).map_err(CliError::Internal)?
            {
                writeln!(out)?;
            }
        }
    }
    Ok(())
}
