//! `trigger EVENT [--data JSON|@file] [--count N]`: events emitted on the emulator.

use crate::catalog;
use crate::cli::TriggerArgs;
use crate::context::Context;
use crate::emulator::trigger::{self, Trigger};
use crate::emulator::{DEFAULT_API_KEY, DEFAULT_BASE};
use crate::error::{Error, ExitStatus, Result};
use crate::payload;
use crate::settings::{Settings, Source};

/// Checks the event and `--data`, picks the emulator and emits.
pub async fn run(args: &TriggerArgs, ctx: &Context) -> Result<ExitStatus> {
    catalog::validate_event(&args.event)?;
    let patch = args.data.as_deref().map(payload::read_data_arg).transpose()?;
    if patch.as_ref().is_some_and(|p| !p.is_object()) {
        return Err(Error::usage("--data must be a JSON object (it is merged onto the sample data)"));
    }
    let (data, changes) = payload::sample_data(&args.event, patch.as_ref());
    let (base, key) = emulator_target(&ctx.settings)?;
    let client = super::api_client::client(&ctx.printer, &base, &key)?;
    trigger::run(
        Trigger { event: args.event.clone(), data, changes, count: args.count, base, client },
        &ctx.printer,
    )
    .await
}

/// Where `trigger` sends and with which key. `trigger` only ever talks to an
/// emulator, so with no API base configured it goes to `emulate`'s default
/// address, and with no key to the emulator's built-in one. A key saved in the
/// profile is only sent to a base that was configured too: it is a real key.
fn emulator_target(settings: &Settings) -> Result<(String, String)> {
    settings.config_file()?;
    let key = |allowed: &[Source]| {
        settings
            .api_key
            .as_ref()
            .filter(|k| allowed.contains(&k.source))
            .map_or_else(|| DEFAULT_API_KEY.to_string(), |k| k.value.clone())
    };
    Ok(if settings.api_base.source == Source::Default {
        (DEFAULT_BASE.to_string(), key(&[Source::Flag, Source::Env]))
    } else {
        (settings.api_base.value.clone(), key(&[Source::Flag, Source::Env, Source::Profile]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(base: Option<(&str, Source)>, key: Option<(&str, Source)>) -> Settings {
        let mut s = Settings::resolve(&Default::default());
        s.config_error = None;
        s.api_base = match base {
            Some((b, source)) => crate::settings::Sourced { value: b.into(), source },
            None => crate::settings::Sourced {
                value: "https://api.scopien.com/v1".into(),
                source: Source::Default,
            },
        };
        s.api_key = key.map(|(k, source)| crate::settings::Sourced { value: k.into(), source });
        s
    }

    #[test]
    fn defaults_to_the_local_emulator() {
        let target = |b, k| emulator_target(&settings(b, k)).unwrap();
        let local = DEFAULT_BASE.to_string();
        let builtin = DEFAULT_API_KEY.to_string();
        assert_eq!(target(None, None), (local.clone(), builtin.clone()));
        assert_eq!(target(None, Some(("sk_test_x", Source::Env))), (local.clone(), "sk_test_x".into()));
        // A saved (real) key never goes to an address nobody configured.
        assert_eq!(target(None, Some(("sk_live_x", Source::Profile))), (local, builtin.clone()));
        let base = Some(("http://127.0.0.1:9/v1", Source::Env));
        assert_eq!(target(base, None), ("http://127.0.0.1:9/v1".into(), builtin));
        assert_eq!(target(base, Some(("sk_p", Source::Profile))).1, "sk_p");
    }
}
