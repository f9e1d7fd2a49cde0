//! The customer's Trusted Advisor pages: the checks their plan includes, grouped by
//! category with counts by status and the date of the last inventory; one check's
//! resources in its own columns, each suppressed or brought back; a refresh. What the plan
//! leaves out is said, with the plans that include it. Staff see the accounts they reach
//! at a glance: red and yellow resources open, and what changed this week.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::IgnoredAny;
use tierdesk_app::trusted_advisor::CheckView;
use tierdesk_core::catalog::AdvisorLevel;
use tierdesk_core::trusted_advisor::{Category, CheckStatus};

use super::extract::{AgentVisit, CustomerVisit};
use super::forms::Form;
use super::i18n::Lang;
use super::{Nav, render};
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/trusted-advisor", get(overview))
        .route("/console/trusted-advisor/{id}", get(check_page))
        .route("/console/trusted-advisor/{id}/refresh", post(refresh))
        .route("/console/trusted-advisor/{id}/suppress", post(suppress))
        .route("/console/accounts/trusted-advisor", get(glance))
}

fn category_words(l: Lang, c: Category) -> &'static str {
    l.t(match c {
        Category::Security => "Security",
        Category::CostOptimizing => "Cost optimizing",
        Category::FaultTolerance => "Fault tolerance",
        Category::Performance => "Performance",
        Category::ServiceLimits => "Service limits",
    })
}

fn status_words(l: Lang, s: CheckStatus) -> &'static str {
    l.t(match s {
        CheckStatus::Error => "Action recommended",
        CheckStatus::Warning => "Investigation recommended",
        CheckStatus::Ok => "No problems detected",
        CheckStatus::NotAvailable => "Not available",
    })
}

/// One check's line on the overview.
struct CheckLine {
    id: String,
    name: String,
    status: &'static str,
    words: &'static str,
    flagged: u64,
    suppressed: u64,
    savings: String,
}

struct CategoryBlock {
    name: &'static str,
    /// Checks red, yellow, green, not available.
    counts: [usize; 4],
    checks: Vec<CheckLine>,
}

#[derive(Template)]
#[template(path = "trusted_advisor.html")]
struct OverviewPage {
    nav: Option<Nav>,
    l: Lang,
    plan_name: String,
    /// `none`, `core` or `full`.
    level: &'static str,
    /// Plans of the same catalog that include every check.
    fuller_plans: Vec<String>,
    inventory: Option<(String, String)>,
    categories: Vec<CategoryBlock>,
}

fn level_word(level: AdvisorLevel) -> &'static str {
    match level {
        AdvisorLevel::None => "none",
        AdvisorLevel::Core => "core",
        AdvisorLevel::Full => "full",
    }
}

fn line(v: &CheckView, l: Lang) -> CheckLine {
    let counts = v.counts();
    let status = v.status();
    CheckLine {
        id: v.check.id.to_string(),
        name: v.check.name_in(l.code()).to_string(),
        status: status.as_str(),
        words: status_words(l, status),
        flagged: counts.flagged,
        suppressed: counts.suppressed,
        savings: if counts.savings.is_zero() {
            String::new()
        } else {
            format!("${:.2}", counts.savings)
        },
    }
}

