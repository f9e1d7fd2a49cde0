//! One truth about a case's clock: random sequences of every turn a case can take (the
//! customer's reply, reopen and resolve, support's reply, note, status changes and
//! resolve, an urgent escalation, time passing) drive a case through the console, and
//! after each turn every view of it (the customer's case page and case list, the queue,
//! the engineer's case page, the operator API) must agree with the others and with a
//! model of the rules written here from their statement, not from the code.

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::support::{CUSTOMER_EMAIL, Reply, Server, Visitor, both_engines};

/// The turns a case can take.
#[derive(Debug, Clone, Copy)]
enum Turn {
    CustomerReply,
    CustomerResolve,
    CustomerEscalate,
    SupportReply,
    SupportNote,
    SupportStatus(&'static str),
    Wait(i64),
}

/// What the rules say the case's clock holds, from the turns taken, on plans with a
/// first-response target and no next-reply or update targets (AWS's and Alibaba Cloud's
/// Business, whose urgent escalations the cases use).
#[derive(Debug, Default)]
struct Model {
    status: &'static str,
    /// Kinds of the targets running.
    running: Vec<&'static str>,
    responded: bool,
    awaiting: bool,
}

impl Model {
    fn opened() -> Self {
        Self {
            status: "opened",
            running: vec!["first_response"],
            responded: false,
            awaiting: true,
        }
    }

    /// The turn was accepted: what it does.
    fn apply(&mut self, turn: Turn) {
        match turn {
            Turn::CustomerReply => {
                self.status = match self.status {
                    "resolved" => "reopened",
                    "pending-customer-action" => "customer-action-completed",
                    other => other,
                };
                // A customer who never had an answer is owed the first response still,
                // unless support already owes them one.
                let owed = self
                    .running
                    .iter()
                    .any(|k| *k == "first_response" || *k == "escalation");
                if !self.responded && !owed {
                    self.running.push("first_response");
                }
                self.awaiting = true;
            }
            Turn::SupportReply => {
                // Support's visible reply meets everything; the status stays.
                self.running.clear();
                self.responded = true;
                self.awaiting = false;
            }
            Turn::SupportNote | Turn::Wait(_) => {}
            Turn::CustomerResolve | Turn::SupportStatus("resolved") => {
                self.status = "resolved";
                self.running.clear();
                self.awaiting = false;
            }
            Turn::SupportStatus(s) => self.status = s,
            Turn::CustomerEscalate => self.running.push("escalation"),
        }
    }
}

/// A tiny deterministic generator: the same sequences on every run and engine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn turn(&mut self) -> Turn {
        match self.next(9) {
            0 | 1 => Turn::CustomerReply,
            2 => Turn::CustomerResolve,
            3 => Turn::CustomerEscalate,
            4 => Turn::SupportReply,
            5 => Turn::SupportNote,
            6 => Turn::SupportStatus(
                ["work-in-progress", "pending-customer-action", "resolved"][self.next(3) as usize],
            ),
            // At most ten hours a sequence: the visitors' sessions last twelve.
            _ => Turn::Wait(1 + self.next(60) as i64),
        }
    }
}

/// The text of the element that starts at `open` in `html` (tags stripped) and the
/// countdown's instant inside it, if any.
fn element(html: &str, open: &str) -> Option<(String, Option<Timestamp>)> {
    let start = html.find(open)?;
    let rest = &html[start..];
    let end = rest.find("</p>").or_else(|| rest.find("</tr>"))?;
    let inner = &rest[..end];
    let due = inner
        .split("datetime=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| s.parse::<Timestamp>().unwrap());
    let mut text = String::new();
    let mut in_tag = false;
    for ch in inner.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&");
    Some((text.split_whitespace().collect::<Vec<_>>().join(" "), due))
}

/// The table row that links to `href`.
fn row<'a>(html: &'a str, href: &str) -> Option<&'a str> {
    let at = html.find(href)?;
    let start = html[..at].rfind("<tr")?;
    let end = at + html[at..].find("</tr>")?;
    Some(&html[start..end])
}

