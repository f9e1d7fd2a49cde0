//! Console sign-in: customer users, passwords (argon2id), server-side sessions shared by
//! replicas, CSRF tokens, and who a session belongs to (a customer user of one account,
//! or an agent). Tokens are random; the database keeps only their SHA-256.

use std::time::Duration;

use std::net::IpAddr;

use subtle::ConstantTimeEq;
use tierdesk_core::records::{Account, Agent, Session, User};
use tierdesk_store::{StoreError, UserChange};

use tierdesk_core::audit::{Action, ActorKind, Who};

use crate::error::{Field, Problem};
use crate::passwords::check_password;
use crate::validate::{check_email, check_language, check_line, is_email};
use crate::{App, ServiceError, ids};

/// How long a session lasts from sign-in.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sign-in attempts per minute, counted by all replicas together: for one email, from one
/// address, and for the whole service (which bounds password spraying across emails).
pub const SIGN_INS_PER_EMAIL: i64 = 10;
pub const SIGN_INS_PER_ADDRESS: i64 = 30;
pub const SIGN_INS_PER_SERVICE: i64 = 600;
/// Password changes per person and minute: a limiter of its own, so that someone flooding
/// the sign-in form with a person's email cannot also keep them from changing it.
pub const PASSWORD_CHANGES_PER_MINUTE: i64 = 10;

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

impl App {
    /// Creates a customer user of `account_id`, with `password` (or none yet).
    pub async fn create_user(
        &self,
        who: &Who,
        account_id: &str,
        email: &str,
        name: &str,
        language: Option<&str>,
        password: Option<&str>,
    ) -> Result<User, ServiceError> {
        self.create_person(who, account_id, email, name, language, password, false)
            .await
    }

