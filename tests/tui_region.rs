//! Selecting a rectangle of the map (view 1), from the keyboard and by dragging the mouse:
//! the rectangle is drawn while it is selected, Enter lists exactly the images inside as a
//! grid of captioned pictures (an empty one says so), `n` sends the chosen image to view 3
//! (its neighbours and p(true) over training), and the rectangle stays put in map
//! coordinates when the step changes.

mod common {
    pub mod runs;
    #[allow(dead_code)] // not every helper is used here
    pub mod screen;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use common::screen::find;
use common::viewer::{press, render, text, view_app};
use crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use deepscope::tui::app::{App, Overlay, View};
use deepscope::tui::settle;
use deepscope::tui::views::projection::Viewport;
use ratatui::layout::Rect;

/// The images of the map on screen inside the rectangle, computed here.
fn inside(app: &App) -> Vec<u32> {
    let r = app.projection.region.expect("a rectangle");
    let (x0, x1) = (r.anchor.x.min(r.corner.x), r.anchor.x.max(r.corner.x));
    let (y0, y1) = (r.anchor.y.min(r.corner.y), r.anchor.y.max(r.corner.y));
    let points = app.points().expect("the map");
    (0..points.nrows())
        .filter(|&i| {
            let (x, y) = (points[[i, 0]], points[[i, 1]]);
            x >= x0 && x <= x1 && y >= y0 && y <= y1
        })
        .map(|i| i as u32)
        .collect()
}

/// View 1 with a rectangle grown from the cursor's image by the arrows.
fn selecting() -> (App, deepscope::store::Store) {
    let (mut app, mut store) = view_app('1');
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('s'), KeyCode::Char('v')],
    );
    assert_eq!(app.overlay, Some(Overlay::Select));
    let keys = [[KeyCode::Right; 5], [KeyCode::Down; 5]].concat();
    press(&mut app, &mut store, &keys);
    (app, store)
}

#[test]
fn the_keyboard_selects_a_rectangle_and_enter_lists_exactly_its_images() {
    let (mut app, mut store) = selecting();
    let cursor = app.projection.cursor.unwrap();
    let screen = text(&render(&app, 160, 48));
    for corner in ['┌', '┐', '└', '┘'] {
        assert!(screen.contains(corner), "the rectangle is drawn\n{screen}");
    }
    let expected = inside(&app);
    assert!(
        expected.contains(&cursor),
        "it starts at the cursor's image"
    );
    assert!(expected.len() > 3, "{expected:?}");
    assert!(screen.contains(&format!("selected: {} images", expected.len())));
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert_eq!(app.overlay, Some(Overlay::Region { selected: 0 }));
    assert_eq!(app.region_images(), expected);
    let terminal = render(&app, 160, 48);
    let screen = text(&terminal);
    assert!(
        screen.contains(&format!(
            "{} images in the rectangle at step 6000",
            expected.len()
        )),
        "{screen}"
    );
    // The first picture's caption: its id, then its class and prediction.
    let first = expected[0] as usize;
    let label = app.class_name(app.catalog.labels[first]);
    let predicted = app.scores().unwrap().predictions[first].class;
    let said = if predicted == app.catalog.labels[first] {
        format!("{label} ✓")
    } else {
        format!("{label}→{}", app.class_name(predicted))
    };
    let &(x, y) = find(&terminal, &format!("▶{first}"))
        .first()
        .expect("caption");
    assert!(
        common::screen::cells(&terminal, x, y + 1, 12).starts_with(&said),
        "{screen}"
    );
    // Enter: back on the map, the cursor on the chosen image, the rectangle kept.
    press(&mut app, &mut store, &[KeyCode::Right, KeyCode::Enter]);
    assert_eq!((app.view, app.overlay), (View::Projection, None));
    assert_eq!(app.projection.cursor, Some(expected[1]));
    assert!(app.projection.region.is_some());
}

#[test]
fn an_empty_rectangle_says_so_and_esc_cancels_one() {
    let (mut app, mut store) = view_app('1');
    // No cursor: a rectangle of no size at the map's centre holds no image.
    press(&mut app, &mut store, &[KeyCode::Char('v'), KeyCode::Enter]);
    assert!(app.region_images().is_empty());
    // The grid opens and says so (the footer says it too).
    assert_eq!(app.overlay, Some(Overlay::Region { selected: 0 }));
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("0 images in the rectangle"), "{screen}");
    assert!(
        screen.contains("no images in the selected rectangle (v"),
        "{screen}"
    );
    press(
        &mut app,
        &mut store,
        &[KeyCode::Esc, KeyCode::Char('v'), KeyCode::Esc],
    );
    assert_eq!((app.overlay, app.projection.region), (None, None));
}

