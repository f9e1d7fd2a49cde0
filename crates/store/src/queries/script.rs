// Scripts: a write's statements sent as one unit, with the writer's savepoint statements
// in front (the hot writes: opening a case, adding a message, resolving).
// Included once per engine by the `backend!` macro in `engine.rs`.
//
// Why: on SQLite every call is a hand-off to sqlx's connection thread and back (two thread
// wake-ups), and the writer makes its calls one after another, so a write of seven
// statements cost seven hand-offs on the one path every write shares. A script is one.
//
// The SQL is written once. SQLite takes the whole text in one call; PostgreSQL's extended
// protocol takes one statement per message, so it gets the same statements one at a time.
// Every statement sees the whole list of values (`$1`, `$2`, ... shared by the script). On
// PostgreSQL a statement is sent the values up to the highest it names (`args_of`); sqlx
// declares their types, so it may leave some below that unused.

/// Each `$n` a statement names: where it starts and ends in the text, and `n`.
fn numbered_values(sql: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    sql.match_indices('$').filter_map(|(at, _)| {
        let digits = sql[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let end = at + 1 + digits;
        sql[at + 1..end].parse::<usize>().ok().map(|n| (at, end, n))
    })
}

/// Writes `sql` to `text` with each `$k` written `$(k + shift)`.
fn push_shifted(text: &mut String, sql: &str, shift: usize) {
    use std::fmt::Write;
    let mut from = 0;
    for (start, end, k) in numbered_values(sql) {
        text.push_str(&sql[from..start]);
        let _ = write!(text, "${}", k + shift);
        from = end;
    }
    text.push_str(&sql[from..]);
}

/// A script's values as one of its statements binds them on PostgreSQL: up to the highest
/// `$n` it names. A statement sent with more values than it names fails where the
/// connection has prepared the same text for a query that sent only those (PostgreSQL:
/// "bind message supplies 2 parameters, but prepared statement requires 1").
fn args_of<'q>(statement: &str, args: &[Bind<'q>]) -> impl Iterator<Item = Bind<'q>> {
    let highest = numbered_values(statement).map(|(_, _, n)| n).max().unwrap_or(0);
    args.iter().take(highest).cloned()
}

/// Runs `lead` (the writer's savepoint statements, `Lead::sql`), then `sql`'s statements
/// (`;`-separated, none holding a `;` in a literal) with `args`; returns the rows they
/// return, in order.
async fn script(
    c: &mut Conn,
    lead: crate::writer::Lead,
    sql: &str,
    args: &[Bind<'_>],
) -> Result<Vec<<Db as sqlx::Database>::Row>, StoreError> {
    match DIALECT {
        Dialect::Sqlite => {
            let text = match &*lead.sql() {
                "" => sql.to_string(),
                l => format!("{l}; {sql}"),
            };
            Ok(bound(sqlx::query(sqlx::AssertSqlSafe(text)), args.iter().cloned()).fetch_all(&mut *c).await?)
        }
        Dialect::Postgres => {
            crate::writer::run_lead::<Db>(c, lead).await?;
            Ok(rows_per_statement(c, sql, args).await?.into_iter().flatten().collect())
        }
    }
}

/// `sql`'s statements (`;`-separated, none holding a `;` in a literal) with `args` shared
/// by all of them; the rows of each statement, in order. SQLite takes the whole text in one
/// call: for a read, one hand-off to the reader's thread, whose page cache (dropped
/// whenever a commit came between its reads) is filled once, not once per statement.
async fn rows_per_statement(
    c: &mut Conn,
    sql: &str,
    args: &[Bind<'_>],
) -> Result<Vec<Vec<<Db as sqlx::Database>::Row>>, StoreError> {
    match DIALECT {
        Dialect::Sqlite => {
            let text = sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql.to_string()));
            sqlite_rows_per_statement(c, text, args.to_vec()).await
        }
        Dialect::Postgres => {
            let mut rows = Vec::new();
            for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                rows.push(bound(sqlx::query(sqlx::AssertSqlSafe(statement)), args_of(statement, args)).fetch_all(&mut *c).await?);
            }
            Ok(rows)
        }
    }
}

