//! A customer's cases in the console: the list (filters and search), opening a case
//! (service and category, severity, language, cc addresses, attachments), a case's
//! conversation with its attachments and first-response deadline, replying (which
//! reopens a resolved case) and resolving. Every page works through the same case
//! operations as the AWS API, with the signed-in user's own account as the caller, so
//! another account's case or attachment is simply not found.

use askama::Template;
use axum::Router;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tierdesk_app::ServiceError;
use tierdesk_app::actor::Actor;
use tierdesk_app::auth::Caller;
use tierdesk_app::cases::{
    Attachments, CaseSearch, CreateCase, DescribeCases, DescribeCommunications, Message,
};
use tierdesk_app::error::{Field, Problem};
use tierdesk_app::sessions::Person;
use tierdesk_core::account::CASE_LANGUAGES;
use tierdesk_core::records::{AttachmentRef, CaseStatus};

use super::extract::CustomerVisit;
use super::forms::{Form, Query};
use super::{Lang, Nav, Visit, render};
use crate::AppState;

/// Room for three 5 MB attachments and the form around them.
pub(super) const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;
const PAGE: i64 = 50;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console/cases", get(list))
        .route("/console/cases/new", get(new_page).post(create))
        .route("/console/cases/{id}", get(show))
        .route("/console/cases/{id}/{action}", post(act))
        .route(
            "/console/cases/{id}/attachments/{attachment}",
            get(download),
        )
        .route("/console/assistant", post(assistant))
        .route("/console/plan", get(plan))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// A case in a list (the customer's cases, staff's search results).
pub(super) struct CaseRow {
    pub case_id: String,
    pub display_id: i64,
    /// When it was opened, in the person's zone.
    pub opened: String,
    pub subject: String,
    pub account: String,
    pub severity: String,
    pub status: &'static str,
    pub clock: super::clock::ClockView,
}

impl CaseRow {
    pub(super) fn of(
        v: &Visit,
        catalog: &tierdesk_core::catalog::Catalog,
        c: &tierdesk_core::records::Case,
        now: jiff::Timestamp,
    ) -> Self {
        Self {
            case_id: c.case_id.clone(),
            display_id: c.display_id,
            opened: v.when(c.created),
            subject: c.subject.clone(),
            account: c.account_id.clone(),
            severity: v.l.severity(catalog, &c.plan_id, &c.severity_code),
            status: c.status.as_str(),
            clock: super::clock::view(v, c, now),
        }
    }
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    nav: Option<Nav>,
    l: Lang,
    cases: Vec<CaseRow>,
    q: String,
    status: String,
    severity: String,
    statuses: Vec<&'static str>,
    /// (code, name)
    severities: Vec<(String, String)>,
    error: Option<String>,
    /// The query string of the next page, if there is one.
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "new_case.html")]
struct NewPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    error: Option<String>,
    subject: String,
    body: String,
    severity: String,
    /// The plan's severities, lowest first, each with the business impact it stands for
    /// and what the plan promises a case of it opened now.
    severities: Vec<SeverityChoice>,
    technical: bool,
    /// (service name, [(value "service|category", category name)])
    services: Vec<(String, Vec<(String, String)>)>,
    service: String,
    /// (code, name)
    languages: Vec<(String, String)>,
    language: String,
    cc: String,
    max_files: usize,
    max_mb: usize,
    /// The Health event the case is about (empty: none), and its title.
    health_event: String,
    event_title: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    nav: Option<Nav>,
    l: Lang,
    name: String,
    summary: String,
    /// (severity, answered within, the hours it counts in)
    targets: Vec<(String, String, String)>,
    /// Answers after the first response, in the same shape; empty when the plan promises
    /// no time for them.
    follow_ups: Vec<(String, String, String)>,
    channels: String,
    tam: String,
    api: bool,
    month: String,
    quotas: Vec<String>,
    /// (name, summary)
    upgrades: Vec<(String, String)>,
}

