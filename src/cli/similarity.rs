//! `deepscope similarity`: the class-similarity matrix and its hierarchical ordering.

use clap::{Args, ValueEnum};
use ndarray::Array2;

use super::common::{Selection, features_layer, input, prediction_layer};
use super::{CliResult, write_json};
use crate::analysis::ordering::{Linkage, order_classes};
use crate::analysis::similarity::{
    centroid_cosine, confusion_matrix, confusion_similarity, logit_correlation,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// Correlation of logits across images, negatives clipped (the Blocks method)
    Logits,
    /// Confusion counts, as similarity: how often each class is taken for the other
    Confusion,
    /// Confusion without the diagonal
    ConfusionOffdiag,
    /// Cosine similarity of class-mean activations of a features layer
    Centroids,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinkageArg {
    Average,
    Complete,
    Centroid,
    Ward,
}

impl From<LinkageArg> for Linkage {
    fn from(l: LinkageArg) -> Linkage {
        match l {
            LinkageArg::Average => Linkage::Average,
            LinkageArg::Complete => Linkage::Complete,
            LinkageArg::Centroid => Linkage::Centroid,
            LinkageArg::Ward => Linkage::Ward,
        }
    }
}

#[derive(Debug, Args)]
pub struct SimilarityArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// What the similarity is computed from
    #[arg(long, value_enum, default_value_t = SourceArg::Logits)]
    pub source: SourceArg,
    /// Linkage of the hierarchical clustering that orders the classes
    #[arg(long, value_enum, default_value_t = LinkageArg::Average)]
    pub linkage: LinkageArg,
}

#[derive(serde::Serialize)]
struct SimilarityJson {
    step: i64,
    classes: Vec<String>,
    /// Class ids in display order.
    order: Vec<usize>,
    /// K x K, in class-id order (not display order).
    matrix: Vec<Vec<f64>>,
}

pub fn run(args: &SimilarityArgs, out: &mut dyn std::io::Write) -> CliResult {
    let default_layer = match args.source {
        SourceArg::Centroids => features_layer,
        _ => prediction_layer,
    };
    let r = args.selection.resolve(default_layer)?;
    let k = r.store.catalog().num_classes();
    let labels = &r.store.catalog().labels;
    let matrix: Array2<f64> = match args.source {
        SourceArg::Logits => {
            if !r.layer.kind.is_class_scores() {
                return Err(input(
                    r.store.path(),
                    &format!("layer '{}' is not a logits or probs layer", r.layer.name),
                ));
            }
            logit_correlation(r.load()?.view())
        }
        SourceArg::Confusion | SourceArg::ConfusionOffdiag => {
            let predicted: Vec<u32> = r.predictions()?.iter().map(|p| p.class).collect();
            let counts = confusion_matrix(labels, &predicted, k);
            let keep_diagonal = args.source == SourceArg::Confusion;
            let order = order_classes(
                confusion_similarity(counts.view(), keep_diagonal).view(),
                args.linkage.into(),
            );
            let shown = if keep_diagonal {
                counts.mapv(f64::from)
            } else {
                Array2::from_shape_fn((k, k), |(i, j)| {
                    if i == j {
                        0.0
                    } else {
                        f64::from(counts[[i, j]])
                    }
                })
            };
            return print(args, &r, order.order, shown, out);
        }
        SourceArg::Centroids => centroid_cosine(r.load()?.view(), labels, k),
    };
    let order = order_classes(matrix.view(), args.linkage.into());
    print(args, &r, order.order, matrix, out)
}

fn print(
    args: &SimilarityArgs,
    r: &super::common::Resolved,
    order: Vec<usize>,
    matrix: Array2<f64>,
    out: &mut dyn std::io::Write,
) -> CliResult {
    let classes = &r.store.catalog().classes;
    if args.selection.json {
        return write_json(
            out,
            &SimilarityJson {
                step: r.step,
                classes: classes.clone(),
                order,
                matrix: matrix.rows().into_iter().map(|row| row.to_vec()).collect(),
            },
        );
    }
    writeln!(
        out,
        "{:?} similarity at step {}, ordered by {:?} linkage",
        args.source, r.step, args.linkage
    )?;
    write!(out, "{:>10}", "")?;
    for &j in &order {
        write!(out, " {:>7.7}", r.class_name(j as u32))?;
    }
    writeln!(out)?;
    for &i in &order {
        write!(out, "{:>10.10}", r.class_name(i as u32))?;
        for &j in &order {
            write!(out, " {:>7.3}", matrix[[i, j]])?;
        }
        writeln!(out)?;
    }
    Ok(())
}
