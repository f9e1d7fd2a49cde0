//! Tierdesk as a client: a probe of a watched target, and calls to an AWS Support
//! API-compatible endpoint (Tierdesk's own, or AWS's), signed with SigV4, for
//! `tierdesk watch`.

use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tierdesk_aws::shapes::{AddCommunicationToCaseRequest, CreateCaseRequest, CreateCaseResponse};
use tierdesk_aws::sigv4::{self, Scope, SignedRequest};
use tierdesk_aws::{CONTENT_TYPE, Operation, Service, TARGET_PREFIX};

use crate::webhook_sender::HttpClient;

/// What `tierdesk watch` probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A TCP connection to host:port.
    Tcp(String),
    /// An HTTP(S) GET answered with a status below 400.
    Http(hyper::Uri),
}

impl Target {
    pub fn parse(s: &str) -> anyhow::Result<Self> {
        if let Some(addr) = s.strip_prefix("tcp://") {
            let addr = addr.trim_end_matches('/');
            anyhow::ensure!(
                addr.rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok()),
                "'{s}': a TCP target is tcp://HOST:PORT"
            );
            return Ok(Target::Tcp(addr.to_string()));
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            return Ok(Target::Http(
                s.parse().with_context(|| format!("'{s}' is not a URL"))?,
            ));
        }
        anyhow::bail!("'{s}': a target is tcp://HOST:PORT, http://... or https://...")
    }

    /// Whether the target answers within `timeout`; why not when it does not.
    pub async fn probe(&self, http: &HttpClient, timeout: Duration) -> Result<(), String> {
        let attempt = async {
            match self {
                Target::Tcp(addr) => tokio::net::TcpStream::connect(addr.as_str())
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Target::Http(uri) => {
                    let req = hyper::Request::get(uri.clone())
                        .header(hyper::header::USER_AGENT, "tierdesk-watch")
                        .body(Full::new(Bytes::new()))
                        .map_err(|e| e.to_string())?;
                    let resp = http.request(req).await.map_err(|e| e.to_string())?;
                    let status = resp.status();
                    if status.as_u16() < 400 {
                        Ok(())
                    } else {
                        Err(format!("HTTP {status}"))
                    }
                }
            }
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer in {} ms", timeout.as_millis())),
        }
    }
}

/// An AWS Support API endpoint and the access key to call it with.
pub struct SupportClient {
    http: HttpClient,
    endpoint: hyper::Uri,
    host: String,
    region: String,
    access_key_id: String,
    secret_access_key: String,
}

impl SupportClient {
    pub fn new(
        http: HttpClient,
        endpoint: &str,
        region: &str,
        access_key_id: &str,
        secret_access_key: &str,
    ) -> anyhow::Result<Self> {
        let endpoint: hyper::Uri = endpoint
            .parse()
            .with_context(|| format!("'{endpoint}' is not a URL"))?;
        let host = endpoint
            .authority()
            .map(|a| a.as_str().to_string())
            .with_context(|| format!("'{endpoint}' names no host"))?;
        Ok(Self {
            http,
            endpoint,
            host,
            region: region.to_string(),
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
        })
    }

    /// Opens a case; its id.
    pub async fn create_case(
        &self,
        input: &CreateCaseRequest,
        now: Timestamp,
    ) -> anyhow::Result<String> {
        let out: CreateCaseResponse = self.call(Operation::CreateCase, input, now).await?;
        Ok(out.case_id)
    }

    pub async fn add_communication(
        &self,
        case_id: &str,
        body: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        let input = AddCommunicationToCaseRequest {
            case_id: Some(case_id.to_string()),
            communication_body: Some(body.to_string()),
            ..Default::default()
        };
        let _: serde_json::Value = self
            .call(Operation::AddCommunicationToCase, &input, now)
            .await?;
        Ok(())
    }

    async fn call<I: Serialize, O: DeserializeOwned>(
        &self,
        op: Operation,
        input: &I,
        now: Timestamp,
    ) -> anyhow::Result<O> {
        let body = serde_json::to_vec(input)?;
        let target = format!("{TARGET_PREFIX}{}", op.name());
        let headers = vec![
            ("host".to_string(), self.host.clone()),
            ("content-type".to_string(), CONTENT_TYPE.to_string()),
            ("x-amz-target".to_string(), target.clone()),
        ];
        let path = self.endpoint.path().to_string();
        let (amz_date, authorization) = sigv4::sign(
            &SignedRequest {
                method: "POST",
                path: &path,
                query: "",
                headers: &headers,
                body: &body,
            },
            &self.access_key_id,
            &self.secret_access_key,
            Scope {
                region: &self.region,
                service: Service::Support.signing_name(),
            },
            now,
        );
        let req = hyper::Request::post(self.endpoint.clone())
            .header("content-type", CONTENT_TYPE)
            .header("x-amz-target", target)
            .header("x-amz-date", amz_date)
            .header("authorization", authorization)
            .body(Full::new(Bytes::from(body)))?;
        let resp = tokio::time::timeout(Duration::from_secs(30), self.http.request(req))
            .await
            .context("the support endpoint did not answer in 30 s")??;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            let err: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            anyhow::bail!(
                "{} answered {status}: {} {}",
                op.name(),
                err["__type"].as_str().unwrap_or("-"),
                err["message"].as_str().unwrap_or("")
            );
        }
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: an answer that is not its shape", op.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn targets_parse_or_say_what_they_should_be() {
        assert_eq!(
            Target::parse("tcp://10.0.0.5:443").ok(),
            Some(Target::Tcp("10.0.0.5:443".into()))
        );
        assert!(matches!(
            Target::parse("https://example.com/health"),
            Ok(Target::Http(_))
        ));
        for bad in ["tcp://10.0.0.5", "tcp://:80", "ftp://x", "10.0.0.5:443"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
