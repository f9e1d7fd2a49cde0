//! The SLA engine end to end through the use cases: targets starting and stopping as
//! customers and agents write, the breach worker's warnings and breaches (once, across
//! restarts and replicas, within a second of the deadline), escalations and reports.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tierdesk_app::accounts::NewAccount;
use tierdesk_app::actor::Actor;
use tierdesk_app::agents::NewAgent;
use tierdesk_app::auth::Caller;
use tierdesk_app::cases::{CreateCase, Message};
use tierdesk_app::error::Refusal;
use tierdesk_app::reports::ReportFilter;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::catalog::{Source, TargetKind};
use tierdesk_core::clock::ManualClock;
use tierdesk_core::records::{Agent, Case, SlaEventKind};
use tierdesk_testkit::{ScratchDb, api_caller, app_on};

/// An app with the shipped catalogs and the example operator's (next replies, updates).
pub(crate) async fn app(url: &str, clock: Arc<ManualClock>) -> App {
    let acme = Source {
        name: "catalogs/examples/acme.toml",
        text: include_str!("../../../../catalogs/examples/acme.toml"),
    };
    app_on(url, clock, &[acme]).await
}

pub(crate) async fn customer(app: &App, id: &str, plan: &str, tz: &str) -> Caller {
    app.create_account(
        &tierdesk_testkit::operator(),
        NewAccount {
            timezone: tz.into(),
            country: "DE".into(),
            ..tierdesk_testkit::account(id, plan)
        },
    )
    .await
    .unwrap();
    api_caller(app, id).await
}

