//! Files people attach, checked against the limits the same way for customers and agents.

use tierdesk_store::StoreError;

use crate::error::Field;
use crate::validate::check_text;
use crate::{App, ServiceError, ids};

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
            return Err(ServiceError::Validation(
                "attachments must hold at least one attachment".into(),
            ));
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
            let name = f.file_name.filter(|n| !n.is_empty()).ok_or_else(|| {
                ServiceError::Validation("every attachment needs a fileName".into())
            })?;
            if name.chars().count() > 255 || name.contains(['/', '\\']) {
                return Err(ServiceError::Validation(format!(
                    "fileName '{name}' must be at most 255 characters, without path separators"
                )));
            }
            check_text(Field::FileName, &name)?;
            let data = f.data.ok_or_else(|| {
                ServiceError::Validation(format!("attachment '{name}' has no data"))
            })?;
            if data.is_empty() {
                return Err(ServiceError::Validation(format!(
                    "attachment '{name}' is empty"
                )));
            }
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

pub(crate) fn attachment_error(e: StoreError, set: Option<&str>) -> ServiceError {
    let set = set.unwrap_or_default();
    match e {
        StoreError::AttachmentSetNotFound => ServiceError::AttachmentSetNotFound(format!(
            "Attachment set {set} does not exist or has already been used"
        )),
        StoreError::AttachmentSetExpired => ServiceError::AttachmentSetExpired(format!(
            "Attachment set {set} has expired; attachment sets are available for one hour"
        )),
        e => e.into(),
    }
}
