//! A new case records the first-response promise of its plan, counted on the plan's clock
//! for the account's zone, country holidays and the case language.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use tierdesk_app::accounts::NewAccount;
use tierdesk_app::cases::CreateCase;
use tierdesk_core::catalog::Source;
use tierdesk_core::clock::ManualClock;
use tierdesk_testkit::{ScratchDb, api_caller, app_on};

const OFFICE_PLAN: &str = r#"
provider = "acme"
[[plans]]
id = "acme.office"
name = "Office hours"
currency = "JPY"
channels = ["web"]
technical_cases = true
case_contacts = "unlimited"
support_api = true
advisor = "none"
tam = "none"
severity_scale = "aws"
targets = [{ severity = "normal", within = "12h", clock = "aws.developer.business_hours" }]
fee = { model = "free" }
"#;

#[tokio::test]
async fn new_cases_record_their_deadline() {
    let db = ScratchDb::sqlite("app");
    // Friday 20 November 2026, 16:00 in Tokyo.
    let clock = Arc::new(ManualClock::new("2026-11-20T07:00:00Z".parse().unwrap()));
    let office = Source {
        name: "acme.toml",
        text: OFFICE_PLAN,
    };
    let app = app_on(db.url(), clock, &[office]).await;
    app.create_account(
        &tierdesk_testkit::operator(),
        NewAccount {
            id: "123456789012".into(),
            name: "Tokyo Co".into(),
            plan: "acme.office".into(),
            timezone: "Asia/Tokyo".into(),
            country: "JP".into(),
            language: "ja".into(),
            force: false,
        },
    )
    .await
    .unwrap();
    let caller = api_caller(&app, "123456789012").await;
    let case = app
        .create_case(
            &caller,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("s".into()),
                communication_body: Some("b".into()),
                severity_code: Some("normal".into()),
                language: Some("ja".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // 12 business hours, 09:00-18:00 for Japanese cases, Monday 23 November a holiday:
    // 2 on Friday, 9 on Tuesday, 1 on Wednesday.
    let promise = case.first_response.clone().unwrap();
    assert_eq!(promise.clock, "aws.developer.business_hours");
    assert_eq!(promise.minutes, 720);
    assert_eq!(promise.due, "2026-11-25T01:00:00Z".parse().unwrap());
    let stored = app
        .store
        .case("123456789012", &case.case_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.first_response, Some(promise));
}
