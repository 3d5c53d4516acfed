//! The inspector's routes: the page at `/` and the JSON API under `/api`
//! (stable for scripts; the page uses nothing else). Every error, a bad
//! query or path and a wrong method included, is `{"error":"…"}` with a 4xx status.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;

use super::store::{Entry, Filter, StatusFilter};
use super::{Inspector, guard, replay};
use crate::listen::forward::forwarded_headers;
use crate::listen::record::{json_bytes, json_str, write_headers};

type Shared = Arc<Inspector>;

/// Every route, behind the [`guard`].
pub fn router(inspector: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/api/requests", get(list).delete(clear))
        .route("/api/requests/{id}", get(detail))
        .route("/api/requests/{id}/replay", post(replay_one))
        .route("/api/status", get(status))
        .route("/api/stream", get(stream))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such route".into()) })
        .method_not_allowed_fallback(|| async {
            error(StatusCode::METHOD_NOT_ALLOWED, "this route does not take that method".into())
        })
        .layer(middleware::from_fn_with_state(inspector.clone(), guarded))
        .with_state(inspector)
}

async fn guarded(State(inspector): State<Shared>, req: Request, next: Next) -> Response {
    // A target in absolute form (`GET http://host/…`) names the host itself, and wins over `Host`.
    let target = req.uri().authority().map(|a| a.as_str());
    let checked = match target {
        Some(a) if !guard::loopback_authority(a, inspector.port) => Err(guard::Refusal::Host),
        _ => guard::check(req.method(), req.headers(), inspector.port),
    };
    match checked {
        Ok(()) => next.run(req).await,
        Err(refusal) => error(StatusCode::FORBIDDEN, refusal.message().into()),
    }
}

/// A JSON error answer. A URL in it is shown without its password (a `to`
/// refused for holding credentials names it), as on the terminal.
pub fn error(status: StatusCode, message: String) -> Response {
    let mut out = b"{\"error\":".to_vec();
    json_str(&mut out, &crate::redact::url_passwords(&message));
    out.push(b'}');
    json(status, out)
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Answers describe requests that keep arriving: never reuse one.
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn page(State(inspector): State<Shared>) -> Response {
    let mut resp = inspector.page.clone().into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page loads nothing from anywhere and may not be framed by another site.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; \
             img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}

/// `GET /api/requests` parameters, checked by hand for clear errors.
#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    limit: Option<String>,
    event: Option<String>,
    status: Option<String>,
    verified: Option<String>,
    q: Option<String>,
    /// `ndjson`: the matching records in `listen --save` format, oldest first.
    format: Option<String>,
}

fn filter(q: ListQuery) -> Result<(Filter, bool), String> {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let limit = nonempty(q.limit)
        .map(|l| l.trim().parse::<usize>().map_err(|_| format!("limit '{l}' must be a whole number")))
        .transpose()?;
    let status = nonempty(q.status)
        .map(|s| {
            StatusFilter::parse(&s)
                .ok_or_else(|| format!("status '{s}' must be a code (404) or a class (4xx)"))
        })
        .transpose()?;
    let verified = match nonempty(q.verified).as_deref().map(str::trim) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(format!("verified '{other}' must be true or false")),
    };
    let ndjson = match nonempty(q.format).as_deref() {
        None | Some("json") => false,
        Some("ndjson") => true,
        Some(other) => return Err(format!("format '{other}' must be json or ndjson")),
    };
    let event = nonempty(q.event).map(|e| e.trim().to_string());
    Ok((Filter { limit, event, status, verified, q: q.q.filter(|s| !s.is_empty()) }, ndjson))
}

async fn list(State(inspector): State<Shared>, q: Result<Query<ListQuery>, QueryRejection>) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(r) => return error(r.status(), r.body_text()),
    };
    let (filter, ndjson) = match filter(q) {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let entries = inspector.store().list(&filter);
    if ndjson {
        let mut out = Vec::with_capacity(entries.iter().map(|e| e.line().len() + 1).sum());
        for e in entries.iter().rev() {
            out.extend_from_slice(e.line());
            out.push(b'\n');
        }
        let mut resp = (StatusCode::OK, out).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson"));
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("attachment; filename=\"deliveries.ndjson\""),
        );
        return resp;
    }
    let mut out = Vec::with_capacity(16 + entries.iter().map(|e| e.line().len() + 48).sum::<usize>());
    out.extend_from_slice(b"{\"requests\":[");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        e.write_summary(&mut out);
    }
    out.extend_from_slice(b"]}");
    json(StatusCode::OK, out)
}

fn find(inspector: &Inspector, id: &str) -> Option<Arc<Entry>> {
    inspector.store().get(id)
}

