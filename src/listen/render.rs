//! The human view: one block per delivery.
//!
//! ```text
//! 10:30:00 ✔ opportunity.updated evt_Q2x…
//!            id=opp_xyz789 name="Acme Corp Deal" amount=100000 stage="Closed Won"
//!            stage: Negotiation → Closed Won
//!            amount: 95000 → 100000
//!            → 200 (12 ms) OK
//! 10:30:02 ✘ 401 signature mismatch · POST /webhooks
//! ```
//!
//! Event names are coloured by object type; filtered deliveries are dimmed.
//! Without colour every line still reads on its own.

use std::fmt::Write as _;
use std::time::SystemTime;

use colored::{Color, ColoredString, Colorize};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::forward::{Forwarded, Outcome};
use super::record::Record;
use crate::catalog;
use crate::escape::{escape as clean, is_unsafe};
use crate::http::{Failure, FailureKind};
use crate::redact;
use crate::units::human_duration;
use crate::wire::EventRef;

/// Width of `HH:MM:SS ✔ `, where continuation lines start.
const INDENT: usize = 11;

/// Layout choices made once.
#[derive(Debug, Clone)]
pub struct Style {
    /// Characters per line available.
    pub width: usize,
    /// Mark accepted deliveries as unverified (no secret was given).
    pub tag_unverified: bool,
}

/// Width when neither the terminal nor `COLUMNS` gives one.
const DEFAULT_WIDTH: usize = 80;

impl Style {
    /// The terminal's width when stdout is one, else `COLUMNS`, else 80 columns.
    pub fn from_env(tag_unverified: bool) -> Style {
        let term = console::Term::stdout().size_checked().map(|(_, cols)| cols);
        let width = width(term, std::env::var("COLUMNS").ok().as_deref());
        Style { width, tag_unverified }
    }

    fn room(&self, extra_indent: usize) -> usize {
        self.width.saturating_sub(INDENT + extra_indent).max(20)
    }
}

/// The line width from the terminal's size, else `COLUMNS`, kept to a usable range.
fn width(term: Option<u16>, columns: Option<&str>) -> usize {
    term.map(usize::from)
        .filter(|&w| w > 0)
        .or_else(|| columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|&w| w > 0))
        .unwrap_or(DEFAULT_WIDTH)
        .clamp(40, 1000)
}

/// The fixed colour of an object type.
fn object_color(event: &str) -> Color {
    match catalog::object_of(event) {
        "opportunity" => Color::Magenta,
        "account" => Color::Blue,
        "contact" => Color::Cyan,
        "lead" => Color::Green,
        "case" => Color::Yellow,
        "task" => Color::BrightBlue,
        "webhook" => Color::Red,
        _ => Color::White,
    }
}

fn event_name(e: &EventRef<'_>) -> ColoredString {
    clean(&e.event).color(object_color(&e.event)).bold()
}

/// `HH:MM:SS` of a time, on the local clock.
pub fn clock(t: SystemTime) -> String {
    crate::localtime::hms(t)
}

/// The block for one request, ending with a newline.
pub fn block(r: &Record<'_>, style: &Style) -> String {
    let mut out = String::with_capacity(256);
    let ok = (200..300).contains(&r.status);
    let mark = if ok { "✔".green().bold() } else { "✘".red().bold() };
    let pad = " ".repeat(INDENT);
    let _ = write!(out, "{} {} ", clock(r.received_at).dimmed(), mark);

    if r.events.is_empty() {
        // Refused before it could be read as an event.
        let _ = write!(out, "{} {}", r.status.to_string().red().bold(), r.error.unwrap_or("refused").red());
        let _ = write!(out, " {}", format!("· {} {}", r.method, clean(r.path)).dimmed());
        if let Some(d) = &r.detail {
            let _ = write!(out, " {}", format!("({d})").dimmed());
        }
        out.push('\n');
        return out;
    }

    // Head line: the event (or the batch), then how it was answered.
    if r.batch {
        let _ = write!(
            out,
            "{}",
            format!("batch of {}", crate::units::plural(r.events.len() as u64, "event", "events")).bold()
        );
    } else {
        let e = &r.events[0];
        let _ = write!(out, "{} {}", event_name(e), clean(&e.id).dimmed());
    }
    if r.filtered {
        let _ = write!(out, "  {}", "filtered out by --events".dimmed());
        out.push('\n');
        return dim_all(out);
    }
    if r.duplicate {
        let _ = write!(out, "  {}", "duplicate: answered Already processed".yellow());
        out.push('\n');
        return out;
    }
    match (r.error, ok) {
        (Some(err), _) => {
            let _ = write!(out, "  {} {}", r.status.to_string().red().bold(), err.red());
        }
        (None, false) if r.forward.is_none() => {
            let _ = write!(out, "  {}", format!("answered {}", r.status).red().bold());
        }
        (None, true) if r.status != 200 && r.forward.is_none() => {
            let _ = write!(out, "  {}", format!("answered {}", r.status).green());
        }
        _ => {}
    }
    if let Some(d) = &r.detail {
        let _ = write!(out, " {}", format!("({d})").dimmed());
    }
    if style.tag_unverified && r.verified.is_none() && r.error.is_none() {
        let _ = write!(out, "  {}", "unverified".yellow().dimmed());
    }
    out.push('\n');

    // The events themselves.
    if r.batch {
        for (i, e) in r.events.iter().enumerate() {
            let hidden = r.hidden.get(i).copied().unwrap_or(false);
            let mut line = format!("{pad}{} {}", event_name(e), clean(&e.id).dimmed());
            let used = e.event.chars().count() + e.id.chars().count() + 2;
            if let Some(d) = compact_data(e.data, style.room(used)) {
                let _ = write!(line, " {}", d);
            }
            line.push('\n');
            for c in changes(e.changes, style.room(2)) {
                let _ = writeln!(line, "{pad}  {c}");
            }
            out.push_str(&if hidden { dim_all(line) } else { line });
        }
    } else {
        let e = &r.events[0];
        if let Some(d) = compact_data(e.data, style.room(0)) {
            let _ = writeln!(out, "{pad}{d}");
        }
        for c in changes(e.changes, style.room(0)) {
            let _ = writeln!(out, "{pad}{c}");
        }
    }
    if let Some(f) = r.forward {
        let _ = writeln!(out, "{pad}{}", forward_line(f, style.room(0)));
    }
    out
}

