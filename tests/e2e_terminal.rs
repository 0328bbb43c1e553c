//! The terminal after deepscope, in tmux: every termination signal leaves it as it was (main
//! screen, cursor shown, mouse reporting off), `show` does not wait for ever on a terminal
//! that never answers the graphics query, and the viewer's raw output (tmux's pipe-pane,
//! every byte it wrote) carries none of the control characters hidden in a file's names.

mod common {
    pub mod runs;
    pub mod tmux;
}

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::runs::sample;
use common::tmux::{Session, binary, tmux, tmux_available};

/// A tmux pane of 120 x 36.
const PANE: (u16, u16) = (120, 36);

/// The process id of deepscope, the child of the pane's shell.
fn deepscope_pid(session: &Session) -> String {
    let shell = session.format("#{pane_pid}");
    let out = Command::new("ps")
        .args(["-o", "pid=", "--ppid", &shell])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty() && !pid.contains('\n'), "children: {pid:?}");
    pid
}

#[test]
fn every_termination_signal_restores_the_terminal() {
    if !tmux_available() {
        return;
    }
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1), ("QUIT", 3)] {
        let command = format!("'{}' '{}'", binary(), sample().display());
        let session = Session::start(&signal.to_lowercase(), &command, PANE);
        session.wait_for_map();
        // The viewer's own state first, so that the check after the signal means something.
        let state = "#{alternate_on} #{mouse_any_flag} #{cursor_flag}";
        assert_eq!(session.format(state), "1 1 0", "while running");
        let pid = deepscope_pid(&session);
        let killed = Command::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .unwrap();
        assert!(killed.success());
        session.wait_for(&format!("exited-{}", 128 + number));
        assert_eq!(session.format(state), "0 0 1", "after SIG{signal}");
    }
}

#[test]
fn show_does_not_wait_for_a_terminal_that_never_answers() {
    if !tmux_available() {
        return;
    }
    for mode in ["kitty", "sixel"] {
        // stdin from /dev/null: nothing can answer the capability query.
        let command = format!(
            "'{}' show '{}' --image 3 --images {mode} < /dev/null",
            binary(),
            sample().display()
        );
        let session = Session::start(mode, &command, PANE);
        let screen = session.wait_for("exited-");
        assert!(screen.contains("exited-0"), "{screen}");
        // The picture scrolls the title off the pane; the history table closes the output.
        assert!(screen.contains("history"), "{screen}");
    }
}

/// A copy of the sample with hostile class, run, layer and image names.
fn hostile_db(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.sqlite");
    std::fs::copy(sample(), &path).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "PRAGMA foreign_keys = OFF;
         UPDATE meta SET value = 'run' || char(27) || ']0;PWNED' || char(7) WHERE key = 'name';
         UPDATE classes SET name = id || char(155) || '31m' || char(8238) WHERE id % 2 = 1;
         UPDATE classes SET name = id || char(27) || ']0;PWNED' || char(7) || char(8294)
             WHERE id % 2 = 0;
         UPDATE layers SET name = 'fc' || char(8238) WHERE name = 'fc64';
         UPDATE activations SET layer = 'fc' || char(8238) WHERE layer = 'fc64';
         UPDATE images SET name = 'img' || char(27) || ']0;PWNED' || char(7) || char(155);",
    )
    .unwrap();
    path
}

#[test]
fn the_viewer_never_writes_a_control_character_from_the_file() {
    if !tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = hostile_db(dir.path());
    let raw = dir.path().join("raw-output");
    let command = format!("sleep 1; '{}' '{}'", binary(), db.display());
    let session = Session::start("hostile", &command, PANE);
    // Every byte the pane receives, from before the viewer starts.
    let pipe = format!("cat > '{}'", raw.display());
    tmux(&["pipe-pane", "-o", "-t", &session.0, &pipe]);
    session.wait_for_map();
    for key in ["2", "3", "Down", "Enter", "4", "1", "/", "7", "Enter"] {
        session.keys(&[key]);
        std::thread::sleep(Duration::from_millis(300));
    }
    session.keys(&["Escape", "q"]);
    session.wait_for("exited-0");
    let bytes = std::fs::read(&raw).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("\\u{202e}"), "the names are shown, escaped");
    for payload in ["\u{1b}]0;PWNED", "]0;PWNED\u{7}"] {
        assert!(
            !text.contains(payload),
            "raw OSC from the file: {payload:?}"
        );
    }
    for c in text.chars() {
        let bad = matches!(c, '\u{80}'..='\u{9f}')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!bad, "raw {c:?} on the terminal");
    }
}
