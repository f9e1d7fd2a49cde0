//! Console sign-in: customer users, passwords (argon2id), server-side sessions shared by
//! replicas, CSRF tokens, and who a session belongs to (a customer user of one account,
//! or an agent). Tokens are random; the database keeps only their SHA-256.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use subtle::ConstantTimeEq;
use tierdesk_core::records::{Account, Agent, Session, User};
use tierdesk_store::StoreError;

use crate::error::{Field, Problem};
use crate::validate::{check_email, check_language, check_line};
use crate::{App, ServiceError, ids};

/// How long a session lasts from sign-in.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sign-in attempts per email and minute, counted by all replicas together.
pub const SIGN_INS_PER_MINUTE: i64 = 10;
pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Who is signed in.
#[derive(Debug, Clone)]
pub enum Person {
    Customer { user: User, account: Account },
    Agent(Agent),
}

/// A new session: the cookie token (shown once) and the session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub session: Session,
    pub person: Person,
}

fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| ServiceError::Internal(format!("the OS random number source failed: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn check_password(password: &str) -> Result<(), ServiceError> {
    // The upper bound keeps hashing cheap; argon2 reads the whole password.
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(ServiceError::invalid(
            Field::Password,
            Problem::Length {
                min: MIN_PASSWORD_CHARS,
                max: MAX_PASSWORD_CHARS,
                got: n,
            },
        ));
    }
    Ok(())
}

impl App {
    /// Creates a customer user of `account_id`, with `password` (or none yet).
    pub async fn create_user(
        &self,
        account_id: &str,
        email: &str,
        name: &str,
        language: Option<&str>,
        password: Option<&str>,
    ) -> Result<User, ServiceError> {
        let account = self.account(account_id).await?;
        let email = check_email(Field::Email, email)?;
        let name = check_line(Field::PersonName, name, 200)?;
        let language = language.unwrap_or(&account.language);
        check_language(Field::Language, language)?;
        if let Some(p) = password {
            check_password(p)?;
        }
        let user = User {
            id: ids::user_id()?,
            account_id: account.id.clone(),
            email: email.clone(),
            name: name.to_string(),
            language: language.to_string(),
            created: self.clock.now(),
        };
        match self.store.insert_user(user.clone()).await {
            Err(StoreError::AlreadyExists) => {
                return Err(ServiceError::Conflict(format!(
                    "{email} already signs in (as a user or an agent)"
                )));
            }
            other => other?,
        }
        if let Some(p) = password {
            self.store
                .set_password(&email, &hash_password(p)?, self.clock.now())
                .await?;
        }
        Ok(user)
    }

    /// Sets the password of a user or agent; their open sessions end.
    pub async fn set_password(&self, email: &str, password: &str) -> Result<(), ServiceError> {
        let email = email.trim().to_lowercase();
        check_password(password)?;
        self.person(&email).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("no user or agent signs in as {email}"))
        })?;
        Ok(self
            .store
            .set_password(&email, &hash_password(password)?, self.clock.now())
            .await?)
    }

    async fn person(&self, email: &str) -> Result<Option<Person>, ServiceError> {
        if let Some(user) = self.store.user_by_email(email).await? {
            let account = self.account(&user.account_id).await?;
            return Ok(Some(Person::Customer { user, account }));
        }
        Ok(self.store.agent_by_email(email).await?.map(Person::Agent))
    }

    /// Signs in; the error never says whether the email exists.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, ServiceError> {
        let email = email.trim().to_lowercase();
        self.check_credentials(&email, password).await?;
        self.open_session(email).await
    }

    /// Changes a signed-in person's password after checking the current one (counted
    /// against the sign-in limit, so a stolen session cannot guess it). Every session of
    /// the email ends; the new one returned keeps this browser signed in.
    pub async fn change_password(
        &self,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<SignedIn, ServiceError> {
        let email = email.trim().to_lowercase();
        self.check_credentials(&email, current)
            .await
            .map_err(|e| match e {
                ServiceError::Unauthenticated(_) => {
                    ServiceError::invalid(Field::CurrentPassword, Problem::Wrong)
                }
                other => other,
            })?;
        self.set_password(&email, new).await?;
        self.open_session(email).await
    }

    /// The sign-in limit, then the password; the error never says whether the email
    /// exists.
    async fn check_credentials(&self, email: &str, password: &str) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let window = now.as_second() / 60 * 60;
        if !self
            .store
            .rate_hit(
                &format!("sign-in:{email}"),
                "sign-in",
                window,
                SIGN_INS_PER_MINUTE,
            )
            .await?
        {
            return Err(ServiceError::Throttled(
                "too many sign-in attempts for this email; wait a minute".into(),
            ));
        }
        let stored = self.store.password(email).await?;
        // Hash even when there is no such email, so both answers take as long.
        let ok = match &stored {
            Some(hash) => password_matches(password, hash),
            None => {
                let _ = hash_password(password);
                false
            }
        };
        if ok {
            Ok(())
        } else {
            Err(ServiceError::Unauthenticated(
                "wrong email or password".into(),
            ))
        }
    }

    async fn open_session(&self, email: String) -> Result<SignedIn, ServiceError> {
        let person = self
            .person(&email)
            .await?
            .ok_or_else(|| ServiceError::Unauthenticated("wrong email or password".into()))?;
        let now = self.clock.now();
        let token = ids::token("tds_")?;
        let session = Session {
            email,
            csrf: ids::token("")?,
            created: now,
            expires: now
                .checked_add(SESSION_TTL)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        };
        self.store
            .insert_session(ids::token_hash(&token), session.clone())
            .await?;
        Ok(SignedIn {
            token,
            session,
            person,
        })
    }

    /// The session a cookie token stands for, and its person.
    pub async fn session(&self, token: &str) -> Result<(Session, Person), ServiceError> {
        let expired =
            || ServiceError::Unauthenticated("not signed in, or the session expired".into());
        if token.len() > 128 {
            return Err(expired());
        }
        let session = self
            .store
            .session(&ids::token_hash(token), self.clock.now())
            .await?
            .ok_or_else(expired)?;
        let person = self.person(&session.email).await?.ok_or_else(expired)?;
        Ok((session, person))
    }

    /// The case operations' caller for a customer user in the console: their account on
    /// its current plan.
    pub async fn console_caller(
        &self,
        user: &User,
        account: &Account,
    ) -> Result<crate::auth::Caller, ServiceError> {
        Ok(crate::auth::Caller {
            plan: self.current_plan(account).await?,
            account: account.clone(),
            principal: user.email.clone(),
            access_key_id: String::new(),
            via: crate::auth::Via::Console,
        })
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), ServiceError> {
        Ok(self.store.delete_session(ids::token_hash(token)).await?)
    }
}

/// Whether a form's CSRF token is the session's (compared in constant time).
pub fn csrf_ok(session: &Session, presented: &str) -> bool {
    session.csrf.as_bytes().ct_eq(presented.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_hashes_verify_and_differ() {
        let (Ok(a), Ok(b)) = (
            hash_password("correct horse battery"),
            hash_password("correct horse battery"),
        ) else {
            panic!("hashing failed")
        };
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &a));
        assert!(!password_matches("correct horse battery!", &a));
        assert!(!password_matches("x", "not a hash"));
    }
}
