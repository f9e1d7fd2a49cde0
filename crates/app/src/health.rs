//! AWS Health: operators publish events (outages, scheduled changes, account notices) and
//! the resources they affect; customers read the events of their regions and their own,
//! through the Health API and the console. Who sees what is decided here: an account sees
//! public events of the regions it uses and the events that name it, and nothing of
//! another account's (an event it may not see answers as one that does not exist).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use tierdesk_core::audit::{Action, Who};
use tierdesk_core::health::{
    self as hl, Category, Entity, EntityStatus, Event, EventStatus, EventType, EventTypes, Piece,
    Revision, Scope,
};
use tierdesk_core::notice::NoticeKind;
use tierdesk_store::{
    EntityCount, HealthChange, HealthEntityQuery, HealthEventQuery, HealthViewer, NewHealthEvent,
    StoreError, WebhookEvent,
};

use crate::auth::Caller;
use crate::cursor;
use crate::error::{Field, Problem};
use crate::{App, ServiceError};

/// The most entities one publish or CSV adds.
pub const MAX_ENTITIES: usize = 100_000;
/// The most accounts one event names.
pub const MAX_ACCOUNTS: usize = 10_000;

/// An event to publish, as the operator wrote it.
#[derive(Debug, Clone, Default)]
pub struct Publish {
    pub service: String,
    pub type_code: String,
    pub category: String,
    pub region: String,
    pub availability_zone: Option<String>,
    pub accounts: Vec<String>,
    /// Affected entities (IMPAIRED unless their status says otherwise).
    pub entities: Vec<EntityInput>,
    pub title: Option<String>,
    pub description: String,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub status: Option<String>,
}

/// An affected entity to add, or whose status (and tags) to set.
#[derive(Debug, Clone, Default)]
pub struct EntityInput {
    pub account_id: String,
    pub value: String,
    /// One of AWS's entity status codes.
    pub status: String,
    /// Replace the entity's tags; none keeps those it has.
    pub tags: BTreeMap<String, String>,
}

impl From<hl::AffectedRow> for EntityInput {
    fn from(r: hl::AffectedRow) -> Self {
        EntityInput {
            account_id: r.account_id,
            value: r.value,
            status: r.status.as_str().to_string(),
            tags: r.tags,
        }
    }
}

impl EntityInput {
    /// An impaired entity without tags.
    pub fn impaired(account_id: impl Into<String>, value: impl Into<String>) -> Self {
        EntityInput {
            account_id: account_id.into(),
            value: value.into(),
            status: EntityStatus::Impaired.as_str().to_string(),
            tags: BTreeMap::new(),
        }
    }
}

/// A change to an event, as the operator wrote it.
#[derive(Debug, Clone, Default)]
pub struct Update {
    pub status: Option<String>,
    pub end: Option<Timestamp>,
    pub description: Option<String>,
}

/// An event with its description's revisions, for details and the dashboard.
#[derive(Debug, Clone)]
pub struct EventDetails {
    pub event: Event,
    /// Oldest first; the last is AWS's `latestDescription`.
    pub revisions: Vec<Revision>,
}

impl EventDetails {
    pub fn latest(&self) -> &str {
        self.revisions.last().map_or("", |r| r.text.as_str())
    }
}

/// An event a caller asked for and may not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreturned {
    pub arn: String,
    pub error_name: &'static str,
    pub message: String,
}

fn invalid(field: Field, value: &str) -> ServiceError {
    ServiceError::invalid(field, Problem::Malformed(value.to_string()))
}

fn check(piece: Piece, field: Field, value: &str) -> Result<(), ServiceError> {
    match hl::refuse(piece, value) {
        None => Ok(()),
        Some(_) if matches!(field, Field::Region | Field::AvailabilityZone) => {
            Err(invalid(field, value))
        }
        Some(_) => Err(ServiceError::invalid(
            field,
            Problem::Length {
                min: 1,
                max: match piece {
                    Piece::Title => 200,
                    Piece::Description => hl::MAX_DESCRIPTION,
                    Piece::EntityValue => 1224,
                    Piece::Service => 30,
                    _ => 100,
                },
                got: value.chars().count(),
            },
        )),
    }
}

