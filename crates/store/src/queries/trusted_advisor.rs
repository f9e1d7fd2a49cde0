// Trusted Advisor's records (see `trusted_advisor.rs`).
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files. Each query is written once, in SQL both engines run.

use std::collections::HashMap;

use tierdesk_core::trusted_advisor::{CheckResult, ResultRow};

use crate::trusted_advisor::{AdvisorOverview, Finding, Refresh, ResultSource, StoredInventory, StoredResult};

fn finding(r: &<Db as sqlx::Database>::Row) -> Result<Finding, StoreError> {
    let status: String = r.try_get("status")?;
    let metadata: String = r.try_get("metadata_json")?;
    Ok(Finding {
        check_id: r.try_get("check_id")?,
        resource_id: r.try_get("resource_id")?,
        first_seen: from_micros(r.try_get("first_seen_us")?),
        last_seen: from_micros(r.try_get("last_seen_us")?),
        status: tierdesk_core::trusted_advisor::Status::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("finding status '{status}'")))?,
        region: r.try_get("region")?,
        metadata: serde_json::from_str(&metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        resolved: opt_time(r, "resolved_us")?,
    })
}

/// The most rows one `advisor_result_rows` value holds.
const ROWS_PER_CHUNK: usize = 1000;

/// Writes results with their events, and a notice about the account.
async fn save_results(
    c: &mut Conn,
    account_id: String,
    results: Vec<StoredResult>,
    events: Vec<crate::WebhookEvent>,
    notice: Option<(String, crate::NewNotice)>,
) -> Result<(), StoreError> {
    write_results(c, &account_id, &results, &events).await?;
    if let Some((subject, n)) = &notice {
        let at = results.iter().map(|s| to_micros(s.result.at)).max().unwrap_or_default();
        insert_account_notice(c, n, &account_id, subject, at).await?;
    }
    Ok(())
}

