//! Reading one cell of a table whose types SQLite does not enforce: TEXT that is not UTF-8,
//! a label stored as text, an epoch stored as a BLOB. Each becomes a problem naming the
//! table, row and column, or (for text) a lossy reading, never a bare conversion error.

use rusqlite::Row;
use rusqlite::types::ValueRef;

use super::error::Problem;

/// Where a cell is, for the message.
#[derive(Clone, Copy)]
pub(super) struct Cell {
    pub table: &'static str,
    pub row: i64,
    pub column: &'static str,
}

impl Cell {
    fn bad(self, expected: &'static str) -> Problem {
        Problem::BadValue {
            table: self.table,
            row: self.row,
            column: self.column,
            expected,
        }
    }
}

/// Text read lossily (U+FFFD for bytes that are not UTF-8; numbers as written), with a
/// problem when it was not valid UTF-8. NULL reads as `None`.
pub(super) fn text(
    row: &Row,
    index: usize,
    at: Cell,
    problems: &mut Vec<Problem>,
) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => Some(s.to_string()),
            Err(_) => {
                problems.push(Problem::BadText {
                    table: at.table,
                    row: at.row,
                    column: at.column,
                });
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
        },
    })
}

/// An integer cell; anything else (text, a real, NULL) is a problem.
pub(super) fn integer(row: &Row, index: usize, at: Cell) -> Result<i64, Problem> {
    match row.get_ref(index)? {
        ValueRef::Integer(i) => Ok(i),
        _ => Err(at.bad("an integer")),
    }
}

/// An optional finite number (an epoch, a wall time): NULL is `None`; text, a BLOB or an
/// infinity is a problem.
pub(super) fn finite(row: &Row, index: usize, at: Cell) -> Result<Option<f64>, Problem> {
    let value = match row.get_ref(index)? {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(r) => r,
        _ => return Err(at.bad("a number")),
    };
    if value.is_finite() {
        Ok(Some(value))
    } else {
        Err(at.bad("a finite number"))
    }
}
