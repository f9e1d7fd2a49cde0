//! The newer Trusted Advisor API's input after the signature: a method and a path, a
//! query string, and a body, parsed as the endpoint parses them (the route with its
//! percent-decoded labels, the query's parameters, the ARNs a body names, the exclusion
//! request). Nothing may panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_aws::trustedadvisor as ta;

fuzz_target!(|data: &[u8]| {
    // Line 1: "METHOD PATH"; line 2: the query string; the rest: the body.
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let first = lines.next().unwrap_or_default();
    let query = lines.next().unwrap_or_default();
    let body = lines.next().unwrap_or_default();
    let (method, path) = first.split_once(' ').unwrap_or((first, "/"));
    if let Ok(ta::Route::GetRecommendation(id) | ta::Route::ListRecommendationResources(id)) =
        ta::Route::parse(method, path)
    {
        let _ = ta::recommendation_of(&id, "111122223333");
    }
    for (k, v) in ta::query_params(query) {
        let _ = ta::check_of_arn(&v);
        let _ = ta::resource_of(&k, "111122223333");
    }
    if let Ok(r) = serde_json::from_str::<ta::BatchUpdateRecommendationResourceExclusionRequest>(body)
    {
        for e in r.recommendation_resource_exclusions.unwrap_or_default() {
            if let Some(arn) = e.arn {
                let _ = ta::resource_of(&arn, "111122223333");
            }
        }
    }
});
