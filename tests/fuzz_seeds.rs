//! The fuzz targets in `fuzz/` run over their committed seeds on every test
//! run, so their invariants hold on stable without cargo-fuzz.

use std::path::Path;

fn each_seed(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 5, "{target} has {} seeds", seeds.len());
    for seed in seeds {
        let data = std::fs::read(&seed).unwrap();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            panic!("{target} fails on seed {}: {}", seed.display(), why.unwrap_or_default());
        }
    }
}

#[test]
fn listen_classification_holds_on_every_seed() {
    each_seed("listen_classify", scopien_hooks::fuzzing::fuzz_listen_classify);
}

#[test]
fn signature_header_parsing_holds_on_every_seed() {
    each_seed("signature_header", scopien_hooks::fuzzing::fuzz_signature_header);
}

/// The same targets over inputs derived from the seeds (truncated, with a flipped
/// byte, with every flag combination), a small stand-in for the fuzzer's mutations.
#[test]
fn targets_hold_on_mutated_seeds() {
    for (target, run) in [
        ("listen_classify", scopien_hooks::fuzzing::fuzz_listen_classify as fn(&[u8])),
        ("signature_header", scopien_hooks::fuzzing::fuzz_signature_header),
    ] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            for first in 0..=u8::MAX {
                let mut d = data.clone();
                if let Some(b) = d.first_mut() {
                    *b = first;
                }
                run(&d);
            }
            for cut in 0..data.len() {
                run(&data[..cut]);
                let mut d = data.clone();
                d[cut] ^= 0x20;
                run(&d);
            }
        }
    }
}
