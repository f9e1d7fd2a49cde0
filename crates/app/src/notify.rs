//! Whether this process writes mail notices, and the notice a write carries. A leaf: the
//! use cases that write events (cases, the breach worker) ask it; the `mail` use case
//! turns the notices into mails.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::notice::NoticeKind;
use tierdesk_store::NewNotice;

use crate::App;

/// How Tierdesk mails people (`serve --smtp-url ... --mail-from ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The From address (`support@example.com` or `Example Support <support@example.com>`).
    pub from: String,
    /// The domain of Message-IDs (the From address's).
    pub domain: String,
    /// Where people reach the console (`https://support.example.com`), for links in mail.
    pub console_url: Option<String>,
    /// How long a case waits on its customer before they are reminded.
    pub pending_reminder: Duration,
}

impl MailSettings {
    /// Settings for `from`, which must be an address with a domain.
    pub fn new(from: &str) -> Option<MailSettings> {
        let address = match (from.rfind('<'), from.rfind('>')) {
            (Some(open), Some(close)) if open < close => &from[open + 1..close],
            _ => from,
        }
        .trim();
        let (local, domain) = address.rsplit_once('@')?;
        let good = |s: &str| {
            !s.is_empty()
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        };
        (good(local) && good(domain) && domain.contains('.') || domain == "localhost").then(|| {
            MailSettings {
                from: from.trim().to_string(),
                domain: domain.to_ascii_lowercase(),
                console_url: None,
                pending_reminder: Duration::from_secs(3 * 86_400),
            }
        })
    }
}

impl App {
    /// Mails people of the events from now on.
    pub fn with_mail(mut self, settings: MailSettings) -> App {
        self.mail = Some(Arc::new(settings));
        self
    }

    pub fn mail_settings(&self) -> Option<&MailSettings> {
        self.mail.as_deref()
    }

    /// The notice of a `kind` event at `at`, when this process mails people; a reminder is
    /// due after its wait.
    pub(crate) fn notice(&self, kind: NoticeKind, at: Timestamp) -> Option<NewNotice> {
        let settings = self.mail.as_ref()?;
        let due = match kind {
            NoticeKind::PendingReminder => at.checked_add(settings.pending_reminder).unwrap_or(at),
            _ => at,
        };
        Some(NewNotice { kind, due })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_from_address_names_the_domain() {
        let s = MailSettings::new("Example Support <Support@Example.COM>").unwrap();
        assert_eq!(s.domain, "example.com");
        assert_eq!(
            MailSettings::new("help@localhost").unwrap().domain,
            "localhost"
        );
        for bad in [
            "support",
            "@example.com",
            "a b@example.com",
            "x@nodot",
            "<>",
        ] {
            assert!(MailSettings::new(bad).is_none(), "{bad}");
        }
    }
}
