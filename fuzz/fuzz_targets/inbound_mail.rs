//! A mail as anyone can send it to the LMTP listener or `tierdesk mail ingest`: read as
//! MIME, then cut the way the app cuts it (the thread's case ids, the subject's case
//! number, the reply without its history, the language). Nothing may panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_core::mail_text;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the envelope sender: none, the null sender, or an address.
    let (sender, raw) = match data.split_first() {
        Some((0, rest)) => (None, rest),
        Some((1, rest)) => (Some(""), rest),
        Some((_, rest)) => (Some("someone@example.com"), rest),
        None => (None, data),
    };
    if let Ok(mail) = tierdesk_server::mail_in::read(raw, sender) {
        let _ = mail_text::thread_case_ids(mail.thread.iter().map(String::as_str), Some("tierdesk.test"));
        let _ = mail_text::subject_case_number(&mail.subject);
        let text = mail_text::reply_text(&mail.text);
        let _ = mail_text::detect_language(&text);
    }
});
