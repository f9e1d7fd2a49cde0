//! What each turn of a case does to its SLA targets: the one definition of the rules.
//!
//! A case owes responses as targets (first response, next reply, periodic update, urgent
//! escalation), each running until it is met or stopped. Opening a case starts its first
//! target; a message, a status change, an escalation and a resolution each change what
//! runs. These functions decide, from the case's status and its running targets, and
//! return the [`Changes`]; the store applies them inside the same transaction that
//! records the turn, so nothing here touches a database and every rule is testable alone.

use jiff::Timestamp;

use crate::catalog::TargetKind;
use crate::records::{CaseStatus, CaseTarget};

/// Who wrote a message on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Customer,
    Support,
}

/// A target still running: what it times and when it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub kind: TargetKind,
    pub due: Timestamp,
}

impl Running {
    /// The running targets among `targets` (a case's whole record of them).
    pub fn of(targets: &[CaseTarget]) -> Vec<Running> {
        targets
            .iter()
            .filter(|t| t.stopped.is_none())
            .map(|t| Running {
                kind: t.kind,
                due: t.due,
            })
            .collect()
    }
}

/// What a turn does to a case, for the store to apply in the turn's transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The status to write (with the case's updated time), if the turn touches the case.
    pub status: Option<CaseStatus>,
    /// Running targets of these kinds stop ...
    pub stop: Vec<TargetKind>,
    /// ... as met (support answered) rather than merely stopped.
    pub met: bool,
    /// A target that starts.
    pub start: Option<CaseTarget>,
    /// Whether the customer awaits support's answer: `Some(true)` from this turn on (a
    /// customer's visible message; the earliest unanswered one keeps counting),
    /// `Some(false)` no longer (support answered, or the case is resolved), `None`
    /// unchanged. It holds whatever the plan promises: every customer message is owed an
    /// answer, with or without a next-reply target.
    pub awaiting: Option<bool>,
    /// Support answered the customer (a visible reply): the case's first response, if it
    /// had none yet.
    pub responded: bool,
}

impl Changes {
    /// The running targets once the changes are applied.
    pub fn running_after(&self, before: &[Running]) -> Vec<Running> {
        before
            .iter()
            .filter(|r| !self.stop.contains(&r.kind))
            .copied()
            .chain(Running::of(self.start.as_slice()))
            .collect()
    }

    /// Whether the case's deadline ([`next_due`]) may move.
    pub fn moves_due(&self) -> bool {
        !self.stop.is_empty() || self.start.is_some()
    }

    /// Whether the turn changes anything on the case row.
    pub fn touches_case(&self) -> bool {
        self.status.is_some() || self.moves_due() || self.awaiting.is_some() || self.responded
    }
}

/// The running target due first: what support owes the customer next. Its deadline is
/// the case's SLA due (`cases.sla_due_us`), which breach counts and warnings go by.
pub fn next_due(running: &[Running]) -> Option<Running> {
    running.iter().min_by_key(|r| r.due).copied()
}

/// Where a case sorts in the staff queue. A running target sorts it by its deadline. A
/// customer who awaits an answer that no target times (a follow-up on a plan without a
/// next-reply target, all of AWS's) is still owed one: the case sorts as if it were a new
/// case of its severity opened when they wrote, `answer_minutes` (its first-response
/// length, or a day on plans without one) after the wait began. That orders the queue; it
/// promises nothing, so it never counts as a breach. `None` sorts last.
pub fn queue_key(
    next: Option<Running>,
    awaiting_since: Option<Timestamp>,
    answer_minutes: Option<u32>,
) -> Option<Timestamp> {
    const A_DAY: u32 = 24 * 60;
    match (next, awaiting_since) {
        (Some(r), _) => Some(r.due),
        (None, Some(since)) => {
            let minutes = i64::from(answer_minutes.unwrap_or(A_DAY));
            since
                .checked_add(jiff::SignedDuration::from_mins(minutes))
                .ok()
        }
        (None, None) => None,
    }
}

/// The kind of target the plan would start for a message, before the turn's rules decide
/// whether it starts: a customer who never had an answer is owed the first response still
/// (after resolving by mistake and reopening, or after support reopened the case without
/// writing: the promise was never kept, and resolving stopped its clock); any other
/// customer message asks for a next reply; support's visible reply starts the periodic
/// update.
pub fn follow_up_kind(author: Author, responded: bool) -> TargetKind {
    match author {
        Author::Customer if !responded => TargetKind::FirstResponse,
        Author::Customer => TargetKind::NextReply,
        Author::Support => TargetKind::Update,
    }
}

/// The target a case is waiting on now: the running one due first (the target whose
/// deadline is [`next_due`]'s).
pub fn waiting_on(targets: &[CaseTarget]) -> Option<&CaseTarget> {
    targets
        .iter()
        .filter(|t| t.stopped.is_none())
        .min_by_key(|t| t.due)
}

/// Whether support owes the customer an answer: a target support meets by replying runs.
fn answer_owed(running: &[Running]) -> bool {
    running.iter().any(|r| {
        matches!(
            r.kind,
            TargetKind::FirstResponse | TargetKind::NextReply | TargetKind::Escalation
        )
    })
}

