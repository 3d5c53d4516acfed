//! Checking signature headers, with a reason for every rejection.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::Mac;
use http::{HeaderMap, HeaderValue};

use super::{HmacSha256, KeyError, PREFIX, SLACK_TIMESTAMP, Scheme, keyed, signed_content, standard};

/// Why a signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No signature header, or an empty one.
    #[error("missing signature")]
    Missing,
    /// Another header (or part) the scheme signs is absent: the reason names it
    /// (`missing webhook-id`, `missing webhook-timestamp`, …).
    #[error("{0}")]
    MissingPart(&'static str),
    /// Not the scheme's encoding (64 hex digits, 44 base64 digits, `t=…,v1=…`).
    #[error("malformed signature")]
    Malformed,
    /// The signed timestamp is not Unix seconds.
    #[error("invalid timestamp")]
    InvalidTimestamp,
    /// The signed timestamp is older than the tolerance.
    #[error("stale timestamp")]
    Stale,
    /// The signed timestamp is further ahead than the tolerance.
    #[error("timestamp in the future")]
    Future,
    /// The header lists signatures, none of the version this scheme checks:
    /// the reason names it (`no v1 signature`, `no v0 signature`).
    #[error("{0}")]
    NoVersion(&'static str),
    /// Well-formed, but no secret produces it.
    #[error("signature mismatch")]
    Mismatch,
}

/// A signature as sent: 32 digest bytes in the scheme's text encoding.
#[derive(Clone, Copy)]
enum Encoding {
    Hex,
    Base64,
}

impl Encoding {
    fn decode(self, text: &[u8]) -> Option<[u8; 32]> {
        let mut out = [0u8; 32];
        match self {
            Encoding::Hex => {
                (text.len() == 64 && hex::decode_to_slice(text, &mut out).is_ok()).then_some(out)
            }
            Encoding::Base64 => {
                // Room for what 44 digits may claim before their padding is seen.
                let mut buf = [0u8; 33];
                (text.len() == 44 && BASE64.decode_slice(text, &mut buf) == Ok(32)).then(|| {
                    out.copy_from_slice(&buf[..32]);
                    out
                })
            }
        }
    }
}

/// Checks signatures against one or more secrets (rotation: any match is valid).
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    macs: Vec<HmacSha256>,
    tolerance: Duration,
}

impl Verifier {
    /// A Scopien verifier for these secrets. With none, nothing verifies.
    pub fn new<S: AsRef<str>>(secrets: &[S]) -> Self {
        Verifier {
            scheme: Scheme::Scopien,
            macs: secrets.iter().map(|s| keyed(s.as_ref().as_bytes())).collect(),
            tolerance: super::DEFAULT_TOLERANCE,
        }
    }