async fn overview(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
) -> Response {
    let level = caller.plan.advisor_level();
    let family = caller
        .plan
        .id
        .split('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let fuller_plans: Vec<String> = if level == AdvisorLevel::Full {
        Vec::new()
    } else {
        st.app
            .catalog
            .plans
            .iter()
            .filter(|p| {
                p.id.starts_with(&format!("{family}.")) && p.advisor_level() == AdvisorLevel::Full
            })
            .map(|p| p.name.clone())
            .collect()
    };
    let views = match st.app.advisor_views(&caller, None).await {
        Ok(v) => v,
        Err(e) => return v.failure(&e),
    };
    let inventory = match st.app.inventory_summary(&caller.account.id).await {
        Ok(i) => i.map(|(at, regions, _)| (v.when(at), regions.join(", "))),
        Err(e) => return v.failure(&e),
    };
    let mut categories: Vec<CategoryBlock> = Vec::new();
    for c in Category::ALL {
        let in_cat: Vec<&CheckView> = views.iter().filter(|x| x.check.category == c).collect();
        if in_cat.is_empty() {
            continue;
        }
        let mut counts = [0; 4];
        for x in &in_cat {
            counts[match x.status() {
                CheckStatus::Error => 0,
                CheckStatus::Warning => 1,
                CheckStatus::Ok => 2,
                CheckStatus::NotAvailable => 3,
            }] += 1;
        }
        let mut checks: Vec<CheckLine> = in_cat.iter().map(|x| line(x, v.l)).collect();
        // The worst first, then by name.
        let rank = |s: &str| match s {
            "error" => 0,
            "warning" => 1,
            "ok" => 2,
            _ => 3,
        };
        checks.sort_by(|a, b| {
            rank(a.status)
                .cmp(&rank(b.status))
                .then(a.name.cmp(&b.name))
        });
        categories.push(CategoryBlock {
            name: category_words(v.l, c),
            counts,
            checks,
        });
    }
    render(
        StatusCode::OK,
        &OverviewPage {
            nav: Some(v.nav()),
            l: v.l,
            plan_name: caller.plan.name.clone(),
            level: level_word(level),
            fuller_plans,
            inventory,
            categories,
        },
    )
}

struct ResourceLine {
    resource_id: String,
    status: &'static str,
    cells: Vec<String>,
    suppressed: bool,
}

#[derive(Template)]
#[template(path = "trusted_advisor_check.html")]
struct CheckPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    id: String,
    name: String,
    category: &'static str,
    status: &'static str,
    words: &'static str,
    /// The alert criteria, a line each.
    criteria: Vec<String>,
    columns: Vec<String>,
    resources: Vec<ResourceLine>,
    evaluated: Option<String>,
    processed: u64,
    ignored: u64,
    savings: String,
    refreshable: bool,
    refresh: String,
    history: Vec<HistoryLine>,
}

/// A finding on the check page's history: a resource's time flagged.
struct HistoryLine {
    resource: String,
    /// `error` or `warning` when last seen.
    status: &'static str,
    first: String,
    /// When it was fixed, or that it still is flagged.
    fixed: String,
    open: bool,
}

/// The most findings the history shows.
const HISTORY: i64 = 100;

async fn check_page(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path(id): Path<String>,
) -> Response {
    let view = match st.app.advisor_view(&caller, &id).await {
        Ok(x) => x,
        Err(e) => return v.failure(&e),
    };
    let refresh = match st
        .app
        .refresh_states(&caller, std::slice::from_ref(&id))
        .await
    {
        Ok(mut s) => s.pop().map(|s| s.status).unwrap_or("none"),
        Err(e) => return v.failure(&e),
    };
    let history = match st.app.recent_findings(&caller, &id, HISTORY).await {
        Ok(f) => f
            .into_iter()
            .map(|f| HistoryLine {
                resource: cells_text(&f.metadata),
                status: f.status.as_str(),
                first: v.when(f.first_seen),
                fixed: f
                    .resolved
                    .map_or_else(|| v.l.t("Still flagged").to_string(), |t| v.when(t)),
                open: f.resolved.is_none(),
            })
            .collect(),
        Err(e) => return v.failure(&e),
    };
    let counts = view.counts();
    let status = view.status();
    let mut resources: Vec<ResourceLine> = view
        .result
        .as_ref()
        .map(|r| {
            r.rows
                .iter()
                .map(|row| ResourceLine {
                    resource_id: row.resource_id.clone(),
                    status: row.status.as_str(),
                    cells: row
                        .metadata
                        .iter()
                        .map(|m| m.clone().unwrap_or_default())
                        .collect(),
                    suppressed: view.suppressed.contains(&row.resource_id),
                })
                .collect()
        })
        .unwrap_or_default();
    resources.sort_by_key(|r| {
        (
            r.suppressed,
            std::cmp::Reverse(r.status == "error"),
            r.status != "warning",
        )
    });
    let check_def = view.check;
    render(
        StatusCode::OK,
        &CheckPage {
            nav: Some(v.nav()),
            l: v.l,
            csrf: v.csrf(),
            id: check_def.id.to_string(),
            name: check_def.name_in(v.l.code()).to_string(),
            category: category_words(v.l, check_def.category),
            status: status.as_str(),
            words: status_words(v.l, status),
            criteria: check_def
                .criteria_in(v.l.code())
                .split("<br>\n")
                .map(str::to_string)
                .collect(),
            columns: check_def.columns_in(v.l.code()),
            resources,
            evaluated: view.at().map(|t| v.when(t)),
            processed: counts.processed,
            ignored: counts.ignored,
            savings: if counts.savings.is_zero() {
                String::new()
            } else {
                format!("${:.2}", counts.savings)
            },
            refreshable: !check_def.auto_refresh,
            refresh: refresh.to_string(),
            history,
        },
    )
}