fn not_kept(id: &str) -> Response {
    error(StatusCode::NOT_FOUND, format!("no request {id} is kept (it may have been dropped or cleared)"))
}

async fn detail(State(inspector): State<Shared>, id: Result<Path<String>, PathRejection>) -> Response {
    let id = match id {
        Ok(Path(id)) => id,
        Err(r) => return error(r.status(), r.body_text()),
    };
    match find(&inspector, &id) {
        Some(e) => json(StatusCode::OK, detail_json(&e)),
        None => not_kept(&id),
    }
}

/// The record with `id`, `duration_ms`, the body, the answer and the forward exchange.
fn detail_json(e: &Entry) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.line().len() * 2 + e.body().len() * 4 / 3 + 1024);
    e.open(&mut out);
    out.extend_from_slice(b",\"error_detail\":");
    match &e.detail {
        Some(d) => json_str(&mut out, d),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"body_base64\":\"");
    out.extend_from_slice(base64::engine::general_purpose::STANDARD.encode(e.body()).as_bytes());
    out.extend_from_slice(b"\",\"body_truncated\":");
    out.extend_from_slice(if e.truncated { b"true" } else { b"false" });
    out.extend_from_slice(b",\"response\":{\"status\":");
    out.extend_from_slice(e.answer.status.to_string().as_bytes());
    out.extend_from_slice(b",\"headers\":");
    write_headers(&mut out, &e.answer.headers());
    out.extend_from_slice(b",\"body\":");
    json_bytes(&mut out, &e.answer.body);
    out.extend_from_slice(b"},\"forward_exchange\":");
    match &e.exchange {
        None => out.extend_from_slice(b"null"),
        Some(x) => {
            out.extend_from_slice(b"{\"request\":{\"method\":\"POST\",\"url\":");
            json_str(&mut out, &x.url);
            out.extend_from_slice(b",\"headers\":");
            write_headers(&mut out, &forwarded_headers(&e.request_headers()));
            out.extend_from_slice(b"},\"status\":");
            out.extend_from_slice(x.status.map_or("null".to_string(), |s| s.to_string()).as_bytes());
            out.extend_from_slice(b",\"headers\":");
            write_headers(&mut out, &x.headers);
            out.extend_from_slice(b",\"body\":");
            json_bytes(&mut out, &x.body);
            out.extend_from_slice(
                format!(",\"duration_ms\":{},\"error\":", x.duration.as_millis()).as_bytes(),
            );
            match &x.error {
                Some(err) => json_str(&mut out, err),
                None => out.extend_from_slice(b"null"),
            }
            out.push(b'}');
        }
    }
    out.push(b'}');
    out
}

async fn replay_one(
    State(inspector): State<Shared>,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let id = match id {
        Ok(Path(id)) => id,
        Err(r) => return error(r.status(), r.body_text()),
    };
    let Some(entry) = find(&inspector, &id) else { return not_kept(&id) };
    let ask: replay::Ask = if body.iter().all(u8::is_ascii_whitespace) {
        replay::Ask::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(a) => a,
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("the replay request is not valid: {e}")),
        }
    };
    match replay::run(&inspector, &entry, ask).await {
        Ok(result) => json(StatusCode::OK, result),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn clear(State(inspector): State<Shared>) -> StatusCode {
    inspector.store().clear();
    StatusCode::NO_CONTENT
}

async fn status(State(inspector): State<Shared>) -> Response {
    let s = inspector.listen.stats.snapshot();
    let l = inspector.store().latency();
    let doc = serde_json::json!({
        "received": s.received,
        "verified": s.verified,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "filtered": s.filtered,
        "forwarded": s.forwarded,
        "latency_ms": {"p50": l.p50, "p90": l.p90, "p99": l.p99, "max": l.max},
        "uptime_s": inspector.store().uptime().as_secs(),
    });
    json(StatusCode::OK, doc.to_string().into_bytes())
}

async fn stream(State(inspector): State<Shared>) -> impl IntoResponse {
    let rx = inspector.store().subscribe();
    // Subscribed first: whatever arrives after this point wakes `rx`.
    let seen = inspector.store().last_seq();
    let events =
        futures_util::stream::unfold((rx, seen, inspector), |(mut rx, seen, inspector)| async move {
            loop {
                rx.borrow_and_update();
                // A reader that fell behind goes on from the oldest still kept; the page can list the rest.
                if let Some(e) = inspector.store().after(seen) {
                    let mut out = Vec::with_capacity(e.line().len() + 48);
                    e.write_summary(&mut out);
                    let event = Event::default().event("request").data(String::from_utf8_lossy(&out));
                    return Some((Ok::<_, Infallible>(event), (rx, e.seq, inspector)));
                }
                rx.changed().await.ok()?;
            }
        });
    let mut resp = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
