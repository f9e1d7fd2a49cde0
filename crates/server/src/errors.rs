//! The error table: how every surface answers each kind of use-case failure, one row per
//! kind (meilisearch's `make_error_codes!`). A row gives the AWS `__type` and status (or
//! says no AWS operation can raise the kind, which makes it an internal error there), the
//! operator API's status and code, and the console's status, title and text.
//!
//! The rows are matched exhaustively on `ServiceError`: a new kind does not compile until
//! it has a row, and the macro does not accept a row with a column missing. The console's
//! phrases are English keys of the console's Japanese table (`console/ja.rs`); the i18n
//! test reads this file and fails on a phrase without Japanese.

use axum::http::StatusCode;
use tierdesk_app::ServiceError;

/// How the AWS endpoint answers a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aws {
    /// A client fault: this status (always 4xx: botocore retries 5xx) and `__type`.
    Client(u16, &'static str),
    /// No AWS operation raises this kind; if one did, it is a bug: logged, and answered as
    /// `InternalServerError` without detail.
    Internal,
}

/// What the console says after the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// The use case's own words to English readers (they are more specific); this phrase,
    /// translated, to everyone else. `{0}` and `{1}` are the attachment limits (files per
    /// set, megabytes per file).
    Localised(&'static str),
    /// This phrase, translated, to everyone.
    Phrase(&'static str),
    /// Worded by the console from the error's data, in the person's language: the field
    /// (with the form's label) and problem of an `Invalid`, the rule of a `Refused`.
    Worded,
    /// One phrase for customers, another for staff.
    Audience {
        customer: &'static str,
        staff: &'static str,
    },
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub aws: Aws,
    pub api: (StatusCode, &'static str),
    pub console: (StatusCode, &'static str, Text),
}

use crate::console::i18n::phrase;

/// A value of each kind, for the table's tests.
#[cfg(test)]
macro_rules! sample {
    (Invalid) => {
        ServiceError::invalid(
            tierdesk_app::error::Field::Body,
            tierdesk_app::error::Problem::Missing,
        )
    };
    (Refused) => {
        ServiceError::Refused(tierdesk_app::error::Refusal::CustomerInternalNote)
    };
    ($kind:ident) => {
        ServiceError::$kind(String::new())
    };
}

macro_rules! error_table {
    ($($kind:ident {
        aws: $aws:expr,
        api: ($api_status:ident, $api_code:literal),
        console: ($console_status:ident, $title:expr, $text:expr) $(,)?
    })*) => {
        /// The row of `e`'s kind.
        pub fn row(e: &ServiceError) -> Row {
            match e {
                $(ServiceError::$kind(_) => Row {
                    aws: $aws,
                    api: (StatusCode::$api_status, $api_code),
                    console: (StatusCode::$console_status, $title, $text),
                },)*
            }
        }

        /// Every row, for the table's own tests.
        #[cfg(test)]
        fn every_kind() -> Vec<ServiceError> {
            vec![$(sample!($kind)),*]
        }
    };
}

use Aws::{Client, Internal};
use Text::{Audience, Localised, Phrase, Worded};

const DID_NOT_WORK: &str = phrase("That did not work");
const TOO_MANY: Text = Localised(phrase("Too many requests; try again in a minute."));

error_table! {
    Invalid {
        aws: Client(400, "ValidationException"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Worded),
    }
    Refused {
        aws: Client(400, "ValidationException"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Worded),
    }
    SubscriptionRequired {
        aws: Client(400, "SubscriptionRequiredException"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase("Your plan does not include this; the plan page says what it does."))),
    }
    CaseNotFound {
        aws: Client(400, "CaseIdNotFound"),
        api: (NOT_FOUND, "not_found"),
        console: (NOT_FOUND, phrase("No such case"), Audience {
            customer: phrase("There is no such case in your account."),
            staff: phrase("There is no such case."),
        }),
    }
    CaseCreationLimit {
        aws: Client(400, "CaseCreationLimitExceeded"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase(
            "Your plan's cases for this month are used; the count starts again next month."
        ))),
    }
    AttachmentSetNotFound {
        aws: Client(400, "AttachmentSetIdNotFound"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase("The files to attach were not found; attach them again."))),
    }
    AttachmentSetExpired {
        aws: Client(400, "AttachmentSetExpired"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase("The files to attach were kept for an hour and have expired; attach them again."))),
    }
    AttachmentSetSizeLimit {
        aws: Client(400, "AttachmentSetSizeLimitExceeded"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase(
            "Attach at most {0} files of {1} MB each."
        ))),
    }
    AttachmentLimit {
        aws: Client(400, "AttachmentLimitExceeded"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, TOO_MANY),
    }
    AttachmentNotFound {
        aws: Client(400, "AttachmentIdNotFound"),
        api: (BAD_REQUEST, "invalid"),
        console: (NOT_FOUND, phrase("Not found"), Localised(phrase("There is no such file on this case."))),
    }
    DescribeAttachmentLimit {
        aws: Client(400, "DescribeAttachmentLimitExceeded"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, TOO_MANY),
    }
    Throttled {
        aws: Client(400, "ThrottlingException"),
        api: (BAD_REQUEST, "invalid"),
        console: (BAD_REQUEST, DID_NOT_WORK, TOO_MANY),
    }
    NotFound {
        aws: Internal,
        api: (NOT_FOUND, "not_found"),
        console: (NOT_FOUND, phrase("Not found"), Localised(phrase("There is nothing here by that name; it may have been removed."))),
    }
    Conflict {
        aws: Internal,
        api: (CONFLICT, "conflict"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase("That clashes with what is already there (it exists, or someone changed it meanwhile). Reload and try again."))),
    }
    Unauthenticated {
        aws: Internal,
        api: (UNAUTHORIZED, "unauthenticated"),
        console: (BAD_REQUEST, DID_NOT_WORK, Localised(phrase("Sign in again to go on."))),
    }
    Forbidden {
        aws: Internal,
        api: (FORBIDDEN, "forbidden"),
        console: (FORBIDDEN, phrase("Not for your role"), Localised(phrase("Your role may not do this."))),
    }
    Internal {
        aws: Internal,
        api: (INTERNAL_SERVER_ERROR, "internal"),
        console: (INTERNAL_SERVER_ERROR, phrase("Something went wrong"), Phrase(phrase("Please try again."))),
    }
}

