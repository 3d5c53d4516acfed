//! The emulator under test: `emulate` started on a free port, and a small
//! blocking client for its API.

use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Running, WAIT, bin};

/// The API key the emulator accepts unless told otherwise.
pub const KEY: &str = "sk_test_emulator";

/// `emulate` on a free port with extra arguments, to start.
pub fn command(args: &[&str]) -> Command {
    let mut c = bin();
    c.args(["emulate", "--port", "0"]).args(args);
    c
}

/// Starts `emulate` on a free port with extra arguments.
pub fn start(args: &[&str]) -> Running {
    Running::start(command(args))
}

/// Calls `f` every 20 ms until it returns something, for at most [`WAIT`].
pub fn poll<T>(f: impl Fn() -> Option<T>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "condition not met in time");
        thread::sleep(Duration::from_millis(20));
    }
}

/// A client for one emulator's API.
pub struct Api {
    /// The emulator's address, `http://127.0.0.1:PORT`.
    pub base: String,
    key: String,
    /// The underlying client, for requests the helpers do not make.
    pub http: reqwest::blocking::Client,
}

impl Api {
    /// A client of `emu` with the default key.
    pub fn new(emu: &Running) -> Api {
        Api::at(&emu.url, KEY)
    }

    /// A client of `emu` sending `key`.
    pub fn with_key(emu: &Running, key: &str) -> Api {
        Api::at(&emu.url, key)
    }

    /// A client of the emulator at `base` sending `key`.
    pub fn at(base: &str, key: &str) -> Api {
        Api { base: base.into(), key: key.into(), http: reqwest::blocking::Client::new() }
    }

    /// `method path` with an optional JSON body and `Idempotency-Key`: the
    /// status and the answer (JSON, or the text as a string).
    pub fn send(&self, method: &str, path: &str, body: Option<Value>, key: Option<&str>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(m, format!("{}{path}", self.base)).bearer_auth(&self.key);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().expect("the emulator answers");
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// [`Api::send`] without a key.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, path, body, None)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> (u16, Value) {
        self.call("GET", path, None)
    }

    /// `POST path` with a JSON body.
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call("POST", path, Some(body))
    }

    /// Creates a webhook; returns its data (id, secret, …).
    pub fn create(&self, body: Value) -> Value {
        let (status, v) = self.post("/webhooks", body);
        assert_eq!(status, 201, "{v}");
        v["data"].clone()
    }

    /// Emits one event (with this `data`, if any); returns it.
    pub fn emit(&self, event: &str, data: Option<Value>) -> Value {
        let mut body = json!({"event": event});
        if let Some(d) = data {
            body["data"] = d;
        }
        let (status, v) = self.post("/events", body);
        assert_eq!(status, 201, "{v}");
        v["data"].clone()
    }

    /// A webhook's delivery log, newest first (up to 100).
    pub fn deliveries(&self, webhook: &str) -> Vec<Value> {
        let (status, v) = self.get(&format!("/webhooks/{webhook}/deliveries?limit=100"));
        assert_eq!(status, 200, "{v}");
        v["data"].as_array().unwrap().clone()
    }

    /// Polls the delivery log until `done` holds (bounded).
    pub fn wait_log(&self, webhook: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        poll(|| Some(self.deliveries(webhook)).filter(|log| done(log)))
    }

    /// A webhook's status.
    pub fn status_of(&self, webhook: &str) -> String {
        self.get(&format!("/webhooks/{webhook}")).1["data"]["status"].as_str().unwrap().to_string()
    }
}
