//! The emulator's attempt log on stderr: one line per delivery attempt, for
//! people or (`--json`) as NDJSON. Secrets and keys never appear in it.

use colored::Colorize;
use serde::Serialize;

use crate::output::eprintln_safe;

/// One delivery attempt, as logged.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptLine {
    /// RFC 3339 time the attempt started.
    pub time: String,
    /// The webhook.
    pub webhook_id: String,
    /// The log row.
    pub delivery_id: String,
    /// The (first) event.
    pub event_id: String,
    /// The (first) event's name.
    pub event: String,
    /// Events in the request (more than one for a batch).
    pub events: usize,
    /// 1-based.
    pub attempt: u32,
    /// `succeeded` or `failed`.
    pub status: &'static str,
    /// The answer's status, if one came.
    pub response_status: Option<u16>,
    /// How long it took.
    pub duration_ms: i64,
    /// What went wrong.
    pub error: Option<String>,
    /// When the next attempt is due (RFC 3339), if one is.
    pub next_retry_at: Option<String>,
    /// Whether this attempt disabled the webhook.
    pub webhook_disabled: bool,
}

/// Writes attempt lines in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Logger {
    json: bool,
    quiet: bool,
}

impl Logger {
    /// A logger writing NDJSON when `json`; nothing for people when `quiet`.
    pub fn new(json: bool, quiet: bool) -> Self {
        Logger { json, quiet }
    }

    /// Logs one attempt.
    pub fn attempt(&self, line: &AttemptLine) {
        if self.json {
            eprintln_safe(&crate::escape::json(serde_json::to_string(line).expect("log lines serialise")));
        } else if !self.quiet {
            eprintln_safe(&human(line));
        }
    }

    /// A line for people only (start-up, shutdown).
    pub fn note(&self, text: &str) {
        if !self.json && !self.quiet {
            eprintln_safe(text);
        }
    }
}

/// `10:45:01 ✔ wh_… opportunity.updated evt_… → 200 (12 ms) attempt 1`
pub fn human(l: &AttemptLine) -> String {
    // Local wall-clock time, like `listen`; the NDJSON form keeps RFC 3339 UTC.
    let clock =
        |t: &str| crate::payload::parse_timestamp(t).map_or_else(|| t.to_string(), crate::localtime::hms);
    let mark = if l.status == "succeeded" { "✔".green().bold() } else { "✘".red().bold() };
    let events = if l.events > 1 { format!(" (+{} more)", l.events - 1) } else { String::new() };
    let answer = match (l.response_status, &l.error) {
        (Some(code), _) => {
            let text = code.to_string();
            if (200..300).contains(&code) { text.green().to_string() } else { text.red().to_string() }
        }
        // Failure texts may quote what the receiver sent.
        (None, Some(e)) => crate::escape::escape(e).red().to_string(),
        (None, None) => "no answer".red().to_string(),
    };
    let mut out = format!(
        "{} {mark} {} {} {}{events} → {answer} ({}) attempt {}",
        clock(&l.time).dimmed(),
        l.webhook_id,
        l.event.bold(),
        l.event_id.dimmed(),
        crate::units::whole_millis(u64::try_from(l.duration_ms).unwrap_or(0)),
        l.attempt
    );
    if let Some(next) = &l.next_retry_at {
        out.push_str(&format!(", next retry {}", clock(next)));
    }
    if l.webhook_disabled {
        out.push_str(&format!(", {}", "webhook disabled".yellow().bold()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> AttemptLine {
        AttemptLine {
            time: "2026-01-22T10:45:01Z".into(),
            webhook_id: "wh_abc".into(),
            delivery_id: "dlv_1".into(),
            event_id: "evt_1".into(),
            event: "opportunity.updated".into(),
            events: 1,
            attempt: 1,
            status: "succeeded",
            response_status: Some(200),
            duration_ms: 12,
            error: None,
            next_retry_at: None,
            webhook_disabled: false,
        }
    }

    #[test]
    fn human_lines() {
        colored::control::set_override(false);
        assert_eq!(human(&line()), "10:45:01 ✔ wh_abc opportunity.updated evt_1 → 200 (12 ms) attempt 1");
        let failed = AttemptLine {
            status: "failed",
            response_status: None,
            error: Some("timed out after 5s".into()),
            next_retry_at: Some("2026-01-22T10:45:06Z".into()),
            events: 3,
            ..line()
        };
        assert_eq!(
            human(&failed),
            "10:45:01 ✘ wh_abc opportunity.updated evt_1 (+2 more) → timed out after 5s (12 ms) attempt 1, \
             next retry 10:45:06"
        );
    }

    #[test]
    fn json_fields() {
        let v = serde_json::to_value(line()).unwrap();
        for k in [
            "time",
            "webhook_id",
            "delivery_id",
            "event_id",
            "event",
            "attempt",
            "status",
            "response_status",
            "duration_ms",
            "error",
            "next_retry_at",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
    }
}
