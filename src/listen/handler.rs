//! One request, start to answer. The checks run in this order, and the first
//! that fails decides the answer:
//!
//! 1. path, when `--path` is set → 404 `not found` (whatever the method: only the
//!    listening path exists, so 405 is about that path)
//! 2. method: anything but `POST` → 405 `method not allowed` (with `Allow: POST`)
//! 3. size → 413 `body too large` (the declared length before reading, then while reading)
//! 4. signature, when verifying, in the `--scheme`'s headers → 401 `missing signature` /
//!    `malformed signature` / `signature mismatch`, and for a timestamped scheme
//!    `stale timestamp` / `timestamp in the future` (its own tolerance)
//! 5. shape (a Scopien delivery, or the scheme's provider's) → 400 `invalid JSON` / `not an event or batch`
//! 6. Scopien's `--tolerance` on the payload's timestamps → 401 `stale timestamp` / `invalid timestamp` (a replay is an
//!    authentication failure, like a bad signature; a batch fails if any event does)
//! 7. dedupe → 200 `Already processed` when every event id was already answered 2xx
//! 8. `--events` → 200 `OK`, `filtered`, when no event matches (not forwarded, not counted)
//! 9. `--fail-first N` → 500 for the first N attempts of each event id
//! 10. `--respond-delay`, then the forward (the app's answer, 502, 504) or
//!     `--respond-status` (default 200 `OK`)
//!
//! Only a 2xx answer marks the event ids as processed, so the retry of an id
//! that got a 500 (simulated, relayed or 502/504) is handled again, not
//! "Already processed". The same rule decides what `--max-events` counts: new,
//! unfiltered events answered 2xx (each event of a batch counts).

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use tokio_util::sync::CancellationToken;

use super::body::{self, BodyError};
use super::classify::{self, Refusal};
use super::dedupe::{self, Attempts, Seen};
use super::forward::{Forwarder, Outcome};
use super::inspect::store::{Entry, Line, Store};
use super::options::{Options, VerifyMode};
use super::record::Record;
use super::render::{self, Style};
use super::save::SaveFile;
use super::sink::Sink;
use super::summary::Stats;
use crate::error::Result;
use crate::output::Printer;
use crate::server::RequestBody;
use crate::signature::{Scheme, VerifyError};
use crate::wire::{EventRef, ParseError};

/// The response body type of every answer.
pub type Body = Full<Bytes>;

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const ALLOW_POST: HeaderValue = HeaderValue::from_static("POST");
const CLOSE: HeaderValue = HeaderValue::from_static("close");

/// The answer (and the record's error) when a delivery cannot be written to `--save`.
const SAVE_FAILED: &str = "cannot save delivery";

/// Line buffers grown past this (a large body) are released after use.
const KEEP_LINE: usize = 64 << 10;

