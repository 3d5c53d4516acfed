//! The event catalog: the 16 CRM events and the `webhook.failed` service
//! notification, each with a description and a realistic sample payload, and the
//! subscription patterns (`name`, `type.*`, `*`) that select them.

use serde_json::{Value, json};

use crate::error::Error;

/// One event type of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct EventType {
    /// The event name, `object.action`.
    pub name: &'static str,
    /// What it means, as the docs put it.
    pub description: &'static str,
}

impl EventType {
    /// The object part of the name (`opportunity` in `opportunity.updated`).
    pub fn object(&self) -> &'static str {
        object_of(self.name)
    }
}

/// Every event, in the docs' order, the service notification last.
pub const EVENTS: &[EventType] = &[
    EventType { name: "opportunity.created", description: "New opportunity created" },
    EventType { name: "opportunity.updated", description: "Opportunity modified" },
    EventType { name: "opportunity.deleted", description: "Opportunity deleted" },
    EventType { name: "opportunity.closed", description: "Opportunity closed (won/lost)" },
    EventType { name: "account.created", description: "New account created" },
    EventType { name: "account.updated", description: "Account modified" },
    EventType { name: "contact.created", description: "New contact created" },
    EventType { name: "contact.updated", description: "Contact modified" },
    EventType { name: "lead.created", description: "New lead created" },
    EventType { name: "lead.updated", description: "Lead modified" },
    EventType { name: "lead.converted", description: "Lead converted" },
    EventType { name: "case.created", description: "New case created" },
    EventType { name: "case.updated", description: "Case modified" },
    EventType { name: "case.closed", description: "Case closed" },
    EventType { name: "task.created", description: "New task created" },
    EventType { name: "task.completed", description: "Task completed" },
    EventType {
        name: "webhook.failed",
        description: "A webhook was disabled after repeated delivery failures (service notification)",
    },
];

/// The `webhook.failed` event name.
pub const WEBHOOK_FAILED: &str = "webhook.failed";

/// The object part of an event name.
pub fn object_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(o, _)| o)
}

/// Looks an event up by exact name.
pub fn find(name: &str) -> Option<&'static EventType> {
    EVENTS.iter().find(|e| e.name == name)
}

/// The object types of the catalog, in order, without repeats.
pub fn objects() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in EVENTS {
        if !out.contains(&e.object()) {
            out.push(e.object());
        }
    }
    out
}

/// Checks that `name` is a catalog event; otherwise a usage error suggesting the nearest.
pub fn validate_event(name: &str) -> Result<&'static EventType, Error> {
    find(name).ok_or_else(|| unknown(name, EVENTS.iter().map(|e| e.name.to_string()).collect()))
}

/// Checks a subscription pattern: an exact name, `<type>.*`, or `*`.
pub fn validate_pattern(pattern: &str) -> Result<(), Error> {
    if pattern == "*" || find(pattern).is_some() {
        return Ok(());
    }
    if let Some(object) = pattern.strip_suffix(".*")
        && objects().contains(&object)
    {
        return Ok(());
    }
    let mut candidates: Vec<String> = EVENTS.iter().map(|e| e.name.to_string()).collect();
    candidates.extend(objects().iter().map(|o| format!("{o}.*")));
    candidates.push("*".into());
    Err(unknown(pattern, candidates))
}

/// Checks every pattern of a list.
pub fn validate_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<(), Error> {
    patterns.iter().try_for_each(|p| validate_pattern(p.as_ref()))
}

fn unknown(given: &str, candidates: Vec<String>) -> Error {
    // Names are lowercase: `Lead.Created` should still find `lead.created`.
    let lower = given.to_ascii_lowercase();
    let best = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&lower, c), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.7)
        .map(|(_, c)| c.clone());
    let err = Error::usage(format!("unknown event '{given}'"));
    match best {
        Some(s) => err.with_hint(format!("did you mean '{s}'? (`scopien-hooks events` lists them all)")),
        None => err.with_hint("`scopien-hooks events` lists the valid events"),
    }
}

/// True when `event` is selected by `pattern`.
pub fn matches(pattern: &str, event: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(object) => event.strip_prefix(object).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event,
    }
}

/// True when any of `patterns` selects `event`.
pub fn matches_any<S: AsRef<str>>(patterns: &[S], event: &str) -> bool {
    patterns.iter().any(|p| matches(p.as_ref(), event))
}