/// Whether a failure is a refusal the person can act on (a 400 in the console): a form
/// that fails this way is shown again with what was typed.
/// An error with its causes, for logs and outbox records: hyper's and lettre's own
/// messages hide the cause (a TLS certificate problem, a refused connection).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

pub fn is_refusal(e: &ServiceError) -> bool {
    row(e).console.0 == StatusCode::BAD_REQUEST
}

/// Whether a failure is the server's fault: logged with its detail, answered without it.
pub fn is_internal(e: &ServiceError) -> bool {
    row(e).api.0.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_faults_are_never_5xx_and_server_faults_never_leak() {
        for e in every_kind() {
            let r = row(&e);
            if let Aws::Client(status, code) = r.aws {
                assert!((400..500).contains(&status), "{e:?}: AWS {status}");
                assert!(!code.is_empty());
            }
            // The console and the API agree on whose fault it is.
            assert_eq!(
                r.api.0.is_server_error(),
                r.console.0.is_server_error(),
                "{e:?}"
            );
            if is_internal(&e) {
                assert_eq!(r.aws, Aws::Internal, "{e:?}");
                assert!(
                    !matches!(r.console.2, Text::Localised(_) | Text::Worded),
                    "{e:?} would show its detail"
                );
            }
        }
    }

    #[test]
    fn every_console_phrase_has_japanese() {
        use crate::console::i18n::Lang;
        for e in every_kind() {
            let (_, title, text) = row(&e).console;
            let phrases = match text {
                Text::Worded => vec![title],
                Text::Localised(p) | Text::Phrase(p) => vec![title, p],
                Text::Audience { customer, staff } => vec![title, customer, staff],
            };
            for p in phrases {
                assert_ne!(Lang::Ja.t(p), p, "{e:?}: no Japanese for '{p}'");
            }
        }
    }

    #[test]
    fn aws_codes_are_unique_but_for_validation() {
        // Both validation kinds (a field's problem, a rule's) are AWS's ValidationException.
        let mut codes: Vec<&str> = every_kind()
            .iter()
            .filter_map(|e| match row(e).aws {
                Aws::Client(_, "ValidationException") => None,
                Aws::Client(_, c) => Some(c),
                Aws::Internal => None,
            })
            .collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
