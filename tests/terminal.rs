//! Terminal safety: control characters from outside (the API, receivers,
//! senders, files) never reach the terminal from a human view; they are shown
//! escaped. `--json` stays exact JSON.

mod common;

use std::time::Duration;

use common::{Dir, Out, Reply, Running, TestServer, bin, cmd, run};
use serde_json::{Value, json};

/// Retitles the window, then clears the screen.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
/// How the views show it.
const SHOWN: &str = "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J";
const KEY: &str = "sk_test_terminal_0001";

/// No ESC, BEL, C1 or bidi override in either stream.
fn assert_no_controls(out: &Out) {
    for (name, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let bad = text.chars().find(|&c| {
            (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        });
        assert!(bad.is_none(), "{name} holds {bad:?}: {text:?}");
    }
}

fn hostile_webhook(id: &str) -> Value {
    json!({
        "id": id, "url": format!("https://x.test/{HOSTILE}"), "events": ["lead.created"],
        "description": format!("desc {HOSTILE}\r\u{9b}31m\u{202e}"), "secret": "whsec_abc123def456",
        "status": "active", "headers": {format!("X-{HOSTILE}"): format!("v{HOSTILE}")},
        "filters": {format!("amount{HOSTILE}"): format!("{HOSTILE}")}, "batch": false,
        "createdAt": format!("2026-01-22T10:00:00Z{HOSTILE}"), "updatedAt": "2026-01-22T10:00:00Z"
    })
}

/// A mock API whose every answer is full of control characters.
fn hostile_api() -> TestServer {
    TestServer::start(|r| match (r.method.as_str(), r.path.as_str()) {
        (_, p) if p.ends_with("/deliveries") => Reply::json(
            200,
            json!({"data": [{
                "id": "dlv_1", "webhookId": "wh_1", "eventId": "evt_1", "event": format!("lead.created{HOSTILE}"),
                "attempt": 2, "status": "failed", "responseStatus": 500, "error": format!("boom {HOSTILE}"),
                "durationMs": 3, "createdAt": format!("x{HOSTILE}"), "nextRetryAt": null
            }], "hasMore": false, "nextCursor": null}),
        ),
        (_, "/v1/webhooks/wh_broken") => {
            Reply::json(400, json!({"error": {"code": "bad", "message": format!("no {HOSTILE} way")}}))
        }
        (_, "/v1/webhooks/wh_raw") => Reply::text(500, &format!("raw {HOSTILE} body")),
        ("GET", "/v1/webhooks") => Reply::json(
            200,
            json!({"data": [hostile_webhook("wh_1"), hostile_webhook("wh_2")], "hasMore": false, "nextCursor": null}),
        ),
        _ => Reply::json(200, json!({"data": hostile_webhook("wh_1")})),
    })
}

fn api(server: &TestServer) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["--api-base", &server.url("/v1"), "--api-key", KEY]);
    c
}

#[test]
fn management_views_escape_what_the_api_sends() {
    let server = hostile_api();
    let runs = [
        ("get", run(api(&server), &["get", "wh_1", "--show-secret"])),
        ("list", run(api(&server), &["list"])),
        ("list --show-secret", run(api(&server), &["list", "--show-secret"])),
        ("update", run(api(&server), &["update", "wh_1", "--description", "new"])),
        ("enable", run(api(&server), &["enable", "wh_1"])),
        ("deliveries", run(api(&server), &["deliveries", "wh_1"])),
        ("create", run(api(&server), &["create", "--url", "https://x.test/h", "--event", "*"])),
    ];
    for (what, out) in &runs {
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        assert_no_controls(out);
        if *what != "enable" {
            assert!(out.stdout.contains("\\u{1b}"), "{what} shows the escape: {}", out.stdout);
        }
    }
    let get = &runs[0].1.stdout;
    assert!(get.contains(&format!("desc {SHOWN}\\r\\u{{9b}}31m\\u{{202e}}")), "{get}");
    assert!(get.contains(&format!("X-{SHOWN}: v{SHOWN}")), "{get}");
    assert!(get.contains(&format!("amount{SHOWN}=")), "{get}");
    assert!(runs[5].1.stdout.contains(&format!("Error: boom {SHOWN}")), "{}", runs[5].1.stdout);
}

