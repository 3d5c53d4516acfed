//! `sign` and `verify`: signatures of exact payload bytes.

use serde_json::json;

use crate::cli::{SignArgs, VerifyArgs};
use crate::context::Context;
use crate::error::{Error, ExitStatus, Result};
use crate::input::read_payload;
use crate::settings::{require_secret, secrets_or_env};
use crate::signature::{Signer, Verifier};

/// `sign`: prints the header value.
pub fn sign(args: &SignArgs, ctx: &Context) -> Result<ExitStatus> {
    let secret = require_secret(args.secret.as_deref())?;
    let body = read_payload(args.payload.as_deref())?;
    let value = Signer::new(&secret, args.signature_format).header_value(&body);
    if ctx.printer.json() {
        ctx.printer.out_json(&json!({"header": crate::signature::HEADER, "signature": value}));
    } else {
        ctx.printer.out_line(&value);
    }
    Ok(ExitStatus::Success)
}

/// `verify`: prints `valid` (exit 0) or `invalid` (exit 1, the reason on stderr).
pub fn verify(args: &VerifyArgs, ctx: &Context) -> Result<ExitStatus> {
    let secrets = secrets_or_env(&args.secret);
    if secrets.is_empty() {
        return Err(Error::usage("no signing secret: pass --secret or set SCOPIEN_WEBHOOK_SECRET"));
    }
    let body = read_payload(args.payload.as_deref())?;
    let result = Verifier::new(&secrets).verify_str(Some(&args.signature), &body);
    if ctx.printer.json() {
        let error = result.err().map(|e| e.to_string());
        ctx.printer.out_json(&json!({"valid": result.is_ok(), "error": error}));
    } else {
        ctx.printer.out_line(if result.is_ok() { "valid" } else { "invalid" });
    }
    if let Err(e) = result {
        ctx.printer.error(&Error::failure(e.to_string()).with_hint(
            "check the secret, and that the payload is the exact raw body (a trailing newline counts)",
        ));
    }
    Ok(ExitStatus::from_ok(result.is_ok()))
}
