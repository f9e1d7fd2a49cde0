// Communications: pages of a conversation, the five newest per case, posting a message.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.


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
    // Used once: the condition holds the rule even without the lock.
    let r = sqlx::query("UPDATE attachment_sets SET used_us = $1 WHERE set_id = $2 AND used_us IS NULL")
        .bind(now_us)
        .bind(set_id)
        .execute(&mut *c)
        .await?;
    if r.rows_affected() != 1 {
        return Err(StoreError::AttachmentSetNotFound);
    }
    sqlx::query("UPDATE attachments SET communication_id = $1 WHERE set_id = $2")
        .bind(communication_id)
        .bind(set_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The most addresses a case copies (the Support API takes ten per call).
const MAX_CASE_CC: usize = 10;

/// Adds addresses to those a case copies (once each, whatever their case).
async fn add_cc(c: &mut Conn, display_id: i64, more: &[String]) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT cc_emails FROM cases WHERE display_id = $1")
        .bind(display_id)
        .fetch_one(&mut *c)
        .await?;
    let mut cc: Vec<String> = row.try_get::<String, _>("cc_emails")?.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
    for m in more {
        if !cc.iter().any(|c| c.eq_ignore_ascii_case(m)) {
            cc.push(m.clone());
        }
    }
    if cc.len() > MAX_CASE_CC {
        return Err(StoreError::CcListFull);
    }
    sqlx::query("UPDATE cases SET cc_emails = $1 WHERE display_id = $2")
        .bind(cc.join("\n"))
        .bind(display_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The statement inserting `new`'s message into the case `display_id`, returning its `id`.
fn message_statement<'a>(new: &'a NewCommunication, display_id: i64, at_us: i64, out: &mut Statements<'a>) {
    let f = out.first();
    out.push(
        format!(
            "INSERT INTO communications (case_display_id, body, submitted_by, from_support, internal, created_us) \
             VALUES ({}) RETURNING id",
            placeholders(f, 6)
        ),
        vec![
            Bind::I(display_id),
            Bind::S(&new.body),
            Bind::S(&new.submitted_by),
            Bind::B(new.from_support),
            Bind::B(new.internal),
            Bind::I(at_us),
        ],
    );
}

/// A message from a mail keeps the mail's Message-ID, once: a second delivery fails here
/// and leaves nothing of itself.
async fn insert_mail_message_id(c: &mut Conn, message_id: &str, communication_id: i64) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO mail_messages (message_id, communication_id) VALUES ($1, $2)")
        .bind(message_id)
        .bind(communication_id)
        .execute(&mut *c)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::AlreadyReceived,
            e => e.into(),
        })?;
    Ok(())
}

