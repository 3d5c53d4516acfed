//! `listen --inspect`: the inspector's JSON API, limits and security, run as the
//! real binary and driven over HTTP (the page itself is driven in a real
//! browser by tests/inspector_browser.rs).

mod common;

use std::io::{BufRead, BufReader};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use common::{Reply, Running, TestServer, bin, cmd, doc_signature};
use serde_json::{Value, json};

const SECRET: &str = "whsec_inspect_test_secret";

/// A listener with the inspector on a free port.
struct Inspected {
    listener: Running,
    /// `http://127.0.0.1:PORT` of the inspector.
    inspector: String,
    port: u16,
}

fn start(args: &[&str]) -> Inspected {
    let mut c = bin();
    c.args(["listen", "--port", "0", "--inspect", "--inspect-port", "0"]).args(args);
    let mut listener = Running::start(c);
    // The very next stderr line after `Ready!`.
    let line = listener.stderr_until(|_| true);
    let inspector =
        line.strip_prefix("Inspector: ").unwrap_or_else(|| panic!("not the inspector line: {line}"));
    let port: u16 = inspector.strip_prefix("http://127.0.0.1:").expect("loopback URL").parse().unwrap();
    Inspected { inspector: inspector.to_string(), listener, port }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

fn now_ts() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

fn event(id: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","event":"{name}","timestamp":"{}","data":{{"id":"lead_1","name":"Ada Lovelace"}},"changes":{{"status":{{"old":"new","new":"qualified"}}}}}}"#,
        now_ts()
    )
}

/// POSTs `body` to the listener with this signature (none: unsigned).
fn deliver(url: &str, body: &str, sig: Option<&str>) -> u16 {
    let mut req = client().post(url).header("content-type", "application/json").body(body.to_string());
    if let Some(s) = sig {
        req = req.header("x-scopien-signature", s);
    }
    req.send().unwrap().status().as_u16()
}

fn signed(url: &str, body: &str) -> u16 {
    deliver(url, body, Some(&doc_signature(SECRET, body.as_bytes())))
}

fn get(url: &str) -> (u16, Value) {
    let resp = client().get(url).send().unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    let start: String = text.chars().take(300).collect();
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {start}…")))
}

fn post_json(url: &str, body: Value) -> (u16, Value) {
    let resp =
        client().post(url).header("content-type", "application/json").body(body.to_string()).send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap())
}

fn requests(i: &Inspected, query: &str) -> Vec<Value> {
    let (status, v) = get(&format!("{}/api/requests{query}", i.inspector));
    assert_eq!(status, 200, "{v}");
    v["requests"].as_array().unwrap().clone()
}

