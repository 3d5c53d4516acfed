//! The foundation commands, run as the real binary.

mod common;

use common::{Dir, cmd, doc_signature};
use predicates::prelude::*;

const DOC_SECRET: &str = "convoy-webhook-secret";
const DOC_BODY: &str = r#"{"event":"charge.success","amount":1000,"currency":"NGN"}"#;
const DOC_HEX: &str = "244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4";

#[test]
fn help_and_version() {
    cmd().arg("--help").assert().success().stdout(predicate::str::contains("send-test"));
    cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!("scopien-hooks {}", env!("CARGO_PKG_VERSION"))));
    cmd().arg("listen").arg("--help").assert().success().stdout(predicate::str::contains("--forward-to"));
}

#[test]
fn unknown_flag_is_usage_error() {
    cmd().arg("frobnicate").assert().code(2);
    // One error line and one hint, like every other failure.
    let out =
        cmd().args(["send-test", "http://127.0.0.1:9/", "--cout", "3"]).assert().code(2).get_output().clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        ["error: unexpected argument '--cout' found", "hint: a similar argument exists: '--count'"]
    );
    let out = cmd().arg("--nope").assert().code(2).get_output().clone();
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 2);
    // No subcommand: the help, on stderr, exit 2.
    cmd().assert().code(2).stderr(predicate::str::contains("Usage: scopien-hooks"));
}

#[test]
fn events_json_lists_the_catalog() {
    let out = cmd().args(["events", "--json"]).assert().success().get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 17);
    assert_eq!(list[0]["name"], "opportunity.created");
    assert!(list.iter().all(|e| e["description"].as_str().is_some_and(|d| !d.is_empty())));
    assert!(list.iter().any(|e| e["name"] == "webhook.failed"));
}

#[test]
fn events_human_has_no_escape_codes_with_no_color() {
    let out = cmd().arg("events").env("NO_COLOR", "1").assert().success().get_output().clone();
    let all = [out.stdout, out.stderr].concat();
    assert!(!all.contains(&0x1b), "escape code in output");
    assert!(String::from_utf8_lossy(&all).contains("lead.converted"));
}

#[test]
fn color_always_colours() {
    let out = cmd().args(["events", "--color", "always"]).assert().success().get_output().clone();
    assert!(out.stderr.contains(&0x1b));
}