impl Backend {
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
                let size_bytes: Option<i64> = r.try_get("size_bytes")?;
                let size_bytes = size_bytes.unwrap_or_default();
                attachments.push((id, created.unwrap_or_default(), AttachmentRef { attachment_id, file_name, size_bytes }));
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
        // The cases as rows of one column, typed for PostgreSQL (whose VALUES would
        // otherwise take the values as text).
        let keys = (1..=cases.len()).map(|i| format!("(CAST(${i} AS BIGINT))")).collect::<Vec<_>>().join(", ");
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
                keys,
                limit(n + 1)
            ),
            // SQLite has no LATERAL (and per-case subqueries joined by UNION ALL were
            // re-prepared on every call). Each case's cut-off first: the time of its
            // (n + 1)-th newest message, a walk of n + 1 entries down its index; then the
            // messages from that time on, a range of the same index. A window function
            // over all of a case's messages made a page of cases holding a hundred
            // messages each 14 times slower than one of new cases. A tie at the cut-off
            // brings a few rows more, which the page below drops.
            Dialect::Sqlite => format!(
                "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us \
                 FROM (SELECT v.column1 AS d, COALESCE((SELECT x.created_us FROM communications x \
                  WHERE x.case_display_id = v.column1 AND x.internal = FALSE \
                  ORDER BY x.created_us DESC, x.id DESC LIMIT 1 OFFSET {}), -9223372036854775807) AS since \
                  FROM (VALUES {}) AS v) AS k \
                 CROSS JOIN communications m \
                 WHERE m.case_display_id = k.d AND m.created_us >= k.since AND m.internal = FALSE",
                limit(n),
                keys
            ),
        };
        let sql = format!(
            "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us, \
             a.attachment_id, a.file_name, a.size_bytes, a.created_us AS attachment_created_us \
             FROM ({newest}) AS m LEFT JOIN attachments a ON a.communication_id = m.id"
        );
        let args: Vec<Bind<'static>> = cases.iter().map(|(d, _)| Bind::I(*d)).collect();
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
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
        let mut args = vec![Bind::I(case.display_id)];
        if !q.include_internal {
            newest += " AND internal = FALSE";
        }
        if let Some(t) = q.after {
            args.push(Bind::I(to_micros(t)));
            newest += &format!(" AND created_us >= ${}", args.len());
        }
        if let Some(t) = q.before {
            args.push(Bind::I(to_micros(t)));
            newest += &format!(" AND created_us <= ${}", args.len());
        }
        if let Some((created, id)) = q.cursor {
            args.push(Bind::I(created));
            args.push(Bind::I(id));
            newest += &format!(" AND (created_us, id) < (${}, ${})", args.len() - 1, args.len());
        }
        newest += &format!(" ORDER BY created_us DESC, id DESC LIMIT {}", limit(q.limit + 1));
        let sql = format!(
            "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us, \
             a.attachment_id, a.file_name, a.size_bytes, a.created_us AS attachment_created_us \
             FROM ({newest}) AS m LEFT JOIN attachments a ON a.communication_id = m.id"
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        let mut items: Vec<Communication> = Self::communications_from_rows(&rows, |_| case.case_id.clone())?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let more = items.len() as i64 > q.limit;
        items.truncate(q.limit.max(0) as usize);
        Ok(Some(Page { items, more }))
    }

    pub async fn add_communication(&self, new: NewCommunication, audit: AuditEntry) -> Result<(), StoreError> {
        // Cut outside the write: the writer's transaction is the scarce resource.
        let body_terms = tierdesk_core::search::terms(&new.body);
        let key = crate::writer::case_key(&new.case_id);
        // A message without files, a set, new copies or a mail to record is a planned write
        // (`Writer::write_planned`): its refusals (no such case, the case full) come from
        // its case's turn, before it writes, and its statements go with those of the
        // messages on other cases queued beside it.
        let plain = new.files.is_none() && new.attachment_set.is_none() && new.cc_emails.is_empty() && new.mail_message_id.is_none();
        if plain {
            let read = (turn_in_account(), vec![Bind::Owned(new.case_id.clone()), Bind::Owned(new.account_id.clone())]);
            let clean = |e: &StoreError| matches!(e, StoreError::NotFound | StoreError::CaseFull);
            return self
                .writer
                .write_planned(
                    &key,
                    Some(audit),
                    read,
                    clean,
                    move |rows| {
                        let turn = turn_from_rows(&rows)?.ok_or(StoreError::NotFound)?;
                        let (statements, terms) = message_plan(&new, &turn, &body_terms)?;
                        Ok((statements, (turn.display_id, new.internal, terms)))
                    },
                    |(case, internal, terms), rows| {
                        let communication = message_id(&rows)?;
                        Ok(((), vec![crate::writer::TextDoc { communication, case, internal, terms }]))
                    },
                )
                .await;
        }
        // Otherwise a write of its own, in a savepoint: the case's turn, then the message
        // with its notice and the case's clock, then its files, copies or Message-ID.
        self.writer.write_led(crate::writer::Route::Key(&key), Some(audit), move |c, lead| {
                Box::pin(async move {
                    let Some(turn) = case_turn(c, lead, CaseKey::InAccount(&new.account_id, &new.case_id)).await? else {
                        return Err(StoreError::NotFound);
                    };
                    let (statements, terms) = message_plan(&new, &turn, &body_terms)?;
                    let rows = run_statements(c, vec![statements]).await?.into_iter().flatten().collect::<Vec<_>>();
                    let comm = message_id(&rows)?;
                    if let Some(message_id) = &new.mail_message_id {
                        insert_mail_message_id(c, message_id, comm).await?;
                    }
                    let doc = crate::writer::TextDoc {
                        communication: comm,
                        case: turn.display_id,
                        internal: new.internal,
                        terms,
                    };
                    // Files posted with the message are stored with it, in this transaction.
                    let set = match &new.files {
                        Some(files) => Some(store_files(c, files).await?.0),
                        None => new.attachment_set.clone(),
                    };
                    if let Some(set) = &set {
                        attach_set(c, &new.account_id, set, comm, to_micros(new.at)).await?;
                    }
                    if !new.cc_emails.is_empty() {
                        add_cc(c, turn.display_id, &new.cc_emails).await?;
                    }
                    Ok(((), vec![doc]))
                })
            })
            .await
    }

}

/// A message's statements on `turn`'s case: the message, its notice and the case's clock
/// as the SLA rules move it; and the message's search terms (the case's subject's and
/// `body_terms`). Refuses a message the case has no room for.
fn message_plan(
    new: &NewCommunication,
    turn: &Turn,
    body_terms: &[String],
) -> Result<(Vec<crate::writer::Statement>, Vec<String>), StoreError> {
    // The messages already there: one case cannot grow without bound.
    if new.max_per_case.is_some_and(|max| turn.messages >= max) {
        return Err(StoreError::CaseFull);
    }
    // The plan runs on the writer's task: the body was cut before, and the two lists join
    // without comparing every term with every other (a pasted log holds hundreds).
    let subject_terms = tierdesk_core::search::terms(&turn.subject);
    let terms = tierdesk_core::search::joined(&[&subject_terms, body_terms]);
    let at = to_micros(new.at);
    let author = if new.from_support { Author::Support } else { Author::Customer };
    let changes = targets::on_message(turn.status, &turn.running, author, new.internal, new.follow_up.clone());
    let mut out = Statements::default();
    message_statement(new, turn.display_id, at, &mut out);
    if let Some(n) = &new.notice {
        // Named by the message's id, which the statement before made.
        notice_statement(n, turn.display_id, NoticeRef::NewMessage, at, &mut out);
    }
    change_statements(turn, &changes, at, &mut out);
    Ok((out.into_list(), terms))
}

/// The id of the message a message's statements stored (the first row they returned).
fn message_id(rows: &[<Db as sqlx::Database>::Row]) -> Result<i64, StoreError> {
    Ok(rows
        .first()
        .ok_or_else(|| StoreError::Corrupt("a message's insert returned no id".into()))?
        .try_get("id")?)
}
