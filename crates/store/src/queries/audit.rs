// The audit log: an audited write hands its entry to the group-commit writer, which keeps
// it only if the write succeeded and inserts a batch's entries together just before
// COMMIT (`audit_statements`), so an entry commits exactly when its change does.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use tierdesk_core::audit::{Action, ActorKind, AuditEntry, Who};

use crate::audit::AuditQuery;

/// Rows per INSERT: eight parameters each stays far below either engine's limit.
const AUDIT_ROWS_PER_INSERT: usize = 128;

/// The statements inserting `entries`, in order, as few as the parameter limits allow.
fn audit_statements<'a>(entries: &'a [AuditEntry], out: &mut Statements<'a>) {
    for chunk in entries.chunks(AUDIT_ROWS_PER_INSERT) {
        let first = out.first();
        let rows = (0..chunk.len())
            .map(|i| format!("({})", placeholders(first + i * 8, 8)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO audit_log (at_us, actor_kind, actor_id, address, account_id, action, target, detail) \
             VALUES {rows}"
        );
        let mut args = Vec::with_capacity(chunk.len() * 8);
        for e in chunk {
            args.extend([
                Bind::I(to_micros(e.at)),
                Bind::S(e.who.kind.as_str()),
                Bind::S(&e.who.id),
                Bind::OptS(e.who.address.as_deref()),
                Bind::OptS(e.account_id.as_deref()),
                Bind::S(e.action.as_str()),
                Bind::S(&e.target),
                Bind::S(&e.detail),
            ]);
        }
        out.push(sql, args);
    }
}

/// The columns `audit_from_row` reads.
const AUDIT_COLUMNS: &str = "id, at_us, actor_kind, actor_id, address, account_id, action, target, detail";

fn audit_from_row(r: &<Db as sqlx::Database>::Row) -> Result<AuditEntry, StoreError> {
    let kind: String = r.try_get("actor_kind")?;
    let action: String = r.try_get("action")?;
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: from_micros(r.try_get("at_us")?),
        who: Who {
            kind: ActorKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown actor kind '{kind}'")))?,
            id: r.try_get("actor_id")?,
            address: r.try_get("address")?,
        },
        account_id: r.try_get("account_id")?,
        action: Action::parse(&action)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action '{action}'")))?,
        target: r.try_get("target")?,
        detail: r.try_get("detail")?,
    })
}

impl Backend {
    /// An action that changes nothing else (a staff member reading internal notes).
    pub async fn record_audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(entry, |_| Box::pin(async { Ok(()) })).await
    }

    /// Newest first, `q.limit` at most, before `q.before_id` when paging.
    pub async fn audit(&self, q: &AuditQuery) -> Result<Page<AuditEntry>, StoreError> {
        let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1");
        let mut args = Vec::new();
        let mut arg = |sql: &mut String, clause: &str, a: Bind<'static>| {
            args.push(a);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(a) = &q.account_id {
            arg(&mut sql, " AND account_id = ?", Bind::Owned(a.clone()));
        }
        if let Some(a) = &q.actor_id {
            arg(&mut sql, " AND actor_id = ?", Bind::Owned(a.clone()));
        }
        if let Some(t) = q.since {
            arg(&mut sql, " AND at_us >= ?", Bind::I(to_micros(t)));
        }
        if let Some(t) = &q.target {
            arg(&mut sql, " AND target = ?", Bind::Owned(t.clone()));
        }
        if let Some(id) = q.before_id {
            arg(&mut sql, " AND id < ?", Bind::I(id));
        }
        if q.hide_staff_only {
            let hidden = Action::ALL
                .iter()
                .filter(|a| a.staff_only())
                .map(|a| format!("'{}'", a.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            sql.push_str(&format!(" AND action NOT IN ({hidden})"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit(q.limit + 1)));
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        let mut items = rows.iter().map(audit_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > q.limit;
        items.truncate(usize::try_from(q.limit.max(0)).unwrap_or(0));
        Ok(Page { items, more })
    }

    /// Deletes up to `n` entries older than `before` (the retention period), oldest
    /// first; returns how many.
    pub async fn sweep_audit(&self, before: Timestamp, n: i64) -> Result<u64, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    // Ids grow with time: the oldest entries are the lowest ids, and a pass
                    // reads at most `n` of them (no index on the time is needed).
                    let sql = format!(
                        "DELETE FROM audit_log WHERE at_us < $1 AND id IN \
                         (SELECT id FROM audit_log ORDER BY id LIMIT {})",
                        limit(n)
                    );
                    let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(to_micros(before))
                        .execute(&mut *c)
                        .await?;
                    Ok(r.rows_affected())
                })
            })
            .await
    }
}
