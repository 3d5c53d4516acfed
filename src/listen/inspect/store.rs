//! The inspector's memory: the last requests the listener answered, newest
//! last, bounded by count (`--inspect-limit`) and by bytes (`--inspect-memory`);
//! the oldest go first. Each entry is made from the same [`Record`] the NDJSON
//! and human renderers get, and keeps that record's NDJSON line as it is, so a
//! summary, a detail and a download are that line with a few fields added.
//!
//! Pushing costs the copy of one request into an entry (one allocation), one
//! short lock that writes a slot of the preallocated [`Ring`], and a wake-up
//! of `/api/stream` readers that is a single atomic load when there are none.
//! Everything else is done when the API asks: readers clone the entries'
//! `Arc`s out under the lock and do their work without it, and entries pushed
//! out of the ring are dropped after the lock is let go.

use std::borrow::Cow;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use rand::RngExt;
use rand::distr::Alphanumeric;
use tokio::sync::watch;

use super::ring::Ring;
use crate::catalog;
use crate::listen::forward::{Forwarded, Outcome};
use crate::listen::parse::{PayloadForm, payload_form};
use crate::listen::record::Record;

/// The most of a request body kept for display.
pub const BODY_CAP: usize = 1 << 20;
/// The most of an answer's body kept (the one sent, the app's).
pub const ANSWER_CAP: usize = 64 << 10;
/// What an entry costs besides its bytes (the structs, its slot, the `Arc`).
const OVERHEAD: usize = 512;

/// How much the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Requests kept.
    pub count: usize,
    /// Bytes kept in all (bodies, lines, headers and answers).
    pub bytes: u64,
}

/// What the listener answered: the status, the headers it set itself (the
/// server adds the length and date), the start of the body.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Its `Content-Type`.
    pub content_type: Option<HeaderValue>,
    /// Its `Allow` (a 405).
    pub allow: Option<HeaderValue>,
    /// Its `Connection` (when the connection was closed after it).
    pub connection: Option<HeaderValue>,
    /// The first [`ANSWER_CAP`] bytes of the body.
    pub body: Bytes,
}

impl Answer {
    /// The answer's headers as sent: the ones set, and its length.
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let set = [
            (header::CONTENT_TYPE, &self.content_type),
            (header::ALLOW, &self.allow),
            (header::CONNECTION, &self.connection),
        ];
        for (name, value) in set {
            if let Some(v) = value {
                h.insert(name, v.clone());
            }
        }
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        h
    }
}

/// The exchange with the app, when the request was forwarded.
#[derive(Debug)]
pub struct Exchange {
    /// Where it went.
    pub url: Arc<str>,
    /// The app's status (`None`: no answer).
    pub status: Option<u16>,
    /// The app's headers.
    pub headers: HeaderMap,
    /// The first [`ANSWER_CAP`] bytes of the app's body.
    pub body: Bytes,
    /// How long it took.
    pub duration: Duration,
    /// Why there was no answer.
    pub error: Option<String>,
}

/// A record's NDJSON line as written, and where its payload starts in it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line (its newline may follow).
    pub text: &'a [u8],
    /// Where `"payload":`'s value starts.
    pub payload_at: usize,
}

/// Where an entry's body is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyAt {
    /// It is empty.
    Empty,
    /// In the line, verbatim, `len` bytes from the payload's start.
    Verbatim(usize),
    /// In the line, as the JSON string it unescapes to exactly.
    Escaped,
    /// Copied after the line (it is not valid UTF-8, so the line's text is not it).
    Copied,
}

