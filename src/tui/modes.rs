//! The modes of the viewer: which view is shown, what an overlay covers it with, what the
//! map is coloured by and highlights, which list of view 3 has the keyboard.

use crate::model::ClassId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Projection,
    Similarity,
    Misclassified,
    Clusters,
    Suspects,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Projection,
        View::Similarity,
        View::Misclassified,
        View::Clusters,
        View::Suspects,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Projection => "Projection",
            View::Similarity => "Similarity",
            View::Misclassified => "Misclassified",
            View::Clusters => "Clusters",
            View::Suspects => "Suspects",
        }
    }
}

/// What the points of the projection are coloured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourBy {
    TrueClass,
    Predicted,
    Correctness,
    Cluster,
}

/// Which images are highlighted (the others are dimmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Class(ClassId),
    Pair {
        label: ClassId,
        predicted: ClassId,
    },
    /// The suspected label errors of the current step (the Suspects view's queue).
    Suspects,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// Images of a (true, predicted) confusion cell; `selected` indexes the list.
    Cell {
        label: ClassId,
        predicted: ClassId,
        selected: usize,
    },
    Search,
    /// A rectangle being drawn on the map (`projection.region`): the arrows move its free
    /// corner, Enter lists its images, Esc cancels.
    Select,
    /// The images inside the map's selected rectangle; `selected` indexes them.
    Region {
        selected: usize,
    },
}

/// Which list of the misclassified view has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MisFocus {
    List,
    /// Nearest images of the predicted class (0) or of the true class (1).
    Neighbours(usize),
}
