//! Secrets in output: webhook secrets in full only from `create` or with
//! `--show-secret`, `whsec_…f456` everywhere else (`--json` included); `-v`
//! traces, errors and status lines never show a key, a secret or a URL's password.

mod common;

use common::{Reply, TestServer, closed_port, cmd, run};
use serde_json::{Value, json};

const KEY: &str = "sk_live_secrets_test_k3y9";
const SECRET: &str = "whsec_abc123def456";
const REDACTED: &str = "whsec_…f456";

fn webhook(id: &str, secret: &str) -> Value {
    json!({
        "id": id, "url": "https://x.test/h", "events": ["lead.created"], "description": "d",
        "secret": secret, "status": "active", "headers": {}, "filters": {}, "batch": false,
        "createdAt": "2026-01-22T10:00:00Z", "updatedAt": "2026-01-22T10:00:00Z"
    })
}

/// An API answering every webhook request with webhooks holding `secret`.
fn api_with(secret: &'static str) -> TestServer {
    TestServer::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v1/webhooks") => Reply::json(
            200,
            json!({"data": [webhook("wh_1", secret), webhook("wh_2", secret)], "hasMore": false, "nextCursor": null}),
        ),
        ("POST", "/v1/webhooks") => Reply::json(201, json!({"data": webhook("wh_1", secret)})),
        _ => Reply::json(200, json!({"data": webhook("wh_1", secret)})),
    })
}

fn api(server: &TestServer) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["--api-base", &server.url("/v1"), "--api-key", KEY]);
    c
}

fn with_secret(secret: &str) -> Value {
    webhook("wh_1", secret)
}

#[test]
fn json_output_redacts_secrets_unless_asked() {
    let server = api_with(SECRET);
    let json_of = |args: &[&str]| {
        let out = run(api(&server), &[&["--json"], args].concat());
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains(SECRET), "{}", out.stderr);
        out.json()
    };
    assert_eq!(json_of(&["get", "wh_1"]), with_secret(REDACTED));
    assert_eq!(json_of(&["get", "wh_1", "--show-secret"]), with_secret(SECRET));
    assert_eq!(json_of(&["list"]), json!([with_secret(REDACTED), webhook("wh_2", REDACTED)]));
    assert_eq!(json_of(&["list", "--show-secret"]), json!([with_secret(SECRET), webhook("wh_2", SECRET)]));
    for args in [&["update", "wh_1", "--description", "x"][..], &["enable", "wh_1"], &["disable", "wh_1"]] {
        assert_eq!(json_of(args), with_secret(REDACTED), "{args:?}");
    }
    // Just created: the one time it is shown in full.
    assert_eq!(json_of(&["create", "--url", "https://x.test/h", "--event", "*"]), with_secret(SECRET));
}

#[test]
fn human_views_redact_secrets_unless_asked() {
    let server = api_with(SECRET);
    for args in
        [&["get", "wh_1"][..], &["list"], &["update", "wh_1", "--description", "x"], &["enable", "wh_1"]]
    {
        let out = run(api(&server), args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(!out.stdout.contains(SECRET) && !out.stderr.contains(SECRET), "{args:?}: {}", out.stdout);
    }
    let out = run(api(&server), &["get", "wh_1"]);
    assert!(out.stdout.contains(REDACTED), "{}", out.stdout);
    let out = run(api(&server), &["list", "--show-secret"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].contains("SECRET"), "{}", out.stdout);
    assert_eq!(lines.iter().filter(|l| l.contains(SECRET)).count(), 2, "{}", out.stdout);
    let out = run(api(&server), &["create", "--url", "https://x.test/h", "--event", "*"]);
    assert!(out.stdout.contains(SECRET), "{}", out.stdout);
}

#[test]
fn short_and_unprefixed_secrets_never_show_whole() {
    for (secret, shown) in [("Zq9x", "…"), ("whsec_Zq9x", "whsec_…"), ("plainsecretvalue42", "…ue42")] {
        let server = TestServer::start(move |_| Reply::json(200, json!({"data": webhook("wh_1", secret)})));
        let out = run(api(&server), &["--json", "get", "wh_1"]);
        assert_eq!(out.json()["secret"], shown, "{secret}");
        let out = run(api(&server), &["get", "wh_1"]);
        assert!(!out.stdout.contains(secret), "{secret}: {}", out.stdout);
        assert!(out.stdout.contains(&format!("Secret:      {shown}\n")), "{secret}: {}", out.stdout);
    }
}

#[test]
fn verbose_traces_hide_the_key_secrets_and_url_passwords() {
    let server = TestServer::start(|r| {
        if r.path.ends_with("wh_cut") {
            // Not JSON (cut short): the secret must still not show.
            Reply::text(500, &format!("{{\"data\":{{\"secret\":\"{SECRET}\""))
        } else {
            Reply::json(201, json!({"data": webhook("wh_1", SECRET)}))
        }
    });
    let base = server.url("/v1").replace("http://", "http://scopien:hunter2pw@");
    let runs = [
        run(
            cmd(),
            &[
                "--api-base",
                &base,
                "--api-key",
                KEY,
                "-v",
                "create",
                "--url",
                "https://x.test/h",
                "--event",
                "*",
                "--secret",
                SECRET,
            ],
        ),
        run(cmd(), &["--api-base", &base, "--api-key", KEY, "-v", "get", "wh_cut"]),
    ];
    for out in &runs {
        assert!(out.stderr.contains("> ") && out.stderr.contains("< "), "traced: {}", out.stderr);
        assert!(!out.stderr.contains(KEY), "{}", out.stderr);
        assert!(!out.stderr.contains(SECRET), "{}", out.stderr);
        assert!(!out.stderr.contains("hunter2pw"), "{}", out.stderr);
        assert!(out.stderr.contains("http://scopien:***@127.0.0.1:"), "{}", out.stderr);
        assert!(out.stderr.contains(REDACTED), "{}", out.stderr);
    }
    assert!(runs[0].stderr.contains("sk_live_…k3y9"), "{}", runs[0].stderr);
    assert_eq!(runs[1].code, 1);
}

#[test]
fn url_passwords_stay_out_of_errors_and_status_lines() {
    let port = closed_port();
    let out = run(
        cmd(),
        &["send-test", &format!("http://user:hunter2pw@127.0.0.1:{port}/hook"), "--secret", SECRET],
    );
    // send-test shares listen's target rule: credentials in a target are refused (exit 2).
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("error:"), "{}", out.stderr);
    assert!(!out.stdout.contains("hunter2pw") && !out.stderr.contains("hunter2pw"), "{}", out.stderr);

    // listen refuses a forward target with credentials, without repeating the password.
    let out = run(cmd(), &["listen", "--port", "0", "--forward-to", "http://user:hunter2pw@127.0.0.1:9/app"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("user:***@127.0.0.1"), "{}", out.stderr);
    assert!(!out.stderr.contains("hunter2pw"), "{}", out.stderr);
    // Refused for what it holds, not as "not a URL"; replay --to the same.
    assert!(out.stderr.contains("holds credentials"), "{}", out.stderr);
    let out = run(cmd(), &["replay", "-", "--to", "http://user:hunter2pw@127.0.0.1:9/app"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--to 'http://user:***@127.0.0.1:9/app' holds credentials"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("hunter2pw"), "{}", out.stderr);
}
