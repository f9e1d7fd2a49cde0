//! Two replicas racing for one record, on both engines: each rule that a read-then-write
//! could break (a set used once, a set's size, one escalation awaiting at a time) holds
//! when two stores on one database write at the same instant, many times over.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::date;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::{Account, Case, CaseStatus, CaseTarget, PlanAssignment};
use tierdesk_store::{NewAttachments, NewCase, NewCommunication, NewEscalation, Store, StoreError};
use tierdesk_testkit::{Engine, ScratchDb, audit_entry, unique};

const ACCOUNT: &str = "111111111111";
const ROUNDS: usize = 20;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Two stores on one scratch database, as two `serve` replicas have.
async fn replicas(engine: Engine) -> Option<(Store, Store, ScratchDb)> {
    let db = ScratchDb::on(engine, "races").await?;
    let a = db.store().await;
    let b = db.store().await;
    a.create_account(
        Account {
            id: ACCOUNT.into(),
            name: "Racing".into(),
            timezone: "UTC".into(),
            country: "US".into(),
            language: "en".into(),
            created: at("2026-01-01T00:00:00Z"),
        },
        PlanAssignment {
            account_id: ACCOUNT.into(),
            plan_id: "aws.enterprise_2025".into(),
            effective_from: date(2026, 1, 1),
            assigned_at: at("2026-01-01T00:00:00Z"),
            forced: false,
        },
        audit_entry(),
    )
    .await
    .unwrap();
    Some((a, b, db))
}

fn files(n: usize) -> Vec<(String, String, Vec<u8>)> {
    (0..n)
        .map(|i| {
            (
                format!("attachment-{}", unique()),
                format!("f{i}.log"),
                vec![1; 8],
            )
        })
        .collect()
}

fn new_set(existing: Option<String>, n: usize, t: Timestamp) -> NewAttachments {
    NewAttachments {
        account_id: ACCOUNT.into(),
        existing_set: existing,
        new_set_id: format!("as-{}", unique()),
        files: files(n),
        max_per_set: 3,
        account_quota: None,
        lifetime: Duration::from_secs(3600),
        at: t,
    }
}

async fn open_case(s: &Store, t: Timestamp) -> Case {
    s.create_case(
        NewCase {
            case: Case {
                display_id: 0,
                case_id: format!("case-{ACCOUNT}-race-2026-{}", unique()),
                account_id: ACCOUNT.into(),
                subject: "race".into(),
                status: CaseStatus::Opened,
                service_code: "general-info".into(),
                category_code: "using-aws".into(),
                severity_code: "urgent".into(),
                issue_type: "technical".into(),
                language: "en".into(),
                submitted_by: "racer".into(),
                cc_emails: vec![],
                plan_id: "aws.enterprise_2025".into(),
                created: t,
                first_response: None,
                assignee: None,
                sla_due: None,
                sla_target: None,
                responded: None,
                awaiting_since: None,
            },
            body: "go".into(),
            attachment_set: None,
            files: None,
            monthly_cap: None,
            targets: vec![],
            notice: None,
            mail_message_id: None,
            alert: None,
            health_event: None,
        },
        audit_entry(),
    )
    .await
    .unwrap()
}

fn message(case: &Case, set: &str, t: Timestamp) -> NewCommunication {
    NewCommunication {
        account_id: ACCOUNT.into(),
        case_id: case.case_id.clone(),
        body: "with the set".into(),
        submitted_by: "racer".into(),
        from_support: false,
        internal: false,
        attachment_set: Some(set.into()),
        files: None,
        at: t,
        follow_up: None,
        max_per_case: None,
        cc_emails: Vec::new(),
        notice: None,
        mail_message_id: None,
    }
}

