//! Reading files into [`SourceFile`]s with named errors.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{FileFormat, SourceFile};

/// Files larger than this are not read unless the caller raises the limit.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A NUL byte in this many leading bytes marks a file as binary (the same
/// rule git and ripgrep use).
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Why a file could not be found or read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: file is {size} bytes, more than the limit of {limit}", path.display())]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{}: binary file (contains NUL bytes)", path.display())]
    Binary { path: PathBuf },
    #[error("{}: not valid UTF-8 (first invalid byte at offset {offset})", path.display())]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{}: {encoding} text is not supported; convert the file to UTF-8", path.display())]
    UnsupportedEncoding {
        path: PathBuf,
        encoding: &'static str,
    },
    #[error("{}: is a directory, not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: symbolic link to {} points outside {}; not followed", path.display(), target.display(), root.display())]
    SymlinkOutsideRoot {
        path: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
    #[error("{}: symbolic link loop (back to {}); not followed", path.display(), ancestor.display())]
    SymlinkLoop { path: PathBuf, ancestor: PathBuf },
    #[error("{}: broken symbolic link", path.display())]
    BrokenSymlink { path: PathBuf },
}

impl ReadError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::NotFound(path)
            | ReadError::Io { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Binary { path }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::UnsupportedEncoding { path, .. }
            | ReadError::NotAFile { path }
            | ReadError::SymlinkOutsideRoot { path, .. }
            | ReadError::SymlinkLoop { path, .. }
            | ReadError::BrokenSymlink { path } => path,
        }
    }

    /// Classify an I/O error on `path`.
    pub(crate) fn from_io(path: &Path, err: std::io::Error) -> ReadError {
        let path = path.to_path_buf();
        match err.kind() {
            std::io::ErrorKind::NotFound => {
                let is_link =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                if is_link {
                    ReadError::BrokenSymlink { path }
                } else {
                    ReadError::NotFound(path)
                }
            }
            std::io::ErrorKind::IsADirectory => ReadError::NotAFile { path },
            _ => ReadError::Io { path, source: err },
        }
    }
}

/// Read a file. The text is kept exactly as it is on disk (BOM and CRLF
/// included); the format is chosen by extension (`.json` → JSON, anything
/// else → YAML). Files larger than `max_size` bytes, binary files, and text
/// that is not UTF-8 are named errors.
pub fn read_file(path: &Path, display: String, max_size: u64) -> Result<SourceFile, ReadError> {
    // Open first and ask the open file for its size: one path lookup.
    let file = std::fs::File::open(path).map_err(|e| ReadError::from_io(path, e))?;
    let meta = file.metadata().map_err(|e| ReadError::from_io(path, e))?;
    if meta.is_dir() {
        return Err(ReadError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    // Regular files report their size up front; pipes and devices do not,
    // so the read below is capped as well.
    if meta.is_file() && meta.len() > max_size {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: max_size,
        });
    }
    let capacity = if meta.is_file() {
        meta.len().min(max_size)
    } else {
        0
    };
    let bytes = read_capped(file, max_size, capacity as usize).map_err(|e| match e {
        Capped::Io(err) => ReadError::from_io(path, err),
        Capped::TooLarge(size) => ReadError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: max_size,
        },
    })?;
    source_from_bytes(
        path.to_path_buf(),
        display,
        bytes,
        FileFormat::from_path(path),
    )
}

/// Read a path given on the command line or found by a walk: `-` is
/// standard input, anything else a file shown by its
/// [`display_path`](super::display_path).
pub fn read_path(path: &Path, max_size: u64) -> Result<SourceFile, ReadError> {
    if path.as_os_str() == "-" {
        read_stdin(max_size)
    } else {
        read_file(path, super::display_path(path), max_size)
    }
}

/// Read standard input (shown as `-`, parsed as YAML, which covers JSON).
pub fn read_stdin(max_size: u64) -> Result<SourceFile, ReadError> {
    let path = PathBuf::from("-");
    let bytes = read_capped(std::io::stdin().lock(), max_size, 0).map_err(|e| match e {
        Capped::Io(source) => ReadError::Io {
            path: path.clone(),
            source,
        },
        Capped::TooLarge(size) => ReadError::TooLarge {
            path: path.clone(),
            size,
            limit: max_size,
        },
    })?;
    source_from_bytes(path, "-".into(), bytes, FileFormat::Yaml)
}

enum Capped {
    Io(std::io::Error),
    /// At least this many bytes.
    TooLarge(u64),
}

