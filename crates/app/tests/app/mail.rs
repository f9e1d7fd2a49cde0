//! Mail out through the use cases, on both engines: which events write a notice, what
//! its mails say to whom, and the outbox's rules (a claim is one replica's until its lease
//! lapses; a retry sends only the mails the server did not accept; a reminder waits and
//! lapses when the customer answers; a warning overtaken by its breach is not mailed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use tierdesk_app::App;
use tierdesk_app::actor::Actor;
use tierdesk_app::cases::{Attachments, CreateCase, Message};
use tierdesk_app::files::NewFile;
use tierdesk_app::notices::{LEASE, Outgoing};
use tierdesk_app::notify::{MailSettings, NoticeSettings};
use tierdesk_core::clock::{Clock, ManualClock};
use tierdesk_core::notice::NoticeKind;
use tierdesk_testkit::{Engine, ScratchDb, operator};

use crate::sla_engine::{agent, app, customer};

/// An app that mails people, its console at a public address, reminding after an hour.
fn mailing(app: App) -> App {
    app.with_mail(MailSettings::new("Acme Support <support@acme.example>").unwrap())
        .with_notices(NoticeSettings {
            console_url: Some("https://support.acme.example".into()),
            pending_reminder: Duration::from_secs(3600),
            ..Default::default()
        })
}

async fn claim(app: &App) -> Vec<Outgoing> {
    app.claim_notices(100).await.unwrap()
}

/// Sends a claim's mails "successfully".
async fn settle_all(app: &App, out: &[Outgoing]) {
    for o in out {
        let ids = o.mails.iter().map(|m| m.message_id.clone()).collect();
        app.settle_mail(&o.notice, ids, None).await.unwrap();
    }
}