    /// `create_user`, also for the demo's people (`demo`: marked as such everywhere).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn create_person(
        &self,
        who: &Who,
        account_id: &str,
        email: &str,
        name: &str,
        language: Option<&str>,
        password: Option<&str>,
        demo: bool,
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
            disabled: None,
            demo,
        };
        let audit = who.did(
            user.created,
            Action::UserCreate,
            Some(&account.id),
            format!("person:{email}"),
            "",
        );
        match self.store.insert_user(user.clone(), audit).await {
            Err(StoreError::AlreadyExists) => {
                return Err(ServiceError::Conflict(format!(
                    "{email} already signs in (as a user or an agent)"
                )));
            }
            other => other?,
        }
        if let Some(p) = password {
            self.set_password(who, &email, p).await?;
        }
        Ok(user)
    }

    /// Sets the password of a user or agent; their open sessions end.
    pub async fn set_password(
        &self,
        who: &Who,
        email: &str,
        password: &str,
    ) -> Result<(), ServiceError> {
        let email = email.trim().to_lowercase();
        check_password(password)?;
        let user = self.store.user_by_email(&email).await?;
        let known = user.is_some() || self.store.agent_by_email(&email).await?.is_some();
        if !known {
            return Err(ServiceError::NotFound(format!(
                "no user or agent signs in as {email}"
            )));
        }
        let hash = self.hashing.hash(password).await?;
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::UserPassword,
            user.as_ref().map(|u| u.account_id.as_str()),
            format!("person:{email}"),
            "password set; sessions ended",
        );
        Ok(self.store.set_password(&email, &hash, now, audit).await?)
    }

    /// Takes a customer user's sign-in away (`disable`) or gives it back; their sessions
    /// end at once.
    pub async fn set_user_disabled(
        &self,
        who: &Who,
        email: &str,
        disable: bool,
    ) -> Result<(), ServiceError> {
        let (change, action) = if disable {
            (UserChange::Disable(self.clock.now()), Action::UserDisable)
        } else {
            (UserChange::Enable, Action::UserEnable)
        };
        self.change_user(who, email, change, action).await
    }

    /// Removes a customer user: their sessions, password and preferences go; the cases
    /// they opened stay with the account.
    pub async fn delete_user(&self, who: &Who, email: &str) -> Result<(), ServiceError> {
        self.change_user(who, email, UserChange::Delete, Action::UserDelete)
            .await
    }

    async fn change_user(
        &self,
        who: &Who,
        email: &str,
        change: UserChange,
        action: Action,
    ) -> Result<(), ServiceError> {
        let email = email.trim().to_lowercase();
        let Some(user) = self.store.user_by_email(&email).await? else {
            return Err(ServiceError::NotFound(format!("no user {email}")));
        };
        let audit = who.did(
            self.clock.now(),
            action,
            Some(&user.account_id),
            format!("person:{email}"),
            "",
        );
        match self.store.change_user(&email, change, audit).await {
            Err(StoreError::NotFound) => Err(ServiceError::NotFound(format!("no user {email}"))),
            other => Ok(other?),
        }
    }

    /// The person who signs in with `email`, if they may: disabled people are no one.
    async fn person(&self, email: &str) -> Result<Option<Person>, ServiceError> {
        if let Some(user) = self.store.user_by_email(email).await? {
            if user.disabled.is_some() {
                return Ok(None);
            }
            let account = self.account(&user.account_id).await?;
            return Ok(Some(Person::Customer { user, account }));
        }
        Ok(self
            .store
            .agent_by_email(email)
            .await?
            .filter(|a| a.disabled.is_none())
            .map(Person::Agent))
    }

    /// Signs in; the error never says whether the email exists. `from` is the address
    /// the attempt came from, when the surface knows it.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        from: Option<IpAddr>,
    ) -> Result<SignedIn, ServiceError> {
        let email = email.trim().to_lowercase();
        // Nothing that cannot be a person's email or password reaches the limiter's table
        // or the hasher (a megabyte "email" once became a megabyte row).
        let plausible =
            is_email(&email) && password.len() <= 4 * crate::passwords::MAX_PASSWORD_CHARS;
        if !plausible {
            return Err(wrong_email_or_password());
        }
        let window = crate::limits::minute_window(self.clock.now());
        let throttled = |what: &str| {
            ServiceError::Throttled(format!("too many sign-in attempts {what}; wait a minute"))
        };
        let limits = [
            (
                email_key("sign-in", &email),
                "sign-in",
                SIGN_INS_PER_EMAIL,
                "for this email",
            ),
            (
                "all".to_string(),
                "sign-in-service",
                SIGN_INS_PER_SERVICE,
                "right now",
            ),
        ];
        for (key, kind, limit, what) in limits {
            if !self.store.rate_hit(&key, kind, window, limit).await? {
                return Err(throttled(what));
            }
        }
        if let Some(ip) = from
            && !self
                .store
                .rate_hit(
                    &ip.to_string(),
                    "sign-in-address",
                    window,
                    SIGN_INS_PER_ADDRESS,
                )
                .await?
        {
            return Err(throttled("from this address"));
        }
        self.check_password_of(&email, password).await?;
        self.open_session(email, from).await
    }

    /// Changes a signed-in person's password after checking the current one (with a
    /// limiter of its own, so a stolen session cannot guess it and a sign-in flood cannot
    /// block it). Every session of the email ends; the new one returned keeps this browser
    /// signed in.
    pub async fn change_password(
        &self,
        who: &Who,
        email: &str,
        current: &str,
        new: &str,
    ) -> Result<SignedIn, ServiceError> {
        let email = email.trim().to_lowercase();
        let window = crate::limits::minute_window(self.clock.now());
        let key = email_key("password-change", &email);
        if !self
            .store
            .rate_hit(&key, "password-change", window, PASSWORD_CHANGES_PER_MINUTE)
            .await?
        {
            return Err(ServiceError::Throttled(
                "too many attempts to change this password; wait a minute".into(),
            ));
        }
        self.check_password_of(&email, current)
            .await
            .map_err(|e| match e {
                ServiceError::Unauthenticated(_) => {
                    ServiceError::invalid(Field::CurrentPassword, Problem::Wrong)
                }
                other => other,
            })?;
        self.set_password(who, &email, new).await?;
        let from = who.address.as_deref().and_then(|a| a.parse().ok());
        self.open_session(email, from).await
    }

    /// Whether `password` is `email`'s; the error never says whether the email exists
    /// (an unknown email is hashed too, so both answers take as long).
    async fn check_password_of(&self, email: &str, password: &str) -> Result<(), ServiceError> {
        let stored = self.store.password(email).await?;
        if self.hashing.verify(password, stored).await? {
            Ok(())
        } else {
            Err(wrong_email_or_password())
        }
    }

    /// A session for `email`, signing in from `from`; the sign-in is the person's own act
    /// in the audit log.
    async fn open_session(
        &self,
        email: String,
        from: Option<IpAddr>,
    ) -> Result<SignedIn, ServiceError> {
        let person = self
            .person(&email)
            .await?
            .ok_or_else(wrong_email_or_password)?;
        let (kind, account) = match &person {
            Person::Customer { account, .. } => (ActorKind::ConsoleUser, Some(account.id.as_str())),
            Person::Agent(_) => (ActorKind::ConsoleAgent, None),
        };
        let who = Who::new(kind, &email, from.map(|a| a.to_string()));
        let audit_target = format!("person:{email}");
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
        let audit = who.did(now, Action::SignIn, account, audit_target, "");
        self.store
            .insert_session(ids::token_hash(&token), session.clone(), audit)
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

    /// Ends the session `token` of `who` (the person it belongs to); `account` is theirs
    /// when they are a customer.
    pub async fn sign_out(
        &self,
        who: &Who,
        account: Option<&str>,
        token: &str,
    ) -> Result<(), ServiceError> {
        let audit = who.did(
            self.clock.now(),
            Action::SignOut,
            account,
            format!("person:{}", who.id),
            "",
        );
        Ok(self
            .store
            .delete_session(ids::token_hash(token), audit)
            .await?)
    }
}

fn wrong_email_or_password() -> ServiceError {
    ServiceError::Unauthenticated("wrong email or password".into())
}

/// A limiter key for an email: its hash, so the table holds no addresses and every key has
/// the same short length.
fn email_key(purpose: &str, email: &str) -> String {
    let hash: String = ids::token_hash(email)
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{purpose}:{hash}")
}

/// Whether a form's CSRF token is the session's (compared in constant time).
pub fn csrf_ok(session: &Session, presented: &str) -> bool {
    session.csrf.as_bytes().ct_eq(presented.as_bytes()).into()
}
