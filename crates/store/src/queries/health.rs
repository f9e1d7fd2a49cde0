// AWS Health's records (see `health.rs`).
// Included once per engine by the `backend!` macro in `engine.rs`, in one module with the
// other `queries/*.rs` files. Each query is written once, in SQL both engines run.

use tierdesk_core::health::{self as hl, Entity, Event, Revision};

use crate::health::{EntityCount, HealthChange, HealthEntityQuery, HealthEventQuery, NewHealthEvent};

const EVENT_COLUMNS: &str = "e.arn, e.service, e.type_code, e.category, e.region, e.availability_zone, e.start_us, \
     e.end_us, e.last_updated_us, e.status, e.scope, e.actionability, e.personas, e.title, e.metadata_json";

const ENTITY_COLUMNS: &str =
    "en.event_arn, en.account_id, en.entity_value, en.entity_arn, en.entity_url, en.status, en.last_updated_us, en.tags_json";

/// The entities one multi-row statement writes (8 values each, under both engines' limits).
const ENTITIES_PER_STATEMENT: usize = 100;

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("health {what} '{value}'"))
}

fn health_event(r: &<Db as sqlx::Database>::Row) -> Result<Event, StoreError> {
    let word = |col: &str| -> Result<String, StoreError> { Ok(r.try_get(col)?) };
    let category = word("category")?;
    let status = word("status")?;
    let scope = word("scope")?;
    let actionability = word("actionability")?;
    let personas = word("personas")?;
    let metadata = word("metadata_json")?;
    Ok(Event {
        arn: r.try_get("arn")?,
        service: r.try_get("service")?,
        type_code: r.try_get("type_code")?,
        category: hl::Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
        region: r.try_get("region")?,
        availability_zone: r.try_get("availability_zone")?,
        start: from_micros(r.try_get("start_us")?),
        end: r.try_get::<Option<i64>, _>("end_us")?.map(from_micros),
        last_updated: from_micros(r.try_get("last_updated_us")?),
        status: hl::EventStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        scope: hl::Scope::parse(&scope).ok_or_else(|| corrupt("scope", &scope))?,
        actionability: hl::Actionability::parse(&actionability)
            .ok_or_else(|| corrupt("actionability", &actionability))?,
        personas: personas
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| hl::Persona::parse(p).ok_or_else(|| corrupt("persona", p)))
            .collect::<Result<_, _>>()?,
        title: r.try_get("title")?,
        metadata: serde_json::from_str(&metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

fn health_entity(r: &<Db as sqlx::Database>::Row) -> Result<Entity, StoreError> {
    let status: String = r.try_get("status")?;
    let tags: String = r.try_get("tags_json")?;
    Ok(Entity {
        event_arn: r.try_get("event_arn")?,
        account_id: r.try_get("account_id")?,
        value: r.try_get("entity_value")?,
        arn: r.try_get("entity_arn")?,
        url: r.try_get("entity_url")?,
        status: hl::EntityStatus::parse(&status).ok_or_else(|| corrupt("entity status", &status))?,
        last_updated: from_micros(r.try_get("last_updated_us")?),
        tags: serde_json::from_str(&tags).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}

/// A WHERE clause assembled from filters, with its arguments numbered in order.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    args: Vec<Bind<'static>>,
}

impl Conditions {
    fn arg(&mut self, a: Bind<'static>) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        values.iter().map(|v| self.arg(Bind::Owned(v.clone()))).collect::<Vec<_>>().join(", ")
    }

    /// `col` is one of `values` (no condition for an empty list).
    fn any_of(&mut self, col: &str, values: &[String]) {
        if !values.is_empty() {
            let list = self.list(values);
            self.clauses.push(format!("{col} IN ({list})"));
        }
    }

    fn words<W: Copy>(&mut self, col: &str, values: &[W], word: fn(W) -> &'static str) {
        let values: Vec<String> = values.iter().map(|w| word(*w).to_string()).collect();
        self.any_of(col, &values);
    }

    /// `col` is in one of the ranges (inclusive).
    fn ranges(&mut self, col: &str, ranges: &[hl::TimeRange]) {
        if ranges.is_empty() {
            return;
        }
        let mut any = Vec::new();
        for r in ranges {
            let mut all = vec![format!("{col} IS NOT NULL")];
            if let Some(f) = r.from {
                all.push(format!("{col} >= {}", self.arg(Bind::I(to_micros(f)))));
            }
            if let Some(t) = r.to {
                all.push(format!("{col} <= {}", self.arg(Bind::I(to_micros(t)))));
            }
            any.push(format!("({})", all.join(" AND ")));
        }
        self.clauses.push(format!("({})", any.join(" OR ")));
    }

    /// The entity `en` carries every tag of one of `sets` (`None`: no set names a tag,
    /// so nothing is asked).
    fn tagged(&mut self, en: &str, sets: &[crate::health::Tags]) -> Option<String> {
        let mut any = Vec::new();
        for set in sets.iter().filter(|s| !s.is_empty()) {
            let mut all = Vec::new();
            for (k, v) in set {
                let (k, v) = (self.arg(Bind::Owned(k.clone())), self.arg(Bind::Owned(v.clone())));
                all.push(format!(
                    "EXISTS (SELECT 1 FROM health_entity_tags t WHERE t.event_arn = {en}.event_arn \
                     AND t.account_id = {en}.account_id AND t.entity_value = {en}.entity_value \
                     AND t.tag_key = {k} AND t.tag_value = {v})"
                ));
            }
            any.push(format!("({})", all.join(" AND ")));
        }
        (!any.is_empty()).then(|| format!("({})", any.join(" OR ")))
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            "1 = 1".to_string()
        } else {
            self.clauses.join(" AND ")
        }
    }
}

/// The conditions of an event list, its page bounds aside.
fn event_conditions(q: &HealthEventQuery) -> Conditions {
    let mut c = Conditions::default();
    if let Some(v) = &q.viewer {
        // The public test first: it reads the index's own columns, and most events a
        // page passes over are public ones of other regions.
        let mut any = Vec::new();
        match &v.regions {
            None => any.push("e.scope = 'PUBLIC'".to_string()),
            Some(regions) => {
                let mut regions = regions.clone();
                regions.push(hl::GLOBAL.to_string());
                let list = c.list(&regions);
                any.push(format!("(e.scope = 'PUBLIC' AND e.region IN ({list}))"));
            }
        }
        if !v.accounts.is_empty() {
            // A scalar subquery, not EXISTS: PostgreSQL turns an EXISTS into a hash of
            // every event the accounts are named in, built on each query (5 ms for an
            // account named in 10,000 events); this probes the index once per event the
            // page passes over, on both engines.
            let list = c.list(&v.accounts);
            any.push(format!(
                "(SELECT 1 FROM health_event_accounts x WHERE x.event_arn = e.arn AND x.account_id IN ({list}) LIMIT 1) IS NOT NULL"
            ));
        }
        c.clauses.push(format!("({})", any.join(" OR ")));
    }
    if q.public_only {
        c.clauses.push("e.scope = 'PUBLIC'".to_string());
    }
    c.any_of("e.arn", &q.arns);
    c.any_of("e.service", &q.services);
    c.any_of("e.type_code", &q.type_codes);
    c.any_of("e.region", &q.regions);
    c.any_of("e.availability_zone", &q.zones);
    c.words("e.category", &q.categories, hl::Category::as_str);
    c.words("e.status", &q.statuses, hl::EventStatus::as_str);
    c.words("e.actionability", &q.actionabilities, hl::Actionability::as_str);
    if !q.personas.is_empty() {
        let any: Vec<String> = q
            .personas
            .iter()
            .map(|p| format!("e.personas LIKE {}", c.arg(Bind::Owned(format!("%,{},%", p.as_str())))))
            .collect();
        c.clauses.push(format!("({})", any.join(" OR ")));
    }
    c.ranges("e.start_us", &q.start_times);
    c.ranges("e.end_us", &q.end_times);
    c.ranges("e.last_updated_us", &q.last_updated_times);
    let mut which = Vec::new();
    if let Some(named) = named_entities(&mut c, &q.entity_values, &q.entity_arns) {
        which.push(named);
    }
    if let Some(tagged) = c.tagged("en", &q.tags) {
        which.push(tagged);
    }
    if !which.is_empty() {
        let mine = match &q.viewer {
            Some(v) if !v.accounts.is_empty() => format!(" AND en.account_id IN ({})", c.list(&v.accounts)),
            Some(_) => " AND 1 = 0".to_string(),
            None => String::new(),
        };
        c.clauses.push(format!(
            "EXISTS (SELECT 1 FROM health_entities en WHERE en.event_arn = e.arn{mine} AND {})",
            which.join(" AND ")
        ));
    }
    c
}

/// The entity `en` is one of `values` or of `arns` (`None`: neither names any).
fn named_entities(c: &mut Conditions, values: &[String], arns: &[String]) -> Option<String> {
    let mut which = Vec::new();
    if !values.is_empty() {
        which.push(format!("en.entity_value IN ({})", c.list(values)));
    }
    if !arns.is_empty() {
        which.push(format!("en.entity_arn IN ({})", c.list(arns)));
    }
    (!which.is_empty()).then(|| format!("({})", which.join(" OR ")))
}

/// Writes entities (or their new status), their accounts, and the event's last update.
/// An entity given no tags (`tags_json` serialized as `{}`) keeps the ones it has; given
/// tags replace them (and their rows in `health_entity_tags`, `put_entity_tags`).
async fn put_entities(c: &mut Conn, arn: &str, entities: &[Entity], at: i64) -> Result<(), StoreError> {
    for chunk in entities.chunks(ENTITIES_PER_STATEMENT) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * 8, 8)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO health_entities (event_arn, account_id, entity_value, entity_arn, entity_url, status, \
             last_updated_us, tags_json) VALUES {values} \
             ON CONFLICT (event_arn, account_id, entity_value) DO UPDATE SET status = excluded.status, \
             last_updated_us = excluded.last_updated_us, \
             entity_url = COALESCE(excluded.entity_url, health_entities.entity_url), \
             tags_json = CASE WHEN excluded.tags_json = '{{}}' THEN health_entities.tags_json ELSE excluded.tags_json END"
        )));
        for en in chunk {
            let tags = serde_json::to_string(&en.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            q = q
                .bind(arn)
                .bind(&en.account_id)
                .bind(&en.value)
                .bind(&en.arn)
                .bind(&en.url)
                .bind(en.status.as_str())
                .bind(to_micros(en.last_updated))
                .bind(tags);
        }
        q.execute(&mut *c).await?;
    }
    put_entity_tags(c, arn, entities).await?;
    let mut accounts: Vec<&str> = entities.iter().map(|e| e.account_id.as_str()).collect();
    accounts.sort_unstable();
    accounts.dedup();
    add_event_accounts(c, arn, &accounts).await?;
    sqlx::query("UPDATE health_events SET last_updated_us = $1 WHERE arn = $2")
        .bind(at)
        .bind(arn)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Replaces the tag rows of the entities given tags (the others keep theirs, as their
/// `tags_json` does).
async fn put_entity_tags(c: &mut Conn, arn: &str, entities: &[Entity]) -> Result<(), StoreError> {
    let tagged: Vec<&Entity> = entities.iter().filter(|e| !e.tags.is_empty()).collect();
    for chunk in tagged.chunks(ENTITIES_PER_STATEMENT) {
        let which = (0..chunk.len())
            .map(|i| format!("(account_id = ${} AND entity_value = ${})", 2 + i * 2, 3 + i * 2))
            .collect::<Vec<_>>()
            .join(" OR ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM health_entity_tags WHERE event_arn = $1 AND ({which})"
        )))
        .bind(arn);
        for en in chunk {
            q = q.bind(&en.account_id).bind(&en.value);
        }
        q.execute(&mut *c).await?;
    }
    let rows: Vec<(&str, &str, &str, &str)> = tagged
        .iter()
        .flat_map(|e| e.tags.iter().map(|(k, v)| (e.account_id.as_str(), e.value.as_str(), k.as_str(), v.as_str())))
        .collect();
    for chunk in rows.chunks(ENTITIES_PER_STATEMENT) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, {})", placeholders(2 + i * 4, 4)))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO health_entity_tags (event_arn, account_id, entity_value, tag_key, tag_value) VALUES {values}"
        )))
        .bind(arn);
        for (account, value, k, v) in chunk {
            q = q.bind(*account).bind(*value).bind(*k).bind(*v);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

async fn add_event_accounts(c: &mut Conn, arn: &str, accounts: &[&str]) -> Result<(), StoreError> {
    for chunk in accounts.chunks(ENTITIES_PER_STATEMENT) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, ${})", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO health_event_accounts (event_arn, account_id) VALUES {values} \
             ON CONFLICT (event_arn, account_id) DO NOTHING"
        )))
        .bind(arn);
        for a in chunk {
            q = q.bind(*a);
        }
        q.execute(&mut *c).await?;
    }
    Ok(())
}

