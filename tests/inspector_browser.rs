//! The inspector's page in a real browser: tests/browser/inspector.mjs drives
//! Debian's Chromium through playwright-core (see that file for what it
//! checks) against the real binary. It fails, never skips, when Chromium or
//! the npm packages are missing: `./test.sh` installs both.
//!
//! The README's screenshot is written to target/inspector.png on every run;
//! `UPDATE_SCREENSHOT=1` writes docs/inspector.png instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
/// The whole browser run, start to finish.
const LIMIT: Duration = Duration::from_secs(240);

#[test]
fn the_inspector_page_works_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser = root.join("tests/browser");
    let setup =
        "run ./test.sh, which installs what the tests need (Chromium from apt, playwright-core from npm)";
    assert!(Path::new(CHROMIUM).exists(), "Chromium is missing ({CHROMIUM}): {setup}");
    assert!(
        browser.join("node_modules/playwright-core/package.json").exists(),
        "tests/browser/node_modules is missing: {setup}"
    );
    let shot: PathBuf = if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        root.join("docs/inspector.png")
    } else {
        root.join("target/inspector.png")
    };
    let mut child = Command::new("node")
        .arg(browser.join("inspector.mjs"))
        .current_dir(&browser)
        .env("SCOPIEN_HOOKS_BIN", assert_cmd::cargo::cargo_bin!("scopien-hooks"))
        .env("SCREENSHOT", &shot)
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): {setup}"));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser test did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the browser test failed (its output is above)");
    assert!(shot.exists(), "no screenshot at {}", shot.display());
}
