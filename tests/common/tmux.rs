//! A real terminal for the real binary: a detached tmux session, keys sent to it, its
//! screen read until something appears (with a deadline, never a fixed sleep). Under CI
//! (`.ci/run` sets CI) a missing tmux fails the test instead of skipping it.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux session (its name, the target of tmux commands), killed when dropped.
pub struct Session(pub String);

impl Session {
    /// Runs `command` (a shell line) in a detached tmux session of `width` x `height`; when
    /// it exits the pane shows `exited-CODE` and stays open to be read.
    pub fn start(name: &str, command: &str, (width, height): (u16, u16)) -> Session {
        let session = Session(format!("deepscope-{name}-{}", std::process::id()));
        let line = format!("{command}; echo exited-$?; sleep 30");
        let (w, h) = (width.to_string(), height.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session.0,
            "-x",
            &w,
            "-y",
            &h,
            &line,
        ]);
        session
    }

    /// Sends keys (tmux names: "Down", "Escape", "q") to the pane.
    pub fn keys(&self, keys: &[&str]) {
        tmux(&[&["send-keys", "-t", &self.0][..], keys].concat());
    }

    /// A tmux format (e.g. "#{alternate_on}") evaluated for the pane.
    pub fn format(&self, format: &str) -> String {
        tmux(&["display-message", "-p", "-t", &self.0, format])
            .trim()
            .to_string()
    }

    /// Waits until the pane shows `needle` and returns the screen, or fails with what the
    /// pane shows.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_any(&[needle])
    }

    /// Waits until the projection shows a map: PCA's (its variance) or, once the first
    /// screen has turned to it, t-SNE's (its KL); and until the viewer reads keys.
    pub fn wait_for_map(&self) -> String {
        let screen = self.wait_for_any(&["variance", "KL "]);
        self.wait_for_input();
        screen
    }

    /// Waits until the viewer reads keys. The map comes before the terminal's answer to
    /// the graphics query, which is read from the keyboard's input (a detached tmux never
    /// answers: the query's timeout, 1 s); keys sent meanwhile would be taken for the
    /// answer. Mouse reporting goes on once it is in: that is the sign.
    pub fn wait_for_input(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.format("#{mouse_any_flag}") != "1" {
            assert!(Instant::now() < deadline, "mouse reporting never went on");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the pane shows one of `needles` and returns the screen.
    pub fn wait_for_any(&self, needles: &[&str]) -> String {
        // Generous: a t-SNE map of the sample takes seconds in a debug build on two cores.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = tmux(&["capture-pane", "-p", "-t", &self.0]);
            if needles.iter().any(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{needles:?} never appeared; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .output();
    }
}

/// Runs tmux with `args` and returns what it prints.
pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether tmux runs here; under CI its absence fails the test.
pub fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI must provide tmux (see .ci/run)");
    }
    ok
}

/// The deepscope binary built for these tests.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_deepscope")
}
