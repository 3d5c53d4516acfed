//! The whole CLI against the real emulator: every management command, `trigger`
//! into `listen`, the retry loop, and the README's offline CI loop run as written.

mod common;

use std::collections::HashSet;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{Dir, Out, Reply, Running, TestServer, WAIT, bin, cmd, doc_signature, run};
use serde_json::{Value, json};

const KEY: &str = "sk_test_emulator";
const SECRET: &str = "whsec_e2e_secret_0123456789";

/// The emulator on a free port, in memory, with retry and batch waits shrunk 1000×.
fn emulator() -> Running {
    let mut c = bin();
    c.args(["emulate", "--port", "0", "--in-memory", "--time-scale", "0.001"]);
    Running::start(c)
}

/// The CLI pointed at `emu` with its key, as flags.
fn cli(emu: &Running) -> assert_cmd::Command {
    let mut c = cmd();
    c.args(["--api-base", &emu.url, "--api-key", KEY]);
    c
}

/// `scopien-hooks ARGS` against `emu`, expected to succeed.
fn ok(emu: &Running, args: &[&str]) -> Out {
    run(cli(emu), args).ok()
}

fn str_of<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("no string '{field}' in {v}"))
}

/// Polls `deliveries ID --json` (bounded) until `done` holds for the list.
fn wait_deliveries(emu: &Running, id: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let list = ok(emu, &["deliveries", id, "--json"]).json();
        let list = list.as_array().expect("deliveries --json is an array").clone();
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "deliveries never got there: {list:#?}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// A `listen` on a free port, verifying with [`SECRET`] and printing NDJSON.
fn listener(extra: &[&str]) -> Running {
    let mut c = bin();
    c.args(["listen", "--port", "0", "--secret", SECRET, "--json", "--timeout", "20s"]).args(extra);
    Running::start(c)
}

// ---------------------------------------------------------------- create / get / list

#[test]
fn create_and_get_keep_every_field_and_redact_the_secret_unless_asked() {
    let emu = emulator();
    let receiver = TestServer::ok();
    let url = receiver.url("/hooks");
    let created = ok(
        &emu,
        &[
            "create",
            "--url",
            &url,
            "--event",
            "opportunity.*",
            "lead.created",
            "--description",
            "Big deals",
            "--secret",
            SECRET,
            "-H",
            "X-Env: staging",
            "--filter",
            "amount_greater_than=10000",
            "--filter",
            "stage=Closed Won",
        ],
    );
    // The human view: id first, the secret in full this once, the warning on stderr.
    let id = created.stdout.split_whitespace().next().unwrap().to_string();
    assert!(id.starts_with("wh_"), "{}", created.stdout);
    assert!(created.stdout.contains(SECRET), "{}", created.stdout);
    assert!(created.stdout.contains("X-Env: staging") && created.stdout.contains("Big deals"));
    assert!(created.stderr.contains("save it now"), "{}", created.stderr);

    let got = ok(&emu, &["get", &id, "--json", "--show-secret"]).json();
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["url"], url.as_str());
    assert_eq!(got["events"], json!(["opportunity.*", "lead.created"]));
    assert_eq!(got["description"], "Big deals");
    assert_eq!(got["secret"], SECRET, "--json --show-secret carries the secret for scripts");
    assert_eq!(got["status"], "active");
    assert_eq!(got["headers"], json!({"X-Env": "staging"}));
    assert_eq!(got["filters"], json!({"amount_greater_than": 10000, "stage": "Closed Won"}));
    assert_eq!(got["batch"], false);
    for field in ["createdAt", "updatedAt"] {
        assert!(got[field].as_str().is_some_and(|t| t.ends_with('Z')), "{field}: {got}");
    }

    let human = ok(&emu, &["get", &id]).stdout;
    assert!(!human.contains(SECRET), "{human}");
    assert!(human.contains("whsec_…6789"), "{human}");
    let shown = ok(&emu, &["get", &id, "--show-secret"]).stdout;
    assert!(shown.contains(SECRET), "{shown}");

    // The filters and the header are what the emulator delivers by.
    let small = r#"{"amount":5000,"stage":"Closed Won"}"#;
    let small = ok(&emu, &["trigger", "opportunity.updated", "--data", small]).stdout;
    let big = r#"{"amount":50000,"stage":"Closed Won"}"#;
    let big = ok(&emu, &["trigger", "opportunity.updated", "--data", big]).stdout;
    let got = receiver.wait_for(1);
    assert_eq!(got[0].json()["id"], big.trim());
    assert_eq!(got[0].header("x-env"), "staging");
    assert_eq!(got[0].header("x-scopien-signature"), doc_signature(SECRET, &got[0].body));
    let log = wait_deliveries(&emu, &id, |l| l.iter().any(|d| d["status"] == "succeeded"));
    assert_eq!(log.len(), 1, "the 5000 event is filtered out: {log:#?}");
    assert_ne!(log[0]["eventId"], small.trim());
}

