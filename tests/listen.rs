//! `listen`, run as the real binary and driven with real HTTP requests.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use common::{Dir, Reply, Running, TestServer, bin, closed_port, cmd, doc_signature, raw_exchange};
use predicates::prelude::*;
use serde_json::{Value, json};

const SECRET: &str = "whsec_listen_test";

/// `listen --port 0` with these extra arguments, started and ready.
fn listen(args: &[&str]) -> Running {
    let mut c = bin();
    c.args(["listen", "--port", "0"]).args(args);
    Running::start(c)
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

/// POSTs `body` with an optional signature header; returns status, content type and body.
fn post(url: &str, body: &str, sig: Option<&str>) -> (u16, String) {
    let mut req = client().post(url).header("content-type", "application/json").body(body.to_string());
    if let Some(s) = sig {
        req = req.header("X-Scopien-Signature", s);
    }
    let resp = req.send().expect("request answered");
    (resp.status().as_u16(), resp.text().unwrap())
}

/// POSTs `body` signed with [`SECRET`].
fn post_signed(url: &str, body: &str) -> (u16, String) {
    post(url, body, Some(&doc_signature(SECRET, body.as_bytes())))
}

fn now_ts() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// An `opportunity.updated` delivery like the docs' example.
fn opp_updated(id: &str) -> String {
    event_with(id, "opportunity.updated", &now_ts())
}

/// A delivery written in the docs' field order.
fn event_with(id: &str, name: &str, ts: &str) -> String {
    format!(
        r#"{{"id":"{id}","event":"{name}","timestamp":"{ts}","data":{{"id":"opp_xyz789","name":"Acme Corp Deal","amount":100000,"stage":"Closed Won"}},"changes":{{"stage":{{"old":"Negotiation","new":"Closed Won"}},"amount":{{"old":95000,"new":100000}}}}}}"#
    )
}

fn batch(events: &[(&str, &str)]) -> String {
    let list: Vec<Value> = events
        .iter()
        .map(|(id, name)| json!({"id": id, "event": name, "timestamp": now_ts(), "data": {"id": "x_1"}}))
        .collect();
    json!({ "events": list }).to_string()
}

/// The next stdout line as JSON.
fn json_line(l: &mut Running) -> Value {
    let line = l.stdout_line();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// Reads stdout lines until one contains `needle`; returns every line read.
fn lines_until(l: &mut Running, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let line = l.stdout_line();
        let done = line.contains(needle);
        seen.push(line);
        if done {
            return seen;
        }
    }
}

fn stop(l: Running) -> (std::process::ExitStatus, Vec<String>, Vec<String>) {
    l.signal("TERM");
    l.wait()
}

#[test]
fn ready_line_names_the_real_port() {
    let l = listen(&["--secret", SECRET]);
    let line = l.stderr_seen.iter().find(|s| s.starts_with("Ready!")).unwrap().clone();
    let port = l.url.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    assert_ne!(port, 0);
    assert_eq!(line, format!("Ready! Listening on http://127.0.0.1:{port}"));
    // With --path the line is the whole URL to paste.
    let l = listen(&["--secret", SECRET, "--path", "/webhooks/scopien"]);
    let line = l.stderr_seen.iter().find(|s| s.starts_with("Ready!")).unwrap().clone();
    assert_eq!(line, format!("Ready! Listening on {}/webhooks/scopien", l.url));
}

#[test]
fn valid_delivery_json_line_has_exactly_the_spec_fields() {
    let mut l = listen(&["--secret", SECRET, "--json"]);
    let body = opp_updated("evt_json00000000000000000001");
    let sig = doc_signature(SECRET, body.as_bytes());
    assert_eq!(post(&format!("{}/webhooks/scopien", l.url), &body, Some(&sig)), (200, "OK".into()));
    let line = l.stdout_line();
    let v: Value = serde_json::from_str(&line).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut want = [
        "received_at",
        "method",
        "path",
        "verified",
        "status",
        "event_id",
        "event",
        "batch",
        "duplicate",
        "filtered",
        "headers",
        "payload",
        "error",
        "forward",
    ];
    want.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path"], "/webhooks/scopien");
    assert_eq!(v["verified"], true);
    assert_eq!(v["status"], 200);
    assert_eq!(v["event_id"], "evt_json00000000000000000001");
    assert_eq!(v["event"], "opportunity.updated");
    assert_eq!(v["batch"], Value::Null);
    assert_eq!(v["duplicate"], false);
    assert_eq!(v["filtered"], false);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["forward"], Value::Null);
    assert_eq!(v["headers"]["x-scopien-signature"], sig.as_str());
    assert_eq!(v["headers"]["content-type"], "application/json");
    assert!(v["received_at"].as_str().unwrap().ends_with('Z'));
    // The payload is the body itself, byte for byte.
    assert!(line.contains(&format!("\"payload\":{body},")), "{line}");
    let (status, _, err) = stop(l);
    assert!(status.success());
    assert!(err.iter().any(|e| e.contains("1 received, 1 verified")), "{err:#?}");
}

