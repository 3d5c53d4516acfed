//! `emulate` and `trigger`, run as the real binary: the HTTP API driven directly,
//! deliveries received by local test servers.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::emulator::{Api, KEY, poll, start as emulator};
use common::{Dir, Recorded, Reply, Running, TestServer, WAIT, bin, cmd, doc_signature, raw_exchange, run};
use serde_json::{Value, json};

/// `trigger` pointed at `emu`, with the default key.
fn trigger(emu: &Running) -> assert_cmd::Command {
    let mut c = cmd();
    c.env("SCOPIEN_API_BASE", &emu.url).env("SCOPIEN_API_KEY", KEY).arg("trigger");
    c
}

/// What `c ARGS` printed, having succeeded.
fn printed(mut c: assert_cmd::Command, args: &[&str]) -> String {
    String::from_utf8(c.args(args).assert().success().get_output().stdout.clone()).unwrap()
}

/// The stores an emulator can run on: the behaviour tests run on each.
#[derive(Debug, Clone, Copy)]
enum Store {
    /// In memory (the SQLite backend).
    Sqlite,
    /// A fresh database on the test cluster.
    Postgres,
}

/// An emulator on a fresh, empty store, with extra arguments.
fn fresh(store: Store, args: &[&str]) -> Running {
    let url = match store {
        Store::Sqlite => None,
        Store::Postgres => Some(common::postgres::database()),
    };
    let mut all = match &url {
        None => vec!["--in-memory"],
        Some(url) => vec!["--db", url.as_str()],
    };
    all.extend_from_slice(args);
    emulator(&all)
}

/// An emulator on a fresh store whose waits are scaled by `scale`.
fn quick(store: Store, scale: &str) -> Running {
    fresh(store, &["--time-scale", scale])
}

/// One test per store for each behaviour: `sqlite::name` and `postgres::name`.
macro_rules! on_each_store {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(super::Store::Sqlite)
            })*
        }
        mod postgres {
            $(#[test]
            fn $name() {
                super::$name(super::Store::Postgres)
            })*
        }
    };
}

on_each_store!(
    trigger_delivers_a_signed_event_that_a_receiver_verifies,
    trigger_count_emits_many_and_prints_json,
    trigger_needs_no_key_for_the_emulator,
    wildcard_and_non_matching_subscriptions,
    filters_select_events_by_data,
    custom_headers_arrive_and_cannot_override_the_signature,
    batches_close_by_size,
    batches_close_by_wait_time,
    fail_twice_then_ok_makes_three_attempts,
    always_failing_disables_the_webhook_and_notifies_subscribers,
    gone_disables_at_once_and_redirects_count_as_failures,
    a_slow_endpoint_does_not_hold_up_another,
    management_api_round_trip,
    deliveries_are_paced_at_100_events_per_second_per_webhook,
    a_test_send_reports_the_failed_attempt_and_keeps_retrying,
    a_retried_post_with_the_same_idempotency_key_emits_once,
    the_largest_time_scale_schedules_retries_without_a_panic,
    a_webhook_pointing_at_the_emulator_itself_is_refused,
    retain_removes_ended_events_and_keeps_pending_work,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

fn secret(v: &Value) -> String {
    v["secret"].as_str().unwrap().to_string()
}

fn assert_signed(req: &Recorded, secret: &str) {
    assert_eq!(req.header("x-scopien-signature"), doc_signature(secret, &req.body), "signature");
    assert_eq!(req.headers.get_all("x-scopien-signature").iter().count(), 1);
    assert_eq!(req.header("content-type"), "application/json");
}

fn succeeded(log: &[Value]) -> bool {
    log.iter().any(|d| d["status"] == "succeeded")
}

fn trigger_delivers_a_signed_event_that_a_receiver_verifies(store: Store) {
    let mut emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let receiver = TestServer::ok();
    let hook = api.create(json!({"url": receiver.url("/hooks"), "events": ["opportunity.updated"]}));
    assert!(secret(&hook).starts_with("whsec_"));

    let out = printed(trigger(&emu), &["opportunity.updated", "--data", r#"{"amount": 5000}"#]);
    let event_id = out.trim().to_string();
    assert!(event_id.starts_with("evt_") && event_id.len() == 28, "{event_id}");

    let got = receiver.wait_for(1);
    assert_eq!(got[0].path, "/hooks");
    assert_signed(&got[0], &secret(&hook));
    let body = got[0].json();
    assert_eq!(body["id"], event_id.as_str());
    assert_eq!(body["event"], "opportunity.updated");
    assert_eq!(body["data"]["amount"], 5000, "--data is merged onto the sample");
    assert_eq!(body["data"]["name"], "Acme Corp Deal");
    assert!(body["changes"].is_object());
    // The receiver's own check, as the docs' quick-start does it.
    cmd()
        .args(["verify", "--secret", &secret(&hook), "--signature", &got[0].header("x-scopien-signature")])
        .write_stdin(got[0].body.to_vec())
        .assert()
        .success();

    let log = api.wait_log(&id(&hook), succeeded);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["eventId"], event_id.as_str());
    assert_eq!((log[0]["attempt"].as_u64(), log[0]["responseStatus"].as_u64()), (Some(1), Some(200)));
    assert_eq!(log[0]["responseBody"], "OK");
    let line = emu.stderr_until(|l| l.contains(&event_id));
    assert!(line.contains("✔") && line.contains("200") && line.contains("attempt 1"), "{line}");
    assert!(!line.contains(&secret(&hook)));
}

fn trigger_count_emits_many_and_prints_json(store: Store) {
    let emu = quick(store, "0.001");
    let out = printed(trigger(&emu), &["lead.created", "--count", "1500", "--json"]);
    let events: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(events.len(), 1500);
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1500, "fresh ids");
    assert!(events.iter().all(|e| e["event"] == "lead.created" && e["data"]["firstName"] == "John"));

    trigger(&emu).arg("lead.craeted").assert().code(2).stderr(predicates::str::contains("lead.created"));
}

fn trigger_needs_no_key_for_the_emulator(store: Store) {
    let emu = quick(store, "0.001");
    let mut keyless = trigger(&emu);
    keyless.env_remove("SCOPIEN_API_KEY");
    let out = printed(keyless, &["case.closed", "--count", "3"]);
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 3, "{out}");
    assert!(ids.iter().all(|id| id.starts_with("evt_") && id.len() == 28), "{out}");
}

