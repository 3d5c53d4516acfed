//! `send-test URL` and `replay`, run as the real binary against in-test HTTP
//! servers on 127.0.0.1.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Dir, Recorded, Reply, TestServer, cmd, doc_signature};
use predicates::prelude::*;
use serde_json::Value;

const SECRET: &str = "whsec_test_4f7a1c";

/// The docs' "Verification Process": strip `sha256=`, compare with the HMAC hex.
fn docs_verification(req: &Recorded) -> Reply {
    let expected = doc_signature(SECRET, &req.body);
    let expected_hex = expected.trim_start_matches("sha256=");
    let got = req.header("x-scopien-signature").replace("sha256=", "");
    if got == expected_hex { Reply::text(200, "OK") } else { Reply::text(401, "Invalid signature") }
}

/// The docs' quick-start receivers (Express/Flask/PHP): the header must equal the bare hex.
fn quick_start_receiver(req: &Recorded) -> Reply {
    let expected = doc_signature(SECRET, &req.body);
    if req.header("x-scopien-signature") == expected.trim_start_matches("sha256=") {
        Reply::text(200, "OK")
    } else {
        Reply::text(401, "Invalid signature")
    }
}

#[test]
#[should_panic(expected = "handler panicked on POST /boom: the handler's own bug")]
fn the_test_server_fails_the_test_when_its_handler_panics() {
    let server = TestServer::start(|_| panic!("the handler's own bug"));
    let out = common::run(cmd(), &["send-test", &server.url("/boom"), "--secret", SECRET]);
    assert_eq!(out.code, 1, "the panicking handler answered 500: {}", out.stderr);
}

#[test]
#[should_panic(expected = "expected 2 requests, got")]
fn the_test_server_fails_the_test_when_expected_requests_never_came() {
    let server = TestServer::ok().expect(2);
    send(&server.url("/")).assert().success();
}

fn send(url: &str) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["send-test", url, "--secret", SECRET]);
    c
}

fn json_out(c: &mut assert_cmd::Command, code: i32) -> Value {
    let out = c.arg("--json").assert().code(code).get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("stdout is one JSON document ({e}): {out:?}"))
}

#[test]
fn default_signature_verifies_like_the_docs() {
    let server = TestServer::start(docs_verification);
    send(&server.url("/webhooks/scopien"))
        .args(["--event", "lead.created"])
        .assert()
        .success()
        .stdout(predicate::str::contains("200 OK").and(predicate::str::contains("lead.created")));
    let reqs = server.wait_for(1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/webhooks/scopien");
    assert_eq!(r.header("x-scopien-signature"), doc_signature(SECRET, &r.body));
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("user-agent"), format!("scopien-hooks/{}", env!("CARGO_PKG_VERSION")));
    let event = r.json();
    assert_eq!(event["event"], "lead.created");
    assert_eq!(event["data"]["email"], "john@example.com");
    let id = event["id"].as_str().unwrap();
    assert!(id.starts_with("evt_") && id.len() == 28, "{id}");
    let ts = event["timestamp"].as_str().unwrap();
    assert!(ts.len() == 20 && ts.ends_with('Z'), "{ts}");
}

#[test]
fn bare_format_satisfies_quick_start_receivers_and_prefixed_gets_the_hint() {
    let server = TestServer::start(quick_start_receiver);
    send(&server.url("/")).args(["--signature-format", "bare"]).assert().success();
    send(&server.url("/"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("401"))
        .stdout(predicate::str::contains("Invalid signature"))
        .stderr(predicate::str::contains("--signature-format bare"));
    let reqs = server.wait_for(2);
    let bare = reqs[0].header("x-scopien-signature");
    assert_eq!(bare.len(), 64);
    assert_eq!(format!("sha256={bare}"), doc_signature(SECRET, &reqs[0].body));
}

#[test]
fn without_a_secret_the_event_goes_unsigned_with_a_warning() {
    let server = TestServer::ok();
    cmd()
        .args(["send-test", &server.url("/hook"), "--event", "lead.created"])
        .assert()
        .success()
        .stderr(predicate::str::contains("no secret: sending without X-Scopien-Signature"));
    let reqs = server.wait_for(1);
    assert!(reqs[0].headers.get("x-scopien-signature").is_none());
    assert_eq!(reqs[0].json()["event"], "lead.created");
    let out =
        cmd().args(["send-test", &server.url("/hook"), "--dry-run"]).assert().success().get_output().clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("X-Scopien-Signature"));
    assert_eq!(server.requests().len(), 1, "--dry-run sends nothing");
}

