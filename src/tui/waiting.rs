//! A viewer started before its run: while the file does not exist yet the screen says so
//! (q quits), and the run is opened as soon as the file appears and can be read.

use std::io::{IsTerminal, stdout};
use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use ratatui::DefaultTerminal;
use ratatui::layout::{Alignment, Constraint, Layout};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::query::Error;
use crate::store::Store;

/// How often the file is looked for.
const POLL: Duration = Duration::from_millis(250);
/// How long a file that appeared may stay unreadable: a logger creates the file, then
/// writes its schema and classes; a file still unreadable after this is reported.
const GRACE: Duration = Duration::from_secs(5);

/// Opens the run at `path`, first waiting on screen for the file to appear if it does not
/// exist yet. `None` when the user quit while waiting.
pub fn open_when_ready(path: &Path) -> Result<Option<Store>, Error> {
    // Without a terminal to say so on, or in a folder that does not exist (a mistyped
    // path, more likely than a run to come), the missing file is an error at once.
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let interactive = std::io::stdin().is_terminal() && stdout().is_terminal();
    if path.exists() || !interactive || folder.is_some_and(|f| !f.is_dir()) {
        return Ok(Some(Store::open(path)?));
    }
    let mut terminal = super::terminal::enter().map_err(Error::Terminal)?;
    let result = wait(&mut terminal, path);
    super::terminal::restore();
    result
}

fn wait(terminal: &mut DefaultTerminal, path: &Path) -> Result<Option<Store>, Error> {
    let shown = crate::text::escape(&path.to_string_lossy()).into_owned();
    let mut appeared: Option<Instant> = None;
    loop {
        let message = match appeared {
            None => format!("waiting for {shown} to be created"),
            Some(_) => format!("waiting for {shown} to be readable"),
        };
        terminal
            .draw(|frame| {
                let [_, middle, _] = Layout::vertical([
                    Constraint::Fill(1),
                    Constraint::Length(2),
                    Constraint::Fill(1),
                ])
                .areas(frame.area());
                let text = vec![Line::from(message.as_str()), Line::from("q quit")];
                frame.render_widget(Paragraph::new(text).alignment(Alignment::Center), middle);
            })
            .map_err(Error::Terminal)?;
        if event::poll(POLL).map_err(Error::Terminal)?
            && quits(event::read().map_err(Error::Terminal)?)
        {
            return Ok(None);
        }
        if path.exists() {
            let since = *appeared.get_or_insert_with(Instant::now);
            match Store::open(path) {
                Ok(store) => return Ok(Some(store)),
                Err(e) if since.elapsed() > GRACE => return Err(e.into()),
                Err(_) => {}
            }
        }
    }
}

/// q, Esc and Ctrl-C leave the waiting screen.
fn quits(event: Event) -> bool {
    let Event::Key(key) = event else { return false };
    key.kind != KeyEventKind::Release
        && (matches!(key.code, KeyCode::Char('q') | KeyCode::Esc)
            || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)))
}
