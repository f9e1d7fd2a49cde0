//! A console form as anyone can post it: URL-encoded or multipart, parsed into fields and
//! files the way the console's `Form` extractor does. Nothing may panic or hang.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("a runtime: {e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    // The first line is the Content-Type header, the rest the body.
    let (content_type, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => (String::new(), data),
    };
    let _ = runtime().block_on(tierdesk_server::console::forms::parse_for_fuzzing(
        &content_type,
        body,
    ));
});
