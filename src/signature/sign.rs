//! Writing signature headers.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;

use super::SignatureFormat;
use super::{HmacSha256, KeyError, MAX_HEADER_LEN, PREFIX, Scheme, keyed, signed_content};

/// Unix seconds as decimal digits.
const MAX_TIMESTAMP: usize = 20;

/// What one signature covers. Schemes without a timestamp or id ignore them.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The message id (Standard Webhooks' `webhook-id`).
    pub id: &'a str,
    /// Unix seconds.
    pub timestamp: u64,
    /// The exact raw body.
    pub body: &'a [u8],
}

/// A text value kept on the stack.
#[derive(Clone, Copy)]
struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    fn new() -> Self {
        Buf { bytes: [0; N], len: 0 }
    }

    fn push(&mut self, s: &[u8]) {
        self.bytes[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    fn push_hex(&mut self, digest: &[u8; 32]) {
        // 32 bytes always make 64 hex digits, and every buffer has room for them.
        hex::encode_to_slice(digest, &mut self.bytes[self.len..self.len + 64])
            .expect("room for 64 hex digits");
        self.len += 64;
    }

    fn push_base64(&mut self, digest: &[u8; 32]) {
        self.len +=
            BASE64.encode_slice(digest, &mut self.bytes[self.len..]).expect("room for 44 base64 digits");
    }

    fn push_decimal(&mut self, n: u64) {
        let mut rest = &mut self.bytes[self.len..];
        let before = rest.len();
        write!(rest, "{n}").expect("room for a u64");
        self.len += before - rest.len();
    }

    fn as_str(&self) -> &str {
        // Only ASCII (hex, base64, digits, the schemes' fixed prefixes) is ever pushed.
        std::str::from_utf8(&self.bytes[..self.len]).expect("signature values are ASCII")
    }
}

/// The headers of one signed message, borrowing its id.
#[derive(Clone, Copy)]
pub struct Signed<'a> {
    scheme: Scheme,
    id: &'a str,
    timestamp: Buf<MAX_TIMESTAMP>,
    signature: Buf<MAX_HEADER_LEN>,
}

impl<'a> Signed<'a> {
    /// The main signature header's value.
    pub fn signature(&self) -> &str {
        self.signature.as_str()
    }

    /// Every header of the scheme with its value, in [`Scheme::headers`] order.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.scheme.headers().iter().map(move |&name| {
            let value = match name {
                super::standard::ID => self.id,
                super::standard::TIMESTAMP | super::SLACK_TIMESTAMP => self.timestamp.as_str(),
                _ => self.signature.as_str(),
            };
            (name, value)
        })
    }
}

impl std::fmt::Debug for Signed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.headers()).finish()
    }
}

/// Signs messages with one secret. The keyed state is computed once and cloned
/// per message, so signing many costs only each message's own hashing.
#[derive(Clone)]
pub struct Signer {
    scheme: Scheme,
    mac: HmacSha256,
    format: SignatureFormat,
}

impl Signer {
    /// A Scopien signer for `secret` writing headers in `format`.
    pub fn new(secret: &str, format: SignatureFormat) -> Self {
        Signer { scheme: Scheme::Scopien, mac: keyed(secret.as_bytes()), format }
    }

    /// A signer for `scheme` (`format` only matters for Scopien's own).
    pub fn for_scheme(scheme: Scheme, secret: &str, format: SignatureFormat) -> Result<Self, KeyError> {
        Ok(Signer { scheme, mac: keyed(&scheme.key(secret)?), format })
    }

