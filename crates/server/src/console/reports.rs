//! The SLA dashboard (`/console/sla`): first-response attainment week by week and the
//! backlog at each week's end as labelled charts, response and resolution times per plan
//! and severity, account or engineer (each line drills down into the next), the newest
//! breaches, and the same lines as CSV (`/console/sla.csv`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tierdesk_app::reports::{Dashboard, DashboardQuery, Group, GroupBy, ReportLine};
use tierdesk_store::CaseSlice;

use tierdesk_core::records::{Agent, Role};

use super::charts::{Bars, bars};
use super::extract::AgentVisit;
use super::forms::Query;
use super::words::agent_name;
use super::{Lang, Nav, Visit, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/sla", get(dashboard))
        .route("/console/sla.csv", get(csv))
}

/// The dashboard's filters, as its form puts them in the URL.
#[derive(Deserialize, Default, Clone)]
struct SlaQuery {
    plan: Option<String>,
    severity: Option<String>,
    account: Option<String>,
    /// An agent id, or `none` for unassigned cases.
    agent: Option<String>,
    /// `plan`, `account` or `agent`: what each line counts.
    by: Option<String>,
    weeks: Option<String>,
}

const WEEKS: [usize; 5] = [4, 8, 13, 26, 52];

impl SlaQuery {
    fn shown(v: &Option<String>) -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    }

    fn dashboard(&self) -> DashboardQuery {
        DashboardQuery {
            cases: CaseSlice {
                account: Self::shown(&self.account),
                plan: Self::shown(&self.plan),
                severity: Self::shown(&self.severity),
                assignee: Self::shown(&self.agent).map(|a| (a != "none").then_some(a)),
            },
            by: self
                .by
                .as_deref()
                .and_then(GroupBy::parse)
                .unwrap_or_default(),
            weeks: self
                .weeks
                .as_deref()
                .and_then(|w| w.parse().ok())
                .filter(|w| WEEKS.contains(w))
                .unwrap_or(8),
        }
    }

    /// The query string of `q` (the answered query), for links and the CSV.
    fn of(q: &DashboardQuery, by: GroupBy) -> String {
        let c = &q.cases;
        let agent = c
            .assignee
            .as_ref()
            .map(|a| a.clone().unwrap_or_else(|| "none".into()));
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("plan", c.plan.clone()),
            ("severity", c.severity.clone()),
            ("account", c.account.clone()),
            ("agent", agent),
            ("by", Some(by.as_str().to_string())),
            ("weeks", Some(q.weeks.to_string())),
        ] {
            if let Some(v) = value {
                url.append_pair(name, &v);
            }
        }
        url.finish()
    }
}

/// One line of the table, in words.
struct LineView {
    /// The group's cells (plan and severity, an account, an engineer).
    group: Vec<String>,
    /// The dashboard narrowed to this line, one level down.
    drill: String,
    cases: usize,
    /// "92% (23 of 25)", or a dash when nothing was decided.
    within: String,
    breaches: usize,
    first_response: String,
    resolved: usize,
    resolution: String,
    /// Built here from numbers and the console's words only: inserted unescaped.
    weekly: String,
}

#[derive(Template)]
#[template(path = "sla.html")]
struct DashboardPage {
    nav: Option<Nav>,
    l: Lang,
    first_week: String,
    /// The filters' choices: (value, label) and the chosen value.
    plans: Vec<(String, String)>,
    plan: String,
    severities: Vec<(String, String)>,
    severity: String,
    /// Blank for every account a person may see; their accounts only for a TAM.
    accounts: Vec<(String, String)>,
    account: String,
    agents: Vec<(String, String)>,
    agent: String,
    by_choices: Vec<(String, String)>,
    by: String,
    weeks: Vec<usize>,
    weeks_shown: usize,
    /// The group's column titles.
    group_columns: Vec<&'static str>,
    /// Both charts, built from numbers and the console's words only.
    attainment: String,
    backlog: String,
    lines: Vec<LineView>,
    /// (when, case id, subject, account, plan, severity, target)
    breaches: Vec<(String, String, String, String, String, String, String)>,
    csv: String,
}

fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// "median / p90" of two durations in seconds, or a dash.
fn times(l: Lang, median: Option<i64>, p90: Option<i64>) -> String {
    let t = |s: Option<i64>| {
        s.map_or("–".to_string(), |s| {
            l.minutes((s.max(0) as u64).div_ceil(60))
        })
    };
    match (median, p90) {
        (None, None) => "–".into(),
        _ => format!("{} / {}", t(median), t(p90)),
    }
}

/// What a group is called for people: a plan's and severity's names, an account's id
/// and name, an engineer's name.
fn group_words(
    st: &AppState,
    l: Lang,
    agents: &[Agent],
    accounts: &[(String, String)],
    g: &Group,
) -> Vec<String> {
    match g {
        Group::PlanSeverity { plan, severity } => vec![
            l.plan_name(&st.app.catalog, plan),
            l.severity(&st.app.catalog, plan, severity),
        ],
        Group::Account(a) => vec![
            accounts
                .iter()
                .find(|(id, _)| id == a)
                .map_or_else(|| a.clone(), |(_, name)| name.clone()),
        ],
        Group::Assignee(None) => vec![l.t("Unassigned").to_string()],
        Group::Assignee(Some(id)) => vec![agent_name(agents, id)],
    }
}

/// The dashboard narrowed to line `g`, one level down: a plan and severity to its
/// accounts, an account to its engineers, an engineer to their plans and severities.
fn drill(q: &DashboardQuery, g: &Group) -> String {
    let mut down = q.clone();
    let by = match g {
        Group::PlanSeverity { plan, severity } => {
            down.cases.plan = Some(plan.clone());
            down.cases.severity = Some(severity.clone());
            GroupBy::Account
        }
        Group::Account(a) => {
            down.cases.account = Some(a.clone());
            GroupBy::Assignee
        }
        Group::Assignee(a) => {
            down.cases.assignee = Some(a.clone());
            GroupBy::PlanSeverity
        }
    };
    format!("/console/sla?{}", SlaQuery::of(&down, by))
}

