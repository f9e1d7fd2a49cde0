// The console: users, passwords, sessions, preferences, TAMs.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use tierdesk_core::records::{Preferences, Session, User};

use crate::console::{AgentChange, UserChange};

impl Backend {
    pub async fn insert_user(&self, u: User, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let agent = sqlx::query("SELECT id FROM agents WHERE email = $1")
                        .bind(&u.email)
                        .fetch_optional(&mut *c)
                        .await?;
                    if agent.is_some() {
                        return Err(StoreError::AlreadyExists);
                    }
                    let r = sqlx::query(
                        "INSERT INTO users (id, account_id, email, name, language, created_us, disabled_us, demo) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&u.id)
                    .bind(&u.account_id)
                    .bind(&u.email)
                    .bind(&u.name)
                    .bind(&u.language)
                    .bind(to_micros(u.created))
                    .bind(u.disabled.map(to_micros))
                    .bind(u.demo)
                    .execute(&mut *c)
                    .await;
                    inserted(r)
                })
            })
            .await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT id, account_id, email, name, language, created_us, disabled_us, demo FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Users of one account, or of every account, by email.
    pub async fn users(&self, account_id: Option<&str>) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, email, name, language, created_us, disabled_us, demo FROM users \
             WHERE $1 IS NULL OR account_id = $1 ORDER BY email",
        )
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn preferences(&self, email: &str) -> Result<Preferences, StoreError> {
        let row = sqlx::query("SELECT ui_language, timezone FROM preferences WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(match row {
            Some(r) => Preferences { ui_language: r.try_get("ui_language")?, timezone: r.try_get("timezone")? },
            None => Preferences::default(),
        })
    }

    pub async fn set_preferences(&self, email: String, p: Preferences, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO preferences (email, ui_language, timezone) VALUES ($1, $2, $3) \
                         ON CONFLICT (email) DO UPDATE SET ui_language = excluded.ui_language, timezone = excluded.timezone",
                    )
                    .bind(&email)
                    .bind(&p.ui_language)
                    .bind(&p.timezone)
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Makes `agent_id` the account's TAM, or (`None`) leaves it without one.
    /// `NotFound` when the account or the agent does not exist.
    pub async fn set_tam(&self, account_id: String, agent_id: Option<String>, at: jiff::Timestamp, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let account = sqlx::query("SELECT id FROM accounts WHERE id = $1")
                        .bind(&account_id)
                        .fetch_optional(&mut *c)
                        .await?;
                    if account.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    let Some(agent_id) = agent_id else {
                        sqlx::query("DELETE FROM account_tams WHERE account_id = $1")
                            .bind(&account_id)
                            .execute(&mut *c)
                            .await?;
                        return Ok(());
                    };
                    let agent = sqlx::query("SELECT id FROM agents WHERE id = $1")
                        .bind(&agent_id)
                        .fetch_optional(&mut *c)
                        .await?;
                    if agent.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query(
                        "INSERT INTO account_tams (account_id, agent_id, assigned_us) VALUES ($1, $2, $3) \
                         ON CONFLICT (account_id) DO UPDATE SET agent_id = excluded.agent_id, assigned_us = excluded.assigned_us",
                    )
                    .bind(&account_id)
                    .bind(&agent_id)
                    .bind(to_micros(at))
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn tam_of(&self, account_id: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.email, a.name, a.languages, a.role, a.created_us, a.disabled_us, a.token_expires_us, a.demo FROM account_tams t \
             JOIN agents a ON a.id = t.agent_id WHERE t.account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(agent_from_row).transpose()
    }

    /// Every account's TAM, by account id.
    pub async fn tams(&self) -> Result<Vec<(String, Agent)>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.account_id, a.id, a.email, a.name, a.languages, a.role, a.created_us, a.disabled_us, a.token_expires_us, a.demo FROM account_tams t \
             JOIN agents a ON a.id = t.agent_id ORDER BY t.account_id",
        )
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("account_id")?, agent_from_row(r)?))).collect()
    }

    /// The accounts an agent is the TAM of, by id.
    pub async fn tam_accounts(&self, agent_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT account_id FROM account_tams WHERE agent_id = $1 ORDER BY account_id")
            .bind(agent_id)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("account_id")?)).collect()
    }

    pub async fn set_password(&self, email: String, hash: String, at: jiff::Timestamp, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO passwords (email, hash, set_us) VALUES ($1, $2, $3) \
                         ON CONFLICT (email) DO UPDATE SET hash = excluded.hash, set_us = excluded.set_us",
                    )
                    .bind(&email)
                    .bind(&hash)
                    .bind(to_micros(at))
                    .execute(&mut *c)
                    .await?;
                    // A new password ends the sessions made with the old one.
                    sqlx::query("DELETE FROM sessions WHERE email = $1").bind(&email).execute(&mut *c).await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn password(&self, email: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT hash FROM passwords WHERE email = $1")
            .bind(email)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row.map(|r| r.try_get("hash")).transpose()?)
    }

    pub async fn insert_session(&self, token_hash: Vec<u8>, s: Session, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE expires_us <= $1")
                        .bind(to_micros(s.created))
                        .execute(&mut *c)
                        .await?;
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, email, csrf, created_us, expires_us) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(token_hash)
                    .bind(&s.email)
                    .bind(&s.csrf)
                    .bind(to_micros(s.created))
                    .bind(to_micros(s.expires))
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn session(&self, token_hash: &[u8], now: jiff::Timestamp) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT email, csrf, created_us, expires_us FROM sessions WHERE token_hash = $1 AND expires_us > $2",
        )
        .bind(token_hash)
        .bind(to_micros(now))
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.map(|r| {
            Ok(Session {
                email: r.try_get("email")?,
                csrf: r.try_get("csrf")?,
                created: from_micros(r.try_get("created_us")?),
                expires: from_micros(r.try_get("expires_us")?),
            })
        })
        .transpose()
    }

    pub async fn delete_session(&self, token_hash: Vec<u8>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *c).await?;
                    Ok(())
                })
            })
            .await
    }
}

