//! The command line: clap definitions and one module per subcommand, arguments and
//! formatting only (what is computed comes from [`crate::query`]). Each subcommand is a
//! function from its arguments to text on stdout, so it can be tested without a process.
#![warn(clippy::too_many_lines)] // threshold in clippy.toml

mod check;
mod classes;
mod clusters;
mod common;
mod history;
mod import;
mod info;
mod maps;
mod misclassified;
mod neighbors;
mod project;
mod show;
mod similarity;
mod suspects;
mod synth;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::picture::ImageMode;
use crate::query::Error;

/// The database opened when no file is named: the bundled sample run.
pub const SAMPLE_DB: &str = "sample_data/mnist.sqlite";

#[derive(Debug, Parser)]
#[command(
    name = "deepscope",
    version,
    about = "See what an image classifier has learned, and how it changed during training",
    long_about = "deepscope reads the stats database a training run writes (SQLite: the evaluation \
images, and per checkpoint the outputs of chosen layers) and shows what the network has learned \
at every step: projections of its activations, the class-similarity matrix, the misclassified \
images and their nearest neighbours. Opens databases read-only.",
    after_help = "Examples:\n  deepscope                         open the bundled MNIST sample run\n  \
deepscope run.sqlite              open a run\n  deepscope info run.sqlite --json   summarise a run as JSON\n  \
deepscope check run.sqlite        validate what a training script wrote",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Stats database to open (default: the bundled sample, sample_data/mnist.sqlite)
    pub db: Option<PathBuf>,

    /// How the viewer draws pictures; `auto` asks the terminal (SSH often hides what it is)
    #[arg(long, value_enum, default_value_t = ImageMode::Auto)]
    pub images: ImageMode,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Summarise a run: images, classes, layers, steps and the accuracy at every step
    #[command(
        after_help = "Examples:\n  deepscope info run.sqlite\n  deepscope info run.sqlite --json | jq .accuracy"
    )]
    Info(info::InfoArgs),
    /// Validate everything in a database: every invariant, every BLOB, every value
    #[command(
        after_help = "Exit code 0 when the file is valid, 2 when any problem is found; \
every problem is listed, not just the first.\n\nExamples:\n  deepscope check run.sqlite"
    )]
    Check(check::CheckArgs),
    /// Print one image in the shell with its label, prediction and history
    #[command(
        after_help = "Prints the image with kitty, iTerm2 or sixel graphics when the terminal \
supports them, half blocks otherwise, and text only when output is not a terminal.\n\nExamples:\n  \
deepscope show run.sqlite --image 42\n  deepscope show run.sqlite --image 42 --step 1000 --images blocks"
    )]
    Show(show::ShowArgs),
    /// Map a layer's activations at a step to 2-D
    #[command(
        after_help = "Every image is projected (no sampling). JSON: {\"points\": [[x, y], ...]} indexed by image id, \
plus \"kl\" and \"perplexity\" for t-SNE. t-SNE and UMAP maps are cached in $XDG_CACHE_HOME/deepscope \
(~/.cache/deepscope), never in the database.\n\n\
Examples:\n  deepscope project run.sqlite --layer fc64 --step 1000 --json\n  \
deepscope project run.sqlite --layer fc64 --step 1000 --method tsne --init-from 900"
    )]
    Project(project::ProjectArgs),
    /// Class similarity (logit correlation, confusion, centroids) ordered by hierarchical clustering
    #[command(
        after_help = "JSON: {\"classes\", \"order\", \"matrix\"} with the matrix in class-id order and \
\"order\" the display order.\n\nExamples:\n  deepscope similarity run.sqlite --json\n  \
deepscope similarity run.sqlite --source confusion-offdiag --linkage complete"
    )]
    Similarity(similarity::SimilarityArgs),
    /// Precision, recall, count and commonest confusion of every class, with their change
    #[command(
        after_help = "Rows follow the similarity matrix's hierarchical order (of the last step \
unless --order-from says), as the viewer's table does; changes are since the previous step. JSON: \
{\"step\", \"previous_step\", \"order\", \"rows\": [{\"class\", \"count\", \"precision\", \
\"recall\", \"confused_with\": [class, count], \"change\": {\"precision\", \"recall\", \"confused\"}}]} \
with fractions (0.951) and changes as differences of fractions.\n\nExamples:\n  \
deepscope classes run.sqlite\n  deepscope classes run.sqlite --step 1000 --json"
    )]
    Classes(classes::ClassesArgs),
    /// The images misclassified at a step, most confident mistakes first
    #[command(
        after_help = "Examples:\n  deepscope misclassified run.sqlite --step 6000\n  \
deepscope misclassified run.sqlite --json | jq length"
    )]
    Misclassified(misclassified::MisclassifiedArgs),
    /// The images nearest to one image in a layer (exact)
    #[command(
        after_help = "Examples:\n  deepscope neighbors run.sqlite --image 42 --k 10\n  \
deepscope neighbors run.sqlite --image 42 --class dog --metric euclidean --show"
    )]
    Neighbors(neighbors::NeighborsArgs),
    /// k-means clusters of a layer, with purity and the images nearest each centroid
    #[command(after_help = "Examples:\n  deepscope clusters run.sqlite --layer fc64 --k 30")]
    Clusters(clusters::ClustersArgs),
    /// One image's predictions over training: when it was learned, how often forgotten
    #[command(after_help = "Examples:\n  deepscope history run.sqlite --image 42 --json")]
    History(history::HistoryArgs),
    /// Images whose label is probably wrong, most suspect first, with a suggested label
    #[command(
        after_help = "Confident learning (as cleanlab's find_label_issues, prune_by_noise_rate) on \
one step's probabilities, training dynamics over the steps up to it (mean margin of the given \
class, AUM), or both combined. Reads only the class scores. JSON: [{\"image\", \"name\", \
\"given\", \"suggested\", \"score\", ...}] in rank order; CSV adds class names and the marks \
set in the viewer.\n\nExamples:\n  deepscope suspects run.sqlite\n  \
deepscope suspects run.sqlite --method confident --step 4000 --json\n  \
deepscope suspects run.sqlite --csv > suspects.csv"
    )]
    Suspects(suspects::SuspectsArgs),
    /// Write a synthetic run whose activations evolve into a known class hierarchy
    #[command(
        after_help = "For testing and benchmarking at scale: G super-classes of K/G classes, \
sub-clusters inside every third class, logits that confuse classes of one super-class.\n\n\
Examples:\n  deepscope synth big.sqlite --images 50000 --classes 1000 --dim 512 --steps 100\n  \
deepscope synth small.sqlite --images 2000 --classes 20 --superclasses 4"
    )]
    Synth(synth::SynthArgs),
    /// Import activations saved as NumPy files (and labels, class names, pictures)
    #[command(
        after_help = "Steps are sub-directories STEPS/step_000040/<layer>.npy or archives \
STEPS/step_000040.npz. Layers named logits or probs are class scores, others features. If OUT \
exists, new steps are appended (steps already there are skipped); each step is all or nothing.\n\n\
Examples:\n  deepscope import run.sqlite --steps dumps/ --labels y_val.npy --classes names.txt\n  \
deepscope import run.sqlite --steps dumps/ --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz\n  \
deepscope import run.sqlite --steps dumps/ --images val_folder/ --thumb-size 48"
    )]
    Import(import::ImportArgs),
}

