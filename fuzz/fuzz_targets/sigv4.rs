//! SigV4 as the AWS endpoint reads it before knowing any secret: the Authorization
//! header, the envelope (scope, date, signed headers) and the canonical request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_aws::sigv4::{self, SignedRequest};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let authorization = lines.next().unwrap_or_default().to_string();
    let path = lines.next().unwrap_or("/").to_string();
    let query = lines.next().unwrap_or_default().to_string();
    let mut headers = vec![("authorization".to_string(), authorization)];
    for line in lines.by_ref().take(16) {
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.to_ascii_lowercase(), v.to_string()));
        }
    }
    let body: String = lines.collect::<Vec<_>>().join("\n");
    let req = SignedRequest {
        method: "POST",
        path: &path,
        query: &query,
        headers: &headers,
        body: body.as_bytes(),
    };
    if let Ok(auth) = sigv4::parse_authorization(&headers) {
        let now =
            jiff::Timestamp::from_second(1_795_000_000).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        if let Ok(date) = sigv4::check_envelope(&req, &auth, "support", now) {
            let _ = sigv4::verify(&req, &auth, &date, b"secret");
        }
        let _ = sigv4::canonical_request(&req, &auth.signed_headers, "UNSIGNED-PAYLOAD");
    }
});
