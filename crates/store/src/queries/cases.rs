// Cases: opening (with the monthly cap and first targets), listing, reading, resolving.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

/// The opening's first target and its notice, in both of SQLite's opening scripts
/// (`OPEN_CASE`, `OPEN_UNCAPPED_CASE`): each row only where its value is given, on the case
/// found by its `case_id`.
macro_rules! sqlite_first_target_and_notice {
    () => {
        "INSERT INTO case_targets (case_display_id, target, seq, clock, minutes, started_us, due_us, warn_us, \
 met_us, stopped_us, warned_us, breached_us, next_event_us, requested_by) \
 SELECT display_id, $22, 0, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33 FROM cases WHERE case_id = $1 AND $22 IS NOT NULL;
INSERT INTO notices (kind, case_display_id, subject_ref, created_us, next_attempt_us) \
 SELECT $20, display_id, '', $13, $21 FROM cases WHERE case_id = $1 AND $20 IS NOT NULL \
 ON CONFLICT (kind, case_display_id, subject_ref) DO NOTHING;
"
    };
}

/// Opening a case: the month's count of cases raised (when the plan caps it, and only under
/// the cap), the case (only where the count was raised for it), its first target, its
/// notice and its first message, which returns the case's display id and its own id, or no
/// row when the cap was reached; then the message's search document (`$34`, the engine's
/// literal of its terms; none when empty) and the audit row (`$35`-`$42`). A refused case
/// writes nothing. `$17` (month) and `$18` (cap) are NULL without a cap; `$20` (notice
/// kind) without a notice; `$22` (target kind) without a target.
///
/// The one write whose SQL differs between the engines beyond the search index, because
/// each engine's fastest form is one the other lacks:
/// - SQLite: a script (`queries/script.rs`) of statements that find the new case by its
///   `case_id` (so none waits for an earlier one's answer), which a batch of openings runs
///   in one call. The count's row names the case that raised it last (`last_ref`, locked
///   to this transaction) for the case's INSERT to check. The search document waits for
///   the batch's end (`BATCH_END`).
/// - PostgreSQL: one statement whose parts pass the new rows on (data-modifying WITH, which
///   SQLite lacks): one round trip per case, where a script would be one per statement.
///
/// Writing the document and the audit row here, not in the batch's tail (`writer::Tail`),
/// lets a batch of openings commit in the call that runs them (`writer::write_script`).
const OPEN_CASE: &str = match DIALECT {
    Dialect::Sqlite => concat!(
        "\
INSERT INTO monthly_quota (account_id, kind, month, used, last_ref) SELECT $2, 'cases', $17, 1, $1 \
 WHERE $17 IS NOT NULL AND $18 > 0 \
 ON CONFLICT (account_id, kind, month) DO UPDATE SET used = monthly_quota.used + 1, last_ref = excluded.last_ref \
 WHERE monthly_quota.used < $18;
INSERT INTO cases (case_id, account_id, subject, status, service_code, category_code, severity_code, issue_type, \
 language, submitted_by, cc_emails, plan_id, created_us, updated_us, assignee, sla_due_us, sla_target, queue_us, \
 awaiting_since_us) \
 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, NULL, $14, $15, $16, $13 \
 WHERE $18 IS NULL OR EXISTS (SELECT 1 FROM monthly_quota WHERE account_id = $2 AND kind = 'cases' AND month = $17 \
 AND last_ref = $1);
",
        sqlite_first_target_and_notice!(),
        "INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
 SELECT display_id, $19, $10, FALSE, FALSE, $13 FROM cases WHERE case_id = $1 \
 RETURNING case_display_id AS display_id, id AS communication_id;
INSERT INTO audit_log (at_us, actor_kind, actor_id, address, account_id, action, target, detail) \
 SELECT $35, $36, $37, $38, $39, $40, $41, $42 FROM cases WHERE case_id = $1;
INSERT INTO temp.text_pending (rowid, terms) SELECT m.id, $34 FROM communications m \
 JOIN cases c ON c.display_id = m.case_display_id WHERE c.case_id = $1 AND $34 <> ''"
    ),
    Dialect::Postgres => "\
WITH quota AS (INSERT INTO monthly_quota (account_id, kind, month, used, last_ref) SELECT $2, 'cases', $17, 1, $1 \
 WHERE $17 IS NOT NULL AND $18 > 0 \
 ON CONFLICT (account_id, kind, month) DO UPDATE SET used = monthly_quota.used + 1, last_ref = excluded.last_ref \
 WHERE monthly_quota.used < $18 RETURNING 1), \
opened AS (INSERT INTO cases (case_id, account_id, subject, status, service_code, category_code, severity_code, \
 issue_type, language, submitted_by, cc_emails, plan_id, created_us, updated_us, assignee, sla_due_us, sla_target, \
 queue_us, awaiting_since_us) \
 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, NULL, $14, $15, $16, $13 \
 WHERE $18 IS NULL OR EXISTS (SELECT 1 FROM quota) RETURNING display_id), \
target AS (INSERT INTO case_targets (case_display_id, target, seq, clock, minutes, started_us, due_us, warn_us, \
 met_us, stopped_us, warned_us, breached_us, next_event_us, requested_by) \
 SELECT display_id, $22, 0, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33 FROM opened WHERE $22 IS NOT NULL), \
notice AS (INSERT INTO notices (kind, case_display_id, subject_ref, created_us, next_attempt_us) \
 SELECT $20, display_id, '', $13, $21 FROM opened WHERE $20 IS NOT NULL \
 ON CONFLICT (kind, case_display_id, subject_ref) DO NOTHING), \
message AS (INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
 SELECT display_id, $19, $10, FALSE, FALSE, $13 FROM opened RETURNING case_display_id, id), \
