//! Webhook signatures: `X-Scopien-Signature: sha256=<hex>`, the lowercase hex
//! HMAC-SHA256 of the exact raw body keyed with the whole secret string.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const HEADER: &str = "X-Scopien-Signature";
/// The header name in lowercase, as HTTP/1 libraries store it.
pub const HEADER_LOWER: &str = "x-scopien-signature";
/// The prefix senders write before the hex digest.
pub const PREFIX: &str = "sha256=";
/// The longest header value: the prefix and 64 hex digits.
pub const MAX_HEADER_LEN: usize = PREFIX.len() + 64;

/// How a signature header value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SignatureFormat {
    /// `sha256=<hex>`, as the docs' signature section sends it
    #[default]
    Prefixed,
    /// Bare `<hex>`, as the docs' quick-start receivers compare it
    Bare,
}

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No header, or an empty one.
    #[error("missing signature")]
    Missing,
    /// Not 64 hex digits (after the optional `sha256=`).
    #[error("malformed signature")]
    Malformed,
    /// Well-formed, but no secret produces it.
    #[error("signature mismatch")]
    Mismatch,
}

/// Signs bodies with one secret. The keyed state is computed once and cloned
/// per body, so signing many bodies costs only the body's own hashing.
#[derive(Clone)]
pub struct Signer {
    mac: HmacSha256,
    format: SignatureFormat,
}

impl Signer {
    /// A signer for `secret` writing headers in `format`.
    pub fn new(secret: &str, format: SignatureFormat) -> Self {
        Signer { mac: keyed(secret), format }
    }

    /// The raw 32-byte HMAC of `body`.
    pub fn digest(&self, body: &[u8]) -> [u8; 32] {
        self.mac.clone().chain_update(body).finalize().into_bytes().into()
    }

    /// Writes the header value for `body` (`sha256=<hex>` or bare `<hex>`) into
    /// `buf` and returns it, with no allocation (the sender's hot path).
    pub fn encode<'b>(&self, body: &[u8], buf: &'b mut [u8; MAX_HEADER_LEN]) -> &'b str {
        let start = match self.format {
            SignatureFormat::Prefixed => {
                buf[..PREFIX.len()].copy_from_slice(PREFIX.as_bytes());
                PREFIX.len()
            }
            SignatureFormat::Bare => 0,
        };
        // 32 bytes always make 64 hex digits, which fit the buffer.
        hex::encode_to_slice(self.digest(body), &mut buf[start..start + 64]).expect("64 hex digits");
        std::str::from_utf8(&buf[..start + 64]).expect("hex is ASCII")
    }

    /// The header value for `body`: `sha256=<hex>` or bare `<hex>`.
    pub fn header_value(&self, body: &[u8]) -> String {
        self.encode(body, &mut [0; MAX_HEADER_LEN]).to_string()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("format", &self.format).finish_non_exhaustive()
    }
}

/// Checks signatures against one or more secrets (rotation: any match is valid).
#[derive(Clone)]
pub struct Verifier {
    macs: Vec<HmacSha256>,
}

impl Verifier {
    /// A verifier for these secrets. With none, nothing verifies.
    pub fn new<S: AsRef<str>>(secrets: &[S]) -> Self {
        Verifier { macs: secrets.iter().map(|s| keyed(s.as_ref())).collect() }
    }

    /// Number of secrets this verifier tries.
    pub fn secret_count(&self) -> usize {
        self.macs.len()
    }

    /// Checks a header value (`None` when the header is absent) against `body`.
    /// Accepts `sha256=` or none, hex in any case, surrounding whitespace.
    /// The comparison is constant-time.
    pub fn verify(&self, header: Option<&[u8]>, body: &[u8]) -> Result<(), VerifyError> {
        let expected = parse_header(header)?;
        for mac in &self.macs {
            if mac.clone().chain_update(body).verify_slice(&expected).is_ok() {
                return Ok(());
            }
        }
        Err(VerifyError::Mismatch)
    }

    /// [`Verifier::verify`] for a header given as a string.
    pub fn verify_str(&self, header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
        self.verify(header.map(str::as_bytes), body)
    }
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier").field("secrets", &self.macs.len()).finish()
    }
}

fn keyed(secret: &str) -> HmacSha256 {
    // HMAC takes keys of any length, so this never fails.
    HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length")
}

/// Parses a header value into the 32 digest bytes it claims.
fn parse_header(header: Option<&[u8]>) -> Result<[u8; 32], VerifyError> {
    let raw = header.map(<[u8]>::trim_ascii).unwrap_or_default();
    if raw.is_empty() {
        return Err(VerifyError::Missing);
    }
    let hex_part = match raw.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX.as_bytes()) => raw[PREFIX.len()..].trim_ascii_start(),
        _ => raw,
    };
    let mut out = [0u8; 32];
    if hex_part.len() != 64 || hex::decode_to_slice(hex_part, &mut out).is_err() {
        return Err(VerifyError::Malformed);
    }
    Ok(out)
}