/// `--color auto` colours a terminal, but never writes escape codes into a redirected stdout.
#[test]
fn auto_colour_stays_out_of_redirected_stdout() {
    let refused = common::closed_port();
    let url = format!("http://127.0.0.1:{refused}/");
    let wait = Some(common::WAIT.as_millis() as u64);

    let mut both = common::bin();
    both.env_remove("NO_COLOR").env("TERM", "xterm").args(["send-test", &url, "--secret", "s"]);
    let mut pty = rexpect::session::spawn_command(both, wait).expect("spawn in a pty");
    pty.exp_string("\u{1b}[").expect("colour on a terminal");
    pty.exp_eof().expect("the command ends");

    let dir = Dir::new();
    let out = dir.path("out.txt");
    let mut redirected = std::process::Command::new("sh");
    redirected
        .args(["-c", r#"exec "$0" send-test "$1" --secret s > "$2""#])
        .arg(assert_cmd::cargo::cargo_bin!("scopien-hooks"))
        .arg(&url)
        .arg(&out)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env("TERM", "xterm");
    let mut pty = rexpect::session::spawn_command(redirected, wait).expect("spawn in a pty");
    pty.exp_string("connection refused").expect("the error on the terminal");
    pty.exp_eof().expect("the command ends");
    let text = std::fs::read(&out).unwrap();
    assert!(String::from_utf8_lossy(&text).contains("connection refused"), "{text:?}");
    assert!(!text.contains(&0x1b), "escape code in redirected stdout: {:?}", String::from_utf8_lossy(&text));
}

/// The binary run with `args`, `stdin` on its standard input.
fn fed(args: &[&str], stdin: impl Into<Vec<u8>>) -> assert_cmd::assert::Assert {
    cmd().args(args).write_stdin(stdin).assert()
}

/// What a finished run printed on stdout.
fn stdout_of(done: assert_cmd::assert::Assert) -> String {
    String::from_utf8(done.get_output().stdout.clone()).unwrap()
}

#[test]
fn sign_through_stdin_and_file() {
    fed(&["sign", "--secret", DOC_SECRET], DOC_BODY).success().stdout(format!("sha256={DOC_HEX}\n"));
    let dir = Dir::new();
    let f = dir.write("body.json", DOC_BODY);
    cmd()
        .args(["sign", "--secret", DOC_SECRET, "--signature-format", "bare", "--payload"])
        .arg(&f)
        .assert()
        .success()
        .stdout(format!("{DOC_HEX}\n"));
    let mut from_env = cmd();
    from_env.args(["sign", "--payload", "-"]).env("SCOPIEN_WEBHOOK_SECRET", DOC_SECRET);
    from_env.write_stdin(DOC_BODY).assert().success().stdout(format!("sha256={DOC_HEX}\n"));
}

#[test]
fn sign_keeps_exact_bytes() {
    let body: &[u8] = b"{\"a\":\"\xff\xfe\"}\n\n";
    let expected = doc_signature("s3cret", body);
    fed(&["sign", "--secret", "s3cret"], body).success().stdout(format!("{expected}\n"));
}

#[test]
fn sign_without_secret_is_usage_error() {
    fed(&["sign"], "{}").code(2).stderr(predicate::str::contains("SCOPIEN_WEBHOOK_SECRET"));
    cmd()
        .args(["sign", "--secret", "x", "--payload", "/nonexistent/body.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read payload file"));
}

#[test]
fn verify_valid_and_invalid() {
    let prefixed = format!("sha256={DOC_HEX}");
    fed(&["verify", "--secret", DOC_SECRET, "--signature", &prefixed], DOC_BODY).success().stdout("valid\n");
    // A refused signature: exit 1, `invalid` on stdout, why on stderr.
    for (secret, signature, why) in
        [("wrong", DOC_HEX, "signature mismatch"), (DOC_SECRET, "garbage", "malformed signature")]
    {
        fed(&["verify", "--secret", secret, "--signature", signature], DOC_BODY)
            .code(1)
            .stdout("invalid\n")
            .stderr(predicate::str::contains(why));
    }
    // A malformed signature is answered with the shape a well-formed one has.
    fed(&["verify", "--secret", DOC_SECRET, "--signature", "sha256=abc"], DOC_BODY).code(1).stderr(
        predicate::str::contains("malformed signature")
            .and(predicate::str::contains("`sha256=<64 hex digits>`"))
            .and(predicate::str::contains("secret").not()),
    );
    // A trailing newline is part of the payload.
    fed(&["verify", "--secret", DOC_SECRET, "--signature", DOC_HEX], format!("{DOC_BODY}\n")).code(1);
}

#[test]
fn verify_rotation_and_file() {
    let dir = Dir::new();
    let f = dir.write("b", DOC_BODY);
    cmd()
        .args(["verify", "--secret", "old", "--secret", DOC_SECRET, "--signature", DOC_HEX, "--payload"])
        .arg(&f)
        .assert()
        .success()
        .stdout("valid\n");
    let mut rotated_out = cmd();
    rotated_out.args(["verify", "--json", "--secret", "old", "--signature", DOC_HEX, "--payload"]).arg(&f);
    let v: serde_json::Value = serde_json::from_str(&stdout_of(rotated_out.assert().code(1))).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"], "signature mismatch");
}

// The Standard Webhooks specification's test vector.
const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_BODY: &str = r#"{"test": 2432232314}"#;
const SW_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

#[test]
fn sign_with_a_scheme_prints_every_header() {
    let vector = ["--timestamp", "1614265330", "--id", "msg_p5jXN8AQM9LWM0D4loKWxJek"];
    fed(&[&["sign", "--scheme", "standard", "--secret", SW_SECRET][..], &vector].concat(), SW_BODY)
        .success()
        .stdout(format!(
            "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1614265330\nwebhook-signature: {SW_SIG}\n"
        ));
    // GitHub's published vector, as an object of headers.
    let github = ["--json", "sign", "--scheme", "github", "--secret", "It's a Secret to Everybody"];
    let v: serde_json::Value =
        serde_json::from_str(&stdout_of(fed(&github, "Hello, World!").success())).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"X-Hub-Signature-256": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"})
    );
    // Naming Scopien's scheme names its header too; plain `sign` prints the bare value.
    fed(&["sign", "--scheme", "scopien", "--secret", DOC_SECRET], DOC_BODY)
        .success()
        .stdout(format!("X-Scopien-Signature: sha256={DOC_HEX}\n"));
    // A fresh message id when none is given.
    let fresh = stdout_of(fed(&["sign", "--scheme", "standard", "--secret", SW_SECRET], SW_BODY).success());
    assert!(fresh.starts_with("webhook-id: msg_"));
}

#[test]
fn verify_with_a_scheme_says_why() {
    let standard = ["verify", "--scheme", "standard", "--secret", SW_SECRET];
    let id = "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek";
    let ts = "webhook-timestamp: 1614265330";
    let signature = format!("webhook-signature: {SW_SIG}");
    let verify = |args: &[&str]| fed(&[&standard[..], args].concat(), SW_BODY);
    // The vector is from 2021: valid only with a tolerance that reaches back that far.
    verify(&["-H", id, "-H", ts, "--signature", SW_SIG, "--tolerance", "36500days"])
        .success()
        .stdout("valid\n");
    verify(&["-H", id, "-H", ts, "-H", &signature])
        .code(1)
        .stdout("invalid\n")
        .stderr(predicate::str::starts_with("error: stale timestamp\n"));
    verify(&["-H", id, "--signature", SW_SIG])
        .code(1)
        .stderr(predicate::str::contains("error: missing webhook-timestamp"));
    fed(&["verify", "--scheme", "standard", "--secret", "whsec_not base64!", "--signature", SW_SIG], SW_BODY)
        .code(2)
        .stderr(predicate::str::contains("not valid base64").and(predicate::str::contains("base64!").not()));
    // Stripe's single header, among two secrets.
    let header = stdout_of(fed(&["sign", "--scheme", "stripe", "--secret", "whsec_stripe"], "{}").success());
    let value = header.trim().strip_prefix("Stripe-Signature: ").unwrap();
    let rotation = ["--secret", "whsec_old", "--secret", "whsec_stripe", "--signature", value];
    fed(&[&["verify", "--scheme", "stripe"][..], &rotation].concat(), "{}").success();
    fed(&["verify", "--scheme", "stripe", "--secret", "whsec_stripe", "--signature", "t=1,v0=ab"], "{}")
        .code(1)
        .stderr(predicate::str::contains("error: no v1 signature"));
}

#[test]
fn config_precedence_flag_over_env_over_file() {
    let dir = Dir::new();
    let cfg = dir.write(
        "config.toml",
        "[default]\napi_key = \"sk_test_fromfile1234\"\napi_base = \"http://file.example/v1\"\n\
         [staging]\napi_base = \"http://staging.example/v1\"\n",
    );
    let show = |extra: &[&str], envs: &[(&str, &str)]| -> serde_json::Value {
        let mut c = cmd();
        c.args(["config", "--json", "--config"]).arg(&cfg).args(extra);
        for (k, v) in envs {
            c.env(k, v);
        }
        serde_json::from_slice(&c.assert().success().get_output().stdout).unwrap()
    };
    let v = show(&[], &[]);
    assert_eq!(v["api_base"]["value"], "http://file.example/v1");
    assert_eq!(v["api_base"]["source"], "profile");
    assert_eq!(v["api_key"]["value"], "sk_test_…1234");
    let v = show(&[], &[("SCOPIEN_API_BASE", "http://env.example/v1")]);
    assert_eq!(v["api_base"]["value"], "http://env.example/v1");
    assert_eq!(v["api_base"]["source"], "env");
    let v =
        show(&["--api-base", "http://flag.example/v1/"], &[("SCOPIEN_API_BASE", "http://env.example/v1")]);
    assert_eq!(v["api_base"]["value"], "http://flag.example/v1");
    assert_eq!(v["api_base"]["source"], "flag");
    let v = show(&[], &[("SCOPIEN_PROFILE", "staging")]);
    assert_eq!(v["api_base"]["value"], "http://staging.example/v1");
    assert!(v["api_key"].is_null());
    let v = show(&["--api-key", "sk_live_flagkey9999"], &[("SCOPIEN_API_KEY", "sk_live_envkey0000")]);
    assert_eq!(v["api_key"]["source"], "flag");
    assert_eq!(v["api_key"]["value"], "sk_live_…9999");
}

#[test]
fn config_never_prints_the_full_key() {
    let key = "sk_live_supersecretvalue1234";
    let out = cmd().args(["config", "--api-key", key]).assert().success().get_output().clone();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(key));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(key));
}