fn word<W: Copy>(
    field: Field,
    value: &str,
    parse: fn(&str) -> Option<W>,
    words: fn() -> Vec<&'static str>,
) -> Result<W, ServiceError> {
    parse(value).ok_or_else(|| {
        ServiceError::invalid(
            field,
            Problem::NotOneOf {
                value: value.to_string(),
                allowed: words().into_iter().map(str::to_string).collect(),
            },
        )
    })
}

/// The status an event starts in: upcoming before its start, closed after its end.
fn status_at(start: Timestamp, end: Option<Timestamp>, now: Timestamp) -> EventStatus {
    if end.is_some_and(|e| e <= now) {
        EventStatus::Closed
    } else if start > now {
        EventStatus::Upcoming
    } else {
        EventStatus::Open
    }
}

impl App {
    /// The event types publishers may use.
    pub fn health_types(&self) -> &EventTypes {
        &self.health_types
    }

    /// Replaces the event types (the shipped list and the operator's additions).
    pub fn with_health_types(mut self, types: EventTypes) -> Self {
        self.health_types = Arc::new(types);
        self
    }

    /// The entity `e` asks for, on `event`, checked.
    fn entity_of(
        &self,
        event: &Event,
        e: EntityInput,
        at: Timestamp,
    ) -> Result<Entity, ServiceError> {
        check(Piece::EntityValue, Field::EntityValue, &e.value)?;
        let status = word(
            Field::Status,
            &e.status,
            EntityStatus::parse,
            EntityStatus::words,
        )?;
        match hl::tags_problem(&e.tags) {
            None => {}
            Some(hl::TagProblem::TooMany(got)) => {
                return Err(ServiceError::invalid(
                    Field::Tag,
                    Problem::TooMany {
                        max: hl::MAX_TAGS,
                        got,
                    },
                ));
            }
            Some(hl::TagProblem::Bad(pair)) => {
                return Err(ServiceError::invalid(Field::Tag, Problem::Malformed(pair)));
            }
        }
        Ok(Entity {
            event_arn: event.arn.clone(),
            arn: hl::entity_arn(event, &e.account_id, &e.value),
            account_id: e.account_id,
            value: e.value,
            url: None,
            status,
            last_updated: at,
            tags: e.tags,
        })
    }

    /// Every account in `ids` exists.
    async fn known_accounts(&self, ids: &[String]) -> Result<(), ServiceError> {
        for id in ids {
            if self.store.account(id).await?.is_none() {
                return Err(ServiceError::NotFound(format!("no account {id}")));
            }
        }
        Ok(())
    }

