//! What the management commands share: argument checks done before the first
//! request ([`checks`]; a failed check is a usage error, exit 2, and nothing is
//! sent), terminal prompts ([`prompts`]) and the human views of webhooks and
//! deliveries ([`views`]). The commands themselves (webhooks, deliveries, login
//! and logout) are in the command layer.

pub mod checks;
pub mod prompts;
pub mod views;
