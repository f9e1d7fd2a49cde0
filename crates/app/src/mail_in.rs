//! Mail in: a customer's mail becomes a message on the case it answers (found by the
//! thread's Message-IDs or the case number in the subject), or, on plans that sell the
//! email channel, a new case. Only the case's people may write on it: the account's
//! console users and the addresses the case copies. Machines' mail (auto-replies, bounces)
//! is recorded and never becomes a message. Every mail received is recorded with what
//! became of it; the raw message of one not stored is kept for the operator.
//!
//! A composer of use cases (like `demo`): a mail goes through the cases' own `post_message`
//! and `create_case`. The server reads the MIME (`tierdesk_server::mail_in`); the words are
//! cut by `tierdesk_core::mail_text`.

use tierdesk_core::audit::{ActorKind, Who};
use tierdesk_core::mail_text::{detect_language, reply_text, subject_case_number, thread_case_ids};
use tierdesk_core::records::{Case, User};
use tierdesk_store::InboundRecord;

use crate::cases::{Attachments, CreateCase, Message};
use crate::files::NewFile;
use crate::{App, ServiceError};

/// The plan channel a mail to the support address opens a case on.
pub const EMAIL_CHANNEL: &str = "email";

/// A mail as the server read it from its MIME.
#[derive(Debug, Clone, Default)]
pub struct Inbound {
    pub message_id: Option<String>,
    /// The From address.
    pub from: Option<String>,
    pub subject: String,
    /// In-Reply-To's and References' Message-IDs.
    pub thread: Vec<String>,
    /// Why a machine sent it (`tierdesk_core::mail_text::automatic`), if one did.
    pub automatic: Option<String>,
    /// The text (a text part, or the HTML part as text).
    pub text: String,
    pub attachments: Vec<NewFile>,
    /// The message as received.
    pub raw: Vec<u8>,
}

/// What became of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A message on the case.
    Added { case_id: String },
    /// A new case.
    Opened { case_id: String },
    /// The same mail came before; nothing was added.
    AlreadyStored,
    /// A machine sent it: recorded, nothing added.
    Ignored { reason: String },
}

/// Why a mail was not stored. Each says what an MTA should do: a stranger or an unknown
/// case is bounced for good, a malformed mail too, an outage is retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Nobody this service serves may send this mail (no account's user, or a plan without
    /// support by email).
    #[error("{0}")]
    Stranger(String),
    /// The mail names a case that does not exist, or one the sender may not write on (the
    /// same answer for both).
    #[error("{0}")]
    UnknownCase(String),
    #[error("{0}")]
    Malformed(String),
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
}

impl Refused {
    fn outcome(&self) -> &'static str {
        match self {
            Refused::Malformed(_) => "malformed",
            _ => "refused",
        }
    }
}

/// The most bytes of a raw message kept for the operator.
const MAX_KEPT_RAW: usize = 1024 * 1024;

impl App {
    /// Receives one mail: adds it to its case or opens one, or refuses it; records what
    /// became of it either way.
    pub async fn receive_mail(&self, mail: Inbound) -> Result<Received, Refused> {
        let result = self.apply_mail(&mail).await;
        let (outcome, reason, case_id) = match &result {
            Ok(Received::Added { case_id }) => (
                "stored",
                "a message on the case".to_string(),
                Some(case_id.clone()),
            ),
            Ok(Received::Opened { case_id }) => {
                ("stored", "a new case".to_string(), Some(case_id.clone()))
            }
            Ok(Received::AlreadyStored) => ("stored", "already stored".to_string(), None),
            Ok(Received::Ignored { reason }) => ("ignored", reason.clone(), None),
            // The outage may be the database itself: the MTA keeps the mail and retries.
            Err(Refused::Unavailable(_)) => return result,
            Err(e) => {
                tracing::warn!(from = mail.from.as_deref().unwrap_or(""), reason = %e, "a mail was refused");
                (e.outcome(), e.to_string(), None)
            }
        };
        let keep_raw = outcome != "stored";
        let record = InboundRecord {
            id: 0,
            received: self.clock.now(),
            outcome: outcome.into(),
            reason,
            sender: mail.from.clone().unwrap_or_default(),
            subject: mail.subject.chars().take(300).collect(),
            message_id: mail.message_id.clone().unwrap_or_default(),
            case_id,
            raw: keep_raw.then(|| mail.raw[..mail.raw.len().min(MAX_KEPT_RAW)].to_vec()),
        };
        self.store
            .record_inbound(record)
            .await
            .map_err(|e| Refused::Unavailable(e.to_string()))?;
        result
    }

