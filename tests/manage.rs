//! The management commands, run as the real binary against an in-test mock of the
//! Scopien management API.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use common::{
    Dir, LoginSetup, Recorded, Reply, TestServer, WAIT, bin, closed_port, cmd, run, run_line, words,
};
use serde_json::{Value, json};

const KEY: &str = "sk_live_9f8e7d6c5b4a3z2y1c123";
const REDACTED_KEY: &str = "sk_live_…c123";
const SECRET: &str = "whsec_abc123def456";

fn webhook(id: &str) -> Value {
    json!({
        "id": id, "url": "https://your-app.com/webhooks/scopien",
        "events": ["opportunity.updated", "lead.created"], "description": "Production webhook",
        "secret": SECRET, "status": "active", "headers": {}, "filters": {}, "batch": false,
        "maxBatchSize": null, "maxWaitTime": null,
        "createdAt": "2026-01-22T10:00:00Z", "updatedAt": "2026-01-22T10:00:00Z"
    })
}

fn delivery(id: &str, status: &str, attempt: u32, code: Option<u16>) -> Value {
    json!({
        "id": id, "webhookId": "wh_abc123", "eventId": format!("evt_{id}"), "event": "opportunity.updated",
        "attempt": attempt, "status": status, "responseStatus": code, "error": null, "durationMs": 234,
        "createdAt": "2026-01-22T10:45:00Z",
        "nextRetryAt": if status == "failed" { json!("2026-01-22T10:50:00Z") } else { Value::Null }
    })
}

/// The binary pointed at `server` with the test key.
fn api(server: &TestServer) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["--api-base", &server.url("/v1"), "--api-key", KEY]);
    c
}

fn assert_authorised(req: &Recorded) {
    assert_eq!(req.header("authorization"), format!("Bearer {KEY}"));
}

fn assert_post(req: &Recorded, path: &str) {
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, path);
    assert_authorised(req);
    assert!(req.header("idempotency-key").len() >= 16, "POST without Idempotency-Key: {:?}", req.headers);
}

// ---------------------------------------------------------------- create

