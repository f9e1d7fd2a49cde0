//! Who reads a notice: the people `NoticeKind::audiences` names, found for one case (or
//! account), each with the language and zone to write to them in and the channels they
//! take what it tells them by.

use std::collections::HashMap;

use tierdesk_core::notice::{Audience, Channel, NoticeKind, Topic, mail_language};
use tierdesk_core::records::{Account, Agent, Case, Role};

use crate::{App, ServiceError};

/// Which side of a case a reader is on: what they may read and where their link goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Side {
    Customer,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reader {
    pub email: String,
    pub side: Side,
    /// Copied on the case rather than one of its account's users.
    pub copied: bool,
    pub language: &'static str,
    /// An IANA zone to show times in.
    pub zone: String,
    /// Staff's role; `None` for customers and copied addresses.
    pub role: Option<Role>,
    /// What they hear of in this notice, which they may unsubscribe from.
    pub topic: Topic,
    /// Whether they take it by mail.
    pub by_mail: bool,
    /// Their own webhook's id, when they take it there.
    pub hook: Option<String>,
}

/// The readers of a `kind` notice on `case` (or, for a notice about an account, on
/// `None`), each address once, who take what it tells them by some channel: by mail when
/// `mail` is on, by their own webhook when `hooks` (owner's address to webhook id) names
/// one.
pub(super) async fn readers(
    app: &App,
    kind: NoticeKind,
    case: Option<&Case>,
    account: &Account,
    mail: bool,
    hooks: &HashMap<String, String>,
) -> Result<Vec<Reader>, ServiceError> {
    let mut out: Vec<Reader> = Vec::new();
    for audience in kind.audiences() {
        let topic = kind.topic(*audience);
        match audience {
            Audience::Customers => {
                for u in app.store.users(Some(&account.id)).await? {
                    if u.disabled.is_some() {
                        continue;
                    }
                    let p = app.store.preferences(&u.email).await?;
                    out.push(Reader {
                        language: mail_language(
                            p.ui_language
                                .as_deref()
                                .into_iter()
                                .chain([u.language.as_str()]),
                        ),
                        zone: p.timezone.unwrap_or_else(|| account.timezone.clone()),
                        email: u.email,
                        side: Side::Customer,
                        copied: false,
                        role: None,
                        topic,
                        by_mail: false,
                        hook: None,
                    });
                }
            }
            Audience::Cc => {
                let Some(case) = case else { continue };
                for cc in &case.cc_emails {
                    out.push(Reader {
                        email: cc.clone(),
                        side: Side::Customer,
                        copied: true,
                        language: mail_language([
                            case.language.as_str(),
                            account.language.as_str(),
                        ]),
                        zone: account.timezone.clone(),
                        role: None,
                        topic,
                        by_mail: false,
                        hook: None,
                    });
                }
            }
            Audience::Linguists => {
                let Some(case) = case else { continue };
                for a in app.store.agents().await? {
                    let fits = a.role == Role::Agent
                        && a.disabled.is_none()
                        && a.languages.contains(&case.language)
                        && app.reach(&a).await?.covers(&account.id);
                    if fits {
                        out.push(staff(app, a, topic).await?);
                    }
                }
            }
            Audience::Assignee => {
                let assignee = match case.and_then(|c| c.assignee.as_ref()) {
                    Some(id) => app.store.agent(id).await?,
                    None => None,
                };
                if let Some(a) = assignee.filter(|a| a.disabled.is_none()) {
                    out.push(staff(app, a, topic).await?);
                }
            }
            Audience::Tam => {
                if let Some(a) = app
                    .store
                    .tam_of(&account.id)
                    .await?
                    .filter(|a| a.disabled.is_none())
                {
                    out.push(staff(app, a, topic).await?);
                }
            }
        }
    }
    // Each address once: a user copied on their own case is mailed as a user.
    let mut seen: Vec<String> = Vec::with_capacity(out.len());
    out.retain(|r| {
        let key = r.email.to_ascii_lowercase();
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    let mut subscribed = Vec::with_capacity(out.len());
    for mut r in out {
        r.by_mail = mail
            && app
                .subscribed(&r.email, r.role, r.topic, Channel::Email)
                .await?;
        r.hook = match hooks.get(&r.email.to_lowercase()) {
            Some(id)
                if app
                    .subscribed(&r.email, r.role, r.topic, Channel::Webhook)
                    .await? =>
            {
                Some(id.clone())
            }
            _ => None,
        };
        if r.by_mail || r.hook.is_some() {
            subscribed.push(r);
        }
    }
    Ok(subscribed)
}

async fn staff(app: &App, a: Agent, topic: Topic) -> Result<Reader, ServiceError> {
    let p = app.store.preferences(&a.email).await?;
    Ok(Reader {
        language: mail_language(
            p.ui_language
                .as_deref()
                .into_iter()
                .chain(a.languages.iter().map(String::as_str)),
        ),
        zone: p.timezone.unwrap_or_else(|| "UTC".into()),
        email: a.email,
        side: Side::Staff,
        copied: false,
        role: Some(a.role),
        topic,
        by_mail: false,
        hook: None,
    })
}
