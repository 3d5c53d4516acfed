//! Identifiers: checking the ones users give us before they reach a URL, and
//! generating fresh ones.

use rand::RngExt;
use rand::distr::Alphanumeric;

/// Prefix of webhook ids.
pub const WEBHOOK_PREFIX: &str = "wh_";
/// Prefix of delivery ids.
pub const DELIVERY_PREFIX: &str = "dlv_";
/// Prefix of event ids.
pub const EVENT_PREFIX: &str = "evt_";
/// Prefix of webhook secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// Longest id accepted; real ids are far shorter.
const MAX_ID_LEN: usize = 128;

/// True when `id` is `prefix` followed by one or more of `[A-Za-z0-9_]`.
pub fn is_valid(id: &str, prefix: &str) -> bool {
    id.len() <= MAX_ID_LEN
        && id.strip_prefix(prefix).is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

fn check(id: &str, prefix: &str, what: &str) -> Result<String, String> {
    if is_valid(id, prefix) {
        Ok(id.to_string())
    } else {
        Err(format!("'{id}' is not a {what} id: it must be {prefix} followed by letters, digits or _"))
    }
}

/// clap value parser for webhook ids.
pub fn parse_webhook_id(s: &str) -> Result<String, String> {
    check(s, WEBHOOK_PREFIX, "webhook")
}

/// clap value parser for delivery ids.
pub fn parse_delivery_id(s: &str) -> Result<String, String> {
    check(s, DELIVERY_PREFIX, "delivery")
}

/// `len` random ASCII letters and digits.
pub fn random_alphanumeric(len: usize) -> String {
    rand::rng().sample_iter(Alphanumeric).take(len).map(char::from).collect()
}

/// A fresh id: `prefix` + 24 random alphanumerics.
pub fn generate(prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + 24);
    id.push_str(prefix);
    id.extend(rand::rng().sample_iter(Alphanumeric).take(24).map(char::from));
    id
}

/// A fresh event id, `evt_` + 24 random alphanumerics.
pub fn event_id() -> String {
    generate(EVENT_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ids() {
        assert!(is_valid("wh_abc123", WEBHOOK_PREFIX));
        assert!(is_valid("wh_a_B_9", WEBHOOK_PREFIX));
        assert!(!is_valid("wh_", WEBHOOK_PREFIX));
        assert!(!is_valid("wh_../admin", WEBHOOK_PREFIX));
        assert!(!is_valid("wh_a/b", WEBHOOK_PREFIX));
        assert!(!is_valid("wh_a?x=1", WEBHOOK_PREFIX));
        assert!(!is_valid("dlv_abc", WEBHOOK_PREFIX));
        assert!(!is_valid("wh_é", WEBHOOK_PREFIX));
        assert!(is_valid("dlv_abc", DELIVERY_PREFIX));
        assert!(parse_webhook_id("nope").unwrap_err().contains("wh_"));
        assert!(!is_valid(&format!("wh_{}", "a".repeat(200)), WEBHOOK_PREFIX));
    }

    #[test]
    fn generates_ids() {
        let a = event_id();
        let b = event_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 24);
        assert!(is_valid(&a, EVENT_PREFIX));
    }
}
