//! Headers that describe one connection rather than the message (RFC 9110
//! §7.6.1). Anything that passes a request on — `listen --forward-to`,
//! `replay` — leaves them out and lets its own connection write them.

use http::HeaderName;
use http::header;

/// The connection-specific headers, in lowercase.
pub const HEADERS: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// True when `name` (any case) is a connection-specific header.
pub fn is_hop_by_hop(name: &str) -> bool {
    HEADERS.iter().any(|h| h.as_str().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_hop_by_hop("Connection"));
        assert!(is_hop_by_hop("transfer-encoding"));
        assert!(!is_hop_by_hop("x-scopien-signature"));
        assert!(!is_hop_by_hop("content-type"));
    }
}
