//! `--scheme` against each provider's own code, both ways: what the provider's
//! library signs, `verify` and `listen` accept; what `sign` and `send-test`
//! write, the library's verifier accepts; a tampered body or a stale timestamp
//! is refused by both. The libraries (PyPI `standardwebhooks`, `svix`, `stripe`,
//! `slack_sdk`; npm `@octokit/webhooks-methods`; Shopify's documented HMAC) are
//! installed by `./test.sh`, which says where through `INTEROP_PYTHON` and
//! `INTEROP_NODE`; without them these tests fail, saying so.

mod common;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{Dir, Out, Recorded, Running, TestServer, bin, cmd, run};

/// One provider: its library, our scheme name, a secret in its own format, a body of its own shape.
struct Provider {
    library: &'static str,
    scheme: &'static str,
    secret: &'static str,
    payload: &'static str,
}

/// The event name `listen` should show for each provider's payload, and the
/// headers that provider sends beside the signature.
fn delivery_headers(p: &Provider) -> (&'static str, Vec<(String, String)>) {
    let pairs: &[(&str, &str)] = match p.scheme {
        "github" => {
            &[("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")]
        }
        "shopify" => &[
            ("X-Shopify-Topic", "orders/create"),
            ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
        ],
        _ => &[],
    };
    let event = match p.scheme {
        "standard" => "invoice.paid",
        "stripe" => "payment_intent.succeeded",
        "slack" => "app_mention",
        "github" => "push",
        _ => "orders/create",
    };
    (event, pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

const fn provider(
    library: &'static str,
    scheme: &'static str,
    secret: &'static str,
    payload: &'static str,
) -> Provider {
    Provider { library, scheme, secret, payload }
}

const STANDARDWEBHOOKS: Provider =
    provider("standardwebhooks", "standard", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "standard.json");
const SVIX: Provider =
    provider("svix", "standard", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "standard.json");
const STRIPE: Provider = provider("stripe", "stripe", "whsec_4eC39HqLyjWDarjtT1zdp7dc", "stripe.json");
const SLACK: Provider = provider("slack_sdk", "slack", "8f742231b10e8888abcd99yyyzzz85a5", "slack.json");
const GITHUB: Provider = provider("octokit", "github", "It's a Secret to Everybody", "github.json");
const SHOPIFY: Provider =
    provider("shopify", "shopify", "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", "shopify.json");

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// An interpreter `./test.sh` set up, or a failure saying to run it.
fn prerequisite(var: &str, what: &str) -> String {
    match std::env::var(var) {
        Ok(path) if std::path::Path::new(&path).exists() => path,
        _ => panic!(
            "{var} is not set to {what}: run ./test.sh, which installs the providers' libraries these tests check against"
        ),
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

impl Provider {
    fn timestamped(&self) -> bool {
        matches!(self.scheme, "standard" | "stripe" | "slack")
    }

    fn body(&self) -> Vec<u8> {
        std::fs::read(interop_dir().join("payloads").join(self.payload)).expect("a provider payload")
    }

    /// The library's driver with `args`, the body on stdin.
    fn driver(&self, action: &str, args: &[&str], body: &[u8]) -> Out {
        let mut c = if self.library == "octokit" {
            let node = prerequisite("INTEROP_NODE", "node");
            assert!(
                interop_dir().join("node_modules/@octokit/webhooks-methods").exists(),
                "@octokit/webhooks-methods is not installed in tests/interop/node_modules: run ./test.sh"
            );
            let mut c = assert_cmd::Command::new(node);
            c.arg(interop_dir().join("github.mjs")).arg(action);
            c
        } else {
            let python = prerequisite("INTEROP_PYTHON", "the interop venv's python");
            let mut c = assert_cmd::Command::new(python);
            c.arg(interop_dir().join("provider.py")).args([action, self.library]);
            c
        };
        c.arg(self.secret).args(args).write_stdin(body.to_vec());
        run(c, &[])
    }

    /// The headers the library signs `body` with, at `timestamp` when the scheme has one.
    fn library_sign(&self, body: &[u8], timestamp: Option<u64>) -> Vec<(String, String)> {
        let ts = timestamp.map(|t| t.to_string());
        let args: Vec<&str> = match &ts {
            Some(t) if self.library != "octokit" => vec!["--timestamp", t],
            _ => vec![],
        };
        let out = self.driver("sign", &args, body).ok();
        headers_of(&out.json())
    }

    /// Whether the library's verifier accepts `headers` for `body`.
    fn library_verifies(&self, headers: &[(String, String)], body: &[u8]) -> bool {
        let map: serde_json::Map<String, serde_json::Value> =
            headers.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
        let out = self.driver("verify", &[&serde_json::Value::Object(map).to_string()], body);
        assert!(matches!(out.code, 0 | 1), "the {} driver failed: {}", self.library, out.stderr);
        out.code == 0
    }

    /// `scopien-hooks sign --scheme S --json` for `body`, optionally at `timestamp`.
    fn our_sign(&self, dir: &Dir, body: &[u8], timestamp: Option<u64>) -> Vec<(String, String)> {
        let file = dir.write("signed.json", body);
        let ts = timestamp.map(|t| t.to_string());
        let mut args = vec!["--json", "sign", "--scheme", self.scheme, "--secret", self.secret];
        args.extend(["--payload", file.to_str().unwrap()]);
        if let Some(t) = &ts {
            args.extend(["--timestamp", t]);
        }
        headers_of(&run(cmd(), &args).ok().json())
    }

    /// `scopien-hooks verify --scheme S -H …` for `body`, with `secrets`.
    fn our_verify(&self, dir: &Dir, headers: &[(String, String)], body: &[u8], secrets: &[&str]) -> Out {
        let file = dir.write("received.json", body);
        let lines: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        let mut args = vec!["verify", "--scheme", self.scheme, "--payload", file.to_str().unwrap()];
        for s in secrets {
            args.extend(["--secret", s]);
        }
        for l in &lines {
            args.extend(["-H", l]);
        }
        run(cmd(), &args)
    }
}

/// POSTs `body` with `headers` to a running listener; returns the status and its NDJSON line.
fn deliver(l: &mut Running, headers: &[(String, String)], body: &[u8]) -> (u16, serde_json::Value) {
    let client = reqwest::blocking::Client::builder().timeout(common::WAIT).build().unwrap();
    let mut req = client.post(&l.url).header("content-type", "application/json").body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let status = req.send().expect("the listener answers").status().as_u16();
    let line = l.stdout_line();
    (status, serde_json::from_str(&line).unwrap_or_else(|e| panic!("an NDJSON line ({e}): {line}")))
}

/// What the library signs, `listen --scheme` accepts and names by the
/// provider's event; a tampered body or stale timestamp gets 401 with its reason;
/// `--events` filters on the provider's event name.
fn library_to_listen(p: &Provider) {
    let body = p.body();
    let (event, extra) = delivery_headers(p);
    let mut c = bin();
    c.args(["listen", "--port", "0", "--json", "--scheme", p.scheme, "--secret", p.secret]);
    let mut l = Running::start(c);
    let signed = [p.library_sign(&body, None), extra.clone()].concat();
    let (status, rec) = deliver(&mut l, &signed, &body);
    assert_eq!((status, &rec["verified"], &rec["event"]), (200, &true.into(), &event.into()), "{rec}");
    let (status, rec) = deliver(&mut l, &signed, &tampered(&body));
    assert_eq!((status, &rec["error"]), (401, &"signature mismatch".into()), "{rec}");
    if p.timestamped() {
        let stale = [p.library_sign(&body, Some(now() - 600)), extra.clone()].concat();
        let (status, rec) = deliver(&mut l, &stale, &body);
        assert_eq!((status, &rec["error"]), (401, &"stale timestamp".into()), "{rec}");
    }
    l.signal("TERM");
    l.wait();

    let mut c = bin();
    c.args(["listen", "--port", "0", "--json", "--scheme", p.scheme, "--secret", p.secret]);
    c.args(["--events", "not.this.one", "--no-dedupe"]);
    let mut l = Running::start(c);
    let (status, rec) = deliver(&mut l, &signed, &body);
    assert_eq!((status, &rec["filtered"], &rec["event"]), (200, &true.into(), &event.into()), "{rec}");
    l.signal("TERM");
    l.wait();
}

fn received_headers(req: &Recorded) -> Vec<(String, String)> {
    req.headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string())).collect()
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v)
}

/// What `send-test --scheme S --payload FILE` sends, the library accepts: the
/// exact body, signed in the provider's headers.
fn send_test_to_library(p: &Provider) {
    let server = TestServer::ok().expect(1);
    let file = interop_dir().join("payloads").join(p.payload);
    let url = server.url("/hooks");
    let (_, extra) = delivery_headers(p);
    let lines: Vec<String> = extra.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let mut args = vec!["send-test", &url, "--scheme", p.scheme, "--secret", p.secret];
    args.extend(["--payload", file.to_str().unwrap()]);
    for l in &lines {
        args.extend(["-H", l]);
    }
    run(cmd(), &args).ok();
    let req = &server.wait_for(1)[0];
    assert_eq!(req.body, p.body());
    assert!(p.library_verifies(&received_headers(req), &req.body), "{} refused {:?}", p.library, req.headers);
}

/// A delivery `listen --save` kept, `replay --secret` re-signs with a new
/// timestamp (the same message id) that the library accepts.
fn replay_resigns(p: &Provider) {
    let dir = Dir::new();
    let save = dir.path("saved.ndjson");
    let body = p.body();
    let mut c = bin();
    c.args(["listen", "--port", "0", "--json", "--scheme", p.scheme, "--secret", p.secret]);
    c.args(["--save", save.to_str().unwrap()]);
    let mut l = Running::start(c);
    let earlier = p.library_sign(&body, Some(now() - 120));
    let (status, _) = deliver(&mut l, &earlier, &body);
    assert_eq!(status, 200);
    l.signal("TERM");
    l.wait();

    let server = TestServer::ok().expect(1);
    let url = server.url("/hooks");
    let save = save.to_str().unwrap();
    run(cmd(), &["replay", save, "--to", &url, "--scheme", p.scheme, "--secret", p.secret]).ok();
    let req = &server.wait_for(1)[0];
    let headers = received_headers(req);
    assert_eq!(req.body, body);
    assert!(p.library_verifies(&headers, &req.body), "{} refused the re-signed {headers:?}", p.library);
    let sig = match p.scheme {
        "standard" => "webhook-signature",
        "stripe" => "Stripe-Signature",
        _ => "X-Slack-Signature",
    };
    assert_ne!(header_value(&headers, sig), header_value(&earlier, sig), "re-signed");
    if p.scheme == "standard" {
        assert_eq!(header_value(&headers, "webhook-id"), header_value(&earlier, "webhook-id"));
    }
}

fn headers_of(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap_or_else(|| panic!("headers as an object: {v}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("a header value").to_string()))
        .collect()
}

fn tampered(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(body.to_vec()).unwrap();
    let changed = text.replacen(':', ": ", 1);
    assert_ne!(changed, text);
    changed.into_bytes()
}

fn assert_valid(out: &Out) {
    assert_eq!((out.code, out.stdout.trim()), (0, "valid"), "stderr: {}", out.stderr);
}

fn assert_invalid(out: &Out, reason: &str) {
    assert_eq!((out.code, out.stdout.trim()), (1, "invalid"), "stderr: {}", out.stderr);
    assert!(out.stderr.contains(reason), "expected '{reason}' on stderr: {}", out.stderr);
}

/// What the library signs, `verify` accepts (also among several secrets), and
/// rejects once the body changes or the timestamp is stale.
fn library_to_us(p: &Provider) {
    let dir = Dir::new();
    let body = p.body();
    let headers = p.library_sign(&body, None);
    assert_valid(&p.our_verify(&dir, &headers, &body, &[p.secret]));
    let other =
        if p.scheme == "standard" { "whsec_b2xkLXNlY3JldC1iZWZvcmUtcm90YXRpb24=" } else { "old-secret" };
    assert_valid(&p.our_verify(&dir, &headers, &body, &[other, p.secret]));
    assert_invalid(&p.our_verify(&dir, &headers, &tampered(&body), &[p.secret]), "signature mismatch");
    assert_invalid(&p.our_verify(&dir, &headers, &body, &[other]), "signature mismatch");
    if p.timestamped() {
        let stale = p.library_sign(&body, Some(now() - 600));
        assert_invalid(&p.our_verify(&dir, &stale, &body, &[p.secret]), "stale timestamp");
        let future = p.library_sign(&body, Some(now() + 600));
        assert_invalid(&p.our_verify(&dir, &future, &body, &[p.secret]), "timestamp in the future");
    }
}

/// What `sign` writes, the library accepts; not for another body or a stale timestamp.
fn us_to_library(p: &Provider) {
    let dir = Dir::new();
    let body = p.body();
    let headers = p.our_sign(&dir, &body, None);
    assert!(p.library_verifies(&headers, &body), "{} refused {headers:?}", p.library);
    assert!(!p.library_verifies(&headers, &tampered(&body)), "{} accepted a tampered body", p.library);
    if p.timestamped() {
        let stale = p.our_sign(&dir, &body, Some(now() - 600));
        assert!(!p.library_verifies(&stale, &body), "{} accepted a stale timestamp: {stale:?}", p.library);
    }
}

#[test]
fn standardwebhooks_signs_we_verify() {
    library_to_us(&STANDARDWEBHOOKS);
}

#[test]
fn we_sign_standardwebhooks_verifies() {
    us_to_library(&STANDARDWEBHOOKS);
}

#[test]
fn svix_signs_we_verify() {
    library_to_us(&SVIX);
}

#[test]
fn we_sign_svix_verifies() {
    us_to_library(&SVIX);
}

#[test]
fn stripe_signs_we_verify() {
    library_to_us(&STRIPE);
}

#[test]
fn we_sign_stripe_verifies() {
    us_to_library(&STRIPE);
}

#[test]
fn slack_sdk_signs_we_verify() {
    library_to_us(&SLACK);
}

#[test]
fn we_sign_slack_sdk_verifies() {
    us_to_library(&SLACK);
}

#[test]
fn octokit_signs_we_verify() {
    library_to_us(&GITHUB);
}

#[test]
fn we_sign_octokit_verifies() {
    us_to_library(&GITHUB);
}

#[test]
fn shopify_hmac_signs_we_verify() {
    library_to_us(&SHOPIFY);
}

#[test]
fn we_sign_shopify_hmac_verifies() {
    us_to_library(&SHOPIFY);
}

#[test]
fn standardwebhooks_signs_listen_accepts() {
    library_to_listen(&STANDARDWEBHOOKS);
}

#[test]
fn svix_signs_listen_accepts() {
    library_to_listen(&SVIX);
}

#[test]
fn stripe_signs_listen_accepts() {
    library_to_listen(&STRIPE);
}

#[test]
fn slack_sdk_signs_listen_accepts() {
    library_to_listen(&SLACK);
}

#[test]
fn octokit_signs_listen_accepts() {
    library_to_listen(&GITHUB);
}

#[test]
fn shopify_hmac_signs_listen_accepts() {
    library_to_listen(&SHOPIFY);
}

#[test]
fn send_test_signs_standardwebhooks_verifies() {
    send_test_to_library(&STANDARDWEBHOOKS);
}

#[test]
fn send_test_signs_svix_verifies() {
    send_test_to_library(&SVIX);
}

#[test]
fn send_test_signs_stripe_verifies() {
    send_test_to_library(&STRIPE);
}

#[test]
fn send_test_signs_slack_sdk_verifies() {
    send_test_to_library(&SLACK);
}

#[test]
fn send_test_signs_octokit_verifies() {
    send_test_to_library(&GITHUB);
}

#[test]
fn send_test_signs_shopify_hmac_verifies() {
    send_test_to_library(&SHOPIFY);
}

#[test]
fn replay_resigns_standardwebhooks_verifies() {
    replay_resigns(&STANDARDWEBHOOKS);
}

#[test]
fn replay_resigns_stripe_verifies() {
    replay_resigns(&STRIPE);
}

#[test]
fn replay_resigns_slack_sdk_verifies() {
    replay_resigns(&SLACK);
}
