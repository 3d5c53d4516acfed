//! Terminal safety. Text that came from outside (API fields, receivers'
//! answers, request headers and bodies, file contents, servers' error messages)
//! is shown with its control characters escaped — ESC reads `\u{1b}` — so it
//! cannot clear the screen, move the cursor, retitle the window, fake a line or
//! reorder what is shown. Views escape each outside value with [`escape`]; the
//! printer passes every human line through [`guard`] as well, so a view that
//! forgets still cannot drive the terminal. `--json` stays exact JSON, made
//! terminal-safe with JSON's own escapes by [`json`].

use std::borrow::Cow;

/// Whether `c` must never reach a terminal as itself: C0 controls (ESC, BEL,
/// CR, LF…), DEL, C1 controls (a lone `\u{9b}` is a CSI on some terminals),
/// and the bidirectional marks, embeddings, overrides and isolates that can
/// make text read in another order than it is stored.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Outside text for a human view: every unsafe character written as its Rust
/// escape (`\u{1b}`, `\n`, `\u{202e}`). Borrows when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_char(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_char(out: &mut String, c: char) {
    if is_unsafe(c) {
        out.extend(c.escape_default());
    } else {
        out.push(c);
    }
}

/// A whole line (or block) the program built, made safe as a last line of
/// defence: line breaks and tabs stay, the colour sequences the program writes
/// (`ESC [ digits ; … m`) stay when `color` is on, every other unsafe
/// character is escaped as [`escape`] does.
pub fn guard(text: &str, color: bool) -> Cow<'_, str> {
    let kept = |c: char| c == '\n' || c == '\t' || (color && c == '\u{1b}');
    if !text.chars().any(|c| is_unsafe(c) && !kept(c)) {
        if !color || !text.contains('\u{1b}') {
            return Cow::Borrowed(text);
        }
        if text.match_indices('\u{1b}').all(|(i, _)| sgr_len(&text[i..]).is_some()) {
            return Cow::Borrowed(text);
        }
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && color
            && let Some(n) = sgr_len(rest)
        {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        if c == '\n' || c == '\t' {
            out.push(c);
        } else {
            push_char(&mut out, c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the colour sequence (`ESC [ 1 ; 32 m`) at the start of `s`, if one is there.
fn sgr_len(s: &str) -> Option<usize> {
    let params = s.strip_prefix("\u{1b}[")?;
    let digits = params.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (params.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
}

/// Serialised JSON made terminal-safe without changing what it says: serde
/// escapes C0 controls already; DEL, C1 and the bidirectional controls (which
/// can only occur inside strings) become `\uXXXX` escapes.
pub fn json(text: String) -> String {
    if !text.chars().any(is_unsafe) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\u{1b}]0;title\u{7}b\u{1b}[2Jc\u{9b}31m\u{7f}\r\u{202e}d";

    #[test]
    fn escapes_every_control_and_bidi_override() {
        let shown = escape(HOSTILE);
        assert_eq!(shown, "a\\u{1b}]0;title\\u{7}b\\u{1b}[2Jc\\u{9b}31m\\u{7f}\\r\\u{202e}d");
        assert!(!shown.chars().any(is_unsafe));
        assert_eq!(escape("line\nnext\tcol"), "line\\nnext\\tcol");
        assert!(matches!(escape("plain — ünïcode ✔"), Cow::Borrowed(_)));
    }

    #[test]
    fn guard_keeps_line_breaks_and_own_colours_only() {
        let ours = "\u{1b}[1;32m✔\u{1b}[0m done\n\tnext";
        assert!(matches!(guard(ours, true), Cow::Borrowed(_)));
        assert_eq!(guard(ours, false), "\\u{1b}[1;32m✔\\u{1b}[0m done\n\tnext");
        let hostile = format!("{ours} {HOSTILE}");
        let safe = guard(&hostile, true);
        assert!(safe.starts_with(ours), "{safe}");
        assert!(safe.ends_with("a\\u{1b}]0;title\\u{7}b\\u{1b}[2Jc\\u{9b}31m\\u{7f}\\r\\u{202e}d"), "{safe}");
        assert!(!guard(HOSTILE, false).contains('\u{1b}'));
        // A sequence cut short is not a colour.
        assert_eq!(guard("x\u{1b}[31", true), "x\\u{1b}[31");
    }

    #[test]
    fn json_stays_the_same_document() {
        let value = serde_json::json!({"d": HOSTILE, "k\u{202e}": 1});
        let text = json(serde_json::to_string(&value).unwrap());
        assert!(!text.chars().any(is_unsafe), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
        let pretty = json(serde_json::to_string_pretty(&value).unwrap());
        assert!(pretty.contains('\n'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&pretty).unwrap(), value);
    }
}
