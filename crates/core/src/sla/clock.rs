//! The one reading of a case's SLA clock. The customer's pages, the queue, the engineer's
//! page, the operator API and the reports all show what [`CaseClock::of`] says, so no two
//! views can disagree about what support owes and by when.

use jiff::Timestamp;

use crate::catalog::TargetKind;
use crate::records::Case;
use crate::sla::targets::{self, Running};

/// What a case's clock says at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseClock {
    /// What support owes now and by when: the running target due first. `None` when no
    /// target runs.
    pub owed: Option<Owed>,
    /// The first-response promise and what became of it.
    pub first_response: FirstResponse,
    /// Since when the customer awaits an answer, whether or not a target times it.
    pub awaiting_since: Option<Timestamp>,
}

/// A running target: its kind, its deadline, and whether the deadline has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub kind: TargetKind,
    pub due: Timestamp,
    pub overdue: bool,
}

/// The first-response promise made when the case was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstResponse {
    /// The plan promised none for this case.
    NotPromised,
    /// Support has not answered yet and the target runs: due then (after a reopen of a case
    /// resolved unanswered, the restarted target's deadline).
    Running { due: Timestamp },
    /// Support answered at `at`; the promise was for `due`.
    Answered { at: Timestamp, due: Timestamp },
    /// Support has not answered and no first-response target runs: the case was resolved
    /// (or the target stopped) before anyone answered.
    Stopped { due: Timestamp },
}

impl FirstResponse {
    /// Whether the first response came after its deadline.
    pub fn late(&self) -> bool {
        matches!(self, Self::Answered { at, due } if at > due)
    }
}

/// What a case's clock is read from: the few facts every view and report shares. A case
/// gives them ([`Case::clock_facts`]); so does a report's row, which reads no more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFacts {
    /// The running target due first, and its deadline.
    pub running: Option<(TargetKind, Timestamp)>,
    /// The first-response promise's deadline, if the plan made one.
    pub promised: Option<Timestamp>,
    /// When support first answered customer-visibly.
    pub responded: Option<Timestamp>,
    /// Since when the customer awaits an answer.
    pub awaiting_since: Option<Timestamp>,
}

/// Whether a first-response promise was kept, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Support answered by the deadline.
    Kept,
    /// Support answered after it, or the deadline passed while the customer waited.
    Missed,
    /// Not decided yet (no answer, not due), or never decided: the case was resolved
    /// before an answer while the deadline was still ahead.
    Open,
}

impl CaseClock {
    pub fn of(facts: &ClockFacts, now: Timestamp) -> Self {
        let owed = facts.running.map(|(kind, due)| Owed {
            kind,
            due,
            overdue: due < now,
        });
        let first_response = match (facts.promised, facts.responded) {
            (None, _) => FirstResponse::NotPromised,
            (Some(due), Some(at)) => FirstResponse::Answered { at, due },
            (Some(due), None) => match owed {
                Some(o) if o.kind == TargetKind::FirstResponse => {
                    FirstResponse::Running { due: o.due }
                }
                _ => FirstResponse::Stopped { due },
            },
        };
        Self {
            owed,
            first_response,
            awaiting_since: facts.awaiting_since,
        }
    }

    /// The first-response promise's verdict at `now` (`None`: none was made), read from
    /// the same clock every view shows. The promise is the deadline set when the case was
    /// opened: an answer after it is late even when a reopen restarted the target (as
    /// [`FirstResponse::Answered`] reads), so a restarted target that is still running
    /// has missed the promise once that first deadline is past. A case resolved
    /// unanswered missed it when its clock ran past the deadline (`last_stop`, when the
    /// last first-response target stopped), and otherwise stays open: nobody failed it.
    pub fn verdict(
        facts: &ClockFacts,
        last_stop: Option<Timestamp>,
        now: Timestamp,
    ) -> Option<Verdict> {
        let promised = facts.promised?;
        Some(match Self::of(facts, now).first_response {
            FirstResponse::NotPromised => return None,
            FirstResponse::Answered { at, due } if at > due => Verdict::Missed,
            FirstResponse::Answered { .. } => Verdict::Kept,
            FirstResponse::Running { .. } if now > promised => Verdict::Missed,
            FirstResponse::Running { .. } => Verdict::Open,
            FirstResponse::Stopped { due } if last_stop.is_some_and(|s| s > due) => Verdict::Missed,
            FirstResponse::Stopped { .. } => Verdict::Open,
        })
    }

    /// Until when [`Self::verdict`] stays what it is at `now` without a change to the case:
    /// only an unanswered promise still ahead of its deadline turns (to missed, at the
    /// deadline). `None`: it stays for good.
    pub fn verdict_holds_until(facts: &ClockFacts, now: Timestamp) -> Option<Timestamp> {
        let promised = facts.promised?;
        match Self::of(facts, now).first_response {
            FirstResponse::Running { .. } if now <= promised => Some(promised),
            _ => None,
        }
    }

    /// A target is past its deadline (what the queue's breaching filter selects).
    pub fn breaching(&self) -> bool {
        self.owed.is_some_and(|o| o.overdue)
    }

    /// The customer awaits an answer that no target times (nothing is promised, yet an
    /// answer is owed).
    pub fn awaiting_untimed(&self) -> bool {
        self.owed.is_none() && self.awaiting_since.is_some()
    }
}

impl Case {
    /// The case's clock at `now`: see [`CaseClock`].
    pub fn clock(&self, now: Timestamp) -> CaseClock {
        CaseClock::of(&self.clock_facts(), now)
    }