audit AS (INSERT INTO audit_log (at_us, actor_kind, actor_id, address, account_id, action, target, detail) \
 SELECT $35, $36, $37, $38, $39, $40, $41, $42 FROM opened), \
document AS (INSERT INTO case_text (communication_id, case_display_id, internal, terms) \
 SELECT id, case_display_id, FALSE, CAST($34 AS tsvector) FROM message WHERE $34 <> '') \
SELECT case_display_id AS display_id, id AS communication_id FROM message",
};

/// `OPEN_CASE` for an opening without a monthly cap, whose case is always written: on
/// SQLite, the case, its message and its audit row written by single-row
/// `INSERT ... VALUES` statements, which SQLite runs without a statement journal (an
/// `INSERT ... SELECT`, or one whose table has triggers, copies every page it first touches
/// aside, to undo the statement alone if it fails halfway) and, for the returned ids, a
/// plain `SELECT` instead of `RETURNING` (which collects its rows in a temporary table).
/// The new case's display id and its message's id are `last_insert_rowid()` right after
/// their inserts; the search document's row is skipped when it has no terms (NULL into a
/// NOT NULL column, ignored). The first target and the notice, each written only when its
/// value is given, keep `OPEN_CASE`'s `INSERT ... SELECT` (`sqlite_first_target_and_notice!`).
/// The values are `OPEN_CASE`'s. PostgreSQL runs `OPEN_CASE` (or its group form,
/// `OPEN_CASES`).
const OPEN_UNCAPPED_CASE: &str = match DIALECT {
    Dialect::Sqlite => concat!(
        "\
INSERT INTO cases (case_id, account_id, subject, status, service_code, category_code, severity_code, issue_type, \
 language, submitted_by, cc_emails, plan_id, created_us, updated_us, assignee, sla_due_us, sla_target, queue_us, \
 awaiting_since_us) \
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, NULL, $14, $15, $16, $13);
INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
 VALUES (last_insert_rowid(), $19, $10, FALSE, FALSE, $13);
SELECT case_display_id AS display_id, id AS communication_id FROM communications WHERE id = last_insert_rowid();
INSERT OR IGNORE INTO temp.text_pending (rowid, terms) VALUES (last_insert_rowid(), NULLIF($34, ''));
",
        sqlite_first_target_and_notice!(),
        "INSERT INTO audit_log (at_us, actor_kind, actor_id, address, account_id, action, target, detail) \
 VALUES ($35, $36, $37, $38, $39, $40, $41, $42)"
    ),
    Dialect::Postgres => OPEN_CASE,
};