async fn open_case(app: &App, caller: &Caller, severity: &str) -> Case {
    app.create_case(
        caller,
        &tierdesk_testkit::operator(),
        CreateCase {
            subject: Some(format!("{severity} trouble")),
            communication_body: Some("it is down".into()),
            severity_code: Some(severity.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

pub(crate) async fn agent(app: &App, email: &str) -> Agent {
    app.create_agent(
        &tierdesk_testkit::operator(),
        NewAgent {
            email: email.into(),
            name: "Ada Support".into(),
            languages: vec!["en".into()],
            role: "agent".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .agent
}

/// A reply (or, `internal`, a note) from `agent`.
async fn support_says(
    app: &App,
    agent: &Agent,
    case_id: &str,
    text: &str,
    internal: bool,
) -> Result<(), ServiceError> {
    let message = Message {
        case_id: Some(case_id.into()),
        body: Some(text.into()),
        internal,
        ..Message::default()
    };
    app.post_message(Actor::Agent(agent), &tierdesk_testkit::operator(), message)
        .await
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warning_then_breach_once_across_a_restart_then_follow_ups() {
    let db = ScratchDb::sqlite("sla");
    let url = db.url().to_string();
    // Monday 23 November 2026, 10:00 in Berlin.
    let t0 = t("2026-11-23T09:00:00Z");
    let clock = Arc::new(ManualClock::new(t0));
    let app1 = app(&url, clock.clone()).await;
    let caller = customer(&app1, "100000000001", "acme.gold", "Europe/Berlin").await;
    // Urgent on Gold: 30 minutes, 24x7; the warning at 75% (22.5 minutes).
    let case = open_case(&app1, &caller, "urgent").await;
    let promise = case.first_response.clone().unwrap();
    assert_eq!(promise.due, t0 + minutes(30));
    assert_eq!(app1.sla_tick().await.unwrap().recorded, 0);

    clock.set(t0 + minutes(23));
    assert_eq!(app1.sla_tick().await.unwrap().recorded, 1);
    assert_eq!(app1.sla_tick().await.unwrap().recorded, 0);
    // A restart (a new process on the same database) finds nothing left to do.
    drop(app1);
    let app2 = app(&url, clock.clone()).await;
    let ada = agent(&app2, "ada@support.example.com").await;
    assert_eq!(app2.sla_tick().await.unwrap().recorded, 0);

    clock.set(t0 + minutes(31));
    assert_eq!(app2.sla_tick().await.unwrap().recorded, 1);
    assert_eq!(app2.sla_tick().await.unwrap(), Default::default());
    let sla = app2.case_sla(&ada, &case.case_id).await.unwrap();
    let events: Vec<_> = sla.events.iter().map(|e| (e.kind, e.at)).collect();
    assert_eq!(
        events,
        [
            (
                SlaEventKind::Warning,
                t0 + Duration::from_secs(22 * 60 + 30)
            ),
            (SlaEventKind::Breach, t0 + minutes(30)),
        ]
    );
    assert!(sla.breached());

    // The agent answers (late): the first response is met, Gold's 2-hour update starts.
    clock.set(t0 + minutes(40));
    support_says(&app2, &ada, &case.case_id, "Looking at it now.", false)
        .await
        .unwrap();
    let sla = app2.case_sla(&ada, &case.case_id).await.unwrap();
    let running = sla.running().unwrap();
    assert_eq!(
        (running.kind, running.due),
        (TargetKind::Update, t0 + minutes(160))
    );
    assert_eq!(sla.case.responded, Some(t0 + minutes(40)));
    // The customer writes back: a one-hour next reply is owed.
    clock.set(t0 + minutes(50));
    app2.post_message(
        Actor::Customer(&caller),
        &tierdesk_testkit::operator(),
        Message {
            case_id: Some(case.case_id.clone()),
            body: Some("Any news?".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sla = app2.case_sla(&ada, &case.case_id).await.unwrap();
    let running = sla.running().unwrap();
    assert_eq!(
        (running.kind, running.due),
        (TargetKind::NextReply, t0 + minutes(110))
    );
    // An internal note meets nothing; the customer never sees it.
    support_says(
        &app2,
        &ada,
        &case.case_id,
        "Customer is on the old SDK.",
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        app2.case_sla(&ada, &case.case_id)
            .await
            .unwrap()
            .running()
            .map(|t| t.kind),
        Some(TargetKind::NextReply)
    );
    let conversation = app2
        .case_conversation(&ada, &tierdesk_testkit::operator(), &case.case_id)
        .await
        .unwrap();
    assert_eq!(conversation.len(), 4);
    assert!(conversation[3].internal);
    let (customer_view, _) = app2
        .describe_communications(
            &caller,
            tierdesk_app::cases::DescribeCommunications {
                case_id: Some(case.case_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(customer_view.len(), 3);
    assert!(
        customer_view
            .iter()
            .any(|m| m.from_support && m.submitted_by == "Ada Support (support)")
    );
    // Resolving stops every clock: no further events, ever.
    app2.set_case_status(
        &ada,
        &tierdesk_testkit::operator(),
        &case.case_id,
        Some("resolved"),
    )
    .await
    .unwrap();
    clock.set(t0 + minutes(60 * 24 * 7));
    assert_eq!(app2.sla_tick().await.unwrap(), Default::default());

    // The report counts the breach and the late answer, in clock and business time.
    let report = app2
        .sla_report(&ReportFilter::period(
            t0.to_zoned(jiff::tz::TimeZone::UTC).date(),
            t0.to_zoned(jiff::tz::TimeZone::UTC).date(),
        ))
        .await
        .unwrap();
    assert_eq!(report.len(), 1);
    let line = &report[0];
    assert_eq!(
        (line.plan_severity().0, line.plan_severity().1, line.cases),
        ("acme.gold", "urgent", 1)
    );
    assert_eq!(
        (line.answered, line.within_target, line.breaches),
        (1, 0, 1)
    );
    assert_eq!(line.within_target_share, Some(0.0));
    assert_eq!(line.median_clock_seconds, Some(40 * 60));
    assert_eq!(line.median_business_seconds, Some(40 * 60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours_targets_warn_and_report_in_business_time() {
    let db = ScratchDb::sqlite("sla");
    let url = db.url().to_string();
    // Friday 20 November 2026, 17:00 in Berlin: half an hour before Acme's desk closes.
    let t0 = t("2026-11-20T16:00:00Z");
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(&url, clock.clone()).await;
    let caller = customer(&app, "100000000002", "acme.gold", "Europe/Berlin").await;
    // High: 2 business hours, 09:00-17:30 on weekdays. 30 minutes on Friday, 90 on
    // Monday: due Monday 10:30; the warning at 90 business minutes, Monday 10:00.
    let case = open_case(&app, &caller, "high").await;
    let monday = t("2026-11-23T08:00:00Z");
    assert_eq!(
        case.first_response.as_ref().unwrap().due,
        monday + minutes(90)
    );
    clock.set(t("2026-11-22T12:00:00Z"));
    assert_eq!(
        app.sla_tick().await.unwrap().recorded,
        0,
        "the weekend does not count"
    );
    clock.set(monday + minutes(61));
    assert_eq!(app.sla_tick().await.unwrap().recorded, 1);
    let ada = agent(&app, "ada@support.example.com").await;
    let sla = app.case_sla(&ada, &case.case_id).await.unwrap();
    assert_eq!(sla.events[0].at, monday + minutes(60));
    assert_eq!(sla.business_seconds_left, Some(29 * 60));
    support_says(&app, &ada, &case.case_id, "On it.", false)
        .await
        .unwrap();
    clock.set(monday + minutes(600));
    assert_eq!(app.sla_tick().await.unwrap().recorded, 0);
    let report = app
        .sla_report(&ReportFilter {
            cases: tierdesk_store::CaseSlice {
                account: Some("100000000002".into()),
                plan: Some("acme.gold".into()),
                ..Default::default()
            },
            ..ReportFilter::period("2026-11-20".parse().unwrap(), "2026-11-20".parse().unwrap())
        })
        .await
        .unwrap();
    let line = &report[0];
    assert_eq!((line.within_target, line.breaches), (1, 0));
    // Answered Monday 10:01: 2 days 17h01m on the wall clock, 91 minutes of desk time.
    assert_eq!(line.median_clock_seconds, Some((2 * 24 + 17) * 3600 + 60));
    assert_eq!(line.median_business_seconds, Some(91 * 60));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_escalations_use_the_monthly_quota() {
    let db = ScratchDb::sqlite("sla");
    let url = db.url().to_string();
    let t0 = t("2026-11-23T01:00:00Z");
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(&url, clock.clone()).await;
    // Alibaba Cloud Business (monthly version): 10 escalations a month, answered in 10 min.
    let caller = customer(&app, "100000000003", "aliyun.business", "Asia/Shanghai").await;
    let ada = agent(&app, "ada@support.example.com").await;
    let case = open_case(&app, &caller, "normal").await;
    for n in 1..=10 {
        let e = app
            .escalate(
                Actor::Agent(&ada),
                &tierdesk_testkit::operator(),
                &case.case_id,
            )
            .await
            .unwrap();
        assert_eq!((e.used, e.per_month), (n, 10));
        assert_eq!(e.target.due, clock_now(&clock) + minutes(10));
        // Requested by an agent on the customer's behalf, and it says so.
        assert_eq!(
            e.target.requested_by.as_deref(),
            Some("Ada Support (support)")
        );
        let stored = app.case_sla(&ada, &case.case_id).await.unwrap();
        let escalation = stored
            .targets
            .iter()
            .rfind(|t| t.kind == TargetKind::Escalation)
            .unwrap();
        assert_eq!(
            escalation.requested_by.as_deref(),
            Some("Ada Support (support)")
        );
        let again = app
            .escalate(
                Actor::Agent(&ada),
                &tierdesk_testkit::operator(),
                &case.case_id,
            )
            .await;
        assert!(matches!(again, Err(ServiceError::Conflict(m)) if m.contains("already escalated")));
        support_says(&app, &ada, &case.case_id, "Answered.", false)
            .await
            .unwrap();
        clock.set(clock_now(&clock) + minutes(1));
    }
    let spent = app
        .escalate(
            Actor::Agent(&ada),
            &tierdesk_testkit::operator(),
            &case.case_id,
        )
        .await;
    assert!(
        matches!(&spent, Err(ServiceError::Conflict(m)) if m.contains("used its 10 urgent escalations for 2026-11")),
        "{spent:?}"
    );
    // December (in Shanghai) brings a fresh quota.
    clock.set(t("2026-11-30T16:30:00Z"));
    assert_eq!(
        app.escalate(
            Actor::Agent(&ada),
            &tierdesk_testkit::operator(),
            &case.case_id
        )
        .await
        .unwrap()
        .used,
        1
    );
    // AWS plans have no such quota.
    let aws = customer(&app, "100000000004", "aws.business", "UTC").await;
    let aws_case = open_case(&app, &aws, "urgent").await;
    let refused = app
        .escalate(
            Actor::Agent(&ada),
            &tierdesk_testkit::operator(),
            &aws_case.case_id,
        )
        .await;
    assert!(matches!(
        refused,
        Err(ServiceError::Refused(Refusal::NoUrgentEscalations { .. }))
    ));
}

fn clock_now(c: &ManualClock) -> Timestamp {
    use tierdesk_core::clock::Clock;
    c.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_records_a_breach_within_a_second_of_the_deadline() {
    let db = ScratchDb::sqlite("sla");
    let url = db.url().to_string();
    let t0 = t("2026-11-23T09:00:00Z");
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(&url, clock.clone()).await;
    let caller = customer(&app, "100000000005", "aws.business", "UTC").await;
    let case = open_case(&app, &caller, "urgent").await;
    let due = case.first_response.unwrap().due;
    let worker = tokio::spawn(app.clone().run_sla_worker(Duration::from_millis(250)));
    // The deadline arrives; the running worker must notice on its own.
    clock.set(due + Duration::from_millis(1));
    let started = Instant::now();
    let ada = agent(&app, "ada@support.example.com").await;
    let case = app.case_sla(&ada, &case.case_id).await.unwrap().case;
    loop {
        let events = app.store.sla_events(&case).await.unwrap();
        if events.iter().any(|e| e.kind == SlaEventKind::Breach) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "no breach within a second"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker.abort();
}

/// Two replicas (separate pools and writers) on one PostgreSQL database tick at the same
/// time over 300 due targets: every warning and breach is recorded exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_on_postgres_record_each_event_once() {
    let Some(db) = ScratchDb::postgres("sla").await else {
        return;
    };
    let url = db.url().to_string();
    let t0 = t("2026-11-23T09:00:00Z");
    let clock = Arc::new(ManualClock::new(t0));
    let a = app(&url, clock.clone()).await;
    let b = app(&url, clock.clone()).await;
    let caller = customer(&a, "100000000006", "aws.business", "UTC").await;
    let mut cases = Vec::new();
    for _ in 0..300 {
        cases.push(open_case(&a, &caller, "urgent").await);
    }
    // Past every warning and deadline at once: each target owes a warning and a breach.
    clock.set(t0 + minutes(120));
    let run = |app: App| async move {
        let mut recorded = 0;
        loop {
            let tick = app.sla_tick().await.unwrap();
            recorded += tick.recorded;
            if tick.due == 0 {
                return recorded;
            }
        }
    };
    let (ra, rb) = tokio::join!(run(a.clone()), run(b.clone()));
    assert_eq!(ra + rb, 600, "replica a recorded {ra}, b {rb}");
    for c in &cases {
        let kinds: Vec<_> = a
            .store
            .sla_events(c)
            .await
            .unwrap()
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, [SlaEventKind::Warning, SlaEventKind::Breach]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_overview_states_the_follow_up_promise() {
    let db = ScratchDb::sqlite("follow-up-promise");
    let clock = Arc::new(ManualClock::new(t("2026-11-23T09:00:00Z")));
    let app = app(db.url(), clock).await;
    let gold = customer(&app, "100000000001", "acme.gold", "Europe/Berlin").await;
    let overview = app.plan_overview(&gold.account).await.unwrap();
    let promised: Vec<(&str, Option<u32>)> = overview
        .follow_ups
        .iter()
        .map(|p| (p.severity.code.as_str(), p.minutes))
        .collect();
    // Gold times next replies for every severity but the lowest.
    assert_eq!(
        promised,
        [
            ("low", None),
            ("normal", Some(480)),
            ("high", Some(240)),
            ("urgent", Some(60))
        ]
    );
    // Office-hours severities say when their clock runs.
    assert!(overview.follow_ups[1].hours.is_some());
    assert!(overview.follow_ups[3].hours.is_none());
    let business = customer(&app, "100000000002", "aws.business", "Europe/Berlin").await;
    let overview = app.plan_overview(&business.account).await.unwrap();
    assert!(
        overview.follow_ups.is_empty(),
        "AWS promises no follow-up time"
    );
}
