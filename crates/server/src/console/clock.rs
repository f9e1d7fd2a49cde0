//! A case's clock as the console words it. Every page that shows a case's SLA (the
//! customer's case and list, the queue, the engineer's case page, an account's cases)
//! words `tierdesk_core::sla::clock::CaseClock` here, so they cannot disagree.

use jiff::Timestamp;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::{Case, CaseStatus};
use tierdesk_core::sla::clock::FirstResponse;

use super::Visit;

/// One case's clock, worded for a page.
pub(super) struct ClockView {
    /// What support owes and by when, or what became of the first response.
    pub text: String,
    /// The running deadline, for the live countdown (`<time class="countdown">`).
    pub due: Option<String>,
    /// The time left (or overdue) as the server saw it; the countdown keeps it current.
    pub left: String,
    /// A running target is past its deadline.
    pub overdue: bool,
    /// A table cell's words: what the countdown counts to, or why there is none.
    pub short: &'static str,
}

pub(super) fn view(v: &Visit, case: &Case, now: Timestamp) -> ClockView {
    let l = v.l;
    let clock = case.clock(now);
    if let Some(o) = clock.owed {
        let when = v.when(o.due);
        let (text, short) = match o.kind {
            TargetKind::FirstResponse => (
                l.fill("First response due {0}", &[&when]),
                l.t("first response"),
            ),
            TargetKind::NextReply => (l.fill("Reply due {0}", &[&when]), l.t("reply")),
            TargetKind::Update => (l.fill("Next update due {0}", &[&when]), l.t("update")),
            TargetKind::Escalation => (
                l.fill("Escalation response due {0}", &[&when]),
                l.t("escalation"),
            ),
        };
        return ClockView {
            text,
            due: Some(o.due.to_string()),
            left: l.left(o.due, now),
            overdue: o.overdue,
            short,
        };
    }
    let short = if clock.awaiting_untimed() {
        l.t("answer owed, untimed")
    } else {
        l.t("no target running")
    };
    let text = if clock.awaiting_untimed() {
        l.t("Awaiting support's answer; the plan sets no time for it.")
            .to_string()
    } else {
        match clock.first_response {
            FirstResponse::NotPromised => l.t("No response target on this plan").to_string(),
            FirstResponse::Answered { at, due } if clock.first_response.late() => l.fill(
                "First response at {0}, after its deadline ({1})",
                &[&v.when(at), &v.when(due)],
            ),
            FirstResponse::Answered { at, due } => l.fill(
                "First response at {0} (due {1})",
                &[&v.when(at), &v.when(due)],
            ),
            FirstResponse::Stopped { due } if case.status == CaseStatus::Resolved => l.fill(
                "Resolved before a first response (due {0})",
                &[&v.when(due)],
            ),
            // A case reopened by support without a message: nothing is owed yet.
            FirstResponse::Stopped { due } | FirstResponse::Running { due } => l.fill(
                "No target running; no first response yet (it was due {0})",
                &[&v.when(due)],
            ),
        }
    };
    ClockView {
        text,
        due: None,
        left: String::new(),
        overdue: false,
        short,
    }
}
