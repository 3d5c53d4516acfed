//! The committed completion scripts must match what the binary renders now.

use scopien_hooks::commands::completions::{SHELLS, file_name, render};

#[test]
fn committed_completions_are_fresh() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    for shell in SHELLS {
        let path = dir.join(file_name(shell));
        let fresh = render(shell);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &fresh).unwrap();
            continue;
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{} missing ({e}); run UPDATE_COMPLETIONS=1 cargo test --test completions", path.display())
        });
        assert!(
            committed == fresh,
            "{} is stale: run `UPDATE_COMPLETIONS=1 cargo test --test completions` and commit the result",
            path.display()
        );
    }
}

#[test]
fn completions_command_prints_the_script() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scopien-hooks"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, render(clap_complete::Shell::Bash));
    assert!(String::from_utf8_lossy(&out.stdout).contains("send-test"));
}

#[test]
fn event_flags_complete_the_catalog_without_listing_it_in_help() {
    let bash = String::from_utf8(render(clap_complete::Shell::Bash)).unwrap();
    let after_event = bash.split("--event)").nth(1).expect("an --event case");
    let words = after_event.lines().nth(1).unwrap();
    assert!(words.contains("compgen -W \"opportunity.created"), "{words}");
    assert!(words.contains("lead.converted") && words.contains("lead.*"), "{words}");
    for shell in [clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
        let script = String::from_utf8(render(shell)).unwrap();
        assert!(script.contains("lead.converted"), "{shell}");
    }
    let help = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scopien-hooks"))
        .args(["send-test", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(!help.contains("lead.converted"), "{help}");
    // The globals come after the command's own options, under their own heading.
    let own = help.find("--event").unwrap();
    let globals = help.find("Global options:").expect("a Global options heading");
    assert!(own < globals && help[globals..].contains("--api-key"), "{help}");
    assert!(!help[..globals].contains("--api-key"), "{help}");
}
