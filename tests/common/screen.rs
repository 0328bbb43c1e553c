//! Reading a TestBackend's screen cell by cell: where a text is drawn, what a row holds,
//! which image a picture's caption names.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Every cell where `needle` starts on the screen, as (x, y), reading symbols cell by cell.
pub fn find(terminal: &Terminal<TestBackend>, needle: &str) -> Vec<(u16, u16)> {
    let buf = terminal.backend().buffer();
    let chars: Vec<String> = needle.chars().map(String::from).collect();
    let mut found = Vec::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width.saturating_sub(chars.len() as u16 - 1) {
            if (0..chars.len()).all(|i| buf[(x + i as u16, y)].symbol() == chars[i]) {
                found.push((x, y));
            }
        }
    }
    found
}

/// The text of row `y` from column `x` on, `n` cells.
pub fn cells(terminal: &Terminal<TestBackend>, x: u16, y: u16, n: u16) -> String {
    let buf = terminal.backend().buffer();
    (x..(x + n).min(buf.area.width))
        .map(|x| buf[(x, y)].symbol())
        .collect()
}

/// The image whose caption has a line starting at (x, y) and the line "d=…" or "p=…"
/// starting right under it, the first line read "ID …" or, chosen, "▶ID …".
pub fn caption_image(terminal: &Terminal<TestBackend>, x: u16, y: u16) -> Option<u32> {
    let line = cells(terminal, x, y, 12);
    line.trim_start_matches('▶')
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Each picture of the neighbour grids (`lists` of the image shown) found on the
/// screen by its caption "ID CLASS" over "d=DISTANCE": a cell of the picture above the
/// caption, the grid and the index in its list.
pub fn neighbour_pictures(
    terminal: &Terminal<TestBackend>,
    lists: &[(u32, Vec<deepscope::analysis::neighbours::Neighbour>)],
) -> Vec<(u16, u16, usize, usize)> {
    find(terminal, "d=")
        .into_iter()
        .filter_map(|(x, y)| {
            let image = caption_image(terminal, x, y - 1)?;
            let (which, i) = (0..2).find_map(|which| {
                let i = lists.get(which)?.1.iter().position(|n| n.image == image)?;
                Some((which, i))
            })?;
            Some((x + 3, y - 3, which, i))
        })
        .collect()
}