fn assert_id(id: &str) {
    assert!(
        id.len() == 20 && id.starts_with("req_") && id[4..].bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
}

/// A summary without the two fields the inspector adds: the NDJSON record.
fn record_of(summary: &Value) -> Value {
    let mut v = summary.clone();
    let obj = v.as_object_mut().unwrap();
    assert_id(obj.remove("id").expect("an id").as_str().unwrap());
    assert!(obj.remove("duration_ms").expect("a duration").is_u64());
    v
}

#[test]
fn prints_its_url_after_ready_and_serves_a_self_contained_page() {
    let i = start(&["--secret", SECRET]);
    let resp = client().get(&i.inspector).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = resp.text().unwrap();
    assert!(page.contains("<title>Inspector · scopien-hooks</title>"));
    assert!(page.contains("EventSource(\"/api/stream\")"), "the script is inside the page");
    assert!(!page.contains("/*SCRIPT*/") && !page.contains("/*STYLE*/") && !page.contains("/*CONFIG*/"));
    // Nothing is loaded from anywhere else.
    for outside in ["http://", "https://", "//cdn"] {
        let hits: Vec<&str> =
            page.match_indices(outside).map(|(at, _)| &page[at..(at + 40).min(page.len())]).collect();
        assert!(
            hits.iter().all(|h| h.starts_with("http://127.0.0.1") || h.starts_with("http://localhost")),
            "{hits:?}"
        );
    }
    assert!(!page.contains(SECRET), "no secret in the page");
    assert!(page.contains("\"can_resign\":true"));
}

#[test]
fn lists_details_and_filters_requests() {
    let mut i = start(&["--secret", SECRET, "--json"]);
    let url = i.listener.url.clone();
    let url = &url;
    let lead = event("evt_lead1", "lead.updated");
    assert_eq!(signed(url, &lead), 200);
    let opp = event("evt_opp1", "opportunity.updated");
    assert_eq!(deliver(url, &opp, Some(&doc_signature("whsec_other", opp.as_bytes()))), 401);
    assert_eq!(deliver(url, "not json at all", Some(&doc_signature(SECRET, b"not json at all"))), 400);

    let all = requests(&i, "");
    assert_eq!(all.len(), 3);
    // Newest first; each is exactly the `--json` line plus id and duration_ms.
    let printed: Vec<Value> =
        (0..3).map(|_| serde_json::from_str(&i.listener.stdout_line()).unwrap()).collect();
    for (summary, line) in all.iter().zip(printed.iter().rev()) {
        assert_eq!(&record_of(summary), line);
    }
    assert_eq!(all[0]["status"], 400);
    assert_eq!(all[1]["status"], 401);
    assert_eq!(all[2]["event"], "lead.updated");
    assert_eq!(all[1]["error"], "signature mismatch");
    assert_eq!(all[1]["verified"], false);
    assert_eq!(all[2]["payload"]["changes"]["status"]["new"], "qualified");

    let ids = |q: &str| requests(&i, q).iter().map(|r| r["status"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(ids("?event=lead.*"), [200]);
    assert_eq!(ids("?event=*"), [401, 200]);
    assert_eq!(ids("?event=opportunity.updated"), [401]);
    assert_eq!(ids("?status=4xx"), [400, 401]);
    assert_eq!(ids("?status=401"), [401]);
    assert_eq!(ids("?status=2xx"), [200]);
    assert_eq!(ids("?verified=true"), [400, 200]);
    assert_eq!(ids("?verified=false"), [401]);
    assert_eq!(ids("?q=Ada%20Lovelace"), [401, 200]);
    assert_eq!(ids("?q=json%20at"), [400]);
    assert_eq!(ids("?limit=1"), [400]);
    assert_eq!(ids("?event=lead.*&status=4xx"), Vec::<u64>::new());
    for bad in ["?limit=x", "?status=abc", "?verified=maybe", "?format=xml"] {
        let (status, v) = get(&format!("{}/api/requests{bad}", i.inspector));
        assert_eq!(status, 400, "{bad}");
        assert!(v["error"].is_string(), "{v}");
    }

    // The detail: the record, its exact body, the answer sent.
    let id = all[2]["id"].as_str().unwrap();
    let (status, d) = get(&format!("{}/api/requests/{id}", i.inspector));
    assert_eq!(status, 200);
    assert_eq!(d["id"], id);
    let body = base64::engine::general_purpose::STANDARD.decode(d["body_base64"].as_str().unwrap()).unwrap();
    assert_eq!(body, lead.as_bytes());
    assert_eq!(d["response"]["status"], 200);
    assert_eq!(d["response"]["body"], "OK");
    assert!(d["response"]["headers"]["content-type"].as_str().unwrap().starts_with("text/plain"));
    assert_eq!(d["forward_exchange"], Value::Null);
    let (_, rejected) = get(&format!("{}/api/requests/{}", i.inspector, all[1]["id"].as_str().unwrap()));
    assert_eq!(
        rejected["response"],
        json!({"status":401,"headers":rejected["response"]["headers"],"body":"signature mismatch"})
    );
    assert!(rejected["error_detail"].as_str().unwrap().contains("--secret"));

    let (status, v) = get(&format!("{}/api/requests/req_0000000000000000", i.inspector));
    assert_eq!(status, 404);
    assert!(v["error"].as_str().unwrap().contains("req_0000000000000000"));

    // No API answer carries the secret.
    for path in ["/api/requests", &format!("/api/requests/{id}"), "/api/status", "/"] {
        let text = client().get(format!("{}{path}", i.inspector)).send().unwrap().text().unwrap();
        assert!(!text.contains(SECRET), "{path}");
    }
}

#[test]
fn replays_exact_edited_and_resigned_requests() {
    let app = TestServer::start(|_| Reply::text(201, "created by app"));
    let other = TestServer::start(|r| Reply::json(200, json!({"got": r.header("x-extra")})));
    let i = start(&["--secret", SECRET, "--forward-to", &app.url("/hooks")]);
    let lead = event("evt_replay1", "lead.created");
    let sig = doc_signature(SECRET, lead.as_bytes());
    assert_eq!(deliver(&i.listener.url, &lead, Some(&sig)), 201);
    app.wait_for(1);
    let id = requests(&i, "")[0]["id"].as_str().unwrap().to_string();
    let replay = format!("{}/api/requests/{id}/replay", i.inspector);

    // The forward exchange is in the detail.
    let (_, d) = get(&format!("{}/api/requests/{id}", i.inspector));
    let x = &d["forward_exchange"];
    assert_eq!(x["request"]["url"], app.url("/hooks"));
    assert_eq!(x["request"]["headers"]["x-scopien-signature"], sig.as_str());
    assert_eq!(x["status"], 201);
    assert_eq!(x["body"], "created by app");
    assert_eq!(x["headers"]["content-length"], "14");
    assert!(x["duration_ms"].is_u64());
    assert_eq!(d["forward"]["status"], 201);

    // As it was: same bytes, same signature, to the forward target.
    let (status, r) = post_json(&replay, json!({}));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], 201);
    assert_eq!(r["body"], "created by app");
    assert_eq!(r["error"], Value::Null);
    assert!(r["duration_ms"].is_u64() && r["headers"].is_object());
    let got = app.wait_for(2);
    assert_eq!(got[1].body, lead.as_bytes());
    assert_eq!(got[1].header("x-scopien-signature"), sig);

    // An edited body is re-signed by default and the receiver can verify it.
    let edited = event("evt_replay1", "lead.updated");
    let (status, _) = post_json(&replay, json!({"body": edited, "headers": {"X-Extra": "yes"}}));
    assert_eq!(status, 200);
    let got = app.wait_for(3);
    assert_eq!(got[2].body, edited.as_bytes());
    assert_eq!(got[2].header("x-scopien-signature"), doc_signature(SECRET, edited.as_bytes()));
    assert_eq!(got[2].header("x-extra"), "yes");
    assert_eq!(got[2].header("content-length"), edited.len().to_string());

    // resign: false keeps the old signature; a header set to null is removed.
    let (status, _) =
        post_json(&replay, json!({"body": edited, "resign": false, "headers": {"user-agent": null}}));
    assert_eq!(status, 200);
    let got = app.wait_for(4);
    assert_eq!(got[3].header("x-scopien-signature"), sig);
    assert_eq!(got[3].header("user-agent"), "");

    // `to` sends it elsewhere (shorthands too).
    let port = other.url("/").trim_start_matches("http://127.0.0.1:").trim_end_matches('/').to_string();
    let (status, r) =
        post_json(&replay, json!({"to": format!(":{port}/elsewhere"), "headers": {"x-extra": "1"}}));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["body"], r#"{"got":"1"}"#);
    assert_eq!(other.wait_for(1)[0].path, "/elsewhere");

    // Unreachable: answered 200 with the error, no status.
    let closed = common::closed_port();
    let (status, r) = post_json(&replay, json!({"to": format!("http://127.0.0.1:{closed}/")}));
    assert_eq!(status, 200);
    assert_eq!(r["status"], Value::Null);
    assert!(r["error"].as_str().unwrap().contains("unreachable"), "{r}");

    for bad in [
        json!({"to": "ftp://x/"}),
        json!({"headers": {"bad name": "x"}}),
        json!({"unknown": 1}),
        json!({"headers": {"host": "x"}}),
    ] {
        let (status, r) = post_json(&replay, bad.clone());
        assert_eq!(status, 400, "{bad} → {r}");
        assert!(r["error"].is_string());
    }
    // A `to` with credentials is refused without showing its password.
    let (status, r) = post_json(&replay, json!({"to": "http://ada:hunter2pw@127.0.0.1:9/"}));
    assert_eq!(status, 400);
    let e = r["error"].as_str().unwrap();
    assert!(e.contains("credentials") && e.contains("ada:***@") && !e.contains("hunter2pw"), "{e}");
    let (status, _) =
        post_json(&format!("{}/api/requests/req_0000000000000000/replay", i.inspector), json!({}));
    assert_eq!(status, 404);
}

#[test]
fn replay_needs_a_target_and_a_secret_to_resign() {
    let i = start(&[]);
    let lead = event("evt_nosecret", "lead.created");
    assert_eq!(deliver(&i.listener.url, &lead, None), 200);
    let id = requests(&i, "")[0]["id"].as_str().unwrap().to_string();
    let replay = format!("{}/api/requests/{id}/replay", i.inspector);
    let (status, r) = post_json(&replay, json!({}));
    assert_eq!(status, 400);
    assert!(r["error"].as_str().unwrap().contains("\"to\""), "{r}");
    let app = TestServer::ok();
    let (status, r) = post_json(&replay, json!({"to": app.url("/"), "body": "{}"}));
    assert_eq!(status, 400);
    assert!(r["error"].as_str().unwrap().contains("--secret"), "{r}");
    let (status, _) = post_json(&replay, json!({"to": app.url("/"), "body": "{}", "resign": false}));
    assert_eq!(status, 200);
    assert_eq!(&app.wait_for(1)[0].body[..], b"{}");
}

#[test]
fn status_counts_and_delete_clears() {
    let i = start(&["--secret", SECRET]);
    let url = &i.listener.url;
    let e = event("evt_dup", "task.created");
    assert_eq!(signed(url, &e), 200);
    assert_eq!(signed(url, &e), 200);
    assert_eq!(deliver(url, &e, None), 401);
    let (status, s) = get(&format!("{}/api/status", i.inspector));
    assert_eq!(status, 200);
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["received", "verified", "rejected", "duplicates", "filtered", "forwarded", "latency_ms", "uptime_s"]
    );
    assert_eq!(s["received"], 3);
    assert_eq!(s["verified"], 2);
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["duplicates"], 1);
    assert_eq!(s["filtered"], 0);
    assert_eq!(s["forwarded"], 0);
    for p in ["p50", "p90", "p99", "max"] {
        assert!(s["latency_ms"][p].as_f64().unwrap() >= 0.0, "{s}");
    }
    assert!(s["uptime_s"].is_u64());

    let resp = client()
        .delete(format!("{}/api/requests", i.inspector))
        .header("content-type", "application/json")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(requests(&i, "").is_empty());
    let (_, s) = get(&format!("{}/api/status", i.inspector));
    assert_eq!(s["received"], 3, "the counters are since the start");
}

