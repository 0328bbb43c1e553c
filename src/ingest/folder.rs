//! Pictures from a folder laid out as root/<class name>/<file>: PNG or JPEG, decoded with
//! the `image` crate and resized to thumbnails. Images are ordered by class folder name,
//! then by file name: the order the activation files must follow.

use std::path::{Path, PathBuf};

use super::arrays::{Pictures, at};
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
    let (mut thumbnails, mut labels, mut names) = (Vec::new(), Vec::new(), Vec::new());
    for (label, dir) in classes.iter().enumerate() {
        let files: Vec<PathBuf> = sorted_entries(dir)?
            .into_iter()
            .filter(|p| p.is_file())
            .collect();
        if files.is_empty() {
            return Err(at(dir, "class folder without images"));
        }
        for file in files {
            let img = image::open(&file)
                .map_err(|e| at(&file, format!("not a readable PNG or JPEG image ({e})")))?;
            let rgb = img
                .resize_exact(size, size, image::imageops::FilterType::Triangle)
                .to_rgb8();
            thumbnails.push(Thumbnail {
                width: size as usize,
                height: size as usize,
                channels: 3,
                pixels: rgb.into_raw(),
            });
            labels.push(label as u32);
        }
        names.push(
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    Ok(Pictures {
        thumbnails,
        labels: Some(labels),
        class_names: Some(names),
    })
}
