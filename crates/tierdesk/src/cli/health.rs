//! `tierdesk health`: publish AWS Health events, revise and close them, and set the
//! resources they affect (one at a time, or thousands from a CSV).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use jiff::Timestamp;
use serde_json::json;
use tierdesk_app::health::{EntityInput, Publish, Update};
use tierdesk_app::{Limits, ServiceError};
use tierdesk_core::health::Event;

use super::{Global, print_json};
use crate::setup;

fn e(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[derive(Subcommand)]
pub enum HealthCmd {
    /// Publish an event: public to everyone in its region without --account, else
    /// specific to the accounts named (and to those of its --entity resources).
    Publish {
        /// The service, as the event type names it (EC2).
        #[arg(long)]
        service: String,
        /// The event type code (data/health-event-types.toml lists them).
        #[arg(long = "type")]
        type_code: String,
        /// issue, accountNotification, scheduledChange or investigation.
        #[arg(long)]
        category: String,
        /// A region (us-east-1), or global.
        #[arg(long)]
        region: String,
        #[arg(long)]
        availability_zone: Option<String>,
        /// An account the event is specific to; repeatable.
        #[arg(long = "account")]
        accounts: Vec<String>,
        /// An affected resource, ACCOUNT:VALUE (111122223333:i-0abc); repeatable.
        #[arg(long = "entity")]
        entities: Vec<String>,
        /// What heads the event (default: the event type's name).
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        description: String,
        /// RFC 3339 (default: now).
        #[arg(long)]
        start: Option<Timestamp>,
        #[arg(long)]
        end: Option<Timestamp>,
        /// open, upcoming or closed (default: from the start and end).
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revise an event: a new status (closing sets the end to now unless given), an
    /// end, a new description (earlier ones are kept).
    Update {
        #[arg(long)]
        arn: String,
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        end: Option<Timestamp>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add an affected resource to an event, or set its status.
    Entity {
        #[arg(long)]
        arn: String,
        #[arg(long)]
        account: String,
        #[arg(long)]
        entity: String,
        /// IMPAIRED, UNIMPAIRED, UNKNOWN, PENDING or RESOLVED.
        #[arg(long)]
        status: String,
        /// A tag of the resource, KEY=VALUE (repeat it; given tags replace the
        /// resource's, none keeps them).
        #[arg(long = "tag", value_name = "KEY=VALUE")]
        tags: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Add affected resources from a CSV file of account_id,entity_value[,status[,tags]]
    /// lines (status IMPAIRED when absent; tags as key=value;key=value); a bad line
    /// refuses the whole file.
    Entities {
        #[arg(long)]
        arn: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn event_json(ev: &Event) -> serde_json::Value {
    json!({
        "arn": ev.arn,
        "service": ev.service,
        "eventTypeCode": ev.type_code,
        "eventTypeCategory": ev.category.as_str(),
        "region": ev.region,
        "statusCode": ev.status.as_str(),
        "eventScopeCode": ev.scope.as_str(),
        "startTime": ev.start.to_string(),
        "endTime": ev.end.map(|t| t.to_string()),
        "lastUpdatedTime": ev.last_updated.to_string(),
        "title": ev.title,
    })
}

pub async fn health(g: &Global, cmd: HealthCmd) -> anyhow::Result<()> {
    // The server's notice worker mails the accounts an event names.
    let app = setup::app(g, Limits::default())
        .await?
        .with_notices_always();
    let who = super::operator();
    match cmd {
        HealthCmd::Publish {
            service,
            type_code,
            category,
            region,
            availability_zone,
            accounts,
            entities,
            title,
            description,
            start,
            end,
            status,
            json,
        } => {
            let entities = entities
                .iter()
                .map(|s| {
                    s.split_once(':')
                        .map(|(a, v)| EntityInput::impaired(a, v))
                        .ok_or_else(|| anyhow::anyhow!("--entity '{s}' is not ACCOUNT:VALUE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let ev = app
                .publish_health_event(
                    &who,
                    Publish {
                        service,
                        type_code,
                        category,
                        region,
                        availability_zone,
                        accounts,
                        entities,
                        title,
                        description,
                        start,
                        end,
                        status,
                    },
                )
                .await
                .map_err(e)?;
            if json {
                print_json(&json!({"arn": ev.arn}))?;
            } else {
                println!(
                    "Published {} ({}, {}).",
                    ev.arn,
                    ev.scope.as_str(),
                    ev.status.as_str()
                );
            }
        }
        HealthCmd::Update {
            arn,
            status,
            end,
            description,
            json,
        } => {
            let ev = app
                .update_health_event(
                    &who,
                    &arn,
                    Update {
                        status,
                        end,
                        description,
                    },
                )
                .await
                .map_err(e)?;
            if json {
                print_json(&event_json(&ev))?;
            } else {
                println!("{}: {}.", ev.arn, ev.status.as_str());
            }
        }
        HealthCmd::Entity {
            arn,
            account,
            entity,
            status,
            tags,
            json,
        } => {
            let tags = tierdesk_core::health::parse_tags(&tags.join(";"))
                .map_err(|err| anyhow::anyhow!("--tag: {err}"))?;
            let n = app
                .put_health_entities(
                    &who,
                    &arn,
                    vec![EntityInput {
                        account_id: account.clone(),
                        value: entity.clone(),
                        status: status.clone(),
                        tags,
                    }],
                )
                .await
                .map_err(e)?;
            if json {
                print_json(
                    &json!({"arn": arn, "accountId": account, "entityValue": entity, "statusCode": status, "entities": n}),
                )?;
            } else {
                println!("{arn}: {account} {entity} {status}.");
            }
        }
        HealthCmd::Entities { arn, file, json } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let rows = tierdesk_core::health::affected_csv(&text)
                .map_err(|err| anyhow::anyhow!("{}: {err}", file.display()))?;
            let n = app
                .put_health_entities(
                    &who,
                    &arn,
                    rows.into_iter().map(EntityInput::from).collect(),
                )
                .await
                .map_err(e)?;
            if json {
                print_json(&json!({"arn": arn, "entities": n}))?;
            } else {
                println!("{arn}: {n} affected resource(s) written.");
            }
        }
    }
    Ok(())
}
