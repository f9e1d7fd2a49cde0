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
// Every statement sees the whole list of values (`$1`, `$2`, ... shared by the script):
// sqlx declares their types, so a PostgreSQL statement may leave some unused.

/// A value a script binds.
#[derive(Debug, Clone)]
enum Bind<'a> {
    I(i64),
    OptI(Option<i64>),
    S(&'a str),
    OptS(Option<&'a str>),
    B(bool),
    Owned(String),
}

fn bound<'q>(
    mut q: sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>,
    args: &'q [Bind<'q>],
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments> {
    for a in args {
        q = match a {
            Bind::I(v) => q.bind(*v),
            Bind::OptI(v) => q.bind(*v),
            Bind::S(v) => q.bind(*v),
            Bind::OptS(v) => q.bind(*v),
            Bind::B(v) => q.bind(*v),
            Bind::Owned(v) => q.bind(v.as_str()),
        };
    }
    q
}

/// Runs `lead` (the writer's savepoint statements, `Lead::sql`), then `sql`'s statements
/// (`;`-separated, none holding a `;` in a literal) with `args`; returns the rows they
/// return, in order.
async fn script(
    c: &mut Conn,
    lead: crate::writer::Lead,
    sql: &str,
    args: &[Bind<'_>],
) -> Result<Vec<<Db as sqlx::Database>::Row>, sqlx::Error> {
    match DIALECT {
        Dialect::Sqlite => {
            let text = match lead.sql() {
                "" => sql.to_string(),
                l => format!("{l}; {sql}"),
            };
            bound(sqlx::query(sqlx::AssertSqlSafe(text)), args).fetch_all(&mut *c).await
        }
        Dialect::Postgres => {
            if !lead.sql().is_empty() {
                sqlx::raw_sql(lead.sql()).execute(&mut *c).await?;
            }
            let mut rows = Vec::new();
            for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                rows.extend(bound(sqlx::query(sqlx::AssertSqlSafe(statement)), args).fetch_all(&mut *c).await?);
            }
            Ok(rows)
        }
    }
}

/// Statements assembled at run time (a batch's audit rows and search documents), sent like
/// a script: in one call on SQLite, one by one on PostgreSQL. Each statement numbers its
/// values from `first()`: on SQLite after the statements before it (they share one list),
/// on PostgreSQL from 1.
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

    /// Runs `lead`, the statements, then `end` (each `;`-separated SQL without values).
    async fn run(self, c: &mut Conn, lead: &str, end: &str) -> Result<(), sqlx::Error> {
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
                    return Ok(());
                }
                let args: Vec<Bind<'a>> = self.list.into_iter().flat_map(|(_, a)| a).collect();
                bound(sqlx::query(sqlx::AssertSqlSafe(text)), &args).execute(&mut *c).await?;
            }
            Dialect::Postgres => {
                if !lead.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(lead)).execute(&mut *c).await?;
                }
                for (sql, args) in &self.list {
                    bound(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), args).execute(&mut *c).await?;
                }
                if !end.is_empty() {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(end)).execute(&mut *c).await?;
                }
            }
        }
        Ok(())
    }
}
