// Attachment sets and files, and the per-account rate windows that limit them.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

/// An attachment set this account may still use: it exists, is the account's, is unused
/// and unexpired. Returns its expiry.
async fn open_set(c: &mut Conn, account_id: &str, set_id: &str, now_us: i64) -> Result<i64, StoreError> {
    // On PostgreSQL the row stays locked to the end of the transaction: two writers adding
    // to or using one set take turns, and the second sees what the first did (SQLite has
    // one writer at a time anyway).
    let sql = match DIALECT {
        Dialect::Postgres => "SELECT expires_us, used_us FROM attachment_sets WHERE set_id = $1 AND account_id = $2 FOR UPDATE",
        Dialect::Sqlite => "SELECT expires_us, used_us FROM attachment_sets WHERE set_id = $1 AND account_id = $2",
    };
    let row = sqlx::query(sql)
    .bind(set_id)
    .bind(account_id)
    .fetch_optional(&mut *c)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::AttachmentSetNotFound);
    };
    let expires: i64 = row.try_get("expires_us")?;
    let used: Option<i64> = row.try_get("used_us")?;
    if used.is_some() {
        return Err(StoreError::AttachmentSetNotFound);
    }
    if expires <= now_us {
        return Err(StoreError::AttachmentSetExpired);
    }
    Ok(expires)
}

impl Backend {
    pub async fn add_attachments(&self, new: NewAttachments, audit: AuditEntry) -> Result<(String, jiff::Timestamp), StoreError> {
        self.writer.write_audited(audit, move |c| Box::pin(async move { store_files(c, &new).await }))
            .await
    }

    pub async fn attachment(&self, account_id: &str, attachment_id: &str) -> Result<Option<Attachment>, StoreError> {
        let row = sqlx::query(
            "SELECT a.file_name, a.data, COALESCE(c.internal, FALSE) AS internal FROM attachments a \
             LEFT JOIN communications c ON c.id = a.communication_id \
             WHERE a.attachment_id = $1 AND a.account_id = $2",
        )
            .bind(attachment_id)
            .bind(account_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(match row {
            Some(r) => Some(Attachment {
                file_name: r.try_get("file_name")?,
                data: r.try_get("data")?,
                internal: r.try_get("internal")?,
            }),
            None => None,
        })
    }

    pub async fn delete_expired_sets(&self, now: jiff::Timestamp, limit: i64) -> Result<usize, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    // LIMIT is a code-owned integer, written into the text (see Cross-cutting).
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT set_id FROM attachment_sets WHERE used_us IS NULL AND expires_us <= $1 \
                         ORDER BY expires_us LIMIT {limit}"
                    )))
                    .bind(to_micros(now))
                    .fetch_all(&mut *c)
                    .await?;
                    for r in &rows {
                        let set: String = r.try_get("set_id")?;
                        // An expired set can no longer be used, so nothing races this.
                        sqlx::query("DELETE FROM attachments WHERE set_id = $1 AND communication_id IS NULL")
                            .bind(&set)
                            .execute(&mut *c)
                            .await?;
                        sqlx::query("DELETE FROM attachment_sets WHERE set_id = $1 AND used_us IS NULL")
                            .bind(&set)
                            .execute(&mut *c)
                            .await?;
                    }
                    Ok(rows.len())
                })
            })
            .await
    }

    pub async fn rate_hit(&self, account_id: String, kind: String, window_start: i64, limit: i64) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO rate_windows (account_id, kind, window_start, hits) VALUES ($1, $2, $3, 0) \
                         ON CONFLICT (account_id, kind, window_start) DO NOTHING",
                    )
                    .bind(&account_id)
                    .bind(&kind)
                    .bind(window_start)
                    .execute(&mut *c)
                    .await?;
                    let r = sqlx::query(
                        "UPDATE rate_windows SET hits = hits + 1 \
                         WHERE account_id = $1 AND kind = $2 AND window_start = $3 AND hits < $4",
                    )
                    .bind(&account_id)
                    .bind(&kind)
                    .bind(window_start)
                    .bind(limit)
                    .execute(&mut *c)
                    .await?;
                    // Old windows are of no further use, whoever's they were: keys that never
                    // come back (a stranger's guesses) must not stay for ever.
                    sqlx::query("DELETE FROM rate_windows WHERE kind = $1 AND window_start < $2")
                        .bind(&kind)
                        .bind(window_start)
                        .execute(&mut *c)
                        .await?;
                    Ok(r.rows_affected() == 1)
                })
            })
            .await
    }

}

/// Stores `new`'s files in a new set or appends them to an existing one (refused past the
/// set's size); returns the set and its expiry.
async fn store_files(c: &mut Conn, new: &NewAttachments) -> Result<(String, jiff::Timestamp), StoreError> {
    let now = to_micros(new.at);
    let (set_id, expires, existing) = match &new.existing_set {
        Some(set) => {
            let expires = open_set(c, &new.account_id, set, now).await?;
            let count = sqlx::query("SELECT COUNT(*) AS n FROM attachments WHERE set_id = $1")
                .bind(set)
                .fetch_one(&mut *c)
                .await?;
            (set.clone(), expires, count.try_get::<i64, _>("n")?)
        }
        None => {
            let expires = now + new.lifetime.as_micros() as i64;
            sqlx::query(
                "INSERT INTO attachment_sets (set_id, account_id, created_us, expires_us, used_us) \
                 VALUES ($1, $2, $3, $4, NULL)",
            )
            .bind(&new.new_set_id)
            .bind(&new.account_id)
            .bind(now)
            .bind(expires)
            .execute(&mut *c)
            .await?;
            (new.new_set_id.clone(), expires, 0)
        }
    };
    if existing + new.files.len() as i64 > new.max_per_set {
        return Err(StoreError::AttachmentSetFull);
    }
    if let Some(quota) = new.account_quota {
        let held = sqlx::query("SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) AS n FROM attachments WHERE account_id = $1")
            .bind(&new.account_id)
            .fetch_one(&mut *c)
            .await?;
        let adding: i64 = new.files.iter().map(|f| f.2.len() as i64).sum();
        if held.try_get::<i64, _>("n")? + adding > quota {
            return Err(StoreError::StorageQuotaReached);
        }
    }
    // One microsecond apart, so a set lists its files in the order given.
    for (i, (id, name, data)) in new.files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attachments (attachment_id, set_id, account_id, file_name, size_bytes, data, communication_id, created_us) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        )
        .bind(id)
        .bind(&set_id)
        .bind(&new.account_id)
        .bind(name)
        .bind(data.len() as i64)
        .bind(data.as_slice())
        .bind(now + i as i64)
        .execute(&mut *c)
        .await?;
    }
    Ok((set_id, from_micros(expires)))
}
