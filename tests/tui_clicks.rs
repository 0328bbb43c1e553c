//! A click is resolved by the view that drew the spot: for each view, a click on each thing
//! it draws, found on the rendered screen (a tab's label, a row's text, the map's cursor,
//! the matrix's cursor cell), hits that thing and changes the state accordingly. Layout and
//! hit testing cannot drift apart unnoticed.

mod common {
    pub mod runs;
    pub mod screen;
    #[allow(dead_code)] // reads the screen cell by cell, not as text
    pub mod viewer;
}

use common::screen::{caption_image, cells, find, neighbour_pictures};
use common::viewer::{press, render, view_app};
use crossterm::event::KeyCode;
use deepscope::store::Store;
use deepscope::tui::app::{App, Focus, MisFocus, Overlay, View};
use deepscope::tui::views::{Target, hit};
use deepscope::tui::{Message, settle};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::{Position, Rect};

const BIG: (u16, u16) = (160, 48);
const SMALL: (u16, u16) = (80, 24);

/// Clicks (x, y) of a screen of `size` as the event loop does: the view drawn there
/// resolves the spot to a target, `update` takes the click, the jobs it starts finish.
fn click(app: &mut App, store: &mut Store, size: (u16, u16), x: u16, y: u16) -> Option<Target> {
    let target = hit(app, screen(size), at(x, y))?;
    app.update(Message::Click(target));
    settle(app, store);
    Some(target)
}

fn at(x: u16, y: u16) -> Position {
    Position::new(x, y)
}

fn screen((w, h): (u16, u16)) -> Rect {
    Rect::new(0, 0, w, h)
}

