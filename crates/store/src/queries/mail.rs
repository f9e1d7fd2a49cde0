// The mail outbox (see `mail.rs`): writing a notice with its event, claiming, settling;
// and the reads a notice's mails are written from.
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files: `Db`, `Conn`, `DIALECT`, `MIGRATIONS`, `begin_sql` and
// `connect` come from there, and the helpers from `queries/common.rs`. Each query is
// written once, in SQL both engines run.

use crate::mail::{ClaimedNotice, InboundRecord, NewNotice, NoticeOutcome, NoticeSubject};

/// Writes a notice in its event's transaction. A notice about the same thing twice (a
/// retried write) is one notice.
async fn insert_notice(
    c: &mut Conn,
    n: &NewNotice,
    display_id: i64,
    subject_ref: &str,
    at_us: i64,
) -> Result<(), StoreError> {
    let mut out = Statements::default();
    notice_statement(n, display_id, NoticeRef::Given(subject_ref.to_string()), at_us, &mut out);
    out.run(c, "", "").await?;
    Ok(())
}

/// What names a case's notice (its `subject_ref`).
enum NoticeRef {
    Given(String),
    /// The message the statement before inserted: its id, read where the engine keeps the
    /// id it made last in this session (SQLite's `last_insert_rowid()`, PostgreSQL's
    /// sequence's `currval`), so the notice goes in the message's call.
    NewMessage,
}

/// `insert_notice`'s statement, for a write that sends it with others.
fn notice_statement<'a>(n: &'a NewNotice, display_id: i64, subject_ref: NoticeRef, at_us: i64, out: &mut Statements<'a>) {
    let f = out.first();
    let mut args = vec![Bind::S(n.kind.as_str()), Bind::I(display_id)];
    let subject = match subject_ref {
        NoticeRef::Given(s) => {
            args.push(Bind::Owned(s));
            format!("${}", f + 2)
        }
        NoticeRef::NewMessage => match DIALECT {
            Dialect::Sqlite => "CAST(last_insert_rowid() AS TEXT)".to_string(),
            Dialect::Postgres => "CAST(currval(pg_get_serial_sequence('communications', 'id')) AS TEXT)".to_string(),
        },
    };
    let next = f + args.len();
    args.extend([Bind::I(at_us), Bind::I(to_micros(n.due))]);
    out.push(
        format!(
            "INSERT INTO notices (kind, case_display_id, subject_ref, created_us, next_attempt_us) \
             VALUES (${f}, ${}, {subject}, ${next}, ${}) ON CONFLICT (kind, case_display_id, subject_ref) DO NOTHING",
            f + 1,
            next + 1
        ),
        args,
    );
}

/// Writes a notice about an account (not one of its cases) in its event's transaction.
async fn insert_account_notice(
    c: &mut Conn,
    n: &NewNotice,
    account_id: &str,
    subject_ref: &str,
    at_us: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notices (kind, account_id, subject_ref, created_us, next_attempt_us) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, account_id, subject_ref) DO NOTHING",
    )
    .bind(n.kind.as_str())
    .bind(account_id)
    .bind(subject_ref)
    .bind(at_us)
    .bind(to_micros(n.due))
    .execute(&mut *c)
    .await?;
    Ok(())
}

