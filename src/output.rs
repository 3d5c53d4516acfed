//! The output layer every command uses. stdout carries only data (one JSON
//! document, or NDJSON for streams, with `--json`); progress, prompts, hints and
//! errors go to stderr. Colour is decided once. A closed stdout pipe ends the
//! process quietly with exit 0, as `head` users expect.
//!
//! Every human line passes through [`escape::guard`], so outside text a view
//! did not escape still cannot drive the terminal, and through
//! [`redact::url_passwords`], so no URL's password is shown. JSON goes out as serde writes it, with
//! only JSON's own escapes added ([`escape::json`]).

use std::io::{self, IsTerminal, Write};

use colored::Colorize;
use serde::Serialize;

use crate::error::Error;
use crate::{env, escape, redact};

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the output is a terminal and NO_COLOR is unset
    #[default]
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Results and errors only.
    Quiet,
    /// The default.
    Normal,
    /// `-v`: more detail, HTTP traces.
    Verbose,
}

/// Owns stdout and stderr for a command.
#[derive(Debug, Clone)]
pub struct Printer {
    json: bool,
    color: bool,
    verbosity: Verbosity,
    stdout_tty: bool,
    stderr_tty: bool,
}

/// Decides whether to colour: `--color` first, then `NO_COLOR`, then `FORCE_COLOR`,
/// then whether the stream is a terminal.
pub fn resolve_color(choice: ColorChoice, is_tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env::var(env::NO_COLOR).is_some() {
                false
            } else if env::var(env::FORCE_COLOR).is_some_and(|v| v != "0") {
                true
            } else {
                is_tty
            }
        }
    }
}

impl Printer {
    /// A printer for these choices. Sets the `colored` crate's global switch.
    pub fn new(json: bool, color: ColorChoice, verbosity: Verbosity) -> Self {
        let stdout_tty = io::stdout().is_terminal();
        let stderr_tty = io::stderr().is_terminal();
        // One switch colours both streams, so `auto` colours only when neither is
        // redirected: escape codes never land in a file or a pipe.
        let color = resolve_color(color, stdout_tty && stderr_tty);
        colored::control::set_override(color);
        Printer { json, color, verbosity, stdout_tty, stderr_tty }
    }

    /// Whether `--json` was given.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Whether output is coloured.
    pub fn color(&self) -> bool {
        self.color
    }

    /// The verbosity level.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Whether stdout is a terminal.
    pub fn stdout_is_tty(&self) -> bool {
        self.stdout_tty
    }

    /// Whether stderr is a terminal (progress bars and prompts go there).
    pub fn stderr_is_tty(&self) -> bool {
        self.stderr_tty
    }

    /// Writes the program's own bytes (a completion script) to stdout as they are.
    pub fn out_bytes(&self, bytes: &[u8]) {
        let mut out = io::stdout().lock();
        exit_on_broken_pipe(out.write_all(bytes).and_then(|()| out.flush()));
    }

    /// Writes one human line to stdout.
    pub fn out_line(&self, line: &str) {
        self.out_text(&format!("{line}\n"));
    }

    /// Writes human text (whole lines, each ending in a newline) to stdout:
    /// made terminal-safe, URL passwords masked.
    pub fn out_text(&self, text: &str) {
        self.out_bytes(escape::guard(&redact::url_passwords(text), self.color).as_bytes());
    }

    /// Writes a value as one pretty JSON document on stdout.
    pub fn out_json<T: Serialize + ?Sized>(&self, value: &T) {
        let text = serde_json::to_string_pretty(value).expect("serialising to a string cannot fail");
        self.out_bytes(format!("{}\n", escape::json(text)).as_bytes());
    }

    /// Writes a value as one compact JSON line on stdout (NDJSON streams).
    pub fn out_ndjson<T: Serialize + ?Sized>(&self, value: &T) {
        let text = serde_json::to_string(value).expect("serialising to a string cannot fail");
        self.out_bytes(format!("{}\n", escape::json(text)).as_bytes());
    }

    /// A status line on stderr (hidden by `-q`).
    pub fn status(&self, line: &str) {
        if self.verbosity >= Verbosity::Normal {
            eprintln_safe(line);
        }
    }

    /// A detail line on stderr, shown with `-v` only.
    pub fn verbose(&self, line: &str) {
        if self.verbosity >= Verbosity::Verbose {
            // Escaped before dimming: the dim codes are the printer's own.
            eprintln_safe(&escape::guard(line, self.color).dimmed().to_string());
        }
    }

    /// A warning on stderr (shown even with `-q`).
    pub fn warn(&self, line: &str) {
        eprintln_safe(&format!("{} {line}", "warning:".yellow().bold()));
    }

    /// A hint on stderr (hidden by `-q`).
    pub fn hint(&self, line: &str) {
        if self.verbosity >= Verbosity::Normal {
            eprintln_safe(&format!("{} {line}", "hint:".cyan().bold()));
        }
    }

    /// Reports an error: one line, then its hint. Messages are plain text
    /// (often holding a server's own words), so they are escaped in full.
    pub fn error(&self, err: &Error) {
        eprintln_safe(&format!("{} {}", "error:".red().bold(), escape::escape(err.message())));
        if let Some(hint) = err.hint() {
            eprintln_safe(&format!("{} {}", "hint:".cyan().bold(), escape::escape(hint)));
        }
    }
}

/// Writes a line to stderr, ignoring a closed stderr. Every stderr line goes
/// through here, so each is made terminal-safe ([`escape::guard`], keeping
/// colour only when colour is on) and has its URL passwords masked.
pub fn eprintln_safe(line: &str) {
    let color = colored::control::SHOULD_COLORIZE.should_colorize();
    let line = redact::url_passwords(line);
    let line = escape::guard(&line, color);
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Ends the process with exit 0 when stdout's reader has gone away.
pub fn exit_on_broken_pipe(result: io::Result<()>) {
    if let Err(e) = result
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}
