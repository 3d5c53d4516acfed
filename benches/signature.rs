//! Signing and verifying a delivery-sized (600 B) and a large (64 KiB) body.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scopien_hooks::signature::SignatureFormat;
use scopien_hooks::signature::{Signer, Verifier};

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
    let secret = "whsec_abc123def456";
    let signer = Signer::new(secret, SignatureFormat::Prefixed);
    let verifier = Verifier::new(&[secret]);
    let mut group = c.benchmark_group("signature");
    for (name, body) in bodies() {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("sign", name), &body, |b, body| {
            b.iter(|| signer.header_value(std::hint::black_box(body)))
        });
        let header = signer.header_value(&body);
        group.bench_with_input(BenchmarkId::new("verify", name), &body, |b, body| {
            b.iter(|| verifier.verify_str(Some(std::hint::black_box(&header)), std::hint::black_box(body)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
