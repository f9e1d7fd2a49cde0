//! Sends webhook deliveries from the outbox over HTTP or HTTPS. Which deliveries, their
//! signatures and their retry schedule are the app's (`tierdesk_app::webhooks`); this
//! module only moves bytes. A 2xx answer within the timeout is a delivery; anything else
//! is retried.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tierdesk_app::App;
use tierdesk_app::webhooks::Outgoing;

const TIMEOUT: Duration = Duration::from_secs(10);
const BATCH: i64 = 16;

pub type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for `http://` and `https://` endpoints. HTTPS trusts the Mozilla root
/// certificates (webpki-roots) and those in `extra_roots`, a PEM file (a private CA).
pub fn client(extra_roots: Option<&Path>) -> anyhow::Result<HttpClient> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_roots {
        let shown = path.display();
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path)
            .with_context(|| format!("cannot read webhook CA file {shown}"))?
        {
            let cert = cert.with_context(|| format!("{shown}: not a PEM certificate"))?;
            roots
                .add(cert)
                .with_context(|| format!("{shown}: unusable certificate"))?;
            added += 1;
        }
        if added == 0 {
            anyhow::bail!("{shown} holds no PEM certificate");
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

async fn send(client: &HttpClient, d: &Outgoing) -> Result<(), String> {
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
        Ok(Err(e)) => Err(format!(
            "request failed: {}",
            crate::errors::error_chain(&e)
        )),
        Ok(Ok(resp)) if resp.status().is_success() => Ok(()),
        Ok(Ok(resp)) => Err(format!("endpoint answered {}", resp.status())),
    }
}

/// Delivers for ever: claims due deliveries, sends them concurrently, records the results.
pub async fn run(app: App, client: HttpClient, idle: Duration) {
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
