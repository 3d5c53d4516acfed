//! `trigger EVENT [--data JSON|@file] [--count N]`: emits events through the
//! emulator's `POST /events` and prints their ids. Many events go in bulk
//! requests (`{"events":[…]}`), so `--count 10000` is a handful of requests; they go
//! through the shared API client (auth, Idempotency-Key, retries, `-v` traces).

use serde_json::{Value, json};

use crate::api::client::{Client, ClientError};
use crate::cli::TriggerArgs;
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::settings::{Settings, Source};
use crate::{catalog, payload};

/// Events per bulk request.
const CHUNK: u64 = 1000;

/// Runs `trigger`.
pub async fn run(args: &TriggerArgs, ctx: &Context) -> Result<ExitStatus> {
    catalog::validate_event(&args.event)?;
    let patch = args.data.as_deref().map(payload::read_data_arg).transpose()?;
    if patch.as_ref().is_some_and(|p| !p.is_object()) {
        return Err(Error::usage("--data must be a JSON object (it is merged onto the sample data)"));
    }
    let (data, _) = payload::sample_data(&args.event, patch.as_ref());
    let (base, key) = emulator_target(&ctx.settings)?;
    let base = &base;
    let client = Client::new(base, &key, ctx.printer.clone())?;

    // Every item is the same; its JSON is written once and repeated.
    let item =
        serde_json::to_vec(&json!({"event": args.event, "data": data})).expect("JSON values serialise");
    let mut created: Vec<Value> = Vec::new();
    let mut sent = 0u64;
    while sent < args.count {
        let n = (args.count - sent).min(CHUNK);
        let events = client.emit_events(&item, n as usize).await.map_err(|e| emit_error(base, e))?;
        if ctx.printer.json() {
            created.extend(events);
        } else {
            for e in &events {
                ctx.printer.out_line(e.get("id").and_then(Value::as_str).unwrap_or_default());
            }
        }
        sent += n;
    }
    if ctx.printer.json() {
        ctx.printer.out_json(&created);
    }
    ctx.printer.status(&format!(
        "Triggered {} {} event{} on {base}",
        args.count,
        args.event,
        if args.count == 1 { "" } else { "s" }
    ));
    Ok(ExitStatus::Success)
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
            .map_or_else(|| super::DEFAULT_API_KEY.to_string(), |k| k.value.clone())
    };
    Ok(if settings.api_base.source == Source::Default {
        (super::DEFAULT_BASE.to_string(), key(&[Source::Flag, Source::Env]))
    } else {
        (settings.api_base.value.clone(), key(&[Source::Flag, Source::Env, Source::Profile]))
    })
}

/// The client's error, with the hints that fit the emulator: `trigger` only
/// ever talks to `scopien-hooks emulate`.
fn emit_error(base: &str, e: ClientError) -> Error {
    let hint = match &e {
        ClientError::Network { .. } => Some(format!(
            "is the emulator running at {base}? Start it with `scopien-hooks emulate` \
             and set SCOPIEN_API_BASE to the URL it prints"
        )),
        // The real API has no `POST /events`: a 404 means the base is not an emulator.
        ClientError::Api { status: 404, .. } => Some(format!(
            "{base} has no /events: trigger only works against `scopien-hooks emulate` \
             (point --api-base or SCOPIEN_API_BASE at the URL it prints)"
        )),
        ClientError::Api { status: 401, .. } => Some(
            "use the key the emulator printed (sk_test_emulator unless it was started with --api-key)".into(),
        ),
        _ => None,
    };
    let err = Error::from(e);
    match hint {
        Some(h) => err.with_hint(h),
        None => err,
    }
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
        let local = super::super::DEFAULT_BASE.to_string();
        let builtin = super::super::DEFAULT_API_KEY.to_string();
        assert_eq!(target(None, None), (local.clone(), builtin.clone()));
        assert_eq!(target(None, Some(("sk_test_x", Source::Env))), (local.clone(), "sk_test_x".into()));
        // A saved (real) key never goes to an address nobody configured.
        assert_eq!(target(None, Some(("sk_live_x", Source::Profile))), (local, builtin.clone()));
        let base = Some(("http://127.0.0.1:9/v1", Source::Env));
        assert_eq!(target(base, None), ("http://127.0.0.1:9/v1".into(), builtin));
        assert_eq!(target(base, Some(("sk_p", Source::Profile))).1, "sk_p");
    }

    #[test]
    fn emulator_hints() {
        let e = emit_error(
            "http://127.0.0.1:9/v1",
            ClientError::Api { status: 401, code: None, message: "invalid API key".into(), resource: None },
        );
        assert_eq!(e.exit_code(), 1);
        assert!(e.message().contains("401") && e.message().contains("invalid API key"), "{}", e.message());
        assert!(e.hint().unwrap().contains("sk_test_emulator"));
        let e = emit_error(
            "http://127.0.0.1:9/v1",
            ClientError::Network { host: "127.0.0.1:9".into(), reason: "connection refused".into() },
        );
        assert!(e.hint().unwrap().contains("scopien-hooks emulate"));
        let e = emit_error(
            "https://api.scopien.com/v1",
            ClientError::Api { status: 404, code: None, message: "Not Found".into(), resource: None },
        );
        assert!(e.hint().unwrap().contains("only works against `scopien-hooks emulate`"));
        let e = emit_error("http://x/v1", ClientError::Invalid("bad".into()));
        assert_eq!(e.exit_code(), 2);
    }
}
