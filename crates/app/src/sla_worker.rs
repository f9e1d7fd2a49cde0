//! The breach worker: records a warning when a target's warning point passes and a breach
//! when its deadline does, exactly once per case, target and kind, across restarts and
//! however many replicas run it. Each event is written with its webhook deliveries in one
//! transaction (the outbox), so a recorded event is never lost to a crash.
//!
//! Exactly once rests on the store: an event is recorded only by the worker that moves
//! the target's `next_event` from the instant it read (compare and set), and the event's
//! unique key refuses a second copy. A tick reads only the targets that came due (an
//! index range), so its cost follows the cases coming due, not all open cases.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use tierdesk_core::notice::NoticeKind;
use tierdesk_core::records::{SlaEvent, SlaEventKind};
use tierdesk_store::{DueTarget, NewNotice, NewSlaEvent};

use crate::{App, ServiceError};

/// Most targets one tick handles; a full batch makes the worker tick again at once.
pub const BATCH: i64 = 500;

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Targets found due.
    pub due: usize,
    /// Events this worker recorded (others may have been recorded by another replica).
    pub recorded: usize,
}

/// The SLA events this process's worker recorded, by kind, plan and severity, for the
/// metrics page (a counter per replica: summed across replicas, each event counts once).
#[derive(Debug, Default)]
pub struct EventCounts {
    counts: Mutex<BTreeMap<(SlaEventKind, String, String), u64>>,
}

impl EventCounts {
    fn add(&self, kind: SlaEventKind, plan: &str, severity: &str) {
        if let Ok(mut m) = self.counts.lock() {
            *m.entry((kind, plan.to_string(), severity.to_string()))
                .or_default() += 1;
        }
    }

    /// (kind, plan, severity, events), ordered.
    pub fn read(&self) -> Vec<(SlaEventKind, String, String, u64)> {
        self.counts
            .lock()
            .map(|m| {
                m.iter()
                    .map(|((k, p, s), n)| (*k, p.clone(), s.clone(), *n))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The webhook event type of an event.
pub fn event_type(kind: SlaEventKind) -> &'static str {
    match kind {
        SlaEventKind::Warning => "sla.warning",
        SlaEventKind::Breach => "sla.breach",
    }
}

fn new_event(
    notice: Option<NewNotice>,
    d: &DueTarget,
    kind: SlaEventKind,
    (expected_next, then_next): (Timestamp, Option<Timestamp>),
    now: Timestamp,
) -> NewSlaEvent {
    let t = &d.target;
    let at = match kind {
        SlaEventKind::Warning => t.warn_at.unwrap_or(t.due),
        SlaEventKind::Breach => t.due,
    };
    let event = SlaEvent {
        case_id: d.case.case_id.clone(),
        target: t.kind,
        seq: t.seq,
        kind,
        due: t.due,
        at,
        recorded: now,
    };
    let payload = json!({
        "id": event.key(),
        "type": event_type(kind),
        "occurredAt": at.to_string(),
        "recordedAt": now.to_string(),
        "case": crate::payloads::case_json(&d.case),
        "target": {
            "kind": t.kind.as_str(),
            "seq": t.seq,
            "clock": t.clock,
            "minutes": t.minutes,
            "startedAt": t.started.to_string(),
            "dueAt": t.due.to_string(),
        },
    });
    NewSlaEvent {
        display_id: d.display_id,
        event,
        expected_next,
        then_next,
        event_type: event_type(kind).to_string(),
        payload: payload.to_string(),
        notice,
    }
}

/// The events a due target calls for at `now`: its warning, its breach, or both when the
/// worker was away past both instants (the warning first, chained by compare and set).
/// `notice` gives each event's mail notice; a warning overtaken by its breach has none.
fn events_for(
    d: &DueTarget,
    now: Timestamp,
    notice: &dyn Fn(NoticeKind) -> Option<NewNotice>,
) -> Vec<NewSlaEvent> {
    let t = &d.target;
    let mut out = Vec::new();
    let mut expected = d.next_event;
    let warning_due = t.warned.is_none()
        && t.warn_at == Some(d.next_event)
        && t.warn_at.is_some_and(|w| w < t.due);
    if warning_due {
        let overtaken = t.due <= now;
        out.push(new_event(
            if overtaken {
                None
            } else {
                notice(NoticeKind::SlaWarning)
            },
            d,
            SlaEventKind::Warning,
            (expected, Some(t.due)),
            now,
        ));
        expected = t.due;
        if !overtaken {
            return out;
        }
    }
    if t.breached.is_none() {
        out.push(new_event(
            notice(NoticeKind::SlaBreach),
            d,
            SlaEventKind::Breach,
            (expected, None),
            now,
        ));
    }
    out
}

impl App {
    /// One pass: records what came due by now.
    pub async fn sla_tick(&self) -> Result<Tick, ServiceError> {
        let now = self.clock.now();
        let due = self.store.due_targets(now, BATCH).await?;
        // Each event with its kind and case, by its key, for the counts.
        let mut events: Vec<NewSlaEvent> = Vec::new();
        let mut of_key = std::collections::HashMap::new();
        for d in &due {
            for e in events_for(d, now, &|kind| self.notice(kind, now)) {
                of_key.insert(e.event.key(), (e.event.kind, &d.case));
                events.push(e);
            }
        }
        let recorded = if events.is_empty() {
            Vec::new()
        } else {
            self.store.record_sla_events(events).await?
        };
        for key in &recorded {
            if let Some((kind, case)) = of_key.get(key) {
                self.sla_counts
                    .add(*kind, &case.plan_id, &case.severity_code);
            }
        }
        let recorded = recorded.len();
        if recorded > 0 {
            tracing::info!(recorded, due = due.len(), "sla events recorded");
        }
        Ok(Tick {
            due: due.len(),
            recorded,
        })
    }

    /// Ticks every `interval` for ever (and at once again after a full batch). Errors are
    /// logged and retried: the next tick picks up whatever this one missed.
    pub async fn run_sla_worker(self, interval: Duration) {
        let full = usize::try_from(BATCH).unwrap_or(usize::MAX);
        crate::repeat::every(interval, full, "sla", || async {
            Ok(self.sla_tick().await?.due)
        })
        .await;
    }
}
