// Shared helpers: row mappers, bindings, limits; opening and migrating.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use futures_util::future::BoxFuture;
use sqlx::Row;
use tierdesk_core::records::{AccessKey, Attachment, AttachmentRef, CaseStatus, Communication, PlanAssignment};
use tierdesk_core::time::{from_micros, to_micros};

use crate::bind::Bind;
use crate::writer::Writer;

#[derive(Clone)]
pub struct Backend {
    read: std::sync::Arc<ReadPool>,
    pub(crate) writer: Writer<Db>,
}

/// `q` with `args` bound in order (owned strings move in: a read's values are bound once).
fn bound<'q>(
    mut q: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
    args: impl IntoIterator<Item = Bind<'q>>,
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
    for a in args {
        q = match a {
            Bind::I(v) => q.bind(v),
            Bind::OptI(v) => q.bind(v),
            Bind::S(v) => q.bind(v),
            Bind::OptS(v) => q.bind(v),
            Bind::B(v) => q.bind(v),
            Bind::Owned(v) => q.bind(v),
            Bind::OptOwned(v) => q.bind(v),
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
     assignee, sla_due_us, sla_target, responded_us, awaiting_since_us";

/// Joins a case's first-response target (a primary-key lookup per case) for CASE_COLUMNS.
const FR_JOIN: &str = "LEFT JOIN case_targets fr ON fr.case_display_id = cases.display_id \
     AND fr.target = 'first_response' AND fr.seq = 0";

/// A case's status column; text no status names (only a hand-edited row holds it) is a
/// corrupt row, not a guess.
fn status_from_row(r: &<Db as sqlx::Database>::Row) -> Result<CaseStatus, StoreError> {
    let name: String = r.try_get("status")?;
    CaseStatus::parse(&name).ok_or_else(|| StoreError::Corrupt(format!("unknown case status '{name}'")))
}

/// A target kind column; text no kind names is a corrupt row.
fn target_kind(name: &str) -> Result<TargetKind, StoreError> {
    TargetKind::parse(name).ok_or_else(|| StoreError::Corrupt(format!("bad target kind '{name}'")))
}

fn case_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Case, StoreError> {
    let cc: String = r.try_get("cc_emails")?;
    Ok(Case {
        display_id: r.try_get("display_id")?,
        case_id: r.try_get("case_id")?,
        account_id: r.try_get("account_id")?,
        subject: r.try_get("subject")?,
        status: status_from_row(r)?,
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
        sla_target: r
            .try_get::<Option<String>, _>("sla_target")?
            .map(|k| target_kind(&k))
            .transpose()?,
        responded: r.try_get::<Option<i64>, _>("responded_us")?.map(from_micros),
        awaiting_since: r.try_get::<Option<i64>, _>("awaiting_since_us")?.map(from_micros),
    })
}

fn first_response_from_row(
    r: &<Db as sqlx::Database>::Row,
) -> Result<Option<tierdesk_core::records::FirstResponse>, StoreError> {
    let clock: Option<String> = r.try_get("sla_clock")?;
    let minutes: Option<i64> = r.try_get("sla_minutes")?;
    let due: Option<i64> = r.try_get("first_response_due_us")?;
    Ok(match (clock, minutes, due) {
        (Some(clock), Some(minutes), Some(due)) => Some(tierdesk_core::records::FirstResponse {
            clock,
            minutes: u32::try_from(minutes).map_err(|_| StoreError::Corrupt(format!("bad sla_minutes {minutes}")))?,
            due: from_micros(due),
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


impl Backend {
    pub async fn open(opts: &Options) -> Result<Self, StoreError> {
        let (read, write, writers, durability) = connect(opts).await?;
        let backend = Self {
            writer: Writer::spawn(
                write.clone(),
                writers,
                durability,
                crate::writer::Engine {
                    begin: begin_sql(),
                    end: std::sync::Arc::new(|c: &mut Conn, settle: crate::writer::Lead, tail: crate::writer::Tail| {
                        Box::pin(async move {
                            let mut out = Statements::default();
                            audit_statements(&tail.entries, &mut out);
                            text_statements(&tail.docs, &mut out);
                            out.run(c, &settle.sql(), BATCH_END).await?;
                            Ok(())
                        })
                    }),
                    scripts: std::sync::Arc::new(
                        |c: &mut Conn, lead: crate::writer::Lead, form: crate::writer::Script, writes: Vec<Vec<Bind<'static>>>, commit| {
                            Box::pin(run_scripts(c, lead, form, writes, commit))
                        },
                    ),
                    statements: std::sync::Arc::new(|c: &mut Conn, writes: Vec<Vec<crate::writer::Statement>>| {
                        Box::pin(run_statements(c, writes))
                    }),
                },
            ),
            read: std::sync::Arc::new(read),
        };
        backend.migrate(&write).await?;
        Ok(backend)
    }

    /// A connection for one read (`readers.rs`).
    pub(crate) async fn reader(&self) -> Result<<ReadPool as crate::readers::Reads<Conn>>::Guard<'_>, StoreError> {
        Ok(self.read.reader().await?)
    }

    pub fn dialect(&self) -> Dialect {
        DIALECT
    }

    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::raw_sql("ANALYZE").execute(&mut *self.reader().await?).await?;
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
                    // Steps no SQL file can take: the search index's terms are cut in Rust.
                    if *version == 17 {
                        backfill_case_text(c).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                    }
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
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("value")?),
            None => None,
        })
    }

    pub async fn meta_put(&self, key: String, value: Vec<u8>) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
                        .bind(&key)
                        .bind(value)
                        .execute(&mut *c)
                        .await?;
                    Ok(())
                })
            })
            .await
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

}