/// SQLite's side of `rows_per_statement` and of `run_scripts`: the text's statements in
/// one call, the rows split by the statement that returned them (sqlx reports the end of
/// each statement, rows or not, before the next one's rows).
async fn sqlite_rows_per_statement(
    c: &mut Conn,
    text: sqlx::SqlStr,
    args: Vec<Bind<'_>>,
) -> Result<Vec<Vec<<Db as sqlx::Database>::Row>>, StoreError> {
    use futures_util::TryStreamExt;
    let mut rows = vec![Vec::new()];
    // Multi-statement queries are SQLite's alone in sqlx (and deprecated there): the
    // conformance suite runs every caller on both engines.
    #[allow(deprecated)]
    let mut results = bound(sqlx::query(text), args).fetch_many(&mut *c);
    while let Some(item) = results.try_next().await? {
        match item {
            sqlx::Either::Left(_) => rows.push(Vec::new()),
            sqlx::Either::Right(row) => {
                if let Some(list) = rows.last_mut() {
                    list.push(row);
                }
            }
        }
    }
    // The list opened after the last statement's end holds nothing.
    rows.pop();
    Ok(rows)
}

/// Statements assembled at run time (a batch's audit rows and search documents), sent like
/// a script: in one call on SQLite, one by one on PostgreSQL. Each statement numbers its
/// values from `first()`: on SQLite after the statements before it (they share one list),
/// on PostgreSQL from 1.
///
/// The connection keeps each text prepared, a batch's tail too (one text per count of
/// rows): preparing it afresh for every batch cost more than the cache's churn
/// (CreateCase at 128 in flight, 4,900/s kept and 4,300/s not).
#[derive(Default)]
struct Statements<'a> {
    list: Vec<(String, Vec<Bind<'a>>)>,
    values: usize,
}

impl<'a> Statements<'a> {
    /// The number of the next statement's first value.
    fn first(&self) -> usize {
        match DIALECT {
            Dialect::Sqlite => self.values + 1,
            Dialect::Postgres => 1,
        }
    }

    fn push(&mut self, sql: String, args: Vec<Bind<'a>>) {
        self.values += args.len();
        self.list.push((sql, args));
    }

    /// The statements with their values copied, for a planned write (`writer::Planned`).
    fn into_list(self) -> Vec<crate::writer::Statement> {
        self.list
            .into_iter()
            .map(|(sql, args)| (sql, args.into_iter().map(Bind::into_static).collect()))
            .collect()
    }

    /// Runs `lead`, the statements, then `end` (each `;`-separated SQL without values).
    async fn run(self, c: &mut Conn, lead: &str, end: &str) -> Result<(), sqlx::Error> {
        self.rows(c, lead, end).await.map(|_| ())
    }

    /// `run`, answering with the rows the statements returned, in order.
    async fn rows(self, c: &mut Conn, lead: &str, end: &str) -> Result<Vec<<Db as sqlx::Database>::Row>, sqlx::Error> {
        let mut rows = Vec::new();
        match DIALECT {
            Dialect::Sqlite => {
                let mut text = String::new();
                for part in std::iter::once(lead)
                    .chain(self.list.iter().map(|(sql, _)| sql.as_str()))
                    .chain(std::iter::once(end))
                    .filter(|p| !p.is_empty())
                {
                    if !text.is_empty() {
                        text.push_str("; ");
                    }
                    text.push_str(part);
                }
                if text.is_empty() {
                    return Ok(rows);
                }
                let args: Vec<Bind<'a>> = self.list.into_iter().flat_map(|(_, a)| a).collect();
                rows = bound(sqlx::query(sqlx::AssertSqlSafe(text)), args).fetch_all(&mut *c).await?;
            }
            Dialect::Postgres => {
                if !lead.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(lead)).execute(&mut *c).await?;
                }
                for (sql, args) in &self.list {
                    rows.extend(bound(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), args.iter().cloned()).fetch_all(&mut *c).await?);
                }
                if !end.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(end)).execute(&mut *c).await?;
                }
            }
        }
        Ok(rows)
    }
}