#[test]
fn wrong_key_gets_401() {
    let emu = emulator(&["--in-memory", "--api-key", "sk_test_custom_key_1"]);
    let (status, v) = Api::new(&emu).get("/webhooks");
    assert_eq!(status, 401);
    assert_eq!(v["error"]["code"], "unauthorized");
    assert!(v["error"]["message"].as_str().is_some());
    let resp = reqwest::blocking::get(format!("{}/webhooks", emu.url)).unwrap();
    assert_eq!(resp.status().as_u16(), 401, "no key at all");
    let (status, v) = Api::with_key(&emu, "sk_test_custom_key_1").get("/webhooks");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, json!({"data": [], "hasMore": false, "nextCursor": null}));
    trigger(&emu).arg("lead.created").assert().code(1).stderr(predicates::str::contains("401"));
}

fn wildcard_and_non_matching_subscriptions(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let (all_rx, leads_rx, cases_rx) = (TestServer::ok(), TestServer::ok(), TestServer::ok());
    let all = api.create(json!({"url": all_rx.url("/"), "events": ["*"]}));
    let leads = api.create(json!({"url": leads_rx.url("/"), "events": ["lead.*"]}));
    let cases = api.create(json!({"url": cases_rx.url("/"), "events": ["case.closed"]}));
    let lead = api.emit("lead.created", None);
    let opp = api.emit("opportunity.updated", None);

    let got = all_rx.wait_for(2);
    let mut seen: Vec<String> = got.iter().map(|r| r.json()["id"].as_str().unwrap().to_string()).collect();
    seen.sort();
    let mut want = vec![id(&lead), id(&opp)];
    want.sort();
    assert_eq!(seen, want);
    let got = leads_rx.wait_for(1);
    assert_eq!(got[0].json()["id"], lead["id"]);
    api.wait_log(&id(&leads), succeeded);
    // Fan-out happens before POST /events answers: the logs are complete now.
    assert_eq!(api.deliveries(&id(&leads)).len(), 1);
    assert_eq!(api.deliveries(&id(&all)).len(), 2);
    assert!(api.deliveries(&id(&cases)).is_empty());
    assert!(cases_rx.requests().is_empty());
}

fn filters_select_events_by_data(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    let hook = api.create(json!({
        "url": rx.url("/"),
        "events": ["opportunity.*"],
        "filters": {"amount_greater_than": 50000, "amount_less_than": 500000, "stage": ["Negotiation", "Closed Won"]}
    }));
    let cases = [
        (json!({"amount": 100000, "stage": "Closed Won"}), true),
        (json!({"amount": 60000, "stage": "Negotiation"}), true),
        (json!({"amount": 50000, "stage": "Closed Won"}), false),
        (json!({"amount": 900000, "stage": "Closed Won"}), false),
        (json!({"amount": 100000, "stage": "Prospecting"}), false),
        (json!({"stage": "Closed Won"}), false),
    ];
    let mut want = Vec::new();
    for (data, pass) in cases {
        let ev = api.emit("opportunity.updated", Some(data));
        if pass {
            want.push(id(&ev));
        }
    }
    let log = api.deliveries(&id(&hook));
    let mut logged: Vec<String> = log.iter().map(|d| d["eventId"].as_str().unwrap().to_string()).collect();
    logged.sort();
    want.sort();
    assert_eq!(logged, want);
    let got = rx.wait_for(want.len());
    let mut received: Vec<String> =
        got.iter().map(|r| r.json()["id"].as_str().unwrap().to_string()).collect();
    received.sort();
    assert_eq!(received, want);

    let (status, v) = api.post(
        "/webhooks",
        json!({"url": rx.url("/"), "events": ["*"], "filters": {"amount_greater_than": "lots"}}),
    );
    assert_eq!(status, 422, "{v}");
}

fn custom_headers_arrive_and_cannot_override_the_signature(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    let hook = api.create(json!({
        "url": rx.url("/"),
        "events": ["lead.created"],
        "headers": {"X-Custom-Header": "value", "Authorization": "Bearer token123",
                    "X-Scopien-Signature": "sha256=forged", "Content-Type": "text/plain"}
    }));
    api.emit("lead.created", None);
    let got = rx.wait_for(1);
    assert_eq!(got[0].header("x-custom-header"), "value");
    assert_eq!(got[0].header("authorization"), "Bearer token123");
    assert_signed(&got[0], &secret(&hook));
    assert_eq!(got[0].headers.get_all("content-type").iter().count(), 1);
}

