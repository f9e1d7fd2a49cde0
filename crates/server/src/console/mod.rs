//! The web console under `/console`: server-rendered HTML (askama templates in
//! `templates/`, escaped by default), password sign-in with server-side sessions that
//! every replica shares, CSRF tokens on every form, and role and account checks on every
//! page. Here: sign-in and out, settings (language, time zone), invoices (a customer's
//! own; all of them for admins) and the plan advisor. A customer's cases are in
//! `cases.rs`, the agents' queue and case pages in `queue.rs`, accounts (a TAM's, or all
//! of them for admins) in `accounts.rs`, the admins' agents and plans in `admin.rs`.
//! Every page is in English or Japanese (`i18n.rs`), with times in the person's zone.

mod accounts;
mod activity;
mod admin;
mod cases;
mod charts;
mod clock;
mod extract;
pub mod forms;
mod health;
pub(crate) mod i18n;
mod ja;
pub(crate) mod live;
mod notifications;
mod queue;
mod reports;
mod search;
mod status;
mod trusted_advisor;
mod unsubscribe;
mod words;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use forms::Form;
use serde::Deserialize;
use serde::de::IgnoredAny;
use tierdesk_app::ServiceError;
use tierdesk_app::sessions::{Person, SESSION_TTL, csrf_ok};
use tierdesk_core::advisor::{Need, advise};
use tierdesk_core::audit::{ActorKind, Who};
use tierdesk_core::fees::money;
use tierdesk_core::records::{Invoice, Role, Session};
use tierdesk_core::time::today_in;

pub(crate) use self::i18n::Lang;
use crate::AppState;

const SESSION_COOKIE: &str = "tierdesk_session";
const LOGIN_CSRF_COOKIE: &str = "tierdesk_login_csrf";
/// The largest sign-in form accepted (an email, a password of at most 1024 characters
/// percent-encoded, and a token).
const SIGN_IN_BODY_BYTES: usize = 16 * 1024;

/// The console's headers, on every response under `/console` (pages, redirects, refusals,
/// scripts, downloads): pages are per person, so they are never cached unless a handler
/// says otherwise (the scripts), never framed, and run only the console's own scripts;
/// their language depends on `Accept-Language` before sign-in.
async fn console_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ));
    h.entry(header::VARY)
        .or_insert(HeaderValue::from_static("Accept-Language, Cookie"));
    r
}

pub fn routes() -> Router<std::sync::Arc<AppState>> {
    console_routes().layer(axum::middleware::map_response(console_headers))
}

fn console_routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/console", get(home))
        // A sign-in form is an email, a password and a token: a few kilobytes at most.
        .route(
            "/console/sign-in",
            get(sign_in_page)
                .post(sign_in)
                .layer(axum::extract::DefaultBodyLimit::max(SIGN_IN_BODY_BYTES)),
        )
        .route("/console/sign-out", post(sign_out))
        .route("/console/invoices", get(invoices))
        .route("/console/advisor", get(advisor))
        .route("/console/settings", get(settings).post(save_settings))
        .route("/console/settings/password", post(change_password))
        .route(
            "/console/settings/subscriptions",
            post(notifications::save_subscriptions),
        )
        .route(
            "/console/settings/webhook",
            post(notifications::set_webhook),
        )
        .route(
            "/console/settings/webhook/remove",
            post(notifications::remove_webhook),
        )
        .route("/console/settings/integrations", post(create_integration))
        .route(
            "/console/settings/integrations/{id}/revoke",
            post(revoke_integration),
        )
        .route("/console/static/{file}", get(static_file))
        .merge(cases::routes())
        .merge(queue::routes())
        .merge(reports::routes())
        .merge(search::routes())
        .merge(unsubscribe::routes())
        .merge(status::routes())
        .merge(health::routes())
        .merge(live::routes())
        .merge(accounts::routes())
        .merge(admin::routes())
        .merge(activity::routes())
        .merge(trusted_advisor::routes())
}

/// A page that does not exist, for a browser: the console's own page in the browser's
/// language, with a way back (the router's fallback for every path it does not know).
pub(crate) async fn not_found_page(headers: &HeaderMap) -> Response {
    let l = browser_lang(headers);
    console_headers(message(
        StatusCode::NOT_FOUND,
        None,
        l,
        l.t("No such page"),
        l.t("There is no page at this address. It may have moved, or the link may be mistyped."),
    ))
    .await
}

