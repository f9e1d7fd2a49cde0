//! How the service is doing, for Prometheus: `GET /metrics` in Prometheus's text format
//! (0.0.4), and the `observe` layer that gives every request its id, its span (so every
//! log line it causes carries the id) and its place in the counters.
//!
//! Two kinds of figure. This process's own (requests, latency, sign-in failures, the SLA
//! events its worker recorded, its writers' batches and commits) are counters that
//! Prometheus sums across replicas. The service's state (open cases and the oldest per
//! plan, the webhook outbox) is read from the database at each scrape, the same from
//! every replica.
//!
//! Labels never come from what a client sends unchecked: an AWS operation is named only
//! if it is one of the API's, and other requests by the route they matched, so the number
//! of series stays bounded whatever arrives.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tierdesk_core::counters::{Buckets, Snapshot};
use tracing::Instrument;

use crate::AppState;

/// Where a request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Surface {
    Aws,
    Api,
    Console,
    Other,
}

impl Surface {
    const ALL: [Surface; 4] = [Surface::Aws, Surface::Api, Surface::Console, Surface::Other];

    fn of(method: &axum::http::Method, path: &str) -> Self {
        if (path == "/" || path.starts_with("/service/")) && method == axum::http::Method::POST {
            Surface::Aws
        } else if path.starts_with("/api/") {
            Surface::Api
        } else if path == "/console" || path.starts_with("/console/") {
            Surface::Console
        } else {
            Surface::Other
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Surface::Aws => "aws",
            Surface::Api => "api",
            Surface::Console => "console",
            Surface::Other => "other",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How a request ended, by its status.
fn outcome(status: StatusCode) -> &'static str {
    if status.is_server_error() {
        "server_error"
    } else if status.is_client_error() {
        "client_error"
    } else {
        "ok"
    }
}

/// Seconds to answer.
static LATENCY_BOUNDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Why a console sign-in was refused.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SignInFailure {
    WrongCredentials,
    Throttled,
}

/// This process's counters.
pub(crate) struct Metrics {
    /// (surface, operation, outcome) → requests.
    requests: Mutex<BTreeMap<(Surface, &'static str, &'static str), u64>>,
    /// Route templates seen, so that a label is a `&'static str` (bounded: one per route).
    routes: Mutex<BTreeMap<String, &'static str>>,
    latency: [Buckets; 4],
    wrong_credentials: AtomicU64,
    throttled: AtomicU64,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        Self {
            requests: Mutex::default(),
            routes: Mutex::default(),
            latency: Surface::ALL.map(|_| Buckets::new(&LATENCY_BOUNDS)),
            wrong_credentials: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
        }
    }

    pub(crate) fn sign_in_failed(&self, why: SignInFailure) {
        match why {
            SignInFailure::WrongCredentials => &self.wrong_credentials,
            SignInFailure::Throttled => &self.throttled,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// A route template as a label. Templates are the router's own (a few dozen), so
    /// keeping each once for the process's life is bounded.
    fn route_label(&self, route: &str) -> &'static str {
        let Ok(mut routes) = self.routes.lock() else {
            return "unmatched";
        };
        if let Some(label) = routes.get(route) {
            return label;
        }
        let label: &'static str = Box::leak(route.to_string().into_boxed_str());
        routes.insert(route.to_string(), label);
        label
    }

    fn record(&self, surface: Surface, operation: &'static str, status: StatusCode, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((surface, operation, outcome(status))).or_default() += 1;
        }
        self.latency[surface.index()].observe(secs);
    }
}

/// A request's id, for handlers that answer with it (the AWS endpoint's
/// `x-amzn-RequestId`).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// Where `note_route` leaves the route a request matched, for `observe`.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<String>>);

/// The outermost layer: an id and a span for the request, and its count and latency.
pub(crate) async fn observe(
    State(st): State<std::sync::Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = st.request_ids.next();
    let surface = Surface::of(req.method(), req.uri().path());
    let aws_operation = (surface == Surface::Aws)
        .then(|| aws_operation(req.headers(), req.uri().path()))
        .flatten();
    let slot = RouteSlot::default();
    req.extensions_mut().insert(RequestId(id.clone()));
    req.extensions_mut().insert(slot.clone());
    let span = tracing::info_span!("request", id = %id, surface = surface.as_str());
    let started = Instant::now();
    let response = next.run(req).instrument(span.clone()).await;
    let secs = started.elapsed().as_secs_f64();
    let operation = match (surface, aws_operation, slot.0.get()) {
        (Surface::Aws, Some(op), _) => op,
        (Surface::Aws, None, _) => "unknown",
        (_, _, Some(route)) => st.metrics.route_label(route),
        _ => "unmatched",
    };
    st.metrics
        .record(surface, operation, response.status(), secs);
    // The AWS endpoint logs its own line, with the caller and the error code.
    if surface != Surface::Aws {
        tracing::debug!(
            parent: &span,
            status = response.status().as_u16(),
            route = operation,
            micros = (secs * 1e6) as u64,
            "request"
        );
    }
    response
}

/// The AWS operation a request names: by its target (the Support API, Health over JSON
/// 1.1) or by its path (Health over RPC v2 CBOR).
fn aws_operation(headers: &axum::http::HeaderMap, path: &str) -> Option<&'static str> {
    use tierdesk_aws::health::{HealthOperation, TARGET_PREFIX, cbor_operation};
    if path != "/" {
        let name = cbor_operation(path).ok()?;
        return HealthOperation::parse(name).ok().map(HealthOperation::name);
    }
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    match target.strip_prefix(TARGET_PREFIX) {
        Some(name) => HealthOperation::parse(name).ok().map(HealthOperation::name),
        None => tierdesk_aws::Operation::parse(target)
            .ok()
            .map(tierdesk_aws::Operation::name),
    }
}

