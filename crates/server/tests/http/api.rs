//! The operator API under `/api/v1`: one request per resource, its status and shape, and
//! the OpenAPI document checked against what the routes answer.

use axum::http::StatusCode;
use serde_json::{Value, json};
use tierdesk_aws::Operation;
use tierdesk_server::api::contract::assert_documented;

use crate::support::{Server, both_engines};

/// A case opened through the AWS API by the Enterprise account; its id.
async fn open_case(s: &Server, severity: &str) -> String {
    let r = s
        .aws(
            Operation::CreateCase,
            json!({
                "subject": "Checkout is slow",
                "communicationBody": "p99 went from 200 ms to 4 s.",
                "severityCode": severity,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["caseId"].as_str().unwrap().to_string()
}

both_engines! {
    async fn without_a_token_the_api_answers_401_with_a_challenge(s) {
        let r = s.send(
            axum::http::Request::get("/api/v1/me").body(axum::body::Body::empty()).unwrap(),
        ).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.header("www-authenticate"), "Bearer realm=\"tierdesk\"");
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
    }

    async fn each_resource_answers_in_the_documented_shape(s) {
        let doc: Value = s.api("agent", "GET", "/api/v1/openapi.json", None).await.json();

        let me = s.api("agent", "GET", "/api/v1/me", None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json()["role"], "agent");
        assert_documented(&doc, "get", "/api/v1/me", 200, &me.json());

        let id = open_case(&s, "urgent").await;
        let queue = s.api("agent", "GET", "/api/v1/queue", None).await;
        assert_eq!(queue.status, StatusCode::OK);
        assert_eq!(queue.json()["cases"][0]["caseId"], id.as_str());
        assert_documented(&doc, "get", "/api/v1/queue", 200, &queue.json());

        let case = s.api("agent", "GET", &format!("/api/v1/cases/{id}"), None).await;
        assert_eq!(case.status, StatusCode::OK);
        assert_eq!(case.json()["sla"]["running"]["kind"], "first_response");
        assert_eq!(case.json()["tam"]["email"], "tam@support.example");
        assert_documented(&doc, "get", "/api/v1/cases/{caseId}", 200, &case.json());

        let reply = s.api("agent", "POST", &format!("/api/v1/cases/{id}/replies"),
            Some(json!({"body": "Looking at it now."}))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_documented(&doc, "post", "/api/v1/cases/{caseId}/replies", 200, &reply.json());
        let note = s.api("agent", "POST", &format!("/api/v1/cases/{id}/notes"),
            Some(json!({"body": "Probably the index rebuild."}))).await;
        assert_eq!(note.status, StatusCode::OK, "{}", note.text());

        let comms = s.api("agent", "GET", &format!("/api/v1/cases/{id}/communications"), None).await;
        let list = comms.json()["communications"].as_array().unwrap().clone();
        assert_eq!(list.len(), 3, "{}", comms.text());
        assert!(list.iter().any(|c| c["internal"] == true));
        assert_documented(&doc, "get", "/api/v1/cases/{caseId}/communications", 200, &comms.json());

        let status = s.api("agent", "PUT", &format!("/api/v1/cases/{id}/status"),
            Some(json!({"status": "pending-customer-action"}))).await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.text());
        assert_eq!(status.json()["status"], "pending-customer-action");
        assert_eq!(status.json()["previousStatus"], "opened");
        assert_documented(&doc, "put", "/api/v1/cases/{caseId}/status", 200, &status.json());

        let assigned = s.api("agent", "PUT", &format!("/api/v1/cases/{id}/assignee"),
            Some(json!({"assignee": "me"}))).await;
        assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text());
        let me_id = me.json()["id"].clone();
        assert_eq!(assigned.json()["assignee"], me_id);
        assert_documented(&doc, "put", "/api/v1/cases/{caseId}/assignee", 200, &assigned.json());

        // AWS plans sell no urgent escalations: refused with the reason.
        let esc = s.api("agent", "POST", &format!("/api/v1/cases/{id}/escalations"), Some(json!({}))).await;
        assert_eq!(esc.status, StatusCode::BAD_REQUEST, "{}", esc.text());
        assert!(esc.text().contains("no urgent escalations"), "{}", esc.text());

        let report = s.api("agent", "GET", "/api/v1/reports/sla?from=2026-11-01&to=2026-11-30", None).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text());
        assert!(report.json()["lines"].is_array());
        assert_documented(&doc, "get", "/api/v1/reports/sla", 200, &report.json());
    }

    async fn bad_input_is_a_400_that_names_the_problem(s) {
        let r = s.api("agent", "GET", "/api/v1/queue?severty=urgent", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(r.json()["error"]["code"], "invalid");
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("severty"));

        let id = open_case(&s, "low").await;
        let r = s.api("agent", "PUT", &format!("/api/v1/cases/{id}/status"),
            Some(json!({"status": "on-fire"}))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

        let r = s.api("agent", "GET", "/api/v1/cases/case-111122223333-muen-2026-ffffffffffffffff", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.json()["error"]["code"], "not_found");
    }
}

both_engines! {
    async fn admins_read_the_audit_log_and_nobody_else_does(s) {
        let doc: Value = s.api("agent", "GET", "/api/v1/openapi.json", None).await.json();
        let id = open_case(&s, "low").await;
        let note = s.api("agent", "POST", &format!("/api/v1/cases/{id}/notes"),
            Some(json!({"body": "Looks like the index."}))).await;
        assert_eq!(note.status, StatusCode::OK, "{}", note.text());
        let read = s.api("agent", "GET", &format!("/api/v1/cases/{id}/communications"), None).await;
        assert_eq!(read.status, StatusCode::OK);

        let log = s.api("admin", "GET", "/api/v1/audit?limit=10", None).await;
        assert_eq!(log.status, StatusCode::OK, "{}", log.text());
        assert_documented(&doc, "get", "/api/v1/audit", 200, &log.json());
        let entries = log.json()["entries"].as_array().unwrap().clone();
        let actions: Vec<&str> = entries.iter().take(3).map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["notes.read", "case.note", "case.create"]);
        assert_eq!(entries[0]["actorKind"], "agent-token");
        assert_eq!(entries[0]["target"], format!("case:{id}"));
        assert_eq!(entries[2]["actorKind"], "access-key");
        assert!(log.json()["nextToken"].is_string(), "more than ten entries: {}", log.text());

        // Filters, and the next page with the same filters.
        let account = entries[2]["accountId"].as_str().unwrap().to_string();
        let mine = s.api("admin", "GET", &format!("/api/v1/audit?account={account}&actor=nobody"), None).await;
        assert_eq!(mine.json()["entries"].as_array().map(Vec::len), Some(0), "{}", mine.text());
        let token = log.json()["nextToken"].as_str().unwrap().to_string();
        let next = s.api("admin", "GET", &format!("/api/v1/audit?limit=10&nextToken={token}"), None).await;
        assert_eq!(next.status, StatusCode::OK, "{}", next.text());
        let older = next.json()["entries"][0]["id"].as_i64().unwrap();
        assert!(older < entries[9]["id"].as_i64().unwrap());

        for role in ["agent", "tam"] {
            let r = s.api(role, "GET", "/api/v1/audit", None).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.text());
        }
        let r = s.api("admin", "GET", "/api/v1/audit?since=yesterday", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        let r = s.api("admin", "GET", "/api/v1/audit?acount=1", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    }
}

both_engines! {
    async fn the_queue_shows_which_customers_await_an_answer(s) {
        let doc: Value = s.api("agent", "GET", "/api/v1/openapi.json", None).await.json();
        let id = open_case(&s, "low").await;
        let waiting = |r: &crate::support::Reply| -> Vec<String> {
            r.json()["cases"].as_array().unwrap().iter()
                .map(|c| c["caseId"].as_str().unwrap().to_string()).collect()
        };
        let q = s.api("agent", "GET", "/api/v1/queue?awaiting=true", None).await;
        assert_eq!(q.status, StatusCode::OK, "{}", q.text());
        assert_documented(&doc, "get", "/api/v1/queue", 200, &q.json());
        assert!(waiting(&q).contains(&id));
        let case = s.api("agent", "GET", &format!("/api/v1/cases/{id}"), None).await.json();
        assert!(case["awaitingSupportSince"].is_string(), "{case}");
        // Support's answer ends the wait; the customer's "still down!" starts it again,
        // though AWS's plans time no next reply.
        s.api("agent", "POST", &format!("/api/v1/cases/{id}/replies"), Some(json!({"body": "On it."}))).await;
        let q = s.api("agent", "GET", "/api/v1/queue?awaiting=true", None).await;
        assert!(!waiting(&q).contains(&id));
        let case = s.api("agent", "GET", &format!("/api/v1/cases/{id}"), None).await.json();
        assert!(case["awaitingSupportSince"].is_null(), "{case}");
        let r = s.aws(Operation::AddCommunicationToCase,
            json!({"caseId": id, "communicationBody": "Still down!"})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let q = s.api("agent", "GET", "/api/v1/queue?awaiting=true", None).await;
        assert!(waiting(&q).contains(&id));
        let r = s.api("agent", "GET", "/api/v1/queue?awaiting=maybe", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}
