//! `sign` and `verify`: signatures of exact payload bytes, in any scheme.

use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;

use crate::cli::{SignArgs, VerifyArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::input::read_payload;
use crate::settings::{self, require_secret, secrets_or_env};
use crate::signature::{Message, Scheme, VerifyError};

/// `sign`: prints the header value; with `--scheme`, every header of the scheme.
pub fn sign(args: &SignArgs, ctx: &Context) -> Result<ExitStatus> {
    let secret = require_secret(args.secret.as_deref())?;
    let scheme = args.scheme.unwrap_or_default();
    let signer = settings::signer(scheme, &secret, args.signature_format)?;
    let body = read_payload(args.payload.as_deref())?;
    let id = args.id.clone().unwrap_or_else(|| crate::ids::generate("msg_"));
    let timestamp = args
        .timestamp
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    let signed = signer.sign(&Message { id: &id, timestamp, body: &body });
    match (args.scheme.is_some(), ctx.printer.json()) {
        (false, true) => ctx
            .printer
            .out_json(&json!({"header": crate::signature::HEADER, "signature": signed.signature()})),
        (false, false) => ctx.printer.out_line(signed.signature()),
        (true, true) => {
            let headers: serde_json::Map<String, serde_json::Value> =
                signed.headers().map(|(k, v)| (k.to_string(), v.into())).collect();
            ctx.printer.out_json(&serde_json::Value::Object(headers));
        }
        (true, false) => {
            for (name, value) in signed.headers() {
                ctx.printer.out_line(&format!("{name}: {value}"));
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// `verify`: prints `valid` (exit 0) or `invalid` (exit 1, the reason on stderr).
pub fn verify(args: &VerifyArgs, ctx: &Context) -> Result<ExitStatus> {
    let secrets = secrets_or_env(&args.secret);
    if secrets.is_empty() {
        return Err(Error::usage("no signing secret: pass --secret or set SCOPIEN_WEBHOOK_SECRET"));
    }
    let verifier = settings::verifier(args.scheme, &secrets, args.tolerance)?;
    let mut headers = HeaderMap::new();
    for (name, value) in &args.headers {
        // Both were checked when the flag was parsed.
        let name = HeaderName::try_from(name.as_str())
            .map_err(|_| Error::usage(format!("-H: bad name '{name}'")))?;
        let value = HeaderValue::try_from(value.as_str())
            .map_err(|_| Error::usage(format!("-H: the value of '{name}' cannot be a header")))?;
        headers.append(name, value);
    }
    if let Some(sig) = &args.signature {
        let value = HeaderValue::try_from(sig.trim())
            .map_err(|_| Error::usage("--signature has characters a header cannot carry"))?;
        let name =
            HeaderName::from_bytes(args.scheme.signature_header().as_bytes()).expect("a valid header name");
        headers.insert(name, value);
    }
    let body = read_payload(args.payload.as_deref())?;
    let result = verifier.check(&headers, &body, SystemTime::now());
    if ctx.printer.json() {
        let error = result.err().map(VerifyError::reason);
        ctx.printer.out_json(&json!({"valid": result.is_ok(), "error": error}));
    } else {
        ctx.printer.out_line(if result.is_ok() { "valid" } else { "invalid" });
    }
    if let Err(e) = result {
        ctx.printer.error(&Error::failure(e.reason()).with_hint(hint(e, args)));
    }
    Ok(ExitStatus::from_ok(result.is_ok()))
}

/// What to check next after a rejection.
fn hint(e: VerifyError, args: &VerifyArgs) -> String {
    let main = args.scheme.signature_header();
    match e {
        VerifyError::Missing => format!("pass --signature, or -H '{main}: …' as the request carried it"),
        VerifyError::MissingPart(_) => {
            format!(
                "{} signs {} too: pass each with -H 'Name: value'",
                args.scheme,
                args.scheme.headers().join(", ")
            )
        }
        VerifyError::Stale | VerifyError::Future => {
            "the signed timestamp is outside --tolerance (5m unless given): check the clocks, or sign again"
                .to_string()
        }
        VerifyError::Malformed => {
            let bare = if args.scheme == Scheme::Scopien { ", or the bare 64 hex digits" } else { "" };
            format!(
                "a well-formed {} signature is `{}`{bare}: check that it was copied whole",
                args.scheme,
                args.scheme.signature_format()
            )
        }
        _ => "check the secret, and that the payload is the exact raw body (a trailing newline counts)"
            .to_string(),
    }
}