/// Writes results, and moves their findings: a flagged resource opens (or keeps open) its
/// finding; an open finding a result no longer flags is resolved. A result that is not
/// available says nothing of its resources, so it moves no finding. The events (of what
/// changed) are queued for the operators' webhooks.
async fn write_results(
    c: &mut Conn,
    account_id: &str,
    results: &[StoredResult],
    events: &[crate::WebhookEvent],
) -> Result<(), StoreError> {
    if let Some(at) = results.iter().map(|s| to_micros(s.result.at)).max() {
        let events: Vec<(&str, &str, &str)> =
            events.iter().map(|e| (e.key.as_str(), e.event_type.as_str(), e.payload.as_str())).collect();
        queue_webhook_events(c, &events, at).await?;
    }
    for s in results {
        let r = &s.result;
        let at = to_micros(r.at);
        sqlx::query(
            "INSERT INTO advisor_results (account_id, check_id, evaluated_us, available, processed, ignored, source) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (account_id, check_id) DO UPDATE SET evaluated_us = excluded.evaluated_us, \
             available = excluded.available, processed = excluded.processed, ignored = excluded.ignored, \
             source = excluded.source",
        )
        .bind(account_id)
        .bind(&r.check_id)
        .bind(at)
        .bind(r.available)
        .bind(r.processed as i64)
        .bind(r.ignored as i64)
        .bind(s.source.as_str())
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM advisor_result_rows WHERE account_id = $1 AND check_id = $2")
            .bind(account_id)
            .bind(&r.check_id)
            .execute(&mut *c)
            .await?;
        for (n, chunk) in r.rows.chunks(ROWS_PER_CHUNK).enumerate() {
            let json = serde_json::to_string(chunk).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query("INSERT INTO advisor_result_rows (account_id, check_id, chunk, rows_json) VALUES ($1, $2, $3, $4)")
                .bind(account_id)
                .bind(&r.check_id)
                .bind(n as i64)
                .bind(json)
                .execute(&mut *c)
                .await?;
        }
        if !r.available {
            continue;
        }
        let open: HashMap<String, i64> = sqlx::query(
            "SELECT resource_id, first_seen_us FROM advisor_findings \
             WHERE account_id = $1 AND check_id = $2 AND resolved_us IS NULL",
        )
        .bind(account_id)
        .bind(&r.check_id)
        .fetch_all(&mut *c)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("resource_id")?, row.try_get("first_seen_us")?)))
        .collect::<Result<_, StoreError>>()?;
        let mut flagged = std::collections::HashSet::new();
        for row in r.rows.iter().filter(|row| row.status != tierdesk_core::trusted_advisor::Status::Ok) {
            flagged.insert(row.resource_id.as_str());
            let metadata = serde_json::to_string(&row.metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            match open.get(&row.resource_id) {
                Some(first) => {
                    sqlx::query(
                        "UPDATE advisor_findings SET last_seen_us = $1, status = $2, region = $3, metadata_json = $4 \
                         WHERE account_id = $5 AND check_id = $6 AND resource_id = $7 AND first_seen_us = $8",
                    )
                    .bind(at)
                    .bind(row.status.as_str())
                    .bind(&row.region)
                    .bind(&metadata)
                    .bind(account_id)
                    .bind(&r.check_id)
                    .bind(&row.resource_id)
                    .bind(*first)
                    .execute(&mut *c)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO advisor_findings (account_id, check_id, resource_id, first_seen_us, last_seen_us, \
                         status, region, metadata_json, resolved_us) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, NULL) \
                         ON CONFLICT (account_id, check_id, resource_id, first_seen_us) DO NOTHING",
                    )
                    .bind(account_id)
                    .bind(&r.check_id)
                    .bind(&row.resource_id)
                    .bind(at)
                    .bind(row.status.as_str())
                    .bind(&row.region)
                    .bind(&metadata)
                    .execute(&mut *c)
                    .await?;
                }
            }
        }
        for (resource, first) in open.iter().filter(|(id, _)| !flagged.contains(id.as_str())) {
            sqlx::query(
                "UPDATE advisor_findings SET resolved_us = $1 \
                 WHERE account_id = $2 AND check_id = $3 AND resource_id = $4 AND first_seen_us = $5",
            )
            .bind(at)
            .bind(account_id)
            .bind(&r.check_id)
            .bind(resource)
            .bind(*first)
            .execute(&mut *c)
            .await?;
        }
    }
    Ok(())
}

fn refresh_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Refresh, StoreError> {
    Ok(Refresh {
        account_id: r.try_get("account_id")?,
        check_id: r.try_get("check_id")?,
        requested: from_micros(r.try_get("requested_us")?),
        started: opt_time(r, "started_us")?,
        finished: opt_time(r, "finished_us")?,
        succeeded: r.try_get("succeeded")?,
    })
}

const REFRESH_COLUMNS: &str = "account_id, check_id, requested_us, started_us, finished_us, succeeded";

impl Backend {
    pub async fn replace_inventory(
        &self,
        account_id: String,
        inventory: StoredInventory,
        results: crate::trusted_advisor::ResultStream,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO advisor_inventories (account_id, imported_us, regions, files, facts) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET \
                         imported_us = excluded.imported_us, regions = excluded.regions, files = excluded.files, \
                         facts = excluded.facts",
                    )
                    .bind(&account_id)
                    .bind(to_micros(inventory.imported))
                    .bind(inventory.regions.join(","))
                    .bind(inventory.files)
                    .bind(&inventory.facts)
                    .execute(&mut *c)
                    .await?;
                    for (result, events) in results {
                        write_results(c, &account_id, std::slice::from_ref(&result), &events).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn save_results(
        &self,
        account_id: String,
        results: Vec<StoredResult>,
        events: Vec<crate::WebhookEvent>,
        notice: Option<(String, crate::NewNotice)>,
        audit: Option<AuditEntry>,
    ) -> Result<(), StoreError> {
        match audit {
            Some(a) => {
                self.writer
                    .write_audited(a, move |c| Box::pin(save_results(c, account_id, results, events, notice)))
                    .await
            }
            None => {
                self.writer
                    .write(move |c| Box::pin(save_results(c, account_id, results, events, notice)))
                    .await
            }
        }
    }

    pub async fn inventory(&self, account_id: &str) -> Result<Option<StoredInventory>, StoreError> {
        let row = sqlx::query(
            "SELECT imported_us, regions, files, facts FROM advisor_inventories WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.map(|r| {
            let regions: String = r.try_get("regions")?;
            Ok(StoredInventory {
                imported: from_micros(r.try_get("imported_us")?),
                regions: regions.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                files: r.try_get("files")?,
                facts: r.try_get("facts")?,
            })
        })
        .transpose()
    }