/// The number at the start of row `y` of a list whose text starts at column `x`.
fn leading_number(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> Option<u32> {
    let row = cells(terminal, x, y, 8);
    row.split_whitespace().next()?.parse().ok()
}

#[test]
fn every_tab_is_hit_on_every_cell_of_its_label() {
    for size in [BIG, SMALL] {
        let (mut app, mut store) = view_app('1');
        let terminal = render(&app, size.0, size.1);
        for (i, view) in View::ALL.iter().enumerate() {
            let label = format!(" {} {} ", i + 1, view.title());
            let spots = find(&terminal, &label);
            let &(x, y) = spots.iter().find(|s| s.1 == 1).expect("the tab is drawn");
            for dx in 0..label.chars().count() as u16 {
                assert_eq!(
                    hit(&app, screen(size), at(x + dx, y)),
                    Some(Target::Tab(*view)),
                    "{label:?} at column {}",
                    x + dx
                );
            }
        }
        // Past the last tab (the sparkline) and on the first row, nothing.
        assert_eq!(hit(&app, screen(size), at(size.0 - 1, 1)), None);
        assert_eq!(hit(&app, screen(size), at(3, 0)), None);
        let (x, y) = find(&terminal, "3 Misclassified")[0];
        click(&mut app, &mut store, size, x, y);
        assert_eq!(app.view, View::Misclassified);
    }
}

#[test]
fn every_row_of_the_misclassified_list_is_hit_even_scrolled() {
    for size in [BIG, SMALL] {
        let (mut app, mut store) = view_app('3');
        // Far down the list, so that it has scrolled.
        press(&mut app, &mut store, &[KeyCode::Down; 60]);
        let terminal = render(&app, size.0, size.1);
        let list = app.visible_mistakes();
        let mut rows = 0;
        // The body, below the header's two rows and the list's border.
        for y in 3..size.1 - 2 {
            let Some(image) = leading_number(&terminal, 1, y) else {
                continue;
            };
            let Some(Target::MistakeRow(i)) = hit(&app, screen(size), at(5, y)) else {
                panic!("row {y} (image {image}) is not hit");
            };
            assert_eq!(list[i].image, image, "row {y}");
            rows += 1;
        }
        assert!(rows >= size.1 as usize - 6, "{rows} rows");
        // A click on a row selects the mistake drawn there.
        let y = size.1 / 2;
        let image = leading_number(&terminal, 1, y).unwrap();
        click(&mut app, &mut store, size, 5, y);
        assert_eq!(app.mis_selected_image(), Some(image));
        assert_eq!(app.mis.focus, MisFocus::List);
        // The list stays where it was: the row is still drawn under the pointer.
        let terminal = render(&app, size.0, size.1);
        assert_eq!(leading_number(&terminal, 1, y), Some(image));
        // The list's border and the picture beside it are no rows.
        assert_eq!(hit(&app, screen(size), at(5, 2)), None);
        assert_eq!(hit(&app, screen(size), at(40, 5)), None);
    }
}

#[test]
fn every_picture_of_both_neighbour_grids_is_hit() {
    for (size, least) in [(BIG, 16), (SMALL, 6)] {
        let (mut app, mut store) = view_app('3');
        let image = app.mis_selected_image().unwrap();
        let lists = app.neighbour_lists(image).unwrap().clone();
        let terminal = render(&app, size.0, size.1);
        let pictures = neighbour_pictures(&terminal, &lists);
        assert!(
            pictures.len() >= least,
            "{} pictures at {size:?}",
            pictures.len()
        );
        for &(x, y, which, i) in &pictures {
            // The picture's cells are half blocks, and a click there hits that neighbour.
            assert_eq!(cells(&terminal, x, y, 1), "▀", "{which} {i} at {x},{y}");
            assert_eq!(
                hit(&app, screen(size), at(x, y)),
                Some(Target::Neighbour(which, i)),
                "{which} {i} at {x},{y}"
            );
        }
        // A click on a picture chooses that neighbour, its grid focused; the mistake stays.
        for (x, y, which, i) in pictures {
            click(&mut app, &mut store, size, x, y);
            assert_eq!(app.mis.focus, MisFocus::Neighbours(which));
            assert_eq!(app.mis_image(), Some(lists[which].1[i].image));
            assert_eq!(app.mis_selected_image(), Some(image));
        }
    }
}

#[test]
fn every_row_of_the_clusters_list_is_hit_even_scrolled() {
    for (size, down) in [(BIG, 0), (SMALL, 25)] {
        let (mut app, mut store) = view_app('4');
        press(&mut app, &mut store, &vec![KeyCode::Down; down]);
        let terminal = render(&app, size.0, size.1);
        let mut rows = 0;
        for y in 3..size.1 - 2 {
            let Some(cluster) = leading_number(&terminal, 1, y) else {
                continue;
            };
            assert_eq!(
                hit(&app, screen(size), at(10, y)),
                Some(Target::ClusterRow(cluster as usize)),
                "row {y}"
            );
            rows += 1;
        }
        assert!(rows >= 15, "{rows} rows");
        let y = 6;
        let cluster = leading_number(&terminal, 1, y).unwrap();
        click(&mut app, &mut store, size, 10, y);
        assert_eq!(app.cluster_selected, cluster as usize);
    }
}

/// The screen cell of the map cursor's diamond.
fn diamond(terminal: &Terminal<TestBackend>) -> Option<(u16, u16)> {
    find(terminal, "◆").first().copied()
}

#[test]
fn a_click_on_the_map_hits_an_image_drawn_in_that_cell() {
    let (mut app, mut store) = view_app('1');
    for zoom in [0, 2] {
        press(&mut app, &mut store, &vec![KeyCode::Char('+'); zoom]);
        let n = app.points().unwrap().nrows() as u32;
        let mut checked = 0;
        for image in (0..n).step_by(97) {
            // Where the view draws the image (the cursor's diamond), a click hits an image
            // drawn in that same cell: the diamond stays where it was.
            app.projection.cursor = Some(image);
            let Some((x, y)) = diamond(&render(&app, BIG.0, BIG.1)) else {
                continue; // zoomed out of view
            };
            let Some(Target::MapImage(hit_image)) = click(&mut app, &mut store, BIG, x, y) else {
                panic!("image {image} drawn at {x},{y} is not hit");
            };
            assert_eq!(app.projection.cursor, Some(hit_image));
            assert_eq!(
                diamond(&render(&app, BIG.0, BIG.1)),
                Some((x, y)),
                "{image}"
            );
            checked += 1;
        }
        assert!(checked >= 3, "{checked} images checked at zoom {zoom}");
    }
    // The side panel is not the map.
    assert_eq!(hit(&app, screen(BIG), at(BIG.0 - 5, 10)), None);
}

#[test]
fn a_click_on_a_matrix_cell_hits_the_cell_the_cursor_then_marks() {
    for size in [BIG, SMALL] {
        let (mut app, mut store) = view_app('2');
        let mut cells_hit = std::collections::HashSet::new();
        for y in 0..size.1 {
            for x in 0..size.0 {
                let Some(Target::MatrixCell(r, c)) = hit(&app, screen(size), at(x, y)) else {
                    continue;
                };
                cells_hit.insert((r, c));
                // The cursor, put on the cell hit, is drawn under the click.
                app.matrix.cursor = (r, c);
                let terminal = render(&app, size.0, size.1);
                assert_eq!(
                    terminal.backend().buffer()[(x, y)].symbol(),
                    "▒",
                    "({r}, {c}) at {x},{y}"
                );
            }
        }
        // Every cell of the 10 x 10 matrix can be clicked.
        assert_eq!(cells_hit.len(), 100, "{size:?}");
        // A click selects; a second click on the same cell opens its images.
        app.matrix.cursor = (0, 0);
        let spot = (0..size.0)
            .flat_map(|x| (0..size.1).map(move |y| (x, y)))
            .find(|&(x, y)| hit(&app, screen(size), at(x, y)) == Some(Target::MatrixCell(4, 7)))
            .unwrap();
        click(&mut app, &mut store, size, spot.0, spot.1);
        assert_eq!(app.matrix.cursor, (4, 7));
        assert_eq!(app.overlay, None);
        click(&mut app, &mut store, size, spot.0, spot.1);
        assert!(matches!(app.overlay, Some(Overlay::Cell { .. })));
    }
}

#[test]
fn every_picture_of_a_cell_s_grid_is_hit_and_a_second_click_shows_them_on_the_map() {
    for size in [BIG, SMALL] {
        let (mut app, mut store) = view_app('2');
        // The diagonal cell of class 1: the most images, so the grid pages.
        let r = app.class_order().iter().position(|&c| c == 1).unwrap();
        app.matrix.cursor = (r, r);
        press(&mut app, &mut store, &[KeyCode::Enter]);
        press(&mut app, &mut store, &[KeyCode::Down; 40]);
        let Some(Overlay::Cell {
            label, predicted, ..
        }) = app.overlay
        else {
            panic!("the cell's images are shown");
        };
        let images = app.cell_images(label, predicted);
        let terminal = render(&app, size.0, size.1);
        // Captions read "ID" over "p=CONFIDENCE"; the picture is above them.
        let spots: Vec<(u16, u16, u32)> = find(&terminal, "p=")
            .into_iter()
            .filter_map(|(x, y)| Some((x + 3, y - 3, caption_image(&terminal, x, y - 1)?)))
            .collect();
        assert!(spots.len() >= 8, "{} pictures at {size:?}", spots.len());
        assert!(
            spots.iter().any(|s| s.2 == images[40]),
            "the page holds the selection"
        );
        for &(x, y, image) in &spots {
            assert_eq!(cells(&terminal, x, y, 1), "▀", "{image} at {x},{y}");
            let Some(Target::CellImage(i)) = hit(&app, screen(size), at(x, y)) else {
                panic!("image {image} at {x},{y} is not hit");
            };
            assert_eq!(images[i], image);
        }
        // The view under the overlay takes no clicks.
        assert_eq!(hit(&app, screen(size), at(0, 10)), None);
        let (x, y, image) = spots[3];
        click(&mut app, &mut store, size, x, y);
        assert_eq!(app.cell_images_selected(), Some(image));
        click(&mut app, &mut store, size, x, y);
        assert_eq!(app.view, View::Projection);
        assert_eq!(app.projection.cursor, Some(image));
        assert_eq!(
            app.projection.focus,
            Some(Focus::Pair { label, predicted }),
            "all of the cell's images are highlighted"
        );
    }
}
