//! Live updates for the console: what changed on cases since a reader last looked (a case
//! opened, answered, its status, assignee or escalation changed, a target warned or
//! breached), read from the audit log and the SLA events, which the changes themselves
//! wrote. Each replica reads them on its own, so a change made through any replica
//! reaches every open console.

use std::collections::{HashSet, VecDeque};

use tierdesk_core::audit::Action;
use tierdesk_store::live::CaseChange;

use crate::actor::Reach;
use crate::{App, ServiceError};

/// One change on a case, as the console is told of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    /// `case.create`, `case.message`, `case.note`, `case.status`, `case.resolve`,
    /// `case.assign`, `case.escalate`, `sla.warning`, `sla.breach`.
    pub kind: String,
    pub case_id: String,
    pub account_id: String,
    /// Worth interrupting an engineer for: a new case of one of its plan's two highest
    /// severities, or a breach.
    pub alert: bool,
}

/// Who is watching: a customer sees their account's cases (never what concerns internal
/// notes), staff the accounts they reach.
#[derive(Debug, Clone)]
pub enum Watcher {
    Customer(String),
    Staff(Reach),
}

impl LiveEvent {
    pub fn visible_to(&self, w: &Watcher) -> bool {
        match w {
            Watcher::Customer(account) => {
                *account == self.account_id
                    && Action::parse(&self.kind).is_none_or(|a| !a.staff_only())
            }
            Watcher::Staff(reach) => reach.covers(&self.account_id),
        }
    }
}

/// How far a reader has read. It re-reads a little behind its newest id and skips what
/// it has seen: on PostgreSQL ids are taken in one order and committed in another, so a
/// row may appear below an id already read.
#[derive(Debug, Clone, Default)]
pub struct LiveCursor {
    audit: i64,
    sla: i64,
    seen: HashSet<(bool, i64)>,
    order: VecDeque<(bool, i64)>,
}

/// How far behind its newest id a reader looks again, and how many ids it remembers.
const LOOK_BACK: i64 = 200;
const REMEMBER: usize = 4096;
/// Rows read per log and poll.
const BATCH: i64 = 500;

impl LiveCursor {
    /// Whether the row is new to this reader (and remember it).
    fn first_sight(&mut self, sla: bool, id: i64) -> bool {
        if !self.seen.insert((sla, id)) {
            return false;
        }
        self.order.push_back((sla, id));
        if self.order.len() > REMEMBER
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }
}

impl App {
    /// A reader that starts now: only later changes reach it.
    pub async fn live_cursor(&self) -> Result<LiveCursor, ServiceError> {
        let (audit, sla) = self.store.live_heads().await?;
        Ok(LiveCursor {
            audit,
            sla,
            ..LiveCursor::default()
        })
    }

    /// The changes since the cursor last read, oldest first.
    pub async fn live_changes(&self, cur: &mut LiveCursor) -> Result<Vec<LiveEvent>, ServiceError> {
        let actions = self
            .store
            .case_actions_after((cur.audit - LOOK_BACK).max(0), BATCH)
            .await?;
        let events = self
            .store
            .sla_events_after((cur.sla - LOOK_BACK).max(0), BATCH)
            .await?;
        let mut out = Vec::new();
        for (sla, changes) in [(false, actions), (true, events)] {
            for c in changes {
                if sla {
                    cur.sla = cur.sla.max(c.id);
                } else {
                    cur.audit = cur.audit.max(c.id);
                }
                if cur.first_sight(sla, c.id) {
                    out.push(self.live_event(c));
                }
            }
        }
        Ok(out)
    }

    fn live_event(&self, c: CaseChange) -> LiveEvent {
        let top_severity = self.catalog.plan(&c.plan_id).is_some_and(|p| {
            let mut ranks: Vec<u8> = p.case_severities().iter().map(|s| s.rank).collect();
            ranks.sort_unstable_by(|a, b| b.cmp(a));
            let rank = p
                .case_severities()
                .iter()
                .find(|s| s.code == c.severity_code)
                .map(|s| s.rank);
            rank.is_some_and(|r| ranks.iter().take(2).any(|top| *top == r))
        });
        let alert = match c.kind.as_str() {
            "sla.breach" => true,
            "case.create" => top_severity,
            _ => false,
        };
        LiveEvent {
            kind: c.kind,
            case_id: c.case_id,
            account_id: c.account_id,
            alert,
        }
    }
}
