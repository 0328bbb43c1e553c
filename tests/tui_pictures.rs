//! Pictures beside pictures: view 3 shows each mistake beside grids of pictures of its
//! nearest images of the predicted and the true class, and a confusion cell opens as a grid
//! of its images. On a TestBackend (half blocks), driven by keys through the real update
//! loop; clicks on the grids are in tests/tui_clicks.rs.

mod common {
    pub mod runs;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use common::viewer::{press, render, text, view_app};
use crossterm::event::KeyCode;
use deepscope::tui::app::{App, Focus, MisFocus, Overlay, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The screen as rows of cells (one symbol per cell).
fn cells(terminal: &Terminal<TestBackend>) -> Vec<Vec<String>> {
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// Where a picture captioned `first` (then a line starting `second`) is drawn: the cell of
/// the caption's first character, when half-block pixels sit right above it.
fn captioned_picture(cells: &[Vec<String>], first: &str, second: &str) -> Option<(u16, u16)> {
    for y in 1..cells.len().saturating_sub(1) {
        let row = &cells[y];
        for x in 0..row.len() {
            let here = row[x..].concat();
            let marked = here.strip_prefix('▶').unwrap_or(&here);
            // The whole caption: "12" is not the start of "123".
            let whole = marked
                .strip_prefix(first)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '));
            if whole
                && cells[y + 1][x..].concat().starts_with(second)
                && cells[y - 1][x..(x + 4).min(row.len())]
                    .iter()
                    .any(|c| c == "▀")
            {
                return Some((x as u16, y as u16));
            }
        }
    }
    None
}

/// How many of each neighbour list of the selected mistake are drawn as captioned pictures.
fn neighbour_pictures(app: &App, w: u16, h: u16) -> [usize; 2] {
    let cells = cells(&render(app, w, h));
    let image = app.mis_selected_image().unwrap();
    let lists = app.neighbour_lists(image).unwrap();
    [0, 1].map(|which| {
        lists[which]
            .1
            .iter()
            .filter(|n| {
                let class = app.class_name(app.catalog.labels[n.image as usize]);
                let d = format!("d={:.2}", n.distance);
                captioned_picture(&cells, &format!("{} {class}", n.image), &d).is_some()
            })
            .count()
    })
}

#[test]
fn a_mistake_is_shown_beside_pictures_of_its_neighbours_of_both_classes() {
    let (app, _store) = view_app('3');
    let wrong = app.mis_selected_image().unwrap();
    let [predicted, true_class] = neighbour_pictures(&app, 160, 48);
    assert!(
        predicted >= 5 && true_class >= 5,
        "{predicted} {true_class}"
    );
    // Smaller on a small screen, and still five of each.
    let [predicted, true_class] = neighbour_pictures(&app, 80, 24);
    assert!(
        predicted >= 5 && true_class >= 5,
        "{predicted} {true_class}"
    );
    // The mistake's own picture is titled with its classes, beside the grids (the whole
    // screen is snapshotted in tests/tui.rs).
    for (w, h) in [(80, 24), (160, 48)] {
        let screen = text(&render(&app, w, h));
        assert!(screen.contains(&format!("image {wrong} (")), "{screen}");
    }
}

#[test]
fn keys_choose_a_neighbour_while_the_mistake_stays_in_view() {
    let (mut app, mut store) = view_app('3');
    let wrong = app.mis_selected_image().unwrap();
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('n'), KeyCode::Char('n')],
    );
    // Down and `d` each step one picture along the grid.
    press(&mut app, &mut store, &[KeyCode::Down, KeyCode::Char('d')]);
    assert_eq!(app.mis.focus, MisFocus::Neighbours(1));
    let chosen = app.neighbour_lists(wrong).unwrap()[1].1[2];
    assert_eq!(app.mis_image(), Some(chosen.image));
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains(&format!("image {wrong} (")), "{screen}");
    assert!(
        screen.contains(&format!(
            "chosen: neighbour {}, d={:.3}",
            chosen.image, chosen.distance
        )),
        "{screen}"
    );
    assert!(screen.contains(&format!("▶{} ", chosen.image)), "{screen}");
    // The grid cannot be left by its arrows.
    press(&mut app, &mut store, &[KeyCode::Down; 20]);
    let last = app.neighbour_lists(wrong).unwrap()[1]
        .1
        .last()
        .unwrap()
        .image;
    assert_eq!(app.mis_image(), Some(last));
}

/// Puts view 2's cursor on the cell (true `label`, predicted `predicted`).
fn cursor_on(app: &mut App, label: usize, predicted: usize) {
    let order = app.class_order();
    app.matrix.cursor = (
        order.iter().position(|&x| x == label).unwrap(),
        order.iter().position(|&x| x == predicted).unwrap(),
    );
}

/// The largest off-diagonal cell of the sample.
fn largest_confusion(app: &App) -> (usize, usize) {
    let k = app.num_classes();
    (0..k)
        .flat_map(|l| (0..k).map(move |p| (l, p)))
        .filter(|(l, p)| l != p)
        .max_by_key(|&(l, p)| app.cell_images(l as u32, p as u32).len())
        .unwrap()
}

#[test]
fn a_matrix_cell_opens_as_a_grid_of_its_images_and_shows_them_all_on_the_map() {
    let (mut app, mut store) = view_app('2');
    let (label, predicted) = largest_confusion(&app);
    let images = app.cell_images(label as u32, predicted as u32);
    assert!(images.len() >= 5, "{}", images.len());
    cursor_on(&mut app, label, predicted);
    press(&mut app, &mut store, &[KeyCode::Enter]);
    for (w, h, least) in [(160, 48, images.len()), (80, 24, 5)] {
        let cells = cells(&render(&app, w, h));
        let drawn = images
            .iter()
            .filter(|i| captioned_picture(&cells, &i.to_string(), "p=").is_some())
            .count();
        assert!(
            drawn >= least,
            "{drawn} of {} pictures at {w}x{h}",
            images.len()
        );
    }
    // Right and left step through the grid (not the run's steps).
    let step = app.step_index;
    press(
        &mut app,
        &mut store,
        &[KeyCode::Right, KeyCode::Right, KeyCode::Left],
    );
    assert_eq!(app.step_index, step);
    assert_eq!(app.cell_images_selected(), Some(images[1]));
    assert!(text(&render(&app, 160, 48)).contains(&format!("▶{}", images[1])));
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert_eq!(app.view, View::Projection);
    assert_eq!(app.projection.cursor, Some(images[1]));
    assert_eq!(
        app.projection.focus,
        Some(Focus::Pair {
            label: label as u32,
            predicted: predicted as u32
        }),
        "all of the cell's images are highlighted"
    );
}

#[test]
fn an_empty_cell_says_so() {
    let (mut app, mut store) = view_app('2');
    let k = app.num_classes();
    let (label, predicted) = (0..k)
        .flat_map(|l| (0..k).map(move |p| (l, p)))
        .find(|&(l, p)| app.cell_images(l as u32, p as u32).is_empty())
        .expect("the sample has an empty cell");
    cursor_on(&mut app, label, predicted);
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert!(matches!(app.overlay, Some(Overlay::Cell { .. })));
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("no images in this cell"), "{screen}");
    // Enter on an empty cell leaves the map and its highlight alone.
    press(&mut app, &mut store, &[KeyCode::Enter]);
    assert_eq!(app.projection.focus, None);
    assert_eq!(app.view, View::Similarity);
}
