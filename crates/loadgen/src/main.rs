//! `tierdesk-loadgen`: a SigV4-signing load generator for AWS Support API servers
//! (Tierdesk, or moto's server for comparison).
//!
//! Bounded and loopback-only by construction: it stops after `--requests` calls or
//! `--duration` seconds, whichever comes first, and refuses any endpoint that is not on
//! this machine.

use std::net::{IpAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use clap::{Parser, ValueEnum};
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tierdesk_aws::sigv4::{Scope, SignedRequest, sign_with_key, signing_key};
use tierdesk_aws::{CONTENT_TYPE, Service, TARGET_PREFIX};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
enum Scenario {
    /// CreateCase with a subject and a body.
    CreateCase,
    /// DescribeCases for one known case id (caseIdList of one).
    DescribeById,
    /// DescribeCases pages of 100 (with recent communications), following nextToken.
    DescribePage,
    /// AddCommunicationToCase on a known case (a customer's follow-up: it writes the
    /// message and applies the SLA rules to the case's targets).
    AddCommunication,
    /// ResolveCase on a known case. Most calls find the case already resolved: they read
    /// its turn and write its row as a first resolution does, without a notice.
    ResolveCase,
    /// AWS Health DescribeEvents pages of 100, following nextToken (signed for `health`).
    HealthEvents,
    /// An engineer's reply on a known case through the operator API
    /// (`POST /api/v1/cases/{id}/replies`, bearer `--token`): it writes the message,
    /// stops the case's first-response clock and notifies.
    AgentReply,
}

#[derive(Parser)]
#[command(about = "SigV4-signing load generator for AWS Support API endpoints on this machine")]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    endpoint: String,
    #[arg(long, env = "AWS_ACCESS_KEY_ID")]
    access_key: String,
    #[arg(long, env = "AWS_SECRET_ACCESS_KEY", hide_env_values = true)]
    secret_key: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, value_enum)]
    scenario: Scenario,
    /// Stop after this many requests.
    #[arg(long, default_value_t = 10_000)]
    requests: u64,
    /// Stop after this many seconds, whatever the count.
    #[arg(long, default_value_t = 120)]
    duration: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Case ids to sample for describe-by-id.
    #[arg(long, default_value_t = 1000)]
    sample: usize,
    /// An operator API token (an agent's), for agent-reply.
    #[arg(long, env = "TIERDESK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Label for the report (e.g. "tierdesk sqlite").
    #[arg(long, default_value = "")]
    label: String,
    #[arg(long)]
    json: bool,
}

struct Target {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: hyper::Uri,
    host: String,
    access_key: String,
    secret: String,
    region: String,
    /// The service signed for, and its operations' target prefix.
    service: Service,
    prefix: &'static str,
    /// The signing key for one UTC date, derived once.
    key: Mutex<(String, Vec<u8>)>,
}

impl Target {
    async fn call(&self, op: &str, body: &Value) -> anyhow::Result<(u16, Bytes)> {
        let body = Bytes::from(serde_json::to_vec(body)?);
        let target = format!("{}{op}", self.prefix);
        let headers = vec![
            ("content-type".to_string(), CONTENT_TYPE.to_string()),
            ("host".to_string(), self.host.clone()),
            ("x-amz-target".to_string(), target.clone()),
        ];
        let signed = SignedRequest {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: &body,
        };
        // A client signs with the real time (the service reads it only through a Clock).
        let now = jiff::Timestamp::now();
        let scope = Scope {
            region: &self.region,
            service: self.service.signing_name(),
        };
        let day = now.strftime("%Y%m%d").to_string();
        let key = {
            let mut cached = self.key.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            if cached.0 != day {
                *cached = (
                    day.clone(),
                    signing_key(self.secret.as_bytes(), &day, scope.region, scope.service),
                );
            }
            cached.1.clone()
        };
        let (date, authorization) = sign_with_key(&signed, &self.access_key, &key, scope, now);
        let req = Request::post(self.uri.clone())
            .header("content-type", CONTENT_TYPE)
            .header("host", &self.host)
            .header("x-amz-target", target)
            .header("x-amz-date", date)
            .header("authorization", authorization)
            .body(Full::new(body))?;
        let resp = self.client.request(req).await?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }
}

