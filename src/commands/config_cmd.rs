//! `config`: the resolved settings and where each comes from.

use serde_json::json;

use crate::context::Context;
use crate::error::{ExitStatus, Result};
use crate::redact::secret as redact;
use crate::settings::Source;

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Flag => "flag",
        Source::Env => "env",
        Source::Profile => "profile",
        Source::Default => "default",
    }
}

/// Prints the settings; the API key is redacted.
pub fn run(ctx: &Context) -> Result<ExitStatus> {
    let s = &ctx.settings;
    if let Some(e) = &s.profile_error {
        return Err(e.clone());
    }
    let key = s.api_key.as_ref().map(|k| (redact(&k.value), source_name(k.source)));
    if ctx.printer.json() {
        ctx.printer.out_json(&json!({
            "profile": {"value": s.profile.value, "source": source_name(s.profile.source)},
            "config": {"value": s.config_path.value, "source": source_name(s.config_path.source)},
            "api_base": {"value": crate::redact::url_passwords(&s.api_base.value), "source": source_name(s.api_base.source)},
            "api_key": key.as_ref().map(|(v, src)| json!({"value": v, "source": src})),
        }));
    } else {
        let rows = [
            ("profile", s.profile.value.clone(), source_name(s.profile.source)),
            ("config", s.config_path.value.display().to_string(), source_name(s.config_path.source)),
            ("api_base", s.api_base.value.clone(), source_name(s.api_base.source)),
            (
                "api_key",
                key.as_ref().map_or_else(|| "(none)".to_string(), |(v, _)| v.clone()),
                key.as_ref().map_or("", |(_, src)| src),
            ),
        ];
        for (name, value, source) in rows {
            let from = if source.is_empty() { String::new() } else { format!("  ({source})") };
            ctx.printer.out_line(&format!("{name:<9} {value}{from}"));
        }
    }
    if let Some(e) = &s.config_error {
        ctx.printer.warn(e.message());
    }
    Ok(ExitStatus::Success)
}
