//! Who is visiting, as axum extractors: every console handler names the person it serves
//! in its signature, and this is the one place that checks the session and refuses the
//! wrong role (customers from staff pages, staff from customer pages, non-admins from
//! admin pages). A refusal is the response the person sees: the sign-in page for no
//! session, a 403 page in their language for the wrong role.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use tierdesk_app::auth::Caller;
use tierdesk_app::sessions::Person;
use tierdesk_core::records::{Agent, Role};

use super::{Visit, signed_in};
use crate::AppState;

impl FromRequestParts<std::sync::Arc<AppState>> for Visit {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &std::sync::Arc<AppState>,
    ) -> Result<Self, Response> {
        visit(parts, st).await
    }
}

/// The visit, kept in the request for a [`Form`](super::forms::Form) declared after the
/// visit's extractor to check its CSRF token against.
async fn visit(parts: &mut Parts, st: &AppState) -> Result<Visit, Response> {
    let address = crate::client::address_of(&st.trusted_proxies, parts);
    let v = signed_in(st, &parts.headers, parts.uri.path(), address).await?;
    parts.extensions.insert(v.clone());
    Ok(v)
}

/// A customer's visit, with the caller their account acts as.
pub(super) struct CustomerVisit(pub Visit, pub Caller);

impl FromRequestParts<std::sync::Arc<AppState>> for CustomerVisit {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &std::sync::Arc<AppState>,
    ) -> Result<Self, Response> {
        let v = visit(parts, st).await?;
        let Person::Customer { user, account } = &v.person else {
            return Err(v.message(
                StatusCode::FORBIDDEN,
                v.l.t("For customers"),
                v.l.t("These pages show a customer's own cases; agents work cases in the queue."),
            ));
        };
        match st.app.console_caller(user, account).await {
            Ok(caller) => Ok(CustomerVisit(v, caller)),
            Err(e) => Err(v.failure(&e)),
        }
    }
}

/// A support agent's visit (any staff role).
pub(super) struct AgentVisit(pub Visit, pub Agent);

impl FromRequestParts<std::sync::Arc<AppState>> for AgentVisit {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &std::sync::Arc<AppState>,
    ) -> Result<Self, Response> {
        let v = visit(parts, st).await?;
        match &v.person {
            Person::Agent(a) => {
                let a = a.clone();
                Ok(AgentVisit(v, a))
            }
            Person::Customer { .. } => Err(v.message(
                StatusCode::FORBIDDEN,
                v.l.t("For support staff"),
                v.l.t("The queue is for support engineers, TAMs and admins."),
            )),
        }
    }
}

/// An admin's visit.
pub(super) struct AdminVisit(pub Visit, pub Agent);

impl FromRequestParts<std::sync::Arc<AppState>> for AdminVisit {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &std::sync::Arc<AppState>,
    ) -> Result<Self, Response> {
        let AgentVisit(v, a) = AgentVisit::from_request_parts(parts, st).await?;
        if a.role != Role::Admin {
            return Err(v.message(
                StatusCode::FORBIDDEN,
                v.l.t("Not for your role"),
                v.l.t("Only admins change accounts, users, agents and keys."),
            ));
        }
        Ok(AdminVisit(v, a))
    }
}
