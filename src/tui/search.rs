//! The search box: what is typed matches classes (by name) and images (by id or name)
//! together, so `/7` offers both class "7" and image 7; the arrows choose, and Enter shows
//! the choice in every view (projection highlight and cursor, matrix cursor, misclassified
//! list, the cluster holding the image or most of the class).

use super::app::{App, Focus, MisFocus};
use crate::model::{ClassId, ImageId};

/// Most matches the search box lists.
pub const MAX_MATCHES: usize = 8;

/// One thing the search text matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Match {
    Class(ClassId),
    Image(ImageId),
}

impl App {
    /// Classes and images matching the search text, best first: exact class names, the
    /// image with that id, classes whose names start with it, images whose names contain it.
    pub fn search_matches(&self) -> Vec<Match> {
        let query = self.search.trim().to_lowercase();
        if query.is_empty() {
            return vec![];
        }
        let classes = &self.catalog.classes;
        let class_where = |keep: &dyn Fn(&str) -> bool| {
            (0..classes.len())
                .filter(|&c| keep(classes[c].to_lowercase().as_str()))
                .map(|c| Match::Class(c as ClassId))
                .collect::<Vec<_>>()
        };
        let mut out = class_where(&|c| c == query);
        if let Ok(id) = query.parse::<usize>()
            && id < self.catalog.num_images()
        {
            out.push(Match::Image(id as ImageId));
        }
        out.extend(class_where(&|c| c != query && c.starts_with(&query)));
        let named = self
            .catalog
            .image_names
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                n.as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&query))
            });
        out.extend(
            named
                .take(MAX_MATCHES)
                .map(|(i, _)| Match::Image(i as ImageId)),
        );
        // Image 7 matches by its id and, named "mnist-8007", by its name: listed once.
        let mut seen = std::collections::HashSet::new();
        out.retain(|m| seen.insert(*m));
        out.truncate(MAX_MATCHES);
        out
    }

    pub(super) fn apply_search(&mut self) {
        let matches = self.search_matches();
        self.overlay = None;
        if self.search.trim().is_empty() {
            return;
        }
        let chosen = self.search_selected.min(matches.len().saturating_sub(1));
        match matches.get(chosen) {
            Some(&Match::Class(class)) => self.select_class(class),
            Some(&Match::Image(image)) => self.select_image(image),
            None => {
                self.status = Some(format!(
                    "no class or image matches '{}'",
                    crate::text::escape(self.search.trim())
                ))
            }
        }
    }

    /// Shows a class everywhere: highlighted in the projection, its diagonal cell under
    /// the matrix cursor, the misclassified list filtered to it.
    fn select_class(&mut self, class: ClassId) {
        self.projection.focus = Some(Focus::Class(class));
        self.mis.filter_label = Some(class);
        self.mis.filter_predicted = None;
        self.mis.selected = 0;
        let position = self.class_position(class);
        self.matrix.cursor = (position, position);
        // The cluster holding most of the class's images.
        if let Some(c) = self.current_clusters() {
            let mut counts = vec![0usize; self.cluster_k.max(1)];
            let labels = &self.catalog.labels;
            for (i, &cluster) in c.assignment.iter().enumerate() {
                if labels.get(i) == Some(&class)
                    && let Some(n) = counts.get_mut(cluster as usize)
                {
                    *n += 1;
                }
            }
            let best = (0..counts.len()).max_by_key(|&k| (counts[k], std::cmp::Reverse(k)));
            self.cluster_selected = best.unwrap_or(0);
        }
    }

    /// Puts every view on an image: the projection cursor, its (true, predicted) cell in
    /// the matrix, its row of the misclassified list if it is there, its cluster.
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
        let label = self.catalog.labels[image as usize];
        let predicted = self
            .scores()
            .map_or(label, |s| s.predictions[image as usize].class);
        self.matrix.cursor = (self.class_position(label), self.class_position(predicted));
        if let Some(&cluster) = self
            .current_clusters()
            .and_then(|c| c.assignment.get(image as usize))
        {
            self.cluster_selected = cluster as usize;
        }
    }

    /// Where a class is in the matrix's display order.
    fn class_position(&self, class: ClassId) -> usize {
        let order = self.class_order();
        order.iter().position(|&c| c == class as usize).unwrap_or(0)
    }
}
