//! scopien-hooks: the command-line companion for Scopien AI webhooks.
//!
//! The binary is a thin wrapper around [`main_entry`]; everything else lives here
//! so that tests and benchmarks can drive it in-process.

pub mod api;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod emulator;
pub mod env;
pub mod error;
pub mod escape;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod ids;
pub mod input;
pub mod listen;
pub mod localtime;
pub mod manage;
pub mod output;
pub mod payload;
pub mod redact;
pub mod retry;
pub mod send;
pub mod server;
pub mod settings;
pub mod signals;
pub mod signature;
pub mod target;
pub mod units;
pub mod wire;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

pub use error::{Error, ExitStatus, Result};

/// Parses the command line, runs the command and returns the exit code.
pub fn main_entry() -> ExitCode {
    match cli::Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) => usage_error(e),
    }
}

/// Reports a command-line error the way every other error is reported: one
/// `error:` line and one `hint:` line (clap's usage block is what `--help` is
/// for). Help and version output are printed as clap renders them.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
    }
    let sub = subcommand_given(std::env::args().skip(1));
    let (message, hint) = compact_clap_error(&e.to_string(), sub.as_deref());
    let printer = output::Printer::new(false, output::ColorChoice::Auto, output::Verbosity::Normal);
    printer.error(&Error::usage(message).with_hint(hint));
    ExitCode::from(2)
}

/// The first word of the command line that names a subcommand: clap's text
/// for a refused value has no usage line to say which command it was.
fn subcommand_given(mut args: impl Iterator<Item = String>) -> Option<String> {
    use clap::CommandFactory;
    let root = cli::Cli::command();
    args.find(|a| root.get_subcommands().any(|s| s.get_name() == a))
}

/// Folds clap's multi-line error text into one message and one hint: the tips
/// clap offers (a similar flag or command) when there are any, else where the
/// usage of the command given (`sub`) is shown.
fn compact_clap_error(text: &str, sub: Option<&str>) -> (String, String) {
    let text = text.strip_prefix("error: ").unwrap_or(text);
    let mut message = Vec::new();
    let mut tips = Vec::new();
    let mut command = match sub {
        Some(sub) => format!("scopien-hooks {sub}"),
        None => "scopien-hooks".to_string(),
    };
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            let mut words = usage.split_whitespace();
            if let (Some(bin), Some(sub)) = (words.next(), words.next())
                && !sub.starts_with(['[', '<', '-'])
            {
                command = format!("{bin} {sub}");
            }
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if !line.starts_with("For more information") {
            message.push(line.to_string());
        }
    }
    let message = message.join(" ");
    // A refused id is best answered with where the ids are listed.
    let hint = if message.contains("for '<ID>'") {
        "`scopien-hooks list` shows your webhooks and their ids".to_string()
    } else if message.contains("for '<DELIVERY_ID>'") {
        "`scopien-hooks deliveries WEBHOOK_ID` shows a webhook's deliveries and their ids".to_string()
    } else if tips.is_empty() {
        format!("`{command} --help` shows the usage")
    } else {
        tips.join("; ")
    };
    (message, hint)
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    let settings = commands::resolve_settings(&cli.global);
    let printer = settings.printer();
    let ctx = context::Context { settings, printer };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            ctx.printer.error(&Error::failure(format!("cannot start the async runtime: {e}")));
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::dispatch(cli.command, &ctx));
    // Do not wait for idle keep-alive connections or blocked stdin readers.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            ctx.printer.error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{compact_clap_error, subcommand_given};

    #[test]
    fn clap_errors_fold_to_one_line_and_a_hint() {
        let (m, h) = compact_clap_error(
            "error: the following required arguments were not provided:\n  --signature <SIG>\n\n\
             Usage: scopien-hooks verify --signature <SIG> --secret <S>...\n\nFor more information, try '--help'.\n",
            None,
        );
        assert_eq!(m, "the following required arguments were not provided: --signature <SIG>");
        assert_eq!(h, "`scopien-hooks verify --help` shows the usage");
        let (m, h) = compact_clap_error(
            "error: unexpected argument '--cout' found\n\n  tip: a similar argument exists: '--count'\n\n\
             Usage: scopien-hooks send-test --count <N> <TARGET>\n\nFor more information, try '--help'.\n",
            Some("send-test"),
        );
        assert_eq!(m, "unexpected argument '--cout' found");
        assert_eq!(h, "a similar argument exists: '--count'");
        let (_, h) = compact_clap_error(
            "error: unexpected argument '--nope' found\n\nUsage: scopien-hooks [OPTIONS] <COMMAND>\n",
            None,
        );
        assert_eq!(h, "`scopien-hooks --help` shows the usage");
        // A refused value has no usage line: the command given names the help.
        let (m, h) = compact_clap_error(
            "error: invalid value '0' for '--limit <N>': give a whole number from 1 to 100\n\n\
             For more information, try '--help'.\n",
            Some("list"),
        );
        assert_eq!(m, "invalid value '0' for '--limit <N>': give a whole number from 1 to 100");
        assert_eq!(h, "`scopien-hooks list --help` shows the usage");
        let (_, h) = compact_clap_error(
            "error: invalid value 'wh_../x' for '<ID>': 'wh_../x' is not a webhook id: it must be wh_ \
             followed by letters, digits or _\n",
            Some("get"),
        );
        assert_eq!(h, "`scopien-hooks list` shows your webhooks and their ids");
    }

    #[test]
    fn the_subcommand_is_the_first_word_naming_one() {
        let words = |line: &str| line.split_whitespace().map(String::from).collect::<Vec<_>>().into_iter();
        assert_eq!(subcommand_given(words("--json list --limit 0")).as_deref(), Some("list"));
        assert_eq!(subcommand_given(words("-v send-test 3000 --count 0")).as_deref(), Some("send-test"));
        assert_eq!(subcommand_given(words("--nope")), None);
    }
}
