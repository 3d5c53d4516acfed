//! Request bodies for `send-test`: a catalog event rendered from a [`Template`]
//! with a fresh id and timestamp, optionally wrapped as a batch, or a fixed
//! `--payload` sent as is; each signed. Everything that does not change between
//! events (the template, the keyed HMAC) is prepared once, so building a request
//! costs one id, a timestamp lookup, one body buffer and one HMAC.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderValue;
use rand::RngExt;
use rand::distr::Alphanumeric;

use crate::ids;
use crate::payload::{self, Template};
use crate::signature::{MAX_HEADER_LEN, Signer};
use crate::wire;

/// An event id (`evt_` + 24 alphanumerics) kept on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EventId([u8; 28]);

impl EventId {
    /// A fresh random id.
    pub fn fresh() -> EventId {
        let mut buf = [0u8; 28];
        buf[..4].copy_from_slice(ids::EVENT_PREFIX.as_bytes());
        for (slot, c) in buf[4..].iter_mut().zip(rand::rng().sample_iter(Alphanumeric)) {
            *slot = c;
        }
        EventId(buf)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Built from the ASCII prefix and ASCII alphanumerics only.
        std::str::from_utf8(&self.0).expect("event ids are ASCII")
    }
}

impl std::fmt::Debug for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The signature header value for `body`, written without intermediate strings.
pub fn signature_value(signer: &Signer, body: &[u8]) -> HeaderValue {
    let mut buf = [0u8; MAX_HEADER_LEN];
    HeaderValue::from_str(signer.encode(body, &mut buf)).expect("hex is a valid header value")
}

/// The current RFC 3339 timestamp, formatted at most once per second.
#[derive(Debug, Default)]
struct Clock {
    secs: u64,
    text: String,
}

impl Clock {
    fn now(&mut self) -> &str {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if secs != self.secs || self.text.is_empty() {
            self.secs = secs;
            self.text = payload::timestamp_at(UNIX_EPOCH + Duration::from_secs(secs));
        }
        &self.text
    }
}

/// Where bodies come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A catalog event: fresh id and timestamp per event.
    Events(Arc<Template>),
    /// `--payload FILE`: these exact bytes every time, signed once.
    Fixed {
        /// The body.
        body: Bytes,
        /// Its signature header value (none when sending unsigned).
        signature: Option<HeaderValue>,
        /// The payload's own `id`, when it is an event.
        event_id: Option<String>,
    },
}

/// One request, ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The exact body.
    pub body: Bytes,
    /// The `X-Scopien-Signature` value (none when sending unsigned).
    pub signature: Option<HeaderValue>,
}

/// Builds requests; each worker owns one (they share the template).
#[derive(Debug, Clone)]
pub struct Generator {
    source: Source,
    signer: Option<Signer>,
    /// Wrap events as `{"events":[…]}` (set by `--batch`, even for a batch of one).
    batched: bool,
    clock: Clock,
    ids: Vec<EventId>,
    size_hint: usize,
}

impl Clone for Clock {
    fn clone(&self) -> Self {
        Clock::default()
    }
}

impl Generator {
    /// A generator of catalog events.
    pub fn events(template: Template, signer: Option<Signer>, batched: bool) -> Generator {
        let size_hint = template.render("evt_000000000000000000000000", "2026-01-22T11:00:00Z").len();
        Generator {
            source: Source::Events(Arc::new(template)),
            signer,
            batched,
            clock: Clock::default(),
            ids: Vec::new(),
            size_hint,
        }
    }

    /// A generator that always sends `body`, signed once here (when there is a signer).
    pub fn fixed(body: Bytes, signer: Option<Signer>) -> Generator {
        let signature = signer.as_ref().map(|s| signature_value(s, &body));
        let event_id = match wire::parse_delivery(&body) {
            Ok(wire::Parsed::Single(e)) => Some(e.id.into_owned()),
            _ => None,
        };
        Generator {
            size_hint: body.len(),
            source: Source::Fixed { body, signature, event_id },
            signer,
            batched: false,
            clock: Clock::default(),
            ids: Vec::new(),
        }
    }

