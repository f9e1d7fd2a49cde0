// Public holidays, shipped and imported, per country.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

impl Backend {
    pub async fn replace_holidays(
        &self,
        country: String,
        source: String,
        holidays: Vec<tierdesk_core::holidays::Holiday>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    // Business time counted before this import is counted again.
                    restale_all(c).await?;
                    sqlx::query("DELETE FROM holidays WHERE country = $1 AND source = $2")
                        .bind(&country)
                        .bind(&source)
                        .execute(&mut *c)
                        .await?;
                    for h in &holidays {
                        sqlx::query(
                            "INSERT INTO holidays (country, source, day, from_minute, to_minute, name) \
                             VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (country, source, day, from_minute) DO UPDATE \
                             SET to_minute = excluded.to_minute, name = excluded.name",
                        )
                        .bind(&country)
                        .bind(&source)
                        .bind(h.date.to_string())
                        .bind(i64::from(h.from))
                        .bind(i64::from(h.to))
                        .bind(&h.name)
                        .execute(&mut *c)
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn holidays(&self, country: &str) -> Result<Vec<(String, tierdesk_core::holidays::Holiday)>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, day, from_minute, to_minute, name FROM holidays WHERE country = $1 \
             ORDER BY day, from_minute, source",
        )
        .bind(country)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                let from: i64 = r.try_get("from_minute")?;
                let to: i64 = r.try_get("to_minute")?;
                Ok((
                    r.try_get("source")?,
                    tierdesk_core::holidays::Holiday {
                        date: day.parse().map_err(|_| StoreError::Corrupt(format!("bad holiday date '{day}'")))?,
                        from: u16::try_from(from).map_err(|_| StoreError::Corrupt("bad holiday minute".into()))?,
                        to: u16::try_from(to).map_err(|_| StoreError::Corrupt("bad holiday minute".into()))?,
                        name: r.try_get("name")?,
                    },
                ))
            })
            .collect()
    }
}