/// A message of a conversation as the console shows it.
pub(super) struct MessageView {
    /// For ordering a conversation with its trail.
    pub at: jiff::Timestamp,
    /// Set for a line of the event trail (a status change, an assignment, an escalation,
    /// a target met or missed) rather than a message: what happened, in words.
    pub event: Option<String>,
    pub who: String,
    pub when: String,
    pub body: String,
    /// Written by support (the conversation sets support's and the customer's apart).
    pub support: bool,
    pub internal: bool,
    pub attachments: Vec<FileView>,
}

impl MessageView {
    /// A message of the conversation.
    pub(super) fn message(v: &Visit, m: tierdesk_core::records::Communication) -> Self {
        Self {
            at: m.created,
            event: None,
            who: m.submitted_by,
            when: v.when(m.created),
            body: m.body,
            support: m.from_support,
            internal: m.internal,
            attachments: m
                .attachments
                .into_iter()
                .map(|a| FileView::of(v.l, a))
                .collect(),
        }
    }

    /// A line of the event trail: what happened at `at`, in words.
    pub(super) fn event(v: &Visit, at: jiff::Timestamp, text: String) -> Self {
        Self {
            at,
            event: Some(text),
            who: String::new(),
            when: v.when(at),
            body: String::new(),
            support: false,
            internal: false,
            attachments: Vec::new(),
        }
    }
}

/// An attached file as a conversation lists it: name, size and kind in words, and whether
/// it is an image drawn in the page.
pub(super) struct FileView {
    pub id: String,
    pub name: String,
    /// "1.2 MB, PNG image"
    pub about: String,
    pub image: bool,
}

