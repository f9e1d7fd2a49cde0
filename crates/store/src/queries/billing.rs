// Billing: usage, payers and invoices.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use tierdesk_core::records::{Invoice, InvoiceLine};
use tierdesk_core::usage::MonthlyUsage;

fn decimal(r: &<Db as sqlx::Database>::Row, col: &str) -> Result<rust_decimal::Decimal, StoreError> {
    let s: String = r.try_get(col)?;
    s.parse().map_err(|_| StoreError::Corrupt(format!("bad amount '{s}' in {col}")))
}

fn usage_from_row(r: &<Db as sqlx::Database>::Row) -> Result<MonthlyUsage, StoreError> {
    Ok(MonthlyUsage {
        account_id: r.try_get("account_id")?,
        month: r.try_get("month")?,
        currency: r.try_get("currency")?,
        amount: decimal(r, "amount")?,
    })
}

impl Backend {
    pub async fn replace_usage(&self, totals: Vec<MonthlyUsage>, source: String, at: jiff::Timestamp, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    for u in &totals {
                        sqlx::query(
                            "INSERT INTO usage (account_id, month, currency, amount, source, imported_us) \
                             VALUES ($1, $2, $3, $4, $5, $6) \
                             ON CONFLICT (account_id, month, currency) DO UPDATE SET amount = excluded.amount, \
                             source = excluded.source, imported_us = excluded.imported_us",
                        )
                        .bind(&u.account_id)
                        .bind(&u.month)
                        .bind(&u.currency)
                        .bind(u.amount.to_string())
                        .bind(&source)
                        .bind(to_micros(at))
                        .execute(&mut *c)
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn usage_in(&self, month: &str) -> Result<Vec<MonthlyUsage>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, month, currency, amount FROM usage WHERE month = $1 ORDER BY account_id, currency",
        )
        .bind(month)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(usage_from_row).collect()
    }

    pub async fn usage_of(&self, account_id: &str) -> Result<Vec<MonthlyUsage>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, month, currency, amount FROM usage WHERE account_id = $1 ORDER BY month DESC, currency",
        )
        .bind(account_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(usage_from_row).collect()
    }

    pub async fn set_payer(&self, account_id: String, payer: Option<String>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    if let Some(p) = &payer {
                        let known = sqlx::query("SELECT id FROM accounts WHERE id = $1").bind(p).fetch_optional(&mut *c).await?;
                        if known.is_none() {
                            return Err(StoreError::NotFound);
                        }
                    }
                    let payer = payer.filter(|p| *p != account_id);
                    let r = sqlx::query("UPDATE accounts SET payer = $1 WHERE id = $2")
                        .bind(&payer)
                        .bind(&account_id)
                        .execute(&mut *c)
                        .await?;
                    found(r)
                })
            })
            .await
    }

    pub async fn payers(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, payer FROM accounts WHERE payer IS NOT NULL ORDER BY id")
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("payer")?))).collect()
    }

    pub async fn replace_invoices(
        &self,
        month: String,
        invoices: Vec<Invoice>,
        notices: Vec<(String, String, crate::NewNotice)>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        let audit_at = audit.at;
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM invoice_lines WHERE month = $1").bind(&month).execute(&mut *c).await?;
                    sqlx::query("DELETE FROM invoices WHERE month = $1").bind(&month).execute(&mut *c).await?;
                    for inv in &invoices {
                        sqlx::query(
                            "INSERT INTO invoices (account_id, month, currency, total, computed_us) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(&inv.account_id)
                        .bind(&month)
                        .bind(&inv.currency)
                        .bind(inv.total.to_string())
                        .bind(to_micros(inv.computed))
                        .execute(&mut *c)
                        .await?;
                        for (n, l) in inv.lines.iter().enumerate() {
                            sqlx::query(
                                "INSERT INTO invoice_lines (account_id, month, n, plan_id, description, amount, words) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            )
                            .bind(&inv.account_id)
                            .bind(&month)
                            .bind(n as i64)
                            .bind(&l.plan_id)
                            .bind(&l.description)
                            .bind(l.amount.to_string())
                            .bind(l.words.as_ref().map(crate::billing::words_json))
                            .execute(&mut *c)
                            .await?;
                        }
                    }
                    let at = to_micros(audit_at);
                    for (account, subject_ref, n) in &notices {
                        insert_account_notice(c, n, account, subject_ref, at).await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn invoices(&self, account_id: Option<&str>, month: Option<&str>) -> Result<Vec<Invoice>, StoreError> {
        let mut filter = String::from("TRUE");
        let mut args: Vec<Bind<'static>> = Vec::new();
        if let Some(a) = account_id {
            args.push(Bind::Owned(a.to_string()));
            filter += &format!(" AND i.account_id = ${}", args.len());
        }
        if let Some(m) = month {
            args.push(Bind::Owned(m.to_string()));
            filter += &format!(" AND i.month = ${}", args.len());
        }
        let sql = format!(
            "SELECT i.account_id, i.month, i.currency, i.total, i.computed_us, l.n, l.plan_id, l.description, l.amount, l.words \
             FROM invoices i LEFT JOIN invoice_lines l ON l.account_id = i.account_id AND l.month = i.month \
             WHERE {filter} ORDER BY i.month, i.account_id, l.n"
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        let mut out: Vec<Invoice> = Vec::new();
        for r in &rows {
            let account: String = r.try_get("account_id")?;
            let month: String = r.try_get("month")?;
            let same = out.last().is_some_and(|i| i.account_id == account && i.month == month);
            if !same {
                out.push(Invoice {
                    account_id: account,
                    month,
                    currency: r.try_get("currency")?,
                    total: decimal(r, "total")?,
                    lines: Vec::new(),
                    computed: from_micros(r.try_get("computed_us")?),
                });
            }
            if let (Some(inv), Some(description)) = (out.last_mut(), r.try_get::<Option<String>, _>("description")?) {
                let amount: Option<String> = r.try_get("amount")?;
                inv.lines.push(InvoiceLine {
                    plan_id: r.try_get("plan_id")?,
                    description,
                    amount: amount
                        .unwrap_or_default()
                        .parse()
                        .map_err(|_| StoreError::Corrupt("bad invoice line amount".into()))?,
                    words: r
                        .try_get::<Option<String>, _>("words")?
                        .map(|w| crate::billing::words_from_json(&w))
                        .transpose()?,
                });
            }
        }
        Ok(out)
    }
}
