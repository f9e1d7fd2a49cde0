// The SLA engine: targets and what turns do to them, the queue, events with their webhook outbox, agents, webhooks, quotas, report rows.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use tierdesk_core::catalog::TargetKind;
use tierdesk_core::records::{Agent, CaseTarget, Role, SlaEvent, SlaEventKind, Webhook};
use tierdesk_core::sla::targets::{self, Author, Changes, Running};

use crate::sla::{
    Assignee, CasePage, TrailQuery, Delivery, DeliveryOutcome, DeliveryStats, DueTarget, NewEscalation, NewSlaEvent,
    CaseSlice, OpenCaseStats, QueueQuery, ReportQuery, ReportRow, StatusChange,
};

/// `cases.sla_due_us` when no target runs: sorts after every deadline.
const NO_DEADLINE: i64 = i64::MAX;

const TARGET_COLUMNS: &str = "target, seq, clock, minutes, started_us, due_us, warn_us, met_us, \
     stopped_us, warned_us, breached_us, requested_by";

fn opt_time(r: &<Db as sqlx::Database>::Row, col: &str) -> Result<Option<jiff::Timestamp>, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_micros))
}

fn target_from_row(r: &<Db as sqlx::Database>::Row) -> Result<CaseTarget, StoreError> {
    let kind: String = r.try_get("target")?;
    let minutes: i64 = r.try_get("minutes")?;
    Ok(CaseTarget {
        kind: TargetKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("bad target kind '{kind}'")))?,
        seq: r.try_get("seq")?,
        clock: r.try_get("clock")?,
        minutes: u32::try_from(minutes).map_err(|_| StoreError::Corrupt(format!("bad target minutes {minutes}")))?,
        started: from_micros(r.try_get("started_us")?),
        due: from_micros(r.try_get("due_us")?),
        warn_at: opt_time(r, "warn_us")?,
        met: opt_time(r, "met_us")?,
        stopped: opt_time(r, "stopped_us")?,
        warned: opt_time(r, "warned_us")?,
        breached: opt_time(r, "breached_us")?,
        requested_by: r.try_get("requested_by")?,
    })
}

fn event_from_row(r: &<Db as sqlx::Database>::Row, case_id: &str) -> Result<SlaEvent, StoreError> {
    let target: String = r.try_get("target")?;
    let kind: String = r.try_get("kind")?;
    Ok(SlaEvent {
        case_id: case_id.to_string(),
        target: TargetKind::parse(&target).ok_or_else(|| StoreError::Corrupt(format!("bad target kind '{target}'")))?,
        seq: r.try_get("seq")?,
        kind: SlaEventKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("bad event kind '{kind}'")))?,
        due: from_micros(r.try_get("due_us")?),
        at: from_micros(r.try_get("at_us")?),
        recorded: from_micros(r.try_get("recorded_us")?),
    })
}

/// The columns `agent_from_row` reads, for `concat!` into a query's text.
macro_rules! agent_columns {
    () => {
        "id, email, name, languages, role, created_us, disabled_us, token_expires_us, demo"
    };
}

fn agent_from_row(r: &<Db as sqlx::Database>::Row) -> Result<Agent, StoreError> {
    let role: String = r.try_get("role")?;
    let languages: String = r.try_get("languages")?;
    Ok(Agent {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        languages: languages.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("bad role '{role}'")))?,
        created: from_micros(r.try_get("created_us")?),
        disabled: opt_time(r, "disabled_us")?,
        token_expires: opt_time(r, "token_expires_us")?,
        demo: r.try_get("demo")?,
    })
}

/// The next event a target is due: its warning, then its deadline; none once stopped.
fn next_event(t: &CaseTarget) -> Option<i64> {
    if t.stopped.is_some() {
        None
    } else if t.warned.is_none() && t.warn_at.is_some_and(|w| w < t.due) {
        t.warn_at.map(to_micros)
    } else if t.breached.is_none() {
        Some(to_micros(t.due))
    } else {
        None
    }
}

/// Starts `t` on the case as the next of its kind; returns its seq.
async fn insert_target(c: &mut Conn, display_id: i64, t: &CaseTarget) -> Result<(), StoreError> {
    let mut out = Statements::default();
    target_statement(display_id, t, &mut out);
    out.run(c, "", "").await?;
    Ok(())
}

/// The statement starting `t` on the case as the next of its kind.
fn target_statement<'a>(display_id: i64, t: &'a CaseTarget, out: &mut Statements<'a>) {
    let n = out.first();
    let p = |i: usize| format!("${}", n + i);
    out.push(
        format!(
            "INSERT INTO case_targets (case_display_id, target, seq, clock, minutes, started_us, due_us, warn_us, \
             met_us, stopped_us, warned_us, breached_us, next_event_us, requested_by) \
             SELECT {0}, {1}, COALESCE(MAX(seq) + 1, 0), {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12} \
             FROM case_targets WHERE case_display_id = {0} AND target = {1}",
            p(0), p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9), p(10), p(11), p(12)
        ),
        vec![
            Bind::I(display_id),
            Bind::S(t.kind.as_str()),
            Bind::S(&t.clock),
            Bind::I(i64::from(t.minutes)),
            Bind::I(to_micros(t.started)),
            Bind::I(to_micros(t.due)),
            Bind::OptI(t.warn_at.map(to_micros)),
            Bind::OptI(t.met.map(to_micros)),
            Bind::OptI(t.stopped.map(to_micros)),
            Bind::OptI(t.warned.map(to_micros)),
            Bind::OptI(t.breached.map(to_micros)),
            Bind::OptI(next_event(t)),
            Bind::OptS(t.requested_by.as_deref()),
        ],
    );
}