    /// Publishes an event: public with no accounts, else specific to the accounts named
    /// (and those of its entities).
    pub async fn publish_health_event(&self, who: &Who, p: Publish) -> Result<Event, ServiceError> {
        let now = self.clock.now();
        let ty: &EventType = self.health_types.get(&p.type_code).ok_or_else(|| {
            ServiceError::invalid(Field::EventType, Problem::Unknown(p.type_code.clone()))
        })?;
        if ty.service != p.service {
            return Err(ServiceError::invalid(
                Field::Service,
                Problem::NotOneOf {
                    value: p.service.clone(),
                    allowed: vec![ty.service.clone()],
                },
            ));
        }
        let category = word(
            Field::Category,
            &p.category,
            Category::parse,
            Category::words,
        )?;
        if category != ty.category {
            return Err(ServiceError::invalid(
                Field::Category,
                Problem::NotOneOf {
                    value: p.category.clone(),
                    allowed: vec![ty.category.as_str().to_string()],
                },
            ));
        }
        if p.region != hl::GLOBAL {
            check(Piece::Region, Field::Region, &p.region)?;
        }
        if let Some(z) = &p.availability_zone {
            check(Piece::AvailabilityZone, Field::AvailabilityZone, z)?;
        }
        let title = p.title.clone().unwrap_or_else(|| ty.name.clone());
        check(Piece::Title, Field::Title, &title)?;
        check(Piece::Description, Field::Description, &p.description)?;
        if p.entities.len() > MAX_ENTITIES {
            return Err(ServiceError::invalid(
                Field::EntityValue,
                Problem::TooMany {
                    max: MAX_ENTITIES,
                    got: p.entities.len(),
                },
            ));
        }
        let mut accounts = p.accounts.clone();
        accounts.extend(p.entities.iter().map(|e| e.account_id.clone()));
        accounts.sort();
        accounts.dedup();
        if accounts.len() > MAX_ACCOUNTS {
            return Err(ServiceError::invalid(
                Field::AccountId,
                Problem::TooMany {
                    max: MAX_ACCOUNTS,
                    got: accounts.len(),
                },
            ));
        }
        self.known_accounts(&accounts).await?;
        let start = p.start.unwrap_or(now);
        if let Some(end) = p.end
            && end < start
        {
            return Err(ServiceError::invalid(
                Field::BeforeTime,
                Problem::EndsBeforeStart {
                    start: start.to_string(),
                    end: end.to_string(),
                },
            ));
        }
        let status = match &p.status {
            Some(s) => word(Field::Status, s, EventStatus::parse, EventStatus::words)?,
            None => status_at(start, p.end, now),
        };
        let id = crate::ids::health_event_id()?;
        let event = Event {
            arn: hl::event_arn(&p.region, &p.service, &p.type_code, &id),
            service: p.service.clone(),
            type_code: p.type_code.clone(),
            category,
            region: p.region.clone(),
            availability_zone: p.availability_zone.clone(),
            start,
            end: p.end,
            last_updated: now,
            status,
            scope: if accounts.is_empty() {
                Scope::Public
            } else {
                Scope::AccountSpecific
            },
            actionability: ty.actionability,
            personas: ty.personas.clone(),
            title,
            metadata: BTreeMap::new(),
        };
        let entities = p
            .entities
            .into_iter()
            .map(|e| self.entity_of(&event, e, now))
            .collect::<Result<Vec<Entity>, _>>()?;
        let hooks = health_webhooks(&event, &p.description, &accounts, &entities, "published");
        let audit = who.did(
            now,
            Action::HealthPublish,
            None,
            format!("health:{}", event.arn),
            format!(
                "{} {} in {} ({}, {} account(s), {} entit(y/ies))",
                event.category.as_str(),
                event.type_code,
                event.region,
                event.status.as_str(),
                accounts.len(),
                entities.len()
            ),
        );
        self.store
            .publish_health_event(
                NewHealthEvent {
                    event: event.clone(),
                    description: p.description,
                    accounts,
                    entities,
                    // Told to the accounts the event names: a public event names none
                    // (it is for the dashboard and the feeds; mailing every customer of
                    // a region would bury the news that is theirs).
                    notice: self.notice(NoticeKind::HealthEvent, now),
                },
                hooks,
                audit,
            )
            .await?;
        Ok(event)
    }

    /// Revises an event: a new status (closing sets its end to now unless one is given),
    /// an end, a new description (kept beside the earlier ones).
    pub async fn update_health_event(
        &self,
        who: &Who,
        arn: &str,
        u: Update,
    ) -> Result<Event, ServiceError> {
        let now = self.clock.now();
        let status = u
            .status
            .as_deref()
            .map(|s| word(Field::Status, s, EventStatus::parse, EventStatus::words))
            .transpose()?;
        if let Some(d) = &u.description {
            check(Piece::Description, Field::Description, d)?;
        }
        if status.is_none() && u.end.is_none() && u.description.is_none() {
            return Err(ServiceError::invalid(Field::Status, Problem::Missing));
        }
        let end = match (status, u.end) {
            (_, Some(e)) => Some(Some(e)),
            (Some(EventStatus::Closed), None) => Some(Some(now)),
            (Some(_), None) => Some(None),
            (None, None) => None,
        };
        let accounts = self.store.health_event_accounts(arn).await?;
        let revised = u.description.clone();
        let hook_accounts = accounts.clone();
        let mut what = Vec::new();
        if let Some(s) = status {
            what.push(format!("status {}", s.as_str()));
        }
        if let Some(Some(e)) = end {
            what.push(format!("end {e}"));
        }
        if u.description.is_some() {
            what.push("new description".to_string());
        }
        let audit = who.did(
            now,
            Action::HealthUpdate,
            None,
            format!("health:{arn}"),
            what.join(", "),
        );
        // The webhook tells the description as it now reads: the new one, or the latest.
        let latest = match &revised {
            Some(d) => d.clone(),
            None => self
                .store
                .health_descriptions(arn)
                .await?
                .pop()
                .map(|r| r.text)
                .unwrap_or_default(),
        };
        // Each change's webhook names the entities it affects, as AWS's do: the first
        // `HOOK_ENTITIES` of them (an EventBridge event is bounded in size too).
        let entities = if hook_accounts.is_empty() {
            Vec::new()
        } else {
            self.store
                .health_entities(&HealthEntityQuery {
                    event_arns: vec![arn.to_string()],
                    limit: crate::payloads::HOOK_ENTITIES,
                    ..Default::default()
                })
                .await?
                .items
        };
        let change = if revised.is_some() {
            "revised"
        } else {
            "status"
        };
        let event = self
            .store
            .update_health_event(
                arn,
                HealthChange {
                    status,
                    end,
                    description: u.description,
                    notice: self.notice(NoticeKind::HealthEvent, now),
                },
                now,
                Box::new(move |e: &Event| {
                    health_webhooks(e, &latest, &hook_accounts, &entities, change)
                }),
                audit,
            )
            .await
            .map_err(|e| not_found(e, arn))?;
        Ok(event)
    }

