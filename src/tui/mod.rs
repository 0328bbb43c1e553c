//! The terminal UI: app state, `update` (a message in, the state changed, no I/O), one
//! module per view (its render and its hit test), and worker threads for everything heavy.
#![warn(clippy::too_many_lines)] // threshold in clippy.toml

pub mod app;
mod apply;
pub mod axes;
mod click;
mod cursor;
pub mod first_map;
pub mod graphics;
pub mod jobs;
pub mod keymap;
mod kitty;
mod live;
pub mod marks;
mod modes;
mod probe;
pub mod region;
mod requests;
pub mod run;
pub mod scroll;
mod search;
mod subject;
mod suspects;
mod terminal;
pub mod theme;
mod update;
pub mod views;
mod waiting;
pub mod worker;

use std::path::Path;

pub use app::App;
pub use requests::{CLUSTER_GRID, NEIGHBOURS};
pub use update::Message;

/// Opens the viewer on the database at `path`. The file is opened and validated first, so
/// a bad file gets its one-line error before the viewer starts; a file that does not exist
/// yet is waited for (a viewer started before its training run).
pub fn open(path: &Path, images: crate::picture::ImageMode) -> Result<(), crate::query::Error> {
    let Some(store) = waiting::open_when_ready(path)? else {
        return Ok(());
    };
    let maps = crate::query::mapcache::MapCache::from_env();
    let worker = worker::Worker::start(path.to_path_buf(), maps)?;
    let mut app = App::new(path.to_path_buf(), store.catalog().clone());
    let store_dir = crate::query::marks::MarkStore::from_env();
    (app.marks, app.status) = marks::MarkBook::open(store_dir, path);
    let theme = theme::Theme::new(theme::ColourMode::detect());
    run::run(app, worker, theme, images)
}

/// Runs every request the app makes against `store` until nothing is left: the worker's
/// job done synchronously (no map cache), for tests and benchmarks.
pub fn settle(app: &mut App, store: &mut crate::store::Store) {
    loop {
        let requests = app.requests();
        if requests.is_empty() {
            break;
        }
        for r in requests {
            app.apply(jobs::compute(store, r, None, &mut |_| {}));
        }
    }
}