fn batches_close_by_size(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    let hook = api.create(json!({
        "url": rx.url("/"), "events": ["lead.*"], "batch": true, "maxBatchSize": 3, "maxWaitTime": 3600
    }));
    let (status, v) = api.post(
        "/events",
        json!({"events": (0..6).map(|_| json!({"event": "lead.created"})).collect::<Vec<_>>()}),
    );
    assert_eq!(status, 201, "{v}");
    let emitted: Vec<String> = v["data"].as_array().unwrap().iter().map(id).collect();
    let got = rx.wait_for(2);
    let mut delivered = Vec::new();
    for req in &got[..2] {
        assert_signed(req, &secret(&hook));
        let events = req.json()["events"].as_array().unwrap().clone();
        assert_eq!(events.len(), 3, "full batches of maxBatchSize");
        delivered.extend(events.iter().map(id));
    }
    delivered.sort();
    let mut emitted_sorted = emitted.clone();
    emitted_sorted.sort();
    assert_eq!(delivered, emitted_sorted);
    let log = api.wait_log(&id(&hook), |l| l.len() == 2 && l.iter().all(|d| d["status"] == "succeeded"));
    assert!(log.iter().all(|d| d["event"] == "lead.created"));
}

fn batches_close_by_wait_time(store: Store) {
    // maxWaitTime 2 s at a time scale of 0.5: the batch goes out one second after its first event.
    let emu = quick(store, "0.5");
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    api.create(
        json!({"url": rx.url("/"), "events": ["*"], "batch": true, "maxBatchSize": 50, "maxWaitTime": 2}),
    );
    let start = Instant::now();
    let a = api.emit("case.created", None);
    let b = api.emit("case.closed", None);
    let got = rx.wait_for(1);
    assert!(start.elapsed() >= Duration::from_millis(900), "sent before maxWaitTime: {:?}", start.elapsed());
    let events = got[0].json()["events"].as_array().unwrap().clone();
    assert_eq!(events.iter().map(id).collect::<Vec<_>>(), vec![id(&a), id(&b)]);
    assert_eq!(events[1]["event"], "case.closed");
}

fn fail_twice_then_ok_makes_three_attempts(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let rx = TestServer::start(move |_| {
        if n2.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::text(500, "try later")
        } else {
            Reply::text(200, "OK")
        }
    });
    let hook = api.create(json!({"url": rx.url("/"), "events": ["case.updated"]}));
    let ev = api.emit("case.updated", None);
    let log = api.wait_log(&id(&hook), succeeded);
    assert_eq!(log.len(), 3, "{log:#?}");
    // Newest first: attempt 3 succeeded, 2 and 1 failed with the answer kept.
    for (row, attempt) in log.iter().zip([3, 2, 1]) {
        assert_eq!(row["attempt"], attempt);
        assert_eq!(row["eventId"], ev["id"]);
    }
    assert_eq!(log[0]["status"], "succeeded");
    assert!(log[0]["nextRetryAt"].is_null());
    for row in &log[1..] {
        assert_eq!(row["status"], "failed");
        assert_eq!(row["responseStatus"], 500);
        assert_eq!(row["responseBody"], "try later");
        assert!(row["error"].as_str().unwrap().contains("500"));
        assert!(row["nextRetryAt"].is_string());
        assert!(row["durationMs"].is_u64());
    }
    let got = rx.wait_for(3);
    assert!(got.iter().all(|r| r.body == got[0].body), "retries resend the same body");
    assert_eq!(api.status_of(&id(&hook)), "active");
}

fn always_failing_disables_the_webhook_and_notifies_subscribers(store: Store) {
    let emu = quick(store, "0.0002");
    let api = Api::new(&emu);
    let failing = TestServer::start(|_| Reply::text(503, "down"));
    let watcher_rx = TestServer::ok();
    let hook = api.create(json!({"url": failing.url("/broken"), "events": ["lead.created"]}));
    let watcher = api.create(json!({"url": watcher_rx.url("/"), "events": ["webhook.failed"]}));
    api.emit("lead.created", None);

    let got = watcher_rx.wait_for(1);
    assert_signed(&got[0], &secret(&watcher));
    let note = got[0].json();
    assert_eq!(note["event"], "webhook.failed");
    assert!(note["id"].as_str().unwrap().starts_with("evt_"));
    for v in [&note, &note["data"]] {
        assert_eq!(v["webhookId"], hook["id"]);
        assert_eq!(v["url"], failing.url("/broken").as_str());
        assert_eq!(v["failureCount"], 6);
        assert_eq!(v["disabled"], true);
        assert!(v["lastError"].as_str().unwrap().contains("503"));
    }
    assert_eq!(api.status_of(&id(&hook)), "disabled");
    let log = api.deliveries(&id(&hook));
    assert_eq!(log.len(), 6, "{log:#?}");
    assert!(log.iter().all(|d| d["status"] == "failed" && d["responseStatus"] == 503));
    assert_eq!(
        log.iter().map(|d| d["attempt"].as_u64().unwrap()).collect::<Vec<_>>(),
        vec![6, 5, 4, 3, 2, 1]
    );
    assert!(log[0]["nextRetryAt"].is_null(), "no retry after the sixth attempt");
    assert_eq!(failing.requests().len(), 6);

    // A disabled webhook gets nothing new; enabling it brings deliveries back.
    api.emit("lead.created", None);
    assert_eq!(api.deliveries(&id(&hook)).len(), 6);
    let (status, v) = api.post(&format!("/webhooks/{}/enable", id(&hook)), json!({}));
    assert_eq!((status, v["data"]["status"].as_str()), (200, Some("active")));
}

