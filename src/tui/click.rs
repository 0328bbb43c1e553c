//! Clicks and drags: a click selects what the view drawn there resolved it to (a second
//! click on what is already selected opens it, as Enter does); a drag on the map selects a
//! rectangle (`region`).

use super::app::{App, MisFocus, Overlay};
use super::views::Target;

impl App {
    /// A click selects what it hit; a second click on what is already selected (a matrix
    /// cell, a picture of a cell's grid) opens it, as Enter does.
    pub(super) fn click(&mut self, target: Target) {
        match target {
            Target::Tab(view) => self.show(view),
            Target::MistakeRow(row) => {
                if row != self.mis.selected {
                    self.mis.neighbour_selected = [0, 0];
                }
                self.mis.selected = row;
                self.mis.focus = MisFocus::List;
                self.mis.pinned = None;
            }
            Target::Neighbour(which, row) => {
                self.mis.focus = MisFocus::Neighbours(which);
                self.mis.neighbour_selected[which] = row;
            }
            Target::ClusterRow(row) => self.cluster_selected = row,
            Target::SuspectRow(row) => {
                if row != self.suspects.selected {
                    self.suspects.neighbour_selected = [0, 0];
                }
                self.suspects.selected = row;
                self.suspects.focus = MisFocus::List;
            }
            Target::SuspectNeighbour(which, i) => {
                self.suspects.focus = MisFocus::Neighbours(which);
                self.suspects.neighbour_selected[which] = i;
            }
            Target::MapImage(image) => self.projection.cursor = Some(image),
            Target::MatrixCell(r, c) if self.matrix.cursor == (r, c) => self.enter(),
            Target::ClassRow(r) if self.matrix.cursor.0 == r => self.enter(),
            Target::ClassRow(r) => super::views::class_table::select_row(self, r),
            Target::MatrixCell(r, c) => self.matrix.cursor = (r, c),
            Target::CellImage(row) => match self.overlay {
                Some(Overlay::Cell { selected, .. } | Overlay::Region { selected })
                    if row == selected =>
                {
                    self.enter()
                }
                Some(Overlay::Cell {
                    label, predicted, ..
                }) => {
                    self.overlay = Some(Overlay::Cell {
                        label,
                        predicted,
                        selected: row,
                    })
                }
                Some(Overlay::Region { .. }) => {
                    self.overlay = Some(Overlay::Region { selected: row })
                }
                _ => {}
            },
        }
    }
}