thread_local! {
    /// The NDJSON line being written, reused by each runtime thread: `emit`
    /// copies it out (to stdout's buffer and the save file) before returning.
    static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Everything request tasks share.
pub struct State {
    /// The validated flags.
    pub opts: Options,
    /// Human layout.
    pub style: Style,
    /// Processed ids (`None` with `--no-dedupe`).
    pub seen: Option<Seen>,
    /// Attempts per id (only with `--fail-first`).
    pub attempts: Option<Attempts>,
    /// The forwarding client, when anything is forwarded.
    pub forwarder: Option<Forwarder>,
    /// stdout.
    pub sink: Sink,
    /// `--save`.
    pub save: Option<SaveFile>,
    /// Counters.
    pub stats: Stats,
    /// Cancelled once `--max-events` is reached.
    pub done: CancellationToken,
    /// For warnings.
    pub printer: Printer,
    /// What `--inspect` keeps (`None` without it).
    pub inspector: Option<Store>,
    save_failed: AtomicBool,
}

impl State {
    /// The shared state for `opts`: the output layout, the dedupe and attempt
    /// memories and the forwarding client are made here, once, as the flags ask.
    pub fn new(
        opts: Options,
        sink: Sink,
        save: Option<SaveFile>,
        done: CancellationToken,
        printer: Printer,
        inspector: Option<Store>,
    ) -> Result<State> {
        let forwarder = opts
            .forwards()
            .then(|| Forwarder::new(opts.forward_timeout, opts.targets().any(|t| t.tls.is_some())))
            .transpose()?;
        Ok(State {
            style: Style::from_env(matches!(opts.verify, VerifyMode::NoSecret)),
            seen: opts.dedupe.then(|| Seen::new(dedupe::CAPACITY)),
            attempts: (opts.fail_first > 0).then(|| Attempts::new(dedupe::CAPACITY)),
            forwarder,
            opts,
            sink,
            save,
            stats: Stats::default(),
            done,
            printer,
            inspector,
            save_failed: AtomicBool::new(false),
        })
    }
}

/// Answers one request.
pub async fn handle(state: Arc<State>, req: Request<RequestBody>) -> Response<Body> {
    state.handle(req).await
}

/// What to answer.
struct Reply {
    status: StatusCode,
    body: Bytes,
    content_type: HeaderValue,
    allow_post: bool,
    close: bool,
}

impl Reply {
    fn text(status: StatusCode, body: &'static str) -> Reply {
        Reply {
            status,
            body: Bytes::from_static(body.as_bytes()),
            content_type: TEXT_PLAIN,
            allow_post: false,
            close: false,
        }
    }

    fn into_response(self) -> Response<Body> {
        let mut resp = Response::new(Full::new(self.body));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, self.content_type);
        if self.allow_post {
            h.insert(header::ALLOW, ALLOW_POST);
        }
        if self.close {
            h.insert(header::CONNECTION, CLOSE);
        }
        resp
    }
}

fn verify_reason(e: VerifyError, scheme: Scheme) -> (&'static str, Cow<'static, str>) {
    let detail: Cow<'static, str> = match e {
        VerifyError::Missing => format!("no {} header", scheme.signature_header()).into(),
        VerifyError::Malformed => format!("expected {}", scheme.signature_format()).into(),
        VerifyError::Mismatch => {
            "no --secret matches; check the secret and that the body is unchanged".into()
        }
        VerifyError::MissingPart(_) => {
            format!("{scheme} signs {} together", scheme.headers().join(", ")).into()
        }
        VerifyError::InvalidTimestamp => "expected Unix seconds".into(),
        VerifyError::Stale | VerifyError::Future => {
            "outside --tolerance (5m unless given); check the sender's clock".into()
        }
        VerifyError::NoVersion(_) => format!("expected {}", scheme.signature_format()).into(),
    };
    (e.reason(), detail)
}

/// The first characters of a body, for a human line about it.
fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "empty body".to_string();
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    format!("body: {}", render::truncate(&crate::escape::escape(text.trim()), 48))
}