/// Re-renders a finished block without colours, dimmed as a whole.
fn dim_all(block: String) -> String {
    if !colored::control::SHOULD_COLORIZE.should_colorize() {
        return block;
    }
    let plain = strip_ansi(&block);
    plain.lines().map(|l| format!("{}\n", l.dimmed())).collect()
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `→ 200 (12 ms) first line of the answer`, or why there was none.
fn forward_line(f: &Forwarded, room: usize) -> String {
    let took = human_duration(f.duration);
    match &f.outcome {
        Outcome::Answered { status, .. } => {
            let code = status.as_u16().to_string();
            let code = if status.is_success() { code.green().bold() } else { code.red().bold() };
            let first = truncate(&clean(&f.first_line()), room.saturating_sub(took.len() + 10));
            format!("{} {code} {} {}", "→".dimmed(), format!("({took})").dimmed(), first)
        }
        Outcome::Failed(failure) => failure_line(f, failure),
    }
}

/// `→ 502 …` (or `504`) with what went wrong and what to check.
fn failure_line(f: &Forwarded, failure: &Failure) -> String {
    let url = redact::url_passwords(&f.url);
    match failure.kind() {
        FailureKind::Refused | FailureKind::Connect(_) => format!(
            "{} {} {} {}",
            "→".dimmed(),
            "502".red().bold(),
            format!("cannot reach your app at {url} ({})", failure.reason()).red(),
            format!("is it running on port {}?", f.port).yellow()
        ),
        FailureKind::Tls(why) => format!(
            "{} {} {} {}",
            "→".dimmed(),
            "502".red().bold(),
            format!("TLS handshake with {url} failed ({why})").red(),
            format!("does it serve https on port {}?", f.port).yellow()
        ),
        FailureKind::Protocol(why) => {
            format!("{} {} {}", "→".dimmed(), "502".red().bold(), format!("{why} ({url})").red())
        }
        FailureKind::Timeout(d) => format!(
            "{} {} {} {}",
            "→".dimmed(),
            "504".red().bold(),
            format!("no answer from {url} within {}", humantime::format_duration(*d)).red(),
            "(raise --forward-timeout to debug)".dimmed()
        ),
    }
}

/// An object's entries in their original order, values left raw.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some((k, raw)) = map.next_entry::<String, &'de RawValue>()? {
                    v.push((k, raw));
                }
                Ok(Entries(v))
            }
        }
        d.deserialize_map(V)
    }
}

fn entries(raw: &RawValue) -> Option<Vec<(String, &RawValue)>> {
    serde_json::from_str::<Entries<'_>>(raw.get()).ok().map(|e| e.0)
}

/// `id=opp_1 name="Acme Corp Deal" amount=100000`, cut to `room` characters.
fn compact_data(raw: Option<&RawValue>, room: usize) -> Option<String> {
    let raw = raw?;
    let text = match entries(raw) {
        Some(mut fields) => {
            // The object's own id leads; the rest keep the payload's order.
            if let Some(i) = fields.iter().position(|(k, _)| k == "id") {
                let id = fields.remove(i);
                fields.insert(0, id);
            }
            let mut s = String::new();
            for (k, v) in fields {
                if !s.is_empty() {
                    s.push(' ');
                }
                let _ = write!(s, "{}={}", clean(&k), field_value(v));
                if s.len() > room * 4 {
                    break;
                }
            }
            s
        }
        None => compact_json(raw),
    };
    (!text.is_empty()).then(|| truncate(&text, room))
}