    /// Adds entities to an event or sets their status and tags.
    pub async fn put_health_entities(
        &self,
        who: &Who,
        arn: &str,
        entities: Vec<EntityInput>,
    ) -> Result<usize, ServiceError> {
        let now = self.clock.now();
        let event = self
            .store
            .health_events_by_arn(&[arn.to_string()])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::NotFound(format!("no Health event {arn}")))?;
        if entities.len() > MAX_ENTITIES {
            return Err(ServiceError::invalid(
                Field::EntityValue,
                Problem::TooMany {
                    max: MAX_ENTITIES,
                    got: entities.len(),
                },
            ));
        }
        let mut accounts: Vec<String> = entities.iter().map(|e| e.account_id.clone()).collect();
        accounts.sort();
        accounts.dedup();
        self.known_accounts(&accounts).await?;
        let mut rows = Vec::with_capacity(entities.len());
        for e in entities {
            rows.push(self.entity_of(&event, e, now)?);
        }
        let n = rows.len();
        let audit = who.did(
            now,
            Action::HealthEntities,
            (accounts.len() == 1).then(|| accounts[0].as_str()),
            format!("health:{arn}"),
            format!("{n} entit(y/ies) of {} account(s)", accounts.len()),
        );
        self.store
            .put_health_entities(
                arn,
                rows,
                now,
                // The accounts whose resources changed are told (the event as it then
                // reads); the others' earlier news still stands.
                self.notice(NoticeKind::HealthEvent, now),
                audit,
            )
            .await
            .map_err(|e| not_found(e, arn))?;
        Ok(n)
    }

    /// How far back past events are shown (the dashboard, the status page and its feeds).
    pub fn health_history(&self) -> std::time::Duration {
        self.health_history
    }

    pub fn with_health_history(mut self, history: std::time::Duration) -> Self {
        self.health_history = history;
        self
    }

    /// The events `viewer` sees (`None`: public ones only) that are open or upcoming, or
    /// were updated within the history window, newest update first, with their
    /// descriptions' revisions; at most `max` of each kind.
    pub async fn current_health(
        &self,
        viewer: Option<HealthViewer>,
        max: i64,
    ) -> Result<Vec<EventDetails>, ServiceError> {
        let now = self.clock.now();
        let since = now
            .checked_sub(jiff::SignedDuration::try_from(self.health_history).unwrap_or_default())
            .unwrap_or(now);
        let base = HealthEventQuery {
            public_only: viewer.is_none(),
            viewer,
            limit: max,
            ..Default::default()
        };
        let current = HealthEventQuery {
            statuses: vec![EventStatus::Open, EventStatus::Upcoming],
            ..base.clone()
        };
        let recent = HealthEventQuery {
            last_updated_times: vec![hl::TimeRange {
                from: Some(since),
                to: None,
            }],
            ..base
        };
        let mut events = self.store.health_events(&current).await?.items;
        for e in self.store.health_events(&recent).await?.items {
            if !events.iter().any(|x| x.arn == e.arn) {
                events.push(e);
            }
        }
        events.sort_by(|a, b| (b.last_updated, &b.arn).cmp(&(a.last_updated, &a.arn)));
        let arns: Vec<String> = events.iter().map(|e| e.arn.clone()).collect();
        let mut revisions: BTreeMap<String, Vec<Revision>> = BTreeMap::new();
        for (arn, r) in self.store.health_revisions(&arns).await? {
            revisions.entry(arn).or_default().push(r);
        }
        Ok(events
            .into_iter()
            .map(|event| EventDetails {
                revisions: revisions.remove(&event.arn).unwrap_or_default(),
                event,
            })
            .collect())
    }

    /// The event a case was opened about.
    pub async fn health_event_of_case(
        &self,
        display_id: i64,
    ) -> Result<Option<Event>, ServiceError> {
        Ok(self.store.case_health_event(display_id).await?)
    }

    /// Sets the regions an account uses (empty: fall back to its inventory's).
    pub async fn set_account_regions(
        &self,
        who: &Who,
        account_id: &str,
        regions: &[String],
    ) -> Result<(), ServiceError> {
        self.account(account_id).await?;
        let mut regions: Vec<String> = regions
            .iter()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        for r in &regions {
            check(Piece::Region, Field::Region, r)?;
        }
        regions.sort();
        regions.dedup();
        let audit = who.did(
            self.clock.now(),
            Action::AccountRegions,
            Some(account_id),
            format!("account:{account_id}"),
            if regions.is_empty() {
                "regions cleared".to_string()
            } else {
                format!("regions {}", regions.join(","))
            },
        );
        self.store
            .set_account_regions(account_id, regions, audit)
            .await?;
        Ok(())
    }

    /// The regions an account uses: the operator's, else its inventory's; `None` when
    /// neither is known (it then sees public events of every region).
    pub async fn account_regions(
        &self,
        account_id: &str,
    ) -> Result<Option<Vec<String>>, ServiceError> {
        if let Some(r) = self.store.account_regions(account_id).await? {
            return Ok(Some(r));
        }
        Ok(self
            .store
            .inventory_summary(account_id)
            .await?
            .map(|(_, regions, _)| regions)
            .filter(|r| !r.is_empty()))
    }

    /// What an account sees.
    pub async fn health_viewer(&self, account_id: &str) -> Result<HealthViewer, ServiceError> {
        Ok(HealthViewer {
            accounts: vec![account_id.to_string()],
            regions: self.account_regions(account_id).await?,
        })
    }

    /// A page of the events `viewer` sees that `q` finds, newest update first, from
    /// where `token` left off.
    pub async fn health_events_page(
        &self,
        viewer: Option<HealthViewer>,
        mut q: HealthEventQuery,
        token: Option<&str>,
        max: i64,
    ) -> Result<(Vec<Event>, Option<String>), ServiceError> {
        q.viewer = viewer;
        q.limit = 0;
        q.after = None;
        let fp = cursor::fingerprint(&[&format!("{q:?}")]);
        if let Some(t) = token {
            let keys = cursor::decode_keys(t, "health-events", fp)?;
            let [us, arn] = keys.as_slice() else {
                return Err(ServiceError::invalid(Field::NextToken, Problem::NotIssued));
            };
            let us = us
                .parse()
                .map_err(|_| ServiceError::invalid(Field::NextToken, Problem::NotIssued))?;
            q.after = Some((us, arn.clone()));
        }
        q.limit = max;
        let page = self.store.health_events(&q).await?;
        let next = match page.items.last() {
            Some(e) if page.more => Some(cursor::encode_keys(
                "health-events",
                &[
                    &tierdesk_core::time::to_micros(e.last_updated).to_string(),
                    &e.arn,
                ],
                fp,
            )),
            _ => None,
        };
        Ok((page.items, next))
    }

    /// How many events `viewer` sees that `q` finds, by category.
    pub async fn health_event_counts(
        &self,
        viewer: Option<HealthViewer>,
        mut q: HealthEventQuery,
    ) -> Result<Vec<(Category, i64)>, ServiceError> {
        q.viewer = viewer;
        Ok(self.store.health_event_counts(&q).await?)
    }

    /// The events among `arns` that `viewer` sees (in the order asked), and those it
    /// does not, as AWS's `failedSet` words them.
    pub async fn health_event_details(
        &self,
        viewer: Option<&HealthViewer>,
        arns: &[String],
    ) -> Result<(Vec<EventDetails>, Vec<Unreturned>), ServiceError> {
        let visible = self.visible_events(viewer, arns).await?;
        let mut found = Vec::new();
        let mut failed = Vec::new();
        for arn in arns {
            match visible.iter().find(|e| &e.arn == arn) {
                Some(e) => found.push(EventDetails {
                    event: e.clone(),
                    revisions: self.store.health_descriptions(arn).await?,
                }),
                None => failed.push(Unreturned {
                    arn: arn.clone(),
                    error_name: "UnsupportedOperation",
                    message: if hl::is_event_arn(arn) {
                        "Event ARN not found: no event with this ARN is visible to the account."
                            .to_string()
                    } else {
                        format!("'{arn}' is not an event ARN")
                    },
                }),
            }
        }
        Ok((found, failed))
    }

    /// Of `arns`, the events `viewer` sees.
    async fn visible_events(
        &self,
        viewer: Option<&HealthViewer>,
        arns: &[String],
    ) -> Result<Vec<Event>, ServiceError> {
        let arns: Vec<String> = arns
            .iter()
            .filter(|a| hl::is_event_arn(a))
            .cloned()
            .collect();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let q = HealthEventQuery {
            viewer: viewer.cloned(),
            arns: arns.clone(),
            limit: arns.len() as i64,
            ..Default::default()
        };
        Ok(self.store.health_events(&q).await?.items)
    }

    /// A page of the entities of events `viewer` sees, of `accounts` (its own unless
    /// staff or a payer's organization), from where `token` left off.
    pub async fn health_entities_page(
        &self,
        viewer: Option<&HealthViewer>,
        mut q: HealthEntityQuery,
        token: Option<&str>,
        max: i64,
    ) -> Result<(Vec<Entity>, Option<String>), ServiceError> {
        let asked = q.event_arns.clone();
        q.event_arns = self
            .visible_events(viewer, &asked)
            .await?
            .into_iter()
            .map(|e| e.arn)
            .collect();
        q.event_arns.sort();
        if let Some(v) = viewer {
            q.accounts = Some(match q.accounts.take() {
                None => v.accounts.clone(),
                Some(a) => a.into_iter().filter(|x| v.accounts.contains(x)).collect(),
            });
        }
        q.limit = 0;
        q.after = None;
        let fp = cursor::fingerprint(&[&format!("{asked:?}"), &format!("{q:?}")]);
        if q.event_arns.is_empty() {
            return Ok((Vec::new(), None));
        }
        if let Some(t) = token {
            let keys = cursor::decode_keys(t, "health-entities", fp)?;
            let [a, b, c] = keys.as_slice() else {
                return Err(ServiceError::invalid(Field::NextToken, Problem::NotIssued));
            };
            q.after = Some((a.clone(), b.clone(), c.clone()));
        }
        q.limit = max;
        let page = self.store.health_entities(&q).await?;
        let next = match page.items.last() {
            Some(e) if page.more => Some(cursor::encode_keys(
                "health-entities",
                &[&e.event_arn, &e.account_id, &e.value],
                fp,
            )),
            _ => None,
        };
        Ok((page.items, next))
    }

    /// Entities by event, account and status, of the events among `arns` that `viewer`
    /// sees, of `accounts` (`None`: the viewer's).
    pub async fn health_entity_counts(
        &self,
        viewer: Option<&HealthViewer>,
        arns: &[String],
        accounts: Option<Vec<String>>,
    ) -> Result<Vec<EntityCount>, ServiceError> {
        let visible: Vec<String> = self
            .visible_events(viewer, arns)
            .await?
            .into_iter()
            .map(|e| e.arn)
            .collect();
        let accounts = match (viewer, accounts) {
            (Some(v), None) => Some(v.accounts.clone()),
            (Some(v), Some(a)) => Some(a.into_iter().filter(|x| v.accounts.contains(x)).collect()),
            (None, a) => a,
        };
        Ok(self
            .store
            .health_entity_counts(&visible, accounts.as_deref())
            .await?)
    }

    /// A payer's organization: itself and the accounts it pays for, once its
    /// organization view is on (`None` while it is off).
    pub async fn health_organization(
        &self,
        caller: &Caller,
    ) -> Result<Option<Vec<String>>, ServiceError> {
        let payer = &caller.account.id;
        if self.store.health_organization(payer).await?.is_none() {
            return Ok(None);
        }
        let mut accounts: Vec<String> = self
            .store
            .payers()
            .await?
            .into_iter()
            .filter(|(_, p)| p == payer)
            .map(|(a, _)| a)
            .collect();
        accounts.push(payer.clone());
        accounts.sort();
        accounts.dedup();
        Ok(Some(accounts))
    }

    /// Turns the caller's organization view on or off.
    pub async fn set_health_organization(
        &self,
        caller: &Caller,
        who: &Who,
        enabled: bool,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        let payer = &caller.account.id;
        let audit = who.did(
            now,
            Action::HealthOrganization,
            Some(payer),
            format!("account:{payer}"),
            if enabled { "enabled" } else { "disabled" },
        );
        self.store
            .set_health_organization(payer, enabled.then_some(now), audit)
            .await?;
        Ok(())
    }
}

