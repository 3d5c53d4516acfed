//! Keeping secrets out of what is printed: webhook secrets and API keys shown
//! as `whsec_…f456` (the prefix, `…`, the last four), webhook JSON with its
//! secrets so shown, and URLs with their password masked
//! (`http://user:***@host/`).

use std::borrow::Cow;

use serde_json::Value;

/// Prefixes kept in front of the `…`: they say what a value is without telling
/// anything of it. Longest first.
const PREFIXES: [&str; 4] = ["sk_live_", "sk_test_", "whsec_", "sk_"];

/// Fewest characters after the prefix for the last four to be shown: below
/// it, four would be more than half the value.
const MIN_LEN_FOR_TAIL: usize = 8;

/// A secret or key as it may be printed: `whsec_…f456`, `sk_test_…ator`, or
/// `…f456` for a value without a known prefix. A short value shows no
/// characters of its own (`whsec_…`, `…`), so a value is never shown whole.
pub fn secret(value: &str) -> String {
    let prefix = PREFIXES.iter().find(|p| value.starts_with(**p)).copied().unwrap_or("");
    let body: Vec<char> = value[prefix.len()..].chars().collect();
    let tail: String =
        if body.len() >= MIN_LEN_FOR_TAIL { body[body.len() - 4..].iter().collect() } else { String::new() };
    format!("{prefix}…{tail}")
}

/// Replaces every `"secret"` string in a JSON value (webhooks, lists of them,
/// API answers) with its redacted form.
pub fn json_secrets(value: &mut Value) {
    match value {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                match v {
                    Value::String(s) if k == "secret" => *s = secret(s),
                    _ => json_secrets(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json_secrets),
        _ => {}
    }
}

/// Text that is not JSON (a cut-off or malformed body) with the value of each
/// `"secret": "…"` pair redacted, as [`json_secrets`] does for parsed JSON.
pub fn text_secrets(text: &str) -> Cow<'_, str> {
    const KEY: &str = "\"secret\"";
    if !text.contains(KEY) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let after = at + KEY.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        let Some(open) = rest.trim_start().strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        let Some(value) = open.strip_prefix('"') else {
            continue;
        };
        let skipped = rest.len() - open.len();
        out.push_str(&rest[..skipped]);
        // The value runs to the next unescaped quote, or to the end of a cut body.
        let mut end = value.len();
        let mut escaped = false;
        for (i, b) in value.bytes().enumerate() {
            match b {
                b'\\' if !escaped => escaped = true,
                b'"' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push('"');
        out.push_str(&secret(&value[..end]));
        rest = &value[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `text` with the password of every URL in it masked: `http://user:***@host/`.
pub fn url_passwords(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut done = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        // The authority ends at the first of these; a password is what lies
        // between the first ':' and the last '@' inside it.
        let authority_len = text[start..]
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\'' || c == '>'
            })
            .unwrap_or(text.len() - start);
        let authority = &text[start..start + authority_len];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            out.push_str(&text[done..start + colon + 1]);
            out.push_str("***");
            done = start + at;
        }
        from = start + authority_len;
    }
    if done == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[done..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_show_the_prefix_and_the_last_four_only() {
        for (given, shown) in [
            ("whsec_abc123def456", "whsec_…f456"),
            ("sk_live_abcdefghc123", "sk_live_…c123"),
            ("sk_test_emulator", "sk_test_…ator"),
            ("plainlongsecretvalue", "…alue"),
            // A prefix-like start is not kept unless it is a known one.
            ("my_secret_value_long", "…long"),
            ("sk_live_flagkey9999", "sk_live_…9999"),
        ] {
            assert_eq!(secret(given), shown);
        }
        for short in ["whsec_abc", "short", "abcd", "abcdefg", "", "whsec_", "sk_test_emulat0"] {
            let shown = secret(short);
            let own = &short[PREFIXES.iter().find(|p| short.starts_with(**p)).map_or(0, |p| p.len())..];
            assert!(own.is_empty() || !shown.contains(own), "{short} → {shown}");
            assert!(shown.ends_with('…'), "{short} → {shown}");
        }
        assert_eq!(secret("whsec_ünïcödé_sécret_x"), "whsec_…et_x");
    }

    #[test]
    fn json_and_text_secrets() {
        let mut v =
            serde_json::json!({"data":[{"id":"wh_1","secret":"whsec_abc123def456","headers":{"secret":7}}]});
        json_secrets(&mut v);
        assert_eq!(v["data"][0]["secret"], "whsec_…f456");
        assert_eq!(v["data"][0]["headers"]["secret"], 7);
        assert_eq!(
            text_secrets(r#"{"url":"x", "secret" : "whsec_abc123def456", "b":"secret"}"#),
            r#"{"url":"x", "secret" : "whsec_…f456", "b":"secret"}"#
        );
        assert_eq!(text_secrets(r#"{"secret":"whsec_abc123def4\"56"#), r#"{"secret":"whsec_…\"56"#);
        assert_eq!(text_secrets(r#"{"secret":"whsec_abc123def456789"#), r#"{"secret":"whsec_…6789"#);
        assert_eq!(text_secrets("no secrets"), "no secrets");
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            url_passwords("GET http://user:pa55@127.0.0.1:9/v1/x"),
            "GET http://user:***@127.0.0.1:9/v1/x"
        );
        assert_eq!(
            url_passwords("a https://u:p@x.test b http://v:q:r@y.test/p?q=http://w:s@z"),
            "a https://u:***@x.test b http://v:***@y.test/p?q=http://w:***@z"
        );
        assert_eq!(url_passwords("http://p%40ss:w@rd@host/"), "http://p%40ss:***@host/");
        assert_eq!(url_passwords("http://user@host/ http://host:80/"), "http://user@host/ http://host:80/");
        assert_eq!(url_passwords("'http://a:b@h'"), "'http://a:***@h'");
        assert!(matches!(url_passwords("plain"), Cow::Borrowed(_)));
    }
}
