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
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        // The lines hold the senders' headers: only the user may read them.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(|e| {
            Error::usage(format!("cannot open --save file '{}': {}", path.display(), io_reason(&e)))
        })?;
        Ok(SaveFile { path: path.to_path_buf(), file: Mutex::new(file) })
    }

    /// Appends one complete line (it must end with a newline). When only part
    /// of it could be written (a full disk), that part is cut off again, so the
    /// file stays whole lines.
    pub fn append(&self, line: &[u8]) -> io::Result<()> {
        debug_assert!(line.ends_with(b"\n"));
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // `File` is unbuffered: the line is in the file once this returns.
        let mut written = 0;
        while written < line.len() {
            match f.write(&line[written..]) {
                Ok(0) => return Err(cut(&f, written, io::ErrorKind::WriteZero.into())),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(cut(&f, written, e)),
            }
        }
        Ok(())
    }

    /// The path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Removes the `written` bytes of a line that could not be finished; returns `e`.
fn cut(f: &File, written: usize, e: io::Error) -> io::Error {
    if written > 0
        && let Ok(meta) = f.metadata()
    {
        let _ = f.set_len(meta.len().saturating_sub(written as u64));
    }
    e
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

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.ndjson");
        SaveFile::open(&p).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_an_error() {
        let s = SaveFile::open(Path::new("/dev/full")).unwrap();
        assert!(s.append(b"{}\n").is_err());
    }

    #[test]
    fn unopenable_is_usage_error() {
        let e = SaveFile::open(Path::new("/nonexistent/dir/x.ndjson")).err().unwrap();
        assert_eq!(e.exit_code(), 2);
    }
}