/// The console's scripts, compiled in and served from its own origin (the CSP allows no
/// other script).
async fn static_file(Path(file): Path<String>) -> Response {
    let body = match file.as_str() {
        "countdown.js" => include_str!("../../static/countdown.js"),
        "assistant.js" => include_str!("../../static/assistant.js"),
        "confirm.js" => include_str!("../../static/confirm.js"),
        "live.js" => include_str!("../../static/live.js"),
        "zone.js" => include_str!("../../static/zone.js"),
        "files.js" => include_str!("../../static/files.js"),
        "favicon.svg" => {
            return (
                [
                    (header::CONTENT_TYPE, "image/svg+xml"),
                    (header::CACHE_CONTROL, "public, max-age=86400"),
                ],
                include_str!("../../static/favicon.svg"),
            )
                .into_response();
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// What the header shows for a signed-in person.
struct Nav {
    /// Set while the person has chosen no time zone: the browser's is offered.
    zone_offer: Option<ZoneOffer>,
    name: String,
    role: String,
    csrf: String,
    /// Customers get the Plan and Cases links, agents the Queue and SLA links.
    customer: bool,
    /// TAMs and admins get Accounts.
    accounts: bool,
    /// Admins get Agents and Plans.
    admin: bool,
    /// The path of the page shown, so the navigation marks where the person is.
    here: String,
}

impl Nav {
    /// Whether the page shown is `link`'s (or one below it; the home page only itself).
    fn at(&self, link: &str) -> bool {
        if link == "/console" {
            self.here == link
        } else {
            self.here == link || self.here.starts_with(&format!("{link}/"))
        }
    }
}

/// A list page's query string for its next page: the filters it was asked with (those
/// given) and `after`, the cursor the use case returned.
fn next_page(filters: &[(&str, Option<&str>)], cursor: &str) -> String {
    let mut url = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filters {
        if let Some(v) = value {
            url.append_pair(name, v);
        }
    }
    url.append_pair("after", cursor).finish()
}

/// The zone a page shows times in while the person has chosen none, and their language
/// setting (kept when they take the browser's zone).
#[derive(Clone)]
struct ZoneOffer {
    shown: String,
    ui_language: String,
}

/// A signed-in person's visit: who, their session, and how they read the console.
#[derive(Clone)]
struct Visit {
    zone_offer: Option<ZoneOffer>,
    session: Session,
    person: Person,
    l: Lang,
    tz: jiff::tz::TimeZone,
    /// Files per attachment set and megabytes per file, for explaining refusals.
    attachment_limits: (usize, usize),
    /// How the audit log names this person, with the address they came from.
    who: Who,
    /// The path of the page asked for.
    path: String,
}

/// `?shown=<id>`: the secrets a form just made, kept for the page it redirected to.
#[derive(Deserialize, Default)]
struct ShownQuery {
    shown: Option<String>,
}

impl Visit {
    /// The secrets a form kept for this page (`?shown=`), taken: a reload finds none.
    async fn take_shown(
        &self,
        st: &AppState,
        q: ShownQuery,
    ) -> Result<Vec<(String, String)>, Response> {
        match q.shown {
            Some(token) => st
                .app
                .take_shown_once(&self.session.email, &token)
                .await
                .map_err(|e| self.failure(&e)),
            None => Ok(Vec::new()),
        }
    }

    /// Post/redirect/get after a form: to `path`, with the secrets the form made (if any)
    /// kept, sealed, for that page to show this person once.
    async fn redirect_showing(
        &self,
        st: &AppState,
        path: &str,
        shown: &[(String, String)],
    ) -> Response {
        if shown.is_empty() {
            return Redirect::to(path).into_response();
        }
        match st.app.keep_shown_once(&self.session.email, shown).await {
            Ok(token) => Redirect::to(&format!("{path}?shown={token}")).into_response(),
            Err(e) => self.failure(&e),
        }
    }

    /// The customer's account, for a customer's visit.
    fn account(&self) -> Option<&str> {
        match &self.person {
            Person::Customer { account, .. } => Some(&account.id),
            Person::Agent(_) => None,
        }
    }

    fn nav(&self) -> Nav {
        let l = self.l;
        let (name, role, agent_role) = match &self.person {
            Person::Customer { user, account } => (
                user.name.clone(),
                l.fill("customer, account {0}", &[&account.id]),
                None,
            ),
            Person::Agent(a) => (
                a.name.clone(),
                role_name(l, a.role).to_string(),
                Some(a.role),
            ),
        };
        Nav {
            zone_offer: self.zone_offer.clone(),
            name,
            role,
            csrf: self.session.csrf.clone(),
            customer: agent_role.is_none(),
            accounts: matches!(agent_role, Some(Role::Tam | Role::Admin)),
            admin: agent_role == Some(Role::Admin),
            here: self.path.clone(),
        }
    }

    fn csrf(&self) -> String {
        self.session.csrf.clone()
    }

    /// An instant in the person's zone.
    fn when(&self, t: jiff::Timestamp) -> String {
        i18n::local_time(t, &self.tz)
    }

    /// An instant in the person's zone, with its weekday (a deadline to plan around).
    fn when_day(&self, t: jiff::Timestamp) -> String {
        i18n::local_day_time(t, &self.tz, self.l)
    }

    /// A page with a title and a sentence, in the person's language.
    fn message(&self, status: StatusCode, title: &str, text: &str) -> Response {
        message(status, Some(self.nav()), self.l, title, text)
    }

    /// A post to an action a page does not have.
    fn no_such_action(&self) -> Response {
        self.message(
            StatusCode::NOT_FOUND,
            self.l.t("No such page"),
            self.l.t("There is no such action."),
        )
    }

    fn failure(&self, e: &ServiceError) -> Response {
        failure(Some(self.nav()), self.l, e, self.attachment_limits)
    }

    /// What went wrong, for a form to show beside what the person typed.
    fn explain(&self, e: &ServiceError) -> String {
        let customer = matches!(self.person, Person::Customer { .. });
        phrase_of(self.l, e, customer, self.attachment_limits)
    }

    fn refused(&self) -> Response {
        self.message(
            StatusCode::FORBIDDEN,
            self.l.t("Request refused"),
            self.l
                .t("The form was not sent from this site (CSRF check failed)."),
        )
    }
}

fn role_name(l: Lang, role: Role) -> &'static str {
    match role {
        Role::Agent => l.t("support engineer"),
        Role::Tam => l.t("technical account manager"),
        Role::Admin => l.t("admin"),
    }
}

/// The language of a page shown before sign-in: the browser's.
fn browser_lang(headers: &HeaderMap) -> Lang {
    Lang::choose(
        None,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    l: Lang,
    name: String,
    summary: String,
    invoices_label: String,
}

struct InvoiceView {
    month: String,
    account_id: String,
    currency: String,
    total: String,
    lines: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct InvoicesPage {
    nav: Option<Nav>,
    l: Lang,
    heading: String,
    invoices: Vec<InvoiceView>,
}

#[derive(Template)]
#[template(path = "advisor.html")]
struct AdvisorPage {
    nav: Option<Nav>,
    l: Lang,
    usage: String,
    currency: String,
    needs: String,
    legacy: bool,
    error: Option<String>,
    shown: bool,
    fits: Vec<(String, String)>,
    misfits: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: Option<Nav>,
    l: Lang,
    csrf: String,
    /// "", "en" or "ja".
    ui_language: String,
    /// The chosen zone, or "" for the default.
    timezone: String,
    /// What "" means for this person.
    default_zone: String,
    /// (zone, its offset now)
    zones: Vec<(String, String)>,
    saved: bool,
    /// The password was just changed.
    password_changed: bool,
    error: Option<String>,
    password_error: Option<String>,
    /// A customer's account's monitoring tokens (`None` for staff, who have no account).
    integrations: Option<Vec<IntegrationRow>>,
    integration_error: Option<String>,
    /// A token just made, shown this once.
    shown_once: Vec<(String, String)>,
    /// The topics this person may hear of, with their channels.
    subscriptions: Vec<notifications::TopicRow>,
    subscriptions_saved: bool,
    /// Their own webhook, if they set one.
    own_hook: Option<notifications::OwnHook>,
    webhook_error: Option<String>,
}

/// One monitoring token on the settings page.
struct IntegrationRow {
    id: String,
    name: String,
    severity_label: String,
    resolves: bool,
    created: String,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    nav: Option<Nav>,
    l: Lang,
    title: String,
    message: String,
}

fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn message(status: StatusCode, nav: Option<Nav>, l: Lang, title: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            nav,
            l,
            title: title.into(),
            message: text.into(),
        },
    )
}

/// A failed use case as a page, as the error table says: its status, title and text in
/// the person's language. Internal errors are logged and say nothing of their cause.
fn failure(nav: Option<Nav>, l: Lang, e: &ServiceError, limits: (usize, usize)) -> Response {
    if crate::errors::is_internal(e) {
        tracing::error!(error = %e, "console operation failed");
    }
    let (status, title, _) = crate::errors::row(e).console;
    let customer = nav.as_ref().is_some_and(|n| n.customer);
    let text = phrase_of(l, e, customer, limits);
    message(status, nav, l, l.t(title), &text)
}

/// A field's problem in the console's words: the form's label, in the person's language.
fn field_words(l: Lang, i: &tierdesk_app::error::Invalid) -> String {
    use tierdesk_app::error::{Field, Problem};
    let label = l.t(match i.field {
        Field::Subject => "Subject",
        Field::Body => "Message",
        Field::CcList => "Cc addresses",
        Field::FileName => "File name",
        Field::Attachments => "Attachments",
        Field::AttachmentId => "Attachment",
        Field::Severity => "Severity",
        Field::Service => "Service",
        Field::Category => "Category",
        Field::ServiceList => "Services",
        Field::IssueType => "Type",
        Field::Language => "Language",
        Field::CaseId => "Case",
        Field::CaseIdList => "Cases",
        Field::DisplayId => "Case number",
        Field::Status => "Status",
        Field::Search => "Search",
        Field::MaxResults => "Page size",
        Field::AfterTime => "From",
        Field::BeforeTime => "To",
        Field::NextToken => "Page",
        Field::Data => "File contents",
        Field::AccountId => "Account ID",
        Field::AccountName => "Account name",
        Field::Timezone => "Time zone",
        Field::Country => "Country",
        Field::Email => "Email",
        Field::Password => "Password",
        Field::CurrentPassword => "Current password",
        Field::PersonName => "Name",
        Field::Languages => "Languages",
        Field::Role => "Role",
        Field::UiLanguage => "Interface language",
        Field::Assignee => "Assignee",
        Field::Principal => "Principal",
        Field::Url => "Webhook URL",
        Field::Events => "Events",
        Field::Month => "Month",
        Field::TokenLifetime => "Token lifetime (days)",
        Field::Actor => "Actor",
        Field::IntegrationName => "Integration name",
        Field::SeverityLabel => "Severity label",
        Field::CheckId => "Check",
        Field::ResourceId => "Resource",
        Field::EventArn => "Event",
        Field::EventType => "Event type",
        Field::Region => "Region",
        Field::AvailabilityZone => "Availability zone",
        Field::EntityValue => "Affected resource",
        Field::Tag => "Tags",
        Field::Title => "Title",
        Field::Description => "Description",
    });
    let form = |f: Field| match f {
        Field::AccountId => l.t("6 to 20 digits"),
        Field::Timezone => l.t("an IANA time zone such as Asia/Tokyo"),
        Field::Country => l.t("a country code such as JP or US"),
        Field::Month => l.t("a month such as 2026-10"),
        Field::Url => l.t("an http:// or https:// address"),
        Field::AfterTime | Field::BeforeTime => l.t("a date such as 2026-10-31"),
        _ => l.t("in the right form"),
    };
    let other = |f: Field| match f {
        Field::Service => l.t("Service"),
        Field::Category => l.t("Category"),
        _ => l.t("another field"),
    };
    match &i.problem {
        Problem::Missing => l.fill("{0} is required.", &[label]),
        Problem::Empty => l.fill("{0}: choose at least one.", &[label]),
        Problem::Length { min, max, got } => l.fill(
            "{0} must be {3} to {1} characters long (it has {2}).",
            &[label, &max.to_string(), &got.to_string(), &min.to_string()],
        ),
        Problem::Malformed(v) => l.fill("{0}: '{1}' is not {2}.", &[label, v, form(i.field)]),
        Problem::Forbidden(c) => l.fill(
            "{0} contains a character that cannot be used (U+{1}).",
            &[label, &format!("{:04X}", *c as u32)],
        ),
        Problem::TooMany { max, got } => l.fill(
            "{0} may list at most {1} addresses (it lists {2}).",
            &[label, &max.to_string(), &got.to_string()],
        ),
        Problem::NotEmail(a) => l.fill("'{1}' in {0} is not an email address.", &[label, a]),
        Problem::NotOneOf { value, allowed } => l.fill(
            "{0}: '{1}' is not one of {2}.",
            &[label, value, &allowed.join(", ")],
        ),
        Problem::NotANumber(v) => l.fill("{0}: '{1}' is not a number.", &[label, v]),
        Problem::NotATime(v) => l.fill(
            "{0}: '{1}' is not a time such as 2026-11-22T05:53:18Z.",
            &[label, v],
        ),
        Problem::OutOfRange { min, max, got } => l.fill(
            "{0} must be between {1} and {2} (it is {3}).",
            &[label, &min.to_string(), &max.to_string(), &got.to_string()],
        ),
        Problem::RequiredWith(f) => l.fill("{0} is required with {1}.", &[label, other(*f)]),
        Problem::Unknown(v) => l.fill("{0}: '{1}' is not known.", &[label, v]),
        Problem::Unrefreshable(v) => l.fill(
            "{0}: '{1}' is refreshed automatically; it cannot be refreshed on request.",
            &[label, v],
        ),
        Problem::NotInService { value, service } => l.fill(
            "{0}: '{1}' is not a category of '{2}'.",
            &[label, value, service],
        ),
        Problem::NotOffered {
            value,
            plan_name,
            offered,
            ..
        } => l.fill(
            "{0}: '{1}' is not offered by your plan ({2}); it offers {3}.",
            &[label, value, plan_name, &offered.join(", ")],
        ),
        // Mid-sentence, the label is lower case ("The current password is not right.").
        Problem::Wrong => l.fill("The {0} is not right.", &[&label.to_lowercase()]),
        Problem::NotIssued => l
            .t("This page link is not one this server made; start the list again.")
            .into(),
        Problem::OtherFilters => l
            .t("This page link belongs to other filters; start the list again.")
            .into(),
        Problem::EndsBeforeStart { start, end } => l.fill(
            "The period ends ({1}) before it starts ({0}).",
            &[start, end],
        ),
        Problem::PeriodTooLong { max_days, days } => l.fill(
            "The period covers {0} days; ask for at most {1} at a time.",
            &[&days.to_string(), &max_days.to_string()],
        ),
    }
}

/// A rule's refusal, in `l`.
fn refusal_words(l: Lang, r: &tierdesk_app::error::Refusal) -> String {
    use tierdesk_app::error::Refusal;
    match r {
        Refusal::NoTechnicalSupport { plan_name, .. } => l.fill(
            "The {0} plan does not include technical support; open an account and billing case instead.",
            &[plan_name],
        ),
        Refusal::NoSeverities { plan_name, .. } => {
            l.fill("The {0} plan offers no case severities.", &[plan_name])
        }
        Refusal::NoUrgentEscalations { plan_name, .. } => {
            l.fill("The {0} plan has no urgent escalations.", &[plan_name])
        }
        Refusal::CustomerInternalNote => l.t("Customers cannot write internal notes.").into(),
        Refusal::PlanDiscontinued {
            plan_name, on, ..
        } => l.fill(
            "The {0} plan was discontinued on {1}; assign it with --force if you must.",
            &[plan_name, on],
        ),
        Refusal::NotATam { email, role } => l.fill(
            "{0} is a {1} agent; only agents with the tam role manage accounts.",
            &[email, role],
        ),
        Refusal::NoTamOnPlan {
            account, plan_name, ..
        } => l.fill(
            "Account {0} is on the {1} plan, which includes no technical account manager.",
            &[account, plan_name],
        ),
        Refusal::OnlyEngineersAreLimited { email, role } => l.fill(
            "{0} is a {1} agent; only support engineers are limited to named accounts.",
            &[email, role],
        ),
        Refusal::StorageQuota => l
            .t("Your account's attachments fill its storage; files cannot be added now.")
            .into(),
        Refusal::OwnAccess => l
            .t("Change your own access from another admin's console or the CLI.")
            .into(),
        Refusal::CaseFull => l
            .t("This case holds as many messages as a case may; open a new case and mention this one.")
            .into(),
        Refusal::NotADemoDatabase => l
            .t("This database was not created as a demo database.")
            .into(),
        Refusal::WrongMasterKey => l
            .t("The master key is not the one this database's secrets were sealed with.")
            .into(),
    }
}

/// The console's text for a failure (the error table's third column), in `l`.
fn phrase_of(l: Lang, e: &ServiceError, customer: bool, (files, mb): (usize, usize)) -> String {
    use crate::errors::Text;
    let fill = |p: &'static str| l.fill(p, &[&files.to_string(), &mb.to_string()]);
    match crate::errors::row(e).console.2 {
        Text::Worded => match e {
            ServiceError::Invalid(i) => field_words(l, i),
            ServiceError::Refused(r) => refusal_words(l, r),
            e => e.to_string(),
        },
        Text::Localised(_) if l == Lang::En => e.to_string(),
        Text::Localised(p) | Text::Phrase(p) => fill(p),
        Text::Audience { customer: p, .. } if customer => fill(p),
        Text::Audience { staff: p, .. } => fill(p),
    }
}

/// The console cookie `base` as this request carries it: over HTTPS its name has the
/// `__Host-` prefix, which browsers accept only from a secure origin, for the whole host,
/// so a sibling subdomain cannot plant one.
fn cookie(st: &AppState, headers: &HeaderMap, base: &str) -> Option<String> {
    let name = cookie_name(base, secure(st, headers));
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// Cookies are `Secure` (and `__Host-`) when the request came over HTTPS (as a
/// TLS-terminating proxy reports it) or the operator says so (`serve --secure-cookies`).
fn secure(st: &AppState, headers: &HeaderMap) -> bool {
    served_over_https(st, headers)
}

/// Whether this request reached Tierdesk over HTTPS: the operator says every request does
/// (`serve --secure-cookies`), or the proxy in front says this one did.
pub(crate) fn served_over_https(st: &AppState, headers: &HeaderMap) -> bool {
    st.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn set_cookie(
    r: &mut Response,
    name: &str,
    value: &str,
    max_age: u64,
    same_site: &str,
    secure: bool,
) {
    let v = format!(
        "{}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{}",
        cookie_name(name, secure),
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A form body (or a query string) as pairs.
fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A cross-site form post carries a foreign Origin; refuse it even before the token check.
/// Whether a browser's `Origin` (when it sends one) is this site: the operator's public
/// URL (`serve --public-url`, for a reverse proxy that rewrites `Host`), else the `Host`
/// the request names.
fn same_origin(st: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if let Some(public) = &st.public_origin {
        return origin.eq_ignore_ascii_case(public);
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// The one CSRF check of every posted form, URL-encoded or multipart: from this site,
/// with the session's token.
fn csrf_passes(
    st: &AppState,
    session: &Session,
    headers: &HeaderMap,
    fields: &[(String, String)],
) -> bool {
    same_origin(st, headers) && csrf_ok(session, &field(fields, "csrf"))
}

/// Files per attachment set and megabytes per file, for explaining refusals.
fn attachment_limits(st: &AppState) -> (usize, usize) {
    let limits = &st.app.limits;
    (
        limits.attachments_per_set,
        limits.attachment_bytes / (1024 * 1024),
    )
}

/// The signed-in person, or the response that sends them to sign in.
async fn signed_in(
    st: &AppState,
    headers: &HeaderMap,
    path: &str,
    address: Option<String>,
) -> Result<Visit, Response> {
    let Some(token) = cookie(st, headers, SESSION_COOKIE) else {
        return Err(Redirect::to("/console/sign-in").into_response());
    };
    let l = browser_lang(headers);
    let (session, person) = match st.app.session(&token).await {
        Ok(s) => s,
        Err(ServiceError::Unauthenticated(_)) => {
            return Err(Redirect::to("/console/sign-in").into_response());
        }
        Err(e) => return Err(failure(None, l, &e, attachment_limits(st))),
    };
    let prefs = match st.app.preferences(&session.email).await {
        Ok(p) => p,
        Err(e) => return Err(failure(None, l, &e, attachment_limits(st))),
    };
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let zone = prefs
        .timezone
        .clone()
        .unwrap_or_else(|| default_zone(&person));
    let kind = match &person {
        Person::Customer { .. } => ActorKind::ConsoleUser,
        Person::Agent(_) => ActorKind::ConsoleAgent,
    };
    Ok(Visit {
        who: Who::new(kind, &session.email, address),
        path: path.to_string(),
        attachment_limits: attachment_limits(st),
        l: Lang::choose(prefs.ui_language.as_deref(), accept),
        tz: tierdesk_core::time::zone(&zone),
        // Until the person chooses a zone, pages offer the browser's (`static/zone.js`).
        zone_offer: prefs.timezone.is_none().then(|| ZoneOffer {
            shown: zone.clone(),
            ui_language: prefs.ui_language.clone().unwrap_or_default(),
        }),
        session,
        person,
    })
}

/// A customer's times are in their account's zone unless they chose one; agents' in UTC.
fn default_zone(person: &Person) -> String {
    match person {
        Person::Customer { account, .. } => account.timezone.clone(),
        Person::Agent(_) => "UTC".into(),
    }
}

async fn sign_in_page(State(st): State<std::sync::Arc<AppState>>, headers: HeaderMap) -> Response {
    sign_in_form(&st, &headers, String::new(), None, StatusCode::OK)
}

fn sign_in_form(
    st: &AppState,
    headers: &HeaderMap,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let l = browser_lang(headers);
    // Login CSRF: a random value in a cookie and in the form must match on submit.
    let csrf = match tierdesk_app::secrets::random_password() {
        Ok(v) => v,
        Err(_) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                l,
                l.t("Something went wrong"),
                l.t("Please try again."),
            );
        }
    };
    let mut r = render(
        status,
        &SignInPage {
            nav: None,
            l,
            csrf: csrf.clone(),
            email,
            error,
        },
    );
    set_cookie(
        &mut r,
        LOGIN_CSRF_COOKIE,
        &csrf,
        3600,
        "Strict",
        secure(st, headers),
    );
    r
}

async fn sign_in(
    State(st): State<std::sync::Arc<AppState>>,
    peer: crate::client::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let l = browser_lang(&headers);
    let f = form(&body);
    let email = field(&f, "email");
    let expected = cookie(&st, &headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let presented = field(&f, "csrf");
    let csrf_matches = !expected.is_empty()
        && subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), presented.as_bytes()).into();
    if !same_origin(&st, &headers) || !csrf_matches {
        return message(
            StatusCode::FORBIDDEN,
            None,
            l,
            l.t("Request refused"),
            l.t("The form was not sent from this site (CSRF check failed). Reload the page and try again."),
        );
    }
    let from = crate::client::address(&st.trusted_proxies, &peer, &headers);
    match st.app.sign_in(&email, &field(&f, "password"), from).await {
        Ok(signed) => {
            let mut r = Redirect::to("/console").into_response();
            *r.status_mut() = StatusCode::SEE_OTHER;
            let secure = secure(&st, &headers);
            set_cookie(
                &mut r,
                SESSION_COOKIE,
                &signed.token,
                SESSION_TTL.as_secs(),
                "Lax",
                secure,
            );
            set_cookie(&mut r, LOGIN_CSRF_COOKIE, "", 0, "Strict", secure);
            r
        }
        Err(e @ (ServiceError::Unauthenticated(_) | ServiceError::Throttled(_))) => {
            use crate::metrics::SignInFailure;
            let (why, text, status) = match e {
                ServiceError::Throttled(_) => (
                    SignInFailure::Throttled,
                    l.t("Too many sign-in attempts; wait a minute and try again."),
                    StatusCode::TOO_MANY_REQUESTS,
                ),
                _ => (
                    SignInFailure::WrongCredentials,
                    l.t("Wrong email or password."),
                    StatusCode::UNAUTHORIZED,
                ),
            };
            st.metrics.sign_in_failed(why);
            sign_in_form(&st, &headers, email, Some(text.to_string()), status)
        }
        Err(e) => failure(None, l, &e, attachment_limits(&st)),
    }
}

async fn sign_out(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    headers: HeaderMap,
    _: Form<IgnoredAny>,
) -> Response {
    if let Some(token) = cookie(&st, &headers, SESSION_COOKIE)
        && let Err(e) = st.app.sign_out(&v.who, v.account(), &token).await
    {
        tracing::error!(error = %e, "sign-out failed");
    }
    let mut r = Redirect::to("/console/sign-in").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    set_cookie(&mut r, SESSION_COOKIE, "", 0, "Lax", secure(&st, &headers));
    r
}

async fn home(v: Visit) -> Response {
    let l = v.l;
    let (name, summary, invoices_label) = match &v.person {
        Person::Customer { user, account } => (
            user.name.clone(),
            l.fill(
                "You are signed in for account {0} ({1}).",
                &[&account.id, &account.name],
            ),
            l.t("Your support invoices"),
        ),
        Person::Agent(a) => (
            a.name.clone(),
            l.fill(
                "You are signed in as {0} ({1}).",
                &[&a.email, role_name(l, a.role)],
            ),
            if a.role == Role::Admin {
                l.t("All invoices")
            } else {
                l.t("Invoices (admins only)")
            },
        ),
    };
    render(
        StatusCode::OK,
        &HomePage {
            nav: Some(v.nav()),
            l,
            name,
            summary,
            invoices_label: invoices_label.to_string(),
        },
    )
}

fn invoice_view(l: Lang, catalog: &tierdesk_core::catalog::Catalog, i: Invoice) -> InvoiceView {
    InvoiceView {
        month: i.month,
        account_id: i.account_id,
        currency: i.currency,
        total: money(i.total),
        lines: i
            .lines
            .into_iter()
            .map(|line| {
                (
                    line.words.as_ref().map_or_else(
                        || line.description.trim().to_string(),
                        |w| l.invoice_line(catalog, w),
                    ),
                    if line.amount.is_zero() {
                        String::new()
                    } else {
                        money(line.amount)
                    },
                )
            })
            .collect(),
    }
}

async fn invoices(State(st): State<std::sync::Arc<AppState>>, v: Visit) -> Response {
    let l = v.l;
    // A customer sees their own account's invoices and nothing else; admins see all.
    let (heading, found) = match &v.person {
        Person::Customer { account, .. } => (
            l.fill("Support invoices of account {0}", &[&account.id]),
            st.app.invoices_of(account).await,
        ),
        Person::Agent(a) if a.role == Role::Admin => {
            (l.t("All invoices").to_string(), st.app.all_invoices().await)
        }
        Person::Agent(_) => {
            return v.message(
                StatusCode::FORBIDDEN,
                l.t("Not for your role"),
                l.t("Only admins see every account's invoices."),
            );
        }
    };
    match found {
        Ok(list) => render(
            StatusCode::OK,
            &InvoicesPage {
                nav: Some(v.nav()),
                l,
                heading,
                invoices: list
                    .into_iter()
                    .rev()
                    .map(|i| invoice_view(l, &st.app.catalog, i))
                    .collect(),
            },
        ),
        Err(e) => v.failure(&e),
    }
}

/// What the advisor's form asks.
#[derive(Deserialize)]
struct AdvisorQuery {
    /// Monthly usage, a decimal amount.
    #[serde(default)]
    usage: String,
    currency: Option<String>,
    /// Needs, as `tierdesk plans advise --need` takes them, comma-separated.
    #[serde(default)]
    needs: String,
    /// `1` to include plans no longer sold.
    legacy: Option<String>,
}

async fn advisor(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    forms::Query(q): forms::Query<AdvisorQuery>,
) -> Response {
    let usage = q.usage;
    let currency = q
        .currency
        .map_or_else(|| "USD".to_string(), |c| c.to_uppercase());
    let needs_text = q.needs;
    let legacy = q.legacy.as_deref() == Some("1");
    let mut page = AdvisorPage {
        nav: Some(v.nav()),
        l: v.l,
        usage: usage.clone(),
        currency: currency.clone(),
        needs: needs_text.clone(),
        legacy,
        error: None,
        shown: false,
        fits: Vec::new(),
        misfits: Vec::new(),
    };
    if usage.is_empty() {
        return render(StatusCode::OK, &page);
    }
    let parsed = usage
        .parse::<rust_decimal::Decimal>()
        .map_err(|_| v.l.fill("'{0}' is not an amount", &[&usage]))
        .and_then(|u| {
            let needs = needs_text
                .split_whitespace()
                .map(|word| {
                    word.parse::<Need>().map_err(|_| {
                        v.l.fill(
                            "'{0}' is not a need Tierdesk knows: write critical:30m, 24x7, api, tam, phone, chat, email, web, im_group or language:ja",
                            &[word],
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((u, needs))
        });
    let (amount, needs) = match parsed {
        Ok(v) => v,
        Err(e) => {
            page.error = Some(e);
            return render(StatusCode::BAD_REQUEST, &page);
        }
    };
    let today = today_in(st.app.clock.now(), "UTC");
    let advice = advise(&st.app.catalog, amount, &currency, &needs, today, legacy);
    page.shown = true;
    page.fits = advice
        .fits
        .iter()
        .map(|f| {
            (
                v.l.plan(f.plan).to_string(),
                f.fee.map_or(v.l.t("priced by contract").into(), |d| {
                    format!("{} {}", money(d), f.plan.currency)
                }),
            )
        })
        .collect();
    page.misfits = advice
        .misfits
        .iter()
        .map(|m| {
            (
                v.l.plan(m.plan).to_string(),
                m.reasons
                    .iter()
                    .map(|r| v.l.reason(&st.app.catalog, m.plan, r))
                    .collect::<Vec<_>>()
                    .join(if v.l == Lang::Ja { "。" } else { "; " }),
            )
        })
        .collect();
    render(StatusCode::OK, &page)
}

fn settings_page(
    st: &AppState,
    v: &Visit,
    prefs: &tierdesk_core::records::Preferences,
) -> SettingsPage {
    SettingsPage {
        nav: Some(v.nav()),
        l: v.l,
        csrf: v.csrf(),
        ui_language: prefs.ui_language.clone().unwrap_or_default(),
        timezone: prefs.timezone.clone().unwrap_or_default(),
        default_zone: default_zone(&v.person),
        zones: zone_names(st.app.clock.now()),
        saved: false,
        password_changed: false,
        error: None,
        password_error: None,
        integrations: None,
        integration_error: None,
        shown_once: Vec::new(),
        subscriptions: Vec::new(),
        subscriptions_saved: false,
        own_hook: None,
        webhook_error: None,
    }
}

/// The settings page with the customer's account's monitoring tokens.
async fn settings_with_integrations(
    st: &AppState,
    v: &Visit,
    prefs: &tierdesk_core::records::Preferences,
) -> Result<SettingsPage, ServiceError> {
    let mut page = settings_page(st, v, prefs);
    notifications::fill(st, v, &mut page).await?;
    if let Some(account) = v.account() {
        let rows = st.app.integrations(Some(account)).await?;
        page.integrations = Some(
            rows.into_iter()
                .map(|t| IntegrationRow {
                    id: t.id,
                    name: t.name,
                    severity_label: t.severity_label,
                    resolves: t.resolve_cases,
                    created: v.when(t.created),
                    revoked: t.revoked.map(|r| v.when(r)),
                })
                .collect(),
        );
    }
    Ok(page)
}

/// Every IANA zone name the bundled database knows, sorted, each with its offset from
/// UTC now (`Asia/Tokyo`, `UTC+09:00`).
fn zone_names(now: jiff::Timestamp) -> Vec<(String, String)> {
    let mut zones: Vec<(String, String)> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .map(|n| {
            let offset = tierdesk_core::time::zone(&n).to_offset(now);
            let secs = offset.seconds();
            let sign = if secs < 0 { '-' } else { '+' };
            let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
            (n, format!("UTC{sign}{h:02}:{m:02}"))
        })
        .collect();
    zones.sort();
    zones
}

/// What the settings page is told after a save.
#[derive(Deserialize)]
struct SettingsQuery {
    saved: Option<String>,
    password: Option<String>,
    shown: Option<String>,
    subscriptions: Option<String>,
}

async fn settings(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    forms::Query(q): forms::Query<SettingsQuery>,
) -> Response {
    let shown = match v.take_shown(&st, ShownQuery { shown: q.shown }).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let prefs = match st.app.preferences(&v.session.email).await {
        Ok(p) => p,
        Err(e) => return v.failure(&e),
    };
    match settings_with_integrations(&st, &v, &prefs).await {
        Ok(mut page) => {
            page.saved = q.saved.as_deref() == Some("1");
            page.password_changed = q.password.as_deref() == Some("changed");
            page.subscriptions_saved = q.subscriptions.as_deref() == Some("saved");
            page.shown_once = shown;
            render(StatusCode::OK, &page)
        }
        Err(e) => v.failure(&e),
    }
}

/// What the new-integration form posts.
#[derive(Deserialize)]
struct IntegrationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    severity_label: String,
    #[serde(default)]
    resolve_cases: String,
}

/// A customer makes a monitoring token for their account; it is shown once.
async fn create_integration(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Form { fields: f, .. }: Form<IntegrationForm>,
) -> Response {
    let Some(account) = v.account().map(str::to_string) else {
        return v.failure(&ServiceError::Forbidden(
            "monitoring tokens are an account's".into(),
        ));
    };
    let label = f.severity_label.trim();
    let made = st
        .app
        .create_integration(
            &v.who,
            tierdesk_app::monitoring::NewIntegration {
                account_id: account,
                name: f.name.clone(),
                severity_label: (!label.is_empty()).then(|| label.to_string()),
                resolve_cases: f.resolve_cases == "1",
            },
        )
        .await;
    match made {
        Ok(m) => {
            let what = v.l.t("Alertmanager token").to_string();
            v.redirect_showing(&st, "/console/settings", &[(what, m.secret)])
                .await
        }
        Err(e) => {
            settings_refused(&st, &v, &e, |page, said| {
                page.integration_error = Some(said)
            })
            .await
        }
    }
}

/// The settings page again after a form on it failed: a refusal (a person's mistake) is
/// said beside the form `place` puts it by, with 400; anything else is the failure page.
async fn settings_refused(
    st: &AppState,
    v: &Visit,
    e: &ServiceError,
    place: impl FnOnce(&mut SettingsPage, String),
) -> Response {
    if !crate::errors::is_refusal(e) {
        return v.failure(e);
    }
    let prefs = match st.app.preferences(&v.session.email).await {
        Ok(p) => p,
        Err(e) => return v.failure(&e),
    };
    match settings_with_integrations(st, v, &prefs).await {
        Ok(mut page) => {
            place(&mut page, v.explain(e));
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => v.failure(&e),
    }
}

/// A customer revokes one of their account's monitoring tokens.
async fn revoke_integration(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Path(id): Path<String>,
    _: Form<IgnoredAny>,
) -> Response {
    let Some(account) = v.account().map(str::to_string) else {
        return v.failure(&ServiceError::Forbidden(
            "monitoring tokens are an account's".into(),
        ));
    };
    match st.app.revoke_integration(&v.who, &id, Some(&account)).await {
        Ok(()) => Redirect::to("/console/settings").into_response(),
        Err(e) => v.failure(&e),
    }
}

/// What the settings form posts.
#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    ui_language: String,
    #[serde(default)]
    timezone: String,
}

async fn save_settings(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Form { fields: f, .. }: Form<SettingsForm>,
) -> Response {
    let (language, zone) = (f.ui_language, f.timezone);
    match st
        .app
        .set_preferences(&v.who, &v.session.email, Some(&language), Some(&zone))
        .await
    {
        Ok(_) => Redirect::to("/console/settings?saved=1").into_response(),
        Err(e) if crate::errors::is_refusal(&e) => {
            let prefs = tierdesk_core::records::Preferences {
                ui_language: Some(language),
                timezone: Some(zone),
            };
            match settings_with_integrations(&st, &v, &prefs).await {
                Ok(mut page) => {
                    page.error = Some(v.explain(&e));
                    render(StatusCode::BAD_REQUEST, &page)
                }
                Err(e) => v.failure(&e),
            }
        }
        Err(e) => v.failure(&e),
    }
}

/// What the password form posts.
#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat_password: String,
}

async fn change_password(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    headers: HeaderMap,
    Form { fields: f, .. }: Form<PasswordForm>,
) -> Response {
    let new = f.new_password;
    let problem = if new != f.repeat_password {
        Some(v.l.t("The new passwords differ.").to_string())
    } else {
        match st
            .app
            .change_password(&v.who, &v.session.email, &f.current_password, &new)
            .await
        {
            Ok(signed) => {
                // Every other session has ended; this browser carries on with a new one.
                let mut r = Redirect::to("/console/settings?password=changed").into_response();
                set_cookie(
                    &mut r,
                    SESSION_COOKIE,
                    &signed.token,
                    SESSION_TTL.as_secs(),
                    "Lax",
                    secure(&st, &headers),
                );
                return r;
            }
            Err(e) if crate::errors::is_refusal(&e) => Some(v.explain(&e)),
            Err(e) => return v.failure(&e),
        }
    };
    let prefs = match st.app.preferences(&v.session.email).await {
        Ok(p) => p,
        Err(e) => return v.failure(&e),
    };
    match settings_with_integrations(&st, &v, &prefs).await {
        Ok(mut page) => {
            page.password_error = problem;
            render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => v.failure(&e),
    }
}

#[cfg(test)]
mod tests {
    use tierdesk_app::error::{Field, Invalid, Problem};

    use super::*;

    /// Every field and problem is worded in Japanese with the Japanese label, not just
    /// passed through in English.
    #[test]
    fn field_problems_are_worded_in_each_language() {
        let problems = [
            Problem::Missing,
            Problem::Empty,
            Problem::Length {
                min: 1,
                max: 8000,
                got: 8001,
            },
            Problem::Forbidden('\u{0}'),
            Problem::Forbidden('/'),
            Problem::Malformed("x".into()),
            Problem::Wrong,
            Problem::NotIssued,
            Problem::OtherFilters,
            Problem::EndsBeforeStart {
                start: "2026-11-01".into(),
                end: "2026-10-01".into(),
            },
            Problem::PeriodTooLong {
                max_days: 366,
                days: 400,
            },
            Problem::TooMany { max: 10, got: 11 },
            Problem::NotEmail("x@".into()),
            Problem::NotOneOf {
                value: "x".into(),
                allowed: vec!["a".into(), "b".into()],
            },
            Problem::NotANumber("x".into()),
            Problem::NotATime("x".into()),
            Problem::OutOfRange {
                min: 10,
                max: 100,
                got: 5,
            },
            Problem::RequiredWith(Field::Service),
            Problem::Unknown("x".into()),
            Problem::NotInService {
                value: "x".into(),
                service: "y".into(),
            },
            Problem::NotOffered {
                value: "critical".into(),
                plan_name: "Business".into(),
                plan_id: "aws.business".into(),
                offered: vec!["low".into()],
            },
        ];
        for &field in Field::ALL {
            for problem in &problems {
                let i = Invalid {
                    field,
                    problem: problem.clone(),
                };
                let (en, ja) = (field_words(Lang::En, &i), field_words(Lang::Ja, &i));
                assert_ne!(en, ja, "{i:?}");
                // The label is Japanese too (values the person typed stay as typed).
                let label_en = field_words(Lang::En, &i);
                let first_word = label_en.split([' ', ':']).next().unwrap_or_default();
                assert!(!ja.starts_with(first_word), "{ja}");
                assert!(
                    !en.contains('{') && !ja.contains('{'),
                    "a hole left: {en} / {ja}"
                );
            }
        }
        let i = Invalid {
            field: Field::Body,
            problem: Problem::Length {
                min: 1,
                max: 8000,
                got: 9000,
            },
        };
        assert_eq!(
            field_words(Lang::En, &i),
            "Message must be 1 to 8000 characters long (it has 9000)."
        );
        assert_eq!(
            field_words(Lang::Ja, &i),
            "メッセージは1〜8000文字で入力してください（現在9000文字）。"
        );
        let wrong = Invalid {
            field: Field::CurrentPassword,
            problem: Problem::Wrong,
        };
        assert_eq!(
            field_words(Lang::En, &wrong),
            "The current password is not right."
        );
        assert_eq!(
            field_words(Lang::Ja, &wrong),
            "現在のパスワードが正しくありません。"
        );
    }

    /// Every rule's refusal is worded in Japanese, with its values filled in.
    #[test]
    fn refusals_are_worded_in_each_language() {
        use tierdesk_app::error::Refusal;
        let plan = || ("Basic".to_string(), "aws.basic".to_string());
        let refusals = [
            Refusal::NoTechnicalSupport {
                plan_name: plan().0,
                plan_id: plan().1,
            },
            Refusal::NoSeverities {
                plan_name: plan().0,
                plan_id: plan().1,
            },
            Refusal::NoUrgentEscalations {
                plan_name: plan().0,
                plan_id: plan().1,
            },
            Refusal::CustomerInternalNote,
            Refusal::PlanDiscontinued {
                plan_name: plan().0,
                plan_id: plan().1,
                on: "2021-01-01".into(),
            },
            Refusal::NotATam {
                email: "ada@example.com".into(),
                role: "agent".into(),
            },
            Refusal::NoTamOnPlan {
                account: "111122223333".into(),
                plan_name: plan().0,
                plan_id: plan().1,
            },
            Refusal::WrongMasterKey,
            Refusal::NotADemoDatabase,
            Refusal::StorageQuota,
            Refusal::CaseFull,
            Refusal::OwnAccess,
            Refusal::OnlyEngineersAreLimited {
                email: "ada@example.com".into(),
                role: "tam".into(),
            },
        ];
        for r in &refusals {
            let (en, ja) = (refusal_words(Lang::En, r), refusal_words(Lang::Ja, r));
            assert_ne!(en, ja, "{r:?}");
            assert!(!ja.contains('{'), "a hole left: {ja}");
        }
        assert_eq!(
            refusal_words(Lang::Ja, &refusals[2]),
            "Basicプランには緊急エスカレーションがありません。"
        );
    }
}
