//! The AWS Health API's input after the signature: an RPC v2 CBOR path and body (read
//! into JSON as the endpoint reads them), every operation's JSON input shape, and an
//! affected-resources CSV with its tags. Nothing may panic, whatever the bytes, and what
//! the CBOR reader accepts writes back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_aws::health as h;

fuzz_target!(|data: &[u8]| {
    // Line 1: the path; the rest: the body, tried as CBOR and as JSON.
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let path = String::from_utf8_lossy(&data[..split]);
    let body = data.get(split + 1..).unwrap_or_default();
    if let Ok(name) = h::cbor_operation(&path) {
        let _ = h::HealthOperation::parse(name);
    }
    let json = match tierdesk_aws::cbor::decode(body) {
        Ok(v) => {
            let again = tierdesk_aws::cbor::encode(&v, &h::is_timestamp);
            assert!(tierdesk_aws::cbor::decode(&again).is_ok());
            serde_json::to_vec(&v).unwrap_or_default()
        }
        Err(_) => body.to_vec(),
    };
    if let Ok(r) = serde_json::from_slice::<h::DescribeEventsRequest>(&json) {
        for range in r.filter.and_then(|f| f.start_times).unwrap_or_default() {
            let _ = range.from.map(h::from_seconds);
            let _ = range.to.map(h::from_seconds);
        }
    }
    let _ = serde_json::from_slice::<h::DescribeAffectedEntitiesRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEventDetailsRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEventAggregatesRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEventTypesRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEventsForOrganizationRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeAffectedEntitiesForOrganizationRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEventDetailsForOrganizationRequest>(&json);
    let _ = serde_json::from_slice::<h::DescribeEntityAggregatesForOrganizationRequest>(&json);
    // The same bytes as an affected-resources CSV (the operator API and console take
    // one): every row it accepts has tags that pass their own check.
    if let Ok(rows) = tierdesk_core::health::affected_csv(&String::from_utf8_lossy(body)) {
        for r in rows {
            assert!(tierdesk_core::health::tags_problem(&r.tags).is_none());
        }
    }
});
