//! What the xtask tests share.

use std::path::{Path, PathBuf};

/// The checkout's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Bytes a program printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty scratch directory outside this checkout (in the system's temporary
/// directory, where git and the search for the checkout do not find this one), removed when
/// the test ends, passed or failed.
pub struct Outside(PathBuf);

impl Outside {
    /// `happytalk-xtask-PID-NAME`, empty.
    pub fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("happytalk-xtask-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Outside(dir)
    }
}

impl std::ops::Deref for Outside {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