/// One request as kept. Making one costs one allocation for what was received
/// (the line, the event names, and the body only when the line cannot give it
/// back), sharing the answer's bytes, and no copy of a header map: the request
/// headers and the body are read back from the line when someone asks.
#[derive(Debug)]
pub struct Entry {
    /// Arrival order, from 1.
    pub seq: u64,
    id: [u8; ID_LEN],
    /// The record's NDJSON line without its newline, the body when [`BodyAt::Copied`],
    /// then the names of the events it carried, one a line.
    data: Box<[u8]>,
    line_len: usize,
    payload_at: usize,
    body_at: BodyAt,
    body_end: usize,
    /// From arrival to answer.
    pub duration: Duration,
    /// The status answered.
    pub status: u16,
    /// The signature verdict.
    pub verified: Option<bool>,
    /// More about a refusal, for people (the human view's second part).
    pub detail: Option<Cow<'static, str>>,
    /// Whether the body is only the start of it.
    pub truncated: bool,
    /// What was answered.
    pub answer: Answer,
    /// The forward, if any.
    pub exchange: Option<Box<Exchange>>,
    size: usize,
}

const ID_LEN: usize = 20;

/// `req_` + 16 random alphanumerics, without an allocation.
fn fresh_id() -> [u8; ID_LEN] {
    let mut id = [0u8; ID_LEN];
    id[..4].copy_from_slice(b"req_");
    let mut rng = rand::rng();
    for b in &mut id[4..] {
        *b = rng.sample(Alphanumeric);
    }
    id
}

fn header_bytes(h: &HeaderMap) -> usize {
    h.iter().map(|(n, v)| n.as_str().len() + v.len() + 16).sum()
}

fn capped(b: &Bytes, cap: usize) -> Bytes {
    if b.len() <= cap { b.clone() } else { Bytes::copy_from_slice(&b[..cap]) }
}

impl Entry {
    /// Builds an entry from the record and the answer (`headers` as set by the
    /// listener, `body` as sent). `line` is the record's NDJSON line when it was
    /// already written (`--json`, `--save`).
    pub fn new(
        rec: &Record<'_>,
        line: Option<Line<'_>>,
        headers: &HeaderMap,
        body: &Bytes,
        duration: Duration,
    ) -> Entry {
        let truncated = rec.body.len() > BODY_CAP;
        let kept = &rec.body[..rec.body.len().min(BODY_CAP)];
        // The form the line's payload has: a cut body is no longer the JSON it was, it is kept as text.
        let body_at = match payload_form(kept, rec.body_is_json && !truncated) {
            PayloadForm::Null => BodyAt::Empty,
            PayloadForm::Verbatim => BodyAt::Verbatim(kept.len()),
            PayloadForm::Text if std::str::from_utf8(kept).is_ok() => BodyAt::Escaped,
            PayloadForm::Text => BodyAt::Copied,
        };
        let copied = if body_at == BodyAt::Copied { kept.len() } else { 0 };
        let names = rec.events.iter().map(|e| e.event.len() + 1).sum::<usize>();
        let mut data = Vec::new();
        let payload_at = match line {
            Some(l) if !truncated => {
                let text = l.text.strip_suffix(b"\n").unwrap_or(l.text);
                data.reserve_exact(text.len() + copied + names);
                data.extend_from_slice(text);
                l.payload_at
            }
            _ => {
                let shown =
                    Record { body: kept, body_is_json: rec.body_is_json && !truncated, detail: None, ..*rec };
                let at = shown.write_json(&mut data);
                data.pop();
                data.reserve_exact(copied + names);
                at
            }
        };
        let line_len = data.len();
        if body_at == BodyAt::Copied {
            data.extend_from_slice(kept);
        }
        let body_end = data.len();
        for e in rec.events {
            data.extend_from_slice(e.event.as_bytes());
            data.push(b'\n');
        }
        let exchange = rec.forward.map(|f| Box::new(exchange(f)));
        let answer = Answer {
            status: rec.status,
            content_type: headers.get(header::CONTENT_TYPE).cloned(),
            allow: headers.get(header::ALLOW).cloned(),
            connection: headers.get(header::CONNECTION).cloned(),
            body: capped(body, ANSWER_CAP),
        };
        let size = OVERHEAD
            + data.len()
            + answer.body.len()
            + exchange.as_ref().map_or(0, |x| x.body.len() + header_bytes(&x.headers) + x.url.len());
        Entry {
            seq: 0,
            id: fresh_id(),
            data: data.into_boxed_slice(),
            line_len,
            payload_at,
            body_at,
            body_end,
            duration,
            status: rec.status,
            verified: rec.verified,
            detail: rec.detail.clone(),
            truncated,
            answer,
            exchange,
            size,
        }
    }