/// `OPEN_CASE`'s group form (`writer::Script::rows`), PostgreSQL's alone: the openings of a
/// group in one statement, which PostgreSQL plans and starts once instead of once a case.
/// `$1` is the JSON array of each opening's `OPEN_CASE` values (`w` names them, from 0 for
/// `$1`); every row names its opening in `n`. Only openings without a monthly cap take it:
/// a capped account's openings would raise one count row several times in one statement,
/// which PostgreSQL refuses, and each must see the count the one before it left. The array
/// is read as `jsonb`, parsed once: on `json`, each `->>` parses the text again (32
/// openings' fields took 3.9 ms that way, 0.16 ms from `jsonb`).
const OPEN_CASES: Option<&str> = match DIALECT {
    Dialect::Sqlite => None,
    Dialect::Postgres => Some("\
WITH w AS (SELECT n, v->>0 AS case_id, v->>1 AS account_id, v->>2 AS subject, v->>3 AS status, v->>4 AS service_code, \
 v->>5 AS category_code, v->>6 AS severity_code, v->>7 AS issue_type, v->>8 AS language, v->>9 AS submitted_by, \
 v->>10 AS cc_emails, v->>11 AS plan_id, (v->>12)::int8 AS created_us, (v->>13)::int8 AS sla_due_us, \
 v->>14 AS sla_target, (v->>15)::int8 AS queue_us, v->>18 AS body, v->>19 AS notice_kind, \
 (v->>20)::int8 AS notice_due_us, v->>21 AS target_kind, v->>22 AS clock, (v->>23)::int8 AS minutes, \
 (v->>24)::int8 AS started_us, (v->>25)::int8 AS due_us, (v->>26)::int8 AS warn_us, (v->>27)::int8 AS met_us, \
 (v->>28)::int8 AS stopped_us, (v->>29)::int8 AS warned_us, (v->>30)::int8 AS breached_us, \
 (v->>31)::int8 AS next_event_us, v->>32 AS requested_by, v->>33 AS terms, (v->>34)::int8 AS at_us, \
 v->>35 AS actor_kind, v->>36 AS actor_id, v->>37 AS address, v->>38 AS audit_account, v->>39 AS action, \
 v->>40 AS audit_target, v->>41 AS detail \
 FROM jsonb_array_elements(CAST($1 AS jsonb)) WITH ORDINALITY AS a(v, n)), \
opened AS (INSERT INTO cases (case_id, account_id, subject, status, service_code, category_code, severity_code, \
 issue_type, language, submitted_by, cc_emails, plan_id, created_us, updated_us, assignee, sla_due_us, sla_target, \
 queue_us, awaiting_since_us) \
 SELECT case_id, account_id, subject, status, service_code, category_code, severity_code, issue_type, language, \
 submitted_by, cc_emails, plan_id, created_us, created_us, NULL, sla_due_us, sla_target, queue_us, created_us \
 FROM w ORDER BY n RETURNING case_id, display_id), \
o AS (SELECT opened.display_id, w.* FROM opened JOIN w USING (case_id)), \
target AS (INSERT INTO case_targets (case_display_id, target, seq, clock, minutes, started_us, due_us, warn_us, \
 met_us, stopped_us, warned_us, breached_us, next_event_us, requested_by) \
 SELECT display_id, target_kind, 0, clock, minutes, started_us, due_us, warn_us, met_us, stopped_us, warned_us, \
 breached_us, next_event_us, requested_by FROM o WHERE target_kind IS NOT NULL), \
notice AS (INSERT INTO notices (kind, case_display_id, subject_ref, created_us, next_attempt_us) \
 SELECT notice_kind, display_id, '', created_us, notice_due_us FROM o WHERE notice_kind IS NOT NULL \
 ON CONFLICT (kind, case_display_id, subject_ref) DO NOTHING), \
message AS (INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
 SELECT display_id, body, submitted_by, FALSE, FALSE, created_us FROM o ORDER BY n RETURNING case_display_id, id), \
audit AS (INSERT INTO audit_log (at_us, actor_kind, actor_id, address, account_id, action, target, detail) \
 SELECT at_us, actor_kind, actor_id, address, audit_account, action, audit_target, detail FROM o ORDER BY n), \
document AS (INSERT INTO case_text (communication_id, case_display_id, internal, terms) \
 SELECT m.id, m.case_display_id, FALSE, CAST(o.terms AS tsvector) FROM message m \
 JOIN o ON o.display_id = m.case_display_id WHERE o.terms <> '') \
SELECT o.n, m.case_display_id AS display_id, m.id AS communication_id FROM message m \
 JOIN o ON o.display_id = m.case_display_id"),
};

