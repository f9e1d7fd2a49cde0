//! Support agents (engineers, TAMs, admins) and their API tokens.

use tierdesk_core::account::check_language;
use tierdesk_core::records::{Agent, Role};
use tierdesk_store::StoreError;

use crate::validate::is_email;
use crate::{App, ServiceError, ids};

/// Agent tokens start with this, so secret scanners and people can tell them apart.
const TOKEN_PREFIX: &str = "tdat_";

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub languages: Vec<String>,
    pub role: String,
}

/// A new agent and its API token, shown once (only its hash is stored).
#[derive(Debug, Clone)]
pub struct CreatedAgent {
    pub agent: Agent,
    pub token: String,
}

impl App {
    /// Creates an agent and its API token.
    pub async fn create_agent(&self, new: NewAgent) -> Result<CreatedAgent, ServiceError> {
        let email = new.email.trim().to_lowercase();
        if !is_email(&email) {
            return Err(ServiceError::Validation(format!(
                "'{}' is not an email address",
                new.email
            )));
        }
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(ServiceError::Validation(
                "the agent's name must be 1 to 200 printable characters".into(),
            ));
        }
        let mut languages = Vec::new();
        for l in &new.languages {
            let l = l.trim();
            check_language(l).map_err(ServiceError::Validation)?;
            if !languages.iter().any(|x: &String| x == l) {
                languages.push(l.to_string());
            }
        }
        if languages.is_empty() {
            languages.push("en".into());
        }
        let role = Role::parse(&new.role).ok_or_else(|| {
            ServiceError::Validation(format!(
                "role '{}' is not one of agent, tam, admin",
                new.role
            ))
        })?;
        let agent = Agent {
            id: ids::agent_id()?,
            email,
            name: name.to_string(),
            languages,
            role,
            created: self.clock.now(),
        };
        let token = ids::token(TOKEN_PREFIX)?;
        match self
            .store
            .insert_agent(agent.clone(), ids::token_hash(&token))
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

    /// The agent a bearer token belongs to.
    pub async fn authenticate_agent(&self, token: &str) -> Result<Agent, ServiceError> {
        let refused = || ServiceError::Unauthenticated("the bearer token is not valid".into());
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Err(refused());
        }
        self.store
            .agent_by_token(&ids::token_hash(token))
            .await?
            .ok_or_else(refused)
    }
}