/// A value inside `key=value`: bare when it reads unambiguously, else JSON.
fn field_value(raw: &RawValue) -> String {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::String(s)) if is_bare(&s) => s,
        // serde escapes C0 controls in JSON, but not DEL, C1 or bidi controls.
        Ok(v) => clean(&v.to_string()).into_owned(),
        Err(_) => clean(raw.get()).into_owned(),
    }
}

fn is_bare(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || is_unsafe(c) || matches!(c, '"' | '=' | '\\'))
}

fn compact_json(raw: &RawValue) -> String {
    let text = serde_json::from_str::<Value>(raw.get()).map(|v| v.to_string());
    clean(text.as_deref().unwrap_or(raw.get())).into_owned()
}

/// `field: old → new` for each change, in the payload's order.
fn changes(raw: Option<&RawValue>, room: usize) -> Vec<String> {
    let Some(fields) = raw.and_then(entries) else {
        return Vec::new();
    };
    #[derive(Deserialize)]
    struct Change {
        #[serde(default)]
        old: Value,
        #[serde(default)]
        new: Value,
    }
    fields
        .into_iter()
        .map(|(field, v)| {
            let text = match serde_json::from_str::<Change>(v.get()) {
                Ok(c) => format!(
                    "{}: {} {} {}",
                    clean(&field),
                    change_value(&c.old).dimmed(),
                    "→".dimmed(),
                    change_value(&c.new).bold()
                ),
                Err(_) => format!("{}: {}", clean(&field), compact_json(v)),
            };
            truncate_colored(text, room)
        })
        .collect()
}

/// Strings as themselves (`Negotiation`), everything else as JSON (`95000`, `null`).
fn change_value(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() => clean(s).into_owned(),
        other => clean(&other.to_string()).into_owned(),
    }
}

