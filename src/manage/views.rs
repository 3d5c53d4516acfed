//! Human views: the webhook table, one webhook's detail view, and the docs'
//! "Recent Deliveries" view. Each returns lines so the caller decides where they go.
//! Every value in them came from the API, so each is escaped ([`escape`]) as
//! it is placed: a description cannot clear or retitle the terminal.

use colored::Colorize;
use comfy_table::{ContentArrangement, Table, presets};

use crate::api::models::{Delivery, DeliveryStatus, Webhook, WebhookStatus};
use crate::escape::escape;
use crate::{localtime, payload, redact, units};

/// How a webhook's signing secret is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// `whsec_…f456`
    Redacted,
    /// In full (`create`, `get --show-secret`, `list --show-secret`).
    Full,
}

impl Secret {
    /// `Full` when the user asked with `--show-secret`.
    pub fn shown_if(show_secret: bool) -> Secret {
        if show_secret { Secret::Full } else { Secret::Redacted }
    }

    /// A secret as this choice shows it.
    pub fn show(self, secret: &str) -> String {
        match self {
            Secret::Full => secret.to_string(),
            Secret::Redacted => redact::secret(secret),
        }
    }

    /// A webhook's JSON (or a list of them) as this choice shows it.
    pub fn json(self, mut raw: serde_json::Value) -> serde_json::Value {
        if self == Secret::Redacted {
            redact::json_secrets(&mut raw);
        }
        raw
    }
}

fn status_word(s: WebhookStatus) -> String {
    match s {
        WebhookStatus::Active => s.as_str().green().to_string(),
        WebhookStatus::Disabled => s.as_str().yellow().to_string(),
    }
}

/// The `list` table: aligned columns, wrapped to the terminal width on a
/// terminal; a SECRET column only when the secrets are shown in full.
pub fn webhook_table(hooks: &[Webhook], secret: Secret) -> Vec<String> {
    let with_secret = secret == Secret::Full;
    let mut header = vec!["ID", "STATUS", "URL", "EVENTS", "DESCRIPTION"];
    if with_secret {
        header.push("SECRET");
    }
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    // Only a terminal has a width to wrap to; piped output keeps whole lines.
    if let Some((_, cols)) = console::Term::stdout().size_checked() {
        table.set_width(cols);
    }
    for w in hooks {
        let mut row = vec![
            w.id.clone(),
            w.status.as_str().to_string(),
            w.url.clone(),
            w.events.join(", "),
            w.description.clone().unwrap_or_default(),
        ];
        if with_secret {
            row.push(w.secret.clone().unwrap_or_default());
        }
        // Every cell is API data.
        table.add_row(row.iter().map(|cell| escape(cell).into_owned()));
    }
    table.lines().map(|l| l.trim_end().to_string()).collect()
}

/// One webhook in full.
pub fn webhook_detail(w: &Webhook, secret: Secret) -> Vec<String> {
    let mut lines = vec![format!("{}  {}", escape(&w.id).bold(), status_word(w.status))];
    // Every value is API data.
    let mut field =
        |label: &str, value: String| lines.push(format!("  {:<13}{}", format!("{label}:"), escape(&value)));
    field("URL", w.url.clone());
    field("Events", if w.events.is_empty() { "(none)".into() } else { w.events.join(", ") });
    if let Some(d) = w.description.as_deref().filter(|d| !d.is_empty()) {
        field("Description", d.to_string());
    }
    if let Some(s) = &w.secret {
        field("Secret", secret.show(s));
    }
    if !w.headers.is_empty() {
        let list: Vec<String> = w.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        field("Headers", list.join(", "));
    }
    if !w.filters.is_empty() {
        let list: Vec<String> = w.filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
        field("Filters", list.join(", "));
    }
    let batch = if w.batch {
        let size = w
            .max_batch_size
            .map_or(String::new(), |n| format!(", up to {}", units::plural(n.into(), "event", "events")));
        let wait = w.max_wait_time.map_or(String::new(), |s| format!(", waits {s} s"));
        format!("on{size}{wait}")
    } else {
        "off".to_string()
    };
    field("Batch", batch);
    // The same local clock as `deliveries`.
    let today = today();
    if let Some(c) = &w.created_at {
        field("Created", clock(c, &today));
    }
    if let Some(u) = &w.updated_at {
        field("Updated", clock(u, &today));
    }
    lines
}

/// Attempts the retry schedule makes in all.
const MAX_ATTEMPTS: usize = crate::retry::DEFAULT_SCHEDULE.len();

/// The title of the deliveries view, as the docs draw it.
pub fn deliveries_title() -> Vec<String> {
    vec!["Recent Deliveries".bold().to_string(), "─".repeat(41)]
}

/// Today's local date as `YYYY-MM-DD`, for [`delivery_block`].
pub fn today() -> String {
    localtime::local(std::time::SystemTime::now()).date()
}

/// `10:45 AM` for a timestamp of `today`, `2026-01-22 10:45 AM` otherwise (local time).
pub fn clock(timestamp: &str, today: &str) -> String {
    clock_to(timestamp, today, false)
}

