//! Reading input the user points at: a file, or stdin for `-`.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Reads a payload's exact bytes from a file, or stdin for `-` or nothing.
pub fn read_payload(path: Option<&Path>) -> Result<Vec<u8>> {
    match path {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).map_err(|e| Error::unreadable("payload file", p, &e))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| Error::usage(format!("cannot read the payload from stdin: {e}")))?;
            Ok(buf)
        }
    }
}