/// `OPEN_CASE`'s values for `new` (its first target, if any), the literal of its search
/// `terms` and its `audit` entry, and the case as reading it back would give, but for its
/// display id.
fn open_case_values(new: &NewCase, terms: &[String], audit: &AuditEntry) -> (Vec<Bind<'static>>, Case) {
    use Bind::{I, OptI, OptOwned, Owned};
    let k = &new.case;
    let at = to_micros(k.created);
    // The case's clock, from the targets it opens with; the opening message is the
    // customer's, so they await an answer from the start.
    let next = targets::next_due(&Running::of(&new.targets));
    let answer_minutes = new.targets.iter().find(|t| t.kind == TargetKind::FirstResponse).map(|t| t.minutes);
    let queue = targets::queue_key(next, Some(k.created), answer_minutes);
    let first = new.targets.first();
    let owned = |s: &str| Owned(s.to_string());
    let values = vec![
        owned(&k.case_id),
        owned(&k.account_id),
        owned(&k.subject),
        owned(k.status.as_str()),
        owned(&k.service_code),
        owned(&k.category_code),
        owned(&k.severity_code),
        owned(&k.issue_type),
        owned(&k.language),
        owned(&k.submitted_by),
        Owned(k.cc_emails.join("\n")),
        owned(&k.plan_id),
        I(at),
        I(next.map_or(NO_DEADLINE, |r| to_micros(r.due))),
        OptOwned(next.map(|r| r.kind.as_str().to_string())),
        I(queue.map_or(NO_DEADLINE, to_micros)),
        OptOwned(new.monthly_cap.as_ref().map(|m| m.month.clone())),
        OptI(new.monthly_cap.as_ref().map(|m| m.limit)),
        owned(&new.body),
        OptOwned(new.notice.as_ref().map(|n| n.kind.as_str().to_string())),
        OptI(new.notice.as_ref().map(|n| to_micros(n.due))),
        OptOwned(first.map(|t| t.kind.as_str().to_string())),
        OptOwned(first.map(|t| t.clock.clone())),
        OptI(first.map(|t| i64::from(t.minutes))),
        OptI(first.map(|t| to_micros(t.started))),
        OptI(first.map(|t| to_micros(t.due))),
        OptI(first.and_then(|t| t.warn_at.map(to_micros))),
        OptI(first.and_then(|t| t.met.map(to_micros))),
        OptI(first.and_then(|t| t.stopped.map(to_micros))),
        OptI(first.and_then(|t| t.warned.map(to_micros))),
        OptI(first.and_then(|t| t.breached.map(to_micros))),
        OptI(first.and_then(next_event)),
        OptOwned(first.and_then(|t| t.requested_by.clone())),
        Owned(text_literal(terms, " ")),
        I(to_micros(audit.at)),
        owned(audit.who.kind.as_str()),
        owned(&audit.who.id),
        OptOwned(audit.who.address.clone()),
        OptOwned(audit.account_id.clone()),
        owned(audit.action.as_str()),
        owned(&audit.target),
        owned(&audit.detail),
    ];
    let first_response = new
        .targets
        .iter()
        .find(|t| t.kind == TargetKind::FirstResponse)
        .map(|t| tierdesk_core::records::FirstResponse {
            clock: t.clock.clone(),
            minutes: t.minutes,
            due: t.due,
        });
    let case = Case {
        sla_due: next.map(|r| r.due),
        sla_target: next.map(|r| r.kind),
        responded: None,
        // The opening message is the customer's: it awaits an answer.
        awaiting_since: Some(k.created),
        first_response,
        ..new.case.clone()
    };
    (values, case)
}

