//! Signing and verifying a delivery-sized (600 B) and a large (64 KiB) body,
//! in every scheme: `signature/<scheme>/{sign,verify}/<size>`.

use std::time::{Duration, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderName, HeaderValue};
use scopien_hooks::signature::{Message, SCHEMES, SignatureFormat, Signer, Verifier};

fn bodies() -> Vec<(&'static str, Vec<u8>)> {
    let small = {
        let t = scopien_hooks::payload::Template::sample("opportunity.updated", None);
        let mut b = t.render("evt_abcdefghijklmnopqrstuvwx", "2026-01-22T10:30:00Z");
        b.resize(600, b' ');
        b
    };
    let large = vec![b'x'; 64 * 1024];
    vec![("600B", small), ("64KiB", large)]
}

fn bench(c: &mut Criterion) {
    // Valid in every scheme: Standard Webhooks decodes the base64 after `whsec_`.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let timestamp = 1_769_077_800;
    let now = UNIX_EPOCH + Duration::from_secs(timestamp);
    for scheme in SCHEMES {
        let signer = Signer::for_scheme(scheme, secret, SignatureFormat::Prefixed).expect("a valid secret");
        let verifier = Verifier::for_scheme(scheme, &[secret], None).expect("a valid secret");
        let mut group = c.benchmark_group(format!("signature/{scheme}"));
        group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
        for (name, body) in bodies() {
            let msg = Message { id: "evt_abcdefghijklmnopqrstuvwx", timestamp, body: &body };
            group.throughput(Throughput::Bytes(body.len() as u64));
            group.bench_with_input(BenchmarkId::new("sign", name), &msg, |b, msg| {
                b.iter(|| signer.sign(std::hint::black_box(msg)).signature().len())
            });
            let headers: HeaderMap = signer
                .sign(&msg)
                .headers()
                .map(|(k, v)| (HeaderName::try_from(k).unwrap(), HeaderValue::from_str(v).unwrap()))
                .collect();
            assert_eq!(verifier.check(&headers, &body, now), Ok(()), "{scheme}");
            group.bench_with_input(BenchmarkId::new("verify", name), &body, |b, body| {
                b.iter(|| verifier.check(std::hint::black_box(&headers), std::hint::black_box(body), now))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
