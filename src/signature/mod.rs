//! Webhook signatures. Scopien's own is `X-Scopien-Signature: sha256=<hex>`, the
//! lowercase hex HMAC-SHA256 of the exact raw body keyed with the whole secret
//! string; the other providers' [`Scheme`]s differ in headers, signed content
//! and key, and are written and checked by the same [`Signer`] and [`Verifier`].
//!
//! Both key their HMAC once and clone the keyed state per message, and both
//! work in stack buffers: signing or checking a delivery allocates nothing.

mod scheme;
mod sign;
mod verify;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

pub use scheme::{ALL as SCHEMES, DEFAULT_TOLERANCE, KeyError, SLACK_TIMESTAMP, Scheme, WHSEC, standard};
pub use sign::{Message, Signed, Signer};
pub use verify::{Verifier, VerifyError};

/// The header that carries Scopien's signature.
pub const HEADER: &str = "X-Scopien-Signature";
/// The header name in lowercase, as HTTP/1 libraries store it.
pub const HEADER_LOWER: &str = "x-scopien-signature";
/// The prefix senders write before the hex digest.
pub const PREFIX: &str = "sha256=";
/// The longest signature header value of any scheme: Stripe's
/// `t=<20 digits>,v1=<64 hex>` (Scopien's is at most the prefix and 64 hex digits).
pub const MAX_HEADER_LEN: usize = 96;

/// How Scopien's signature header value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SignatureFormat {
    /// `sha256=<hex>`, as the docs' signature section sends it
    #[default]
    Prefixed,
    /// Bare `<hex>`, as the docs' quick-start receivers compare it
    Bare,
}

type HmacSha256 = Hmac<Sha256>;

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this never fails.
    HmacSha256::new_from_slice(key).expect("HMAC accepts any key length")
}

/// The HMAC state after the scheme's signed content: the body alone, or the
/// body framed by the message id and timestamp exactly as the provider does.
fn signed_content(scheme: Scheme, mac: &HmacSha256, id: &[u8], timestamp: &[u8], body: &[u8]) -> HmacSha256 {
    let mac = mac.clone();
    match scheme {
        Scheme::Scopien | Scheme::Github | Scheme::Shopify => mac.chain_update(body),
        Scheme::Standard => mac
            .chain_update(id)
            .chain_update(b".")
            .chain_update(timestamp)
            .chain_update(b".")
            .chain_update(body),
        Scheme::Stripe => mac.chain_update(timestamp).chain_update(b".").chain_update(body),
        Scheme::Slack => {
            mac.chain_update(b"v0:").chain_update(timestamp).chain_update(b":").chain_update(body)
        }
    }
}

/// Signs `body` with `secret` in one call (Scopien's scheme).
pub fn sign(secret: &str, body: &[u8], format: SignatureFormat) -> String {
    Signer::new(secret, format).header_value(body)
}

/// Verifies a Scopien `header` for `body` against any of `secrets` in one call.
pub fn verify<S: AsRef<str>>(secrets: &[S], header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
    Verifier::new(secrets).verify_str(header, body)
}
