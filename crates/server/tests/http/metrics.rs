//! `GET /metrics`: behind its token on the main listener, in Prometheus's text format,
//! counting what was served with labels no client can invent.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tierdesk_aws::Operation;

use crate::support::both_engines;

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    r.body(Body::empty()).unwrap()
}

/// Every sample line of a text-format page: (name with labels, value); panics on a line
/// that is neither a comment nor `name{labels} number`, or a sample of an undeclared
/// family.
fn samples(text: &str) -> Vec<(String, f64)> {
    let mut declared = Vec::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            declared.push(rest.split(' ').next().unwrap().to_string());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("{line}"));
        let name = series.split('{').next().unwrap();
        assert!(
            declared.iter().any(|d| name == d
                || ["_bucket", "_sum", "_count"]
                    .iter()
                    .any(|s| name.strip_suffix(s) == Some(d.as_str()))),
            "{name} has no TYPE line"
        );
        out.push((series.to_string(), value));
    }
    out
}

fn value(samples: &[(String, f64)], series: &str) -> Option<f64> {
    samples.iter().find(|(s, _)| s == series).map(|(_, v)| *v)
}

both_engines! {
    async fn metrics_need_their_token_and_count_what_was_served(s) {
        // Without a token configured, the main listener does not serve them.
        assert_eq!(s.send(get("/metrics", None)).await.status, StatusCode::NOT_FOUND);
        let router = s.configured(|st| st.metrics_token = Some("scrape-me".into()));
        for token in [None, Some("wrong"), Some("")] {
            let r = s.send_to(&router, get("/metrics", token)).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert_eq!(r.header("www-authenticate"), "Bearer realm=\"metrics\"");
        }

        // Traffic: AWS calls (one refused), a forged operation name, an API call, a page.
        for _ in 0..2 {
            let r = s.send_to(&router, s.signed_request(Operation::DescribeSeverityLevels, json!({}), &[])).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let r = s.send_to(&router, s.signed_request(Operation::CreateCase, json!({"subject": "x"}), &[])).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let forged = Request::post("/")
            .header("x-amz-target", "AWSSupport_20130415.Evil\"}")
            .body(Body::empty())
            .unwrap();
        assert!(s.send_to(&router, forged).await.status.is_client_error());
        let me = Request::get("/api/v1/me")
            .header("authorization", format!("Bearer {}", s.token("admin")))
            .body(Body::empty())
            .unwrap();
        assert_eq!(s.send_to(&router, me).await.status, StatusCode::OK);
        assert_eq!(s.send_to(&router, get("/console/nowhere", None)).await.status, StatusCode::NOT_FOUND);

        let r = s.send_to(&router, get("/metrics", Some("scrape-me"))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        let text = r.text();
        let all = samples(&text);
        let requests = |labels: &str| value(&all, &format!("tierdesk_http_requests_total{{{labels}}}"));
        assert_eq!(requests(r#"surface="aws",operation="DescribeSeverityLevels",outcome="ok""#), Some(2.0), "{text}");
        assert_eq!(requests(r#"surface="aws",operation="CreateCase",outcome="client_error""#), Some(1.0));
        assert_eq!(requests(r#"surface="aws",operation="unknown",outcome="client_error""#), Some(1.0));
        assert!(!text.contains("Evil"), "a client's header became a label");
        assert_eq!(requests(r#"surface="api",operation="/api/v1/me",outcome="ok""#), Some(1.0));
        assert_eq!(requests(r#"surface="console",operation="unmatched",outcome="client_error""#), Some(1.0));
        assert_eq!(
            value(&all, r#"tierdesk_http_request_duration_seconds_count{surface="aws"}"#),
            Some(4.0)
        );
        assert_eq!(
            value(&all, r#"tierdesk_http_request_duration_seconds_bucket{surface="aws",le="+Inf"}"#),
            Some(4.0)
        );
        assert_eq!(value(&all, &format!(r#"tierdesk_build_info{{version="{}"}}"#, env!("CARGO_PKG_VERSION"))), Some(1.0));
        assert!(value(&all, "tierdesk_webhook_outbox_backlog").is_some());
        assert!(value(&all, "tierdesk_writer_batch_size_count").unwrap() >= 1.0);
        assert!(value(&all, r#"tierdesk_sign_in_failures_total{reason="wrong_credentials"}"#).is_some());
        if cfg!(target_os = "linux") {
            // This test process's own: more than a megabyte, less than the machine.
            let rss = value(&all, "process_resident_memory_bytes").unwrap_or_default();
            assert!(rss > 1e6 && rss < 1e12, "{rss}");
        }
        // The demo's open cases, by plan, and how old the oldest is.
        let opened = s
            .aws(
                Operation::CreateCase,
                json!({
                    "subject": "Database down",
                    "communicationBody": "It stopped answering at 09:00.",
                    "serviceCode": "amazon-elastic-compute-cloud-linux",
                    "categoryCode": "general-guidance",
                    "severityCode": "urgent",
                }),
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.text());
        let text = s.send_to(&router, get("/metrics", Some("scrape-me"))).await.text();
        let all = samples(&text);
        assert!(
            all.iter().any(|(series, v)| series.starts_with("tierdesk_open_cases{plan=") && *v >= 1.0),
            "{text}"
        );
        assert!(all.iter().any(|(series, _)| series.starts_with("tierdesk_oldest_open_case_age_seconds{plan=")));
    }
}
