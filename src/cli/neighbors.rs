//! `deepscope neighbors`: the images nearest to one image in a layer.

use clap::Args;

use super::common::{MetricArg, Selection};
use super::{CliResult, write_json};
use crate::model::ImageId;
use crate::picture::{ImageMode, print_thumbnail};
use crate::query::neighbours::nearest_of_class;
use crate::query::select::{self, DefaultLayer};

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
    let r = args.selection.resolve(DefaultLayer::Features)?;
    select::check_image(&r.store, args.image)?;
    let class = match &args.class {
        Some(c) => Some(select::class(&r.store, c)?),
        None => None,
    };
    let labels = &r.store.catalog().labels;
    let values = r.load()?;
    let found = nearest_of_class(
        values.view(),
        labels,
        args.image,
        args.k,
        args.metric.into(),
        class,
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
                step: r.at.step,
                layer: r.at.layer.name.clone(),
                neighbors,
            },
        );
    }
    writeln!(
        out,
        "nearest to image {} ({}) in layer '{}' at step {}, {:?} distance",
        args.image,
        r.class_name(labels[args.image as usize]),
        crate::text::escape(&r.at.layer.name),
        r.at.step,
        args.metric
    )?;
    // The query image first, so that each neighbour can be compared with it.
    let show = |out: &mut dyn std::io::Write, image: ImageId| -> CliResult {
        out.flush()?;
        if let Some(thumb) = r.store.thumbnail(image)?
            && print_thumbnail(&thumb, 14, args.images)?
        {
            writeln!(out)?;
        }
        Ok(())
    };
    if args.show {
        show(out, args.image)?;
    }
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
            show(out, n.image)?;
        }
    }
    Ok(())
}