impl Target {
    /// An agent's reply on `case_id` through the operator API.
    async fn reply(&self, case_id: &str, token: &str) -> anyhow::Result<(u16, Bytes)> {
        let body = Bytes::from(serde_json::to_vec(
            &json!({"body": "We restarted the host; please check again."}),
        )?);
        let base = self.uri.to_string();
        let uri: hyper::Uri = format!(
            "{}/api/v1/cases/{case_id}/replies",
            base.trim_end_matches('/')
        )
        .parse()?;
        let req = Request::post(uri)
            .header("content-type", "application/json")
            .header("host", &self.host)
            .header("authorization", format!("Bearer {token}"))
            .body(Full::new(body))?;
        let resp = self.client.request(req).await?;
        let status = resp.status().as_u16();
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok((status, bytes))
    }
}

/// Only this machine: a load test never leaves loopback.
fn check_loopback(uri: &hyper::Uri) -> anyhow::Result<String> {
    if uri.scheme_str() != Some("http") {
        bail!("only http:// endpoints on this machine are supported");
    }
    let host = uri.host().context("endpoint has no host")?;
    let port = uri.port_u16().unwrap_or(80);
    let addrs: Vec<IpAddr> = (host.trim_matches(['[', ']']), port)
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .map(|a| a.ip())
        .collect();
    if addrs.is_empty() || !addrs.iter().all(IpAddr::is_loopback) {
        bail!("{host} is not a loopback address; tierdesk-loadgen only targets this machine");
    }
    Ok(match uri.port_u16() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
}

/// One of `ids`, by a xorshift step of `rng` (cheap, and the same per worker each run).
fn pick<'a>(rng: &mut u64, ids: &'a [String]) -> &'a str {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    &ids[(*rng % ids.len() as u64) as usize]
}

