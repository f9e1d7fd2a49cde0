// Included twice by lib.rs: once with `Db = sqlx::Sqlite`, once with `Db = sqlx::Postgres`.
// Write each query once, in SQL both engines run (`$N` placeholders, BIGINT instants,
// RETURNING, ON CONFLICT, row values, window functions). Dialect-only steps branch on
// `DIALECT` and stay in this file.

use futures_util::future::BoxFuture;
use sqlx::Row;
use tierdesk_core::records::{AccessKey, Attachment, AttachmentRef, Communication, PlanAssignment};
use tierdesk_core::time::{from_micros, to_micros};

use crate::writer::Writer;

#[derive(Clone)]
pub struct Backend {
    read: sqlx::Pool<Db>,
    writer: Writer<Db>,
}

/// An argument of a query assembled at run time.
enum Arg {
    I(i64),
    S(String),
}

fn bind_all(
    mut q: sqlx::query::Query<'_, Db, <Db as sqlx::Database>::Arguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'_, Db, <Db as sqlx::Database>::Arguments> {
    for a in args {
        q = match a {
            Arg::I(v) => q.bind(v),
            Arg::S(v) => q.bind(v),
        };
    }
    q
}

/// A row limit to write into SQL text. Limits are never bound as parameters: SQLite's
/// planner reads a bound LIMIT value and then re-prepares the statement at every execution
/// (16% of the CPU of a DescribeCases-by-id load). Only our own integers get here.
fn limit(n: i64) -> i64 {
    n.max(0)
}

/// A literal for LIKE: `%`, `_` and the escape character itself lose their meaning.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Placeholders `$first, $first+1, ...` for an IN list.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const CASE_COLUMNS: &str = "display_id, case_id, account_id, subject, status, service_code, \
     category_code, severity_code, issue_type, language, submitted_by, cc_emails, plan_id, created_us, \
     fr.clock AS sla_clock, fr.minutes AS sla_minutes, fr.due_us AS first_response_due_us, \
     fr.met_us AS first_responded_us, assignee, sla_due_us";

/// Joins a case's first-response target (a primary-key lookup per case) for CASE_COLUMNS.
const FR_JOIN: &str = "LEFT JOIN case_targets fr ON fr.case_display_id = cases.display_id \
     AND fr.target = 'first_response' AND fr.seq = 0";

fn case_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Case, StoreError> {
    let cc: String = r.try_get("cc_emails")?;
    Ok(Case {
        display_id: r.try_get("display_id")?,
        case_id: r.try_get("case_id")?,
        account_id: r.try_get("account_id")?,
        subject: r.try_get("subject")?,
        status: r.try_get("status")?,
        service_code: r.try_get("service_code")?,
        category_code: r.try_get("category_code")?,
        severity_code: r.try_get("severity_code")?,
        issue_type: r.try_get("issue_type")?,
        language: r.try_get("language")?,
        submitted_by: r.try_get("submitted_by")?,
        cc_emails: cc.split('\n').filter(|s| !s.is_empty()).map(String::from).collect(),
        plan_id: r.try_get("plan_id")?,
        created: from_micros(r.try_get("created_us")?),
        first_response: first_response_from_row(r)?,
        assignee: r.try_get("assignee")?,
        sla_due: Some(r.try_get::<i64, _>("sla_due_us")?)
            .filter(|d| *d != NO_DEADLINE)
            .map(from_micros),
    })
}

fn first_response_from_row(
    r: &<Db as sqlx::Database>::Row,
) -> Result<Option<tierdesk_core::records::FirstResponse>, StoreError> {
    let clock: Option<String> = r.try_get("sla_clock")?;
    let minutes: Option<i64> = r.try_get("sla_minutes")?;
    let due: Option<i64> = r.try_get("first_response_due_us")?;
    let responded: Option<i64> = r.try_get("first_responded_us")?;
    Ok(match (clock, minutes, due) {
        (Some(clock), Some(minutes), Some(due)) => Some(tierdesk_core::records::FirstResponse {
            clock,
            minutes: u32::try_from(minutes).map_err(|_| StoreError::Corrupt(format!("bad sla_minutes {minutes}")))?,
            due: from_micros(due),
            responded: responded.map(from_micros),
        }),
        _ => None,
    })
}

fn account_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Account, StoreError> {
    Ok(Account {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        timezone: r.try_get("timezone")?,
        country: r.try_get("country")?,
        language: r.try_get("language")?,
        created: from_micros(r.try_get("created_us")?),
    })
}

fn key_from_row(r: &<Db as sqlx::Database>::Row) -> Result<AccessKey, StoreError> {
    let revoked: Option<i64> = r.try_get("revoked_us")?;
    Ok(AccessKey {
        access_key_id: r.try_get("access_key_id")?,
        account_id: r.try_get("account_id")?,
        principal: r.try_get("principal")?,
        secret_ciphertext: r.try_get("secret_ciphertext")?,
        created: from_micros(r.try_get("created_us")?),
        revoked: revoked.map(from_micros),
    })
}

fn assignment_from_row(r: &<Db as sqlx::Database>::Row) -> Result<PlanAssignment, StoreError> {
    let from: String = r.try_get("effective_from")?;
    Ok(PlanAssignment {
        account_id: r.try_get("account_id")?,
        plan_id: r.try_get("plan_id")?,
        effective_from: from
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("bad effective_from '{from}'")))?,
        assigned_at: from_micros(r.try_get("assigned_us")?),
        forced: r.try_get("forced")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// An UPDATE of one record: `NotFound` when no row matched.
fn found(r: <Db as sqlx::Database>::QueryResult) -> Result<(), StoreError> {
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The result of an INSERT of a new record: a duplicate key is `AlreadyExists`.
fn inserted<T>(r: Result<T, sqlx::Error>) -> Result<(), StoreError> {
    match r {
        Err(e) if is_unique_violation(&e) => Err(StoreError::AlreadyExists),
        other => other.map(|_| ()).map_err(StoreError::from),
    }
}

/// An attachment set this account may still use: it exists, is the account's, is unused
/// and unexpired. Returns its expiry.
async fn open_set(c: &mut Conn, account_id: &str, set_id: &str, now_us: i64) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT expires_us, used_us FROM attachment_sets WHERE set_id = $1 AND account_id = $2",
    )
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

/// Consumes an attachment set for a new communication: checks it belongs to the account,
/// is unused and unexpired, then links its files to the communication.
async fn attach_set(
    c: &mut Conn,
    account_id: &str,
    set_id: &str,
    communication_id: i64,
    now_us: i64,
) -> Result<(), StoreError> {
    open_set(c, account_id, set_id, now_us).await?;
    sqlx::query("UPDATE attachment_sets SET used_us = $1 WHERE set_id = $2")
        .bind(now_us)
        .bind(set_id)
        .execute(&mut *c)
        .await?;
    sqlx::query("UPDATE attachments SET communication_id = $1 WHERE set_id = $2")
        .bind(communication_id)
        .bind(set_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

async fn insert_communication(
    c: &mut Conn,
    display_id: i64,
    body: &str,
    submitted_by: &str,
    (from_support, internal): (bool, bool),
    at_us: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(display_id)
    .bind(body)
    .bind(submitted_by)
    .bind(from_support)
    .bind(internal)
    .bind(at_us)
    .fetch_one(&mut *c)
    .await?;
    Ok(row.try_get("id")?)
}

impl Backend {
    pub async fn open(opts: &Options) -> Result<Self, StoreError> {
        let (read, write, writers) = connect(opts).await?;
        let backend = Self {
            writer: Writer::spawn(write.clone(), writers, begin_sql()),
            read,
        };
        backend.migrate(&write).await?;
        Ok(backend)
    }

    pub fn dialect(&self) -> Dialect {
        DIALECT
    }

    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::raw_sql("ANALYZE").execute(&self.read).await?;
        Ok(())
    }

    async fn migrate(&self, pool: &sqlx::Pool<Db>) -> Result<(), StoreError> {
        let mut conn = pool.acquire().await?;
        let c: &mut Conn = &mut conn;
        if DIALECT == Dialect::Postgres {
            // Replicas starting together: one migrates, the others wait.
            sqlx::raw_sql("SELECT pg_advisory_lock(7460281)").execute(&mut *c).await?;
        }
        let result = async {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            )
            .execute(&mut *c)
            .await?;
            for (version, sql) in MIGRATIONS {
                let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&mut *c)
                    .await?;
                if done.is_some() {
                    continue;
                }
                sqlx::raw_sql(begin_sql()).execute(&mut *c).await?;
                let applied = async {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&mut *c).await?;
                    sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                        .bind(*version)
                        .execute(&mut *c)
                        .await?;
                    Ok::<_, sqlx::Error>(())
                }
                .await;
                match applied {
                    Ok(()) => sqlx::raw_sql("COMMIT").execute(&mut *c).await?,
                    Err(e) => {
                        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *c).await;
                        return Err(e);
                    }
                };
            }
            Ok::<_, sqlx::Error>(())
        }
        .await;
        if DIALECT == Dialect::Postgres {
            sqlx::raw_sql("SELECT pg_advisory_unlock(7460281)").execute(&mut *c).await?;
        }
        Ok(result?)
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("value")?),
            None => None,
        })
    }

    pub async fn meta_init(&self, key: String, value: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                        .bind(&key)
                        .bind(value)
                        .execute(&mut *c)
                        .await?;
                    let r = sqlx::query("SELECT value FROM meta WHERE key = $1")
                        .bind(&key)
                        .fetch_one(&mut *c)
                        .await?;
                    Ok(r.try_get("value")?)
                })
            })
            .await
    }

    pub async fn create_account(&self, a: Account, first: PlanAssignment) -> Result<(), StoreError> {
        self.writer
            .write(move |c| -> BoxFuture<'_, Result<(), StoreError>> {
                Box::pin(async move {
                    let inserted = sqlx::query(
                        "INSERT INTO accounts (id, name, timezone, country, language, created_us) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&a.id)
                    .bind(&a.name)
                    .bind(&a.timezone)
                    .bind(&a.country)
                    .bind(&a.language)
                    .bind(to_micros(a.created))
                    .execute(&mut *c)
                    .await;
                    match inserted {
                        Err(e) if is_unique_violation(&e) => return Err(StoreError::AlreadyExists),
                        other => other?,
                    };
                    upsert_assignment(c, &first).await
                })
            })
            .await
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query("SELECT id, name, timezone, country, language, created_us FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let rows = sqlx::query("SELECT id, name, timezone, country, language, created_us FROM accounts ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(account_from_row).collect()
    }

    pub async fn find_accounts(
        &self,
        text: Option<&str>,
        tam: Option<&str>,
        after: Option<&str>,
        limit_to: i64,
    ) -> Result<Page<Account>, StoreError> {
        let mut sql = String::from("SELECT id, name, timezone, country, language, created_us FROM accounts WHERE TRUE");
        let mut args: Vec<Arg> = Vec::new();
        if let Some(t) = text {
            args.push(Arg::S(format!("{}%", like_escape(t))));
            args.push(Arg::S(format!("%{}%", like_escape(&t.to_lowercase()))));
            sql += &format!(
                " AND (id LIKE ${} ESCAPE '\\' OR LOWER(name) LIKE ${} ESCAPE '\\')",
                args.len() - 1,
                args.len()
            );
        }
        if let Some(agent) = tam {
            args.push(Arg::S(agent.to_string()));
            sql += &format!(" AND id IN (SELECT account_id FROM account_tams WHERE agent_id = ${})", args.len());
        }
        if let Some(a) = after {
            args.push(Arg::S(a.to_string()));
            sql += &format!(" AND id > ${}", args.len());
        }
        sql += &format!(" ORDER BY id LIMIT {}", limit(limit_to + 1));
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&self.read).await?;
        let mut items = rows.iter().map(account_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > limit_to;
        items.truncate(limit_to.max(0) as usize);
        Ok(Page { items, more })
    }

    pub async fn assign_plan(&self, a: PlanAssignment) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let exists = sqlx::query("SELECT id FROM accounts WHERE id = $1")
                        .bind(&a.account_id)
                        .fetch_optional(&mut *c)
                        .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound);
                    }
                    upsert_assignment(c, &a).await
                })
            })
            .await
    }

    pub async fn plan_history(&self, account_id: &str) -> Result<Vec<PlanAssignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT account_id, plan_id, effective_from, assigned_us, forced FROM plan_assignments \
             WHERE account_id = $1 ORDER BY effective_from",
        )
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(assignment_from_row).collect()
    }

    pub async fn insert_key(&self, k: AccessKey) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let r = sqlx::query(
                        "INSERT INTO access_keys (access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us) \
                         VALUES ($1, $2, $3, $4, $5, NULL)",
                    )
                    .bind(&k.access_key_id)
                    .bind(&k.account_id)
                    .bind(&k.principal)
                    .bind(&k.secret_ciphertext)
                    .bind(to_micros(k.created))
                    .execute(&mut *c)
                    .await;
                    match r {
                        Err(e) if is_unique_violation(&e) => Err(StoreError::AlreadyExists),
                        Err(e) if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) => {
                            Err(StoreError::NotFound)
                        }
                        other => other.map(|_| ()).map_err(StoreError::from),
                    }
                })
            })
            .await
    }

    pub async fn key(&self, id: &str) -> Result<Option<AccessKey>, StoreError> {
        let row = sqlx::query(
            "SELECT access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us \
             FROM access_keys WHERE access_key_id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    pub async fn keys(&self, account_id: &str) -> Result<Vec<AccessKey>, StoreError> {
        let rows = sqlx::query(
            "SELECT access_key_id, account_id, principal, secret_ciphertext, created_us, revoked_us \
             FROM access_keys WHERE account_id = $1 ORDER BY created_us, access_key_id",
        )
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(key_from_row).collect()
    }

    pub async fn revoke_key(&self, id: String, at: jiff::Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let r = sqlx::query(
                        "UPDATE access_keys SET revoked_us = $1 WHERE access_key_id = $2 AND revoked_us IS NULL",
                    )
                    .bind(to_micros(at))
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                    found(r)
                })
            })
            .await
    }

    pub async fn create_case(&self, new: NewCase) -> Result<Case, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let k = &new.case;
                    let at = to_micros(k.created);
                    if let Some(cap) = &new.monthly_cap {
                        sqlx::query(
                            "INSERT INTO monthly_quota (account_id, kind, month, used) VALUES ($1, 'cases', $2, 0) \
                             ON CONFLICT (account_id, kind, month) DO NOTHING",
                        )
                        .bind(&k.account_id)
                        .bind(&cap.month)
                        .execute(&mut *c)
                        .await?;
                        let r = sqlx::query(
                            "UPDATE monthly_quota SET used = used + 1 \
                             WHERE account_id = $1 AND kind = 'cases' AND month = $2 AND used < $3",
                        )
                        .bind(&k.account_id)
                        .bind(&cap.month)
                        .bind(cap.limit)
                        .execute(&mut *c)
                        .await?;
                        if r.rows_affected() == 0 {
                            return Err(StoreError::MonthlyCaseCapReached);
                        }
                    }
                    // The queue's key, from the targets the case opens with.
                    let running: Vec<Running> = new
                        .targets
                        .iter()
                        .filter(|t| t.stopped.is_none())
                        .map(|t| Running { kind: t.kind, due: t.due })
                        .collect();
                    let sla_due = targets::sla_due(&running);
                    let row = sqlx::query(
                        "INSERT INTO cases (case_id, account_id, subject, status, service_code, category_code, \
                         severity_code, issue_type, language, submitted_by, cc_emails, plan_id, created_us, updated_us, \
                         assignee, sla_due_us) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, NULL, $14) \
                         RETURNING display_id",
                    )
                    .bind(&k.case_id)
                    .bind(&k.account_id)
                    .bind(&k.subject)
                    .bind(&k.status)
                    .bind(&k.service_code)
                    .bind(&k.category_code)
                    .bind(&k.severity_code)
                    .bind(&k.issue_type)
                    .bind(&k.language)
                    .bind(&k.submitted_by)
                    .bind(k.cc_emails.join("\n"))
                    .bind(&k.plan_id)
                    .bind(at)
                    .bind(sla_due.map_or(NO_DEADLINE, to_micros))
                    .fetch_one(&mut *c)
                    .await?;
                    let display_id: i64 = row.try_get("display_id")?;
                    for t in &new.targets {
                        insert_target(c, display_id, t).await?;
                    }
                    let comm =
                        insert_communication(c, display_id, &new.body, &k.submitted_by, (false, false), at).await?;
                    if let Some(set) = &new.attachment_set {
                        attach_set(c, &k.account_id, set, comm, at).await?;
                    }
                    // What reading the case back would give.
                    let first_response = new
                        .targets
                        .iter()
                        .find(|t| t.kind == TargetKind::FirstResponse)
                        .map(|t| tierdesk_core::records::FirstResponse {
                            clock: t.clock.clone(),
                            minutes: t.minutes,
                            due: t.due,
                            responded: t.met,
                        });
                    Ok(Case {
                        display_id,
                        sla_due,
                        first_response,
                        ..new.case
                    })
                })
            })
            .await
    }

    pub async fn cases(&self, q: &CaseQuery) -> Result<Page<Case>, StoreError> {
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE account_id = $1");
        let mut args = vec![Arg::S(q.account_id.clone())];
        let next = |args: &mut Vec<Arg>, a: Arg| {
            args.push(a);
            args.len()
        };
        if !q.case_ids.is_empty() {
            let first = args.len() + 1;
            sql += &format!(" AND case_id IN ({})", placeholders(first, q.case_ids.len()));
            args.extend(q.case_ids.iter().cloned().map(Arg::S));
        }
        if let Some(d) = q.display_id {
            let n = next(&mut args, Arg::I(d));
            sql += &format!(" AND display_id = ${n}");
        }
        if !q.include_resolved {
            sql += " AND is_open = TRUE";
        }
        if let Some(t) = q.after {
            let n = next(&mut args, Arg::I(to_micros(t)));
            sql += &format!(" AND created_us >= ${n}");
        }
        if let Some(t) = q.before {
            let n = next(&mut args, Arg::I(to_micros(t)));
            sql += &format!(" AND created_us <= ${n}");
        }
        if let Some(l) = &q.language {
            let n = next(&mut args, Arg::S(l.clone()));
            sql += &format!(" AND language = ${n}");
        }
        if let Some(v) = &q.severity {
            let n = next(&mut args, Arg::S(v.clone()));
            sql += &format!(" AND severity_code = ${n}");
        }
        if let Some(v) = &q.status {
            let n = next(&mut args, Arg::S(v.clone()));
            sql += &format!(" AND status = ${n}");
        }
        if let Some(text) = &q.search {
            // Every word in the subject; a number may also be the display id.
            let mut any = Vec::new();
            if let Ok(d) = text.trim().parse::<i64>() {
                let n = next(&mut args, Arg::I(d));
                any.push(format!("display_id = ${n}"));
            }
            let words: Vec<String> = text
                .split_whitespace()
                .map(|w| {
                    let n = next(&mut args, Arg::S(format!("%{}%", like_escape(&w.to_lowercase()))));
                    format!("LOWER(subject) LIKE ${n} ESCAPE '\\'")
                })
                .collect();
            if !words.is_empty() {
                any.push(format!("({})", words.join(" AND ")));
            }
            if !any.is_empty() {
                sql += &format!(" AND ({})", any.join(" OR "));
            }
        }
        if let Some((created, display)) = q.cursor {
            let a = next(&mut args, Arg::I(created));
            let b = next(&mut args, Arg::I(display));
            sql += &format!(" AND (created_us, display_id) < (${a}, ${b})");
        }
        // LIMIT is written out, never bound: see `limit`.
        sql += &format!(" ORDER BY created_us DESC, display_id DESC LIMIT {}", limit(q.limit + 1));
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&self.read).await?;
        let mut items = rows.iter().map(case_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Page { items, more })
    }

    pub async fn case(&self, account_id: &str, case_id: &str) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE case_id = $1 AND account_id = $2"
        )))
        .bind(case_id)
        .bind(account_id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    /// Communications (newest first within each case) from rows of communications
    /// left-joined with their attachments: one row per attachment, or one without.
    fn communications_from_rows(
        rows: &[<Db as sqlx::Database>::Row],
        case_id_of: impl Fn(i64) -> String,
    ) -> Result<Vec<(i64, Communication)>, StoreError> {
        use std::collections::hash_map::{Entry, HashMap};
        let mut comms: HashMap<i64, (i64, Communication)> = HashMap::new();
        // (communication id, created, attachment)
        let mut attachments: Vec<(i64, i64, AttachmentRef)> = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("id")?;
            if let Entry::Vacant(slot) = comms.entry(id) {
                let owner: i64 = r.try_get("case_display_id")?;
                slot.insert((
                    owner,
                    Communication {
                        id,
                        case_id: case_id_of(owner),
                        body: r.try_get("body")?,
                        submitted_by: r.try_get("submitted_by")?,
                        from_support: r.try_get("from_support")?,
                        internal: r.try_get("internal")?,
                        created: from_micros(r.try_get("created_us")?),
                        attachments: Vec::new(),
                    },
                ));
            }
            if let Some(attachment_id) = r.try_get::<Option<String>, _>("attachment_id")? {
                let created: Option<i64> = r.try_get("attachment_created_us")?;
                let file_name: Option<String> = r.try_get("file_name")?;
                let file_name = file_name.unwrap_or_default();
                attachments.push((id, created.unwrap_or_default(), AttachmentRef { attachment_id, file_name }));
            }
        }
        attachments.sort_by(|a, b| (a.1, &a.2.attachment_id).cmp(&(b.1, &b.2.attachment_id)));
        for (comm, _, a) in attachments {
            if let Some((_, c)) = comms.get_mut(&comm) {
                c.attachments.push(a);
            }
        }
        let mut out: Vec<(i64, Communication)> = comms.into_values().collect();
        out.sort_by_key(|(owner, m)| (*owner, std::cmp::Reverse((to_micros(m.created), m.id))));
        Ok(out)
    }

    pub async fn recent_communications(
        &self,
        cases: &[(i64, String)],
        n: i64,
    ) -> Result<Vec<(i64, Page<Communication>)>, StoreError> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let k = cases.len();
        let newest = match DIALECT {
            // A LATERAL join: one index range scan per case, whatever the planner's
            // statistics say (a window over an IN list let PostgreSQL pick a sequential scan
            // of all communications on the stale statistics that follow a bulk load).
            Dialect::Postgres => format!(
                "SELECT c.id, c.case_display_id, c.body, c.submitted_by, c.from_support, c.internal, c.created_us \
                 FROM (VALUES {}) AS k(d) CROSS JOIN LATERAL \
                 (SELECT id, case_display_id, body, submitted_by, from_support, internal, created_us \
                  FROM communications WHERE case_display_id = k.d AND internal = FALSE \
                  ORDER BY created_us DESC, id DESC LIMIT {}) AS c",
                (1..=k).map(|i| format!("(${i}::BIGINT)")).collect::<Vec<_>>().join(", "),
                limit(n + 1)
            ),
            // SQLite has no LATERAL; per-case subqueries joined by UNION ALL were
            // re-prepared on every call, so one window function over an IN list it is.
            Dialect::Sqlite => format!(
                "SELECT id, case_display_id, body, submitted_by, from_support, internal, created_us FROM \
                 (SELECT id, case_display_id, body, submitted_by, from_support, internal, created_us, \
                  ROW_NUMBER() OVER (PARTITION BY case_display_id ORDER BY created_us DESC, id DESC) AS rn \
                  FROM communications WHERE case_display_id IN ({}) AND internal = FALSE) AS w \
                 WHERE rn <= {}",
                placeholders(1, k),
                limit(n + 1)
            ),
        };
        let sql = format!(
            "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us, \
             a.attachment_id, a.file_name, a.created_us AS attachment_created_us \
             FROM ({newest}) AS m LEFT JOIN attachments a ON a.communication_id = m.id"
        );
        let args: Vec<Arg> = cases.iter().map(|(d, _)| Arg::I(*d)).collect();
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&self.read).await?;
        let all = Self::communications_from_rows(&rows, |owner| {
            cases
                .iter()
                .find(|(d, _)| *d == owner)
                .map(|(_, c)| c.clone())
                .unwrap_or_default()
        })?;
        let mut out: Vec<(i64, Page<Communication>)> = cases
            .iter()
            .map(|(d, _)| (*d, Page { items: Vec::new(), more: false }))
            .collect();
        for (owner, comm) in all {
            if let Some((_, page)) = out.iter_mut().find(|(d, _)| *d == owner) {
                if page.items.len() as i64 >= n {
                    page.more = true;
                } else {
                    page.items.push(comm);
                }
            }
        }
        Ok(out)
    }

    pub async fn communications(&self, q: &CommunicationQuery) -> Result<Option<Page<Communication>>, StoreError> {
        let Some(case) = self.case(&q.account_id, &q.case_id).await? else {
            return Ok(None);
        };
        let mut newest = "SELECT id, case_display_id, body, submitted_by, from_support, internal, created_us \
                          FROM communications WHERE case_display_id = $1"
            .to_string();
        let mut args = vec![Arg::I(case.display_id)];
        if !q.include_internal {
            newest += " AND internal = FALSE";
        }
        if let Some(t) = q.after {
            args.push(Arg::I(to_micros(t)));
            newest += &format!(" AND created_us >= ${}", args.len());
        }
        if let Some(t) = q.before {
            args.push(Arg::I(to_micros(t)));
            newest += &format!(" AND created_us <= ${}", args.len());
        }
        if let Some((created, id)) = q.cursor {
            args.push(Arg::I(created));
            args.push(Arg::I(id));
            newest += &format!(" AND (created_us, id) < (${}, ${})", args.len() - 1, args.len());
        }
        newest += &format!(" ORDER BY created_us DESC, id DESC LIMIT {}", limit(q.limit + 1));
        let sql = format!(
            "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us, \
             a.attachment_id, a.file_name, a.created_us AS attachment_created_us \
             FROM ({newest}) AS m LEFT JOIN attachments a ON a.communication_id = m.id"
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&self.read).await?;
        let mut items: Vec<Communication> = Self::communications_from_rows(&rows, |_| case.case_id.clone())?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Some(Page { items, more }))
    }

    pub async fn add_communication(&self, new: NewCommunication) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let Some(turn) = case_turn(c, CaseKey::InAccount(&new.account_id, &new.case_id)).await? else {
                        return Err(StoreError::NotFound);
                    };
                    let at = to_micros(new.at);
                    let comm = insert_communication(
                        c,
                        turn.display_id,
                        &new.body,
                        &new.submitted_by,
                        (new.from_support, new.internal),
                        at,
                    )
                    .await?;
                    // Files posted with the message are stored with it, in this transaction.
                    let set = match &new.files {
                        Some(files) => Some(store_files(c, files).await?.0),
                        None => new.attachment_set.clone(),
                    };
                    if let Some(set) = &set {
                        attach_set(c, &new.account_id, set, comm, at).await?;
                    }
                    let author = if new.from_support { Author::Support } else { Author::Customer };
                    let changes = targets::on_message(&turn.status, &turn.running, author, new.internal, new.follow_up);
                    apply_changes(c, &turn, &changes, at).await
                })
            })
            .await
    }

    pub async fn resolve_case(&self, account_id: String, case_id: String, at: jiff::Timestamp) -> Result<(String, String), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let Some(turn) = case_turn(c, CaseKey::InAccount(&account_id, &case_id)).await? else {
                        return Err(StoreError::NotFound);
                    };
                    let changes = targets::on_resolve();
                    apply_changes(c, &turn, &changes, to_micros(at)).await?;
                    Ok((turn.status, tierdesk_core::records::status::RESOLVED.to_string()))
                })
            })
            .await
    }

    pub async fn add_attachments(&self, new: NewAttachments) -> Result<(String, jiff::Timestamp), StoreError> {
        self.writer
            .write(move |c| Box::pin(async move { store_files(c, &new).await }))
            .await
    }

    pub async fn attachment(&self, account_id: &str, attachment_id: &str) -> Result<Option<Attachment>, StoreError> {
        let row = sqlx::query("SELECT file_name, data FROM attachments WHERE attachment_id = $1 AND account_id = $2")
            .bind(attachment_id)
            .bind(account_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            Some(r) => Some(Attachment {
                file_name: r.try_get("file_name")?,
                data: r.try_get("data")?,
            }),
            None => None,
        })
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
                    // Old windows are of no further use.
                    sqlx::query("DELETE FROM rate_windows WHERE account_id = $1 AND kind = $2 AND window_start < $3")
                        .bind(&account_id)
                        .bind(&kind)
                        .bind(window_start)
                        .execute(&mut *c)
                        .await?;
                    Ok(r.rows_affected() == 1)
                })
            })
            .await
    }

    pub async fn replace_holidays(
        &self,
        country: String,
        source: String,
        holidays: Vec<tierdesk_core::holidays::Holiday>,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
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
        .fetch_all(&self.read)
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

async fn upsert_assignment(c: &mut Conn, a: &PlanAssignment) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_assignments (account_id, effective_from, plan_id, assigned_us, forced) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, effective_from) DO UPDATE SET plan_id = excluded.plan_id, \
         assigned_us = excluded.assigned_us, forced = excluded.forced",
    )
    .bind(&a.account_id)
    .bind(a.effective_from.to_string())
    .bind(&a.plan_id)
    .bind(to_micros(a.assigned_at))
    .bind(a.forced)
    .execute(&mut *c)
    .await?;
    Ok(())
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