#[test]
fn batch_settings_group_events_into_one_signed_body() {
    let emu = emulator();
    let receiver = TestServer::ok();
    let created = ok(
        &emu,
        &[
            "create",
            "--url",
            &receiver.url("/"),
            "--event",
            "task.completed",
            "--secret",
            SECRET,
            "--batch",
            "--max-batch-size",
            "5",
            "--max-wait-time",
            "2",
            "--json",
        ],
    )
    .json();
    assert_eq!((created["batch"].clone(), created["maxBatchSize"].clone()), (json!(true), json!(5)));
    assert_eq!(created["maxWaitTime"], 2);

    let ids: Vec<String> =
        ok(&emu, &["trigger", "task.completed", "--count", "3"]).stdout.lines().map(str::to_string).collect();
    assert_eq!(ids.len(), 3);
    // Three events, one bulk emit: they reach the receiver as batches, each signed whole.
    let deadline = Instant::now() + WAIT;
    let mut seen: Vec<String> = Vec::new();
    while seen.len() < 3 {
        assert!(Instant::now() < deadline, "only {seen:?} arrived");
        thread::sleep(Duration::from_millis(10));
        seen.clear();
        for req in receiver.requests() {
            assert_eq!(req.header("x-scopien-signature"), doc_signature(SECRET, &req.body));
            for e in req.json()["events"].as_array().expect("a batch body") {
                seen.push(str_of(e, "id").to_string());
            }
        }
    }
    seen.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(seen, want);
}

#[test]
fn list_follows_every_page() {
    let emu = emulator();
    let mut ids = Vec::new();
    for n in 0..5 {
        let url = format!("http://127.0.0.1:9/hook{n}");
        let w = ok(&emu, &["create", "--url", &url, "--event", "lead.created", "--json"]).json();
        ids.push(str_of(&w, "id").to_string());
    }
    let all = ok(&emu, &["list", "--limit", "2", "--json"]).json();
    let listed: Vec<&str> = all.as_array().unwrap().iter().map(|w| str_of(w, "id")).collect();
    assert_eq!(listed.len(), 5, "{all}");
    let listed: HashSet<&str> = listed.into_iter().collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect(), "each webhook once, across 3 pages");
    assert!(
        all.as_array().unwrap().iter().all(|w| w["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")))
    );

    let table = ok(&emu, &["list", "--limit", "2"]).stdout;
    let header = table.lines().next().unwrap();
    assert!(header.contains("ID") && header.contains("STATUS") && header.contains("URL"), "{table}");
    for id in &ids {
        let row = table.lines().find(|l| l.contains(id.as_str())).unwrap_or_else(|| panic!("{id}: {table}"));
        assert!(row.contains("active") && row.contains("lead.created"), "{row}");
    }
    assert!(!table.contains("whsec_"), "no secrets in the table: {table}");
}

// ---------------------------------------------------------------- update / disable / enable / delete

