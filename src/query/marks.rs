//! The user's verdicts on suspected label errors: "label is wrong", "label is right" or
//! "unsure", per image, kept outside the run's database (deepscope never writes to it).
//!
//! Marks are the user's work, not a cache that may be wiped, so they live in the XDG data
//! directory: `$XDG_DATA_HOME/deepscope/marks` (or `~/.local/share/deepscope/marks`), one
//! small text file per run. A run is keyed by its database's canonical path only, unlike the
//! map cache (which also keys by size and modification time): a run still training grows,
//! and its marks must stay. The file names the database in its header and that line is
//! compared on load, so a hash collision can never lend one run another's marks.
//!
//! The format is tab-separated text a person can read: a header, then `image<TAB>mark`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::model::ImageId;

/// First line of every marks file (format version 1).
const HEADER: &str = "# deepscope marks v1";

/// A verdict on an image's given label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    /// The label is wrong.
    Wrong,
    /// The label is right.
    Right,
    /// Cannot tell.
    Unsure,
}

impl Mark {
    /// The word used in marks files and in the CSV export.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Wrong => "wrong",
            Mark::Right => "right",
            Mark::Unsure => "unsure",
        }
    }

    fn parse(word: &str) -> Option<Mark> {
        match word {
            "wrong" => Some(Mark::Wrong),
            "right" => Some(Mark::Right),
            "unsure" => Some(Mark::Unsure),
            _ => None,
        }
    }
}

/// The marks of one run, by image id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks(BTreeMap<ImageId, Mark>);

impl Marks {
    pub fn get(&self, image: ImageId) -> Option<Mark> {
        self.0.get(&image).copied()
    }

    /// Sets the mark of `image`, or removes it with `None`.
    pub fn set(&mut self, image: ImageId, mark: Option<Mark>) {
        match mark {
            Some(m) => self.0.insert(image, m),
            None => self.0.remove(&image),
        };
    }

    /// The marks in image order.
    pub fn iter(&self) -> impl Iterator<Item = (ImageId, Mark)> + '_ {
        self.0.iter().map(|(&i, &m)| (i, m))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a marks file could not be read or written. Renders as `FILE: problem`.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct MarksError {
    pub path: PathBuf,
    pub problem: String,
}

/// A directory of marks files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkStore {
    dir: PathBuf,
}

impl MarkStore {
    /// Marks kept in this directory (created on the first save).
    pub fn at(dir: impl Into<PathBuf>) -> MarkStore {
        MarkStore { dir: dir.into() }
    }

    /// The user's marks: `$XDG_DATA_HOME/deepscope/marks`, else
    /// `$HOME/.local/share/deepscope/marks`; `None` if neither is an absolute path.
    pub fn from_env() -> Option<MarkStore> {
        Self::from_vars(std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME"))
    }

    /// [`MarkStore::from_env`] with the variables given (the XDG spec ignores relative paths).
    pub fn from_vars(xdg_data_home: Option<OsString>, home: Option<OsString>) -> Option<MarkStore> {
        let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
        let base = absolute(xdg_data_home)
            .or_else(|| absolute(home).map(|h| h.join(".local").join("share")))?;
        Some(MarkStore::at(base.join("deepscope").join("marks")))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The marks file of the run at `db`, and the database line its header must hold.
    fn file_for(&self, db: &Path) -> Result<(PathBuf, String), MarksError> {
        let canonical = fs::canonicalize(db).map_err(|e| MarksError {
            path: db.to_path_buf(),
            problem: format!("cannot resolve the run's path: {e}"),
        })?;
        let line = format!("db\t{}", canonical.display());
        let name = format!("{:016x}.tsv", super::mapcache::fnv1a(line.as_bytes()));
        Ok((self.dir.join(name), line))
    }

    /// The marks of the run at `db`; none if it was never marked.
    pub fn load(&self, db: &Path) -> Result<Marks, MarksError> {
        let (path, db_line) = self.file_for(db)?;
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Marks::default()),
            Err(e) => return Err(bad(&path, format!("cannot read: {e}"))),
        };
        parse(&text, &db_line).map_err(|problem| bad(&path, problem))
    }