async fn refresh(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path(id): Path<String>,
    _: Form<IgnoredAny>,
) -> Response {
    match st.app.refresh_check(&caller, &id).await {
        Ok(_) => Redirect::to(&format!("/console/trusted-advisor/{id}")).into_response(),
        Err(e) => v.failure(&e),
    }
}

#[derive(Deserialize)]
struct SuppressForm {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    suppressed: String,
}

async fn suppress(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path(id): Path<String>,
    Form { fields: f, .. }: Form<SuppressForm>,
) -> Response {
    let on = f.suppressed == "1";
    match st
        .app
        .suppress_resources(&caller, &v.who, &id, std::slice::from_ref(&f.resource), on)
        .await
    {
        Ok(()) => Redirect::to(&format!("/console/trusted-advisor/{id}")).into_response(),
        Err(e) => v.failure(&e),
    }
}

struct GlanceRow {
    id: String,
    name: String,
    imported: String,
    red: i64,
    yellow: i64,
    opened: i64,
    fixed: i64,
}

struct ChangeRow {
    when: String,
    account: String,
    check_id: String,
    check: String,
    resource: String,
    /// `error`, `warning` (flagged) or `fixed`.
    kind: &'static str,
    words: &'static str,
}

#[derive(Template)]
#[template(path = "trusted_advisor_accounts.html")]
struct GlancePage {
    nav: Option<Nav>,
    l: Lang,
    since: String,
    accounts: Vec<GlanceRow>,
    changes: Vec<ChangeRow>,
}

/// The advisor across the accounts a staff member reaches.
async fn glance(
    State(st): State<std::sync::Arc<AppState>>,
    AgentVisit(v, agent): AgentVisit,
) -> Response {
    let g = match st.app.advisor_glance(&agent).await {
        Ok(g) => g,
        Err(e) => return v.failure(&e),
    };
    let accounts = g
        .accounts
        .into_iter()
        .map(|a| GlanceRow {
            imported: a
                .imported
                .map_or_else(|| v.l.t("No inventory").to_string(), |t| v.when(t)),
            id: a.account_id,
            name: a.account_name,
            red: a.red,
            yellow: a.yellow,
            opened: a.opened,
            fixed: a.fixed,
        })
        .collect();
    let changes = g
        .changes
        .into_iter()
        .map(|(account, f)| {
            let (kind, words, at) = match (f.resolved, f.status) {
                (Some(at), _) => ("fixed", "Fixed", at),
                (None, tierdesk_core::trusted_advisor::Status::Error) => {
                    ("error", "Flagged red", f.first_seen)
                }
                (None, _) => ("warning", "Flagged yellow", f.first_seen),
            };
            ChangeRow {
                when: v.when(at),
                account,
                check: tierdesk_core::trusted_advisor::check(&f.check_id)
                    .map_or_else(|| f.check_id.clone(), |c| c.name_in(v.l.code()).to_string()),
                check_id: f.check_id,
                resource: cells_text(&f.metadata),
                kind,
                words: v.l.t(words),
            }
        })
        .collect();
    render(
        StatusCode::OK,
        &GlancePage {
            nav: Some(v.nav()),
            l: v.l,
            since: v.when(g.since),
            accounts,
            changes,
        },
    )
}

/// A finding's cells on one line, the empty ones left out: what names the resource in the
/// history and the week's changes.
fn cells_text(cells: &[Option<String>]) -> String {
    cells
        .iter()
        .flatten()
        .filter(|c| !c.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" · ")
}
