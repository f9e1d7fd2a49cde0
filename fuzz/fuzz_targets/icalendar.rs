//! A holiday calendar (iCalendar) as an operator imports it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tierdesk_core::holidays::parse_ics("fuzz.ics", text);
    }
});