fn sent_ids_from(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl Backend {
    pub async fn claim_notices(
        &self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        n: i64,
    ) -> Result<Vec<ClaimedNotice>, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT id, kind, case_display_id, account_id, subject_ref, created_us, attempts, sent_ids, next_attempt_us \
                         FROM notices WHERE next_attempt_us <= $1 ORDER BY next_attempt_us, id LIMIT {}",
                        limit(n)
                    )))
                    .bind(to_micros(now))
                    .fetch_all(&mut *c)
                    .await?;
                    let mut claimed = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let id: i64 = r.try_get("id")?;
                        let seen: i64 = r.try_get("next_attempt_us")?;
                        // Compare and set: on PostgreSQL another replica may have read the
                        // same row; only one moves it.
                        let got = sqlx::query(
                            "UPDATE notices SET next_attempt_us = $1 WHERE id = $2 AND next_attempt_us = $3",
                        )
                        .bind(to_micros(lease_until))
                        .bind(id)
                        .bind(seen)
                        .execute(&mut *c)
                        .await?;
                        if got.rows_affected() != 1 {
                            continue;
                        }
                        let kind: String = r.try_get("kind")?;
                        let about = match (r.try_get::<Option<i64>, _>("case_display_id")?, r.try_get::<Option<String>, _>("account_id")?) {
                            (Some(display_id), _) => NoticeSubject::Case(display_id),
                            (None, Some(account)) => NoticeSubject::Account(account),
                            (None, None) => return Err(StoreError::Corrupt(format!("notice {id} is about nothing"))),
                        };
                        claimed.push(ClaimedNotice {
                            id,
                            kind: tierdesk_core::notice::NoticeKind::parse(&kind)
                                .ok_or_else(|| StoreError::Corrupt(format!("unknown notice kind '{kind}'")))?,
                            about,
                            subject_ref: r.try_get("subject_ref")?,
                            created: from_micros(r.try_get("created_us")?),
                            attempts: r.try_get("attempts")?,
                            sent_ids: sent_ids_from(&r.try_get::<String, _>("sent_ids")?),
                            lease: lease_until,
                        });
                    }
                    Ok(claimed)
                })
            })
            .await
    }

    pub async fn settle_notice(
        &self,
        id: i64,
        lease: jiff::Timestamp,
        accepted: Vec<String>,
        outcome: NoticeOutcome,
        at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let row = sqlx::query("SELECT sent_ids FROM notices WHERE id = $1 AND next_attempt_us = $2")
                        .bind(id)
                        .bind(to_micros(lease))
                        .fetch_optional(&mut *c)
                        .await?;
                    let Some(row) = row else {
                        return Err(StoreError::NotFound);
                    };
                    let mut sent = sent_ids_from(&row.try_get::<String, _>("sent_ids")?);
                    for a in accepted {
                        if !sent.contains(&a) {
                            sent.push(a);
                        }
                    }
                    let sent = sent.join("\n");
                    let (next, sent_us, failed_us, error) = match &outcome {
                        NoticeOutcome::Sent => (None, Some(to_micros(at)), None, None),
                        NoticeOutcome::Failed { error, retry_at: Some(t) } => {
                            (Some(to_micros(*t)), None, None, Some(error.as_str()))
                        }
                        NoticeOutcome::Failed { error, retry_at: None } => {
                            (None, None, Some(to_micros(at)), Some(error.as_str()))
                        }
                    };
                    let r = sqlx::query(
                        "UPDATE notices SET attempts = attempts + 1, next_attempt_us = $1, sent_ids = $2, \
                         sent_us = $3, failed_us = $4, last_error = COALESCE($5, last_error) \
                         WHERE id = $6 AND next_attempt_us = $7",
                    )
                    .bind(next)
                    .bind(sent)
                    .bind(sent_us)
                    .bind(failed_us)
                    .bind(error)
                    .bind(id)
                    .bind(to_micros(lease))
                    .execute(&mut *c)
                    .await?;
                    found(r)
                })
            })
            .await
    }

    pub async fn case_updated(&self, display_id: i64) -> Result<Option<jiff::Timestamp>, StoreError> {
        let row = sqlx::query("SELECT updated_us FROM cases WHERE display_id = $1")
            .bind(display_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(|r| Ok(from_micros(r.try_get("updated_us")?))).transpose()
    }

    pub async fn case_by_display_id(&self, display_id: i64) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases {FR_JOIN} WHERE display_id = $1"
        )))
        .bind(display_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(case_from_row).transpose()
    }

    pub async fn communication(&self, id: i64) -> Result<Option<Communication>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.case_display_id, m.body, m.submitted_by, m.from_support, m.internal, m.created_us, \
             a.attachment_id, a.file_name, a.size_bytes, a.created_us AS attachment_created_us, k.case_id \
             FROM communications m JOIN cases k ON k.display_id = m.case_display_id \
             LEFT JOIN attachments a ON a.communication_id = m.id WHERE m.id = $1",
        )
        .bind(id)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let case_id: String = first.try_get("case_id")?;
        Ok(Self::communications_from_rows(&rows, |_| case_id.clone())?.into_iter().next().map(|(_, m)| m))
    }

    pub async fn record_inbound(&self, r: InboundRecord) -> Result<i64, StoreError> {
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let row = sqlx::query(
                        "INSERT INTO inbound_mail (received_us, outcome, reason, sender, subject, message_id, case_id, raw) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(to_micros(r.received))
                    .bind(&r.outcome)
                    .bind(&r.reason)
                    .bind(&r.sender)
                    .bind(&r.subject)
                    .bind(&r.message_id)
                    .bind(&r.case_id)
                    .bind(&r.raw)
                    .fetch_one(&mut *c)
                    .await?;
                    Ok(row.try_get("id")?)
                })
            })
            .await
    }

    pub async fn inbound_mail(&self, outcome: Option<&str>, n: i64) -> Result<Vec<InboundRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, received_us, outcome, reason, sender, subject, message_id, case_id FROM inbound_mail \
             WHERE ($1 IS NULL OR outcome = $1) ORDER BY received_us DESC, id DESC LIMIT {}",
            limit(n)
        )))
        .bind(outcome)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(|r| inbound_from_row(r, false)).collect()
    }

    pub async fn subscriptions(&self, email: &str, channel: &str) -> Result<Vec<(String, bool)>, StoreError> {
        let rows = sqlx::query("SELECT topic, enabled FROM subscriptions WHERE email = $1 AND channel = $2 ORDER BY topic")
            .bind(email.to_lowercase())
            .bind(channel)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(|r| Ok((r.try_get("topic")?, r.try_get("enabled")?))).collect()
    }

    pub async fn set_subscriptions(
        &self,
        email: String,
        channel: String,
        choices: Vec<(String, bool)>,
        at: jiff::Timestamp,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    for (topic, enabled) in &choices {
                        sqlx::query(
                            "INSERT INTO subscriptions (email, topic, channel, enabled, updated_us) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (email, topic, channel) DO UPDATE SET enabled = excluded.enabled, \
                             updated_us = excluded.updated_us",
                        )
                        .bind(email.to_lowercase())
                        .bind(topic)
                        .bind(&channel)
                        .bind(*enabled)
                        .bind(to_micros(at))
                        .execute(&mut *c)
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn mail_received(&self, message_id: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT communication_id FROM mail_messages WHERE message_id = $1")
            .bind(message_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?
            .is_some())
    }

    pub async fn inbound(&self, id: i64) -> Result<Option<InboundRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, received_us, outcome, reason, sender, subject, message_id, case_id, raw FROM inbound_mail WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.map(|r| inbound_from_row(&r, true)).transpose()
    }
}

fn inbound_from_row(r: &<Db as sqlx::Database>::Row, with_raw: bool) -> Result<InboundRecord, StoreError> {
    Ok(InboundRecord {
        id: r.try_get("id")?,
        received: from_micros(r.try_get("received_us")?),
        outcome: r.try_get("outcome")?,
        reason: r.try_get("reason")?,
        sender: r.try_get("sender")?,
        subject: r.try_get("subject")?,
        message_id: r.try_get("message_id")?,
        case_id: r.try_get("case_id")?,
        raw: if with_raw { r.try_get("raw")? } else { None },
    })
}
