//! The terminal while the viewer runs, and its restoration exactly once on every way out:
//! a normal exit, a panic that no worker contained, and SIGTERM, SIGINT, SIGHUP or SIGQUIT
//! (`kill` does not go through the key handler that `q` and Ctrl-C use).

use std::io::stdout;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::Show;
use crossterm::event::DisableMouseCapture;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::DefaultTerminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is in the viewer's state (raw mode, alternate screen, maybe mouse
/// reporting) and still needs restoring.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether the panic hook and the signal thread are installed.
static HOOKED: AtomicBool = AtomicBool::new(false);

/// Raw mode and the alternate screen; [`restore`] undoes them, and the panic hook and the
/// signal thread installed here call it too.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    // Once per process: a viewer that waited for its file enters a second time.
    if !HOOKED.swap(true, Ordering::SeqCst) {
        install_panic_hook();
        restore_on_signals()?;
    }
    crossterm::terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    crossterm::execute!(stdout(), EnterAlternateScreen)?;
    ratatui::Terminal::new(CrosstermBackend::new(stdout()))
}

/// Puts the terminal back in line mode on the main screen with the cursor shown and mouse
/// reporting off; only the first call does anything.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = stdout().lock();
        let _ = crossterm::execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// A panic that a worker contains (its request is answered as failed) leaves the terminal
/// alone and prints nothing over the screen; any other panic restores the terminal before
/// the message is printed.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if super::worker::note_contained_panic(info) {
            return;
        }
        restore();
        previous(info);
    }));
}

/// A thread that waits for the termination signals, restores the terminal and exits with
/// the shell's status for that signal (128 + its number).
fn restore_on_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGQUIT])?;
    std::thread::Builder::new()
        .name("deepscope-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Holding stdout keeps the event loop from drawing between restore and exit.
                let _hold = stdout().lock();
                restore();
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}
