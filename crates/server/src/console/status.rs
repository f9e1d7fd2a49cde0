//! The public status page and its feeds, without sign-in: `/status` (HTML),
//! `/status/feed.atom` (Atom), `/status/rss/all.rss` and `/status/rss/<feed>.rss` (RSS 2.0
//! in AWS's layout). Only public events appear; account-specific ones never do.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tierdesk_app::health::EventDetails;
use tierdesk_core::health::{EventStatus, feed_prefix};

use super::i18n::Lang;
use super::{Nav, browser_lang, render};
use crate::AppState;
use crate::feeds::{self, Channel, feed_name};

/// The most events of each kind (current, recent) a page or feed shows.
const MAX_EVENTS: i64 = 200;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new()
        .route("/status", get(page))
        .route("/status/feed.atom", get(atom))
        .route("/status/rss/{file}", get(rss))
}

/// An event as the page shows it.
pub(super) struct Shown {
    pub anchor: String,
    pub title: String,
    pub service: String,
    pub region: String,
    pub status: &'static str,
    pub current: bool,
    pub start: String,
    pub updated: String,
    /// Newest first: (when, text).
    pub history: Vec<(String, String)>,
}

/// The status page's times: UTC, for readers anywhere.
pub(super) fn utc(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// An event as a page shows it, its times written by `when` (UTC on the public page, the
/// person's zone in the console).
pub(super) fn shown(
    types: &tierdesk_core::health::EventTypes,
    d: &EventDetails,
    when: &dyn Fn(jiff::Timestamp) -> String,
) -> Shown {
    let e = &d.event;
    Shown {
        anchor: format!(
            "{}_{}",
            feed_name(&e.service, &e.region),
            e.start.as_second()
        ),
        title: format!("{}: {}", feed_prefix(e), e.title),
        service: types.service_name(&e.service).to_string(),
        region: types.region_name(&e.region).to_string(),
        status: e.status.as_str(),
        current: e.status != EventStatus::Closed,
        start: when(e.start),
        updated: when(e.last_updated),
        history: d
            .revisions
            .iter()
            .rev()
            .map(|r| (when(r.at), r.text.clone()))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    nav: Option<Nav>,
    l: Lang,
    current: Vec<Shown>,
    past: Vec<Shown>,
    days: u64,
}

/// The page's address as readers see it: the public origin, else the request's host.
fn page_url(st: &AppState, headers: &HeaderMap) -> String {
    let origin = st.public_origin.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    format!("{}/status", origin.trim_end_matches('/'))
}

async fn public_events(st: &AppState) -> Result<Vec<EventDetails>, Response> {
    st.app.current_health(None, MAX_EVENTS).await.map_err(|e| {
        tracing::error!(error = %e, "status page");
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    })
}

async fn page(State(st): State<std::sync::Arc<AppState>>, headers: HeaderMap) -> Response {
    let l = browser_lang(&headers);
    let events = match public_events(&st).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let types = st.app.health_types();
    let (current, past): (Vec<Shown>, Vec<Shown>) = events
        .iter()
        .map(|d| shown(types, d, &utc))
        .partition(|s| s.current);
    render(
        StatusCode::OK,
        &StatusPage {
            nav: None,
            l,
            current,
            past,
            days: st.app.health_history().as_secs() / 86_400,
        },
    )
}

fn xml(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body,
    )
        .into_response()
}

async fn atom(State(st): State<std::sync::Arc<AppState>>, headers: HeaderMap) -> Response {
    let events = match public_events(&st).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let page = page_url(&st, &headers);
    let channel = Channel {
        page: &page,
        feed: None,
        built: st.app.clock.now(),
    };
    xml(
        "application/atom+xml; charset=utf-8",
        feeds::atom(&channel, &format!("{page}/feed.atom"), &events),
    )
}

async fn rss(
    State(st): State<std::sync::Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some(name) = file.strip_suffix(".rss") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let events = match public_events(&st).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let types = st.app.health_types();
    // A feed per service and region, named as AWS names them; a name no known service
    // starts is no feed.
    let feed = if name == "all" {
        None
    } else {
        let known = types
            .all()
            .map(|t| t.service.as_str())
            .chain(events.iter().map(|d| d.event.service.as_str()));
        let mut found = None;
        for service in known {
            let lower = service.to_lowercase();
            if name == lower {
                found = Some((
                    service.to_string(),
                    tierdesk_core::health::GLOBAL.to_string(),
                ));
                break;
            }
            if let Some(region) = name.strip_prefix(&format!("{lower}-"))
                && tierdesk_core::health::refuse(tierdesk_core::health::Piece::Region, region)
                    .is_none()
            {
                found = Some((service.to_string(), region.to_string()));
                break;
            }
        }
        match found {
            Some(f) => Some(f),
            None => return StatusCode::NOT_FOUND.into_response(),
        }
    };
    let events: Vec<EventDetails> = match &feed {
        None => events,
        Some((service, region)) => events
            .into_iter()
            .filter(|d| feed_name(&d.event.service, &d.event.region) == feed_name(service, region))
            .collect(),
    };
    let page = page_url(&st, &headers);
    let channel = Channel {
        page: &page,
        feed: feed.as_ref().map(|(s, r)| (s.as_str(), r.as_str())),
        built: st.app.clock.now(),
    };
    xml(
        "application/rss+xml; charset=utf-8",
        feeds::rss(types, &channel, &events),
    )
}