    /// A verifier for `scheme`. `tolerance` bounds the age of a timestamped
    /// scheme's signature in both directions (default [`super::DEFAULT_TOLERANCE`]).
    pub fn for_scheme<S: AsRef<str>>(
        scheme: Scheme,
        secrets: &[S],
        tolerance: Option<Duration>,
    ) -> Result<Self, KeyError> {
        let macs =
            secrets.iter().map(|s| scheme.key(s.as_ref()).map(|k| keyed(&k))).collect::<Result<_, _>>()?;
        Ok(Verifier { scheme, macs, tolerance: tolerance.unwrap_or(super::DEFAULT_TOLERANCE) })
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Number of secrets this verifier tries.
    pub fn secret_count(&self) -> usize {
        self.macs.len()
    }

    /// Checks a request's headers against `body`, timestamps against `now`.
    /// Comparisons are constant-time; nothing is allocated.
    pub fn check(&self, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<(), VerifyError> {
        self.check_with(|name| headers.get(name).map(HeaderValue::as_bytes), body, now)
    }

    /// Checks the main signature header's value alone (`None` when absent):
    /// enough for every scheme but Standard Webhooks and Slack, which sign
    /// other headers too. Scopien's accepts `sha256=` or none, hex in any case,
    /// surrounding whitespace.
    pub fn verify(&self, header: Option<&[u8]>, body: &[u8]) -> Result<(), VerifyError> {
        let main = self.scheme.signature_header();
        self.check_with(|name| if name == main { header } else { None }, body, SystemTime::now())
    }

    /// [`Verifier::verify`] for a header given as a string.
    pub fn verify_str(&self, header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
        self.verify(header.map(str::as_bytes), body)
    }

    fn check_with<'h>(
        &self,
        get: impl Fn(&'static str) -> Option<&'h [u8]>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), VerifyError> {
        let present = |name| get(name).map(<[u8]>::trim_ascii).filter(|v| !v.is_empty());
        let signature = present(self.scheme.signature_header());
        match self.scheme {
            Scheme::Scopien | Scheme::Github => {
                let value = signature.ok_or(VerifyError::Missing)?;
                let hex = match value.get(..PREFIX.len()) {
                    Some(p) if p.eq_ignore_ascii_case(PREFIX.as_bytes()) => {
                        value[PREFIX.len()..].trim_ascii_start()
                    }
                    _ => value,
                };
                let sig = Encoding::Hex.decode(hex).ok_or(VerifyError::Malformed)?;
                self.matches(b"", b"", body, [sig].into_iter())
            }
            Scheme::Shopify => {
                let sig = Encoding::Base64
                    .decode(signature.ok_or(VerifyError::Missing)?)
                    .ok_or(VerifyError::Malformed)?;
                self.matches(b"", b"", body, [sig].into_iter())
            }
            Scheme::Standard => {
                // Svix sends the same three headers under its own names.
                let [id_name, ts_name, sig_name] =
                    if signature.is_none() && present(standard::SVIX[2]).is_some() {
                        standard::SVIX
                    } else {
                        [standard::ID, standard::TIMESTAMP, standard::SIGNATURE]
                    };
                let list = present(sig_name).ok_or(VerifyError::Missing)?;
                let id = present(id_name).ok_or(VerifyError::MissingPart("missing webhook-id"))?;
                let ts = present(ts_name).ok_or(VerifyError::MissingPart("missing webhook-timestamp"))?;
                let v1 =
                    || list.split(|&b| b == b' ').filter_map(|entry| entry.trim_ascii().strip_prefix(b"v1,"));
                if v1().next().is_none() {
                    return Err(VerifyError::NoVersion("no v1 signature"));
                }
                self.fresh(ts, now)?;
                self.matches_any(id, ts, body, || v1().filter_map(|s| Encoding::Base64.decode(s)))
            }
            Scheme::Stripe => {
                let value = signature.ok_or(VerifyError::Missing)?;
                let pairs = || value.split(|&b| b == b',').filter_map(|p| split_once(p.trim_ascii(), b'='));
                let ts = pairs().find(|(k, _)| *k == b"t").map(|(_, v)| v);
                let ts = ts.ok_or(VerifyError::MissingPart("missing timestamp"))?;
                let v1 = || pairs().filter(|(k, _)| *k == b"v1").map(|(_, v)| v);
                if v1().next().is_none() {
                    return Err(VerifyError::NoVersion("no v1 signature"));
                }
                self.fresh(ts, now)?;
                self.matches_any(b"", ts, body, || v1().filter_map(|s| Encoding::Hex.decode(s)))
            }
            Scheme::Slack => {
                let value = signature.ok_or(VerifyError::Missing)?;
                let ts = present(SLACK_TIMESTAMP)
                    .ok_or(VerifyError::MissingPart("missing x-slack-request-timestamp"))?;
                let hex = match split_once(value, b'=') {
                    Some((b"v0", hex)) => hex,
                    Some(_) => return Err(VerifyError::NoVersion("no v0 signature")),
                    None => return Err(VerifyError::Malformed),
                };
                let sig = Encoding::Hex.decode(hex).ok_or(VerifyError::Malformed)?;
                self.fresh(ts, now)?;
                self.matches(b"", ts, body, [sig].into_iter())
            }
        }
    }

    /// Checks a signed timestamp (Unix seconds) against the tolerance around `now`.
    fn fresh(&self, ts: &[u8], now: SystemTime) -> Result<(), VerifyError> {
        let at = std::str::from_utf8(ts)
            .ok()
            .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<u64>().ok())
            .ok_or(VerifyError::InvalidTimestamp)?;
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let tolerance = self.tolerance.as_secs();
        if now.saturating_sub(at) > tolerance {
            Err(VerifyError::Stale)
        } else if at.saturating_sub(now) > tolerance {
            Err(VerifyError::Future)
        } else {
            Ok(())
        }
    }

    /// Whether any secret signs the content into one of `sigs`: `Malformed`
    /// when none of them decoded, `Mismatch` when none matched.
    fn matches(
        &self,
        id: &[u8],
        ts: &[u8],
        body: &[u8],
        sigs: impl Iterator<Item = [u8; 32]> + Clone,
    ) -> Result<(), VerifyError> {
        self.matches_any(id, ts, body, || sigs.clone())
    }

    fn matches_any<I: Iterator<Item = [u8; 32]>>(
        &self,
        id: &[u8],
        ts: &[u8],
        body: &[u8],
        sigs: impl Fn() -> I,
    ) -> Result<(), VerifyError> {
        if sigs().next().is_none() {
            return Err(VerifyError::Malformed);
        }
        for mac in &self.macs {
            // The body is hashed once per secret; each candidate costs one finalisation.
            let content = signed_content(self.scheme, mac, id, ts, body);
            for sig in sigs() {
                if content.clone().verify_slice(&sig).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(VerifyError::Mismatch)
    }
}

impl VerifyError {
    /// The reason as shown and sent back to the sender.
    pub fn reason(self) -> &'static str {
        match self {
            VerifyError::Missing => "missing signature",
            VerifyError::MissingPart(reason) | VerifyError::NoVersion(reason) => reason,
            VerifyError::Malformed => "malformed signature",
            VerifyError::InvalidTimestamp => "invalid timestamp",
            VerifyError::Stale => "stale timestamp",
            VerifyError::Future => "timestamp in the future",
            VerifyError::Mismatch => "signature mismatch",
        }
    }
}

fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = s.iter().position(|&b| b == sep)?;
    Some((&s[..at], &s[at + 1..]))
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme)
            .field("secrets", &self.macs.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::SignatureFormat;
    use super::super::{Message, Signer, sign, verify};
    use super::*;
    use proptest::prelude::*;

    const DOC_SECRET: &str = "convoy-webhook-secret";
    const DOC_BODY: &str = r#"{"event":"charge.success","amount":1000,"currency":"NGN"}"#;
    const DOC_HEX: &str = "244449b7f48cbc2709060c9dcdc2b3aa47a78f540430579015c579fb12defbb4";

    const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SW_TS: u64 = 1614265330;
    const SW_BODY: &str = r#"{"test": 2432232314}"#;
    const SW_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    const GH_SECRET: &str = "It's a Secret to Everybody";
    const GH_SIG: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse::<http::HeaderName>().unwrap(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    fn verifier(scheme: Scheme, secrets: &[&str]) -> Verifier {
        Verifier::for_scheme(scheme, secrets, None).unwrap()
    }

    fn sw_headers(id: &str, ts: &str, sig: &str) -> HeaderMap {
        map(&[("webhook-id", id), ("webhook-timestamp", ts), ("webhook-signature", sig)])
    }

    #[test]
    fn scopien_accepts_variants() {
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
    fn scopien_rejects_bad_headers() {
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
    fn github_published_vector() {
        let v = verifier(Scheme::Github, &[GH_SECRET]);
        let now = SystemTime::now();
        assert_eq!(v.check(&map(&[("x-hub-signature-256", GH_SIG)]), b"Hello, World!", now), Ok(()));
        assert_eq!(
            v.check(&map(&[("X-Hub-Signature-256", GH_SIG)]), b"Hello, World!!", now),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            v.check(&map(&[("x-scopien-signature", GH_SIG)]), b"Hello, World!", now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verifier(Scheme::Github, &["other"]).verify_str(Some(GH_SIG), b"Hello, World!"),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn standard_webhooks_spec_vector() {
        let v = verifier(Scheme::Standard, &[SW_SECRET]);
        let ts = SW_TS.to_string();
        let body = SW_BODY.as_bytes();
        assert_eq!(v.check(&sw_headers(SW_ID, &ts, SW_SIG), body, at(SW_TS)), Ok(()));
        // Svix's own header names.
        let svix = map(&[("svix-id", SW_ID), ("svix-timestamp", &ts), ("svix-signature", SW_SIG)]);
        assert_eq!(v.check(&svix, body, at(SW_TS)), Ok(()));
        // A secret pasted without its prefix is the same key.
        let bare = verifier(Scheme::Standard, &["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
        assert_eq!(bare.check(&sw_headers(SW_ID, &ts, SW_SIG), body, at(SW_TS)), Ok(()));
        // Every signed part counts.
        assert_eq!(
            v.check(&sw_headers("msg_other", &ts, SW_SIG), body, at(SW_TS)),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            v.check(&sw_headers(SW_ID, "1614265331", SW_SIG), body, at(SW_TS)),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            v.check(&sw_headers(SW_ID, &ts, SW_SIG), br#"{"test": 2432232315}"#, at(SW_TS)),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn standard_lists_and_rotation() {
        let ts = SW_TS.to_string();
        let body = SW_BODY.as_bytes();
        let others =
            "v1,tFtCZ5RDCPxzWQRWXWPgrCgE2frDBe9gjpbWQxnVfsQ= v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q=";
        let v = verifier(Scheme::Standard, &[SW_SECRET]);
        let listed = format!("{others} {SW_SIG} v1a,ignored");
        assert_eq!(v.check(&sw_headers(SW_ID, &ts, &listed), body, at(SW_TS)), Ok(()));
        assert_eq!(v.check(&sw_headers(SW_ID, &ts, others), body, at(SW_TS)), Err(VerifyError::Mismatch));
        let rotating =
            verifier(Scheme::Standard, &["whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", SW_SECRET]);
        assert_eq!(rotating.check(&sw_headers(SW_ID, &ts, SW_SIG), body, at(SW_TS)), Ok(()));
    }

    #[test]
    fn standard_rejections() {
        let v = verifier(Scheme::Standard, &[SW_SECRET]);
        let ts = SW_TS.to_string();
        let body = SW_BODY.as_bytes();
        let check = |h: &HeaderMap, now| v.check(h, body, at(now));
        assert_eq!(
            check(&map(&[("webhook-id", SW_ID), ("webhook-timestamp", &ts)]), SW_TS),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            check(&map(&[("webhook-id", SW_ID), ("webhook-signature", SW_SIG)]), SW_TS)
                .unwrap_err()
                .to_string(),
            "missing webhook-timestamp"
        );
        assert_eq!(
            check(&map(&[("webhook-timestamp", &ts), ("webhook-signature", SW_SIG)]), SW_TS)
                .unwrap_err()
                .to_string(),
            "missing webhook-id"
        );
        assert_eq!(check(&sw_headers(SW_ID, "soon", SW_SIG), SW_TS), Err(VerifyError::InvalidTimestamp));
        assert_eq!(check(&sw_headers(SW_ID, "-5", SW_SIG), SW_TS), Err(VerifyError::InvalidTimestamp));
        // Five minutes either way is fine; a second more is not.
        assert_eq!(check(&sw_headers(SW_ID, &ts, SW_SIG), SW_TS + 300), Ok(()));
        assert_eq!(check(&sw_headers(SW_ID, &ts, SW_SIG), SW_TS - 300), Ok(()));
        assert_eq!(
            check(&sw_headers(SW_ID, &ts, SW_SIG), SW_TS + 301).unwrap_err().to_string(),
            "stale timestamp"
        );
        assert_eq!(
            check(&sw_headers(SW_ID, &ts, SW_SIG), SW_TS - 301).unwrap_err().to_string(),
            "timestamp in the future"
        );
        assert_eq!(
            check(&sw_headers(SW_ID, &ts, "v2,abc v1a,xyz"), SW_TS).unwrap_err().to_string(),
            "no v1 signature"
        );
        assert_eq!(check(&sw_headers(SW_ID, &ts, "v1,notbase64"), SW_TS), Err(VerifyError::Malformed));
        let wide =
            Verifier::for_scheme(Scheme::Standard, &[SW_SECRET], Some(Duration::from_secs(3600))).unwrap();
        assert_eq!(wide.check(&sw_headers(SW_ID, &ts, SW_SIG), body, at(SW_TS + 3000)), Ok(()));
    }

    #[test]
    fn stripe_rejections_and_rotation() {
        let now = 1_700_000_000;
        let signer = Signer::for_scheme(Scheme::Stripe, "whsec_test", SignatureFormat::Prefixed).unwrap();
        let value = signer.sign(&Message { id: "", timestamp: now, body: b"{}" }).signature().to_string();
        let v = verifier(Scheme::Stripe, &["whsec_old", "whsec_test"]);
        let check = |value: &str, body: &[u8], at_secs| {
            v.check(&map(&[("stripe-signature", value)]), body, at(at_secs))
        };
        assert_eq!(check(&value, b"{}", now), Ok(()));
        // Stripe lists a v0 and several v1 signatures during rotation.
        let (t, v1) = value.split_once(',').unwrap();
        assert_eq!(check(&format!("{t},v0=abc,v1={},{v1}", "0".repeat(64)), b"{}", now), Ok(()));
        assert_eq!(check(&value, b"{ }", now), Err(VerifyError::Mismatch));
        assert_eq!(check(&value, b"{}", now + 301), Err(VerifyError::Stale));
        assert_eq!(check(&value, b"{}", now - 301), Err(VerifyError::Future));
        assert_eq!(check(v1, b"{}", now).unwrap_err().to_string(), "missing timestamp");
        assert_eq!(check(&format!("{t},v0=abc"), b"{}", now).unwrap_err().to_string(), "no v1 signature");
        assert_eq!(check(&format!("{t},v1=abc"), b"{}", now), Err(VerifyError::Malformed));
        assert_eq!(check("t=x,v1=abc", b"{}", now), Err(VerifyError::InvalidTimestamp));
        assert_eq!(
            verifier(Scheme::Stripe, &["whsec_old"]).check(
                &map(&[("stripe-signature", &value)]),
                b"{}",
                at(now)
            ),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn slack_rejections() {
        let now = 1_700_000_000;
        let signer =
            Signer::for_scheme(Scheme::Slack, "8f742231b10e8888abcd99yyyzzz85a5", SignatureFormat::Prefixed)
                .unwrap();
        let signed = signer.sign(&Message { id: "", timestamp: now, body: b"token=x&team_id=T1" });
        let headers: HeaderMap = map(&signed.headers().collect::<Vec<_>>());
        let v = verifier(Scheme::Slack, &["8f742231b10e8888abcd99yyyzzz85a5"]);
        assert_eq!(v.check(&headers, b"token=x&team_id=T1", at(now)), Ok(()));
        assert_eq!(v.check(&headers, b"token=y&team_id=T1", at(now)), Err(VerifyError::Mismatch));
        assert_eq!(v.check(&headers, b"token=x&team_id=T1", at(now + 301)), Err(VerifyError::Stale));
        assert_eq!(
            v.verify_str(Some(signed.signature()), b"token=x&team_id=T1").unwrap_err().to_string(),
            "missing x-slack-request-timestamp"
        );
        let ts = now.to_string();
        let with = |sig: &str| map(&[("x-slack-request-timestamp", &ts), ("x-slack-signature", sig)]);
        assert_eq!(v.check(&with("v1=abc"), b"", at(now)).unwrap_err().to_string(), "no v0 signature");
        assert_eq!(v.check(&with("v0=abc"), b"", at(now)), Err(VerifyError::Malformed));
        assert_eq!(v.check(&with("abc"), b"", at(now)), Err(VerifyError::Malformed));
    }

    #[test]
    fn shopify_rejections() {
        let signer = Signer::for_scheme(Scheme::Shopify, "shpss_secret", SignatureFormat::Prefixed).unwrap();
        let value = signer.header_value(b"{}");
        let v = verifier(Scheme::Shopify, &["shpss_other", "shpss_secret"]);
        assert_eq!(v.verify_str(Some(&value), b"{}"), Ok(()));
        assert_eq!(v.verify_str(Some(&value), b"[]"), Err(VerifyError::Mismatch));
        assert_eq!(v.verify_str(Some(&value[1..]), b"{}"), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(Some(&hex::encode([0u8; 32])), b"{}"), Err(VerifyError::Malformed));
        assert_eq!(v.verify_str(None, b"{}"), Err(VerifyError::Missing));
    }

    #[test]
    fn rotation() {
        let h = sign("whsec_new", b"body", SignatureFormat::Prefixed);
        assert_eq!(verify(&["whsec_old", "whsec_new"], Some(&h), b"body"), Ok(()));
        assert_eq!(verify(&["whsec_old"], Some(&h), b"body"), Err(VerifyError::Mismatch));
    }

    #[test]
    fn standard_secret_must_be_base64() {
        assert_eq!(
            Verifier::for_scheme(Scheme::Standard, &["whsec_%%%"], None).unwrap_err(),
            KeyError::NotBase64
        );
        assert!(Signer::for_scheme(Scheme::Standard, "whsec_%%%", SignatureFormat::Prefixed).is_err());
    }

    fn any_scheme() -> impl Strategy<Value = Scheme> {
        proptest::sample::select(super::super::SCHEMES.to_vec())
    }

    proptest! {
        #[test]
        fn sign_then_verify(body in proptest::collection::vec(any::<u8>(), 0..2048), secret in ".{0,64}", bare in any::<bool>()) {
            let format = if bare { SignatureFormat::Bare } else { SignatureFormat::Prefixed };
            let h = sign(&secret, &body, format);
            prop_assert_eq!(verify(&[&secret], Some(&h), &body), Ok(()));
        }

        #[test]
        fn every_scheme_verifies_what_it_signs(
            scheme in any_scheme(),
            body in proptest::collection::vec(any::<u8>(), 0..512),
            key in proptest::collection::vec(any::<u8>(), 1..48),
            id in "[a-zA-Z0-9_]{1,40}",
            ts in 1_000_000_000u64..4_000_000_000,
        ) {
            let secret = format!("whsec_{}", BASE64.encode(&key));
            let signer = Signer::for_scheme(scheme, &secret, SignatureFormat::Prefixed).unwrap();
            let signed = signer.sign(&Message { id: &id, timestamp: ts, body: &body });
            let headers = map(&signed.headers().collect::<Vec<_>>());
            let v = Verifier::for_scheme(scheme, &["whsec_b3RoZXI=", &secret], None).unwrap();
            prop_assert_eq!(v.check(&headers, &body, at(ts)), Ok(()));
            let mut tampered = body.clone();
            tampered.push(b' ');
            prop_assert_eq!(v.check(&headers, &tampered, at(ts)), Err(VerifyError::Mismatch));
        }

        #[test]
        fn verify_never_panics(scheme in any_scheme(), header in any::<String>(), bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let v = Verifier::for_scheme(scheme, &["whsec_eA=="], None).unwrap();
            let _ = v.verify_str(Some(&header), b"{}");
            let _ = v.verify(Some(&bytes), b"{}");
        }
    }
}
