//! Sends the mail outbox's mails over SMTP (lettre). Which mails, to whom and what they
//! say are the app's (`tierdesk_app::mail`); this module builds the MIME message and moves
//! it. A mail the server accepts (250) is sent; anything else is retried with the notice.
//!
//! `--smtp-url` takes `smtp://[user:pass@]host[:port]` (STARTTLS when the server offers
//! it, plain text otherwise), `smtp://...?tls=required` (STARTTLS or nothing) and
//! `smtps://...` (TLS from the first byte). Its password is never logged.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tierdesk_app::App;
use tierdesk_app::notices::{Mail, Outgoing};

const BATCH: i64 = 16;
const TIMEOUT: Duration = Duration::from_secs(30);

pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// How the URL asks for TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    Opportunistic,
    Required,
    Implicit,
}

/// A transport for `--smtp-url`; `extra_roots` is a PEM file of CAs the server's
/// certificate may be signed by, beside the public roots. Call it inside the runtime: the
/// connection pool starts a task.
pub fn transport(smtp_url: &str, extra_roots: Option<&Path>) -> anyhow::Result<Transport> {
    // The URL holds a password: errors name its parts, never the whole.
    let url =
        url::Url::parse(smtp_url).map_err(|e| anyhow::anyhow!("--smtp-url is not a URL: {e}"))?;
    let mut tls = None;
    for (k, v) in url.query_pairs() {
        match (k.as_ref(), v.as_ref()) {
            ("tls", "required") => tls = Some(TlsMode::Required),
            ("tls", "opportunistic") => tls = Some(TlsMode::Opportunistic),
            (k, v) => anyhow::bail!(
                "--smtp-url: unknown parameter {k}={v} (only tls=required or tls=opportunistic)"
            ),
        }
    }
    let (mode, default_port) = match (url.scheme(), tls) {
        ("smtp", t) => (t.unwrap_or(TlsMode::Opportunistic), 25),
        ("smtps", None) => (TlsMode::Implicit, 465),
        ("smtps", Some(_)) => {
            anyhow::bail!("--smtp-url: smtps:// is TLS from the start; drop ?tls=")
        }
        (other, _) => {
            anyhow::bail!("--smtp-url: the scheme is smtp:// or smtps://, not {other}://")
        }
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .context("--smtp-url names no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let mut params = TlsParameters::builder(host.clone());
    if let Some(path) = extra_roots {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read SMTP CA file {}", path.display()))?;
        let cert = Certificate::from_pem(&pem)
            .with_context(|| format!("{}: not a PEM certificate", path.display()))?;
        params = params.add_root_certificate(cert);
    }
    let params = params.build_rustls().context("SMTP TLS set-up")?;
    let tls = match mode {
        TlsMode::Opportunistic => Tls::Opportunistic(params),
        TlsMode::Required => Tls::Required(params),
        TlsMode::Implicit => Tls::Wrapper(params),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(url.port().unwrap_or(default_port))
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if !url.username().is_empty() {
        let decode = |s: &str| {
            percent_decode(s)
                .context("--smtp-url: the user name or password is not valid percent-encoded UTF-8")
        };
        builder = builder.credentials(Credentials::new(
            decode(url.username())?,
            decode(url.password().unwrap_or_default())?,
        ));
    }
    Ok(builder.build())
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// RFC 3834's mark of a machine's mail: auto-responders do not answer it.
#[derive(Debug, Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// RFC 3282's language of the text, for readers and filters.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(s.trim().to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 2369's List-Unsubscribe: the reader's own link.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.trim().to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058: the link unsubscribes with one POST, no page to click through.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

/// The MIME message of a mail: text and HTML alternatives, threaded on its case.
pub fn message(m: &Mail) -> Result<Message, String> {
    let mailbox = |a: &str| {
        a.parse::<Mailbox>()
            .map_err(|e| format!("bad address {a}: {e}"))
    };
    let mut b = Message::builder()
        .from(mailbox(&m.from)?)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .in_reply_to(m.thread.clone())
        .references(m.thread.clone())
        .date(SystemTime::from(m.date))
        .header(ContentLanguage(m.language.to_string()))
        .header(AutoSubmitted);
    b = b.to(mailbox(&m.to)?);
    if let Some(url) = &m.unsubscribe {
        // RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
        b = b
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost);
    }
    b.multipart(MultiPart::alternative_plain_html(
        m.text.clone(),
        m.html.clone(),
    ))
    .map_err(|e| format!("cannot build the message: {e}"))
}

/// Sends a notice's mails in turn; returns the Message-IDs accepted and the first error.
async fn send(transport: &Transport, out: &Outgoing) -> (Vec<String>, Option<String>) {
    let mut accepted = Vec::with_capacity(out.mails.len());
    for m in &out.mails {
        let result = match message(m) {
            Ok(msg) => transport
                .send(msg)
                .await
                .map_err(|e| crate::errors::error_chain(&e)),
            Err(e) => Err(e),
        };
        match result {
            Ok(_) => accepted.push(m.message_id.clone()),
            Err(e) => return (accepted, Some(e)),
        }
    }
    (accepted, None)
}

/// Sends for ever: claims due notices (which queues their webhook messages), sends their
/// mails (notices concurrently, a notice's mails in turn) when there is an SMTP server,
/// records what it accepted.
pub async fn run(app: App, transport: Option<Transport>, idle: Duration) {
    loop {
        let batch = match app.claim_notices(BATCH).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "claiming mail notices failed");
                tokio::time::sleep(idle).await;
                continue;
            }
        };
        let full = batch.len() as i64 >= BATCH;
        let sends = batch.iter().map(|out| async {
            let (accepted, error) = match &transport {
                Some(t) => send(t, out).await,
                // No SMTP server: the app wrote no mails.
                None => (Vec::new(), None),
            };
            if let Some(e) = &error {
                tracing::info!(notice = out.notice.id, kind = out.notice.kind.as_str(), error = %e, "sending mail failed");
            }
            if let Err(e) = app.settle_mail(&out.notice, accepted, error).await {
                tracing::warn!(notice = out.notice.id, error = %e, "recording sent mail failed");
            }
        });
        futures_util::future::join_all(sends).await;
        if !full {
            tokio::time::sleep(idle).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The pooled transport starts its keeper task: a runtime is needed.
    #[tokio::test]
    async fn urls_choose_tls_and_refuse_what_they_cannot_do() {
        for good in [
            "smtp://127.0.0.1:2525",
            "smtp://user:p%40ss@mail.example.com:587?tls=required",
            "smtps://mail.example.com",
            "smtp://[::1]:25?tls=opportunistic",
        ] {
            assert!(transport(good, None).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("http://mail.example.com", "scheme"),
            ("smtp://mail.example.com?tls=maybe", "unknown parameter"),
            ("smtps://mail.example.com?tls=required", "drop ?tls"),
            ("smtp://user:secret@", "URL"),
        ] {
            let e = transport(bad, None)
                .err()
                .map(|e| format!("{e:#}"))
                .unwrap_or_default();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(!e.contains("secret"), "{bad}: the password leaked: {e}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("p%40ss%20x").as_deref(), Some("p@ss x"));
        assert_eq!(percent_decode("bad%4"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