#[test]
fn stream_sends_one_request_event_per_arrival() {
    let i = start(&["--secret", SECRET]);
    let resp = client().get(format!("{}/api/stream", i.inspector)).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut lines = BufReader::new(resp).lines();
    let a = event("evt_stream1", "case.created");
    let b = event("evt_stream2", "case.closed");
    assert_eq!(signed(&i.listener.url, &a), 200);
    assert_eq!(deliver(&i.listener.url, &b, None), 401);
    let mut got = Vec::new();
    let mut kind = String::new();
    while got.len() < 2 {
        let line = lines.next().expect("the stream goes on").unwrap();
        if let Some(k) = line.strip_prefix("event: ") {
            kind = k.to_string();
        } else if let Some(data) = line.strip_prefix("data: ") {
            assert_eq!(kind, "request");
            let v: Value = serde_json::from_str(data).unwrap();
            assert_id(v["id"].as_str().unwrap());
            got.push(v);
        }
    }
    assert_eq!(got[0]["event_id"], "evt_stream1");
    assert_eq!(got[0]["status"], 200);
    assert_eq!(got[1]["event_id"], "evt_stream2");
    assert_eq!(got[1]["error"], "missing signature");
    let listed = requests(&i, "");
    assert_eq!(listed[0]["id"], got[1]["id"]);
}

