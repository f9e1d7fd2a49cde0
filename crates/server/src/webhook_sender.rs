//! Sends webhook deliveries from the outbox over HTTP or HTTPS. Which deliveries, their
//! signatures and their retry schedule are the app's (`tierdesk_app::webhooks`); this
//! module only moves bytes. A 2xx answer within the timeout is a delivery; anything else
//! is retried. Redirects are not followed.
//!
//! A person's own webhook (its address chosen outside the operator's trust) goes through
//! a guarded client: its host's addresses are resolved, any private, loopback or
//! link-local one is refused, and the connection is made to the addresses checked (so a
//! name that resolves differently a moment later cannot slip through).

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tierdesk_app::App;
use tierdesk_app::webhooks::{Outgoing, off_limits, shown_url, url_host};

const TIMEOUT: Duration = Duration::from_secs(10);
const BATCH: i64 = 16;

pub type HttpClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;
/// A client that reaches only public addresses.
pub type GuardedClient = Client<HttpsConnector<HttpConnector<PublicOnly>>, Full<Bytes>>;

/// The clients deliveries go out through.
#[derive(Clone)]
pub struct Clients {
    /// For the operators' endpoints (and people's, when the operator allows private ones).
    pub open: HttpClient,
    /// For people's own webhooks.
    pub guarded: GuardedClient,
}

impl Clients {
    pub fn new(extra_roots: Option<&Path>) -> anyhow::Result<Clients> {
        let tls = tls_config(extra_roots)?;
        let mut http = HttpConnector::new_with_resolver(PublicOnly);
        http.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Clients {
            open: client(extra_roots)?,
            guarded: Client::builder(TokioExecutor::new()).build(https),
        })
    }
}

/// A resolver that answers only with public addresses: a name any of whose addresses is
/// private, loopback or link-local is refused whole (a rebinding name may hold both).
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly;

impl tower::Service<Name> for PublicOnly {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| off_limits(a.ip())) {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "{} resolves to {}, a private or local address",
                        name.as_str(),
                        bad.ip()
                    ),
                ));
            }
            Ok(addrs.into_iter())
        })
    }
}

fn tls_config(extra_roots: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
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
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS set-up")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A client for `http://` and `https://` endpoints. HTTPS trusts the Mozilla root
/// certificates (webpki-roots) and those in `extra_roots`, a PEM file (a private CA).
pub fn client(extra_roots: Option<&Path>) -> anyhow::Result<HttpClient> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(extra_roots)?)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

async fn send(clients: &Clients, d: &Outgoing) -> Result<(), String> {
    if !d.guarded {
        return send_with(&clients.open, d).await;
    }
    // A literal address is not resolved, so the resolver cannot check it.
    let host = url_host(&d.url);
    if host.parse::<std::net::IpAddr>().is_ok_and(off_limits) {
        return Err(format!("{host} is a private or local address"));
    }
    send_with(&clients.guarded, d).await
}

async fn send_with<C>(client: &Client<C, Full<Bytes>>, d: &Outgoing) -> Result<(), String>
where
    C: Connect + Clone + Send + Sync + 'static,
{
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
pub async fn run(app: App, clients: Clients, idle: Duration) {
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
            let result = send(&clients, d).await;
            if let Err(e) = &result {
                tracing::info!(delivery = d.id, url = %shown_url(&d.url), error = %e, "webhook delivery failed");
            }
            if let Err(e) = app.settle_delivery(d, result).await {
                tracing::warn!(delivery = d.id, error = %e, "recording a webhook delivery failed");
            }
        });
        futures_util::future::join_all(sends).await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn outgoing(url: &str, guarded: bool) -> Outgoing {
        Outgoing {
            id: 1,
            url: url.into(),
            body: "{}".into(),
            headers: Vec::new(),
            attempts: 0,
            guarded,
        }
    }

    #[tokio::test]
    async fn a_persons_webhook_never_reaches_inward() {
        let clients = Clients::new(None).unwrap_or_else(|e| panic!("{e:#}"));
        // Literal addresses, which no resolver sees.
        for url in [
            "http://127.0.0.1:9/x",
            "http://[::1]:9/x",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let e = send(&clients, &outgoing(url, true)).await.unwrap_err();
            assert!(e.contains("private or local"), "{url}: {e}");
        }
        // A name that resolves inward.
        let e = send(&clients, &outgoing("http://localhost:9/x", true))
            .await
            .unwrap_err();
        assert!(e.contains("private or local"), "{e}");
        // An operator's endpoint may be local (port 9 refuses: a connection error, not a
        // refusal by policy).
        let e = send(&clients, &outgoing("http://127.0.0.1:9/x", false))
            .await
            .unwrap_err();
        assert!(!e.contains("private or local"), "{e}");
    }
}
