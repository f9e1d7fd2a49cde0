//! Every HTTP surface of Tierdesk, as a library: the AWS endpoint (`aws`), the operator API
//! (`api`), the web console (`console`) and the webhook sender's client. The only crate that
//! knows HTTP. The binary builds an [`AppState`] and calls [`serve`]; tests drive
//! [`router`] in process.

pub mod api;
pub mod audit_format;
mod aws;
mod client;
pub mod console;
pub mod errors;
mod feeds;
mod listener;
pub mod mail_in;
pub mod mail_sender;
mod metrics;
pub mod report_format;
pub mod support_client;
pub mod webhook_sender;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use listener::ConnectionLimits;

use axum::Router;
use axum::body::Body;
use axum::routing::{any, get, post};
use tierdesk_app::App;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub max_body: usize,
    /// Mark console cookies `Secure` on every response, not only on HTTPS requests.
    pub secure_cookies: bool,
    /// Reverse proxies whose X-Forwarded-For names the client (`serve --trusted-proxy`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The origin browsers see (`serve --public-url`, scheme and host), for the console's
    /// Origin check behind a proxy that rewrites `Host`.
    pub public_origin: Option<String>,
    pub(crate) request_ids: Arc<RequestIds>,
    /// The console's live updates, shared by every stream of this process.
    pub(crate) live: Arc<console::live::Hub>,
    /// `GET /metrics` on the main listener answers only this bearer token
    /// (`serve --metrics-token`); without one it is not served there.
    pub metrics_token: Option<String>,
    pub(crate) metrics: Arc<metrics::Metrics>,
}

/// Request ids unique across replicas: a random per-process prefix and a counter.
pub(crate) struct RequestIds {
    prefix: String,
    next: AtomicU64,
}

impl RequestIds {
    fn new() -> Self {
        let mut b = [0u8; 8];
        let _ = getrandom::fill(&mut b);
        Self {
            prefix: b.iter().map(|x| format!("{x:02x}")).collect(),
            next: AtomicU64::new(1),
        }
    }

    pub(crate) fn next(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}-{}-{n:012x}", &self.prefix[..8], &self.prefix[8..])
    }
}

impl AppState {
    pub fn new(app: App) -> Self {
        // Three 5 MB attachments arrive base64-encoded inside JSON: allow for that.
        let attachments = app.limits.attachments_per_set * app.limits.attachment_bytes;
        Self {
            max_body: attachments * 4 / 3 + 256 * 1024,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            public_origin: None,
            app,
            request_ids: Arc::new(RequestIds::new()),
            live: Arc::new(console::live::Hub::new()),
            metrics_token: None,
            metrics: Arc::new(metrics::Metrics::new()),
        }
    }
}

pub fn router(state: AppState) -> Router {
    // Handlers take the state by clone: one reference count, not a copy of every field.
    let state = Arc::new(state);
    let metrics = if state.metrics_token.is_some() {
        Router::new().route("/metrics", get(metrics::guarded))
    } else {
        Router::new()
    };
    Router::new()
        // AWS clients POST to the root; a browser that opens it is sent to the console.
        .route(
            "/",
            post(aws::endpoint).get(|| async { axum::response::Redirect::to("/console") }),
        )
        // The newer Trusted Advisor API (REST-JSON) routes by method and path.
        .route("/v1/{*operation}", any(aws::trustedadvisor::endpoint))
        // AWS Health over Smithy RPC v2 CBOR (the AWS SDK for Rust).
        .route(
            "/service/{service}/operation/{operation}",
            post(aws::health::cbor_endpoint),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/console/static/favicon.svg") }),
        )
        .merge(crate::api::routes())
        .merge(crate::console::routes())
        .merge(metrics)
        .route_layer(axum::middleware::from_fn(metrics::note_route))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::observe,
        ))
        .with_state(state)
}

/// The router of `serve --metrics-listen`: `GET /metrics` without a token.
pub fn metrics_router(state: AppState) -> Router {
    let state = Arc::new(state);
    Router::new()
        .route("/metrics", get(metrics::page))
        .with_state(state)
}

/// A path no route knows: the operator API answers in its JSON error shape, anything else
/// gets the console's "no such page" in the browser's language.
async fn not_found(req: axum::extract::Request) -> axum::response::Response {
    if req.uri().path().starts_with("/api/") {
        return api::no_such_route();
    }
    console::not_found_page(req.headers()).await
}

/// On every response, whatever produced it: browsers must not guess content types, and
/// when Tierdesk is served over HTTPS they must not come back over plain HTTP (HSTS).
async fn security_headers(
    axum::extract::State(st): axum::extract::State<std::sync::Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let https = console::served_over_https(&st, req.headers());
    let mut r = next.run(req).await;
    r.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if https {
        r.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    r
}

/// The request body, or `None` past `max` bytes. An oversized body is still read (and
/// dropped) to its end, up to four times the limit, so that a client that writes the
/// whole request before reading gets the 413 instead of a reset connection.
pub(crate) async fn read_body(body: Body, max: usize) -> Option<bytes::Bytes> {
    use http_body_util::BodyExt;
    let mut body = body;
    let mut chunks: Vec<bytes::Bytes> = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return None };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > max.saturating_mul(4) {
            return None;
        }
        if seen <= max {
            chunks.push(data);
        }
    }
    if seen > max {
        return None;
    }
    // Most requests arrive in one frame: hand it on without copying.
    if chunks.len() == 1 {
        return chunks.pop();
    }
    Some(chunks.concat().into())
}

pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    limits: ConnectionLimits,
    ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = bind(listen).await?;
    ready(listener.local_addr()?);
    serve_router(listener, router(state), limits).await;
    Ok(())
}

pub async fn bind(listen: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))
}

/// Serves `router` on `listener` until SIGTERM (the main listener, or `--metrics-listen`).
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: ConnectionLimits,
) {
    listener::serve_on(listener, router, limits, shutdown()).await;
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