    /// What its clock is read from.
    pub fn clock_facts(&self) -> ClockFacts {
        ClockFacts {
            running: self.sla_target.zip(self.sla_due),
            promised: self.first_response.as_ref().map(|f| f.due),
            responded: self.responded,
            awaiting_since: self.awaiting_since,
        }
    }

    /// Where the case sorts in the staff queue ([`targets::queue_key`], which the store
    /// keeps in `cases.queue_us`).
    pub fn queue_key(&self) -> Option<Timestamp> {
        let next = match (self.sla_target, self.sla_due) {
            (Some(kind), Some(due)) => Some(Running { kind, due }),
            _ => None,
        };
        targets::queue_key(
            next,
            self.awaiting_since,
            self.first_response.as_ref().map(|f| f.minutes),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::records::{CaseStatus, FirstResponse as Promise};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn case(status: CaseStatus) -> Case {
        Case {
            display_id: 1,
            case_id: "c".into(),
            account_id: "a".into(),
            subject: "s".into(),
            status,
            service_code: "x".into(),
            category_code: "y".into(),
            severity_code: "urgent".into(),
            issue_type: "technical".into(),
            language: "en".into(),
            submitted_by: "me".into(),
            cc_emails: Vec::new(),
            plan_id: "p".into(),
            created: at("2026-11-23T09:00:00Z"),
            first_response: Some(Promise {
                clock: "24x7".into(),
                minutes: 60,
                due: at("2026-11-23T10:00:00Z"),
            }),
            assignee: None,
            sla_due: None,
            sla_target: None,
            responded: None,
            awaiting_since: None,
        }
    }

    #[test]
    fn every_state_of_the_first_response() {
        let now = at("2026-11-23T09:30:00Z");
        let mut c = case(CaseStatus::Opened);
        c.sla_due = Some(at("2026-11-23T10:00:00Z"));
        c.sla_target = Some(TargetKind::FirstResponse);
        let due = at("2026-11-23T10:00:00Z");
        assert_eq!(c.clock(now).first_response, FirstResponse::Running { due });
        assert!(!c.clock(now).breaching());
        assert!(c.clock(at("2026-11-23T10:00:01Z")).breaching());
        // Resolved unanswered: stopped, not running.
        let mut r = case(CaseStatus::Resolved);
        r.awaiting_since = None;
        assert_eq!(r.clock(now).first_response, FirstResponse::Stopped { due });
        assert_eq!(r.clock(now).owed, None);
        // Reopened: the restarted target is the one that runs.
        let mut again = case(CaseStatus::Reopened);
        again.sla_due = Some(at("2026-11-24T10:00:00Z"));
        again.sla_target = Some(TargetKind::FirstResponse);
        assert_eq!(
            again.clock(now).first_response,
            FirstResponse::Running {
                due: at("2026-11-24T10:00:00Z")
            }
        );
        // Answered after a reopen: answered, late.
        again.responded = Some(at("2026-11-24T09:00:00Z"));
        let f = again.clock(now).first_response;
        assert_eq!(
            f,
            FirstResponse::Answered {
                at: at("2026-11-24T09:00:00Z"),
                due
            }
        );
        assert!(f.late());
        let mut none = case(CaseStatus::Opened);
        none.first_response = None;
        none.awaiting_since = Some(now);
        assert_eq!(none.clock(now).first_response, FirstResponse::NotPromised);
        assert!(none.clock(now).awaiting_untimed());
        assert_eq!(none.queue_key(), Some(at("2026-11-24T09:30:00Z")));
    }

    #[test]
    fn verdicts_read_the_clock_every_view_reads() {
        let promised = at("2026-11-23T10:00:00Z");
        let before = at("2026-11-23T09:30:00Z");
        let after = at("2026-11-23T10:30:00Z");
        let facts = |running, responded| ClockFacts {
            running,
            promised: Some(promised),
            responded,
            awaiting_since: None,
        };
        let running = Some((TargetKind::FirstResponse, promised));
        let v = |f: &ClockFacts, stop, now| CaseClock::verdict(f, stop, now);
        // Running: open until the deadline, missed after; it holds until the deadline.
        assert_eq!(v(&facts(running, None), None, before), Some(Verdict::Open));
        assert_eq!(v(&facts(running, None), None, after), Some(Verdict::Missed));
        assert_eq!(
            CaseClock::verdict_holds_until(&facts(running, None), before),
            Some(promised)
        );
        assert_eq!(
            CaseClock::verdict_holds_until(&facts(running, None), after),
            None
        );
        // Answered: by the deadline or after it, for good.
        let kept = facts(None, Some(before));
        assert_eq!(v(&kept, None, after), Some(Verdict::Kept));
        assert_eq!(
            v(&facts(None, Some(after)), None, after),
            Some(Verdict::Missed)
        );
        assert_eq!(CaseClock::verdict_holds_until(&kept, before), None);
        // Resolved unanswered: missed if its clock ran past the deadline.
        let stopped = facts(None, None);
        assert_eq!(v(&stopped, Some(before), after), Some(Verdict::Open));
        assert_eq!(v(&stopped, Some(after), after), Some(Verdict::Missed));
        // Reopened, restarted target running to a later deadline: the promise was the
        // first deadline.
        let restarted = facts(
            Some((TargetKind::FirstResponse, at("2026-11-24T10:00:00Z"))),
            None,
        );
        assert_eq!(v(&restarted, Some(before), before), Some(Verdict::Open));
        assert_eq!(v(&restarted, Some(before), after), Some(Verdict::Missed));
        // No promise: no verdict.
        let none = ClockFacts {
            promised: None,
            ..facts(None, None)
        };
        assert_eq!(v(&none, None, after), None);
    }
}
