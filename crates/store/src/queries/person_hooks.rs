// People's own webhooks (see `person_hooks.rs`).
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files. Each query is written once, in SQL both engines run.

use crate::person_hooks::NewDelivery;

impl Backend {
    pub async fn set_person_webhook(
        &self,
        email: String,
        hook: Option<Webhook>,
        at: jiff::Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    let at = to_micros(at);
                    let old: Vec<String> = sqlx::query(
                        "SELECT id FROM webhooks WHERE owner_email = $1 AND disabled_us IS NULL",
                    )
                    .bind(&email)
                    .fetch_all(&mut *c)
                    .await?
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<_, _>>()?;
                    for id in &old {
                        sqlx::query("UPDATE webhooks SET disabled_us = $1 WHERE id = $2")
                            .bind(at)
                            .bind(id)
                            .execute(&mut *c)
                            .await?;
                        sqlx::query(
                            "UPDATE webhook_deliveries SET next_attempt_us = NULL, failed_us = $1, \
                             last_error = 'webhook replaced' WHERE webhook_id = $2 AND next_attempt_us IS NOT NULL",
                        )
                        .bind(at)
                        .bind(id)
                        .execute(&mut *c)
                        .await?;
                    }
                    match &hook {
                        Some(w) => insert_webhook(c, w, Some(&email)).await,
                        None if old.is_empty() => Err(StoreError::NotFound),
                        None => Ok(()),
                    }
                })
            })
            .await
    }

    pub async fn person_webhook(&self, email: &str) -> Result<Option<(Webhook, DeliveryStats)>, StoreError> {
        Ok(self
            .webhooks_where("w.owner_email = $1 AND w.disabled_us IS NULL", Some(email))
            .await?
            .into_iter()
            .next())
    }

    pub async fn person_webhooks(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT owner_email, id FROM webhooks WHERE owner_email IS NOT NULL AND disabled_us IS NULL",
        )
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("owner_email")?, r.try_get("id")?))).collect()
    }

    pub async fn queue_deliveries(&self, deliveries: Vec<NewDelivery>, at: jiff::Timestamp) -> Result<(), StoreError> {
        if deliveries.is_empty() {
            return Ok(());
        }
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    for d in &deliveries {
                        sqlx::query(
                            "INSERT INTO webhook_deliveries (webhook_id, event_key, event_type, payload, created_us, \
                             attempts, next_attempt_us) VALUES ($1, $2, $3, $4, $5, 0, $5) \
                             ON CONFLICT (webhook_id, event_key) DO NOTHING",
                        )
                        .bind(&d.webhook_id)
                        .bind(&d.event_key)
                        .bind(&d.event_type)
                        .bind(&d.payload)
                        .bind(to_micros(at))
                        .execute(&mut *c)
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }
}
