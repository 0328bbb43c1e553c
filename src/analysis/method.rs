//! The one list of ways a layer is mapped to 2-D: what `project --method` parses, what the
//! viewer's `m` cycles through, and what a map's cache key and title name.

/// How a layer is mapped to 2-D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Method {
    /// Principal components: linear, exact, instant
    #[default]
    Pca,
    /// t-SNE: local neighbourhoods, sub-groups inside classes; seconds
    Tsne,
    /// UMAP: like t-SNE, with more of the global layout kept
    Umap,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Pca, Method::Tsne, Method::Umap];

    /// The name people write: titles, progress lines, error messages.
    pub fn name(self) -> &'static str {
        match self {
            Method::Pca => "PCA",
            Method::Tsne => "t-SNE",
            Method::Umap => "UMAP",
        }
    }

    /// Whether the method is t-SNE or UMAP: seconds of work, cached on disk, started from
    /// a neighbouring step's map.
    pub fn is_nonlinear(self) -> bool {
        self != Method::Pca
    }

    /// The next method, for a key that cycles through them.
    pub fn next(self) -> Method {
        let i = Method::ALL.iter().position(|&m| m == self).unwrap_or(0);
        Method::ALL[(i + 1) % Method::ALL.len()]
    }
}
