//! Turning a finished run into output: the `--json` summary document, the human
//! views (one event in detail, or a summary of many), and the exit verdict with
//! the hint a failure calls for.

use std::collections::BTreeMap;
use std::time::Duration;

use colored::Colorize;
use serde::Serialize;

use crate::error::{Error, ExitStatus, Result};
use crate::escape::escape;
use crate::units;

use super::rejection::Rejection;
use super::stats::{DeliveryRecord, Tally};
use super::transport::Answer;
use crate::target::Target;

/// Most response-body bytes shown for a single event.
const BODY_SHOWN_BYTES: usize = 1024;
/// Most response-body lines shown for a single event.
const BODY_SHOWN_LINES: usize = 12;
/// Longest response-body line shown; longer ones end in `…`.
const BODY_LINE_CHARS: usize = 200;

/// `200 OK`, `418`, … for people.
pub fn status_text(status: u16) -> String {
    match http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn ms(d: Duration) -> f64 {
    round3(d.as_secs_f64() * 1000.0)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `latency_ms` of the summary; `null` fields when nothing was answered.
#[derive(Debug, Serialize)]
struct LatencyDoc {
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
}

/// One element of `deliveries`.
#[derive(Debug, Serialize)]
struct DeliveryDoc<'a> {
    event_id: Option<&'a str>,
    status: Option<u16>,
    duration_ms: f64,
    attempts: u32,
    error: Option<&'a str>,
}

/// The `--json` summary shared by `send-test` and `replay`, fields in SPEC order.
#[derive(Debug, Serialize)]
pub struct SummaryDoc<'a> {
    url: &'a str,
    event: Option<&'a str>,
    sent: u64,
    succeeded: u64,
    failed: u64,
    status_counts: BTreeMap<String, u64>,
    latency_ms: LatencyDoc,
    events_per_sec: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    deliveries: Option<Vec<DeliveryDoc<'a>>>,
}

/// Events per second over the run's wall time.
pub fn events_per_sec(tally: &Tally, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { (tally.sent as f64 / secs * 100.0).round() / 100.0 } else { 0.0 }
}

/// The summary document.
pub fn summary_json<'a>(
    url: &'a str,
    event: Option<&'a str>,
    tally: &'a Tally,
    elapsed: Duration,
) -> SummaryDoc<'a> {
    SummaryDoc {
        url,
        event,
        sent: tally.sent,
        succeeded: tally.succeeded,
        failed: tally.failed,
        status_counts: tally.status_counts.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
        latency_ms: LatencyDoc {
            p50: tally.latency_ms(0.5).map(round3),
            p90: tally.latency_ms(0.9).map(round3),
            p99: tally.latency_ms(0.99).map(round3),
            max: tally.max_ms().map(round3),
        },
        events_per_sec: events_per_sec(tally, elapsed),
        deliveries: tally.deliveries.as_ref().map(|records| {
            records
                .iter()
                .map(|r| DeliveryDoc {
                    event_id: r.event_id.as_deref(),
                    status: r.status,
                    duration_ms: ms(r.duration),
                    attempts: r.attempts,
                    error: r.error.as_deref(),
                })
                .collect()
        }),
    }
}

/// One line for one delivery: mark, status (or error), duration, event and id, attempts.
pub fn delivery_line(r: &DeliveryRecord) -> String {
    let ok = r.status.is_some_and(|s| (200..300).contains(&s));
    let mark = if ok { "✔".green().bold() } else { "✘".red().bold() };
    let outcome = match (r.status, &r.error) {
        (Some(s), _) if ok => status_text(s).green().to_string(),
        (Some(s), _) => status_text(s).red().to_string(),
        (None, Some(e)) => escape(e).red().to_string(),
        (None, None) => "no answer".red().to_string(),
    };
    // Event names and ids may come from a saved file (`replay`).
    let mut line = format!("{mark} {outcome}  {}", units::human_duration(r.duration).dimmed());
    if let Some(event) = &r.event {
        line.push_str(&format!("  {}", escape(event).bold()));
    }
    if let Some(id) = &r.event_id {
        line.push_str(&format!(" {}", escape(id).dimmed()));
    }
    if r.attempts > 1 {
        line.push_str(&format!("  ({} attempts)", r.attempts));
    }
    line
}

