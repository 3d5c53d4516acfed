//! `POST /api/requests/{id}/replay`: sends a kept request again — its exact
//! bytes and headers, or an edited body and headers — to the forward target or
//! a URL given, and answers with what came back. An edited body is re-signed
//! with the listener's first secret, in its `--scheme`, through the same
//! [`Signing`] as `send-test`, unless `resign` is false.
//!
//! [`Signing`]: crate::send::generator::Signing

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use super::Inspector;
use super::store::Entry;
use crate::listen::forward::{Outcome, forwarded_headers};
use crate::listen::record::{json_bytes, json_str, write_headers};
use crate::target::Target;

/// What a replay asks for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    /// Where to send it (a URL or the `4000`, `:4000/path` shorthands); default: the forward target.
    pub to: Option<String>,
    /// A body replacing the kept one.
    pub body: Option<String>,
    /// Headers set over the kept ones (`null` removes one).
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    /// Sign the body afresh (default: when `body` is given).
    pub resign: Option<bool>,
}

/// Where the request goes: `to`, else where it was forwarded, else where the
/// listener would forward it now.
fn target(inspector: &Inspector, entry: &Entry, to: Option<&str>) -> Result<Target, String> {
    if let Some(to) = to.map(str::trim).filter(|t| !t.is_empty()) {
        return Target::parse("to", to).map_err(|e| e.message().to_string());
    }
    let opts = &inspector.listen.opts;
    let url = entry
        .exchange
        .as_ref()
        .map(|x| x.url.to_string())
        .or_else(|| opts.target_for(entry.events()).map(|t| t.url.to_string()));
    match url {
        Some(u) => Target::parse("to", &u).map_err(|e| e.message().to_string()),
        None => Err("this listener forwards nowhere (no --forward-to or --route): give \"to\", a URL".into()),
    }
}

/// The request headers: the kept ones (minus those of the old connection and
/// the length, which the new body sets), then `edits` over them.
fn headers(
    entry: &Entry,
    edits: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<HeaderMap, String> {
    let mut h = forwarded_headers(&entry.request_headers());
    h.remove(header::CONTENT_LENGTH);
    for (name, value) in edits.into_iter().flatten() {
        let n = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("'{name}' is not a header name"))?;
        match value {
            serde_json::Value::Null => {
                h.remove(&n);
            }
            serde_json::Value::String(v) => {
                let v = HeaderValue::from_str(v.trim())
                    .map_err(|_| format!("the value of '{name}' is not a header value"))?;
                if n == header::CONTENT_LENGTH
                    || n == header::HOST
                    || crate::http::hop_by_hop::HEADERS.contains(&n)
                {
                    return Err(format!("'{name}' is set by the connection and cannot be replaced"));
                }
                h.insert(n, v);
            }
            _ => return Err(format!("the value of '{name}' must be a string (or null to remove it)")),
        }
    }
    Ok(h)
}

/// Sends the replay; the answer document is `{"status","duration_ms","headers","body","error"}`.
pub async fn run(inspector: &Inspector, entry: &Entry, ask: Ask) -> Result<Vec<u8>, String> {
    let target = target(inspector, entry, ask.to.as_deref())?;
    let mut headers = headers(entry, ask.headers.as_ref())?;
    let resign = ask.resign.unwrap_or(ask.body.is_some());
    let body = match ask.body {
        Some(b) => Bytes::from(b),
        None if entry.truncated => {
            return Err(
                "the body was larger than the inspector keeps (1 MiB): it cannot be replayed as it was"
                    .into(),
            );
        }
        None => Bytes::from(entry.body().into_owned()),
    };
    if resign {
        let signer = inspector.listen.opts.inspect.as_ref().and_then(|i| i.signer.as_ref()).ok_or(
            "this listener has no --secret to sign with: send \"resign\": false to keep the signature as it was",
        )?;
        // Signed as the same message (Standard Webhooks' `webhook-id`), at this moment.
        let id = entry.request_headers().get("webhook-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let id = id.unwrap_or_else(crate::ids::event_id);
        for (name, value) in signer.sign(&id, &body).iter() {
            headers.insert(name.clone(), value.clone());
        }
    }
    let f = inspector.replayer.forward(&target, &headers, body).await;
    let mut out = b"{\"status\":".to_vec();
    match &f.outcome {
        Outcome::Answered { status, headers, body } => {
            out.extend_from_slice(status.as_str().as_bytes());
            out.extend_from_slice(
                format!(",\"duration_ms\":{},\"headers\":", f.duration.as_millis()).as_bytes(),
            );
            write_headers(&mut out, headers);
            out.extend_from_slice(b",\"body\":");
            json_bytes(&mut out, body);
            out.extend_from_slice(b",\"error\":null");
        }
        _ => {
            out.extend_from_slice(
                format!(
                    "null,\"duration_ms\":{},\"headers\":{{}},\"body\":null,\"error\":",
                    f.duration.as_millis()
                )
                .as_bytes(),
            );
            json_str(&mut out, &f.error().unwrap_or_default());
        }
    }
    out.extend_from_slice(b",\"url\":");
    json_str(&mut out, &f.url);
    out.push(b'}');
    Ok(out)
}
