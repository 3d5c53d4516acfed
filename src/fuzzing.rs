//! Bodies of the cargo-fuzz targets in `fuzz/`. They live in the library so a
//! normal test runs them over the committed seeds in `fuzz/seeds/` on stable,
//! and `cargo +nightly fuzz run` explores from there. Each panics on a broken
//! invariant, which is what the fuzzer reports.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::listen::classify::{self, Refusal};
use crate::listen::options::VerifyMode;
use crate::signature::{self, Message, SCHEMES, Scheme, SignatureFormat, Signer, Verifier, VerifyError};
use crate::wire::{ParseError, is_json};

const SECRET: &str = "whsec_ZnV6ei1zZWNyZXQtZm9yLXNjb3BpZW4=";
/// 2026-01-22T10:30:00Z, the clock every run uses (seeds are timestamped near it).
const NOW: u64 = 1_769_077_800;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// Input: one flag byte, a signature header value, a NUL, then the body.
/// Flags: bits 0–1 the method (POST, GET, PUT, DELETE), bit 2 a path other
/// than `--path`, bit 3 sign the body with the secret (instead of the header
/// given), bit 4 a 64-byte `--max-body`, bit 5 `--skip-verify`, bit 6 `--tolerance 5m`.
///
/// Runs checks 1–6 in the listener's order and checks the answer is one of
/// the documented ones, and that a correctly signed event is never refused for
/// its signature.
pub fn fuzz_listen_classify(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else { return };
    let (header, body) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let method = [Method::POST, Method::GET, Method::PUT, Method::DELETE][usize::from(flags & 3)].clone();
    let path = if flags & 4 != 0 { "/elsewhere" } else { "/hooks" };
    let max_body = if flags & 16 != 0 { 64 } else { 1 << 20 };
    let verify =
        if flags & 32 != 0 { VerifyMode::Skip } else { VerifyMode::Secrets(Verifier::new(&[SECRET])) };
    let tolerance = (flags & 64 != 0).then(|| Duration::from_secs(300));
    let signed = signature::sign(SECRET, body, SignatureFormat::Prefixed);
    let signed_ok = flags & 8 != 0;
    let sig = if signed_ok { Some(signed.as_bytes()) } else { Some(header).filter(|h| !h.is_empty()) };
    let mut headers = HeaderMap::new();
    if let Some(value) = sig.and_then(|s| HeaderValue::from_bytes(s).ok()) {
        headers.insert(HeaderName::from_static("x-scopien-signature"), value);
    }
    // A header value http cannot carry never reaches the listener: it is a missing signature.
    let signed_ok = signed_ok && headers.contains_key("x-scopien-signature");

    let outcome = classify::route(Some("/hooks"), &method, path)
        .and_then(|()| classify::size(body.len() as u64, max_body))
        .and_then(|()| classify::signature(&verify, &headers, body, now()).map_err(Refusal::Signature))
        .and_then(|verified| {
            classify::shape(Scheme::Scopien, &headers, body)
                .map(|parsed| (verified, parsed))
                .map_err(Refusal::Shape)
        })
        .and_then(|(verified, parsed)| {
            classify::fresh(parsed.events(), tolerance, now()).map(|()| (verified, parsed))
        });
    match outcome {
        Ok((verified, parsed)) => {
            assert!(method == Method::POST && path == "/hooks" && body.len() as u64 <= max_body);
            assert!(!parsed.events().is_empty(), "an accepted delivery holds events");
            assert!(is_json(body), "accepted a body that is not JSON: {body:?}");
            assert_eq!(verified.is_some(), flags & 32 == 0);
        }
        Err(refusal) => {
            let status = refusal.status();
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED, StatusCode::PAYLOAD_TOO_LARGE]
                    .contains(&status)
                    || [StatusCode::UNAUTHORIZED, StatusCode::BAD_REQUEST].contains(&status),
                "{refusal:?} → {status}"
            );
            assert!(!refusal.reason().is_empty());
            match refusal {
                Refusal::NotFound => assert_eq!(path, "/elsewhere"),
                Refusal::MethodNotAllowed => assert_ne!(method, Method::POST),
                Refusal::TooLarge => assert!(body.len() as u64 > max_body),
                Refusal::Signature(e) => assert!(!signed_ok, "the body's own signature refused: {e:?}"),
                Refusal::Shape(ParseError::InvalidJson) => assert!(!is_json(body)),
                Refusal::Shape(ParseError::NotAnEvent) => assert!(is_json(body)),
                Refusal::Timestamp(_) => assert!(tolerance.is_some()),
            }
        }
    }
}

/// Input: one byte choosing the scheme, then up to three NUL-separated header
/// values (in the scheme's header order) and the body.
///
/// Whatever the headers hold, every scheme's parser answers with a reason and
/// accepts nothing the secret did not sign; the scheme's own signature of the
/// same body verifies.
pub fn fuzz_signature_header(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let scheme = SCHEMES[usize::from(pick) % SCHEMES.len()];
    let mut parts = rest.splitn(4, |&b| b == 0);
    let values: Vec<&[u8]> = parts.by_ref().take(3).collect();
    let body = parts.next().unwrap_or_default();
    let verifier = Verifier::for_scheme(scheme, &[SECRET], None).expect("the fuzz secret suits every scheme");

    let mut headers = HeaderMap::new();
    for (name, value) in scheme.headers().iter().zip(&values) {
        if let Ok(v) = HeaderValue::from_bytes(value) {
            headers.insert(HeaderName::from_bytes(name.as_bytes()).expect("a scheme header name"), v);
        }
    }
    // Forging an HMAC is beyond any fuzzer: anything accepted is a parser bug.
    match verifier.check(&headers, body, now()) {
        Ok(()) => panic!("{scheme} accepted {headers:?} for {body:?}"),
        Err(e) => assert!(!e.reason().is_empty()),
    }
    if let Err(e) = verifier.verify(values.first().copied(), body) {
        assert!(!e.reason().is_empty());
    } else {
        panic!("{scheme} accepted {:?} alone", values.first());
    }

    let signer = Signer::for_scheme(scheme, SECRET, SignatureFormat::Prefixed).expect("a valid key");
    let id = String::from_utf8_lossy(values.first().copied().unwrap_or_default());
    let id =
        if id.is_empty() || id.contains(|c: char| !c.is_ascii_graphic()) { "msg_fuzz".into() } else { id };
    let signed = signer.sign(&Message { id: &id, timestamp: NOW, body });
    let mut good = HeaderMap::new();
    for (name, value) in signed.headers() {
        good.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("a scheme header name"),
            HeaderValue::from_str(value).expect("ASCII header"),
        );
    }
    assert_eq!(verifier.check(&good, body, now()), Ok(()), "{scheme}: own signature refused");
    if let Some(e) = Some(verifier.check(&good, b"\x00changed", now())).and_then(Result::err) {
        assert!(matches!(e, VerifyError::Mismatch), "{scheme}: {e:?}");
    }
}