#[test]
fn broken_config_is_reported_only_when_needed() {
    let dir = Dir::new();
    let cfg = dir.write("config.toml", "this is [not toml");
    cmd().args(["events", "--config"]).arg(&cfg).assert().success();
}

#[test]
fn install_script_help_and_missing_cargo() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let help = std::process::Command::new("bash").arg(&script).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--no-completions"));
    let bad = std::process::Command::new("bash").arg(&script).arg("--frob").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // A PATH with the shell's tools but no cargo.
    let no_cargo = std::process::Command::new("bash")
        .arg(&script)
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(no_cargo.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_cargo.stderr).contains("cargo is not installed"));
}

#[test]
fn provider_schemes_refuse_what_they_cannot_do() {
    // The built-in samples are Scopien events: another provider's body comes from a file.
    cmd()
        .args(["send-test", "http://127.0.0.1:9/", "--scheme", "stripe", "--secret", "whsec_x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--scheme stripe needs --payload FILE"));
    // GitHub signs no timestamp, so there is nothing for --tolerance to check.
    cmd()
        .args(["listen", "--port", "0", "--scheme", "github", "--secret", "s", "--tolerance", "5m"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("github signatures carry no timestamp"));
    cmd()
        .args(["listen", "--port", "0", "--scheme", "standard", "--secret", "whsec_%%%"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not valid base64"));
}

/// Values no numeric or duration flag takes: negative, NaN, infinite, past what a
/// clock can hold, not numbers at all.
const NEVER: &[&str] =
    &["-1", "-0.5", "NaN", "inf", "-inf", "1e300", "99999999999999999999", "1000000000h", "many"];
/// Values a flag takes only where zero means something.
const ZERO: &[&str] = &["0", "0s", "1e-300"];

/// Where numeric flags are reached, each with whether zero is one of its values.
const NUMERIC_FLAGS: &[(&str, &[(&str, bool)])] = &[
    (
        "send-test http://127.0.0.1:9/",
        &[
            ("--count", false),
            ("--concurrency", false),
            ("--rate", false),
            ("--batch", false),
            ("--timeout", false),
            ("--time-scale", false),
        ],
    ),
    ("send-test http://127.0.0.1:9/ --retry", &[("--retry-schedule", true)]),
    ("replay saved.ndjson --to http://127.0.0.1:9/", &[("--rate", false), ("--timeout", false)]),
    (
        "listen",
        &[
            ("--port", true),
            ("--respond-status", false),
            ("--respond-delay", true),
            ("--fail-first", true),
            ("--tolerance", false),
            ("--max-body", false),
            ("--max-events", false),
            ("--timeout", false),
            ("--forward-timeout", false),
            ("--read-timeout", false),
            ("--max-connections", false),
        ],
    ),
    (
        "listen --inspect",
        &[("--inspect-port", true), ("--inspect-limit", false), ("--inspect-memory", false)],
    ),
    (
        "emulate --in-memory",
        &[
            ("--port", true),
            ("--time-scale", false),
            ("--delivery-timeout", false),
            ("--max-rate", true),
            ("--read-timeout", false),
            ("--max-connections", false),
            ("--retain", true),
        ],
    ),
    ("trigger lead.created", &[("--count", false)]),
    ("verify --signature sha256=00 --secret s", &[("--tolerance", false)]),
    ("sign --secret s --scheme stripe", &[("--timestamp", true)]),
    (
        "create --url https://example.com/h --event * --batch",
        &[("--max-batch-size", false), ("--max-wait-time", true)],
    ),
    ("update wh_abc --batch", &[("--max-batch-size", false), ("--max-wait-time", true)]),
    ("list", &[("--limit", false)]),
    ("deliveries wh_abc", &[("--limit", false)]),
    ("deliveries wh_abc --follow", &[("--interval", false)]),
];

/// Runs a command line that must be refused before any work: exit 2, one
/// `error:` line naming `flag` and a range, no panic anywhere. Returns the error line.
fn refused(args: &[&str], flag: &str) -> String {
    let out = common::run(cmd(), args);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert_eq!(out.code, 2, "{args:?}: {all}");
    assert!(!all.contains("panicked"), "{args:?}: {all}");
    let errors: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {}", out.stderr);
    let line = errors[0];
    assert!(line.contains(flag), "{args:?}: the error names {flag}: {line}");
    assert!(line.contains(" from ") && line.contains(" to "), "{args:?}: the error gives the range: {line}");
    line.to_string()
}

#[test]
fn numeric_extremes_are_usage_errors_naming_the_flag_and_its_range() {
    for (prefix, flags) in NUMERIC_FLAGS {
        let prefix: Vec<&str> = prefix.split_whitespace().collect();
        for (flag, zero_ok) in *flags {
            let zeros = if *zero_ok { &[][..] } else { ZERO };
            for value in NEVER.iter().chain(zeros) {
                // Both spellings: `--flag -1` must not be taken for a flag named -1.
                let mut args = prefix.clone();
                args.extend([*flag, *value]);
                refused(&args, flag);
                let joined = format!("{flag}={value}");
                let mut args = prefix.clone();
                args.push(&joined);
                refused(&args, flag);
            }
        }
    }
}

#[test]
fn the_messages_say_what_is_allowed() {
    let line = refused(&["send-test", "http://127.0.0.1:9/", "--count", "-1"], "--count");
    assert!(line.ends_with("give a whole number from 1 to 1000000000"), "{line}");
    let line = refused(&["send-test", "http://127.0.0.1:9/", "--rate", "1e-300"], "--rate");
    assert!(line.ends_with("from 0.0001 to 1000000"), "{line}");
    let line = refused(&["listen", "--timeout", "1000000000h"], "--timeout");
    assert!(line.contains("from 1ms to 100y"), "{line}");
    let line = refused(&["listen", "--respond-status", "150"], "--respond-status");
    assert!(line.ends_with("from 200 to 599"), "{line}");
}

#[test]
fn flags_that_combine_are_checked_together() {
    // Each value is in range; what they make together is not.
    let url = "http://127.0.0.1:9/";
    let line = refused(&["send-test", url, "--retry", "--time-scale", "1000000"], "--time-scale");
    assert!(line.contains("retry schedule") && line.ends_with("from 0.000001 to 724629"), "{line}");
    refused(&["send-test", url, "--retry", "--retry-schedule", "0,60y,50y"], "--time-scale");
    let line = refused(&["send-test", url, "--count", "1000000000", "--rate", "0.0001"], "--count");
    assert!(line.contains("--rate"), "{line}");
    let line = refused(&["emulate", "--in-memory", "--port", "0", "--time-scale", "1000000"], "--time-scale");
    assert!(line.ends_with("from 0.000001 to 36525"), "{line}");
}

#[test]
fn the_ends_of_each_range_are_accepted() {
    // A dry run checks everything and sends nothing.
    let url = "http://127.0.0.1:9/";
    let everything = "--count 1000000000 --rate 1000000 --timeout 100y --retry --retry-schedule 0,100y \
                      --time-scale 1 --concurrency 10000";
    common::run_line(cmd(), &format!("send-test {url} --dry-run {everything}")).ok();
    common::run(cmd(), &["send-test", url, "--dry-run", "--rate", "0.0001", "--time-scale", "0.000001"]).ok();
}
