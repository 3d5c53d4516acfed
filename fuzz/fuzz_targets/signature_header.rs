#![no_main]
//! Every scheme's signature header parser on arbitrary header values and bodies.

libfuzzer_sys::fuzz_target!(|data: &[u8]| scopien_hooks::fuzzing::fuzz_signature_header(data));