impl State {
    async fn handle(&self, req: Request<RequestBody>) -> Response<Body> {
        let received_at = SystemTime::now();
        Stats::bump(&self.stats.received);
        let (parts, incoming) = req.into_parts();
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let base = Record {
            received_at,
            method: parts.method.as_str(),
            path,
            verified: None,
            status: 0,
            events: &[],
            batch: false,
            duplicate: false,
            filtered: false,
            hidden: &[],
            headers: &parts.headers,
            body: &[],
            body_is_json: false,
            error: None,
            detail: None,
            forward: None,
        };

        let route = classify::route(self.opts.path.as_deref(), &parts.method, parts.uri.path());
        // 1. path
        if let (Err(Refusal::NotFound), Some(want)) = (&route, &self.opts.path) {
            let kept = body::discard(incoming, self.opts.max_body).await;
            return self.reject(
                Record {
                    error: Some("not found"),
                    detail: Some(format!("listening on {want}").into()),
                    ..base
                },
                Reply { close: !kept, ..Reply::text(StatusCode::NOT_FOUND, "not found") },
            );
        }
        // 2. method
        if route.is_err() {
            let kept = body::discard(incoming, self.opts.max_body).await;
            let reply = Reply {
                allow_post: true,
                close: !kept,
                ..Reply::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            };
            return self.reject(
                Record {
                    error: Some("method not allowed"),
                    detail: Some("only POST is accepted".into()),
                    ..base
                },
                reply,
            );
        }
        // 3. size
        let expects_continue = parts
            .headers
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        let body = match body::read(incoming, self.opts.max_body, expects_continue).await {
            Ok(b) => b,
            Err(BodyError::TooLarge { seen, drained }) => {
                let detail = format!(
                    "at least {seen} bytes; --max-body is {}",
                    bytesize::ByteSize(self.opts.max_body).display().iec()
                );
                let reply =
                    Reply { close: !drained, ..Reply::text(StatusCode::PAYLOAD_TOO_LARGE, "body too large") };
                return self.reject(
                    Record { error: Some("body too large"), detail: Some(detail.into()), ..base },
                    reply,
                );
            }
            Err(BodyError::Incomplete { got }) => {
                let detail = format!("the connection closed after {got} bytes");
                let reply = Reply { close: true, ..Reply::text(StatusCode::BAD_REQUEST, "incomplete body") };
                return self.reject(
                    Record { error: Some("incomplete body"), detail: Some(detail.into()), ..base },
                    reply,
                );
            }
        };
        let base = Record { body: &body, ..base };

        // 4. signature
        let verified = match classify::signature(&self.opts.verify, &parts.headers, &body, received_at) {
            Ok(verified) => verified,
            Err(e) => {
                let (reason, detail) = verify_reason(e, self.opts.scheme);
                // Name the event the body claims to be, so a rejected delivery can be
                // told apart (the body is still untrusted: nothing else is done with it).
                let claimed = classify::shape(self.opts.scheme, &parts.headers, &body).ok();
                return self.reject(
                    Record {
                        verified: Some(false),
                        error: Some(reason),
                        detail: Some(detail),
                        events: claimed.as_ref().map_or(&[], |p| p.events()),
                        batch: claimed.as_ref().is_some_and(|p| p.is_batch()),
                        body_is_json: claimed.is_some(),
                        ..base
                    },
                    Reply::text(Refusal::Signature(e).status(), reason),
                );
            }
        };
        if verified.is_some() {
            Stats::bump(&self.stats.verified);
        }
        let base = Record { verified, ..base };

        // 5. shape
        let parsed = match classify::shape(self.opts.scheme, &parts.headers, &body) {
            Ok(p) => p,
            Err(e) => {
                let reason = Refusal::Shape(e.clone()).reason();
                let detail = (e == ParseError::InvalidJson).then(|| snippet(&body).into());
                return self.reject(
                    Record { error: Some(reason), detail, body_is_json: e == ParseError::NotAnEvent, ..base },
                    Reply::text(StatusCode::BAD_REQUEST, reason),
                );
            }
        };
        let events = parsed.events();
        let base = Record { events, batch: parsed.is_batch(), body_is_json: true, ..base };

        // 6. replay guard
        if let (Err(refusal), Some(tol)) =
            (classify::fresh(events, self.opts.tolerance, received_at), self.opts.tolerance)
        {
            let detail = format!("--tolerance {}", humantime::format_duration(tol));
            return self.reject(
                Record { error: Some(refusal.reason()), detail: Some(detail.into()), ..base },
                Reply::text(refusal.status(), refusal.reason()),
            );
        }

        // 7. dedupe
        let mut seen_before = Vec::new();
        if let Some(seen) = &self.seen {
            seen.check(events.iter().map(|e| e.id.as_ref()), &mut seen_before);
            if seen_before.iter().all(|&s| s) {
                Stats::bump(&self.stats.duplicates);
                let reply = Reply::text(StatusCode::OK, "Already processed");
                return self.finish(Record { status: 200, duplicate: true, ..base }, reply);
            }
        }

        // 8. --events
        let hidden: Vec<bool> = if self.opts.events.is_empty() {
            Vec::new()
        } else {
            events.iter().map(|e| !self.opts.shows(&e.event)).collect()
        };
        if !hidden.is_empty() && hidden.iter().all(|&h| h) {
            Stats::bump(&self.stats.filtered);
            return self
                .finish(Record { status: 200, filtered: true, ..base }, Reply::text(StatusCode::OK, "OK"));
        }
        let base = Record { hidden: &hidden, ..base };

        // 9. --fail-first
        if let Some(attempts) = &self.attempts {
            let attempt = attempts.next(events.iter().map(|e| e.id.as_ref()));
            if attempt <= self.opts.fail_first {
                Stats::bump(&self.stats.simulated_failures);
                let detail = format!("--fail-first {}: attempt {attempt}", self.opts.fail_first);
                return self.finish(
                    Record {
                        status: 500,
                        error: Some("simulated failure"),
                        detail: Some(detail.into()),
                        ..base
                    },
                    Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "simulated failure"),
                );
            }
        }