    /// The scheme this signer writes.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Signs one message, without allocating.
    pub fn sign<'a>(&self, msg: &Message<'a>) -> Signed<'a> {
        let mut timestamp = Buf::new();
        if self.scheme.timestamped() {
            timestamp.push_decimal(msg.timestamp);
        }
        let digest: [u8; 32] = signed_content(
            self.scheme,
            &self.mac,
            msg.id.as_bytes(),
            timestamp.as_str().as_bytes(),
            msg.body,
        )
        .finalize()
        .into_bytes()
        .into();
        let mut signature = Buf::new();
        match self.scheme {
            Scheme::Scopien => {
                if self.format == SignatureFormat::Prefixed {
                    signature.push(PREFIX.as_bytes());
                }
                signature.push_hex(&digest);
            }
            Scheme::Github => {
                signature.push(PREFIX.as_bytes());
                signature.push_hex(&digest);
            }
            Scheme::Standard => {
                signature.push(b"v1,");
                signature.push_base64(&digest);
            }
            Scheme::Stripe => {
                signature.push(b"t=");
                signature.push(timestamp.as_str().as_bytes());
                signature.push(b",v1=");
                signature.push_hex(&digest);
            }
            Scheme::Shopify => signature.push_base64(&digest),
            Scheme::Slack => {
                signature.push(b"v0=");
                signature.push_hex(&digest);
            }
        }
        Signed { scheme: self.scheme, id: msg.id, timestamp, signature }
    }

    /// Writes the signature header value for `body` alone (no id, timestamp 0:
    /// meant for the schemes that sign only the body) into `buf` and returns it,
    /// with no allocation.
    pub fn encode<'b>(&self, body: &[u8], buf: &'b mut [u8; MAX_HEADER_LEN]) -> &'b str {
        let signed = self.sign(&Message { id: "", timestamp: 0, body });
        let value = signed.signature().as_bytes();
        buf[..value.len()].copy_from_slice(value);
        std::str::from_utf8(&buf[..value.len()]).expect("signature values are ASCII")
    }

    /// [`Signer::encode`] as a `String`: for Scopien, `sha256=<hex>` or bare `<hex>`.
    pub fn header_value(&self, body: &[u8]) -> String {
        self.encode(body, &mut [0; MAX_HEADER_LEN]).to_string()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("scheme", &self.scheme)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const DOC_SECRET: &str = "convoy-webhook-secret";
    pub(crate) const DOC_BODY: &str = r#"{"event":"charge.success","amount":1000,"currency":"NGN"}"#;
    pub(crate) const DOC_HEX: &str = "244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4";

    fn signer(scheme: Scheme, secret: &str) -> Signer {
        Signer::for_scheme(scheme, secret, SignatureFormat::Prefixed).unwrap()
    }

    fn headers(signed: &Signed<'_>) -> Vec<(String, String)> {
        signed.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn rfc4231_case_2() {
        let s = Signer::new("Jefe", SignatureFormat::Bare);
        assert_eq!(
            s.header_value(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn scopien_known_vector() {
        assert_eq!(super::super::sign(DOC_SECRET, DOC_BODY.as_bytes(), SignatureFormat::Bare), DOC_HEX);
        assert_eq!(
            super::super::sign(DOC_SECRET, DOC_BODY.as_bytes(), SignatureFormat::Prefixed),
            format!("sha256={DOC_HEX}")
        );
    }

    #[test]
    fn github_published_vector() {
        // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
        let signed = signer(Scheme::Github, "It's a Secret to Everybody").sign(&Message {
            id: "",
            timestamp: 0,
            body: b"Hello, World!",
        });
        assert_eq!(
            headers(&signed),
            [(
                "X-Hub-Signature-256".into(),
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17".into()
            )]
        );
    }

    #[test]
    fn standard_webhooks_spec_vector() {
        let signed = signer(Scheme::Standard, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(&Message {
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1614265330,
            body: br#"{"test": 2432232314}"#,
        });
        assert_eq!(
            headers(&signed),
            [
                ("webhook-id".into(), "msg_p5jXN8AQM9LWM0D4loKWxJek".into()),
                ("webhook-timestamp".into(), "1614265330".into()),
                ("webhook-signature".into(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into()),
            ]
        );
    }

    #[test]
    fn stripe_slack_and_shopify_shapes() {
        let msg = Message { id: "evt_1", timestamp: 1_700_000_000, body: b"{}" };
        // Each value is the HMAC of the scheme's signed content, keyed with the UTF-8 secret.
        let hmac =
            |content: &[u8]| -> [u8; 32] { keyed(b"k").chain_update(content).finalize().into_bytes().into() };
        let stripe = signer(Scheme::Stripe, "k").sign(&msg);
        assert_eq!(stripe.signature(), format!("t=1700000000,v1={}", hex::encode(hmac(b"1700000000.{}"))));
        let slack = signer(Scheme::Slack, "k").sign(&msg);
        assert_eq!(
            headers(&slack),
            [
                ("X-Slack-Request-Timestamp".into(), "1700000000".into()),
                ("X-Slack-Signature".into(), format!("v0={}", hex::encode(hmac(b"v0:1700000000:{}")))),
            ]
        );
        let shopify = signer(Scheme::Shopify, "k").sign(&msg);
        assert_eq!(shopify.signature(), BASE64.encode(hmac(b"{}")));
    }

    #[test]
    fn largest_values_fit() {
        let msg = Message { id: "x", timestamp: u64::MAX, body: b"" };
        assert_eq!(signer(Scheme::Stripe, "k").sign(&msg).signature().len(), 2 + 20 + 4 + 64);
        assert_eq!(signer(Scheme::Slack, "k").sign(&msg).headers().next().unwrap().1, u64::MAX.to_string());
    }
}