/// The new case's display id and first message's id from an opening script's rows
/// (`OPEN_CASE`, `OPEN_UNCAPPED_CASE`); no row: the month's cap was reached.
fn opened_ids(rows: &[<Db as sqlx::Database>::Row]) -> Result<(i64, i64), StoreError> {
    let Some(row) = rows.first() else {
        return Err(StoreError::MonthlyCaseCapReached);
    };
    Ok((row.try_get("display_id")?, row.try_get("communication_id")?))
}

impl Backend {
    pub async fn create_case(&self, new: NewCase, audit: AuditEntry) -> Result<Case, StoreError> {
        // The opening message's search terms: the case's subject, the message, and who and
        // what the case is (account, case id, the people on it). Cut outside the write.
        let k = &new.case;
        let cc = k.cc_emails.join(" ");
        let terms = tierdesk_core::search::document(&[
            &k.subject,
            &new.body,
            &k.account_id,
            &k.case_id,
            &k.submitted_by,
            &cc,
        ]);
        let (values, case) = open_case_values(&new, &terms, &audit);
        // Without files, a set, an alert, an event or a mail to record, the script is the
        // whole write, and its one expected failure (the cap) writes nothing: the writer runs
        // it without a savepoint, with the batch's other openings in one call.
        let plain = new.files.is_none()
            && new.attachment_set.is_none()
            && new.alert.is_none()
            && new.health_event.is_none()
            && new.mail_message_id.is_none()
            && new.targets.len() <= 1;
        // A capped plan's openings share the account's count for the month (`Route`); an
        // uncapped opening always writes its case, and takes the engine's shorter form.
        let account_key = crate::writer::account_key(&new.case.account_id);
        let (route, opening) = match new.monthly_cap {
            Some(_) => (
                crate::writer::Route::Key(&account_key),
                crate::writer::Script { sql: OPEN_CASE, rows: None },
            ),
            None => (
                crate::writer::Route::Any,
                crate::writer::Script { sql: OPEN_UNCAPPED_CASE, rows: OPEN_CASES },
            ),
        };
        if plain {
            return self
                .writer
                .write_script(
                    route,
                    (opening, values),
                    |e| matches!(e, StoreError::MonthlyCaseCapReached),
                    move |rows| {
                        let (display_id, _) = opened_ids(&rows)?;
                        Ok(Case { display_id, ..case })
                    },
                )
                .await;
        }
        // The script writes the audit row and the search document.
        self.writer.write_led(route, None, move |c, lead| {
                Box::pin(async move {
                    let k = &new.case;
                    let at = to_micros(k.created);
                    let rows = script(c, lead, opening.sql, &values).await?;
                    let (display_id, comm) = opened_ids(&rows)?;
                    // The first target went in the script; a case opening with more (none
                    // does today) takes a call for each of the others.
                    for t in new.targets.iter().skip(1) {
                        insert_target(c, display_id, t).await?;
                    }
                    if let Some(message_id) = &new.mail_message_id {
                        insert_mail_message_id(c, message_id, comm).await?;
                    }
                    let set = match &new.files {
                        Some(files) => Some(store_files(c, files).await?.0),
                        None => new.attachment_set.clone(),
                    };
                    if let Some(set) = &set {
                        attach_set(c, &k.account_id, set, comm, at).await?;
                    }
                    if let Some(claim) = &new.alert {
                        claim_alert_group(c, &k.account_id, claim, display_id, at).await?;
                    }
                    if let Some(arn) = &new.health_event {
                        sqlx::query("INSERT INTO health_event_cases (display_id, event_arn) VALUES ($1, $2)")
                            .bind(display_id)
                            .bind(arn)
                            .execute(&mut *c)
                            .await?;
                    }
                    Ok((Case { display_id, ..case }, Vec::new()))
                })
            })
            .await
    }

