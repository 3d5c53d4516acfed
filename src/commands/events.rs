//! `events`: the catalog.

use colored::Colorize;
use comfy_table::{Table, presets};
use serde_json::json;

use crate::catalog::EVENTS;
use crate::context::Context;
use crate::error::{ExitStatus, Result};

/// Prints the catalog as a table, or `[{"name","description"}]` with `--json`.
pub fn run(ctx: &Context) -> Result<ExitStatus> {
    if ctx.printer.json() {
        let list: Vec<_> =
            EVENTS.iter().map(|e| json!({"name": e.name, "description": e.description})).collect();
        ctx.printer.out_json(&list);
        return Ok(ExitStatus::Success);
    }
    let mut table = Table::new();
    table.load_style(presets::NOTHING).set_header(["EVENT", "DESCRIPTION"]);
    for e in EVENTS {
        table.add_row([e.name.to_string(), e.description.to_string()]);
    }
    for line in table.lines() {
        ctx.printer.out_line(line.trim_end());
    }
    ctx.printer.hint(&format!(
        "subscribe with exact names, {} (one object type) or {} (everything)",
        "lead.*".bold(),
        "*".bold()
    ));
    Ok(ExitStatus::Success)
}
