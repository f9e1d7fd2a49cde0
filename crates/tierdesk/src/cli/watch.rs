//! `tierdesk watch`: probes a target and opens a support case through the AWS Support
//! API (Tierdesk's endpoint or AWS's, with the account's own access key) when it has
//! failed `--failures` times in a row; reports the recovery on that case; never opens a
//! second case for the same outage, across restarts too (`--state`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tierdesk_aws::shapes::CreateCaseRequest;
use tierdesk_core::clock::{Clock, SystemClock};
use tierdesk_core::outage::{Outage, Step};
use tierdesk_server::support_client::{SupportClient, Target};

use super::parse_span;

#[derive(Args)]
pub struct Watch {
    /// What to probe: tcp://HOST:PORT (a connection) or http(s)://URL (an answer below 400).
    #[arg(long)]
    target: String,
    /// Time between probes: 500ms, 30s, 1m.
    #[arg(long, default_value = "30s", value_parser = parse_span)]
    every: Duration,
    /// Failures in a row that open a case.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    failures: u32,
    /// How long one probe may take.
    #[arg(long, default_value = "5s", value_parser = parse_span)]
    timeout: Duration,
    /// The AWS Support API endpoint: Tierdesk's (http://HOST:PORT) or AWS's.
    #[arg(long, default_value = "https://support.us-east-1.amazonaws.com")]
    endpoint: String,
    #[arg(long, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
    region: String,
    #[arg(long, env = "AWS_ACCESS_KEY_ID")]
    access_key_id: String,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_access_key: String,
    /// The case's severity.
    #[arg(long, default_value = "urgent")]
    severity: String,
    #[arg(long, default_value = "amazon-elastic-compute-cloud-linux")]
    service_code: String,
    #[arg(long, default_value = "general-guidance")]
    category_code: String,
    /// A file that keeps the outage (its failures and case) across restarts.
    #[arg(long)]
    state: Option<PathBuf>,
}

fn load(path: Option<&Path>) -> anyhow::Result<Outage> {
    let Some(path) = path else {
        return Ok(Outage::default());
    };
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{}: not a watch state file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Outage::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Written whole or not at all (a temporary file renamed over the old one).
fn save(path: Option<&Path>, o: &Outage) -> anyhow::Result<()> {
    let Some(path) = path else {
        return Ok(());
    };
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(o)?)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

pub async fn watch(w: Watch) -> anyhow::Result<()> {
    let target = Target::parse(&w.target)?;
    let http = tierdesk_server::webhook_sender::client(None)?;
    let api = SupportClient::new(
        http.clone(),
        &w.endpoint,
        &w.region,
        &w.access_key_id,
        &w.secret_access_key,
    )?;
    let clock = SystemClock;
    let state = w.state.as_deref();
    let mut outage = load(state)?;
    println!(
        "watching {} every {} ms; {} failures in a row open a case at {}",
        w.target,
        w.every.as_millis(),
        w.failures,
        w.endpoint
    );
    let mut ticks = tokio::time::interval(w.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
        let probed = target.probe(&http, w.timeout).await;
        let now = clock.now();
        let step = match &probed {
            Ok(()) => outage.answered(&w.target, now),
            Err(why) => {
                let step = outage.failed(&w.target, now, why, w.failures);
                println!("{now} {}: {why} ({} in a row)", w.target, outage.count);
                step
            }
        };
        match step {
            Step::Nothing => {}
            Step::Open { subject, body } => {
                let input = CreateCaseRequest {
                    subject: Some(subject),
                    communication_body: Some(body),
                    severity_code: Some(w.severity.clone()),
                    service_code: Some(w.service_code.clone()),
                    category_code: Some(w.category_code.clone()),
                    issue_type: Some("technical".into()),
                    ..Default::default()
                };
                match api.create_case(&input, clock.now()).await {
                    Ok(case_id) => {
                        println!("{now} opened {case_id}");
                        outage.opened(case_id);
                    }
                    // Asked again at the next failure.
                    Err(e) => eprintln!("{now} could not open a case: {e:#}"),
                }
            }
            Step::Recovered { case_id, body } => {
                match api.add_communication(&case_id, &body, clock.now()).await {
                    Ok(()) => {
                        println!("{now} {} answers again; told {case_id}", w.target);
                        outage.closed();
                    }
                    // Reported again at the next probe.
                    Err(e) => eprintln!("{now} could not write to {case_id}: {e:#}"),
                }
            }
        }
        save(state, &outage)?;
    }
}

#[cfg(test)]
mod tests {
    use super::parse_span;
    use std::time::Duration;

    #[test]
    fn spans() {
        assert_eq!(parse_span("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_span("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_span("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_span("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_span("3d"), Ok(Duration::from_secs(3 * 86_400)));
        for bad in ["0s", "s", "5w", "-1s", ""] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }
}
