//! Support agents (engineers, TAMs, admins) and their API tokens.

use std::time::Duration;
use tierdesk_core::records::{Agent, Role};

use jiff::Timestamp;
use tierdesk_store::{AgentChange, StoreError};

use tierdesk_core::audit::{Action, ActorKind, Who};

use crate::error::{Field, Problem, Refusal};
use crate::validate::{check_email, check_language, check_line};
use crate::{App, ServiceError, ids};

/// Agent tokens start with this, so secret scanners and people can tell them apart.
const TOKEN_PREFIX: &str = "tdat_";

#[derive(Debug, Clone, Default)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub languages: Vec<String>,
    pub role: String,
    /// How long the API token works (`None`: until rotated or revoked).
    pub token_lifetime: Option<Duration>,
    /// Made by `serve --demo`.
    pub demo: bool,
}

/// A new agent and its API token, shown once (only its hash is stored).
#[derive(Debug, Clone)]
pub struct CreatedAgent {
    pub agent: Agent,
    pub token: String,
}

impl App {
    /// Creates an agent and its API token.
    pub async fn create_agent(
        &self,
        who: &Who,
        new: NewAgent,
    ) -> Result<CreatedAgent, ServiceError> {
        let email = check_email(Field::Email, &new.email)?;
        let name = check_line(Field::PersonName, &new.name, 200)?;
        let mut languages = Vec::new();
        for l in &new.languages {
            let l = l.trim();
            check_language(Field::Languages, l)?;
            if !languages.iter().any(|x: &String| x == l) {
                languages.push(l.to_string());
            }
        }
        if languages.is_empty() {
            languages.push("en".into());
        }
        let role = parse_role(&new.role)?;
        let token_expires = self.token_expiry(new.token_lifetime)?;
        let agent = Agent {
            disabled: None,
            token_expires,
            demo: new.demo,
            id: ids::agent_id()?,
            email,
            name: name.to_string(),
            languages,
            role,
            created: self.clock.now(),
        };
        let token = ids::token(TOKEN_PREFIX)?;
        let audit = who.did(
            agent.created,
            Action::AgentCreate,
            None,
            format!("agent:{}", agent.email),
            format!("role {}", agent.role.as_str()),
        );
        match self
            .store
            .insert_agent(agent.clone(), ids::token_hash(&token), audit)
            .await
        {
            Err(StoreError::AlreadyExists) => Err(ServiceError::Conflict(format!(
                "an agent with email {} exists",
                agent.email
            ))),
            other => other.map_err(ServiceError::from),
        }?;
        Ok(CreatedAgent { agent, token })
    }

    pub async fn agents(&self) -> Result<Vec<Agent>, ServiceError> {
        Ok(self.store.agents().await?)
    }

