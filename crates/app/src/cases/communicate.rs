//! Messages on a case, from either side: one use case for a customer's message
//! (AddCommunicationToCase, the console) and an agent's reply or internal note (the
//! operator API, the console). The message, its files and what it does to the SLA targets
//! are written in one transaction.

use tierdesk_core::notice::NoticeKind;
use tierdesk_core::sla::targets::{self, Author};
use tierdesk_store::{NewCommunication, StoreError};

use tierdesk_core::audit::{Action, Who};

use crate::actor::Actor;
use crate::error::{Field, Problem, Refusal};
use crate::files::{NewFile, attachment_error};
use crate::validate::{check_body, check_cc, required};
use crate::{App, ServiceError};

/// The most addresses a case copies (the Support API takes ten per call).
pub const MAX_CASE_CC: usize = 10;

/// A message to post on a case.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub case_id: Option<String>,
    pub body: Option<String>,
    /// An internal note: staff see it, the customer never does, and no clock changes.
    /// Only agents write them.
    pub internal: bool,
    pub cc_email_addresses: Vec<String>,
    pub attachments: Attachments,
    /// The Message-ID of the mail the message came in: a second delivery adds nothing.
    pub mail_message_id: Option<String>,
}

/// What a message carries.
#[derive(Debug, Clone, Default)]
pub enum Attachments {
    #[default]
    None,
    /// An attachment set made beforehand (AddAttachmentsToSet).
    Set(String),
    /// Files posted with the message, checked and stored with it.
    Files(Vec<NewFile>),
}

impl App {
    /// Posts a message. A customer's reopens a resolved case and answers a request for
    /// action, and owes them a next reply where the plan promises one (the first response
    /// still, while support has never answered); support's visible
    /// reply meets every running target and starts the next periodic update where the
    /// plan promises one (`tierdesk_core::sla::targets::on_message` decides).
    pub async fn post_message(
        &self,
        actor: Actor<'_>,
        who: &Who,
        msg: Message,
    ) -> Result<(), ServiceError> {
        if let Actor::Customer(caller) = actor {
            self.require_api(caller)?;
        }
        let case_id = required(Field::CaseId, &msg.case_id)?;
        let body = check_body(msg.body.as_deref())?;
        check_cc(&msg.cc_email_addresses)?;
        let author = match actor {
            Actor::Customer(_) if msg.internal => {
                return Err(ServiceError::Refused(Refusal::CustomerInternalNote));
            }
            Actor::Customer(_) => Author::Customer,
            Actor::Agent(_) => Author::Support,
        };
        let (set, files) = match msg.attachments {
            Attachments::None => (None, None),
            Attachments::Set(set) => (Some(set), None),
            Attachments::Files(files) if files.is_empty() => (None, None),
            Attachments::Files(files) => (None, Some(self.checked_files(files)?)),
        };
        let case = self.case_for(actor, case_id).await?;
        // The case keeps the addresses it is given; the store checks again in the write.
        let cc_total = case.cc_emails.len()
            + msg
                .cc_email_addresses
                .iter()
                .filter(|m| !case.cc_emails.iter().any(|c| c.eq_ignore_ascii_case(m)))
                .count();
        if cc_total > MAX_CASE_CC {
            return Err(ServiceError::invalid(
                Field::CcList,
                Problem::TooMany {
                    max: MAX_CASE_CC,
                    got: cc_total,
                },
            ));
        }
        // Only now, the case found: a customer's files count as a new set.
        if let (Actor::Customer(caller), Some(_)) = (actor, &files) {
            self.count_new_set(&caller.account.id).await?;
        }
        let now = self.clock.now();
        let follow_up = if msg.internal {
            None
        } else {
            let kind = targets::follow_up_kind(author, case.responded.is_some());
            self.follow_up_target(actor, &case, kind, now).await?
        };
        // Files posted with the message belong to the case's account, whoever posts them.
        let files = files
            .map(|files| self.new_set(&case.account_id, files))
            .transpose()?;
        let file_count = files.as_ref().map_or(0, |f| f.files.len());
        let audit = who.did(
            now,
            if msg.internal {
                Action::CaseNote
            } else {
                Action::CaseMessage
            },
            Some(&case.account_id),
            tierdesk_core::audit::case_target(&case.case_id),
            match (&set, file_count) {
                (Some(set), _) => format!("with attachment set {set}"),
                (None, 0) => String::new(),
                (None, n) => format!("with {n} files"),
            },
        );
        self.store
            .add_communication(
                NewCommunication {
                    account_id: case.account_id.clone(),
                    case_id: case.case_id.clone(),
                    body,
                    submitted_by: actor.submitted_by(),
                    from_support: author == Author::Support,
                    internal: msg.internal,
                    attachment_set: set.clone(),
                    files,
                    at: now,
                    follow_up,
                    max_per_case: Some(self.limits.messages_per_case),
                    cc_emails: msg.cc_email_addresses,
                    mail_message_id: msg.mail_message_id,
                    // Customers hear of support's visible replies.
                    notice: (author == Author::Support && !msg.internal)
                        .then(|| self.notice(NoticeKind::SupportReplied, now))
                        .flatten(),
                },
                audit,
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound => actor.no_case(case_id),
                StoreError::CcListFull => ServiceError::invalid(
                    Field::CcList,
                    Problem::TooMany {
                        max: MAX_CASE_CC,
                        got: cc_total,
                    },
                ),
                e => attachment_error(e, set.as_deref()),
            })
    }
}