    /// Records a mail the server could not read at all.
    pub async fn refuse_malformed_mail(&self, raw: &[u8], reason: &str) -> Result<(), Refused> {
        let record = InboundRecord {
            id: 0,
            received: self.clock.now(),
            outcome: "malformed".into(),
            reason: reason.into(),
            sender: String::new(),
            subject: String::new(),
            message_id: String::new(),
            case_id: None,
            raw: Some(raw[..raw.len().min(MAX_KEPT_RAW)].to_vec()),
        };
        self.store
            .record_inbound(record)
            .await
            .map(|_| ())
            .map_err(|e| Refused::Unavailable(e.to_string()))
    }

    pub async fn inbound_mail(
        &self,
        outcome: Option<&str>,
        limit: i64,
    ) -> Result<Vec<InboundRecord>, ServiceError> {
        Ok(self.store.inbound_mail(outcome, limit).await?)
    }

    pub async fn inbound(&self, id: i64) -> Result<Option<InboundRecord>, ServiceError> {
        Ok(self.store.inbound(id).await?)
    }

    async fn apply_mail(&self, mail: &Inbound) -> Result<Received, Refused> {
        if let Some(reason) = &mail.automatic {
            return Ok(Received::Ignored {
                reason: reason.clone(),
            });
        }
        let from = match mail.from.as_deref().map(str::trim) {
            Some(f) if tierdesk_core::text::is_email(f) => f.to_string(),
            Some(f) => {
                return Err(Refused::Malformed(format!(
                    "the From address '{f}' is not an address"
                )));
            }
            None => return Err(Refused::Malformed("the mail has no From address".into())),
        };
        // A second delivery of a stored mail (the MTA heard no answer) adds nothing.
        if let Some(id) = &mail.message_id
            && self.store.mail_received(id).await.map_err(unavailable)?
        {
            return Ok(Received::AlreadyStored);
        }
        let domain = self.mail_settings().map(|s| s.domain.clone());
        let threaded = thread_case_ids(mail.thread.iter().map(String::as_str), domain.as_deref());
        let numbered = subject_case_number(&mail.subject);
        let mut case = None;
        for id in &threaded {
            case = self.store.case_by_id(id).await.map_err(unavailable)?;
            if case.is_some() {
                break;
            }
        }
        if case.is_none()
            && let Some(n) = numbered
        {
            case = self
                .store
                .case_by_display_id(n)
                .await
                .map_err(unavailable)?;
        }
        let user = self
            .store
            .user_by_email(&from)
            .await
            .map_err(unavailable)?
            .filter(|u| u.disabled.is_none());
        let who = Who::new(ActorKind::Mail, from.clone(), None);
        // A case that does not exist and one the sender may not write on get the same
        // answer: a bounce tells nobody which case numbers are in use.
        let unknown = || {
            let named = threaded
                .first()
                .cloned()
                .or(numbered.map(|n| format!("case number {n}")))
                .unwrap_or_default();
            Refused::UnknownCase(format!("{from} may write on no case {named}"))
        };
        match case {
            Some(case) if may_write(user.as_ref(), &case, &from) => {
                self.add_mail_to_case(mail, &from, user, &case, &who).await
            }
            Some(_) => Err(unknown()),
            None if !threaded.is_empty() || numbered.is_some() => Err(unknown()),
            None => match user {
                Some(user) => self.open_case_by_mail(mail, &user, &who).await,
                None => Err(Refused::Stranger(format!(
                    "{from} is not a user of any account, and the mail names no case"
                ))),
            },
        }
    }

