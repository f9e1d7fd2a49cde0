//! The Settings page's notifications: which topics reach a person by mail and by their
//! own webhook, and that webhook (set, replaced, removed; its signing secret shown once).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::IgnoredAny;
use tierdesk_core::notice::{Channel, Topic};

use super::forms::Form;
use super::i18n::Lang;
use super::{SettingsPage, Visit, settings_refused};
use crate::AppState;

/// One topic's row: its words and, per channel, its checkbox's name and state.
pub(super) struct TopicRow {
    pub words: &'static str,
    pub email_field: String,
    pub email: bool,
    pub webhook_field: String,
    pub webhook: bool,
}

/// The person's own webhook, as the page shows it.
pub(super) struct OwnHook {
    /// Scheme and host: the rest often holds the receiver's token.
    pub shown_url: String,
    pub created: String,
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub last_error: Option<String>,
}

pub(super) fn topic_words(l: Lang, t: Topic) -> &'static str {
    l.t(match t {
        Topic::CaseUpdates => "updates on cases",
        Topic::NewCases => "new cases in your languages",
        Topic::SlaAlerts => "SLA warnings and breaches",
        Topic::Billing => "invoices",
        Topic::TrustedAdvisor => "weekly Trusted Advisor summaries",
        Topic::Health => "AWS Health events on your account",
    })
}

fn field(channel: Channel, t: Topic) -> String {
    format!("{}_{}", channel.as_str(), t.as_str().replace('-', "_"))
}

/// Fills the page's notification rows and webhook.
pub(super) async fn fill(
    st: &AppState,
    v: &Visit,
    page: &mut SettingsPage,
) -> Result<(), tierdesk_app::ServiceError> {
    page.subscriptions = st
        .app
        .subscriptions(&v.session.email)
        .await?
        .into_iter()
        .map(|s| TopicRow {
            words: topic_words(v.l, s.topic),
            email_field: field(Channel::Email, s.topic),
            email: s.email,
            webhook_field: field(Channel::Webhook, s.topic),
            webhook: s.webhook,
        })
        .collect();
    page.own_hook = st
        .app
        .own_webhook(&v.session.email)
        .await?
        .map(|(w, stats)| OwnHook {
            shown_url: tierdesk_app::webhooks::shown_url(&w.url),
            created: v.when(w.created),
            pending: stats.pending,
            delivered: stats.delivered,
            failed: stats.failed,
            last_error: stats.last_error,
        });
    Ok(())
}

/// The subscriptions form: a checked box for each topic and channel the person keeps (an
/// unticked box is absent). Webhook boxes count only when the person has a webhook.
pub(super) async fn save_subscriptions(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Form { fields: f, .. }: Form<HashMap<String, String>>,
) -> Response {
    let offered = match st.app.subscriptions(&v.session.email).await {
        Ok(o) => o,
        Err(e) => return v.failure(&e),
    };
    let has_hook = match st.app.own_webhook(&v.session.email).await {
        Ok(h) => h.is_some(),
        Err(e) => return v.failure(&e),
    };
    let channels: &[Channel] = if has_hook {
        &Channel::ALL
    } else {
        &[Channel::Email]
    };
    for channel in channels {
        let choices: Vec<(Topic, bool)> = offered
            .iter()
            .map(|s| {
                let checked = f.get(&field(*channel, s.topic)).map(String::as_str) == Some("1");
                (s.topic, checked)
            })
            .collect();
        if let Err(e) = st
            .app
            .set_subscriptions(&v.who, &v.session.email, *channel, &choices)
            .await
        {
            return v.failure(&e);
        }
    }
    Redirect::to("/console/settings?subscriptions=saved#notifications").into_response()
}

#[derive(Deserialize)]
pub(super) struct WebhookForm {
    #[serde(default)]
    url: String,
}

/// Sets the person's own webhook (replacing theirs); its secret is shown once.
pub(super) async fn set_webhook(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    Form { fields: f, .. }: Form<WebhookForm>,
) -> Response {
    match st
        .app
        .set_own_webhook(&v.who, &v.session.email, &f.url)
        .await
    {
        Ok(made) => {
            let what = v.l.t("Webhook signing secret").to_string();
            v.redirect_showing(&st, "/console/settings", &[(what, made.secret)])
                .await
        }
        Err(e) => settings_refused(&st, &v, &e, |page, said| page.webhook_error = Some(said)).await,
    }
}

/// Removes the person's own webhook.
pub(super) async fn remove_webhook(
    State(st): State<std::sync::Arc<AppState>>,
    v: Visit,
    _: Form<IgnoredAny>,
) -> Response {
    match st.app.remove_own_webhook(&v.who, &v.session.email).await {
        Ok(()) => Redirect::to("/console/settings#notifications").into_response(),
        Err(e) => v.failure(&e),
    }
}
