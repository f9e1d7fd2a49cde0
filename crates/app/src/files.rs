//! Files people attach, checked against the limits the same way for customers and agents.

use tierdesk_store::{NewAttachments, StoreError};

use crate::error::{Field, Problem, Refusal};
use crate::validate::check_name_text;
use crate::{App, ServiceError, ids};

/// Longest attachment file name.
const MAX_FILE_NAME_CHARS: usize = 255;

#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: Option<String>,
    pub data: Option<Vec<u8>>,
}

impl App {
    /// Files for an attachment set, checked against the limits (count, size, names), each
    /// with a new attachment id.
    pub(crate) fn checked_files(
        &self,
        files: Vec<NewFile>,
    ) -> Result<Vec<(String, String, Vec<u8>)>, ServiceError> {
        if files.is_empty() {
            return Err(ServiceError::invalid(Field::Attachments, Problem::Empty));
        }
        let max = self.limits.attachments_per_set;
        if files.len() > max {
            return Err(ServiceError::AttachmentSetSizeLimit(format!(
                "An attachment set holds at most {max} attachments of {} MB each",
                self.limits.attachment_bytes / (1024 * 1024)
            )));
        }
        let mut checked = Vec::with_capacity(files.len());
        for f in files {
            let name = f
                .file_name
                .filter(|n| !n.is_empty())
                .ok_or_else(|| ServiceError::invalid(Field::FileName, Problem::Missing))?;
            let n = name.chars().count();
            if n > MAX_FILE_NAME_CHARS {
                return Err(ServiceError::invalid(
                    Field::FileName,
                    Problem::Length {
                        min: 1,
                        max: MAX_FILE_NAME_CHARS,
                        got: n,
                    },
                ));
            }
            // A name is only ever a name: nobody's path is built from it, but a client
            // saving the file under it must not be sent elsewhere either.
            if let Some(sep) = name.chars().find(|c| matches!(c, '/' | '\\')) {
                return Err(ServiceError::invalid(
                    Field::FileName,
                    Problem::Forbidden(sep),
                ));
            }
            check_name_text(Field::FileName, &name)?;
            let data = f
                .data
                .filter(|d| !d.is_empty())
                .ok_or_else(|| ServiceError::invalid(Field::Data, Problem::Missing))?;
            if data.len() > self.limits.attachment_bytes {
                return Err(ServiceError::AttachmentSetSizeLimit(format!(
                    "attachment '{name}' is {} bytes; the limit is {} bytes ({} attachments of {} MB each)",
                    data.len(),
                    self.limits.attachment_bytes,
                    max,
                    self.limits.attachment_bytes / (1024 * 1024)
                )));
            }
            checked.push((ids::attachment_id()?, name, data));
        }
        Ok(checked)
    }
}

impl App {
    /// Counts a new attachment set against the account's per-minute limit: a set made
    /// with AddAttachmentsToSet, or the files a customer posts with a case or message.
    pub(crate) async fn count_new_set(&self, account_id: &str) -> Result<(), ServiceError> {
        let window = crate::limits::minute_window(self.clock.now());
        let limit = self.limits.attachment_sets_per_minute;
        if self
            .store
            .rate_hit(account_id, "attachment_sets", window, limit)
            .await?
        {
            return Ok(());
        }
        Err(ServiceError::AttachmentLimit(format!(
            "You have created more than {limit} attachment sets in the last minute; try again shortly"
        )))
    }

    /// Checked files as a new set of `account_id`'s, to be written in the same
    /// transaction as the case or message they come with (so a refused one leaves none).
    pub(crate) fn new_set(
        &self,
        account_id: &str,
        files: Vec<(String, String, Vec<u8>)>,
    ) -> Result<NewAttachments, ServiceError> {
        Ok(NewAttachments {
            account_id: account_id.to_string(),
            existing_set: None,
            new_set_id: ids::attachment_set_id()?,
            files,
            max_per_set: self.limits.attachments_per_set as i64,
            account_quota: self.limits.account_storage_bytes,
            lifetime: self.limits.attachment_set_lifetime,
            at: self.clock.now(),
        })
    }
}

pub(crate) fn attachment_error(e: StoreError, set: Option<&str>) -> ServiceError {
    let set = set.unwrap_or_default();
    match e {
        StoreError::AttachmentSetNotFound => ServiceError::AttachmentSetNotFound(format!(
            "Attachment set {set} does not exist or has already been used"
        )),
        StoreError::AttachmentSetExpired => ServiceError::AttachmentSetExpired(format!(
            "Attachment set {set} has expired; attachment sets are available for one hour"
        )),
        StoreError::StorageQuotaReached => ServiceError::Refused(Refusal::StorageQuota),
        StoreError::CaseFull => ServiceError::Refused(Refusal::CaseFull),
        e => e.into(),
    }
}