/// A message on a case whose status is `current` and whose running targets are `running`.
/// `follow_up` is the target the plan would start for this message (of the kind
/// [`follow_up_kind`] names), if the plan promises one.
///
/// - An internal note changes nothing.
/// - A customer's message reopens a resolved case and answers a request for action; its
///   target (a next reply, or the first response again) starts unless support already
///   owes an answer.
/// - Support's customer-visible reply meets every running target; on a case that is not
///   resolved, the next periodic update starts.
pub fn on_message(
    current: CaseStatus,
    running: &[Running],
    author: Author,
    internal: bool,
    follow_up: Option<CaseTarget>,
) -> Changes {
    if internal {
        return Changes::default();
    }
    match author {
        Author::Customer => Changes {
            status: Some(after_customer_reply(current)),
            start: follow_up.filter(|_| !answer_owed(running)),
            awaiting: Some(true),
            ..Changes::default()
        },
        Author::Support => Changes {
            status: Some(current),
            stop: TargetKind::ALL.to_vec(),
            met: true,
            start: follow_up.filter(|_| current != CaseStatus::Resolved),
            awaiting: Some(false),
            responded: true,
        },
    }
}

/// An agent sets a status other than resolved: waiting on the customer stops the periodic
/// updates meanwhile; other statuses stop nothing.
pub fn on_status(new: CaseStatus) -> Changes {
    if new == CaseStatus::Resolved {
        return on_resolve();
    }
    Changes {
        status: Some(new),
        stop: if new == CaseStatus::PendingCustomerAction {
            vec![TargetKind::Update]
        } else {
            Vec::new()
        },
        ..Changes::default()
    }
}

/// Resolving stops every clock (none counts as met: nobody answered).
pub fn on_resolve() -> Changes {
    Changes {
        status: Some(CaseStatus::Resolved),
        stop: TargetKind::ALL.to_vec(),
        met: false,
        start: None,
        awaiting: Some(false),
        responded: false,
    }
}

/// An urgent escalation starts its target; the case's status stays.
pub fn on_escalation(target: CaseTarget) -> Changes {
    Changes {
        start: Some(target),
        ..Changes::default()
    }
}

