//! Errors that point to the fix: each failure's line and hint send the user the
//! right way (the API's own words, the profile that is missing, the emulator
//! that is not running, the file `listen --save` would have written).

mod common;

use common::{Dir, LoginSetup, Reply, Running, TestServer, closed_port, cmd, run};
use serde_json::json;

const KEY: &str = "sk_test_messages0000001234";

fn api(server: &TestServer) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["--api-base", &server.url("/v1"), "--api-key", KEY]);
    c
}

fn hint(stderr: &str) -> &str {
    stderr.lines().find_map(|l| l.strip_prefix("hint: ")).unwrap_or_else(|| panic!("no hint in {stderr}"))
}

fn error(stderr: &str) -> &str {
    stderr.lines().find_map(|l| l.strip_prefix("error: ")).unwrap_or_else(|| panic!("no error in {stderr}"))
}

// ---------------------------------------------------------------- the API's own words

#[test]
fn api_errors_keep_the_apis_message() {
    let server = TestServer::start(|r| match r.path.as_str() {
        p if p.starts_with("/v1/webhooks/wh_gone") => Reply::json(
            404,
            json!({"error": {"code": "not_found", "message": "webhook wh_gone was deleted on 2026-01-02"}}),
        ),
        "/v1/deliveries/dlv_gone/retry" => {
            Reply::json(404, json!({"error": {"code": "not_found", "message": "no delivery dlv_gone here"}}))
        }
        "/v1/webhooks" => Reply::json(
            422,
            json!({"error": {"code": "invalid_url", "message": "url must not point at a private network"}}),
        ),
        _ => Reply::text(409, "conflict: webhook is being edited elsewhere"),
    });
    let out = run(api(&server), &["get", "wh_gone"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains("webhook wh_gone was deleted on 2026-01-02"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("scopien-hooks list"), "{}", out.stderr);
    for verb in ["disable", "enable", "deliveries"] {
        let out = run(api(&server), &[verb, "wh_gone"]);
        assert_eq!(out.code, 1, "{verb}: {}", out.stderr);
        assert!(error(&out.stderr).contains("was deleted on 2026-01-02"), "{verb}: {}", out.stderr);
        assert!(hint(&out.stderr).contains("scopien-hooks list"), "{verb}: {}", out.stderr);
    }

    let out = run(api(&server), &["redeliver", "dlv_gone"]);
    assert_eq!(out.code, 1);
    assert!(error(&out.stderr).contains("no delivery dlv_gone here"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("scopien-hooks deliveries"), "{}", out.stderr);

    let out = run(api(&server), &["create", "--url", "https://example.com/h", "--event", "*"]);
    assert_eq!(out.code, 1);
    assert!(error(&out.stderr).contains("url must not point at a private network"), "{}", out.stderr);

    // No envelope: the raw body.
    let out = run(api(&server), &["get", "wh_busy"]);
    assert_eq!(out.code, 1);
    assert!(error(&out.stderr).contains("conflict: webhook is being edited elsewhere"), "{}", out.stderr);
}

// ---------------------------------------------------------------- profiles

#[test]
fn an_unknown_profile_is_a_usage_error() {
    let server = TestServer::start(|_| Reply::json(200, json!({"data": [], "hasMore": false})));
    let dir = Dir::new();
    let config =
        dir.write("config.toml", format!("[default]\napi_key = \"{KEY}\"\n[work]\napi_key = \"{KEY}\"\n"));
    let config = config.to_str().unwrap();
    let base = server.url("/v1");
    for args in [
        vec!["--profile", "wrok", "list"],
        vec!["--profile", "wrok", "get", "wh_abc"],
        vec!["--profile", "wrok", "deliveries", "wh_abc"],
        vec!["--profile", "wrok", "send-test", "wh_abc"],
        vec!["--profile", "wrok", "config"],
        vec!["--profile", "wrok", "logout"],
        vec!["--profile", "wrok", "trigger", "lead.created"],
    ] {
        let out = run(cmd(), &[&["--config", config, "--api-base", &base][..], &args].concat());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        let line = error(&out.stderr);
        assert!(line.contains("wrok") && line.contains("--profile"), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{}", out.stderr);
    }
    assert!(server.requests().is_empty(), "nothing was sent with the defaults");

    let mut env = cmd();
    env.env("SCOPIEN_PROFILE", "wrok");
    let out = run(env, &["--config", config, "--api-base", &base, "list"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(error(&out.stderr).contains("SCOPIEN_PROFILE"), "{}", out.stderr);

    // The profiles the file has, and the default one even when absent, work.
    let out = run(cmd(), &["--config", config, "--api-base", &base, "--profile", "work", "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let empty = dir.write("empty.toml", "");
    let out =
        run(cmd(), &["--config", empty.to_str().unwrap(), "--api-base", &base, "--api-key", KEY, "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(cmd(), &["--config", empty.to_str().unwrap(), "--profile", "default", "config"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

// ---------------------------------------------------------------- login

#[test]
fn login_saves_the_base_it_checked_and_reads_the_key_from_stdin() {
    let setup = LoginSetup::new(KEY);
    let (server, base, config) = (&setup.server, &setup.base, &setup.config);

    // The base comes from the environment; the key from a pipe; the profile is new.
    let mut login = cmd();
    login.env("SCOPIEN_CONFIG", config).env("SCOPIEN_API_BASE", base).write_stdin(format!("{KEY}\n"));
    let out = run(login, &["--profile", "emu", "login"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY));
    let text = std::fs::read_to_string(config).unwrap();
    let saved: toml::Table = text.parse().unwrap();
    assert_eq!(saved["emu"]["api_key"].as_str(), Some(KEY), "{text}");
    assert_eq!(saved["emu"]["api_base"].as_str(), Some(base.as_str()), "{text}");

    // Later commands, with no flag and no env, go to the base the key was checked against.
    let before = server.requests().len();
    let out = run(setup.cmd(), &["--profile", "emu", "--json", "list"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), before + 1);
    assert_eq!(reqs.last().unwrap().header("authorization"), format!("Bearer {KEY}"));

    // A flag still wins over the saved base.
    let closed = closed_port();
    let out = run(
        setup.cmd(),
        &["--profile", "emu", "--api-base", &format!("http://127.0.0.1:{closed}/v1"), "list"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains(&format!("127.0.0.1:{closed}")), "{}", out.stderr);

    // An empty pipe is the usual "no key" usage error; nothing is written.
    let other = setup.dir.path("other.toml");
    let mut empty = cmd();
    empty.env("SCOPIEN_CONFIG", &other).write_stdin("");
    let out = run(empty, &["--api-base", base, "login"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(hint(&out.stderr).contains("--api-key"), "{}", out.stderr);
    assert!(!other.exists());
}

// ---------------------------------------------------------------- where to go next

#[test]
fn refused_on_a_local_api_base_points_at_the_emulator() {
    let closed = closed_port();
    let mut c = cmd();
    c.args(["--api-base", &format!("http://127.0.0.1:{closed}/v1"), "--api-key", KEY]);
    let out = run(c, &["list"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(hint(&out.stderr).contains("scopien-hooks emulate"), "{}", out.stderr);
    assert!(!out.stderr.contains("network connection"), "{}", out.stderr);

    let mut c = cmd();
    c.args(["--api-base", &format!("http://localhost:{closed}/v1")]);
    let out = run(c, &["trigger", "lead.created"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(hint(&out.stderr).contains("scopien-hooks emulate"), "{}", out.stderr);
}

#[test]
fn a_missing_replay_file_points_at_listen_save() {
    let dir = Dir::new();
    let file = dir.path("deliveries.ndjson");
    let out = run(cmd(), &["replay", file.to_str().unwrap(), "--to", "http://127.0.0.1:9/"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(error(&out.stderr).contains("deliveries.ndjson"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("listen --save"), "{}", out.stderr);
}

// ---------------------------------------------------------------- a receiver's 401

const SECRET: &str = "whsec_messages_5e1d";

/// A receiver that refuses every request with the reason its path names.
fn refusing_receiver() -> TestServer {
    TestServer::start(|r| match r.path.as_str() {
        "/missing" => Reply::text(401, "missing signature\n"),
        "/stale" => Reply::text(401, "stale timestamp"),
        "/mismatch" => Reply::text(401, "signature mismatch"),
        "/docs" => Reply::text(401, "Invalid signature"),
        "/json" => Reply::json(401, json!({"error": "Timestamp outside the tolerance zone"})),
        _ => Reply::status(401),
    })
}

#[test]
fn a_401_hint_follows_the_receivers_stated_reason() {
    let server = refusing_receiver();
    let send = |path: &str, extra: &[&str]| {
        let mut args = vec!["send-test".to_string(), server.url(path)];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(cmd(), &args);
        assert_eq!(out.code, 1, "{path} {extra:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        (error(&out.stderr).to_string(), hint(&out.stderr).to_string())
    };
    // One event and many (the many are not kept for display, their reason still is).
    for count in ["1", "5"] {
        let signed = ["--secret", SECRET, "--count", count];
        let (line, hint) = send("/missing", &signed);
        assert!(line.contains("401 Unauthorized: missing signature"), "{line}");
        assert!(hint.contains("found none") && !hint.contains("signature-format"), "{hint}");
        let (line, hint) = send("/stale", &signed);
        assert!(line.contains("stale timestamp"), "{line}");
        assert!(hint.contains("clock") && hint.contains("--tolerance"), "{hint}");
        assert!(!hint.contains("signature-format"), "{hint}");
        let (line, hint) = send("/json", &signed);
        assert!(line.contains("401 Unauthorized: Timestamp outside the tolerance zone"), "{line}");
        assert!(hint.contains("--tolerance"), "{hint}");
        for path in ["/mismatch", "/docs", "/unstated"] {
            let (_, hint) = send(path, &signed);
            assert!(hint.contains("--signature-format bare") && hint.contains("secret"), "{path}: {hint}");
        }
        // Nothing signed: whatever the receiver says about the signature, --secret is the fix.
        for path in ["/missing", "/docs", "/unstated"] {
            let (_, hint) = send(path, &["--count", count]);
            assert!(hint.contains("no signature: pass --secret"), "{path}: {hint}");
        }
    }
}

fn listener(args: &[&str]) -> Running {
    let mut c = common::bin();
    c.args(["listen", "--port", "0"]).args(args);
    Running::start(c)
}

#[test]
fn a_401_from_listen_points_at_the_fix_for_each_reason() {
    let l = listener(&["--secret", SECRET, "--tolerance", "5m"]);
    let out = run(cmd(), &["send-test", &l.url]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).ends_with("401 Unauthorized: missing signature"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("pass --secret"), "{}", out.stderr);

    let out = run(cmd(), &["send-test", &l.url, "--secret", "whsec_someone_else"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).ends_with("signature mismatch"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("check that the secret matches"), "{}", out.stderr);

    // A saved delivery is older than the listener's tolerance: re-signing cannot help.
    let old = r#"{"id":"evt_old000000000000000000001","event":"lead.created","timestamp":"2026-01-22T11:00:00Z","data":{}}"#;
    let dir = Dir::new();
    let line = json!({"received_at": "2026-01-22T11:00:00Z", "method": "POST", "path": "/", "headers": {"content-type": "application/json"}, "payload": serde_json::from_str::<serde_json::Value>(old).unwrap()});
    let file = dir.write("saved.ndjson", line.to_string());
    let out = run(cmd(), &["replay", file.to_str().unwrap(), "--to", &l.url, "--secret", SECRET]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains("stale timestamp"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("saved timestamp"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("--tolerance"), "{}", out.stderr);
    // Without --secret that delivery goes unsigned, and the listener says so first.
    let out = run(cmd(), &["replay", file.to_str().unwrap(), "--to", &l.url]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains("missing signature"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("pass --secret"), "{}", out.stderr);
}

#[test]
fn a_wrong_path_or_an_oversized_body_says_so() {
    let l = listener(&["--path", "/webhooks/scopien", "--max-body", "1KiB"]);
    let port = l.url.rsplit(':').next().unwrap().to_string();
    let out = run(cmd(), &["send-test", &port]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains("404 Not Found"), "{}", out.stderr);
    assert!(hint(&out.stderr).contains("nothing at /: check the URL's path"), "{}", out.stderr);
    let out =
        run(cmd(), &["send-test", &format!("{}/webhooks/scopien", l.url), "--batch", "50", "--count", "50"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(hint(&out.stderr).contains("--max-body"), "{}", out.stderr);
}

#[test]
fn a_test_the_api_sent_that_got_401_points_at_the_webhooks_secret() {
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            json!({"data": {
                "id": "dlv_t1", "webhookId": "wh_abc", "eventId": "evt_1", "event": "opportunity.updated",
                "attempt": 1, "status": "failed", "responseStatus": 401, "durationMs": 4,
                "createdAt": "2026-01-22T10:15:00Z", "nextRetryAt": "2026-01-22T10:15:05Z"
            }}),
        )
    });
    let out = run(api(&server), &["send-test", "wh_abc"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(error(&out.stderr).contains("the endpoint answered 401"), "{}", out.stderr);
    let hint = hint(&out.stderr);
    assert!(hint.contains("scopien-hooks get wh_abc --show-secret"), "{hint}");
    assert!(hint.contains("deliveries wh_abc --follow"), "{hint}");
}

#[test]
fn a_refused_value_points_at_its_own_commands_help() {
    for (args, help) in [
        (&["--json", "list", "--limit", "0"][..], "`scopien-hooks list --help`"),
        (&["send-test", "3000", "--rate", "1e-300"], "`scopien-hooks send-test --help`"),
        (&["get", "wh_../x"], "`scopien-hooks list` shows your webhooks and their ids"),
        (&["redeliver", "dlv_"], "`scopien-hooks deliveries WEBHOOK_ID`"),
        (&["emulate", "--retain", "-1"], "`scopien-hooks emulate --help`"),
    ] {
        let out = run(cmd(), args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(hint(&out.stderr).contains(help), "{args:?}: {}", out.stderr);
    }
}

// ---------------------------------------------------------------- emulate --help

#[test]
fn emulate_help_lists_only_what_emulate_uses() {
    let out = run(cmd(), &["emulate", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let help = &out.stdout;
    for unused in ["--api-base", "--profile", "--config", "[env: SCOPIEN_API_KEY]", "--yes"] {
        assert!(!help.contains(unused), "{unused} in:\n{help}");
    }
    for used in ["--api-key", "sk_test_emulator", "--host", "--port", "--db", "--time-scale", "--json"] {
        assert!(help.contains(used), "{used} missing from:\n{help}");
    }
    let out = run(cmd(), &["emulate", "--api-base", "http://127.0.0.1:1/v1", "--in-memory", "--port", "0"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(error(&out.stderr).contains("--api-base"), "{}", out.stderr);
}

// ---------------------------------------------------------------- deliveries

#[test]
fn deliveries_counts_and_retry_times_are_coherent() {
    let server = TestServer::start(|_| {
        Reply::json(
            200,
            json!({"data": [
                {"id":"dlv_ok","webhookId":"wh_abc","eventId":"evt_1","event":"lead.created","attempt":2,
                 "status":"succeeded","responseStatus":200,"durationMs":12,"createdAt":"2026-01-22T10:15:05Z",
                 "nextRetryAt":"2026-01-22T10:15:35Z"},
                {"id":"dlv_due","webhookId":"wh_abc","eventId":"evt_2","event":"lead.created","attempt":2,
                 "status":"pending","createdAt":"2026-01-22T10:15:00Z","nextRetryAt":"2026-01-22T10:15:05Z"},
                {"id":"dlv_bad","webhookId":"wh_abc","eventId":"evt_2","event":"lead.created","attempt":1,
                 "status":"failed","responseStatus":500,"durationMs":3,"createdAt":"2026-01-22T10:15:00Z",
                 "nextRetryAt":"2026-01-22T10:15:05Z"},
                {"id":"dlv_end","webhookId":"wh_abc","eventId":"evt_3","event":"lead.created","attempt":6,
                 "status":"failed","responseStatus":500,"durationMs":3,"createdAt":"2026-01-22T11:15:00Z",
                 "nextRetryAt":"2026-01-22T12:15:00Z"}
            ], "hasMore": false, "nextCursor": null}),
        )
    });
    let out = run(api(&server), &["deliveries", "wh_abc"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let blocks: Vec<&str> = out.stdout.split("\n\n").collect();
    let block =
        |id: &str| *blocks.iter().find(|b| b.contains(id)).unwrap_or_else(|| panic!("{id}: {}", out.stdout));
    assert!(!block("dlv_ok").contains("Next retry"), "{}", block("dlv_ok"));
    assert!(!block("dlv_end").contains("Next retry"), "{}", block("dlv_end"));
    let due = block("dlv_due");
    assert!(!due.contains("Retried"), "{due}");
    assert!(due.contains("retry 1 of 5 not attempted yet"), "{due}");
    assert!(due.contains("Next retry: 2026-01-22 10:15:05 AM"), "{due}");
    assert!(block("dlv_bad").contains("Next retry: 2026-01-22 10:15:05 AM"), "{}", block("dlv_bad"));
}

#[test]
fn get_and_deliveries_show_times_on_one_local_clock() {
    let server = TestServer::start(|r| {
        if r.path.ends_with("/deliveries") {
            Reply::json(
                200,
                json!({"data": [
                {"id":"dlv_t","webhookId":"wh_abc","eventId":"evt_1","event":"lead.created","attempt":1,
                 "status":"succeeded","responseStatus":200,"durationMs":0,"createdAt":"2026-01-22T15:45:00Z"}
            ], "hasMore": false, "nextCursor": null}),
            )
        } else {
            Reply::json(
                200,
                json!({"data": {
                    "id": "wh_abc", "url": "https://example.com/h", "events": ["lead.created"], "status": "active",
                    "secret": "whsec_abcdef123456", "headers": {}, "filters": {}, "batch": false,
                    "createdAt": "2026-01-22T15:45:00Z", "updatedAt": "2026-01-23T04:05:00Z"
                }}),
            )
        }
    });
    let local = |args: &[&str]| {
        let mut c = api(&server);
        c.env("TZ", "EST5");
        let out = run(c, args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let get = local(&["get", "wh_abc"]);
    assert!(get.contains("2026-01-22 10:45 AM"), "{get}");
    assert!(get.contains("2026-01-22 11:05 PM"), "updated, a day earlier in EST: {get}");
    assert!(!get.contains("T15:45:00Z") && !get.contains("T04:05"), "{get}");
    let deliveries = local(&["deliveries", "wh_abc"]);
    assert!(deliveries.contains("2026-01-22 10:45 AM"), "{deliveries}");
    assert!(deliveries.contains("Duration: <1ms"), "{deliveries}");
    // --json keeps the API's own values.
    let out = run(api(&server), &["get", "wh_abc", "--json"]);
    assert_eq!(out.json()["createdAt"], "2026-01-22T15:45:00Z");
    // However quick the answer, the trace never says it took 0 ms.
    let out = run(api(&server), &["get", "wh_abc", "-v"]);
    let answered =
        out.stderr.lines().find(|l| l.contains("< 200")).unwrap_or_else(|| panic!("{}", out.stderr));
    assert!(answered.ends_with(" ms)") || answered.ends_with(" s)"), "{answered}");
    assert!(!answered.contains("(0 ms)"), "{answered}");
}

// ---------------------------------------------------------------- --data and changes

#[test]
fn patched_fields_carry_into_changes() {
    let server = TestServer::ok();
    let out = run(cmd(), &["send-test", &server.url("/hook"), "--data", r#"{"amount": 250000}"#]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let body = server.requests().pop().unwrap().json();
    assert_eq!(body["data"]["amount"], 250000);
    assert_eq!(body["changes"]["amount"]["new"], 250000, "{body}");
    assert_ne!(body["changes"]["amount"]["old"], 250000, "{body}");
}

#[test]
fn triggered_data_carries_into_changes_too() {
    let mut c = common::bin();
    c.args(["emulate", "--port", "0", "--in-memory", "--time-scale", "0.001"]);
    let emu = Running::start(c);
    let receiver = TestServer::ok();
    let on_emulator = |args: &[&str]| {
        let mut c = cmd();
        c.env("SCOPIEN_API_BASE", &emu.url).env("SCOPIEN_API_KEY", "sk_test_emulator");
        let out = run(c, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    };
    on_emulator(&["create", "--url", &receiver.url("/hooks"), "--event", "opportunity.updated"]);
    on_emulator(&["trigger", "opportunity.updated", "--data", r#"{"amount": 250000}"#]);
    let body = receiver.wait_for(1)[0].json();
    assert_eq!(body["data"]["amount"], 250000);
    assert_eq!(body["changes"]["amount"]["new"], 250000, "{body}");
    assert_ne!(body["changes"]["amount"]["old"], 250000, "{body}");
    assert_eq!(body["changes"]["stage"]["new"], body["data"]["stage"], "{body}");

    // The API itself: data given without changes ends the sample's changes where the data says.
    let resp = reqwest::blocking::Client::new()
        .post(format!("{}/events", emu.url))
        .bearer_auth("sk_test_emulator")
        .json(&json!({"event": "opportunity.updated", "data": {"id": "opp_1", "amount": 7}}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let body = receiver.wait_for(2)[1].json();
    assert_eq!(body["data"], json!({"id": "opp_1", "amount": 7}));
    assert_eq!(body["changes"]["amount"]["new"], 7, "{body}");
}