fn gone_disables_at_once_and_redirects_count_as_failures(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let gone = TestServer::start(|_| Reply::text(410, "gone"));
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let redirect = TestServer::start(move |_| {
        if n2.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(302).header("location", "http://127.0.0.1:9/elsewhere")
        } else {
            Reply::text(200, "OK")
        }
    });
    let watcher_rx = TestServer::ok();
    let g = api.create(json!({"url": gone.url("/"), "events": ["task.created"]}));
    let r = api.create(json!({"url": redirect.url("/"), "events": ["task.created"]}));
    let watcher = api.create(json!({"url": watcher_rx.url("/"), "events": ["webhook.failed"]}));
    api.emit("task.created", None);

    poll(|| (api.status_of(&id(&g)) == "disabled").then_some(()));
    let log = api.deliveries(&id(&g));
    assert_eq!(log.len(), 1, "410 is not retried: {log:#?}");
    assert_eq!((log[0]["status"].as_str(), log[0]["responseStatus"].as_u64()), (Some("failed"), Some(410)));
    assert_eq!(gone.requests().len(), 1);
    assert!(api.deliveries(&id(&watcher)).is_empty(), "webhook.failed is for exhausted retries");

    let log = api.wait_log(&id(&r), succeeded);
    assert_eq!(log.len(), 2);
    assert_eq!((log[1]["status"].as_str(), log[1]["responseStatus"].as_u64()), (Some("failed"), Some(302)));
    assert_eq!(redirect.requests().len(), 2, "the redirect was not followed");
}

fn a_slow_endpoint_does_not_hold_up_another(store: Store) {
    let emu = fresh(store, &["--time-scale", "0.001", "--delivery-timeout", "3s"]);
    let api = Api::new(&emu);
    let slow = TestServer::start(|_| Reply::text(200, "late").delayed(common::WAIT));
    let fast = TestServer::ok();
    let s = api.create(json!({"url": slow.url("/"), "events": ["*"]}));
    api.create(json!({"url": fast.url("/"), "events": ["*"]}));
    for _ in 0..3 {
        api.emit("contact.created", None);
    }
    fast.wait_for(3);
    // The fast endpoint got everything while the slow one's deliveries were still open.
    let open = api.deliveries(&id(&s));
    assert!(open.iter().all(|d| d["status"] != "failed"), "the fast endpoint waited: {open:#?}");
    let log = api.wait_log(&id(&s), |l| l.iter().filter(|d| d["status"] == "failed").count() >= 3);
    let timed_out = log.iter().find(|d| d["status"] == "failed").unwrap();
    assert!(timed_out["error"].as_str().unwrap().contains("timed out"), "{timed_out}");
    assert!(timed_out["responseStatus"].is_null());
}

#[test]
fn kill_9_mid_retry_then_restart_completes_the_delivery() {
    let dir = Dir::new();
    let db = dir.path("emulator.db");
    let db_arg = db.to_str().unwrap();
    let healthy = Arc::new(AtomicBool::new(false));
    let h2 = healthy.clone();
    let rx = TestServer::start(move |_| {
        if h2.load(Ordering::SeqCst) { Reply::text(200, "OK") } else { Reply::text(500, "not yet") }
    });
    // Scale 0.2: the second attempt is due one second after the first.
    let mut emu = emulator(&["--db", db_arg, "--time-scale", "0.2"]);
    let api = Api::new(&emu);
    let hook = api.create(json!({"url": rx.url("/"), "events": ["lead.converted"]}));
    let ev = api.emit("lead.converted", None);
    emu.stderr_until(|l| l.contains(&id(&ev)) && l.contains("attempt 1"));
    emu.signal("KILL");
    let (status, _, _) = emu.wait();
    assert!(!status.success());

    healthy.store(true, Ordering::SeqCst);
    let mut emu = emulator(&["--db", db_arg, "--time-scale", "0.2"]);
    let line = emu.stderr_until(|l| l.contains(&id(&ev)));
    assert!(line.contains("✔") && line.contains("attempt 2"), "{line}");
    let api = Api::new(&emu);
    let log = api.wait_log(&id(&hook), succeeded);
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!((log[0]["attempt"].as_u64(), log[0]["status"].as_str()), (Some(2), Some("succeeded")));
    assert_eq!((log[1]["attempt"].as_u64(), log[1]["status"].as_str()), (Some(1), Some("failed")));
    let got = rx.wait_for(2);
    assert_eq!(got[0].body, got[1].body, "the same event, byte for byte");
    assert_eq!(got[1].json()["id"], ev["id"]);
}

#[test]
fn a_second_emulator_on_the_same_database_is_refused() {
    let dir = Dir::new();
    let db = dir.path("nested/dir/emulator.db");
    let _first = emulator(&["--db", db.to_str().unwrap()]);
    let second = run(cmd(), &["emulate", "--port", "0", "--db", db.to_str().unwrap()]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(second.stderr.contains("in use by another emulator"), "{}", second.stderr);
}

#[cfg(unix)]
#[test]
fn a_new_database_and_its_log_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let db = dir.path("private/emulator.db");
    let emu = emulator(&["--db", db.to_str().unwrap()]);
    // A webhook (and its secret) is in the write-ahead log once the API answers.
    Api::new(&emu).create(json!({"url": "http://127.0.0.1:9/", "events": ["*"]}));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&dir.path("private/emulator.db-wal")), 0o600);
    assert_eq!(mode(&dir.path("private")), 0o700);
}

