//! The store conformance suite: every check runs on SQLite and on PostgreSQL.
//!
//! The PostgreSQL leg runs when `TIERDESK_TEST_PG` holds a server URL (CI sets it to
//! 127.0.0.1:5432); each test gets a database of its own. Without the variable the leg
//! reports itself skipped, unless `TIERDESK_REQUIRE_PG=1`, which makes that a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::date;
use tierdesk_core::audit::{Action, ActorKind, Who, case_target};
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::invoice_words::LineWords;
use tierdesk_core::records::{
    AccessKey, Account, Agent, Case, CaseStatus, CaseTarget, Communication, PlanAssignment, Role,
    SlaEvent, SlaEventKind, Webhook, status,
};
use tierdesk_store::CaseSlice;
use tierdesk_store::{
    AgentChange, Assignee, AuditQuery, CaseQuery, CaseScope, CommunicationQuery, DeliveryOutcome,
    MonthlyCap, NewAttachments, NewCase, NewCommunication, NewEscalation, NewSlaEvent, QueueQuery,
    ReportQuery, StatusChange, Store, StoreError, TrailQuery, UserChange,
};

use tierdesk_testkit::{Engine, ScratchDb, audit_entry, unique};

/// A store on a scratch database of its own on `engine`, dropped with the guard even when
/// the check panics; `None` when that engine's leg is off.
async fn scratch_store(engine: Engine) -> Option<(Store, ScratchDb)> {
    let db = ScratchDb::on(engine, "conf").await?;
    Some((db.store().await, db))
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn account(id: &str) -> Account {
    Account {
        id: id.into(),
        name: format!("Account {id}"),
        timezone: "Asia/Tokyo".into(),
        country: "JP".into(),
        language: "ja".into(),
        created: at("2026-01-01T00:00:00Z"),
    }
}

fn assignment(id: &str, plan: &str, from: jiff::civil::Date) -> PlanAssignment {
    PlanAssignment {
        account_id: id.into(),
        plan_id: plan.into(),
        effective_from: from,
        assigned_at: at("2026-01-01T00:00:00Z"),
        forced: false,
    }
}

async fn with_account(s: &Store, id: &str) {
    s.create_account(
        account(id),
        assignment(id, "aws.business", date(2026, 1, 1)),
        audit_entry(),
    )
    .await
    .unwrap();
}

fn new_case(account: &str, n: u32, created: Timestamp) -> NewCase {
    NewCase {
        case: Case {
            display_id: 0,
            case_id: format!("case-{account}-test-2026-{n:016x}"),
            account_id: account.into(),
            subject: format!("subject {n}"),
            status: CaseStatus::Opened,
            service_code: "general-info".into(),
            category_code: "using-aws".into(),
            severity_code: "low".into(),
            issue_type: "technical".into(),
            language: if n.is_multiple_of(2) { "en" } else { "ja" }.into(),
            submitted_by: "root <x@example.com>".into(),
            cc_emails: vec!["a@example.com".into(), "b@example.com".into()],
            plan_id: "aws.business".into(),
            created,
            first_response: None,
            assignee: None,
            sla_due: None,
            sla_target: None,
            responded: None,
            awaiting_since: None,
        },
        body: format!("body {n}"),
        attachment_set: None,
        files: None,
        monthly_cap: None,
        // Odd cases carry a first-response promise, even ones none.
        targets: (n % 2 == 1)
            .then(|| first_response(created, created + Duration::from_secs(3 * 86_400)))
            .into_iter()
            .collect(),
        notice: None,
        mail_message_id: None,
        alert: None,
        health_event: None,
    }
}

fn first_response(started: Timestamp, due: Timestamp) -> CaseTarget {
    target(TargetKind::FirstResponse, started, due)
}

/// A target with its warning three quarters of the way.
fn target(kind: TargetKind, started: Timestamp, due: Timestamp) -> CaseTarget {
    let warn = started + (due.duration_since(started) * 3 / 4);
    CaseTarget::start(
        kind,
        "aws.developer.business_hours",
        720,
        started,
        due,
        Some(warn),
    )
}

fn message(account: &str, case_id: &str, from_support: bool, at: Timestamp) -> NewCommunication {
    NewCommunication {
        account_id: account.into(),
        case_id: case_id.into(),
        body: format!("message at {at}"),
        submitted_by: if from_support { "Support" } else { "root" }.into(),
        from_support,
        internal: false,
        attachment_set: None,
        files: None,
        at,
        follow_up: None,
        max_per_case: None,
        cc_emails: Vec::new(),
        notice: None,
        mail_message_id: None,
    }
}

fn query(account: &str) -> CaseQuery {
    CaseQuery {
        scope: CaseScope::Account(account.into()),
        include_resolved: true,
        limit: 100,
        ..Default::default()
    }
}

async fn accounts_and_plan_history(s: Store) {
    with_account(&s, "111111111111").await;
    let again = s
        .create_account(
            account("111111111111"),
            assignment("111111111111", "aws.basic", date(2026, 1, 1)),
            audit_entry(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::AlreadyExists)));
    assert_eq!(
        s.account("111111111111").await.unwrap(),
        Some(account("111111111111"))
    );
    assert_eq!(s.account("999").await.unwrap(), None);
    s.assign_plan(
        assignment("111111111111", "aws.enterprise_2025", date(2026, 6, 1)),
        audit_entry(),
    )
    .await
    .unwrap();
    // Same day again replaces, it does not duplicate.
    s.assign_plan(
        assignment("111111111111", "aws.business_plus", date(2026, 6, 1)),
        audit_entry(),
    )
    .await
    .unwrap();
    let h = s.plan_history("111111111111").await.unwrap();
    let plans: Vec<_> = h.iter().map(|a| a.plan_id.as_str()).collect();
    assert_eq!(plans, ["aws.business", "aws.business_plus"]);
    let missing = s
        .assign_plan(
            assignment("404", "aws.basic", date(2026, 1, 1)),
            audit_entry(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    assert_eq!(s.accounts().await.unwrap().len(), 1);
}

async fn keys_and_revocation(s: Store) {
    with_account(&s, "111111111111").await;
    let key = AccessKey {
        access_key_id: "TDKEXAMPLE0000000001".into(),
        account_id: "111111111111".into(),
        principal: "root".into(),
        secret_ciphertext: vec![1, 2, 3, 0, 255],
        created: at("2026-02-01T00:00:00Z"),
        revoked: None,
    };
    s.insert_key(key.clone(), audit_entry()).await.unwrap();
    assert!(matches!(
        s.insert_key(key.clone(), audit_entry()).await,
        Err(StoreError::AlreadyExists)
    ));
    let orphan = AccessKey {
        access_key_id: "TDKEXAMPLE0000000002".into(),
        account_id: "404".into(),
        ..key.clone()
    };
    assert!(matches!(
        s.insert_key(orphan, audit_entry()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.key(&key.access_key_id).await.unwrap(), Some(key.clone()));
    s.revoke_key(
        &key.access_key_id,
        at("2026-03-01T00:00:00Z"),
        audit_entry(),
    )
    .await
    .unwrap();
    let revoked = s.key(&key.access_key_id).await.unwrap().unwrap();
    assert_eq!(revoked.revoked, Some(at("2026-03-01T00:00:00Z")));
    assert!(matches!(
        s.revoke_key(
            &key.access_key_id,
            at("2026-03-02T00:00:00Z"),
            audit_entry()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.keys("111111111111").await.unwrap().len(), 1);
}

async fn cases_get_unique_display_ids_and_stay_in_their_account(s: Store) {
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    let c = s
        .create_case(
            new_case("111111111111", 1, at("2026-03-01T00:00:00Z")),
            audit_entry(),
        )
        .await
        .unwrap();
    assert!(c.display_id > 1_000_000_000, "{}", c.display_id);
    assert_eq!(
        s.case("111111111111", &c.case_id).await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(s.case("222222222222", &c.case_id).await.unwrap(), None);
    let other = s.cases(&query("222222222222")).await.unwrap();
    assert!(other.items.is_empty());
    let dup = s
        .create_case(
            new_case("111111111111", 1, at("2026-03-01T00:00:00Z")),
            audit_entry(),
        )
        .await;
    assert!(dup.is_err());
    // Concurrent writers share commits but never ids.
    let mut tasks = Vec::new();
    for n in 2..202 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.create_case(
                new_case("111111111111", n, at("2026-03-02T00:00:00Z")),
                audit_entry(),
            )
            .await
            .unwrap()
            .display_id
        }));
    }
    let mut ids = vec![c.display_id];
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 201);
}

/// Openings queued together share the writer's calls (on PostgreSQL, one statement for a
/// group: `writer::Script::rows`): each must keep its own case, first message, target,
/// notice, audit entry and search document, its text exactly as given, quotes, escapes,
/// control characters and all.
async fn openings_queued_together_each_keep_their_own_rows(s: Store) {
    use tierdesk_core::notice::NoticeKind;
    use tierdesk_store::NewNotice;
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-03-04T00:00:00Z");
    let odd = "quote \" back\\slash \\u0041 {\"n\":[1]} null\nline\ttab \u{1}\u{7f} 日本語 😀";
    let mut tasks = Vec::new();
    for n in 0..96u32 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = new_case(acct, n, t0 + Duration::from_millis(u64::from(n)));
            c.case.subject = format!("{odd} subject {n}");
            c.body = format!("marker{n}x {odd}");
            // Every third opening owes a notice; odd ones carry a target (`new_case`).
            if n.is_multiple_of(3) {
                c.notice = Some(NewNotice {
                    kind: NoticeKind::CaseOpened,
                    due: t0,
                });
            }
            let entry = tierdesk_testkit::operator().did(
                t0,
                Action::CaseCreate,
                Some(acct),
                format!("case:{n}"),
                format!("detail {n}"),
            );
            (n, s.create_case(c, entry).await.unwrap())
        }));
    }
    let mut opened = Vec::new();
    for t in tasks {
        opened.push(t.await.unwrap());
    }
    let log = account_log(&s, acct).await;
    for (n, case) in &opened {
        let stored = s.case(acct, &case.case_id).await.unwrap();
        assert_eq!(stored.as_ref(), Some(case), "case {n}");
        assert_eq!(case.subject, format!("{odd} subject {n}"));
        let messages = messages_of(&s, acct, &case.case_id).await;
        assert_eq!(messages.len(), 1, "case {n}");
        assert_eq!(messages[0].body, format!("marker{n}x {odd}"));
        let targets = s.case_targets(case.display_id).await.unwrap();
        assert_eq!(targets.len(), usize::from(n % 2 == 1), "case {n}");
        let found = s
            .cases(&CaseQuery {
                search: Some(format!("marker{n}x")),
                ..query(acct)
            })
            .await
            .unwrap()
            .items;
        assert_eq!(
            found.iter().map(|c| c.display_id).collect::<Vec<_>>(),
            vec![case.display_id],
            "case {n} by its word"
        );
        let entries: Vec<_> = log
            .items
            .iter()
            .filter(|e| e.target == format!("case:{n}"))
            .collect();
        assert_eq!(entries.len(), 1, "case {n}'s audit entry");
        assert_eq!(entries[0].detail, format!("detail {n}"));
    }
    // One notice for each opening that owed one, about its own case.
    let claimed = s
        .claim_notices(t0, t0 + Duration::from_secs(60), 1000)
        .await
        .unwrap();
    let mut about: Vec<_> = claimed.iter().map(|c| c.about.clone()).collect();
    about.sort_by_key(|a| format!("{a:?}"));
    let mut owed: Vec<_> = opened
        .iter()
        .filter(|(n, _)| n.is_multiple_of(3))
        .map(|(_, c)| tierdesk_store::NoticeSubject::Case(c.display_id))
        .collect();
    owed.sort_by_key(|a| format!("{a:?}"));
    assert_eq!(about, owed);
}

/// Failing and succeeding writes share transactions under load; the failing ones (which
/// fail after inserting their case) must leave nothing, the others must all land.
async fn failed_writes_in_a_shared_commit_leave_nothing(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-03-03T00:00:00Z");
    let mut tasks = Vec::new();
    for n in 0..300u32 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = new_case("111111111111", n, t0);
            if n.is_multiple_of(3) {
                c.attachment_set = Some("as-missing".into());
            }
            let entry = tierdesk_testkit::operator().did(
                t0,
                Action::CaseCreate,
                Some("111111111111"),
                format!("case:{n}"),
                "",
            );
            s.create_case(c, entry).await
        }));
    }
    let mut failed = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => {}
            Err(StoreError::AttachmentSetNotFound) => failed += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(failed, 100);
    let (survivors, log) = stored_cases(&s, "111111111111").await;
    assert_eq!(survivors.len(), 200);
    assert!(survivors.iter().all(|n| !n.is_multiple_of(3)));
    // Each surviving write has its audit entry, and no failed one left an entry behind.
    assert_eq!(log.items.len(), 200);
    assert!(log.items.iter().all(|e| {
        let n: u32 = e.target.trim_start_matches("case:").parse().unwrap();
        !n.is_multiple_of(3)
    }));
}

