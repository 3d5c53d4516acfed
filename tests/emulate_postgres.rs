//! Several `emulate` processes on one PostgreSQL database (a throwaway cluster
//! from the machine's server packages): one shared service, each attempt made
//! by one instance, nothing lost when one is killed, one rate cap, one set of
//! webhooks and idempotency keys, new work announced to the others, one
//! instance pruning at a time.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use common::emulator::{self, Api};
use common::{Recorded, Reply, Running, TestServer, WAIT, bin, cmd, postgres};
use scopien_hooks::emulator::postgres::{PRUNE_LOCK, PgStore};
use scopien_hooks::emulator::storage::{NewEvent, Store};
use serde_json::{Value, json};

/// Starts `n` emulators on the database `url` at once (so they race to migrate it).
fn instances(n: usize, url: &str, args: &[&str]) -> Vec<Running> {
    let spawned: Vec<_> = (0..n)
        .map(|_| {
            let mut c = emulator::command(&["--db", url]);
            c.args(args);
            thread::spawn(move || Running::start(c))
        })
        .collect();
    spawned.into_iter().map(|t| t.join().expect("an emulator started")).collect()
}

fn call(base: &str, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> (u16, Value) {
    Api::at(base, emulator::KEY).send(method, path, body, key)
}

fn create(base: &str, body: Value) -> String {
    Api::at(base, emulator::KEY).create(body)["id"].as_str().unwrap().to_string()
}

/// `POST /events` with `n` events of `name`.
fn emit(base: &str, name: &str, n: usize) {
    let events: Vec<Value> = (0..n).map(|_| json!({"event": name})).collect();
    let (status, v) = call(base, "POST", "/events", Some(Value::Array(events)), None);
    assert_eq!(status, 201, "{v}");
}

/// Polls `f` every 50 ms until it holds, for at most `limit`.
fn eventually(limit: Duration, what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "not in time: {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

fn count(url: &str, sql: &str) -> usize {
    postgres::query(url, sql).parse().unwrap_or_else(|_| panic!("{sql}: not a count"))
}

fn event_id(req: &Recorded) -> String {
    req.json()["id"].as_str().unwrap().to_string()
}

#[test]
fn ten_thousand_events_across_three_instances_are_each_delivered_once() {
    let url = postgres::database();
    let mut emus = instances(3, &url, &["--max-rate", "0", "--time-scale", "0.001"]);
    assert_eq!(postgres::query(&url, "SELECT version FROM scopien_hooks_schema"), "2", "migrated once");
    let rx = TestServer::ok();
    create(&emus[0].url, json!({"url": rx.url("/"), "events": ["lead.created"]}));
    let bases: Vec<String> = emus.iter().map(|e| e.url.clone()).collect();
    let posters: Vec<_> = (0..10)
        .map(|i| {
            let base = bases[i % 3].clone();
            thread::spawn(move || emit(&base, "lead.created", 1000))
        })
        .collect();
    for p in posters {
        p.join().unwrap();
    }
    let limit = Duration::from_secs(120);
    eventually(limit, "10,000 deliveries", || rx.requests().len() >= 10_000);
    eventually(limit, "an empty queue", || count(&url, "SELECT COUNT(*) FROM jobs") == 0);
    let got = rx.requests();
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for r in &got {
        *per_event.entry(event_id(r)).or_default() += 1;
    }
    assert_eq!(per_event.len(), 10_000, "every event arrived");
    let twice: Vec<_> = per_event.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(got.len(), 10_000);
    assert_eq!(
        count(&url, "SELECT COUNT(*) FROM deliveries WHERE status='succeeded' AND attempt=1"),
        10_000,
        "one attempt each, all logged"
    );
    // The work was shared: every instance made attempts.
    for emu in &mut emus {
        emu.stderr_until(|l| l.contains("✔") && l.contains("lead.created"));
    }
}

#[test]
fn kill_9_of_one_instance_mid_retry_and_the_others_finish_every_delivery() {
    let url = postgres::database();
    // The first attempt of each event fails; the second is answered slowly, so
    // that attempts are in flight when the instance dies.
    let first_seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let successes: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let (seen, ok) = (first_seen.clone(), successes.clone());
    let rx = TestServer::start(move |req| {
        let id = event_id(req);
        let mut seen = seen.lock().unwrap();
        let n = seen.entry(id.clone()).or_default();
        *n += 1;
        if *n == 1 {
            return Reply::text(500, "not yet");
        }
        ok.lock().unwrap().push((id, Instant::now()));
        Reply::text(200, "OK").delayed(Duration::from_secs(3))
    });
    let args = ["--max-rate", "0", "--time-scale", "0.02", "--delivery-timeout", "5s"];
    // One instance takes all the events; once its retries are in flight, two
    // more join and the first is killed.
    let mut emus = instances(1, &url, &args);
    let hook = create(&emus[0].url, json!({"url": rx.url("/"), "events": ["task.created"]}));
    emit(&emus[0].url, "task.created", 300);
    eventually(WAIT, "retries in flight", || successes.lock().unwrap().len() >= 100);
    emus.extend(instances(2, &url, &args));
    emus[0].signal("KILL");
    let killed_at = Instant::now();
    let dead = emus.remove(0);
    let (status, _, _) = dead.wait();
    assert!(!status.success());

    // Leases of the dead instance run out after the delivery timeout plus its margin.
    eventually(WAIT + Duration::from_secs(10), "every event delivered", || {
        count(&url, "SELECT COUNT(*) FROM jobs") == 0
    });
    let succeeded = count(
        &url,
        &format!(
            "SELECT COUNT(DISTINCT event_id) FROM deliveries WHERE webhook_id='{hook}' AND status='succeeded'"
        ),
    );
    assert_eq!(succeeded, 300, "none lost");
    assert_eq!(
        count(
            &url,
            &format!("SELECT COUNT(*) FROM deliveries WHERE webhook_id='{hook}' AND status='succeeded'")
        ),
        300,
        "one success logged per event"
    );
    let oks = successes.lock().unwrap().clone();
    let mut by_event: HashMap<&str, Vec<Instant>> = HashMap::new();
    for (id, at) in &oks {
        by_event.entry(id.as_str()).or_default().push(*at);
    }
    assert_eq!(by_event.len(), 300, "every event was answered 200");
    // A duplicate is an attempt the killed instance made but could not record:
    // every extra success was sent before the kill. Its request may still be read
    // (by a busy test server) a little after the kill, but always before the dead
    // instance's leases could run out (the 1 s delivery timeout at the least).
    let in_flight_until = killed_at + Duration::from_secs(1);
    let mut duplicates = 0;
    for (id, times) in &by_event {
        let mut times = times.clone();
        times.sort();
        for extra in &times[..times.len() - 1] {
            assert!(
                *extra < in_flight_until,
                "{id}: a second success after the dead instance's leases ran out"
            );
            duplicates += 1;
        }
    }
    eprintln!("duplicates from attempts in flight at the kill: {duplicates}");
    let taken_over = oks.iter().filter(|(_, at)| *at > killed_at).count();
    assert!(taken_over > 0, "the kill came after all the work was done");
    assert!(duplicates <= 256, "more duplicates ({duplicates}) than one instance has attempts open");
    drop(emus);
}

#[test]
fn the_rate_cap_holds_across_instances() {
    let url = postgres::database();
    let emus = instances(3, &url, &["--max-rate", "50", "--time-scale", "0.001"]);
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let a2 = arrivals.clone();
    let rx = TestServer::start(move |_| {
        a2.lock().unwrap().push(Instant::now());
        Reply::text(200, "OK")
    });
    create(&emus[0].url, json!({"url": rx.url("/"), "events": ["contact.created"]}));
    let posted = Instant::now();
    let posters: Vec<_> = emus
        .iter()
        .map(|e| {
            let base = e.url.clone();
            thread::spawn(move || emit(&base, "contact.created", 34))
        })
        .collect();
    for p in posters {
        p.join().unwrap();
    }
    rx.wait_for(102);
    let mut times = arrivals.lock().unwrap().clone();
    times.sort();
    // At 50/s the k-th delivery, whichever instance makes it, has a slot at
    // least k × 20 ms after the events were posted (three separate caps would
    // allow k × 6.7 ms). A busy machine only ever makes a delivery later.
    for (k, t) in times.iter().enumerate() {
        let earliest = Duration::from_millis(20 * k as u64).saturating_sub(Duration::from_millis(5));
        assert!(*t - posted >= earliest, "delivery {k} came {:?} after posting: not paced", *t - posted);
    }
}

#[test]
fn every_instance_serves_the_same_webhooks_and_idempotency_keys() {
    let url = postgres::database();
    let emus = instances(2, &url, &["--time-scale", "0.001"]);
    let (a, b) = (&emus[0].url, &emus[1].url);
    let rx = TestServer::ok();
    let hook = create(a, json!({"url": rx.url("/"), "events": ["case.created"]}));
    // Created on one, served by the other at once.
    let (status, v) = call(b, "GET", &format!("/webhooks/{hook}"), None, None);
    assert_eq!((status, v["data"]["id"].as_str()), (200, Some(hook.as_str())), "{v}");
    let (_, list) = call(b, "GET", "/webhooks", None, None);
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    emit(b, "case.created", 1);
    let got = rx.wait_for(1);
    assert_eq!(got[0].json()["event"], "case.created");
    let (status, v) = call(b, "POST", &format!("/webhooks/{hook}/disable"), None, None);
    assert_eq!(status, 200, "{v}");
    let (_, v) = call(a, "GET", &format!("/webhooks/{hook}"), None, None);
    assert_eq!(v["data"]["status"], "disabled");

    // An Idempotency-Key used on one instance holds on the other.
    let body = json!({"url": rx.url("/k"), "events": ["*"]});
    let (s1, first) = call(a, "POST", "/webhooks", Some(body.clone()), Some("create-1"));
    let (s2, again) = call(b, "POST", "/webhooks", Some(body), Some("create-1"));
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first["data"]["id"], again["data"]["id"]);
    let (s1, e1) = call(a, "POST", "/events", Some(json!({"event": "lead.created"})), Some("emit-1"));
    let (s2, e2) = call(b, "POST", "/events", Some(json!({"event": "lead.created"})), Some("emit-1"));
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(e1["data"]["id"], e2["data"]["id"]);
    assert_eq!(count(&url, "SELECT COUNT(*) FROM events WHERE name='lead.created'"), 1, "emitted once");
    let (status, v) =
        call(b, "POST", "/webhooks", Some(json!({"url": rx.url("/x"), "events": ["*"]})), Some("create-1"));
    assert_eq!((status, v["error"]["code"].as_str()), (422, Some("idempotency_key_reused")), "{v}");
}

#[test]
fn the_url_password_is_never_printed_and_the_environment_names_the_database() {
    let url = postgres::database();
    let with_password = url.replacen("postgres@", "postgres:hunter2secret@", 1);
    let mut c = bin();
    c.args(["-v", "emulate", "--port", "0"]).env("SCOPIEN_EMULATOR_DB", &with_password);
    let mut emu = Running::start(c);
    let line = emu.stderr_until(|l| l.starts_with("Database:"));
    assert!(line.contains("postgres://postgres:***@127.0.0.1:"), "{line}");
    call(&emu.url, "GET", "/webhooks", None, None);
    emu.signal("TERM");
    let mut all = emu.stderr_seen.join("\n");
    let (status, _, rest) = emu.wait();
    assert!(status.success());
    all.push_str(&rest.join("\n"));
    assert!(!all.contains("hunter2secret"), "{all}");

    // A server that is not there: exit 1, one error line, still no password.
    let closed = common::closed_port();
    let nowhere = format!("postgres://postgres:hunter2secret@127.0.0.1:{}/nowhere", closed.port());
    let out = cmd().args(["emulate", "--port", "0", "--db", &nowhere]).timeout(WAIT).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error:")).count(), 1, "{stderr}");
    assert!(stderr.contains("postgres://postgres:***@127.0.0.1:"), "{stderr}");
    assert!(!stderr.contains("hunter2secret"), "{stderr}");
}

/// The payloads of the notifications on the emulators' work channel of the
/// database `url`, from a session that listens from before this returns.
fn notifications(url: &str) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let (listening, ready) = mpsc::channel();
    let url = url.to_string();
    thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let (client, mut conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            let messages = async move {
                while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                    if let Ok(tokio_postgres::AsyncMessage::Notification(n)) = m
                        && tx.send(n.payload().to_string()).is_err()
                    {
                        return;
                    }
                }
            };
            let subscribe = async {
                client.batch_execute("LISTEN scopien_hooks_work").await.unwrap();
                listening.send(()).unwrap();
                std::future::pending::<()>().await
            };
            tokio::select! { _ = messages => {}, _ = subscribe => {} }
        });
    });
    ready.recv_timeout(WAIT).expect("listening");
    rx
}

