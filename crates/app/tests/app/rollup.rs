//! The SLA rollup against the cases themselves: a month of random turns (cases opened,
//! answered, noted, resolved, reopened, assigned, waiting on the customer, deadlines
//! passing with nobody looking), with the rollup worker folding at random moments. After
//! every few turns each report, read through whatever the rollup holds then, must equal
//! the report read from every case (every folded day marked stale first).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use tierdesk_app::App;
use tierdesk_app::actor::Actor;
use tierdesk_app::cases::{CreateCase, Message};
use tierdesk_app::reports::{DashboardQuery, GroupBy, ReportFilter};
use tierdesk_core::clock::{Clock, ManualClock};
use tierdesk_testkit::{Engine, ScratchDb, operator};

use crate::sla_engine::{agent, app, customer};

/// A small deterministic generator: the same turns on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every report the console, the API and the CLI ask for over the whole period, read as
/// the rollup stands.
async fn reports(app: &App, from: jiff::civil::Date) -> Vec<String> {
    let today = app.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut out = Vec::new();
    for by in GroupBy::ALL {
        let f = ReportFilter {
            by,
            ..ReportFilter::period(from, today)
        };
        out.push(format!("{:?}", app.sla_report(&f).await.unwrap()));
    }
    let d = app
        .sla_dashboard(&DashboardQuery {
            weeks: 6,
            ..Default::default()
        })
        .await
        .unwrap();
    out.push(format!(
        "{:?} {:?} {:?} {:?}",
        d.lines, d.shares, d.overall, d.backlog
    ));
    out
}

