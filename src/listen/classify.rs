//! The answer a request earns from what it carries alone: checks 1–6 of the
//! order in [`super::handler`], as pure functions of the request (the handler
//! adds the I/O around them, the fuzz targets call them directly).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

use super::options::VerifyMode;
use super::parse::{self, TimestampError};
use crate::signature::{Scheme, VerifyError};
use crate::wire::{self, EventRef, ParseError, Parsed};

/// Why a request is turned away before dedupe, `--events` and forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 1. Not the `--path` listened on.
    NotFound,
    /// 2. Not `POST`.
    MethodNotAllowed,
    /// 3. Over `--max-body`.
    TooLarge,
    /// 4. The signature does not verify.
    Signature(VerifyError),
    /// 5. Not an event or a batch.
    Shape(ParseError),
    /// 6. An event's timestamp fails `--tolerance`.
    Timestamp(TimestampError),
}

impl Refusal {
    /// The status answered.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::NotFound => StatusCode::NOT_FOUND,
            Refusal::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            // A replay is an authentication failure, like a bad signature.
            Refusal::Signature(_) | Refusal::Timestamp(_) => StatusCode::UNAUTHORIZED,
            Refusal::Shape(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The reason: the answer's body, the human line and the JSON `error` field.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::NotFound => "not found",
            Refusal::MethodNotAllowed => "method not allowed",
            Refusal::TooLarge => "body too large",
            Refusal::Signature(e) => e.reason(),
            Refusal::Shape(ParseError::InvalidJson) => "invalid JSON",
            Refusal::Shape(ParseError::NotAnEvent) => "not an event or batch",
            Refusal::Timestamp(e) => e.reason(),
        }
    }
}

/// Checks 1 and 2, before any of the body is read: `want` is `--path`.
pub fn route(want: Option<&str>, method: &Method, path: &str) -> Result<(), Refusal> {
    if want.is_some_and(|w| w != path) {
        return Err(Refusal::NotFound);
    }
    if method != Method::POST {
        return Err(Refusal::MethodNotAllowed);
    }
    Ok(())
}

/// Check 3 for a body of `len` bytes (declared, or received so far).
pub fn size(len: u64, max_body: u64) -> Result<(), Refusal> {
    if len > max_body { Err(Refusal::TooLarge) } else { Ok(()) }
}

/// Check 4 on the whole body, in the scheme's headers (a timestamped scheme
/// also checks its timestamp against `now`): `Some(true)` when a signature was
/// checked, `None` when verification is off.
pub fn signature(
    verify: &VerifyMode,
    headers: &HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> Result<Option<bool>, VerifyError> {
    match verify {
        VerifyMode::Secrets(v) => v.check(headers, body, now).map(|()| Some(true)),
        VerifyMode::NoSecret | VerifyMode::Skip => Ok(None),
    }
}

/// Check 5: the delivery the body holds (a Scopien one, or the scheme's provider's).
pub fn shape<'a>(scheme: Scheme, headers: &'a HeaderMap, body: &'a [u8]) -> Result<Parsed<'a>, ParseError> {
    wire::parse_provider(scheme, headers, body)
}

/// Check 6: with `--tolerance`, every event's timestamp is recent (a batch
/// fails if any event does).
pub fn fresh(events: &[EventRef<'_>], tolerance: Option<Duration>, now: SystemTime) -> Result<(), Refusal> {
    let Some(tol) = tolerance else { return Ok(()) };
    events.iter().try_for_each(|e| parse::check_timestamp(e.timestamp, tol, now).map_err(Refusal::Timestamp))
}