/// [`clock`], with seconds (`10:45:06 AM`) when `seconds`.
fn clock_to(timestamp: &str, today: &str, seconds: bool) -> String {
    let Some(t) = payload::parse_timestamp(timestamp) else {
        return timestamp.to_string();
    };
    let l = localtime::local(t);
    let time = if seconds { l.h12_seconds() } else { l.h12() };
    let date = l.date();
    if date == today { time } else { format!("{date} {time}") }
}

/// Retries less than this after the attempt are shown to the second: the
/// schedule's first waits (5 s, 30 s) would read as the attempt's own minute.
const SECONDS_SHOWN_BELOW: std::time::Duration = std::time::Duration::from_secs(120);

/// The next retry's time, to the second when it is close to the attempt.
fn next_retry(next: &str, attempted: &str, today: &str) -> String {
    let gap = payload::parse_timestamp(next)
        .zip(payload::parse_timestamp(attempted))
        .and_then(|(n, a)| n.duration_since(a).ok());
    clock_to(next, today, gap.is_none_or(|g| g < SECONDS_SHOWN_BELOW))
}

/// One delivery in the docs' format:
///
/// ```text
/// ❌ 10:15 AM - case.updated  dlv_…
///    Status: 500 Internal Server Error
///    Retried: 3 times
///    Next retry: 10:20 AM
/// ```
pub fn delivery_block(d: &Delivery, today: &str) -> Vec<String> {
    let mark = match d.status {
        DeliveryStatus::Succeeded => "✅",
        DeliveryStatus::Failed => "❌",
        DeliveryStatus::Pending => "⏳",
    };
    let mut lines = vec![format!(
        "{mark} {} - {}  {}",
        escape(&clock(&d.created_at, today)),
        escape(&d.event).bold(),
        escape(&d.id).dimmed()
    )];
    let status = match (d.response_status, d.status) {
        (Some(code), _) => {
            let reason =
                http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
            let text = format!("{code} {reason}").trim_end().to_string();
            if (200..300).contains(&code) { text.green().to_string() } else { text.red().to_string() }
        }
        (None, DeliveryStatus::Pending) if d.error.is_none() => match d.attempt {
            0 | 1 => "not attempted yet".to_string(),
            n => format!("retry {} of {} not attempted yet", n - 1, MAX_ATTEMPTS - 1),
        },
        (None, _) => "no response".red().to_string(),
    };
    let attempted = d.response_status.is_some() || d.error.is_some() || d.status != DeliveryStatus::Pending;
    lines.push(format!("   Status: {status}"));
    if let Some(e) = d.error.as_deref().filter(|e| !e.is_empty()) {
        lines.push(format!("   Error: {}", escape(e)));
    }
    if let Some(ms) = d.duration_ms {
        // The API counts whole milliseconds: 0 is a delivery answered within one.
        let shown = if ms == 0 { "<1ms".to_string() } else { format!("{ms}ms") };
        lines.push(format!("   Duration: {shown}"));
    }
    if attempted && d.attempt > 1 {
        let n = d.attempt - 1;
        lines.push(format!("   Retried: {}", units::plural(n.into(), "time", "times")));
    }
    // A succeeded attempt, or the schedule's last, has nothing coming after it.
    let more = d.status != DeliveryStatus::Succeeded && (d.attempt as usize) < MAX_ATTEMPTS;
    if let Some(next) = d.next_retry_at.as_deref().filter(|_| more) {
        lines.push(format!("   Next retry: {}", escape(&next_retry(next, &d.created_at, today))));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn delivery(v: serde_json::Value) -> Delivery {
        serde_json::from_value(v).unwrap()
    }

    /// The local time of an RFC 3339 timestamp (tests hold on any machine's zone).
    fn local(ts: &str) -> localtime::Local {
        localtime::local(payload::parse_timestamp(ts).unwrap())
    }

    #[test]
    fn clock_formats() {
        let l = local("2026-01-22T10:45:00Z");
        assert_eq!(clock("2026-01-22T10:45:00Z", &l.date()), l.h12());
        let l = local("2026-01-22T22:15:09Z");
        assert_eq!(clock("2026-01-22T22:15:09Z", "1999-01-01"), format!("{} {}", l.date(), l.h12()));
        assert_eq!(clock("garbage", "2026-01-22"), "garbage");
    }

    #[test]
    fn delivery_blocks_match_the_docs() {
        colored::control::set_override(false);
        let ok = delivery(
            json!({"id":"dlv_1","webhookId":"wh_1","eventId":"evt_1","event":"opportunity.updated",
            "attempt":1,"status":"succeeded","responseStatus":200,"durationMs":234,"createdAt":"2026-01-22T10:45:00Z"}),
        );
        let day = local("2026-01-22T10:45:00Z").date();
        assert_eq!(
            delivery_block(&ok, &day),
            [
                format!("✅ {} - opportunity.updated  dlv_1", local("2026-01-22T10:45:00Z").h12()),
                "   Status: 200 OK".to_string(),
                "   Duration: 234ms".to_string()
            ]
        );
        let failed = delivery(
            json!({"id":"dlv_2","webhookId":"wh_1","eventId":"evt_2","event":"case.updated",
            "attempt":4,"status":"failed","responseStatus":500,"durationMs":12,"createdAt":"2026-01-22T10:15:00Z",
            "nextRetryAt":"2026-01-22T10:20:00Z"}),
        );
        let lines = delivery_block(&failed, &local("2026-01-22T10:15:00Z").date());
        assert_eq!(lines[0], format!("❌ {} - case.updated  dlv_2", local("2026-01-22T10:15:00Z").h12()));
        assert!(lines.contains(&"   Status: 500 Internal Server Error".to_string()));
        assert!(lines.contains(&"   Retried: 3 times".to_string()));
        assert_eq!(lines.last().unwrap(), &format!("   Next retry: {}", local("2026-01-22T10:20:00Z").h12()));
        let pending =
            delivery(json!({"id":"dlv_3","webhookId":"wh_1","eventId":"evt_3","event":"lead.created",
            "attempt":1,"status":"pending","createdAt":"2026-01-22T10:15:00Z"}));
        assert!(delivery_block(&pending, "2026-01-22")[0].starts_with("⏳"));
    }

    #[test]
    fn delivery_counts_stay_coherent() {
        colored::control::set_override(false);
        let day = local("2026-01-22T10:15:00Z").date();
        // Succeeded: no next retry, whatever the API left in the field.
        let ok = delivery(json!({"id":"dlv_1","event":"lead.created","attempt":2,"status":"succeeded",
            "responseStatus":200,"createdAt":"2026-01-22T10:15:00Z","nextRetryAt":"2026-01-22T10:15:05Z"}));
        let lines = delivery_block(&ok, &day);
        assert!(lines.iter().all(|l| !l.contains("Next retry")), "{lines:#?}");
        assert!(lines.contains(&"   Retried: 1 time".to_string()), "{lines:#?}");
        // The schedule's last attempt: final.
        let last = delivery(json!({"id":"dlv_2","event":"lead.created","attempt":6,"status":"failed",
            "responseStatus":500,"createdAt":"2026-01-22T10:15:00Z","nextRetryAt":"2026-01-22T11:15:00Z"}));
        assert!(delivery_block(&last, &day).iter().all(|l| !l.contains("Next retry")));
        // A retry not made yet is not counted as made.
        let due = delivery(json!({"id":"dlv_3","event":"lead.created","attempt":2,"status":"pending",
            "createdAt":"2026-01-22T10:15:00Z","nextRetryAt":"2026-01-22T10:15:05Z"}));
        let lines = delivery_block(&due, &day);
        assert_eq!(lines[1], "   Status: retry 1 of 5 not attempted yet", "{lines:#?}");
        assert!(lines.iter().all(|l| !l.contains("Retried")), "{lines:#?}");
        assert_eq!(
            lines.last().unwrap(),
            &format!("   Next retry: {}", local("2026-01-22T10:15:05Z").h12_seconds())
        );
        // An hour away: to the minute.
        let later = delivery(json!({"id":"dlv_4","event":"lead.created","attempt":5,"status":"failed",
            "responseStatus":503,"createdAt":"2026-01-22T10:15:00Z","nextRetryAt":"2026-01-22T11:15:00Z"}));
        assert_eq!(
            delivery_block(&later, &day).last().unwrap(),
            &format!("   Next retry: {}", local("2026-01-22T11:15:00Z").h12())
        );
    }

    #[test]
    fn detail_redacts_unless_asked() {
        colored::control::set_override(false);
        let w: Webhook =
            serde_json::from_value(json!({"id":"wh_1","url":"https://x.test/h","events":["lead.*"],
            "secret":"whsec_abc123def456","status":"disabled","headers":{"X-Env":"prod"},
            "filters":{"amount_greater_than":5},"batch":true,"maxBatchSize":10}))
            .unwrap();
        let text = webhook_detail(&w, Secret::Redacted).join("\n");
        assert!(text.contains("whsec_…f456") && !text.contains("whsec_abc123def456"));
        assert!(text.contains("X-Env: prod") && text.contains("amount_greater_than=5"));
        assert!(text.contains("on, up to 10 events") && text.contains("disabled"));
        assert!(webhook_detail(&w, Secret::Full).join("\n").contains("whsec_abc123def456"));
    }

    #[test]
    fn table_aligns_columns() {
        let hooks: Vec<Webhook> = serde_json::from_value(json!([
            {"id":"wh_1","url":"https://a.test/h","events":["lead.*"]},
            {"id":"wh_long_id","url":"https://b.test/hook","events":["*"],"status":"disabled","description":"B"}
        ]))
        .unwrap();
        let lines = webhook_table(&hooks, Secret::Redacted);
        assert_eq!(lines.len(), 3);
        let col = lines[0].find("URL").unwrap();
        assert_eq!(lines[1].find("https://a").unwrap(), col);
        assert_eq!(lines[2].find("https://b").unwrap(), col);
    }
}
