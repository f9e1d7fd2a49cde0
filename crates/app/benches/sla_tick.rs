//! The breach worker's cost per tick, as the number of open cases grows and as the number
//! of targets coming due grows. A tick should cost the same with 10,000 or 1,000,000 open
//! cases and grow with the cases coming due.
//!
//!   cargo bench -p tierdesk-app --bench sla_tick
//!   TIERDESK_BENCH_OPEN=100000 cargo bench -p tierdesk-app --bench sla_tick   # quicker
//!   TIERDESK_TEST_PG=postgres://... adds the PostgreSQL leg (in a database of its own,
//!   dropped afterwards); TIERDESK_BENCH_LEGS=postgres runs one leg.
//!
//! Statistics are refreshed after seeding (`Store::analyze`), as autovacuum would.
//!
//! Open cases are seeded through the store (the same writes CreateCase makes, without
//! HTTP), each with a first-response target due long after the measured ticks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use tierdesk_app::secrets::MasterKey;
use tierdesk_app::{App, Limits};
use tierdesk_core::catalog::{TargetKind, builtin_sources, parse_catalog};
use tierdesk_core::clock::ManualClock;
use tierdesk_core::records::{Account, Case, CaseStatus, CaseTarget, PlanAssignment};
use tierdesk_core::services::Services;
use tierdesk_store::{NewCase, Options, Store};
use tierdesk_testkit::ScratchDb;

const ACCOUNT: &str = "100000000001";

fn t0() -> Timestamp {
    "2026-11-23T09:00:00Z".parse().unwrap()
}

fn new_case(n: u64, opened: Timestamp, due: Timestamp) -> NewCase {
    NewCase {
        case: Case {
            display_id: 0,
            case_id: format!("case-{ACCOUNT}-bnch-2026-{n:016x}"),
            account_id: ACCOUNT.into(),
            subject: format!("bench {n}"),
            status: CaseStatus::Opened,
            service_code: "general-info".into(),
            category_code: "using-aws".into(),
            severity_code: "urgent".into(),
            issue_type: "technical".into(),
            language: "en".into(),
            submitted_by: "bench".into(),
            cc_emails: Vec::new(),
            plan_id: "aws.business".into(),
            created: opened,
            first_response: None,
            assignee: None,
            sla_due: None,
            sla_target: None,
            responded: None,
            awaiting_since: None,
        },
        body: "bench".into(),
        attachment_set: None,
        files: None,
        monthly_cap: None,
        targets: vec![CaseTarget::start(
            TargetKind::FirstResponse,
            "24x7",
            60,
            opened,
            due,
            None,
        )],
        notice: None,
        mail_message_id: None,
        alert: None,
        health_event: None,
    }
}

/// Adds cases `from..to`, due at `due`, many writes in flight for group commit.
async fn seed(store: &Store, from: u64, to: u64, due: Timestamp) {
    let mut n = from;
    while n < to {
        let end = (n + 2048).min(to);
        let writes = (n..end)
            .map(|i| store.create_case(new_case(i, t0(), due), tierdesk_testkit::audit_entry()));
        for r in futures_util::future::join_all(writes).await {
            r.unwrap();
        }
        n = end;
    }
}

struct Leg {
    name: &'static str,
    app: App,
    clock: Arc<ManualClock>,
    /// Standing open cases seeded so far.
    open: u64,
    /// Cases made due for a measured tick (ids above the standing ones').
    made_due: u64,
}

/// Ids of cases made due start here, clear of the standing cases' ids.
const DUE_IDS: u64 = 1 << 40;

async fn leg(name: &'static str, url: &str) -> Leg {
    let store = Store::open(&Options::new(url)).await.unwrap();
    let clock = Arc::new(ManualClock::new(t0()));
    let app = App::new(
        store.clone(),
        parse_catalog(&builtin_sources()).unwrap(),
        Services::builtin(),
        clock.clone(),
        Limits::default(),
        MasterKey::from_bytes(&[3; 32]),
    )
    .await
    .unwrap();
    store
        .create_account(
            Account {
                id: ACCOUNT.into(),
                name: "bench".into(),
                timezone: "UTC".into(),
                country: "US".into(),
                language: "en".into(),
                created: t0(),
            },
            PlanAssignment {
                account_id: ACCOUNT.into(),
                plan_id: "aws.business".into(),
                effective_from: "2026-01-01".parse().unwrap(),
                assigned_at: t0(),
                forced: false,
            },
            tierdesk_testkit::audit_entry(),
        )
        .await
        .unwrap();
    Leg {
        name,
        app,
        clock,
        open: 0,
        made_due: DUE_IDS,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let largest: u64 = std::env::var("TIERDESK_BENCH_OPEN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let sqlite = ScratchDb::sqlite("bench");
    let only = std::env::var("TIERDESK_BENCH_LEGS").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|l| l == name);
    let mut legs = Vec::new();
    if wanted("sqlite") {
        legs.push(rt.block_on(leg("sqlite", sqlite.url())));
    }
    let pg = if wanted("postgres") {
        rt.block_on(ScratchDb::postgres("bench"))
    } else {
        None
    };
    if let Some(db) = &pg {
        legs.push(rt.block_on(leg("postgres", db.url())));
    }
    // Far-off deadlines for the standing open cases: never due during the run.
    let far = t0() + Duration::from_secs(86_400 * 365);
    let mut group = c.benchmark_group("sla_tick");
    group.sample_size(20);
    // Each size once (`TIERDESK_BENCH_OPEN=10000` runs the first alone).
    let sizes: Vec<u64> = if largest == 10_000 {
        vec![10_000]
    } else {
        vec![10_000, largest]
    };
    for open in sizes {
        for leg in &mut legs {
            let started = Instant::now();
            rt.block_on(seed(&leg.app.store, leg.open, open, far));
            rt.block_on(leg.app.store.analyze()).unwrap();
            eprintln!(
                "{}: {} open cases seeded in {:.1?}",
                leg.name,
                open,
                started.elapsed()
            );
            leg.open = open;
            for due in [0u64, 100, 1000] {
                let id =
                    BenchmarkId::new(format!("{}/{open}_open", leg.name), format!("{due}_due"));
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| {
                        let mut total = Duration::ZERO;
                        for _ in 0..iters {
                            // Untimed: `due` fresh cases whose deadline has just passed.
                            let now = leg.clock.now_plus(Duration::from_secs(60));
                            rt.block_on(seed(
                                &leg.app.store,
                                leg.made_due,
                                leg.made_due + due,
                                now,
                            ));
                            leg.made_due += due;
                            leg.clock.set(now);
                            let started = Instant::now();
                            let mut recorded = 0;
                            loop {
                                let tick = rt.block_on(leg.app.sla_tick()).unwrap();
                                recorded += tick.recorded;
                                if tick.due < tierdesk_app::sla_worker::BATCH as usize {
                                    break;
                                }
                            }
                            total += started.elapsed();
                            assert_eq!(recorded as u64, due);
                        }
                        total
                    })
                });
            }
        }
    }
    group.finish();
    // The stores go before their databases.
    drop(legs);
    drop((sqlite, pg));
}

trait Advance {
    fn now_plus(&self, d: Duration) -> Timestamp;
}

impl Advance for ManualClock {
    fn now_plus(&self, d: Duration) -> Timestamp {
        use tierdesk_core::clock::Clock;
        self.now() + d
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
