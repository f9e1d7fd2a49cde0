//! The case rules through the use cases, without HTTP: who reaches which case, what a
//! message does on either side, files written with their message, the plan's gates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use tierdesk_app::actor::Actor;
use tierdesk_app::agents::NewAgent;
use tierdesk_app::auth::Caller;
use tierdesk_app::cases::{Attachments, CreateCase, DescribeCommunications, Message};
use tierdesk_app::error::{Field, Problem, Refusal};
use tierdesk_app::files::NewFile;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::clock::{Clock, ManualClock};
use tierdesk_core::records::{Agent, Case, status};
use tierdesk_testkit::{ScratchDb, api_caller, app_on};

struct World {
    app: App,
    clock: Arc<ManualClock>,
    acme: Caller,
    other: Caller,
    basic: Caller,
    ada: Agent,
    _db: ScratchDb,
}

async fn world() -> World {
    let db = ScratchDb::sqlite("cases");
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let app = app_on(db.url(), clock.clone(), &[]).await;
    for (id, plan) in [
        ("100000000001", "aws.business"),
        ("100000000002", "aws.business"),
        ("100000000003", "aws.basic"),
    ] {
        app.create_account(
            &tierdesk_testkit::operator(),
            tierdesk_testkit::account(id, plan),
        )
        .await
        .unwrap();
    }
    let ada = app
        .create_agent(
            &tierdesk_testkit::operator(),
            NewAgent {
                email: "ada@support.example".into(),
                name: "Ada".into(),
                languages: vec!["en".into()],
                role: "agent".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .agent;
    World {
        acme: api_caller(&app, "100000000001").await,
        other: api_caller(&app, "100000000002").await,
        basic: api_caller(&app, "100000000003").await,
        app,
        clock,
        ada,
        _db: db,
    }
}

async fn open(w: &World, severity: &str) -> Case {
    w.app
        .create_case(
            &w.acme,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("Checkout fails".into()),
                communication_body: Some("HTTP 500 since 09:00".into()),
                severity_code: Some(severity.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

fn message(case: &Case, body: &str) -> Message {
    Message {
        case_id: Some(case.case_id.clone()),
        body: Some(body.into()),
        ..Message::default()
    }
}

#[tokio::test]
async fn another_accounts_case_answers_like_no_case() {
    let w = world().await;
    let case = open(&w, "high").await;
    let e = w
        .app
        .post_message(
            Actor::Customer(&w.other),
            &tierdesk_testkit::operator(),
            message(&case, "mine?"),
        )
        .await
        .unwrap_err();
    let missing = w
        .app
        .post_message(
            Actor::Customer(&w.other),
            &tierdesk_testkit::operator(),
            Message {
                case_id: Some("case-100000000002-xxxx-2026-0000000000000000".into()),
                ..message(&case, "x")
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::CaseNotFound(_)), "{e:?}");
    assert!(matches!(missing, ServiceError::CaseNotFound(_)));
    // Same kind, same wording: nothing tells the two apart.
    assert_eq!(
        e.to_string().replace(&case.case_id, "ID"),
        missing
            .to_string()
            .replace("case-100000000002-xxxx-2026-0000000000000000", "ID")
    );
    // An agent works every account's cases.
    w.app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            message(&case, "On it."),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_support_reply_meets_the_first_response_and_a_customer_reply_reopens() {
    let w = world().await;
    let case = open(&w, "high").await;
    w.clock.set("2026-11-23T09:20:00Z".parse().unwrap());
    w.app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            message(&case, "Looking."),
        )
        .await
        .unwrap();
    let sla = w.app.case_sla(&w.ada, &case.case_id).await.unwrap();
    let first = sla
        .targets
        .iter()
        .find(|t| t.kind == TargetKind::FirstResponse)
        .unwrap();
    assert_eq!(first.met, Some("2026-11-23T09:20:00Z".parse().unwrap()));
    assert!(sla.running().is_none(), "AWS plans promise no updates");
    assert_eq!(sla.case.sla_due, None);

    w.app
        .resolve_case(
            &w.acme,
            &tierdesk_testkit::operator(),
            Some(case.case_id.clone()),
        )
        .await
        .unwrap();
    w.app
        .post_message(
            Actor::Customer(&w.acme),
            &tierdesk_testkit::operator(),
            message(&case, "Back again."),
        )
        .await
        .unwrap();
    let sla = w.app.case_sla(&w.ada, &case.case_id).await.unwrap();
    assert_eq!(sla.case.status, status::REOPENED);
}

#[tokio::test]
async fn an_internal_note_changes_no_clock_and_customers_cannot_write_one() {
    let w = world().await;
    let case = open(&w, "urgent").await;
    let before = w.app.case_sla(&w.ada, &case.case_id).await.unwrap();
    w.app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            Message {
                internal: true,
                ..message(&case, "Probably the deploy at 08:55.")
            },
        )
        .await
        .unwrap();
    let after = w.app.case_sla(&w.ada, &case.case_id).await.unwrap();
    assert_eq!(after.case.sla_due, before.case.sla_due);
    assert_eq!(after.case.status, before.case.status);
    assert_eq!(after.targets, before.targets);
    // The customer never sees it.
    let (seen, _) = w
        .app
        .describe_communications(
            &w.acme,
            DescribeCommunications {
                case_id: Some(case.case_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(seen.len(), 1);
    let e = w
        .app
        .post_message(
            Actor::Customer(&w.acme),
            &tierdesk_testkit::operator(),
            Message {
                internal: true,
                ..message(&case, "sneaky")
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, ServiceError::Refused(Refusal::CustomerInternalNote)),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_agents_files_are_stored_with_the_message_or_not_at_all() {
    let w = world().await;
    let case = open(&w, "normal").await;
    let file = |name: &str, bytes: usize| NewFile {
        file_name: Some(name.into()),
        data: Some(vec![b'x'; bytes]),
    };
    w.app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            Message {
                attachments: Attachments::Files(vec![file("fix.sh", 12)]),
                ..message(&case, "Run this.")
            },
        )
        .await
        .unwrap();
    let conversation = w
        .app
        .case_conversation(&w.ada, &tierdesk_testkit::operator(), &case.case_id)
        .await
        .unwrap();
    let sent = conversation.last().unwrap();
    assert_eq!(sent.attachments.len(), 1);
    // The customer's account owns the file: the customer downloads it.
    let a = w
        .app
        .describe_attachment(&w.acme, Some(sent.attachments[0].attachment_id.clone()))
        .await
        .unwrap();
    assert_eq!(a.data.len(), 12);

    // A refused message (too long a body) stores neither message nor files.
    let refused = w
        .app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            Message {
                attachments: Attachments::Files(vec![file("more.sh", 5)]),
                ..message(&case, &"x".repeat(8001))
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, ServiceError::Invalid(_)), "{refused:?}");
    // Too many files: refused before anything is written.
    let too_many = (0..4).map(|i| file(&format!("f{i}"), 1)).collect();
    let refused = w
        .app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            Message {
                attachments: Attachments::Files(too_many),
                ..message(&case, "four files")
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ServiceError::AttachmentSetSizeLimit(_)),
        "{refused:?}"
    );
    let conversation = w
        .app
        .case_conversation(&w.ada, &tierdesk_testkit::operator(), &case.case_id)
        .await
        .unwrap();
    assert_eq!(
        conversation.len(),
        2,
        "the case's opening and the one reply"
    );
}

#[tokio::test]
async fn files_of_internal_notes_are_never_the_customers() {
    let w = world().await;
    let case = open(&w, "normal").await;
    w.app
        .post_message(
            Actor::Agent(&w.ada),
            &tierdesk_testkit::operator(),
            Message {
                internal: true,
                attachments: Attachments::Files(vec![NewFile {
                    file_name: Some("heap.dump".into()),
                    data: Some(b"secret".to_vec()),
                }]),
                ..message(&case, "Heap dump from their host")
            },
        )
        .await
        .unwrap();
    let conversation = w
        .app
        .case_conversation(&w.ada, &tierdesk_testkit::operator(), &case.case_id)
        .await
        .unwrap();
    let id = conversation.last().unwrap().attachments[0]
        .attachment_id
        .clone();
    // Support reads it; the customer's account holds it, yet the customer gets the answer
    // for a file that does not exist.
    let staff = w
        .app
        .case_attachment(&w.ada, &tierdesk_testkit::operator(), &case.case_id, &id)
        .await
        .unwrap();
    assert_eq!(staff.data, b"secret");
    let customer = w.app.describe_attachment(&w.acme, Some(id.clone())).await;
    assert!(
        matches!(customer, Err(ServiceError::AttachmentNotFound(_))),
        "{customer:?}"
    );
}

#[tokio::test]
async fn names_that_display_as_other_names_are_refused() {
    let w = world().await;
    let spoofed = w
        .app
        .create_case(
            &w.acme,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("Invoice \u{202E}fdp.exe".into()),
                communication_body: Some("see attached".into()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(
            &spoofed,
            Err(ServiceError::Invalid(i))
                if i.field == Field::Subject && i.problem == Problem::Forbidden('\u{202E}')
        ),
        "{spoofed:?}"
    );
    let case = open(&w, "normal").await;
    let file = w
        .app
        .post_message(
            Actor::Customer(&w.acme),
            &tierdesk_testkit::operator(),
            Message {
                attachments: Attachments::Files(vec![NewFile {
                    file_name: Some("invoice\u{2066}exe.pdf".into()),
                    data: Some(b"x".to_vec()),
                }]),
                ..message(&case, "here")
            },
        )
        .await;
    assert!(
        matches!(
            &file,
            Err(ServiceError::Invalid(i)) if i.field == Field::FileName
        ),
        "{file:?}"
    );
}

#[tokio::test]
async fn the_plan_gates_the_api_and_its_severities() {
    let w = world().await;
    // Basic has no Support API.
    let e = w
        .app
        .create_case(
            &w.basic,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("s".into()),
                communication_body: Some("b".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::SubscriptionRequired(_)), "{e:?}");
    // Business offers no "critical".
    let e = w
        .app
        .create_case(
            &w.acme,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("s".into()),
                communication_body: Some("b".into()),
                severity_code: Some("critical".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match &e {
        ServiceError::Invalid(i) => {
            assert_eq!(i.field, Field::Severity);
            assert!(
                matches!(&i.problem, Problem::NotOffered { value, offered, .. }
                    if value == "critical" && !offered.contains(&"critical".to_string())),
                "{e:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // No escalations on AWS plans, whoever asks.
    let case = open(&w, "urgent").await;
    for actor in [Actor::Customer(&w.acme), Actor::Agent(&w.ada)] {
        let e = w
            .app
            .escalate(actor, &tierdesk_testkit::operator(), &case.case_id)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &e,
                ServiceError::Refused(Refusal::NoUrgentEscalations { .. })
            ),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn unused_attachment_sets_are_swept_an_hour_after_they_expire() {
    let w = world().await;
    let (set, _) = w
        .app
        .add_attachments_to_set(
            &w.acme,
            &tierdesk_testkit::operator(),
            None,
            Some(vec![NewFile {
                file_name: Some("never-used.log".into()),
                data: Some(b"x".to_vec()),
            }]),
        )
        .await
        .unwrap();
    // Expired (the default lifetime is an hour) but kept: using it says so.
    w.clock
        .set(w.clock.now() + std::time::Duration::from_secs(3600 + 60));
    assert_eq!(w.app.sweep().await.unwrap(), 0);
    let late = w
        .app
        .create_case(
            &w.acme,
            &tierdesk_testkit::operator(),
            CreateCase {
                subject: Some("Late".into()),
                communication_body: Some("see attached".into()),
                attachment_set_id: Some(set.clone()),
                ..Default::default()
            },
        )
        .await;
    assert!(
        matches!(late, Err(ServiceError::AttachmentSetExpired(_))),
        "{late:?}"
    );
    // An hour on, it is gone.
    w.clock
        .set(w.clock.now() + std::time::Duration::from_secs(3600));
    assert_eq!(w.app.sweep().await.unwrap(), 1);
    assert_eq!(w.app.sweep().await.unwrap(), 0);
}