#[test]
fn n_sends_the_chosen_image_to_its_neighbours_and_history() {
    let (mut app, mut store) = selecting();
    press(&mut app, &mut store, &[KeyCode::Enter]);
    let images = app.region_images();
    let scores = app.scores().unwrap().clone();
    let wrong = |i: &u32| scores.predictions[*i as usize].class != app.catalog.labels[*i as usize];
    let right = images
        .iter()
        .position(|i| !wrong(i))
        .expect("a correct image");
    let moves = vec![KeyCode::Right; right];
    press(&mut app, &mut store, &moves);
    press(&mut app, &mut store, &[KeyCode::Char('n')]);
    let image = images[right];
    assert_eq!(app.view, View::Misclassified);
    assert_eq!(
        (app.mis.pinned, app.mis_selected_image()),
        (Some(image), Some(image))
    );
    let label = app.catalog.labels[image as usize];
    let lists = app.neighbour_lists(image).expect("its neighbours computed");
    assert_eq!(lists[1].0, label);
    assert_ne!(lists[0].0, label, "the runner-up class, not its own twice");
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains(&format!("image {image} (")), "{screen}");
    assert!(
        screen.contains("(runner-up)") && screen.contains("p(true)"),
        "{screen}"
    );
    // Esc returns to the list's own selection.
    press(&mut app, &mut store, &[KeyCode::Esc]);
    assert_eq!(app.mis.pinned, None);
}

#[test]
fn a_mistake_sent_to_view_3_is_selected_in_its_list() {
    let (mut app, mut store) = view_app('1');
    // A rectangle started at a mistake holds it.
    let mistake = app.scores().unwrap().misclassified[3].image;
    app.projection.cursor = Some(mistake);
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('v'), KeyCode::Right, KeyCode::Enter],
    );
    let images = app.region_images();
    let at = images.iter().position(|&i| i == mistake).unwrap();
    app.overlay = Some(Overlay::Region { selected: at });
    press(&mut app, &mut store, &[KeyCode::Char('n')]);
    assert_eq!((app.view, app.mis.pinned), (View::Misclassified, None));
    assert_eq!(app.mis_selected_image(), Some(mistake));
    assert_eq!(app.visible_mistakes()[app.mis.selected].image, mistake);
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn a_mouse_drag_selects_the_cells_it_spans() {
    let (mut app, mut store) = view_app('1');
    let screen = Rect::new(0, 0, 160, 48);
    let ((c0, r0), (c1, r1)) = ((30, 12), (70, 30));
    let handle = deepscope::tui::run::handle;
    handle(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), c0, r0),
        screen,
    );
    handle(
        &mut app,
        mouse(MouseEventKind::Drag(MouseButton::Left), 50, 20),
        screen,
    );
    assert_eq!(app.overlay, Some(Overlay::Select));
    handle(
        &mut app,
        mouse(MouseEventKind::Drag(MouseButton::Left), c1, r1),
        screen,
    );
    handle(
        &mut app,
        mouse(MouseEventKind::Up(MouseButton::Left), c1, r1),
        screen,
    );
    settle(&mut app, &mut store);
    assert_eq!(app.overlay, Some(Overlay::Region { selected: 0 }));
    // The map's canvas at 160x48: inside the border of the body left of the 32-column side.
    let canvas = Rect::new(1, 3, 126, 43);
    let points = app.points().unwrap().clone();
    let view = Viewport::new(
        &points,
        app.projection.zoom,
        app.projection.centre,
        canvas.width as usize * 2,
        canvas.height as usize * 4,
    );
    let listed = app.region_images();
    assert!(listed.len() > 10, "{}", listed.len());
    for i in 0..points.nrows() {
        let Some((u, v)) = view.dot(points[[i, 0]], points[[i, 1]]) else {
            continue;
        };
        let (c, r) = (canvas.x + (u / 2) as u16, canvas.y + (v / 4) as u16);
        let within = (c0..=c1).contains(&c) && (r0..=r1).contains(&r);
        let strictly = c0 < c && c < c1 && r0 < r && r < r1;
        let is_listed = listed.contains(&(i as u32));
        assert!(
            !is_listed || within,
            "image {i} at ({c}, {r}) is outside the drag"
        );
        assert!(
            !strictly || is_listed,
            "image {i} at ({c}, {r}) is inside but not listed"
        );
    }
}

#[test]
fn the_rectangle_stays_in_map_coordinates_across_steps() {
    let (mut app, mut store) = selecting();
    press(&mut app, &mut store, &[KeyCode::Enter, KeyCode::Esc]);
    let region = app.projection.region;
    assert!(region.is_some() && app.overlay.is_none());
    press(&mut app, &mut store, &[KeyCode::Left]);
    assert_eq!(app.step(), Some(5000));
    assert_eq!(app.projection.region, region);
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains('┌') && screen.contains('┘'), "{screen}");
    assert!(screen.contains(&format!("selected: {} images", inside(&app).len())));
    // Esc on the map clears it.
    press(&mut app, &mut store, &[KeyCode::Esc]);
    assert_eq!(app.projection.region, None);
}