/// Writes `n` for each account the event names, about its change at `at_us`
/// (`tierdesk_core::health::notice_ref`): a retried write tells once.
async fn tell_event_accounts(c: &mut Conn, n: &crate::mail::NewNotice, arn: &str, at_us: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notices (kind, account_id, subject_ref, created_us, next_attempt_us) \
         SELECT $1, account_id, $2, $3, $4 FROM health_event_accounts WHERE event_arn = $5 \
         ON CONFLICT (kind, account_id, subject_ref) DO NOTHING",
    )
    .bind(n.kind.as_str())
    .bind(tierdesk_core::health::notice_ref(arn, tierdesk_core::time::from_micros(at_us)))
    .bind(at_us)
    .bind(to_micros(n.due))
    .bind(arn)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn event_in(c: &mut Conn, arn: &str) -> Result<Event, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EVENT_COLUMNS} FROM health_events e WHERE e.arn = $1")))
        .bind(arn)
        .fetch_optional(&mut *c)
        .await?
        .ok_or(StoreError::NotFound)?;
    health_event(&row)
}

fn webhook_rows(events: &[crate::WebhookEvent]) -> Vec<(&str, &str, &str)> {
    events.iter().map(|e| (e.key.as_str(), e.event_type.as_str(), e.payload.as_str())).collect()
}