/// A response body shortened for the terminal: at most 1 KiB and a dozen lines,
/// saying how much was left out. Empty when the body was empty.
pub fn body_excerpt(answer: &Answer) -> String {
    if answer.body_len == 0 {
        return String::new();
    }
    let shown = &answer.body[..answer.body.len().min(BODY_SHOWN_BYTES)];
    let text = String::from_utf8_lossy(shown);
    let mut lines: Vec<&str> = text.lines().take(BODY_SHOWN_LINES).collect();
    let cut = answer.body_len > shown.len() as u64 || text.lines().count() > BODY_SHOWN_LINES;
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut out = String::new();
    for line in &lines {
        // The receiver's own bytes: escaped, so they cannot drive the terminal.
        match line.char_indices().nth(BODY_LINE_CHARS) {
            Some((at, _)) => out.push_str(&format!("  {}…\n", escape(&line[..at]))),
            None => out.push_str(&format!("  {}\n", escape(line))),
        }
    }
    let cut = cut || lines.iter().any(|l| l.chars().count() > BODY_LINE_CHARS);
    if cut {
        out.push_str(&format!("  {}\n", format!("… ({} bytes in all)", answer.body_len).dimmed()));
    }
    out
}

/// The human view of a run of many events.
pub fn human_summary(target: &Target, event: Option<&str>, tally: &Tally, elapsed: Duration) -> String {
    let mut out = format!(
        "Sent {}{} to {} in {}: {} events/s\n",
        units::plural(tally.sent, "event", "events"),
        event.map(|e| format!(" ({e})")).unwrap_or_default(),
        target.given,
        units::human_duration(elapsed),
        events_per_sec(tally, elapsed),
    );
    let ok = if tally.succeeded > 0 { tally.succeeded.to_string().green() } else { "0".normal() };
    let bad = if tally.failed > 0 { tally.failed.to_string().red() } else { "0".normal() };
    out.push_str(&format!("  succeeded  {ok}\n  failed     {bad}\n"));
    if !tally.status_counts.is_empty() {
        let parts: Vec<String> = tally.status_counts.iter().map(|(s, n)| format!("{s} ×{n}")).collect();
        out.push_str(&format!("  statuses   {}\n", parts.join(", ")));
    }
    if !tally.errors.is_empty() {
        let parts: Vec<String> = tally.errors.iter().map(|(e, n)| format!("{} ×{n}", escape(e))).collect();
        out.push_str(&format!("  errors     {}\n", parts.join(", ")));
    }
    if let (Some(p50), Some(p90), Some(p99), Some(max)) =
        (tally.latency_ms(0.5), tally.latency_ms(0.9), tally.latency_ms(0.99), tally.max_ms())
    {
        let f = |v: f64| units::human_duration(Duration::try_from_secs_f64(v / 1000.0).unwrap_or_default());
        out.push_str(&format!(
            "  latency    p50 {}  p90 {}  p99 {}  max {}\n",
            f(p50),
            f(p90),
            f(p99),
            f(max)
        ));
    }
    out
}

/// What signatures the requests of a run carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signatures {
    /// None (no secret was given; for `replay`, some saved deliveries had none).
    None,
    /// Made now with the given secret.
    Fresh,
    /// `replay` without `--secret`: the saved ones, unchanged.
    Saved,
}

/// How a run sent its requests, for the hints of its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sending {
    /// `replay`: the bodies (and their timestamps) are the saved ones.
    pub replay: bool,
    /// The signatures they carried.
    pub signatures: Signatures,
}