impl FileView {
    pub(super) fn of(l: Lang, a: AttachmentRef) -> Self {
        let kind = a
            .file_name
            .rsplit_once('.')
            .map(|(_, ext)| ext.to_ascii_uppercase())
            .filter(|e| !e.is_empty() && e.len() <= 8);
        let image = preview_type(&a.file_name).is_some();
        let size = l.bytes(a.size_bytes);
        let about = match (kind, image) {
            (Some(k), true) => l.fill("{0}, {1} image", &[&size, &k]),
            (Some(k), false) => l.fill("{0}, {1} file", &[&size, &k]),
            (None, _) => size,
        };
        Self {
            id: a.attachment_id,
            name: a.file_name,
            about,
            image,
        }
    }
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    case_id: String,
    display_id: i64,
    subject: String,
    severity: String,
    status: &'static str,
    service: String,
    language: String,
    cc: String,
    resolved: bool,
    clock: super::clock::ClockView,
    messages: Vec<MessageView>,
    /// Where the conversation's attachments download from.
    attachment_base: String,
    max_files: usize,
    max_mb: usize,
    /// On plans with urgent escalations, while the case is open: the offer, with this
    /// month's escalations left.
    escalation: Option<String>,
    /// The Health event the case is about: (title, status).
    health_event: Option<(String, &'static str)>,
}

/// The case list's search and filters, as its form puts them in the URL.
#[derive(Deserialize)]
struct ListQuery {
    /// Words of the subject, or a case number.
    q: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    /// The page's cursor ("Older cases").
    after: Option<String>,
}

async fn list(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Query(q): Query<ListQuery>,
) -> Response {
    let search = CaseSearch {
        status: q.status.clone(),
        severity: q.severity.clone(),
        text: q.q.clone(),
        cursor: q.after,
        limit: PAGE,
    };
    let mut page = ListPage {
        nav: Some(v.nav()),
        l: v.l,
        cases: Vec::new(),
        q: q.q.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        severity: q.severity.unwrap_or_default(),
        statuses: CaseStatus::ALL.map(CaseStatus::as_str).to_vec(),
        severities: caller
            .plan
            .case_severities()
            .into_iter()
            .map(|s| (s.code.clone(), s.name_in(v.l.code()).to_string()))
            .collect(),
        error: None,
        more: None,
    };
    let now = st.app.clock.now();
    match st.app.search_cases(&caller, search).await {
        Ok((cases, next)) => {
            page.more = next.map(|token| {
                super::next_page(
                    &[
                        ("q", Some(&page.q)),
                        ("status", Some(&page.status)),
                        ("severity", Some(&page.severity)),
                    ],
                    &token,
                )
            });
            page.cases = cases
                .iter()
                .map(|c| CaseRow::of(&v, &st.app.catalog, c, now))
                .collect();
            render(StatusCode::OK, &page)
        }
        Err(e) if crate::errors::is_refusal(&e) => {
            page.error = Some(v.explain(&e));
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => v.failure(&e),
    }
}

/// A severity as the new-case form offers it.
struct SeverityChoice {
    code: String,
    name: String,
    /// The business impact it stands for.
    impact: String,
    /// "First response within 12 h, counted Monday to Friday ...; opened now, due ...".
    promise: String,
}

async fn new_form(st: &AppState, v: &Visit, caller: &Caller) -> Result<NewPage, Response> {
    let l = v.l;
    // The case is written in the language the person reads the console in, unless that
    // is English and they asked for cases in another.
    let language = match (&v.person, v.l) {
        (_, Lang::Ja) => "ja".to_string(),
        (Person::Customer { user, .. }, _) => user.language.clone(),
        (Person::Agent(_), _) => caller.account.language.clone(),
    };
    let promises = st
        .app
        .promises(&caller.account, &caller.plan, &language)
        .await
        .map_err(|e| v.failure(&e))?;
    let severities = caller
        .plan
        .case_severities()
        .into_iter()
        .map(|s| {
            let promise = promises
                .iter()
                .find(|p| p.severity.code == s.code)
                .map_or_else(
                    || {
                        l.t("No response time is promised for this severity.")
                            .to_string()
                    },
                    |p| {
                        l.fill(
                            "First response within {0}, counted {1}. Opened now, it is due {2}.",
                            &[
                                &l.minutes(u64::from(p.minutes)),
                                &l.hours(p.hours.as_ref()),
                                &v.when_day(p.due_if_opened_now),
                            ],
                        )
                    },
                );
            SeverityChoice {
                code: s.code.clone(),
                name: s.name_in(l.code()).to_string(),
                impact: s.description_in(l.code()).to_string(),
                promise,
            }
        })
        .collect();
    let services = &st.app.services;
    let services = services
        .services
        .iter()
        .map(|s| {
            (
                services.name_in(&s.name, l.code()).to_string(),
                s.categories
                    .iter()
                    .map(|c| {
                        (
                            format!("{}|{}", s.code, c.code),
                            services.name_in(&c.name, l.code()).to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    Ok(NewPage {
        nav: Some(v.nav()),
        l,
        csrf: v.csrf(),
        error: None,
        subject: String::new(),
        body: String::new(),
        severity: String::new(),
        severities,
        technical: caller.plan.technical_cases,
        services,
        service: String::new(),
        languages: CASE_LANGUAGES
            .iter()
            .map(|(code, _, native)| (code.to_string(), native.to_string()))
            .collect(),
        language,
        cc: String::new(),
        max_files: st.app.limits.attachments_per_set,
        max_mb: st.app.limits.attachment_bytes / (1024 * 1024),
        health_event: String::new(),
        event_title: String::new(),
    })
}

/// The form about a Health event the customer sees: its subject and first lines
/// written, the event named; an event they do not see is ignored.
async fn about_event(st: &AppState, v: &Visit, caller: &Caller, page: &mut NewPage, arn: &str) {
    let Ok(viewer) = st.app.health_viewer(&caller.account.id).await else {
        return;
    };
    let Ok((found, _)) = st
        .app
        .health_event_details(Some(&viewer), &[arn.to_string()])
        .await
    else {
        return;
    };
    let Some(d) = found.first() else { return };
    let e = &d.event;
    page.health_event = e.arn.clone();
    page.event_title = e.title.clone();
    page.subject = v.l.fill("About: {0}", &[&e.title]);
    page.body = format!(
        "{}\n{} · {} · {}\n\n",
        e.arn,
        e.service,
        e.region,
        e.start.strftime("%Y-%m-%d %H:%M UTC")
    );
}

#[derive(Deserialize, Default)]
struct NewQuery {
    /// A Health event the case is about.
    event: Option<String>,
}

async fn new_page(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    super::forms::Query(q): super::forms::Query<NewQuery>,
) -> Response {
    match new_form(&st, &v, &caller).await {
        Ok(mut page) => {
            if let Some(arn) = &q.event {
                about_event(&st, &v, &caller, &mut page, arn).await;
            }
            render(StatusCode::OK, &page)
        }
        Err(r) => r,
    }
}

/// Addresses typed into one field, separated by commas, semicolons or spaces.
fn cc_list(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the new-case form posts.
#[derive(Deserialize)]
struct NewCaseForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    severity: Option<String>,
    issue_type: Option<String>,
    /// `service|category`, as the picker offers them.
    #[serde(default)]
    service: String,
    language: Option<String>,
    #[serde(default)]
    cc: String,
    health_event: Option<String>,
}

async fn create(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Form { fields: f, files }: Form<NewCaseForm>,
) -> Response {
    let (service_code, category_code) = match f.service.split_once('|') {
        Some((s, c)) => (Some(s.to_string()), Some(c.to_string())),
        None => (None, None),
    };
    // The console asks for the impact outright (the API's default, the lowest severity, is
    // what a customer in trouble least means).
    let severity = f.severity.clone().filter(|s| !s.is_empty());
    let created = async {
        if severity.is_none() {
            return Err(ServiceError::invalid(Field::Severity, Problem::Missing));
        }
        // The files are stored with the case, in its transaction, once every check passed.
        let input = CreateCase {
            subject: Some(f.subject.clone()),
            communication_body: Some(f.body.clone()),
            severity_code: severity.clone(),
            issue_type: f.issue_type.clone(),
            service_code,
            category_code,
            language: f
                .language
                .clone()
                .or_else(|| Some(caller.account.language.clone())),
            cc_email_addresses: cc_list(&f.cc),
            attachment_set_id: None,
            files,
            mail_message_id: None,
            alert: None,
            health_event: f.health_event.clone(),
        };
        st.app.create_case(&caller, &v.who, input).await
    };
    match created.await {
        Ok(c) => Redirect::to(&format!("/console/cases/{}", c.case_id)).into_response(),
        Err(e) if crate::errors::is_internal(&e) => v.failure(&e),
        Err(e) => {
            // The form again, as it was typed, with the reason.
            let mut page = match new_form(&st, &v, &caller).await {
                Ok(page) => page,
                Err(r) => return r,
            };
            page.error = Some(v.explain(&e));
            page.subject = f.subject;
            page.body = f.body;
            page.severity = f.severity.unwrap_or_default();
            page.service = f.service;
            page.language = f.language.unwrap_or_default();
            page.cc = f.cc;
            if let Some(arn) = &f.health_event {
                let (subject, body) = (page.subject.clone(), page.body.clone());
                about_event(&st, &v, &caller, &mut page, arn).await;
                (page.subject, page.body) = (subject, body);
            }
            render(StatusCode::BAD_REQUEST, &page)
        }
    }
}

/// Every communication of a case a customer may see, oldest first.
async fn conversation(
    st: &AppState,
    v: &Visit,
    caller: &Caller,
    case_id: &str,
) -> Result<Vec<MessageView>, ServiceError> {
    let mut messages = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = st
            .app
            .describe_communications(
                caller,
                DescribeCommunications {
                    case_id: Some(case_id.to_string()),
                    next_token: token.clone(),
                    ..Default::default()
                },
            )
            .await?;
        messages.extend(items.into_iter().map(|m| MessageView::message(v, m)));
        match next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    messages.reverse();
    Ok(messages)
}

async fn show(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path(id): Path<String>,
) -> Response {
    let found = st
        .app
        .describe_cases(
            &caller,
            DescribeCases {
                case_ids: vec![id.clone()],
                include_resolved_cases: Some(true),
                include_communications: Some(false),
                ..Default::default()
            },
        )
        .await;
    let case = match found {
        Ok((cases, _)) => match cases.into_iter().next() {
            Some(d) => d.case,
            None => return v.failure(&ServiceError::CaseNotFound(id)),
        },
        Err(e) => return v.failure(&e),
    };
    let messages = match conversation(&st, &v, &caller, &case.case_id).await {
        Ok(m) => m,
        Err(e) => return v.failure(&e),
    };
    let now = st.app.clock.now();
    // The month's escalations as the plan page counts them (only asked for on plans
    // that have escalations, and while the case is open).
    let overview = if caller.plan.urgent_escalation.is_some() && case.status != CaseStatus::Resolved
    {
        match st.app.plan_overview(&caller.account).await {
            Ok(o) => Some(o),
            Err(err) => return v.failure(&err),
        }
    } else {
        None
    };
    let escalation = overview
        .and_then(|o| o.escalations)
        .map(|(used, per_month, minutes)| {
            v.l.fill(
                "Answered within {0}; {1} of {2} left this month.",
                &[
                    &v.l.minutes(u64::from(minutes)),
                    &(i64::from(per_month) - used).max(0).to_string(),
                    &per_month.to_string(),
                ],
            )
        });
    let service = service_name(&st, v.l, &case);
    let health_event = match st.app.health_event_of_case(case.display_id).await {
        Ok(e) => e.map(|e| (e.title, e.status.as_str())),
        Err(err) => return v.failure(&err),
    };
    render(
        StatusCode::OK,
        &CasePage {
            nav: Some(v.nav()),
            l: v.l,
            csrf: v.csrf(),
            clock: super::clock::view(&v, &case, now),
            resolved: case.status == CaseStatus::Resolved,
            service,
            language: v.l.language(&case.language),
            cc: case.cc_emails.join(", "),
            case_id: case.case_id,
            display_id: case.display_id,
            subject: case.subject,
            severity: v
                .l
                .severity(&st.app.catalog, &case.plan_id, &case.severity_code),
            status: case.status.as_str(),
            messages,
            attachment_base: format!("/console/cases/{id}/attachments"),
            max_files: st.app.limits.attachments_per_set,
            max_mb: st.app.limits.attachment_bytes / (1024 * 1024),
            escalation,
            health_event,
        },
    )
}

/// A case's service and category by name ("Amazon EC2 (Linux) / General guidance").
pub(super) fn service_name(st: &AppState, l: Lang, case: &tierdesk_core::records::Case) -> String {
    let services = &st.app.services;
    services
        .services
        .iter()
        .find(|s| s.code == case.service_code)
        .map(|s| {
            let category = s
                .categories
                .iter()
                .find(|c| c.code == case.category_code)
                .map_or(case.category_code.as_str(), |c| {
                    services.name_in(&c.name, l.code())
                });
            format!("{} / {category}", services.name_in(&s.name, l.code()))
        })
        .unwrap_or_else(|| format!("{} / {}", case.service_code, case.category_code))
}

/// What the case page's reply form posts (resolve and escalate post only the token).
#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
}

/// The case page's forms: `reply` (with attachments; it reopens a resolved case),
/// `resolve` and, on plans that have them, `escalate`.
async fn act(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path((id, action)): Path<(String, String)>,
    Form { fields, files }: Form<ReplyForm>,
) -> Response {
    let done = match action.as_str() {
        "reply" => {
            // The files are stored with the message, after the case is found.
            let input = Message {
                case_id: Some(id.clone()),
                body: Some(fields.body),
                attachments: Attachments::Files(files),
                ..Default::default()
            };
            st.app
                .post_message(Actor::Customer(&caller), &v.who, input)
                .await
        }
        "resolve" => st
            .app
            .resolve_case(&caller, &v.who, Some(id.clone()))
            .await
            .map(|_| ()),
        "escalate" => st
            .app
            .escalate(Actor::Customer(&caller), &v.who, &id)
            .await
            .map(|_| ()),
        _ => {
            return v.no_such_action();
        }
    };
    match done {
        Ok(()) => Redirect::to(&format!("/console/cases/{id}")).into_response(),
        Err(e) => v.failure(&e),
    }
}

/// An attachment as a download, never rendered inline (it is the customer's file, of
/// any type).
/// The image types a conversation previews inline, by file name: raster formats a
/// browser only draws (never SVG, which can carry script).
pub(super) fn preview_type(file_name: &str) -> Option<&'static str> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// What a download query may ask: `?preview=1` for an image drawn in the page.
#[derive(Deserialize, Default)]
pub(super) struct DownloadQuery {
    preview: Option<String>,
}

impl DownloadQuery {
    pub(super) fn preview(&self) -> bool {
        self.preview.as_deref() == Some("1")
    }
}

/// A file as a download, or (`preview`, for the raster images of [`preview_type`]) as an
/// image the conversation draws. Either way the browser may not sniff another type.
pub(super) fn attachment_response(file_name: &str, data: Vec<u8>, preview: bool) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(file_name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let image = preview_type(file_name).filter(|_| preview);
    let mut r = (StatusCode::OK, data).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(image.unwrap_or("application/octet-stream")),
    );
    let disposition = if image.is_some() {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"download\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn download(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
    Path((_case, attachment)): Path<(String, String)>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    match st.app.describe_attachment(&caller, Some(attachment)).await {
        Ok(a) => attachment_response(&a.file_name, a.data, q.preview()),
        Err(e) => v.failure(&e),
    }
}

/// Advice on a case being written (`tierdesk_core::assistant`), for the new-case page's
/// script: `{"hints": [{"code", "field", "message"}]}`, in the person's language.
async fn assistant(
    CustomerVisit(v, caller): CustomerVisit,
    Form { fields: f, .. }: Form<NewCaseForm>,
) -> Response {
    let levels = caller.plan.case_severities();
    let chosen = f
        .severity
        .as_deref()
        .and_then(|code| levels.iter().find(|s| s.code == code))
        .map(|s| tierdesk_core::assistant::Chosen {
            rank: s.rank,
            top: levels.iter().map(|s| s.rank).max().unwrap_or(s.rank),
        });
    let hints: Vec<serde_json::Value> =
        tierdesk_core::assistant::hints(&f.subject, &f.body, chosen)
            .into_iter()
            .map(|h| {
                serde_json::json!({
                    "code": h.code,
                    "field": h.field.as_str(),
                    "message": v.l.t(h.message),
                })
            })
            .collect();
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "hints": hints }).to_string(),
    )
        .into_response()
}

/// The plan and what it includes, with this month's quotas used and left.
async fn plan(
    State(st): State<std::sync::Arc<AppState>>,
    CustomerVisit(v, caller): CustomerVisit,
) -> Response {
    let l = v.l;
    let o = match st.app.plan_overview(&caller.account).await {
        Ok(o) => o,
        Err(e) => return v.failure(&e),
    };
    let mut quotas = Vec::new();
    if let Some((used, cap)) = o.cases {
        quotas.push(l.fill(
            "Cases: {0} of {1} opened, {2} left",
            &[
                &used.to_string(),
                &cap.to_string(),
                &(i64::from(cap) - used).to_string(),
            ],
        ));
    }
    if let Some((used, per_month, minutes)) = o.escalations {
        quotas.push(l.fill(
            "Urgent escalations (answered within {0}): {1} of {2} used, {3} left",
            &[
                &l.minutes(u64::from(minutes)),
                &used.to_string(),
                &per_month.to_string(),
                &(i64::from(per_month) - used).to_string(),
            ],
        ));
    }
    render(
        StatusCode::OK,
        &PlanPage {
            nav: Some(v.nav()),
            l,
            name: l.plan(&o.plan).to_string(),
            summary: o.plan.summary_in(l.code()).to_string(),
            targets: o
                .targets
                .iter()
                .map(|p| {
                    (
                        p.severity.name_in(l.code()).to_string(),
                        l.minutes(u64::from(p.minutes)),
                        l.hours(p.hours.as_ref()),
                    )
                })
                .collect(),
            follow_ups: o
                .follow_ups
                .iter()
                .map(|p| match p.minutes {
                    Some(m) => (
                        p.severity.name_in(l.code()).to_string(),
                        l.minutes(u64::from(m)),
                        l.hours(p.hours.as_ref()),
                    ),
                    None => (
                        p.severity.name_in(l.code()).to_string(),
                        l.t("no time promised").to_string(),
                        String::new(),
                    ),
                })
                .collect(),
            channels: l.channels(&o.plan.channels),
            tam: l.tam(&o.plan.tam),
            api: o.plan.support_api,
            month: o.month,
            quotas,
            upgrades: o
                .upgrades
                .into_iter()
                .map(|p| (l.plan(&p).to_string(), p.summary_in(l.code()).to_string()))
                .collect(),
        },
    )
}