impl Backend {
    pub async fn change_agent(&self, email: String, change: AgentChange, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = match &change {
                        AgentChange::Disable(at) => {
                            sqlx::query("UPDATE agents SET disabled_us = $1 WHERE email = $2")
                                .bind(to_micros(*at))
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        AgentChange::Enable => {
                            sqlx::query("UPDATE agents SET disabled_us = NULL WHERE email = $1")
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        AgentChange::Role(role) => {
                            sqlx::query("UPDATE agents SET role = $1 WHERE email = $2")
                                .bind(role.as_str())
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        AgentChange::Token { hash, expires } => {
                            sqlx::query("UPDATE agents SET token_hash = $1, token_expires_us = $2 WHERE email = $3")
                                .bind(hash)
                                .bind(expires.map(to_micros))
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        AgentChange::RevokeToken(at) => {
                            sqlx::query("UPDATE agents SET token_expires_us = $1 WHERE email = $2")
                                .bind(to_micros(*at))
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                    };
                    found(r)?;
                    // A console session outlives none of these but a new or revoked token.
                    if matches!(change, AgentChange::Disable(_) | AgentChange::Role(_)) {
                        sqlx::query("DELETE FROM sessions WHERE email = $1").bind(&email).execute(&mut *c).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn change_user(&self, email: String, change: UserChange, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = match change {
                        UserChange::Disable(at) => {
                            sqlx::query("UPDATE users SET disabled_us = $1 WHERE email = $2")
                                .bind(to_micros(at))
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        UserChange::Enable => {
                            sqlx::query("UPDATE users SET disabled_us = NULL WHERE email = $1")
                                .bind(&email)
                                .execute(&mut *c)
                                .await?
                        }
                        UserChange::Delete => {
                            for table in ["passwords", "preferences"] {
                                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE email = $1")))
                                    .bind(&email)
                                    .execute(&mut *c)
                                    .await?;
                            }
                            sqlx::query("DELETE FROM users WHERE email = $1").bind(&email).execute(&mut *c).await?
                        }
                    };
                    found(r)?;
                    sqlx::query("DELETE FROM sessions WHERE email = $1").bind(&email).execute(&mut *c).await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn agent_accounts(&self, agent_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT account_id FROM agent_accounts WHERE agent_id = $1 ORDER BY account_id")
            .bind(agent_id)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("account_id")?)).collect()
    }

    pub async fn set_agent_accounts(&self, agent_id: String, accounts: Vec<String>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM agent_accounts WHERE agent_id = $1")
                        .bind(&agent_id)
                        .execute(&mut *c)
                        .await?;
                    for account in &accounts {
                        let known = sqlx::query("SELECT id FROM accounts WHERE id = $1")
                            .bind(account)
                            .fetch_optional(&mut *c)
                            .await?;
                        if known.is_none() {
                            return Err(StoreError::NotFound);
                        }
                        sqlx::query("INSERT INTO agent_accounts (agent_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(&agent_id)
                            .bind(account)
                            .execute(&mut *c)
                            .await?;
                    }
                    Ok(())
                })
            })
            .await
    }
}

fn user_from_row(r: &<Db as sqlx::Database>::Row) -> Result<User, StoreError> {
    Ok(User {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        language: r.try_get("language")?,
        created: from_micros(r.try_get("created_us")?),
        disabled: opt_time(r, "disabled_us")?,
        demo: r.try_get("demo")?,
    })

}

impl Backend {
    pub async fn keep_shown_once(&self, id: String, email: String, sealed: Vec<u8>, expires: jiff::Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let r = sqlx::query("INSERT INTO shown_once (id, email, sealed, expires_us) VALUES ($1, $2, $3, $4)")
                        .bind(&id)
                        .bind(&email)
                        .bind(sealed)
                        .bind(to_micros(expires))
                        .execute(&mut *c)
                        .await;
                    inserted(r)
                })
            })
            .await
    }

    pub async fn take_shown_once(&self, id: String, email: String, now: jiff::Timestamp) -> Result<Option<Vec<u8>>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let row = sqlx::query(
                        "DELETE FROM shown_once WHERE id = $1 AND email = $2 AND expires_us > $3 RETURNING sealed",
                    )
                    .bind(&id)
                    .bind(&email)
                    .bind(to_micros(now))
                    .fetch_optional(&mut *c)
                    .await?;
                    Ok(match row {
                        Some(r) => Some(r.try_get("sealed")?),
                        None => None,
                    })
                })
            })
            .await
    }

    pub async fn sweep_shown_once(&self, now: jiff::Timestamp) -> Result<u64, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let r = sqlx::query("DELETE FROM shown_once WHERE expires_us <= $1")
                        .bind(to_micros(now))
                        .execute(&mut *c)
                        .await?;
                    Ok(r.rows_affected())
                })
            })
            .await
    }
}
