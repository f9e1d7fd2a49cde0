// Integration tokens and alert groups' cases (see `integrations.rs`).
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use crate::integrations::{AlertClaim, IntegrationToken};

const INTEGRATION_COLUMNS: &str =
    "id, account_id, kind, name, severity_label, resolve_cases, created_us, revoked_us";

fn integration_from_row(r: &<Db as sqlx::Database>::Row) -> Result<IntegrationToken, StoreError> {
    Ok(IntegrationToken {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        severity_label: r.try_get("severity_label")?,
        resolve_cases: r.try_get("resolve_cases")?,
        created: from_micros(r.try_get("created_us")?),
        revoked: r.try_get::<Option<i64>, _>("revoked_us")?.map(from_micros),
    })
}

/// Records the case an alert group opened, in the case's transaction; refuses when the
/// group's case is not the one the caller saw (another replica opened one first).
async fn claim_alert_group(c: &mut Conn, account_id: &str, claim: &AlertClaim, display_id: i64, at_us: i64) -> Result<(), StoreError> {
    let r = sqlx::query(
        "INSERT INTO alert_cases (account_id, group_key, case_display_id, opened_us) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, group_key) DO UPDATE SET case_display_id = excluded.case_display_id, \
         opened_us = excluded.opened_us WHERE alert_cases.case_display_id = $5",
    )
    .bind(account_id)
    .bind(&claim.group_key)
    .bind(display_id)
    .bind(at_us)
    .bind(claim.replaces.unwrap_or(-1))
    .execute(&mut *c)
    .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::AlreadyExists);
    }
    Ok(())
}

impl Backend {
    pub async fn insert_integration(&self, t: IntegrationToken, token_hash: Vec<u8>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO integration_tokens (id, account_id, kind, name, token_hash, severity_label, \
                         resolve_cases, created_us, revoked_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
                    )
                    .bind(&t.id)
                    .bind(&t.account_id)
                    .bind(&t.kind)
                    .bind(&t.name)
                    .bind(&token_hash)
                    .bind(&t.severity_label)
                    .bind(t.resolve_cases)
                    .bind(to_micros(t.created))
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn integration_by_token(&self, token_hash: &[u8]) -> Result<Option<IntegrationToken>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integration_tokens WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(integration_from_row).transpose()
    }

    pub async fn integrations(&self, account_id: Option<&str>) -> Result<Vec<IntegrationToken>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integration_tokens WHERE ($1 IS NULL OR account_id = $1) \
             ORDER BY created_us, id"
        )))
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(integration_from_row).collect()
    }

    pub async fn revoke_integration(
        &self,
        id: String,
        account_id: Option<String>,
        at: jiff::Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = sqlx::query(
                        "UPDATE integration_tokens SET revoked_us = $1 WHERE id = $2 AND revoked_us IS NULL \
                         AND ($3 IS NULL OR account_id = $3)",
                    )
                    .bind(to_micros(at))
                    .bind(&id)
                    .bind(&account_id)
                    .execute(&mut *c)
                    .await?;
                    found(r)
                })
            })
            .await
    }

    pub async fn alert_case(&self, account_id: &str, group_key: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT case_display_id FROM alert_cases WHERE account_id = $1 AND group_key = $2")
            .bind(account_id)
            .bind(group_key)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(|r| Ok(r.try_get("case_display_id")?)).transpose()
    }
}
