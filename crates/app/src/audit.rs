//! Reading the audit log: who may read which entries, and paging through them. Entries
//! are written by the use cases themselves, each in the transaction of its change (see
//! `tierdesk_core::audit`); this module only reads.
//!
//! - The operator at the command line and admins read every entry.
//! - A customer reads their own account's entries, without those about internal notes.
//! - Other staff read none.

use tierdesk_core::audit::AuditEntry;
use tierdesk_core::records::{Agent, Role};
use tierdesk_store::AuditQuery;

use crate::cursor;
use crate::error::Field;
use crate::validate::{check_line, page_size_within, parse_time};
use crate::{App, ServiceError};

/// Who reads the log.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// `tierdesk audit list`.
    Operator,
    Staff(&'a Agent),
    /// A customer user of this account.
    Customer(&'a str),
}

/// Which entries to read, as people type them.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub account: Option<String>,
    /// An actor's id: an email, an access key id, an operating-system user.
    pub actor: Option<String>,
    /// A date (`2026-11-01`) or an instant.
    pub since: Option<String>,
    pub next_token: Option<String>,
    /// Entries per page (10 to 1000; 100 when not given).
    pub page_size: Option<i64>,
}

/// A page of entries, newest first, and the token for the next one.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_token: Option<String>,
}

/// The most entries one page holds (the CLI's export pages through all of them).
pub const MAX_AUDIT_PAGE: i64 = 1000;

impl App {
    pub async fn audit_log(
        &self,
        reader: Reader<'_>,
        filter: &AuditFilter,
    ) -> Result<AuditPage, ServiceError> {
        let text = |field, v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| check_line(field, s, 256).map(str::to_string))
                .transpose()
        };
        let mut account = text(Field::AccountId, &filter.account)?;
        let actor = text(Field::Actor, &filter.actor)?;
        let since = parse_time(Field::AfterTime, filter.since.as_deref())?;
        let limit = page_size_within(filter.page_size, 100, 10..=MAX_AUDIT_PAGE)?;
        let hide_staff_only = match reader {
            Reader::Operator => false,
            Reader::Staff(a) if a.role == Role::Admin => false,
            Reader::Staff(_) => {
                return Err(ServiceError::Forbidden(
                    "only admins read the audit log".into(),
                ));
            }
            Reader::Customer(own) => {
                account = Some(own.to_string());
                true
            }
        };
        let fp = cursor::fingerprint(&[
            account.as_deref().unwrap_or(""),
            actor.as_deref().unwrap_or(""),
            filter.since.as_deref().unwrap_or(""),
        ]);
        let before_id = filter
            .next_token
            .as_deref()
            .map(|t| cursor::decode(t, "audit", fp).map(|(id, _)| id))
            .transpose()?;
        let page = self
            .store
            .audit(&AuditQuery {
                account_id: account,
                actor_id: actor,
                target: None,
                since,
                before_id,
                hide_staff_only,
                limit,
            })
            .await?;
        let next_token = match page.items.last() {
            Some(last) if page.more => Some(cursor::encode("audit", last.id, 0, fp)),
            _ => None,
        };
        Ok(AuditPage {
            entries: page.items,
            next_token,
        })
    }
}