/// Messages, replies, notes and resolutions on many cases at once share the writer's calls
/// (planned writes): each must land on its own case, be found by its own words, and leave
/// the other cases alone, however its statements were grouped with the others'.
async fn messages_queued_together_each_land_on_their_own_case(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-03-03T00:00:00Z");
    let mut made = Vec::new();
    for n in 0..24u32 {
        made.push(
            s.create_case(new_case("111111111111", n, t0), audit_entry())
                .await
                .unwrap(),
        );
    }
    let mut tasks = Vec::new();
    for (n, case) in made.iter().enumerate() {
        // A customer's message, support's reply (its first answer: a different shape of
        // statements) and an internal note on every case.
        for (k, (from_support, internal)) in [(false, false), (true, false), (true, true)]
            .into_iter()
            .enumerate()
        {
            let s = s.clone();
            let mut m = message(
                "111111111111",
                &case.case_id,
                from_support,
                t0 + Duration::from_secs(60),
            );
            m.body = format!("marker{n}x{k} on case {n}");
            m.internal = internal;
            tasks.push(tokio::spawn(async move {
                s.add_communication(m, audit_entry()).await
            }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // Then every fourth case resolved, together (a message after it would reopen it).
    let resolving: Vec<_> = made
        .iter()
        .step_by(4)
        .map(|case| {
            let (s, id) = (s.clone(), case.case_id.clone());
            tokio::spawn(async move {
                s.resolve_case(
                    "111111111111",
                    &id,
                    t0 + Duration::from_secs(120),
                    None,
                    audit_entry(),
                )
                .await
            })
        })
        .collect();
    for t in resolving {
        t.await.unwrap().unwrap();
    }
    for (n, case) in made.iter().enumerate() {
        let mut bodies: Vec<String> = messages_with(&s, "111111111111", &case.case_id, true)
            .await
            .into_iter()
            .map(|m| m.body)
            .collect();
        bodies.sort();
        let mut expected: Vec<String> = (0..3)
            .map(|k| format!("marker{n}x{k} on case {n}"))
            .collect();
        expected.push(format!("body {n}"));
        expected.sort();
        assert_eq!(bodies, expected, "case {n}");
        // Each message's search document names its own message and case.
        for k in 0..3 {
            let found = s
                .cases(&CaseQuery {
                    search: Some(format!("marker{n}x{k}")),
                    with_internal: true,
                    scope: CaseScope::Everyone,
                    include_resolved: true,
                    limit: 10,
                    ..Default::default()
                })
                .await
                .unwrap()
                .items;
            assert_eq!(
                found.iter().map(|c| c.case_id.as_str()).collect::<Vec<_>>(),
                vec![case.case_id.as_str()],
                "marker{n}x{k}"
            );
        }
        let stored = s
            .case("111111111111", &case.case_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.status == CaseStatus::Resolved,
            n % 4 == 0,
            "case {n}: {:?}",
            stored.status
        );
        // Support answered every case.
        assert!(stored.responded.is_some(), "case {n}");
    }
}

/// A case's messages the customer sees, newest first (up to 100).
async fn messages_of(s: &Store, account: &str, case_id: &str) -> Vec<Communication> {
    messages_with(s, account, case_id, false).await
}

/// A case's messages, internal notes too when `include_internal`, newest first (up to 100).
async fn messages_with(
    s: &Store,
    account: &str,
    case_id: &str,
    include_internal: bool,
) -> Vec<Communication> {
    s.communications(&CommunicationQuery {
        account_id: account.into(),
        case_id: case_id.into(),
        include_internal,
        limit: 100,
        ..Default::default()
    })
    .await
    .unwrap()
    .unwrap()
    .items
}

/// The account's audit log (up to 1,000 entries).
async fn account_log(
    s: &Store,
    account: &str,
) -> tierdesk_store::Page<tierdesk_core::audit::AuditEntry> {
    s.audit(&AuditQuery {
        account_id: Some(account.into()),
        limit: 1000,
        ..AuditQuery::default()
    })
    .await
    .unwrap()
}

/// The numbers of the account's stored cases (`new_case`'s `n`), each checked to hold
/// exactly its first message, and the account's audit log.
async fn stored_cases(
    s: &Store,
    account: &str,
) -> (
    Vec<u32>,
    tierdesk_store::Page<tierdesk_core::audit::AuditEntry>,
) {
    let q = CaseQuery {
        limit: 1000,
        ..query(account)
    };
    let cases = s.cases(&q).await.unwrap().items;
    let ids: Vec<(i64, String)> = cases
        .iter()
        .map(|c| (c.display_id, c.case_id.clone()))
        .collect();
    let comms = s.recent_communications(&ids, 5).await.unwrap();
    assert!(
        comms.iter().all(|(_, p)| p.items.len() == 1),
        "each case has exactly its first communication"
    );
    let log = account_log(s, account).await;
    let numbers = cases
        .iter()
        .map(|c| {
            c.subject
                .trim_start_matches("subject ")
                .parse::<u32>()
                .unwrap()
        })
        .collect();
    (numbers, log)
}

/// Writes refused before they write run without a savepoint (cases over the month's cap,
/// messages and resolutions of unknown cases); sharing commits with writes that fail after
/// writing (a missing attachment set) and with writes that succeed, each refusal leaves
/// nothing and takes nothing else with it.
async fn refusals_in_a_shared_commit_take_nothing_with_them(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-03-03T00:00:00Z");
    let mut tasks = Vec::new();
    for n in 0..300u32 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let entry = || {
                tierdesk_testkit::operator().did(
                    t0,
                    Action::CaseCreate,
                    Some("111111111111"),
                    format!("case:{n}"),
                    "",
                )
            };
            match n % 4 {
                // Capped at 50 a month: 75 try, 25 are refused.
                0 => {
                    let mut c = new_case("111111111111", n, t0);
                    c.monthly_cap = Some(MonthlyCap {
                        month: "2026-03".into(),
                        limit: 50,
                    });
                    s.create_case(c, entry()).await.map(|_| "capped")
                }
                1 => {
                    let mut c = new_case("111111111111", n, t0);
                    c.attachment_set = Some("as-missing".into());
                    s.create_case(c, entry()).await.map(|_| "set")
                }
                2 => s
                    .add_communication(
                        message("111111111111", &format!("case-unknown-{n}"), false, t0),
                        entry(),
                    )
                    .await
                    .map(|_| "message"),
                _ => s
                    .resolve_case(
                        "111111111111",
                        &format!("case-unknown-{n}"),
                        t0,
                        None,
                        entry(),
                    )
                    .await
                    .map(|_| "resolved"),
            }
        }));
    }
    let (mut capped, mut refused, mut set, mut unknown) = (0, 0, 0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok("capped") => capped += 1,
            Err(StoreError::MonthlyCaseCapReached) => refused += 1,
            Err(StoreError::AttachmentSetNotFound) => set += 1,
            Err(StoreError::NotFound) => unknown += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((capped, refused, set, unknown), (50, 25, 75, 150));
    let (survivors, log) = stored_cases(&s, "111111111111").await;
    assert_eq!(survivors.len(), 50);
    assert!(survivors.iter().all(|n| n.is_multiple_of(4)));
    // Only the cases that stand are audited; the month's count is the cases stored.
    assert_eq!(log.items.len(), 50);
    let mut one_more = new_case("111111111111", 1000, t0);
    one_more.monthly_cap = Some(MonthlyCap {
        month: "2026-03".into(),
        limit: 51,
    });
    s.create_case(one_more, audit_entry()).await.unwrap();
}

/// Since when a customer awaits support: set by their message (the earliest unanswered one
/// counts), kept by a note, cleared by support's reply and by resolution; the queue filters
/// on it.
async fn a_customer_awaits_support_until_support_answers(s: Store) {
    with_account(&s, "111111111111").await;
    let t = |m: u32| at(&format!("2026-05-01T00:{m:02}:00Z"));
    let case = s
        .create_case(new_case("111111111111", 1, t(0)), audit_entry())
        .await
        .unwrap();
    assert_eq!(case.awaiting_since, Some(t(0)));
    let message =
        |body: &str, from_support: bool, internal: bool, at: Timestamp| NewCommunication {
            account_id: "111111111111".into(),
            case_id: case.case_id.clone(),
            body: body.into(),
            submitted_by: "x".into(),
            from_support,
            internal,
            attachment_set: None,
            files: None,
            at,
            follow_up: None,
            max_per_case: None,
            cc_emails: Vec::new(),
            notice: None,
            mail_message_id: None,
        };
    let awaiting = || {
        let s = s.clone();
        let id = case.case_id.clone();
        async move {
            s.case("111111111111", &id)
                .await
                .unwrap()
                .unwrap()
                .awaiting_since
        }
    };
    let queue = || {
        let s = s.clone();
        async move {
            s.queue(&QueueQuery {
                awaiting: true,
                limit: 10,
                ..QueueQuery::default()
            })
            .await
            .unwrap()
            .items
            .len()
        }
    };
    s.add_communication(message("More detail", false, false, t(1)), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        awaiting().await,
        Some(t(0)),
        "the earliest unanswered message counts"
    );
    s.add_communication(message("Looking", true, true, t(2)), audit_entry())
        .await
        .unwrap();
    assert_eq!(awaiting().await, Some(t(0)), "a note answers nobody");
    assert_eq!(queue().await, 1);
    s.add_communication(message("Fixed?", true, false, t(3)), audit_entry())
        .await
        .unwrap();
    assert_eq!(awaiting().await, None);
    assert_eq!(queue().await, 0);
    s.add_communication(message("Still down!", false, false, t(4)), audit_entry())
        .await
        .unwrap();
    assert_eq!(awaiting().await, Some(t(4)));
    assert_eq!(queue().await, 1);
    s.resolve_case("111111111111", &case.case_id, t(5), None, audit_entry())
        .await
        .unwrap();
    assert_eq!(awaiting().await, None);
}

/// What a console form made waits for its page: taken once, only by the person who made
/// it, not after it expired, and swept when never taken.
async fn secrets_shown_once_are_taken_once_by_their_maker(s: Store) {
    let now = at("2026-05-01T00:00:00Z");
    let later = at("2026-05-01T00:05:00Z");
    s.keep_shown_once("so_a", "ada@example.com", b"sealed".to_vec(), later)
        .await
        .unwrap();
    assert!(matches!(
        s.keep_shown_once("so_a", "ada@example.com", b"again".to_vec(), later)
            .await,
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(
        s.take_shown_once("so_a", "eve@example.com", now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.take_shown_once("so_a", "ada@example.com", now)
            .await
            .unwrap(),
        Some(b"sealed".to_vec())
    );
    assert_eq!(
        s.take_shown_once("so_a", "ada@example.com", now)
            .await
            .unwrap(),
        None
    );
    s.keep_shown_once("so_b", "ada@example.com", b"x".to_vec(), later)
        .await
        .unwrap();
    assert_eq!(
        s.take_shown_once("so_b", "ada@example.com", later)
            .await
            .unwrap(),
        None
    );
    assert_eq!(s.sweep_shown_once(later).await.unwrap(), 1);
}

/// The audit log: entries read back as written, filtered and paged newest first; what
/// concerns internal notes can be left out; the retention sweep removes only old entries.
async fn audit_entries_are_kept_filtered_and_swept(s: Store) {
    let t = |m: u32| at(&format!("2026-05-01T00:{m:02}:00Z"));
    let who = |kind, id: &str| Who::new(kind, id, Some("203.0.113.7".into()));
    let mei = who(ActorKind::ConsoleUser, "mei@example.com");
    let ada = who(ActorKind::ConsoleAgent, "ada@support.example");
    with_account(&s, "111111111111").await;
    s.create_case(
        new_case("111111111111", 1, t(1)),
        mei.did(
            t(1),
            Action::CaseCreate,
            Some("111111111111"),
            "case:1",
            "severity low",
        ),
    )
    .await
    .unwrap();
    s.record_audit(ada.did(
        t(2),
        Action::NotesRead,
        Some("111111111111"),
        "case:1",
        "2 internal notes",
    ))
    .await
    .unwrap();
    s.record_audit(ada.did(t(3), Action::CaseAssign, Some("222222222222"), "case:2", ""))
        .await
        .unwrap();
    let read = |q: AuditQuery| {
        let s = s.clone();
        async move { s.audit(&AuditQuery { limit: 100, ..q }).await.unwrap() }
    };
    let all = read(AuditQuery::default()).await.items;
    // Newest first; the account's creation (by the suite's operator) is the oldest.
    let actions: Vec<_> = all.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            Action::CaseAssign,
            Action::NotesRead,
            Action::CaseCreate,
            Action::CaseCreate
        ]
    );
    let created = &all[2];
    assert_eq!(created.who, mei);
    assert_eq!(
        (
            created.at,
            created.account_id.as_deref(),
            created.target.as_str(),
            created.detail.as_str()
        ),
        (t(1), Some("111111111111"), "case:1", "severity low")
    );
    let mine = read(AuditQuery {
        account_id: Some("111111111111".into()),
        ..AuditQuery::default()
    })
    .await
    .items;
    assert_eq!(mine.len(), 2);
    let customer_view = read(AuditQuery {
        account_id: Some("111111111111".into()),
        hide_staff_only: true,
        ..AuditQuery::default()
    })
    .await
    .items;
    assert_eq!(
        customer_view.iter().map(|e| e.action).collect::<Vec<_>>(),
        [Action::CaseCreate]
    );
    let by_ada = read(AuditQuery {
        actor_id: Some("ada@support.example".into()),
        since: Some(t(3)),
        ..AuditQuery::default()
    })
    .await
    .items;
    assert_eq!(
        by_ada.iter().map(|e| e.action).collect::<Vec<_>>(),
        [Action::CaseAssign]
    );
    // Pages: two, then the rest before the last one seen.
    let first = s
        .audit(&AuditQuery {
            limit: 2,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(first.more);
    let rest = read(AuditQuery {
        before_id: Some(first.items[1].id),
        ..AuditQuery::default()
    })
    .await;
    assert!(!rest.more);
    assert_eq!(first.items.len() + rest.items.len(), 4);
    // Retention: entries before the cutoff go, the others stay.
    assert_eq!(s.sweep_audit(t(2), 100).await.unwrap(), 2);
    assert_eq!(s.sweep_audit(t(2), 100).await.unwrap(), 0);
    let left = read(AuditQuery::default()).await.items;
    assert_eq!(
        left.iter().map(|e| e.action).collect::<Vec<_>>(),
        [Action::CaseAssign, Action::NotesRead]
    );
}

async fn case_queries_filter_and_paginate(s: Store) {
    with_account(&s, "111111111111").await;
    let base = at("2026-04-01T00:00:00Z");
    let mut created = Vec::new();
    for n in 0..25u32 {
        let t = base + Duration::from_secs(u64::from(n) * 60);
        created.push(
            s.create_case(new_case("111111111111", n, t), audit_entry())
                .await
                .unwrap(),
        );
    }
    // Pages of 10, newest first, nothing lost or repeated.
    let mut q = CaseQuery {
        limit: 10,
        ..query("111111111111")
    };
    let mut seen = Vec::new();
    loop {
        let page = s.cases(&q).await.unwrap();
        seen.extend(page.items.iter().map(|c| c.display_id));
        let Some(last) = page.items.last() else { break };
        if !page.more {
            break;
        }
        q.cursor = Some((
            tierdesk_core::time::to_micros(last.created),
            last.display_id,
        ));
    }
    let mut expected: Vec<i64> = created.iter().map(|c| c.display_id).collect();
    expected.reverse();
    assert_eq!(seen, expected);

    // Inclusive time window.
    let q = CaseQuery {
        after: Some(base + Duration::from_secs(60 * 5)),
        before: Some(base + Duration::from_secs(60 * 9)),
        ..query("111111111111")
    };
    assert_eq!(s.cases(&q).await.unwrap().items.len(), 5);

    // Resolved cases only on request.
    s.resolve_case(
        "111111111111",
        &created[3].case_id,
        base,
        None,
        audit_entry(),
    )
    .await
    .unwrap();
    let open = CaseQuery {
        include_resolved: false,
        ..query("111111111111")
    };
    assert_eq!(s.cases(&open).await.unwrap().items.len(), 24);
    assert_eq!(
        s.cases(&query("111111111111")).await.unwrap().items.len(),
        25
    );

    let by_ids = CaseQuery {
        case_ids: vec![created[1].case_id.clone(), created[2].case_id.clone()],
        ..query("111111111111")
    };
    assert_eq!(s.cases(&by_ids).await.unwrap().items.len(), 2);
    let by_display = CaseQuery {
        display_id: Some(created[7].display_id),
        ..query("111111111111")
    };
    let found = s.cases(&by_display).await.unwrap().items;
    assert_eq!(found, vec![created[7].clone()]);
    let ja = CaseQuery {
        language: Some("ja".into()),
        ..query("111111111111")
    };
    assert_eq!(s.cases(&ja).await.unwrap().items.len(), 12);
}

async fn case_search_by_words_status_and_severity(s: Store) {
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    let t0 = at("2026-04-01T00:00:00Z");
    let subjects = [
        "RDS failover took 20 minutes",
        "Billing question about RDS reserved instances",
        "100% CPU on i-0abc",
        "under_score and 50% off",
        "本番環境のRDSが停止",
    ];
    let mut made = Vec::new();
    for (n, subject) in subjects.iter().enumerate() {
        let mut c = new_case("111111111111", n as u32, t0 + Duration::from_secs(n as u64));
        c.case.subject = subject.to_string();
        c.case.severity_code = if n == 0 { "urgent" } else { "low" }.into();
        made.push(s.create_case(c, audit_entry()).await.unwrap());
    }
    let mut other = new_case("222222222222", 99, t0);
    other.case.subject = "RDS in the other account".into();
    s.create_case(other, audit_entry()).await.unwrap();
    s.resolve_case("111111111111", &made[1].case_id, t0, None, audit_entry())
        .await
        .unwrap();

    let find = |search: &str, status: Option<&str>, severity: Option<&str>| {
        let q = CaseQuery {
            search: Some(search.into()).filter(|v: &String| !v.is_empty()),
            status: status.and_then(CaseStatus::parse),
            severity: severity.map(str::to_string),
            ..query("111111111111")
        };
        let s = s.clone();
        async move {
            let mut v: Vec<String> = s
                .cases(&q)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|c| c.subject)
                .collect();
            v.sort();
            v
        }
    };
    // Every word, any case, only this account.
    assert_eq!(find("rds", None, None).await.len(), 3);
    assert_eq!(
        find("RDS billing", None, None).await,
        vec![subjects[1].to_string()]
    );
    assert_eq!(
        find("停止", None, None).await,
        vec![subjects[4].to_string()]
    );
    assert_eq!(
        find("本番", None, None).await,
        vec![subjects[4].to_string()]
    );
    // Words, not characters: punctuation alone finds nothing; words around it do.
    assert_eq!(find("50%", None, None).await, vec![subjects[3].to_string()]);
    assert!(find("_", None, None).await.is_empty());
    assert_eq!(
        find("UNDER_score", None, None).await,
        vec![subjects[3].to_string()]
    );
    // The messages are searched with their case's subject; the opening message also
    // with the case id, the account and the people on the case.
    assert_eq!(
        find("body 2", None, None).await,
        vec![subjects[2].to_string()]
    );
    assert_eq!(
        find("cpu body 2", None, None).await,
        vec![subjects[2].to_string()]
    );
    assert!(find("cpu body 3", None, None).await.is_empty());
    assert_eq!(find("b@example.com", None, None).await.len(), 5);
    assert_eq!(
        find(&made[4].case_id, None, None).await,
        vec![subjects[4].to_string()]
    );
    // Later messages, and internal notes only for staff's searches.
    s.add_communication(
        message(
            "111111111111",
            &made[2].case_id,
            false,
            t0 + Duration::from_secs(60),
        ),
        audit_entry(),
    )
    .await
    .unwrap();
    let mut note = message(
        "111111111111",
        &made[0].case_id,
        true,
        t0 + Duration::from_secs(60),
    );
    note.internal = true;
    note.body = "Internal: the customer's replica lag is the cause".into();
    s.add_communication(note, audit_entry()).await.unwrap();
    assert!(find("replica lag", None, None).await.is_empty());
    let staff = CaseQuery {
        search: Some("replica lag failover".into()),
        with_internal: true,
        scope: CaseScope::Everyone,
        include_resolved: true,
        limit: 10,
        ..Default::default()
    };
    let found = s.cases(&staff).await.unwrap().items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, subjects[0]);
    // Staff reach every account, a TAM only theirs; no scope reaches nothing.
    let everyone = CaseQuery {
        search: Some("rds".into()),
        ..staff.clone()
    };
    assert_eq!(s.cases(&everyone).await.unwrap().items.len(), 4);
    let tam = CaseQuery {
        scope: CaseScope::Accounts(vec!["222222222222".into()]),
        ..everyone.clone()
    };
    assert_eq!(s.cases(&tam).await.unwrap().items.len(), 1);
    let nobody = CaseQuery {
        scope: CaseScope::default(),
        ..everyone.clone()
    };
    assert!(s.cases(&nobody).await.unwrap().items.is_empty());
    // A number is the case of that number when there is one, else text that holds it.
    let by_id = find(&made[2].display_id.to_string(), None, None).await;
    assert_eq!(by_id, vec![subjects[2].to_string()]);
    assert_eq!(find("20", None, None).await, vec![subjects[0].to_string()]);
    assert_eq!(
        find("rds", Some(status::RESOLVED), None).await,
        vec![subjects[1].to_string()]
    );
    assert_eq!(
        find("", None, Some("urgent")).await,
        vec![subjects[0].to_string()]
    );
    assert!(find("nothing-like-this", None, None).await.is_empty());
}

async fn communications_page_and_reopen(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-05-01T00:00:00Z");
    let c = s
        .create_case(new_case("111111111111", 1, t0), audit_entry())
        .await
        .unwrap();
    for n in 1..=7u64 {
        s.add_communication(
            NewCommunication {
                account_id: "111111111111".into(),
                case_id: c.case_id.clone(),
                body: format!("reply {n}"),
                submitted_by: "Amazon Web Services".into(),
                from_support: n.is_multiple_of(2),
                internal: false,
                attachment_set: None,
                files: None,
                at: t0 + Duration::from_secs(n * 60),
                follow_up: None,
                max_per_case: None,
                cc_emails: Vec::new(),
                notice: None,
                mail_message_id: None,
            },
            audit_entry(),
        )
        .await
        .unwrap();
    }
    let other = s
        .create_case(new_case("111111111111", 2, t0), audit_entry())
        .await
        .unwrap();
    // Support's first reply (n = 2, at t0 + 2 min) is the first response; later ones are not.
    let answered = s.case("111111111111", &c.case_id).await.unwrap().unwrap();
    let responded = answered.responded;
    assert_eq!(responded, Some(t0 + Duration::from_secs(120)));
    let recent = s
        .recent_communications(
            &[
                (other.display_id, other.case_id.clone()),
                (c.display_id, c.case_id.clone()),
            ],
            5,
        )
        .await
        .unwrap();
    assert_eq!(recent.len(), 2);
    assert_eq!(recent[0].0, other.display_id);
    assert!(!recent[0].1.more);
    let bodies: Vec<_> = recent[0]
        .1
        .items
        .iter()
        .map(|m| (m.case_id.clone(), m.body.clone()))
        .collect();
    assert_eq!(bodies, vec![(other.case_id.clone(), "body 2".to_string())]);
    let page = &recent[1].1;
    assert!(page.items.iter().all(|m| m.case_id == c.case_id));
    assert_eq!(page.items.len(), 5);
    assert!(page.more);
    assert_eq!(page.items[0].body, "reply 7");

    let mut q = CommunicationQuery {
        account_id: "111111111111".into(),
        case_id: c.case_id.clone(),
        limit: 3,
        ..Default::default()
    };
    let mut bodies = Vec::new();
    loop {
        let page = s.communications(&q).await.unwrap().unwrap();
        bodies.extend(page.items.iter().map(|m| m.body.clone()));
        let Some(last) = page.items.last() else { break };
        if !page.more {
            break;
        }
        q.cursor = Some((tierdesk_core::time::to_micros(last.created), last.id));
    }
    assert_eq!(bodies.len(), 8);
    assert_eq!(bodies.last().map(String::as_str), Some("body 1"));

    let other = CommunicationQuery {
        account_id: "222222222222".into(),
        ..q.clone()
    };
    assert!(s.communications(&other).await.unwrap().is_none());

    let (initial, fin) = s
        .resolve_case("111111111111", &c.case_id, t0, None, audit_entry())
        .await
        .unwrap();
    assert_eq!(
        (initial.as_str(), fin.as_str()),
        (status::OPENED, status::RESOLVED)
    );
    s.add_communication(
        NewCommunication {
            account_id: "111111111111".into(),
            case_id: c.case_id.clone(),
            body: "it broke again".into(),
            submitted_by: "root".into(),
            from_support: false,
            internal: false,
            attachment_set: None,
            files: None,
            at: t0 + Duration::from_secs(3600),
            follow_up: None,
            max_per_case: None,
            cc_emails: Vec::new(),
            notice: None,
            mail_message_id: None,
        },
        audit_entry(),
    )
    .await
    .unwrap();
    let reopened = s.case("111111111111", &c.case_id).await.unwrap().unwrap();
    assert_eq!(reopened.status, status::REOPENED);
    let missing = s
        .add_communication(
            message("222222222222", &c.case_id, false, t0),
            audit_entry(),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

/// DescribeCases' recent messages: each case's newest few that the customer sees, newest
/// first, with `more` set when older ones remain, however many a case holds. Internal
/// notes never count, and two messages stored at the same instant come by id.
async fn recent_messages_are_each_cases_newest_few(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-05-01T00:00:00Z");
    let open = |n| s.create_case(new_case("111111111111", n, t0), audit_entry());
    let (busy, quiet, exact) = (
        open(1).await.unwrap(),
        open(2).await.unwrap(),
        open(3).await.unwrap(),
    );
    let post = |case: &Case, body: &str, internal: bool, minutes: u64| {
        let at = t0 + Duration::from_secs(minutes * 60);
        let m = message("111111111111", &case.case_id, true, at);
        s.add_communication(
            NewCommunication {
                body: body.into(),
                internal,
                ..m
            },
            audit_entry(),
        )
    };
    // The busy case: its opening message, then these; "third" and "fourth" share a minute.
    for (body, internal, minutes) in [
        ("first", false, 1),
        ("note one", true, 2),
        ("third", false, 3),
        ("fourth", false, 3),
        ("note two", true, 4),
        ("sixth", false, 5),
        ("seventh", false, 6),
        ("note three", true, 7),
    ] {
        post(&busy, body, internal, minutes).await.unwrap();
    }
    // Three messages in all on `exact`, one (and a note) on `quiet`.
    post(&exact, "two", false, 1).await.unwrap();
    post(&exact, "three", false, 2).await.unwrap();
    post(&quiet, "a note only", true, 1).await.unwrap();
    let cases = [&busy, &quiet, &exact].map(|c| (c.display_id, c.case_id.clone()));
    let bodies = |page: &tierdesk_store::Page<Communication>| -> Vec<String> {
        page.items.iter().map(|m| m.body.clone()).collect()
    };
    for (n, newest, more) in [
        (1, vec!["seventh"], true),
        (3, vec!["seventh", "sixth", "fourth"], true),
        (4, vec!["seventh", "sixth", "fourth", "third"], true),
        (
            5,
            vec!["seventh", "sixth", "fourth", "third", "first"],
            true,
        ),
        (
            6,
            vec!["seventh", "sixth", "fourth", "third", "first", "body 1"],
            false,
        ),
        (
            9,
            vec!["seventh", "sixth", "fourth", "third", "first", "body 1"],
            false,
        ),
    ] {
        let recent = s.recent_communications(&cases, n).await.unwrap();
        assert_eq!(
            recent.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            cases.iter().map(|(d, _)| *d).collect::<Vec<_>>()
        );
        assert_eq!(bodies(&recent[0].1), newest, "the busy case's newest {n}");
        assert_eq!(recent[0].1.more, more, "older messages remain beyond {n}");
        assert!(recent[0].1.items.iter().all(|m| m.case_id == busy.case_id));
        assert_eq!(
            bodies(&recent[1].1),
            vec!["body 2"],
            "a note is never among them"
        );
        assert!(!recent[1].1.more);
        let exact_page = &recent[2].1;
        let all_three = ["three", "two", "body 3"];
        assert_eq!(
            bodies(exact_page),
            all_three[..all_three.len().min(n as usize)].to_vec()
        );
        assert_eq!(exact_page.more, n < 3, "three messages, {n} asked for");
    }
}

fn files(n: usize) -> Vec<(String, String, Vec<u8>)> {
    (0..n)
        .map(|i| {
            (
                format!("attachment-{}", unique()),
                format!("log{i}.txt"),
                vec![i as u8; 10],
            )
        })
        .collect()
}

fn attachments(account: &str, existing: Option<String>, n: usize, at: Timestamp) -> NewAttachments {
    NewAttachments {
        account_id: account.into(),
        existing_set: existing,
        new_set_id: format!("as-{}", unique()),
        files: files(n),
        max_per_set: 3,
        account_quota: None,
        lifetime: Duration::from_secs(3600),
        at,
    }
}

/// A file says whether it belongs to an internal note, so the use cases can keep it from
/// the customer.
async fn files_of_internal_notes_say_so(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let c = s
        .create_case(new_case("111111111111", 1, t0), audit_entry())
        .await
        .unwrap();
    for internal in [true, false] {
        let files = attachments("111111111111", None, 1, t0);
        let id = files.files[0].0.clone();
        s.add_communication(
            NewCommunication {
                account_id: "111111111111".into(),
                case_id: c.case_id.clone(),
                body: "see the file".into(),
                submitted_by: "Ada (support)".into(),
                from_support: true,
                internal,
                attachment_set: None,
                files: Some(files),
                at: t0 + Duration::from_secs(60),
                follow_up: None,
                max_per_case: None,
                cc_emails: Vec::new(),
                notice: None,
                mail_message_id: None,
            },
            audit_entry(),
        )
        .await
        .unwrap();
        let got = s.attachment("111111111111", &id).await.unwrap().unwrap();
        assert_eq!(got.internal, internal);
    }
    // A file in a set no message has used yet is nobody's note.
    let unused = attachments("111111111111", None, 1, t0);
    let id = unused.files[0].0.clone();
    s.add_attachments(unused, audit_entry()).await.unwrap();
    let got = s.attachment("111111111111", &id).await.unwrap().unwrap();
    assert!(!got.internal);
}

/// Files posted with a new case are stored in its transaction: with it, or not at all.
async fn a_case_and_its_files_are_written_together(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let mut with_files = new_case("111111111111", 1, t0);
    let files = attachments("111111111111", None, 2, t0);
    let ids: Vec<String> = files.files.iter().map(|f| f.0.clone()).collect();
    with_files.files = Some(files);
    let c = s.create_case(with_files, audit_entry()).await.unwrap();
    let comms = s
        .recent_communications(&[(c.display_id, c.case_id.clone())], 5)
        .await
        .unwrap();
    assert_eq!(comms[0].1.items[0].attachments.len(), 2);
    for id in &ids {
        assert!(s.attachment("111111111111", id).await.unwrap().is_some());
    }
    // A case refused (its month's cases are used) leaves no file behind.
    let mut refused = new_case("111111111111", 2, t0);
    refused.monthly_cap = Some(MonthlyCap {
        month: "2026-06".into(),
        limit: 1,
    });
    let files = attachments("111111111111", None, 1, t0);
    let orphan = files.files[0].0.clone();
    refused.files = Some(files);
    let mut first = new_case("111111111111", 3, t0);
    first.monthly_cap = refused.monthly_cap.clone();
    s.create_case(first, audit_entry()).await.unwrap();
    assert!(matches!(
        s.create_case(refused, audit_entry()).await,
        Err(StoreError::MonthlyCaseCapReached)
    ));
    assert_eq!(s.attachment("111111111111", &orphan).await.unwrap(), None);
}

/// Sets that expire unused are swept with their files; used ones stay, and a second
/// sweep (another replica's) finds nothing.
async fn expired_unused_sets_are_swept(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let unused = attachments("111111111111", None, 2, t0);
    let unused_file = unused.files[0].0.clone();
    s.add_attachments(unused, audit_entry()).await.unwrap();
    let used = attachments("111111111111", None, 1, t0);
    let used_file = used.files[0].0.clone();
    let (set, _) = s.add_attachments(used, audit_entry()).await.unwrap();
    let mut c = new_case("111111111111", 1, t0 + Duration::from_secs(60));
    c.attachment_set = Some(set);
    s.create_case(c, audit_entry()).await.unwrap();
    // Not yet expired: nothing goes.
    assert_eq!(
        s.delete_expired_sets(t0 + Duration::from_secs(60), 100)
            .await
            .unwrap(),
        0
    );
    let later = t0 + Duration::from_secs(2 * 3600);
    assert_eq!(s.delete_expired_sets(later, 100).await.unwrap(), 1);
    assert_eq!(
        s.attachment("111111111111", &unused_file).await.unwrap(),
        None
    );
    assert!(
        s.attachment("111111111111", &used_file)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(s.delete_expired_sets(later, 100).await.unwrap(), 0);
}

/// A case takes messages up to its limit (its opening counts), and an account files up to
/// its storage quota; a refused write leaves nothing.
async fn messages_per_case_and_account_storage_are_bounded(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let c = s
        .create_case(new_case("111111111111", 1, t0), audit_entry())
        .await
        .unwrap();
    let message = |max: i64| NewCommunication {
        account_id: "111111111111".into(),
        case_id: c.case_id.clone(),
        body: "more".into(),
        submitted_by: "root".into(),
        from_support: false,
        internal: false,
        attachment_set: None,
        files: None,
        at: t0,
        follow_up: None,
        max_per_case: Some(max),
        cc_emails: Vec::new(),
        notice: None,
        mail_message_id: None,
    };
    s.add_communication(message(3), audit_entry())
        .await
        .unwrap();
    s.add_communication(message(3), audit_entry())
        .await
        .unwrap();
    assert!(matches!(
        s.add_communication(message(3), audit_entry()).await,
        Err(StoreError::CaseFull)
    ));
    let q = CommunicationQuery {
        account_id: "111111111111".into(),
        case_id: c.case_id.clone(),
        after: None,
        before: None,
        cursor: None,
        limit: 10,
        include_internal: true,
    };
    assert_eq!(s.communications(&q).await.unwrap().unwrap().items.len(), 3);

    // Storage: 30 bytes held (three 10-byte files); a quota of 45 takes one more, not two.
    let mut three = attachments("111111111111", None, 3, t0);
    three.account_quota = Some(45);
    s.add_attachments(three, audit_entry()).await.unwrap();
    let mut one = attachments("111111111111", None, 1, t0);
    one.account_quota = Some(45);
    s.add_attachments(one, audit_entry()).await.unwrap();
    let mut two = attachments("111111111111", None, 2, t0);
    two.account_quota = Some(45);
    let refused = two.files[0].0.clone();
    assert!(matches!(
        s.add_attachments(two, audit_entry()).await,
        Err(StoreError::StorageQuotaReached)
    ));
    assert_eq!(s.attachment("111111111111", &refused).await.unwrap(), None);
}

async fn attachment_sets_limits_expiry_and_use(s: Store) {
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let (set, expiry) = s
        .add_attachments(attachments("111111111111", None, 2, t0), audit_entry())
        .await
        .unwrap();
    assert_eq!(expiry, t0 + Duration::from_secs(3600));
    let full = s
        .add_attachments(
            attachments("111111111111", Some(set.clone()), 2, t0),
            audit_entry(),
        )
        .await;
    assert!(matches!(full, Err(StoreError::AttachmentSetFull)));
    let (same, _) = s
        .add_attachments(
            attachments("111111111111", Some(set.clone()), 1, t0),
            audit_entry(),
        )
        .await
        .unwrap();
    assert_eq!(same, set);
    let foreign = s
        .add_attachments(
            attachments("222222222222", Some(set.clone()), 1, t0),
            audit_entry(),
        )
        .await;
    assert!(matches!(foreign, Err(StoreError::AttachmentSetNotFound)));

    // A case that names an unknown set is not written at all.
    let mut bad = new_case("111111111111", 1, t0);
    bad.attachment_set = Some("as-nope".into());
    assert!(matches!(
        s.create_case(bad, audit_entry()).await,
        Err(StoreError::AttachmentSetNotFound)
    ));
    assert!(
        s.cases(&query("111111111111"))
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let mut good = new_case("111111111111", 2, t0 + Duration::from_secs(60));
    good.attachment_set = Some(set.clone());
    let c = s.create_case(good, audit_entry()).await.unwrap();
    let comms = s
        .recent_communications(&[(c.display_id, c.case_id.clone())], 5)
        .await
        .unwrap();
    let atts = &comms[0].1.items[0].attachments;
    assert_eq!(atts.len(), 3);
    let first = atts.iter().find(|a| a.file_name == "log1.txt").unwrap();
    let got = s
        .attachment("111111111111", &first.attachment_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.file_name.as_str(), got.data),
        ("log1.txt", vec![1u8; 10])
    );
    assert_eq!(
        s.attachment("222222222222", &atts[0].attachment_id)
            .await
            .unwrap(),
        None
    );

    // A set is used once.
    let mut again = new_case("111111111111", 3, t0 + Duration::from_secs(120));
    again.attachment_set = Some(set);
    assert!(matches!(
        s.create_case(again, audit_entry()).await,
        Err(StoreError::AttachmentSetNotFound)
    ));

    // Files added together are listed in the order given (ids are random).
    let (ordered, _) = s
        .add_attachments(attachments("111111111111", None, 3, t0), audit_entry())
        .await
        .unwrap();
    let mut listed = new_case("111111111111", 5, t0 + Duration::from_secs(180));
    listed.attachment_set = Some(ordered);
    let c = s.create_case(listed, audit_entry()).await.unwrap();
    let comms = s
        .recent_communications(&[(c.display_id, c.case_id.clone())], 5)
        .await
        .unwrap();
    let names: Vec<&str> = comms[0].1.items[0]
        .attachments
        .iter()
        .map(|a| a.file_name.as_str())
        .collect();
    assert_eq!(names, ["log0.txt", "log1.txt", "log2.txt"]);

    // An hour later the set is gone.
    let (old, _) = s
        .add_attachments(attachments("111111111111", None, 1, t0), audit_entry())
        .await
        .unwrap();
    let late = t0 + Duration::from_secs(3600);
    let expired = s
        .add_attachments(
            attachments("111111111111", Some(old.clone()), 1, late),
            audit_entry(),
        )
        .await;
    assert!(matches!(expired, Err(StoreError::AttachmentSetExpired)));
    let mut late_case = new_case("111111111111", 4, late);
    late_case.attachment_set = Some(old);
    assert!(matches!(
        s.create_case(late_case, audit_entry()).await,
        Err(StoreError::AttachmentSetExpired)
    ));
}

async fn monthly_cap_is_enforced_atomically(s: Store) {
    with_account(&s, "111111111111").await;
    let t0 = at("2026-07-01T00:00:00Z");
    let capped = |n: u32, month: &str| {
        let mut c = new_case("111111111111", n, t0);
        c.monthly_cap = Some(MonthlyCap {
            month: month.into(),
            limit: 2,
        });
        c
    };
    s.create_case(capped(1, "2026-07"), audit_entry())
        .await
        .unwrap();
    s.create_case(capped(2, "2026-07"), audit_entry())
        .await
        .unwrap();
    let third = s.create_case(capped(3, "2026-07"), audit_entry()).await;
    assert!(matches!(third, Err(StoreError::MonthlyCaseCapReached)));
    assert_eq!(
        s.cases(&query("111111111111")).await.unwrap().items.len(),
        2
    );
    s.create_case(capped(4, "2026-08"), audit_entry())
        .await
        .unwrap();
}

/// Access that can be taken away: an agent disabled, re-roled, re-tokened, limited to
/// accounts; a user disabled or deleted. Taking access away ends console sessions in the
/// same write; deleting a user leaves the account's cases.
async fn people_lose_and_regain_access(s: Store) {
    use tierdesk_core::records::{Session, User};
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let hour = Duration::from_secs(3600);
    let session = |email: &str| Session {
        email: email.into(),
        csrf: "csrf".into(),
        created: t0,
        expires: t0 + hour,
    };
    s.insert_agent(agent("agent-1"), vec![1; 32], audit_entry())
        .await
        .unwrap();
    let email = "agent-1@support.example.com";
    s.insert_session(vec![11; 32], session(email), audit_entry())
        .await
        .unwrap();

    s.change_agent(email, AgentChange::Disable(t0), audit_entry())
        .await
        .unwrap();
    let a = s.agent_by_email(email).await.unwrap().unwrap();
    assert_eq!(a.disabled, Some(t0));
    assert_eq!(
        s.session(&[11; 32], t0).await.unwrap(),
        None,
        "sessions end"
    );
    s.change_agent(email, AgentChange::Enable, audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.agent_by_email(email).await.unwrap().unwrap().disabled,
        None
    );

    s.change_agent(email, AgentChange::Role(Role::Admin), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.agent_by_email(email).await.unwrap().unwrap().role,
        Role::Admin
    );

    s.change_agent(
        email,
        AgentChange::Token {
            hash: vec![9; 32],
            expires: Some(t0 + hour),
        },
        audit_entry(),
    )
    .await
    .unwrap();
    assert!(
        s.agent_by_token(&[1; 32]).await.unwrap().is_none(),
        "the old token"
    );
    let a = s.agent_by_token(&[9; 32]).await.unwrap().unwrap();
    assert_eq!(a.token_expires, Some(t0 + hour));
    s.change_agent(email, AgentChange::RevokeToken(t0), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.agent_by_token(&[9; 32])
            .await
            .unwrap()
            .unwrap()
            .token_expires,
        Some(t0)
    );
    assert!(matches!(
        s.change_agent("nobody@example.com", AgentChange::Enable, audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));

    // Limited to named accounts, replaced as a whole; an unknown account changes nothing.
    s.set_agent_accounts(
        "agent-1",
        vec!["222222222222".into(), "111111111111".into()],
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(
        s.agent_accounts("agent-1").await.unwrap(),
        ["111111111111", "222222222222"]
    );
    assert!(matches!(
        s.set_agent_accounts(
            "agent-1",
            vec!["111111111111".into(), "999999999999".into()],
            audit_entry()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(s.agent_accounts("agent-1").await.unwrap().len(), 2);
    s.set_agent_accounts("agent-1", vec![], audit_entry())
        .await
        .unwrap();
    assert!(s.agent_accounts("agent-1").await.unwrap().is_empty());

    // A user: disabled, enabled, deleted; their case stays the account's.
    let user = User {
        id: "user-9".into(),
        account_id: "111111111111".into(),
        email: "ex@example.com".into(),
        name: "Ex".into(),
        language: "en".into(),
        created: t0,
        disabled: None,
        demo: false,
    };
    s.insert_user(user, audit_entry()).await.unwrap();
    s.set_password("ex@example.com", "$argon2id$x", t0, audit_entry())
        .await
        .unwrap();
    s.insert_session(vec![12; 32], session("ex@example.com"), audit_entry())
        .await
        .unwrap();
    let mut case = new_case("111111111111", 1, t0);
    case.case.submitted_by = "ex@example.com".into();
    let c = s.create_case(case, audit_entry()).await.unwrap();
    s.change_user("ex@example.com", UserChange::Disable(t0), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.user_by_email("ex@example.com")
            .await
            .unwrap()
            .unwrap()
            .disabled,
        Some(t0)
    );
    assert_eq!(s.session(&[12; 32], t0).await.unwrap(), None);
    s.change_user("ex@example.com", UserChange::Enable, audit_entry())
        .await
        .unwrap();
    s.change_user("ex@example.com", UserChange::Delete, audit_entry())
        .await
        .unwrap();
    assert_eq!(s.user_by_email("ex@example.com").await.unwrap(), None);
    assert_eq!(s.password("ex@example.com").await.unwrap(), None);
    assert!(s.case("111111111111", &c.case_id).await.unwrap().is_some());
    assert!(matches!(
        s.change_user("ex@example.com", UserChange::Delete, audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn rate_windows_count_per_window(s: Store) {
    with_account(&s, "111111111111").await;
    for _ in 0..3 {
        assert!(s.rate_hit("111111111111", "sets", 100, 3).await.unwrap());
    }
    assert!(!s.rate_hit("111111111111", "sets", 100, 3).await.unwrap());
    assert!(s.rate_hit("111111111111", "other", 100, 3).await.unwrap());
    assert!(s.rate_hit("111111111111", "sets", 160, 3).await.unwrap());
}

/// A hit sweeps the old windows of every key of its kind, so keys that never come back (a
/// stranger's guessed emails) do not stay for ever. Seen from outside: once swept, an old
/// window counts from zero again.
async fn old_rate_windows_of_every_key_are_swept(s: Store) {
    for _ in 0..3 {
        assert!(s.rate_hit("sign-in:aaaa", "sign-in", 100, 3).await.unwrap());
        assert!(
            s.rate_hit("sign-in:bbbb", "other-kind", 100, 3)
                .await
                .unwrap()
        );
    }
    assert!(!s.rate_hit("sign-in:aaaa", "sign-in", 100, 3).await.unwrap());
    // Another key's hit in a later window sweeps this key's full one ...
    assert!(s.rate_hit("sign-in:cccc", "sign-in", 160, 3).await.unwrap());
    assert!(s.rate_hit("sign-in:aaaa", "sign-in", 100, 3).await.unwrap());
    // ... and leaves other kinds alone.
    assert!(
        !s.rate_hit("sign-in:bbbb", "other-kind", 100, 3)
            .await
            .unwrap()
    );
}

async fn holidays_import_replaces_per_source(s: Store) {
    use tierdesk_core::holidays::Holiday;
    let h = |d: jiff::civil::Date, name: &str| Holiday {
        date: d,
        from: 0,
        to: 1440,
        name: name.into(),
    };
    s.replace_holidays(
        "JP",
        "a.ics",
        vec![
            h(date(2026, 12, 29), "winter"),
            h(date(2026, 12, 30), "winter"),
        ],
        audit_entry(),
    )
    .await
    .unwrap();
    s.replace_holidays(
        "JP",
        "b.ics",
        vec![h(date(2026, 12, 28), "party")],
        audit_entry(),
    )
    .await
    .unwrap();
    s.replace_holidays(
        "US",
        "a.ics",
        vec![h(date(2026, 12, 24), "eve")],
        audit_entry(),
    )
    .await
    .unwrap();
    let jp = s.holidays("JP").await.unwrap();
    assert_eq!(jp.len(), 3);
    assert_eq!(jp[0].1.name, "party");
    // Importing a.ics again replaces only what a.ics brought.
    s.replace_holidays(
        "JP",
        "a.ics",
        vec![h(date(2026, 12, 31), "eve")],
        audit_entry(),
    )
    .await
    .unwrap();
    let days: Vec<_> = s
        .holidays("JP")
        .await
        .unwrap()
        .into_iter()
        .map(|(src, h)| (src, h.date))
        .collect();
    assert_eq!(
        days,
        vec![
            ("b.ics".to_string(), date(2026, 12, 28)),
            ("a.ics".to_string(), date(2026, 12, 31))
        ]
    );
    assert_eq!(s.holidays("FR").await.unwrap().len(), 0);
}

async fn meta_init_keeps_the_first_value(s: Store) {
    assert_eq!(s.meta_get("k").await.unwrap(), None);
    assert_eq!(s.meta_init("k", vec![1]).await.unwrap(), vec![1]);
    assert_eq!(s.meta_init("k", vec![2]).await.unwrap(), vec![1]);
    assert_eq!(s.meta_get("k").await.unwrap(), Some(vec![1]));
}

fn agent(id: &str) -> Agent {
    Agent {
        id: id.into(),
        email: format!("{id}@support.example.com"),
        name: format!("Agent {id}"),
        languages: vec!["en".into(), "ja".into()],
        role: Role::Agent,
        created: at("2026-01-01T00:00:00Z"),
        disabled: None,
        token_expires: None,
        demo: false,
    }
}

async fn agents_are_found_by_token_hash(s: Store) {
    s.insert_agent(agent("agent-1"), vec![1; 32], audit_entry())
        .await
        .unwrap();
    let dup = s
        .insert_agent(agent("agent-1"), vec![2; 32], audit_entry())
        .await;
    assert!(matches!(dup, Err(StoreError::AlreadyExists)));
    assert_eq!(
        s.agent_by_token(&[1; 32]).await.unwrap(),
        Some(agent("agent-1"))
    );
    assert_eq!(s.agent_by_token(&[3; 32]).await.unwrap(), None);
    assert_eq!(
        s.agent_by_email("agent-1@support.example.com")
            .await
            .unwrap(),
        Some(agent("agent-1"))
    );
    assert_eq!(s.agent_by_email("nobody@example.com").await.unwrap(), None);
    assert_eq!(
        s.agent("agent-1").await.unwrap().map(|a| a.languages.len()),
        Some(2)
    );
    assert_eq!(s.agents().await.unwrap().len(), 1);
}

async fn queue_orders_by_deadline_and_filters(s: Store) {
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    s.insert_agent(agent("agent-1"), vec![1; 32], audit_entry())
        .await
        .unwrap();
    let t0 = at("2026-05-01T00:00:00Z");
    let hour = Duration::from_secs(3600);
    // Case n is due in (5 - n) hours: later cases first; even ones have no target.
    let mut ids = Vec::new();
    for n in 1..=5u32 {
        let mut new = new_case(
            if n <= 3 {
                "111111111111"
            } else {
                "222222222222"
            },
            n,
            t0,
        );
        new.targets = if n == 2 {
            Vec::new()
        } else {
            vec![first_response(t0, t0 + hour * (6 - n))]
        };
        let c = s.create_case(new, audit_entry()).await.unwrap();
        assert_eq!(c.sla_due, (n != 2).then(|| t0 + hour * (6 - n)));
        ids.push(c);
    }
    let q = |f: fn(&mut QueueQuery)| {
        let mut q = QueueQuery {
            limit: 10,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let order = |p: tierdesk_store::Page<Case>| -> Vec<String> {
        p.items.iter().map(|c| c.subject.clone()).collect()
    };
    let all = s.queue(&q(|_| {})).await.unwrap();
    assert_eq!(
        order(all),
        [
            "subject 5",
            "subject 4",
            "subject 3",
            "subject 1",
            "subject 2"
        ]
    );
    // Paging continues in the same order.
    let first = s.queue(&q(|q| q.limit = 2)).await.unwrap();
    assert!(first.more);
    let last = first.items.last().unwrap();
    let cursor = (
        last.queue_key()
            .map_or(i64::MAX, tierdesk_core::time::to_micros),
        last.display_id,
    );
    let mut next = q(|q| q.limit = 2);
    next.cursor = Some(cursor);
    assert_eq!(
        order(s.queue(&next).await.unwrap()),
        ["subject 3", "subject 1"]
    );
    // Filters.
    let ja = s
        .queue(&q(|q| q.language = Some("ja".into())))
        .await
        .unwrap();
    assert_eq!(order(ja), ["subject 5", "subject 3", "subject 1"]);
    let mut breaching = q(|_| {});
    breaching.breaching_at = Some(t0 + hour * 3 + Duration::from_secs(1));
    assert_eq!(
        order(s.queue(&breaching).await.unwrap()),
        ["subject 5", "subject 4", "subject 3"]
    );
    let mut accounts = q(|_| {});
    accounts.accounts = Some(vec!["222222222222".into()]);
    assert_eq!(
        order(s.queue(&accounts).await.unwrap()),
        ["subject 5", "subject 4"]
    );
    // Assignment.
    s.assign(ids[0].display_id, Some("agent-1".into()), audit_entry())
        .await
        .unwrap();
    let unknown = s
        .assign(ids[0].display_id, Some("agent-9".into()), audit_entry())
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    let mut mine = q(|_| {});
    mine.assignee = Some(Assignee::Agent("agent-1".into()));
    assert_eq!(order(s.queue(&mine).await.unwrap()), ["subject 1"]);
    let mut unassigned = q(|_| {});
    unassigned.assignee = Some(Assignee::Unassigned);
    assert_eq!(s.queue(&unassigned).await.unwrap().items.len(), 4);
    // Resolved cases leave the queue; a status filter narrows it.
    s.resolve_case("222222222222", &ids[4].case_id, t0, None, audit_entry())
        .await
        .unwrap();
    let mut opened = q(|_| {});
    opened.status = Some(CaseStatus::Opened);
    assert_eq!(
        order(s.queue(&opened).await.unwrap()),
        ["subject 4", "subject 3", "subject 1", "subject 2"]
    );
    let by_id = s.case_by_id(&ids[4].case_id).await.unwrap().unwrap();
    assert_eq!(
        (by_id.status.as_str(), by_id.sla_due),
        (status::RESOLVED, None)
    );

    // At a glance per account, as the TAM and admin pages show it (case 5 is resolved).
    let now = t0 + hour * 5 / 2;
    let stats = s.open_case_stats(None, now).await.unwrap();
    let glance: Vec<(&str, i64, i64, i64, Option<Timestamp>)> = stats
        .iter()
        .map(|x| {
            (
                x.account_id.as_str(),
                x.open,
                x.breaching,
                x.awaiting,
                x.next_due,
            )
        })
        .collect();
    assert_eq!(
        glance,
        [
            ("111111111111", 3, 0, 3, Some(t0 + hour * 3)),
            ("222222222222", 1, 1, 1, Some(t0 + hour * 2)),
        ]
    );
    let one = ["111111111111".to_string()];
    assert_eq!(s.open_case_stats(Some(&one), now).await.unwrap().len(), 1);
    assert!(s.open_case_stats(Some(&[]), now).await.unwrap().is_empty());
    // An untimed wait sorts as a new case of its severity opened when the customer wrote:
    // support answers case 4 (due first), and it drops to the end, owing nothing; its
    // customer writes again an hour later, on a plan without a next-reply target, and it
    // sorts 12 hours (its first-response length) after that, between 1 and 2 (a day after
    // its opening, no first-response length to go by).
    let four = ids[3].case_id.clone();
    s.add_communication(message("222222222222", &four, true, t0), audit_entry())
        .await
        .unwrap();
    assert_eq!(order(s.queue(&q(|_| {})).await.unwrap())[3], "subject 4");
    s.add_communication(
        message("222222222222", &four, false, t0 + hour),
        audit_entry(),
    )
    .await
    .unwrap();
    let all = s.queue(&q(|_| {})).await.unwrap();
    let four_now = all
        .items
        .iter()
        .find(|c| c.case_id == four)
        .unwrap()
        .clone();
    assert_eq!((four_now.sla_due, four_now.sla_target), (None, None));
    assert_eq!(four_now.awaiting_since, Some(t0 + hour));
    assert_eq!(four_now.responded, Some(t0));
    assert_eq!(four_now.queue_key(), Some(t0 + hour * 13));
    assert_eq!(
        order(all),
        ["subject 3", "subject 1", "subject 4", "subject 2"]
    );
    // Paging by the same key: the untimed wait is not skipped.
    let mut page = q(|q| q.limit = 2);
    let first = s.queue(&page).await.unwrap();
    let last = first.items.last().unwrap();
    page.cursor = Some((
        last.queue_key()
            .map_or(i64::MAX, tierdesk_core::time::to_micros),
        last.display_id,
    ));
    assert_eq!(
        order(s.queue(&page).await.unwrap()),
        ["subject 4", "subject 2"]
    );
    // Support answers again: case 4 owes nothing and sorts last once more.
    s.add_communication(
        message("222222222222", &four, true, t0 + hour * 2),
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(order(s.queue(&q(|_| {})).await.unwrap())[3], "subject 4");
}

async fn replies_notes_and_follow_up_targets(s: Store) {
    with_account(&s, "111111111111").await;
    let acct = "111111111111";
    let t0 = at("2026-05-01T00:00:00Z");
    let min = Duration::from_secs(60);
    let c = s
        .create_case(new_case(acct, 1, t0), audit_entry())
        .await
        .unwrap();
    // An internal note changes nothing the customer sees and stops no clock.
    let mut note = message(acct, &c.case_id, true, t0 + min);
    note.internal = true;
    s.add_communication(note, audit_entry()).await.unwrap();
    let seen = |include_internal| CommunicationQuery {
        account_id: acct.into(),
        case_id: c.case_id.clone(),
        limit: 100,
        include_internal,
        ..Default::default()
    };
    assert_eq!(
        s.communications(&seen(false))
            .await
            .unwrap()
            .unwrap()
            .items
            .len(),
        1
    );
    let all = s.communications(&seen(true)).await.unwrap().unwrap().items;
    assert_eq!(all.len(), 2);
    assert!(all[0].internal);
    let recent = s
        .recent_communications(&[(c.display_id, c.case_id.clone())], 5)
        .await
        .unwrap();
    assert_eq!(
        recent[0].1.items.len(),
        1,
        "DescribeCases never shows notes"
    );
    let case = s.case(acct, &c.case_id).await.unwrap().unwrap();
    assert_eq!(case.responded, None);
    assert!(case.sla_due.is_some());
    // A customer message while the first response is owed starts no next-reply target.
    let mut chase = message(acct, &c.case_id, false, t0 + min * 2);
    chase.follow_up = Some(target(TargetKind::NextReply, t0 + min * 2, t0 + min * 62));
    s.add_communication(chase, audit_entry()).await.unwrap();
    assert_eq!(s.case_targets(c.display_id).await.unwrap().len(), 1);
    // Support answers: the first response is met; an update target starts.
    let mut answer = message(acct, &c.case_id, true, t0 + min * 3);
    answer.follow_up = Some(target(TargetKind::Update, t0 + min * 3, t0 + min * 123));
    s.add_communication(answer, audit_entry()).await.unwrap();
    let case = s.case(acct, &c.case_id).await.unwrap().unwrap();
    assert_eq!(case.responded, Some(t0 + min * 3));
    assert_eq!(case.sla_due, Some(t0 + min * 123));
    // The customer writes back: support owes a next reply (the update keeps running).
    let mut back = message(acct, &c.case_id, false, t0 + min * 10);
    back.follow_up = Some(target(TargetKind::NextReply, t0 + min * 10, t0 + min * 70));
    s.add_communication(back, audit_entry()).await.unwrap();
    let targets = s.case_targets(c.display_id).await.unwrap();
    let kinds: Vec<_> = targets
        .iter()
        .map(|t| (t.kind, t.seq, t.stopped.is_some()))
        .collect();
    assert_eq!(
        kinds,
        [
            (TargetKind::FirstResponse, 0, true),
            (TargetKind::Update, 0, false),
            (TargetKind::NextReply, 0, false),
        ]
    );
    assert_eq!(
        s.case(acct, &c.case_id).await.unwrap().unwrap().sla_due,
        Some(t0 + min * 70)
    );
    // Waiting on the customer stops updates only.
    let before = s
        .set_status(
            StatusChange {
                display_id: c.display_id,
                status: CaseStatus::PendingCustomerAction,
                at: t0 + min * 11,
                notice: None,
            },
            audit_entry(),
        )
        .await
        .unwrap();
    assert_eq!(before, status::OPENED);
    let targets = s.case_targets(c.display_id).await.unwrap();
    assert_eq!(targets[1].stopped, Some(t0 + min * 11));
    assert_eq!(targets[1].met, None);
    assert_eq!(targets[2].stopped, None);
    // Resolving stops every clock.
    s.resolve_case(acct, &c.case_id, t0 + min * 20, None, audit_entry())
        .await
        .unwrap();
    let targets = s.case_targets(c.display_id).await.unwrap();
    assert!(targets.iter().all(|t| t.stopped.is_some()));
    assert_eq!(
        s.case(acct, &c.case_id).await.unwrap().unwrap().sla_due,
        None
    );
    assert!(
        s.due_targets(t0 + Duration::from_secs(86_400 * 30), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

fn sla_event(
    d: &tierdesk_store::DueTarget,
    kind: SlaEventKind,
    then_next: Option<Timestamp>,
    now: Timestamp,
) -> NewSlaEvent {
    NewSlaEvent {
        display_id: d.display_id,
        event: SlaEvent {
            case_id: d.case.case_id.clone(),
            target: d.target.kind,
            seq: d.target.seq,
            kind,
            due: d.target.due,
            at: d.next_event,
            recorded: now,
        },
        expected_next: d.next_event,
        then_next,
        event_type: format!("sla.{}", kind.as_str()),
        payload: format!("{{\"case\":\"{}\"}}", d.case.case_id),
        notice: None,
    }
}

async fn breach_events_are_recorded_once_with_their_outbox(s: Store) {
    with_account(&s, "111111111111").await;
    let acct = "111111111111";
    let t0 = at("2026-05-01T00:00:00Z");
    let hour = Duration::from_secs(3600);
    s.insert_webhook(
        Webhook {
            id: "wh-breach".into(),
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["sla.breach".into()],
            secret_ciphertext: vec![9; 40],
            created: t0,
            disabled: None,
        },
        audit_entry(),
    )
    .await
    .unwrap();
    let mut new = new_case(acct, 1, t0);
    new.targets = vec![first_response(t0, t0 + hour * 4)];
    let c = s.create_case(new, audit_entry()).await.unwrap();
    // Nothing is due before the warning point (3 hours in).
    assert!(s.due_targets(t0 + hour * 2, 10).await.unwrap().is_empty());
    let now = t0 + hour * 3 + Duration::from_secs(1);
    let due = s.due_targets(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].next_event, t0 + hour * 3);
    let warning = sla_event(&due[0], SlaEventKind::Warning, Some(t0 + hour * 4), now);
    // Two workers race with the same reading: one records, the other finds it done.
    let (a, b) = tokio::join!(
        s.record_sla_events(vec![warning.clone()]),
        s.record_sla_events(vec![warning.clone()])
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].concat(),
        [warning.event.key()],
        "one of them records it, and says which"
    );
    assert!(s.record_sla_events(vec![warning]).await.unwrap().is_empty());
    assert!(s.due_targets(now, 10).await.unwrap().is_empty());
    let now = t0 + hour * 4 + Duration::from_secs(1);
    let due = s.due_targets(now, 10).await.unwrap();
    assert_eq!(due[0].next_event, t0 + hour * 4);
    assert_eq!(
        due[0].target.warned,
        Some(t0 + hour * 3 + Duration::from_secs(1))
    );
    let breach = sla_event(&due[0], SlaEventKind::Breach, None, now);
    assert_eq!(
        s.record_sla_events(vec![breach.clone(), breach.clone()])
            .await
            .unwrap(),
        [breach.event.key()]
    );
    assert!(
        s.due_targets(now + hour * 100, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let events = s.sla_events(&c).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [SlaEventKind::Warning, SlaEventKind::Breach]);
    let recent = s
        .recent_events(SlaEventKind::Breach, &CaseSlice::default(), 10)
        .await
        .unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(
        (recent[0].0.case_id.as_str(), recent[0].1.at),
        (c.case_id.as_str(), t0 + hour * 4)
    );
    // Narrowed to a slice of the cases, in the query: the case's account keeps it, another
    // severity does not.
    let mine = CaseSlice {
        account: Some(c.account_id.clone()),
        ..CaseSlice::default()
    };
    assert_eq!(
        s.recent_events(SlaEventKind::Breach, &mine, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let other = CaseSlice {
        severity: Some("no-such-severity".into()),
        ..CaseSlice::default()
    };
    assert!(
        s.recent_events(SlaEventKind::Breach, &other, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The breach (not the warning: the webhook did not ask for it) waits in the outbox.
    let claimed = s.claim_deliveries(now, now + hour, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].event_type, "sla.breach");
    assert_eq!(
        claimed[0].event_key,
        format!("{}/first_response/0/breach", c.case_id)
    );
    // Claimed deliveries are leased: nobody else gets them meanwhile.
    assert!(
        s.claim_deliveries(now, now + hour, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retry_at = now + Duration::from_secs(2);
    s.settle_delivery(
        claimed[0].id,
        DeliveryOutcome::Failed {
            error: "endpoint answered 503".into(),
            retry_at: Some(retry_at),
        },
        now,
    )
    .await
    .unwrap();
    assert!(
        s.claim_deliveries(now, now + hour, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = s
        .claim_deliveries(retry_at, retry_at + hour, 10)
        .await
        .unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    s.settle_delivery(again[0].id, DeliveryOutcome::Delivered, retry_at)
        .await
        .unwrap();
    let hooks = s.webhooks().await.unwrap();
    assert_eq!(hooks[0].1.delivered, 1);
    assert_eq!(hooks[0].1.pending, 0);
    assert_eq!(
        hooks[0].1.last_error.as_deref(),
        Some("endpoint answered 503")
    );
    s.disable_webhook("wh-breach", now, audit_entry())
        .await
        .unwrap();
    assert!(matches!(
        s.disable_webhook("wh-breach", now, audit_entry()).await,
        Err(StoreError::NotFound)
    ));
}

async fn escalations_count_against_the_monthly_quota(s: Store) {
    with_account(&s, "111111111111").await;
    let acct = "111111111111";
    let t0 = at("2026-05-01T00:00:00Z");
    let min = Duration::from_secs(60);
    let c = s
        .create_case(new_case(acct, 1, t0), audit_entry())
        .await
        .unwrap();
    let escalation = |at: Timestamp, month: &str| NewEscalation {
        display_id: c.display_id,
        account_id: acct.into(),
        month: month.into(),
        per_month: 2,
        target: target(TargetKind::Escalation, at, at + min * 10),
    };
    assert_eq!(
        s.escalate(escalation(t0, "2026-05"), audit_entry())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.case(acct, &c.case_id).await.unwrap().unwrap().sla_due,
        Some(t0 + min * 10)
    );
    // One escalation at a time: the next waits for support's answer.
    assert!(matches!(
        s.escalate(escalation(t0, "2026-05"), audit_entry()).await,
        Err(StoreError::AlreadyExists)
    ));
    s.add_communication(message(acct, &c.case_id, true, t0 + min), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.escalate(escalation(t0 + min * 2, "2026-05"), audit_entry())
            .await
            .unwrap(),
        2
    );
    s.add_communication(message(acct, &c.case_id, true, t0 + min * 3), audit_entry())
        .await
        .unwrap();
    assert!(matches!(
        s.escalate(escalation(t0 + min * 4, "2026-05"), audit_entry())
            .await,
        Err(StoreError::QuotaExhausted)
    ));
    assert_eq!(
        s.quota_used(acct, "urgent_escalation", "2026-05")
            .await
            .unwrap(),
        2
    );
    // A new month, a new quota.
    assert_eq!(
        s.escalate(escalation(t0 + min * 5, "2026-06"), audit_entry())
            .await
            .unwrap(),
        1
    );
    let seqs: Vec<_> = s
        .case_targets(c.display_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.kind == TargetKind::Escalation)
        .map(|t| t.seq)
        .collect();
    assert_eq!(seqs, [0, 1, 2]);
    s.resolve_case(acct, &c.case_id, t0 + min * 6, None, audit_entry())
        .await
        .unwrap();
    assert!(matches!(
        s.escalate(escalation(t0 + min * 7, "2026-06"), audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn report_rows_cover_the_period(s: Store) {
    with_account(&s, "111111111111").await;
    let acct = "111111111111";
    let t0 = at("2026-05-01T00:00:00Z");
    let day = Duration::from_secs(86_400);
    let mut cases = Vec::new();
    for n in [1u32, 3, 5] {
        let c = s
            .create_case(new_case(acct, n, t0 + day * n), audit_entry())
            .await
            .unwrap();
        cases.push(c);
    }
    let rows = |from: Timestamp, to: Timestamp, slice: CaseSlice| {
        let s = s.clone();
        async move {
            s.report_rows(&ReportQuery {
                from,
                to,
                cases: slice,
            })
            .await
            .unwrap()
        }
    };
    let all = CaseSlice::default();
    assert_eq!(rows(t0, t0 + day * 10, all.clone()).await.len(), 3);
    assert_eq!(rows(t0 + day * 2, t0 + day * 5, all.clone()).await.len(), 1);
    let plan = CaseSlice {
        plan: Some("aws.developer".into()),
        ..CaseSlice::default()
    };
    assert_eq!(rows(t0, t0 + day * 10, plan).await.len(), 0);
    let severity = CaseSlice {
        severity: Some("urgent".into()),
        ..CaseSlice::default()
    };
    assert_eq!(rows(t0, t0 + day * 10, severity).await.len(), 0);

    // The first case resolved on day 2; the second on day 4, reopened by its customer on
    // day 6; the third left open.
    s.resolve_case(acct, &cases[0].case_id, t0 + day * 2, None, audit_entry())
        .await
        .unwrap();
    s.resolve_case(acct, &cases[1].case_id, t0 + day * 4, None, audit_entry())
        .await
        .unwrap();
    s.add_communication(
        message(acct, &cases[1].case_id, false, t0 + day * 6),
        audit_entry(),
    )
    .await
    .unwrap();
    let resolved: Vec<Option<Timestamp>> = rows(t0, t0 + day * 10, all.clone())
        .await
        .iter()
        .map(|r| r.resolved)
        .collect();
    assert_eq!(resolved, [Some(t0 + day * 2), None, None]);
    // Cases without a promise are rows too (the backlog counts them).
    let mut bare = new_case(acct, 7, t0 + day * 7);
    bare.targets.clear();
    s.create_case(bare, audit_entry()).await.unwrap();
    let all_rows = rows(t0, t0 + day * 10, all.clone()).await;
    assert_eq!(all_rows.len(), 4);
    assert_eq!(all_rows[3].clock.promised, None);
    assert_eq!(all_rows[3].promise_clock, None);
    assert!(all_rows[0].clock.promised.is_some());

    // Assigned and unassigned cases are their own slices, in the rows and the backlog.
    s.insert_agent(agent("agent-1"), vec![1; 32], audit_entry())
        .await
        .unwrap();
    s.assign(cases[2].display_id, Some("agent-1".into()), audit_entry())
        .await
        .unwrap();
    let assigned = CaseSlice {
        assignee: Some(Some("agent-1".into())),
        ..CaseSlice::default()
    };
    let unassigned = CaseSlice {
        assignee: Some(None),
        ..CaseSlice::default()
    };
    let rows_of = rows(t0, t0 + day * 10, assigned.clone()).await;
    assert_eq!(rows_of.len(), 1);
    assert_eq!(rows_of[0].assignee.as_deref(), Some("agent-1"));
    assert_eq!(rows(t0, t0 + day * 10, unassigned.clone()).await.len(), 3);
}

/// The SLA rollup: covered days are stale until folded, any change to one of a day's cases
/// (through whatever write) marks it again, a fold that read an older mark does not clear
/// a newer one, and a day folded with a running promise is served until its deadline.
async fn the_rollup_serves_only_days_no_change_has_touched(s: Store) {
    use tierdesk_core::sla::tally::Tally;
    use tierdesk_core::time::day_of;
    use tierdesk_store::{RollupRow, StaleDay};
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-05-01T00:00:00Z");
    let day = Duration::from_secs(86_400);
    let d = |n: i64| day_of(t0) + n;
    let now = at("2026-06-01T00:00:00Z");
    let mut cases = Vec::new();
    for n in [1u32, 3] {
        cases.push(
            s.create_case(new_case(acct, n, t0 + day * n), audit_entry())
                .await
                .unwrap(),
        );
    }
    let all = CaseSlice::default();
    // The days not served, one by one.
    let live = |now: Timestamp| {
        let s = s.clone();
        async move {
            let r = s
                .rollup(d(0), d(5), &CaseSlice::default(), now)
                .await
                .unwrap();
            r.live.into_iter().flatten().collect::<Vec<i64>>()
        }
    };
    // Nothing covered yet: every day is read from the cases.
    assert_eq!(live(now).await, (d(0)..d(5)).collect::<Vec<_>>());
    s.cover_rollup_days(d(4)).await.unwrap();
    s.cover_rollup_days(d(2)).await.unwrap(); // never uncovers
    // On PostgreSQL a newly covered day waits for the transactions running when it was
    // covered (other tests' among them, in other databases) to end.
    let mut stale = Vec::new();
    for _ in 0..200 {
        stale = s.stale_rollup_days(now, 10).await.unwrap();
        if stale.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stale, [d(3), d(1)].map(|day| StaleDay { day, version: 1 }));
    assert_eq!(live(now).await, [d(1), d(3), d(4)]);
    let mut tally = Tally {
        cases: 1,
        open: 1,
        ..Tally::default()
    };
    tally.answered.add(5, 1);
    let row = RollupRow {
        day: d(1),
        plan_id: "aws.business".into(),
        severity: "normal".into(),
        account_id: acct.into(),
        assignee: None,
        tally,
    };
    assert!(
        s.write_rollup_day(stale[1], vec![row.clone()], None)
            .await
            .unwrap()
    );
    let r = s.rollup(d(0), d(5), &all, now).await.unwrap();
    assert_eq!(r.rows, std::slice::from_ref(&row));
    assert_eq!(
        r.live.into_iter().flatten().collect::<Vec<_>>(),
        [d(3), d(4)]
    );
    // The rollup's slices: the unassigned, and a plan it does not hold.
    let nobody = CaseSlice {
        assignee: Some(None),
        ..CaseSlice::default()
    };
    assert_eq!(
        s.rollup(d(0), d(5), &nobody, now).await.unwrap().rows.len(),
        1
    );
    let other = CaseSlice {
        plan: Some("aws.developer".into()),
        ..CaseSlice::default()
    };
    assert!(
        s.rollup(d(0), d(5), &other, now)
            .await
            .unwrap()
            .rows
            .is_empty()
    );

    // A change to the day's case marks it stale again; a fold that read the first mark
    // writes its rows but leaves the day stale.
    s.resolve_case(acct, &cases[0].case_id, t0 + day * 20, None, audit_entry())
        .await
        .unwrap();
    assert_eq!(live(now).await, [d(1), d(3), d(4)]);
    assert!(
        !s.write_rollup_day(stale[1], vec![row.clone()], None)
            .await
            .unwrap()
    );
    let again = s.stale_rollup_days(now, 10).await.unwrap();
    assert!(
        again.contains(&StaleDay {
            day: d(1),
            version: 2
        }),
        "{again:?}"
    );
    // Folded with a promise still running: served until its deadline, stale from then.
    let until = now + Duration::from_secs(3600);
    assert!(
        s.write_rollup_day(
            StaleDay {
                day: d(1),
                version: 2
            },
            vec![row.clone()],
            Some(until)
        )
        .await
        .unwrap()
    );
    assert_eq!(live(now).await, [d(3), d(4)]);
    assert_eq!(live(until).await, [d(1), d(3), d(4)]);
    assert!(
        !s.stale_rollup_days(now, 10)
            .await
            .unwrap()
            .iter()
            .any(|x| x.day == d(1))
    );
    assert!(
        s.stale_rollup_days(until, 10)
            .await
            .unwrap()
            .iter()
            .any(|x| x.day == d(1))
    );

    // Every folded day, when calendars change.
    s.restale_rollup().await.unwrap();
    assert_eq!(live(now).await, [d(1), d(3), d(4)]);
}

async fn usage_payers_and_invoices(s: Store) {
    use tierdesk_core::records::{Invoice, InvoiceLine};
    use tierdesk_core::usage::MonthlyUsage;
    let dec = |v: &str| v.parse::<rust_decimal::Decimal>().unwrap();
    let usage = |account: &str, month: &str, amount: &str| MonthlyUsage {
        account_id: account.into(),
        month: month.into(),
        currency: "USD".into(),
        amount: dec(amount),
    };
    let t0 = at("2026-11-01T00:00:00Z");
    s.replace_usage(
        vec![
            usage("111111111111", "2026-10", "1000.10"),
            usage("222222222222", "2026-10", "5"),
        ],
        "cur",
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    // A re-import replaces the account's month; others stay.
    s.replace_usage(
        vec![usage("111111111111", "2026-10", "0.0000001")],
        "generic",
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    let oct = s.usage_in("2026-10").await.unwrap();
    assert_eq!(
        oct,
        [
            usage("111111111111", "2026-10", "0.0000001"),
            usage("222222222222", "2026-10", "5")
        ]
    );
    assert!(s.usage_in("2026-09").await.unwrap().is_empty());
    s.replace_usage(
        vec![usage("111111111111", "2026-09", "7")],
        "cur",
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    // One account's months, newest first.
    assert_eq!(
        s.usage_of("111111111111").await.unwrap(),
        [
            usage("111111111111", "2026-10", "0.0000001"),
            usage("111111111111", "2026-09", "7")
        ]
    );
    assert!(s.usage_of("333333333333").await.unwrap().is_empty());

    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    s.set_payer("222222222222", Some("111111111111"), audit_entry())
        .await
        .unwrap();
    s.set_payer("111111111111", Some("111111111111"), audit_entry())
        .await
        .unwrap();
    assert!(matches!(
        s.set_payer("222222222222", Some("999999999999"), audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.payers().await.unwrap(),
        [("222222222222".to_string(), "111111111111".to_string())]
    );

    let invoice = |account: &str, total: &str, n: usize| Invoice {
        account_id: account.into(),
        month: "2026-10".into(),
        currency: "USD".into(),
        total: dec(total),
        lines: (0..n)
            .map(|i| InvoiceLine {
                plan_id: (i == 0).then(|| "aws.business".to_string()),
                description: format!("line {i}"),
                amount: dec("33.33"),
                // A line's words come back as they went in (and lines without stay so).
                words: (i == 1).then(|| LineWords::Band {
                    rate: dec("0.07"),
                    from: dec("10000"),
                    to: None,
                    basis: dec("475.5"),
                }),
            })
            .collect(),
        computed: t0,
    };
    // Each run writes its notices with its invoices; the same one twice is one notice.
    let ready = || {
        vec![(
            "111111111111".to_string(),
            "2026-10 99.99 USD".to_string(),
            tierdesk_store::NewNotice {
                kind: tierdesk_core::notice::NoticeKind::InvoiceReady,
                due: t0,
            },
        )]
    };
    s.replace_invoices(
        "2026-10",
        vec![
            invoice("111111111111", "99.99", 3),
            invoice("222222222222", "0", 0),
        ],
        ready(),
        audit_entry(),
    )
    .await
    .unwrap();
    // Running the month again replaces it: no duplicates.
    s.replace_invoices(
        "2026-10",
        vec![invoice("111111111111", "99.99", 3)],
        ready(),
        audit_entry(),
    )
    .await
    .unwrap();
    let told = s
        .claim_notices(t0, t0 + Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!(
        told[0].about,
        tierdesk_store::NoticeSubject::Account("111111111111".into())
    );
    assert_eq!(told[0].subject_ref, "2026-10 99.99 USD");
    let all = s.invoices(None, Some("2026-10")).await.unwrap();
    assert_eq!(all, [invoice("111111111111", "99.99", 3)]);
    assert_eq!(
        s.invoices(Some("111111111111"), None).await.unwrap().len(),
        1
    );
    assert!(
        s.invoices(Some("222222222222"), Some("2026-10"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn users_passwords_and_sessions(s: Store) {
    use tierdesk_core::records::{Session, User};
    with_account(&s, "111111111111").await;
    let t0 = at("2026-11-22T09:00:00Z");
    let user = User {
        id: "user-1".into(),
        account_id: "111111111111".into(),
        email: "mei@example.com".into(),
        name: "Mei".into(),
        language: "ja".into(),
        created: t0,
        disabled: None,
        demo: false,
    };
    s.insert_user(user.clone(), audit_entry()).await.unwrap();
    assert!(matches!(
        s.insert_user(user.clone(), audit_entry()).await,
        Err(StoreError::AlreadyExists)
    ));
    // An agent's email cannot be a user's, nor the other way round.
    s.insert_agent(agent("agent-1"), vec![1; 32], audit_entry())
        .await
        .unwrap();
    let mut clash = user.clone();
    clash.id = "user-2".into();
    clash.email = "agent-1@support.example.com".into();
    assert!(matches!(
        s.insert_user(clash, audit_entry()).await,
        Err(StoreError::AlreadyExists)
    ));
    let mut agent_clash = agent("agent-2");
    agent_clash.email = "mei@example.com".into();
    assert!(matches!(
        s.insert_agent(agent_clash, vec![2; 32], audit_entry())
            .await,
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(
        s.user_by_email("mei@example.com").await.unwrap(),
        Some(user)
    );

    s.set_password("mei@example.com", "$argon2id$one", t0, audit_entry())
        .await
        .unwrap();
    let session = |expires: Timestamp| Session {
        email: "mei@example.com".into(),
        csrf: "csrf".into(),
        created: t0,
        expires,
    };
    let hour = Duration::from_secs(3600);
    s.insert_session(vec![7; 32], session(t0 + hour), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.session(&[7; 32], t0).await.unwrap(),
        Some(session(t0 + hour))
    );
    assert_eq!(
        s.session(&[7; 32], t0 + hour).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(s.session(&[8; 32], t0).await.unwrap(), None);
    // A new password ends the email's sessions.
    s.set_password("mei@example.com", "$argon2id$two", t0, audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.password("mei@example.com").await.unwrap().as_deref(),
        Some("$argon2id$two")
    );
    assert_eq!(s.session(&[7; 32], t0).await.unwrap(), None);
    s.insert_session(vec![9; 32], session(t0 + hour), audit_entry())
        .await
        .unwrap();
    s.delete_session(vec![9; 32], audit_entry()).await.unwrap();
    assert_eq!(s.session(&[9; 32], t0).await.unwrap(), None);
}

async fn preferences_tams_and_user_lists(s: Store) {
    use tierdesk_core::records::{Preferences, User};
    with_account(&s, "111111111111").await;
    with_account(&s, "222222222222").await;
    let t0 = at("2026-11-22T09:00:00Z");
    assert_eq!(
        s.preferences("mei@example.com").await.unwrap(),
        Preferences::default()
    );
    let chosen = Preferences {
        ui_language: Some("ja".into()),
        timezone: Some("Asia/Tokyo".into()),
    };
    s.set_preferences("mei@example.com", chosen.clone(), audit_entry())
        .await
        .unwrap();
    assert_eq!(s.preferences("mei@example.com").await.unwrap(), chosen);
    let cleared = Preferences {
        ui_language: None,
        timezone: Some("Europe/Paris".into()),
    };
    s.set_preferences("mei@example.com", cleared.clone(), audit_entry())
        .await
        .unwrap();
    assert_eq!(s.preferences("mei@example.com").await.unwrap(), cleared);

    let mut tam = agent("tam-1");
    tam.role = Role::Tam;
    s.insert_agent(tam.clone(), vec![1; 32], audit_entry())
        .await
        .unwrap();
    assert_eq!(s.tam_of("111111111111").await.unwrap(), None);
    s.set_tam("111111111111", Some("tam-1"), t0, audit_entry())
        .await
        .unwrap();
    s.set_tam("222222222222", Some("tam-1"), t0, audit_entry())
        .await
        .unwrap();
    assert_eq!(s.tam_of("111111111111").await.unwrap(), Some(tam.clone()));
    assert_eq!(
        s.tams().await.unwrap(),
        vec![
            ("111111111111".to_string(), tam.clone()),
            ("222222222222".to_string(), tam.clone())
        ]
    );
    assert_eq!(
        s.tam_accounts("tam-1").await.unwrap(),
        vec!["111111111111".to_string(), "222222222222".to_string()]
    );
    s.set_tam("222222222222", None, t0, audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.tam_accounts("tam-1").await.unwrap(),
        vec!["111111111111".to_string()]
    );
    assert!(matches!(
        s.set_tam("999999999999", Some("tam-1"), t0, audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.set_tam("111111111111", Some("nobody"), t0, audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.tam_of("111111111111").await.unwrap(),
        Some(tam),
        "a refused change leaves the TAM"
    );

    for (id, account, email) in [
        ("u1", "111111111111", "b@example.com"),
        ("u2", "111111111111", "a@example.com"),
        ("u3", "222222222222", "c@example.com"),
    ] {
        s.insert_user(
            User {
                id: id.into(),
                account_id: account.into(),
                email: email.into(),
                name: id.into(),
                language: "en".into(),
                created: t0,
                disabled: None,
                demo: false,
            },
            audit_entry(),
        )
        .await
        .unwrap();
    }
    let emails = |v: Vec<User>| v.into_iter().map(|u| u.email).collect::<Vec<_>>();
    assert_eq!(
        emails(s.users(Some("111111111111")).await.unwrap()),
        vec!["a@example.com", "b@example.com"]
    );
    assert_eq!(s.users(None).await.unwrap().len(), 3);
}

async fn accounts_are_found_by_id_or_name_a_page_at_a_time(s: Store) {
    for id in [
        "310000000001",
        "310000000002",
        "320000000001",
        "410000000001",
    ] {
        with_account(&s, id).await;
    }
    let mut named = account("510000000001");
    named.name = "Acme_Corp 50%".into();
    s.create_account(
        named,
        assignment("510000000001", "aws.business", date(2026, 1, 1)),
        audit_entry(),
    )
    .await
    .unwrap();
    let ids = |p: &tierdesk_store::Page<Account>| {
        p.items.iter().map(|a| a.id.clone()).collect::<Vec<_>>()
    };
    let first = s.find_accounts(None, None, None, 2).await.unwrap();
    assert_eq!(ids(&first), ["310000000001", "310000000002"]);
    assert!(first.more);
    let rest = s
        .find_accounts(None, None, Some("310000000002"), 10)
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["320000000001", "410000000001", "510000000001"]);
    assert!(!rest.more);
    // An id prefix, or words of the name in any case; wildcards are plain characters.
    assert_eq!(
        ids(&s.find_accounts(Some("31"), None, None, 10).await.unwrap()).len(),
        2
    );
    assert_eq!(
        ids(&s
            .find_accounts(Some("acme_corp"), None, None, 10)
            .await
            .unwrap()),
        ["510000000001"]
    );
    assert_eq!(
        ids(&s.find_accounts(Some("50%"), None, None, 10).await.unwrap()),
        ["510000000001"]
    );
    assert!(
        s.find_accounts(Some("_"), None, None, 10)
            .await
            .unwrap()
            .items
            .len()
            == 1
    );
    assert!(
        s.find_accounts(Some("nothing"), None, None, 10)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // A TAM's search covers only the accounts they manage.
    let mut tam = agent("tam-1");
    tam.role = Role::Tam;
    s.insert_agent(tam, vec![1; 32], audit_entry())
        .await
        .unwrap();
    for id in ["310000000002", "510000000001"] {
        s.set_tam(id, Some("tam-1"), at("2026-11-22T09:00:00Z"), audit_entry())
            .await
            .unwrap();
    }
    let mine = s
        .find_accounts(None, Some("tam-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(ids(&mine), ["310000000002", "510000000001"]);
    let mine = s
        .find_accounts(Some("31"), Some("tam-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(ids(&mine), ["310000000002"]);
}

/// A case page reads the case and what hangs off it at once: its account, targets and
/// events, the newest entries of the asked actions on it (however many others came after),
/// and its account's TAM. Another account's case brings its own; an unknown id, nothing.
async fn a_case_page_holds_the_case_and_what_hangs_off_it(s: Store) {
    let acct = "111111111111";
    with_account(&s, acct).await;
    with_account(&s, "222222222222").await;
    let t0 = at("2026-05-01T00:00:00Z");
    let hour = Duration::from_secs(3600);
    let mut new = new_case(acct, 1, t0);
    new.targets = vec![first_response(t0, t0 + hour * 4)];
    let c = s.create_case(new, audit_entry()).await.unwrap();
    let other = s
        .create_case(new_case("222222222222", 2, t0), audit_entry())
        .await
        .unwrap();
    let mut tam = agent("tam-1");
    tam.role = Role::Tam;
    s.insert_agent(tam.clone(), vec![1; 32], audit_entry())
        .await
        .unwrap();
    s.set_tam(acct, Some("tam-1"), t0, audit_entry())
        .await
        .unwrap();
    let due = s.due_targets(t0 + hour * 3, 10).await.unwrap();
    let warning = sla_event(
        &due[0],
        SlaEventKind::Warning,
        Some(t0 + hour * 4),
        t0 + hour * 3,
    );
    s.record_sla_events(vec![warning]).await.unwrap();
    let entry = |case: &Case, action: Action, detail: &str| {
        tierdesk_testkit::operator().did(
            t0,
            action,
            Some(case.account_id.as_str()),
            case_target(&case.case_id),
            detail,
        )
    };
    for (case, action, detail) in [
        (&c, Action::CaseStatus, "first"),
        (&c, Action::CaseAssign, "second"),
        (&other, Action::CaseStatus, "another case's"),
        (&c, Action::CaseStatus, "third"),
        (&c, Action::CaseMessage, "a message"),
        (&c, Action::CaseMessage, "another message"),
    ] {
        s.record_audit(entry(case, action, detail)).await.unwrap();
    }
    let actions = [Action::CaseStatus, Action::CaseAssign];
    let trail = TrailQuery {
        actions: &actions,
        limit: 2,
    };
    let page = s.case_page(&c.case_id, &trail).await.unwrap().unwrap();
    assert_eq!(
        Some(&page.case),
        s.case(acct, &c.case_id).await.unwrap().as_ref()
    );
    assert_eq!(page.account.map(|a| a.id).as_deref(), Some(acct));
    assert_eq!(page.targets, s.case_targets(c.display_id).await.unwrap());
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events, s.sla_events(&c).await.unwrap());
    let details: Vec<_> = page.trail.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        ["third", "second"],
        "the newest two of the asked actions"
    );
    assert_eq!(page.tam, Some(tam));

    let page = s.case_page(&other.case_id, &trail).await.unwrap().unwrap();
    assert_eq!(page.case.case_id, other.case_id);
    assert_eq!(page.account.map(|a| a.id).as_deref(), Some("222222222222"));
    assert!(page.events.is_empty());
    assert_eq!(page.trail.len(), 1);
    assert_eq!(page.tam, None);
    assert!(s.case_page("case-nobody", &trail).await.unwrap().is_none());
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_leg {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some((s, _db)) = super::scratch_store(tierdesk_testkit::Engine::Sqlite).await {
                    super::$name(s).await;
                }
            })*
        }
        mod postgres_leg {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some((s, _db)) = super::scratch_store(tierdesk_testkit::Engine::Postgres).await {
                    super::$name(s).await;
                }
            })*
        }
    };
}

conformance!(
    audit_entries_are_kept_filtered_and_swept,
    a_customer_awaits_support_until_support_answers,
    secrets_shown_once_are_taken_once_by_their_maker,
    accounts_and_plan_history,
    keys_and_revocation,
    cases_get_unique_display_ids_and_stay_in_their_account,
    openings_queued_together_each_keep_their_own_rows,
    failed_writes_in_a_shared_commit_leave_nothing,
    messages_queued_together_each_land_on_their_own_case,
    refusals_in_a_shared_commit_take_nothing_with_them,
    case_queries_filter_and_paginate,
    communications_page_and_reopen,
    recent_messages_are_each_cases_newest_few,
    attachment_sets_limits_expiry_and_use,
    a_case_and_its_files_are_written_together,
    expired_unused_sets_are_swept,
    messages_per_case_and_account_storage_are_bounded,
    files_of_internal_notes_say_so,
    monthly_cap_is_enforced_atomically,
    rate_windows_count_per_window,
    people_lose_and_regain_access,
    old_rate_windows_of_every_key_are_swept,
    meta_init_keeps_the_first_value,
    holidays_import_replaces_per_source,
    queue_orders_by_deadline_and_filters,
    replies_notes_and_follow_up_targets,
    breach_events_are_recorded_once_with_their_outbox,
    escalations_count_against_the_monthly_quota,
    agents_are_found_by_token_hash,
    a_case_page_holds_the_case_and_what_hangs_off_it,
    report_rows_cover_the_period,
    the_rollup_serves_only_days_no_change_has_touched,
    usage_payers_and_invoices,
    users_passwords_and_sessions,
    case_search_by_words_status_and_severity,
    a_search_over_many_cases_is_newest_first_and_exact,
    preferences_tams_and_user_lists,
    accounts_are_found_by_id_or_name_a_page_at_a_time,
    mail_notices_are_claimed_once_and_settled_under_their_lease,
    a_replys_notice_names_that_reply,
    mail_in_is_stored_once_per_message_id_and_recorded,
    a_person_has_one_webhook_and_each_notice_reaches_it_once,
    advisor_results_keep_their_findings_suppressions_and_refresh_jobs,
    health_events_are_seen_by_whom_they_concern_newest_first,
);

/// AWS Health: an account sees the public events of its regions (and global ones) and
/// the events naming it; lists are newest update first and page without skipping or
/// repeating; revisions are kept; entities are upserted in bulk and counted by status; a
/// change to a missing event is `NotFound` and writes nothing.
async fn health_events_are_seen_by_whom_they_concern_newest_first(s: Store) {
    use std::collections::BTreeMap;
    use tierdesk_core::health::{
        Actionability, Category, Entity, EntityStatus, Event, EventStatus, Persona, Scope,
        TimeRange, entity_arn, event_arn,
    };
    use tierdesk_store::{
        HealthChange, HealthEntityQuery, HealthEventQuery, HealthViewer, NewHealthEvent,
    };

    with_account(&s, "410000000001").await;
    with_account(&s, "410000000002").await;
    let t0 = at("2026-06-01T00:00:00Z");
    let ev = |n: i64, region: &str, scope: Scope| Event {
        arn: event_arn(
            region,
            "EC2",
            "AWS_EC2_OPERATIONAL_ISSUE",
            &format!("id-{n}"),
        ),
        service: "EC2".into(),
        type_code: "AWS_EC2_OPERATIONAL_ISSUE".into(),
        category: Category::Issue,
        region: region.into(),
        availability_zone: None,
        start: t0 + Duration::from_secs(n as u64 * 60),
        end: None,
        last_updated: t0 + Duration::from_secs(n as u64 * 60),
        status: EventStatus::Open,
        scope,
        actionability: Actionability::Informational,
        personas: vec![Persona::Operations],
        title: format!("Event {n}"),
        metadata: BTreeMap::new(),
    };
    let publish = |e: Event, accounts: Vec<String>, entities: Vec<Entity>| NewHealthEvent {
        event: e,
        description: "first".into(),
        accounts,
        entities,
        notice: Some(tierdesk_store::NewNotice {
            kind: tierdesk_core::notice::NoticeKind::HealthEvent,
            due: t0,
        }),
    };
    let public_east = ev(1, "us-east-1", Scope::Public);
    let public_west = ev(2, "us-west-2", Scope::Public);
    let global = ev(3, "global", Scope::Public);
    let mine = ev(4, "us-west-2", Scope::AccountSpecific);
    let entities: Vec<Entity> = (0..250)
        .map(|i| Entity {
            event_arn: mine.arn.clone(),
            account_id: "410000000001".into(),
            value: format!("i-{i:04}"),
            arn: entity_arn(&mine, "410000000001", &format!("i-{i:04}")),
            url: None,
            status: if i % 5 == 0 {
                EntityStatus::Pending
            } else {
                EntityStatus::Impaired
            },
            last_updated: mine.last_updated,
            tags: BTreeMap::new(),
        })
        .collect();
    for (e, accounts, ents) in [
        (public_east.clone(), vec![], vec![]),
        (public_west.clone(), vec![], vec![]),
        (global.clone(), vec![], vec![]),
        (
            mine.clone(),
            vec!["410000000001".to_string()],
            entities.clone(),
        ),
    ] {
        s.publish_health_event(publish(e, accounts, ents), vec![], audit_entry())
            .await
            .unwrap();
    }
    assert!(matches!(
        s.publish_health_event(
            publish(global.clone(), vec![], vec![]),
            vec![],
            audit_entry()
        )
        .await,
        Err(StoreError::AlreadyExists)
    ));
    // Only the account the event names is told of it, once; public events tell nobody.
    let told = s
        .claim_notices(t0, t0 + Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(
        told.iter()
            .map(|n| (n.about.clone(), n.subject_ref.clone()))
            .collect::<Vec<_>>(),
        [(
            tierdesk_store::NoticeSubject::Account("410000000001".into()),
            tierdesk_core::health::notice_ref(&mine.arn, mine.last_updated)
        )]
    );
    let arns =
        |p: &tierdesk_store::Page<Event>| p.items.iter().map(|e| e.arn.clone()).collect::<Vec<_>>();
    let viewer = |account: &str, regions: Option<&[&str]>| HealthViewer {
        accounts: vec![account.to_string()],
        regions: regions.map(|r| r.iter().map(|x| x.to_string()).collect()),
    };
    let q = |v: HealthViewer| HealthEventQuery {
        viewer: Some(v),
        limit: 10,
        ..Default::default()
    };
    let a_east = s
        .health_events(&q(viewer("410000000001", Some(&["us-east-1"]))))
        .await
        .unwrap();
    assert_eq!(
        arns(&a_east),
        [
            mine.arn.clone(),
            global.arn.clone(),
            public_east.arn.clone()
        ]
    );
    let b_all = s
        .health_events(&q(viewer("410000000002", None)))
        .await
        .unwrap();
    assert_eq!(
        arns(&b_all),
        [
            global.arn.clone(),
            public_west.arn.clone(),
            public_east.arn.clone()
        ]
    );
    assert_eq!(
        s.health_events(&HealthEventQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .items
        .len(),
        4
    );
    let first = s
        .health_events(&HealthEventQuery {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(first.more);
    let last = first.items.last().unwrap();
    let rest = s
        .health_events(&HealthEventQuery {
            limit: 2,
            after: Some((
                tierdesk_core::time::to_micros(last.last_updated),
                last.arn.clone(),
            )),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!rest.more);
    assert_eq!(
        [arns(&first), arns(&rest)].concat(),
        [
            mine.arn.clone(),
            global.arn.clone(),
            public_west.arn.clone(),
            public_east.arn.clone()
        ]
    );
    let ranged = s
        .health_events(&HealthEventQuery {
            start_times: vec![TimeRange {
                from: Some(t0 + Duration::from_secs(120)),
                to: Some(t0 + Duration::from_secs(180)),
            }],
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(arns(&ranged), [global.arn.clone(), public_west.arn.clone()]);
    let by_entity = s
        .health_events(&HealthEventQuery {
            viewer: Some(viewer("410000000002", None)),
            entity_values: vec!["i-0001".into()],
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_entity.items.is_empty());
    let counts = s
        .health_event_counts(&q(viewer("410000000001", None)))
        .await
        .unwrap();
    assert_eq!(counts, [(Category::Issue, 4)]);

    // Entities page by (event, account, value) and count by status.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .health_entities(&HealthEntityQuery {
                event_arns: vec![mine.arn.clone()],
                accounts: Some(vec!["410000000001".into()]),
                after: after.clone(),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|e| e.value.clone()));
        let Some(l) = page.items.last() else { break };
        after = Some((l.event_arn.clone(), l.account_id.clone(), l.value.clone()));
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), 250);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let counts = s
        .health_entity_counts(
            std::slice::from_ref(&mine.arn),
            Some(&["410000000001".to_string()]),
        )
        .await
        .unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.status, c.count))
            .collect::<Vec<_>>(),
        [(EntityStatus::Impaired, 200), (EntityStatus::Pending, 50)]
    );
    let later = t0 + Duration::from_secs(3600);
    let mut resolved = entities[0].clone();
    resolved.status = EntityStatus::Resolved;
    resolved.last_updated = later;
    let first = tierdesk_core::health::notice_ref(&mine.arn, mine.last_updated);
    assert!(!s.later_health_notice("410000000001", &first).await.unwrap());
    s.put_health_entities(
        &mine.arn,
        vec![resolved],
        later,
        Some(tierdesk_store::NewNotice {
            kind: tierdesk_core::notice::NoticeKind::HealthEvent,
            due: later,
        }),
        audit_entry(),
    )
    .await
    .unwrap();
    // The account whose resource changed has news of a later change; no one else does.
    assert!(s.later_health_notice("410000000001", &first).await.unwrap());
    assert!(!s.later_health_notice("410000000002", &first).await.unwrap());
    let other_event = tierdesk_core::health::notice_ref(&public_east.arn, mine.last_updated);
    assert!(
        !s.later_health_notice("410000000001", &other_event)
            .await
            .unwrap()
    );
    let counts = s
        .health_entity_counts(std::slice::from_ref(&mine.arn), None)
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<i64>(), 250);
    assert!(
        counts
            .iter()
            .any(|c| c.status == EntityStatus::Resolved && c.count == 1)
    );

    // Tags: given ones replace an entity's, none keeps them; filters ask for every tag
    // of one of their sets, on entities and on the events they affect.
    let tag = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut web = entities[1].clone();
    web.tags = tag(&[("team", "web"), ("env", "prod")]);
    let mut db = entities[2].clone();
    db.tags = tag(&[("team", "db"), ("env", "prod")]);
    let mut stale = entities[3].clone();
    stale.tags = tag(&[("team", "gone")]);
    s.put_health_entities(&mine.arn, vec![web, db, stale], later, None, audit_entry())
        .await
        .unwrap();
    let mut retagged = entities[3].clone();
    retagged.tags = tag(&[("team", "web")]);
    let mut untouched = entities[1].clone();
    untouched.status = EntityStatus::Pending;
    s.put_health_entities(
        &mine.arn,
        vec![retagged, untouched],
        later,
        None,
        audit_entry(),
    )
    .await
    .unwrap();
    let tagged = |sets: Vec<BTreeMap<String, String>>| {
        let s = s.clone();
        let arn = mine.arn.clone();
        async move {
            s.health_entities(&HealthEntityQuery {
                event_arns: vec![arn],
                tags: sets,
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| (e.value, e.status, e.tags.len()))
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        tagged(vec![tag(&[("team", "web")])]).await,
        [
            ("i-0001".to_string(), EntityStatus::Pending, 2),
            ("i-0003".to_string(), EntityStatus::Impaired, 1)
        ]
    );
    assert_eq!(
        tagged(vec![
            tag(&[("team", "web"), ("env", "prod")]),
            tag(&[("team", "db")])
        ])
        .await
        .len(),
        2
    );
    assert!(tagged(vec![tag(&[("team", "gone")])]).await.is_empty());
    assert!(tagged(vec![tag(&[("team", "WEB")])]).await.is_empty());
    assert_eq!(tagged(vec![BTreeMap::new()]).await.len(), 100);
    let by_tag = |viewer: Option<HealthViewer>| HealthEventQuery {
        viewer,
        tags: vec![tag(&[("team", "db")])],
        limit: 10,
        ..Default::default()
    };
    let found = s.health_events(&by_tag(None)).await.unwrap();
    assert_eq!(arns(&found), std::slice::from_ref(&mine.arn));
    let found = s
        .health_events(&by_tag(Some(viewer("410000000002", None))))
        .await
        .unwrap();
    assert!(found.items.is_empty(), "another account's tags matched");
    assert_eq!(
        s.health_events(&HealthEventQuery {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .items[0]
            .last_updated,
        later
    );

    // Revisions and status changes; a missing event changes nothing.
    let closed = s
        .update_health_event(
            &public_east.arn,
            HealthChange {
                status: Some(EventStatus::Closed),
                end: Some(Some(later)),
                description: Some("second".into()),
                notice: None,
            },
            later,
            Box::new(|_| vec![]),
            audit_entry(),
        )
        .await
        .unwrap();
    assert_eq!(
        (closed.status, closed.end),
        (EventStatus::Closed, Some(later))
    );
    let texts: Vec<String> = s
        .health_descriptions(&public_east.arn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(texts, ["first", "second"]);
    assert!(matches!(
        s.update_health_event(
            "arn:aws:health:x::event/A/B/C",
            HealthChange::default(),
            later,
            Box::new(|_| vec![]),
            audit_entry()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        s.put_health_entities(
            "arn:aws:health:x::event/A/B/C",
            entities[..1].to_vec(),
            later,
            None,
            audit_entry()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        s.health_event_accounts(&mine.arn).await.unwrap(),
        ["410000000001"]
    );

    // Regions and the organization view.
    assert_eq!(s.account_regions("410000000001").await.unwrap(), None);
    s.set_account_regions(
        "410000000001",
        vec!["us-east-1".into(), "eu-west-1".into()],
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(
        s.account_regions("410000000001").await.unwrap(),
        Some(vec!["us-east-1".to_string(), "eu-west-1".to_string()])
    );
    s.set_account_regions("410000000001", vec![], audit_entry())
        .await
        .unwrap();
    assert_eq!(s.account_regions("410000000001").await.unwrap(), None);
    s.set_health_organization("410000000001", Some(t0), audit_entry())
        .await
        .unwrap();
    s.set_health_organization("410000000001", Some(later), audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.health_organization("410000000001").await.unwrap(),
        Some(t0)
    );
    s.set_health_organization("410000000001", None, audit_entry())
        .await
        .unwrap();
    assert_eq!(s.health_organization("410000000001").await.unwrap(), None);
}

/// Trusted Advisor: an import keeps the inventory and its results in one transaction;
/// findings open when a resource is flagged and close when it no longer is (a result
/// that is not available moves none); suppressions; a refresh is one job per cooldown,
/// claimed by one caller.
async fn advisor_results_keep_their_findings_suppressions_and_refresh_jobs(s: Store) {
    use tierdesk_core::trusted_advisor::{CheckResult, ResultRow, Status};
    use tierdesk_store::{ResultSource, StoredInventory, StoredResult};
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-05-01T00:00:00Z");
    let hour = Duration::from_secs(3600);
    let row = |id: &str, status| ResultRow {
        resource_id: id.into(),
        key: format!("us-east-1|{id}"),
        status,
        region: Some("us-east-1".into()),
        metadata: vec![Some(id.into()), None],
        savings: rust_decimal::Decimal::new(365, 2),
    };
    let result = |at, available, rows: Vec<ResultRow>| StoredResult {
        result: CheckResult {
            check_id: "Z4AUBRNSmz".into(),
            at,
            available,
            processed: rows.len() as u64,
            ignored: 0,
            rows,
        },
        source: ResultSource::Inventory,
    };
    let inv = StoredInventory {
        imported: t0,
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        files: 42,
        facts: "[]".into(),
    };
    s.replace_inventory(
        acct,
        inv.clone(),
        Box::new(std::iter::once((
            result(
                t0,
                true,
                vec![row("a", Status::Warning), row("b", Status::Ok)],
            ),
            Vec::new(),
        ))),
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(s.inventory(acct).await.unwrap(), Some(inv));
    let (_, regions, files) = s.inventory_summary(acct).await.unwrap().unwrap();
    assert_eq!((regions.len(), files), (2, 42));
    let got = s.result(acct, "Z4AUBRNSmz").await.unwrap().unwrap();
    assert_eq!(got.result.rows[0], row("a", Status::Warning));
    assert_eq!(s.results(acct).await.unwrap().len(), 1);
    // A large result is kept in chunks and read back whole, in order.
    let many: Vec<ResultRow> = (0..2500)
        .map(|i| row(&format!("r{i:04}"), Status::Ok))
        .collect();
    s.save_results(
        acct,
        vec![StoredResult {
            result: CheckResult {
                check_id: "HCP4007jGY".into(),
                at: t0,
                available: true,
                processed: 2500,
                ignored: 0,
                rows: many.clone(),
            },
            source: ResultSource::Inventory,
        }],
        Vec::new(),
        None,
        None,
    )
    .await
    .unwrap();
    let back = s.result(acct, "HCP4007jGY").await.unwrap().unwrap();
    assert_eq!(back.result.rows, many);
    assert_eq!(s.results(acct).await.unwrap().len(), 2);
    // Not available: says nothing of the resources, so the finding stays open.
    s.save_results(
        acct,
        vec![result(t0 + hour, false, vec![])],
        Vec::new(),
        None,
        None,
    )
    .await
    .unwrap();
    let f = s.findings(acct, "Z4AUBRNSmz").await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].resource_id.as_str(), f[0].resolved), ("a", None));
    // A new finding opens, the old one closes.
    // With the events of what changed, for the webhooks that take them, each once.
    assert!(!s.webhook_takes("advisor.check-item").await.unwrap());
    s.insert_webhook(
        Webhook {
            id: "wh-advisor".into(),
            url: "http://127.0.0.1:9/hook".into(),
            events: vec!["advisor.check-item".into()],
            secret_ciphertext: vec![9; 40],
            created: t0,
            disabled: None,
        },
        audit_entry(),
    )
    .await
    .unwrap();
    assert!(s.webhook_takes("advisor.check-item").await.unwrap());
    assert!(!s.webhook_takes("sla.breach").await.unwrap());
    let event = |key: &str| tierdesk_store::WebhookEvent {
        key: key.into(),
        event_type: "advisor.check-item".into(),
        payload: format!("{{\"k\":\"{key}\"}}"),
    };
    let events: Vec<_> = (0..700).map(|i| event(&format!("e{i}"))).collect();
    s.save_results(
        acct,
        vec![result(t0 + hour * 2, true, vec![row("c", Status::Error)])],
        events.clone(),
        None,
        None,
    )
    .await
    .unwrap();
    // The same change written again (another replica): queued once.
    s.save_results(
        acct,
        vec![result(t0 + hour * 2, true, vec![row("c", Status::Error)])],
        vec![event("e1"), event("sla-type-only")]
            .into_iter()
            .map(|mut e| {
                if e.key == "sla-type-only" {
                    e.event_type = "sla.breach".into();
                }
                e
            })
            .collect(),
        None,
        None,
    )
    .await
    .unwrap();
    let mut queued = Vec::new();
    loop {
        let batch = s
            .claim_deliveries(t0 + hour * 3, t0 + hour * 4, 500)
            .await
            .unwrap();
        if batch.is_empty() {
            break;
        }
        queued.extend(batch);
    }
    assert_eq!(
        queued.len(),
        700,
        "one delivery per event, none for other types"
    );
    assert!(queued.iter().all(|d| d.webhook_id == "wh-advisor"));
    let f = s.findings(acct, "Z4AUBRNSmz").await.unwrap();
    let by_id: Vec<(&str, bool)> = f
        .iter()
        .map(|f| (f.resource_id.as_str(), f.resolved.is_some()))
        .collect();
    assert_eq!(by_id, [("c", false), ("a", true)]);
    assert_eq!(f[1].resolved, Some(t0 + hour * 2));
    // The newest changes first, at most as many as asked.
    let recent = s.recent_findings(acct, "Z4AUBRNSmz", 1).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(
        recent[0].resource_id, "a",
        "fixed at t0 + 2h, the same instant c opened"
    );
    assert_eq!(
        s.recent_findings(acct, "Z4AUBRNSmz", 10)
            .await
            .unwrap()
            .len(),
        2
    );

    // At a glance: one red open, one opened and one fixed since t0 + 1h (a opened before).
    let glance = s.advisor_overview(t0 + hour).await.unwrap();
    assert_eq!(glance.len(), 1);
    let g = &glance[0];
    assert_eq!(
        (
            g.account_id.as_str(),
            g.imported,
            g.red,
            g.yellow,
            g.opened,
            g.fixed
        ),
        (acct, Some(t0), 1, 0, 1, 1)
    );
    let changes = s.advisor_changes(t0 + hour, None, 10).await.unwrap();
    let said: Vec<(&str, &str, bool)> = changes
        .iter()
        .map(|(a, f)| (a.as_str(), f.resource_id.as_str(), f.resolved.is_some()))
        .collect();
    // Both changed at t0 + 2h; then by resource.
    assert_eq!(said, [(acct, "a", true), (acct, "c", false)]);
    assert_eq!(
        s.advisor_changes(t0 + hour, None, 1).await.unwrap().len(),
        1
    );
    assert!(
        s.advisor_changes(t0 + hour * 3, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mine = [acct.to_string()];
    assert_eq!(
        s.advisor_changes(t0 + hour, Some(&mine), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    let other = ["999999999999".to_string()];
    assert!(
        s.advisor_changes(t0 + hour, Some(&other), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.advisor_changes(t0 + hour, Some(&[]), 10)
            .await
            .unwrap()
            .is_empty()
    );

    s.set_suppressed(
        acct,
        "Z4AUBRNSmz",
        vec!["c".into()],
        true,
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    s.set_suppressed(
        acct,
        "Z4AUBRNSmz",
        vec!["c".into()],
        true,
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(
        s.suppressions(acct).await.unwrap(),
        [("Z4AUBRNSmz".to_string(), "c".to_string())]
    );
    // A suppressed finding is not counted open.
    assert_eq!(s.advisor_overview(t0).await.unwrap()[0].red, 0);
    s.set_suppressed(
        acct,
        "Z4AUBRNSmz",
        vec!["c".into()],
        false,
        t0,
        audit_entry(),
    )
    .await
    .unwrap();
    assert!(s.suppressions(acct).await.unwrap().is_empty());

    // Refresh: a job, the same job within the cooldown, a new one after.
    let job = s
        .request_refresh(acct, "Pfx0RwqBli", t0, hour)
        .await
        .unwrap();
    assert_eq!((job.requested, job.started), (t0, None));
    let same = s
        .request_refresh(acct, "Pfx0RwqBli", t0 + hour / 2, hour)
        .await
        .unwrap();
    assert_eq!(same.requested, t0);
    let (a, b) = tokio::join!(
        s.claim_refreshes(t0, t0 - hour, 10),
        s.claim_refreshes(t0, t0 - hour, 10)
    );
    let claimed = [a.unwrap(), b.unwrap()].concat();
    assert_eq!(claimed.len(), 1, "one caller takes it");
    assert!(
        s.claim_refreshes(t0, t0 - hour, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Taken and never finished: another caller takes it over once it is stale.
    let over = s
        .claim_refreshes(t0 + hour, t0 + Duration::from_secs(1), 10)
        .await
        .unwrap();
    assert_eq!(over.len(), 1);
    s.finish_refresh(&over[0], true, t0 + hour).await.unwrap();
    let jobs = s.refreshes(acct).await.unwrap();
    assert_eq!(
        (jobs[0].succeeded, jobs[0].finished),
        (Some(true), Some(t0 + hour))
    );
    let next = s
        .request_refresh(acct, "Pfx0RwqBli", t0 + hour * 2, hour)
        .await
        .unwrap();
    assert_eq!((next.requested, next.finished), (t0 + hour * 2, None));
    assert_eq!(
        s.stale_advisor_accounts(t0 + hour * 3).await.unwrap(),
        [acct.to_string()]
    );
    assert!(s.stale_advisor_accounts(t0).await.unwrap().is_empty());
}

/// People's own webhooks: one active each (setting another replaces it and drops what it
/// had not delivered), never among the operators' endpoints or SLA fan-out, and a
/// delivery queued twice for one event is one delivery.
async fn a_person_has_one_webhook_and_each_notice_reaches_it_once(s: Store) {
    use tierdesk_store::NewDelivery;
    let t0 = at("2026-05-01T00:00:00Z");
    let hook = |id: &str| Webhook {
        id: id.into(),
        url: format!("https://hooks.example.com/{id}"),
        events: vec!["notice".into()],
        secret_ciphertext: vec![7; 40],
        created: t0,
        disabled: None,
    };
    assert!(matches!(
        s.set_person_webhook("kim@acme.example", None, t0, audit_entry())
            .await,
        Err(StoreError::NotFound)
    ));
    s.set_person_webhook("kim@acme.example", Some(hook("wh-1")), t0, audit_entry())
        .await
        .unwrap();
    let delivery = |webhook: &str, key: &str| NewDelivery {
        webhook_id: webhook.into(),
        event_key: key.into(),
        event_type: "case.opened".into(),
        payload: "{}".into(),
    };
    s.queue_deliveries(
        vec![delivery("wh-1", "notice-1"), delivery("wh-1", "notice-1")],
        t0,
    )
    .await
    .unwrap();
    s.queue_deliveries(vec![delivery("wh-1", "notice-1")], t0)
        .await
        .unwrap();
    let (_, stats) = s.person_webhook("kim@acme.example").await.unwrap().unwrap();
    assert_eq!(stats.pending, 1);
    // Replaced: the old one's undelivered message goes with it.
    s.set_person_webhook("kim@acme.example", Some(hook("wh-2")), t0, audit_entry())
        .await
        .unwrap();
    assert_eq!(
        s.person_webhooks().await.unwrap(),
        [("kim@acme.example".to_string(), "wh-2".to_string())]
    );
    let (now, stats) = s.person_webhook("kim@acme.example").await.unwrap().unwrap();
    assert_eq!((now.id.as_str(), stats.pending), ("wh-2", 0));
    assert!(
        s.webhooks().await.unwrap().is_empty(),
        "the operators' list"
    );
    s.queue_deliveries(vec![delivery("wh-2", "notice-2")], t0)
        .await
        .unwrap();
    let claimed = s
        .claim_deliveries(t0, t0 + Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].owner.as_deref(), Some("kim@acme.example"));
    s.set_person_webhook("kim@acme.example", None, t0, audit_entry())
        .await
        .unwrap();
    assert!(s.person_webhooks().await.unwrap().is_empty());
}

/// A reply's notice is named by the reply's id, which the store reads in the reply's own
/// call (`NoticeRef::NewMessage`): also when replies to several cases share a commit.
async fn a_replys_notice_names_that_reply(s: Store) {
    use tierdesk_core::notice::NoticeKind;
    use tierdesk_store::NewNotice;
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-05-01T00:00:00Z");
    let mut cases = Vec::new();
    for i in 0..4 {
        cases.push(
            s.create_case(new_case(acct, i, t0), audit_entry())
                .await
                .unwrap(),
        );
    }
    let replies = cases.iter().map(|c| {
        let mut m = message(acct, &c.case_id, true, t0 + Duration::from_secs(60));
        m.notice = Some(NewNotice {
            kind: NoticeKind::SupportReplied,
            due: t0,
        });
        s.add_communication(m, audit_entry())
    });
    for done in futures_util::future::join_all(replies).await {
        done.unwrap();
    }
    let claimed = s
        .claim_notices(t0, t0 + Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    for c in &cases {
        let messages = messages_of(&s, acct, &c.case_id).await;
        let reply = messages.iter().find(|m| m.from_support).unwrap();
        let notice = claimed
            .iter()
            .find(|n| n.about == tierdesk_store::NoticeSubject::Case(c.display_id))
            .unwrap();
        assert_eq!(
            notice.subject_ref,
            reply.id.to_string(),
            "case {}",
            c.display_id
        );
    }
}

/// The mail outbox: a notice written with its event, claimed by one caller until its
/// lease lapses, settled only under the lease, with the Message-IDs accepted kept across
/// attempts; a retry waits for its time; the backlog gauge counts what is unsent.
async fn mail_notices_are_claimed_once_and_settled_under_their_lease(s: Store) {
    use tierdesk_core::notice::NoticeKind;
    use tierdesk_store::{NewNotice, NoticeOutcome};
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-05-01T00:00:00Z");
    let min = Duration::from_secs(60);
    let mut c = new_case(acct, 1, t0);
    c.notice = Some(NewNotice {
        kind: NoticeKind::CaseOpened,
        due: t0,
    });
    let case = s.create_case(c, audit_entry()).await.unwrap();
    // A reminder not yet due, written with its status change.
    s.set_status(
        StatusChange {
            display_id: case.display_id,
            status: CaseStatus::PendingCustomerAction,
            at: t0,
            notice: Some(NewNotice {
                kind: NoticeKind::PendingReminder,
                due: t0 + min * 60,
            }),
        },
        audit_entry(),
    )
    .await
    .unwrap();
    assert_eq!(s.service_gauges(t0).await.unwrap().mail_backlog, 2);

    let claimed = s.claim_notices(t0, t0 + min, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let n = &claimed[0];
    assert_eq!(
        (n.kind, &n.about, n.subject_ref.as_str()),
        (
            NoticeKind::CaseOpened,
            &tierdesk_store::NoticeSubject::Case(case.display_id),
            ""
        )
    );
    // Claimed: nobody else gets it until the lease lapses.
    assert!(s.claim_notices(t0, t0 + min, 10).await.unwrap().is_empty());
    let again = s.claim_notices(t0 + min, t0 + min * 2, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    // The first claim is stale: settling under it changes nothing.
    assert!(matches!(
        s.settle_notice(n, vec!["<a@x>".into()], NoticeOutcome::Sent, t0)
            .await,
        Err(StoreError::NotFound)
    ));
    let failed = NoticeOutcome::Failed {
        error: "450 later".into(),
        retry_at: Some(t0 + min * 5),
    };
    s.settle_notice(&again[0], vec!["<a@x>".into()], failed, t0 + min)
        .await
        .unwrap();
    assert!(
        s.claim_notices(t0 + min * 4, t0 + min * 9, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retry = s
        .claim_notices(t0 + min * 5, t0 + min * 9, 10)
        .await
        .unwrap();
    assert_eq!(retry[0].sent_ids, ["<a@x>"]);
    assert_eq!(retry[0].attempts, 1);
    s.settle_notice(
        &retry[0],
        vec!["<b@x>".into()],
        NoticeOutcome::Sent,
        t0 + min * 5,
    )
    .await
    .unwrap();
    let gauges = s.service_gauges(t0 + min * 5).await.unwrap();
    assert_eq!(gauges.mail_backlog, 1, "the reminder waits");
    assert_eq!(gauges.mail_oldest_due, None);
    let reminder = s
        .claim_notices(t0 + min * 60, t0 + min * 61, 10)
        .await
        .unwrap();
    assert_eq!(reminder[0].kind, NoticeKind::PendingReminder);
    assert_eq!(
        reminder[0].subject_ref,
        tierdesk_core::time::to_micros(t0).to_string()
    );
    s.settle_notice(&reminder[0], Vec::new(), NoticeOutcome::Sent, t0 + min * 60)
        .await
        .unwrap();
    // Setting the same status again writes no second notice.
    s.set_status(
        StatusChange {
            display_id: case.display_id,
            status: CaseStatus::PendingCustomerAction,
            at: t0 + min,
            notice: Some(NewNotice {
                kind: NoticeKind::PendingReminder,
                due: t0,
            }),
        },
        audit_entry(),
    )
    .await
    .unwrap();
    assert!(
        s.claim_notices(t0 + min * 70, t0 + min * 71, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Mail in: a message keeps its mail's Message-ID, and a second one with it is refused in
/// its transaction (nothing of it stays); what came is recorded, the raw message only
/// when kept.
async fn mail_in_is_stored_once_per_message_id_and_recorded(s: Store) {
    use tierdesk_store::InboundRecord;
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-05-01T00:00:00Z");
    let case = s
        .create_case(new_case(acct, 2, t0), audit_entry())
        .await
        .unwrap();
    let mut m = message(acct, &case.case_id, false, t0);
    m.mail_message_id = Some("<m1@client.example>".into());
    m.cc_emails = vec!["new@example.com".into(), "A@example.com".into()];
    s.add_communication(m.clone(), audit_entry()).await.unwrap();
    assert!(s.mail_received("<m1@client.example>").await.unwrap());
    assert!(!s.mail_received("<m2@client.example>").await.unwrap());
    m.body = "the same mail again".into();
    assert!(matches!(
        s.add_communication(m, audit_entry()).await,
        Err(StoreError::AlreadyReceived)
    ));
    let after = s.case(acct, &case.case_id).await.unwrap().unwrap();
    assert_eq!(
        after.cc_emails,
        ["a@example.com", "b@example.com", "new@example.com"]
    );
    let messages = messages_of(&s, acct, &case.case_id).await;
    assert_eq!(messages.len(), 2, "the opening and the one mail");

    let record = |outcome: &str, raw: Option<Vec<u8>>| InboundRecord {
        id: 0,
        received: t0,
        outcome: outcome.into(),
        reason: "why".into(),
        sender: "x@example.com".into(),
        subject: "s".into(),
        message_id: "<r@x>".into(),
        case_id: None,
        raw,
    };
    let kept = s
        .record_inbound(record("refused", Some(b"raw mail".to_vec())))
        .await
        .unwrap();
    s.record_inbound(record("stored", None)).await.unwrap();
    let refused = s.inbound_mail(Some("refused"), 10).await.unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].raw, None, "lists leave the raw message out");
    assert_eq!(s.inbound_mail(None, 10).await.unwrap().len(), 2);
    assert_eq!(
        s.inbound(kept).await.unwrap().unwrap().raw.as_deref(),
        Some(&b"raw mail"[..])
    );
}

/// A text search over many cases: the newest first and exact, whether the engine reads the
/// newest cases' messages first (SQLite, past 20,000 cases) or all of them.
async fn a_search_over_many_cases_is_newest_first_and_exact(s: Store) {
    use futures_util::stream::{self, StreamExt};
    let acct = "111111111111";
    with_account(&s, acct).await;
    let t0 = at("2026-03-01T00:00:00Z");
    const CASES: u32 = 20_100;
    // Every third case holds a common word, five a rare one; written 32 at a time, so the
    // cases' numbers and their opening times are not quite in the same order.
    let words = |n: u32| match (n % 3, n % 5_000) {
        (_, 1) => "needle",
        (0, _) => "haystack",
        _ => "straw",
    };
    stream::iter(0..CASES)
        .map(|n| {
            let s = s.clone();
            async move {
                let mut c = new_case(acct, n, t0 + Duration::from_millis(u64::from(n)));
                c.body = format!("{} in the logs", words(n));
                c.targets.clear();
                s.create_case(c, audit_entry()).await.unwrap();
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    let page = |word: &'static str, cursor: Option<(i64, i64)>| {
        let s = s.clone();
        async move {
            let q = CaseQuery {
                search: Some(word.into()),
                with_internal: true,
                cursor,
                limit: 10,
                ..query(acct)
            };
            s.cases(&q).await.unwrap()
        }
    };
    let expected = |word: &str| -> Vec<String> {
        let mut n: Vec<u32> = (0..CASES).filter(|n| words(*n) == word).collect();
        n.sort_unstable_by(|a, b| b.cmp(a));
        n.into_iter().map(|n| format!("subject {n}")).collect()
    };
    let subjects = |p: &tierdesk_store::Page<Case>| {
        p.items
            .iter()
            .map(|c| c.subject.clone())
            .collect::<Vec<_>>()
    };
    // The first two pages of a word six thousand cases hold, then of a word five hold.
    let first = page("haystack", None).await;
    assert!(first.more);
    assert_eq!(subjects(&first), expected("haystack")[..10]);
    let last = first.items.last().unwrap();
    let second = page(
        "haystack",
        Some((last.created.as_microsecond(), last.display_id)),
    )
    .await;
    assert_eq!(subjects(&second), expected("haystack")[10..20]);
    let rare = page("needle", None).await;
    assert!(!rare.more);
    assert_eq!(subjects(&rare), expected("needle"));
}

/// Nothing edits an entry: the schema itself refuses an UPDATE of the audit log, on both
/// engines, whatever the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_refuses_updates() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = ScratchDb::on(engine, "append").await else {
            continue;
        };
        let s = db.store().await;
        with_account(&s, "111111111111").await;
        let sql = "UPDATE audit_log SET detail = 'rewritten'";
        let refused = match engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(db.url()).await.unwrap();
                sqlx::query(sql).execute(&pool).await.err()
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
                sqlx::query(sql).execute(&pool).await.err()
            }
        };
        let e = refused.expect("an UPDATE of the audit log must fail");
        assert!(e.to_string().contains("append-only"), "{e}");
        let log = s
            .audit(&AuditQuery {
                limit: 10,
                ..AuditQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(log.items[0].detail, "");
    }
}

/// Migration 17 indexes the messages stored before it: with the index dropped and the
/// migration forgotten, opening the store again rebuilds it from the messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_index_is_built_for_messages_stored_before_it() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(db) = ScratchDb::on(engine, "backfill").await else {
            continue;
        };
        let s = db.store().await;
        with_account(&s, "111111111111").await;
        let mut c = new_case("111111111111", 1, at("2026-04-01T00:00:00Z"));
        c.case.subject = "データベースの接続が切れる".into();
        let made = s.create_case(c, audit_entry()).await.unwrap();
        let mut later = message(
            "111111111111",
            &made.case_id,
            false,
            at("2026-04-01T01:00:00Z"),
        );
        later.body = "Still failing after the reboot".into();
        s.add_communication(later, audit_entry()).await.unwrap();
        drop(s);
        let forget = [
            "DROP TABLE case_text",
            "DELETE FROM schema_migrations WHERE version = 17",
        ];
        match engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(db.url()).await.unwrap();
                for sql in forget {
                    sqlx::query(sql).execute(&pool).await.unwrap();
                }
                pool.close().await;
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
                for sql in forget {
                    sqlx::query(sql).execute(&pool).await.unwrap();
                }
                pool.close().await;
            }
        }
        let s = db.store().await;
        for words in ["接続", "reboot データベース", "x@example.com"] {
            let q = CaseQuery {
                search: Some(words.into()),
                ..query("111111111111")
            };
            assert_eq!(
                s.cases(&q).await.unwrap().items.len(),
                1,
                "{engine:?}: {words}"
            );
        }
    }
}