    /// Saves the marks of the run at `db`, replacing the file atomically (write, then
    /// rename) so a crash never leaves half a file.
    pub fn save(&self, db: &Path, marks: &Marks) -> Result<(), MarksError> {
        let (path, db_line) = self.file_for(db)?;
        let write = || -> io::Result<()> {
            fs::create_dir_all(&self.dir)?;
            let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
            let mut file = fs::File::create(&tmp)?;
            let mut text = format!("{HEADER}\n{db_line}\nimage\tmark\n");
            for (image, mark) in marks.iter() {
                text.push_str(&format!("{image}\t{}\n", mark.as_str()));
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&tmp, &path).inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
        };
        write().map_err(|e| bad(&path, format!("cannot write marks: {e}")))
    }
}

fn bad(path: &Path, problem: String) -> MarksError {
    MarksError {
        path: path.to_path_buf(),
        problem,
    }
}

/// Reads a marks file's text; `db_line` is the header line naming the run it must be for.
fn parse(text: &str, db_line: &str) -> Result<Marks, String> {
    let mut lines = text.lines().enumerate();
    let mut expect = |want: &str, what: &str| match lines.next() {
        Some((_, line)) if line == want => Ok(()),
        _ => Err(format!("not a deepscope marks file for this run ({what})")),
    };
    expect(HEADER, "header")?;
    expect(db_line, "run")?;
    expect("image\tmark", "columns")?;
    let mut marks = Marks::default();
    for (n, line) in lines {
        let parsed = line
            .split_once('\t')
            .and_then(|(image, mark)| Some((image.parse::<ImageId>().ok()?, Mark::parse(mark)?)));
        let Some((image, mark)) = parsed else {
            return Err(format!(
                "line {} is not `image<TAB>wrong|right|unsure`",
                n + 1
            ));
        };
        marks.set(image, Some(mark));
    }
    Ok(marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip_per_run_and_survive_a_growing_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = MarkStore::at(dir.path().join("marks"));
        let (a, b) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
        fs::write(&a, b"run a").unwrap();
        fs::write(&b, b"run b").unwrap();
        assert!(store.load(&a).unwrap().is_empty());
        let mut marks = Marks::default();
        marks.set(17, Some(Mark::Wrong));
        marks.set(3, Some(Mark::Unsure));
        marks.set(5, Some(Mark::Right));
        marks.set(5, None);
        store.save(&a, &marks).unwrap();
        // The run grows (a training run appends steps): its marks stay.
        fs::write(&a, b"run a, one more step").unwrap();
        let loaded = store.load(&a).unwrap();
        assert_eq!(loaded, marks);
        assert_eq!(
            loaded.iter().collect::<Vec<_>>(),
            vec![(3, Mark::Unsure), (17, Mark::Wrong)]
        );
        // Another run has its own.
        assert!(store.load(&b).unwrap().is_empty());
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(store.dir()).unwrap().count(), 1);
    }

    #[test]
    fn damaged_or_foreign_files_are_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = MarkStore::at(dir.path());
        let db = dir.path().join("run.sqlite");
        fs::write(&db, b"run").unwrap();
        let mut marks = Marks::default();
        marks.set(1, Some(Mark::Wrong));
        store.save(&db, &marks).unwrap();
        let (path, _) = store.file_for(&db).unwrap();
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("{good}2\tmaybe\n")).unwrap();
        let e = store.load(&db).unwrap_err().to_string();
        assert!(e.starts_with(&path.display().to_string()), "{e}");
        assert!(e.contains("line 5"), "{e}");
        fs::write(&path, good.replace("run.sqlite", "other.sqlite")).unwrap();
        assert!(store.load(&db).unwrap_err().to_string().contains("run"));
    }

    #[test]
    fn the_data_directory_follows_xdg() {
        let s = MarkStore::from_vars(Some("/x/data".into()), Some("/home/u".into())).unwrap();
        assert_eq!(s.dir(), Path::new("/x/data/deepscope/marks"));
        let s = MarkStore::from_vars(Some("relative".into()), Some("/home/u".into())).unwrap();
        assert_eq!(s.dir(), Path::new("/home/u/.local/share/deepscope/marks"));
        assert!(MarkStore::from_vars(None, None).is_none());
    }
}