async fn the_outbox(engine: Engine) {
    let Some(db) = ScratchDb::on(engine, "mail").await else {
        return;
    };
    let t0: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    // Without mail, no notice is written.
    let quiet = app(db.url(), clock.clone()).await;
    let caller = customer(&quiet, "100000000001", "acme.gold", "Asia/Tokyo").await;
    let open = |app: App, subject: &'static str| {
        let caller = caller.clone();
        async move {
            app.create_case(
                &caller,
                &operator(),
                CreateCase {
                    subject: Some(subject.into()),
                    communication_body: Some("it is down".into()),
                    severity_code: Some("urgent".into()),
                    cc_email_addresses: vec!["ops@partner.example".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap()
        }
    };
    open(quiet.clone(), "before mail").await;
    let app = app(db.url(), clock.clone()).await;
    let app = mailing(app);
    assert!(
        claim(&app).await.is_empty(),
        "a case opened without mail wrote a notice"
    );

    app.create_user(
        &operator(),
        "100000000001",
        "ken@acme.example",
        "Ken",
        Some("ja"),
        None,
    )
    .await
    .unwrap();
    let ada = agent(&app, "ada@support.example").await;
    let case = open(app.clone(), "Checkout is down").await;

    // The opening: Ken in Japanese; the cc in the case's language (English); Ada (who
    // reads English) in English.
    let out = claim(&app).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].notice.kind, NoticeKind::CaseOpened);
    let mails = &out[0].mails;
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let ja = mails.iter().find(|m| m.language == "ja").unwrap();
    assert_eq!(ja.to, "ken@acme.example");
    let users = mails
        .iter()
        .find(|m| m.language == "en" && !m.subject.contains("New case"))
        .unwrap();
    assert_eq!(users.to, "ops@partner.example");
    assert!(users.text.contains("because the case copies your address"));
    assert!(
        users
            .text
            .contains("first response by 2026-11-23 18:30 JST (Asia/Tokyo)"),
        "{}",
        users.text
    );
    assert_eq!(
        ja.subject,
        format!("[Case {}] Checkout is down", case.display_id)
    );
    assert_eq!(ja.thread, format!("<{}@acme.example>", case.case_id));
    // Urgent on Gold: 30 minutes, shown in the account's zone.
    assert!(
        ja.text.contains("2026-11-23 18:30 JST (Asia/Tokyo)"),
        "{}",
        ja.text
    );
    let en = mails
        .iter()
        .find(|m| m.subject.contains("New case"))
        .unwrap();
    assert_eq!(en.to, ada.email);
    assert!(en.subject.contains("New case"));
    assert!(en.text.contains("2026-11-23 09:30 UTC"), "{}", en.text);
    assert!(
        en.text
            .contains("https://support.acme.example/console/queue/")
    );

    // The claim is this replica's until its lease lapses; then another may take it.
    assert!(claim(&app).await.is_empty());
    clock.set(t0 + LEASE + Duration::from_secs(1));
    let again = claim(&app).await;
    assert_eq!(again.len(), 1);
    // The first claim's record comes too late and changes nothing.
    settle_all(&app, &out).await;
    // One mail accepted, the other refused: the retry sends only the other.
    let first = again[0].mails[0].message_id.clone();
    app.settle_mail(
        &again[0].notice,
        vec![first.clone()],
        Some("450 try later".into()),
    )
    .await
    .unwrap();
    assert!(claim(&app).await.is_empty(), "retried before its back-off");
    clock.set(clock.now() + Duration::from_secs(2));
    let retry = claim(&app).await;
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].mails.len(), 2);
    assert!(retry[0].mails.iter().all(|m| m.message_id != first));
    settle_all(&app, &retry).await;
    assert!(claim(&app).await.is_empty());

    // Support's reply with files: the customers read it, with the files' names; a note
    // writes nothing.
    for (body, internal) in [
        ("db is r5.large", true),
        ("Please <restart> the task.", false),
    ] {
        app.post_message(
            Actor::Agent(&ada),
            &operator(),
            Message {
                case_id: Some(case.case_id.clone()),
                body: Some(body.into()),
                internal,
                attachments: Attachments::Files(vec![NewFile {
                    file_name: Some("trace.log".into()),
                    data: Some(b"trace".to_vec()),
                }]),
                ..Message::default()
            },
        )
        .await
        .unwrap();
    }
    let out = claim(&app).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].notice.kind, NoticeKind::SupportReplied);
    let ja = out[0].mails.iter().find(|m| m.language == "ja").unwrap();
    assert!(
        ja.text.contains("> Please <restart> the task."),
        "{}",
        ja.text
    );
    assert!(ja.text.contains("添付ファイル: trace.log"), "{}", ja.text);
    assert!(ja.html.contains("Please &lt;restart&gt; the task."));
    assert!(ja.subject.starts_with("Re: [Case"));
    settle_all(&app, &out).await;

    // Waiting on the customer: the reminder waits an hour, and lapses when they answer.
    app.set_case_status(
        &ada,
        &operator(),
        &case.case_id,
        Some("pending-customer-action"),
    )
    .await
    .unwrap();
    assert!(claim(&app).await.is_empty(), "a reminder before its time");
    app.post_message(
        Actor::Customer(&caller),
        &operator(),
        Message {
            case_id: Some(case.case_id.clone()),
            body: Some("done".into()),
            ..Message::default()
        },
    )
    .await
    .unwrap();
    clock.set(clock.now() + Duration::from_secs(3601));
    let out = claim(&app).await;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].notice.kind, NoticeKind::PendingReminder);
    assert!(
        out[0].mails.is_empty(),
        "the customer answered: no reminder"
    );
    settle_all(&app, &out).await;

    // A reminder that stands.
    app.set_case_status(
        &ada,
        &operator(),
        &case.case_id,
        Some("pending-customer-action"),
    )
    .await
    .unwrap();
    clock.set(clock.now() + Duration::from_secs(3601));
    let out = claim(&app).await;
    assert_eq!(out[0].mails.len(), 2);
    assert!(
        out[0]
            .mails
            .iter()
            .any(|m| m.text.contains("お待ちしています"))
    );
    settle_all(&app, &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_sqlite() {
    the_outbox(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_postgres() {
    the_outbox(Engine::Postgres).await;
}

/// The breach worker, away past a warning and its breach, mails the breach alone: to the
/// assignee (and no customer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warning_overtaken_by_its_breach_is_not_mailed() {
    let db = ScratchDb::sqlite("mail-breach");
    let t0: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(db.url(), clock.clone()).await;
    let app = mailing(app);
    let caller = customer(&app, "100000000002", "acme.gold", "Europe/Berlin").await;
    let ada = agent(&app, "ada@support.example").await;
    let case = app
        .create_case(
            &caller,
            &operator(),
            CreateCase {
                subject: Some("down".into()),
                communication_body: Some("it is down".into()),
                severity_code: Some("urgent".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    app.assign_case(&ada, &operator(), &case.case_id, Some("me"))
        .await
        .unwrap();
    settle_all(&app, &claim(&app).await).await;
    clock.set(t0 + Duration::from_secs(31 * 60));
    assert_eq!(app.sla_tick().await.unwrap().recorded, 2);
    let out = claim(&app).await;
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].notice.kind, NoticeKind::SlaBreach);
    assert_eq!(out[0].mails.len(), 1);
    assert_eq!(out[0].mails[0].to, ada.email);
    assert!(out[0].mails[0].subject.contains("SLA breach"));
    assert!(
        out[0].mails[0]
            .text
            .contains("first response was due 2026-11-23 09:30 UTC")
    );
}

/// Subscriptions: each reader hears only of what they keep; a mail's link unsubscribes
/// its reader from its topic, and a token is good for that and nothing else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_hear_only_what_they_subscribe_to() {
    use tierdesk_core::notice::{Channel, Topic};
    let db = ScratchDb::sqlite("mail-subscriptions");
    let t0: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(db.url(), clock.clone()).await;
    let app = mailing(app);
    let caller = customer(&app, "100000000003", "acme.gold", "Europe/Berlin").await;
    app.create_user(
        &operator(),
        "100000000003",
        "kim@acme.example",
        "Kim",
        Some("en"),
        None,
    )
    .await
    .unwrap();
    let ada = agent(&app, "ada@support.example").await;
    // Defaults by role: the customer hears of case updates; the engineer of new cases and
    // SLA, and may not choose case updates.
    let by_mail = |subs: Vec<tierdesk_app::people::Subscription>| -> Vec<(Topic, bool)> {
        subs.into_iter().map(|s| (s.topic, s.email)).collect()
    };
    assert_eq!(
        by_mail(app.subscriptions("kim@acme.example").await.unwrap()),
        [
            (Topic::CaseUpdates, true),
            (Topic::Billing, true),
            (Topic::TrustedAdvisor, true),
            (Topic::Health, true)
        ]
    );
    assert_eq!(
        by_mail(app.subscriptions(&ada.email).await.unwrap()),
        [(Topic::NewCases, true), (Topic::SlaAlerts, true)]
    );
    assert!(
        app.set_subscriptions(
            &operator(),
            &ada.email,
            Channel::Email,
            &[(Topic::CaseUpdates, true)]
        )
        .await
        .is_err()
    );
    app.set_subscriptions(
        &operator(),
        &ada.email,
        Channel::Email,
        &[(Topic::NewCases, false)],
    )
    .await
    .unwrap();
    let open = |subject: &'static str| {
        let (app, caller) = (app.clone(), caller.clone());
        async move {
            app.create_case(
                &caller,
                &operator(),
                CreateCase {
                    subject: Some(subject.into()),
                    communication_body: Some("it is down".into()),
                    severity_code: Some("low".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
        }
    };
    open("first").await;
    let out = claim(&app).await;
    let to: Vec<&str> = out[0].mails.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, ["kim@acme.example"], "Ada unsubscribed from new cases");
    let link = out[0].mails[0].unsubscribe.clone().unwrap();
    assert!(out[0].mails[0].text.contains(&link));
    settle_all(&app, &out).await;

    // Kim follows her mail's link.
    let token = link.split("?t=").nth(1).unwrap();
    let mut forged = token.to_string();
    forged.replace_range(10..11, if &forged[10..11] == "A" { "B" } else { "A" });
    assert!(app.unsubscribe(&forged).await.is_err());
    assert!(app.unsubscribe("not a token").await.is_err());
    assert_eq!(
        app.unsubscribe(token).await.unwrap(),
        ("kim@acme.example".to_string(), Topic::CaseUpdates)
    );
    open("second").await;
    let out = claim(&app).await;
    assert!(out[0].mails.is_empty(), "{:#?}", out[0].mails);
}

/// A bill run tells each account's users that an invoice charging something is ready, in
/// their language, with its total; the same run again tells no one twice, and a changed
/// total is news again. Free plans' invoices are not news.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ready_invoice_is_mailed_once_per_total() {
    let db = ScratchDb::sqlite("mail-invoice");
    let clock = Arc::new(ManualClock::new("2026-09-01T00:00:00Z".parse().unwrap()));
    let app = app(db.url(), clock.clone()).await;
    let app = mailing(app);
    let _caller = customer(&app, "100000000004", "aws.business", "Asia/Tokyo").await;
    let _free = customer(&app, "100000000005", "aws.basic", "UTC").await;
    app.create_user(
        &operator(),
        "100000000004",
        "yuki@acme.example",
        "Yuki",
        Some("ja"),
        None,
    )
    .await
    .unwrap();
    let import = |csv: &'static str| {
        let app = app.clone();
        async move {
            let summary = tierdesk_core::usage::read(
                tierdesk_core::usage::Format::Generic,
                csv.as_bytes(),
                "USD",
                |_| {},
            )
            .unwrap();
            app.import_usage(&operator(), summary, "test")
                .await
                .unwrap();
        }
    };
    import("account_id,month,amount,currency\n100000000004,2026-10,20000,USD\n").await;
    clock.set("2026-11-02T00:00:00Z".parse().unwrap());
    let invoices = app.bill_run(&operator(), "2026-10").await.unwrap();
    let total = |invoices: &[tierdesk_core::records::Invoice]| {
        let i = invoices
            .iter()
            .find(|i| i.account_id == "100000000004")
            .unwrap();
        format!("{} {}", i.total, i.currency)
    };
    let first = total(&invoices);
    let out = claim(&app).await;
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].notice.kind, NoticeKind::InvoiceReady);
    let to_yuki = out[0]
        .mails
        .iter()
        .find(|m| m.to == "yuki@acme.example")
        .unwrap();
    assert_eq!(to_yuki.language, "ja");
    assert!(to_yuki.subject.contains("2026-10"), "{}", to_yuki.subject);
    assert!(to_yuki.text.contains(&first), "{first}: {}", to_yuki.text);
    assert!(
        to_yuki
            .text
            .contains("https://support.acme.example/console/invoices?month=2026-10")
    );
    assert!(to_yuki.unsubscribe.is_some());
    settle_all(&app, &out).await;
    // The same run again: nothing new to tell.
    app.bill_run(&operator(), "2026-10").await.unwrap();
    assert!(claim(&app).await.is_empty());
    // Usage corrected: a new total, told again.
    import("account_id,month,amount,currency\n100000000004,2026-10,30000,USD\n").await;
    let second = total(&app.bill_run(&operator(), "2026-10").await.unwrap());
    assert_ne!(first, second);
    let out = claim(&app).await;
    assert_eq!(out.len(), 1);
    assert!(out[0].mails.iter().all(|m| m.text.contains(&second)));
}