    /// Builds the next request carrying `events` events (more than one only when batched).
    pub fn build(&mut self, events: usize) -> Outgoing {
        match &self.source {
            Source::Fixed { body, signature, .. } => {
                Outgoing { body: body.clone(), signature: signature.clone() }
            }
            Source::Events(template) => {
                self.ids.clear();
                // Ids and timestamps have fixed lengths, so the exact size is known:
                // a buffer filled to capacity becomes `Bytes` without another allocation.
                let exact = if self.batched {
                    wire::batch_len(events, self.size_hint * events)
                } else {
                    self.size_hint
                };
                let mut body = Vec::with_capacity(exact);
                let timestamp = self.clock.now();
                let ids = &mut self.ids;
                let mut render = |out: &mut Vec<u8>| {
                    let id = EventId::fresh();
                    template.render_into(out, id.as_str(), timestamp);
                    ids.push(id);
                };
                if self.batched {
                    wire::write_batch(&mut body, events, render);
                } else {
                    debug_assert_eq!(events, 1, "only a batch carries more than one event");
                    render(&mut body);
                }
                let signature = self.signer.as_ref().map(|s| signature_value(s, &body));
                Outgoing { body: Bytes::from(body), signature }
            }
        }
    }

    /// The event ids of the last request built (for a fixed payload: its id, if any).
    pub fn last_ids(&self) -> Vec<Option<String>> {
        match &self.source {
            Source::Fixed { event_id, .. } => vec![event_id.clone()],
            Source::Events(_) => self.ids.iter().map(|id| Some(id.as_str().to_string())).collect(),
        }
    }

    /// The first event id of the last request, for progress lines.
    pub fn first_id(&self) -> Option<&str> {
        match &self.source {
            Source::Fixed { event_id, .. } => event_id.as_deref(),
            Source::Events(_) => self.ids.first().map(EventId::as_str),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::SignatureFormat;
    use crate::signature::{self, Verifier};

    fn generator(batched: bool) -> Generator {
        let signer = Signer::new("whsec_test", SignatureFormat::Prefixed);
        Generator::events(Template::sample("lead.created", None), Some(signer), batched)
    }

    #[test]
    fn fresh_ids_and_valid_signatures() {
        let mut g = generator(false);
        let a = g.build(1);
        let id_a = g.first_id().unwrap().to_string();
        let b = g.build(1);
        let id_b = g.first_id().unwrap().to_string();
        assert_ne!(id_a, id_b);
        assert!(ids::is_valid(&id_a, ids::EVENT_PREFIX) && id_a.len() == 28);
        let v: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(v["id"], id_a.as_str());
        assert_eq!(v["event"], "lead.created");
        let verifier = Verifier::new(&["whsec_test"]);
        let (sig_a, sig_b) = (a.signature.unwrap(), b.signature.unwrap());
        assert_eq!(verifier.verify(Some(sig_a.as_bytes()), &a.body), Ok(()));
        assert_eq!(verifier.verify(Some(sig_b.as_bytes()), &b.body), Ok(()));
        assert!(sig_a.to_str().unwrap().starts_with("sha256="));
    }

    #[test]
    fn batches_wrap_events() {
        let mut g = generator(true);
        let out = g.build(3);
        let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
        let events = v["events"].as_array().unwrap();
        assert_eq!(events.len(), 3);
        let got: Vec<_> = events.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
        let want: Vec<_> = g.last_ids().into_iter().map(Option::unwrap).collect();
        assert_eq!(got, want);
        let one = g.build(1);
        assert!(one.body.starts_with(br#"{"events":[{"#));
        assert!(one.body.ends_with(b"}]}"));
    }

    #[test]
    fn bare_format_and_fixed_bodies() {
        let signer = Signer::new("s3cret", SignatureFormat::Bare);
        let body = Bytes::from_static(br#"{"id":"evt_x","event":"lead.created"}"#);
        let mut g = Generator::fixed(body.clone(), Some(signer));
        let out = g.build(1);
        assert_eq!(out.body, body);
        assert_eq!(out.signature.unwrap(), signature::sign("s3cret", &body, SignatureFormat::Bare).as_str());
        assert_eq!(g.last_ids(), vec![Some("evt_x".to_string())]);
    }

    #[test]
    fn without_a_signer_nothing_is_signed() {
        let mut g = Generator::events(Template::sample("lead.created", None), None, false);
        let out = g.build(1);
        assert!(out.signature.is_none());
        assert!(serde_json::from_slice::<serde_json::Value>(&out.body).is_ok());
    }
}
