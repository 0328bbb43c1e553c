//! Keys to actions: a pure function of the key, the view and whether an overlay is open.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Overlay, View};
use crate::query::marks::Mark;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Close,
    NextView,
    PrevView,
    ShowView(View),
    StepBy(i64),
    FirstStep,
    LastStep,
    /// Jump a tenth of the run forward (or back).
    JumpBy(i64),
    TogglePlay,
    ToggleFollow,
    CycleLayer,
    Search,
    /// Cursor moves within a view: (dx, dy).
    Move(i32, i32),
    Enter,
    ZoomIn,
    ZoomOut,
    ResetZoom,
    /// Pan the projection by a quarter of the view: (dx, dy), y up.
    Pan(i32, i32),
    CycleColour,
    /// PCA, t-SNE, UMAP.
    CycleMethod,
    /// Recompute the current map from scratch (no cache, no starting layout).
    FreshMap,
    /// PCA on the last step's axes or on each step's own.
    ToggleAxes,
    FocusClass,
    FocusPair,
    CycleSource,
    CycleLinkage,
    ToggleFixedOrder,
    ToggleConfusionPanel,
    /// Counts written in the confusion matrix's cells, or not.
    ToggleCounts,
    /// The per-class table in place of the confusion matrix, or not.
    ToggleClassTable,
    /// Zoom the matrix in (1), out (-1), or back to all of it (0), around the cursor.
    MatrixZoom(i32),
    CycleNeighbourFocus,
    /// Suspects: mark the selected image's label wrong / right / unsure (again: clear).
    SetMark(Mark),
    /// Projection: highlight the suspected label errors.
    FocusSuspects,
    /// Projection: start selecting a rectangle of the map at the cursor.
    SelectRegion,
    /// A grid of pictures: the chosen image in view 3, beside its neighbours, with its
    /// history.
    SendToMistakes,
    CycleLabelFilter,
    CyclePredictedFilter,
    ClearFilters,
    ToggleSort,
    MoreClusters,
    FewerClusters,
    /// A character typed into the search box.
    Type(char),
    Backspace,
}

/// The action for `key`, if any.
pub fn action(key: KeyEvent, view: View, overlay: Option<Overlay>) -> Option<Action> {
    use Action::*;
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Quit);
    }
    if overlay == Some(Overlay::Search) {
        return search_action(key);
    }
    if let Some(Overlay::Cell { .. } | Overlay::Region { .. } | Overlay::Select) = overlay
        && let Some(a) = cell_action(key.code)
    {
        return Some(a);
    }
    if let Some(Overlay::Cell { .. } | Overlay::Region { .. }) = overlay
        && key.code == KeyCode::Char('n')
    {
        return Some(SendToMistakes);
    }
    if let Some(specific) = view_action(view, key.code) {
        return Some(specific);
    }
    global_action(key.code)
}

