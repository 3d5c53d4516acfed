//! `--save FILE`: every delivery's NDJSON line appended to FILE with one
//! unbuffered write, before the sender gets its answer, so the file is complete
//! for whoever reads it after a response (and survives a crash of the listener).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result, io_reason};

/// The file deliveries are saved to.
pub struct SaveFile {
    path: PathBuf,
    file: Mutex<File>,
}

impl SaveFile {
    /// Opens (creating if needed) `path` for appending. Failure is a usage error.
    pub fn open(path: &Path) -> Result<SaveFile> {
        let file = OpenOptions::new().create(true).append(true).open(path).map_err(|e| {
            Error::usage(format!("cannot open --save file '{}': {}", path.display(), io_reason(&e)))
        })?;
        Ok(SaveFile { path: path.to_path_buf(), file: Mutex::new(file) })
    }

    /// Appends one complete line (it must end with a newline).
    pub fn append(&self, line: &[u8]) -> io::Result<()> {
        debug_assert!(line.ends_with(b"\n"));
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // `File` is unbuffered: the line is in the file once this returns.
        f.write_all(line)
    }

    /// The path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.ndjson");
        std::fs::write(&p, "old\n").unwrap();
        let s = SaveFile::open(&p).unwrap();
        s.append(b"{\"a\":1}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n{\"a\":1}\n");
        assert_eq!(s.path(), p);
    }

    #[test]
    fn unopenable_is_usage_error() {
        let e = SaveFile::open(Path::new("/nonexistent/dir/x.ndjson")).err().unwrap();
        assert_eq!(e.exit_code(), 2);
    }
}
