//! Support agents (engineers, TAMs, admins) and their API tokens.

use tierdesk_core::records::{Agent, Role};
use tierdesk_store::StoreError;

use crate::error::{Field, Problem};
use crate::validate::{check_email, check_language, check_line};
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
        let role = Role::parse(&new.role).ok_or_else(|| {
            ServiceError::invalid(
                Field::Role,
                Problem::NotOneOf {
                    value: new.role.clone(),
                    allowed: ["agent", "tam", "admin"].map(String::from).to_vec(),
                },
            )
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
