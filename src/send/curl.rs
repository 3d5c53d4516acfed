//! `--dry-run`: the signed request as a `curl` command that can be pasted into a
//! POSIX shell as is. Every argument is single-quoted (a `'` inside becomes
//! `'\''`), so bodies and header values reach curl byte for byte.

use std::path::Path;

/// Quotes one word for a POSIX shell.
pub fn quote(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('\'');
    for c in word.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// The `curl` command for a POST of `body` with `headers` to `url`. A body that is
/// not printable text (not UTF-8, or holding NUL) is referenced by `body_file`
/// (`--data-binary @FILE`) when there is one.
pub fn command(url: &str, headers: &[(String, String)], body: &[u8], body_file: Option<&Path>) -> String {
    let mut out = format!("curl {}", quote(url));
    for (name, value) in headers {
        out.push_str(" \\\n  -H ");
        out.push_str(&quote(&format!("{name}: {value}")));
    }
    out.push_str(" \\\n  --data-binary ");
    match (std::str::from_utf8(body), body_file) {
        (Ok(text), _) if !text.contains('\0') => out.push_str(&quote(text)),
        (_, Some(path)) => out.push_str(&quote(&format!("@{}", path.display()))),
        // Generated bodies are always UTF-8 JSON; keep the command valid anyway.
        (_, None) => out.push_str(&quote(&String::from_utf8_lossy(body).replace('\0', ""))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn quotes_single_quotes() {
        assert_eq!(quote("it's"), r#"'it'\''s'"#);
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME `x` \"y\""), "'$HOME `x` \"y\"'");
    }

    #[test]
    fn shell_reads_back_the_exact_words() {
        let body = r#"{"name":"O'Brien & Sons","note":"$(rm -rf /) `x` \n\\ "}"#;
        let cmd =
            command("http://127.0.0.1:1/a?b=c&d", &[("X-Env".into(), "it's".into())], body.as_bytes(), None);
        // Replace curl with printf to see the arguments the shell would pass.
        let script = format!("printf '%s\\n' {}", cmd.strip_prefix("curl ").unwrap());
        let out = Command::new("sh").arg("-c").arg(&script).output().unwrap();
        let words = String::from_utf8(out.stdout).unwrap();
        assert!(words.contains("http://127.0.0.1:1/a?b=c&d\n"), "{words}");
        assert!(words.contains("X-Env: it's\n"), "{words}");
        assert!(words.contains(&format!("{body}\n")), "{words}");
    }

    #[test]
    fn binary_bodies_use_the_file() {
        let cmd = command("http://x/", &[], &[0xff, 0x00], Some(Path::new("/tmp/b.bin")));
        assert!(cmd.ends_with("--data-binary '@/tmp/b.bin'"), "{cmd}");
    }
}