#[test]
fn download_is_the_save_format_that_replay_reads() {
    let app = TestServer::ok();
    let dir = common::Dir::new();
    let saved = dir.path("listen.ndjson");
    let i = start(&["--secret", SECRET, "--save", saved.to_str().unwrap()]);
    let a = event("evt_dl1", "lead.created");
    let b = event("evt_dl2", "account.updated");
    assert_eq!(signed(&i.listener.url, &a), 200);
    assert_eq!(signed(&i.listener.url, &b), 200);
    let resp =
        client().get(format!("{}/api/requests?format=ndjson&event=lead.*", i.inspector)).send().unwrap();
    assert_eq!(resp.headers()["content-type"], "application/x-ndjson");
    let text = resp.text().unwrap();
    assert_eq!(text.lines().count(), 1);
    let all =
        client().get(format!("{}/api/requests?format=ndjson", i.inspector)).send().unwrap().text().unwrap();
    assert_eq!(all, std::fs::read_to_string(&saved).unwrap(), "byte for byte what --save wrote");
    assert!(all.starts_with(text.as_str()));
    let file = dir.write("saved.ndjson", &all);
    cmd().args(["replay", file.to_str().unwrap(), "--to", &app.url("/")]).assert().success();
    let got = app.wait_for(2);
    // Oldest first, byte for byte, with the signatures they had.
    assert_eq!(got[0].body, a.as_bytes());
    assert_eq!(got[1].body, b.as_bytes());
    assert_eq!(got[1].header("x-scopien-signature"), doc_signature(SECRET, b.as_bytes()));
}

