//! The search box: an image id, a class name, or part of an image's name.

use super::app::{App, Focus, MisFocus};
use crate::model::{ClassId, ImageId};

impl App {
    pub(super) fn apply_search(&mut self) {
        let query = self.search.trim().to_string();
        self.overlay = None;
        if query.is_empty() {
            return;
        }
        if let Ok(id) = query.parse::<usize>()
            && id < self.catalog.num_images()
        {
            self.select_image(id as ImageId);
            return;
        }
        let lower = query.to_lowercase();
        let by_name = |exact: bool| {
            self.catalog.classes.iter().position(|c| {
                let c = c.to_lowercase();
                if exact {
                    c == lower
                } else {
                    c.starts_with(&lower)
                }
            })
        };
        if let Some(class) = by_name(true).or_else(|| by_name(false)) {
            self.projection.focus = Some(Focus::Class(class as ClassId));
            self.mis.filter_label = Some(class as ClassId);
            self.mis.selected = 0;
            return;
        }
        let by_image_name = self.catalog.image_names.iter().position(|n| {
            n.as_deref()
                .is_some_and(|n| n.to_lowercase().contains(&lower))
        });
        match by_image_name {
            Some(i) => self.select_image(i as ImageId),
            None => {
                self.status = Some(format!(
                    "no class or image matches '{}'",
                    crate::text::escape(&query)
                ))
            }
        }
    }

    /// Puts the projection cursor on an image, and the misclassified list on it if it is there.
    pub fn select_image(&mut self, image: ImageId) {
        self.projection.cursor = Some(image);
        self.mis.filter_label = None;
        self.mis.filter_predicted = None;
        if let Some(i) = self
            .visible_mistakes()
            .iter()
            .position(|m| m.image == image)
        {
            self.mis.selected = i;
            self.mis.focus = MisFocus::List;
        }
    }
}
