//! The state of the terminal UI. Views read it (and remember where their lists are
//! scrolled); `update` changes it; `requests` says what the worker should compute next for
//! what is on screen.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use ndarray::Array2;

pub use super::modes::{ColourBy, Focus, MisFocus, Overlay, View};

use super::axes::Axes;
use super::jobs::{JobKey, MapSummary, OrderKey};
use super::region::{MapPoint, Region};
use super::scroll::Scrolls;
use super::suspects::SuspectsState;
use crate::analysis::Method;
use crate::analysis::cluster::Clusters;
use crate::analysis::history::ImageHistory;
use crate::analysis::neighbours::Neighbour;
use crate::analysis::nonlinear::Stage;
use crate::analysis::ordering::{ClassOrder, Linkage};
use crate::analysis::project::PcaBasis;
use crate::analysis::similarity::SimilaritySource;
use crate::model::{Catalog, ClassId, ImageId, LayerKind, StepId, Thumbnail};
use crate::query::classes::ClassTable;
use crate::query::scores::StepScores;
use crate::query::similarity::Matrices;
use crate::query::suspects::SuspectQueue;

#[derive(Debug, Clone)]
pub struct ProjectionState {
    pub colour_by: ColourBy,
    /// 1 = the whole cloud fits; larger zooms in around `centre`.
    pub zoom: f32,
    pub centre: Option<(f32, f32)>,
    pub cursor: Option<ImageId>,
    pub focus: Option<Focus>,
    /// PCA, t-SNE or UMAP.
    pub method: Method,
    /// The user asked for a fresh map of the current step (no cache, no starting layout).
    pub fresh: bool,
    /// PCA: the last step's axes or each step's own.
    pub axes: Axes,
    /// The first screen switches to t-SNE when its map arrives (`first_map`).
    pub first_tsne: bool,
    /// The rectangle selected on the map, in map coordinates (`region`).
    pub region: Option<Region>,
    /// Where the mouse button went down on the map: a drag from there selects.
    pub press: Option<MapPoint>,
    /// A rectangle is being drawn by dragging.
    pub dragging: bool,
}

/// Which map: of which layer, at which step, by which method.
pub type MapId = (StepId, String, Method);

#[derive(Debug, Clone)]
pub struct MatrixState {
    pub source: SimilaritySource,
    pub linkage: Linkage,
    /// Order fixed from the reference (last) step, so blocks can be watched forming.
    pub fixed_order: bool,
    /// Cursor as (row, column) positions in display order.
    pub cursor: (usize, usize),
    pub show_confusion: bool,
    /// Counts written in the confusion matrix's cells.
    pub counts: bool,
    /// The per-class table in place of the confusion matrix.
    pub table: bool,
    /// 1: the whole matrix; n: 1/n of the classes around the cursor.
    pub zoom: u32,
    /// Classes a cell covered in the last frame drawn (render writes it): a cursor key
    /// moves one cell.
    pub stride: std::cell::Cell<usize>,
}

#[derive(Debug, Clone)]
pub struct MisState {
    pub selected: usize,
    pub filter_label: Option<ClassId>,
    pub filter_predicted: Option<ClassId>,
    pub least_confident_first: bool,
    pub focus: MisFocus,
    pub neighbour_selected: [usize; 2],
    /// An image sent to the view from a grid of pictures (`subject`), shown instead of the
    /// list's selection until the list is moved.
    pub pinned: Option<ImageId>,
}

/// Nearest images of each asked-for class, for one image.
pub type NeighbourLists = Vec<(ClassId, Vec<Neighbour>)>;

/// Everything computed so far, keyed by what it was computed for.
#[derive(Debug, Default)]
pub struct Cache {
    pub scores: HashMap<StepId, Arc<StepScores>>,
    pub similarity: HashMap<StepId, Arc<Matrices>>,
    pub projections: HashMap<MapId, Arc<Array2<f32>>>,
    pub map_summaries: HashMap<MapId, MapSummary>,
    /// PCA axes by the step and layer they were fitted on.
    pub axes: HashMap<(StepId, String), Arc<PcaBasis>>,
    /// The stage a t-SNE/UMAP run has reached, by request key.
    pub map_progress: HashMap<JobKey, Stage>,
    pub clusters: HashMap<(StepId, String, usize), Arc<Clusters>>,
    /// By step, layer, image and the classes asked for (in that order).
    pub neighbours: HashMap<(StepId, String, ImageId, Vec<ClassId>), NeighbourLists>,
    pub histories: HashMap<ImageId, Option<ImageHistory>>,
    pub thumbnails: HashMap<ImageId, Option<Thumbnail>>,
    pub orders: HashMap<OrderKey, Arc<ClassOrder>>,
    pub accuracies: Option<Vec<(StepId, f64)>>,
    /// The suspected-label-error queue as of each step.
    pub suspects: HashMap<StepId, Arc<SuspectQueue>>,
    /// The per-class table of each step.
    pub class_tables: HashMap<StepId, Arc<ClassTable>>,
}

