//! Trusted Advisor over the Support API's wire, in process: results of an imported
//! inventory as AWS shapes them, AWS's error codes for unknown and unrefreshable checks,
//! and refresh jobs run by the advisor worker's pass.

use axum::http::StatusCode;
use serde_json::json;
use tierdesk_app::trusted_advisor::Bundle;
use tierdesk_aws::Operation;
use tierdesk_core::trusted_advisor::Inventory;

use crate::support::{ACCOUNT, both_engines};

fn bundle() -> Bundle {
    let mut inventory = Inventory::default();
    for (path, body) in [
        (
            "us-east-1/ec2.describe-addresses.json",
            r#"{"Addresses": [{"PublicIp": "203.0.113.9", "AllocationId": "eipalloc-9", "Domain": "vpc"}]}"#,
        ),
        (
            "global/iam.get-account-summary.json",
            r#"{"SummaryMap": {"Users": 0, "AccountMFAEnabled": 1}}"#,
        ),
    ] {
        assert_eq!(inventory.add(path, body.as_bytes()), Ok(true));
    }
    Bundle {
        inventory,
        used: 2,
        ignored: 0,
    }
}

both_engines! {
    async fn results_and_errors_are_aws_s(s) {
        s.app.import_inventory(&tierdesk_testkit::operator(), ACCOUNT, bundle()).await.unwrap();
        let r = s.aws(Operation::DescribeTrustedAdvisorCheckResult, json!({"checkId": "Z4AUBRNSmz", "language": "en"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let result = &r.json()["result"];
        assert_eq!(result["status"], "warning");
        assert_eq!(result["flaggedResources"][0]["metadata"], json!(["us-east-1", "203.0.113.9"]));
        assert_eq!(result["categorySpecificSummary"]["costOptimizing"]["estimatedMonthlySavings"], 3.65);
        assert!(result["timestamp"].as_str().unwrap().ends_with('Z'));
        // Names and descriptions in Japanese for `ja`.
        let ja = s.aws(Operation::DescribeTrustedAdvisorChecks, json!({"language": "ja"})).await.json();
        let eip = ja["checks"].as_array().unwrap().iter().find(|c| c["id"] == "Z4AUBRNSmz").unwrap().clone();
        assert_eq!(eip["name"], "関連付けられていない Elastic IP アドレス");
        assert!(eip["description"].as_str().unwrap().contains("アラート基準"), "{eip}");
        assert_eq!(eip["metadata"], json!(["リージョン", "IP アドレス"]));
        let iam = s.aws(Operation::DescribeTrustedAdvisorCheckResult, json!({"checkId": "zXCkfM1nI3"})).await.json();
        assert_eq!(iam["result"]["flaggedResources"][0].as_object().unwrap().len(), 3, "{iam}");

        for (op, body, code) in [
            (Operation::DescribeTrustedAdvisorCheckResult, json!({"checkId": "nope"}), "InvalidParameterValueException"),
            (Operation::DescribeTrustedAdvisorCheckResult, json!({}), "ValidationException"),
            (Operation::DescribeTrustedAdvisorChecks, json!({"language": "xx"}), "ValidationException"),
            (Operation::RefreshTrustedAdvisorCheck, json!({"checkId": "rSs93HQwa1"}), "InvalidParameterValueException"),
            (Operation::DescribeTrustedAdvisorCheckSummaries, json!({"checkIds": ["HCP4007jGY", "nope"]}), "InvalidParameterValueException"),
        ] {
            let r = s.aws(op, body.clone()).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(r.json()["__type"], code, "{body}: {}", r.text());
        }
    }
}

both_engines! {
    async fn a_refresh_is_enqueued_then_run_by_the_worker(s) {
        s.app.import_inventory(&tierdesk_testkit::operator(), ACCOUNT, bundle()).await.unwrap();
        let r = s.aws(Operation::RefreshTrustedAdvisorCheck, json!({"checkId": "Z4AUBRNSmz"})).await.json();
        assert_eq!(r["status"]["status"], "enqueued");
        assert_eq!(r["status"]["millisUntilNextRefreshable"], 3_600_000);
        assert_eq!(s.app.advisor_tick(std::time::Duration::from_secs(7 * 86_400)).await.unwrap(), 1);
        let st = s.aws(Operation::DescribeTrustedAdvisorCheckRefreshStatuses, json!({"checkIds": ["Z4AUBRNSmz", "Pfx0RwqBli"]})).await.json();
        assert_eq!(st["statuses"][0]["status"], "success");
        assert_eq!(st["statuses"][1], json!({"checkId": "Pfx0RwqBli", "status": "none", "millisUntilNextRefreshable": 0}));
    }
}

both_engines! {
    async fn the_console_shows_checks_and_suppresses_a_resource(s) {
        let v = s.visitor(crate::support::CUSTOMER_EMAIL).await;
        let page = s.get_page(&v, "/console/trusted-advisor").await.text();
        assert!(page.contains("id=\"no-inventory\""), "{page}");
        s.app.import_inventory(&tierdesk_testkit::operator(), ACCOUNT, bundle()).await.unwrap();
        let page = s.get_page(&v, "/console/trusted-advisor").await.text();
        assert!(page.contains("id=\"inventory\"") && page.contains("us-east-1"), "{page}");
        assert!(page.contains("data-check=\"Z4AUBRNSmz\""), "{page}");
        assert!(!page.contains("id=\"advisor-upgrade\""), "Enterprise has every check");
        let check = s.get_page(&v, "/console/trusted-advisor/Z4AUBRNSmz").await.text();
        assert!(check.contains("<th>IP Address</th>") && check.contains("203.0.113.9"), "{check}");
        // The history: when the address was first flagged, still flagged.
        let history = check.split("id=\"advisor-history\"").nth(1).expect("a history table");
        assert!(history.contains("203.0.113.9") && history.contains("Still flagged"), "{history}");
        let id = check.split("data-resource=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let r = s
            .post_form(&v, "/console/trusted-advisor/Z4AUBRNSmz/suppress", &[("csrf", &v.csrf), ("resource", &id), ("suppressed", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let result = s.aws(Operation::DescribeTrustedAdvisorCheckResult, json!({"checkId": "Z4AUBRNSmz"})).await.json();
        assert_eq!(result["result"]["flaggedResources"][0]["isSuppressed"], true);
        assert_eq!(result["result"]["status"], "ok", "suppressed resources do not count");
        assert_eq!(result["result"]["resourcesSummary"]["resourcesSuppressed"], 1);
        // A resource the check does not report is refused.
        let r = s
            .post_form(&v, "/console/trusted-advisor/Z4AUBRNSmz/suppress", &[("csrf", &v.csrf), ("resource", "nope"), ("suppressed", "1")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = s.post_form(&v, "/console/trusted-advisor/Z4AUBRNSmz/refresh", &[("csrf", &v.csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(s.get_page(&v, "/console/trusted-advisor/Z4AUBRNSmz").await.text().contains("enqueued"));
    }
}

both_engines! {
    async fn staff_see_their_accounts_at_a_glance(s) {
        use crate::support::OTHER_ACCOUNT;
        s.app.import_inventory(&tierdesk_testkit::operator(), ACCOUNT, bundle()).await.unwrap();
        s.app.import_inventory(&tierdesk_testkit::operator(), OTHER_ACCOUNT, bundle()).await.unwrap();
        // The TAM manages ACCOUNT only; the admin sees both.
        let tam = s.visitor("tam@support.example").await;
        let page = s.get_page(&tam, "/console/accounts/trusted-advisor").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.text();
        assert!(page.contains(&format!("data-account=\"{ACCOUNT}\"")), "{page}");
        assert!(!page.contains(&format!("data-account=\"{OTHER_ACCOUNT}\"")), "{page}");
        assert!(!page.contains(OTHER_ACCOUNT), "nothing of another TAM's account");
        // The Elastic IP and IAM Use (no IAM user) are yellow, both new this week.
        let row = page.split(&format!("data-account=\"{ACCOUNT}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
        let cells: Vec<&str> = row.split("class=\"num").skip(1).map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap()).collect();
        assert_eq!(cells, ["0", "2", "2", "0"], "{row}");
        assert!(page.contains("change-warning") && page.contains("data-check=\"Z4AUBRNSmz\""), "{page}");
        let admin = s.visitor("admin@support.example").await;
        let page = s.get_page(&admin, "/console/accounts/trusted-advisor").await.text();
        assert!(page.contains(&format!("data-account=\"{OTHER_ACCOUNT}\"")), "{page}");
        // Customers are not staff.
        let customer = s.visitor(crate::support::CUSTOMER_EMAIL).await;
        let r = s.get_page(&customer, "/console/accounts/trusted-advisor").await;
        assert_ne!(r.status, StatusCode::OK);
    }
}

/// `%`-encodes a path label as botocore and the SDKs do.
fn label(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

both_engines! {
    async fn the_trustedadvisor_api_serves_the_same_results(s) {
        s.app.import_inventory(&tierdesk_testkit::operator(), ACCOUNT, bundle()).await.unwrap();
        // Checks: the plan's, in pages bound to their filters.
        let r = s.rest("GET", "/v1/checks", "maxResults=2&pillar=cost_optimizing", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "application/json");
        let page = r.json();
        assert_eq!(page["checkSummaries"].as_array().unwrap().len(), 2);
        assert!(page["checkSummaries"].as_array().unwrap().iter().all(|c| c["pillars"] == json!(["cost_optimizing"])));
        let token = page["nextToken"].as_str().unwrap().to_string();
        let next = s.rest("GET", "/v1/checks", &format!("maxResults=2&pillar=cost_optimizing&nextToken={token}"), None).await;
        assert_eq!(next.status, StatusCode::OK, "{}", next.text());
        let other = s.rest("GET", "/v1/checks", &format!("maxResults=2&pillar=security&nextToken={token}"), None).await;
        assert_eq!((other.status, other.header("x-amzn-errortype")), (StatusCode::BAD_REQUEST, "ValidationException"));
        let eip = s.rest("GET", "/v1/checks", "awsService=ec2&pillar=cost_optimizing", None).await.json();
        let eip = eip["checkSummaries"].as_array().unwrap().iter().find(|c| c["id"] == "Z4AUBRNSmz").cloned().unwrap();
        assert_eq!(eip["arn"], "arn:aws:trustedadvisor:::check/Z4AUBRNSmz");
        assert_eq!(eip["metadata"], json!({"0": "Region", "1": "IP Address"}));
        assert_eq!(eip["source"], "ta_check");
        let ja = s.rest("GET", "/v1/checks", "language=ja&pillar=security", None).await.json();
        assert!(ja["checkSummaries"].as_array().unwrap().iter().any(|c| c["name"] == "ルートアカウントの MFA"), "{ja}");

        // Recommendations: one per evaluated check, with the Support API's counts.
        // Savings are also a share of the latest month's spend.
        let usage = tierdesk_core::usage::Summary {
            totals: vec![tierdesk_core::usage::MonthlyUsage {
                account_id: ACCOUNT.into(),
                month: "2026-10".into(),
                currency: "USD".into(),
                amount: "365".parse().unwrap(),
            }],
            ..Default::default()
        };
        s.app.import_usage(&tierdesk_testkit::operator(), usage, "test").await.unwrap();
        let recs = s.rest("GET", "/v1/recommendations", "status=warning", None).await.json();
        let list = recs["recommendationSummaries"].as_array().unwrap();
        let rec = list.iter().find(|r| r["checkArn"] == "arn:aws:trustedadvisor:::check/Z4AUBRNSmz").cloned().unwrap();
        assert!(list.iter().all(|r| r["status"] == "warning"), "{recs}");
        assert_eq!(rec["resourcesAggregates"], json!({"okCount": 0, "warningCount": 1, "errorCount": 0, "excludedCount": 0}));
        assert_eq!(rec["pillarSpecificAggregates"]["costOptimizing"], json!({"estimatedMonthlySavings": 3.65, "estimatedPercentMonthlySavings": 1.0}));
        let old = s.aws(Operation::DescribeTrustedAdvisorCheckSummaries, json!({"checkIds": ["Z4AUBRNSmz"]})).await.json();
        assert_eq!(old["summaries"][0]["categorySpecificSummary"]["costOptimizing"]["estimatedPercentMonthlySavings"], 1.0);
        let arn = rec["arn"].as_str().unwrap().to_string();
        assert!(arn.starts_with(&format!("arn:aws:trustedadvisor::{ACCOUNT}:recommendation/")), "{arn}");
        assert_eq!(rec["lastUpdatedAt"], "2026-11-23T09:00:00.000Z");

        // One recommendation by its ARN (percent-encoded in the path, signed encoded twice).
        let got = s.rest("GET", &format!("/v1/recommendations/{}", label(&arn)), "", None).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.text());
        assert!(got.json()["recommendation"]["description"].as_str().unwrap().contains("Alert Criteria"));
        let resources = s.rest("GET", &format!("/v1/recommendations/{}/resources", label(&arn)), "regionCode=us-east-1", None).await.json();
        let res = &resources["recommendationResourceSummaries"][0];
        assert_eq!(res["awsResourceId"], "203.0.113.9");
        assert_eq!(res["metadata"], json!({"0": "us-east-1", "1": "203.0.113.9"}));
        assert_eq!(res["exclusionStatus"], "included");
        assert_eq!(res["recommendationArn"], arn.as_str());
        let resource_arn = res["arn"].as_str().unwrap().to_string();

        // Excluding it is the Support API's suppression; a stranger's ARN is an error entry.
        let r = s.rest("PUT", "/v1/batch-update-recommendation-resource-exclusion", "", Some(json!({
            "recommendationResourceExclusions": [
                {"arn": resource_arn, "isExcluded": true},
                {"arn": format!("arn:aws:trustedadvisor::444455556666:recommendation-resource/x/y"), "isExcluded": true},
            ]
        }))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let errors = r.json()["batchUpdateRecommendationResourceExclusionErrors"].clone();
        assert_eq!(errors.as_array().unwrap().len(), 1, "{errors}");
        assert_eq!(errors[0]["errorCode"], "ResourceNotFoundException");
        let old = s.aws(Operation::DescribeTrustedAdvisorCheckResult, json!({"checkId": "Z4AUBRNSmz"})).await.json();
        assert_eq!(old["result"]["flaggedResources"][0]["isSuppressed"], true);
        let excluded = s.rest("GET", &format!("/v1/recommendations/{}/resources", label(&arn)), "exclusionStatus=excluded", None).await.json();
        assert_eq!(excluded["recommendationResourceSummaries"].as_array().unwrap().len(), 1);
        let rec = s.rest("GET", &format!("/v1/recommendations/{}", label(&arn)), "", None).await.json();
        assert_eq!(rec["recommendation"]["status"], "ok");
        assert_eq!(rec["recommendation"]["resourcesAggregates"]["excludedCount"], 1);

        // Errors with their real statuses.
        for (method, path, query, status, code) in [
            ("GET", "/v1/recommendations/nope".to_string(), "", StatusCode::NOT_FOUND, "ResourceNotFoundException"),
            ("GET", format!("/v1/recommendations/{}", label(&arn.replace(ACCOUNT, "444455556666"))), "", StatusCode::NOT_FOUND, "ResourceNotFoundException"),
            ("GET", "/v1/checks".to_string(), "maxResults=0", StatusCode::BAD_REQUEST, "ValidationException"),
            ("GET", "/v1/recommendations".to_string(), "pillar=nope", StatusCode::BAD_REQUEST, "ValidationException"),
            ("GET", "/v1/recommendations".to_string(), "afterLastUpdatedAt=yesterday", StatusCode::BAD_REQUEST, "ValidationException"),
            ("DELETE", "/v1/checks".to_string(), "", StatusCode::NOT_FOUND, "UnknownOperationException"),
        ] {
            let r = s.rest(method, &path, query, None).await;
            assert_eq!((r.status, r.header("x-amzn-errortype")), (status, code), "{method} {path}?{query}: {}", r.text());
            assert_eq!(r.json()["__type"], code);
        }
        let r = s.rest("PUT", "/v1/batch-update-recommendation-resource-exclusion", "", Some(json!({"recommendationResourceExclusions": []}))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // A plan without the API is denied, as AWS answers (403); a bad signature too.
        s.app.create_account(&tierdesk_testkit::operator(), tierdesk_testkit::account("777777777777", "aws.developer")).await.unwrap();
        let key = s.app.create_key(&tierdesk_testkit::operator(), "777777777777", "dev").await.unwrap();
        let r = s.rest_as(&key.access_key_id, &key.secret_access_key, "GET", "/v1/checks", "", None).await;
        assert_eq!((r.status, r.header("x-amzn-errortype")), (StatusCode::FORBIDDEN, "AccessDeniedException"), "{}", r.text());
        let r = s.rest_as(&key.access_key_id, "wrong", "GET", "/v1/checks", "", None).await;
        assert_eq!((r.status, r.header("x-amzn-errortype")), (StatusCode::FORBIDDEN, "InvalidSignatureException"), "{}", r.text());
    }
}

/// A `.tar.gz` of `(path, contents)`.
fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let gz = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (path, body) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, path, body.as_bytes()).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
    }
    out
}

both_engines! {
    async fn the_operator_api_imports_a_bundle_for_admins_and_tams(s) {
        let post = |role: &'static str, bytes: Vec<u8>| {
            let req = axum::http::Request::post(format!("/api/v1/accounts/{ACCOUNT}/inventory"))
                .header("authorization", format!("Bearer {}", s.token(role)))
                .header("content-type", "application/gzip")
                .body(axum::body::Body::from(bytes))
                .unwrap();
            s.send(req)
        };
        let good = tar_gz(&[
            ("bundle/us-east-1/ec2.describe-addresses.json", r#"{"Addresses": [{"PublicIp": "203.0.113.9"}]}"#),
            ("bundle/README", "x"),
        ]);
        let r = post("admin", good.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let body = r.json();
        assert_eq!((body["files"].clone(), body["ignoredFiles"].clone()), (json!(1), json!(1)));
        assert_eq!(body["regions"], json!(["us-east-1"]));
        let doc: serde_json::Value = serde_json::from_str(tierdesk_server::api::OPENAPI).unwrap();
        tierdesk_server::api::contract::assert_documented(&doc, "post", "/api/v1/accounts/{accountId}/inventory", 200, &body);
        // The account's TAM may; an engineer may not.
        assert_eq!(post("tam", good.clone()).await.status, StatusCode::OK);
        assert_eq!(post("agent", good).await.status, StatusCode::FORBIDDEN);
        let bad = post("admin", tar_gz(&[("us-east-1/ec2.describe-vpcs.json", "{")])).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.text().contains("us-east-1/ec2.describe-vpcs.json"), "{}", bad.text());
        assert_eq!(post("admin", b"not a tarball".to_vec()).await.status, StatusCode::BAD_REQUEST);
    }
}
