// The console's live feed: recent case actions (audit log) and SLA events, by id.

/// A change read from either log: the row's id and case, and `kind` as the feed names it.
fn change_from_row(r: &<Db as sqlx::Database>::Row, kind: String) -> Result<crate::live::CaseChange, StoreError> {
    Ok(crate::live::CaseChange {
        id: r.try_get("id")?,
        kind,
        case_id: r.try_get("case_id")?,
        account_id: r.try_get("account_id")?,
        plan_id: r.try_get("plan_id")?,
        severity_code: r.try_get("severity_code")?,
    })
}

impl Backend {
    pub async fn case_actions_after(&self, after: i64, limit_n: i64) -> Result<Vec<crate::live::CaseChange>, StoreError> {
        // `target` is `case:<case id>`; the case's own row gives its account, plan and
        // severity (a case id is unique across accounts).
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.id, a.action, c.case_id, c.account_id, c.plan_id, c.severity_code \
             FROM audit_log a JOIN cases c ON c.case_id = SUBSTR(a.target, 6) \
             WHERE a.id > $1 AND a.action LIKE 'case.%' AND a.target LIKE 'case:%' \
             ORDER BY a.id LIMIT {}",
            limit(limit_n)
        )))
        .bind(after)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| change_from_row(r, r.try_get("action")?)).collect()
    }

    pub async fn sla_events_after(&self, after: i64, limit_n: i64) -> Result<Vec<crate::live::CaseChange>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.id, e.kind, c.case_id, c.account_id, c.plan_id, c.severity_code \
             FROM sla_events e JOIN cases c ON c.display_id = e.case_display_id \
             WHERE e.id > $1 ORDER BY e.id LIMIT {}",
            limit(limit_n)
        )))
        .bind(after)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|r| change_from_row(r, format!("sla.{}", r.try_get::<String, _>("kind")?)))
            .collect()
    }

    pub async fn live_heads(&self) -> Result<(i64, i64), StoreError> {
        let r = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM audit_log) AS audit, \
             (SELECT COALESCE(MAX(id), 0) FROM sla_events) AS sla",
        )
        .fetch_one(&mut *self.reader().await?)
        .await?;
        Ok((r.try_get("audit")?, r.try_get("sla")?))
    }
}