/// Signs `body` with `secret` in one call.
pub fn sign(secret: &str, body: &[u8], format: SignatureFormat) -> String {
    Signer::new(secret, format).header_value(body)
}

/// Verifies `header` for `body` against any of `secrets` in one call.
pub fn verify<S: AsRef<str>>(secrets: &[S], header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
    Verifier::new(secrets).verify_str(header, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DOC_SECRET: &str = "convoy-webhook-secret";
    const DOC_BODY: &str = r#"{"event":"charge.success","amount":1000,"currency":"NGN"}"#;
    const DOC_HEX: &str = "244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4";

    #[test]
    fn rfc4231_case_2() {
        let s = Signer::new("Jefe", SignatureFormat::Bare);
        assert_eq!(
            s.header_value(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn known_vector() {
        assert_eq!(sign(DOC_SECRET, DOC_BODY.as_bytes(), SignatureFormat::Bare), DOC_HEX);
        assert_eq!(
            sign(DOC_SECRET, DOC_BODY.as_bytes(), SignatureFormat::Prefixed),
            format!("sha256={DOC_HEX}")
        );
    }

    #[test]
    fn accepts_variants() {
        let b = DOC_BODY.as_bytes();
        for h in [
            format!("sha256={DOC_HEX}"),
            DOC_HEX.to_string(),
            DOC_HEX.to_uppercase(),
            format!("SHA256={}", DOC_HEX.to_uppercase()),
            format!("  sha256={DOC_HEX}\t\n"),
            format!(" {DOC_HEX} "),
        ] {
            assert_eq!(verify(&[DOC_SECRET], Some(&h), b), Ok(()), "{h:?}");
        }
    }

    #[test]
    fn rejects_bad_headers() {
        let b = DOC_BODY.as_bytes();
        let v = Verifier::new(&[DOC_SECRET]);
        assert_eq!(v.verify_str(None, b), Err(VerifyError::Missing));
        assert_eq!(v.verify_str(Some(""), b), Err(VerifyError::Missing));
        assert_eq!(v.verify_str(Some("   "), b), Err(VerifyError::Missing));
        assert_eq!(v.verify_str(Some("sha256="), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some(&DOC_HEX[..63]), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some(&format!("{DOC_HEX}00")), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some(&"zz".repeat(32)), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some("sha1=abc"), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some("é"), b), Err(VerifyError::Malformed));
        assert_eq!(v.verify(Some(&[0xff, 0xfe, 0x00]), b), Err(VerifyError::Malformed));
        let mut flipped = DOC_HEX.to_string();
        flipped.replace_range(0..1, "3");
        assert_eq!(v.verify_str(Some(&flipped), b), Err(VerifyError::Mismatch));
    }

    #[test]
    fn wrong_secret_and_body() {
        let h = sign(DOC_SECRET, DOC_BODY.as_bytes(), SignatureFormat::Prefixed);
        assert_eq!(verify(&["other"], Some(&h), DOC_BODY.as_bytes()), Err(VerifyError::Mismatch));
        assert_eq!(verify(&[DOC_SECRET], Some(&h), b"{}"), Err(VerifyError::Mismatch));
        let none: [&str; 0] = [];
        assert_eq!(verify(&none, Some(&h), DOC_BODY.as_bytes()), Err(VerifyError::Mismatch));
    }

    #[test]
    fn rotation() {
        let h = sign("whsec_new", b"body", SignatureFormat::Prefixed);
        assert_eq!(verify(&["whsec_old", "whsec_new"], Some(&h), b"body"), Ok(()));
        assert_eq!(verify(&["whsec_old"], Some(&h), b"body"), Err(VerifyError::Mismatch));
    }

    proptest! {
        #[test]
        fn sign_then_verify(body in proptest::collection::vec(any::<u8>(), 0..2048), secret in ".{0,64}", bare in any::<bool>()) {
            let format = if bare { SignatureFormat::Bare } else { SignatureFormat::Prefixed };
            let h = sign(&secret, &body, format);
            prop_assert_eq!(verify(&[&secret], Some(&h), &body), Ok(()));
        }

        #[test]
        fn verify_never_panics(header in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let v = Verifier::new(&["whsec_x"]);
            let _ = v.verify_str(Some(&header), b"{}");
            let _ = v.verify(Some(&bytes), b"{}");
        }
    }
}
