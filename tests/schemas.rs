//! The JSON Schemas in `schemas/` describe every `--json` document; these tests
//! run the real binary and check what it prints against them, so the schemas and
//! the output cannot drift apart.

mod common;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use common::{Reply, Running, TestServer, WAIT, bin, closed_port, cmd, run};
use serde_json::Value;

const SECRET: &str = "whsec_schema_0b1c2d";
const KEY: &str = "sk_test_emulator";

/// The schema `schemas/<name>.schema.json`, compiled (draft 2020-12).
fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
    jsonschema::draft202012::new(&doc).unwrap_or_else(|e| panic!("{name} is not a valid schema: {e}"))
}

/// Fails with every violation when `doc` does not match `schema`.
fn check(schema: &jsonschema::Validator, what: &str, doc: &Value) {
    let errors: Vec<String> =
        schema.iter_errors(doc).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match its schema:\n{}\n{doc:#}", errors.join("\n"));
}

#[test]
fn events_json_matches_its_schema() {
    let out = run(cmd(), &["events", "--json"]).ok();
    check(&schema("events"), "events --json", &out.json());
}

#[test]
fn send_test_summaries_match_their_schema() {
    let summary = schema("send-test-summary");
    let server =
        TestServer::start(
            |r| {
                if r.path == "/fail" { Reply::text(500, "boom") } else { Reply::text(200, "OK") }
            },
        )
        .expect(4);
    let ok = run(cmd(), &["send-test", &server.url("/"), "--secret", SECRET, "--count", "3", "--json"]).ok();
    let v = ok.json();
    assert_eq!(v["succeeded"], 3);
    check(&summary, "a successful send-test", &v);

    let failed = run(cmd(), &["send-test", &server.url("/fail"), "--secret", SECRET, "--json"]);
    assert_eq!(failed.code, 1);
    check(&summary, "a send-test answered 500", &failed.json());

    // Nothing answered: latency fields are null, the delivery has no status.
    let refused = closed_port();
    let url = format!("http://127.0.0.1:{refused}/");
    let unreachable = run(cmd(), &["send-test", &url, "--secret", SECRET, "--json"]);
    assert_eq!(unreachable.code, 1);
    let v = unreachable.json();
    assert_eq!(v["latency_ms"]["p50"], Value::Null);
    check(&summary, "an unreachable send-test", &v);
}

#[test]
fn listen_json_lines_match_their_schema() {
    let record = schema("listen-record");
    let app = TestServer::ok().expect(2);
    let mut c = bin();
    c.args(["listen", "--port", "0", "--json", "--secret", SECRET, "--forward-to", &app.url("/app")]);
    let mut l = Running::start(c);
    let http = reqwest::blocking::Client::builder().timeout(WAIT).build().unwrap();

    // Accepted and forwarded (signed by send-test), then every kind of refusal.
    run(cmd(), &["send-test", &l.url, "--secret", SECRET]).ok();
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    let batch = format!(
        r#"{{"events":[{{"id":"evt_a","event":"lead.created","timestamp":"{now}","data":{{}}}},{{"id":"evt_b","event":"lead.updated","timestamp":"{now}","data":{{}}}}]}}"#
    );
    let signed = common::doc_signature(SECRET, batch.as_bytes());
    let sends: [(&str, &str, Option<&str>); 4] = [
        ("POST", "not json at all", None),
        ("POST", r#"{"hello":"world"}"#, Some("sha256=00")),
        ("GET", "", None),
        ("POST", &batch, Some(&signed)),
    ];
    for (method, body, signature) in sends {
        let mut req = http.request(method.parse().unwrap(), &l.url).body(body.to_string());
        if let Some(s) = signature {
            req = req.header("X-Scopien-Signature", s);
        }
        req.send().expect("the listener answers");
    }
    let mut statuses = Vec::new();
    for n in 0..5 {
        let line = l.stdout_line();
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("line {n} is not JSON ({e}): {line}"));
        check(&record, &format!("listen --json line {n}"), &v);
        statuses.push(v["status"].as_u64().unwrap());
    }
    // Only the two accepted deliveries reach the app (the test server expects two).
    assert_eq!(statuses, [200, 401, 401, 405, 200], "{statuses:?}");
}

/// A management command against the emulator, with `--json`.
fn api_json(emu: &Running, args: &[&str]) -> Value {
    let mut c = cmd();
    c.args(["--api-base", &emu.url, "--api-key", KEY, "--json"]);
    run(c, args).ok().json()
}

#[test]
fn webhooks_and_deliveries_match_their_schemas() {
    let (webhook, delivery) = (schema("webhook"), schema("delivery"));
    let mut c = bin();
    c.args(["emulate", "--port", "0", "--in-memory", "--time-scale", "0.001"]);
    let emu = Running::start(c);
    let rx = TestServer::start(|r| {
        if r.json()["event"] == "lead.created" {
            Reply::text(200, "thanks")
        } else {
            Reply::text(503, "busy")
        }
    });

    let created = api_json(
        &emu,
        &[
            "create",
            "--url",
            &rx.url("/hooks"),
            "--event",
            "lead.*",
            "--description",
            "leads",
            "-H",
            "X-Team: crm",
        ],
    );
    check(&webhook, "create --json", &created);
    let id = created["id"].as_str().unwrap().to_string();
    let batched = api_json(
        &emu,
        &[
            "create",
            "--url",
            &rx.url("/b"),
            "--event",
            "*",
            "--batch",
            "--max-batch-size",
            "5",
            "--max-wait-time",
            "1",
        ],
    );
    check(&webhook, "a batching webhook", &batched);
    check(&webhook, "get --json", &api_json(&emu, &["get", &id]));
    check(&webhook, "disable --json", &api_json(&emu, &["disable", &id]));
    check(&webhook, "enable --json", &api_json(&emu, &["enable", &id]));
    let list = api_json(&emu, &["list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    for (n, w) in list.as_array().unwrap().iter().enumerate() {
        check(&webhook, &format!("list --json item {n}"), w);
    }

    // One success and one failure being retried (503), so every delivery state shows up.
    let mut t = cmd();
    t.args(["--api-base", &emu.url, "--api-key", KEY]);
    run(t, &["trigger", "lead.created"]).ok();
    let mut t = cmd();
    t.args(["--api-base", &emu.url, "--api-key", KEY]);
    run(t, &["trigger", "lead.updated"]).ok();
    let deadline = Instant::now() + WAIT;
    let log = loop {
        let log = api_json(&emu, &["deliveries", &id, "--limit", "100"]);
        let items = log.as_array().unwrap();
        if items.iter().any(|d| d["status"] == "succeeded") && items.iter().any(|d| d["status"] == "failed") {
            break log;
        }
        assert!(Instant::now() < deadline, "deliveries never showed both outcomes: {log:#}");
        thread::sleep(Duration::from_millis(50));
    };
    for (n, d) in log.as_array().unwrap().iter().enumerate() {
        // Every finished attempt keeps the start of the answer (or null when none came).
        if d["status"] != "pending" {
            assert!(d.get("responseBody").is_some(), "{d}");
        }
        check(&delivery, &format!("deliveries --json item {n}"), d);
    }
}