#[test]
fn an_instance_that_queues_events_announces_them_to_the_others() {
    let url = postgres::database();
    let emus = instances(1, &url, &["--time-scale", "0.001"]);
    let notes = notifications(&url);
    let rx = TestServer::ok();
    create(&emus[0].url, json!({"url": rx.url("/"), "events": ["lead.created"]}));
    emit(&emus[0].url, "lead.created", 1);
    let from = notes.recv_timeout(WAIT).expect("the queued event is announced");
    assert!(from.starts_with("emu_"), "the payload names the instance: {from}");
    rx.wait_for(1);
}

/// Events no webhook takes (so they end as soon as they are stored), created at `at_ms`.
async fn ended_events(store: &PgStore, n: usize, at_ms: i64) -> Vec<String> {
    let events: Vec<NewEvent> = (0..n)
        .map(|i| {
            let id = format!("evt_prune{at_ms}x{i}");
            let body = serde_json::to_vec(&json!({"id": id, "event": "lead.created", "data": {}})).unwrap();
            NewEvent { id, name: "lead.created".into(), body, data: json!({}) }
        })
        .collect();
    let ids = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(store.insert_events(events, at_ms).await.unwrap(), 0, "no webhook: nothing queued");
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_prunes_at_a_time_and_the_others_skip_their_round() {
    let url = postgres::database();
    let first = Arc::new(PgStore::connect(&url).await.unwrap());
    let second = PgStore::connect(&url).await.unwrap();
    let old = ended_events(&first, 3, 1_000).await;
    let events = |url: &str| count(url, "SELECT COUNT(*) FROM events");

    // Hold one of the old events, so that the first instance's prune stops
    // half-way, inside its transaction, with the prune lock taken.
    let (holder, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    holder.batch_execute("BEGIN").await.unwrap();
    holder.execute("SELECT 1 FROM events WHERE id=$1 FOR UPDATE", &[&old[0]]).await.unwrap();
    let pruning = tokio::spawn({
        let first = first.clone();
        async move { first.prune(5_000, 100).await }
    });
    let held = format!(
        "SELECT COUNT(*) FROM pg_locks WHERE locktype='advisory' AND granted \
         AND database=(SELECT oid FROM pg_database WHERE datname=current_database()) \
         AND classid::bigint={} AND objid::bigint={}",
        PRUNE_LOCK >> 32,
        PRUNE_LOCK & 0xffff_ffff
    );
    eventually(WAIT, "the first instance pruning", || count(&url, &held) == 1);

    // The second instance skips its round while the first prunes, however much
    // is due, without waiting for it.
    for cutoff in [5_000, i64::MAX] {
        let skipped = tokio::time::timeout(WAIT, second.prune(cutoff, 100)).await.expect("no wait");
        assert_eq!(skipped.unwrap(), 0);
    }
    assert_eq!(events(&url), 3, "nothing removed beside the running prune");

    // Let the first one finish: it removes every old event.
    holder.batch_execute("COMMIT").await.unwrap();
    let removed = tokio::time::timeout(WAIT, pruning).await.expect("the prune finishes").unwrap();
    assert_eq!(removed.unwrap(), 3);
    assert_eq!(events(&url), 0);
    assert_eq!(count(&url, &held), 0, "the lock went with the transaction");

    // With nobody pruning, the second instance prunes: old events go, newer ones stay.
    let older = ended_events(&first, 2, 2_000).await;
    let newer = ended_events(&first, 1, 9_000).await;
    assert_eq!(second.prune(5_000, 100).await.unwrap(), 2);
    let left = postgres::query(&url, "SELECT id FROM events");
    assert_eq!(left, newer[0], "{older:?} removed");
}