/// What a customer's reply does to the status: it reopens a resolved case and answers a
/// request for action; otherwise the status stays.
pub fn after_customer_reply(current: CaseStatus) -> CaseStatus {
    match current {
        CaseStatus::Resolved => CaseStatus::Reopened,
        CaseStatus::PendingCustomerAction => CaseStatus::CustomerActionCompleted,
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn target(kind: TargetKind, due: &str) -> CaseTarget {
        CaseTarget::start(kind, "24x7", 60, at("2026-11-23T09:00:00Z"), at(due), None)
    }

    fn run(kind: TargetKind, due: &str) -> Running {
        Running { kind, due: at(due) }
    }

    #[test]
    fn every_customer_message_is_owed_an_answer_whatever_the_plan_times() {
        // A plan without a next-reply target (all of AWS's): the target does not start
        // while the first response is owed, yet the customer awaits support all the same.
        let owed = [run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")];
        let c = on_message(
            CaseStatus::WorkInProgress,
            &owed,
            Author::Customer,
            false,
            None,
        );
        assert_eq!(c.awaiting, Some(true));
        let c = on_message(CaseStatus::Resolved, &[], Author::Customer, false, None);
        assert_eq!(
            (c.status, c.awaiting),
            (Some(CaseStatus::Reopened), Some(true))
        );
        // Support's visible reply answers it; a note does not; resolving ends the wait.
        let c = on_message(CaseStatus::Opened, &owed, Author::Support, false, None);
        assert_eq!(c.awaiting, Some(false));
        let c = on_message(CaseStatus::Opened, &owed, Author::Support, true, None);
        assert_eq!(c.awaiting, None);
        assert_eq!(on_resolve().awaiting, Some(false));
        assert_eq!(on_status(CaseStatus::PendingCustomerAction).awaiting, None);
    }

    #[test]
    fn an_internal_note_changes_nothing() {
        let running = [run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")];
        let c = on_message(CaseStatus::Opened, &running, Author::Support, true, None);
        assert_eq!(c, Changes::default());
        assert!(!c.moves_due());
    }

    #[test]
    fn support_reply_meets_everything_and_starts_the_update() {
        let running = [
            run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z"),
            run(TargetKind::Escalation, "2026-11-23T09:10:00Z"),
        ];
        let update = target(TargetKind::Update, "2026-11-24T09:00:00Z");
        let c = on_message(
            CaseStatus::WorkInProgress,
            &running,
            Author::Support,
            false,
            Some(update.clone()),
        );
        assert!(c.met);
        assert_eq!(c.stop, TargetKind::ALL);
        assert_eq!(c.status, Some(CaseStatus::WorkInProgress));
        assert_eq!(c.start, Some(update));
        assert_eq!(
            next_due(&c.running_after(&running)).map(|r| r.due),
            Some(at("2026-11-24T09:00:00Z"))
        );
    }

    #[test]
    fn support_reply_on_a_resolved_case_starts_no_update() {
        let update = target(TargetKind::Update, "2026-11-24T09:00:00Z");
        let c = on_message(
            CaseStatus::Resolved,
            &[],
            Author::Support,
            false,
            Some(update),
        );
        assert_eq!(c.start, None);
        assert_eq!(c.status, Some(CaseStatus::Resolved));
    }

    #[test]
    fn customer_message_starts_a_next_reply_only_when_no_answer_is_owed() {
        let next = target(TargetKind::NextReply, "2026-11-23T13:00:00Z");
        let owed = [run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")];
        let c = on_message(
            CaseStatus::Opened,
            &owed,
            Author::Customer,
            false,
            Some(next.clone()),
        );
        assert_eq!(c.start, None);
        assert!(c.stop.is_empty());
        // An update running means support answered: the customer is owed a reply again.
        let updating = [run(TargetKind::Update, "2026-11-24T09:00:00Z")];
        let c = on_message(
            CaseStatus::WorkInProgress,
            &updating,
            Author::Customer,
            false,
            Some(next.clone()),
        );
        assert_eq!(c.start, Some(next));
        assert_eq!(
            next_due(&c.running_after(&updating)).map(|r| r.due),
            Some(at("2026-11-23T13:00:00Z"))
        );
    }

    #[test]
    fn customer_message_reopens_and_answers_requests() {
        for (before, after) in [
            (CaseStatus::Resolved, CaseStatus::Reopened),
            (
                CaseStatus::PendingCustomerAction,
                CaseStatus::CustomerActionCompleted,
            ),
            (CaseStatus::Opened, CaseStatus::Opened),
            (CaseStatus::WorkInProgress, CaseStatus::WorkInProgress),
        ] {
            let c = on_message(before, &[], Author::Customer, false, None);
            assert_eq!(c.status, Some(after), "{before}");
        }
    }

    #[test]
    fn status_changes_and_resolution() {
        let c = on_status(CaseStatus::PendingCustomerAction);
        assert_eq!(c.stop, [TargetKind::Update]);
        assert!(!c.met);
        assert_eq!(on_status(CaseStatus::WorkInProgress).stop, []);
        assert_eq!(on_status(CaseStatus::Resolved), on_resolve());
        let running = [run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")];
        let r = on_resolve();
        assert_eq!(next_due(&r.running_after(&running)).map(|r| r.due), None);
        assert!(!r.met);
    }

    #[test]
    fn the_case_waits_on_its_earliest_running_target() {
        let mut first = target(TargetKind::FirstResponse, "2026-11-23T10:00:00Z");
        let esc = target(TargetKind::Escalation, "2026-11-23T09:10:00Z");
        assert_eq!(waiting_on(&[first.clone(), esc.clone()]), Some(&esc));
        first.stopped = Some(at("2026-11-23T09:05:00Z"));
        assert_eq!(waiting_on(&[first]), None);
        let c = on_escalation(esc.clone());
        assert_eq!(
            next_due(&c.running_after(&[run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")]))
                .map(|r| r.due),
            Some(esc.due)
        );
    }

    #[test]
    fn a_reopen_asks_again_for_a_first_response_never_given() {
        use Author::*;
        assert_eq!(follow_up_kind(Customer, false), TargetKind::FirstResponse);
        assert_eq!(follow_up_kind(Customer, true), TargetKind::NextReply);
        assert_eq!(follow_up_kind(Support, false), TargetKind::Update);
        // While the first response runs, a customer's message starts nothing more.
        let owed = [run(TargetKind::FirstResponse, "2026-11-23T10:00:00Z")];
        let again = target(TargetKind::FirstResponse, "2026-11-24T10:00:00Z");
        let c = on_message(
            CaseStatus::Opened,
            &owed,
            Author::Customer,
            false,
            Some(again.clone()),
        );
        assert_eq!(c.start, None);
        // Resolved with nothing running: the restarted first response starts.
        let c = on_message(
            CaseStatus::Resolved,
            &[],
            Author::Customer,
            false,
            Some(again.clone()),
        );
        assert_eq!(c.start, Some(again));
        assert!(!c.responded);
        assert!(on_message(CaseStatus::Opened, &[], Author::Support, false, None).responded);
        assert!(!on_message(CaseStatus::Opened, &[], Author::Support, true, None).responded);
    }

    #[test]
    fn an_untimed_wait_sorts_as_a_new_case_of_its_severity() {
        let since = at("2026-11-23T09:00:00Z");
        let due = run(TargetKind::NextReply, "2026-11-23T09:30:00Z");
        // A running target always decides.
        assert_eq!(queue_key(Some(due), Some(since), Some(60)), Some(due.due));
        assert_eq!(
            queue_key(None, Some(since), Some(60)),
            Some(at("2026-11-23T10:00:00Z"))
        );
        assert_eq!(
            queue_key(None, Some(since), None),
            Some(at("2026-11-24T09:00:00Z"))
        );
        assert_eq!(queue_key(None, None, Some(60)), None);
    }
}