pub struct App {
    pub path: PathBuf,
    pub catalog: Catalog,
    pub step_index: usize,
    /// The features layer shown by the projection, clusters and neighbours.
    pub layer: String,
    pub view: View,
    pub overlay: Option<Overlay>,
    pub search: String,
    /// Which of the search's matches Enter takes.
    pub search_selected: usize,
    /// How far the help overlay is scrolled (when the screen is too short for it).
    pub help_scroll: u16,
    pub playing: bool,
    /// Jump to the newest step when one arrives while on the last step.
    pub follow: bool,
    /// When the newest step arrived, if one did while the viewer is open.
    pub last_arrival: Option<std::time::Instant>,
    pub projection: ProjectionState,
    pub matrix: MatrixState,
    pub mis: MisState,
    pub cluster_selected: usize,
    pub cluster_k: usize,
    pub suspects: SuspectsState,
    pub cache: Cache,
    /// Requests sent and not yet answered: never sent twice.
    pub pending: HashSet<JobKey>,
    /// Requests that failed: not retried (the status line says why).
    pub failed: HashSet<JobKey>,
    pub status: Option<String>,
    pub quit: bool,
    pub scroll: Scrolls,
    /// The user's verdicts on suspects (`marks`).
    pub marks: super::marks::MarkBook,
}

impl App {
    pub fn new(path: PathBuf, catalog: Catalog) -> App {
        let layer = catalog
            .default_features_layer()
            .map(|l| l.name.clone())
            .unwrap_or_default();
        let step_index = catalog.steps.len().saturating_sub(1);
        App {
            path,
            catalog,
            step_index,
            layer,
            view: View::Projection,
            overlay: None,
            search: String::new(),
            search_selected: 0,
            help_scroll: 0,
            playing: false,
            follow: true,
            last_arrival: None,
            projection: ProjectionState {
                colour_by: ColourBy::TrueClass,
                zoom: 1.0,
                centre: None,
                cursor: None,
                focus: None,
                method: Method::Pca,
                fresh: false,
                axes: Axes::Last,
                first_tsne: true,
                region: None,
                press: None,
                dragging: false,
            },
            matrix: MatrixState {
                source: SimilaritySource::Logits,
                linkage: Linkage::Average,
                fixed_order: true,
                cursor: (0, 0),
                show_confusion: true,
                counts: false,
                table: false,
                zoom: 1,
                stride: std::cell::Cell::new(1),
            },
            mis: MisState {
                selected: 0,
                filter_label: None,
                filter_predicted: None,
                least_confident_first: false,
                focus: MisFocus::List,
                neighbour_selected: [0, 0],
                pinned: None,
            },
            cluster_selected: 0,
            cluster_k: 30,
            suspects: SuspectsState::default(),
            cache: Cache::default(),
            pending: HashSet::new(),
            failed: HashSet::new(),
            status: None,
            quit: false,
            scroll: Scrolls::default(),
            marks: super::marks::MarkBook::default(),
        }
    }

    pub fn step(&self) -> Option<StepId> {
        self.catalog.steps.get(self.step_index).map(|s| s.step)
    }

    pub fn num_classes(&self) -> usize {
        self.catalog.num_classes()
    }

    pub fn class_name(&self, class: ClassId) -> String {
        let name = self
            .catalog
            .classes
            .get(class as usize)
            .map_or("?", String::as_str);
        crate::text::escape(name).into_owned()
    }

    pub fn scores(&self) -> Option<&Arc<StepScores>> {
        self.step().and_then(|s| self.cache.scores.get(&s))
    }

    /// The layout of the current step and layer, if computed.
    pub fn points(&self) -> Option<&Arc<Array2<f32>>> {
        let step = self.step()?;
        self.cache.projections.get(&self.map_id(step))
    }

    /// Which map the projection shows at `step`.
    pub fn map_id(&self, step: StepId) -> MapId {
        (step, self.layer.clone(), self.projection.method)
    }