/// The keys that mean something in one view only.
fn view_action(view: View, code: KeyCode) -> Option<Action> {
    use Action::*;
    match (view, code) {
        (View::Projection, KeyCode::Char('+') | KeyCode::Char('=')) => Some(ZoomIn),
        (View::Projection, KeyCode::Char('-')) => Some(ZoomOut),
        (View::Projection, KeyCode::Char('0')) => Some(ResetZoom),
        (View::Projection, KeyCode::Char('W')) => Some(Pan(0, 1)),
        (View::Projection, KeyCode::Char('A')) => Some(Pan(-1, 0)),
        (View::Projection, KeyCode::Char('S')) => Some(Pan(0, -1)),
        (View::Projection, KeyCode::Char('D')) => Some(Pan(1, 0)),
        (View::Projection, KeyCode::Char('c')) => Some(CycleColour),
        (View::Projection, KeyCode::Char('m')) => Some(CycleMethod),
        (View::Projection, KeyCode::Char('R')) => Some(FreshMap),
        (View::Projection, KeyCode::Char('b')) => Some(ToggleAxes),
        (View::Projection, KeyCode::Char('f')) => Some(FocusClass),
        (View::Projection, KeyCode::Char('p')) => Some(FocusPair),
        (View::Projection, KeyCode::Char('e')) => Some(FocusSuspects),
        (View::Projection, KeyCode::Char('v')) => Some(SelectRegion),
        // The matrix's arrows all move its cursor; h l (and [ ]) still change the step.
        (View::Similarity, KeyCode::Left) => Some(Move(-1, 0)),
        (View::Similarity, KeyCode::Right) => Some(Move(1, 0)),
        (View::Similarity, KeyCode::Char('s')) => Some(CycleSource),
        (View::Similarity, KeyCode::Char('o')) => Some(CycleLinkage),
        (View::Similarity, KeyCode::Char('r')) => Some(ToggleFixedOrder),
        (View::Similarity, KeyCode::Char('m')) => Some(ToggleConfusionPanel),
        (View::Similarity, KeyCode::Char('#')) => Some(ToggleCounts),
        (View::Similarity, KeyCode::Char('t')) => Some(ToggleClassTable),
        (View::Similarity, KeyCode::Char('+') | KeyCode::Char('=')) => Some(MatrixZoom(1)),
        (View::Similarity, KeyCode::Char('-')) => Some(MatrixZoom(-1)),
        (View::Similarity, KeyCode::Char('0')) => Some(MatrixZoom(0)),
        (View::Misclassified, KeyCode::Char('n')) => Some(CycleNeighbourFocus),
        (View::Misclassified, KeyCode::Char('t')) => Some(CycleLabelFilter),
        (View::Misclassified, KeyCode::Char('p')) => Some(CyclePredictedFilter),
        (View::Misclassified, KeyCode::Char('x')) => Some(ClearFilters),
        (View::Misclassified, KeyCode::Char('S')) => Some(ToggleSort),
        (View::Suspects, KeyCode::Char('n')) => Some(CycleNeighbourFocus),
        (View::Suspects, KeyCode::Char('x')) => Some(SetMark(Mark::Wrong)),
        (View::Suspects, KeyCode::Char('v')) => Some(SetMark(Mark::Right)),
        (View::Suspects, KeyCode::Char('u')) => Some(SetMark(Mark::Unsure)),
        (View::Clusters, KeyCode::Char('+') | KeyCode::Char('=')) => Some(MoreClusters),
        (View::Clusters, KeyCode::Char('-')) => Some(FewerClusters),
        _ => None,
    }
}

/// The keys that mean the same in every view.
fn global_action(code: KeyCode) -> Option<Action> {
    use Action::*;
    match code {
        KeyCode::Char('q') => Some(Quit),
        KeyCode::Char('?') => Some(Help),
        KeyCode::Esc => Some(Close),
        KeyCode::Tab => Some(NextView),
        KeyCode::BackTab => Some(PrevView),
        KeyCode::Char('1') => Some(ShowView(View::Projection)),
        KeyCode::Char('2') => Some(ShowView(View::Similarity)),
        KeyCode::Char('3') => Some(ShowView(View::Misclassified)),
        KeyCode::Char('4') => Some(ShowView(View::Clusters)),
        KeyCode::Char('5') => Some(ShowView(View::Suspects)),
        KeyCode::Left | KeyCode::Char('h') => Some(StepBy(-1)),
        KeyCode::Right | KeyCode::Char('l') => Some(StepBy(1)),
        KeyCode::Home | KeyCode::Char('g') => Some(FirstStep),
        KeyCode::End | KeyCode::Char('G') => Some(LastStep),
        KeyCode::Char('[') => Some(JumpBy(-1)),
        KeyCode::Char(']') => Some(JumpBy(1)),
        KeyCode::Char(' ') => Some(TogglePlay),
        KeyCode::Char('F') => Some(ToggleFollow),
        KeyCode::Char('L') => Some(CycleLayer),
        KeyCode::Char('/') => Some(Search),
        KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('w') => Some(Move(0, -1)),
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('s') => Some(Move(0, 1)),
        KeyCode::Char('a') => Some(Move(-1, 0)),
        KeyCode::Char('d') => Some(Move(1, 0)),
        KeyCode::Enter => Some(Enter),
        _ => None,
    }
}

/// Keys in the search box: typing, the arrows choose among the matches.
fn search_action(key: KeyEvent) -> Option<Action> {
    use Action::*;
    match key.code {
        KeyCode::Esc => Some(Close),
        KeyCode::Enter => Some(Enter),
        KeyCode::Backspace => Some(Backspace),
        KeyCode::Up => Some(Move(0, -1)),
        KeyCode::Down => Some(Move(0, 1)),
        KeyCode::Char(c) => Some(Type(c)),
        _ => None,
    }
}