#[test]
fn update_changes_only_what_is_given() {
    let emu = emulator();
    let w = ok(
        &emu,
        &[
            "create",
            "--url",
            "http://127.0.0.1:9/a",
            "--event",
            "lead.created",
            "--description",
            "first",
            "-H",
            "X-One: 1",
            "--filter",
            "status=New",
            "--json",
        ],
    )
    .json();
    let id = str_of(&w, "id").to_string();

    let u = ok(&emu, &["update", &id, "--description", "second", "--json"]).json();
    assert_eq!(u["description"], "second");
    for same in ["url", "events", "headers", "filters", "status", "batch", "createdAt"] {
        assert_eq!(u[same], w[same], "{same} changed");
    }
    let secret = str_of(&w, "secret");
    assert_eq!(
        u["secret"],
        format!("whsec_…{}", &secret[secret.len() - 4..]),
        "the secret is kept, shown redacted"
    );

    let u = ok(&emu, &["update", &id, "--add-event", "case.*", "--remove-event", "lead.created", "--json"])
        .json();
    assert_eq!(u["events"], json!(["case.*"]));
    assert_eq!(u["description"], "second");

    let u = ok(&emu, &["update", &id, "--clear-headers", "--url", "http://127.0.0.1:9/b", "--json"]).json();
    assert_eq!(u["headers"], json!({}));
    assert_eq!(u["url"], "http://127.0.0.1:9/b");
    assert_eq!(u["filters"], json!({"status": "New"}));

    let human = ok(&emu, &["update", &id, "--batch", "--max-batch-size", "10"]).stdout;
    assert!(human.starts_with(&id) && !human.contains(str_of(&w, "secret")), "{human}");
    let got = ok(&emu, &["get", &id, "--json"]).json();
    assert_eq!((got["batch"].clone(), got["maxBatchSize"].clone()), (json!(true), json!(10)));
    assert_eq!(got["events"], json!(["case.*"]));

    let nothing = run(cli(&emu), &["update", &id]);
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
}

#[test]
fn disable_enable_and_delete() {
    let emu = emulator();
    let w = ok(&emu, &["create", "--url", "http://127.0.0.1:9/", "--event", "*", "--json"]).json();
    let id = str_of(&w, "id");

    assert_eq!(ok(&emu, &["disable", id]).stdout.trim(), format!("{id} is now disabled"));
    assert_eq!(ok(&emu, &["get", id, "--json"]).json()["status"], "disabled");
    let enabled = ok(&emu, &["enable", id, "--json"]).json();
    assert_eq!(enabled["status"], "active");
    assert_eq!(ok(&emu, &["get", id, "--json"]).json()["status"], "active");

    let refused = run(cli(&emu), &["delete", id]);
    assert_eq!(refused.code, 2, "no TTY and no --yes: {}", refused.stderr);
    assert_eq!(ok(&emu, &["get", id, "--json"]).json()["id"], id);

    assert_eq!(ok(&emu, &["delete", id, "--yes"]).stdout.trim(), format!("Deleted {id}"));
    let gone = run(cli(&emu), &["get", id]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains(&format!("no webhook with id '{id}'")), "{}", gone.stderr);
    assert_eq!(ok(&emu, &["list", "--json"]).json(), json!([]));
}

// ---------------------------------------------------------------- send-test / deliveries / redeliver