#[test]
fn signature_rejections_say_why_and_never_echo_the_expected_signature() {
    let mut l = listen(&["--secret", SECRET, "--json"]);
    let body = opp_updated("evt_sig000000000000000000001");
    let expected = doc_signature(SECRET, body.as_bytes());
    let expected_hex = expected.trim_start_matches("sha256=");
    let wrong = doc_signature("whsec_other", body.as_bytes());
    let cases = [
        (None, "missing signature"),
        (Some("sha256=xyz"), "malformed signature"),
        (Some(wrong.as_str()), "signature mismatch"),
    ];
    for (sig, reason) in cases {
        let (status, text) = post(&l.url, &body, sig);
        assert_eq!(status, 401, "{reason}");
        assert!(!text.contains(expected_hex));
        let v = json_line(&mut l);
        assert_eq!(v["status"], 401);
        assert_eq!(v["error"], reason);
        assert_eq!(v["verified"], false);
        // The event the body claims to be is named, and the payload kept as sent.
        assert_eq!(v["event_id"], "evt_sig000000000000000000001");
        assert_eq!(v["event"], "opportunity.updated");
        assert_eq!(v["payload"]["id"], "evt_sig000000000000000000001");
    }
    // The signature header is accepted bare and in upper case too.
    assert_eq!(post(&l.url, &body, Some(&expected_hex.to_uppercase())).0, 200);
    assert_eq!(json_line(&mut l)["verified"], true);
    let (status, out, err) = stop(l);
    assert!(status.success());
    let all = format!("{out:?}{err:?}");
    assert!(!all.contains(expected_hex), "the expected signature leaked");
    assert!(err.iter().any(|e| e.contains("4 received, 1 verified, 3 rejected")), "{err:#?}");
}

