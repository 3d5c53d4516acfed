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
