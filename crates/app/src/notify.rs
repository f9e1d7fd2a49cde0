//! Whether this process writes notices, and the notice a write carries; whether a person
//! is subscribed to a topic on a channel, and the sealed token of a mail's unsubscribe
//! link. A leaf: the use cases that write events (cases, the breach worker, the bill run)
//! ask it; the `notices` use case turns the notices into mails and webhook deliveries;
//! `people` keeps the subscriptions.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use jiff::Timestamp;
use tierdesk_core::notice::{Channel, NoticeKind, Topic, subscribed_by_default};
use tierdesk_core::records::Role;
use tierdesk_store::NewNotice;

use crate::{App, ServiceError};

/// What an unsubscribe token is sealed for: a token is good for nothing else.
const UNSUBSCRIBE_AAD: &[u8] = b"tierdesk unsubscribe";

/// What every notice needs, whatever its channel (`serve --public-url ...
/// --pending-reminder ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSettings {
    /// Where people reach the console (`https://support.example.com`), for links.
    pub console_url: Option<String>,
    /// How long a case waits on its customer before they are reminded.
    pub pending_reminder: Duration,
    /// Whether people's own webhooks may point at loopback, private and link-local
    /// addresses (`serve --allow-private-webhooks`): off, a customer cannot make the
    /// server call into its own network.
    pub private_webhooks: bool,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        NoticeSettings {
            console_url: None,
            pending_reminder: Duration::from_secs(3 * 86_400),
            private_webhooks: false,
        }
    }
}

/// How Tierdesk mails people (`serve --smtp-url ... --mail-from ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The From address (`support@example.com` or `Example Support <support@example.com>`).
    pub from: String,
    /// The domain of Message-IDs (the From address's).
    pub domain: String,
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
        (good(local) && good(domain) && (domain.contains('.') || domain == "localhost")).then(
            || MailSettings {
                from: from.trim().to_string(),
                domain: domain.to_ascii_lowercase(),
            },
        )
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

    /// Links and reminders in notices from now on.
    pub fn with_notices(mut self, settings: NoticeSettings) -> App {
        self.notice_settings = Arc::new(settings);
        self
    }

    pub fn notice_settings(&self) -> &NoticeSettings {
        &self.notice_settings
    }

    /// Writes notices whoever may take them: for one-off commands (a bill run, a piped
    /// mail), which cannot know how the server tells people.
    pub fn with_notices_always(mut self) -> App {
        self.notices_always = true;
        self
    }

    /// The notice of a `kind` event at `at`, when anyone may hear of it: this process
    /// mails people, or someone has a webhook of their own (as last seen by the notice
    /// worker, which looks every pass), or it always writes them; a reminder is due after
    /// its wait.
    pub(crate) fn notice(&self, kind: NoticeKind, at: Timestamp) -> Option<NewNotice> {
        let wanted = self.mail.is_some()
            || self.notices_always
            || self.person_hooks_seen.load(Ordering::Relaxed);
        if !wanted {
            return None;
        }
        let due = match kind {
            NoticeKind::PendingReminder => at
                .checked_add(self.notice_settings.pending_reminder)
                .unwrap_or(at),
            _ => at,
        };
        Some(NewNotice { kind, due })
    }

    /// Records whether anyone has a webhook of their own, so that writes carry notices.
    pub(crate) fn saw_person_hooks(&self, any: bool) {
        self.person_hooks_seen.store(any, Ordering::Relaxed);
    }

    /// Whether `email` (of `role`; `None` for a customer or a copied address) hears of
    /// `topic` on `channel`: their choice, else their role's default.
    pub(crate) async fn subscribed(
        &self,
        email: &str,
        role: Option<Role>,
        topic: Topic,
        channel: Channel,
    ) -> Result<bool, ServiceError> {
        let chosen = self.store.subscriptions(email, channel.as_str()).await?;
        Ok(chosen
            .iter()
            .find(|(t, _)| t == topic.as_str())
            .map_or_else(|| subscribed_by_default(role, topic), |(_, on)| *on))
    }

    /// A token that unsubscribes `email` from `topic`, for the link in a mail: sealed
    /// under the master key, so it cannot be forged or pointed at someone else.
    pub(crate) fn unsubscribe_token(
        &self,
        email: &str,
        topic: Topic,
    ) -> Result<String, ServiceError> {
        let sealed = self.master_key.seal(
            format!("{}\n{}", topic.as_str(), email.to_lowercase()).as_bytes(),
            UNSUBSCRIBE_AAD,
        )?;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The address and topic a token unsubscribes; `None` for anything that is not a
    /// token this installation made.
    pub fn read_unsubscribe_token(&self, token: &str) -> Option<(String, Topic)> {
        if token.len() > 2048 {
            return None;
        }
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.trim())
            .ok()?;
        let plain = self.master_key.open(&sealed, UNSUBSCRIBE_AAD).ok()?;
        let plain = String::from_utf8(plain).ok()?;
        let (topic, email) = plain.split_once('\n')?;
        Some((email.to_string(), Topic::parse(topic)?))
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
