//! The thumbnails table's contract: the exact size of a thumbnail's pixels, and the check of
//! every row against it and against the images table (no BLOB is decoded).

use rusqlite::Connection;

use super::catalog::MAX_BLOB_BYTES;
use super::cells::{Cell, integer};
use super::error::Problem;

/// The exact size of a thumbnail's pixels, if its shape is valid and can exist.
pub(super) fn thumbnail_bytes(width: i64, height: i64, channels: i64) -> Option<usize> {
    if width <= 0 || height <= 0 || !(channels == 1 || channels == 3) {
        return None;
    }
    let bytes = width.checked_mul(height)?.checked_mul(channels)?;
    (bytes as u64 <= MAX_BLOB_BYTES).then_some(bytes as usize)
}

/// Checks every thumbnail row (at most five problems reported); whether there is any.
pub(super) fn check_thumbnails(
    conn: &Connection,
    images: usize,
    problems: &mut Vec<Problem>,
) -> Result<bool, Problem> {
    let mut stmt =
        conn.prepare("SELECT image, width, height, channels, length(pixels) FROM thumbnails")?;
    let mut rows = stmt.query([])?;
    let mut any = false;
    let mut reported = 0;
    while let Some(row) = rows.next()? {
        any = true;
        let image: i64 = row.get(0)?;
        let at = |column| Cell {
            table: "thumbnails",
            row: image,
            column,
        };
        let width = integer(row, 1, at("width"))?;
        let height = integer(row, 2, at("height"))?;
        let channels = integer(row, 3, at("channels"))?;
        let found = row.get::<_, Option<i64>>(4)?.unwrap_or(0).max(0) as usize;
        let problem = if image < 0 || image as u64 >= images as u64 {
            Some(Problem::ThumbnailOrphan { image })
        } else {
            match thumbnail_bytes(width, height, channels) {
                None => Some(Problem::ThumbnailShape {
                    image,
                    width,
                    height,
                    channels,
                }),
                Some(expected) => (found != expected).then_some(Problem::ThumbnailSize {
                    image,
                    found,
                    expected,
                    width,
                    height,
                    channels,
                }),
            }
        };
        if let Some(p) = problem {
            reported += 1;
            if reported <= 5 {
                problems.push(p);
            }
        }
    }
    Ok(any)
}