/// A layer on matched routes only: tells `observe` which route matched.
pub(crate) async fn note_route(req: Request, next: Next) -> Response {
    if let (Some(path), Some(slot)) = (
        req.extensions().get::<MatchedPath>(),
        req.extensions().get::<RouteSlot>(),
    ) {
        let _ = slot.0.set(path.as_str().to_string());
    }
    next.run(req).await
}

/// `GET /metrics` on the main listener: only with the bearer token `--metrics-token` set.
pub(crate) async fn guarded(
    State(st): State<std::sync::Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let presented = crate::client::bearer(&headers).unwrap_or_default();
    let allowed = st.metrics_token.as_deref().is_some_and(|token| {
        !presented.is_empty()
            && bool::from(subtle::ConstantTimeEq::ct_eq(
                token.as_bytes(),
                presented.as_bytes(),
            ))
    });
    if !allowed {
        let mut r = (StatusCode::UNAUTHORIZED, "a metrics token is required\n").into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return r;
    }
    page(State(st)).await
}

/// `GET /metrics`, as served on `--metrics-listen` (no token: that address is the
/// operator's to protect).
pub(crate) async fn page(State(st): State<std::sync::Arc<AppState>>) -> Response {
    match render(&st).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "metrics could not be read");
            (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable\n").into_response()
        }
    }
}

/// A label value as the text format writes it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `{a="x",b="y"}`, or nothing without labels.
fn labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, pairs: &[(&str, &str)], value: impl std::fmt::Display) {
    let _ = writeln!(out, "{name}{} {value}", labels(pairs));
}

fn histogram(out: &mut String, name: &str, pairs: &[(&str, &str)], s: &Snapshot) {
    for (bound, n) in &s.cumulative {
        let le = bound.to_string();
        let mut with = pairs.to_vec();
        with.push(("le", &le));
        sample(out, &format!("{name}_bucket"), &with, n);
    }
    let mut with = pairs.to_vec();
    with.push(("le", "+Inf"));
    sample(out, &format!("{name}_bucket"), &with, s.count);
    sample(out, &format!("{name}_sum"), pairs, s.sum);
    sample(out, &format!("{name}_count"), pairs, s.count);
}