/// Exit 0 when every event ended 2xx; otherwise the failure line and its hint.
pub fn verdict(target: &Target, tally: &Tally, sending: Sending) -> Result<ExitStatus> {
    if tally.failed == 0 {
        return Ok(ExitStatus::Success);
    }
    let of =
        if tally.sent == 1 { String::new() } else { format!(" ({} of {} events)", tally.failed, tally.sent) };
    if tally.refused {
        return Err(Error::failure(format!(
            "connection refused by {}: nothing is listening there{of}",
            target.host_port()
        ))
        .with_hint(format!(
            "start a local receiver with `scopien-hooks listen --port {}`, or check the URL",
            target.port
        )));
    }
    if tally.count_of(401) > 0 {
        return Err(unauthorized(tally, sending, &of));
    }
    let mut reasons: Vec<String> = tally
        .status_counts
        .iter()
        .filter(|(s, _)| !(200..300).contains(s))
        .map(|(s, n)| if tally.sent == 1 { status_text(*s) } else { format!("{} ×{n}", status_text(*s)) })
        .collect();
    reasons.extend(
        tally.errors.iter().map(|(e, n)| if tally.sent == 1 { e.clone() } else { format!("{e} ×{n}") }),
    );
    let err = if tally.sent == 1 {
        Error::failure(format!("the delivery did not end 2xx: {}", reasons.join(", ")))
    } else {
        Error::failure(format!(
            "{} of {} events did not end 2xx: {}",
            tally.failed,
            tally.sent,
            reasons.join(", ")
        ))
    };
    let timed_out = tally.errors.iter().any(|(e, _)| e.starts_with("timed out"));
    Err(if timed_out {
        err.with_hint("receivers must answer within 5 s (the docs' deadline); raise --timeout only to debug")
    } else if tally.count_of(404) > 0 {
        err.with_hint(format!(
            "the receiver has nothing at {}: check the URL's path (`listen` prints the URL to paste on its \
             Ready! line)",
            target.path.path()
        ))
    } else if tally.count_of(413) > 0 {
        err.with_hint(
            "the receiver refused the body as too large: send fewer events per request (--batch), or raise \
             its limit (`listen --max-body`)",
        )
    } else {
        err
    })
}