/// Runs the statements of planned writes (`writer::Planned`), each write numbering its
/// values as `Statements` does: the rows each write's statements returned.
///
/// SQLite takes writes whose statements have the same texts (a shape) together, in runs of
/// a power of two, each run one call whose text the connection keeps prepared: the text
/// depends only on the shape and the run's length, so few are kept, and preparing afresh
/// the trigger-laden updates of a mixed group cost more than the calls it saved (an
/// engineer's reply, 100 µs of CPU more). Writes of a group are on different cases, and
/// SQLite has one writer, so their order does not matter there. PostgreSQL takes each
/// statement in turn, in the writes' order (the order of their keys: `writer::Route`).
async fn run_statements(
    c: &mut Conn,
    writes: Vec<Vec<crate::writer::Statement>>,
) -> Result<Vec<Vec<<Db as sqlx::Database>::Row>>, StoreError> {
    let mut rows: Vec<Vec<_>> = (0..writes.len()).map(|_| Vec::new()).collect();
    match DIALECT {
        Dialect::Sqlite => {
            // The writes by shape, each shape's in runs of a power of two, longest first.
            let mut order: Vec<usize> = (0..writes.len()).collect();
            let shape = |w: usize| writes[w].iter().map(|(sql, _)| sql.as_str());
            order.sort_by(|&a, &b| shape(a).cmp(shape(b)));
            let mut runs: Vec<&[usize]> = Vec::new();
            let mut rest = &order[..];
            while let Some(&first) = rest.first() {
                let same = rest.iter().take_while(|&&w| shape(w).eq(shape(first))).count();
                let (run, after) = rest.split_at(1 << same.ilog2());
                runs.push(run);
                rest = after;
            }
            let mut writes: Vec<Option<Vec<crate::writer::Statement>>> = writes.into_iter().map(Some).collect();
            for run in runs {
                let mut text = String::new();
                let mut args: Vec<Bind<'static>> = Vec::new();
                // The write each statement belongs to.
                let mut owner = Vec::new();
                for &w in run {
                    let shift = args.len();
                    for (sql, values) in writes[w].take().unwrap_or_default() {
                        if !text.is_empty() {
                            text.push_str("; ");
                        }
                        push_shifted(&mut text, &sql, shift);
                        args.extend(values);
                        owner.push(w);
                    }
                }
                if text.is_empty() {
                    continue;
                }
                let text = sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(text));
                for (statement, returned) in sqlite_rows_per_statement(c, text, args).await?.into_iter().enumerate() {
                    if let Some(list) = owner.get(statement).and_then(|w| rows.get_mut(*w)) {
                        list.extend(returned);
                    }
                }
            }
        }
        Dialect::Postgres => {
            for (list, got) in writes.into_iter().zip(rows.iter_mut()) {
                for (sql, values) in list {
                    got.extend(bound(sqlx::query(sqlx::AssertSqlSafe(sql)), values).fetch_all(&mut *c).await?);
                }
            }
        }
    }
    Ok(rows)
}

