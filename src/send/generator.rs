//! Request bodies for `send-test`: a catalog event rendered from a [`Template`]
//! with a fresh id and timestamp, optionally wrapped as a batch, or a fixed
//! `--payload` sent as is; each signed. Everything that does not change between
//! events (the template, the keyed HMAC) is prepared once, so building a request
//! costs one id, a timestamp lookup, one body buffer and one HMAC.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use rand::RngExt;
use rand::distr::Alphanumeric;

use crate::ids;
use crate::payload::{self, Template};
use crate::signature::{Message, Signer};
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

/// A signer with its scheme's header names parsed once.
#[derive(Debug, Clone)]
pub struct Signing {
    signer: Signer,
    names: Vec<(&'static str, HeaderName)>,
}

impl Signing {
    /// Prepares `signer` for signing requests.
    pub fn new(signer: Signer) -> Signing {
        let names = signer
            .scheme()
            .headers()
            .iter()
            .map(|&n| (n, HeaderName::from_bytes(n.as_bytes()).expect("scheme headers are valid names")))
            .collect();
        Signing { signer, names }
    }

    /// Whether each attempt needs signing afresh (a signed timestamp goes stale).
    pub fn timestamped(&self) -> bool {
        self.signer.scheme().timestamped()
    }

    /// The signature headers for `body` as message `id`, signed now.
    pub fn sign(&self, id: &str, body: &[u8]) -> SignatureHeaders {
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let signed = self.signer.sign(&Message { id, timestamp, body });
        let mut out = SignatureHeaders::default();
        for (slot, ((shown, name), (_, value))) in
            out.0.iter_mut().zip(self.names.iter().zip(signed.headers()))
        {
            let value = HeaderValue::from_str(value).expect("signature values are ASCII");
            *slot = Some(Header { shown, name: name.clone(), value });
        }
        out
    }
}

/// One signature header: its name as the provider spells it, and as sent.
#[derive(Debug, Clone)]
struct Header {
    shown: &'static str,
    name: HeaderName,
    value: HeaderValue,
}

/// The signature headers of one request: none when unsigned, else the
/// scheme's one to three, kept inline.
#[derive(Debug, Clone, Default)]
pub struct SignatureHeaders([Option<Header>; 3]);

impl SignatureHeaders {
    /// Each header and its value, in the scheme's order.
    pub fn iter(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.0.iter().flatten().map(|h| (&h.name, &h.value))
    }

    /// Each header as the provider spells it, with its value (for a `curl` command).
    pub fn shown(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().flatten().map(|h| (h.shown, h.value.to_str().expect("signature values are ASCII")))
    }

    /// Whether the request goes unsigned.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
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
// One per generator: keeping the signature inline spares a box per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Source {
    /// A catalog event: fresh id and timestamp per event.
    Events(Arc<Template>),
    /// `--payload FILE`: these exact bytes every time, signed once (or per
    /// request, as a fresh message, when the scheme signs a timestamp).
    Fixed {
        /// The body.
        body: Bytes,
        /// Its signature headers.
        signature: SignatureHeaders,
        /// The payload's own `id`, when it is an event.
        event_id: Option<String>,
    },
}

/// One request, ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The exact body.
    pub body: Bytes,
    /// The signature headers (none when sending unsigned).
    pub signature: SignatureHeaders,
    /// The message id signed (the first event's, or fresh for a fixed payload).
    pub id: EventId,
}

/// Builds requests; each worker owns one (they share the template).
#[derive(Debug, Clone)]
pub struct Generator {
    source: Source,
    signer: Option<Signing>,
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
    pub fn events(template: Template, signer: Option<Signing>, batched: bool) -> Generator {
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

    /// A generator that always sends `body`, signed once here (when there is a
    /// signer whose scheme signs no timestamp).
    pub fn fixed(body: Bytes, signer: Option<Signing>) -> Generator {
        let signature = match &signer {
            Some(s) if !s.timestamped() => s.sign("", &body),
            _ => SignatureHeaders::default(),
        };
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
                let id = EventId::fresh();
                let signature = match &self.signer {
                    Some(s) if s.timestamped() => s.sign(id.as_str(), body),
                    _ => signature.clone(),
                };
                Outgoing { body: body.clone(), signature, id }
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
                let id = self.ids[0];
                let signature = self.signer.as_ref().map(|s| s.sign(id.as_str(), &body)).unwrap_or_default();
                Outgoing { body: Bytes::from(body), signature, id }
            }
        }
    }

    /// The names of the signature headers each request carries (none when unsigned).
    pub fn signature_names(&self) -> impl Iterator<Item = &HeaderName> {
        self.signer.iter().flat_map(|s| s.names.iter().map(|(_, n)| n))
    }

    /// Signs `out` again with a fresh timestamp, for a retry, when the scheme
    /// signs one (the message id and body stay).
    pub fn resign(&self, out: &mut Outgoing) {
        if let Some(s) = self.signer.as_ref().filter(|s| s.timestamped()) {
            out.signature = s.sign(out.id.as_str(), &out.body);
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
    use crate::signature::{self, Scheme, SignatureFormat, Verifier};

    fn generator(batched: bool) -> Generator {
        let signer = Signer::new("whsec_test", SignatureFormat::Prefixed);
        Generator::events(Template::sample("lead.created", None), Some(Signing::new(signer)), batched)
    }

    fn value<'a>(out: &'a Outgoing, name: &str) -> &'a str {
        out.signature.iter().find(|(k, _)| k.as_str() == name).map_or("", |(_, v)| v.to_str().unwrap())
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
        let (sig_a, sig_b) = (value(&a, "x-scopien-signature"), value(&b, "x-scopien-signature"));
        assert_eq!(verifier.verify_str(Some(sig_a), &a.body), Ok(()));
        assert_eq!(verifier.verify_str(Some(sig_b), &b.body), Ok(()));
        assert!(sig_a.starts_with("sha256="));
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
        let mut g = Generator::fixed(body.clone(), Some(Signing::new(signer)));
        let out = g.build(1);
        assert_eq!(out.body, body);
        assert_eq!(
            value(&out, "x-scopien-signature"),
            signature::sign("s3cret", &body, SignatureFormat::Bare)
        );
        assert_eq!(g.last_ids(), vec![Some("evt_x".to_string())]);
    }

    #[test]
    fn timestamped_schemes_sign_each_message_and_retry() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let signer = Signer::for_scheme(Scheme::Standard, secret, SignatureFormat::Prefixed).unwrap();
        let body = Bytes::from_static(br#"{"type":"invoice.paid","data":{}}"#);
        let mut g = Generator::fixed(body.clone(), Some(Signing::new(signer)));
        let (mut a, b) = (g.build(1), g.build(1));
        assert_ne!(value(&a, "webhook-id"), value(&b, "webhook-id"));
        assert_eq!(value(&a, "webhook-id"), a.id.as_str());
        let verifier = Verifier::for_scheme(Scheme::Standard, &[secret], None).unwrap();
        let headers: http::HeaderMap = a.signature.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(verifier.check(&headers, &body, SystemTime::now()), Ok(()));
        let id = value(&a, "webhook-id").to_string();
        g.resign(&mut a);
        assert_eq!(value(&a, "webhook-id"), id);
        assert_eq!(a.signature.iter().count(), 3);
    }

    #[test]
    fn without_a_signer_nothing_is_signed() {
        let mut g = Generator::events(Template::sample("lead.created", None), None, false);
        let out = g.build(1);
        assert!(out.signature.is_empty());
        assert!(serde_json::from_slice::<serde_json::Value>(&out.body).is_ok());
    }
}