        // 10. answer
        if let Some(d) = self.opts.respond_delay {
            tokio::time::sleep(d).await;
        }
        let target = match &self.forwarder {
            Some(_) => self.opts.target_for(
                events
                    .iter()
                    .zip(hidden.iter().copied().chain(std::iter::repeat(false)))
                    .filter(|(_, h)| !h)
                    .map(|(e, _)| e.event.as_ref()),
            ),
            None => None,
        };
        let (reply, forwarded) = match (target, &self.forwarder) {
            (Some(target), Some(fwd)) => {
                let f = fwd.forward(target, &parts.headers, body.clone()).await;
                Stats::bump(&self.stats.forwarded);
                let reply = match &f.outcome {
                    Outcome::Answered { status, headers, body } => Reply {
                        status: *status,
                        body: body.clone(),
                        content_type: headers.get(header::CONTENT_TYPE).cloned().unwrap_or(TEXT_PLAIN),
                        allow_post: false,
                        close: false,
                    },
                    Outcome::Failed(failure) if failure.is_timeout() => {
                        Stats::bump(&self.stats.forward_errors);
                        Reply::text(StatusCode::GATEWAY_TIMEOUT, "app did not answer in time")
                    }
                    Outcome::Failed(_) => {
                        Stats::bump(&self.stats.forward_errors);
                        Reply::text(StatusCode::BAD_GATEWAY, "app unreachable")
                    }
                };
                (reply, Some(f))
            }
            _ => {
                let status = self.opts.respond_status.unwrap_or(StatusCode::OK);
                let text =
                    if status == StatusCode::OK { "OK" } else { status.canonical_reason().unwrap_or("") };
                (Reply::text(status, text), None)
            }
        };
        let accepted = reply.status.is_success();
        let status = reply.status.as_u16();
        let (response, saved) = self.conclude(Record { status, forward: forwarded.as_ref(), ..base }, reply);
        // Only a delivery that is in the --save file counts as processed: otherwise its 500
        // makes the sender retry, and the retry must not be "Already processed".
        if accepted && saved {
            self.accept(events, &seen_before, &hidden);
        }
        response
    }

    /// Marks a 2xx-answered delivery's ids processed and counts its new, shown
    /// events (an id repeated inside the batch counts once).
    fn accept(&self, events: &[EventRef<'_>], seen_before: &[bool], hidden: &[bool]) {
        if let Some(seen) = &self.seen {
            seen.mark(events.iter().map(|e| e.id.as_ref()));
        }
        let counts = |i: usize| {
            !seen_before.get(i).copied().unwrap_or(false) && !hidden.get(i).copied().unwrap_or(false)
        };
        let new = if events.len() == 1 {
            u64::from(counts(0))
        } else {
            let mut ids = std::collections::HashSet::with_capacity(events.len());
            (0..events.len()).filter(|&i| ids.insert(events[i].id.as_ref()) && counts(i)).count() as u64
        };
        if new == 0 {
            return;
        }
        let total = self.stats.accept(new);
        if let Some(max) = self.opts.max_events
            && total >= max
        {
            self.done.cancel();
        }
    }

    fn reject(&self, rec: Record<'_>, reply: Reply) -> Response<Body> {
        Stats::bump(&self.stats.rejected);
        self.finish(rec, reply)
    }

    /// Saves, shows and keeps the record, then answers.
    fn finish(&self, rec: Record<'_>, reply: Reply) -> Response<Body> {
        self.conclude(rec, reply).0
    }

    /// Saves, shows and keeps the record; the answer, and whether it is the one
    /// decided: a delivery that cannot be saved is answered 500 so that the sender retries.
    fn conclude(&self, rec: Record<'_>, reply: Reply) -> (Response<Body>, bool) {
        let rec = Record { status: reply.status.as_u16(), ..rec };
        let e = match self.keep(&rec, reply, self.save.as_ref()) {
            Ok(resp) => return (resp, true),
            Err(e) => e,
        };
        let reason = crate::error::io_reason(&e);
        if let Some(save) = &self.save
            && !self.save_failed.swap(true, Ordering::Relaxed)
        {
            self.printer.warn(&format!(
                "cannot write to --save file '{}': {reason}; deliveries are answered 500 until it can",
                save.path().display()
            ));
        }
        let failed = Record {
            status: 500,
            error: Some(SAVE_FAILED),
            detail: Some(format!("--save: {reason}").into()),
            ..rec
        };
        let reply = || Reply::text(StatusCode::INTERNAL_SERVER_ERROR, SAVE_FAILED);
        // Without a file to write, showing and keeping cannot fail.
        (self.keep(&failed, reply(), None).unwrap_or_else(|_| reply().into_response()), false)
    }

    /// Writes the record to `save`, shows it and keeps it in the inspector, then
    /// answers; when saving fails, nothing is shown or kept.
    fn keep(
        &self,
        rec: &Record<'_>,
        reply: Reply,
        save: Option<&SaveFile>,
    ) -> std::io::Result<Response<Body>> {
        let Some(inspector) = &self.inspector else {
            self.emit(rec, save, |_| {})?;
            return Ok(reply.into_response());
        };
        let body = reply.body.clone();
        let resp = reply.into_response();
        let duration = SystemTime::now().duration_since(rec.received_at).unwrap_or_default();
        // The NDJSON line, when one is written anyway, is kept as it is.
        let mut kept = false;
        self.emit(rec, save, |line| {
            inspector.push(Entry::new(rec, Some(line), resp.headers(), &body, duration));
            kept = true;
        })?;
        if !kept {
            inspector.push(Entry::new(rec, None, resp.headers(), &body, duration));
        }
        Ok(resp)
    }

    /// Writes the record to `save` and to stdout (NDJSON or a human block);
    /// `with_line` gets its NDJSON line (and where its payload starts) when one
    /// was written. Nothing is shown
    /// when saving fails.
    fn emit(
        &self,
        rec: &Record<'_>,
        save: Option<&SaveFile>,
        with_line: impl FnOnce(Line<'_>),
    ) -> std::io::Result<()> {
        if self.opts.json || save.is_some() {
            let saved = LINE.with_borrow_mut(|line| {
                line.clear();
                let payload_at = rec.write_json(line);
                let saved = save.map_or(Ok(()), |f| f.append(line));
                if saved.is_ok() {
                    if self.opts.json {
                        self.sink.write(line);
                    }
                    with_line(Line { text: line, payload_at });
                }
                if line.capacity() > KEEP_LINE {
                    *line = Vec::new();
                }
                saved
            });
            if saved.is_err() || self.opts.json {
                return saved;
            }
        }
        self.sink.write(render::block(rec, &self.style).as_bytes());
        Ok(())
    }
}