    /// `req_` + 16 alphanumerics.
    pub fn id(&self) -> &str {
        std::str::from_utf8(&self.id).expect("ids are ASCII")
    }

    /// The record's NDJSON line, without its newline.
    pub fn line(&self) -> &[u8] {
        &self.data[..self.line_len]
    }

    /// The body (its first [`BODY_CAP`] bytes).
    pub fn body(&self) -> Cow<'_, [u8]> {
        let payload = &self.data[self.payload_at..self.line_len];
        match self.body_at {
            BodyAt::Empty => Cow::Borrowed(&[]),
            BodyAt::Verbatim(len) => Cow::Borrowed(&payload[..len]),
            BodyAt::Escaped => {
                // The line's own JSON string, written from this very body: it reads back.
                let mut de = serde_json::Deserializer::from_slice(payload);
                let text = <String as serde::Deserialize>::deserialize(&mut de).unwrap_or_default();
                Cow::Owned(text.into_bytes())
            }
            BodyAt::Copied => Cow::Borrowed(&self.data[self.line_len..self.body_end]),
        }
    }

    /// The names of the events it carried.
    pub fn events(&self) -> impl Iterator<Item = &str> + Clone {
        // Event names come from parsed JSON strings: whole UTF-8, each followed by its newline.
        let names = std::str::from_utf8(&self.data[self.body_end..]).unwrap_or_default();
        names.split('\n').filter(|e| !e.is_empty())
    }

    /// The request headers, read back from the line (a repeated header comes
    /// back as one, its values joined with ", ", as `--save` writes it).
    pub fn request_headers(&self) -> HeaderMap {
        #[derive(serde::Deserialize)]
        struct Line {
            headers: serde_json::Map<String, serde_json::Value>,
        }
        let mut h = HeaderMap::new();
        let Ok(line) = serde_json::from_slice::<Line>(self.line()) else { return h };
        for (name, value) in line.headers {
            if let (Ok(n), Some(Ok(v))) =
                (HeaderName::from_bytes(name.as_bytes()), value.as_str().map(HeaderValue::from_str))
            {
                h.append(n, v);
            }
        }
        h
    }

    /// The bytes this entry is counted for.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Appends the summary: the NDJSON record with `id` and `duration_ms` first.
    pub fn write_summary(&self, out: &mut Vec<u8>) {
        self.open(out);
        out.push(b'}');
    }

    /// Appends `{"id":…,"duration_ms":…,` and the record's fields without its braces.
    pub fn open(&self, out: &mut Vec<u8>) {
        let _ = write!(out, "{{\"id\":\"{}\",\"duration_ms\":{},", self.id(), self.duration.as_millis());
        // The line is an object with at least one field: `{…}`.
        let line = self.line();
        out.extend_from_slice(&line[1..line.len() - 1]);
    }
}

fn exchange(f: &Forwarded) -> Exchange {
    let (headers, body) = match &f.outcome {
        Outcome::Answered { headers, body, .. } => (headers.clone(), capped(body, ANSWER_CAP)),
        _ => (HeaderMap::new(), Bytes::new()),
    };
    Exchange {
        url: f.url.clone(),
        status: f.app_status().map(|s| s.as_u16()),
        headers,
        body,
        duration: f.duration,
        error: f.error(),
    }
}

/// A status filter: `404` or a class such as `4xx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this code.
    Code(u16),
    /// Any code of this hundred (4 for `4xx`).
    Class(u16),
}

