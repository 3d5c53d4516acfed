//! The run context every command gets: the resolved settings and the printer.

use crate::output::Printer;
use crate::settings::Settings;

/// What every command gets: the resolved settings and the printer.
#[derive(Debug, Clone)]
pub struct Context {
    /// Resolved global settings.
    pub settings: Settings,
    /// Output.
    pub printer: Printer,
}
