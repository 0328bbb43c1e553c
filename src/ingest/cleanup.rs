//! A failed import leaves no file behind. A new database is written under a temporary name
//! that is removed, with its -wal, -shm and -journal files, when the import fails, panics,
//! or is stopped by SIGINT, SIGTERM or SIGHUP (a thread waits for the signal, removes the
//! files and exits with 128 + the signal's number, as a shell reports it). An import that
//! appends to an existing database stops after the step being written on the first signal
//! (each step is one transaction) and at once on the second (SQLite then rolls the
//! unfinished step back when the file is next opened).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

/// The temporary file being written, if any.
static PARTIAL: Mutex<Option<PathBuf>> = Mutex::new(None);
/// The first signal received while appending, or 0.
static STOP: AtomicI32 = AtomicI32::new(0);

/// Removes a database file and the files SQLite keeps beside it.
fn remove_all(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

fn on_signal(signal: i32) {
    let partial = PARTIAL.lock().map(|mut p| p.take()).unwrap_or(None);
    if let Some(path) = partial {
        remove_all(&path);
        eprintln!("import interrupted: nothing was written");
        std::process::exit(128 + signal);
    }
    if STOP.swap(signal, Ordering::SeqCst) != 0 {
        eprintln!("import interrupted during a step; that step is rolled back");
        std::process::exit(128 + signal);
    }
    eprintln!("import stopping after the step being written (again to stop at once)");
}

/// Starts the thread that handles SIGINT, SIGTERM and SIGHUP during an import (once).
pub fn watch_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        // Without the handler a signal still ends the import; only the tidying is lost.
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                for signal in signals.forever() {
                    on_signal(signal);
                }
            });
        }
    });
}

/// The signal that asked an appending import to stop, if one did.
pub fn stop_requested() -> Option<i32> {
    match STOP.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Ends the process as the signal would have, once the steps written so far are safe.
pub fn exit_for(signal: i32, written: &str) -> ! {
    eprintln!("import interrupted: {written}");
    std::process::exit(128 + signal)
}

/// A new database's temporary file: removed when dropped unless kept.
pub struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Partial {
    pub fn new(path: PathBuf) -> Partial {
        if let Ok(mut p) = PARTIAL.lock() {
            *p = Some(path.clone());
        }
        Partial { path, kept: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the finished file to `out`.
    pub fn keep_as(mut self, out: &Path) -> std::io::Result<()> {
        let mut registered = PARTIAL.lock().unwrap_or_else(|e| e.into_inner());
        std::fs::rename(&self.path, out)?;
        *registered = None;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            if let Ok(mut p) = PARTIAL.lock() {
                *p = None;
            }
            remove_all(&self.path);
        }
    }
}