    pub async fn inventory_summary(
        &self,
        account_id: &str,
    ) -> Result<Option<(jiff::Timestamp, Vec<String>, i64)>, StoreError> {
        let row = sqlx::query("SELECT imported_us, regions, files FROM advisor_inventories WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(|r| {
            let regions: String = r.try_get("regions")?;
            Ok((
                from_micros(r.try_get("imported_us")?),
                regions.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                r.try_get("files")?,
            ))
        })
        .transpose()
    }

    pub async fn results(&self, account_id: &str, check_id: Option<&str>) -> Result<Vec<StoredResult>, StoreError> {
        let (sql, chunks_sql) = match check_id {
            Some(_) => (
                "SELECT check_id, evaluated_us, available, processed, ignored, source \
                 FROM advisor_results WHERE account_id = $1 AND check_id = $2",
                "SELECT check_id, rows_json FROM advisor_result_rows WHERE account_id = $1 AND check_id = $2 \
                 ORDER BY check_id, chunk",
            ),
            None => (
                "SELECT check_id, evaluated_us, available, processed, ignored, source \
                 FROM advisor_results WHERE account_id = $1 ORDER BY check_id",
                "SELECT check_id, rows_json FROM advisor_result_rows WHERE account_id = $1 ORDER BY check_id, chunk",
            ),
        };
        let (mut q, mut cq) = (sqlx::query(sql).bind(account_id), sqlx::query(chunks_sql).bind(account_id));
        if let Some(id) = check_id {
            q = q.bind(id);
            cq = cq.bind(id);
        }
        // One read: the results and their rows as of the same instant.
        let mut reader = self.reader().await?;
        let mut tx = sqlx::Connection::begin(&mut *reader).await?;
        let rows = q.fetch_all(&mut *tx).await?;
        let mut by_check: HashMap<String, Vec<ResultRow>> = HashMap::new();
        let mut chunks = cq.fetch(&mut *tx);
        while let Some(r) = futures_util::TryStreamExt::try_next(&mut chunks).await? {
            let json: String = r.try_get("rows_json")?;
            let part: Vec<ResultRow> =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("advisor result rows: {e}")))?;
            by_check.entry(r.try_get("check_id")?).or_default().extend(part);
        }
        drop(chunks);
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                let check_id: String = r.try_get("check_id")?;
                let rows = by_check.remove(&check_id).unwrap_or_default();
                let source: String = r.try_get("source")?;
                Ok(StoredResult {
                    result: CheckResult {
                        check_id,
                        at: from_micros(r.try_get("evaluated_us")?),
                        available: r.try_get("available")?,
                        processed: r.try_get::<i64, _>("processed")?.max(0) as u64,
                        ignored: r.try_get::<i64, _>("ignored")?.max(0) as u64,
                        rows,
                    },
                    source: if source == "operator" { ResultSource::Operator } else { ResultSource::Inventory },
                })
            })
            .collect()
    }

    pub async fn suppressions(&self, account_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT check_id, resource_id FROM advisor_suppressions WHERE account_id = $1 ORDER BY check_id, resource_id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("check_id")?, r.try_get("resource_id")?))).collect()
    }

    pub async fn set_suppressed(
        &self,
        account_id: String,
        check_id: String,
        resource_ids: Vec<String>,
        suppressed: bool,
        at: jiff::Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    for id in &resource_ids {
                        if suppressed {
                            sqlx::query(
                                "INSERT INTO advisor_suppressions (account_id, check_id, resource_id, suppressed_us) \
                                 VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, check_id, resource_id) DO NOTHING",
                            )
                            .bind(&account_id)
                            .bind(&check_id)
                            .bind(id)
                            .bind(to_micros(at))
                            .execute(&mut *c)
                            .await?;
                        } else {
                            sqlx::query(
                                "DELETE FROM advisor_suppressions WHERE account_id = $1 AND check_id = $2 AND resource_id = $3",
                            )
                            .bind(&account_id)
                            .bind(&check_id)
                            .bind(id)
                            .execute(&mut *c)
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn advisor_overview(&self, since: jiff::Timestamp) -> Result<Vec<AdvisorOverview>, StoreError> {
        let open = |status: &str| {
            format!(
                "(SELECT COUNT(*) FROM advisor_findings f WHERE f.account_id = a.id AND f.resolved_us IS NULL \
                 AND f.status = '{status}' AND NOT EXISTS (SELECT 1 FROM advisor_suppressions s \
                 WHERE s.account_id = f.account_id AND s.check_id = f.check_id AND s.resource_id = f.resource_id))"
            )
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.name, i.imported_us, {} AS red, {} AS yellow, \
             (SELECT COUNT(*) FROM advisor_findings f WHERE f.account_id = a.id AND f.first_seen_us >= $1) AS opened, \
             (SELECT COUNT(*) FROM advisor_findings f WHERE f.account_id = a.id AND f.resolved_us >= $1) AS fixed \
             FROM accounts a LEFT JOIN advisor_inventories i ON i.account_id = a.id \
             WHERE EXISTS (SELECT 1 FROM advisor_results r WHERE r.account_id = a.id) ORDER BY a.id",
            open("error"),
            open("warning")
        )))
        .bind(to_micros(since))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AdvisorOverview {
                    account_id: r.try_get("id")?,
                    account_name: r.try_get("name")?,
                    imported: opt_time(r, "imported_us")?,
                    red: r.try_get("red")?,
                    yellow: r.try_get("yellow")?,
                    opened: r.try_get("opened")?,
                    fixed: r.try_get("fixed")?,
                })
            })
            .collect()
    }

    pub async fn advisor_changes(
        &self,
        since: jiff::Timestamp,
        accounts: Option<&[String]>,
        max: i64,
    ) -> Result<Vec<(String, Finding)>, StoreError> {
        let only = match accounts {
            None => String::new(),
            Some([]) => return Ok(Vec::new()),
            Some(ids) => format!(" AND account_id IN ({})", placeholders(2, ids.len())),
        };
        // The newest change of a finding: its closing, or else its opening.
        let sql = format!(
            "SELECT account_id, check_id, resource_id, first_seen_us, last_seen_us, status, region, metadata_json, resolved_us \
             FROM advisor_findings WHERE (first_seen_us >= $1 OR resolved_us >= $1){only} \
             ORDER BY COALESCE(resolved_us, first_seen_us) DESC, account_id, check_id, resource_id LIMIT {}",
            limit(max)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_micros(since));
        for id in accounts.unwrap_or_default() {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("account_id")?, finding(r)?)))
            .collect()
    }

    pub async fn recent_findings(&self, account_id: &str, check_id: &str, max: i64) -> Result<Vec<Finding>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT check_id, resource_id, first_seen_us, last_seen_us, status, region, metadata_json, resolved_us \
             FROM advisor_findings WHERE account_id = $1 AND check_id = $2 \
             ORDER BY COALESCE(resolved_us, first_seen_us) DESC, resource_id LIMIT {}",
            limit(max)
        )))
        .bind(account_id)
        .bind(check_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(finding).collect()
    }

    pub async fn findings(&self, account_id: &str, check_id: &str) -> Result<Vec<Finding>, StoreError> {
        let rows = sqlx::query(
            "SELECT check_id, resource_id, first_seen_us, last_seen_us, status, region, metadata_json, resolved_us \
             FROM advisor_findings WHERE account_id = $1 AND check_id = $2 ORDER BY first_seen_us DESC, resource_id",
        )
        .bind(account_id)
        .bind(check_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(finding).collect()
    }

    pub async fn request_refresh(
        &self,
        account_id: String,
        check_id: String,
        at: jiff::Timestamp,
        cooldown: std::time::Duration,
    ) -> Result<Refresh, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let since = to_micros(at) - i64::try_from(cooldown.as_micros()).unwrap_or(i64::MAX);
                    sqlx::query(
                        "INSERT INTO advisor_refreshes (account_id, check_id, requested_us, started_us, finished_us, succeeded) \
                         VALUES ($1, $2, $3, NULL, NULL, NULL) ON CONFLICT (account_id, check_id) DO UPDATE SET \
                         requested_us = excluded.requested_us, started_us = NULL, finished_us = NULL, succeeded = NULL \
                         WHERE advisor_refreshes.requested_us <= $4",
                    )
                    .bind(&account_id)
                    .bind(&check_id)
                    .bind(to_micros(at))
                    .bind(since)
                    .execute(&mut *c)
                    .await?;
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {REFRESH_COLUMNS} FROM advisor_refreshes WHERE account_id = $1 AND check_id = $2"
                    )))
                    .bind(&account_id)
                    .bind(&check_id)
                    .fetch_one(&mut *c)
                    .await?;
                    refresh_from_row(&row)
                })
            })
            .await
    }

    pub async fn refreshes(&self, account_id: &str) -> Result<Vec<Refresh>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {REFRESH_COLUMNS} FROM advisor_refreshes WHERE account_id = $1 ORDER BY check_id"
        )))
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(refresh_from_row).collect()
    }

    pub async fn claim_refreshes(
        &self,
        now: jiff::Timestamp,
        stale: jiff::Timestamp,
        n: i64,
    ) -> Result<Vec<Refresh>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {REFRESH_COLUMNS} FROM advisor_refreshes \
                         WHERE started_us IS NULL OR (finished_us IS NULL AND started_us < $1) \
                         ORDER BY requested_us LIMIT {}",
                        limit(n)
                    )))
                    .bind(to_micros(stale))
                    .fetch_all(&mut *c)
                    .await?;
                    let mut claimed = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let mut job = refresh_from_row(r)?;
                        // Compare and set on what was read: one caller moves it.
                        let got = sqlx::query(
                            "UPDATE advisor_refreshes SET started_us = $1 WHERE account_id = $2 AND check_id = $3 \
                             AND requested_us = $4 AND started_us IS NOT DISTINCT FROM $5 AND finished_us IS NULL",
                        )
                        .bind(to_micros(now))
                        .bind(&job.account_id)
                        .bind(&job.check_id)
                        .bind(to_micros(job.requested))
                        .bind(job.started.map(to_micros))
                        .execute(&mut *c)
                        .await?;
                        if got.rows_affected() == 1 {
                            job.started = Some(now);
                            claimed.push(job);
                        }
                    }
                    Ok(claimed)
                })
            })
            .await
    }

    pub async fn finish_refresh(&self, job: Refresh, succeeded: bool, at: jiff::Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE advisor_refreshes SET finished_us = $1, succeeded = $2 \
                         WHERE account_id = $3 AND check_id = $4 AND requested_us = $5",
                    )
                    .bind(to_micros(at))
                    .bind(succeeded)
                    .bind(&job.account_id)
                    .bind(&job.check_id)
                    .bind(to_micros(job.requested))
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn stale_advisor_accounts(&self, before: jiff::Timestamp) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.account_id FROM advisor_inventories i WHERE i.imported_us < $1 AND NOT EXISTS \
             (SELECT 1 FROM advisor_results r WHERE r.account_id = i.account_id AND r.source = 'inventory' \
              AND r.evaluated_us >= $1) ORDER BY i.account_id",
        )
        .bind(to_micros(before))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("account_id")?)).collect()
    }
}