pub type CliResult = Result<(), Error>;

/// Runs a subcommand, writing its output to `out`.
pub fn run_command(command: Command, out: &mut dyn std::io::Write) -> CliResult {
    match command {
        Command::Info(args) => info::run(&args, out),
        Command::Check(args) => check::run(&args, out),
        Command::Show(args) => show::run(&args, out),
        Command::Project(args) => project::run(&args, out),
        Command::Similarity(args) => similarity::run(&args, out),
        Command::Classes(args) => classes::run(&args, out),
        Command::Misclassified(args) => misclassified::run(&args, out),
        Command::Neighbors(args) => neighbors::run(&args, out),
        Command::Clusters(args) => clusters::run(&args, out),
        Command::History(args) => history::run(&args, out),
        Command::Suspects(args) => suspects::run(&args, out),
        Command::Synth(args) => synth::run(&args, out),
        Command::Import(args) => import::run(&args, out),
    }
}

/// Serialises a value as JSON followed by a newline, terminal-safe (see
/// [`crate::text::write_json`]); a reader that stopped reading ends the command quietly.
pub(crate) fn write_json(out: &mut dyn std::io::Write, value: &impl serde::Serialize) -> CliResult {
    crate::text::write_json(out, value).map_err(|e| match e.io_error_kind() {
        Some(std::io::ErrorKind::BrokenPipe) => Error::OutputClosed,
        Some(_) => Error::Output(std::io::Error::other(e)),
        None => Error::Json(e),
    })
}
