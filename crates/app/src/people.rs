//! Who works with whom, and how each person sees the console and hears from Tierdesk:
//! customer users of an account, an account's technical account manager (TAM), each
//! person's interface language and time zone, and the mail each subscribes to.

use tierdesk_core::account::check_timezone;
use tierdesk_core::notice::{Channel, Side, Topic};
use tierdesk_core::records::{Agent, Preferences, Role, User};
use tierdesk_store::{OpenCaseStats, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::error::{Field, Refusal};
use crate::validate::{one_of, well_formed};
use crate::{App, ServiceError};

/// One topic a person may hear of, and the channels they take it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub topic: Topic,
    pub email: bool,
    /// By their own webhook (when they set one).
    pub webhook: bool,
}

impl Subscription {
    pub fn on(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Webhook => self.webhook,
        }
    }
}

/// The console's interface languages.
pub const UI_LANGUAGES: [&str; 2] = ["en", "ja"];

impl App {
    /// The role of the person with this address (`None`: a customer, or someone copied on
    /// a case).
    async fn role_of(&self, email: &str) -> Result<Option<Role>, ServiceError> {
        Ok(self.store.agent_by_email(email).await?.map(|a| a.role))
    }

    /// The topics `email` may hear of, each with the channels they take it by.
    pub async fn subscriptions(&self, email: &str) -> Result<Vec<Subscription>, ServiceError> {
        let role = self.role_of(email).await?;
        let side = if role.is_some() {
            Side::Staff
        } else {
            Side::Customer
        };
        let mut out = Vec::new();
        for t in Topic::for_side(side) {
            out.push(Subscription {
                topic: *t,
                email: self.subscribed(email, role, *t, Channel::Email).await?,
                webhook: self.subscribed(email, role, *t, Channel::Webhook).await?,
            });
        }
        Ok(out)
    }

    /// Records what `email` chose for some topics on `channel`; topics their side does
    /// not hear of are refused.
    pub async fn set_subscriptions(
        &self,
        who: &Who,
        email: &str,
        channel: Channel,
        choices: &[(Topic, bool)],
    ) -> Result<(), ServiceError> {
        let offered = self.subscriptions(email).await?;
        for (t, _) in choices {
            if !offered.iter().any(|o| o.topic == *t) {
                return Err(ServiceError::Forbidden(format!(
                    "{email} does not hear of {}",
                    t.as_str()
                )));
            }
        }
        let now = self.clock.now();
        let summary: Vec<String> = choices
            .iter()
            .map(|(t, on)| {
                format!(
                    "{} by {} {}",
                    t.as_str(),
                    channel.as_str(),
                    if *on { "on" } else { "off" }
                )
            })
            .collect();
        let audit = who.did(
            now,
            Action::SubscriptionChange,
            None,
            format!("person:{email}"),
            summary.join(", "),
        );
        let choices = choices
            .iter()
            .map(|(t, on)| (t.as_str().to_string(), *on))
            .collect();
        Ok(self
            .store
            .set_subscriptions(email, channel.as_str(), choices, now, audit)
            .await?)
    }

    /// Unsubscribes the address and topic a mail's link names; returns them.
    pub async fn unsubscribe(&self, token: &str) -> Result<(String, Topic), ServiceError> {
        let (email, topic) = self
            .read_unsubscribe_token(token)
            .ok_or_else(|| ServiceError::NotFound("this unsubscribe link is not valid".into()))?;
        let who = Who::new(tierdesk_core::audit::ActorKind::Mail, email.clone(), None);
        self.set_subscriptions(&who, &email, Channel::Email, &[(topic, false)])
            .await?;
        Ok((email, topic))
    }

    pub async fn preferences(&self, email: &str) -> Result<Preferences, ServiceError> {
        Ok(self.store.preferences(email).await?)
    }