async fn sample_case_ids(t: &Target, n: usize) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    while ids.len() < n {
        let mut body = json!({"maxResults": 100, "includeCommunications": false, "includeResolvedCases": true});
        if let Some(tok) = &token {
            body["nextToken"] = json!(tok);
        }
        let (status, bytes) = t.call("DescribeCases", &body).await?;
        if status != 200 {
            bail!(
                "DescribeCases failed while sampling ids: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let v: Value = serde_json::from_slice(&bytes)?;
        let cases = v["cases"].as_array().cloned().unwrap_or_default();
        ids.extend(
            cases
                .iter()
                .filter_map(|c| c["caseId"].as_str().map(String::from)),
        );
        token = v["nextToken"].as_str().map(String::from);
        if token.is_none() || cases.is_empty() {
            break;
        }
    }
    if ids.is_empty() {
        bail!("the account has no cases; run the create-case scenario first");
    }
    Ok(ids)
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let uri: hyper::Uri = args.endpoint.parse().context("bad --endpoint")?;
    let host = check_loopback(&uri)?;
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(args.concurrency)
        .build(connector);
    let target = Arc::new(Target {
        client,
        uri,
        host,
        access_key: args.access_key.clone(),
        secret: args.secret_key.clone(),
        region: args.region.clone(),
        service: if args.scenario == Scenario::HealthEvents {
            Service::Health
        } else {
            Service::Support
        },
        prefix: if args.scenario == Scenario::HealthEvents {
            tierdesk_aws::health::TARGET_PREFIX
        } else {
            TARGET_PREFIX
        },
        key: Mutex::new((String::new(), Vec::new())),
    });
    if args.scenario == Scenario::AgentReply && args.token.is_none() {
        bail!("agent-reply needs --token (or TIERDESK_TOKEN): an agent's operator API token");
    }
    let ids = Arc::new(
        if matches!(
            args.scenario,
            Scenario::DescribeById
                | Scenario::AddCommunication
                | Scenario::AgentReply
                | Scenario::ResolveCase
        ) {
            sample_case_ids(&target, args.sample).await?
        } else {
            Vec::new()
        },
    );

    let issued = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (target, ids, issued) = (target.clone(), ids.clone(), issued.clone());
        let token_arg = args.token.clone().unwrap_or_default();
        let (scenario, limit) = (args.scenario, args.requests);
        workers.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::new();
            let mut errors: Vec<String> = Vec::new();
            let mut token: Option<String> = None;
            let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (w as u64 + 1);
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= limit || Instant::now() >= deadline {
                    break;
                }
                let (op, body) = match scenario {
                    Scenario::CreateCase => (
                        "CreateCase",
                        json!({
                            "subject": format!("load test case {n}"),
                            "communicationBody": "Instance i-0abc123 in us-east-1 stopped answering at 14:02 UTC.",
                            "serviceCode": "general-info",
                            "categoryCode": "using-aws",
                            "severityCode": "low",
                        }),
                    ),
                    Scenario::DescribeById => {
                        let id = pick(&mut rng, &ids);
                        ("DescribeCases", json!({"caseIdList": [id], "includeResolvedCases": true}))
                    }
                    Scenario::AddCommunication => {
                        let id = pick(&mut rng, &ids);
                        (
                            "AddCommunicationToCase",
                            json!({"caseId": id, "communicationBody": "Still failing after the restart."}),
                        )
                    }
                    Scenario::ResolveCase => {
                        let id = pick(&mut rng, &ids);
                        ("ResolveCase", json!({"caseId": id}))
                    }
                    Scenario::DescribePage => {
                        let mut b = json!({"maxResults": 100, "includeResolvedCases": true});
                        if let Some(t) = &token {
                            b["nextToken"] = json!(t);
                        }
                        ("DescribeCases", b)
                    }
                    Scenario::AgentReply => {
                        let id = pick(&mut rng, &ids);
                        ("", json!({"caseId": id}))
                    }
                    Scenario::HealthEvents => {
                        let mut b = json!({"maxResults": 100});
                        if let Some(t) = &token {
                            b["nextToken"] = json!(t);
                        }
                        ("DescribeEvents", b)
                    }
                };
                let t0 = Instant::now();
                let answer = match scenario {
                    Scenario::AgentReply => {
                        target
                            .reply(body["caseId"].as_str().unwrap_or_default(), &token_arg)
                            .await
                    }
                    _ => target.call(op, &body).await,
                };
                match answer {
                    Ok((200, bytes)) => {
                        latencies.push(t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        if matches!(scenario, Scenario::DescribePage | Scenario::HealthEvents) {
                            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                            token = v["nextToken"].as_str().map(String::from);
                        }
                    }
                    Ok((status, bytes)) => errors.push(format!("{status} {}", String::from_utf8_lossy(&bytes))),
                    Err(e) => errors.push(e.to_string()),
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    for w in workers {
        let (l, e) = w.await?;
        latencies.extend(l);
        errors.extend(e);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let ok = latencies.len();
    let report = json!({
        "label": args.label,
        "scenario": format!("{:?}", args.scenario),
        "concurrency": args.concurrency,
        "ok": ok,
        "errors": errors.len(),
        "seconds": (seconds * 100.0).round() / 100.0,
        "per_second": (ok as f64 / seconds).round(),
        "p50_ms": percentile(&latencies, 0.50),
        "p90_ms": percentile(&latencies, 0.90),
        "p99_ms": percentile(&latencies, 0.99),
        "max_ms": percentile(&latencies, 1.0),
        "first_error": errors.first(),
    });
    if args.json {
        println!("{report}");
    } else {
        println!(
            "{} {:?}: {} ok, {} errors in {:.2}s = {:.0}/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            args.label,
            args.scenario,
            ok,
            errors.len(),
            seconds,
            ok as f64 / seconds,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.90),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0)
        );
        if let Some(e) = errors.first() {
            println!("first error: {}", e.chars().take(300).collect::<String>());
        }
    }
    Ok(())
}