/// The sample `data` and `changes` (where the event has them) for an event.
pub fn sample(name: &str) -> (Value, Option<Value>) {
    match name {
        "opportunity.created" => (
            json!({"id":"opp_xyz789","name":"Acme Corp Deal","amount":95000,"currency":"USD","stage":"Prospecting","probability":20,"accountId":"acc_acme01","ownerId":"usr_def456","createdBy":"usr_def456"}),
            None,
        ),
        "opportunity.updated" => (
            json!({"id":"opp_xyz789","name":"Acme Corp Deal","amount":100000,"stage":"Closed Won","previousStage":"Negotiation","updatedBy":"usr_def456"}),
            Some(
                json!({"stage":{"old":"Negotiation","new":"Closed Won"},"amount":{"old":95000,"new":100000}}),
            ),
        ),
        "opportunity.deleted" => {
            (json!({"id":"opp_xyz789","name":"Acme Corp Deal","deletedBy":"usr_def456"}), None)
        }
        "opportunity.closed" => (
            json!({"id":"opp_xyz789","name":"Acme Corp Deal","amount":100000,"stage":"Closed Won","closedDate":"2026-01-22","probability":100}),
            Some(
                json!({"stage":{"old":"Negotiation","new":"Closed Won"},"probability":{"old":80,"new":100}}),
            ),
        ),
        "account.created" => (
            json!({"id":"acc_acme01","name":"Acme Corp","industry":"Manufacturing","website":"https://acme.example.com","employees":250,"ownerId":"usr_def456"}),
            None,
        ),
        "account.updated" => (
            json!({"id":"acc_acme01","name":"Acme Corp","industry":"Manufacturing","employees":320,"updatedBy":"usr_def456"}),
            Some(json!({"employees":{"old":250,"new":320}})),
        ),
        "contact.created" => (
            json!({"id":"con_jane42","firstName":"Jane","lastName":"Doe","email":"jane.doe@acme.example.com","phone":"+1-555-0100","title":"VP Operations","accountId":"acc_acme01"}),
            None,
        ),
        "contact.updated" => (
            json!({"id":"con_jane42","firstName":"Jane","lastName":"Doe","email":"jane@acme.example.com","title":"COO","updatedBy":"usr_def456"}),
            Some(
                json!({"title":{"old":"VP Operations","new":"COO"},"email":{"old":"jane.doe@acme.example.com","new":"jane@acme.example.com"}}),
            ),
        ),
        "lead.created" => (
            json!({"id":"lead_new123","firstName":"John","lastName":"Smith","email":"john@example.com","company":"TechStart","source":"Website","status":"New"}),
            None,
        ),
        "lead.updated" => (
            json!({"id":"lead_new123","firstName":"John","lastName":"Smith","email":"john@example.com","company":"TechStart","status":"Qualified","updatedBy":"usr_def456"}),
            Some(json!({"status":{"old":"New","new":"Qualified"}})),
        ),
        "lead.converted" => (
            json!({"id":"lead_new123","firstName":"John","lastName":"Smith","company":"TechStart","status":"Converted","accountId":"acc_tech77","contactId":"con_john88","opportunityId":"opp_new456"}),
            Some(json!({"status":{"old":"Qualified","new":"Converted"}})),
        ),
        "case.created" => (
            json!({"id":"case_abc456","subject":"Billing Issue","status":"New","priority":"High","accountId":"acc_acme01","contactId":"con_jane42"}),
            None,
        ),
        "case.updated" => (
            json!({"id":"case_abc456","subject":"Billing Issue","status":"In Progress","priority":"High","assignedTo":"usr_support01"}),
            Some(json!({"status":{"old":"New","new":"In Progress"}})),
        ),
        "case.closed" => (
            json!({"id":"case_abc456","subject":"Billing Issue","status":"Closed","priority":"High","resolution":"Refund issued","closedBy":"usr_support01"}),
            Some(json!({"status":{"old":"In Progress","new":"Closed"}})),
        ),
        "task.created" => (
            json!({"id":"task_call01","subject":"Follow-up call","dueDate":"2026-01-25","priority":"Normal","status":"Open","relatedTo":"opp_xyz789","assignedTo":"usr_def456"}),
            None,
        ),
        "task.completed" => (
            json!({"id":"task_call01","subject":"Follow-up call","status":"Completed","completedBy":"usr_def456","completedAt":"2026-01-24T15:00:00Z"}),
            Some(json!({"status":{"old":"Open","new":"Completed"}})),
        ),
        "webhook.failed" => (
            json!({"webhookId":"wh_abc123","url":"https://your-app.com/webhook","failureCount":6,"lastError":"Connection timeout","disabled":true}),
            None,
        ),
        _ => (json!({}), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_samples_changes_end_at_its_data() {
        for e in EVENTS {
            let (data, Some(changes)) = sample(e.name) else { continue };
            let mut carried = changes.clone();
            crate::payload::carry_into_changes(&mut carried, &data, |f| data.get(f).is_some());
            assert_eq!(carried, changes, "{}", e.name);
        }
    }

    #[test]
    fn seventeen_events_with_samples() {
        assert_eq!(EVENTS.len(), 17);
        for e in EVENTS {
            let (data, changes) = sample(e.name);
            assert!(data.as_object().is_some_and(|o| !o.is_empty()), "{}", e.name);
            if e.name.ends_with(".updated") {
                assert!(changes.is_some(), "{} should carry changes", e.name);
            }
            if e.name.ends_with(".created") {
                assert!(changes.is_none(), "{} should not carry changes", e.name);
            }
        }
    }

    #[test]
    fn patterns() {
        assert!(matches("*", "lead.created"));
        assert!(matches("lead.*", "lead.created"));
        assert!(!matches("lead.*", "leads.created"));
        assert!(!matches("lead.*", "opportunity.created"));
        assert!(matches("lead.created", "lead.created"));
        assert!(!matches("lead.created", "lead.updated"));
        assert!(matches_any(&["case.*", "lead.created"], "case.closed"));
        assert!(!matches_any::<&str>(&[], "case.closed"));
    }

    #[test]
    fn validation_and_suggestions() {
        assert!(validate_pattern("*").is_ok());
        assert!(validate_pattern("opportunity.*").is_ok());
        assert!(validate_pattern("webhook.failed").is_ok());
        let e = validate_pattern("lead.craeted").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint().unwrap().contains("lead.created"), "{:?}", e.hint());
        let e = validate_pattern("oportunity.*").unwrap_err();
        assert!(e.hint().unwrap().contains("opportunity.*"));
        let e = validate_event("opportunity.update").unwrap_err();
        assert!(e.hint().unwrap().contains("opportunity.updated"));
        assert!(validate_event("lead.*").is_err());
        let e = validate_event("LEAD.CREATED").unwrap_err();
        assert!(e.hint().unwrap().contains("'lead.created'"), "{:?}", e.hint());
    }
}
