//! The link at the foot of every mail: `GET /console/unsubscribe?t=...` asks before it
//! acts (link scanners follow links), `POST` unsubscribes, whether from the page's button
//! or from a mail client's one-click button (RFC 8058: `List-Unsubscribe=One-Click`).
//! No session: the sealed token names the address and the topic, and is good for nothing
//! else.

use super::notifications::topic_words;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;

use super::i18n::Lang;
use super::{Nav, browser_lang, form, message, render};
use crate::AppState;

/// A token and a one-click marker, at most.
const BODY_BYTES: usize = 4096;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new().route(
        "/console/unsubscribe",
        get(ask)
            .post(unsubscribe)
            .layer(axum::extract::DefaultBodyLimit::max(BODY_BYTES)),
    )
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    nav: Option<Nav>,
    l: Lang,
    token: String,
    email: String,
    topic: String,
    done: bool,
}

fn token_of(query: Option<String>, body: &[u8]) -> String {
    let mut pairs = form(query.unwrap_or_default().as_bytes());
    pairs.extend(form(body));
    pairs
        .into_iter()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn not_valid(l: Lang) -> Response {
    message(
        StatusCode::NOT_FOUND,
        None,
        l,
        l.t("This link is not valid"),
        l.t("Change the mail you receive on the Settings page of the console."),
    )
}

async fn ask(
    State(st): State<std::sync::Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let l = browser_lang(&headers);
    let token = token_of(q, &[]);
    match st.app.read_unsubscribe_token(&token) {
        Some((email, topic)) => render(
            StatusCode::OK,
            &UnsubscribePage {
                nav: None,
                l,
                token,
                email,
                topic: topic_words(l, topic).to_string(),
                done: false,
            },
        ),
        None => not_valid(l),
    }
}

async fn unsubscribe(
    State(st): State<std::sync::Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let l = browser_lang(&headers);
    match st.app.unsubscribe(&token_of(q, &body)).await {
        Ok((email, topic)) => render(
            StatusCode::OK,
            &UnsubscribePage {
                nav: None,
                l,
                token: String::new(),
                email,
                topic: topic_words(l, topic).to_string(),
                done: true,
            },
        ),
        Err(tierdesk_app::ServiceError::NotFound(_)) => not_valid(l),
        Err(e) => super::failure(None, l, &e, (0, 0)),
    }
}
