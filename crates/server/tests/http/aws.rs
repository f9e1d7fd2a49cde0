//! `POST /`: signed AWS Support calls and AWS's error shape.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tierdesk_aws::Operation;

use crate::support::both_engines;

fn new_case() -> serde_json::Value {
    json!({
        "subject": "Database down",
        "communicationBody": "Our production database stopped answering at 09:00.",
        "serviceCode": "amazon-elastic-compute-cloud-linux",
        "categoryCode": "general-guidance",
        "severityCode": "urgent",
        "language": "en",
    })
}

both_engines! {
    async fn a_signed_create_case_is_described_back(s) {
        let created = s.aws(Operation::CreateCase, new_case()).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.text());
        assert_eq!(created.header("content-type"), "application/x-amz-json-1.1");
        assert!(!created.header("x-amzn-requestid").is_empty());
        assert_eq!(created.header("x-content-type-options"), "nosniff");
        let case_id = created.json()["caseId"].as_str().unwrap().to_string();
        assert!(case_id.starts_with("case-111122223333-"), "{case_id}");

        let described = s
            .aws(Operation::DescribeCases, json!({"caseIdList": [case_id]}))
            .await;
        assert_eq!(described.status, StatusCode::OK, "{}", described.text());
        let case = &described.json()["cases"][0];
        assert_eq!(case["subject"], "Database down");
        assert_eq!(case["severityCode"], "urgent");
        assert_eq!(case["status"], "opened");
        assert_eq!(case["displayId"], "1000000001");
        assert_eq!(
            case["recentCommunications"]["communications"][0]["body"],
            "Our production database stopped answering at 09:00."
        );
    }

    async fn errors_have_aws_shape_code_and_status(s) {
        // A missing member of a required shape: a validation error, 400.
        let r = s.aws(Operation::CreateCase, json!({"subject": "x"})).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["__type"], "ValidationException", "{}", r.text());
        assert!(r.json()["message"].as_str().unwrap().contains("communicationBody"));

        // A member the shape does not have.
        let r = s.aws(Operation::DescribeCases, json!({"caseIdz": []})).await;
        assert_eq!(r.json()["__type"], "SerializationException");

        // Another account's case looks like no case.
        let r = s
            .aws(
                Operation::DescribeCommunications,
                json!({"caseId": "case-444455556666-muen-2026-0123456789abcdef"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["__type"], "CaseIdNotFound", "{}", r.text());

        // A key nobody issued.
        let r = s
            .aws_signed_by(Operation::DescribeSeverityLevels, json!({}), "AKIDNOBODY", "secret")
            .await;
        assert_eq!(r.json()["__type"], "UnrecognizedClientException");

        // The right key with the wrong secret.
        let key = s.access_key.clone();
        let r = s
            .aws_signed_by(Operation::DescribeSeverityLevels, json!({}), &key, "wrong")
            .await;
        assert_eq!(r.json()["__type"], "InvalidSignatureException");

        // No signature at all: AWS answers 403.
        let r = s
            .send(
                Request::post("/")
                    .header("x-amz-target", Operation::DescribeServices.target())
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");
    }

    async fn trusted_advisor_lists_the_plan_s_checks(s) {
        let r = s.aws(Operation::DescribeTrustedAdvisorChecks, json!({"language": "en"})).await;
        assert_eq!(r.status, StatusCode::OK);
        let checks = r.json()["checks"].as_array().unwrap().len();
        assert_eq!(checks, tierdesk_core::trusted_advisor::CHECKS.len(), "Enterprise: every check");
    }

    async fn severity_levels_come_from_the_plan(s) {
        let r = s.aws(Operation::DescribeSeverityLevels, json!({})).await;
        assert_eq!(r.status, StatusCode::OK);
        let codes: Vec<String> = r.json()["severityLevels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["code"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes, ["low", "normal", "high", "urgent", "critical"]);
        assert_eq!(r.json()["severityLevels"][0]["name"], "General guidance");
        // Asked in Japanese, named in Japanese (AWS does the same).
        let ja = s.aws(Operation::DescribeSeverityLevels, json!({"language": "ja"})).await;
        assert_eq!(ja.json()["severityLevels"][0]["name"], "一般的なガイダンス");
        let services = s.aws(Operation::DescribeServices, json!({"serviceCodeList": ["billing"], "language": "ja"})).await;
        assert_eq!(services.json()["services"][0]["name"], "アカウントと請求");
        let products = s.aws(Operation::DescribeServices, json!({"serviceCodeList": ["amazon-dynamodb"], "language": "ja"})).await;
        assert_eq!(products.json()["services"][0]["name"], "DynamoDB", "a product keeps its name");
    }
}

both_engines! {
    async fn a_file_on_an_internal_note_is_no_route_of_the_customers(s) {
        use tierdesk_app::actor::Actor;
        use tierdesk_app::cases::{Attachments, Message};
        use tierdesk_app::files::NewFile;

        let created = s.aws(Operation::CreateCase, new_case()).await;
        let case_id = created.json()["caseId"].as_str().unwrap().to_string();
        let agent = s
            .app
            .store
            .agent_by_email("agent@support.example")
            .await
            .unwrap()
            .unwrap();
        s.app
            .post_message(
                Actor::Agent(&agent), &tierdesk_testkit::operator(),
                Message {
                    case_id: Some(case_id.clone()),
                    body: Some("Their heap dump, for us only".into()),
                    internal: true,
                    attachments: Attachments::Files(vec![NewFile {
                        file_name: Some("heap.dump".into()),
                        data: Some(b"customer secrets".to_vec()),
                    }]),
                    ..Message::default()
                },
            )
            .await
            .unwrap();
        let conversation = s.app.case_conversation(&agent, &tierdesk_testkit::operator(), &case_id).await.unwrap();
        let file = conversation.last().unwrap().attachments[0].attachment_id.clone();

        // The AWS API answers as for an id that does not exist ...
        let r = s
            .aws(Operation::DescribeAttachment, json!({"attachmentId": file}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(r.json()["__type"], "AttachmentIdNotFound");
        // ... and so does the console's download link.
        let customer = s.visitor(crate::support::CUSTOMER_EMAIL).await;
        let page = s
            .get_page(&customer, &format!("/console/cases/{case_id}/attachments/{file}"))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(!page.text().contains("customer secrets"));
        // Support still downloads it.
        let staff = s.visitor("agent@support.example").await;
        let page = s
            .get_page(&staff, &format!("/console/queue/{case_id}/attachments/{file}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert_eq!(page.text(), "customer secrets");
    }
}

both_engines! {
    async fn a_stranger_is_answered_before_their_body_is_read(s) {
        use futures_util::StreamExt;
        // A body that starts and never ends: reading it would hang the request.
        let endless = || {
            Body::from_stream(
                futures_util::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{")) })
                    .chain(futures_util::stream::pending()),
            )
        };
        let unsigned = Request::post("/")
            .header("host", "localhost")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSSupport_20130415.DescribeCases")
            .header("content-length", "20000000")
            .body(endless())
            .unwrap();
        let r = tokio::time::timeout(std::time::Duration::from_secs(5), s.send(unsigned))
            .await
            .expect("answered without reading the body");
        assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException", "{}", r.text());

        // A signature that leaves the target out could be replayed as another operation.
        let mut unsigned_target =
            s.signed_request(Operation::DescribeSeverityLevels, json!({}), &["x-amz-target"]);
        *unsigned_target.body_mut() = endless();
        let r = tokio::time::timeout(std::time::Duration::from_secs(5), s.send(unsigned_target))
            .await
            .expect("answered without reading the body");
        assert_eq!(r.json()["__type"], "IncompleteSignatureException", "{}", r.text());
    }
}