#[test]
fn inspect_limit_keeps_the_newest() {
    let i = start(&["--skip-verify", "--inspect-limit", "3"]);
    for n in 0..5 {
        assert_eq!(deliver(&i.listener.url, &event(&format!("evt_limit{n}"), "lead.created"), None), 200);
    }
    let kept: Vec<Value> = requests(&i, "").iter().map(|r| r["event_id"].clone()).collect();
    assert_eq!(kept, [json!("evt_limit4"), json!("evt_limit3"), json!("evt_limit2")]);
}

#[test]
fn inspect_memory_caps_the_store_and_bodies_are_cut_at_1_mib() {
    let i = start(&["--skip-verify", "--max-body", "2MiB", "--inspect-memory", "4MiB"]);
    // Bodies of 1.5 MiB: each kept entry holds 1 MiB of body and its 1 MiB line.
    let big = |n: usize| {
        let pad = "x".repeat(3 << 19);
        format!(
            r#"{{"id":"evt_big{n}","event":"lead.created","timestamp":"{}","data":{{"pad":"{pad}"}}}}"#,
            now_ts()
        )
    };
    let bodies: Vec<String> = (0..6).map(big).collect();
    for b in &bodies {
        assert_eq!(deliver(&i.listener.url, b, None), 200);
    }
    let kept = requests(&i, "");
    assert!(!kept.is_empty() && kept.len() < 4, "{} kept", kept.len());
    let (_, d) = get(&format!("{}/api/requests/{}", i.inspector, kept[0]["id"].as_str().unwrap()));
    assert_eq!(d["body_truncated"], true);
    let body = base64::engine::general_purpose::STANDARD.decode(d["body_base64"].as_str().unwrap()).unwrap();
    assert_eq!(body.len(), 1 << 20);
    assert!(body[..] == bodies[5].as_bytes()[..1 << 20], "the first MiB of the newest body");
    assert!(d["payload"].is_string(), "a cut body is kept as text");
    // Small requests are kept, many of them, in the same store.
    for n in 0..50 {
        assert_eq!(deliver(&i.listener.url, &event(&format!("evt_small{n}"), "lead.created"), None), 200);
    }
    assert_eq!(requests(&i, "?event=lead.created&q=Ada").len(), 50);
}

#[test]
fn a_small_inspect_memory_keeps_only_the_newest_that_fit() {
    let i = start(&["--skip-verify", "--inspect-memory", "1MiB"]);
    // 300 KiB and more each: four of them pass 1 MiB.
    let pad = "x".repeat(300 << 10);
    for n in 0..5 {
        let body = format!(
            r#"{{"id":"evt_mem{n}","event":"lead.created","timestamp":"{}","data":{{"pad":"{pad}"}}}}"#,
            now_ts()
        );
        assert_eq!(deliver(&i.listener.url, &body, None), 200);
    }
    let kept: Vec<Value> = requests(&i, "").iter().map(|r| r["event_id"].clone()).collect();
    assert!(!kept.is_empty() && kept.len() <= 3, "{kept:?}");
    for (j, id) in kept.iter().enumerate() {
        assert_eq!(id, &json!(format!("evt_mem{}", 4 - j)), "the newest are kept: {kept:?}");
    }
}