#[test]
fn secret_comes_from_the_environment() {
    let server = TestServer::start(docs_verification);
    cmd().args(["send-test", &server.url("/")]).env("SCOPIEN_WEBHOOK_SECRET", SECRET).assert().success();
}

#[test]
fn count_gives_distinct_ids_all_signed() {
    let server = TestServer::start(docs_verification);
    let v = json_out(send(&server.url("/")).args(["--count", "40", "--concurrency", "6"]), 0);
    assert_eq!(v["sent"], 40);
    assert_eq!(v["succeeded"], 40);
    assert_eq!(v["failed"], 0);
    assert_eq!(v["status_counts"]["200"], 40);
    let reqs = server.wait_for(40);
    assert_eq!(reqs.len(), 40);
    let ids: HashSet<String> = reqs.iter().map(|r| r.json()["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 40);
    let reported: HashSet<String> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reported, ids);
}

#[test]
fn json_summary_has_the_spec_fields() {
    let server = TestServer::ok();
    let out = send(&server.url("/hook"))
        .args(["--count", "3", "--event", "case.closed", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let fields = [
        "url",
        "event",
        "sent",
        "succeeded",
        "failed",
        "status_counts",
        "latency_ms",
        "events_per_sec",
        "deliveries",
    ];
    let keys: HashSet<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, fields.into_iter().collect());
    // Printed in SPEC's order.
    let text = String::from_utf8(out).unwrap();
    let positions: Vec<usize> = fields.iter().map(|f| text.find(&format!("\"{f}\"")).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(v["url"], server.url("/hook"));
    assert_eq!(v["event"], "case.closed");
    for q in ["p50", "p90", "p99", "max"] {
        assert!(v["latency_ms"][q].as_f64().is_some_and(|x| x > 0.0), "{q}: {}", v["latency_ms"]);
    }
    assert!(v["events_per_sec"].as_f64().unwrap() > 0.0);
    let d = &v["deliveries"][0];
    let keys: HashSet<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["event_id", "status", "duration_ms", "attempts", "error"].into_iter().collect());
    assert_eq!(d["status"], 200);
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["error"], Value::Null);
}

#[test]
fn deliveries_are_left_out_above_a_thousand_events() {
    let server = TestServer::ok();
    let v = json_out(send(&server.url("/")).args(["--count", "1001", "--concurrency", "32"]), 0);
    assert_eq!(v["sent"], 1001);
    assert_eq!(v["succeeded"], 1001);
    assert!(v.get("deliveries").is_none());
}

#[test]
fn batches_wrap_events_and_count_them() {
    let server = TestServer::start(docs_verification);
    let v =
        json_out(send(&server.url("/")).args(["--count", "5", "--batch", "2", "--event", "task.created"]), 0);
    assert_eq!(v["sent"], 5);
    assert_eq!(v["status_counts"]["200"], 5);
    assert_eq!(v["deliveries"].as_array().unwrap().len(), 5);
    let reqs = server.wait_for(3);
    assert_eq!(reqs.len(), 3);
    let mut sizes: Vec<usize> = reqs.iter().map(|r| r.json()["events"].as_array().unwrap().len()).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [1, 2, 2]);
    let mut ids = HashSet::new();
    for r in &reqs {
        for e in r.json()["events"].as_array().unwrap() {
            assert_eq!(e["event"], "task.created");
            ids.insert(e["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 5);
}

#[test]
fn send_test_and_replay_take_the_forward_to_shorthands() {
    let server = TestServer::ok();
    let port = server.addr.port();
    let forms = [
        format!("{port}"),
        format!(":{port}/colon"),
        format!("{port}/bare"),
        format!("localhost:{port}/named"),
    ];
    for form in &forms {
        send(form).assert().success();
    }
    let paths: Vec<String> = server.wait_for(forms.len()).into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/", "/colon", "/bare", "/named"]);
    let v = json_out(&mut send(&format!(":{port}/json")), 0);
    assert_eq!(v["url"], format!("http://localhost:{port}/json"));

    let dir = Dir::new();
    let file = dir.write("s.ndjson", saved_line("evt_a", "lead.created", "{}", None));
    cmd().arg("replay").arg(&file).args(["--to", &format!(":{port}/replayed")]).assert().success();
    let last = server.wait_for(forms.len() + 2).pop().unwrap();
    assert_eq!(last.path, "/replayed");
    assert_eq!(last.header("host"), format!("localhost:{port}"));
}

#[test]
fn custom_headers_arrive_but_cannot_replace_the_signature() {
    let server = TestServer::ok();
    // By name: every address `localhost` resolves to is tried until one answers.
    let by_name = format!("http://localhost:{}/", server.addr.port());
    send(&by_name).args(["-H", "X-Env: staging", "-H", "Authorization: Bearer token123"]).assert().success();
    let r = &server.wait_for(1)[0];
    assert_eq!(r.header("host"), format!("localhost:{}", server.addr.port()));
    assert_eq!(r.header("x-env"), "staging");
    assert_eq!(r.header("authorization"), "Bearer token123");
    assert_eq!(r.header("content-type"), "application/json");
    send(&server.url("/")).args(["-H", "X-Scopien-Signature: forged"]).assert().code(2);
    send(&server.url("/")).args(["-H", "Content-Type: text/plain"]).assert().code(2);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn data_patch_and_exact_payload() {
    let server = TestServer::ok();
    send(&server.url("/")).args(["--data", r#"{"amount": 5000, "previousStage": null}"#]).assert().success();
    let body = server.wait_for(1)[0].json();
    assert_eq!(body["data"]["amount"], 5000);
    assert!(body["data"].get("previousStage").is_none());
    assert_eq!(body["data"]["name"], "Acme Corp Deal");

    let dir = Dir::new();
    let raw = b"{ \"id\": \"evt_fixed\",\n  \"event\": \"lead.created\" }\n";
    let file = dir.write("p.json", raw);
    let v = json_out(send(&server.url("/")).arg("--payload").arg(&file).args(["--count", "2"]), 0);
    assert_eq!(v["event"], "lead.created");
    assert_eq!(v["deliveries"][0]["event_id"], "evt_fixed");
    let reqs = server.wait_for(3);
    for r in &reqs[1..] {
        assert_eq!(&r.body[..], raw);
        assert_eq!(r.header("x-scopien-signature"), doc_signature(SECRET, raw));
    }

    // `-` reads the payload from stdin, and `@-` the --data patch, as sign/verify and curl do.
    send(&server.url("/")).args(["--payload", "-"]).write_stdin(&raw[..]).assert().success();
    let r = server.wait_for(4).pop().unwrap();
    assert_eq!(&r.body[..], raw);
    assert_eq!(r.header("x-scopien-signature"), doc_signature(SECRET, raw));
    send(&server.url("/")).args(["--data", "@-"]).write_stdin(r#"{"amount": 7}"#).assert().success();
    assert_eq!(server.wait_for(5)[4].json()["data"]["amount"], 7);
}

#[test]
fn retry_then_success_keeps_the_event() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let server = TestServer::start(move |_| {
        if h.fetch_add(1, Ordering::SeqCst) < 2 { Reply::text(500, "Error") } else { Reply::text(200, "OK") }
    });
    let out = send(&server.url("/"))
        .args(["--retry", "--time-scale", "0.001"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("attempt 1/6") && stderr.contains("attempt 2/6"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 attempts"));
    let reqs = server.wait_for(3);
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.body == reqs[0].body), "retries resend the same body");
    assert!(reqs.iter().all(|r| r.header("x-scopien-signature") == reqs[0].header("x-scopien-signature")));

    hits.store(0, Ordering::SeqCst);
    let v = json_out(send(&server.url("/")).args(["--retry", "--time-scale", "0.001"]), 0);
    assert_eq!(v["deliveries"][0]["attempts"], 3);
    assert_eq!(v["deliveries"][0]["status"], 200);
}

#[test]
fn always_500_ends_exit_1_after_the_schedule() {
    let server = TestServer::start(|_| Reply::text(500, "boom"));
    let v = json_out(send(&server.url("/")).args(["--retry", "--retry-schedule", "0,10ms,20ms"]), 1);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["deliveries"][0]["attempts"], 3);
    assert_eq!(v["deliveries"][0]["status"], 500);
    assert_eq!(server.wait_for(3).len(), 3);
    send(&server.url("/"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("500 Internal Server Error").and(predicate::str::contains("boom")))
        .stderr(predicate::str::contains("error:"));
}

#[test]
fn a_receiver_slower_than_the_timeout_fails() {
    let server = TestServer::start(|_| Reply::text(200, "late").delayed(Duration::from_secs(3)));
    // "timed out" with no status: the timeout ended the wait, not the late answer.
    let v = json_out(send(&server.url("/")).args(["--timeout", "200ms"]), 1);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["deliveries"][0]["status"], Value::Null);
    assert!(v["deliveries"][0]["error"].as_str().unwrap().contains("timed out"));
}

#[test]
fn connection_refused_names_the_port_and_suggests_listen() {
    let port = common::closed_port();
    send(&format!("http://127.0.0.1:{port}/"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("127.0.0.1:{port}")))
        .stderr(predicate::str::contains(format!("scopien-hooks listen --port {port}")));
}

#[test]
fn rate_spaces_events_out() {
    let server = TestServer::ok().expect(5);
    let start = Instant::now();
    send(&server.url("/")).args(["--count", "5", "--rate", "25", "--concurrency", "5"]).assert().success();
    // Five events at 25/s: the last leaves 4 periods (160 ms) after the first.
    assert!(start.elapsed() >= Duration::from_millis(160), "{:?}", start.elapsed());
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn many_events_print_a_summary_without_a_progress_bar_off_a_tty() {
    let server = TestServer::start(|_| Reply::text(503, "busy"));
    let out = send(&server.url("/")).args(["--count", "4"]).assert().code(1).get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Sent 4 events"), "{stdout}");
    assert!(stdout.contains("503 ×4"), "{stdout}");
    assert!(stdout.contains("p50"), "{stdout}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\r'));
}

#[test]
fn dry_run_prints_a_working_curl_command_and_sends_nothing() {
    let server = TestServer::start(docs_verification);
    let out = send(&server.url("/x"))
        .args([
            "--dry-run",
            "--count",
            "3",
            "-H",
            "X-Note: it's here",
            "--data",
            r#"{"name":"O'Brien & Co"}"#,
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing was sent"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("curl "), "{text}");
    assert!(server.requests().is_empty());
    // Let a shell read the command, with curl standing in as a function printing its arguments.
    let script = format!("curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{text}");
    let words = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap().stdout;
    let words: Vec<String> = words
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into())
        .collect();
    assert_eq!(words[0], server.url("/x"));
    let body = &words[words.iter().position(|w| w == "--data-binary").unwrap() + 1];
    let sig = words.iter().find_map(|w| w.strip_prefix("X-Scopien-Signature: ")).unwrap();
    assert_eq!(sig, doc_signature(SECRET, body.as_bytes()));
    assert!(words.iter().any(|w| w == "X-Note: it's here"));
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["data"]["name"], "O'Brien & Co");
}

#[test]
fn bad_usage_exits_2() {
    let server = TestServer::ok();
    let url = server.url("/");
    cmd()
        .args(["send-test", "http://127.0.0.1:9/", "--event", "lead.craeted"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown event 'lead.craeted'"))
        .stderr(predicate::str::contains("did you mean 'lead.created'"));
    send("ftp://example.com/").assert().code(2).stderr(predicate::str::contains("http://"));
    // Without a scheme the port must be given: `example.com/hooks` names no port.
    send("example.com/hooks").assert().code(2).stderr(predicate::str::contains("is not a URL"));
    send(&url).args(["--count", "0"]).assert().code(2);
    send(&url).args(["--data", "{nope"]).assert().code(2).stderr(predicate::str::contains("not valid JSON"));
    send(&url).args(["--payload", "/nonexistent/body.json"]).assert().code(2);
    let dir = Dir::new();
    let f = dir.write("b.json", "{}");
    send(&url).arg("--payload").arg(&f).args(["--batch", "2"]).assert().code(2);
    assert!(server.requests().is_empty());
}

/// A `listen --save` line for `body`, saved verbatim as SPEC's shared wire decision says.
fn saved_line(event_id: &str, event: &str, payload: &str, signature: Option<&str>) -> String {
    let mut headers = serde_json::json!({
        "content-type": "application/json",
        "host": "old-host:1",
        "content-length": "1",
        "user-agent": "Scopien-Webhooks/1.0",
        "connection": "keep-alive",
        "x-custom": "kept",
    });
    if let Some(sig) = signature {
        headers["x-scopien-signature"] = Value::from(sig);
    }
    format!(
        r#"{{"received_at":"2026-01-22T11:00:00Z","method":"POST","path":"/","verified":true,"status":200,"event_id":"{event_id}","event":"{event}","batch":null,"duplicate":false,"filtered":false,"headers":{headers},"payload":{payload},"error":null,"forward":null}}"#
    )
}

#[test]
fn replay_sends_byte_identical_bodies_with_their_saved_signatures() {
    let server = TestServer::start(docs_verification);
    let a =
        r#"{"id":"evt_a1",  "event":"lead.created","timestamp":"2026-01-22T11:00:00Z","data":{"n":1.50}}"#;
    let b = r#"{"id":"evt_b2","event":"case.closed","timestamp":"2026-01-22T11:00:00Z","data":{}}"#;
    let text_body = "line one\nline \"two\"";
    let dir = Dir::new();
    let file = dir.write(
        "saved.ndjson",
        [
            saved_line("evt_a1", "lead.created", a, Some(&doc_signature(SECRET, a.as_bytes()))),
            "this is not json".to_string(),
            saved_line("evt_b2", "case.closed", b, Some(&doc_signature(SECRET, b.as_bytes()))),
            saved_line("evt_none", "lead.created", "null", None),
            saved_line(
                "evt_t",
                "lead.created",
                &serde_json::to_string(text_body).unwrap(),
                Some("sha256=00"),
            ),
        ]
        .join("\n"),
    );
    let out = cmd()
        .args(["replay"])
        .arg(&file)
        .args(["--to", &server.url("/replayed"), "--event", "lead.*,case.closed"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("line 4"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    let reqs = server.wait_for(3);
    assert_eq!(&reqs[0].body[..], a.as_bytes());
    assert_eq!(&reqs[1].body[..], b.as_bytes());
    assert_eq!(&reqs[2].body[..], text_body.as_bytes());
    assert_eq!(reqs[0].header("x-scopien-signature"), doc_signature(SECRET, a.as_bytes()));
    assert_eq!(reqs[0].header("x-custom"), "kept");
    assert_eq!(reqs[0].header("content-type"), "application/json");
    assert_eq!(reqs[0].header("host"), server.addr.to_string());
    assert!(reqs[0].header("user-agent").starts_with("scopien-hooks/"));
    assert_eq!(reqs[0].path, "/replayed");
    // The third body had a bad saved signature, so the receiver refused it.
    assert!(stdout.lines().nth(2).unwrap().contains("401"), "{stdout}");
    assert!(stderr.contains("pass --secret"), "{stderr}");

    // Re-signed with --secret, and filtered by id.
    let v = json_out(
        cmd().args(["replay"]).arg(&file).args([
            "--to",
            &server.url("/"),
            "--id",
            "evt_t",
            "--secret",
            SECRET,
        ]),
        0,
    );
    assert_eq!(v["sent"], 1);
    assert_eq!(v["event"], "lead.created");
    assert_eq!(v["deliveries"][0]["event_id"], "evt_t");
    let last = server.wait_for(4).pop().unwrap();
    assert_eq!(&last.body[..], text_body.as_bytes());

    // `-` reads the saved lines from stdin.
    let line = saved_line("evt_b2", "case.closed", b, Some(&doc_signature(SECRET, b.as_bytes())));
    cmd().args(["replay", "-", "--to", &server.url("/stdin")]).write_stdin(line).assert().success();
    let last = server.wait_for(5).pop().unwrap();
    assert_eq!((last.path.as_str(), &last.body[..]), ("/stdin", b.as_bytes()));
    assert_eq!(last.header("x-scopien-signature"), doc_signature(SECRET, b.as_bytes()));
}

#[test]
fn replay_bad_input() {
    let server = TestServer::ok();
    cmd().args(["replay", "/nonexistent.ndjson", "--to", &server.url("/")]).assert().code(2);
    let dir = Dir::new();
    let file = dir.write("s.ndjson", saved_line("evt_a", "lead.created", "{}", None));
    cmd().arg("replay").arg(&file).args(["--to", "nope"]).assert().code(2);
    cmd()
        .arg("replay")
        .arg(&file)
        .args(["--to", &server.url("/"), "--event", "lead.craeted"])
        .assert()
        .code(2);
    cmd()
        .arg("replay")
        .arg(&file)
        .args(["--to", &server.url("/"), "--event", "task.*"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was sent"));
    assert!(server.requests().is_empty());
}

#[test]
fn a_terminal_gets_a_progress_bar_then_the_summary() {
    let server = TestServer::ok();
    let mut c = common::bin();
    c.args(["send-test", &server.url("/"), "--secret", SECRET, "--count", "30", "--rate", "100"]);
    c.env("TERM", "xterm");
    let mut pty =
        rexpect::session::spawn_command(c, Some(common::WAIT.as_millis() as u64)).expect("spawn in a pty");
    pty.exp_string("/30 events").expect("a progress bar");
    pty.exp_string("Sent 30 events").expect("the summary");
    pty.exp_string("succeeded  30").expect("all succeeded");
    pty.exp_eof().expect("the command ends");
}

#[test]
fn ctrl_c_stops_a_long_run_and_reports_what_was_sent() {
    let server = TestServer::ok();
    let mut c = common::bin();
    c.args(["send-test", &server.url("/"), "--secret", SECRET, "--count", "1000", "--rate", "20", "--json"]);
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    server.wait_for(2);
    let killed = std::process::Command::new("kill").arg("-INT").arg(child.id().to_string()).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + common::WAIT;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "send-test did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("the summary is still printed");
    let sent = v["sent"].as_u64().unwrap();
    assert!((2..1000).contains(&sent), "{sent}");
    assert_eq!(v["succeeded"].as_u64(), Some(sent));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
}

#[test]
fn receivers_that_close_each_connection_still_get_every_event() {
    let server = TestServer::start(|_| Reply::text(200, "OK").header("connection", "close"));
    let v = json_out(send(&server.url("/")).args(["--count", "30", "--concurrency", "3"]), 0);
    assert_eq!(v["succeeded"], 30);
    assert_eq!(server.wait_for(30).len(), 30);
}