    async fn add_mail_to_case(
        &self,
        mail: &Inbound,
        from: &str,
        user: Option<User>,
        case: &Case,
        who: &Who,
    ) -> Result<Received, Refused> {
        let user = user.filter(|u| u.account_id == case.account_id);
        let account = self.account(&case.account_id).await.map_err(unavailable)?;
        let mut caller = match &user {
            Some(u) => self
                .console_caller(u, &account)
                .await
                .map_err(unavailable)?,
            None => self
                .console_caller(&cc_person(from, &account.id), &account)
                .await
                .map_err(unavailable)?,
        };
        caller.principal = from.to_string();
        let message = Message {
            case_id: Some(case.case_id.clone()),
            body: Some(reply_text(&mail.text)),
            attachments: if mail.attachments.is_empty() {
                Attachments::None
            } else {
                Attachments::Files(mail.attachments.clone())
            },
            mail_message_id: mail.message_id.clone(),
            ..Message::default()
        };
        match self
            .post_message(crate::actor::Actor::Customer(&caller), who, message)
            .await
        {
            Ok(()) => Ok(Received::Added {
                case_id: case.case_id.clone(),
            }),
            Err(e) => refusal(e),
        }
    }

    async fn open_case_by_mail(
        &self,
        mail: &Inbound,
        user: &User,
        who: &Who,
    ) -> Result<Received, Refused> {
        let account = self.account(&user.account_id).await.map_err(unavailable)?;
        let caller = self
            .console_caller(user, &account)
            .await
            .map_err(unavailable)?;
        if !caller.plan.has_channel(EMAIL_CHANNEL) {
            return Err(Refused::Stranger(format!(
                "the {} plan ({}) does not include support by email: open cases in the console",
                caller.plan.name, caller.plan.id
            )));
        }
        // The least severe level: a mail says nothing of severity, and support raises it.
        let severity = caller
            .plan
            .case_severities()
            .first()
            .map(|l| l.code.clone());
        let text = reply_text(&mail.text);
        let language = detect_language(&format!("{} {text}", mail.subject))
            .map(str::to_string)
            .unwrap_or_else(|| user.language.clone());
        let subject = match mail.subject.trim() {
            "" => "(no subject)".to_string(),
            s => s.chars().take(crate::cases::MAX_SUBJECT_CHARS).collect(),
        };
        let input = CreateCase {
            subject: Some(subject),
            communication_body: Some(text),
            severity_code: severity,
            language: Some(language),
            files: mail.attachments.clone(),
            mail_message_id: mail.message_id.clone(),
            ..CreateCase::default()
        };
        match self.create_case(&caller, who, input).await {
            Ok(case) => Ok(Received::Opened {
                case_id: case.case_id,
            }),
            Err(e) => refusal(e),
        }
    }
}

/// Whether the sender is one of the case's people: a user of its account, or an address
/// it copies.
fn may_write(user: Option<&User>, case: &Case, from: &str) -> bool {
    user.is_some_and(|u| u.account_id == case.account_id)
        || case.cc_emails.iter().any(|c| c.eq_ignore_ascii_case(from))
}

/// A person copied on a case, for the caller a message is posted as.
fn cc_person(email: &str, account_id: &str) -> User {
    User {
        id: String::new(),
        account_id: account_id.to_string(),
        email: email.to_string(),
        name: email.to_string(),
        language: String::new(),
        created: jiff::Timestamp::UNIX_EPOCH,
        disabled: None,
        demo: false,
    }
}

fn unavailable(e: impl std::fmt::Display) -> Refused {
    Refused::Unavailable(e.to_string())
}

/// A use case's refusal of a mail's content: an outage (or a second delivery racing the
/// first to the unique Message-ID, which the retry then finds stored) is retried; anything
/// else (a body too long, too many files, a case cap) bounces with its reason.
fn refusal(e: ServiceError) -> Result<Received, Refused> {
    match e {
        ServiceError::Internal(m) => Err(Refused::Unavailable(m)),
        e => Err(Refused::Malformed(e.to_string())),
    }
}
