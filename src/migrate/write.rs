//! Writing a migrated file atomically: a temporary file in the same
//! directory, flushed to disk, renamed over the original. A crash leaves
//! either the old file or the new one, never half of each.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be written. Messages leave out the path: callers
/// show it the way their user typed it.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the file is read-only; make it writable (chmod u+w) to migrate it")]
    ReadOnly,
    #[error("the file changed on disk while it was being migrated; run migrate again")]
    ChangedMeanwhile,
    #[error("could not write the file: {0}")]
    Io(#[from] io::Error),
}

/// Replace the content of `path` with `new_text`, provided it still holds
/// `expected_old`. The file's permissions are kept; a symbolic link is
/// followed and its target rewritten (the link stays a link).
pub fn write_atomic(path: &Path, expected_old: &str, new_text: &str) -> Result<(), WriteError> {
    let target = fs::canonicalize(path)?;
    let metadata = fs::metadata(&target)?;
    // A rename replaces a read-only file as easily as any other: honour the
    // user's intent explicitly.
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    if fs::read(&target)? != expected_old.as_bytes() {
        return Err(WriteError::ChangedMeanwhile);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp_path, mut temp) = create_temp(dir, &name)?;
    let written = (|| {
        temp.write_all(new_text.as_bytes())?;
        temp.set_permissions(metadata.permissions())?;
        temp.sync_all()?;
        drop(temp);
        fs::rename(&temp_path, &target)
    })();
    if let Err(err) = written {
        let _ = fs::remove_file(&temp_path);
        return Err(err.into());
    }
    // Make the rename itself durable; not every platform can sync a directory.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut attempt = 0u32;
    loop {
        let candidate = dir.join(format!(".{name}.mz-presync-{pid}-{attempt}.tmp"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mz-presync-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn keeps_the_mode_and_leaves_no_temp_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let path = dir.join("a.yaml");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "old", "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_read_only_and_changed_files() {
        let dir = temp_dir("refuse");
        let path = dir.join("a.yaml");
        fs::write(&path, "old").unwrap();
        assert!(matches!(
            write_atomic(&path, "other", "new"),
            Err(WriteError::ChangedMeanwhile)
        ));
        let mut perms = fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        fs::set_permissions(&path, perms).unwrap();
        assert!(matches!(
            write_atomic(&path, "old", "new"),
            Err(WriteError::ReadOnly)
        ));
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        let mut perms = fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        fs::set_permissions(&path, perms).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link() {
        let dir = temp_dir("link");
        let real = dir.join("real.yaml");
        let link = dir.join("link.yaml");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, "old", "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        fs::remove_dir_all(&dir).unwrap();
    }
}