#[test]
fn a_db_path_that_is_not_a_database_is_bad_input() {
    let dir = Dir::new();
    let text = dir.write("notes.txt", "these are not the tables you are looking for\n".repeat(200));
    for db in [text, dir.path("")] {
        let out = cmd().args(["emulate", "--port", "0", "--db"]).arg(&db).timeout(WAIT).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", db.display());
        assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
        assert!(!stderr.contains("Ready!"), "{stderr}");
    }
}

fn management_api_round_trip(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::ok();

    // Idempotency-Key: the same key returns the same webhook.
    let body = json!({"url": rx.url("/"), "events": ["opportunity.*", "lead.created"], "description": "Production webhook"});
    let send = |key: &str, body: &Value| api.send("POST", "/webhooks", Some(body.clone()), Some(key));
    let (s1, first) = send("key-1", &body);
    let (s2, again) = send("key-1", &body);
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first["data"]["id"], again["data"]["id"]);
    let hook = first["data"].clone();
    for k in [
        "id",
        "url",
        "events",
        "description",
        "secret",
        "status",
        "headers",
        "filters",
        "batch",
        "maxBatchSize",
        "maxWaitTime",
        "createdAt",
        "updatedAt",
    ] {
        assert!(hook.get(k).is_some(), "webhook field {k}");
    }
    assert_eq!(hook["status"], "active");
    assert!(id(&hook).starts_with("wh_"));
    let (s3, other) = send("key-2", &body);
    assert_eq!(s3, 201);
    assert_ne!(other["data"]["id"], hook["id"]);
    api.create(json!({"url": rx.url("/"), "events": ["*"], "secret": "whsec_given_by_me"}));

    // Pages follow hasMore / nextCursor.
    let (_, p1) = api.get("/webhooks?limit=2");
    assert_eq!(p1["data"].as_array().unwrap().len(), 2);
    assert_eq!(p1["hasMore"], true);
    let (_, p2) = api.get(&format!("/webhooks?limit=2&cursor={}", p1["nextCursor"].as_str().unwrap()));
    assert_eq!(p2["data"].as_array().unwrap().len(), 1);
    assert_eq!((p2["hasMore"].as_bool(), p2["nextCursor"].is_null()), (Some(false), true));
    assert_eq!(p2["data"][0]["secret"], "whsec_given_by_me");

    // Get, update, disable, enable.
    let path = format!("/webhooks/{}", id(&hook));
    assert_eq!(api.get(&path).1["data"], hook);
    let (status, v) =
        api.call("PATCH", &path, Some(json!({"events": ["case.*"], "headers": {"X-Env": "ci"}})));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["data"]["events"], json!(["case.*"]));
    assert_eq!(v["data"]["headers"], json!({"X-Env": "ci"}));
    assert_eq!(v["data"]["description"], "Production webhook");
    assert_eq!(api.post(&format!("{path}/disable"), json!({})).1["data"]["status"], "disabled");
    let (status, v) = api.post(&format!("{path}/test"), json!({"event": "case.closed"}));
    assert_eq!((status, v["error"]["code"].as_str()), (409, Some("webhook_disabled")));
    assert_eq!(api.post(&format!("{path}/enable"), json!({})).1["data"]["status"], "active");

    // Test event to this webhook only, answered with the attempt's outcome; then a redelivery of it.
    let (status, v) = api.post(&format!("{path}/test"), json!({"event": "case.closed"}));
    assert_eq!(status, 200, "{v}");
    let d = &v["data"];
    assert_eq!((d["status"].as_str(), d["event"].as_str()), (Some("succeeded"), Some("case.closed")));
    assert_eq!((d["responseStatus"].as_u64(), d["responseBody"].as_str()), (Some(200), Some("OK")));
    let got = rx.wait_for(1);
    assert_eq!(got[0].json()["event"], "case.closed");
    assert_eq!(got[0].header("x-env"), "ci");
    let log = api.wait_log(&id(&hook), succeeded);
    let (status, v) = api.post(&format!("/deliveries/{}/retry", id(&log[0])), json!({}));
    assert_eq!(status, 200, "{v}");
    let d = &v["data"];
    assert_ne!(d["id"], log[0]["id"]);
    assert_eq!((&d["eventId"], d["attempt"].as_u64()), (&log[0]["eventId"], Some(1)));
    assert_eq!(d["status"], "succeeded");
    let got = rx.wait_for(2);
    assert_eq!(got[1].body, got[0].body, "a redelivery sends the same event");
    api.wait_log(&id(&hook), |l| l.len() == 2 && l.iter().all(|d| d["status"] == "succeeded"));

    // Errors: JSON bodies with a code, 400 for bad JSON, 422 for bad fields, 404 for unknown ids.
    let (status, v) = api.get("/webhooks/wh_doesnotexist");
    assert_eq!((status, v["error"]["code"].as_str()), (404, Some("not_found")));
    assert_eq!(api.get("/webhooks/not-an-id").0, 404);
    assert_eq!(api.post("/deliveries/dlv_nope/retry", json!({})).0, 404);
    let resp = api.http.post(format!("{}/webhooks", api.base)).bearer_auth(KEY).body("{oops").send().unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.json::<Value>().unwrap()["error"]["message"].is_string());
    for bad in [
        json!({"url": "ftp://x", "events": ["*"]}),
        json!({"url": rx.url("/"), "events": []}),
        json!({"url": rx.url("/"), "events": ["lead.craeted"]}),
        json!({"url": rx.url("/"), "events": ["*"], "maxBatchSize": 101}),
        json!({"url": rx.url("/"), "events": "lead.created"}),
    ] {
        let (status, v) = api.post("/webhooks", bad.clone());
        assert_eq!(status, 422, "{bad} → {v}");
        assert!(v["error"]["code"].is_string());
    }
    let (status, v) = api.post("/events", json!({"event": "lead.craeted"}));
    assert_eq!(status, 422);
    assert!(v["error"]["message"].as_str().unwrap().contains("lead.created"));
    assert_eq!(api.get("/webhooks?limit=0").0, 400);

    // Delete.
    let (status, v) = api.call("DELETE", &path, None);
    assert_eq!((status, v), (200, json!({"data": {"id": id(&hook), "deleted": true}})));
    assert_eq!(api.get(&path).0, 404);
    assert_eq!(api.get(&format!("{path}/deliveries")).0, 404);
}

