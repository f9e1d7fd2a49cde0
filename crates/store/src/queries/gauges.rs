// The metrics page's reads (see `gauges.rs`).
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use crate::gauges::{PlanQueue, ServiceGauges, WriterStats};

impl Backend {
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }

    pub async fn service_gauges(&self, now: jiff::Timestamp) -> Result<ServiceGauges, StoreError> {
        // The open cases by the queue's index (is_open first), their plans by row.
        let rows = sqlx::query(
            "SELECT plan_id, COUNT(*) AS open_cases, MIN(created_us) AS oldest_us FROM cases \
             WHERE is_open = TRUE GROUP BY plan_id ORDER BY plan_id",
        )
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let mut queues = Vec::with_capacity(rows.len());
        for r in &rows {
            queues.push(PlanQueue {
                plan_id: r.try_get("plan_id")?,
                open: r.try_get("open_cases")?,
                oldest: r.try_get::<Option<i64>, _>("oldest_us")?.map(from_micros),
            });
        }
        let webhook_backlog: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE next_attempt_us IS NOT NULL")
                .fetch_one(&mut *self.reader().await?)
                .await?
                .try_get("n")?;
        // Both by the index on next_attempt_us: the sent notices are never read.
        let mail_backlog: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM notices WHERE next_attempt_us IS NOT NULL")
                .fetch_one(&mut *self.reader().await?)
                .await?
                .try_get("n")?;
        let mail_oldest_due = sqlx::query("SELECT MIN(created_us) AS oldest_us FROM notices WHERE next_attempt_us <= $1")
            .bind(to_micros(now))
            .fetch_one(&mut *self.reader().await?)
            .await?
            .try_get::<Option<i64>, _>("oldest_us")?
            .map(from_micros);
        Ok(ServiceGauges { queues, webhook_backlog, mail_backlog, mail_oldest_due })
    }
}
