//! Where the views' lists are scrolled, kept across frames: render writes it, the hit test
//! reads the same, so a click counts rows from the row the list was drawn from.

use std::cell::Cell;

/// Where a list is scrolled: the first row it showed when last drawn. Kept across frames as
/// ratatui's `ListState` would be, so the list moves only when the selection leaves it (a
/// click on a row leaves the row where it is); the view's render writes it.
#[derive(Debug, Default)]
pub struct ListScroll(Cell<usize>);

impl ListScroll {
    /// The first of `len` items to show in `height` rows with `selected` chosen: where the
    /// list was, moved just enough to show the selection, and no further down than needed
    /// to fill the rows.
    pub fn offset(&self, selected: usize, len: usize, height: u16) -> usize {
        let height = (height as usize).max(1);
        let selected = selected.min(len.saturating_sub(1));
        self.0
            .get()
            .min(len.saturating_sub(height))
            .clamp(selected.saturating_sub(height - 1), selected)
    }

    /// `offset`, remembered for the next frame (render calls it).
    pub fn scroll(&self, selected: usize, len: usize, height: u16) -> usize {
        let offset = self.offset(selected, len, height);
        self.0.set(offset);
        offset
    }
}

/// The scrolled lists of the views.
#[derive(Debug, Default)]
pub struct Scrolls {
    pub mistakes: ListScroll,
    pub clusters: ListScroll,
    pub suspects: ListScroll,
    pub classes: ListScroll,
}