async fn a_set_is_used_by_one_message_only(a: Store, b: Store) {
    let t = at("2026-06-01T00:00:00Z");
    let case = open_case(&a, t).await;
    for _ in 0..ROUNDS {
        let (set, _) = a
            .add_attachments(new_set(None, 1, t), audit_entry())
            .await
            .unwrap();
        let (x, y) = tokio::join!(
            a.add_communication(message(&case, &set, t), audit_entry()),
            b.add_communication(message(&case, &set, t), audit_entry()),
        );
        let won = [x.is_ok(), y.is_ok()].iter().filter(|w| **w).count();
        assert_eq!(won, 1, "{x:?} / {y:?}");
        for r in [x, y] {
            assert!(
                matches!(r, Ok(()) | Err(StoreError::AttachmentSetNotFound)),
                "{r:?}"
            );
        }
    }
}

async fn a_set_never_holds_more_than_its_limit(a: Store, b: Store) {
    let t = at("2026-06-01T00:00:00Z");
    for _ in 0..ROUNDS {
        // One file in; two writers add two each to a set of at most three.
        let (set, _) = a
            .add_attachments(new_set(None, 1, t), audit_entry())
            .await
            .unwrap();
        let (x, y) = tokio::join!(
            a.add_attachments(new_set(Some(set.clone()), 2, t), audit_entry()),
            b.add_attachments(new_set(Some(set.clone()), 2, t), audit_entry()),
        );
        let won = [x.is_ok(), y.is_ok()].iter().filter(|w| **w).count();
        assert_eq!(won, 1, "{x:?} / {y:?}");
        for r in [x, y] {
            assert!(
                matches!(r, Ok(_) | Err(StoreError::AttachmentSetFull)),
                "{r:?}"
            );
        }
    }
}

async fn one_escalation_awaits_at_a_time(a: Store, b: Store) {
    let t = at("2026-06-01T00:00:00Z");
    for _ in 0..ROUNDS {
        let case = open_case(&a, t).await;
        let escalation = || NewEscalation {
            display_id: case.display_id,
            account_id: ACCOUNT.into(),
            month: "2026-06".into(),
            per_month: 1000,
            target: CaseTarget::start(
                TargetKind::Escalation,
                "24x7",
                30,
                t,
                t + Duration::from_secs(1800),
                None,
            ),
        };
        let (x, y) = tokio::join!(
            a.escalate(escalation(), audit_entry()),
            b.escalate(escalation(), audit_entry())
        );
        let won = [x.is_ok(), y.is_ok()].iter().filter(|w| **w).count();
        assert_eq!(won, 1, "{x:?} / {y:?}");
        let running = a
            .case_targets(case.display_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.kind == TargetKind::Escalation)
            .count();
        assert_eq!(running, 1);
    }
}

/// Messages to the same few cases from two replicas at once, in opposite orders: each
/// batch locks its cases until it commits, so batches that took them in different orders
/// deadlocked on PostgreSQL, and a whole batch of messages failed.
async fn messages_to_shared_cases_never_deadlock(a: Store, b: Store) {
    let t = at("2026-06-01T00:00:00Z");
    let mut cases = Vec::new();
    for _ in 0..4 {
        cases.push(open_case(&a, t).await);
    }
    let plain = |case: &Case| NewCommunication {
        attachment_set: None,
        body: "again".into(),
        ..message(case, "", t)
    };
    for _ in 0..4 {
        let sent = (0..48).map(|i| {
            let (store, case) = if i % 2 == 0 {
                (&a, &cases[i / 2 % 4])
            } else {
                (&b, &cases[3 - i / 2 % 4])
            };
            store.add_communication(plain(case), audit_entry())
        });
        for r in futures_util::future::join_all(sent).await {
            assert!(r.is_ok(), "{r:?}");
        }
    }
}

macro_rules! races {
    ($($name:ident),* $(,)?) => {
        mod sqlite_leg {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                if let Some((a, b, _db)) = super::replicas(tierdesk_testkit::Engine::Sqlite).await {
                    super::$name(a, b).await;
                }
            })*
        }
        mod postgres_leg {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                if let Some((a, b, _db)) = super::replicas(tierdesk_testkit::Engine::Postgres).await {
                    super::$name(a, b).await;
                }
            })*
        }
    };
}

races!(
    a_set_is_used_by_one_message_only,
    messages_to_shared_cases_never_deadlock,
    a_set_never_holds_more_than_its_limit,
    one_escalation_awaits_at_a_time,
);
