//! The terminal: set-up and restore (panics included), and the event loop that turns input
//! into messages for `update`, takes the worker's results, and draws at most once per pass.

use std::io::{IsTerminal, stdout};
use std::time::{Duration, Instant};

use crossterm::event::{
    self, EnableMouseCapture, Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::DefaultTerminal;

use super::Message;
use super::app::{App, View};
use super::graphics::Graphics;
use super::jobs::{JobKey, Request};
use super::keymap::{Action, action};
use super::probe::Probe;
use super::theme::Theme;
use super::views;
use super::worker::Worker;
use crate::query::Error;

/// How often a live run is checked for new steps.
const REFRESH_EVERY: Duration = Duration::from_secs(1);
/// How long each step is shown while playing.
const PLAY_EVERY: Duration = Duration::from_millis(350);

/// Runs the viewer until the user quits. The terminal is restored on every exit path
/// (`terminal`); a panic of the event loop itself ends the viewer with an internal
/// error (exit status 1) once the terminal is back.
pub fn run(
    mut app: App,
    worker: Worker,
    theme: Theme,
    images: crate::picture::ImageMode,
) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() || !stdout().is_terminal() {
        return Err(Error::NotATerminal);
    }
    let mut terminal = super::terminal::enter().map_err(Error::Terminal)?;
    // The first screen at once, then the graphics query in the background: frames are
    // drawn with half blocks until the terminal answers (see `probe`). The worker starts
    // on the first screen's data meanwhile.
    for request in app.requests() {
        worker.send(request)?;
    }
    let _ = terminal.draw(|frame| views::draw(frame, &app, &theme, &mut Graphics::none()));
    let mut probe = Probe::start(images);
    let mut graphics = Graphics::none();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let screen = (&mut graphics, &mut probe);
        event_loop(&mut terminal, &mut app, &worker, &theme, screen)
    }));
    if let Some(probe) = probe {
        probe.wait();
    }
    // A frame with no pictures: kitty deletes the ones still placed.
    let _ = graphics.after_draw((0, 0));
    super::terminal::restore();
    result.unwrap_or_else(|_| Err(Error::Panicked("the viewer stopped".into())))
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    worker: &Worker,
    theme: &Theme,
    (graphics, probe): (&mut Graphics, &mut Option<Probe>),
) -> Result<(), Error> {
    let io = Error::Terminal;
    let (mut last_refresh, mut last_play) = (Instant::now(), Instant::now());
    let mut dirty = true;
    if probe.is_none() {
        let _ = crossterm::execute!(stdout(), EnableMouseCapture);
    }
    while !app.quit {
        if let Some(answer) = Probe::answer(probe) {
            *graphics = answer;
            // Mouse reports could have been taken for the terminal's answer until now.
            let _ = crossterm::execute!(stdout(), EnableMouseCapture);
            dirty = true;
        }
        for request in app.requests() {
            worker.send(request)?;
        }
        if dirty {
            let frame = terminal
                .draw(|frame| views::draw(frame, app, theme, graphics))
                .map_err(io)?;
            let screen = (frame.area.width, frame.area.height);
            graphics.after_draw(screen).map_err(io)?;
            dirty = false;
        }
        // Wait briefly for input, then take everything that is waiting; while the graphics
        // query is out, its thread reads stdin and input waits.
        if probe.is_some() {
            std::thread::sleep(Duration::from_millis(10));
        } else if event::poll(Duration::from_millis(40)).map_err(io)? {
            while event::poll(Duration::ZERO).map_err(io)? {
                let size = terminal.size().map_err(io)?;
                handle(
                    app,
                    event::read().map_err(io)?,
                    ratatui::layout::Rect::new(0, 0, size.width, size.height),
                );
                dirty = true;
            }
        }
        while let Ok(response) = worker.responses.try_recv() {
            app.apply(response);
            dirty = true;
        }
        if app.playing && last_play.elapsed() >= PLAY_EVERY && step_ready(app) {
            app.tick_play();
            last_play = Instant::now();
            dirty = true;
        }
        if last_refresh.elapsed() >= REFRESH_EVERY && !app.pending.contains(&JobKey::Refresh) {
            app.pending.insert(JobKey::Refresh);
            worker.send(Request::Refresh)?;
            last_refresh = Instant::now();
        }
    }
    Ok(())
}

/// Whether what the current view shows for the current step has been computed.
pub fn step_ready(app: &App) -> bool {
    let scores = app.scores().is_some() || app.catalog.prediction_layer().is_none();
    match app.view {
        View::Projection => {
            scores && (app.points().is_some() || !app.layer_at_step(app.step_index))
        }
        _ => scores,
    }
}

/// Applies one terminal event to the state: a key becomes its action, a left click the
/// target the view drawn at that spot resolves it to (`views::hit`); on the map, a drag
/// with the left button selects a rectangle (`views::map_point`).
pub fn handle(app: &mut App, event: Event, screen: ratatui::layout::Rect) {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if let Some(a) = action(key, app.view, app.overlay) {
                app.update(a);
            }
        }
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            let at = ratatui::layout::Position::new(m.column, m.row);
            let point = views::map_point(app, screen, at);
            if let Some(target) = views::hit(app, screen, at) {
                app.update(Message::Click(target));
            }
            if let Some(point) = point {
                app.update(Message::Press(point));
            }
        }
        Event::Mouse(m) if m.kind == MouseEventKind::Drag(MouseButton::Left) => {
            let at = ratatui::layout::Position::new(m.column, m.row);
            if let Some(point) = views::map_point(app, screen, at) {
                app.update(Message::Drag(point));
            }
        }
        // Only a press on the map waits for its release (a message clears the status line).
        Event::Mouse(m)
            if m.kind == MouseEventKind::Up(MouseButton::Left)
                && app.projection.press.is_some() =>
        {
            app.update(Message::Release)
        }
        Event::Mouse(m) if m.kind == MouseEventKind::ScrollDown => app.update(Action::Move(0, 1)),
        Event::Mouse(m) if m.kind == MouseEventKind::ScrollUp => app.update(Action::Move(0, -1)),
        _ => {}
    }
}