#[test]
fn colour_is_kept_but_nothing_else() {
    let server = hostile_api();
    for args in [&["--color", "always", "get", "wh_1"][..], &["--color", "always", "deliveries", "wh_1"]] {
        let out = run(api(&server), args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("\u{1b}[1m"), "colour is on: {:?}", out.stdout);
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text.contains("\u{1b}]") && !text.contains("\u{1b}[2J") && !text.contains('\u{7}'),
                "{text:?}"
            );
        }
    }
}

#[test]
fn json_output_stays_exact_json() {
    let server = hostile_api();
    let out = run(api(&server), &["--json", "get", "wh_1", "--show-secret"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{9b}'), "{:?}", out.stdout);
    assert_eq!(out.json(), hostile_webhook("wh_1"));
}

#[test]
fn api_error_messages_are_escaped() {
    let server = hostile_api();
    for (id, shown) in [("wh_broken", format!("no {SHOWN} way")), ("wh_raw", format!("raw {SHOWN} body"))] {
        let out = run(api(&server), &["get", id]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_no_controls(&out);
        assert!(out.stderr.contains(&shown), "{}", out.stderr);
    }
    // -v traces of the same answers too.
    let out = run(api(&server), &["-v", "get", "wh_broken"]);
    assert_no_controls(&out);
}

#[test]
fn a_receivers_answer_is_escaped() {
    let receiver = TestServer::start(|r| {
        if r.path == "/bad" {
            Reply::text(401, &format!("nope {HOSTILE}")).header("x-why", "\u{1b}[2J")
        } else {
            Reply::text(200, &format!("ok {HOSTILE}\n\u{1b}[31mred\u{1b}[0m"))
        }
    });
    let out = run(cmd(), &["send-test", &receiver.url("/ok"), "--secret", "whsec_abc123def456"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_controls(&out);
    assert!(out.stdout.contains(&format!("ok {SHOWN}")), "{}", out.stdout);
    let out = run(cmd(), &["-v", "send-test", &receiver.url("/bad"), "--secret", "whsec_abc123def456"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_no_controls(&out);
    let out =
        run(cmd(), &["send-test", &receiver.url("/ok"), "--count", "3", "--secret", "whsec_abc123def456"]);
    assert_no_controls(&out);
}

#[test]
fn listen_escapes_what_senders_send() {
    let mut c = bin();
    c.args(["listen", "--port", "0", "--max-events", "1"]);
    let l = Running::start(c);
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    // Not JSON: the refusal line quotes the start of the body.
    let resp = http.post(format!("{}/hooks", l.url)).body(format!("{HOSTILE} not json")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let event = json!({
        "id": format!("evt_1{HOSTILE}"), "event": "lead.created", "timestamp": "2026-01-22T10:00:00Z",
        "data": {format!("k{HOSTILE}"): format!("v{HOSTILE}\u{9b}"), "n": [format!("{HOSTILE}")]},
        "changes": {"f": {"old": HOSTILE, "new": {"x": "\u{202e}"}}}
    });
    let resp = http
        .post(format!("{}/hooks", l.url))
        .header("x-note", "caf\u{e9}")
        .header("content-type", "application/json")
        .body(event.to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (status, out, err) = l.wait();
    assert!(status.success(), "{err:?}");
    let out = Out { code: 0, stdout: out.join("\n"), stderr: err.join("\n") };
    assert_no_controls(&out);
    assert!(out.stdout.contains(SHOWN), "{}", out.stdout);
}

#[test]
fn file_contents_are_escaped() {
    let dir = Dir::new();
    let receiver = TestServer::ok();
    let bad = dir.write("bad.json", format!("{{\"a\": \"{HOSTILE}"));
    let out = run(cmd(), &["send-test", &receiver.url("/"), "--data", &format!("@{}", bad.display())]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_no_controls(&out);
    let saved = dir.write("saved.ndjson", format!("{HOSTILE}\n{{\"x\": \"{HOSTILE}\"}}\n"));
    let out = run(cmd(), &["replay", &saved.display().to_string(), "--to", &receiver.url("/")]);
    assert_no_controls(&out);
}

// ---------------------------------------------------------------- listen's line width

/// An event whose `data` line is far wider than any terminal.
fn wide_event(id: &str) -> String {
    json!({
        "id": id, "event": "lead.created", "timestamp": "2026-01-22T10:00:00Z",
        "data": {"description": "w".repeat(600)}
    })
    .to_string()
}

/// Width of the event's `data` line, in characters.
fn data_line_width(text: &str) -> usize {
    let line =
        text.lines().find(|l| l.contains("description=")).unwrap_or_else(|| panic!("no data line: {text}"));
    line.trim_end_matches('\r').chars().count()
}

/// `listen --max-events 1` in a pseudo-terminal of `cols` columns, one wide
/// event delivered; everything it wrote to the terminal.
fn listen_in_a_terminal(cols: u16, columns_env: &str) -> String {
    let template = bin();
    let mut c = std::process::Command::new("sh");
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c.env("COLUMNS", columns_env).env("TERM", "xterm");
    c.args(["-c", &format!("stty cols {cols} rows 40 && exec \"$0\" \"$@\"")])
        .arg(template.get_program())
        .args(["listen", "--port", "0", "--max-events", "1"]);
    let mut p = rexpect::session::spawn_command(c, Some(common::WAIT.as_millis() as u64)).expect("a pty");
    let (_, ready) = p.exp_regex(r"http://127\.0\.0\.1:\d+").expect("the Ready! line");
    let resp =
        reqwest::blocking::Client::new().post(&ready).body(wide_event("evt_wide00000000000000000001")).send();
    assert_eq!(resp.unwrap().status().as_u16(), 200);
    let text = p.exp_eof().expect("listen exits after one event");
    // rexpect hands over bytes as Latin-1: back to bytes, then UTF-8.
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn listen_fits_its_lines_to_the_terminal_it_writes_to() {
    // The terminal's own size wins over a stale COLUMNS, narrow or wide.
    for cols in [60u16, 150] {
        let shown = listen_in_a_terminal(cols, "100");
        let w = data_line_width(&shown);
        assert!(w <= cols as usize && w + 15 > cols as usize, "{cols} columns, widest line {w}: {shown}");
    }
}

#[test]
fn listen_without_a_terminal_uses_columns_else_80() {
    for (columns, want) in [(Some("64"), 64), (None, 80)] {
        let mut c = bin();
        c.env_remove("COLUMNS");
        if let Some(v) = columns {
            c.env("COLUMNS", v);
        }
        c.args(["listen", "--port", "0", "--max-events", "1"]);
        let l = Running::start(c);
        let resp = reqwest::blocking::Client::new()
            .post(&l.url)
            .body(wide_event("evt_wide00000000000000000002"))
            .send();
        assert_eq!(resp.unwrap().status().as_u16(), 200);
        let (status, out, err) = l.wait();
        assert!(status.success(), "{err:?}");
        let out = out.join("\n");
        let w = data_line_width(&out);
        assert!(w <= want && w + 15 > want, "COLUMNS={columns:?}: widest line {w}: {out}");
    }
}

#[test]
fn the_delete_prompt_escapes_the_url_and_masks_its_password() {
    let server = TestServer::start(|r| match r.method.as_str() {
        "GET" => {
            let mut w = hostile_webhook("wh_1");
            w["url"] = json!(format!("https://ops:hunter2@x.test/{HOSTILE}"));
            Reply::json(200, json!({"data": w}))
        }
        _ => Reply::json(200, json!({"data": {"id": "wh_1", "deleted": true}})),
    });
    let mut c = bin();
    c.args(["--api-base", &server.url("/v1"), "--api-key", KEY, "delete", "wh_1"]).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(c, Some(common::WAIT.as_millis() as u64)).expect("a pty");
    let before = p.exp_string("This cannot be undone").expect("the prompt");
    p.send("n").unwrap();
    p.flush().unwrap();
    let after = p.exp_eof().unwrap();
    let shown = format!("{before}{after}");
    assert!(shown.contains(&format!("https://ops:***@x.test/{SHOWN}")), "{shown:?}");
    assert!(!shown.contains("hunter2"), "{shown:?}");
    assert!(!shown.contains("\u{1b}]0;pwned") && !shown.contains("\u{1b}[2J"), "{shown:?}");
    assert_eq!(server.requests().len(), 1, "declined: nothing deleted");
}
