//! Marks set in the Suspects view (`x` wrong, `v` right, `u` unsure; the same key again
//! clears): shown in the queue, saved outside the run at once, and exported by
//! `deepscope suspects --csv`; a marks file that cannot be read is never overwritten.

mod common {
    pub mod runs;
    #[allow(dead_code)] // not every helper is used here
    pub mod viewer;
}

use common::runs::sample;
use common::viewer::{lit_braille, press, render, text, view_app};

use assert_cmd::Command;
use crossterm::event::KeyCode;
use deepscope::query::marks::{Mark, MarkStore};
use deepscope::tui::marks::MarkBook;

/// `deepscope suspects SAMPLE --csv` with the marks kept under `data_home`.
fn csv(data_home: &std::path::Path) -> String {
    let out = Command::cargo_bin("deepscope")
        .unwrap()
        .args(["suspects", "--csv"])
        .arg(sample())
        .env("XDG_DATA_HOME", data_home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The CSV line of `image` (its second field, after the rank).
fn line_of(csv: &str, image: u32) -> String {
    csv.lines()
        .find(|l| l.split(',').nth(1) == Some(&image.to_string()))
        .unwrap_or_else(|| panic!("image {image} not in the CSV"))
        .to_string()
}

#[test]
fn a_mark_set_in_the_view_is_shown_saved_and_exported() {
    let home = tempfile::tempdir().unwrap();
    let store = MarkStore::at(home.path().join("deepscope").join("marks"));
    let (mut app, mut store_db) = view_app('5');
    (app.marks, app.status) = MarkBook::open(Some(store.clone()), &sample());
    let image = app.selected_suspect().unwrap().image;

    press(&mut app, &mut store_db, &[KeyCode::Char('x')]);
    assert_eq!(app.marks.marks.get(image), Some(Mark::Wrong));
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains("your mark: wrong"), "{screen}");
    assert!(screen.contains('✗'), "{screen}");
    // The narrow queue of 80x24 has room for it too, beside the confident-learning dot.
    let small = text(&render(&app, 80, 24));
    assert!(small.contains("●✗"), "{small}");
    assert_eq!(store.load(&sample()).unwrap().get(image), Some(Mark::Wrong));
    assert!(line_of(&csv(home.path()), image).ends_with(",wrong"));

    // The same key again clears it; another key replaces it.
    press(&mut app, &mut store_db, &[KeyCode::Char('x')]);
    assert_eq!(store.load(&sample()).unwrap().get(image), None);
    press(&mut app, &mut store_db, &[KeyCode::Char('u')]);
    assert_eq!(
        store.load(&sample()).unwrap().get(image),
        Some(Mark::Unsure)
    );
    assert!(line_of(&csv(home.path()), image).ends_with(",unsure"));
}

#[test]
fn a_marks_file_that_cannot_be_read_is_left_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    let store = MarkStore::at(home.path().join("marks"));
    // Save once to learn the file's name, then spoil it.
    store.save(&sample(), &Default::default()).unwrap();
    let file = std::fs::read_dir(store.dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&file, "not a marks file\n").unwrap();

    let (mut app, mut store_db) = view_app('5');
    let (book, problem) = MarkBook::open(Some(store), &sample());
    app.marks = book;
    let problem = problem.expect("a message");
    assert!(problem.contains("marking is off"), "{problem}");
    press(&mut app, &mut store_db, &[KeyCode::Char('x')]);
    assert!(
        app.status
            .as_deref()
            .unwrap_or("")
            .contains("cannot be saved")
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "not a marks file\n"
    );
}

#[test]
fn suspects_are_marked_in_the_misclassified_list_and_highlighted_on_the_map() {
    let (mut app, mut store_db) = view_app('3');
    let queue: Vec<u32> = app
        .suspect_queue()
        .expect("view 3 asks for the queue")
        .suspects
        .iter()
        .map(|s| s.image)
        .collect();
    // Least confident mistakes first: the most confident are nearly all suspects.
    press(&mut app, &mut store_db, &[KeyCode::Char('S')]);
    let screen = text(&render(&app, 160, 48));
    // Each listed mistake's row ends with the mark exactly when it is in the queue.
    let (mut marked, mut unmarked) = (0, 0);
    for m in app.visible_mistakes().iter().take(30) {
        let row = screen
            .lines()
            .find(|l| {
                let first = l.trim_start_matches(['│', ' ']).split_whitespace().next();
                first == Some(&m.image.to_string())
            })
            .unwrap_or_else(|| panic!("image {} not listed:\n{screen}", m.image));
        let list_part: String = row.chars().take(34).collect();
        assert_eq!(list_part.contains('●'), queue.contains(&m.image), "{row}");
        if queue.contains(&m.image) {
            marked += 1;
        } else {
            unmarked += 1;
        }
    }
    assert!(
        marked > 0 && unmarked > 0,
        "{marked} marked, {unmarked} not"
    );

    press(&mut app, &mut store_db, &[KeyCode::Char('1')]);
    let all = lit_braille(&render(&app, 160, 48));
    press(&mut app, &mut store_db, &[KeyCode::Char('e')]);
    let screen = text(&render(&app, 160, 48));
    assert!(
        screen.contains(&format!("highlight: {} suspects", queue.len())),
        "{screen}"
    );
    let lit = lit_braille(&render(&app, 160, 48));
    assert!(lit > 0 && lit * 4 < all, "{lit} cells lit of {all}");
    press(&mut app, &mut store_db, &[KeyCode::Char('e')]);
    assert_eq!(lit_braille(&render(&app, 160, 48)), all);
}
