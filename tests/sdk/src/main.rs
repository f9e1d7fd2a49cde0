//! Calls AWS Health through the AWS SDK for Rust (aws-sdk-health, Smithy RPC v2 CBOR)
//! against a running `tierdesk serve`, and prints what it read as JSON for the e2e test
//! (`tests/e2e/test_health.py`) to check.
//!
//! Usage: tierdesk-sdk-tests URL ACCESS_KEY_ID SECRET EVENT_ARN

use aws_credential_types::Credentials;
use aws_sdk_health::config::{BehaviorVersion, Region};
use aws_sdk_health::error::ProvideErrorMetadata;
use aws_sdk_health::types::{DateTimeRange, EntityFilter, EventAggregateField, EventFilter};
use serde_json::json;

fn secs(t: Option<&aws_sdk_health::primitives::DateTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, secret, arn] = args.as_slice() else {
        return Err("usage: tierdesk-sdk-tests URL ACCESS_KEY_ID SECRET EVENT_ARN".into());
    };
    let config = aws_sdk_health::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(key, secret, None, None, "e2e"))
        .build();
    let health = aws_sdk_health::Client::from_conf(config);

    let mut events = Vec::new();
    let mut pages = 0;
    let mut token = None;
    loop {
        let out = health
            .describe_events()
            .filter(
                EventFilter::builder()
                    .services("EC2")
                    .start_times(
                        DateTimeRange::builder()
                            .from(aws_sdk_health::primitives::DateTime::from_secs(0))
                            .build(),
                    )
                    .build(),
            )
            .max_results(2)
            .set_next_token(token)
            .send()
            .await?;
        pages += 1;
        for e in out.events() {
            events.push(json!({
                "arn": e.arn(),
                "statusCode": e.status_code().map(|s| s.as_str()),
                "eventTypeCategory": e.event_type_category().map(|c| c.as_str()),
                "startTime": secs(e.start_time()),
                "lastUpdatedTime": secs(e.last_updated_time()),
                "eventScopeCode": e.event_scope_code().map(|s| s.as_str()),
            }));
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let details = health
        .describe_event_details()
        .event_arns(arn)
        .event_arns("arn:aws:health:us-east-1::event/EC2/X/X_none")
        .send()
        .await?;
    let entities = health
        .describe_affected_entities()
        .filter(EntityFilter::builder().event_arns(arn).build()?)
        .send()
        .await?;
    let aggregates = health
        .describe_entity_aggregates()
        .event_arns(arn)
        .send()
        .await?;
    let categories = health
        .describe_event_aggregates()
        .aggregate_field(EventAggregateField::EventTypeCategory)
        .send()
        .await?;
    let types = health.describe_event_types().max_results(10).send().await?;
    let bad_token = health
        .describe_events()
        .next_token("not-a-token-of-ours")
        .send()
        .await;
    let bad_code = bad_token.err().and_then(|e| e.code().map(str::to_string));
    println!(
        "{}",
        json!({
            "events": events,
            "pages": pages,
            "details": details.successful_set().iter().map(|d| json!({
                "arn": d.event().and_then(|e| e.arn()),
                "latestDescription": d.event_description().and_then(|x| x.latest_description()),
            })).collect::<Vec<_>>(),
            "failed": details.failed_set().iter().map(|f| f.event_arn()).collect::<Vec<_>>(),
            "entities": entities.entities().iter().map(|e| json!({
                "entityValue": e.entity_value(),
                "statusCode": e.status_code().map(|s| s.as_str()),
                "awsAccountId": e.aws_account_id(),
                "lastUpdatedTime": secs(e.last_updated_time()),
            })).collect::<Vec<_>>(),
            "aggregates": aggregates.entity_aggregates().iter().map(|a| json!({
                "eventArn": a.event_arn(),
                "count": a.count(),
            })).collect::<Vec<_>>(),
            "categories": categories.event_aggregates().iter().map(|a| json!([a.aggregate_value(), a.count()])).collect::<Vec<_>>(),
            "types": types.event_types().len(),
            "typesNextToken": types.next_token().is_some(),
            "badTokenError": bad_code,
        })
    );
    Ok(())
}
