//! The web console under `/console`: server-rendered HTML (askama templates in
//! `templates/`, escaped by default), password sign-in with server-side sessions that
//! every replica shares, CSRF tokens on every form, and role and account checks on every
//! page. So far: sign-in and out, a customer's cases (`cases.rs`), the agents' queue and
//! case pages (`queue.rs`), invoices (a customer's own; all of them for admins) and the
//! plan advisor.

mod cases;
mod queue;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tierdesk_app::ServiceError;
use tierdesk_app::admin::today_in;
use tierdesk_app::sessions::{Person, SESSION_TTL, csrf_ok};
use tierdesk_core::advisor::{Need, advise};
use tierdesk_core::fees::money;
use tierdesk_core::records::{Invoice, Role, Session};

use crate::http::AppState;

const SESSION_COOKIE: &str = "tierdesk_session";
const LOGIN_CSRF_COOKIE: &str = "tierdesk_login_csrf";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/invoices", get(invoices))
        .route("/console/advisor", get(advisor))
        .route("/console/static/{file}", get(static_file))
        .merge(cases::routes())
        .merge(queue::routes())
}

/// The console's scripts, compiled in and served from its own origin (the CSP allows no
/// other script).
async fn static_file(Path(file): Path<String>) -> Response {
    let body = match file.as_str() {
        "countdown.js" => include_str!("../../static/countdown.js"),
        "assistant.js" => include_str!("../../static/assistant.js"),
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
    name: String,
    role: String,
    csrf: String,
    /// Customers get the Cases link.
    customer: bool,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    nav: Option<Nav>,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
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
    heading: String,
    invoices: Vec<InvoiceView>,
}

#[derive(Template)]
#[template(path = "advisor.html")]
struct AdvisorPage {
    nav: Option<Nav>,
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
#[template(path = "message.html")]
struct MessagePage {
    nav: Option<Nav>,
    title: String,
    message: String,
}

fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => {
            let mut r = (status, Html(html)).into_response();
            let h = r.headers_mut();
            // Pages are per person: never cache them, never frame them.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert("x-frame-options", HeaderValue::from_static("DENY"));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
            );
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn message(status: StatusCode, nav: Option<Nav>, title: &str, text: &str) -> Response {
    render(
        status,
        &MessagePage {
            nav,
            title: title.into(),
            message: text.into(),
        },
    )
}

/// A failed use case as a page: not found, a refusal with its reason, or (logged) an
/// internal error that says nothing of its cause.
fn failure(nav: Option<Nav>, e: &ServiceError) -> Response {
    match e {
        ServiceError::CaseNotFound(_) => {
            let customer = nav.as_ref().is_some_and(|n| n.customer);
            let text = if customer {
                "There is no such case in your account."
            } else {
                "There is no such case."
            };
            message(StatusCode::NOT_FOUND, nav, "No such case", text)
        }
        ServiceError::Internal(m) => {
            tracing::error!(error = %m, "console operation failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                nav,
                "Something went wrong",
                "Please try again.",
            )
        }
        other => message(
            StatusCode::BAD_REQUEST,
            nav,
            "That did not work",
            &other.to_string(),
        ),
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Cookies are `Secure` when the request came over HTTPS (as a TLS-terminating proxy
/// reports it) or the operator says so (`serve --secure-cookies`).
fn secure(st: &AppState, headers: &HeaderMap) -> bool {
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
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A form body as pairs.
fn form(body: &Bytes) -> Vec<(String, String)> {
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
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// The form's pairs if it came from this site with the session's CSRF token.
fn checked(session: &Session, headers: &HeaderMap, body: &Bytes) -> Option<Vec<(String, String)>> {
    let f = form(body);
    (same_origin(headers) && csrf_ok(session, &field(&f, "csrf"))).then_some(f)
}

fn refused(session: &Session, person: &Person) -> Response {
    message(
        StatusCode::FORBIDDEN,
        Some(nav(session, person)),
        "Request refused",
        "The form was not sent from this site (CSRF check failed).",
    )
}

fn nav(session: &Session, person: &Person) -> Nav {
    let (name, role) = match person {
        Person::Customer { user, account } => (
            user.name.clone(),
            format!("customer, account {}", account.id),
        ),
        Person::Agent(a) => (a.name.clone(), a.role.as_str().to_string()),
    };
    Nav {
        name,
        role,
        csrf: session.csrf.clone(),
        customer: matches!(person, Person::Customer { .. }),
    }
}

/// The signed-in person, or the response that sends them to sign in.
async fn signed_in(st: &AppState, headers: &HeaderMap) -> Result<(Session, Person), Response> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(Redirect::to("/console/sign-in").into_response());
    };
    match st.app.session(&token).await {
        Ok(s) => Ok(s),
        Err(ServiceError::Unauthenticated(_)) => {
            Err(Redirect::to("/console/sign-in").into_response())
        }
        Err(e) => Err(failure(None, &e)),
    }
}

async fn sign_in_page(State(st): State<AppState>, headers: HeaderMap) -> Response {
    sign_in_form(&st, &headers, String::new(), None, StatusCode::OK)
}

fn sign_in_form(
    st: &AppState,
    headers: &HeaderMap,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    // Login CSRF: a random value in a cookie and in the form must match on submit.
    let csrf = match crate::setup::random_password() {
        Ok(v) => v,
        Err(_) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "Something went wrong",
                "Please try again.",
            );
        }
    };
    let mut r = render(
        status,
        &SignInPage {
            nav: None,
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

async fn sign_in(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let f = form(&body);
    let email = field(&f, "email");
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let presented = field(&f, "csrf");
    let csrf_matches = !expected.is_empty()
        && subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), presented.as_bytes()).into();
    if !same_origin(&headers) || !csrf_matches {
        return message(
            StatusCode::FORBIDDEN,
            None,
            "Request refused",
            "The form was not sent from this site (CSRF check failed). Reload the page and try again.",
        );
    }
    match st.app.sign_in(&email, &field(&f, "password")).await {
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
        Err(ServiceError::Unauthenticated(m)) => {
            sign_in_form(&st, &headers, email, Some(m), StatusCode::UNAUTHORIZED)
        }
        Err(ServiceError::Throttled(m)) => {
            sign_in_form(&st, &headers, email, Some(m), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => failure(None, &e),
    }
}

async fn sign_out(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, person) = match signed_in(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if checked(&session, &headers, &body).is_none() {
        return refused(&session, &person);
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = st.app.sign_out(&token).await
    {
        tracing::error!(error = %e, "sign-out failed");
    }
    let mut r = Redirect::to("/console/sign-in").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    set_cookie(&mut r, SESSION_COOKIE, "", 0, "Lax", secure(&st, &headers));
    r
}

async fn home(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person) = match signed_in(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (name, summary, invoices_label) = match &person {
        Person::Customer { user, account } => (
            user.name.clone(),
            format!(
                "You are signed in for account {} ({}).",
                account.id, account.name
            ),
            "Your support invoices".to_string(),
        ),
        Person::Agent(a) => (
            a.name.clone(),
            format!("You are signed in as {} ({}).", a.email, a.role.as_str()),
            if a.role == Role::Admin {
                "All invoices"
            } else {
                "Invoices (admins only)"
            }
            .to_string(),
        ),
    };
    render(
        StatusCode::OK,
        &HomePage {
            nav: Some(nav(&session, &person)),
            name,
            summary,
            invoices_label,
        },
    )
}

fn invoice_view(i: Invoice) -> InvoiceView {
    InvoiceView {
        month: i.month,
        account_id: i.account_id,
        currency: i.currency,
        total: money(i.total),
        lines: i
            .lines
            .into_iter()
            .map(|l| {
                (
                    l.description.trim().to_string(),
                    if l.amount.is_zero() {
                        String::new()
                    } else {
                        money(l.amount)
                    },
                )
            })
            .collect(),
    }
}

async fn invoices(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (session, person) = match signed_in(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let n = nav(&session, &person);
    // A customer sees their own account's invoices and nothing else; admins see all.
    let (heading, found) = match &person {
        Person::Customer { account, .. } => (
            format!("Support invoices of account {}", account.id),
            st.app.invoices_of(account).await,
        ),
        Person::Agent(a) if a.role == Role::Admin => {
            ("All invoices".to_string(), st.app.all_invoices().await)
        }
        Person::Agent(_) => {
            return message(
                StatusCode::FORBIDDEN,
                Some(n),
                "Not for your role",
                "Only admins see every account's invoices.",
            );
        }
    };
    match found {
        Ok(list) => render(
            StatusCode::OK,
            &InvoicesPage {
                nav: Some(n),
                heading,
                invoices: list.into_iter().rev().map(invoice_view).collect(),
            },
        ),
        Err(e) => failure(Some(n), &e),
    }
}

async fn advisor(
    State(st): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let (session, person) = match signed_in(&st, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let usage = field(&pairs, "usage");
    let currency = match field(&pairs, "currency") {
        c if c.is_empty() => "USD".to_string(),
        c => c.to_uppercase(),
    };
    let needs_text = field(&pairs, "needs");
    let legacy = field(&pairs, "legacy") == "1";
    let mut page = AdvisorPage {
        nav: Some(nav(&session, &person)),
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
        .map_err(|_| format!("'{usage}' is not an amount"))
        .and_then(|u| {
            let needs = needs_text
                .split_whitespace()
                .map(str::parse::<Need>)
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
                format!("{} ({})", f.plan.name, f.plan.id),
                f.fee.map_or("priced by contract".into(), |d| {
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
                format!("{} ({})", m.plan.name, m.plan.id),
                m.reasons.join("; "),
            )
        })
        .collect();
    render(StatusCode::OK, &page)
}