impl Backend {
    pub async fn publish_health_event(
        &self,
        new: NewHealthEvent,
        events: Vec<crate::WebhookEvent>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    let e = &new.event;
                    let personas = format!(",{},", e.personas.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","));
                    let metadata = serde_json::to_string(&e.metadata).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let at = to_micros(e.last_updated);
                    let r = sqlx::query(
                        "INSERT INTO health_events (arn, service, type_code, category, region, availability_zone, \
                         start_us, end_us, last_updated_us, status, scope, actionability, personas, title, metadata_json) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    )
                    .bind(&e.arn)
                    .bind(&e.service)
                    .bind(&e.type_code)
                    .bind(e.category.as_str())
                    .bind(&e.region)
                    .bind(&e.availability_zone)
                    .bind(to_micros(e.start))
                    .bind(e.end.map(to_micros))
                    .bind(at)
                    .bind(e.status.as_str())
                    .bind(e.scope.as_str())
                    .bind(e.actionability.as_str())
                    .bind(personas)
                    .bind(&e.title)
                    .bind(metadata)
                    .execute(&mut *c)
                    .await;
                    if let Err(sqlx::Error::Database(d)) = &r
                        && d.is_unique_violation()
                    {
                        return Err(StoreError::AlreadyExists);
                    }
                    r?;
                    sqlx::query("INSERT INTO health_descriptions (event_arn, revision, at_us, body) VALUES ($1, 1, $2, $3)")
                        .bind(&e.arn)
                        .bind(at)
                        .bind(&new.description)
                        .execute(&mut *c)
                        .await?;
                    let accounts: Vec<&str> = new.accounts.iter().map(String::as_str).collect();
                    add_event_accounts(c, &e.arn, &accounts).await?;
                    put_entities(c, &e.arn, &new.entities, at).await?;
                    if let Some(n) = &new.notice {
                        tell_event_accounts(c, n, &e.arn, at).await?;
                    }
                    queue_webhook_events(c, &webhook_rows(&events), at).await?;
                    Ok(())
                })
            })
            .await
    }

    pub async fn update_health_event(
        &self,
        arn: String,
        change: HealthChange,
        at: jiff::Timestamp,
        webhook: crate::health::HealthWebhooks,
        audit: AuditEntry,
    ) -> Result<Event, StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    let mut e = event_in(c, &arn).await?;
                    if let Some(s) = change.status {
                        e.status = s;
                    }
                    if let Some(end) = change.end {
                        e.end = end;
                    }
                    e.last_updated = at;
                    sqlx::query("UPDATE health_events SET status = $1, end_us = $2, last_updated_us = $3 WHERE arn = $4")
                        .bind(e.status.as_str())
                        .bind(e.end.map(to_micros))
                        .bind(to_micros(at))
                        .bind(&arn)
                        .execute(&mut *c)
                        .await?;
                    if let Some(text) = &change.description {
                        sqlx::query(
                            "INSERT INTO health_descriptions (event_arn, revision, at_us, body) \
                             SELECT $1, COALESCE(MAX(revision), 0) + 1, $2, $3 FROM health_descriptions WHERE event_arn = $1",
                        )
                        .bind(&arn)
                        .bind(to_micros(at))
                        .bind(text)
                        .execute(&mut *c)
                        .await?;
                    }
                    if let Some(n) = &change.notice {
                        tell_event_accounts(c, n, &arn, to_micros(at)).await?;
                    }
                    let events = webhook(&e);
                    queue_webhook_events(c, &webhook_rows(&events), to_micros(at)).await?;
                    Ok(e)
                })
            })
            .await
    }

    pub async fn put_health_entities(
        &self,
        arn: String,
        entities: Vec<Entity>,
        at: jiff::Timestamp,
        notice: Option<crate::mail::NewNotice>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    event_in(c, &arn).await?;
                    put_entities(c, &arn, &entities, to_micros(at)).await?;
                    if let Some(n) = &notice {
                        let mut accounts: Vec<&str> = entities.iter().map(|e| e.account_id.as_str()).collect();
                        accounts.sort_unstable();
                        accounts.dedup();
                        let subject = hl::notice_ref(&arn, at);
                        for account in accounts {
                            insert_account_notice(c, n, account, &subject, to_micros(at)).await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn later_health_notice(&self, account: &str, notice_ref: &str) -> Result<bool, StoreError> {
        // A reference is the ARN, a space and zero-padded microseconds (`hl::notice_ref`):
        // those about one event sort between "ARN " and "ARN!", later changes after this one.
        let Some((arn, _)) = hl::parse_notice_ref(notice_ref) else {
            return Ok(false);
        };
        let row = sqlx::query(
            "SELECT 1 AS later FROM notices WHERE kind = $1 AND account_id = $2 \
             AND subject_ref > $3 AND subject_ref < $4 LIMIT 1",
        )
        .bind(tierdesk_core::notice::NoticeKind::HealthEvent.as_str())
        .bind(account)
        .bind(notice_ref)
        .bind(format!("{arn}!"))
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        Ok(row.is_some())
    }

    pub async fn health_events(&self, q: &HealthEventQuery) -> Result<Page<Event>, StoreError> {
        let mut c = event_conditions(q);
        if let Some((us, arn)) = &q.after {
            let u = c.arg(Bind::I(*us));
            let a = c.arg(Bind::Owned(arn.clone()));
            // A row value, so both engines start the index scan at the cursor rather
            // than filter every event above it.
            c.clauses.push(format!("(e.last_updated_us, e.arn) < ({u}, {a})"));
        }
        let n = limit(q.limit);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM health_events e WHERE {} \
             ORDER BY e.last_updated_us DESC, e.arn DESC LIMIT {}",
            c.sql(),
            n + 1
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), c.args).fetch_all(&mut *self.reader().await?).await?;
        let mut items = rows.iter().map(health_event).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > n;
        items.truncate(n as usize);
        Ok(Page { items, more })
    }

    pub async fn health_events_by_arn(&self, arns: &[String]) -> Result<Vec<Event>, StoreError> {
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM health_events e WHERE e.arn IN ({})",
            placeholders(1, arns.len())
        );
        let args: Vec<Bind<'static>> = arns.iter().cloned().map(Bind::Owned).collect();
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter().map(health_event).collect()
    }

    pub async fn health_event_counts(&self, q: &HealthEventQuery) -> Result<Vec<(hl::Category, i64)>, StoreError> {
        let c = event_conditions(q);
        let sql = format!(
            "SELECT e.category, COUNT(*) AS n FROM health_events e WHERE {} GROUP BY e.category ORDER BY e.category",
            c.sql()
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), c.args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| {
                let category: String = r.try_get("category")?;
                Ok((
                    hl::Category::parse(&category).ok_or_else(|| corrupt("category", &category))?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    pub async fn health_descriptions(&self, arn: &str) -> Result<Vec<Revision>, StoreError> {
        let rows = sqlx::query("SELECT at_us, body FROM health_descriptions WHERE event_arn = $1 ORDER BY revision")
            .bind(arn)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter()
            .map(|r| Ok(Revision { at: from_micros(r.try_get("at_us")?), text: r.try_get("body")? }))
            .collect()
    }

    pub async fn health_revisions(&self, arns: &[String]) -> Result<Vec<(String, Revision)>, StoreError> {
        let mut out = Vec::new();
        for chunk in arns.chunks(ENTITIES_PER_STATEMENT) {
            let sql = format!(
                "SELECT event_arn, at_us, body FROM health_descriptions WHERE event_arn IN ({}) \
                 ORDER BY event_arn, revision",
                placeholders(1, chunk.len())
            );
            let args: Vec<Bind<'static>> = chunk.iter().cloned().map(Bind::Owned).collect();
            let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args).fetch_all(&mut *self.reader().await?).await?;
            for r in &rows {
                out.push((r.try_get("event_arn")?, Revision { at: from_micros(r.try_get("at_us")?), text: r.try_get("body")? }));
            }
        }
        Ok(out)
    }

    pub async fn health_event_accounts(&self, arn: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT account_id FROM health_event_accounts WHERE event_arn = $1 ORDER BY account_id")
            .bind(arn)
            .fetch_all(&mut *self.reader().await?)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("account_id")?)).collect()
    }

    pub async fn health_entities(&self, q: &HealthEntityQuery) -> Result<Page<Entity>, StoreError> {
        let mut c = Conditions::default();
        c.any_of("en.event_arn", &q.event_arns);
        if let Some(accounts) = &q.accounts {
            if accounts.is_empty() {
                return Ok(Page { items: Vec::new(), more: false });
            }
            c.any_of("en.account_id", accounts);
        }
        if let Some(named) = named_entities(&mut c, &q.values, &q.arns) {
            c.clauses.push(named);
        }
        if let Some(tagged) = c.tagged("en", &q.tags) {
            c.clauses.push(tagged);
        }
        c.words("en.status", &q.statuses, hl::EntityStatus::as_str);
        c.ranges("en.last_updated_us", &q.last_updated_times);
        if let Some((arn, account, value)) = &q.after {
            let (a, b, v) = (c.arg(Bind::Owned(arn.clone())), c.arg(Bind::Owned(account.clone())), c.arg(Bind::Owned(value.clone())));
            c.clauses.push(format!("(en.event_arn, en.account_id, en.entity_value) > ({a}, {b}, {v})"));
        }
        let n = limit(q.limit);
        let sql = format!(
            "SELECT {ENTITY_COLUMNS} FROM health_entities en WHERE {} \
             ORDER BY en.event_arn, en.account_id, en.entity_value LIMIT {}",
            c.sql(),
            n + 1
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), c.args).fetch_all(&mut *self.reader().await?).await?;
        let mut items = rows.iter().map(health_entity).collect::<Result<Vec<_>, _>>()?;
        let more = items.len() as i64 > n;
        items.truncate(n as usize);
        Ok(Page { items, more })
    }

    pub async fn health_entity_counts(
        &self,
        arns: &[String],
        accounts: Option<&[String]>,
    ) -> Result<Vec<EntityCount>, StoreError> {
        let mut c = Conditions::default();
        if arns.is_empty() || accounts.is_some_and(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        c.any_of("event_arn", arns);
        if let Some(a) = accounts {
            c.any_of("account_id", a);
        }
        let sql = format!(
            "SELECT event_arn, account_id, status, COUNT(*) AS n FROM health_entities WHERE {} \
             GROUP BY event_arn, account_id, status ORDER BY event_arn, account_id, status",
            c.sql()
        );
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), c.args).fetch_all(&mut *self.reader().await?).await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                Ok(EntityCount {
                    event_arn: r.try_get("event_arn")?,
                    account_id: r.try_get("account_id")?,
                    status: hl::EntityStatus::parse(&status).ok_or_else(|| corrupt("entity status", &status))?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    pub async fn case_health_event(&self, display_id: i64) -> Result<Option<Event>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM health_event_cases k JOIN health_events e ON e.arn = k.event_arn \
             WHERE k.display_id = $1"
        )))
        .bind(display_id)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(health_event).transpose()
    }

    pub async fn set_account_regions(
        &self,
        account_id: String,
        regions: Vec<String>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    if regions.is_empty() {
                        sqlx::query("DELETE FROM account_regions WHERE account_id = $1")
                            .bind(&account_id)
                            .execute(&mut *c)
                            .await?;
                    } else {
                        sqlx::query(
                            "INSERT INTO account_regions (account_id, regions) VALUES ($1, $2) \
                             ON CONFLICT (account_id) DO UPDATE SET regions = excluded.regions",
                        )
                        .bind(&account_id)
                        .bind(regions.join(","))
                        .execute(&mut *c)
                        .await?;
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn account_regions(&self, account_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        let row = sqlx::query("SELECT regions FROM account_regions WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(|r| {
            let regions: String = r.try_get("regions")?;
            Ok(regions.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect())
        })
        .transpose()
    }

    pub async fn set_health_organization(
        &self,
        payer_id: String,
        enabled: Option<jiff::Timestamp>,
        audit: AuditEntry,
    ) -> Result<(), StoreError> {
        self.writer
            .write_audited(audit, move |c| {
                Box::pin(async move {
                    match enabled {
                        Some(at) => {
                            sqlx::query(
                                "INSERT INTO health_organizations (payer_id, enabled_us) VALUES ($1, $2) \
                                 ON CONFLICT (payer_id) DO NOTHING",
                            )
                            .bind(&payer_id)
                            .bind(to_micros(at))
                            .execute(&mut *c)
                            .await?;
                        }
                        None => {
                            sqlx::query("DELETE FROM health_organizations WHERE payer_id = $1")
                                .bind(&payer_id)
                                .execute(&mut *c)
                                .await?;
                        }
                    }
                    Ok(())
                })
            })
            .await
    }

    pub async fn health_organization(&self, payer_id: &str) -> Result<Option<jiff::Timestamp>, StoreError> {
        let row = sqlx::query("SELECT enabled_us FROM health_organizations WHERE payer_id = $1")
            .bind(payer_id)
            .fetch_optional(&mut *self.reader().await?)
            .await?;
        row.map(|r| Ok(from_micros(r.try_get("enabled_us")?))).transpose()
    }
}