/// The statement stopping the case's running targets of `kinds` at `at`; `met` when
/// support answered.
fn stop_statement<'a>(display_id: i64, kinds: &[TargetKind], at: i64, met: bool, out: &mut Statements<'a>) {
    if kinds.is_empty() {
        return;
    }
    let n = out.first();
    let sql = format!(
        "UPDATE case_targets SET stopped_us = ${n}, met_us = {}, next_event_us = NULL \
         WHERE case_display_id = ${} AND stopped_us IS NULL AND target IN ({})",
        if met { format!("${n}") } else { "met_us".to_string() },
        n + 1,
        placeholders(n + 2, kinds.len())
    );
    let mut args = vec![Bind::I(at), Bind::I(display_id)];
    args.extend(kinds.iter().map(|k| Bind::S(k.as_str())));
    out.push(sql, args);
}

/// How a write finds its case: by id within the caller's account, or by display id
/// (staff, whose reach `app::actor` decided).
enum CaseKey<'a> {
    InAccount(&'a str, &'a str),
    Display(i64),
}

/// A case as a turn (message, status change, escalation, resolution) finds it: its status,
/// the targets running and what its clock needs besides, read in one statement.
struct Turn {
    display_id: i64,
    status: CaseStatus,
    /// For the search index of a message the turn adds.
    subject: String,
    running: Vec<Running>,
    awaiting_since: Option<i64>,
    /// The case's first-response length, which orders an untimed wait in the queue.
    answer_minutes: Option<u32>,
    /// The messages the case holds.
    messages: i64,
}

/// Locks the case row to the end of the transaction on PostgreSQL, for a turn whose rule
/// reads what another turn of the same case may be writing (one escalation awaiting at a
/// time). It is a statement of its own, before the turn's read: a lock taken by the read
/// itself would re-read the case but not the joined targets. SQLite has one writer at a
/// time anyway. Only escalations take it: holding case locks from the start of every
/// turn made concurrent batches deadlock.
async fn lock_case(c: &mut Conn, id: i64) -> Result<(), StoreError> {
    if DIALECT == Dialect::Postgres {
        sqlx::query("SELECT display_id FROM cases WHERE display_id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?;
    }
    Ok(())
}

/// The read of a case's turn (`Turn`): `turn_read!("WHERE ...")` picks the case from
/// `cases c`; `turn_read!(columns, cases, where)` reads more columns first, with the cases
/// joined as `cases` says.
macro_rules! turn_read {
    ($where:literal) => {
        turn_read!("", "cases c", $where)
    };
    ($first:literal, $cases:literal, $where:literal) => {
        concat!(
            "SELECT ",
            $first,
            "c.display_id, c.status, c.subject, c.awaiting_since_us, \
             (SELECT f.minutes FROM case_targets f WHERE f.case_display_id = c.display_id \
              AND f.target = 'first_response' AND f.seq = 0) AS answer_minutes, \
             (SELECT COUNT(*) FROM communications m WHERE m.case_display_id = c.display_id) AS messages, \
             t.target, t.due_us FROM ",
            $cases,
            " LEFT JOIN case_targets t ON t.case_display_id = c.display_id AND t.stopped_us IS NULL ",
            $where
        )
    };
}

/// A case's turn by its id in an account (`$1` the case id, `$2` the account). A static,
/// not a const: the writer keeps the text repeated for a group of reads by its address.
static TURN_IN_ACCOUNT: &str = turn_read!("WHERE c.case_id = $1 AND c.account_id = $2");
/// `TURN_IN_ACCOUNT`'s group form, PostgreSQL's alone (`writer::Script::rows`): the turns of
/// a group of planned writes in one statement, each row naming its write in `n`. Each case
/// is looked up on its own (a `LATERAL` subquery that its `LIMIT` keeps from being merged
/// into a join): as a plain join, PostgreSQL planned it on a young table as a scan of every
/// case, and a prepared statement keeps that plan as the table grows (a quarter fewer
/// messages a second).
const TURNS_IN_ACCOUNT: Option<&str> = match DIALECT {
    Dialect::Sqlite => None,
    Dialect::Postgres => Some(turn_read!(
        "k.n, ",
        "(SELECT n, v->>0 AS case_id, v->>1 AS account_id \
          FROM jsonb_array_elements(CAST($1 AS jsonb)) WITH ORDINALITY AS a(v, n)) k \
         CROSS JOIN LATERAL (SELECT c0.* FROM cases c0 \
          WHERE c0.case_id = k.case_id AND c0.account_id = k.account_id LIMIT 1) c",
        ""
    )),
};
/// The read of a planned write on a case in an account: `TURN_IN_ACCOUNT`, and its group
/// form where the engine has one.
fn turn_in_account() -> crate::writer::Script {
    crate::writer::Script {
        sql: TURN_IN_ACCOUNT,
        rows: TURNS_IN_ACCOUNT,
    }
}
/// A case's turn by its display id (`$1`).
static TURN_BY_DISPLAY: &str = turn_read!("WHERE c.display_id = $1");

/// Reads the turn, after `lead` (the writer's savepoint statements) in the same call.
async fn case_turn(c: &mut Conn, lead: crate::writer::Lead, key: CaseKey<'_>) -> Result<Option<Turn>, StoreError> {
    let rows = match key {
        CaseKey::InAccount(account, case_id) => script(c, lead, TURN_IN_ACCOUNT, &[Bind::S(case_id), Bind::S(account)]).await?,
        CaseKey::Display(id) => script(c, lead, TURN_BY_DISPLAY, &[Bind::I(id)]).await?,
    };
    turn_from_rows(&rows)
}

/// The turn a turn read returned (none when it found no case).
fn turn_from_rows(rows: &[<Db as sqlx::Database>::Row]) -> Result<Option<Turn>, StoreError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut turn = Turn {
        display_id: first.try_get("display_id")?,
        status: status_from_row(first)?,
        subject: first.try_get("subject")?,
        running: Vec::with_capacity(rows.len()),
        awaiting_since: first.try_get("awaiting_since_us")?,
        messages: first.try_get("messages")?,
        answer_minutes: first
            .try_get::<Option<i64>, _>("answer_minutes")?
            .map(|m| u32::try_from(m).map_err(|_| StoreError::Corrupt(format!("bad target minutes {m}"))))
            .transpose()?,
    };
    for r in rows {
        let Some(kind) = r.try_get::<Option<String>, _>("target")? else {
            continue;
        };
        turn.running.push(Running {
            kind: target_kind(&kind)?,
            due: from_micros(r.try_get("due_us")?),
        });
    }
    Ok(Some(turn))
}

