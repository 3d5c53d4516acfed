//! The providers whose webhook signatures scopien-hooks writes and checks: for
//! each, the headers, how the signing key comes from the secret, and whether a
//! timestamp is part of the signed content.

use std::time::Duration;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Secrets are pasted by hand, with or without their `=` padding (the
/// Standard Webhooks libraries accept both).
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How long a timestamped signature stays valid, in both directions, unless
/// `--tolerance` says otherwise (what Stripe, Slack and Standard Webhooks use).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The prefix of Standard Webhooks (and Stripe) secrets.
pub const WHSEC: &str = "whsec_";

/// A provider's signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Scheme {
    /// `X-Scopien-Signature: sha256=<hex>` of the raw body
    #[default]
    Scopien,
    /// Standard Webhooks (Svix): `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`
    Standard,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body
    Github,
    /// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>` of `{t}.{body}`
    Stripe,
    /// Shopify: `X-Shopify-Hmac-Sha256: <base64>` of the raw body
    Shopify,
    /// Slack: `X-Slack-Request-Timestamp` and `X-Slack-Signature: v0=<hex>` of `v0:{ts}:{body}`
    Slack,
}

/// Every scheme, in the order they are documented.
pub const ALL: [Scheme; 6] =
    [Scheme::Scopien, Scheme::Standard, Scheme::Github, Scheme::Stripe, Scheme::Shopify, Scheme::Slack];

/// Standard Webhooks' header names.
pub mod standard {
    /// The message id, part of the signed content.
    pub const ID: &str = "webhook-id";
    /// Unix seconds, part of the signed content.
    pub const TIMESTAMP: &str = "webhook-timestamp";
    /// Space-separated `v1,<base64>` signatures.
    pub const SIGNATURE: &str = "webhook-signature";
    /// The same three as Svix names them (`svix-id`, …), read when the unbranded ones are absent.
    pub const SVIX: [&str; 3] = ["svix-id", "svix-timestamp", "svix-signature"];
}

/// Slack's timestamp header (the signature is [`Scheme::signature_header`]).
pub const SLACK_TIMESTAMP: &str = "X-Slack-Request-Timestamp";

/// A secret that cannot key the scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A Standard Webhooks secret whose part after `whsec_` is not base64.
    #[error("a standard secret is whsec_ followed by base64, and this one is not valid base64")]
    NotBase64,
    /// A Standard Webhooks secret that decodes to nothing.
    #[error("a standard secret is whsec_ followed by base64, and this one decodes to an empty key")]
    Empty,
}

impl Scheme {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Scopien => "scopien",
            Scheme::Standard => "standard",
            Scheme::Github => "github",
            Scheme::Stripe => "stripe",
            Scheme::Shopify => "shopify",
            Scheme::Slack => "slack",
        }
    }

    /// The header carrying the signature, as the provider spells it.
    pub fn signature_header(self) -> &'static str {
        match self {
            Scheme::Scopien => super::HEADER,
            Scheme::Standard => standard::SIGNATURE,
            Scheme::Github => "X-Hub-Signature-256",
            Scheme::Stripe => "Stripe-Signature",
            Scheme::Shopify => "X-Shopify-Hmac-Sha256",
            Scheme::Slack => "X-Slack-Signature",
        }
    }

    /// Every header the scheme writes, in the order they are written.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Scheme::Standard => &[standard::ID, standard::TIMESTAMP, standard::SIGNATURE],
            Scheme::Slack => &[SLACK_TIMESTAMP, "X-Slack-Signature"],
            Scheme::Scopien => &[super::HEADER],
            Scheme::Github => &["X-Hub-Signature-256"],
            Scheme::Stripe => &["Stripe-Signature"],
            Scheme::Shopify => &["X-Shopify-Hmac-Sha256"],
        }
    }

    /// What the signature header's value looks like, for a reason's detail.
    pub fn signature_format(self) -> &'static str {
        match self {
            Scheme::Scopien | Scheme::Github => "sha256=<64 hex digits>",
            Scheme::Standard => "space-separated v1,<base64> signatures",
            Scheme::Stripe => "t=<unix seconds>,v1=<64 hex digits>",
            Scheme::Shopify => "<44 base64 digits>",
            Scheme::Slack => "v0=<64 hex digits>",
        }
    }

    /// Whether a timestamp is signed (and checked against a tolerance).
    pub fn timestamped(self) -> bool {
        matches!(self, Scheme::Standard | Scheme::Stripe | Scheme::Slack)
    }

    /// Whether `--signature-format` means anything for this scheme (the others
    /// have exactly one spelling).
    pub fn has_formats(self) -> bool {
        self == Scheme::Scopien
    }

    /// The HMAC key for `secret`: its UTF-8 bytes, except Standard Webhooks',
    /// which is the base64 after an optional `whsec_`.
    pub fn key(self, secret: &str) -> Result<Vec<u8>, KeyError> {
        match self {
            Scheme::Standard => {
                let encoded = secret.strip_prefix(WHSEC).unwrap_or(secret);
                let key = SECRET_BASE64.decode(encoded.trim()).map_err(|_| KeyError::NotBase64)?;
                if key.is_empty() {
                    return Err(KeyError::Empty);
                }
                Ok(key)
            }
            _ => Ok(secret.as_bytes().to_vec()),
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_match_the_command_line() {
        for s in ALL {
            assert_eq!(s.to_possible_value().unwrap().get_name(), s.name());
            assert_eq!(s.headers().last().copied(), Some(s.signature_header()), "{s}");
        }
        assert_eq!(Scheme::value_variants().len(), ALL.len());
    }

    #[test]
    fn standard_keys_are_base64() {
        let key = Scheme::Standard.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(key.len(), 24);
        assert_eq!(Scheme::Standard.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(), key);
        assert_eq!(Scheme::Standard.key("whsec_not base64!"), Err(KeyError::NotBase64));
        assert_eq!(Scheme::Standard.key("whsec_YWJj").unwrap(), b"abc");
        assert_eq!(Scheme::Standard.key("whsec_YWI").unwrap(), b"ab");
        assert_eq!(Scheme::Standard.key("whsec_YWI=").unwrap(), b"ab");
        assert_eq!(Scheme::Standard.key("whsec_a"), Err(KeyError::NotBase64));
        assert_eq!(Scheme::Standard.key("whsec_"), Err(KeyError::Empty));
    }

    #[test]
    fn other_keys_are_the_whole_string() {
        for s in [Scheme::Scopien, Scheme::Github, Scheme::Stripe, Scheme::Shopify, Scheme::Slack] {
            assert_eq!(s.key("whsec_abc").unwrap(), b"whsec_abc");
        }
    }
}
