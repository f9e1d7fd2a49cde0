//! A plan catalog file (TOML) as an operator hands it over: errors name file and line,
//! nothing panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_core::catalog::{Source, parse_catalog};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_catalog(&[Source {
            name: "fuzz.toml",
            text,
        }]);
    }
});