async fn a_month_of_turns(engine: Engine) {
    let Some(db) = ScratchDb::on(engine, "rollup").await else {
        return;
    };
    let t0: jiff::Timestamp = "2026-10-01T06:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let app = app(db.url(), clock.clone()).await;
    let callers = [
        customer(&app, "100000000011", "acme.gold", "Europe/Berlin").await,
        customer(&app, "100000000012", "acme.gold", "Asia/Tokyo").await,
    ];
    let agents = [
        agent(&app, "ada@support.example.com").await,
        agent(&app, "bob@support.example.com").await,
    ];
    let who = operator();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    // (case id, its customer)
    let mut cases: Vec<(String, usize)> = Vec::new();
    let mut folds = 0;
    for step in 0..240 {
        let hours = dice.roll(6);
        clock.set(clock.now() + Duration::from_secs(3600 * hours + 60 * dice.roll(60)));
        let pick =
            (!cases.is_empty()).then(|| cases[dice.roll(cases.len() as u64) as usize].clone());
        let a = &agents[dice.roll(2) as usize];
        // Refusals (a reply to a resolved case's status, say) are part of the walk.
        match (dice.roll(10), pick) {
            (0 | 1, _) | (_, None) => {
                let c = dice.roll(2) as usize;
                let severity = ["low", "normal", "high", "urgent"][dice.roll(4) as usize];
                let case = app
                    .create_case(
                        &callers[c],
                        &who,
                        CreateCase {
                            subject: Some(format!("{severity} trouble {step}")),
                            communication_body: Some("it is down".into()),
                            severity_code: Some(severity.into()),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                cases.push((case.case_id, c));
            }
            (2 | 3, Some((id, _))) => {
                let msg = Message {
                    case_id: Some(id),
                    body: Some("looking into it".into()),
                    internal: dice.roll(4) == 0,
                    ..Message::default()
                };
                let _ = app.post_message(Actor::Agent(a), &who, msg).await;
            }
            (4, Some((id, c))) => {
                let msg = Message {
                    case_id: Some(id),
                    body: Some("still down".into()),
                    ..Message::default()
                };
                let _ = app
                    .post_message(Actor::Customer(&callers[c]), &who, msg)
                    .await;
            }
            (5, Some((id, c))) => {
                let _ = app.resolve_case(&callers[c], &who, Some(id)).await;
            }
            (6, Some((id, _))) => {
                let status = [
                    "pending-customer-action",
                    "work-in-progress",
                    "resolved",
                    "reopened",
                ][dice.roll(4) as usize];
                let _ = app.set_case_status(a, &who, &id, Some(status)).await;
            }
            (7, Some((id, _))) => {
                let to = [
                    None,
                    Some(agents[0].id.as_str()),
                    Some(agents[1].id.as_str()),
                ][dice.roll(3) as usize];
                let _ = app.assign_case(a, &who, &id, to).await;
            }
            (_, Some(_)) => folds += app.fold_rollups().await.unwrap(),
        }
        if step % 12 == 11 {
            let from = t0.to_zoned(jiff::tz::TimeZone::UTC).date();
            let through_rollup = reports(&app, from).await;
            app.store.restale_rollup().await.unwrap();
            let from_cases = reports(&app, from).await;
            assert_eq!(through_rollup, from_cases, "step {step}");
            // Leave the rollup part folded, as a busy worker would.
            for _ in 0..dice.roll(3) {
                folds += app.fold_rollups().await.unwrap();
            }
        }
    }
    assert!(folds > 20, "the walk folded only {folds} days");
    assert!(
        cases.len() > 30,
        "the walk opened only {} cases",
        cases.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_read_through_the_rollup_equal_reports_read_from_every_case_sqlite() {
    a_month_of_turns(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_read_through_the_rollup_equal_reports_read_from_every_case_postgres() {
    a_month_of_turns(Engine::Postgres).await;
}

/// The backlog at each week's end: cases opened before it and not resolved before it, from
/// before the period too; a case reopened after its resolution counts as open since its
/// opening. The same whether read from the cases or through the rollup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backlog_counts_what_was_open_at_each_weeks_end() {
    let db = ScratchDb::sqlite("backlog");
    let at = |s: &str| -> jiff::Timestamp { s.parse().unwrap() };
    let clock = Arc::new(ManualClock::new(at("2026-10-20T09:00:00Z")));
    let app = app(db.url(), clock.clone()).await;
    let caller = customer(&app, "100000000021", "acme.gold", "Europe/Berlin").await;
    let who = operator();
    let open = |when: &'static str| {
        let (app, caller, clock, who) = (&app, &caller, clock.clone(), who.clone());
        async move {
            clock.set(when.parse().unwrap());
            app.create_case(
                caller,
                &who,
                CreateCase {
                    subject: Some("trouble".into()),
                    communication_body: Some("it is down".into()),
                    severity_code: Some("normal".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .case_id
        }
    };
    let resolve = |id: String, when: &'static str| {
        let (app, caller, clock, who) = (&app, &caller, clock.clone(), who.clone());
        async move {
            clock.set(when.parse().unwrap());
            app.resolve_case(caller, &who, Some(id)).await.unwrap();
        }
    };
    let a = open("2026-10-20T09:00:00Z").await;
    let b = open("2026-11-03T09:00:00Z").await;
    resolve(b.clone(), "2026-11-05T09:00:00Z").await;
    resolve(a, "2026-11-10T09:00:00Z").await;
    let _c = open("2026-11-12T09:00:00Z").await;
    let e = open("2026-11-17T09:00:00Z").await;
    clock.set(at("2026-11-20T09:00:00Z"));
    app.post_message(
        Actor::Customer(&caller),
        &who,
        Message {
            case_id: Some(b),
            body: Some("it is back".into()),
            ..Message::default()
        },
    )
    .await
    .unwrap();
    let d = open("2026-11-24T09:00:00Z").await;
    resolve(d, "2026-11-25T09:00:00Z").await;
    resolve(e, "2026-11-27T09:00:00Z").await;
    // Sunday 29 November: four weeks from Monday 2 November; their ends are 9, 16 and 23
    // November at midnight, and now.
    clock.set(at("2026-11-29T12:00:00Z"));
    let q = DashboardQuery {
        weeks: 4,
        ..Default::default()
    };
    let from_cases = app.sla_dashboard(&q).await.unwrap();
    assert_eq!(from_cases.backlog, [2, 2, 3, 2]);
    while app.fold_rollups().await.unwrap() > 0 {}
    let through_rollup = app.sla_dashboard(&q).await.unwrap();
    assert_eq!(through_rollup.backlog, [2, 2, 3, 2]);
    assert_eq!(
        format!("{:?}", through_rollup.lines),
        format!("{:?}", from_cases.lines)
    );
}
