//! The terminal UI: app state, pure update functions, one module per view, and a worker
//! thread for everything heavy.

pub mod app;
mod apply;
pub mod graphics;
pub mod jobs;
pub mod keymap;
mod kitty;
mod requests;
pub mod run;
mod search;
pub mod theme;
mod update;
pub mod views;
pub mod worker;

use std::path::Path;

pub use app::App;
pub use requests::{CLUSTER_GRID, NEIGHBOURS};

/// Opens the viewer on a database already opened (and so validated) as `store`.
pub fn open(
    path: &Path,
    store: &crate::store::Store,
    images: crate::cli::shell_image::ImageMode,
) -> Result<(), String> {
    let maps = crate::mapcache::MapCache::from_env();
    let worker = worker::Worker::start(path.to_path_buf(), maps).map_err(|e| e.to_string())?;
    let app = App::new(path.to_path_buf(), store.catalog().clone());
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
