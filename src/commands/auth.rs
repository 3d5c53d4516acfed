//! `login` and `logout`: the API key in the config profile. The key comes from
//! `--api-key` or `SCOPIEN_API_KEY`, else stdin when it is not a terminal
//! (`echo KEY | scopien-hooks login`, for CI), else a hidden prompt; it is checked
//! with `GET /webhooks` before anything is saved, saved with the API base it was
//! checked against, and only ever shown redacted.

use std::io::{BufRead, IsTerminal, Read};

use serde_json::json;

use crate::api::client::ClientError;
use crate::config::ConfigFile;
use crate::context::Context;
use crate::env;
use crate::error::{Error, ExitStatus, Result};
use crate::manage::prompts::{self, Prompter};
use crate::redact::secret as redact;
use crate::settings::Source;

/// `login`
pub async fn login(ctx: &Context) -> Result<ExitStatus> {
    let s = &ctx.settings;
    let path = &s.config_path.value;
    // Read the file afresh: a broken file must be fixed, never overwritten.
    let mut config = ConfigFile::load(path)?;
    let key = match s.api_key.as_ref().filter(|k| k.source != Source::Profile) {
        Some(k) => k.value.trim().to_string(),
        None if !std::io::stdin().is_terminal() => key_from_stdin()?,
        None if prompts::interactive(ctx) => Prompter::new(ctx).hidden("API key")?,
        None => {
            return Err(Error::usage("no API key to log in with").with_hint(
                "pass --api-key KEY (or set SCOPIEN_API_KEY), or run on a terminal to be prompted",
            ));
        }
    };
    if key.is_empty() {
        return Err(Error::usage("the API key is empty"));
    }
    let client = super::api_client::client(&ctx.printer, &s.api_base.value, &key)?;
    ctx.printer.status(&format!("Checking the key with {}…", client.host()));
    match client.list_webhooks_page(Some(1), None).await {
        Ok(_) => {}
        Err(e @ ClientError::Api { status: 401, .. }) => {
            return Err(Error::failure(format!("{e}; nothing was saved"))
                .with_hint("check the key (and --api-base) and run `scopien-hooks login` again"));
        }
        Err(e) => {
            let e: Error = e.into();
            return Err(Error::failure(format!("{}; nothing was saved", e.message())));
        }
    }
    let profile = config.profiles.entry(s.profile.value.clone()).or_default();
    profile.api_key = Some(key.clone());
    // The key goes with the base it was checked against: a key for the emulator
    // (checked through SCOPIEN_API_BASE, say) must never be sent to another API.
    profile.api_base = Some(s.api_base.value.clone());
    config.save(path)?;
    if ctx.printer.json() {
        ctx.printer.out_json(&json!({
            "profile": s.profile.value,
            "api_key": redact(&key),
            "api_base": s.api_base.value,
            "config": path,
        }));
    } else {
        ctx.printer.out_line(&format!("Logged in as profile {} with key {}", s.profile.value, redact(&key)));
        ctx.printer.status(&format!("Saved to {}", path.display()));
    }
    Ok(ExitStatus::Success)
}

/// The first line of stdin (piped or redirected), trimmed; nothing there is the
/// same usage error as no key at all.
fn key_from_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().take(MAX_KEY_BYTES).read_line(&mut line).map_err(|e| {
        Error::usage(format!("cannot read the API key from stdin: {}", crate::error::io_reason(&e)))
    })?;
    let key = line.trim();
    if key.is_empty() {
        return Err(Error::usage("no API key to log in with: stdin was empty").with_hint(
            "pass --api-key KEY (or set SCOPIEN_API_KEY), pipe it in (`echo KEY | scopien-hooks login`), \
             or run on a terminal to be prompted",
        ));
    }
    Ok(key.to_string())
}

/// Longer than any API key; a file piped in by mistake is not read whole.
const MAX_KEY_BYTES: u64 = 4096;

/// `logout`: removes the key from the profile, keeping its other settings.
pub fn logout(ctx: &Context) -> Result<ExitStatus> {
    let s = &ctx.settings;
    s.config_file()?;
    let path = &s.config_path.value;
    let mut config = ConfigFile::load(path)?;
    let removed = config.profiles.get_mut(&s.profile.value).and_then(|p| p.api_key.take());
    if removed.is_some() {
        config.save(path)?;
    }
    if ctx.printer.json() {
        ctx.printer.out_json(&json!({
            "profile": s.profile.value,
            "removed": removed.is_some(),
            "api_key": removed.as_deref().map(redact),
            "config": path,
        }));
    } else {
        match &removed {
            Some(k) => ctx.printer.out_line(&format!(
                "Logged out of profile {} (removed key {})",
                s.profile.value,
                redact(k)
            )),
            None => ctx
                .printer
                .out_line(&format!("No API key saved in profile {}; nothing to do", s.profile.value)),
        }
    }
    if env::var(env::API_KEY).is_some() {
        ctx.printer.hint("SCOPIEN_API_KEY is still set in this environment and will be used");
    }
    Ok(ExitStatus::Success)
}