fn deliveries_are_paced_at_100_events_per_second_per_webhook(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let a2 = arrivals.clone();
    let rx = TestServer::start(move |_| {
        a2.lock().unwrap().push(Instant::now());
        Reply::text(200, "OK")
    });
    api.create(json!({"url": rx.url("/"), "events": ["lead.created"]}));
    let (status, _) =
        api.post("/events", json!((0..41).map(|_| json!({"event": "lead.created"})).collect::<Vec<_>>()));
    assert_eq!(status, 201);
    rx.wait_for(41);
    let times = arrivals.lock().unwrap().clone();
    let spread = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    // 41 events at 100/s: the last goes 400 ms after the first, none are dropped. Unpaced,
    // they all arrive within a few ms; the margin absorbs a first arrival delayed by a busy machine.
    assert!(spread >= Duration::from_millis(300), "not paced: {spread:?}");
}

#[test]
fn json_mode_logs_one_ndjson_line_per_attempt() {
    let mut c = bin();
    c.args(["--json", "emulate", "--port", "0", "--in-memory", "--time-scale", "0.001"]);
    let mut emu = Running::start(c);
    let api = Api::new(&emu);
    let rx = TestServer::start(|_| Reply::text(500, "nope"));
    let hook = api.create(json!({"url": rx.url("/"), "events": ["task.completed"]}));
    let ev = api.emit("task.completed", None);
    let line = emu.stderr_until(|l| l.starts_with('{') && l.contains("\"attempt\":1"));
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["webhook_id"], hook["id"]);
    assert_eq!(v["event_id"], ev["id"]);
    assert_eq!(v["event"], "task.completed");
    assert_eq!((v["status"].as_str(), v["response_status"].as_u64()), (Some("failed"), Some(500)));
    assert!(v["delivery_id"].as_str().unwrap().starts_with("dlv_"));
    assert!(v["next_retry_at"].is_string() && v["duration_ms"].is_u64() && v["time"].is_string());
    assert!(v["error"].as_str().unwrap().contains("500"));
    assert!(!line.contains(&secret(&hook)));
}

#[test]
fn sigterm_stops_cleanly_and_the_ready_line_names_the_key() {
    let mut emu = emulator(&["--in-memory"]);
    assert!(emu.url.starts_with("http://127.0.0.1:") && emu.url.ends_with("/v1"), "{}", emu.url);
    let key_line = emu.stderr_until(|l| l.starts_with("API key:"));
    assert!(
        key_line.contains("SCOPIEN_API_KEY=sk_test_emulator") && key_line.contains(&emu.url),
        "{key_line}"
    );
    emu.signal("TERM");
    let (status, _, _) = emu.wait();
    assert!(status.success(), "{status:?}");

    let mut custom = emulator(&["--in-memory", "--api-key", "sk_test_my_private_key"]);
    let key_line = custom.stderr_until(|l| l.starts_with("API key:"));
    assert!(!key_line.contains("sk_test_my_private_key"), "{key_line}");
}

fn a_test_send_reports_the_failed_attempt_and_keeps_retrying(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::start(|_| Reply::text(500, "kaput"));
    let hook = api.create(json!({"url": rx.url("/"), "events": ["lead.created"]}));
    let (status, v) = api.post(&format!("/webhooks/{}/test", id(&hook)), json!({"event": "account.updated"}));
    assert_eq!(status, 200, "{v}");
    let d = &v["data"];
    assert_eq!((d["status"].as_str(), d["responseStatus"].as_u64()), (Some("failed"), Some(500)));
    assert_eq!(d["responseBody"], "kaput");
    assert!(d["nextRetryAt"].is_string(), "{d}");
    let got = rx.wait_for(2);
    assert_eq!(got[1].json()["event"], "account.updated", "the test event is retried like any other");
    let (status, v) = api.post(&format!("/webhooks/{}/test", id(&hook)), json!({"event": "lead.craeted"}));
    assert_eq!((status, v["error"]["code"].as_str()), (422, Some("unknown_event")));
}

fn a_retried_post_with_the_same_idempotency_key_emits_once(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    let hook = api.create(json!({"url": rx.url("/"), "events": ["lead.created"]}));
    let post = |key: &str, body: Value| api.send("POST", "/events", Some(body), Some(key));
    let (s1, first) = post("emit-1", json!({"event": "lead.created"}));
    let (s2, again) = post("emit-1", json!({"event": "lead.created"}));
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first["data"]["id"], again["data"]["id"]);
    let (s3, v) = post("emit-1", json!({"event": "lead.updated"}));
    assert_eq!((s3, v["error"]["code"].as_str()), (422, Some("idempotency_key_reused")));
    assert_eq!(api.deliveries(&id(&hook)).len(), 1, "one event, one delivery");
    rx.wait_for(1);
}