    /// The query's cases, newest first, up to one more than its limit; with a `window`,
    /// only cases from its first display id on, found by text among messages from its first
    /// message id on.
    async fn cases_in(&self, q: &CaseQuery, window: Option<SearchWindow>) -> Result<Vec<Case>, StoreError> {
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE TRUE");
        let mut args = Vec::new();
        let next = |args: &mut Vec<Bind<'static>>, a: Bind<'static>| {
            args.push(a);
            args.len()
        };
        match &q.scope {
            CaseScope::Account(id) => {
                let n = next(&mut args, Bind::Owned(id.clone()));
                sql += &format!(" AND account_id = ${n}");
            }
            CaseScope::Accounts(ids) if ids.is_empty() => return Ok(Vec::new()),
            CaseScope::Accounts(ids) => {
                sql += &format!(" AND account_id IN ({})", placeholders(args.len() + 1, ids.len()));
                args.extend(ids.iter().cloned().map(Bind::Owned));
            }
            CaseScope::Everyone => {}
        }
        if !q.case_ids.is_empty() {
            let first = args.len() + 1;
            sql += &format!(" AND case_id IN ({})", placeholders(first, q.case_ids.len()));
            args.extend(q.case_ids.iter().cloned().map(Bind::Owned));
        }
        if let Some(d) = q.display_id {
            let n = next(&mut args, Bind::I(d));
            sql += &format!(" AND display_id = ${n}");
        }
        if !q.include_resolved {
            sql += " AND is_open = TRUE";
        }
        if let Some(t) = q.after {
            let n = next(&mut args, Bind::I(to_micros(t)));
            sql += &format!(" AND created_us >= ${n}");
        }
        if let Some(t) = q.before {
            let n = next(&mut args, Bind::I(to_micros(t)));
            sql += &format!(" AND created_us <= ${n}");
        }
        if let Some(l) = &q.language {
            let n = next(&mut args, Bind::Owned(l.clone()));
            sql += &format!(" AND language = ${n}");
        }
        if let Some(v) = &q.severity {
            let n = next(&mut args, Bind::Owned(v.clone()));
            sql += &format!(" AND severity_code = ${n}");
        }
        if let Some(v) = q.status {
            let n = next(&mut args, Bind::Owned(v.as_str().to_string()));
            sql += &format!(" AND status = ${n}");
        }
        if let Some(text) = &q.search {
            // Every word in one message of the case (with its subject). (`Store::cases`
            // looks for a case of that number first.)
            let terms = tierdesk_core::search::query_terms(text);
            // Text with nothing to search for (punctuation only) finds nothing.
            if terms.is_empty() {
                return Ok(Vec::new());
            }
            let from_message = window.map(|w| {
                let n = next(&mut args, Bind::I(w.first_case));
                sql += &format!(" AND display_id >= ${n}");
                w.first_message
            });
            let (condition, arg) = text_condition(&terms, q.with_internal, args.len() + 1, from_message);
            args.push(arg);
            sql += &format!(" AND {condition}");
        }
        if let Some((created, display)) = q.cursor {
            let a = next(&mut args, Bind::I(created));
            let b = next(&mut args, Bind::I(display));
            sql += &format!(" AND (created_us, display_id) < (${a}, ${b})");
        }
        // LIMIT is written out, never bound: see `limit`.
        sql += &format!(" ORDER BY created_us DESC, display_id DESC LIMIT {}", limit(q.limit + 1));
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter().map(case_from_row).collect()
    }