    /// Stores a person's choices; `None` (or an empty string) means "not chosen".
    pub async fn set_preferences(
        &self,
        who: &Who,
        email: &str,
        ui_language: Option<&str>,
        timezone: Option<&str>,
    ) -> Result<Preferences, ServiceError> {
        let ui_language = ui_language.filter(|l| !l.is_empty());
        let timezone = timezone.map(str::trim).filter(|t| !t.is_empty());
        if let Some(l) = ui_language {
            one_of(Field::UiLanguage, l, &UI_LANGUAGES)?;
        }
        if let Some(tz) = timezone {
            well_formed(Field::Timezone, tz, check_timezone)?;
        }
        let p = Preferences {
            ui_language: ui_language.map(str::to_string),
            timezone: timezone.map(str::to_string),
        };
        // A customer user's choices show in their account's log.
        let account = self.store.user_by_email(email).await?.map(|u| u.account_id);
        let audit = who.did(
            self.clock.now(),
            Action::UserPreferences,
            account.as_deref(),
            format!("person:{email}"),
            format!(
                "language {}, time zone {}",
                p.ui_language.as_deref().unwrap_or("not chosen"),
                p.timezone.as_deref().unwrap_or("not chosen")
            ),
        );
        self.store.set_preferences(email, p.clone(), audit).await?;
        Ok(p)
    }

    /// Makes the agent with this email the account's TAM (`None`: no TAM). The agent must
    /// have the TAM role and the account's plan must include a TAM.
    pub async fn set_tam(
        &self,
        who: &Who,
        account_id: &str,
        tam: Option<&str>,
    ) -> Result<(), ServiceError> {
        let account = self.account(account_id).await?;
        let agent = match tam {
            None => None,
            Some(email) => {
                let email = email.trim().to_lowercase();
                let agent = self
                    .store
                    .agent_by_email(&email)
                    .await?
                    .ok_or_else(|| ServiceError::NotFound(format!("no agent {email}")))?;
                if agent.role != Role::Tam {
                    return Err(ServiceError::Refused(Refusal::NotATam {
                        email,
                        role: agent.role.as_str().to_string(),
                    }));
                }
                let plan = self.current_plan(&account).await?;
                if plan.tam == "none" {
                    return Err(ServiceError::Refused(Refusal::NoTamOnPlan {
                        account: account.id.clone(),
                        plan_name: plan.name.clone(),
                        plan_id: plan.id.clone(),
                    }));
                }
                Some(agent)
            }
        };
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::AccountTam,
            Some(&account.id),
            format!("account:{}", account.id),
            match &agent {
                Some(a) => format!("TAM {}", a.email),
                None => "no TAM".into(),
            },
        );
        match self
            .store
            .set_tam(
                &account.id,
                agent.as_ref().map(|a| a.id.as_str()),
                now,
                audit,
            )
            .await
        {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(format!(
                "account {account_id} or its TAM no longer exists"
            ))),
            other => other.map_err(ServiceError::from),
        }
    }

    pub async fn tam_of(&self, account_id: &str) -> Result<Option<Agent>, ServiceError> {
        Ok(self.store.tam_of(account_id).await?)
    }

    /// Every account's TAM: (account id, agent).
    pub async fn tams(&self) -> Result<Vec<(String, Agent)>, ServiceError> {
        Ok(self.store.tams().await?)
    }

    /// Open, breaching and next deadline per account with open cases (these accounts,
    /// or all), as of now.
    pub async fn open_case_stats(
        &self,
        accounts: Option<&[String]>,
    ) -> Result<Vec<OpenCaseStats>, ServiceError> {
        Ok(self
            .store
            .open_case_stats(accounts, self.clock.now())
            .await?)
    }

    /// Ids of the accounts this agent is the TAM of.
    pub async fn tam_accounts(&self, agent: &Agent) -> Result<Vec<String>, ServiceError> {
        Ok(self.store.tam_accounts(&agent.id).await?)
    }

    /// The accounts a support engineer is limited to (none: every account).
    pub async fn agent_accounts(&self, agent: &Agent) -> Result<Vec<String>, ServiceError> {
        Ok(self.store.agent_accounts(&agent.id).await?)
    }

    /// Customer users of one account, or of every account.
    pub async fn users(&self, account_id: Option<&str>) -> Result<Vec<User>, ServiceError> {
        Ok(self.store.users(account_id).await?)
    }
}