/// Runs writes of one script (`writer::Scripted`), after `lead`, then `BATCH_END` when `commit`
/// says so: the rows each returned. SQLite takes all of it in one call, each write's
/// statements numbering its values after the writes before it (the text for `n` writes is
/// made once and kept); PostgreSQL takes the script's group form, one statement for all
/// of them, where it has one (`writer::Script::rows`), and otherwise each statement of each
/// write in turn.
async fn run_scripts(
    c: &mut Conn,
    lead: crate::writer::Lead,
    form: crate::writer::Script,
    writes: Vec<Vec<Bind<'static>>>,
    commit: crate::writer::Commit,
) -> Result<Vec<Vec<<Db as sqlx::Database>::Row>>, StoreError> {
    let commit = commit == crate::writer::Commit::Yes;
    let sql = form.sql;
    if let (Dialect::Postgres, Some(group)) = (DIALECT, form.rows) {
        // A batch that is this one statement needs no BEGIN and COMMIT: one round trip
        // instead of three. (At 16 openings in flight a writer's batch held two on average,
        // and each batch waited for all three.)
        let alone = commit && lead.waive_begin();
        if !alone {
            crate::writer::run_lead::<Db>(c, lead).await?;
        }
        let returned = sqlx::query(group).bind(values_json(&writes)?).fetch_all(&mut *c).await?;
        let mut rows: Vec<Vec<_>> = (0..writes.len()).map(|_| Vec::new()).collect();
        for row in returned {
            let n: i64 = row.try_get("n")?;
            let list = usize::try_from(n).ok().and_then(|n| n.checked_sub(1)).and_then(|i| rows.get_mut(i));
            let Some(list) = list else {
                return Err(StoreError::Corrupt(format!("a group's row names write {n} of {}", writes.len())));
            };
            list.push(row);
        }
        if commit && !alone {
            sqlx::raw_sql(BATCH_END).execute(&mut *c).await?;
        }
        return Ok(rows);
    }
    match DIALECT {
        Dialect::Sqlite => {
            let width = writes.first().map_or(0, Vec::len);
            let count = writes.len();
            let per_write = sql.split(';').count();
            let lead = lead.sql();
            let led = if lead.is_empty() { 0 } else { lead.split(';').count() };
            let text = repeated_script(sql, width, count);
            let text: sqlx::SqlStr = match (&*lead, commit) {
                ("", false) => sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(text)),
                (l, commit) => {
                    let lead = if l.is_empty() { String::new() } else { format!("{l}; ") };
                    let end = if commit { format!("; {BATCH_END}") } else { String::new() };
                    sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(format!("{lead}{text}{end}")))
                }
            };
            let args: Vec<Bind<'static>> = writes.into_iter().flatten().collect();
            let mut rows: Vec<Vec<_>> = (0..count).map(|_| Vec::new()).collect();
            // The lead's statements return nothing; then each write's `per_write` in turn.
            for (statement, returned) in sqlite_rows_per_statement(c, text, args).await?.into_iter().enumerate() {
                let write = statement.checked_sub(led).map(|s| s / per_write);
                if let Some(list) = write.and_then(|w| rows.get_mut(w)) {
                    list.extend(returned);
                }
            }
            Ok(rows)
        }
        Dialect::Postgres => {
            let mut lead = lead;
            let mut rows = Vec::with_capacity(writes.len());
            for w in &writes {
                rows.push(script(c, lead, sql, w).await?);
                lead = crate::writer::Lead::NONE;
            }
            if commit {
                sqlx::raw_sql(BATCH_END).execute(&mut *c).await?;
            }
            Ok(rows)
        }
    }
}

/// The value a script's group form takes (`writer::Script::rows`): a JSON array holding,
/// for each write, the array of its values in the order `$1`, `$2`, ... number them.
/// Integers are written as JSON numbers, which PostgreSQL reads back exactly (`->>` gives
/// their text; `::int8` parses it), never through a float.
fn values_json(writes: &[Vec<Bind<'_>>]) -> Result<String, StoreError> {
    use std::io::Write;
    let mut out: Vec<u8> = Vec::with_capacity(writes.iter().map(|w| 16 * w.len() + 2).sum::<usize>() + 2);
    out.push(b'[');
    for (i, values) in writes.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        for (j, v) in values.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            // Writing to a Vec cannot fail; a string is escaped by serde_json.
            let _ = match v {
                Bind::I(n) | Bind::OptI(Some(n)) => write!(out, "{n}"),
                Bind::B(b) => write!(out, "{b}"),
                Bind::OptI(None) | Bind::OptS(None) | Bind::OptOwned(None) => out.write_all(b"null"),
                Bind::S(t) | Bind::OptS(Some(t)) => serde_json::to_writer(&mut out, t).map_err(std::io::Error::other),
                Bind::Owned(t) | Bind::OptOwned(Some(t)) => serde_json::to_writer(&mut out, t).map_err(std::io::Error::other),
            };
        }
        out.push(b']');
    }
    out.push(b']');
    // Only ASCII punctuation, digits and serde_json's strings went in: valid UTF-8.
    String::from_utf8(out).map_err(|e| StoreError::Corrupt(format!("a group's values: {e}")))
}

/// `sql` written `n` times, the `i`-th copy's `$k` renumbered `$(k + i * width)`; made once
/// per script and count.
fn repeated_script(sql: &'static str, width: usize, n: usize) -> std::sync::Arc<str> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    /// The texts made, by the script's address and the count of writes.
    type Made = HashMap<(usize, usize), Arc<str>>;
    static MADE: OnceLock<Mutex<Made>> = OnceLock::new();
    let key = (sql.as_ptr() as usize, n);
    let made = MADE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(t) = made.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return t;
    }
    let mut text = String::with_capacity((sql.len() + 2) * n);
    for i in 0..n {
        if i > 0 {
            text.push_str(";\n");
        }
        push_shifted(&mut text, sql, i * width);
    }
    let text: Arc<str> = text.into();
    if let Ok(mut m) = made.lock() {
        m.insert(key, text.clone());
    }
    text
}
