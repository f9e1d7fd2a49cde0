// Accounts, their plan history and access keys; the metadata table.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

impl Backend {
    pub async fn create_account(&self, a: Account, first: PlanAssignment, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| -> BoxFuture<'_, Result<(), StoreError>> {
                Box::pin(async move {
                    let inserted = sqlx::query(
                        "INSERT INTO accounts (id, name, timezone, country, language, created_us) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&a.id)
                    .bind(&a.name)
                    .bind(&a.timezone)
                    .bind(&a.country)
                    .bind(&a.language)
                    .bind(to_micros(a.created))
                    .execute(&mut *c)
                    .await;
                    match inserted {
                        Err(e) if is_unique_violation(&e) => return Err(StoreError::AlreadyExists),
                        other => other?,
                    };
                    upsert_assignment(c, &first).await
                })
            })
            .await
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query("SELECT id, name, timezone, country, language, created_us FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT id, name, timezone, country, language, created_us FROM accounts ORDER BY id")
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(account_from_row).collect()
    }

    pub async fn find_accounts(
        &self,
        text: Option<&str>,
        tam: Option<&str>,
        after: Option<&str>,
        limit_to: i64,
    ) -> Result<Page<Account>, StoreError> {
        let mut sql = String::from("SELECT id, name, timezone, country, language, created_us FROM accounts WHERE TRUE");
        let mut args: Vec<Bind<'static>> = Vec::new();
        if let Some(t) = text {
            args.push(Bind::Owned(format!("{}%", like_escape(t))));
            args.push(Bind::Owned(format!("%{}%", like_escape(&t.to_lowercase()))));
            sql += &format!(
                " AND (id LIKE ${} ESCAPE '\\' OR LOWER(name) LIKE ${} ESCAPE '\\')",
                args.len() - 1,
                args.len()
            );
        }
        if let Some(agent) = tam {
            args.push(Bind::Owned(agent.to_string()));
            sql += &format!(" AND id IN (SELECT account_id FROM account_tams WHERE agent_id = ${})", args.len());
        }
        if let Some(a) = after {
            args.push(Bind::Owned(a.to_string()));
            sql += &format!(" AND id > ${}", args.len());
        }
        sql += &format!(" ORDER BY id LIMIT {}", limit(limit_to + 1));
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        let mut items = rows.iter().map(account_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > limit_to;
        items.truncate(limit_to.max(0) as usize);
        Ok(Page { items, more })
    }

    pub async fn assign_plan(&self, a: PlanAssignment, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let exists = sqlx::query("SELECT id FROM accounts WHERE id = $1")
                        .bind(&a.account_id)
                        .fetch_optional(&mut *c)
                        .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    upsert_assignment(c, &a).await
                })
            })
            .await
    }

    pub async fn plan_history(&self, account_id: &str) -> Result<Vec<PlanAssignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, plan_id, effective_from, assigned_us, forced FROM plan_assignments \
             WHERE account_id = $1 ORDER BY effective_from",
        )
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(assignment_from_row).collect()
    }

    pub async fn insert_key(&self, k: AccessKey, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = sqlx::query(
                        "INSERT INTO access_keys (access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us) \
                         VALUES ($1, $2, $3, $4, $5, NULL)",
                    )
                    .bind(&k.access_key_id)
                    .bind(&k.account_id)
                    .bind(&k.principal)
                    .bind(&k.secret_ciphertext)
                    .bind(to_micros(k.created))
                    .execute(&mut *c)
                    .await;
                    match r {
                        Err(e) if is_unique_violation(&e) => Err(StoreError::AlreadyExists),
                        Err(e) if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) => {
                            Err(StoreError::NotFound)
                        }
                        other => other.map(|_| ()).map_err(StoreError::from),
                    }
                })
            })
            .await
    }

    pub async fn key(&self, id: &str) -> Result<Option<AccessKey>, StoreError> {
        let row = sqlx::query(
            "SELECT access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us \
             FROM access_keys WHERE access_key_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub async fn keys(&self, account_id: &str) -> Result<Vec<AccessKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us \
             FROM access_keys WHERE account_id = $1 ORDER BY created_us, access_key_id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    pub async fn revoke_key(&self, id: String, at: jiff::Timestamp, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = sqlx::query(
                        "UPDATE access_keys SET revoked_us = $1 WHERE access_key_id = $2 AND revoked_us IS NULL",
                    )
                    .bind(to_micros(at))
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                    found(r)
                })
            })
            .await
    }

}

async fn upsert_assignment(c: &mut Conn, a: &PlanAssignment) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_assignments (account_id, effective_from, plan_id, assigned_us, forced) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, effective_from) DO UPDATE SET plan_id = excluded.plan_id, \
         assigned_us = excluded.assigned_us, forced = excluded.forced",
    )
    .bind(&a.account_id)
    .bind(a.effective_from.to_string())
    .bind(&a.plan_id)
    .bind(to_micros(a.assigned_at))
    .bind(a.forced)
    .execute(&mut *c)
    .await?;
    Ok(())
}