impl StatusFilter {
    /// Parses `404`, `4xx` (any case).
    pub fn parse(s: &str) -> Option<StatusFilter> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() == 3 && b[1..].eq_ignore_ascii_case(b"xx") && (b'1'..=b'5').contains(&b[0]) {
            return Some(StatusFilter::Class(u16::from(b[0] - b'0')));
        }
        s.parse::<u16>().ok().filter(|c| (100..=599).contains(c)).map(StatusFilter::Code)
    }

    fn matches(self, status: u16) -> bool {
        match self {
            StatusFilter::Code(c) => status == c,
            StatusFilter::Class(c) => status / 100 == c,
        }
    }
}

/// What `GET /api/requests` asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// At most this many (newest first).
    pub limit: Option<usize>,
    /// An event pattern: one of the request's events matches it.
    pub event: Option<String>,
    /// The status answered.
    pub status: Option<StatusFilter>,
    /// The signature verdict (unchecked requests match neither).
    pub verified: Option<bool>,
    /// A substring of the body.
    pub q: Option<String>,
}

impl Filter {
    /// Whether `e` passes.
    pub fn matches(&self, e: &Entry) -> bool {
        if let Some(p) = &self.event
            && !e.events().any(|name| catalog::matches(p, name))
        {
            return false;
        }
        if let Some(s) = self.status
            && !s.matches(e.status)
        {
            return false;
        }
        if let Some(v) = self.verified
            && e.verified != Some(v)
        {
            return false;
        }
        match &self.q {
            Some(q) if !q.is_empty() => memchr::memmem::find(&e.body(), q.as_bytes()).is_some(),
            _ => true,
        }
    }
}

/// Latency percentiles in milliseconds (`None` when nothing is kept).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// Slowest.
    pub max: Option<f64>,
}

impl Latency {
    /// The nearest-rank percentiles of these durations.
    pub fn of(mut durations: Vec<Duration>) -> Latency {
        if durations.is_empty() {
            return Latency::default();
        }
        durations.sort_unstable();
        let n = durations.len();
        let at = |q: f64| {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            Some(durations[rank - 1].as_secs_f64() * 1000.0)
        };
        Latency { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1.0) }
    }
}

/// The bounded store and the stream of arrivals.
pub struct Store {
    ring: Mutex<Ring<Arc<Entry>>>,
    /// Bumped after each push while someone reads `/api/stream`; the readers
    /// then take what is new from the ring.
    arrivals: watch::Sender<()>,
    started: Instant,
    started_at: SystemTime,
}