#[test]
fn rotation_and_env_secret() {
    let mut c = bin();
    c.env("SCOPIEN_WEBHOOK_SECRET", "whsec_from_env").args(["listen", "--port", "0", "--json"]);
    let mut l = Running::start(c);
    let body = opp_updated("evt_env000000000000000000001");
    assert_eq!(post(&l.url, &body, Some(&doc_signature("whsec_from_env", body.as_bytes()))).0, 200);
    assert_eq!(json_line(&mut l)["verified"], true);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_env000000000000000000002")).0, 401);
    drop(l);

    let l = listen(&["--secret", "whsec_old", "--secret", SECRET]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_rot000000000000000000001")).0, 200);
    let body = opp_updated("evt_rot000000000000000000002");
    assert_eq!(post(&l.url, &body, Some(&doc_signature("whsec_old", body.as_bytes()))).0, 200);
}

#[test]
fn without_a_secret_deliveries_are_unverified_with_one_warning() {
    let mut l = listen(&["--json"]);
    assert!(l.stderr_seen.iter().any(|s| s.contains("warning:") && s.contains("unverified")));
    assert_eq!(post(&l.url, &opp_updated("evt_nosecret0000000000000001"), None).0, 200);
    assert_eq!(post(&l.url, &opp_updated("evt_nosecret0000000000000002"), Some("sha256=junk")).0, 200);
    assert_eq!(json_line(&mut l)["verified"], Value::Null);
    assert_eq!(json_line(&mut l)["verified"], Value::Null);
    // Shape is still checked.
    assert_eq!(post(&l.url, "nope", None), (400, "invalid JSON".into()));
    let (_, _, err) = stop(l);
    assert_eq!(err.iter().filter(|e| e.contains("warning:")).count(), 1, "{err:#?}");

    let mut l = listen(&["--secret", SECRET, "--skip-verify", "--json"]);
    assert!(!l.stderr_seen.iter().any(|s| s.contains("warning:")));
    assert_eq!(post(&l.url, &opp_updated("evt_skip00000000000000000001"), None).0, 200);
    assert_eq!(json_line(&mut l)["verified"], Value::Null);
}

#[test]
fn bad_bodies_are_400_with_the_reason() {
    let mut l = listen(&["--secret", SECRET, "--json"]);
    for (body, reason) in [
        ("{not json", "invalid JSON"),
        ("", "invalid JSON"),
        (r#"{"hello":"world"}"#, "not an event or batch"),
        (r#"{"events":[]}"#, "not an event or batch"),
        ("[1,2,3]", "not an event or batch"),
    ] {
        assert_eq!(post_signed(&l.url, body), (400, reason.to_string()), "{body:?}");
        let v = json_line(&mut l);
        assert_eq!(v["status"], 400);
        assert_eq!(v["error"], reason);
        assert_eq!(v["verified"], true);
        match body {
            "" => assert_eq!(v["payload"], Value::Null),
            "{not json" => assert_eq!(v["payload"], "{not json"),
            _ => assert_eq!(v["payload"], serde_json::from_str::<Value>(body).unwrap()),
        }
    }
}

#[test]
fn non_utf8_bodies_are_invalid_json_and_saved_as_valid_json_lines() {
    let dir = Dir::new();
    let save = dir.path("saved.ndjson");
    let mut l = listen(&["--skip-verify", "--json", "--save", save.to_str().unwrap()]);
    // Valid JSON apart from one byte in a field the listener does not read.
    let body = b"{\"id\":\"evt_bytes000000000000000001\",\"event\":\"lead.created\",\"x\":\"\xff\"}".to_vec();
    let resp = client().post(&l.url).body(body).send().expect("request answered");
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(resp.text().unwrap(), "invalid JSON");
    let v = json_line(&mut l);
    assert_eq!(v["error"], "invalid JSON");
    assert!(v["payload"].as_str().is_some_and(|p| p.contains('\u{fffd}')), "{v}");
    let saved = std::fs::read(&save).unwrap();
    let line: Value = serde_json::from_slice(saved.trim_ascii_end()).expect("the saved line is JSON");
    assert_eq!(line["payload"], v["payload"]);
}

#[test]
fn method_path_and_size_answers() {
    let mut l = listen(&["--secret", SECRET, "--json", "--path", "/hooks", "--max-body", "1KiB"]);
    let c = client();

    let resp = c.get(format!("{}/hooks", l.url)).send().unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
    let v = json_line(&mut l);
    assert_eq!((v["status"].clone(), v["method"].clone()), (json!(405), json!("GET")));
    assert_eq!(v["error"], "method not allowed");

    let body = opp_updated("evt_path00000000000000000001");
    assert_eq!(post_signed(&format!("{}/other", l.url), &body).0, 404);
    let v = json_line(&mut l);
    assert_eq!((v["status"].clone(), v["path"].clone()), (json!(404), json!("/other")));
    // Only the listening path exists: another path is 404 whatever the method.
    let resp = c.get(format!("{}/other", l.url)).send().unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(resp.headers().get("allow").is_none());
    assert_eq!(json_line(&mut l)["status"], 404);
    assert_eq!(post_signed(&format!("{}/hooks", l.url), &body), (200, "OK".into()));
    json_line(&mut l);

    // Declared too large: refused before reading.
    let big = format!(r#"{{"id":"evt_big","event":"lead.created","pad":"{}"}}"#, "x".repeat(4096));
    assert_eq!(post_signed(&format!("{}/hooks", l.url), &big).0, 413);
    let v = json_line(&mut l);
    assert_eq!(v["status"], 413);
    assert_eq!(v["error"], "body too large");
    assert_eq!(v["payload"], Value::Null);
    // Too large while streaming (chunked, no length).
    let resp = c
        .post(format!("{}/hooks", l.url))
        .body(reqwest::blocking::Body::new(ChunkReader(vec![vec![b' '; 512]; 8], 0)))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(json_line(&mut l)["error"], "body too large");
    // And it keeps serving.
    let body = opp_updated("evt_path00000000000000000002");
    assert_eq!(post_signed(&format!("{}/hooks", l.url), &body), (200, "OK".into()));
}

/// A reader reqwest sends chunked, as it cannot know its length.
struct ChunkReader(Vec<Vec<u8>>, usize);
impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.get(self.1) {
            None => Ok(0),
            Some(chunk) => {
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
                self.1 += 1;
                Ok(n)
            }
        }
    }
}

#[test]
fn repeated_ids_are_already_processed_unless_no_dedupe() {
    let mut l = listen(&["--secret", SECRET, "--json"]);
    let body = opp_updated("evt_dup000000000000000000001");
    assert_eq!(post_signed(&l.url, &body), (200, "OK".into()));
    assert_eq!(post_signed(&l.url, &body), (200, "Already processed".into()));
    assert_eq!(json_line(&mut l)["duplicate"], false);
    let v = json_line(&mut l);
    assert_eq!(v["duplicate"], true);
    assert_eq!(v["status"], 200);
    let (_, _, err) = stop(l);
    assert!(err.iter().any(|e| e.contains("1 duplicates")), "{err:#?}");

    let l = listen(&["--secret", SECRET, "--no-dedupe"]);
    assert_eq!(post_signed(&l.url, &body), (200, "OK".into()));
    assert_eq!(post_signed(&l.url, &body), (200, "OK".into()));
}

#[test]
fn batches_are_listed_and_each_event_counts_for_max_events() {
    let mut l = listen(&["--secret", SECRET, "--json", "--max-events", "3"]);
    let b = batch(&[("evt_b1", "lead.created"), ("evt_b2", "opportunity.updated")]);
    assert_eq!(post_signed(&l.url, &b), (200, "OK".into()));
    let v = json_line(&mut l);
    assert_eq!(v["event_id"], Value::Null);
    assert_eq!(
        v["batch"],
        json!([{"event_id":"evt_b1","event":"lead.created"},{"event_id":"evt_b2","event":"opportunity.updated"}])
    );
    // The same batch again is a duplicate and does not count.
    assert_eq!(post_signed(&l.url, &b), (200, "Already processed".into()));
    assert_eq!(json_line(&mut l)["duplicate"], true);
    // A batch with one new event counts that one: 3 events, so the listener stops.
    let b2 = batch(&[("evt_b2", "opportunity.updated"), ("evt_b3", "case.closed")]);
    assert_eq!(post_signed(&l.url, &b2), (200, "OK".into()));
    let (status, out, err) = l.wait();
    assert!(status.success(), "{err:#?}");
    assert_eq!(out.len(), 1, "{out:#?}");
    assert!(err.iter().any(|e| e.contains("3 events accepted")), "{err:#?}");
}

#[test]
fn events_filter_answers_200_and_does_not_forward() {
    let app = TestServer::ok();
    let mut l = listen(&["--secret", SECRET, "--json", "--events", "lead.*", "--forward-to", &app.url("/")]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_filt00000000000000000001")), (200, "OK".into()));
    let v = json_line(&mut l);
    assert_eq!(v["filtered"], true);
    assert_eq!(v["forward"], Value::Null);
    let lead = event_with("evt_filt00000000000000000002", "lead.created", &now_ts());
    assert_eq!(post_signed(&l.url, &lead), (200, "OK".into()));
    let v = json_line(&mut l);
    assert_eq!(v["filtered"], false);
    assert_eq!(v["forward"]["status"], 200);
    let got = app.wait_for(1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["id"], "evt_filt00000000000000000002");
    let (_, _, err) = stop(l);
    assert!(err.iter().any(|e| e.contains("1 filtered, 1 forwarded")), "{err:#?}");
}

#[test]
fn events_filter_rejects_unknown_patterns() {
    cmd()
        .args(["listen", "--port", "0", "--events", "lead.craeted"])
        .timeout(Duration::from_secs(10))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("lead.created"));
}

#[test]
fn fail_first_answers_500_then_200_per_event_id() {
    let mut l = listen(&["--secret", SECRET, "--json", "--fail-first", "2"]);
    let body = opp_updated("evt_fail00000000000000000001");
    let statuses: Vec<u16> = (0..3).map(|_| post_signed(&l.url, &body).0).collect();
    assert_eq!(statuses, [500, 500, 200]);
    for want in [500, 500, 200] {
        let v = json_line(&mut l);
        assert_eq!(v["status"], want);
        assert_eq!(v["duplicate"], false);
    }
    // Processed now, so a fourth attempt is a duplicate.
    assert_eq!(post_signed(&l.url, &body), (200, "Already processed".into()));
    // Another id starts over.
    assert_eq!(post_signed(&l.url, &opp_updated("evt_fail00000000000000000002")).0, 500);
}

#[test]
fn respond_status_and_delay() {
    let l = listen(&["--secret", SECRET, "--respond-status", "503", "--respond-delay", "200ms"]);
    let started = Instant::now();
    let (status, _) = post_signed(&l.url, &opp_updated("evt_resp00000000000000000001"));
    assert_eq!(status, 503);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[test]
fn tolerance_rejects_stale_timestamps() {
    let mut l = listen(&["--secret", SECRET, "--json", "--tolerance", "5m"]);
    let old = event_with("evt_tol000000000000000000001", "lead.created", "2020-01-01T00:00:00Z");
    assert_eq!(post_signed(&l.url, &old), (401, "stale timestamp".into()));
    let v = json_line(&mut l);
    assert_eq!(v["error"], "stale timestamp");
    assert_eq!(v["event_id"], "evt_tol000000000000000000001");
    assert_eq!(post_signed(&l.url, &opp_updated("evt_tol000000000000000000002")).0, 200);
}

#[test]
fn max_events_exits_0_and_timeout_exits_1() {
    let l = listen(&["--secret", SECRET, "--max-events", "2", "--timeout", "20s"]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_max000000000000000000001")).0, 200);
    // Rejected deliveries never count.
    assert_eq!(post(&l.url, &opp_updated("evt_max000000000000000000002"), None).0, 401);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_max000000000000000000003")).0, 200);
    let (status, _, _) = l.wait();
    assert_eq!(status.code(), Some(0));

    let l = listen(&["--secret", SECRET, "--max-events", "5", "--timeout", "300ms"]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_max000000000000000000004")).0, 200);
    let (status, _, err) = l.wait();
    assert_eq!(status.code(), Some(1));
    assert!(err.iter().any(|e| e.contains("timed out") && e.contains("1 of 5")), "{err:#?}");

    // --timeout alone just bounds the run.
    let l = listen(&["--secret", SECRET, "--timeout", "200ms"]);
    let (status, _, _) = l.wait();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn save_appends_the_json_line_per_delivery() {
    let dir = Dir::new();
    let file = dir.write("deliveries.ndjson", "");
    let mut l = listen(&["--secret", SECRET, "--save", file.to_str().unwrap()]);
    let body = opp_updated("evt_save00000000000000000001");
    assert_eq!(post_signed(&l.url, &body).0, 200);
    // On disk before the answer came back.
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(saved.lines().count(), 1);
    let v: Value = serde_json::from_str(saved.lines().next().unwrap()).unwrap();
    assert_eq!(v["event_id"], "evt_save00000000000000000001");
    assert!(saved.contains(&format!("\"payload\":{body},")));
    assert_eq!(v["headers"]["x-scopien-signature"], doc_signature(SECRET, body.as_bytes()));
    // Rejections are saved too; human output still goes to stdout.
    assert_eq!(post(&l.url, "garbage", None).0, 401);
    lines_until(&mut l, "401");
    let saved = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<Value> = saved.lines().map(|s| serde_json::from_str(s).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["error"], "missing signature");
    assert_eq!(lines[1]["payload"], "garbage");
}

#[test]
fn forwards_raw_body_and_headers_and_relays_the_answer() {
    let app = TestServer::start(|_| {
        Reply::text(201, "created it\nsecond line").header("content-type", "text/x-app")
    });
    let mut l = listen(&["--secret", SECRET, "--json", "--forward-to", &app.url("/app/hook")]);
    // Odd spacing on purpose: the app must get these exact bytes.
    let body = format!(
        r#"{{ "id" : "evt_fwd000000000000000000001",  "event":"lead.created", "timestamp":"{}" }}"#,
        now_ts()
    );
    let sig = doc_signature(SECRET, body.as_bytes());
    let resp = client()
        .post(format!("{}/in", l.url))
        .header("X-Scopien-Signature", &sig)
        .header("content-type", "application/json")
        .header("x-custom", "kept")
        .header("connection", "keep-alive, x-hop")
        .header("x-hop", "dropped")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["content-type"], "text/x-app");
    assert_eq!(resp.text().unwrap(), "created it\nsecond line");
    let got = app.wait_for(1);
    assert_eq!(got[0].path, "/app/hook");
    assert_eq!(got[0].body.as_ref(), body.as_bytes());
    assert_eq!(got[0].header("x-scopien-signature"), sig);
    assert_eq!(got[0].header("x-custom"), "kept");
    assert_eq!(got[0].header("x-hop"), "");
    let v = json_line(&mut l);
    assert_eq!(v["status"], 201);
    assert_eq!(v["forward"]["url"], app.url("/app/hook"));
    assert_eq!(v["forward"]["status"], 201);
    assert_eq!(v["forward"]["error"], Value::Null);
    assert!(v["forward"]["duration_ms"].is_u64());
}

#[test]
fn forward_to_a_closed_port_is_502_and_says_so() {
    let port = closed_port();
    let mut l = listen(&["--secret", SECRET, "--forward-to", &format!("http://127.0.0.1:{port}/")]);
    let (status, _) = post_signed(&l.url, &opp_updated("evt_down00000000000000000001"));
    assert_eq!(status, 502);
    let lines = lines_until(&mut l, "502");
    let last = lines.last().unwrap();
    assert!(last.contains("cannot reach") && last.contains(&format!("port {port}")), "{lines:#?}");
}

#[test]
fn https_forward_to_a_closed_port_is_502_and_says_so() {
    let port = closed_port();
    let target = format!("https://127.0.0.1:{port}/hooks");
    let mut l = listen(&["--secret", SECRET, "--json", "--forward-to", &target]);
    let (status, body) = post_signed(&l.url, &opp_updated("evt_tlsdown000000000000000001"));
    assert_eq!((status, body.as_str()), (502, "app unreachable"));
    let v = json_line(&mut l);
    assert_eq!(v["status"], 502);
    assert_eq!(v["forward"]["url"], target);
    assert_eq!(v["forward"]["status"], Value::Null);
    assert_eq!(v["forward"]["error"], "app unreachable: connection refused");
}

#[test]
fn https_forward_to_a_plain_http_app_is_a_tls_error_not_a_hang() {
    let app = TestServer::start(|_| Reply::text(200, "plain"));
    let target = format!("https://{}/hooks", app.addr);
    let mut l = listen(&["--secret", SECRET, "--json", "--forward-to", &target, "--forward-timeout", "10s"]);
    let (status, _) = post_signed(&l.url, &opp_updated("evt_tlsplain00000000000000001"));
    // 502 and a handshake error below, not the forward timeout running out (504).
    assert_eq!(status, 502);
    let v = json_line(&mut l);
    assert_eq!(v["status"], 502);
    assert_eq!(v["forward"]["status"], Value::Null);
    let error = v["forward"]["error"].as_str().unwrap();
    assert!(error.starts_with("TLS handshake failed: "), "{error}");
    let (_, _, err) = stop(l);
    assert!(err.iter().any(|e| e.contains("1 forwarded")), "{err:#?}");
    // People get the same reason, and a hint.
    let mut l = listen(&["--secret", SECRET, "--forward-to", &target]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_tlsplain00000000000000002")).0, 502);
    let lines = lines_until(&mut l, "502");
    let last = lines.last().unwrap();
    assert!(last.contains(&format!("TLS handshake with {target} failed")), "{lines:#?}");
    assert!(last.contains(&format!("does it serve https on port {}?", app.addr.port())), "{lines:#?}");
}

#[test]
fn https_route_is_accepted_and_http_routes_still_work() {
    let rest = TestServer::start(|_| Reply::text(200, "rest"));
    let port = closed_port();
    let route = format!("lead.*=https://127.0.0.1:{port}/leads");
    let mut l = listen(&["--secret", SECRET, "--json", "--route", &route, "--forward-to", &rest.url("/")]);
    let about = l.stderr_until(|e| e.contains("lead.* → "));
    assert!(about.contains(&format!("lead.* → https://127.0.0.1:{port}/leads")), "{about}");
    let lead = event_with("evt_tlsroute0000000000000001", "lead.created", &now_ts());
    assert_eq!(post_signed(&l.url, &lead).0, 502);
    let v = json_line(&mut l);
    assert_eq!(v["forward"]["url"], format!("https://127.0.0.1:{port}/leads"));
    assert_eq!(v["forward"]["error"], "app unreachable: connection refused");
    assert_eq!(post_signed(&l.url, &opp_updated("evt_tlsroute0000000000000002")), (200, "rest".into()));
    assert_eq!(json_line(&mut l)["forward"]["status"], 200);
}

#[test]
fn slow_app_is_504_after_the_forward_timeout() {
    // The app would answer only after any wait the test allows: a 504 comes from the timeout.
    let app = TestServer::start(|_| Reply::text(200, "late").delayed(common::WAIT));
    let mut l =
        listen(&["--secret", SECRET, "--json", "--forward-to", &app.url("/"), "--forward-timeout", "300ms"]);
    let (status, _) = post_signed(&l.url, &opp_updated("evt_slow00000000000000000001"));
    assert_eq!(status, 504);
    let v = json_line(&mut l);
    assert_eq!(v["status"], 504);
    assert_eq!(v["forward"]["status"], Value::Null);
    assert!(v["forward"]["error"].as_str().unwrap().contains("no answer"));
}

#[test]
fn routes_pick_the_target_by_event_and_fall_back_to_forward_to() {
    let leads = TestServer::start(|_| Reply::text(200, "leads"));
    let rest = TestServer::start(|_| Reply::text(200, "rest"));
    // The `:PORT/path` shorthand works in routes too.
    let route = format!("lead.*=:{}/leads", leads.addr.port());
    // One --route may take several PATTERN=URL values, as --events and --secret do.
    let case_route = format!("case.*=:{}/cases", leads.addr.port());
    let l = listen(&["--secret", SECRET, "--route", &route, &case_route, "--forward-to", &rest.url("/")]);
    let lead = event_with("evt_route0000000000000000001", "lead.created", &now_ts());
    assert_eq!(post_signed(&l.url, &lead), (200, "leads".into()));
    assert_eq!(post_signed(&l.url, &opp_updated("evt_route0000000000000000002")), (200, "rest".into()));
    assert_eq!(leads.wait_for(1)[0].path, "/leads");
    let case = event_with("evt_route0000000000000000003", "case.closed", &now_ts());
    assert_eq!(post_signed(&l.url, &case), (200, "leads".into()));
    assert_eq!(leads.wait_for(2)[1].path, "/cases");
    assert_eq!(rest.wait_for(1).len(), 1);
}

#[test]
fn forward_to_port_shorthand_and_bad_routes() {
    let app = TestServer::start(|_| Reply::text(200, "short"));
    let port = app.addr.port().to_string();
    let l = listen(&["--secret", SECRET, "--forward-to", &port]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_short0000000000000000001")), (200, "short".into()));
    let bad_args: [&[&str]; 5] = [
        &["--route", "lead.*"],
        &["--route", "leed.*=4000"],
        &["--forward-to", "ftp://x"],
        &["--respond-status", "101"],
        &["--path", "no-slash"],
    ];
    for bad in bad_args {
        cmd().args(["listen", "--port", "0"]).args(bad).timeout(Duration::from_secs(10)).assert().code(2);
    }
}

#[test]
fn sigterm_finishes_in_flight_requests_and_prints_a_summary() {
    let app = TestServer::start(|_| Reply::text(200, "done").delayed(Duration::from_millis(700)));
    let l = listen(&["--secret", SECRET, "--json", "--forward-to", &app.url("/")]);
    let url = l.url.clone();
    let body = opp_updated("evt_term00000000000000000001");
    let inflight = thread::spawn(move || post_signed(&url, &body));
    app.wait_for(1);
    l.signal("TERM");
    assert_eq!(inflight.join().unwrap(), (200, "done".into()));
    let (status, out, err) = l.wait();
    assert_eq!(status.code(), Some(0));
    assert_eq!(out.len(), 1);
    let summary = err.iter().find(|e| e.starts_with("Summary:")).expect("a summary");
    for part in ["1 received", "1 verified", "0 rejected", "0 duplicates", "0 filtered", "1 forwarded"] {
        assert!(summary.contains(part), "{summary}");
    }
}

#[test]
fn ctrl_c_stops_with_exit_0() {
    let l = listen(&["--secret", SECRET]);
    l.signal("INT");
    let (status, _, err) = l.wait();
    assert_eq!(status.code(), Some(0));
    assert!(err.iter().any(|e| e.contains("Summary: 0 received")), "{err:#?}");
}

#[test]
fn garbage_and_truncated_requests_do_not_stop_the_server() {
    let mut l = listen(&["--secret", SECRET, "--json"]);
    let answer = raw_exchange(&l.url, b"\x00\x01\x02 garbage \xff\xfe\r\n\r\n", false);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    let body = opp_updated("evt_garb00000000000000000001");
    assert_eq!(post_signed(&l.url, &body), (200, "OK".into()));
    assert_eq!(json_line(&mut l)["status"], 200);

    // Headers promise 100 bytes, 10 arrive, then the client hangs up.
    let truncated = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":\"ev";
    raw_exchange(&l.url, truncated, true);
    let v = json_line(&mut l);
    assert_eq!(v["error"], "incomplete body");
    assert_eq!(post_signed(&l.url, &opp_updated("evt_garb00000000000000000002")), (200, "OK".into()));
}

#[test]
fn a_client_that_never_finishes_its_headers_is_dropped() {
    let l = listen(&["--secret", SECRET]);
    let url = l.url.clone();
    let slow = thread::spawn(move || {
        let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
        s.set_read_timeout(Some(common::WAIT)).unwrap();
        s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
        let mut out = Vec::new();
        // Ok: the listener closed the connection; an error: our own read timeout ran out.
        let ended = s.read_to_end(&mut out);
        (ended.map_err(|e| e.kind()), String::from_utf8_lossy(&out).into_owned())
    });
    // Others are served meanwhile.
    assert_eq!(post_signed(&l.url, &opp_updated("evt_slowc0000000000000000001")), (200, "OK".into()));
    let (ended, answer) = slow.join().unwrap();
    assert!(ended.is_ok(), "the listener never dropped the connection: {ended:?}");
    assert!(!answer.contains("200 OK"), "{answer:?}");
}

#[test]
fn human_output_shows_event_id_data_and_changes() {
    let mut l = listen(&["--secret", SECRET]);
    let body = opp_updated("evt_human0000000000000000001");
    assert_eq!(post_signed(&l.url, &body).0, 200);
    let lines = lines_until(&mut l, "amount: 95000 → 100000");
    assert!(lines[0].contains("✔ opportunity.updated evt_human0000000000000000001"), "{lines:#?}");
    assert!(
        lines.iter().any(|s| s.contains(r#"id=opp_xyz789 name="Acme Corp Deal" amount=100000"#)),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|s| s.trim() == "stage: Negotiation → Closed Won"), "{lines:#?}");
    assert!(lines.iter().all(|s| !s.contains('\u{1b}')), "NO_COLOR means no escape codes");

    let b = batch(&[("evt_hb1", "lead.created"), ("evt_hb2", "case.closed")]);
    assert_eq!(post_signed(&l.url, &b).0, 200);
    let lines = lines_until(&mut l, "evt_hb2");
    assert!(lines[0].contains("batch of 2 events"), "{lines:#?}");
    assert!(lines.iter().any(|s| s.contains("lead.created evt_hb1")), "{lines:#?}");

    assert_eq!(post(&l.url, &body, Some("sha256=00")).0, 401);
    let lines = lines_until(&mut l, "✘");
    let last = lines.last().unwrap();
    assert!(
        last.contains("401 malformed signature") && last.contains("evt_human0000000000000000001"),
        "{lines:#?}"
    );

    assert_eq!(post_signed(&l.url, &body), (200, "Already processed".into()));
    let lines = lines_until(&mut l, "duplicate");
    assert!(lines.last().unwrap().contains("evt_human0000000000000000001"));
}

#[test]
fn human_output_shows_the_forward_result() {
    let app = TestServer::start(|_| Reply::text(200, "{\"ok\":true}\nmore"));
    let mut l = listen(&["--secret", SECRET, "--forward-to", &app.url("/")]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_hfwd00000000000000000001")).0, 200);
    let lines = lines_until(&mut l, "→ 200");
    let last = lines.last().unwrap();
    assert!(last.contains(" ms)") && last.ends_with("{\"ok\":true}"), "{last}");
}

#[test]
fn port_in_use_is_a_clear_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    cmd().args(["listen", "--port", &port]).timeout(Duration::from_secs(10)).assert().code(1).stderr(
        predicate::str::contains("cannot listen on 127.0.0.1").and(predicate::str::contains("--port")),
    );
}

#[test]
fn concurrent_keep_alive_senders_all_get_200_and_one_line_each() {
    let mut l = listen(&["--secret", SECRET, "--json", "--no-dedupe"]);
    let senders: Vec<_> = (0..8)
        .map(|t| {
            let url = l.url.clone();
            thread::spawn(move || {
                // One client per thread: its connection is reused for every request.
                let c = client();
                (0..40)
                    .map(|i| {
                        let body = opp_updated(&format!("evt_conc{t:02}{i:018}"));
                        let sig = doc_signature(SECRET, body.as_bytes());
                        c.post(&url)
                            .header("X-Scopien-Signature", sig)
                            .body(body)
                            .send()
                            .unwrap()
                            .status()
                            .as_u16()
                    })
                    .collect::<Vec<u16>>()
            })
        })
        .collect();
    for s in senders {
        assert!(s.join().unwrap().iter().all(|&st| st == 200));
    }
    let mut ids: Vec<String> =
        (0..320).map(|_| json_line(&mut l)["event_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 320);
    let (status, out, err) = stop(l);
    assert!(status.success());
    assert!(out.is_empty(), "{out:#?}");
    assert!(err.iter().any(|e| e.contains("320 received, 320 verified")), "{err:#?}");
}

/// Opens a connection and sends `bytes`, leaving it open.
fn stall(url: &str, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(bytes).unwrap();
    s
}

/// Everything the server sends on `s` until it closes it (bounded by the read timeout).
fn answer_of(mut s: TcpStream) -> String {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn stalled_headers_and_bodies_get_408_while_deliveries_are_answered() {
    let mut l = listen(&["--secret", SECRET, "--json", "--read-timeout", "1s", "--max-connections", "64"]);
    let mut stalled = Vec::new();
    for _ in 0..20 {
        stalled.push(stall(&l.url, b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
        stalled.push(stall(&l.url, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":"));
    }
    for i in 0..10 {
        let id = format!("evt_stall{i:019}");
        assert_eq!(post_signed(&l.url, &opp_updated(&id)), (200, "OK".into()));
        assert_eq!(json_line(&mut l)["event_id"], id);
    }
    for s in stalled {
        let answer = answer_of(s);
        assert!(answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{answer:?}");
        assert!(answer.ends_with("request timeout"), "{answer:?}");
    }
    assert_eq!(post_signed(&l.url, &opp_updated("evt_stall_after000000000001")), (200, "OK".into()));
}

#[test]
fn past_max_connections_a_client_waits_until_one_closes() {
    let l = listen(&["--secret", SECRET, "--max-connections", "1"]);
    let body = opp_updated("evt_maxconn000000000000000001");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Scopien-Signature: {}\r\nContent-Length: {}\r\n\r\n{body}",
        doc_signature(SECRET, body.as_bytes()),
        body.len()
    );
    let mut first = stall(&l.url, request.as_bytes());
    let mut buf = [0u8; 512];
    let n = first.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK"), "{:?}", String::from_utf8_lossy(&buf[..n]));
    // The only slot is held by an idle keep-alive connection: the next one is not served yet.
    let mut second = stall(&l.url, request.as_bytes());
    second.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    assert!(second.read(&mut buf).is_err(), "answered while the only slot was taken");
    drop(first);
    second.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let n = second.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK"), "{:?}", String::from_utf8_lossy(&buf[..n]));
}

#[test]
fn read_timeout_and_max_connections_are_checked() {
    for args in [["--read-timeout", "0"], ["--read-timeout", "soon"], ["--max-connections", "0"]] {
        cmd().arg("listen").args(args).assert().code(2).stderr(predicate::str::contains(args[0]));
    }
}

#[test]
fn forwarding_to_its_own_address_is_refused_at_start() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let p = port.to_string();
    for (flag, target) in [
        ("--forward-to", p.clone()),
        ("--forward-to", format!(":{port}/hook")),
        ("--forward-to", format!("http://localhost:{port}/")),
        ("--forward-to", format!("http://127.1:{port}")),
        ("--forward-to", format!("http://[::1]:{port}/x")),
        ("--forward-to", format!("0.0.0.0:{port}")),
        ("--route", format!("lead.*=http://127.0.0.2:{port}/leads")),
    ] {
        let out = cmd()
            .args(["listen", "--port", &p, "--skip-verify", flag, &target])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {target}: {err}");
        assert!(err.contains(flag) && err.contains("own address"), "{err}");
        assert!(!err.contains("Ready!"), "{err}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_delivery_that_cannot_be_saved_is_answered_500_and_retried() {
    let mut l = listen(&["--secret", SECRET, "--json", "--save", "/dev/full", "--max-events", "1"]);
    let body = opp_updated("evt_full000000000000000000001");
    for _ in 0..2 {
        // The retry is handled again, not "Already processed", and does not count for --max-events.
        assert_eq!(post_signed(&l.url, &body), (500, "cannot save delivery".into()));
        let v = json_line(&mut l);
        assert_eq!(v["status"], 500, "{v}");
        assert_eq!(v["error"], "cannot save delivery", "{v}");
    }
    let warning = l.stderr_until(|s| s.contains("--save"));
    assert!(warning.contains("/dev/full"), "{warning}");
}

#[cfg(unix)]
#[test]
fn the_save_file_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let path = dir.path("saved.ndjson");
    let mut l = listen(&["--secret", SECRET, "--json", "--save", path.to_str().unwrap()]);
    assert_eq!(post_signed(&l.url, &opp_updated("evt_mode000000000000000000001")).0, 200);
    json_line(&mut l);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn an_id_repeated_inside_a_batch_counts_once() {
    let l = listen(&["--secret", SECRET, "--max-events", "2", "--timeout", "20s"]);
    let twice = batch(&[
        ("evt_twice00000000000000000001", "lead.created"),
        ("evt_twice00000000000000000001", "lead.created"),
    ]);
    assert_eq!(post_signed(&l.url, &twice), (200, "OK".into()));
    // Still listening: the batch was one event, not the two --max-events asks for.
    assert_eq!(post_signed(&l.url, &twice), (200, "Already processed".into()));
    assert_eq!(post_signed(&l.url, &opp_updated("evt_twice00000000000000000002")), (200, "OK".into()));
    let (status, _, stderr) = l.wait();
    assert!(status.success(), "{stderr:?}");
}
