//! Disk cache of 2-D maps, so reopening a run shows its t-SNE/UMAP maps at once.
//!
//! Maps live outside the user's database, in `$XDG_CACHE_HOME/deepscope/maps` (or
//! `~/.cache/deepscope/maps`), one small binary file per map. A map is keyed by the
//! database file's identity (canonical path, size, modification time: a database that
//! changes gets new keys), the step, the layer, and a text naming the method and every
//! parameter that changes the result. The whole key is stored in the file and compared on
//! load, so a hash collision can only cost a recomputation. Anything unreadable, truncated
//! or failing its checksum is ignored: the caller recomputes and overwrites it.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use ndarray::Array2;

use crate::model::StepId;

/// First bytes of every cache file (format version 1).
const MAGIC: &[u8; 8] = b"DSMAP\x00\x01\x00";

/// Everything that decides a map's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapKey(String);

impl MapKey {
    /// Key for the map of `layer` at `step` of the database at `db`, made by `method` (a
    /// text listing the method and all its parameters, e.g. `tsne perplexity=30 seed=0`).
    /// Fails if the database's metadata cannot be read.
    pub fn new(db: &Path, step: StepId, layer: &str, method: &str) -> io::Result<MapKey> {
        let path = fs::canonicalize(db)?;
        let meta = fs::metadata(&path)?;
        let mtime = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(MapKey(format!(
            "db={}\nsize={}\nmtime_ns={}\nstep={}\nlayer={}\nmethod={}",
            path.display(),
            meta.len(),
            mtime,
            step,
            layer,
            method
        )))
    }

    fn file_name(&self) -> String {
        format!("{:016x}.map", fnv1a(self.0.as_bytes()))
    }
}

/// A cached map: the points and the numbers reported with them.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedMap {
    /// N x 2, row i = image i.
    pub points: Array2<f32>,
    /// t-SNE KL divergence, if the method has one.
    pub kl: Option<f64>,
    /// t-SNE perplexity actually used, if the method has one.
    pub perplexity_used: Option<f64>,
}

/// A directory of cached maps.
#[derive(Debug, Clone)]
pub struct MapCache {
    dir: PathBuf,
}

impl MapCache {
    /// The cache in this directory (created on the first store).
    pub fn at(dir: impl Into<PathBuf>) -> MapCache {
        MapCache { dir: dir.into() }
    }

    /// The user's cache: `$XDG_CACHE_HOME/deepscope/maps`, else `$HOME/.cache/deepscope/maps`;
    /// `None` if neither variable is set to an absolute path.
    pub fn from_env() -> Option<MapCache> {
        Self::from_vars(std::env::var_os("XDG_CACHE_HOME"), std::env::var_os("HOME"))
    }

    /// [`MapCache::from_env`] with the variables given (the XDG spec ignores relative paths).
    pub fn from_vars(xdg_cache_home: Option<OsString>, home: Option<OsString>) -> Option<MapCache> {
        let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
        let base = absolute(xdg_cache_home).or_else(|| absolute(home).map(|h| h.join(".cache")))?;
        Some(MapCache::at(base.join("deepscope").join("maps")))
    }

    /// Directory the maps are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The map stored under `key`, or `None` if there is none or it is damaged.
    pub fn load(&self, key: &MapKey) -> Option<CachedMap> {
        let bytes = fs::read(self.dir.join(key.file_name())).ok()?;
        decode(&bytes, key)
    }

    /// Stores `map` under `key`, replacing the file atomically (write, then rename), so a
    /// reader never sees half a map.
    pub fn store(&self, key: &MapKey, map: &CachedMap) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(key.file_name());
        let tmp = self
            .dir
            .join(format!("{}.{}.tmp", key.file_name(), std::process::id()));
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&encode(key, map))?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }
}

/// Layout: magic, key length (u32), key, rows (u64), kl (f64, NaN = none), perplexity (f64,
/// NaN = none), rows x 2 f32, FNV-1a of everything before it (u64); little-endian.
fn encode(key: &MapKey, map: &CachedMap) -> Vec<u8> {
    let n = map.points.nrows();
    let mut out = Vec::with_capacity(64 + key.0.len() + n * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(key.0.len() as u32).to_le_bytes());
    out.extend_from_slice(key.0.as_bytes());
    out.extend_from_slice(&(n as u64).to_le_bytes());
    out.extend_from_slice(&map.kl.unwrap_or(f64::NAN).to_le_bytes());
    out.extend_from_slice(&map.perplexity_used.unwrap_or(f64::NAN).to_le_bytes());
    for v in map.points.iter() {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

fn decode(bytes: &[u8], key: &MapKey) -> Option<CachedMap> {
    let body_len = bytes.len().checked_sub(8)?;
    let (body, sum) = bytes.split_at(body_len);
    if fnv1a(body).to_le_bytes() != sum {
        return None;
    }
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let key_len = u32::from_le_bytes(r.take(4)?.try_into().ok()?) as usize;
    if r.take(key_len)? != key.0.as_bytes() {
        return None;
    }
    let n = usize::try_from(u64::from_le_bytes(r.take(8)?.try_into().ok()?)).ok()?;
    let kl = f64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let perplexity = f64::from_le_bytes(r.take(8)?.try_into().ok()?);
    let values = r.take(n.checked_mul(8)?)?;
    if !r.0.is_empty() {
        return None;
    }
    let floats: Vec<f32> = values
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if floats.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(CachedMap {
        points: Array2::from_shape_vec((n, 2), floats).ok()?,
        kl: (!kl.is_nan()).then_some(kl),
        perplexity_used: (!perplexity.is_nan()).then_some(perplexity),
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head)
    }
}

/// 64-bit FNV-1a: a stable file name and checksum (std's hasher may change between Rust
/// releases, which would orphan every cached map).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
#[path = "mapcache_tests.rs"]
mod tests;