/// Applies what the target rules (`tierdesk_core::sla::targets`) decided for a turn: the
/// targets that stop and start, then the case row in one UPDATE: its status (and updated
/// time), its clock (the running target due first, whether support has answered, since
/// when the customer waits) and its queue key, each computed by the core's rules.
async fn apply_changes(c: &mut Conn, turn: &Turn, ch: &Changes, at: i64) -> Result<(), StoreError> {
    let mut out = Statements::default();
    change_statements(turn, ch, at, &mut out);
    out.run(c, "", "").await?;
    Ok(())
}

/// `apply_changes`'s statements, for a write that sends them with others.
fn change_statements<'a>(turn: &Turn, ch: &'a Changes, at: i64, out: &mut Statements<'a>) {
    let id = turn.display_id;
    if ch.moves_due() {
        stop_statement(id, &ch.stop, at, ch.met, out);
        if let Some(t) = &ch.start {
            target_statement(id, t, out);
        }
    }
    if !ch.touches_case() {
        return;
    }
    let next = targets::next_due(&ch.running_after(&turn.running));
    let awaiting = match ch.awaiting {
        // The earliest unanswered message keeps counting.
        Some(true) => turn.awaiting_since.or(Some(at)),
        Some(false) => None,
        None => turn.awaiting_since,
    };
    let queue = targets::queue_key(next, awaiting.map(from_micros), turn.answer_minutes);
    // A status-less turn (an escalation) leaves the status and the updated time alone.
    let n = out.first();
    let p = |i: usize| format!("${}", n + i);
    out.push(
        format!(
            "UPDATE cases SET status = {0}, updated_us = CASE WHEN {1} THEN {7} ELSE updated_us END, \
             sla_due_us = {2}, sla_target = {3}, queue_us = {4}, awaiting_since_us = {5}, \
             responded_us = CASE WHEN {6} THEN COALESCE(responded_us, {7}) ELSE responded_us END, \
             resolved_us = CASE WHEN {1} THEN CASE WHEN {0} = 'resolved' THEN COALESCE(resolved_us, {7}) END \
             ELSE resolved_us END \
             WHERE display_id = {8}",
            p(0), p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8)
        ),
        vec![
            Bind::S(ch.status.unwrap_or(turn.status).as_str()),
            Bind::B(ch.status.is_some()),
            Bind::I(next.map_or(NO_DEADLINE, |r| to_micros(r.due))),
            Bind::OptS(next.map(|r| r.kind.as_str())),
            Bind::I(queue.map_or(NO_DEADLINE, to_micros)),
            Bind::OptI(awaiting),
            Bind::B(ch.responded),
            Bind::I(at),
            Bind::I(id),
        ],
    );
}

/// Events recorded per statement: a few statements per chunk instead of three per event.
const EVENT_CHUNK: usize = 200;

type TargetKey = (i64, String, i64);

fn target_key_from_row(r: &<Db as sqlx::Database>::Row) -> Result<TargetKey, StoreError> {
    Ok((r.try_get("case_display_id")?, r.try_get("target")?, r.try_get("seq")?))
}

