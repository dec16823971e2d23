//! Files and folders the app makes hold personal data (the SQLite database,
//! email files, keys): folders are created 0700 and files 0600, and ones
//! found more open are closed down at start-up.

use std::io::Write;
use std::path::Path;

/// Creates `dir` (and its parents) readable by this user only, and makes
/// an existing one so, unless it is shared: a folder with the sticky bit
/// (such as /tmp) or another user's is left as it is, since closing it
/// would break everyone else who uses it (the files the app writes in it
/// are still its user's alone).
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let found = std::fs::metadata(dir)?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let ours = found.uid() == unsafe { libc::geteuid() };
        let sticky = found.mode() & 0o1000 != 0;
        if !ours || sticky {
            return Ok(());
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Makes an existing file readable by this user only.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Writes a new file readable by this user only; with `create_new`, fails
/// if it exists.
pub fn write_private(path: &Path, bytes: &[u8], create_new: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn own_folders_are_closed_down_and_shared_ones_left_open() {
        let root = tempfile::tempdir().unwrap();
        let made = root.path().join("a/b");
        private_dir(&made).unwrap();
        assert_eq!(mode(&made), 0o700, "created");
        let open = root.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o700, "closed down");
        // A shared folder such as /tmp keeps its mode.
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o1777, "shared");
    }
}
