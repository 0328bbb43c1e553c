//! Pictures from a folder laid out as `root/<class name>/<file>`, as torchvision's ImageFolder
//! reads them: PNG, JPEG, WebP or BMP, decoded with the `image` crate. Images are ordered by
//! class folder name, then by file name: the order the activation files must follow. Each
//! keeps its file name; grey pictures stay grey, and pictures no larger than the thumbnail
//! size keep their size (larger ones shrink to fit, aspect kept). Files that are not
//! pictures (by extension) are skipped with one warning line.

use std::path::{Path, PathBuf};

use super::at;
use super::pictures::Pictures;
use crate::model::Thumbnail;

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| at(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    Ok(entries)
}

fn is_picture(path: &Path) -> bool {
    image::ImageFormat::from_path(path).is_ok_and(|f| f.reading_enabled())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn thumbnail(file: &Path, size: u32) -> Result<Thumbnail, String> {
    let img = image::open(file).map_err(|e| {
        at(
            file,
            format!("not a readable PNG, JPEG, WebP or BMP image ({e})"),
        )
    })?;
    let img = if img.width() > size || img.height() > size {
        img.resize(size, size, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let grey = !img.color().has_color();
    let (width, height) = (img.width() as usize, img.height() as usize);
    let (channels, pixels) = if grey {
        (1, img.to_luma8().into_raw())
    } else {
        (3, img.to_rgb8().into_raw())
    };
    Ok(Thumbnail {
        width,
        height,
        channels,
        pixels,
    })
}

pub fn read_folder(root: &Path, size: u32) -> Result<Pictures, String> {
    let classes: Vec<PathBuf> = sorted_entries(root)?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    if classes.is_empty() {
        return Err(at(
            root,
            "no class folders (expected root/<class name>/<image files>)",
        ));
    }
    let mut p = Pictures::default();
    let (mut labels, mut names, mut images, mut skipped) = (vec![], vec![], vec![], vec![]);
    for (label, dir) in classes.iter().enumerate() {
        let (pictures, others): (Vec<PathBuf>, Vec<PathBuf>) = sorted_entries(dir)?
            .into_iter()
            .filter(|p| p.is_file())
            .partition(|p| is_picture(p));
        skipped.extend(others);
        if pictures.is_empty() {
            return Err(at(dir, "class folder without images"));
        }
        for file in pictures {
            p.thumbnails.push(thumbnail(&file, size)?);
            labels.push(label as u32);
            images.push(file_name(&file));
        }
        names.push(file_name(dir));
    }
    if let Some(first) = skipped.first() {
        p.notes.push(format!(
            "warning: skipped {} file(s) that are not pictures, e.g. {}",
            skipped.len(),
            first.display()
        ));
    }
    p.labels = Some(labels);
    p.class_names = Some(names);
    p.image_names = Some(images);
    Ok(p)
}
