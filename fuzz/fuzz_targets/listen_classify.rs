#![no_main]
//! What status and reason `listen` gives a request (method, path, size, JSON
//! shape, signature): never a panic, always one of the documented answers.

libfuzzer_sys::fuzz_target!(|data: &[u8]| scopien_hooks::fuzzing::fuzz_listen_classify(data));