async fn render(st: &AppState) -> Result<String, tierdesk_app::ServiceError> {
    let m = &st.metrics;
    let now = st.app.clock.now();
    let gauges = st.app.store.service_gauges(now).await?;
    let mut out = String::with_capacity(8 * 1024);

    head(
        &mut out,
        "tierdesk_build_info",
        "gauge",
        "The running version (always 1).",
    );
    sample(
        &mut out,
        "tierdesk_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1,
    );

    head(
        &mut out,
        "tierdesk_http_requests_total",
        "counter",
        "Requests answered by this process, by surface, operation (an AWS operation or a route) and outcome.",
    );
    let requests = m.requests.lock().map(|r| r.clone()).unwrap_or_default();
    for ((surface, operation, outcome), n) in &requests {
        sample(
            &mut out,
            "tierdesk_http_requests_total",
            &[
                ("surface", surface.as_str()),
                ("operation", operation),
                ("outcome", outcome),
            ],
            n,
        );
    }

    head(
        &mut out,
        "tierdesk_http_request_duration_seconds",
        "histogram",
        "Seconds from a request's arrival to its answer, by surface.",
    );
    for surface in Surface::ALL {
        histogram(
            &mut out,
            "tierdesk_http_request_duration_seconds",
            &[("surface", surface.as_str())],
            &m.latency[surface.index()].snapshot(),
        );
    }

    head(
        &mut out,
        "tierdesk_sign_in_failures_total",
        "counter",
        "Console sign-ins refused by this process, by reason.",
    );
    for (reason, n) in [
        ("wrong_credentials", &m.wrong_credentials),
        ("throttled", &m.throttled),
    ] {
        sample(
            &mut out,
            "tierdesk_sign_in_failures_total",
            &[("reason", reason)],
            n.load(Ordering::Relaxed),
        );
    }

    head(
        &mut out,
        "tierdesk_sla_events_total",
        "counter",
        "SLA warnings and breaches this process's worker recorded, by plan and severity (each event is recorded by one replica).",
    );
    for (kind, plan, severity, n) in st.app.sla_counts.read() {
        sample(
            &mut out,
            "tierdesk_sla_events_total",
            &[
                ("kind", kind.as_str()),
                ("plan", &plan),
                ("severity", &severity),
            ],
            n,
        );
    }

    head(
        &mut out,
        "tierdesk_open_cases",
        "gauge",
        "Cases not resolved, by the plan they were opened under.",
    );
    for q in &gauges.queues {
        sample(
            &mut out,
            "tierdesk_open_cases",
            &[("plan", &q.plan_id)],
            q.open,
        );
    }
    head(
        &mut out,
        "tierdesk_oldest_open_case_age_seconds",
        "gauge",
        "How long ago the oldest open case of each plan was opened.",
    );
    for q in &gauges.queues {
        if let Some(oldest) = q.oldest {
            sample(
                &mut out,
                "tierdesk_oldest_open_case_age_seconds",
                &[("plan", &q.plan_id)],
                now.duration_since(oldest).as_secs().max(0),
            );
        }
    }

    head(
        &mut out,
        "tierdesk_webhook_outbox_backlog",
        "gauge",
        "Webhook deliveries waiting for their next attempt.",
    );
    sample(
        &mut out,
        "tierdesk_webhook_outbox_backlog",
        &[],
        gauges.webhook_backlog,
    );

    head(
        &mut out,
        "tierdesk_mail_outbox_backlog",
        "gauge",
        "Mail notices not yet sent (reminders not yet due included).",
    );
    sample(
        &mut out,
        "tierdesk_mail_outbox_backlog",
        &[],
        gauges.mail_backlog,
    );
    head(
        &mut out,
        "tierdesk_mail_outbox_oldest_due_age_seconds",
        "gauge",
        "How long ago the oldest notice that is due and unsent was written (0: none).",
    );
    sample(
        &mut out,
        "tierdesk_mail_outbox_oldest_due_age_seconds",
        &[],
        gauges
            .mail_oldest_due
            .map_or(0, |t| now.duration_since(t).as_secs().max(0)),
    );
    head(
        &mut out,
        "tierdesk_mail_sent_total",
        "counter",
        "Mails this process's sender handed to the SMTP server.",
    );
    let mc = &st.app.mail_counts;
    sample(
        &mut out,
        "tierdesk_mail_sent_total",
        &[],
        mc.sent.load(Ordering::Relaxed),
    );
    head(
        &mut out,
        "tierdesk_mail_failures_total",
        "counter",
        "Attempts at a notice that left mail unsent, and notices given up.",
    );
    for (outcome, n) in [("retried", &mc.failed), ("given_up", &mc.given_up)] {
        sample(
            &mut out,
            "tierdesk_mail_failures_total",
            &[("outcome", outcome)],
            n.load(Ordering::Relaxed),
        );
    }

    let w = st.app.store.writer_stats();
    head(
        &mut out,
        "tierdesk_writer_batch_size",
        "histogram",
        "Writes per database transaction of this process's group-commit writers.",
    );
    histogram(&mut out, "tierdesk_writer_batch_size", &[], &w.batch_size);
    head(
        &mut out,
        "tierdesk_writer_commit_seconds",
        "histogram",
        "Seconds a group commit's COMMIT took.",
    );
    histogram(
        &mut out,
        "tierdesk_writer_commit_seconds",
        &[],
        &w.commit_seconds,
    );
    head(
        &mut out,
        "tierdesk_writer_flush_seconds",
        "histogram",
        "Seconds the syncer's flushes of SQLite's write-ahead log took: the writer commits without waiting for the disk, and its writes are answered after the flush that followed (none on PostgreSQL, whose COMMIT flushes).",
    );
    histogram(
        &mut out,
        "tierdesk_writer_flush_seconds",
        &[],
        &w.flush_seconds,
    );
    head(
        &mut out,
        "tierdesk_writer_failed_batches_total",
        "counter",
        "Write transactions rolled back whole.",
    );
    sample(
        &mut out,
        "tierdesk_writer_failed_batches_total",
        &[],
        w.failed_batches,
    );
    // Prometheus's standard name, so existing dashboards and alerts find it. On SQLite it
    // levels off at the page caches' bound (`--db-reader-cache-mib`), not with the cases.
    if let Some(bytes) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| resident_bytes(&s))
    {
        head(
            &mut out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
        );
        sample(&mut out, "process_resident_memory_bytes", &[], bytes);
    }
    Ok(out)
}

