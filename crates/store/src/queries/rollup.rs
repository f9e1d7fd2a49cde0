// The SLA rollup (see `rollup.rs`): reading served days, covering days, folding.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use crate::rollup::{Rollup, RollupRow, StaleDay, runs_of};
use tierdesk_core::time::DAY_US;
use tierdesk_core::sla::tally::{Histogram, Tally};

/// PostgreSQL's current snapshot bounds as plain integers (transaction ids).
const PG_XMAX: &str = "pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
const PG_XMIN: &str = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

fn histogram(r: &<Db as sqlx::Database>::Row, col: &str) -> Result<Histogram, StoreError> {
    let text: String = r.try_get(col)?;
    Histogram::decode(&text).map_err(|e| StoreError::Corrupt(format!("sla_rollup.{col}: {e}")))
}

fn count(r: &<Db as sqlx::Database>::Row, col: &str) -> Result<u64, StoreError> {
    let n: i64 = r.try_get(col)?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("sla_rollup.{col} is {n}")))
}

/// Marks every day the rollup holds rows for stale (in the caller's transaction).
async fn restale_all(c: &mut Conn) -> Result<(), sqlx::Error> {
    // `WHERE true`: SQLite reads ON CONFLICT after INSERT ... SELECT only behind a WHERE.
    sqlx::query(
        "INSERT INTO sla_rollup_stale (day, version, from_us) SELECT DISTINCT day, 1, 0 FROM sla_rollup WHERE true \
         ON CONFLICT (day) DO UPDATE SET version = sla_rollup_stale.version + 1, from_us = 0",
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

impl Backend {
    pub async fn restale_rollup(&self) -> Result<(), StoreError> {
        self.writer
            .write(move |c| Box::pin(async move { Ok(restale_all(c).await?) }))
            .await
    }

    pub async fn rollup(&self, from: i64, to: i64, cases: &CaseSlice, now: jiff::Timestamp) -> Result<Rollup, StoreError> {
        let covered: i64 = sqlx::query("SELECT covered_before FROM sla_rollup_state WHERE id = 1")
            .fetch_one(&mut *self.reader().await?)
            .await?
            .try_get("covered_before")?;
        let served_to = to.min(covered);
        let mut stale: Vec<i64> = Vec::new();
        if from < served_to {
            let rows = sqlx::query("SELECT day FROM sla_rollup_stale WHERE day >= $1 AND day < $2 AND from_us <= $3")
                .bind(from)
                .bind(served_to)
                .bind(to_micros(now))
                .fetch_all(&mut *self.reader().await?)
                .await?;
            for r in &rows {
                stale.push(r.try_get("day")?);
            }
        }
        stale.sort_unstable();
        // The stale days, then the days not covered yet (all after them).
        let mut live = runs_of(stale.iter().copied());
        let uncovered = from.max(covered)..to;
        if !uncovered.is_empty() {
            match live.last_mut() {
                Some(run) if run.end == uncovered.start => run.end = uncovered.end,
                _ => live.push(uncovered),
            }
        }
        let mut rows = Vec::new();
        if from < served_to {
            let mut args = vec![Bind::I(from), Bind::I(served_to)];
            let filter = slice_filter(cases, &mut args, "r", "= ''");
            let sql = format!(
                "SELECT day, plan_id, severity_code, account_id, assignee, opened, cases, kept, missed, open, answered, business, \
                 resolved, resolved_on \
                 FROM sla_rollup r WHERE day >= $1 AND day < $2{filter}"
            );
            for r in bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await? {
                let day: i64 = r.try_get("day")?;
                if stale.binary_search(&day).is_ok() {
                    continue;
                }
                let assignee: String = r.try_get("assignee")?;
                rows.push(RollupRow {
                    day,
                    plan_id: r.try_get("plan_id")?,
                    severity: r.try_get("severity_code")?,
                    account_id: r.try_get("account_id")?,
                    assignee: (!assignee.is_empty()).then_some(assignee),
                    tally: Tally {
                        opened: count(&r, "opened")?,
                        cases: count(&r, "cases")?,
                        kept: count(&r, "kept")?,
                        missed: count(&r, "missed")?,
                        open: count(&r, "open")?,
                        answered: histogram(&r, "answered")?,
                        business: histogram(&r, "business")?,
                        resolved: histogram(&r, "resolved")?,
                        resolved_on: histogram(&r, "resolved_on")?,
                    },
                });
            }
        }
        Ok(Rollup { rows, live })
    }

    pub async fn cover_rollup_days(&self, before: i64) -> Result<(), StoreError> {
        let now_covered: i64 = sqlx::query("SELECT covered_before FROM sla_rollup_state WHERE id = 1")
            .fetch_one(&mut *self.reader().await?)
            .await?
            .try_get("covered_before")?;
        if before <= now_covered {
            return Ok(());
        }
        let covered = self
            .writer
            .write(move |c| {
                Box::pin(async move {
                    let old: i64 = sqlx::query("SELECT covered_before FROM sla_rollup_state WHERE id = 1")
                        .fetch_one(&mut *c)
                        .await?
                        .try_get("covered_before")?;
                    if before <= old {
                        return Ok(false);
                    }
                    // The first cover reads the oldest case's day from the index rather than
                    // walking days from 1970.
                    let first: Option<i64> = sqlx::query("SELECT MIN(created_us) AS t FROM cases WHERE created_us >= $1")
                        .bind(old.saturating_mul(DAY_US))
                        .fetch_one(&mut *c)
                        .await?
                        .try_get("t")?;
                    let start = first.map_or(before, |t| t.div_euclid(DAY_US)).max(old);
                    // On PostgreSQL, a change that read the old covered_before marked nothing
                    // and may still commit: the day waits for it (gate, set once this commits).
                    let gate = if DIALECT == Dialect::Postgres { Some(-1i64) } else { None };
                    for day in start..before {
                        let has_cases = sqlx::query("SELECT 1 AS x FROM cases WHERE created_us >= $1 AND created_us < $2 LIMIT 1")
                            .bind(day * DAY_US)
                            .bind((day + 1) * DAY_US)
                            .fetch_optional(&mut *c)
                            .await?
                            .is_some();
                        if has_cases {
                            sqlx::query(
                                "INSERT INTO sla_rollup_stale (day, version, from_us, gate) VALUES ($1, 1, 0, $2) \
                                 ON CONFLICT (day) DO UPDATE SET version = sla_rollup_stale.version + 1, from_us = 0, gate = $2",
                            )
                            .bind(day)
                            .bind(gate)
                            .execute(&mut *c)
                            .await?;
                        }
                    }
                    let moved = sqlx::query("UPDATE sla_rollup_state SET covered_before = $1 WHERE id = 1 AND covered_before = $2")
                        .bind(before)
                        .bind(old)
                        .execute(&mut *c)
                        .await?;
                    Ok(moved.rows_affected() == 1)
                })
            })
            .await?;
        if covered && DIALECT == Dialect::Postgres {
            self.set_gates().await?;
        }
        Ok(())
    }

    /// PostgreSQL: gives days covered by a committed cover their gate, the first
    /// transaction id not yet started: every transaction below it that could have read the
    /// old cover must end before the day is folded.
    async fn set_gates(&self) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE sla_rollup_stale SET gate = {PG_XMAX} WHERE gate = -1")))
                        .execute(&mut *c)
                        .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn stale_rollup_days(&self, now: jiff::Timestamp, limit_rows: i64) -> Result<Vec<StaleDay>, StoreError> {
        let gate = match DIALECT {
            // A cover interrupted before its gates were set: set them now.
            Dialect::Postgres => {
                let ungated = sqlx::query("SELECT 1 AS x FROM sla_rollup_stale WHERE gate = -1 LIMIT 1")
                    .fetch_optional(&mut *self.reader().await?)
                    .await?;
                if ungated.is_some() {
                    self.set_gates().await?;
                }
                format!(" AND (gate IS NULL OR (gate >= 0 AND gate <= {PG_XMIN}))")
            }
            Dialect::Sqlite => String::new(),
        };
        let sql = format!(
            "SELECT day, version FROM sla_rollup_stale WHERE from_us <= $1{gate} ORDER BY day DESC LIMIT {}",
            limit(limit_rows)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_micros(now)).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| Ok(StaleDay { day: r.try_get("day")?, version: r.try_get("version")? }))
            .collect()
    }

    pub async fn write_rollup_day(
        &self,
        stale: StaleDay,
        mut rows: Vec<RollupRow>,
        holds_until: Option<jiff::Timestamp>,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    if DIALECT == Dialect::Postgres {
                        // Replicas fold one day at a time, so two folds never mix their rows.
                        sqlx::query("SELECT pg_advisory_xact_lock(7460282, 0)").execute(&mut *c).await?;
                    }
                    sqlx::query("DELETE FROM sla_rollup WHERE day = $1").bind(stale.day).execute(&mut *c).await?;
                    for r in &mut rows {
                        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                        sqlx::query(
                            "INSERT INTO sla_rollup (day, plan_id, severity_code, account_id, assignee, opened, cases, kept, missed, open, \
                             answered, business, resolved, resolved_on) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                        )
                        .bind(stale.day)
                        .bind(&r.plan_id)
                        .bind(&r.severity)
                        .bind(&r.account_id)
                        .bind(r.assignee.as_deref().unwrap_or(""))
                        .bind(n(r.tally.opened))
                        .bind(n(r.tally.cases))
                        .bind(n(r.tally.kept))
                        .bind(n(r.tally.missed))
                        .bind(n(r.tally.open))
                        .bind(r.tally.answered.encode())
                        .bind(r.tally.business.encode())
                        .bind(r.tally.resolved.encode())
                        .bind(r.tally.resolved_on.encode())
                        .execute(&mut *c)
                        .await?;
                    }
                    let cleared = match holds_until {
                        Some(t) => sqlx::query("UPDATE sla_rollup_stale SET from_us = $1 WHERE day = $2 AND version = $3")
                            .bind(to_micros(t))
                            .bind(stale.day)
                            .bind(stale.version)
                            .execute(&mut *c)
                            .await?,
                        None => sqlx::query("DELETE FROM sla_rollup_stale WHERE day = $1 AND version = $2")
                            .bind(stale.day)
                            .bind(stale.version)
                            .execute(&mut *c)
                            .await?,
                    };
                    Ok(cleared.rows_affected() == 1)
                })
            })
            .await
    }
}