    /// The layout of the nearest step computed for this layer and method, shown while the
    /// current one is being computed so that stepping never blanks the view; with its step
    /// and whether it is the current step's own.
    pub fn nearest_map(&self) -> Option<(StepId, &Arc<Array2<f32>>, bool)> {
        let nearest = (0..self.catalog.steps.len())
            .filter_map(|i| {
                let step = self.catalog.steps[i].step;
                self.cache
                    .projections
                    .get(&self.map_id(step))
                    .map(|p| (i.abs_diff(self.step_index), step, p))
            })
            .min_by_key(|(d, _, _)| *d);
        nearest.map(|(d, step, p)| (step, p, d == 0))
    }

    /// [`App::nearest_map`] without the step.
    pub fn points_or_nearest(&self) -> Option<(&Arc<Array2<f32>>, bool)> {
        self.nearest_map().map(|(_, p, own)| (p, own))
    }

    /// What is reported with the current step's map, once computed.
    pub fn map_summary(&self) -> Option<&MapSummary> {
        let step = self.step()?;
        self.cache.map_summaries.get(&self.map_id(step))
    }

    pub fn layer_at_step(&self, step_index: usize) -> bool {
        self.catalog
            .steps
            .get(step_index)
            .is_some_and(|s| s.has_layer(&self.layer))
    }

    /// Misclassified images after the filters and sort order.
    pub fn visible_mistakes(&self) -> Vec<crate::analysis::misclassified::Misclassified> {
        let Some(scores) = self.scores() else {
            return vec![];
        };
        let mut list: Vec<_> = scores
            .misclassified
            .iter()
            .filter(|m| self.mis.filter_label.is_none_or(|c| m.label == c))
            .filter(|m| self.mis.filter_predicted.is_none_or(|c| m.predicted == c))
            .copied()
            .collect();
        if self.mis.least_confident_first {
            list.reverse();
        }
        list
    }

    /// The image the misclassified view is about (a list item or a neighbour).
    pub fn mis_image(&self) -> Option<ImageId> {
        let chosen = self.mis_selected_image()?;
        match self.mis.focus {
            MisFocus::List => Some(chosen),
            MisFocus::Neighbours(i) => {
                let lists = self.neighbour_lists(chosen)?;
                let list = &lists.get(i)?.1;
                list.get(self.mis.neighbour_selected[i])
                    .map(|n| n.image)
                    .or(Some(chosen))
            }
        }
    }

    /// The k-means clusters of the layer at the current step, with the chosen k.
    pub fn current_clusters(&self) -> Option<&Arc<Clusters>> {
        let step = self.step()?;
        self.cache
            .clusters
            .get(&(step, self.layer.clone(), self.cluster_k))
    }

    /// The misclassified view's lists for `image`: its predicted class, then its true one.
    pub fn neighbour_lists(&self, image: ImageId) -> Option<&NeighbourLists> {
        self.neighbours(image, &self.neighbour_classes(image)?)
    }

    /// The nearest images of `image` of each of `classes`, at the current step and layer.
    pub fn neighbours(&self, image: ImageId, classes: &[ClassId]) -> Option<&NeighbourLists> {
        let key = (self.step()?, self.layer.clone(), image, classes.to_vec());
        self.cache.neighbours.get(&key)
    }

    /// The matrix of `source` at `step` as shown, in class-id order.
    pub fn matrix_at(&self, step: StepId, source: SimilaritySource) -> Option<Array2<f64>> {
        Some(self.cache.similarity.get(&step)?.source(source)?.shown)
    }

    /// The step whose matrix orders the classes.
    pub fn order_step(&self) -> Option<StepId> {
        if self.matrix.fixed_order {
            self.catalog
                .steps
                .iter()
                .rev()
                .find(|s| self.scores_possible(s.step))
                .map(|s| s.step)
        } else {
            self.step()
        }
    }

    pub fn scores_possible(&self, step: StepId) -> bool {
        let layer = self.catalog.prediction_layer().map(|l| l.name.clone());
        layer.is_some_and(|l| self.catalog.step(step).is_some_and(|s| s.has_layer(&l)))
    }

    pub fn order_key(&self) -> Option<OrderKey> {
        Some(OrderKey {
            step: self.order_step()?,
            source: self.matrix.source,
            linkage: self.matrix.linkage,
        })
    }

    /// Class ids in display order: the dendrogram's when computed, else by id.
    pub fn class_order(&self) -> Vec<usize> {
        self.order_key()
            .and_then(|k| self.cache.orders.get(&k))
            .map(|o| o.order.clone())
            .unwrap_or_else(|| (0..self.num_classes()).collect())
    }

    pub fn features_kind_ok(&self) -> bool {
        self.catalog
            .layer(&self.layer)
            .is_some_and(|l| l.kind == LayerKind::Features || l.dim >= 2)
    }
}