    /// The agent a bearer token belongs to, if the token still works: not expired (or
    /// revoked), and its agent not disabled. Read from the database on every request, so a
    /// revocation holds on every replica at once.
    pub async fn authenticate_agent(&self, token: &str) -> Result<Agent, ServiceError> {
        let refused = || ServiceError::Unauthenticated("the bearer token is not valid".into());
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Err(refused());
        }
        let agent = self
            .store
            .agent_by_token(&ids::token_hash(token))
            .await?
            .ok_or_else(refused)?;
        let now = self.clock.now();
        let expired = agent.token_expires.is_some_and(|t| t <= now);
        if expired || agent.disabled.is_some() {
            return Err(refused());
        }
        Ok(agent)
    }

    /// An agent by email, or `NotFound`.
    pub async fn agent_by_email(&self, email: &str) -> Result<Agent, ServiceError> {
        let email = email.trim().to_lowercase();
        self.store
            .agent_by_email(&email)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no agent {email}")))
    }

    /// Takes an agent's access away (`disable`) or gives it back; their console sessions
    /// end and their token stops working on the next request, on every replica.
    pub async fn set_agent_disabled(
        &self,
        who: &Who,
        email: &str,
        disable: bool,
    ) -> Result<Agent, ServiceError> {
        let agent = self.agent_by_email(email).await?;
        may_change(who, &agent)?;
        let now = self.clock.now();
        let (change, action) = if disable {
            (AgentChange::Disable(now), Action::AgentDisable)
        } else {
            (AgentChange::Enable, Action::AgentEnable)
        };
        let audit = who.did(now, action, None, format!("agent:{}", agent.email), "");
        self.store.change_agent(&agent.email, change, audit).await?;
        self.agent_by_email(&agent.email).await
    }

    pub async fn set_agent_role(
        &self,
        who: &Who,
        email: &str,
        role: &str,
    ) -> Result<Agent, ServiceError> {
        let agent = self.agent_by_email(email).await?;
        may_change(who, &agent)?;
        let role = parse_role(role)?;
        if agent.role == Role::Tam
            && role != Role::Tam
            && !self.store.tam_accounts(&agent.id).await?.is_empty()
        {
            return Err(ServiceError::Conflict(format!(
                "{} manages accounts as their TAM; give those accounts another TAM first",
                agent.email
            )));
        }
        let audit = who.did(
            self.clock.now(),
            Action::AgentRole,
            None,
            format!("agent:{}", agent.email),
            format!("role {} → {}", agent.role.as_str(), role.as_str()),
        );
        self.store
            .change_agent(&agent.email, AgentChange::Role(role), audit)
            .await?;
        self.agent_by_email(&agent.email).await
    }

    /// A new token for the agent (shown once); the old one stops working at once.
    pub async fn rotate_agent_token(
        &self,
        who: &Who,
        email: &str,
        lifetime: Option<Duration>,
    ) -> Result<CreatedAgent, ServiceError> {
        let agent = self.agent_by_email(email).await?;
        let token = ids::token(TOKEN_PREFIX)?;
        let expires = self.token_expiry(lifetime)?;
        self.store
            .change_agent(
                &agent.email,
                AgentChange::Token {
                    hash: ids::token_hash(&token),
                    expires,
                },
                who.did(
                    self.clock.now(),
                    Action::AgentTokenRotate,
                    None,
                    format!("agent:{}", agent.email),
                    match expires {
                        Some(t) => format!("expires {t}"),
                        None => "does not expire".into(),
                    },
                ),
            )
            .await?;
        Ok(CreatedAgent {
            agent: self.agent_by_email(&agent.email).await?,
            token,
        })
    }

    /// Limits a support engineer to these accounts (empty: every account). TAMs reach the
    /// accounts they manage and admins every account, so only engineers are limited.
    pub async fn set_agent_accounts(
        &self,
        who: &Who,
        email: &str,
        accounts: Vec<String>,
    ) -> Result<Agent, ServiceError> {
        let agent = self.agent_by_email(email).await?;
        if agent.role != Role::Agent {
            return Err(ServiceError::Refused(Refusal::OnlyEngineersAreLimited {
                email: agent.email,
                role: agent.role.as_str().to_string(),
            }));
        }
        let audit = who.did(
            self.clock.now(),
            Action::AgentScope,
            None,
            format!("agent:{}", agent.email),
            if accounts.is_empty() {
                "every account".to_string()
            } else {
                format!("accounts {}", accounts.join(", "))
            },
        );
        match self
            .store
            .set_agent_accounts(&agent.id, accounts, audit)
            .await
        {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(
                "one of those accounts does not exist (see `tierdesk account list`)".into(),
            )),
            other => Ok(other?),
        }?;
        Ok(agent)
    }

    /// The agent's token stops working now (console sign-in is not affected).
    pub async fn revoke_agent_token(&self, who: &Who, email: &str) -> Result<Agent, ServiceError> {
        let agent = self.agent_by_email(email).await?;
        may_change(who, &agent)?;
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::AgentTokenRevoke,
            None,
            format!("agent:{}", agent.email),
            "",
        );
        self.store
            .change_agent(&agent.email, AgentChange::RevokeToken(now), audit)
            .await?;
        self.agent_by_email(&agent.email).await
    }

    /// When a token made now with `lifetime` stops working; a lifetime is at least a minute
    /// and at most `MAX_TOKEN_DAYS`.
    fn token_expiry(&self, lifetime: Option<Duration>) -> Result<Option<Timestamp>, ServiceError> {
        let Some(d) = lifetime else {
            return Ok(None);
        };
        let days = i64::try_from(d.as_secs() / 86_400).unwrap_or(i64::MAX);
        let out_of_range = || {
            ServiceError::invalid(
                Field::TokenLifetime,
                Problem::OutOfRange {
                    min: 1,
                    max: MAX_TOKEN_DAYS,
                    got: days,
                },
            )
        };
        if d.as_secs() < MIN_TOKEN_SECONDS || days > MAX_TOKEN_DAYS {
            return Err(out_of_range());
        }
        self.clock
            .now()
            .checked_add(d)
            .map(Some)
            .map_err(|_| out_of_range())
    }
}

/// Whether `who` may take `agent`'s access away: the operator at the command line may,
/// a staff member may not take their own (only the command line could give it back). A
/// new token for oneself is allowed: it takes nothing away.
fn may_change(who: &Who, agent: &Agent) -> Result<(), ServiceError> {
    let staff_member = matches!(who.kind, ActorKind::ConsoleAgent | ActorKind::AgentToken);
    if staff_member && who.id == agent.email {
        Err(ServiceError::Refused(Refusal::OwnAccess))
    } else {
        Ok(())
    }
}

/// The shortest token lifetime, in seconds.
pub const MIN_TOKEN_SECONDS: u64 = 60;
/// The longest token lifetime, in days (ten years).
pub const MAX_TOKEN_DAYS: i64 = 3650;

fn parse_role(role: &str) -> Result<Role, ServiceError> {
    Role::parse(role).ok_or_else(|| {
        ServiceError::invalid(
            Field::Role,
            Problem::NotOneOf {
                value: role.to_string(),
                allowed: Role::ALL.map(|r| r.as_str().to_string()).to_vec(),
            },
        )
    })
}
