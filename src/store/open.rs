//! Opening a database for reading without writing anything: no `-shm` or `-wal` left beside
//! a file we only read, and a finished run readable from a read-only directory.
//!
//! SQLite creates `FILE-shm` (and `FILE-wal`) whenever it opens a WAL-mode database, even
//! read-only, and fails in a directory it cannot write. So the header is read first:
//! - a rollback-journal file is opened with `mode=ro`, which creates nothing;
//! - a WAL-mode file with neither `-wal` (or an empty one) nor `-shm` beside it has no writer
//!   (a live WAL writer keeps both open) and nothing in a log: it is opened `immutable=1`,
//!   which reads the main file only and takes no locks. [`wal_appeared`] tells the reader
//!   when a writer has started since, so that it reopens normally and follows the run;
//! - otherwise (a live run, or a log a writer left behind) it is opened `mode=ro` through
//!   the existing `-shm`, read-only if we cannot write it (SQLite 3.22's read-only WAL).

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::error::Problem;

/// What the first 100 bytes of the file say.
#[derive(Debug, Clone, Copy)]
pub(super) struct Header {
    /// File format read version (byte 19) 2: SQLite reads the file in WAL mode, whatever
    /// the write version (byte 18) says (the fuzz harness found files with 2 in 19 only).
    pub wal_mode: bool,
}

/// Reads and checks the SQLite header, telling "no file" and "not SQLite" apart before
/// SQLite gives its vaguer messages.
pub(super) fn read_header(path: &Path) -> Result<Header, Problem> {
    let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Problem::NotFound,
        _ => Problem::Io(e.to_string()),
    })?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Problem::Io("it is a directory".into()));
    }
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Problem::Io(e.to_string())),
        }
    }
    if read == 0 {
        return Err(Problem::Invalid(
            "empty file, not a deepscope stats database".into(),
        ));
    }
    if read < header.len() || !header.starts_with(b"SQLite format 3\0") {
        return Err(Problem::NotSqlite);
    }
    Ok(Header {
        wal_mode: header[19] == 2,
    })
}

/// `FILE-wal` and `FILE-shm`.
pub(super) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether a WAL-mode file can be read as it is on disk: no log with content, no writer.
fn quiescent(path: &Path) -> bool {
    let wal_empty = match std::fs::metadata(sidecar(path, "-wal")) {
        Ok(m) => m.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    wal_empty && !sidecar(path, "-shm").exists()
}

/// Opens `path` for reading; returns the connection and whether it was opened immutable.
pub(super) fn connect(path: &Path, header: Header) -> Result<(Connection, bool), Problem> {
    let immutable = header.wal_mode && quiescent(path);
    let query = if immutable { "immutable=1" } else { "mode=ro" };
    let uri = format!("file:{}?{query}", uri_path(path));
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags)?;
    // Opening is lazy: the first read is what opens the -wal and -shm, so fail here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| wal_meaning(path, header, e))?;
    Ok((conn, immutable))
}

/// A reader opened immutable must reopen normally once a writer has started on the file.
pub(super) fn wal_appeared(path: &Path) -> bool {
    !quiescent(path)
}

/// In WAL mode, "cannot open" or "read-only" means SQLite could not create the `-shm` it
/// needs to read the log: say so instead of "attempt to write a readonly database".
fn wal_meaning(path: &Path, header: Header, e: rusqlite::Error) -> Problem {
    let shm_denied = matches!(
        &e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    );
    if header.wal_mode && shm_denied && !sidecar(path, "-shm").exists() {
        return Problem::WalUnreadable {
            wal: sidecar(path, "-wal").display().to_string(),
            shm: sidecar(path, "-shm").display().to_string(),
        };
    }
    e.into()
}

/// The path as a URI path: every byte outside the unreserved set and `/` percent-encoded, so
/// that `?`, `#` and `%` in a file name stay part of the name.
fn uri_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_path_escapes_what_a_uri_would_read_as_syntax() {
        assert_eq!(
            uri_path(Path::new("/a b/r?n#1%.sqlite")),
            "/a%20b/r%3Fn%231%25.sqlite"
        );
        assert_eq!(uri_path(Path::new("rel/run.sqlite")), "rel/run.sqlite");
    }
}