/// The weekly pass tells each account's users where its Trusted Advisor stands, in their
/// language: checks by colour, what was flagged and fixed since the last pass, the worst
/// checks, a link. Two passes over the same results (two replicas) tell once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_weekly_advisor_pass_sends_a_summary_once() {
    use tierdesk_app::trusted_advisor::Bundle;
    use tierdesk_core::trusted_advisor::Inventory;
    let db = ScratchDb::sqlite("mail-advisor");
    let clock = Arc::new(ManualClock::new("2026-11-01T00:00:00Z".parse().unwrap()));
    let app = mailing(app(db.url(), clock.clone()).await);
    let _caller = customer(&app, "100000000006", "aws.business", "Asia/Tokyo").await;
    app.create_user(
        &operator(),
        "100000000006",
        "yuki@acme.example",
        "Yuki",
        Some("ja"),
        None,
    )
    .await
    .unwrap();
    app.create_user(
        &operator(),
        "100000000006",
        "kim@acme.example",
        "Kim",
        Some("en"),
        None,
    )
    .await
    .unwrap();
    let bundle = |addresses: &str| {
        let mut inventory = Inventory::default();
        inventory
            .add(
                "us-east-1/ec2.describe-addresses.json",
                addresses.as_bytes(),
            )
            .unwrap();
        inventory
            .add(
                "global/iam.get-account-summary.json",
                br#"{"SummaryMap": {"Users": 2, "AccountMFAEnabled": 0}}"#,
            )
            .unwrap();
        Bundle {
            inventory,
            used: 2,
            ignored: 0,
        }
    };
    app.import_inventory(
        &operator(),
        "100000000006",
        bundle(r#"{"Addresses": [{"PublicIp": "203.0.113.9"}, {"PublicIp": "203.0.113.10"}]}"#),
    )
    .await
    .unwrap();
    // An import is not the weekly pass: no summary yet.
    assert!(claim(&app).await.is_empty());
    clock.set("2026-11-09T00:00:00Z".parse().unwrap());
    let week = Duration::from_secs(7 * 86_400);
    assert_eq!(app.advisor_tick(week).await.unwrap(), 1);
    let out = claim(&app).await;
    assert_eq!(out.len(), 1, "{out:#?}");
    assert_eq!(out[0].notice.kind, NoticeKind::AdvisorSummary);
    let to_yuki = out[0]
        .mails
        .iter()
        .find(|m| m.to == "yuki@acme.example")
        .unwrap();
    assert_eq!(to_yuki.language, "ja");
    // Root without MFA is red; the two idle addresses yellow, with their savings.
    assert!(
        to_yuki.subject.contains("赤 1 件、黄 1 件"),
        "{}",
        to_yuki.subject
    );
    assert!(
        to_yuki.text.contains("ルートアカウントの MFA"),
        "{}",
        to_yuki.text
    );
    assert!(to_yuki.text.contains("$7.30"), "{}", to_yuki.text);
    assert!(
        to_yuki
            .text
            .contains("https://support.acme.example/console/trusted-advisor"),
        "{}",
        to_yuki.text
    );
    assert!(to_yuki.unsubscribe.is_some());
    let to_en = out[0].mails.iter().find(|m| m.language == "en").unwrap();
    assert!(
        to_en.subject.contains("Trusted Advisor weekly summary")
            && to_en.subject.contains("1 red, 1 yellow"),
        "{}",
        to_en.subject
    );
    assert!(to_en.text.contains("MFA on Root Account"), "{}", to_en.text);
    settle_all(&app, &out).await;
    // Results already fresh: the pass does nothing and tells nothing.
    assert_eq!(app.advisor_tick(week).await.unwrap(), 0);
    assert!(claim(&app).await.is_empty());
}