/// A 401: the receiver's stated reason on the error line, and the hint that
/// reason calls for (the signature format when it names none).
fn unauthorized(tally: &Tally, sending: Sending, of: &str) -> Error {
    let rejection = tally.rejection().unwrap_or(Rejection::Unstated);
    let said = match &tally.rejection_reason {
        Some(reason) => format!(": {}", escape(reason)),
        None if sending.signatures == Signatures::None => String::new(),
        None => ": it did not accept the signature".to_string(),
    };
    let err = Error::failure(format!("the receiver answered 401 Unauthorized{said}{of}"));
    let hint = match (rejection, sending.signatures) {
        (Rejection::Timestamp, _) if sending.replay => {
            "replayed events keep their saved timestamp (re-signing does not change it): replay to a \
             receiver with a wider tolerance (`listen --tolerance`) or none"
        }
        (Rejection::Timestamp, _) => {
            "the events carry this machine's time: check its clock, or widen the receiver's tolerance \
             (`listen --tolerance`)"
        }
        (_, Signatures::None) if sending.replay => {
            "saved deliveries without a signature went unsigned: pass --secret with the receiver's secret \
             to sign them"
        }
        (_, Signatures::None) => {
            "the request carried no signature: pass --secret (or set SCOPIEN_WEBHOOK_SECRET) with the \
             receiver's secret"
        }
        (Rejection::Missing, _) => {
            "the request carried a signature made with --secret, but the receiver found none: check which \
             header it reads (--scheme signs as another provider) and that nothing in between drops it"
        }
        (_, Signatures::Saved) => {
            "the saved signatures were sent unchanged: pass --secret with the receiver's secret to re-sign \
             the bodies (and --signature-format bare for quick-start receivers)"
        }
        (_, Signatures::Fresh) => {
            "receivers written like the docs' quick-start examples (Express, Flask, PHP) compare the bare hex \
             digest: add `--signature-format bare`; otherwise check that the secret matches"
        }
    };
    err.with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::super::transport::Attempt;
    use super::*;

    fn target() -> Target {
        Target::parse("target", "http://127.0.0.1:4000/hook").unwrap()
    }

    fn tally_with(status: u16, n: u64) -> Tally {
        answered(status, n, "")
    }

    fn answered(status: u16, n: u64, body: &str) -> Tally {
        let mut t = Tally::new(true);
        let a = Attempt {
            result: Ok(Answer { status, body: body.as_bytes().to_vec(), body_len: body.len() as u64 }),
            duration: Duration::from_millis(2),
        };
        t.record_latency(&a);
        t.record_outcome(n, &a, None);
        t.finish();
        t
    }

    #[test]
    fn json_shape() {
        let t = tally_with(200, 3);
        let v =
            serde_json::to_value(summary_json("http://x/", Some("lead.created"), &t, Duration::from_secs(1)))
                .unwrap();
        assert_eq!(v["sent"], 3);
        assert_eq!(v["status_counts"]["200"], 3);
        assert_eq!(v["events_per_sec"], 3.0);
        assert!(v["latency_ms"]["p50"].as_f64().unwrap() > 1.9);
        assert_eq!(v["deliveries"], serde_json::json!([]));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        for k in
            ["url", "event", "sent", "succeeded", "failed", "status_counts", "latency_ms", "events_per_sec"]
        {
            assert!(keys.contains(&k.to_string()), "{k}");
        }
    }

    const SIGNED: Sending = Sending { replay: false, signatures: Signatures::Fresh };

    fn hint_for(body: &str, sending: Sending) -> (String, String) {
        let e = verdict(&target(), &answered(401, 1, body), sending).unwrap_err();
        (e.message().to_string(), e.hint().unwrap().to_string())
    }

    #[test]
    fn a_401_hint_follows_the_receivers_reason() {
        let (line, hint) = hint_for("missing signature\n", SIGNED);
        assert_eq!(line, "the receiver answered 401 Unauthorized: missing signature");
        assert!(hint.contains("found none"), "{hint}");
        let unsigned = Sending { replay: false, signatures: Signatures::None };
        let (line, hint) = hint_for("", unsigned);
        assert_eq!(line, "the receiver answered 401 Unauthorized");
        assert!(hint.contains("carried no signature: pass --secret"), "{hint}");
        let (_, hint) = hint_for("stale timestamp", SIGNED);
        assert!(hint.contains("clock") && hint.contains("--tolerance"), "{hint}");
        let replayed = Sending { replay: true, signatures: Signatures::Fresh };
        let (_, hint) = hint_for("stale timestamp", replayed);
        assert!(hint.contains("saved timestamp") && hint.contains("--tolerance"), "{hint}");
        let (line, hint) = hint_for("signature mismatch", SIGNED);
        assert!(line.ends_with(": signature mismatch"), "{line}");
        assert!(hint.contains("--signature-format bare") && hint.contains("secret"), "{hint}");
        let saved = Sending { replay: true, signatures: Signatures::Saved };
        let (_, hint) = hint_for("Invalid signature", saved);
        assert!(hint.contains("sent unchanged: pass --secret"), "{hint}");
        let (line, _) = hint_for("", SIGNED);
        assert!(line.ends_with("it did not accept the signature"), "{line}");
        // The receiver's words are escaped on the way to the terminal.
        let (line, _) = hint_for("bad \u{1b}]0;x\u{7}", SIGNED);
        assert!(!line.contains('\u{1b}'), "{line:?}");
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(&target(), &tally_with(204, 2), SIGNED), Ok(ExitStatus::Success));
        let e = verdict(&target(), &tally_with(401, 1), SIGNED).unwrap_err();
        assert!(e.hint().unwrap().contains("--signature-format bare"));
        let e = verdict(&target(), &tally_with(404, 1), SIGNED).unwrap_err();
        assert!(e.hint().unwrap().contains("nothing at /hook"), "{e:?}");
        let e = verdict(&target(), &tally_with(413, 1), SIGNED).unwrap_err();
        assert!(e.hint().unwrap().contains("--max-body"), "{e:?}");
        let e = verdict(&target(), &tally_with(500, 4), SIGNED).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.message().contains("500 Internal Server Error ×4"), "{}", e.message());
    }

    #[test]
    fn excerpts_are_bounded() {
        let long = Answer { status: 200, body: vec![b'x'; 4096], body_len: 100_000 };
        let text = body_excerpt(&long);
        assert!(text.len() < 300, "{}", text.len());
        assert!(text.contains("100000 bytes in all"));
        let many_lines = "a\n".repeat(50);
        let lines = Answer { status: 200, body: many_lines.clone().into_bytes(), body_len: 100 };
        assert_eq!(body_excerpt(&lines).lines().count(), BODY_SHOWN_LINES + 1);
        let short = Answer { status: 200, body: b"OK".to_vec(), body_len: 2 };
        assert_eq!(body_excerpt(&short), "  OK\n");
    }
}
