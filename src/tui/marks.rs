//! The user's verdicts on suspected label errors, set in the Suspects view: `x` "label is
//! wrong", `v` "label is right", `u` "unsure" (the same key again clears it). They are kept
//! outside the run's file by `query::marks` and exported by `deepscope suspects --csv`.
//! Each change is saved at once (a small file, replaced atomically).

use std::path::Path;

use super::app::App;
use crate::query::marks::{Mark, MarkStore, Marks};

/// The marks of the run on screen, and where they are saved.
#[derive(Debug, Default)]
pub struct MarkBook {
    /// `None`: marks cannot be saved (no home directory, or the file could not be read and
    /// must not be overwritten); the status line said why.
    pub store: Option<MarkStore>,
    pub marks: Marks,
}

impl MarkBook {
    /// The marks saved for the run at `db`. A file that cannot be read turns marking off
    /// rather than be replaced: the message says so.
    pub fn open(store: Option<MarkStore>, db: &Path) -> (MarkBook, Option<String>) {
        let Some(store) = store else {
            return (MarkBook::default(), None);
        };
        match store.load(db) {
            Ok(marks) => (
                MarkBook {
                    store: Some(store),
                    marks,
                },
                None,
            ),
            Err(e) => (
                MarkBook::default(),
                Some(format!("{e}; marking is off so that the file is kept")),
            ),
        }
    }
}

/// How a mark reads in the queue and beside the image.
pub fn mark_glyph(mark: Option<Mark>) -> &'static str {
    match mark {
        Some(Mark::Wrong) => " ✗",
        Some(Mark::Right) => " ✓",
        Some(Mark::Unsure) => " ?",
        None => "",
    }
}

impl App {
    /// Marks the selected suspect (or clears the mark if it already has this one) and saves.
    pub(super) fn toggle_mark(&mut self, mark: Mark) {
        let Some(image) = self.selected_suspect().map(|s| s.image) else {
            return;
        };
        let Some(store) = self.marks.store.clone() else {
            self.status = Some("marks cannot be saved here (see the message at start)".into());
            return;
        };
        let before = self.marks.marks.get(image);
        self.marks
            .marks
            .set(image, (before != Some(mark)).then_some(mark));
        if let Err(e) = store.save(&self.path, &self.marks.marks) {
            // What is shown stays what is saved.
            self.marks.marks.set(image, before);
            self.status = Some(e.to_string());
        }
    }
}
