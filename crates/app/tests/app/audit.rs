//! The audit log through the use cases: each action is recorded once, as the actor who did
//! it through the door they used and from their address; staff reads of internal notes and
//! files are recorded; refused actions leave nothing; admins and the operator read it all,
//! a customer their own account's entries without what concerns internal notes, other
//! staff nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use tierdesk_app::actor::{Actor, agent_who, customer_who};
use tierdesk_app::agents::NewAgent;
use tierdesk_app::audit::{AuditFilter, Reader};
use tierdesk_app::cases::{Attachments, CreateCase, Message};
use tierdesk_app::files::NewFile;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::audit::{Action, ActorKind, AuditEntry};
use tierdesk_core::clock::ManualClock;
use tierdesk_testkit::{ScratchDb, api_caller, app_on, operator};

const ACME: &str = "100000000001";
const GLOBEX: &str = "100000000002";

async fn log(app: &App, reader: Reader<'_>, filter: AuditFilter) -> Vec<AuditEntry> {
    app.audit_log(reader, &filter).await.unwrap().entries
}

fn actions(entries: &[AuditEntry]) -> Vec<Action> {
    entries.iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn every_action_is_recorded_once_and_each_reader_sees_their_share() {
    let db = ScratchDb::sqlite("audit");
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let app = app_on(db.url(), clock.clone(), &[]).await;
    for id in [ACME, GLOBEX] {
        app.create_account(&operator(), tierdesk_testkit::account(id, "aws.business"))
            .await
            .unwrap();
    }
    let agent = |email: &str, role: &str| NewAgent {
        email: email.into(),
        name: email.into(),
        role: role.into(),
        ..Default::default()
    };
    let eng = app
        .create_agent(&operator(), agent("eng@support.example", "agent"))
        .await
        .unwrap()
        .agent;
    let admin = app
        .create_agent(&operator(), agent("admin@support.example", "admin"))
        .await
        .unwrap()
        .agent;
    let acme = api_caller(&app, ACME).await;
    let globex = api_caller(&app, GLOBEX).await;
    let customer = customer_who(&acme, Some("198.51.100.4".into()));
    let staff = agent_who(&eng, ActorKind::ConsoleAgent, Some("10.1.2.3".into()));

    let case = app
        .create_case(
            &acme,
            &customer,
            CreateCase {
                subject: Some("Disk full".into()),
                communication_body: Some("Help.".into()),
                severity_code: Some("high".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let note = Message {
        case_id: Some(case.case_id.clone()),
        body: Some("Their heap dump".into()),
        internal: true,
        attachments: Attachments::Files(vec![NewFile {
            file_name: Some("heap.txt".into()),
            data: Some(b"secret".to_vec()),
        }]),
        ..Message::default()
    };
    app.post_message(Actor::Agent(&eng), &staff, note)
        .await
        .unwrap();
    let conversation = app
        .case_conversation(&eng, &staff, &case.case_id)
        .await
        .unwrap();
    let file = conversation
        .iter()
        .flat_map(|m| &m.attachments)
        .next()
        .expect("the note's file");
    app.case_attachment(&eng, &staff, &case.case_id, &file.attachment_id)
        .await
        .unwrap();
    // Refused actions leave nothing: another account's case, a customer's internal note.
    let other = customer_who(&globex, None);
    let refused = app
        .resolve_case(&globex, &other, Some(case.case_id.clone()))
        .await;
    assert!(matches!(refused, Err(ServiceError::CaseNotFound(_))));
    let refused = app
        .post_message(
            Actor::Customer(&acme),
            &customer,
            Message {
                case_id: Some(case.case_id.clone()),
                body: Some("psst".into()),
                internal: true,
                ..Message::default()
            },
        )
        .await;
    assert!(refused.is_err());
    app.resolve_case(&acme, &customer, Some(case.case_id.clone()))
        .await
        .unwrap();

    // The operator and admins read everything, newest first.
    let all = log(&app, Reader::Operator, AuditFilter::default()).await;
    assert_eq!(
        actions(&all),
        [
            Action::CaseResolve,
            Action::AttachmentRead,
            Action::NotesRead,
            Action::CaseNote,
            Action::CaseCreate,
            Action::KeyCreate,
            Action::KeyCreate,
            Action::AgentCreate,
            Action::AgentCreate,
            Action::AccountCreate,
            Action::AccountCreate,
        ]
    );
    let by_admin = log(&app, Reader::Staff(&admin), AuditFilter::default()).await;
    assert_eq!(by_admin, all);
    let created = &all[4];
    assert_eq!(created.who.kind, ActorKind::AccessKey);
    assert_eq!(created.who.id, acme.access_key_id);
    assert_eq!(created.who.address.as_deref(), Some("198.51.100.4"));
    assert_eq!(created.account_id.as_deref(), Some(ACME));
    assert_eq!(created.target, format!("case:{}", case.case_id));
    let read = &all[1];
    assert_eq!(
        (
            read.who.kind,
            read.who.id.as_str(),
            read.who.address.as_deref()
        ),
        (
            ActorKind::ConsoleAgent,
            "eng@support.example",
            Some("10.1.2.3")
        )
    );
    assert!(
        read.detail.contains("heap.txt (internal note)"),
        "{}",
        read.detail
    );
    assert_eq!(all[2].detail, "1 internal notes");
    assert_eq!(all.last().map(|e| e.who.kind), Some(ActorKind::Cli));

    // A customer reads their account's log, without what concerns internal notes, and
    // cannot ask for another account's.
    let mine = log(
        &app,
        Reader::Customer(ACME),
        AuditFilter {
            account: Some(GLOBEX.into()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(
        actions(&mine),
        [
            Action::CaseResolve,
            Action::CaseCreate,
            Action::KeyCreate,
            Action::AccountCreate
        ]
    );
    // Other staff read none of it.
    let denied = app
        .audit_log(Reader::Staff(&eng), &AuditFilter::default())
        .await;
    assert!(matches!(denied, Err(ServiceError::Forbidden(_))));

    // Filters and pages.
    let by_eng = log(
        &app,
        Reader::Operator,
        AuditFilter {
            actor: Some("eng@support.example".into()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(by_eng.len(), 3);
    let since = log(
        &app,
        Reader::Operator,
        AuditFilter {
            since: Some("2026-11-24".into()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert!(since.is_empty());
    let mut filter = AuditFilter {
        page_size: Some(10),
        ..AuditFilter::default()
    };
    let first = app.audit_log(Reader::Operator, &filter).await.unwrap();
    assert_eq!(first.entries.len(), 10);
    filter.next_token = first.next_token;
    let second = app.audit_log(Reader::Operator, &filter).await.unwrap();
    assert_eq!(actions(&second.entries), [Action::AccountCreate]);
    assert!(second.next_token.is_none());
    // A token is bound to its filters.
    filter.actor = Some("someone".into());
    assert!(matches!(
        app.audit_log(Reader::Operator, &filter).await,
        Err(ServiceError::Invalid(_))
    ));
}

#[tokio::test]
async fn sign_ins_and_access_changes_say_who_and_from_where() {
    let db = ScratchDb::sqlite("audit-people");
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let app = app_on(db.url(), clock, &[]).await;
    app.create_account(&operator(), tierdesk_testkit::account(ACME, "aws.business"))
        .await
        .unwrap();
    app.create_user(
        &operator(),
        ACME,
        "mei@acme.example",
        "Mei",
        None,
        Some("correct horse battery"),
    )
    .await
    .unwrap();
    let from = "192.0.2.44".parse().ok();
    app.sign_in("mei@acme.example", "correct horse battery", from)
        .await
        .unwrap();
    // A wrong password is no action: nothing is recorded.
    assert!(
        app.sign_in("mei@acme.example", "wrong", from)
            .await
            .is_err()
    );
    app.set_user_disabled(&operator(), "mei@acme.example", true)
        .await
        .unwrap();
    let all = log(&app, Reader::Operator, AuditFilter::default()).await;
    assert_eq!(
        actions(&all),
        [
            Action::UserDisable,
            Action::SignIn,
            Action::UserPassword,
            Action::UserCreate,
            Action::AccountCreate
        ]
    );
    let sign_in = &all[1];
    assert_eq!(sign_in.who.kind, ActorKind::ConsoleUser);
    assert_eq!(sign_in.who.id, "mei@acme.example");
    assert_eq!(sign_in.who.address.as_deref(), Some("192.0.2.44"));
    assert_eq!(sign_in.account_id.as_deref(), Some(ACME));
    assert_eq!(all[0].who, operator());
    // The password itself is nowhere in the log.
    assert!(all.iter().all(|e| !e.detail.contains("horse")));
}

#[tokio::test]
async fn entries_past_the_retention_period_are_swept_by_housekeeping() {
    let db = ScratchDb::sqlite("audit-retention");
    let clock = Arc::new(ManualClock::new("2026-01-01T00:00:00Z".parse().unwrap()));
    let app = app_on(db.url(), clock.clone(), &[]).await;
    app.create_account(&operator(), tierdesk_testkit::account(ACME, "aws.business"))
        .await
        .unwrap();
    // The default keeps 400 days.
    clock.set("2027-02-04T00:00:00Z".parse().unwrap());
    app.create_key(&operator(), ACME, "later").await.unwrap();
    app.sweep().await.unwrap();
    let kept = log(&app, Reader::Operator, AuditFilter::default()).await;
    assert_eq!(actions(&kept), [Action::KeyCreate, Action::AccountCreate]);
    clock.set("2027-02-06T00:00:00Z".parse().unwrap());
    app.sweep().await.unwrap();
    let kept = log(&app, Reader::Operator, AuditFilter::default()).await;
    assert_eq!(actions(&kept), [Action::KeyCreate]);
}