#[test]
fn create_sends_every_field_and_shows_the_secret_once() {
    let server = TestServer::start(|_| Reply::json(201, json!({"data": webhook("wh_abc123")})));
    let out = run_line(
        api(&server),
        &format!(
            "create --url https://your-app.com/webhooks/scopien --event 'opportunity.updated,lead.*' \
             --description 'Production webhook' --secret {SECRET} -H 'X-Env: staging' \
             --filter amount_greater_than=50000 --filter stage=Negotiation --filter 'stage=Closed Won' \
             --batch --max-batch-size 100 --max-wait-time 60"
        ),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_post(&reqs[0], "/v1/webhooks");
    assert_eq!(reqs[0].header("content-type"), "application/json");
    assert_eq!(
        reqs[0].json(),
        json!({
            "url": "https://your-app.com/webhooks/scopien",
            "events": ["opportunity.updated", "lead.*"],
            "description": "Production webhook",
            "secret": SECRET,
            "headers": {"X-Env": "staging"},
            "filters": {"amount_greater_than": 50000, "stage": ["Negotiation", "Closed Won"]},
            "batch": true, "maxBatchSize": 100, "maxWaitTime": 60
        })
    );
    assert!(out.stdout.contains("wh_abc123"), "{}", out.stdout);
    assert!(out.stdout.contains(SECRET), "the new secret is shown in full: {}", out.stdout);
    assert!(out.stderr.contains("save it now"), "{}", out.stderr);
}

#[test]
fn create_json_prints_the_data_value() {
    let server = TestServer::start(|_| Reply::json(201, json!({"data": webhook("wh_abc123")})));
    let out = run(api(&server), &["--json", "create", "--url", "http://127.0.0.1:3000/x", "--event", "*"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), webhook("wh_abc123"));
    assert_eq!(server.requests()[0].json(), json!({"url": "http://127.0.0.1:3000/x", "events": ["*"]}));
}

#[test]
fn create_without_a_terminal_names_the_missing_flags() {
    let server = TestServer::ok();
    let out = run(api(&server), &["create", "--description", "x"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--url") && out.stderr.contains("--event"), "{}", out.stderr);
    let out = run(api(&server), &["create", "--url", "https://x.test/h"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--event") && !out.stderr.contains("--url"), "{}", out.stderr);
    assert!(server.requests().is_empty());
}

#[test]
fn a_retried_create_keeps_its_idempotency_key() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let server = TestServer::start(move |_| match n2.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::text(503, "busy"),
        1 => Reply::status(502),
        _ => Reply::json(201, json!({"data": webhook("wh_abc123")})),
    });
    let out = run(api(&server), &["create", "--url", "https://x.test/h", "--event", "lead.created"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let key = reqs[0].header("idempotency-key");
    assert!(!key.is_empty());
    assert!(reqs.iter().all(|r| r.header("idempotency-key") == key), "keys differ across retries");
    assert!(reqs.iter().all(|r| r.body == reqs[0].body));
    // A new logical request gets a new key.
    let again = run(api(&server), &["create", "--url", "https://x.test/h", "--event", "lead.created"]);
    assert_eq!(again.code, 0);
    assert_ne!(server.requests()[3].header("idempotency-key"), key);
}

#[test]
fn rate_limits_are_waited_out_as_retry_after_says() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let server = TestServer::start(move |_| match n2.fetch_add(1, Ordering::SeqCst) {
        0 => Reply::json(429, json!({"error": {"code": "rate_limited", "message": "slow down"}}))
            .header("retry-after", "0"),
        _ => Reply::json(200, json!({"data": webhook("wh_abc123")})),
    });
    let out = run(api(&server), &["--json", "get", "wh_abc123"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn retries_stop_after_three() {
    let server =
        TestServer::start(|_| Reply::json(503, json!({"error": {"code": "down", "message": "maintenance"}})));
    let out = run(api(&server), &["list"]);
    assert_eq!(out.code, 1);
    assert_eq!(server.requests().len(), 4, "one attempt and three retries");
    assert!(out.stderr.contains("maintenance"), "{}", out.stderr);
    // Client errors are not retried.
    let server =
        TestServer::start(|_| Reply::json(422, json!({"error": {"code": "invalid", "message": "bad url"}})));
    let out = run(api(&server), &["create", "--url", "https://x.test/h", "--event", "*"]);
    assert_eq!(out.code, 1);
    assert_eq!(server.requests().len(), 1);
    assert!(out.stderr.contains("422") && out.stderr.contains("bad url"), "{}", out.stderr);
}

// ---------------------------------------------------------------- list / get

#[test]
fn list_follows_every_page() {
    let server = TestServer::start(|r| {
        let q = r.query.clone().unwrap_or_default();
        if q.contains("cursor=c2") {
            Reply::json(200, json!({"data": [webhook("wh_3")], "hasMore": false, "nextCursor": null}))
        } else if q.contains("cursor=c1") {
            Reply::json(200, json!({"data": [webhook("wh_2")], "hasMore": true, "nextCursor": "c2"}))
        } else {
            Reply::json(200, json!({"data": [webhook("wh_1")], "hasMore": true, "nextCursor": "c1"}))
        }
    });
    let out = run(api(&server), &["--json", "list", "--limit", "1", "--show-secret"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let all: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(all, json!([webhook("wh_1"), webhook("wh_2"), webhook("wh_3")]));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.method == "GET" && r.path == "/v1/webhooks"));
    reqs.iter().for_each(assert_authorised);
    assert_eq!(reqs[0].query.as_deref(), Some("limit=1"));
    assert_eq!(reqs[1].query.as_deref(), Some("limit=1&cursor=c1"));
    assert_eq!(reqs[2].query.as_deref(), Some("limit=1&cursor=c2"));
    assert!(reqs.iter().all(|r| r.header("idempotency-key").is_empty()), "only POSTs carry the key");

    let out = run(api(&server), &["list"]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(
        lines[0].trim_start().starts_with("ID") && lines[0].contains("URL") && lines[0].contains("EVENTS")
    );
    let col = lines[0].find("URL").unwrap();
    for (line, id) in lines[1..].iter().zip(["wh_1", "wh_2", "wh_3"]) {
        assert!(line.trim_start().starts_with(id));
        assert_eq!(line.find("https://").unwrap(), col, "columns are aligned");
    }
    assert!(!out.stdout.contains(SECRET));
}

#[test]
fn list_refuses_a_looping_cursor() {
    let server = TestServer::start(|_| {
        Reply::json(200, json!({"data": [webhook("wh_1")], "hasMore": true, "nextCursor": "same"}))
    });
    let out = run(api(&server), &["list"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("same"), "{}", out.stderr);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn get_redacts_the_secret_unless_asked() {
    let server = TestServer::start(|_| Reply::json(200, json!({"data": webhook("wh_abc123")})));
    let out = run(api(&server), &["get", "wh_abc123"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/v1/webhooks/wh_abc123"));
    assert_authorised(req);
    assert!(out.stdout.contains("whsec_…f456") && !out.stdout.contains(SECRET), "{}", out.stdout);
    assert!(out.stdout.contains("https://your-app.com/webhooks/scopien"));
    assert!(out.stdout.contains("opportunity.updated, lead.created"));

    let out = run(api(&server), &["get", "wh_abc123", "--show-secret"]);
    assert!(out.stdout.contains(SECRET));
    // --json is the API's data with the secret redacted, unless asked for.
    let out = run(api(&server), &["get", "wh_abc123", "--json"]);
    let mut redacted = webhook("wh_abc123");
    redacted["secret"] = json!("whsec_…f456");
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), redacted);
    let out = run(api(&server), &["get", "wh_abc123", "--json", "--show-secret"]);
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), webhook("wh_abc123"));
}

#[test]
fn not_found_names_the_webhook_in_the_apis_words() {
    let server = TestServer::start(|_| {
        Reply::json(404, json!({"error": {"code": "not_found", "message": "no such webhook"}}))
    });
    let out = run(api(&server), &["get", "wh_missing"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("webhook wh_missing: the API answered 404 (not_found): no such webhook"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("scopien-hooks list"), "{}", out.stderr);
}

// ---------------------------------------------------------------- update

#[test]
fn update_sends_only_the_changed_fields() {
    let server = TestServer::start(|_| Reply::json(200, json!({"data": webhook("wh_abc123")})));
    let out = run_line(
        api(&server),
        "update wh_abc123 --description 'New text' --clear-headers --no-batch --max-wait-time 5",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("PATCH", "/v1/webhooks/wh_abc123"));
    assert_authorised(req);
    assert_eq!(
        req.json(),
        json!({"description": "New text", "headers": {}, "batch": false, "maxWaitTime": 5})
    );

    let out = run_line(
        api(&server),
        "update wh_abc123 --url https://new-url.com/webhook --event 'opportunity.*,lead.created'",
    );
    assert_eq!(out.code, 0);
    assert_eq!(
        server.requests()[1].json(),
        json!({"url": "https://new-url.com/webhook", "events": ["opportunity.*", "lead.created"]})
    );
    let out = run(api(&server), &["update", "wh_abc123", "--filter", "amount_less_than=10", "--batch"]);
    assert_eq!(out.code, 0);
    assert_eq!(server.requests()[2].json(), json!({"filters": {"amount_less_than": 10}, "batch": true}));
    let out = run(api(&server), &["update", "wh_abc123", "--clear-filters"]);
    assert_eq!(out.code, 0);
    assert_eq!(server.requests()[3].json(), json!({"filters": {}}));
}

#[test]
fn update_add_and_remove_events_read_the_webhook_first() {
    let server = TestServer::start(|r| {
        Reply::json(200, json!({"data": webhook("wh_abc123")})).header("x-m", &r.method)
    });
    let out = run(
        api(&server),
        &["--json", "update", "wh_abc123", "--add-event", "case.closed", "--remove-event", "lead.created"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!((reqs[0].method.as_str(), reqs[0].path.as_str()), ("GET", "/v1/webhooks/wh_abc123"));
    assert_eq!(reqs[1].method, "PATCH");
    assert_eq!(reqs[1].json(), json!({"events": ["opportunity.updated", "case.closed"]}));
}

#[test]
fn update_with_nothing_to_change_is_a_usage_error() {
    let server = TestServer::ok();
    let out = run(api(&server), &["update", "wh_abc123"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nothing to update"), "{}", out.stderr);
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------- disable / enable / delete

#[test]
fn disable_and_enable_post_to_their_paths() {
    let server = TestServer::start(|r| {
        let mut w = webhook("wh_abc123");
        w["status"] = json!(if r.path.ends_with("/disable") { "disabled" } else { "active" });
        Reply::json(200, json!({"data": w}))
    });
    let out = run(api(&server), &["disable", "wh_abc123"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("wh_abc123 is now disabled"), "{}", out.stdout);
    assert_post(&server.requests()[0], "/v1/webhooks/wh_abc123/disable");
    let out = run(api(&server), &["--json", "enable", "wh_abc123"]);
    assert_eq!(out.code, 0);
    assert_post(&server.requests()[1], "/v1/webhooks/wh_abc123/enable");
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap()["status"], "active");
}

#[test]
fn delete_needs_yes_without_a_terminal() {
    let server = TestServer::start(|r| {
        if r.path.ends_with("wh_gone") {
            Reply::status(204)
        } else {
            Reply::json(200, json!({"data": {"id": "wh_abc123", "deleted": true}}))
        }
    });
    let out = run(api(&server), &["delete", "wh_abc123"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(server.requests().is_empty());

    let out = run(api(&server), &["delete", "wh_abc123", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("DELETE", "/v1/webhooks/wh_abc123"));
    assert_authorised(req);
    assert!(out.stdout.contains("Deleted wh_abc123"));

    let out = run(api(&server), &["--json", "-y", "delete", "wh_gone"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&out.stdout).unwrap(),
        json!({"id": "wh_gone", "deleted": true})
    );
}

// ---------------------------------------------------------------- deliveries / redeliver / send-test

#[test]
fn deliveries_show_the_docs_view() {
    let list =
        json!([delivery("dlv_2", "failed", 4, Some(500)), delivery("dlv_1", "succeeded", 1, Some(200)),]);
    let list2 = list.clone();
    let server = TestServer::start(move |_| Reply::json(200, json!({"data": list2})));
    let out = run(api(&server), &["deliveries", "wh_abc123", "--limit", "2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = &server.requests()[0];
    assert_eq!((req.method.as_str(), req.path.as_str()), ("GET", "/v1/webhooks/wh_abc123/deliveries"));
    assert_eq!(req.query.as_deref(), Some("limit=2"));
    assert_authorised(req);
    let text = &out.stdout;
    assert!(text.starts_with("Recent Deliveries\n"), "{text}");
    assert!(text.contains("❌ 2026-01-22 10:45 AM - opportunity.updated  dlv_2"), "{text}");
    assert!(text.contains("   Status: 500 Internal Server Error"));
    assert!(text.contains("   Retried: 3 times"));
    assert!(text.contains("   Next retry: 2026-01-22 10:50 AM"));
    assert!(text.contains("✅ 2026-01-22 10:45 AM - opportunity.updated  dlv_1"));
    assert!(text.contains("   Status: 200 OK\n   Duration: 234ms"));
    assert!(text.find("dlv_2").unwrap() < text.find("dlv_1").unwrap(), "newest first, as the API lists");

    let out = run(api(&server), &["--json", "deliveries", "wh_abc123"]);
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), list);
    assert_eq!(server.requests()[1].query, None);
    // Human views use the local clock: the same log in UTC+5:30 (a POSIX TZ rule, no zone files needed).
    let mut c = api(&server);
    c.env("TZ", "IST-5:30");
    let out = run(c, &["deliveries", "wh_abc123", "--limit", "2"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("❌ 2026-01-22 4:15 PM - opportunity.updated  dlv_2"), "{}", out.stdout);
}

#[test]
fn deliveries_follow_prints_new_attempts_until_sigterm() {
    let polls = Arc::new(AtomicUsize::new(0));
    let p2 = polls.clone();
    let server = TestServer::start(move |_| {
        let n = p2.fetch_add(1, Ordering::SeqCst);
        let data = match n {
            0 => json!([delivery("dlv_1", "succeeded", 1, Some(200))]),
            1..=2 => {
                json!([delivery("dlv_2", "pending", 1, None), delivery("dlv_1", "succeeded", 1, Some(200))])
            }
            _ => json!([
                delivery("dlv_2", "succeeded", 1, Some(200)),
                delivery("dlv_1", "succeeded", 1, Some(200))
            ]),
        };
        Reply::json(200, json!({"data": data}))
    });
    let mut child = bin()
        .args(["--api-base", &server.url("/v1"), "--api-key", KEY, "--json"])
        .args(["deliveries", "wh_abc123", "--follow", "--interval", "20ms"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    for _ in 0..3 {
        let line = rx.recv_timeout(WAIT).expect("a new delivery line");
        let v: Value = serde_json::from_str(&line).unwrap();
        seen.push(format!("{} {}", v["id"].as_str().unwrap(), v["status"].as_str().unwrap()));
    }
    assert_eq!(seen, ["dlv_1 succeeded", "dlv_2 pending", "dlv_2 succeeded"]);
    server.wait_for(5);
    let ok = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(std::time::Instant::now() < deadline, "deliveries --follow did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    assert!(rx.try_iter().next().is_none(), "no repeated lines");
}

#[test]
fn redeliver_posts_the_retry() {
    let server =
        TestServer::start(|_| Reply::json(202, json!({"data": delivery("dlv_9", "pending", 1, None)})));
    let out = run(api(&server), &["redeliver", "dlv_abc123"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_post(&server.requests()[0], "/v1/deliveries/dlv_abc123/retry");
    assert!(out.stdout.contains("Redelivery of dlv_abc123 requested"), "{}", out.stdout);
    let out = run(api(&server), &["--json", "redeliver", "dlv_abc123"]);
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), delivery("dlv_9", "pending", 1, None));
}

#[test]
fn send_test_to_a_webhook_id_asks_the_api() {
    let server = TestServer::start(|_| {
        Reply::json(200, json!({"data": delivery("dlv_t", "succeeded", 1, Some(200))}))
    });
    let out = run(api(&server), &["send-test", "wh_abc123", "--event", "lead.created"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = &server.requests()[0];
    assert_post(req, "/v1/webhooks/wh_abc123/test");
    assert_eq!(req.json(), json!({"event": "lead.created"}));
    assert!(out.stdout.contains("Status: 200 OK"), "{}", out.stdout);
    let out = run(api(&server), &["--json", "send-test", "wh_abc123"]);
    assert_eq!(server.requests()[1].json(), json!({"event": "opportunity.updated"}));
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap()["id"], "dlv_t");
    // A failed test delivery is a failed operation.
    let server =
        TestServer::start(|_| Reply::json(200, json!({"data": delivery("dlv_t", "failed", 1, Some(500))})));
    let out = run(api(&server), &["send-test", "wh_abc123"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("Status: 500"), "{}", out.stdout);
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line: {}", out.stderr);
    assert!(errors[0].contains("dlv_t") && errors[0].contains("failed"), "{}", out.stderr);
    assert!(out.stderr.contains("deliveries wh_abc123 --follow"), "{}", out.stderr);
    let out = run(api(&server), &["redeliver", "dlv_abc123"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{}", out.stderr);
}

// ---------------------------------------------------------------- checks before any request

#[test]
fn invalid_input_exits_2_and_sends_nothing() {
    let server = TestServer::ok();
    let cases: &[&[&str]] = &[
        &["get", "wh_../admin"],
        &["get", "abc"],
        &["get", "wh_a/b"],
        &["delete", "-y", "wh_a?x=1"],
        &["redeliver", "wh_abc"],
        &["deliveries", "dlv_x"],
        &["send-test", "wh_a-b"],
        &["send-test", "wh_abc", "--event", "lead.craeted"],
        &["send-test", "wh_abc", "--data", "{}"],
        &["create", "--url", "http://example.com/hook", "--event", "*"],
        &["create", "--url", "not a url", "--event", "*"],
        &["create", "--url", "ftp://example.com", "--event", "*"],
        &["create", "--url", "https://x.test", "--event", "lead.craeted"],
        &["create", "--url", "https://x.test", "--event", "*", "-H", "Content-Type: text/plain"],
        &["create", "--url", "https://x.test", "--event", "*", "-H", "no colon"],
        &["create", "--url", "https://x.test", "--event", "*", "--filter", "novalue"],
        &["create", "--url", "https://x.test", "--event", "*", "--batch", "--max-batch-size", "0"],
        &["create", "--url", "https://x.test", "--event", "*", "--batch", "--max-batch-size", "101"],
        &["create", "--url", "https://x.test", "--event", "*", "--max-batch-size", "5"],
        &["update", "wh_abc", "--url", "http://example.com"],
        &["update", "wh_abc", "--add-event", "nope.created"],
        &["update", "wh_abc", "--event", "lead.created", "--add-event", "case.closed"],
        &["list", "--limit", "0"],
    ];
    for args in cases {
        let out = run(api(&server), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(
            out.stderr.lines().filter(|l| l.starts_with("error")).count(),
            1,
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(server.requests().is_empty(), "a request was sent: {:?}", server.requests());
    // http:// is fine on loopback, or with --allow-http.
    let server = TestServer::start(|_| Reply::json(201, json!({"data": webhook("wh_1")})));
    for url in ["http://localhost:3000/h", "http://127.0.0.1/h", "http://[::1]:8080/h"] {
        assert_eq!(run(api(&server), &["create", "--url", url, "--event", "*"]).code, 0, "{url}");
    }
    assert_eq!(
        run(api(&server), &["create", "--url", "http://example.com", "--event", "*", "--allow-http"]).code,
        0
    );
}

#[test]
fn no_api_key_is_a_usage_error() {
    let server = TestServer::ok();
    let out = run(cmd(), &["--api-base", &server.url("/v1"), "list"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("login"), "{}", out.stderr);
    assert!(server.requests().is_empty());
}

#[test]
fn bad_flags_are_named_even_without_an_api_key() {
    let server = TestServer::ok();
    let cases: &[(&[&str], &str)] = &[
        (&["create", "--event", "lead.created"], "--url"),
        (&["create", "--url", "https://x.test"], "--event"),
        (&["create", "--url", "http://example.com", "--event", "*"], "https://"),
        (&["delete", "wh_abc"], "--yes"),
        (&["update", "wh_abc"], "nothing to update"),
        (&["send-test", "wh_abc", "--count", "2"], "--count"),
        (&["listen", "--register", "http://example.com/hook"], "https://"),
    ];
    for (args, named) in cases {
        let out = run(cmd(), &[&["--api-base", &server.url("/v1")], *args].concat());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(named), "{args:?} should name {named}: {}", out.stderr);
        assert!(!out.stderr.contains("no API key"), "{args:?}: {}", out.stderr);
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------- errors and secrets

#[test]
fn unauthorised_exits_1_with_a_login_hint() {
    let server = TestServer::start(|_| {
        Reply::json(401, json!({"error": {"code": "unauthorized", "message": "Invalid API key"}}))
    });
    let out = run(api(&server), &["list"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Invalid API key"), "{}", out.stderr);
    assert!(out.stderr.contains("scopien-hooks login"), "{}", out.stderr);
    assert_eq!(server.requests().len(), 1, "401 is not retried");
}

#[test]
fn error_bodies_fall_back_to_the_raw_text() {
    let server = TestServer::start(|_| Reply::text(500, "upstream exploded\nat line 3"));
    let out = run(api(&server), &["get", "wh_abc123"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("500") && out.stderr.contains("upstream exploded at line 3"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreachable_api_names_the_host() {
    let port = closed_port();
    let out = run(
        cmd(),
        &["--api-base", &format!("http://127.0.0.1:{port}/v1"), "--api-key", KEY, "get", "wh_abc123"],
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains(&format!("127.0.0.1:{port}")), "{}", out.stderr);
    assert_eq!(out.stderr.lines().filter(|l| l.starts_with("error")).count(), 1);
}

#[test]
fn the_api_key_never_appears_in_output() {
    let server = TestServer::start(|r| {
        if r.path.ends_with("wh_echo") {
            // An API that echoes the key back in an error must not leak it either.
            Reply::json(400, json!({"error": {"code": "bad", "message": format!("key {KEY} is odd")}}))
        } else if r.method == "POST" {
            Reply::json(201, json!({"data": webhook("wh_abc123")}))
        } else {
            Reply::json(200, json!({"data": [webhook("wh_abc123")], "hasMore": false, "nextCursor": null}))
        }
    });
    let runs = [
        run(api(&server), &["-v", "list"]),
        run(api(&server), &["-v", "--json", "list"]),
        run(api(&server), &["-v", "create", "--url", "https://x.test/h", "--event", "*"]),
        run(api(&server), &["-v", "get", "wh_echo"]),
        run(api(&server), &["config"]),
    ];
    for out in &runs {
        assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY), "{}\n{}", out.stdout, out.stderr);
    }
    // -v traces the exchange with the key redacted.
    let trace = &runs[2].stderr;
    assert!(trace.contains("> POST ") && trace.contains("/v1/webhooks"), "{trace}");
    assert!(trace.contains(&format!("authorization: Bearer {REDACTED_KEY}")), "{trace}");
    assert!(trace.contains("idempotency-key: "), "{trace}");
    assert!(trace.contains("< 201 Created"), "{trace}");
    assert!(runs[3].stderr.contains(REDACTED_KEY), "{}", runs[3].stderr);
    // Secrets in traced bodies are redacted; human output shows the new one in stdout only.
    assert!(!runs[0].stderr.contains(SECRET), "{}", runs[0].stderr);
}

// ---------------------------------------------------------------- login / logout

#[test]
fn login_checks_the_key_then_saves_it_privately() {
    let setup = LoginSetup::new(KEY);
    let (server, base, config) = (&setup.server, &setup.base, &setup.config);
    // A wrong key is refused and nothing is written.
    let out = run(setup.cmd(), &["--api-base", base, "--api-key", "sk_live_wrongwrongwrong1", "login"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("nothing was saved"), "{}", out.stderr);
    assert!(!config.exists());

    let out = run(setup.cmd(), &["--api-base", base, "--api-key", KEY, "login"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = server.requests().pop().unwrap();
    assert_eq!(
        (req.method.as_str(), req.path.as_str(), req.query.as_deref()),
        ("GET", "/v1/webhooks", Some("limit=1"))
    );
    assert!(
        out.stdout.contains(&format!("Logged in as profile default with key {REDACTED_KEY}")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(config).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(config.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    }
    assert!(std::fs::read_to_string(config).unwrap().contains(KEY));

    // The saved key (and base) are used without flags.
    let out = run(setup.cmd(), &["--json", "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(server.requests().pop().unwrap().header("authorization"), format!("Bearer {KEY}"));

    let out = run(setup.cmd(), &["logout"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(REDACTED_KEY), "{}", out.stdout);
    assert!(!std::fs::read_to_string(config).unwrap().contains(KEY));
    let out = run(setup.cmd(), &["logout"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("nothing to do"), "{}", out.stdout);
    assert_eq!(run(setup.cmd(), &["list"]).code, 2, "no key after logout");
}

#[test]
fn login_keeps_other_profiles_and_settings() {
    let server = TestServer::start(|_| Reply::json(200, json!({"data": [], "hasMore": false})));
    let dir = Dir::new();
    let config = dir.write(
        "config.toml",
        "[default]\napi_base = \"http://other/v1\"\n[staging]\napi_key = \"sk_test_stagingkey9999\"\n",
    );
    let (path, base) = (config.to_str().unwrap(), server.url("/v1"));
    let out = run_line(
        cmd(),
        &format!("--config {path} --profile default --api-key {KEY} --api-base {base} login"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("sk_test_stagingkey9999") && text.contains(KEY), "{text}");
    let out = run(cmd(), &["--config", config.to_str().unwrap(), "logout"]);
    assert_eq!(out.code, 0);
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        !text.contains(KEY) && text.contains("sk_test_stagingkey9999") && text.contains("api_base"),
        "{text}"
    );
}

#[test]
fn login_without_a_key_or_terminal_is_a_usage_error() {
    let dir = Dir::new();
    let out = run(cmd(), &["--config", dir.path("c.toml").to_str().unwrap(), "login"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--api-key"), "{}", out.stderr);
}

// ---------------------------------------------------------------- prompts in a pseudo-terminal

fn pty(args: &[&str], config: Option<&std::path::Path>) -> rexpect::session::PtySession {
    let mut c = bin();
    c.args(args);
    if let Some(p) = config {
        c.env("SCOPIEN_CONFIG", p);
    }
    c.env("TERM", "xterm");
    rexpect::session::spawn_command(c, Some(WAIT.as_millis() as u64)).expect("spawn in a pty")
}

/// Types keys without a newline (rexpect buffers its writer until a newline or flush).
fn key(p: &mut rexpect::session::PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

fn exit_code(p: &rexpect::session::PtySession) -> i32 {
    match p.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn create_prompts_for_what_is_missing_on_a_terminal() {
    let server = TestServer::start(|_| Reply::json(201, json!({"data": webhook("wh_abc123")})));
    let base = server.url("/v1");
    let mut p = pty(&["--api-base", &base, "--api-key", KEY, "create"], None);
    p.exp_string("Endpoint URL").unwrap();
    p.send_line("http://example.com/hook").unwrap();
    p.exp_string("must use https://").unwrap(); // the validator's complaint; the prompt asks again
    p.send_line("https://your-app.com/webhooks/scopien").unwrap();
    p.exp_string("Events").unwrap();
    // Below `*`, tick opportunity.*, then move down to lead.created (the 13th after it) and tick it.
    key(&mut p, "j ");
    key(&mut p, &"j".repeat(12));
    key(&mut p, " ");
    key(&mut p, "\r");
    // The answer is the names chosen, not their labels with the descriptions.
    p.exp_string("opportunity.*, lead.created").unwrap();
    p.exp_string("Description").unwrap();
    p.send_line("From the prompt").unwrap();
    p.exp_string("Create a webhook for https://your-app.com/webhooks/scopien").unwrap();
    key(&mut p, "y");
    p.exp_string("wh_abc123").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let req = &server.requests()[0];
    assert_post(req, "/v1/webhooks");
    assert_eq!(
        req.json(),
        json!({"url": "https://your-app.com/webhooks/scopien", "events": ["opportunity.*", "lead.created"],
               "description": "From the prompt"})
    );
}

#[test]
fn create_offers_every_event_first() {
    let server = TestServer::start(|_| Reply::json(201, json!({"data": webhook("wh_abc123")})));
    let base = server.url("/v1");
    let url = "https://your-app.com/webhooks/scopien";
    let mut p =
        pty(&["--api-base", &base, "--api-key", KEY, "create", "--url", url, "--description", "All"], None);
    p.exp_string("every event").unwrap();
    key(&mut p, " \r");
    p.exp_string("Create a webhook for").unwrap();
    key(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(server.requests()[0].json()["events"], json!(["*"]));
}

#[test]
fn delete_asks_on_a_terminal() {
    let server = TestServer::start(|req| match req.method.as_str() {
        "GET" => Reply::json(200, json!({"data": webhook("wh_abc123")})),
        _ => Reply::json(200, json!({"data": {"id": "wh_abc123", "deleted": true}})),
    });
    let base = server.url("/v1");
    // Asks, and answers with `answer`.
    let answered = |answer: &str| {
        let mut p = pty(&["--api-base", &base, "--api-key", KEY, "delete", "wh_abc123"], None);
        p.exp_string("Delete webhook wh_abc123 (https://your-app.com/webhooks/scopien)?").unwrap();
        key(&mut p, answer);
        p
    };
    let mut p = answered("n");
    p.exp_string("Not deleted.").unwrap();
    p.exp_eof().unwrap();
    // A no is an answer, not a failure.
    assert_eq!(exit_code(&p), 0);
    let methods = |s: &TestServer| s.requests().iter().map(|r| r.method.clone()).collect::<Vec<_>>();
    assert_eq!(methods(&server), ["GET"]);

    let mut p = answered("y");
    p.exp_string("Deleted wh_abc123").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(methods(&server), ["GET", "GET", "DELETE"]);
}

#[test]
fn login_prompts_for_a_hidden_key_on_a_terminal() {
    let server = TestServer::start(|_| Reply::json(200, json!({"data": [], "hasMore": false})));
    let dir = Dir::new();
    let config = dir.path("config.toml");
    let base = server.url("/v1");
    let mut p = pty(&["--api-base", &base, "login"], Some(&config));
    p.exp_string("API key").unwrap();
    p.send_line(KEY).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    // rexpect reads bytes as Latin-1, so the ellipsis of the redacted key is not compared.
    assert!(
        rest.contains("Logged in as profile default with key sk_live_") && rest.contains("c123"),
        "{rest}"
    );
    assert!(!rest.contains(KEY), "the key was echoed: {rest}");
    assert_eq!(server.requests()[0].header("authorization"), format!("Bearer {KEY}"));
    assert!(std::fs::read_to_string(&config).unwrap().contains(KEY));
}

// ---------------------------------------------------------------- listen --register

/// A registering listener on any free port.
const REGISTER: &str = "listen --register https://abc.ngrok.io/hook --port 0";

fn register_api() -> TestServer {
    TestServer::start(|r| match r.method.as_str() {
        "POST" => {
            let body = r.json();
            let mut w = webhook("wh_reg1");
            w["url"] = body["url"].clone();
            w["events"] = body["events"].clone();
            w["secret"] = body["secret"].clone();
            Reply::json(201, json!({"data": w}))
        }
        _ => Reply::json(200, json!({"data": {"id": "wh_reg1", "deleted": true}})),
    })
}

/// A registering listener, with `more` flags, that waits for one event until it
/// times out (exit 1); what the API was asked.
fn register_until_timeout(more: &str) -> (common::Out, Vec<Recorded>) {
    let server = register_api();
    let out = run_line(api(&server), &format!("{REGISTER} {more} --max-events 1 --timeout 200ms"));
    assert_eq!(out.code, 1, "the listener timed out: {}", out.stderr);
    (out, server.requests())
}

#[test]
fn register_deletes_the_webhook_when_the_listener_stops() {
    let (out, reqs) = register_until_timeout("--events 'lead.*'");
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_post(&reqs[0], "/v1/webhooks");
    let body = reqs[0].json();
    assert_eq!(body["url"], "https://abc.ngrok.io/hook");
    assert_eq!(body["events"], json!(["lead.*"]));
    assert_eq!(body["description"], "scopien-hooks listen");
    let secret = body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 20);
    assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
    assert_eq!((reqs[1].method.as_str(), reqs[1].path.as_str()), ("DELETE", "/v1/webhooks/wh_reg1"));
    assert_authorised(&reqs[1]);
}

#[test]
fn register_keep_leaves_the_webhook() {
    let (out, reqs) = register_until_timeout("--keep");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].json()["events"], json!(["*"]));
    assert!(out.stderr.contains("wh_reg1"), "{}", out.stderr);
}

#[test]
fn register_checks_the_url_first() {
    let server = register_api();
    let out = run(api(&server), &["listen", "--register", "http://abc.example.com/hook", "--port", "0"]);
    assert_eq!(out.code, 2);
    let out =
        run(api(&server), &["listen", "--register", "https://abc.example.com/hook", "--events", "nope"]);
    assert_eq!(out.code, 2);
    assert!(server.requests().is_empty());
}

#[test]
fn register_verifies_with_the_fresh_secret_then_deletes() {
    let server = register_api();
    let registering = |more: &str| {
        let mut c = bin();
        c.args(["--api-base", &server.url("/v1"), "--api-key", KEY])
            .args(words(&format!("{REGISTER}{more}")));
        common::Running::start(c)
    };
    let r = registering(" --max-events 1");
    let secret = server.requests()[0].json()["secret"].as_str().unwrap().to_string();
    let body = r#"{"id":"evt_reg123","event":"lead.created","timestamp":"2026-01-22T11:00:00Z","data":{"id":"lead_1"}}"#;
    let http = reqwest::blocking::Client::new();
    let signed_with = |secret: &str| {
        let signature = common::doc_signature(secret, body.as_bytes());
        let sent = http.post(&r.url).header("content-type", "application/json");
        sent.header("x-scopien-signature", signature).body(body).send().unwrap().status().as_u16()
    };
    assert_eq!(signed_with("whsec_wrong_secret_1"), 401);
    assert_eq!(signed_with(&secret), 200);
    let (status, _, _) = r.wait();
    assert_eq!(status.code(), Some(0));
    let reqs = server.wait_for(2);
    assert_eq!((reqs[1].method.as_str(), reqs[1].path.as_str()), ("DELETE", "/v1/webhooks/wh_reg1"));

    // SIGTERM (like Ctrl-C) stops the listener, and the webhook is still deleted.
    let r = registering("");
    r.signal("TERM");
    let (status, _, _) = r.wait();
    assert_eq!(status.code(), Some(0));
    let reqs = server.wait_for(4);
    assert_eq!(reqs[2].method, "POST");
    assert_eq!((reqs[3].method.as_str(), reqs[3].path.as_str()), ("DELETE", "/v1/webhooks/wh_reg1"));
}