/// Keys of a grid of pictures (a confusion cell's, a map selection's), and of a rectangle
/// being selected on the map: every arrow moves through the grid, or the rectangle's corner.
fn cell_action(code: KeyCode) -> Option<Action> {
    use Action::*;
    match code {
        KeyCode::Up | KeyCode::Char('k') | KeyCode::Char('w') => Some(Move(0, -1)),
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Char('s') => Some(Move(0, 1)),
        KeyCode::Left | KeyCode::Char('h') | KeyCode::Char('a') => Some(Move(-1, 0)),
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Char('d') => Some(Move(1, 0)),
        KeyCode::Enter => Some(Enter),
        _ => None,
    }
}

/// Every key, for the help overlay: (keys, what they do, views where they work).
pub const HELP: &[(&str, &str, &str)] = &[
    (
        "← → h l",
        "previous / next step (matrix: ← → move the cursor)",
        "all",
    ),
    ("Home End g G", "first / last step", "all"),
    ("[ ]", "jump a tenth of the run back / forward", "all"),
    ("space", "play through the steps / pause", "all"),
    ("F", "follow the newest step of a live run", "all"),
    ("Tab S-Tab 1-5", "switch view", "all"),
    ("L", "cycle the features layer", "all"),
    ("/", "search classes and images together (↑↓ choose)", "all"),
    ("↑ ↓ j k w s", "move the cursor / selection", "all"),
    (
        "a d",
        "move the cursor left / right",
        "projection, similarity",
    ),
    (
        "+ - 0",
        "zoom in (around the cursor) / out / reset",
        "projection",
    ),
    ("W A S D", "pan up / left / down / right", "projection"),
    (
        "m",
        "map by PCA, t-SNE or UMAP (t-SNE/UMAP: seconds, cached)",
        "projection",
    ),
    (
        "R",
        "recompute the t-SNE/UMAP map afresh (no cache, no start)",
        "projection",
    ),
    (
        "b",
        "PCA on the last step's axes / on each step's own",
        "projection",
    ),
    (
        "c",
        "colour by class, prediction, correctness, k-means cluster",
        "projection",
    ),
    (
        "f p",
        "toggle highlight: cursor's class / (true, pred.) pair",
        "projection",
    ),
    (
        "s",
        "source: correlation, confusion, off-diagonal, centroids",
        "similarity",
    ),
    (
        "o",
        "linkage: average, complete, centroid, Ward",
        "similarity",
    ),
    (
        "r",
        "order fixed from the last step / per step",
        "similarity",
    ),
    (
        "m",
        "show / hide the confusion matrix beside it",
        "similarity",
    ),
    (
        "#",
        "counts in the confusion matrix's cells / none",
        "similarity",
    ),
    (
        "t",
        "per-class table (precision, recall, confusions, Δ) / matrix",
        "similarity",
    ),
    (
        "+ - 0",
        "zoom in around the cursor / out / whole matrix",
        "similarity",
    ),
    (
        "Enter",
        "the cell's images as a grid; Enter again: all on the map",
        "similarity",
    ),
    (
        "n",
        "move between the list and the two neighbour grids",
        "misclassified",
    ),
    (
        "e",
        "highlight the suspected label errors (view 5's queue)",
        "projection",
    ),
    (
        "v",
        "select a rectangle: arrows grow it, Enter lists its images",
        "projection",
    ),
    (
        "n",
        "in a grid of pictures: the chosen one's neighbours, history",
        "projection, similarity",
    ),
    (
        "x v u",
        "mark the label wrong / right / unsure (the same key clears)",
        "suspects",
    ),
    (
        "n",
        "move between the queue and the two neighbour grids",
        "suspects",
    ),
    (
        "t p x",
        "filter true / predicted class (from the selected), clear",
        "misclassified",
    ),
    (
        "S",
        "sort by confidence ascending / descending",
        "misclassified",
    ),
    ("+ -", "more / fewer clusters", "clusters"),
    ("Esc", "close an overlay, clear highlights", "all"),
    ("?", "this help", "all"),
    ("q Ctrl-C", "quit", "all"),
];