    pub async fn cases(&self, q: &CaseQuery) -> Result<Page<Case>, StoreError> {
        // A text search first looks among the newest cases only (on SQLite: see
        // `search_window`); when those hold a full page that no older case can rank in, it
        // is the answer, and a word ten thousand messages hold costs about what a rare one
        // does.
        let searching = q.search.is_some() && q.display_id.is_none() && q.case_ids.is_empty();
        let window = if searching { self.search_window().await? } else { None };
        let mut items = match window {
            Some(w) => {
                let recent = self.cases_in(q, Some(w)).await?;
                // A full page, and no older case opened after its last: nothing outside the
                // window can rank in it.
                let settled = match recent.last() {
                    Some(last) if recent.len() as i64 > q.limit => !self.opened_after(last.created, w.first_case).await?,
                    _ => false,
                };
                if settled { recent } else { self.cases_in(q, None).await? }
            }
            None => self.cases_in(q, None).await?,
        };
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Page { items, more })
    }

    /// Whether a case numbered below `below` was opened after `at` (read from the index on
    /// opening time, over the newest cases only).
    async fn opened_after(&self, at: jiff::Timestamp, below: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 AS found FROM cases WHERE created_us > $1 AND display_id < $2 LIMIT 1")
            .bind(to_micros(at))
            .bind(below)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        Ok(row.is_some())
    }

    /// The newest `SEARCH_WINDOW` cases: the first one's display id and its opening message's
    /// id. On SQLite one writer numbers cases and messages in the
    /// order it writes them, so every message of a case from the window on has an id from
    /// that message on, and the text index is read from there. `None` on PostgreSQL (its
    /// replicas number concurrently) and when the window would hold every case.
    async fn search_window(&self) -> Result<Option<SearchWindow>, StoreError> {
        if DIALECT != Dialect::Sqlite {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT c.display_id, (SELECT MIN(display_id) FROM cases) AS first_ever, \
             (SELECT MIN(m.id) FROM communications m WHERE m.case_display_id = c.display_id) AS first_message \
             FROM cases c WHERE c.display_id >= (SELECT MAX(display_id) FROM cases) - $1 \
             ORDER BY c.display_id LIMIT 1",
        )
        .bind(SEARCH_WINDOW)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let first_message: Option<i64> = r.try_get("first_message")?;
        let (first_case, first_ever): (i64, i64) = (r.try_get("display_id")?, r.try_get("first_ever")?);
        // A window that holds every case saves nothing.
        if first_case == first_ever {
            return Ok(None);
        }
        Ok(first_message.map(|first_message| SearchWindow {
            first_case,
            first_message,
        }))
    }

    pub async fn case(&self, account_id: &str, case_id: &str) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE case_id = $1 AND account_id = $2"
        )))
        .bind(case_id)
        .bind(account_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    pub async fn resolve_case(
        &self,
        account_id: String,
        case_id: String,
        at: jiff::Timestamp,
        notice: Option<NewNotice>,
        audit: AuditEntry,
    ) -> Result<(CaseStatus, CaseStatus), StoreError> {
        // A planned write (`Writer::write_planned`): its one refusal (no such case) comes
        // from its case's turn, before it writes.
        let key = crate::writer::case_key(&case_id);
        let read = (turn_in_account(), vec![Bind::Owned(case_id), Bind::Owned(account_id)]);
        self.writer
            .write_planned(
                &key,
                Some(audit),
                read,
                |e| matches!(e, StoreError::NotFound),
                move |rows| {
                    let turn = turn_from_rows(&rows)?.ok_or(StoreError::NotFound)?;
                    let changes = targets::on_resolve();
                    let at = to_micros(at);
                    let mut out = Statements::default();
                    change_statements(&turn, &changes, at, &mut out);
                    // A case already resolved is not resolved again.
                    if let (Some(n), true) = (&notice, turn.status != CaseStatus::Resolved) {
                        notice_statement(n, turn.display_id, NoticeRef::Given(at.to_string()), at, &mut out);
                    }
                    Ok((out.into_list(), turn.status))
                },
                |before, _| Ok(((before, CaseStatus::Resolved), Vec::new())),
            )
            .await
    }

}

/// How many of the newest cases a text search reads first.
const SEARCH_WINDOW: i64 = 20_000;

/// The newest cases a text search reads first (`search_window`): the first case's display
/// id and its opening message's id.
#[derive(Debug, Clone, Copy)]
struct SearchWindow {
    first_case: i64,
    first_message: i64,
}
