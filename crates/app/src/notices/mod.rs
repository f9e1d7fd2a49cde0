//! Notices out: the outbox's notices (written with their events, see `notify`) become
//! mails and webhook messages when they are sent, so the write path only adds a row. Each
//! notice is claimed by one replica at a time. Its readers' webhook messages are queued in
//! the webhook outbox (once per notice and webhook, however often it is claimed) and go
//! from there with the operators' SLA webhooks. The Message-IDs its SMTP server accepted
//! are kept, so a retry sends only the rest and a mail goes out once unless a replica dies
//! between the server's acceptance and the record of it (then the same Message-ID goes
//! again, and mail clients show it once).
//!
//! Who is told of what is `tierdesk_core::notice`'s to say; what they read is
//! `compose.rs`'s; moving the bytes is the server's (`mail_sender`, `webhook_sender`).

mod compose;
mod people;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tierdesk_store::{ClaimedNotice, NewDelivery, NoticeOutcome, StoreError};

pub use compose::Mail;

use crate::repeat::retry_delay;
use crate::{App, ServiceError};

/// How long a replica may take to send a claimed notice's mails before another may.
pub const LEASE: Duration = Duration::from_secs(300);

/// What this process's mail sender did, for the metrics page.
#[derive(Debug, Default)]
pub struct MailCounts {
    /// Mails the SMTP server accepted.
    pub sent: AtomicU64,
    /// Attempts at a notice that left a mail unsent.
    pub failed: AtomicU64,
    /// Notices given up after their last attempt.
    pub given_up: AtomicU64,
}

/// A claimed notice and the mails it still owes (none: nothing to say any more, e.g. a
/// reminder the customer made moot by answering).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub notice: ClaimedNotice,
    pub mails: Vec<Mail>,
}

impl App {
    /// Claims notices that are due, queues their readers' webhook messages and writes
    /// their mails. Also notes whether anyone has a webhook of their own, so that writes
    /// carry notices when no mail is sent (`notify`).
    pub async fn claim_notices(&self, limit: i64) -> Result<Vec<Outgoing>, ServiceError> {
        let hooks: HashMap<String, String> = self
            .store
            .person_webhooks()
            .await?
            .into_iter()
            .map(|(email, id)| (email.to_lowercase(), id))
            .collect();
        self.saw_person_hooks(!hooks.is_empty());
        let now = self.clock.now();
        let lease = now
            .checked_add(LEASE)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let claimed = self.store.claim_notices(now, lease, limit).await?;
        let mut out = Vec::with_capacity(claimed.len());
        let mut deliveries = Vec::new();
        for notice in claimed {
            let mut mails = Vec::new();
            if let Some(letters) = compose::letters(self, &notice, &hooks).await? {
                for letter in &letters.letters {
                    if let Some(webhook_id) = &letter.reader.hook {
                        deliveries.push(NewDelivery {
                            webhook_id: webhook_id.clone(),
                            event_key: compose::hook_event_key(&notice),
                            event_type: notice.kind.as_str().to_string(),
                            payload: compose::hook_message(&notice, &letters, letter, now),
                        });
                    }
                    if let (true, Some(settings)) = (letter.reader.by_mail, self.mail_settings()) {
                        let mail = compose::mail(self, settings, &notice, &letters, letter)?;
                        if !notice.sent_ids.contains(&mail.message_id) {
                            mails.push(mail);
                        }
                    }
                }
            }
            out.push(Outgoing { notice, mails });
        }
        self.store.queue_deliveries(deliveries, now).await?;
        Ok(out)
    }

    /// Records how sending a notice's mails went: the Message-IDs accepted, and whether
    /// any is left to retry.
    pub async fn settle_mail(
        &self,
        notice: &ClaimedNotice,
        accepted: Vec<String>,
        error: Option<String>,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        self.mail_counts
            .sent
            .fetch_add(accepted.len() as u64, Ordering::Relaxed);
        let outcome = match error {
            None => NoticeOutcome::Sent,
            Some(error) => {
                let retry_at = match retry_delay(notice.attempts + 1) {
                    Some(delay) => Some(
                        now.checked_add(delay)
                            .map_err(|e| ServiceError::Internal(e.to_string()))?,
                    ),
                    None => None,
                };
                self.mail_counts.failed.fetch_add(1, Ordering::Relaxed);
                if retry_at.is_none() {
                    self.mail_counts.given_up.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(notice = notice.id, kind = notice.kind.as_str(), %error, "mail given up");
                }
                NoticeOutcome::Failed { error, retry_at }
            }
        };
        match self
            .store
            .settle_notice(notice, accepted, outcome, now)
            .await
        {
            // The claim lapsed and another replica took the notice over: its record wins.
            Err(StoreError::NotFound) => {
                tracing::warn!(
                    notice = notice.id,
                    "a mail notice's claim lapsed before it was settled"
                );
                Ok(())
            }
            other => Ok(other?),
        }
    }
}
