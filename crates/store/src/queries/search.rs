// Full-text search over cases: the one place where the engines differ in what they are
// asked (SQLite's FTS5 and PostgreSQL's tsvector). Both index the terms of
// `tierdesk_core::search` verbatim and match all of a query's terms within one document
// (a message, with its case's subject).

/// Documents per statement: SQLite takes at most 32,766 bound values.
const TEXT_ROWS_PER_INSERT: usize = 500;

/// SQLite's documents from `temp.text_pending` into the index (`BATCH_END`).
macro_rules! sqlite_text_flush {
    () => {
        "INSERT INTO case_text (rowid, terms) SELECT rowid, terms FROM temp.text_pending; \
         DELETE FROM temp.text_pending"
    };
}

/// Indexes messages stored before the index was (migration 17; `crate::writer::TextDoc`: a
/// message's terms, its case's subject's and, for an opening message, the account, case id
/// and people's), in as few statements as they need. SQLite's index holds the terms alone,
/// under the message's id (its case and visibility are the message's row); PostgreSQL's
/// row carries them.
async fn insert_text_rows(c: &mut Conn, docs: Vec<crate::writer::TextDoc>) -> Result<(), StoreError> {
    let mut out = Statements::default();
    text_statements(&docs, &mut out);
    let flush = match DIALECT {
        Dialect::Sqlite => sqlite_text_flush!(),
        Dialect::Postgres => "",
    };
    out.run(c, "", flush).await?;
    Ok(())
}

/// A batch's last statements (`writer::End`, `writer::Commit`): its search documents, then
/// COMMIT. On SQLite, the documents move from the writer connection's `temp.text_pending`
/// (made when it connects, `engine::connect::sqlite`) into the index in one statement.
///
/// Why: FTS5 writes its pending documents out as a new segment whenever a statement opens
/// a savepoint after them, and SQLite opens one for every statement that may change several
/// rows (an INSERT ... SELECT): documents inserted among a batch's other statements made a
/// segment per case, and the merging that follows. PostgreSQL's index has no such cost:
/// its documents go straight in, and this is COMMIT alone.
const BATCH_END: &str = match DIALECT {
    Dialect::Sqlite => concat!(sqlite_text_flush!(), "; COMMIT"),
    Dialect::Postgres => "COMMIT",
};

/// The statements indexing `docs` (on SQLite, into `temp.text_pending`: `BATCH_END`).
fn text_statements<'a>(docs: &'a [crate::writer::TextDoc], out: &mut Statements<'a>) {
    let docs: Vec<_> = docs.iter().filter(|d| !d.terms.is_empty()).collect();
    for chunk in docs.chunks(TEXT_ROWS_PER_INSERT) {
        let first = out.first();
        let (sql, width) = match DIALECT {
            Dialect::Sqlite => ("INSERT INTO temp.text_pending (rowid, terms) VALUES", 2),
            Dialect::Postgres => ("INSERT INTO case_text (communication_id, case_display_id, internal, terms) VALUES", 4),
        };
        let rows = (0..chunk.len())
            .map(|i| {
                let n = first + i * width;
                match DIALECT {
                    Dialect::Sqlite => format!("(${n}, ${})", n + 1),
                    Dialect::Postgres => format!("(${n}, ${}, ${}, CAST(${} AS tsvector))", n + 1, n + 2, n + 3),
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut args = Vec::with_capacity(chunk.len() * width);
        for d in chunk {
            args.push(Bind::I(d.communication));
            if DIALECT == Dialect::Postgres {
                args.extend([Bind::I(d.case), Bind::B(d.internal)]);
            }
            args.push(Bind::Owned(text_literal(&d.terms, " ")));
        }
        out.push(format!("{sql} {rows}"), args);
    }
}

/// `terms` as the engine reads them literally: FTS5 strings (`"a" "b"`, all of them, in a
/// MATCH) or tsvector/tsquery lexemes (`'a' 'b'`, `'a' & 'b'`), never through a parser.
///
/// Written into one string: every opening writes one (its document), and a string per
/// term cost more than the rest of the opening's values together (BENCHMARKS.md, twelfth
/// session).
fn text_literal(terms: &[String], tsquery_join: &str) -> String {
    let (quote, join) = match DIALECT {
        Dialect::Sqlite => ('"', " "),
        Dialect::Postgres => ('\'', tsquery_join),
    };
    let mut out = String::with_capacity(terms.iter().map(|t| t.len() + 2 + join.len()).sum());
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            out.push_str(join);
        }
        out.push(quote);
        for c in t.chars() {
            match (DIALECT, c) {
                // FTS5 doubles a quote inside a string.
                (Dialect::Sqlite, '"') => out.push_str("\"\""),
                // A lexeme doubles a quote and escapes a backslash.
                (Dialect::Postgres, '\'') => out.push_str("''"),
                (Dialect::Postgres, '\\') => out.push_str("\\\\"),
                _ => out.push(c),
            }
        }
        out.push(quote);
    }
    out
}

/// The condition that a case has a document holding every one of `terms` (staff see
/// internal notes' too), and its one argument. `from_message` (SQLite) reads the index
/// from that message on.
fn text_condition(terms: &[String], with_internal: bool, n: usize, from_message: Option<i64>) -> (String, Bind<'static>) {
    // An integer from the store, written out: FTS5 then seeks to it.
    let from = from_message.map_or(String::new(), |m| format!(" AND t.rowid >= {m}"));
    let condition = match (DIALECT, with_internal) {
        (Dialect::Sqlite, true) => format!(
            "display_id IN (SELECT m.case_display_id FROM case_text t \
             JOIN communications m ON m.id = t.rowid WHERE case_text MATCH ${n}{from})"
        ),
        (Dialect::Sqlite, false) => format!(
            "display_id IN (SELECT m.case_display_id FROM case_text t \
             JOIN communications m ON m.id = t.rowid WHERE case_text MATCH ${n}{from} AND m.internal = FALSE)"
        ),
        (Dialect::Postgres, true) => {
            format!("display_id IN (SELECT case_display_id FROM case_text WHERE terms @@ CAST(${n} AS tsquery))")
        }
        (Dialect::Postgres, false) => format!(
            "display_id IN (SELECT case_display_id FROM case_text \
             WHERE terms @@ CAST(${n} AS tsquery) AND internal = FALSE)"
        ),
    };
    (condition, Bind::Owned(text_literal(terms, " & ")))
}

/// Fills the index for the messages already stored (migration 17), a chunk at a time.
async fn backfill_case_text(c: &mut Conn) -> Result<(), StoreError> {
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
        let mut docs = Vec::with_capacity(rows.len());
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
            docs.push(crate::writer::TextDoc {
                communication: id,
                case: r.try_get("case_display_id")?,
                internal: r.try_get("internal")?,
                terms,
            });
        }
        insert_text_rows(c, docs).await?;
    }
}