#[test]
fn every_api_error_is_a_json_error() {
    let i = start(&["--skip-verify"]);
    let c = client();
    let json_error = |resp: reqwest::blocking::Response| {
        let status = resp.status().as_u16();
        assert_eq!(resp.headers()["content-type"], "application/json");
        let v: Value = resp.json().unwrap();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
        status
    };
    let api = format!("{}/api", i.inspector);
    // A wrong method names the right ones.
    let resp = c.get(format!("{api}/requests/req_0000000000000000/replay")).send().unwrap();
    assert_eq!(resp.headers()["allow"], "POST");
    assert_eq!(json_error(resp), 405);
    let resp = c.put(format!("{api}/requests")).header("content-type", "application/json").send().unwrap();
    assert!(resp.headers()["allow"].to_str().unwrap().contains("DELETE"));
    assert_eq!(json_error(resp), 405);
    // Queries and paths the server cannot read.
    assert_eq!(json_error(c.get(format!("{api}/requests?limit=1&limit=2")).send().unwrap()), 400);
    assert_eq!(json_error(c.get(format!("{api}/requests?limit=many")).send().unwrap()), 400);
    assert_eq!(json_error(c.get(format!("{api}/requests/%FF")).send().unwrap()), 400);
    let replay = c.post(format!("{api}/requests/%FF/replay")).header("content-type", "application/json");
    assert_eq!(json_error(replay.send().unwrap()), 400);
    // Ids and routes that are not there.
    assert_eq!(json_error(c.get(format!("{api}/requests/req_0000000000000000")).send().unwrap()), 404);
    assert_eq!(json_error(c.get(format!("{api}/nothing")).send().unwrap()), 404);
}

#[test]
fn foreign_hosts_origins_and_non_json_changes_are_refused() {
    let i = start(&["--secret", SECRET]);
    assert_eq!(signed(&i.listener.url, &event("evt_sec", "lead.created")), 200);
    let id = requests(&i, "")[0]["id"].as_str().unwrap().to_string();
    let p = i.port;
    let c = client();
    let status = |r: reqwest::blocking::RequestBuilder| r.send().unwrap().status().as_u16();
    let api = format!("{}/api/requests", i.inspector);
    for host in [
        "evil.example:".to_string() + &p.to_string(),
        format!("127.0.0.1:{}", p.wrapping_add(1)),
        "evil.example".into(),
    ] {
        assert_eq!(status(c.get(&api).header("host", &host)), 403, "{host}");
        assert_eq!(status(c.get(&i.inspector).header("host", &host)), 403, "{host}");
    }
    // A target in absolute form names its host, which counts over `Host`.
    for (target, want) in [("http://evil.example/api/status", "403"), (api.as_str(), "200")] {
        let raw = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nConnection: close\r\n\r\n");
        let answer = common::raw_exchange(&i.inspector, raw.as_bytes(), false);
        assert!(answer.starts_with(&format!("HTTP/1.1 {want}")), "{target}: {answer}");
    }
    assert_eq!(status(c.get(&api).header("host", format!("localhost:{p}"))), 200);
    assert_eq!(status(c.get(&api).header("host", format!("[::1]:{p}"))), 200);

    let replay = format!("{api}/{id}/replay");
    let json_post = |url: &str| c.post(url).header("content-type", "application/json").body("{}");
    assert_eq!(status(json_post(&replay).header("origin", "http://evil.example")), 403);
    assert_eq!(
        status(json_post(&replay).header("origin", format!("http://127.0.0.1:{}", p.wrapping_add(1)))),
        403
    );
    assert_eq!(status(c.post(&replay).header("content-type", "text/plain").body("{}")), 403);
    assert_eq!(status(c.post(&replay).body("{}")), 403);
    assert_eq!(
        status(c.post(&replay).header("content-type", "application/x-www-form-urlencoded").body("a=1")),
        403
    );
    assert_eq!(status(c.delete(&api)), 403);
    assert_eq!(
        status(c.delete(&api).header("content-type", "application/json").header("origin", "null")),
        403
    );
    let resp = json_post(&replay).header("origin", "http://evil.example").send().unwrap();
    let v: Value = resp.json().unwrap();
    assert!(v["error"].as_str().unwrap().contains("own page"), "{v}");
    // Nothing was changed by the refused requests.
    assert_eq!(requests(&i, "").len(), 1);
    // The inspector's own origin may.
    assert_eq!(
        status(c.delete(&api).header("content-type", "application/json").header("origin", &i.inspector)),
        204
    );
}