/// The resident memory `/proc/PID/status` gives (`VmRSS:`, in kB), in bytes; `None` where
/// there is no such line (not Linux).
fn resident_bytes(status: &str) -> Option<u64> {
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    kb.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            labels(&[("plan", "a\"b\\c\nd")]),
            "{plan=\"a\\\"b\\\\c\\nd\"}"
        );
        assert_eq!(labels(&[]), "");
    }

    #[test]
    fn resident_memory_from_proc_status() {
        let status = "Name:\ttierdesk\nVmPeak:\t  900 kB\nVmRSS:\t  316412 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(resident_bytes(status), Some(316_412 * 1024));
        assert_eq!(resident_bytes("Name:\tx\n"), None);
        assert_eq!(resident_bytes("VmRSS:\t12 MB\n"), None);
    }

    #[test]
    fn surfaces_by_path() {
        use axum::http::Method;
        assert_eq!(Surface::of(&Method::POST, "/"), Surface::Aws);
        assert_eq!(Surface::of(&Method::GET, "/"), Surface::Other);
        assert_eq!(Surface::of(&Method::GET, "/api/v1/queue"), Surface::Api);
        assert_eq!(Surface::of(&Method::GET, "/console"), Surface::Console);
        assert_eq!(Surface::of(&Method::GET, "/consoles"), Surface::Other);
    }
}