/// What staff may do with Health events: admins publish and change them; everyone reads
/// the events of the accounts they reach (and public ones).
impl App {
    fn health_admin(agent: &tierdesk_core::records::Agent, what: &str) -> Result<(), ServiceError> {
        if agent.role == tierdesk_core::records::Role::Admin {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "{} may not {what} Health events (admins may)",
                agent.email
            )))
        }
    }

    /// What a staff member sees: every event for those who reach every account, else
    /// public events and those naming an account they reach.
    pub async fn staff_health_viewer(
        &self,
        agent: &tierdesk_core::records::Agent,
    ) -> Result<Option<HealthViewer>, ServiceError> {
        Ok(match self.reach(agent).await? {
            crate::actor::Reach::Every => None,
            crate::actor::Reach::Only(accounts) => Some(HealthViewer {
                accounts,
                regions: None,
            }),
        })
    }

    pub async fn publish_health_event_as(
        &self,
        agent: &tierdesk_core::records::Agent,
        who: &Who,
        p: Publish,
    ) -> Result<Event, ServiceError> {
        Self::health_admin(agent, "publish")?;
        self.publish_health_event(who, p).await
    }

    pub async fn update_health_event_as(
        &self,
        agent: &tierdesk_core::records::Agent,
        who: &Who,
        arn: &str,
        u: Update,
    ) -> Result<Event, ServiceError> {
        Self::health_admin(agent, "change")?;
        self.update_health_event(who, arn, u).await
    }

    pub async fn put_health_entities_as(
        &self,
        agent: &tierdesk_core::records::Agent,
        who: &Who,
        arn: &str,
        entities: Vec<EntityInput>,
    ) -> Result<usize, ServiceError> {
        Self::health_admin(agent, "change")?;
        self.put_health_entities(who, arn, entities).await
    }

    /// An event with its revisions, the accounts it names and its entities by status,
    /// as a staff member sees it.
    pub async fn health_event_for_staff(
        &self,
        agent: &tierdesk_core::records::Agent,
        arn: &str,
    ) -> Result<(EventDetails, Vec<String>, Vec<EntityCount>), ServiceError> {
        let viewer = self.staff_health_viewer(agent).await?;
        let (mut found, _) = self
            .health_event_details(viewer.as_ref(), &[arn.to_string()])
            .await?;
        let details = found
            .pop()
            .ok_or_else(|| ServiceError::NotFound(format!("no Health event {arn}")))?;
        let mut accounts = self.store.health_event_accounts(arn).await?;
        if let Some(v) = &viewer {
            accounts.retain(|a| v.accounts.contains(a));
        }
        let counts = self
            .health_entity_counts(
                viewer.as_ref(),
                &[arn.to_string()],
                viewer.as_ref().map(|v| v.accounts.clone()),
            )
            .await?;
        Ok((details, accounts, counts))
    }
}

fn not_found(e: StoreError, arn: &str) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::NotFound(format!("no Health event {arn}")),
        e => e.into(),
    }
}

/// The webhook events of a change to `event`: one per account it names (with that
/// account's entities among `entities`), or one for everyone (`account` `*`) when public.
fn health_webhooks(
    event: &Event,
    description: &str,
    accounts: &[String],
    entities: &[Entity],
    change: &str,
) -> Vec<WebhookEvent> {
    let everyone = ["*".to_string()];
    let audience: &[String] = if accounts.is_empty() {
        &everyone
    } else {
        accounts
    };
    let at = tierdesk_core::time::to_micros(event.last_updated).to_string();
    audience
        .iter()
        .map(|account| {
            let key = format!("health:{}:{account}:{at}:{change}", event.arn);
            let payload =
                crate::payloads::health_event(event, description, account, entities, &key);
            WebhookEvent {
                key,
                event_type: crate::payloads::HEALTH_EVENT.to_string(),
                payload: payload.to_string(),
            }
        })
        .collect()
}
