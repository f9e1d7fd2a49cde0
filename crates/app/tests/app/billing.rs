//! Bill runs end to end: imported usage, plan history, proration, minimum terms, payers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use rust_decimal::Decimal;
use tierdesk_app::App;
use tierdesk_core::clock::ManualClock;
use tierdesk_core::records::Invoice;
use tierdesk_core::usage::{Format, read};
use tierdesk_testkit::ScratchDb;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// An App on a scratch database, and the database's guard: keep it for the test's length.
async fn app(clock: Arc<ManualClock>) -> (App, ScratchDb) {
    let db = ScratchDb::sqlite("bill");
    (tierdesk_testkit::app_on(db.url(), clock, &[]).await, db)
}

async fn account(app: &App, id: &str, plan: &str) {
    app.create_account(
        &tierdesk_testkit::operator(),
        tierdesk_testkit::account(id, plan),
    )
    .await
    .unwrap();
}

async fn import(app: &App, csv: &str) {
    let summary = read(Format::Generic, csv.as_bytes(), "USD", |_| {}).unwrap();
    app.import_usage(&tierdesk_testkit::operator(), summary, "test")
        .await
        .unwrap();
}

fn total(invoices: &[Invoice], account: &str) -> Decimal {
    invoices
        .iter()
        .find(|i| i.account_id == account)
        .map(|i| i.total)
        .unwrap_or_else(|| panic!("no invoice for {account}"))
}

#[tokio::test]
async fn worked_examples_prorations_terms_and_payers() {
    let clock = Arc::new(ManualClock::new("2026-09-01T00:00:00Z".parse().unwrap()));
    let (app, _db) = app(clock.clone()).await;
    // On their plans since September (full months in October).
    for (id, plan) in [
        ("100000000001", "aws.developer"),
        ("100000000002", "aws.business"),
        ("100000000003", "aws.enterprise"),
        ("100000000004", "aws.business_plus"),
        ("100000000005", "aws.enterprise_2025"),
        ("100000000006", "aws.unified_operations"),
        ("100000000007", "aws.enterprise_2025"),
        ("100000000008", "aws.enterprise_2025"),
        ("100000000009", "aliyun.business"),
    ] {
        account(&app, id, plan).await;
    }
    // 7 and 8 are enrolled under 5's Enterprise: one fee on their summed usage.
    for enrolled in ["100000000007", "100000000008"] {
        app.store
            .set_payer(
                enrolled,
                Some("100000000005"),
                tierdesk_testkit::audit_entry(),
            )
            .await
            .unwrap();
    }
    import(
        &app,
        "account_id,month,amount,currency\n\
         100000000001,2026-10,2000,USD\n\
         100000000002,2026-10,85000,USD\n\
         100000000003,2026-10,1200000,USD\n\
         100000000004,2026-10,20000,USD\n\
         100000000005,2026-10,700000,USD\n\
         100000000006,2026-10,1500000,USD\n\
         100000000007,2026-10,30000,USD\n\
         100000000008,2026-10,20000,USD\n",
    )
    .await;
    let oct = app
        .bill_run(&tierdesk_testkit::operator(), "2026-10")
        .await
        .unwrap();
    for (account, want) in [
        ("100000000001", "60.00"),
        ("100000000002", "6150.00"),
        ("100000000003", "70500.00"),
        ("100000000004", "1600.00"),
        // 700,000 + 30,000 + 20,000 = 750,000 → 52,000, on the payer's invoice.
        ("100000000005", "52000.00"),
        ("100000000006", "130000.00"),
        ("100000000007", "0.00"),
        ("100000000008", "0.00"),
        ("100000000009", "0.00"),
    ] {
        assert_eq!(total(&oct, account), dec(want), "{account}");
    }
    let business = oct.iter().find(|i| i.account_id == "100000000002").unwrap();
    let described: Vec<&str> = business
        .lines
        .iter()
        .map(|l| l.description.as_str())
        .collect();
    assert!(
        described[1].contains("10% of usage from 0.00 to 10,000.00"),
        "{described:?}"
    );
    assert!(
        oct.iter()
            .find(|i| i.account_id == "100000000007")
            .unwrap()
            .lines[0]
            .description
            .contains("billed to payer account 100000000005")
    );
    assert!(
        oct.iter()
            .find(|i| i.account_id == "100000000009")
            .unwrap()
            .lines[0]
            .description
            .contains("priced by contract")
    );

    // Idempotent: the same month again gives the same invoices, stored once.
    let again = app
        .bill_run(&tierdesk_testkit::operator(), "2026-10")
        .await
        .unwrap();
    assert_eq!(again.len(), oct.len());
    let stored = app.invoice("100000000002", "2026-10").await.unwrap();
    assert_eq!(stored.total, dec("6150.00"));
    assert_eq!(stored.lines.len(), business.lines.len());

    // A mid-month sign-up: Business from 16 November, no usage: half of the $100 minimum.
    clock.set("2026-11-16T12:00:00Z".parse().unwrap());
    account(&app, "100000000010", "aws.business").await;
    // Leaving Business+ ten days into November, twenty days short of its 30-day term:
    // 10 days of its $29 minimum and 20 more at the minimum.
    clock.set("2026-11-01T00:00:00Z".parse().unwrap());
    account(&app, "100000000011", "aws.business_plus").await;
    app.set_plan(
        &tierdesk_testkit::operator(),
        "100000000011",
        "aws.enterprise_2025",
        Some("2026-11-11".parse().unwrap()),
        false,
    )
    .await
    .unwrap();
    let nov = app
        .bill_run(&tierdesk_testkit::operator(), "2026-11")
        .await
        .unwrap();
    assert_eq!(total(&nov, "100000000010"), dec("50.00"));
    let leaving = nov.iter().find(|i| i.account_id == "100000000011").unwrap();
    // Business+: 29 × 10/30 = 9.67, plus 20 days of the minimum 29 × 20/30 = 19.33;
    // Enterprise from the 11th: 5,000 × 20/30 = 3,333.33.
    assert_eq!(leaving.total, dec("3362.33"), "{:#?}", leaving.lines);
    assert!(leaving.lines.iter().any(|l| {
        l.description
            .contains("minimum term of 30 days: 20 more days")
    }));
}