impl Store {
    /// An empty store keeping at most `bounds`.
    pub fn new(bounds: Bounds) -> Store {
        // No entry costs less than OVERHEAD: more slots than that allows would never fill.
        let slots = bounds.count.min(usize::try_from(bounds.bytes / OVERHEAD as u64).unwrap_or(usize::MAX));
        Store {
            ring: Mutex::new(Ring::new(slots, bounds.bytes)),
            arrivals: watch::Sender::new(()),
            started: Instant::now(),
            started_at: SystemTime::now(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Ring<Arc<Entry>>> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `entry`, dropping the oldest while over a limit, and wakes the stream's readers.
    pub fn push(&self, mut entry: Entry) {
        let size = entry.size as u64;
        let evicted = {
            let mut ring = self.lock();
            entry.seq = ring.last_seq() + 1;
            ring.push(Arc::new(entry), size).1
        };
        // Freed here, outside the lock.
        drop(evicted);
        // An error only says nobody has the page open, and costs one atomic load.
        let _ = self.arrivals.send(());
    }

    /// The entries passing `filter`, newest first.
    pub fn list(&self, filter: &Filter) -> Vec<Arc<Entry>> {
        let all: Vec<Arc<Entry>> = self.lock().newest_first().cloned().collect();
        all.into_iter().filter(|e| filter.matches(e)).take(filter.limit.unwrap_or(usize::MAX)).collect()
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        self.lock().newest_first().find(|e| e.id() == id).cloned()
    }

    /// The entry with this sequence number, if still kept.
    pub fn by_seq(&self, seq: u64) -> Option<Arc<Entry>> {
        self.lock().get(seq).cloned()
    }

    /// The oldest kept entry that arrived after entry `seq`.
    pub fn after(&self, seq: u64) -> Option<Arc<Entry>> {
        self.lock().after(seq).map(|(_, e)| e.clone())
    }

    /// The sequence number of the last arrival (0 before any).
    pub fn last_seq(&self) -> u64 {
        self.lock().last_seq()
    }

    /// Forgets every entry (the counters stay: they are since the start).
    pub fn clear(&self) {
        let all = self.lock().clear();
        drop(all);
    }

    /// How many entries and bytes are kept now.
    pub fn usage(&self) -> (usize, u64) {
        let ring = self.lock();
        (ring.len(), ring.bytes())
    }

    /// The kept requests' time to answer, in milliseconds.
    pub fn latency(&self) -> Latency {
        let durations = self.lock().newest_first().map(|e| e.duration).collect();
        Latency::of(durations)
    }

    /// A reader of arrivals: it is woken after each push from now on (several
    /// pushes may wake it once), and finds what is new with [`Store::after`].
    pub fn subscribe(&self) -> watch::Receiver<()> {
        self.arrivals.subscribe()
    }

    /// How long the store has existed.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// When it started.
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listen::record::tests::{base, header_map};
    use crate::wire::parse_delivery as parse;
    use serde_json::Value;

    fn record<'a>(h: &'a HeaderMap, body: &'a [u8], status: u16) -> Record<'a> {
        Record { verified: Some(status == 200), status, ..base(h, body) }
    }

    const OK: Bytes = Bytes::from_static(b"OK");

    fn entry(body: &[u8], status: u16) -> Entry {
        let h = HeaderMap::new();
        let parsed = parse(body).ok();
        let rec = Record {
            events: parsed.as_ref().map_or(&[], |p| p.events()),
            body_is_json: parsed.is_some(),
            ..record(&h, body, status)
        };
        Entry::new(&rec, None, &HeaderMap::new(), &OK, Duration::from_millis(3))
    }

    const LEAD: &[u8] =
        br#"{"id":"evt_1","event":"lead.created","timestamp":"2026-01-22T11:00:00Z","data":{"name":"Ada"}}"#;

    #[test]
    fn summary_is_the_record_with_id_and_duration() {
        let e = entry(LEAD, 200);
        assert!(
            e.id().starts_with("req_")
                && e.id().len() == 20
                && e.id()[4..].bytes().all(|b| b.is_ascii_alphanumeric())
        );
        let mut out = Vec::new();
        e.write_summary(&mut out);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["id"], e.id());
        assert_eq!(v["duration_ms"], 3);
        assert_eq!(v["event"], "lead.created");
        assert_eq!(v["payload"]["data"]["name"], "Ada");
        assert_eq!(v.as_object().unwrap().len(), 16);
    }

    #[test]
    fn a_given_line_is_used_as_is() {
        let h = HeaderMap::new();
        let rec = record(&h, b"x", 400);
        let mut text = Vec::new();
        let payload_at = rec.write_json(&mut text);
        // Marked, to tell it from a line written afresh.
        let text = String::from_utf8(text).unwrap().replace("\"POST\"", "\"MARK\"").into_bytes();
        let e =
            Entry::new(&rec, Some(Line { text: &text, payload_at }), &HeaderMap::new(), &OK, Duration::ZERO);
        assert_eq!(e.line(), &text[..text.len() - 1]);
        assert_eq!(&e.body()[..], b"x");
    }

    #[test]
    fn bodies_are_read_back_from_the_line_unless_it_cannot_give_them() {
        let h = HeaderMap::new();
        let cases: [(&[u8], bool, BodyAt); 6] = [
            (br#"{"a":[1,2]}"#, true, BodyAt::Verbatim(11)),
            (b"{\n  \"a\": \"\\u00e9\\n\"\n}", true, BodyAt::Escaped),
            (b"not json \"quoted\" \t \xc3\xa9", false, BodyAt::Escaped),
            (b"\xff\xfe", false, BodyAt::Copied),
            (b"", false, BodyAt::Empty),
            (b"[1]", false, BodyAt::Verbatim(3)),
        ];
        for (body, is_json, want) in cases {
            let rec = Record { body_is_json: is_json, ..record(&h, body, 200) };
            for given in [false, true] {
                let mut text = Vec::new();
                let payload_at = rec.write_json(&mut text);
                let line = given.then_some(Line { text: &text, payload_at });
                let e = Entry::new(&rec, line, &HeaderMap::new(), &OK, Duration::ZERO);
                assert_eq!(e.body_at, want, "{body:?}");
                assert_eq!(&e.body()[..], body, "{body:?}");
                let stored = e.data.len() - e.line().len();
                assert_eq!(stored, if want == BodyAt::Copied { body.len() } else { 0 });
            }
        }
    }

    #[test]
    fn big_bodies_are_cut_and_kept_as_text() {
        let mut body = LEAD[..LEAD.len() - 2].to_vec();
        body.extend(std::iter::repeat_n(b' ', BODY_CAP));
        body.extend_from_slice(b"}}");
        let e = entry(&body, 200);
        assert!(e.truncated);
        assert_eq!(e.body().len(), BODY_CAP);
        let v: Value = serde_json::from_slice(e.line()).unwrap();
        assert!(v["payload"].is_string());
        assert!(e.size() > BODY_CAP && e.size() < 3 * BODY_CAP);
    }

    #[test]
    fn count_limit_drops_the_oldest() {
        let store = Store::new(Bounds { count: 3, bytes: 1 << 30 });
        for _ in 0..5 {
            store.push(entry(LEAD, 200));
        }
        let kept = store.list(&Filter::default());
        assert_eq!(kept.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 4, 3]);
        assert_eq!(store.by_seq(4).unwrap().seq, 4);
        assert!(store.by_seq(2).is_none());
        assert!(store.by_seq(6).is_none());
        assert_eq!(store.get(kept[1].id()).unwrap().seq, 4);
        store.clear();
        assert_eq!(store.usage(), (0, 0));
    }

    #[test]
    fn byte_limit_drops_the_oldest() {
        let one = entry(LEAD, 200).size() as u64;
        let store = Store::new(Bounds { count: 1000, bytes: one * 3 + one / 2 });
        for _ in 0..10 {
            store.push(entry(LEAD, 200));
        }
        let (n, bytes) = store.usage();
        assert_eq!(n, 3);
        assert!(bytes <= one * 3 + one / 2);
        assert_eq!(store.list(&Filter::default())[0].seq, 10);
    }

    #[test]
    fn filters() {
        let store = Store::new(Bounds { count: 100, bytes: 1 << 30 });
        store.push(entry(LEAD, 200));
        store.push(entry(
            br#"{"id":"evt_2","event":"case.closed","timestamp":"2026-01-22T11:00:00Z","data":{}}"#,
            401,
        ));
        store.push(entry(b"not json", 400));
        let ids = |f: Filter| store.list(&f).iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(ids(Filter::default()), [3, 2, 1]);
        assert_eq!(ids(Filter { limit: Some(2), ..Filter::default() }), [3, 2]);
        assert_eq!(ids(Filter { event: Some("lead.*".into()), ..Filter::default() }), [1]);
        assert_eq!(ids(Filter { event: Some("*".into()), ..Filter::default() }), [2, 1]);
        assert_eq!(ids(Filter { status: StatusFilter::parse("4xx"), ..Filter::default() }), [3, 2]);
        assert_eq!(ids(Filter { status: StatusFilter::parse("401"), ..Filter::default() }), [2]);
        assert_eq!(ids(Filter { verified: Some(true), ..Filter::default() }), [1]);
        assert_eq!(ids(Filter { q: Some("Ada".into()), ..Filter::default() }), [1]);
        assert_eq!(ids(Filter { q: Some("nobody".into()), ..Filter::default() }), Vec::<u64>::new());
    }

    #[test]
    fn status_filters_parse() {
        assert_eq!(StatusFilter::parse("4xx"), Some(StatusFilter::Class(4)));
        assert_eq!(StatusFilter::parse("2XX"), Some(StatusFilter::Class(2)));
        assert_eq!(StatusFilter::parse("404"), Some(StatusFilter::Code(404)));
        for bad in ["", "6xx", "4x", "abc", "99", "600"] {
            assert_eq!(StatusFilter::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn latency_and_stream() {
        let store = Store::new(Bounds { count: 10, bytes: 1 << 30 });
        assert_eq!(store.latency(), Latency::default());
        // Nobody reads the stream: a push still keeps the entry.
        store.push(entry(LEAD, 200));
        let mut rx = store.subscribe();
        let seen = store.last_seq();
        assert_eq!(seen, 1);
        assert!(!rx.has_changed().unwrap());
        store.push(entry(LEAD, 200));
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        assert_eq!(store.after(seen).unwrap().seq, 2);
        assert!(store.after(2).is_none());
        let l = store.latency();
        assert!((l.p50.unwrap() - 3.0).abs() < 0.01, "{l:?}");
        assert_eq!(l.max, l.p50);
        store.clear();
        assert_eq!(store.latency(), Latency::default(), "latency is of the kept requests");
    }

    #[test]
    fn latency_percentiles_are_nearest_rank() {
        let ms = |v: u64| Duration::from_millis(v);
        let l = Latency::of((1..=100).rev().map(ms).collect());
        assert_eq!((l.p50, l.p90, l.p99, l.max), (Some(50.0), Some(90.0), Some(99.0), Some(100.0)));
        let l = Latency::of(vec![ms(7)]);
        assert_eq!((l.p50, l.max), (Some(7.0), Some(7.0)));
    }

    #[test]
    fn slots_are_bounded_by_what_the_bytes_allow() {
        const BYTES: u64 = 4 << 20;
        let store = Store::new(Bounds { count: 1_000_000, bytes: BYTES });
        for _ in 0..3 {
            store.push(entry(LEAD, 200));
        }
        assert_eq!(store.ring.lock().unwrap().capacity(), (BYTES / OVERHEAD as u64) as usize);
        assert_eq!(store.usage().0, 3);
    }

    #[test]
    fn events_are_kept_after_the_body() {
        let body =
            br#"{"events":[{"id":"evt_1","event":"lead.created"},{"id":"evt_2","event":"case.closed"}]}"#;
        let e = entry(body, 200);
        assert_eq!(e.events().collect::<Vec<_>>(), ["lead.created", "case.closed"]);
        assert_eq!(&e.body()[..], body);
        assert_eq!(entry(b"not json", 400).events().count(), 0);
    }

    #[test]
    fn headers_come_back_from_the_line() {
        let h = header_map(&[("x-a", "1"), ("x-a", "2"), ("content-type", "application/json")]);
        let rec = Record { headers: &h, ..record(&h, LEAD, 200) };
        let sent = header_map(&[("content-type", "text/plain"), ("date", "now")]);
        let e = Entry::new(&rec, None, &sent, &OK, Duration::ZERO);
        let back = e.request_headers();
        assert_eq!(back.get("x-a").unwrap(), "1, 2");
        assert_eq!(back.get("content-type").unwrap(), "application/json");
        let mut out = Vec::new();
        crate::listen::record::write_headers(&mut out, &e.answer.headers());
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!({"content-type":"text/plain","content-length":"2"}));
    }
}