fn due_in(s: &str) -> Option<Timestamp> {
    s.split("datetime=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| s.parse().unwrap())
}

async fn take(s: &Server, customer: &Visitor, agent: &Visitor, id: &str, turn: Turn) -> bool {
    let ok = |r: Reply| r.status == StatusCode::SEE_OTHER;
    match turn {
        Turn::CustomerReply => ok(s
            .post_form(
                customer,
                &format!("/console/cases/{id}/reply"),
                &[
                    ("csrf", customer.csrf.as_str()),
                    ("body", "Still down here."),
                ],
            )
            .await),
        Turn::CustomerResolve => ok(s
            .post_form(
                customer,
                &format!("/console/cases/{id}/resolve"),
                &[("csrf", customer.csrf.as_str())],
            )
            .await),
        Turn::CustomerEscalate => ok(s
            .post_form(
                customer,
                &format!("/console/cases/{id}/escalate"),
                &[("csrf", customer.csrf.as_str())],
            )
            .await),
        Turn::SupportReply | Turn::SupportNote => ok(s
            .post_form(
                agent,
                &format!("/console/queue/{id}/message"),
                &[
                    ("csrf", agent.csrf.as_str()),
                    ("body", "Looking into it."),
                    (
                        "kind",
                        if matches!(turn, Turn::SupportNote) {
                            "note"
                        } else {
                            "reply"
                        },
                    ),
                ],
            )
            .await),
        Turn::SupportStatus(status) => ok(s
            .post_form(
                agent,
                &format!("/console/queue/{id}/status"),
                &[("csrf", agent.csrf.as_str()), ("status", status)],
            )
            .await),
        Turn::Wait(minutes) => {
            use tierdesk_core::clock::Clock;
            s.clock
                .set(s.clock.now() + SignedDuration::from_mins(minutes));
            true
        }
    }
}

/// Every view of the case, checked against each other and against the model.
async fn check_views(
    s: &Server,
    customer: &Visitor,
    agent: &Visitor,
    id: &str,
    m: &Model,
    at: &str,
) {
    let api: Value = s
        .api("agent", "GET", &format!("/api/v1/cases/{id}"), None)
        .await
        .json();
    let sla = &api["sla"];
    let target = sla["target"].as_str();
    let api_due = sla["dueAt"]
        .as_str()
        .map(|d| d.parse::<Timestamp>().unwrap());
    assert_eq!(api["status"], m.status, "{at}: status {api}");
    assert_eq!(
        target.is_some(),
        !m.running.is_empty(),
        "{at}: running {api}"
    );
    if let Some(t) = target {
        assert!(
            m.running.contains(&t),
            "{at}: {t} runs, the model has {:?}",
            m.running
        );
    }
    assert_eq!(
        sla["firstResponse"]["respondedAt"].is_string(),
        m.responded,
        "{at}: responded {api}"
    );
    assert_eq!(
        api["awaitingSupportSince"].is_string(),
        m.awaiting,
        "{at}: awaiting {api}"
    );

    // The customer's case page: the same deadline, worded for what runs.
    let page = s
        .get_page(customer, &format!("/console/cases/{id}"))
        .await
        .text();
    let (text, due) =
        element(&page, "<p id=\"sla\"").unwrap_or_else(|| panic!("{at}: no clock on {page}"));
    assert_eq!(due, api_due, "{at}: customer page {text}");
    let expected = match (target, m.awaiting, m.responded, m.status) {
        (Some("first_response"), ..) => "First response due",
        (Some("escalation"), ..) => "Escalation response due",
        (Some(other), ..) => panic!("{at}: unexpected target {other}"),
        (None, true, ..) => "Awaiting support's answer",
        (None, false, true, _) => "First response at",
        (None, false, false, "resolved") => "Resolved before a first response",
        (None, false, false, _) => "No target running; no first response yet",
    };
    assert!(
        text.starts_with(expected),
        "{at}: customer page says {text:?}, expected {expected:?}"
    );
    // A countdown is never repeated in the sentence beside it.
    assert!(
        !text.contains("(in ") || text.matches("in ").count() <= 2,
        "{at}: {text}"
    );

    // The customer's case list says the same sentence.
    let list = s.get_page(customer, "/console/cases").await.text();
    let listed = row(&list, &format!("/console/cases/{id}\"")).unwrap();
    let sentence = text.split(" (").next().unwrap();
    assert!(
        listed
            .replace("&#39;", "'")
            .replace("&#x27;", "'")
            .contains(sentence),
        "{at}: the list says otherwise than the page ({sentence:?}): {listed}"
    );

    // The engineer's page and the queue: the same deadline.
    let staff = s
        .get_page(agent, &format!("/console/queue/{id}"))
        .await
        .text();
    let (staff_text, staff_due) = element(&staff, "<p id=\"sla\"").unwrap();
    assert_eq!(staff_due, api_due, "{at}: engineer's page {staff_text}");
    assert!(
        staff_text.starts_with(expected),
        "{at}: engineer's page says {staff_text:?}"
    );
    let queue = s.get_page(agent, "/console/queue").await.text();
    match row(&queue, &format!("/console/queue/{id}\"")) {
        None => assert_eq!(
            m.status, "resolved",
            "{at}: an open case is missing from the queue"
        ),
        Some(r) => {
            assert_ne!(m.status, "resolved", "{at}: a resolved case in the queue");
            assert_eq!(due_in(r), api_due, "{at}: queue row {r}");
            if target.is_none() && m.awaiting {
                assert!(r.contains("answer owed, untimed"), "{at}: {r}");
            }
        }
    }
}

both_engines! {
    async fn every_view_of_a_case_tells_one_truth_about_its_clock(s) {
        let mut rng = Lcg(0x5eed_c10c);
        for sequence in 0..10 {
            // Half the cases on a plan with urgent escalations (Alibaba Cloud's Business).
            let plan = if sequence % 2 == 0 { "aws.enterprise_2025" } else { "aliyun.business" };
            s.app.set_plan(&tierdesk_testkit::operator(), crate::support::ACCOUNT, plan, None, true)
                .await
                .unwrap();
            let customer = s.visitor(CUSTOMER_EMAIL).await;
            let agent = s.visitor("agent@support.example").await;
            let id = s.open_case(&customer, "urgent", "The payment API answers 503", "Production is down.").await;
            let mut model = Model::opened();
            let mut trail = vec![];
            check_views(&s, &customer, &agent, &id, &model, "opened").await;
            for _ in 0..10 {
                let turn = rng.turn();
                let accepted = take(&s, &customer, &agent, &id, turn).await;
                trail.push(format!("{turn:?}{}", if accepted { "" } else { " (refused)" }));
                if accepted {
                    model.apply(turn);
                }
                let at = format!("sequence {sequence}: {}", trail.join(" → "));
                check_views(&s, &customer, &agent, &id, &model, &at).await;
            }
        }
    }
}