#[test]
fn garbage_malformed_and_oversized_requests_do_not_stop_the_api() {
    let emu = quick(Store::Sqlite, "0.001");
    let api = Api::new(&emu);
    let answer = raw_exchange(&emu.url, b"\x00\x01 not http \xff\r\n\r\n", true);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    // Malformed JSON and wrong shapes are 400/422 with a JSON error, never a crash.
    let http = reqwest::blocking::Client::new();
    for (body, want) in
        [("{\"url\":", 400), ("[1,2]", 422), ("{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"nope\"]}", 422)]
    {
        let resp = http
            .post(format!("{}/webhooks", emu.url))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        let v: Value = resp.json().unwrap();
        assert!(status == want || (want == 422 && status == 400), "{body}: {status} {v}");
        assert!(v["error"]["code"].is_string() && v["error"]["message"].is_string(), "{v}");
    }
    // Over the body limit: refused, and the server keeps serving.
    let big = vec![b' '; 17 * 1024 * 1024];
    let resp = http.post(format!("{}/events", emu.url)).bearer_auth(KEY).body(big).send();
    if let Ok(r) = resp {
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    let (status, v) = api.get("/webhooks");
    assert_eq!(status, 200, "{v}");
    assert!(v["data"].is_array());
}

#[test]
fn stalled_requests_get_the_408_envelope_while_the_api_answers() {
    let emu = emulator(&["--in-memory", "--read-timeout", "1s", "--max-connections", "64"]);
    let api = Api::new(&emu);
    let addr = emu.url.trim_start_matches("http://").split('/').next().unwrap().to_string();
    let stall = |bytes: &[u8]| {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        s.write_all(bytes).unwrap();
        s
    };
    let mut stalled = Vec::new();
    for _ in 0..15 {
        stalled.push(stall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "));
        stalled.push(stall(
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_emulator\r\nContent-Length: 100\r\n\r\n{\"event\":",
        ));
    }
    for _ in 0..5 {
        let (status, v) = api.get("/webhooks");
        assert_eq!(status, 200, "{v}");
    }
    for mut s in stalled {
        use std::io::Read;
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{text:?}");
        let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {text:?}"));
        assert_eq!(body["error"]["code"], "request_timeout", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("1s"), "{body}");
    }
    assert_eq!(api.get("/webhooks").0, 200);
}

fn the_largest_time_scale_schedules_retries_without_a_panic(store: Store) {
    // 36525 puts the 1 h wait at about 4 years and a day's batch wait at 100 years.
    let emu = quick(store, "36525");
    let api = Api::new(&emu);
    let rx = TestServer::start(|_| Reply::text(500, "kaput"));
    let hook = api.create(json!({"url": rx.url("/"), "events": ["lead.created"]}));
    api.emit("lead.created", None);
    let first = |log: &[Value]| log.iter().find(|d| d["attempt"] == 1 && d["status"] == "failed").cloned();
    let log = api.wait_log(&id(&hook), |log| first(log).is_some());
    let failed = first(&log).unwrap();
    let next = failed["nextRetryAt"].as_str().expect("the failed attempt has its retry time");
    let year: i32 = next[..4].parse().unwrap();
    assert!((2026..10000).contains(&year), "{next}");
    emu.signal("TERM");
    let (status, _, err) = emu.wait();
    assert!(status.success(), "{status:?}");
    assert!(err.iter().all(|l| !l.contains("panicked")), "{err:#?}");
}

fn a_webhook_pointing_at_the_emulator_itself_is_refused(store: Store) {
    let emu = quick(store, "0.001");
    let api = Api::new(&emu);
    let port = emu.url.trim_start_matches("http://").split(['/', ':']).nth(1).unwrap().to_string();
    for url in [
        format!("http://127.0.0.1:{port}/v1/events"),
        format!("http://localhost:{port}/"),
        format!("http://[::1]:{port}/hook"),
        format!("http://127.1:{port}/"),
    ] {
        let (status, v) = api.post("/webhooks", json!({"url": url, "events": ["*"]}));
        assert_eq!(status, 422, "{url}: {v}");
        assert_eq!(v["error"]["code"], "validation_error", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("own address"), "{v}");
    }
    let w = api.create(json!({"url": "http://127.0.0.1:9/hook", "events": ["*"]}));
    let id = w["id"].as_str().unwrap();
    let (status, v) = api.call(
        "PATCH",
        &format!("/webhooks/{id}"),
        Some(json!({"url": format!("http://localhost:{port}/")})),
    );
    assert_eq!(status, 422, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("own address"), "{v}");
    assert_eq!(api.get(&format!("/webhooks/{id}")).1["data"]["url"], "http://127.0.0.1:9/hook");
}

fn retain_removes_ended_events_and_keeps_pending_work(store: Store) {
    let emu = fresh(store, &["--retain", "1s"]);
    let api = Api::new(&emu);
    let rx = TestServer::ok();
    let done = api.create(json!({"url": rx.url("/"), "events": ["lead.created"]}));
    let refused = common::closed_port();
    // Its second attempt is due 5 s after the first: pending for the whole test.
    let pending =
        api.create(json!({"url": format!("http://127.0.0.1:{refused}/"), "events": ["case.closed"]}));
    let (done_id, pending_id) = (done["id"].as_str().unwrap(), pending["id"].as_str().unwrap());
    api.emit("lead.created", None);
    api.emit("case.closed", None);
    rx.wait_for(1);
    api.wait_log(done_id, |log| log.first().is_some_and(|d| d["status"] == "succeeded"));
    // Once older than --retain, the ended event goes with its log.
    api.wait_log(done_id, <[Value]>::is_empty);
    let log = api.deliveries(pending_id);
    assert!(!log.is_empty(), "pending work was removed");
    assert!(log.iter().any(|d| d["status"] != "succeeded"), "{log:?}");
}

#[test]
fn retain_is_checked() {
    for bad in ["-1", "soon", "1000000000h"] {
        let out = cmd()
            .args(["emulate", "--in-memory", "--port", "0", &format!("--retain={bad}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--retain"), "{bad}");
    }
}

#[test]
fn plain_http_webhooks_need_a_loopback_host_or_allow_http() {
    let emu = emulator(&["--in-memory"]);
    let api = Api::new(&emu);
    for url in ["http://example.com/hook", "http://10.0.0.1/hook"] {
        let (status, v) = api.post("/webhooks", json!({"url": url, "events": ["*"]}));
        assert_eq!(status, 422, "{url}: {v}");
        assert_eq!(v["error"]["code"], "validation_error", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("--allow-http"), "{v}");
    }
    for url in
        ["https://example.com/hook", "http://127.0.0.1:9/hook", "http://localhost:9/", "http://[::1]:9/"]
    {
        api.create(json!({"url": url, "events": ["*"]}));
    }
    let id = api.create(json!({"url": "https://example.com/hook", "events": ["*"]}))["id"].clone();
    let path = format!("/webhooks/{}", id.as_str().unwrap());
    let (status, v) = api.call("PATCH", &path, Some(json!({"url": "http://example.com/other"})));
    assert_eq!((status, v["error"]["code"].as_str()), (422, Some("validation_error")), "{v}");
    assert_eq!(api.get(&path).1["data"]["url"], "https://example.com/hook");

    let open = emulator(&["--in-memory", "--allow-http"]);
    let w = Api::new(&open).create(json!({"url": "http://example.com/hook", "events": ["*"]}));
    assert_eq!(w["url"], "http://example.com/hook");
}

#[test]
fn a_body_over_16_mib_gets_the_413_envelope() {
    let emu = emulator(&["--in-memory"]);
    let api = Api::new(&emu);
    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    for (path, idempotency) in [("/events", None), ("/events", Some("k-1")), ("/webhooks", None)] {
        let mut req = api.http.post(format!("{}{path}", emu.url)).bearer_auth(KEY).body(big.clone());
        if let Some(k) = idempotency {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().expect("the emulator answers");
        assert_eq!(resp.status().as_u16(), 413, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/json", "{path}");
        let v: Value = resp.json().unwrap();
        assert_eq!(v["error"]["code"], "payload_too_large", "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("16 MiB"), "{v}");
    }
    // Just under the cap is read whole (and refused for its shape, not its size).
    let (status, v) = api.call("POST", "/events", Some(Value::String(" ".repeat(16 * 1024 * 1024 - 2))));
    assert_eq!(status, 422, "{v}");
}

#[test]
fn requests_that_are_not_http_get_the_error_envelope_too() {
    let emu = emulator(&["--in-memory"]);
    let long_uri = format!("GET /v1/{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    for (sent, status, code) in [
        (b"\x00\x01 not http \xff\r\n\r\n".to_vec(), "400 Bad Request", "invalid_request"),
        (
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
            "400 Bad Request",
            "invalid_request",
        ),
        (long_uri.into_bytes(), "414 URI Too Long", "uri_too_long"),
    ] {
        let answer = raw_exchange(&emu.url, &sent, true);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}\r\n")), "{answer:?}");
        assert!(answer.contains("content-type: application/json\r\n"), "{answer:?}");
        let body = answer.split_once("\r\n\r\n").unwrap().1;
        let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer:?}"));
        assert_eq!(v["error"]["code"], code, "{v}");
        assert!(v["error"]["message"].is_string(), "{v}");
    }
    // Answers of the API itself on the same kind of connection are left as they are.
    let answer =
        raw_exchange(&emu.url, b"GET /v1/webhooks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true);
    assert!(answer.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{answer:?}");
    assert!(answer.contains("\"unauthorized\""), "{answer:?}");
    assert_eq!(Api::new(&emu).get("/webhooks").0, 200);
}

#[test]
fn a_postgres_password_never_shows_however_it_is_given() {
    let closed = common::closed_port();
    let port = closed.port();
    for (url, code) in [
        (format!("postgres://postgres@127.0.0.1:{port}/x?password=hunter2secret"), 1),
        (format!("postgres://postgres@127.0.0.1:{port}/x?sslmode=disable&password=hunter2secret"), 1),
        (format!("postgres://postgres:hunter2secret@127.0.0.1:{port}/x?bogus=1"), 2),
    ] {
        for from_env in [false, true] {
            let mut c = cmd();
            c.args(["emulate", "--port", "0"]).timeout(WAIT);
            if from_env {
                c.env("SCOPIEN_EMULATOR_DB", &url);
            } else {
                c.args(["--db", &url]);
            }
            let out = c.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(code), "{url}: {stderr}");
            assert!(!stderr.contains("hunter2secret"), "{stderr}");
            assert!(stderr.contains("***"), "{stderr}");
            assert!(stderr.lines().all(|l| !l.contains("[:***")), "the hint is not a URL: {stderr}");
        }
    }
}
