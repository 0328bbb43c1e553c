//! The viewer driven as a user drives it: keys through `update`, the jobs run
//! synchronously (`settle`), frames drawn on a TestBackend. Needs `runs` beside it.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use deepscope::store::Store;
use deepscope::tui::app::App;
use deepscope::tui::graphics::Graphics;
use deepscope::tui::keymap::action;
use deepscope::tui::settle;
use deepscope::tui::theme::{ColourMode, Theme};
use deepscope::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The app and a store on the run at `path`.
pub fn open(path: &Path) -> (App, Store) {
    let store = Store::open(path).unwrap();
    let mut app = App::new(path.to_path_buf(), store.catalog().clone());
    // Each test picks its map; the first screen's own switch to t-SNE is tested by itself.
    app.projection.first_tsne = false;
    (app, store)
}

/// Presses keys as the user would: key -> action -> update, then lets the jobs finish.
pub fn press(app: &mut App, store: &mut Store, keys: &[KeyCode]) {
    for &code in keys {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        if let Some(a) = action(key, app.view, app.overlay) {
            app.update(a);
        }
        settle(app, store);
    }
}

/// The app drawn on a `w` x `h` TestBackend.
pub fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::new(ColourMode::TrueColour);
    terminal
        .draw(|f| views::draw(f, app, &theme, &mut Graphics::none()))
        .unwrap();
    terminal
}

/// The screen's text, one line per row.
pub fn text(terminal: &Terminal<TestBackend>) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Braille cells of the screen drawn in another colour than the dimmed one: how much of a
/// map is shown in colour (highlighted, or not greyed).
#[allow(dead_code)] // the map tests only
pub fn lit_braille(terminal: &Terminal<TestBackend>) -> usize {
    let dim = Theme::new(ColourMode::TrueColour).dim();
    terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .filter(|c| {
            c.symbol()
                .chars()
                .next()
                .is_some_and(|c| ('\u{2801}'..='\u{28FF}').contains(&c))
        })
        .filter(|c| c.fg != dim)
        .count()
}

/// The sample run with its jobs done, in the view of key `view`.
pub fn view_app(view: char) -> (App, Store) {
    let (mut app, mut store) = open(&super::runs::sample());
    settle(&mut app, &mut store);
    press(&mut app, &mut store, &[KeyCode::Char(view)]);
    (app, store)
}