fn read_capped(reader: impl Read, max_size: u64, capacity: usize) -> Result<Vec<u8>, Capped> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Capped::Io)?;
    if bytes.len() as u64 > max_size {
        return Err(Capped::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Turn raw bytes into a [`SourceFile`], with the same checks as
/// [`read_file`] (for callers that get bytes elsewhere, e.g. git blobs).
pub fn source_from_bytes(
    path: PathBuf,
    display: String,
    bytes: Vec<u8>,
    format: FileFormat,
) -> Result<SourceFile, ReadError> {
    // UTF-16/32 files are legal YAML but rare in manifests; they are full of
    // NUL bytes, so name them before the binary check does.
    let encoding = if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some("UTF-32BE")
    } else if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some("UTF-32LE")
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some("UTF-16BE")
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some("UTF-16LE")
    } else {
        None
    };
    if let Some(encoding) = encoding {
        return Err(ReadError::UnsupportedEncoding { path, encoding });
    }
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if memchr::memchr(0, sniff).is_some() {
        return Err(ReadError::Binary { path });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::from_text(display, path, text, format)),
        Err(e) => Err(ReadError::NotUtf8 {
            path,
            offset: e.utf8_error().valid_up_to(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn reads_text_as_is() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.yaml", b"\xEF\xBB\xBFa: 1\r\n");
        let f = read_file(&p, "a.yaml".into(), DEFAULT_MAX_FILE_SIZE).unwrap();
        assert_eq!(f.text, "\u{feff}a: 1\r\n");
        assert_eq!(f.format, FileFormat::Yaml);
        assert_eq!(f.display, "a.yaml");
        let p = write(dir.path(), "b.JSON", b"{}");
        assert_eq!(
            read_file(&p, "b".into(), 100).unwrap().format,
            FileFormat::Json
        );
        let p = write(dir.path(), "noext", b"a: 1");
        assert_eq!(
            read_file(&p, "noext".into(), 100).unwrap().format,
            FileFormat::Yaml
        );
        let p = write(dir.path(), "empty.yaml", b"");
        assert_eq!(read_file(&p, "e".into(), 100).unwrap().text, "");
    }

    #[test]
    fn named_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.yaml");
        assert!(
            matches!(read_file(&missing, "m".into(), 100), Err(ReadError::NotFound(p)) if p == missing)
        );

        let p = write(dir.path(), "big.yaml", &[b'a'; 101]);
        assert!(matches!(
            read_file(&p, "b".into(), 100),
            Err(ReadError::TooLarge {
                size: 101,
                limit: 100,
                ..
            })
        ));
        assert!(read_file(&p, "b".into(), 101).is_ok());

        let p = write(dir.path(), "nul.yaml", b"a: 1\n\0\n");
        assert!(matches!(
            read_file(&p, "n".into(), 100),
            Err(ReadError::Binary { .. })
        ));

        let p = write(dir.path(), "latin1.yaml", b"a: caf\xE9\n");
        assert!(matches!(
            read_file(&p, "l".into(), 100),
            Err(ReadError::NotUtf8 { offset: 6, .. })
        ));
        // A multi-byte sequence cut short at the end.
        let p = write(dir.path(), "cut.yaml", b"a: \xE2\x82");
        assert!(matches!(
            read_file(&p, "c".into(), 100),
            Err(ReadError::NotUtf8 { offset: 3, .. })
        ));

        let p = write(dir.path(), "utf16.yaml", b"\xFF\xFEa\0:\0 \x001\0");
        assert!(matches!(
            read_file(&p, "u".into(), 100),
            Err(ReadError::UnsupportedEncoding {
                encoding: "UTF-16LE",
                ..
            })
        ));

        assert!(matches!(
            read_file(dir.path(), "d".into(), 100),
            Err(ReadError::NotAFile { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn broken_symlink_and_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("dangling.yaml");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
        assert!(matches!(
            read_file(&link, "d".into(), 100),
            Err(ReadError::BrokenSymlink { .. })
        ));
        // A device that never ends is capped, not read forever.
        let zero = Path::new("/dev/zero");
        if zero.exists() {
            assert!(matches!(
                read_file(zero, "z".into(), 1000),
                Err(ReadError::TooLarge { .. }) | Err(ReadError::Binary { .. })
            ));
        }
    }

    #[test]
    fn messages_name_the_path() {
        let e = ReadError::NotFound(PathBuf::from("x/y.yaml"));
        assert_eq!(e.to_string(), "x/y.yaml: no such file or directory");
        assert_eq!(e.path(), Path::new("x/y.yaml"));
    }
}
