use proptest::prelude::*;

use super::*;

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or_default()
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// AWS's own signing test suite, case `get-vanilla`.
#[test]
fn aws_test_suite_get_vanilla() {
    let headers = h(&[
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
    ]);
    let req = SignedRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &headers,
        body: b"",
    };
    let auth = parse_authorization(&headers).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(&req, &auth, "20150830T123600Z", SECRET.as_bytes()),
        Ok(())
    );
}

/// Signed by botocore 1.43.11 (`SigV4Auth(creds, "support", "eu-west-1")`) for a CreateCase
/// sent to an endpoint URL: an independent signer's output, checked byte for byte.
#[test]
fn botocore_signed_create_case() {
    let body = br#"{"subject":"TEST CASE-Please ignore","communicationBody":"hello \u65e5\u672c"}"#;
    let headers = h(&[
        ("X-Amz-Target", "AWSSupport_20130415.CreateCase"),
        ("Content-Type", "application/x-amz-json-1.1"),
        ("X-Amz-Date", "20261122T042723Z"),
        ("Host", "127.0.0.1:8080"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/support/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, \
             Signature=867407b7800013a13fab80013c5f9605923fc463e55306cba6fdbadb80e71d4e",
        ),
        ("User-Agent", "not signed"),
    ]);
    let req = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    let auth = parse_authorization(&headers).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(auth.region, "eu-west-1");
    let date = check_envelope(&req, &auth, "support", at("2026-11-22T04:30:00Z"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(verify(&req, &auth, &date, SECRET.as_bytes()), Ok(()));
    assert!(verify(&req, &auth, &date, b"wrong").is_err());
    let tampered = SignedRequest { body: b"{}", ..req };
    assert!(verify(&tampered, &auth, &date, SECRET.as_bytes()).is_err());

    // 15 minutes of skew either way, and no more.
    assert!(check_envelope(&req, &auth, "support", at("2026-11-22T04:42:23Z")).is_ok());
    assert!(matches!(
        check_envelope(&req, &auth, "support", at("2026-11-22T04:42:24Z")),
        Err(SigError::Expired(_))
    ));
    assert!(matches!(
        check_envelope(&req, &auth, "support", at("2026-11-22T04:12:22Z")),
        Err(SigError::Expired(_))
    ));
}

#[test]
fn envelope_rules() {
    let now = at("2026-11-22T04:27:23Z");
    let base = |auth: &str, extra: &[(&str, &str)]| {
        let mut v = h(&[
            ("Host", "x"),
            ("X-Amz-Date", "20261122T042723Z"),
            ("Authorization", auth),
        ]);
        v.extend(h(extra));
        v
    };
    let sig = "0".repeat(64);
    let good = format!(
        "AWS4-HMAC-SHA256 Credential=K/20261122/us-east-1/support/aws4_request, SignedHeaders=host;x-amz-date, Signature={sig}"
    );
    let check = |headers: Vec<(String, String)>| {
        let req = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: b"",
        };
        parse_authorization(&headers).and_then(|a| check_envelope(&req, &a, "support", now))
    };
    assert!(check(base(&good, &[])).is_ok());
    assert_eq!(check(h(&[("Host", "x")])), Err(SigError::Missing));
    assert!(matches!(
        check(base(&good.replace("support", "s3"), &[])),
        Err(SigError::Invalid(_))
    ));
    assert!(matches!(
        check(base(&good.replace("host;", ""), &[])),
        Err(SigError::Incomplete(_))
    ));
    assert!(matches!(
        check(base(&good.replace("aws4_request", "aws5"), &[])),
        Err(SigError::Invalid(_))
    ));
    assert!(matches!(
        check(base(&good.replace("20261122/", "20261121/"), &[])),
        Err(SigError::Invalid(_))
    ));
    assert!(matches!(
        check(base("AWS4-HMAC-SHA256 Credential=K", &[])),
        Err(SigError::Incomplete(_))
    ));
    assert!(matches!(
        check(base("Basic dXNlcjpwYXNz", &[])),
        Err(SigError::Incomplete(_))
    ));
    assert_eq!(
        check(base(&good, &[("X-Amz-Security-Token", "t")])),
        Err(SigError::SessionToken)
    );
}

proptest! {
    /// Whatever we sign verifies; change one byte of the body or of a signed header and
    /// it no longer does.
    #[test]
    fn sign_verify_and_tamper(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        target in "[A-Za-z]{1,20}",
        region in "[a-z]{2}-[a-z]{4,9}-[1-9]",
        flip in any::<prop::sample::Index>(),
        secret in "[A-Za-z0-9/+]{40}",
    ) {
        let now = at("2026-11-22T04:27:23Z");
        let headers = h(&[("host", "127.0.0.1:8080"), ("x-amz-target", &format!("AWSSupport_20130415.{target}"))]);
        let req = SignedRequest { method: "POST", path: "/", query: "", headers: &headers, body: &body };
        let (date, authorization) = sign(&req, "TDKEY", &secret, Scope { region: &region, service: "support" }, now);
        let mut all = headers.clone();
        all.push(("x-amz-date".into(), date));
        all.push(("authorization".into(), authorization));
        let req = SignedRequest { headers: &all, ..req };
        let auth = parse_authorization(&all).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let date = check_envelope(&req, &auth, "support", now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(verify(&req, &auth, &date, secret.as_bytes()), Ok(()));
        if !body.is_empty() {
            let mut bad = body.clone();
            let i = flip.index(bad.len());
            bad[i] ^= 1;
            let req2 = SignedRequest { body: &bad, ..req };
            prop_assert!(verify(&req2, &auth, &date, secret.as_bytes()).is_err());
        }
        let mut other = all.clone();
        other[1].1.push('x');
        let req3 = SignedRequest { headers: &other, ..req };
        prop_assert!(verify(&req3, &auth, &date, secret.as_bytes()).is_err());
    }
}

/// Signed by botocore 1.43.11 (`SigV4Auth(creds, "trustedadvisor", "us-east-1")`) for a
/// REST-JSON GET whose path label is an ARN: the path is signed encoded twice (`%3A` as
/// `%253A`), and the query as sent.
#[test]
fn botocore_signed_rest_json_label() {
    let headers = h(&[
        ("Host", "127.0.0.1:8080"),
        ("X-Amz-Date", "20261129T185334Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/trustedadvisor/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=04cfe0205a952fe6dee0e72706d523a9c642f27ed5605a6ba8ad2e13044b013b",
        ),
    ]);
    let req = SignedRequest {
        method: "GET",
        path: "/v1/recommendations/arn%3Aaws%3Atrustedadvisor%3A%3A111122223333%3Arecommendation%2Fab-cd/resources",
        query: "maxResults=10&regionCode=us-east-1",
        headers: &headers,
        body: b"",
    };
    let auth = parse_authorization(&headers).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify(&req, &auth, "20261129T185334Z", SECRET.as_bytes()),
        Ok(())
    );
}
