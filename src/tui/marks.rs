//! The user's verdicts on suspected label errors, set in the Suspects view: `x` "label is
//! wrong", `v` "label is right", `u` "unsure" (the same key again clears it). They are kept
//! outside the run's file by `query::marks` and exported by `deepscope suspects --csv`.
//! Each change is saved at once by the worker (a small file, replaced atomically): `update`
//! only changes the marks in memory and `requests` asks for the save.

use std::path::Path;

use super::app::App;
use super::jobs::{JobKey, Request};
use crate::query::marks::{Mark, MarkStore, Marks};

/// The marks of the run on screen, and where they are saved.
#[derive(Debug, Default)]
pub struct MarkBook {
    /// `None`: marks cannot be saved (no home directory, or the file could not be read and
    /// must not be overwritten); the status line said why.
    pub store: Option<MarkStore>,
    pub marks: Marks,
    /// Changed since the last save was asked for.
    pub unsaved: bool,
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
                    unsaved: false,
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
    /// Marks the selected suspect (or clears the mark if it already has this one); the
    /// save follows as a job.
    pub(super) fn toggle_mark(&mut self, mark: Mark) {
        let Some(image) = self.selected_suspect().map(|s| s.image) else {
            return;
        };
        if self.marks.store.is_none() {
            self.status = Some("marks cannot be saved here (see the message at start)".into());
            return;
        }
        let before = self.marks.marks.get(image);
        self.marks
            .marks
            .set(image, (before != Some(mark)).then_some(mark));
        self.marks.unsaved = true;
    }

    /// The save of changed marks, once the previous save is done (a save that failed is
    /// tried again with the newer marks; the status line said why it failed).
    pub(super) fn take_unsaved_marks(&mut self) -> Option<Request> {
        if !self.marks.unsaved || self.pending.contains(&JobKey::SaveMarks) {
            return None;
        }
        let dir = self.marks.store.clone()?;
        self.marks.unsaved = false;
        self.failed.remove(&JobKey::SaveMarks);
        Some(Request::SaveMarks {
            dir,
            marks: self.marks.marks.clone(),
        })
    }
}
