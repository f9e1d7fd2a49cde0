//! Sends webhook deliveries from the outbox over HTTP. Which deliveries, their signatures
//! and their retry schedule are the app's (`tierdesk_app::webhooks`); this module only
//! moves bytes. A 2xx answer within the timeout is a delivery; anything else is retried.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tierdesk_app::App;
use tierdesk_app::webhooks::Outgoing;

const TIMEOUT: Duration = Duration::from_secs(10);
const BATCH: i64 = 16;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

async fn send(client: &HttpClient, d: &Outgoing) -> Result<(), String> {
    if d.url.starts_with("https://") {
        return Err(
            "https endpoints need TLS, which this build does not include; \
             put the receiver behind a local http:// relay"
                .into(),
        );
    }
    let mut req = hyper::Request::post(d.url.as_str());
    for (name, value) in &d.headers {
        req = req.header(*name, value.as_str());
    }
    let req = req
        .header(
            "user-agent",
            concat!("Tierdesk/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::from(d.body.clone())))
        .map_err(|e| format!("bad request: {e}"))?;
    match tokio::time::timeout(TIMEOUT, client.request(req)).await {
        Err(_) => Err(format!("no answer within {}s", TIMEOUT.as_secs())),
        Ok(Err(e)) => Err(format!("request failed: {e}")),
        Ok(Ok(resp)) if resp.status().is_success() => Ok(()),
        Ok(Ok(resp)) => Err(format!("endpoint answered {}", resp.status())),
    }
}

/// Delivers for ever: claims due deliveries, sends them concurrently, records the results.
pub async fn run(app: App, idle: Duration) {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    loop {
        let batch = match app.claim_deliveries(BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "claiming webhook deliveries failed");
                tokio::time::sleep(idle).await;
                continue;
            }
        };
        if batch.is_empty() {
            tokio::time::sleep(idle).await;
            continue;
        }
        let sends = batch.iter().map(|d| async {
            let result = send(&client, d).await;
            if let Err(e) = &result {
                tracing::info!(delivery = d.id, url = %d.url, error = %e, "webhook delivery failed");
            }
            if let Err(e) = app.settle_delivery(d, result).await {
                tracing::warn!(delivery = d.id, error = %e, "recording a webhook delivery failed");
            }
        });
        futures_util::future::join_all(sends).await;
    }
}
