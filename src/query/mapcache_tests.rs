use super::*;
use ndarray::array;
use std::ffi::OsString;

fn fixture() -> (tempfile::TempDir, PathBuf, MapCache) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("run.sqlite");
    fs::write(&db, b"not really a database, only its identity matters").unwrap();
    let cache = MapCache::from_vars(Some(OsString::from(tmp.path().join("xdg"))), None).unwrap();
    (tmp, db, cache)
}

fn sample() -> CachedMap {
    CachedMap {
        points: array![[0.5f32, -1.0], [2.0, 3.25], [-7.0, 0.0]],
        kl: Some(1.25),
        perplexity_used: Some(30.0),
    }
}

fn only_file(cache: &MapCache) -> PathBuf {
    let files: Vec<_> = fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn resolves_the_xdg_directory_then_home() {
    let xdg = MapCache::from_vars(Some("/x/cache".into()), Some("/home/u".into())).unwrap();
    assert_eq!(xdg.dir(), Path::new("/x/cache/deepscope/maps"));
    let home =
        MapCache::from_vars(Some("relative/ignored".into()), Some("/home/u".into())).unwrap();
    assert_eq!(home.dir(), Path::new("/home/u/.cache/deepscope/maps"));
    assert!(MapCache::from_vars(None, None).is_none());
}

#[test]
fn stores_and_loads_a_map_outside_the_database() {
    let (tmp, db, cache) = fixture();
    let key = MapKey::new(&db, 100, "fc64", "tsne perplexity=30 seed=0").unwrap();
    assert_eq!(cache.load(&key), None);
    cache.store(&key, &sample()).unwrap();
    assert_eq!(cache.load(&key), Some(sample()));
    assert!(only_file(&cache).starts_with(tmp.path().join("xdg/deepscope/maps")));
    let without = CachedMap {
        kl: None,
        perplexity_used: None,
        ..sample()
    };
    cache.store(&key, &without).unwrap();
    assert_eq!(cache.load(&key), Some(without));
}

#[test]
fn every_part_of_the_key_matters() {
    let (_tmp, db, cache) = fixture();
    let key = MapKey::new(&db, 100, "fc64", "tsne perplexity=30 seed=0").unwrap();
    cache.store(&key, &sample()).unwrap();
    for other in [
        MapKey::new(&db, 200, "fc64", "tsne perplexity=30 seed=0").unwrap(),
        MapKey::new(&db, 100, "logits", "tsne perplexity=30 seed=0").unwrap(),
        MapKey::new(&db, 100, "fc64", "tsne perplexity=30 seed=1").unwrap(),
        MapKey::new(&db, 100, "fc64", "umap neighbours=15 seed=0").unwrap(),
    ] {
        assert_ne!(other, key);
        assert_eq!(cache.load(&other), None);
    }
    // The database grew (a training run appended a step): its old maps no longer apply.
    fs::write(
        &db,
        b"not really a database, only its identity matters, now longer",
    )
    .unwrap();
    let grown = MapKey::new(&db, 100, "fc64", "tsne perplexity=30 seed=0").unwrap();
    assert_eq!(cache.load(&grown), None);
}

#[test]
fn damaged_entries_are_ignored_and_replaced() {
    let (_tmp, db, cache) = fixture();
    let key = MapKey::new(&db, 1, "fc64", "tsne").unwrap();
    cache.store(&key, &sample()).unwrap();
    let file = only_file(&cache);
    let good = fs::read(&file).unwrap();

    let mut flipped = good.clone();
    let mid = flipped.len() - 20;
    flipped[mid] ^= 0x40;
    let damaged: Vec<Vec<u8>> = vec![
        flipped,
        good[..good.len() - 9].to_vec(),
        Vec::new(),
        b"garbage".to_vec(),
        vec![0xff; good.len()],
    ];
    for bytes in damaged {
        fs::write(&file, &bytes).unwrap();
        assert_eq!(
            cache.load(&key),
            None,
            "accepted {} damaged bytes",
            bytes.len()
        );
    }
    cache.store(&key, &sample()).unwrap();
    assert_eq!(cache.load(&key), Some(sample()));
}

#[test]
fn a_missing_database_gives_no_key() {
    assert!(MapKey::new(Path::new("/no/such/run.sqlite"), 1, "fc64", "tsne").is_err());
}
