//! Failures and exit codes. Every error is either a usage error (exit 2: bad
//! flag, unknown event, bad URL or id, unreadable file) or a failure (exit 1:
//! the operation itself failed), with one line of message and maybe a hint.

use std::fmt;

/// Which exit code an error maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Invalid usage or input: exit 2.
    Usage,
    /// The operation failed: exit 1.
    Failure,
}

/// An error to report to the user: one line, plus an optional hint saying what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

impl Error {
    /// Invalid usage or input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Usage, message: message.into(), hint: None }
    }

    /// The operation failed (exit 1).
    pub fn failure(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::Failure, message: message.into(), hint: None }
    }

    /// Adds what the user can do next.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A usage error for a file that cannot be read.
    pub fn unreadable(what: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        Error::usage(format!("cannot read {what} '{}': {}", path.display(), io_reason(err)))
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit code: 2 for usage errors, 1 for failures.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Failure => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// An io error's reason without the "(os error N)" noise.
pub fn io_reason(err: &std::io::Error) -> String {
    without_os_code(&err.to_string()).to_string()
}

/// An OS error message without its " (os error N)" suffix.
pub fn without_os_code(text: &str) -> &str {
    text.find(" (os error").map_or(text, |i| &text[..i])
}

/// The result type of every command.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How a command that ran to its end finished. A command that has already
/// printed why it failed (say `verify` printing `invalid`) returns `Failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Exit 0.
    Success,
    /// Exit 1, the reason already printed.
    Failure,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
        }
    }

    /// `Success` when `ok`, else `Failure`.
    pub fn from_ok(ok: bool) -> Self {
        if ok { ExitStatus::Success } else { ExitStatus::Failure }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::failure("x").exit_code(), 1);
        assert_eq!(ExitStatus::Success.code(), 0);
        assert_eq!(ExitStatus::from_ok(false).code(), 1);
        let e = Error::failure("boom").with_hint("try again");
        assert_eq!(e.to_string(), "boom");
        assert_eq!(e.hint(), Some("try again"));
    }

    #[test]
    fn io_reason_drops_os_error() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&e), "No such file or directory");
    }
}
