//! Attachment sets (AddAttachmentsToSet) and reading one attachment back.

use jiff::Timestamp;
use tierdesk_core::records::Attachment;
use tierdesk_store::{NewAttachments, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::auth::Caller;
use crate::error::{Field, Problem};
use crate::files::{NewFile, attachment_error};
use crate::validate::required;
use crate::{App, ServiceError, ids};

impl App {
    pub async fn add_attachments_to_set(
        &self,
        caller: &Caller,
        who: &Who,
        set_id: Option<String>,
        files: Option<Vec<NewFile>>,
    ) -> Result<(String, Timestamp), ServiceError> {
        self.require_api(caller)?;
        let files =
            files.ok_or_else(|| ServiceError::invalid(Field::Attachments, Problem::Missing))?;
        let checked = self.checked_files(files)?;
        let max = self.limits.attachments_per_set;
        let now = self.clock.now();
        if set_id.is_none() {
            self.count_new_set(&caller.account.id).await?;
        }
        let new_set_id = ids::attachment_set_id()?;
        let audit = who.did(
            now,
            Action::AttachmentsAdd,
            Some(&caller.account.id),
            format!(
                "attachment-set:{}",
                set_id.as_deref().unwrap_or(&new_set_id)
            ),
            format!("{} files", checked.len()),
        );
        self.store
            .add_attachments(
                NewAttachments {
                    account_id: caller.account.id.clone(),
                    existing_set: set_id.clone(),
                    new_set_id,
                    files: checked,
                    max_per_set: max as i64,
                    account_quota: self.limits.account_storage_bytes,
                    lifetime: self.limits.attachment_set_lifetime,
                    at: now,
                },
                audit,
            )
            .await
            .map_err(|e| match e {
                StoreError::AttachmentSetFull => ServiceError::AttachmentSetSizeLimit(format!(
                    "An attachment set holds at most {max} attachments"
                )),
                e => attachment_error(e, set_id.as_deref()),
            })
    }

    pub async fn describe_attachment(
        &self,
        caller: &Caller,
        attachment_id: Option<String>,
    ) -> Result<Attachment, ServiceError> {
        self.require_api(caller)?;
        let id = required(Field::AttachmentId, &attachment_id)?;
        let window = crate::limits::minute_window(self.clock.now());
        if !self
            .store
            .rate_hit(
                &caller.account.id,
                "describe_attachment",
                window,
                self.limits.describe_attachment_per_minute,
            )
            .await?
        {
            return Err(ServiceError::DescribeAttachmentLimit(format!(
                "You have asked for more than {} attachments in the last minute; try again shortly",
                self.limits.describe_attachment_per_minute
            )));
        }
        // A file on an internal note answers like one that does not exist.
        self.store
            .attachment(&caller.account.id, id)
            .await?
            .filter(|a| Actor::Customer(caller).may_read(a))
            .ok_or_else(|| ServiceError::AttachmentNotFound(format!("Invalid attachment ID: {id}")))
    }
}
