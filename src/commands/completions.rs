//! `completions SHELL`: shell completion scripts, generated from the clap types.

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::{ExitStatus, Result};

/// The binary name completions are written for.
pub const BIN_NAME: &str = "scopien-hooks";

/// Every shell a script is generated and committed for.
pub const SHELLS: [Shell; 5] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish];

/// The completion script for `shell`.
pub fn render(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN_NAME, &mut out);
    out
}

/// The file name the script for `shell` is committed under in `completions/`.
pub fn file_name(shell: Shell) -> String {
    shell.file_name(BIN_NAME)
}

/// Prints the script.
pub fn run(args: &CompletionsArgs, ctx: &Context) -> Result<ExitStatus> {
    ctx.printer.out_bytes(&render(args.shell));
    Ok(ExitStatus::Success)
}
