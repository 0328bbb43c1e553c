//! The terminal's graphics capabilities, asked in the background so that the first map
//! never waits for the answer (a terminal that never answers, like a detached tmux, costs
//! the whole timeout). The query is written by the UI thread, between frames, so that it
//! cannot land inside a frame's escape sequences: the asking thread writes it into a pipe
//! instead of stdout. Until the answer, previews are half blocks and no input is read (the
//! answer arrives on stdin, where crossterm would take it for keys).

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::thread::JoinHandle;

use super::graphics::Graphics;
use crate::picture::ImageMode;

/// A capability query in flight.
pub struct Probe(JoinHandle<Graphics>);

impl Probe {
    /// Starts the query for `mode` and writes it to the terminal before returning. `None`
    /// when `mode` asks nothing of the terminal or the query could not be set up (previews
    /// stay half blocks then).
    pub fn start(mode: ImageMode) -> Option<Probe> {
        if matches!(mode, ImageMode::Blocks | ImageMode::None) {
            return None;
        }
        let stdin = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
        let (mut from_query, to_terminal) = std::io::pipe().ok()?;
        let handle = std::thread::Builder::new()
            .name("deepscope-probe".into())
            .spawn(move || Graphics::detect(mode, Some((stdin, OwnedFd::from(to_terminal)))))
            .ok()?;
        // The query is one write of a few hundred bytes (atomic on a pipe); the pipe closes
        // when the thread ends, should it write nothing.
        let mut query = [0u8; 4096];
        if let Ok(n) = from_query.read(&mut query) {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&query[..n]).and_then(|()| out.flush());
        }
        Some(Probe(handle))
    }

    /// Waits for the query to end (at most its timeout): its thread sets the terminal's
    /// modes back as it found them when done, which must come before the terminal is
    /// restored, not after (it would leave the shell without echo).
    pub fn wait(self) {
        let _ = self.0.join();
    }

    /// The answer, once the query in `slot` has finished (half blocks if its thread
    /// failed); empties the slot then.
    pub fn answer(slot: &mut Option<Probe>) -> Option<Graphics> {
        if !slot.as_ref()?.0.is_finished() {
            return None;
        }
        let probe = slot.take()?;
        Some(probe.0.join().unwrap_or_else(|_| Graphics::none()))
    }
}
