//! `POST /api/v1/integrations/alertmanager` with Alertmanager's own webhook payloads
//! (version 4): a group opens one case, writes on it while it is open, and resolves it;
//! tokens are the account's, checked on every call.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tierdesk_app::monitoring::NewIntegration;
use tierdesk_aws::Operation;

use crate::support::{ACCOUNT, OTHER_ACCOUNT, both_engines};

/// A notification as Alertmanager 0.27 sends it for a group of one alert.
fn payload(status: &str, severity: &str, ends_at: &str) -> Value {
    json!({
        "receiver": "tierdesk",
        "status": status,
        "alerts": [{
            "status": status,
            "labels": {
                "alertname": "HighErrorRate", "instance": "i-0abc1234def567890",
                "job": "api", "region": "us-east-1", "severity": severity
            },
            "annotations": {
                "summary": "5xx above 5%",
                "description": "The API answers 503 to 7% of requests."
            },
            "startsAt": "2026-11-23T08:50:00.123456789Z",
            "endsAt": ends_at,
            "generatorURL": "http://prometheus:9090/graph?g0.expr=rate%28http_5xx%5B5m%5D%29",
            "fingerprint": "0f4c2d1a9b8e7c6d"
        }],
        "groupLabels": {"alertname": "HighErrorRate"},
        "commonLabels": {
            "alertname": "HighErrorRate", "instance": "i-0abc1234def567890",
            "job": "api", "region": "us-east-1", "severity": severity
        },
        "commonAnnotations": {
            "summary": "5xx above 5%",
            "description": "The API answers 503 to 7% of requests."
        },
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": "{}/{severity=~\"critical|warning\"}:{alertname=\"HighErrorRate\"}",
        "truncatedAlerts": 0
    })
}

async fn notify(s: &crate::support::Server, token: &str, body: &Value) -> (StatusCode, Value) {
    let req = Request::post("/api/v1/integrations/alertmanager")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = s.send(req).await;
    (r.status, r.json())
}

both_engines! {
    async fn an_alert_group_opens_one_case_writes_on_it_and_resolves_it(s) {
        let made = s
            .app
            .create_integration(
                &tierdesk_testkit::operator(),
                NewIntegration {
                    account_id: ACCOUNT.into(),
                    name: "prometheus-prod".into(),
                    severity_label: None,
                    resolve_cases: true,
                },
            )
            .await
            .unwrap();
        let token = made.secret.as_str();
        let zero = "0001-01-01T00:00:00Z";

        let (status, r) = notify(&s, token, &payload("firing", "critical", zero)).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!(r["action"], "opened");
        let case_id = r["caseId"].as_str().unwrap().to_string();
        let case = s
            .aws(Operation::DescribeCases, json!({"caseIdList": [case_id], "includeCommunications": true}))
            .await
            .json();
        let case = &case["cases"][0];
        // Enterprise's most severe level; the body says what support needs.
        assert_eq!(case["severityCode"], "critical");
        assert_eq!(
            case["subject"],
            "[Alert] HighErrorRate: 5xx above 5% (i-0abc1234def567890, us-east-1)"
        );
        let body = case["recentCommunications"]["communications"][0]["body"].as_str().unwrap();
        // The account is in New York.
        assert!(body.contains("Started: 2026-11-23 03:50 EST (America/New_York) (2026-11-23 08:50 UTC)"), "{body}");
        assert!(body.contains("Region: us-east-1"));
        assert!(body.contains("source: http://prometheus:9090/graph"));

        // The same group again: a message on its case, not a second case.
        let (_, r) = notify(&s, token, &payload("firing", "critical", zero)).await;
        assert_eq!((r["action"].as_str(), r["caseId"].as_str()), (Some("added"), Some(case_id.as_str())));

        // Resolved: a note, and the case is resolved (the token says so).
        let (_, r) = notify(&s, token, &payload("resolved", "critical", "2026-11-23T09:20:00Z")).await;
        assert_eq!(r["action"], "resolved");
        let case = s.aws(Operation::DescribeCases, json!({"caseIdList": [case_id], "includeResolvedCases": true})).await.json();
        assert_eq!(case["cases"][0]["status"], "resolved");
        // Resolved again: nothing open, nothing done.
        let (_, r) = notify(&s, token, &payload("resolved", "critical", "2026-11-23T09:20:00Z")).await;
        assert_eq!(r["action"], "ignored");
        // Firing after the resolution: a new case, with a label the scale knows as warning.
        let (_, r) = notify(&s, token, &payload("firing", "warning", zero)).await;
        assert_eq!(r["action"], "opened");
        assert_ne!(r["caseId"].as_str(), Some(case_id.as_str()));
        let again = s.aws(Operation::DescribeCases, json!({"caseIdList": [r["caseId"]]})).await.json();
        assert_eq!(again["cases"][0]["severityCode"], "high");

        // Bad input: the right error, and nothing written.
        let mut bad = payload("firing", "critical", zero);
        bad["version"] = json!("3");
        assert_eq!(notify(&s, token, &bad).await.0, StatusCode::BAD_REQUEST);
        let mut bad = payload("firing", "critical", zero);
        bad["alerts"][0]["startsAt"] = json!("yesterday");
        assert_eq!(notify(&s, token, &bad).await.0, StatusCode::BAD_REQUEST);
        let huge = json!({"version": "4", "pad": "x".repeat(1_100_000)});
        assert_eq!(notify(&s, token, &huge).await.0, StatusCode::PAYLOAD_TOO_LARGE);

        // Tokens: an agent's is no integration token; a revoked one stops working; one
        // account's token opens that account's cases only.
        let agent = s.token("agent").to_string();
        assert_eq!(notify(&s, &agent, &payload("firing", "critical", zero)).await.0, StatusCode::UNAUTHORIZED);
        s.app
            .revoke_integration(&tierdesk_testkit::operator(), &made.token.id, Some(OTHER_ACCOUNT))
            .await
            .unwrap_err();
        s.app
            .revoke_integration(&tierdesk_testkit::operator(), &made.token.id, Some(ACCOUNT))
            .await
            .unwrap();
        assert_eq!(notify(&s, token, &payload("firing", "critical", zero)).await.0, StatusCode::UNAUTHORIZED);
    }
}

both_engines! {
    async fn customers_make_and_revoke_their_accounts_tokens_in_the_console(s) {
        let v = s.visitor(crate::support::CUSTOMER_EMAIL).await;
        let page = s.get_page(&v, "/console/settings").await;
        assert!(page.text().contains("id=\"integration-form\""));
        // A bad label is refused on the page, in words.
        let r = s
            .post_form(&v, "/console/settings/integrations", &[("csrf", &v.csrf), ("name", "prom"), ("severity_label", "not a label")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("id=\"integration-error\""), "{}", r.text());
        let r = s
            .post_form(
                &v,
                "/console/settings/integrations",
                &[("csrf", &v.csrf), ("name", "prometheus"), ("severity_label", ""), ("resolve_cases", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = s.get_page(&v, r.header("location")).await.text();
        let token = shown
            .split("<code>")
            .find(|p| p.starts_with("tdim_"))
            .and_then(|p| p.split('<').next())
            .unwrap()
            .to_string();
        // Shown once: the same page again does not hold it.
        assert!(!s.get_page(&v, r.header("location")).await.text().contains(&token));
        let (status, made) = notify(&s, &token, &payload("firing", "critical", "0001-01-01T00:00:00Z")).await;
        assert_eq!((status, made["action"].as_str()), (StatusCode::OK, Some("opened")));
        let tokens = s.app.integrations(Some(ACCOUNT)).await.unwrap();
        assert!(tokens[0].resolve_cases);
        // Without the CSRF token nothing is revoked; with it, the token stops working.
        let path = format!("/console/settings/integrations/{}/revoke", tokens[0].id);
        assert_ne!(s.post_form(&v, &path, &[]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(s.post_form(&v, &path, &[("csrf", &v.csrf)]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(notify(&s, &token, &payload("firing", "critical", "0001-01-01T00:00:00Z")).await.0, StatusCode::UNAUTHORIZED);
        assert!(s.get_page(&v, "/console/settings").await.text().contains("Revoked"));
        // Staff have no account: no tokens on their settings page.
        let staff = s.visitor("admin@support.example").await;
        assert!(!s.get_page(&staff, "/console/settings").await.text().contains("integration-form"));
    }
}
