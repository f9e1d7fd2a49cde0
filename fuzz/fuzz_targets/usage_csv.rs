//! A billing export (AWS CUR or the generic CSV) as `tierdesk usage import` reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_core::usage::{Format, read};

fuzz_target!(|data: &[u8]| {
    let format = if data.first().is_some_and(|b| b % 2 == 0) {
        Format::Cur
    } else {
        Format::Generic
    };
    let _ = read(format, data.get(1..).unwrap_or_default(), "USD", |_| {});
});