/// Whether /proc/net/tcp{,6} has a listening socket on `port` bound to an
/// address other than 127.0.0.1.
fn listens_beyond_loopback(port: u16) -> (bool, bool) {
    let hex = format!(":{port:04X}");
    let (mut loopback, mut other) = (false, false);
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // Columns: sl, local_address, rem_address, st (0A = LISTEN), …
            if cols.len() > 3 && cols[3] == "0A" && cols[1].ends_with(&hex) {
                if cols[1] == format!("0100007F{hex}") {
                    loopback = true;
                } else {
                    other = true;
                }
            }
        }
    }
    (loopback, other)
}

#[test]
fn the_inspector_binds_loopback_only_even_with_a_public_host() {
    let i = start(&["--host", "0.0.0.0", "--skip-verify"]);
    assert!(i.listener.url.starts_with("http://0.0.0.0:"), "{}", i.listener.url);
    assert!(i.inspector.starts_with("http://127.0.0.1:"));
    let listen_port: u16 = i.listener.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(listens_beyond_loopback(listen_port), (false, true), "the listener itself is public");
    assert_eq!(listens_beyond_loopback(i.port), (true, false), "the inspector is not");
}

#[test]
fn default_port_is_4040_or_the_next_free_one() {
    let mut c = bin();
    c.args(["listen", "--port", "0", "--skip-verify", "--inspect"]);
    let mut first = Running::start(c);
    let line = first.stderr_until(|_| true);
    let port: u16 = line.strip_prefix("Inspector: http://127.0.0.1:").expect(&line).parse().unwrap();
    assert!((4040..=4049).contains(&port), "{line}");
    let mut c = bin();
    c.args(["listen", "--port", "0", "--skip-verify", "--inspect"]);
    let mut second = Running::start(c);
    let line = second.stderr_until(|_| true);
    let next: u16 = line.strip_prefix("Inspector: http://127.0.0.1:").expect(&line).parse().unwrap();
    assert!((4040..=4049).contains(&next) && next != port, "{line}");
}

#[test]
fn bad_inspector_flags_are_usage_errors() {
    let out = cmd().args(["listen", "--inspect-port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--inspect"));
    for (flag, value) in [("--inspect-limit", "0"), ("--inspect-memory", "0"), ("--inspect-memory", "lots")] {
        let out = cmd().args(["listen", "--port", "0", "--inspect", flag, value]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{err}");
    }
    // A taken --inspect-port is a clear failure before anything is served.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = cmd().args(["listen", "--port", "0", "--inspect", "--inspect-port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("127.0.0.1:{port}")) && !err.contains("Ready!"), "{err}");
}

#[test]
fn edited_replays_are_signed_in_the_listeners_scheme() {
    let app = TestServer::ok();
    let i = start(&["--scheme", "github", "--secret", SECRET, "--forward-to", &app.url("/gh")]);
    let body = event("evt_github", "lead.created");
    let resp = client()
        .post(&i.listener.url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", doc_signature(SECRET, body.as_bytes()))
        .header("x-github-event", "push")
        .header("x-github-delivery", "d-1")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    app.wait_for(1);
    let id = requests(&i, "")[0]["id"].as_str().unwrap().to_string();
    let edited = event("evt_github", "lead.updated");
    let (status, r) =
        post_json(&format!("{}/api/requests/{id}/replay", i.inspector), json!({"body": edited}));
    assert_eq!(status, 200, "{r}");
    let got = app.wait_for(2);
    // GitHub's header, signed over the new body with the same key as Scopien's.
    assert_eq!(got[1].header("x-hub-signature-256"), doc_signature(SECRET, edited.as_bytes()));
    assert_eq!(got[1].header("x-scopien-signature"), "");
    assert_eq!(got[1].header("x-github-event"), "push");
}