/// A Health event that names an account is mailed to its users in their language, with
/// its description and the account's affected resources (never another account's); a
/// public event is for the dashboard and mails nobody; a revision tells again, and a
/// change overtaken by a later one is not mailed on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_event_is_mailed_to_the_accounts_it_names() {
    use tierdesk_app::health::{Publish, Update};
    let db = ScratchDb::sqlite("mail-health");
    let clock = Arc::new(ManualClock::new("2026-11-01T00:00:00Z".parse().unwrap()));
    let app = mailing(app(db.url(), clock.clone()).await);
    let _tokyo = customer(&app, "100000000007", "aws.business", "Asia/Tokyo").await;
    let _other = customer(&app, "100000000008", "aws.business", "UTC").await;
    for (account, email, language) in [
        ("100000000007", "yuki@acme.example", "ja"),
        ("100000000007", "kim@acme.example", "en"),
        ("100000000008", "lee@other.example", "en"),
    ] {
        app.create_user(&operator(), account, email, "User", Some(language), None)
            .await
            .unwrap();
    }
    let publish = |accounts: Vec<&str>, entities: Vec<(&str, &str)>| Publish {
        service: "EC2".into(),
        type_code: "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED".into(),
        category: "scheduledChange".into(),
        region: "ap-northeast-1".into(),
        accounts: accounts.into_iter().map(String::from).collect(),
        entities: entities
            .into_iter()
            .map(|(a, v)| tierdesk_app::health::EntityInput::impaired(a, v))
            .collect(),
        description: "Your instances will be retired.".into(),
        start: Some("2026-11-06T00:00:00Z".parse().unwrap()),
        ..Default::default()
    };
    app.publish_health_event(&operator(), publish(vec![], vec![]))
        .await
        .unwrap();
    assert!(
        claim(&app).await.is_empty(),
        "a public event mailed someone"
    );

    let mut entities: Vec<(&str, &str)> = vec![("100000000008", "i-theirs")];
    let mine: Vec<String> = (0..12).map(|i| format!("i-{i:02}")).collect();
    entities.extend(mine.iter().map(|v| ("100000000007", v.as_str())));
    let event = app
        .publish_health_event(&operator(), publish(vec![], entities))
        .await
        .unwrap();
    let out = claim(&app).await;
    assert_eq!(out.len(), 2, "{out:#?}");
    let to = |addr: &str| {
        out.iter()
            .flat_map(|o| &o.mails)
            .find(|m| m.to == addr)
            .unwrap_or_else(|| panic!("no mail to {addr}"))
            .clone()
    };
    let yuki = to("yuki@acme.example");
    assert_eq!(yuki.language, "ja");
    assert!(yuki.subject.starts_with("[AWS Health]"), "{}", yuki.subject);
    assert!(yuki.subject.contains("予定"), "{}", yuki.subject);
    assert!(
        yuki.text.contains("影響を受けるリソース (12 件)") && yuki.text.contains("ほか 2 件"),
        "{}",
        yuki.text
    );
    let kim = to("kim@acme.example");
    assert!(kim.text.contains("Your instances will be retired."));
    assert!(kim.text.contains("Tokyo (ap-northeast-1)"), "{}", kim.text);
    assert!(kim.text.contains("i-00 (IMPAIRED)") && !kim.text.contains("i-theirs"));
    assert!(
        kim.text
            .contains("https://support.acme.example/console/health")
    );
    assert!(kim.text.contains(&event.arn));
    let lee = to("lee@other.example");
    assert!(lee.text.contains("i-theirs") && !lee.text.contains("i-00"));
    settle_all(&app, &out).await;

    // Two revisions before the outbox runs: the first is overtaken, the second is told.
    clock.set("2026-11-01T01:00:00Z".parse().unwrap());
    let revise = |text: &str| Update {
        description: Some(text.into()),
        ..Default::default()
    };
    app.update_health_event(&operator(), &event.arn, revise("Moved to Friday."))
        .await
        .unwrap();
    clock.set("2026-11-01T02:00:00Z".parse().unwrap());
    app.update_health_event(&operator(), &event.arn, revise("Moved to Monday."))
        .await
        .unwrap();
    let out = claim(&app).await;
    let mails: Vec<_> = out.iter().flat_map(|o| &o.mails).collect();
    assert_eq!(mails.len(), 3, "{mails:#?}");
    assert!(
        mails
            .iter()
            .all(|m| m.text.contains("Moved to Monday.") && !m.text.contains("Friday")),
        "{mails:#?}"
    );
    settle_all(&app, &out).await;
    assert!(claim(&app).await.is_empty());

    // A revision, then one account's resources set before the outbox runs: that account
    // hears once, of the event as it then reads; the other still of the revision.
    clock.set("2026-11-01T03:00:00Z".parse().unwrap());
    app.update_health_event(&operator(), &event.arn, revise("Moved to Sunday."))
        .await
        .unwrap();
    clock.set("2026-11-01T04:00:00Z".parse().unwrap());
    app.put_health_entities(
        &operator(),
        &event.arn,
        vec![tierdesk_app::health::EntityInput::impaired(
            "100000000007",
            "i-new",
        )],
    )
    .await
    .unwrap();
    let out = claim(&app).await;
    let mails: Vec<_> = out.iter().flat_map(|o| &o.mails).collect();
    assert_eq!(mails.len(), 3, "{mails:#?}");
    let lee = mails.iter().find(|m| m.to == "lee@other.example").unwrap();
    assert!(lee.text.contains("Moved to Sunday.") && !lee.text.contains("i-new"));
    let kim = mails.iter().find(|m| m.to == "kim@acme.example").unwrap();
    assert!(
        kim.text.contains("Moved to Sunday.") && kim.text.contains("(13)"),
        "{}",
        kim.text
    );
    settle_all(&app, &out).await;
}
