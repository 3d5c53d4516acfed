//! Properties that hold for every input: the signature header parsers, curl
//! quoting and the emulator's webhook filters.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use scopien_hooks::emulator::filters;
use scopien_hooks::send::curl;
use scopien_hooks::signature::{Message, SCHEMES, Scheme, SignatureFormat, Signer, Verifier, VerifyError};
use serde_json::{Map, Value, json};

/// A secret every scheme accepts as a key (Standard Webhooks' is base64).
const SECRET: &str = "whsec_c2VjcmV0LWtleS1mb3ItcHJvcGVydGllcw==";

fn scheme() -> impl Strategy<Value = Scheme> {
    proptest::sample::select(SCHEMES.to_vec())
}

/// The headers `signer` writes for `msg`.
fn signed_headers(signer: &Signer, msg: &Message) -> HeaderMap {
    let signed = signer.sign(msg);
    let mut headers = HeaderMap::new();
    for (name, value) in signed.headers() {
        headers
            .insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    headers
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Undoes POSIX shell single quoting: `'…'` runs and `\'` between them.
fn shell_unquote(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '\\' => out.push(chars.next()?),
            _ => return None,
        }
    }
    Some(out)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever bytes arrive in the signature headers, every scheme answers with
    /// a reason and never accepts them without the secret's signature.
    #[test]
    fn arbitrary_signature_headers_are_rejected_with_a_reason(
        scheme in scheme(),
        values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 3),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let verifier = Verifier::for_scheme(scheme, &[SECRET], None).unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in scheme.headers().iter().zip(&values) {
            if let Ok(v) = HeaderValue::from_bytes(value) {
                headers.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), v);
            }
        }
        let got = verifier.check(&headers, &body, SystemTime::now());
        prop_assert!(got.is_err(), "{scheme}: accepted {headers:?}");
    }

    /// The main header alone, through the string entry point, for Scopien's parser:
    /// absent or blank is "missing", anything else is malformed or a mismatch.
    #[test]
    fn scopien_header_text_is_missing_malformed_or_mismatched(header in ".{0,100}", body in ".{0,64}") {
        let verifier = Verifier::new(&[SECRET]);
        let got = verifier.verify_str(Some(&header), body.as_bytes());
        if header.trim_ascii().is_empty() {
            prop_assert_eq!(got, Err(VerifyError::Missing));
        } else {
            prop_assert!(matches!(got, Err(VerifyError::Malformed | VerifyError::Mismatch)), "{got:?} for {header:?}");
        }
        prop_assert_eq!(verifier.verify_str(None, body.as_bytes()), Err(VerifyError::Missing));
    }

    /// What a signer writes, the verifier of the same scheme and secret accepts;
    /// Scopien's accepts either spelling, any hex case and surrounding spaces.
    #[test]
    fn signed_headers_verify(
        scheme in scheme(),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        id in "msg_[A-Za-z0-9]{1,24}",
        bare in any::<bool>(),
        upper in any::<bool>(),
    ) {
        let format = if bare { SignatureFormat::Bare } else { SignatureFormat::Prefixed };
        let signer = Signer::for_scheme(scheme, SECRET, format).unwrap();
        let msg = Message { id: &id, timestamp: now_secs(), body: &body };
        let headers = signed_headers(&signer, &msg);
        let verifier = Verifier::for_scheme(scheme, &[SECRET], None).unwrap();
        prop_assert_eq!(verifier.check(&headers, &body, SystemTime::now()), Ok(()));
        if scheme == Scheme::Scopien {
            let value = signer.sign(&msg).signature().to_string();
            let hex = value.trim_start_matches("sha256=");
            let respelled = format!("  {}{}\t", &value[..value.len() - hex.len()],
                if upper { hex.to_ascii_uppercase() } else { hex.to_string() });
            prop_assert_eq!(verifier.verify_str(Some(&respelled), &body), Ok(()));
        }
    }

    /// One changed body byte, or another secret, and the signature no longer verifies.
    #[test]
    fn changed_bodies_and_other_secrets_do_not_verify(
        scheme in scheme(),
        body in proptest::collection::vec(any::<u8>(), 1..256),
        at in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let signer = Signer::for_scheme(scheme, SECRET, SignatureFormat::Prefixed).unwrap();
        let msg = Message { id: "msg_1", timestamp: now_secs(), body: &body };
        let headers = signed_headers(&signer, &msg);
        let mut changed = body.clone();
        changed[at.index(body.len())] ^= flip;
        let verifier = Verifier::for_scheme(scheme, &[SECRET], None).unwrap();
        prop_assert_eq!(verifier.check(&headers, &changed, SystemTime::now()), Err(VerifyError::Mismatch));
        let other = Verifier::for_scheme(scheme, &["whsec_b3RoZXItc2VjcmV0"], None).unwrap();
        prop_assert_eq!(other.check(&headers, &body, SystemTime::now()), Err(VerifyError::Mismatch));
    }

    /// A timestamped scheme refuses a correctly signed message outside its tolerance.
    #[test]
    fn timestamps_outside_the_tolerance_are_refused(
        scheme in proptest::sample::select(vec![Scheme::Standard, Scheme::Stripe, Scheme::Slack]),
        skew in 61u64..100_000,
        past in any::<bool>(),
    ) {
        let now = now_secs();
        let timestamp = if past { now - skew } else { now + skew };
        let signer = Signer::for_scheme(scheme, SECRET, SignatureFormat::Prefixed).unwrap();
        let headers = signed_headers(&signer, &Message { id: "msg_1", timestamp, body: b"{}" });
        let verifier = Verifier::for_scheme(scheme, &[SECRET], Some(Duration::from_secs(60))).unwrap();
        let want = if past { VerifyError::Stale } else { VerifyError::Future };
        prop_assert_eq!(verifier.check(&headers, b"{}", UNIX_EPOCH + Duration::from_secs(now)), Err(want));
    }

    /// A quoted word is one shell word that reads back as exactly the input.
    #[test]
    fn curl_quoting_round_trips(word in "\\PC*") {
        let quoted = curl::quote(&word);
        prop_assert!(quoted.starts_with('\'') && quoted.ends_with('\''));
        prop_assert_eq!(shell_unquote(&quoted), Some(word));
    }

    /// Quotes inside are closed, escaped and reopened: nothing is left unquoted.
    #[test]
    fn curl_quoting_leaves_no_word_unquoted(word in "['a-z $`\\\\\"!*]{0,32}") {
        let quoted = curl::quote(&word);
        let inner = &quoted[1..quoted.len() - 1];
        prop_assert_eq!(inner.replace("'\\''", "").contains('\''), false, "{}", quoted);
        prop_assert_eq!(quoted.matches('\'').count(), 2 + 3 * word.matches('\'').count());
    }

    /// The curl command carries every header and the body as single words.
    #[test]
    fn curl_commands_quote_every_argument(
        value in "[ -~]{0,40}",
        body in "\\PC{0,80}",
    ) {
        let headers = vec![("X-Test".to_string(), value.clone())];
        let cmd = curl::command("http://127.0.0.1:1/x", &headers, body.as_bytes(), None);
        prop_assert!(cmd.contains(&curl::quote(&format!("X-Test: {value}"))), "{}", cmd);
        let data = format!("--data-binary {}", curl::quote(&body));
        prop_assert!(cmd.ends_with(&data), "{}", cmd);
    }

    /// No filters: every event passes.
    #[test]
    fn no_filters_match_everything(n in any::<i64>(), s in ".{0,16}") {
        let data = json!({"amount": n, "stage": s});
        prop_assert!(filters::matches(&Map::new(), &data));
    }

    /// `_greater_than` and `_less_than` agree with the numbers' order, and a
    /// missing field fails them.
    #[test]
    fn comparison_filters_follow_the_numbers(amount in -1.0e9f64..1.0e9, bound in -1.0e9f64..1.0e9) {
        let data = json!({"amount": amount, "deal": {"amount": amount}});
        let f = |key: &str| -> Result<Map<String, Value>, TestCaseError> {
            let m = json!({ key: bound }).as_object().unwrap().clone();
            prop_assert_eq!(filters::validate(&m), Ok(()));
            Ok(m)
        };
        prop_assert_eq!(filters::matches(&f("amount_greater_than")?, &data), amount > bound);
        prop_assert_eq!(filters::matches(&f("amount_less_than")?, &data), amount < bound);
        prop_assert_eq!(filters::matches(&f("deal.amount_greater_than")?, &data), amount > bound);
        prop_assert!(!filters::matches(&f("missing_greater_than")?, &data));
    }

    /// `field: [values]` passes exactly when the field is one of them, numbers by value.
    #[test]
    fn list_filters_are_membership(
        allowed in proptest::collection::vec(0u32..20, 1..6),
        actual in 0u32..20,
        as_float in any::<bool>(),
    ) {
        let filter = json!({"stage": allowed.iter().map(|n| json!(n)).collect::<Vec<_>>()});
        let filter = filter.as_object().unwrap();
        prop_assert_eq!(filters::validate(filter), Ok(()));
        let value = if as_float { json!(f64::from(actual)) } else { json!(actual) };
        prop_assert_eq!(filters::matches(filter, &json!({"stage": value})), allowed.contains(&actual));
        let elsewhere = json!({"other": actual});
        prop_assert!(!filters::matches(filter, &elsewhere));
    }

    /// Every filter must pass: a conjunction is the `and` of its parts.
    #[test]
    fn all_filters_must_pass(a in 0i32..10, b in 0i32..10, want_a in 0i32..10, want_b in 0i32..10) {
        let data = json!({"a": a, "b": b});
        let one = |k: &str, v: i32| json!({ k: v }).as_object().unwrap().clone();
        let mut both = one("a", want_a);
        both.extend(one("b", want_b));
        prop_assert_eq!(
            filters::matches(&both, &data),
            filters::matches(&one("a", want_a), &data) && filters::matches(&one("b", want_b), &data)
        );
    }

    /// Validation accepts exactly numeric bounds and scalar or non-empty scalar lists.
    #[test]
    fn validation_names_the_bad_filter(key in "[a-z]{1,8}", bad in prop_oneof![
        Just(json!({})), Just(json!([])), Just(json!([[1]])), Just(json!([{"x": 1}]))
    ]) {
        let m = json!({ key.clone(): bad }).as_object().unwrap().clone();
        let err = filters::validate(&m).unwrap_err();
        prop_assert!(err.contains(&key), "{}", err);
        let bound = json!({ format!("{key}_greater_than"): "ten" }).as_object().unwrap().clone();
        prop_assert!(filters::validate(&bound).unwrap_err().contains("must be a number"));
    }
}
