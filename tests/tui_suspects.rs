//! View 5, Suspects: the queue of suspected label errors as of the current step (the same
//! queue as `deepscope suspects --step S`), each suspect beside pictures of its nearest
//! images of the suggested and of the given class. Keys and clicks through the real update
//! loop, on a TestBackend.

mod common {
    pub mod runs;
    pub mod screen;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use common::screen::{cells, find, neighbour_pictures};
use common::viewer::{press, render, text, view_app};
use crossterm::event::KeyCode;
use deepscope::query::suspects::{SuspectOptions, suspects};
use deepscope::tui::app::{App, MisFocus, View};
use deepscope::tui::views::{Target, hit};
use deepscope::tui::{Message, settle};
use ratatui::layout::{Position, Rect};

const BIG: (u16, u16) = (160, 48);
const SMALL: (u16, u16) = (80, 24);

fn screen((w, h): (u16, u16)) -> Rect {
    Rect::new(0, 0, w, h)
}

/// The images of the queue's rows as drawn at `size`, top to bottom (rows start with the
/// rank at 160 columns, with the image id at 80).
fn rows(app: &App, size: (u16, u16)) -> Vec<(u16, u32)> {
    let terminal = render(app, size.0, size.1);
    let wide = size.0 >= 110;
    (3..size.1 - 2)
        .filter_map(|y| {
            let row = cells(&terminal, 1, y, 14);
            let mut words = row.split_whitespace();
            if wide {
                words.next()?.parse::<usize>().ok()?;
            }
            Some((y, words.next()?.parse().ok()?))
        })
        .collect()
}

#[test]
fn the_queue_is_the_suspects_command_s_at_the_current_step_in_rank_order() {
    let (mut app, mut store) = view_app('5');
    assert_eq!(app.view, View::Suspects);
    for _ in 0..2 {
        let step = app.step().unwrap();
        let options = SuspectOptions {
            step: Some(step),
            ..SuspectOptions::default()
        };
        let expected = suspects(&store, &options).unwrap().suspects;
        assert!(expected.len() >= 10, "{} suspects", expected.len());
        let queue = app.suspect_queue().expect("the queue is computed");
        assert_eq!(queue.step, step);
        assert_eq!(queue.suspects, expected);
        // Drawn in rank order, with the given and suggested labels and the score.
        let drawn = rows(&app, BIG);
        assert!(drawn.len() >= 30, "{} rows", drawn.len());
        for (rank, (_, image)) in drawn.iter().enumerate() {
            assert_eq!(*image, expected[rank].image, "rank {}", rank + 1);
        }
        let first = &expected[0];
        let screen = text(&render(&app, BIG.0, BIG.1));
        let reason = format!(
            "labelled {}, looks like {}",
            app.class_name(first.given),
            app.class_name(first.suggested)
        );
        assert!(screen.contains(&reason), "{screen}");
        assert!(
            screen.contains(&format!("score {:.2}", first.score)),
            "{screen}"
        );
        assert!(screen.contains(&format!("as of step {step}")), "{screen}");
        // An earlier step has its own queue.
        press(&mut app, &mut store, &[KeyCode::Left; 5]);
    }
}

#[test]
fn each_suspect_is_shown_beside_pictures_of_both_classes_and_keys_choose_them() {
    let (mut app, mut store) = view_app('5');
    press(&mut app, &mut store, &[KeyCode::Down, KeyCode::Down]);
    let suspect = app.selected_suspect().unwrap().clone();
    assert_eq!(suspect, app.suspect_queue().unwrap().suspects[2]);
    let lists = app.suspect_neighbours().unwrap().clone();
    assert_eq!(lists[0].0, suspect.suggested);
    assert_eq!(lists[1].0, suspect.given);
    for (size, least) in [(BIG, 5), (SMALL, 3)] {
        let terminal = render(&app, size.0, size.1);
        let pictures = neighbour_pictures(&terminal, &lists);
        for which in 0..2 {
            let n = pictures.iter().filter(|p| p.2 == which).count();
            assert!(n >= least, "{n} pictures of list {which} at {size:?}");
        }
        // Its own picture, titled with both labels (cut on a small screen).
        let title = format!("image {} (labelled", suspect.image);
        let title = if size == BIG {
            &title[..]
        } else {
            &title[..10]
        };
        assert!(!find(&terminal, title).is_empty(), "{}", text(&terminal));
    }
    // `n` moves to the suggested class's grid, `n` again to the given class's; arrows
    // choose a picture there, and its details are shown while the suspect stays.
    press(
        &mut app,
        &mut store,
        &[KeyCode::Char('n'), KeyCode::Char('n')],
    );
    press(&mut app, &mut store, &[KeyCode::Down, KeyCode::Char('d')]);
    assert_eq!(app.suspects.focus, MisFocus::Neighbours(1));
    let chosen = lists[1].1[2];
    assert_eq!(app.suspect_image(), Some(chosen.image));
    let screen = text(&render(&app, BIG.0, BIG.1));
    assert!(
        screen.contains(&format!("chosen: neighbour {}", chosen.image)),
        "{screen}"
    );
    assert!(screen.contains(&format!("▶{} ", chosen.image)), "{screen}");
    assert_eq!(app.selected_suspect().unwrap().image, suspect.image);
}

#[test]
fn clicks_hit_the_queue_s_rows_and_the_neighbours_pictures() {
    for size in [BIG, SMALL] {
        let (mut app, mut store) = view_app('5');
        press(&mut app, &mut store, &[KeyCode::Down; 40]);
        let queue = app.suspect_queue().unwrap().suspects.clone();
        let drawn = rows(&app, size);
        assert!(drawn.len() >= size.1 as usize - 8, "{} rows", drawn.len());
        for &(y, image) in &drawn {
            let Some(Target::SuspectRow(i)) = hit(&app, screen(size), Position::new(9, y)) else {
                panic!("row {y} (image {image}) is not hit");
            };
            assert_eq!(queue[i].image, image, "row {y}");
        }
        let (y, image) = drawn[drawn.len() / 2];
        app.update(Message::Click(
            hit(&app, screen(size), Position::new(9, y)).unwrap(),
        ));
        settle(&mut app, &mut store);
        assert_eq!(app.selected_suspect().unwrap().image, image);
        // Every picture of both grids is hit, and a click chooses that neighbour.
        let lists = app.suspect_neighbours().unwrap().clone();
        let terminal = render(&app, size.0, size.1);
        let pictures = neighbour_pictures(&terminal, &lists);
        assert!(
            pictures.len() >= 6,
            "{} pictures at {size:?}",
            pictures.len()
        );
        for (x, y, which, i) in pictures {
            assert_eq!(cells(&terminal, x, y, 1), "▀", "{which} {i} at {x},{y}");
            let target = hit(&app, screen(size), Position::new(x, y));
            assert_eq!(target, Some(Target::SuspectNeighbour(which, i)));
            app.update(Message::Click(target.unwrap()));
            settle(&mut app, &mut store);
            assert_eq!(app.suspect_image(), Some(lists[which].1[i].image));
            assert_eq!(app.selected_suspect().unwrap().image, image);
        }
    }
}