/// Records one kind of event for a chunk of targets: moves each target on only if it
/// still stands where the worker read it (compare and set, in one UPDATE), stores an
/// event for each target moved (the unique key refusing copies), and queues a webhook
/// delivery per event and subscribed endpoint. Returns the keys (`SlaEvent::key`) of the
/// events stored.
async fn record_chunk(c: &mut Conn, kind: SlaEventKind, chunk: &[&NewSlaEvent]) -> Result<Vec<String>, StoreError> {
    use std::collections::HashSet;
    if chunk.is_empty() {
        return Ok(Vec::new());
    }
    let (column, then_next) = match kind {
        SlaEventKind::Warning => ("warned_us", "due_us"),
        SlaEventKind::Breach => ("breached_us", "NULL"),
    };
    let rows = |first: usize, width: usize| {
        (0..chunk.len())
            .map(|i| format!("({})", placeholders(first + i * width, width)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let recorded = chunk[0].event.recorded;
    // UPDATE ... FROM (VALUES ...) rather than "(key) IN (VALUES ...)": SQLite scans the
    // whole table for the latter, and looks each row up by primary key for the former.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE case_targets SET {column} = $1, next_event_us = {then_next} FROM (VALUES {}) AS v \
         WHERE case_targets.case_display_id = v.column1 AND case_targets.target = v.column2 \
         AND case_targets.seq = v.column3 AND case_targets.next_event_us = v.column4 \
         AND case_targets.{column} IS NULL \
         RETURNING case_targets.case_display_id, case_targets.target, case_targets.seq",
        rows(2, 4)
    )))
    .bind(to_micros(recorded));
    for e in chunk {
        q = q
            .bind(e.display_id)
            .bind(e.event.target.as_str())
            .bind(e.event.seq)
            .bind(to_micros(e.expected_next));
    }
    let moved: HashSet<TargetKey> = q.fetch_all(&mut *c).await?.iter().map(target_key_from_row).collect::<Result<_, _>>()?;
    // Each target moved once, whatever copies of its event the chunk held.
    let mut moved = moved;
    let moved: Vec<&NewSlaEvent> = chunk
        .iter()
        .copied()
        .filter(|e| moved.remove(&(e.display_id, e.event.target.as_str().to_string(), e.event.seq)))
        .collect();
    if moved.is_empty() {
        return Ok(Vec::new());
    }
    let rows_of = |width: usize| {
        (0..moved.len())
            .map(|i| format!("({})", placeholders(1 + i * width, width)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO sla_events (case_display_id, target, seq, kind, due_us, at_us, recorded_us) VALUES {} \
         ON CONFLICT (case_display_id, target, seq, kind) DO NOTHING \
         RETURNING case_display_id, target, seq",
        rows_of(7)
    )));
    for e in &moved {
        let ev = &e.event;
        q = q
            .bind(e.display_id)
            .bind(ev.target.as_str())
            .bind(ev.seq)
            .bind(ev.kind.as_str())
            .bind(to_micros(ev.due))
            .bind(to_micros(ev.at))
            .bind(to_micros(ev.recorded));
    }
    let stored: HashSet<TargetKey> = q.fetch_all(&mut *c).await?.iter().map(target_key_from_row).collect::<Result<_, _>>()?;
    let stored: Vec<&NewSlaEvent> = moved
        .into_iter()
        .filter(|e| stored.contains(&(e.display_id, e.event.target.as_str().to_string(), e.event.seq)))
        .collect();
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    // The outbox: one delivery per event and endpoint that wants its type.
    let keys: Vec<String> = stored.iter().map(|e| e.event.key()).collect();
    let events: Vec<(&str, &str, &str)> = stored
        .iter()
        .zip(&keys)
        .map(|(e, k)| (k.as_str(), e.event_type.as_str(), e.payload.as_str()))
        .collect();
    queue_webhook_events(c, &events, to_micros(recorded)).await?;
    for e in &stored {
        if let Some(n) = &e.notice {
            insert_notice(c, n, e.display_id, &e.event.key(), to_micros(recorded)).await?;
        }
    }
    Ok(stored.iter().map(|e| e.event.key()).collect())
}

