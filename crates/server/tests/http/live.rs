//! Live updates: the console's event stream tells each open page which cases changed,
//! only those its visitor may see.

use std::time::Duration;

use axum::http::StatusCode;
use http_body_util::BodyExt;

use crate::support::{CUSTOMER_EMAIL, Visitor, both_engines};

/// Reads the stream until an event whose data names `kind` arrives (the events read, that
/// one last), or gives up after a few seconds (`None`).
async fn next_case_event(body: &mut axum::body::Body, kind: &str) -> Option<Vec<String>> {
    let mut read = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut text = String::new();
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .ok()??
            .ok()?;
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
        while let Some(end) = text.find("\n\n") {
            let event: String = text.drain(..end + 2).collect();
            let found =
                event.contains("event: case") && event.contains(&format!("\"kind\":\"{kind}\""));
            read.push(event);
            if found {
                return Some(read);
            }
        }
    }
}

both_engines! {
    async fn open_pages_hear_of_the_cases_their_visitor_may_see(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let staff = s.open_stream(&agent, "/console/events").await;
        assert_eq!(staff.status(), StatusCode::OK);
        assert!(staff.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut staff = staff.into_body();
        let mut mine = s.open_stream(&customer, "/console/events").await.into_body();
        // Give the poller its first look at where the logs stand.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        // A new case of the plan's highest severities: engineers are alerted.
        let id = s.open_case(&customer, "critical", "Checkout is down", "Every payment fails.").await;
        let heard = next_case_event(&mut staff, "case.create").await.expect("the queue hears of a new case");
        let last = heard.last().unwrap();
        assert!(last.contains(&id) && last.contains("\"alert\":true"), "{last}");
        assert!(next_case_event(&mut mine, "case.create").await.is_some());

        // An internal note reaches staff, never the customer; a reply reaches both.
        s.post_form(&agent, &format!("/console/queue/{id}/message"), &[
            ("csrf", agent.csrf.as_str()), ("body", "Checking the gateway."), ("kind", "note"),
        ]).await;
        s.post_form(&agent, &format!("/console/queue/{id}/message"), &[
            ("csrf", agent.csrf.as_str()), ("body", "We are on it."), ("kind", "reply"),
        ]).await;
        assert!(next_case_event(&mut staff, "case.note").await.is_some());
        let heard = next_case_event(&mut mine, "case.message").await.expect("the customer hears of the reply");
        assert!(heard.iter().all(|e| !e.contains("case.note")), "{heard:?}");
        // A normal-severity case is news, not an alarm.
        s.open_case(&customer, "low", "Checkout is down", "Every payment fails.").await;
        let heard = next_case_event(&mut staff, "case.create").await.unwrap();
        assert!(heard.last().unwrap().contains("\"alert\":false"), "{heard:?}");

        // Without a session, the sign-in page instead of a stream.
        let anonymous = Visitor { cookie: String::new(), csrf: String::new() };
        let r = s.open_stream(&anonymous, "/console/events").await;
        assert_ne!(r.status(), StatusCode::OK);
    }
}
