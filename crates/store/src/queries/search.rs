// Full-text search over cases: the one place where the engines differ in what they are
// asked (SQLite's FTS5 and PostgreSQL's tsvector). Both index the terms of
// `tierdesk_core::search` verbatim and match all of a query's terms within one document
// (a message, with its case's subject).

/// Indexes one message: `terms` are its case's subject's and its own (and for an opening
/// message, the account, case id and people's), from `tierdesk_core::search`.
async fn index_text(c: &mut Conn, display_id: i64, internal: bool, terms: &[String]) -> Result<(), sqlx::Error> {
    if terms.is_empty() {
        return Ok(());
    }
    let sql = match DIALECT {
        Dialect::Sqlite => "INSERT INTO case_text (terms, case_display_id, internal) VALUES ($1, $2, $3)",
        Dialect::Postgres => {
            "INSERT INTO case_text (terms, case_display_id, internal) VALUES (CAST($1 AS tsvector), $2, $3)"
        }
    };
    sqlx::query(sql)
        .bind(text_literal(terms, " "))
        .bind(display_id)
        .bind(internal)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// `terms` as the engine reads them literally: FTS5 strings (`"a" "b"`, all of them, in a
/// MATCH) or tsvector/tsquery lexemes (`'a' 'b'`, `'a' & 'b'`), never through a parser.
fn text_literal(terms: &[String], tsquery_join: &str) -> String {
    match DIALECT {
        Dialect::Sqlite => terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" "),
        Dialect::Postgres => terms
            .iter()
            .map(|t| format!("'{}'", t.replace('\\', "\\\\").replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(tsquery_join),
    }
}

/// The condition that a case has a document holding every one of `terms` (staff see
/// internal notes' too), and its one argument.
fn text_condition(terms: &[String], with_internal: bool, n: usize) -> (String, Arg) {
    let visible = if with_internal { "" } else { " AND internal = FALSE" };
    let matches = match DIALECT {
        Dialect::Sqlite => format!("case_text MATCH ${n}"),
        Dialect::Postgres => format!("terms @@ CAST(${n} AS tsquery)"),
    };
    (
        format!("display_id IN (SELECT case_display_id FROM case_text WHERE {matches}{visible})"),
        Arg::S(text_literal(terms, " & ")),
    )
}

/// Fills the index for the messages already stored (migration 17), a chunk at a time.
async fn backfill_case_text(c: &mut Conn) -> Result<(), sqlx::Error> {
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT m.id, m.case_display_id, m.internal, m.body, c.subject, c.account_id, c.case_id, \
             c.submitted_by, c.cc_emails, \
             (SELECT MIN(f.id) FROM communications f WHERE f.case_display_id = m.case_display_id) AS first_id \
             FROM communications m JOIN cases c ON c.display_id = m.case_display_id \
             WHERE m.id > $1 ORDER BY m.id LIMIT 500",
        )
        .bind(after)
        .fetch_all(&mut *c)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.try_get("id")?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let body: String = r.try_get("body")?;
            let subject: String = r.try_get("subject")?;
            let mut parts = vec![subject, body];
            if Some(id) == r.try_get::<Option<i64>, _>("first_id")? {
                for column in ["account_id", "case_id", "submitted_by", "cc_emails"] {
                    parts.push(r.try_get(column)?);
                }
            }
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            let terms = tierdesk_core::search::document(&parts);
            index_text(c, r.try_get("case_display_id")?, r.try_get("internal")?, &terms).await?;
        }
    }
}