/// Queues `events` for every enabled operator webhook that takes their type, once per
/// webhook and key, in chunks that stay under both engines' limits on bound values.
/// Each event is `(key, type, payload)`.
pub(crate) async fn queue_webhook_events(c: &mut Conn, events: &[(&str, &str, &str)], at: i64) -> Result<(), StoreError> {
    for chunk in events.chunks(300) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(2 + i * 3, 3)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO webhook_deliveries (webhook_id, event_key, event_type, payload, created_us, \
             attempts, next_attempt_us, delivered_us, failed_us, last_error) \
             SELECT w.id, v.column1, v.column2, v.column3, $1, 0, $1, NULL, NULL, NULL \
             FROM webhooks w CROSS JOIN (VALUES {values}) AS v \
             WHERE w.disabled_us IS NULL AND w.owner_email IS NULL \
             AND (w.events = ',*,' OR w.events LIKE '%,' || v.column2 || ',%') \
             ON CONFLICT (webhook_id, event_key) DO NOTHING"
        )))
        .bind(at);
        for (key, kind, payload) in chunk {
            q = q.bind(*key).bind(*kind).bind(*payload);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes a webhook; `owner` names the person whose own it is (`None`: an operator's).
async fn insert_webhook(c: &mut Conn, w: &Webhook, owner: Option<&str>) -> Result<(), StoreError> {
    let r = sqlx::query(
        "INSERT INTO webhooks (id, url, events, secret_ciphertext, created_us, disabled_us, owner_email) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6)",
    )
    .bind(&w.id)
    .bind(&w.url)
    .bind(format!(",{},", w.events.join(",")))
    .bind(&w.secret_ciphertext)
    .bind(to_micros(w.created))
    .bind(owner)
    .execute(&mut *c)
    .await;
    inserted(r)
}

impl Backend {
    pub async fn insert_agent(&self, a: Agent, token_hash: Vec<u8>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    // One email, one person: customer users and agents share the sign-in.
                    let user = sqlx::query("SELECT id FROM users WHERE email = $1")
                        .bind(&a.email)
                        .fetch_optional(&mut *c)
                        .await?;
                    if user.is_some() {
                        return Err(StoreError::AlreadyExists);
                    }
                    let r = sqlx::query(
                        "INSERT INTO agents (id, email, name, languages, role, token_hash, created_us, \
                         disabled_us, token_expires_us, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(&a.id)
                    .bind(&a.email)
                    .bind(&a.name)
                    .bind(a.languages.join(","))
                    .bind(a.role.as_str())
                    .bind(token_hash)
                    .bind(to_micros(a.created))
                    .bind(a.disabled.map(to_micros))
                    .bind(a.token_expires.map(to_micros))
                    .bind(a.demo)
                    .execute(&mut *c)
                    .await;
                    inserted(r)
                })
            })
            .await
    }

    pub async fn agent_by_token(&self, token_hash: &[u8]) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(concat!("SELECT ", agent_columns!(), " FROM agents WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(agent_from_row).transpose()
    }

    pub async fn agent(&self, id: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(concat!("SELECT ", agent_columns!(), " FROM agents WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(agent_from_row).transpose()
    }

    pub async fn agent_by_email(&self, email: &str) -> Result<Option<Agent>, StoreError> {
        let row = sqlx::query(concat!("SELECT ", agent_columns!(), " FROM agents WHERE email = $1"))
            .bind(email)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(agent_from_row).transpose()
    }

    pub async fn agents(&self) -> Result<Vec<Agent>, StoreError> {
        let rows = sqlx::query(concat!("SELECT ", agent_columns!(), " FROM agents ORDER BY email"))
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(agent_from_row).collect()
    }

    pub async fn open_case_stats(&self, accounts: Option<&[String]>, now: Timestamp) -> Result<Vec<OpenCaseStats>, StoreError> {
        // "Breaching" as `Case::breaching` and the queue's filter have it: a running
        // deadline before now.
        let mut sql = String::from(
            "SELECT account_id, COUNT(*) AS open_cases, \
             SUM(CASE WHEN sla_due_us < $1 THEN 1 ELSE 0 END) AS breaching, \
             SUM(CASE WHEN awaiting_since_us IS NOT NULL THEN 1 ELSE 0 END) AS awaiting, \
             MIN(sla_due_us) AS next_due_us FROM cases WHERE is_open = TRUE",
        );
        let mut args = vec![Bind::I(to_micros(now))];
        if let Some(ids) = accounts {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql += &format!(" AND account_id IN ({})", placeholders(2, ids.len()));
            args.extend(ids.iter().cloned().map(Bind::Owned));
        }
        sql += " GROUP BY account_id ORDER BY account_id";
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| {
                Ok(OpenCaseStats {
                    account_id: r.try_get("account_id")?,
                    open: r.try_get("open_cases")?,
                    breaching: r.try_get::<Option<i64>, _>("breaching")?.unwrap_or_default(),
                    awaiting: r.try_get::<Option<i64>, _>("awaiting")?.unwrap_or_default(),
                    next_due: r
                        .try_get::<Option<i64>, _>("next_due_us")?
                        .filter(|d| *d != NO_DEADLINE)
                        .map(from_micros),
                })
            })
            .collect()
    }

    pub async fn case_by_id(&self, case_id: &str) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE case_id = $1")))
            .bind(case_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    pub async fn queue(&self, q: &QueueQuery) -> Result<Page<Case>, StoreError> {
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE is_open = TRUE");
        let mut args: Vec<Bind<'static>> = Vec::new();
        let mut filter = |sql: &mut String, column: &str, v: &Option<String>| {
            if let Some(v) = v {
                args.push(Bind::Owned(v.clone()));
                *sql += &format!(" AND {column} = ${}", args.len());
            }
        };
        filter(&mut sql, "plan_id", &q.plan);
        filter(&mut sql, "severity_code", &q.severity);
        filter(&mut sql, "language", &q.language);
        filter(&mut sql, "status", &q.status.map(|s| s.as_str().to_string()));
        match &q.assignee {
            None => {}
            Some(Assignee::Unassigned) => sql += " AND assignee IS NULL",
            Some(Assignee::Agent(id)) => {
                args.push(Bind::Owned(id.clone()));
                sql += &format!(" AND assignee = ${}", args.len());
            }
        }
        if let Some(t) = q.breaching_at {
            args.push(Bind::I(to_micros(t)));
            sql += &format!(" AND sla_due_us < ${}", args.len());
        }
        if q.awaiting {
            sql += " AND awaiting_since_us IS NOT NULL";
        }
        if let Some(accounts) = &q.accounts {
            if accounts.is_empty() {
                return Ok(Page { items: Vec::new(), more: false });
            }
            let first = args.len() + 1;
            sql += &format!(" AND account_id IN ({})", placeholders(first, accounts.len()));
            args.extend(accounts.iter().cloned().map(Bind::Owned));
        }
        if let Some((due, display)) = q.cursor {
            args.push(Bind::I(due));
            args.push(Bind::I(display));
            sql += &format!(" AND (queue_us, display_id) > (${}, ${})", args.len() - 1, args.len());
        }
        sql += &format!(" ORDER BY queue_us, display_id LIMIT {}", limit(q.limit + 1));
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        let mut items = rows.iter().map(case_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Page { items, more })
    }

    pub async fn case_targets(&self, display_id: i64) -> Result<Vec<CaseTarget>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TARGET_COLUMNS} FROM case_targets WHERE case_display_id = $1 ORDER BY started_us, target, seq"
        )))
        .bind(display_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(target_from_row).collect()
    }

    pub async fn sla_events(&self, display_id: i64, case_id: String) -> Result<Vec<SlaEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT target, seq, kind, due_us, at_us, recorded_us FROM sla_events \
             WHERE case_display_id = $1 ORDER BY at_us, id",
        )
        .bind(display_id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| event_from_row(r, &case_id)).collect()
    }

    /// `Store::case_page`: six statements, each finding the case by its id (`$1`), read as
    /// one script (`rows_per_statement`).
    pub async fn case_page(&self, case_id: &str, trail: &TrailQuery<'_>) -> Result<Option<CasePage>, StoreError> {
        let actions = match trail.actions {
            [] => "FALSE".to_string(),
            some => format!(
                "action IN ({})",
                some.iter().map(|a| format!("'{}'", a.as_str())).collect::<Vec<_>>().join(", ")
            ),
        };
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE case_id = $1; \
             SELECT id, name, timezone, country, language, created_us FROM accounts \
              WHERE id = (SELECT account_id FROM cases WHERE case_id = $1); \
             SELECT {TARGET_COLUMNS} FROM case_targets \
              WHERE case_display_id = (SELECT display_id FROM cases WHERE case_id = $1) ORDER BY started_us, target, seq; \
             SELECT target, seq, kind, due_us, at_us, recorded_us FROM sla_events \
              WHERE case_display_id = (SELECT display_id FROM cases WHERE case_id = $1) ORDER BY at_us, id; \
             SELECT {AUDIT_COLUMNS} FROM audit_log WHERE target = $2 AND {actions} ORDER BY id DESC LIMIT {}; \
             SELECT {} FROM account_tams t JOIN agents a ON a.id = t.agent_id \
              WHERE t.account_id = (SELECT account_id FROM cases WHERE case_id = $1)",
            limit(trail.limit),
            agent_columns!().split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", "),
        );
        let target = tierdesk_core::audit::case_target(case_id);
        let args = [Bind::S(case_id), Bind::S(&target)];
        let mut c = self.reader().await?;
        let statements = rows_per_statement(&mut c, &sql, &args).await?;
        let [case, account, targets, events, trail, tam] = <[_; 6]>::try_from(statements)
            .map_err(|s| StoreError::Corrupt(format!("a case page read {} statements' rows, not 6", s.len())))?;
        let Some(case) = case.first().map(case_from_row).transpose()? else {
            return Ok(None);
        };
        Ok(Some(CasePage {
            account: account.first().map(account_from_row).transpose()?,
            targets: targets.iter().map(target_from_row).collect::<Result<_, _>>()?,
            events: events.iter().map(|r| event_from_row(r, &case.case_id)).collect::<Result<_, _>>()?,
            trail: trail.iter().map(audit_from_row).collect::<Result<_, _>>()?,
            tam: tam.first().map(agent_from_row).transpose()?,
            case,
        }))
    }

    pub async fn recent_events(&self, kind: SlaEventKind, cases: &CaseSlice, n: i64) -> Result<Vec<(Case, SlaEvent)>, StoreError> {
        // Newest first along the (kind, at) index, each joined to its case: the slice's
        // conditions stop the walk at the n-th event of a case they keep.
        let mut args = vec![Bind::Owned(kind.as_str().to_string())];
        let filter = slice_filter(cases, &mut args, "cases", "IS NULL");
        let sql = format!(
            "SELECT e.target, e.seq, e.kind, e.due_us, e.at_us, e.recorded_us, {CASE_COLUMNS} \
             FROM sla_events e JOIN cases ON cases.display_id = e.case_display_id {FR_JOIN} \
             WHERE e.kind = $1{filter} ORDER BY e.at_us DESC LIMIT {}",
            limit(n)
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| {
                let case = case_from_row(r)?;
                let target: String = r.try_get("target")?;
                let event = SlaEvent {
                    case_id: case.case_id.clone(),
                    target: TargetKind::parse(&target)
                        .ok_or_else(|| StoreError::Corrupt(format!("bad target kind '{target}'")))?,
                    seq: r.try_get("seq")?,
                    kind,
                    due: from_micros(r.try_get("due_us")?),
                    at: from_micros(r.try_get("at_us")?),
                    recorded: from_micros(r.try_get("recorded_us")?),
                };
                Ok((case, event))
            })
            .collect()
    }

    pub async fn set_status(&self, ch: StatusChange, audit: AuditEntry) -> Result<CaseStatus, StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let Some(turn) = case_turn(c, crate::writer::Lead::NONE, CaseKey::Display(ch.display_id)).await? else {
                        return Err(StoreError::NotFound);
                    };
                    apply_changes(c, &turn, &targets::on_status(ch.status), to_micros(ch.at)).await?;
                    // A status set again is no news.
                    if let (Some(n), true) = (&ch.notice, turn.status != ch.status) {
                        insert_notice(c, n, turn.display_id, &to_micros(ch.at).to_string(), to_micros(ch.at)).await?;
                    }
                    Ok(turn.status)
                })
            })
            .await
    }

    pub async fn assign(&self, display_id: i64, agent: Option<String>, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    if let Some(a) = &agent {
                        let known = sqlx::query("SELECT id FROM agents WHERE id = $1")
                            .bind(a)
                            .fetch_optional(&mut *c)
                            .await?;
                        if known.is_none() {
                            return Err(StoreError::NotFound);
                        }
                    }
                    let r = sqlx::query("UPDATE cases SET assignee = $1 WHERE display_id = $2")
                        .bind(&agent)
                        .bind(display_id)
                        .execute(&mut *c)
                        .await?;
                    found(r)
                })
            })
            .await
    }

    pub async fn escalate(&self, e: NewEscalation, audit: AuditEntry) -> Result<i64, StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    lock_case(c, e.display_id).await?;
                    let turn = case_turn(c, crate::writer::Lead::NONE, CaseKey::Display(e.display_id)).await?;
                    let Some(turn) = turn.filter(|t| t.status != CaseStatus::Resolved) else {
                        return Err(StoreError::NotFound);
                    };
                    if turn.running.iter().any(|r| r.kind == TargetKind::Escalation) {
                        return Err(StoreError::AlreadyExists);
                    }
                    sqlx::query(
                        "INSERT INTO monthly_quota (account_id, kind, month, used) VALUES ($1, 'urgent_escalation', $2, 0) \
                         ON CONFLICT (account_id, kind, month) DO NOTHING",
                    )
                    .bind(&e.account_id)
                    .bind(&e.month)
                    .execute(&mut *c)
                    .await?;
                    let used = sqlx::query(
                        "UPDATE monthly_quota SET used = used + 1 \
                         WHERE account_id = $1 AND kind = 'urgent_escalation' AND month = $2 AND used < $3 \
                         RETURNING used",
                    )
                    .bind(&e.account_id)
                    .bind(&e.month)
                    .bind(e.per_month)
                    .fetch_optional(&mut *c)
                    .await?;
                    let Some(used) = used else {
                        return Err(StoreError::QuotaExhausted);
                    };
                    let changes = targets::on_escalation(e.target.clone());
                    apply_changes(c, &turn, &changes, to_micros(e.target.started)).await?;
                    Ok(used.try_get("used")?)
                })
            })
            .await
    }

    pub async fn quota_used(&self, account_id: &str, kind: &str, month: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT used FROM monthly_quota WHERE account_id = $1 AND kind = $2 AND month = $3")
            .bind(account_id)
            .bind(kind)
            .bind(month)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(match row {
            Some(r) => r.try_get("used")?,
            None => 0,
        })
    }

    pub async fn due_targets(&self, now: jiff::Timestamp, n: i64) -> Result<Vec<DueTarget>, StoreError> {
        // The index on next_event_us hands over exactly the rows that came due.
        let sql = format!(
            "SELECT t.case_display_id, t.next_event_us, t.{}, {CASE_COLUMNS} \
             FROM (SELECT * FROM case_targets WHERE next_event_us <= $1 ORDER BY next_event_us LIMIT {}) AS t \
             JOIN cases ON cases.display_id = t.case_display_id {FR_JOIN} \
             ORDER BY t.next_event_us, t.case_display_id",
            TARGET_COLUMNS.replace(", ", ", t."),
            limit(n)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to_micros(now))
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DueTarget {
                    display_id: r.try_get("case_display_id")?,
                    case: case_from_row(r)?,
                    target: target_from_row(r)?,
                    next_event: from_micros(r.try_get("next_event_us")?),
                })
            })
            .collect()
    }

    pub async fn record_sla_events(&self, events: Vec<NewSlaEvent>) -> Result<Vec<String>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let mut recorded = Vec::new();
                    // Warnings first: a breach recorded in the same pass expects the
                    // target where its warning left it.
                    for kind in [SlaEventKind::Warning, SlaEventKind::Breach] {
                        let of_kind: Vec<&NewSlaEvent> = events.iter().filter(|e| e.event.kind == kind).collect();
                        for chunk in of_kind.chunks(EVENT_CHUNK) {
                            recorded.extend(record_chunk(c, kind, chunk).await?);
                        }
                    }
                    Ok(recorded)
                })
            })
            .await
    }

    pub async fn insert_webhook(&self, w: Webhook, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move { insert_webhook(c, &w, None).await })
            })
            .await
    }

    /// The operators' endpoints (people's own are theirs to see).
    pub async fn webhook_takes(&self, event_type: &str) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM webhooks w WHERE w.disabled_us IS NULL AND w.owner_email IS NULL \
             AND (w.events = ',*,' OR w.events LIKE '%,' || $1 || ',%')",
        )
        .bind(event_type)
        .fetch_one(&mut *self.reader().await?)
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    pub async fn webhooks(&self) -> Result<Vec<(Webhook, DeliveryStats)>, StoreError> {
        self.webhooks_where("w.owner_email IS NULL", None).await
    }

    /// Webhooks matching `filter` (SQL over `w`, with `$1` bound to `arg` when given), with
    /// their delivery counts.
    async fn webhooks_where(&self, filter: &'static str, arg: Option<&str>) -> Result<Vec<(Webhook, DeliveryStats)>, StoreError> {
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT w.id, w.url, w.events, w.secret_ciphertext, w.created_us, w.disabled_us, \
             (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.next_attempt_us IS NOT NULL) AS pending, \
             (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_us IS NOT NULL) AS delivered, \
             (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.failed_us IS NOT NULL) AS failed, \
             (SELECT d.last_error FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.last_error IS NOT NULL \
              ORDER BY d.id DESC LIMIT 1) AS last_error \
             FROM webhooks w WHERE {filter} ORDER BY w.created_us, w.id"
        )));
        let rows = match arg {
            Some(a) => q.bind(a.to_string()),
            None => q,
        }
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|r| {
                let events: String = r.try_get("events")?;
                Ok((
                    Webhook {
                        id: r.try_get("id")?,
                        url: r.try_get("url")?,
                        events: events.split(',').filter(|s| !s.is_empty()).map(String::from).collect(),
                        secret_ciphertext: r.try_get("secret_ciphertext")?,
                        created: from_micros(r.try_get("created_us")?),
                        disabled: opt_time(r, "disabled_us")?,
                    },
                    DeliveryStats {
                        pending: r.try_get("pending")?,
                        delivered: r.try_get("delivered")?,
                        failed: r.try_get("failed")?,
                        last_error: r.try_get("last_error")?,
                    },
                ))
            })
            .collect()
    }

    pub async fn disable_webhook(&self, id: String, at: jiff::Timestamp, audit: AuditEntry) -> Result<(), StoreError> {
        self.writer.write_audited(audit, move |c| {
                Box::pin(async move {
                    let r = sqlx::query("UPDATE webhooks SET disabled_us = $1 WHERE id = $2 AND disabled_us IS NULL")
                        .bind(to_micros(at))
                        .bind(&id)
                        .execute(&mut *c)
                        .await?;
                    found(r)?;
                    // Deliveries not yet made are dropped with the endpoint.
                    sqlx::query(
                        "UPDATE webhook_deliveries SET next_attempt_us = NULL, failed_us = $1, \
                         last_error = 'webhook disabled' WHERE webhook_id = $2 AND next_attempt_us IS NOT NULL",
                    )
                    .bind(to_micros(at))
                    .bind(&id)
                    .execute(&mut *c)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn claim_deliveries(
        &self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        n: i64,
    ) -> Result<Vec<Delivery>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT d.id, d.webhook_id, w.url, w.owner_email, w.secret_ciphertext, d.event_key, d.event_type, d.payload, \
                         d.attempts, d.next_attempt_us FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                         WHERE d.next_attempt_us <= $1 ORDER BY d.next_attempt_us, d.id LIMIT {}",
                        limit(n)
                    )))
                    .bind(to_micros(now))
                    .fetch_all(&mut *c)
                    .await?;
                    let mut claimed = Vec::new();
                    for r in &rows {
                        let id: i64 = r.try_get("id")?;
                        let seen: i64 = r.try_get("next_attempt_us")?;
                        let got = sqlx::query(
                            "UPDATE webhook_deliveries SET next_attempt_us = $1 WHERE id = $2 AND next_attempt_us = $3",
                        )
                        .bind(to_micros(lease_until))
                        .bind(id)
                        .bind(seen)
                        .execute(&mut *c)
                        .await?;
                        if got.rows_affected() == 1 {
                            claimed.push(Delivery {
                                id,
                                webhook_id: r.try_get("webhook_id")?,
                                url: r.try_get("url")?,
                                owner: r.try_get("owner_email")?,
                                secret_ciphertext: r.try_get("secret_ciphertext")?,
                                event_key: r.try_get("event_key")?,
                                event_type: r.try_get("event_type")?,
                                payload: r.try_get("payload")?,
                                attempts: r.try_get("attempts")?,
                            });
                        }
                    }
                    Ok(claimed)
                })
            })
            .await
    }

    pub async fn settle_delivery(&self, id: i64, outcome: DeliveryOutcome, at: jiff::Timestamp) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let at = to_micros(at);
                    match outcome {
                        DeliveryOutcome::Delivered => {
                            sqlx::query(
                                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_us = NULL, \
                                 delivered_us = $1 WHERE id = $2",
                            )
                            .bind(at)
                            .bind(id)
                            .execute(&mut *c)
                            .await?;
                        }
                        DeliveryOutcome::Failed { error, retry_at } => {
                            sqlx::query(
                                "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_us = $1, \
                                 failed_us = $2, last_error = $3 WHERE id = $4",
                            )
                            .bind(retry_at.map(to_micros))
                            .bind(if retry_at.is_none() { Some(at) } else { None })
                            .bind(error)
                            .bind(id)
                            .execute(&mut *c)
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn report_rows(&self, q: &ReportQuery) -> Result<Vec<ReportRow>, StoreError> {
        let mut sql = "SELECT c.plan_id, c.severity_code, c.account_id, c.assignee, a.timezone, a.country, c.language, \
             c.created_us, c.resolved_us, c.sla_due_us, c.sla_target, c.responded_us, c.awaiting_since_us, \
             fr.clock, fr.due_us AS promised_us, \
             (SELECT MAX(t.stopped_us) FROM case_targets t \
              WHERE t.case_display_id = c.display_id AND t.target = 'first_response') AS last_stop_us \
             FROM cases c JOIN accounts a ON a.id = c.account_id \
             LEFT JOIN case_targets fr ON fr.case_display_id = c.display_id AND fr.target = 'first_response' AND fr.seq = 0 \
             WHERE c.created_us >= $1 AND c.created_us < $2"
            .to_string();
        let mut args = vec![Bind::I(to_micros(q.from)), Bind::I(to_micros(q.to))];
        sql += &slice_filter(&q.cases, &mut args, "c", "IS NULL");
        sql += " ORDER BY c.created_us, c.display_id";
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| {
                let due: i64 = r.try_get("sla_due_us")?;
                let kind = r.try_get::<Option<String>, _>("sla_target")?.map(|k| target_kind(&k)).transpose()?;
                Ok(ReportRow {
                    plan_id: r.try_get("plan_id")?,
                    severity: r.try_get("severity_code")?,
                    account_id: r.try_get("account_id")?,
                    assignee: r.try_get("assignee")?,
                    timezone: r.try_get("timezone")?,
                    country: r.try_get("country")?,
                    language: r.try_get("language")?,
                    created: from_micros(r.try_get("created_us")?),
                    resolved: opt_time(r, "resolved_us")?,
                    clock: tierdesk_core::sla::clock::ClockFacts {
                        running: kind.zip((due != NO_DEADLINE).then(|| from_micros(due))),
                        promised: opt_time(r, "promised_us")?,
                        responded: opt_time(r, "responded_us")?,
                        awaiting_since: opt_time(r, "awaiting_since_us")?,
                    },
                    promise_clock: r.try_get("clock")?,
                    last_stop: opt_time(r, "last_stop_us")?,
                })
            })
            .collect()
    }
}

/// The `AND ...` conditions that narrow a report to a slice of the cases (the `cases`
/// table or the rollup, named `table` in the query), binding their values after `args`;
/// `nobody` is the condition on the assignee column of unassigned cases.
fn slice_filter(cases: &CaseSlice, args: &mut Vec<Bind<'static>>, table: &str, nobody: &str) -> String {
    let mut sql = String::new();
    let mut eq = |column: &str, value: &str, args: &mut Vec<Bind<'static>>| {
        args.push(Bind::Owned(value.to_string()));
        sql += &format!(" AND {table}.{column} = ${}", args.len());
    };
    if let Some(a) = &cases.account {
        eq("account_id", a, args);
    }
    if let Some(p) = &cases.plan {
        eq("plan_id", p, args);
    }
    if let Some(s) = &cases.severity {
        eq("severity_code", s, args);
    }
    match &cases.assignee {
        Some(Some(agent)) => eq("assignee", agent, args),
        Some(None) => sql += &format!(" AND {table}.assignee {nobody}"),
        None => {}
    }
    sql
}