/// The staff and accounts the filters offer: every agent, and for a TAM their accounts
/// (id, "id name"); others type an account id.
async fn choices(
    st: &AppState,
    agent: &Agent,
) -> Result<(Vec<Agent>, Vec<(String, String)>), tierdesk_app::ServiceError> {
    let agents = st.app.agents().await?;
    let accounts = if agent.role == Role::Tam {
        st.app
            .find_account_views(None, Some(agent), None, 500)
            .await?
            .0
            .into_iter()
            .map(|a| {
                (
                    a.account.id.clone(),
                    format!("{} {}", a.account.id, a.account.name),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok((agents, accounts))
}

async fn dashboard(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<SlaQuery>,
) -> Response {
    let (agents, accounts) = match choices(&st, &agent).await {
        Ok(c) => c,
        Err(e) => return v.failure(&e),
    };
    let (d, answered) = match st.app.sla_dashboard_for(&agent, &q.dashboard()).await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let page = page(&st, &v, &agents, &accounts, &d, &answered);
    render(StatusCode::OK, &page)
}

fn page(
    st: &AppState,
    v: &Visit,
    agents: &[Agent],
    accounts: &[(String, String)],
    d: &Dashboard,
    q: &DashboardQuery,
) -> DashboardPage {
    let l = v.l;
    let labels: Vec<String> = d
        .weeks
        .iter()
        .map(|w| w.strftime("%m-%d").to_string())
        .collect();
    let good = |v: f64| if v >= 0.9 { "#2a9d8f" } else { "#d62828" };
    let attainment = bars(&Bars {
        title: l.t("Share of first responses within target, week by week"),
        labels: &labels,
        values: &d.overall,
        max: 1.0,
        format: &percent,
        colour: &good,
    });
    let backlog: Vec<Option<f64>> = d.backlog.iter().map(|n| Some(*n as f64)).collect();
    let most = d.backlog.iter().copied().max().unwrap_or(0).max(1);
    // A round top for the axis: 2, 4, 6, 8 or 10 times a power of ten.
    let top = {
        let mut step = 1i64;
        while step * 10 < most {
            step *= 10;
        }
        (1..=5)
            .map(|k| 2 * k * step)
            .find(|t| *t >= most)
            .unwrap_or(10 * step)
    };
    let backlog = bars(&Bars {
        title: l.t("Open cases at the end of each week"),
        labels: &labels,
        values: &backlog,
        max: top as f64,
        format: &|v| format!("{v:.0}"),
        colour: &|_| "#4a6fa5",
    });
    let lines = d
        .lines
        .iter()
        .zip(&d.shares)
        .map(|(line, shares)| line_view(st, l, agents, accounts, q, &labels, line, shares))
        .collect();
    let c = &q.cases;
    DashboardPage {
        nav: Some(v.nav()),
        l,
        first_week: d.weeks.first().map(|w| w.to_string()).unwrap_or_default(),
        plans: st
            .app
            .catalog
            .plans
            .iter()
            .map(|p| (p.id.clone(), l.plan(p).to_string()))
            .collect(),
        plan: c.plan.clone().unwrap_or_default(),
        severities: super::queue::severity_choices(st, l),
        severity: c.severity.clone().unwrap_or_default(),
        accounts: accounts.to_vec(),
        account: c.account.clone().unwrap_or_default(),
        agents: agents
            .iter()
            .map(|a| (a.id.clone(), a.name.clone()))
            .collect(),
        agent: c
            .assignee
            .as_ref()
            .map(|a| a.clone().unwrap_or_else(|| "none".into()))
            .unwrap_or_default(),
        by_choices: GroupBy::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), by_words(l, *g).to_string()))
            .collect(),
        by: q.by.as_str().to_string(),
        weeks: WEEKS.to_vec(),
        weeks_shown: q.weeks,
        group_columns: match q.by {
            GroupBy::PlanSeverity => vec![l.t("Plan"), l.t("Severity")],
            GroupBy::Account => vec![l.t("Account")],
            GroupBy::Assignee => vec![l.t("Engineer")],
        },
        attainment,
        backlog,
        lines,
        breaches: d
            .breaches
            .iter()
            .map(|(c, e)| {
                (
                    v.when(e.at),
                    c.case_id.clone(),
                    c.subject.clone(),
                    c.account_id.clone(),
                    l.plan_name(&st.app.catalog, &c.plan_id),
                    l.severity(&st.app.catalog, &c.plan_id, &c.severity_code),
                    l.target(e.target).to_string(),
                )
            })
            .collect(),
        csv: format!("/console/sla.csv?{}", SlaQuery::of(q, q.by)),
    }
}

fn by_words(l: Lang, by: GroupBy) -> &'static str {
    match by {
        GroupBy::PlanSeverity => l.t("per plan and severity"),
        GroupBy::Account => l.t("per account"),
        GroupBy::Assignee => l.t("per engineer"),
    }
}

#[allow(clippy::too_many_arguments)]
fn line_view(
    st: &AppState,
    l: Lang,
    agents: &[Agent],
    accounts: &[(String, String)],
    q: &DashboardQuery,
    labels: &[String],
    line: &ReportLine,
    shares: &[Option<f64>],
) -> LineView {
    let decided = line.within_target + line.breaches;
    LineView {
        group: group_words(st, l, agents, accounts, &line.group),
        drill: drill(q, &line.group),
        cases: line.cases,
        within: line.within_target_share.map_or("–".into(), |s| {
            l.fill(
                "{0} ({1} of {2})",
                &[
                    &percent(s),
                    &line.within_target.to_string(),
                    &decided.to_string(),
                ],
            )
        }),
        breaches: line.breaches,
        first_response: times(l, line.median_clock_seconds, line.p90_clock_seconds),
        resolved: line.resolved,
        resolution: times(
            l,
            line.median_resolution_seconds,
            line.p90_resolution_seconds,
        ),
        weekly: super::charts::spark(l.t("Weekly share within target"), labels, shares),
    }
}

/// The dashboard's lines as CSV (with business times, which the page leaves out), named
/// for people in the reader's language.
async fn csv(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
    Query(q): Query<SlaQuery>,
) -> Response {
    let l = v.l;
    let (agents, accounts) = match choices(&st, &agent).await {
        Ok(c) => c,
        Err(e) => return v.failure(&e),
    };
    let (lines, answered) = match st.app.sla_export_for(&agent, &q.dashboard()).await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let body = crate::report_format::csv(answered.by, &lines, |g| {
        group_words(&st, l, &agents, &accounts, g)
    });
    let name = format!("sla-{}-{}-weeks.csv", answered.by.as_str(), answered.weeks);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}