/// Cuts `s` to `max` characters, marking the cut with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Like [`truncate`] for text that may hold colour codes: cut only when too long to read.
fn truncate_colored(s: String, max: usize) -> String {
    if strip_ansi(&s).chars().count() <= max { s } else { truncate(&strip_ansi(&s), max) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Template;
    use crate::wire::parse_delivery as parse;
    use http::HeaderMap;
    use std::borrow::Cow;
    use std::time::{Duration, UNIX_EPOCH};

    /// The test records' time on this machine's clock (10:30:00 in UTC).
    fn at() -> String {
        clock(UNIX_EPOCH + Duration::from_secs(1_769_077_800))
    }

    #[test]
    fn width_asks_the_terminal_then_columns() {
        assert_eq!(width(Some(132), Some("60")), 132);
        assert_eq!(width(None, Some(" 60 ")), 60);
        assert_eq!(width(None, Some("wide")), DEFAULT_WIDTH);
        assert_eq!(width(Some(0), Some("0")), DEFAULT_WIDTH);
        assert_eq!(width(None, None), DEFAULT_WIDTH);
        assert_eq!(width(Some(10), None), 40);
        assert_eq!(width(None, Some("99999999999999999999999")), DEFAULT_WIDTH);
    }

    fn style() -> Style {
        Style { width: 100, tag_unverified: false }
    }

    fn record<'a>(h: &'a HeaderMap, events: &'a [EventRef<'a>]) -> Record<'a> {
        Record {
            received_at: UNIX_EPOCH + Duration::from_secs(1_769_077_800),
            method: "POST",
            path: "/hooks",
            verified: Some(true),
            status: 200,
            events,
            batch: false,
            duplicate: false,
            filtered: false,
            hidden: &[],
            headers: h,
            body: b"",
            body_is_json: true,
            error: None,
            detail: None,
            forward: None,
        }
    }

    #[test]
    fn forward_lines_say_what_failed() {
        colored::control::set_override(false);
        let f = |outcome| Forwarded {
            url: "https://127.0.0.1:8443/hooks".into(),
            port: 8443,
            duration: Duration::from_millis(3),
            outcome,
        };
        let tls = forward_line(
            &f(Outcome::Failed(Failure::new(
                "localhost:1",
                FailureKind::Tls("invalid peer certificate: UnknownIssuer".into()),
            ))),
            100,
        );
        assert_eq!(
            tls,
            "→ 502 TLS handshake with https://127.0.0.1:8443/hooks failed (invalid peer certificate: UnknownIssuer) does it serve https on port 8443?"
        );
        let down = forward_line(&f(Outcome::Failed(Failure::new("localhost:1", FailureKind::Refused))), 100);
        assert!(down.contains("cannot reach your app") && down.ends_with("port 8443?"), "{down}");
    }

    #[test]
    fn single_event_block() {
        colored::control::set_override(false);
        let body = Template::sample("opportunity.updated", None).render("evt_1", "2026-01-22T10:30:00Z");
        let p = parse(&body).unwrap();
        let h = HeaderMap::new();
        let text = block(&record(&h, p.events()), &Style { width: 140, ..style() });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("{} ✔ opportunity.updated evt_1", at()));
        assert_eq!(
            lines[1],
            "           id=opp_xyz789 name=\"Acme Corp Deal\" amount=100000 stage=\"Closed Won\" previousStage=Negotiation updatedBy=usr_def456"
        );
        // Data and changes keep the payload's order, the docs' order.
        assert_eq!(lines[2], "           stage: Negotiation → Closed Won");
        assert_eq!(lines[3], "           amount: 95000 → 100000");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn rejection_block() {
        colored::control::set_override(false);
        let h = HeaderMap::new();
        let r = Record {
            status: 401,
            error: Some("signature mismatch"),
            verified: Some(false),
            ..record(&h, &[])
        };
        assert_eq!(block(&r, &style()), format!("{} ✘ 401 signature mismatch · POST /hooks\n", at()));
    }

    #[test]
    fn batch_block() {
        colored::control::set_override(false);
        let body = br#"{"events":[{"id":"evt_1","event":"lead.created","data":{"id":"lead_1"}},{"id":"evt_2","event":"case.updated","data":{"id":"case_1"},"changes":{"status":{"old":"New","new":"In Progress"}}}]}"#;
        let p = parse(body).unwrap();
        let h = HeaderMap::new();
        let r = Record { batch: true, ..record(&h, p.events()) };
        let text = block(&r, &style());
        assert_eq!(
            text,
            format!("{} ✔ batch of 2 events\n", at())
                + "           lead.created evt_1 id=lead_1\n           case.updated evt_2 id=case_1\n             status: New → In Progress\n"
        );
    }

    #[test]
    fn compact_values() {
        let raw = RawValue::from_string(r#"{"b":"x y","a":null,"n":{"k":[1,2]},"e":""}"#.into()).unwrap();
        assert_eq!(compact_data(Some(&raw), 100).unwrap(), r#"b="x y" a=null n={"k":[1,2]} e="""#);
        assert_eq!(compact_data(Some(&raw), 10).unwrap(), "b=\"x y\" a…");
        let with_id = RawValue::from_string(r#"{"name":"n","id":"x_1"}"#.into()).unwrap();
        assert_eq!(compact_data(Some(&with_id), 100).unwrap(), "id=x_1 name=n");
        let arr = RawValue::from_string("[1, 2]".into()).unwrap();
        assert_eq!(compact_data(Some(&arr), 100).unwrap(), "[1,2]");
        let odd = RawValue::from_string(r#"{"f":"plain"}"#.into()).unwrap();
        assert_eq!(changes(Some(&odd), 100), ["f: \"plain\""]);
    }

    #[test]
    fn clock_is_the_local_clock() {
        let t = UNIX_EPOCH + Duration::from_secs(86_400 + 3_723);
        assert_eq!(clock(t), crate::localtime::local(t).hms());
        assert!(clock(t).ends_with(":02:03") || clock(t).ends_with(":32:03") || clock(t).ends_with(":47:03"));
    }

    #[test]
    fn sender_text_cannot_reach_the_terminal() {
        colored::control::set_override(false);
        let body = br#"{"id":"evt_\u001b[2J","event":"lead.created\u0007","data":{"k\u001b":"v"},"changes":{"f":{"old":"a\u001b]0;x","new":"b"}}}"#;
        let p = parse(body).unwrap();
        let h = HeaderMap::new();
        let text = block(&record(&h, p.events()), &style());
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
        assert!(text.contains("evt_\\u{1b}[2J"), "{text}");
        assert_eq!(clean("plain"), Cow::Borrowed("plain"));
        let c1 = "{\"id\":\"evt_1\",\"event\":\"lead.created\",\"data\":{\"k\":\"a b\u{9b}2J\u{202e}\",\"n\":{\"x\":\"\u{7f}\"}}}";
        let p = parse(c1.as_bytes()).unwrap();
        let text = block(&record(&h, p.events()), &style());
        assert!(!text.chars().any(is_unsafe_but_newline), "{text:?}");
    }

    fn is_unsafe_but_newline(c: char) -> bool {
        c != '\n' && is_unsafe(c)
    }

    #[test]
    fn strip() {
        assert_eq!(strip_ansi("\u{1b}[1;32mok\u{1b}[0m done"), "ok done");
    }
}