#[test]
fn send_test_deliveries_and_redeliver() {
    let emu = emulator();
    let receiver = TestServer::start(|_| Reply::text(200, "thanks"));
    let w = ok(
        &emu,
        &["create", "--url", &receiver.url("/in"), "--event", "case.*", "--secret", SECRET, "--json"],
    )
    .json();
    let id = str_of(&w, "id");

    let sent = ok(&emu, &["send-test", id, "--event", "case.closed", "--json"]).json();
    assert_eq!(sent["status"], "succeeded", "{sent}");
    assert_eq!(sent["responseStatus"], 200);
    let req = &receiver.wait_for(1)[0];
    assert_eq!(req.path, "/in");
    assert_eq!(req.header("x-scopien-signature"), doc_signature(SECRET, &req.body), "verifiable");
    let body = req.json();
    assert_eq!(body["event"], "case.closed");
    assert_eq!(body["id"], sent["eventId"]);

    let human = ok(&emu, &["deliveries", id]).stdout;
    assert!(human.starts_with("Recent Deliveries"), "{human}");
    assert!(human.contains("case.closed") && human.contains(str_of(&sent, "id")), "{human}");
    assert!(human.contains("Status: 200"), "{human}");

    let log = ok(&emu, &["deliveries", id, "--json"]).json();
    assert_eq!(log.as_array().unwrap().len(), 1);
    let first = &log[0];
    assert_eq!((first["id"].clone(), first["webhookId"].clone()), (sent["id"].clone(), json!(id)));
    assert_eq!((first["attempt"].clone(), first["status"].clone()), (json!(1), json!("succeeded")));
    assert!(first["durationMs"].is_u64() && first["nextRetryAt"].is_null(), "{first}");

    let again = ok(&emu, &["redeliver", str_of(&sent, "id")]);
    assert!(again.stdout.starts_with(&format!("Redelivery of {} requested", str_of(&sent, "id"))));
    let got = receiver.wait_for(2);
    assert_eq!(got[1].json()["id"], body["id"], "the same event again");
    assert_eq!(got[1].body, got[0].body, "byte for byte");
    let log = wait_deliveries(&emu, id, |l| l.len() == 2 && l.iter().all(|d| d["status"] == "succeeded"));
    assert!(log.iter().all(|d| d["eventId"] == body["id"]), "{log:#?}");
    assert_ne!(log[0]["id"], log[1]["id"]);

    let bad = run(cli(&emu), &["redeliver", "dlv_doesNotExist123"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("no delivery with id 'dlv_doesNotExist123'"), "{}", bad.stderr);
    let bad = run(cli(&emu), &["redeliver", "wh_notADelivery"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

// ---------------------------------------------------------------- login / logout / keys

#[test]
fn login_saves_the_key_and_logout_removes_it() {
    let emu = emulator();
    let dir = Dir::new();
    let config = dir.path("conf/scopien-hooks/config.toml");
    let config = config.to_str().unwrap();

    let login = run(cmd(), &["--config", config, "--api-base", &emu.url, "login", "--api-key", KEY]).ok();
    assert!(login.stdout.contains("sk_test_…ator") && !login.stdout.contains(KEY), "{}", login.stdout);
    assert!(!login.stderr.contains(KEY), "{}", login.stderr);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // No --api-key and no --api-base: both come from the saved profile.
    run(cmd(), &["--config", config, "create", "--url", "http://127.0.0.1:9/", "--event", "*"]).ok();
    let listed = run(cmd(), &["--config", config, "list", "--json"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let logout = run(cmd(), &["--config", config, "logout"]).ok();
    assert!(
        logout.stdout.contains("Logged out") && logout.stdout.contains("sk_test_…ator"),
        "{}",
        logout.stdout
    );
    assert!(!std::fs::read_to_string(config).unwrap().contains(KEY));
    let after = run(cmd(), &["--config", config, "list"]);
    assert_ne!(after.code, 0);
    assert!(after.stderr.contains("login"), "{}", after.stderr);

    let refused =
        run(cmd(), &["--config", config, "--api-base", &emu.url, "login", "--api-key", "sk_test_wrong_1234"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("nothing was saved"), "{}", refused.stderr);
}

#[test]
fn a_wrong_key_fails_with_the_login_hint() {
    let emu = emulator();
    let mut c = cmd();
    c.env("SCOPIEN_API_BASE", &emu.url).env("SCOPIEN_API_KEY", "sk_test_wrong_key_9876");
    let out = run(c, &["list"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("401"), "{}", out.stderr);
    assert!(out.stderr.contains("scopien-hooks login"), "{}", out.stderr);
    assert!(!out.stderr.contains("sk_test_wrong_key_9876"), "the key is never printed: {}", out.stderr);
}

// ---------------------------------------------------------------- trigger → listen

#[test]
fn trigger_reaches_listen_verified() {
    let emu = emulator();
    let listen = listener(&["--max-events", "2"]);
    let w = ok(
        &emu,
        &[
            "create",
            "--url",
            &format!("{}/", listen.url),
            "--event",
            "lead.created",
            "--secret",
            SECRET,
            "--json",
        ],
    )
    .json();
    let triggered = ok(&emu, &["trigger", "lead.created", "--count", "2"]).stdout;
    let mut ids: Vec<&str> = triggered.lines().collect();
    assert_eq!(ids.len(), 2, "{triggered}");

    let (status, out, err) = listen.wait();
    assert!(status.success(), "listen: {err:#?}");
    assert_eq!(out.len(), 2, "{out:#?}");
    let mut got: Vec<String> = Vec::new();
    for line in &out {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["verified"], true, "{v}");
        assert_eq!(v["status"], 200, "{v}");
        assert_eq!(v["event"], "lead.created");
        assert_eq!(v["error"], Value::Null);
        assert_eq!(v["payload"]["id"], v["event_id"]);
        got.push(str_of(&v, "event_id").to_string());
    }
    got.sort();
    ids.sort();
    assert_eq!(got, ids);

    let log = wait_deliveries(&emu, str_of(&w, "id"), |l| {
        l.len() == 2 && l.iter().all(|d| d["status"] == "succeeded")
    });
    assert!(log.iter().all(|d| d["responseStatus"] == 200 && d["attempt"] == 1), "{log:#?}");
}

#[test]
fn fail_first_retry_loop_through_the_cli() {
    let emu = emulator();
    let listen = listener(&["--fail-first", "2", "--max-events", "1"]);
    let w = ok(
        &emu,
        &["create", "--url", &format!("{}/", listen.url), "--event", "*", "--secret", SECRET, "--json"],
    )
    .json();
    let id = str_of(&w, "id");
    let event = ok(&emu, &["trigger", "case.updated"]).stdout.trim().to_string();

    let (status, out, err) = listen.wait();
    assert!(status.success(), "listen: {err:#?}");
    let statuses: Vec<u64> = out
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .inspect(|v| {
            assert_eq!((v["event_id"].as_str(), &v["verified"]), (Some(event.as_str()), &json!(true)))
        })
        .map(|v| v["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 200]);

    let log = wait_deliveries(&emu, id, |l| l.iter().any(|d| d["status"] == "succeeded"));
    let mut attempts: Vec<&Value> = log.iter().filter(|d| d["eventId"] == event.as_str()).collect();
    attempts.sort_by_key(|d| d["attempt"].as_u64());
    let seen: Vec<(u64, &str, u64)> = attempts
        .iter()
        .map(|d| (d["attempt"].as_u64().unwrap(), str_of(d, "status"), d["responseStatus"].as_u64().unwrap()))
        .collect();
    assert_eq!(seen, [(1, "failed", 500), (2, "failed", 500), (3, "succeeded", 200)]);
}

// ---------------------------------------------------------------- the README's CI loop

const START: &str = "<!-- offline-ci-loop:start -->";
const END: &str = "<!-- offline-ci-loop:end -->";

/// The fenced block between the README's offline-ci-loop markers.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find(START).expect("README has the start marker") + START.len();
    let end = readme[start..].find(END).expect("README has the end marker") + start;
    let inner = readme[start..end].trim();
    let body = inner.strip_prefix("```bash\n").expect("a ```bash block right after the marker");
    body.strip_suffix("```").expect("the block ends at the end marker").to_string()
}

/// Processes (not zombies) still in process group `pgid`.
fn live_in_group(pgid: u32) -> Vec<String> {
    let mut left = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() > 2 && fields[2] == pgid.to_string() && fields[0] != "Z" {
            left.push(format!("{head})"));
        }
    }
    left
}

/// The README's fixed port, or a free one when something else on this machine
/// (another run of this suite, say) holds it: the block runs as written otherwise.
fn port_for(block: &mut String, fixed: u16) -> u16 {
    if std::net::TcpListener::bind(("127.0.0.1", fixed)).is_ok() {
        return fixed;
    }
    // The emulator must bind this port itself, so it is released before use.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    *block = block.replace(&fixed.to_string(), &free.to_string());
    free
}

#[test]
fn readme_offline_ci_loop_runs_as_written() {
    let mut block = readme_block();
    assert!(block.contains("scopien-hooks emulate") && block.contains("scopien-hooks deliveries"));
    let (api_port, listen_port) = (port_for(&mut block, 8788), port_for(&mut block, 3001));
    let exe = std::path::PathBuf::from(assert_cmd::cargo::cargo_bin!("scopien-hooks"));
    let bin_dir = exe.parent().unwrap();
    let home = Dir::new();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());

    let mut sh = Command::new("bash");
    sh.args(["-euo", "pipefail", "-c", &block]).env_clear();
    sh.env("PATH", path)
        .env("HOME", home.root())
        .env("XDG_CONFIG_HOME", home.path("config"))
        .env("XDG_DATA_HOME", home.path("data"))
        .env("XDG_STATE_HOME", home.path("state"))
        .env("XDG_CACHE_HOME", home.path("cache"))
        .env("NO_COLOR", "1")
        .current_dir(home.root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = sh.spawn().expect("run bash");
    let pgid = child.id();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    // The block's trap must have stopped the emulator and the listener by the time
    // bash exits (it waits for them); allow a moment for the kernel to reap them.
    let settle = Instant::now() + Duration::from_secs(5);
    let mut left = live_in_group(pgid);
    while !left.is_empty() && Instant::now() < settle {
        thread::sleep(Duration::from_millis(20));
        left = live_in_group(pgid);
    }
    if !left.is_empty() {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
    }
    // Every writer of the pipes is gone now, so the readers end.
    let (stdout, stderr) = (out_reader.join().unwrap(), err_reader.join().unwrap());
    let status = status.unwrap_or_else(|| panic!("timed out\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    assert!(status.success(), "exit {status}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(left.is_empty(), "left behind: {left:?}");

    // listen's view: two simulated failures, then the verified delivery.
    assert_eq!(stdout.matches("simulated failure").count(), 2, "{stdout}");
    assert!(
        stderr.contains(&format!("Ready! Scopien emulator on http://127.0.0.1:{api_port}/v1")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("Ready! Listening on http://127.0.0.1:{listen_port}")), "{stderr}");
    assert!(stderr.contains("1 event accepted"), "{stderr}");
    // The deliveries view, newest first: succeeded, failed, failed.
    let view = &stdout[stdout.find("Recent Deliveries").expect("the deliveries view")..];
    let marks: Vec<&str> = view
        .lines()
        .filter_map(|l| {
            if l.starts_with("✅") {
                Some("succeeded")
            } else if l.starts_with("❌") {
                Some("failed")
            } else {
                None
            }
        })
        .collect();
    assert_eq!(marks, ["succeeded", "failed", "failed"], "{view}");
    assert!(view.contains("case.updated") && view.contains("Retried: 2 times"), "{view}");
}

// ---------------------------------------------------------------- trigger through the API client

#[test]
fn trigger_traces_with_the_key_redacted() {
    let emu = emulator();
    let out = ok(&emu, &["trigger", "lead.created", "--count", "3", "-v"]);
    assert_eq!(out.stdout.lines().count(), 3);
    assert!(out.stderr.contains(&format!("> POST {}/events", emu.url)), "{}", out.stderr);
    assert!(out.stderr.contains("> authorization: Bearer sk_test_…ator"), "{}", out.stderr);
    assert!(out.stderr.contains("> idempotency-key: "), "{}", out.stderr);
    assert!(out.stderr.contains("< 201"), "{}", out.stderr);
    assert!(!out.stderr.contains(KEY), "the key is never traced in full: {}", out.stderr);
}

#[test]
fn trigger_retries_an_unavailable_api_with_the_same_idempotency_key() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let api = TestServer::start(move |req| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return Reply::json(503, json!({"error": {"code": "unavailable", "message": "busy"}}));
        }
        let n = req.json()["events"].as_array().map_or(1, Vec::len);
        let events: Vec<Value> =
            (0..n).map(|i| json!({"id": format!("evt_{i:024}"), "event": "lead.created"})).collect();
        Reply::json(201, json!({"data": events}))
    });
    let mut c = cmd();
    c.args(["--api-base", &api.url("/v1"), "--api-key", KEY]);
    let out = run(c, &["trigger", "lead.created", "--count", "2", "--json"]).ok();
    assert_eq!(out.json().as_array().unwrap().len(), 2);
    let reqs = api.requests();
    assert_eq!(reqs.len(), 2, "one retry");
    for r in &reqs {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/events"));
        assert_eq!(r.header("authorization"), format!("Bearer {KEY}"));
        assert_eq!(r.json()["events"].as_array().unwrap().len(), 2);
    }
    let key = reqs[0].header("idempotency-key");
    assert!(key.len() >= 16 && reqs[1].header("idempotency-key") == key, "{key}");
    assert_eq!(reqs[0].body, reqs[1].body);

    // An answer that does not match the request is an error, not silently fewer ids.
    let short = TestServer::start(|_| Reply::json(201, json!({"data": [{"id": "evt_1"}]})));
    let mut c = cmd();
    c.args(["--api-base", &short.url("/v1"), "--api-key", KEY]);
    let out = run(c, &["trigger", "lead.created", "--count", "2"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("unexpected answer"), "{}", out.stderr);
}
