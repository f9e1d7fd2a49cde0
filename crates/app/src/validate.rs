//! Checks of what people send, shared by every use case: text, bodies, names, email
//! addresses, times, page sizes. Each refusal is an `Invalid { field, problem }`; the
//! surfaces word it.

use jiff::Timestamp;
use tierdesk_core::records::CaseStatus;

use crate::ServiceError;
use crate::error::{Field, Problem};

/// Longest communication body (AWS: 8000 characters).
pub const MAX_BODY_CHARS: usize = 8000;
pub const MAX_CC: usize = 10;

/// Text a person wrote: printable, no NULs or other control characters but tab and
/// newlines, no Unicode non-characters.
pub(crate) fn check_text(field: Field, s: &str) -> Result<(), ServiceError> {
    match tierdesk_core::text::forbidden_char(s) {
        Some(c) => Err(ServiceError::invalid(field, Problem::Forbidden(c))),
        None => Ok(()),
    }
}

/// A one-line name a person wrote (a subject, a file name): what [`check_text`] refuses,
/// and line breaks and bidirectional controls too (`core::text::forbidden_in_line`).
pub(crate) fn check_name_text(field: Field, s: &str) -> Result<(), ServiceError> {
    match tierdesk_core::text::forbidden_in_line(s) {
        Some(c) => Err(ServiceError::invalid(field, Problem::Forbidden(c))),
        None => Ok(()),
    }
}

pub(crate) fn check_body(body: Option<&str>) -> Result<String, ServiceError> {
    let body = body.ok_or_else(|| ServiceError::invalid(Field::Body, Problem::Missing))?;
    let n = body.chars().count();
    if n == 0 || n > MAX_BODY_CHARS {
        return Err(ServiceError::invalid(
            Field::Body,
            Problem::Length {
                min: 1,
                max: MAX_BODY_CHARS,
                got: n,
            },
        ));
    }
    check_text(Field::Body, body)?;
    Ok(body.to_string())
}

pub(crate) use tierdesk_core::text::is_email;

/// A one-line name (a person's, an account's, a key's): trimmed, 1 to `max` characters,
/// no control characters or line breaks.
pub(crate) fn check_line(field: Field, s: &str, max: usize) -> Result<&str, ServiceError> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 || n > max {
        return Err(ServiceError::invalid(
            field,
            Problem::Length {
                min: 1,
                max,
                got: n,
            },
        ));
    }
    check_name_text(field, s)?;
    Ok(s)
}

/// A person's email address, trimmed and lower-cased.
pub(crate) fn check_email(field: Field, a: &str) -> Result<String, ServiceError> {
    let a = a.trim().to_lowercase();
    if is_email(&a) {
        Ok(a)
    } else {
        Err(ServiceError::invalid(field, Problem::NotEmail(a)))
    }
}

/// A value of a field that takes one of a few names.
pub(crate) fn one_of(field: Field, value: &str, allowed: &[&str]) -> Result<(), ServiceError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        field,
        Problem::NotOneOf {
            value: value.to_string(),
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
        },
    ))
}

pub(crate) fn check_cc(cc: &[String]) -> Result<(), ServiceError> {
    if cc.len() > MAX_CC {
        return Err(ServiceError::invalid(
            Field::CcList,
            Problem::TooMany {
                max: MAX_CC,
                got: cc.len(),
            },
        ));
    }
    for a in cc {
        if !is_email(a) {
            return Err(ServiceError::invalid(
                Field::CcList,
                Problem::NotEmail(a.clone()),
            ));
        }
    }
    Ok(())
}

/// A case's kinds: technical, or account and billing.
const ISSUE_TYPES: [&str; 2] = ["technical", "customer-service"];

/// `technical` or `customer-service`.
pub(crate) fn check_issue_type(it: &str) -> Result<(), ServiceError> {
    if ISSUE_TYPES.contains(&it) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        Field::IssueType,
        Problem::NotOneOf {
            value: it.to_string(),
            allowed: ISSUE_TYPES.iter().map(|s| s.to_string()).collect(),
        },
    ))
}

/// A case language (the Support API's), of a case or of a person (`field`).
pub(crate) fn check_language(field: Field, lang: &str) -> Result<(), ServiceError> {
    if tierdesk_core::account::is_case_language(lang) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        field,
        Problem::NotOneOf {
            value: lang.to_string(),
            allowed: tierdesk_core::account::CASE_LANGUAGES
                .iter()
                .map(|(code, _, _)| code.to_string())
                .collect(),
        },
    ))
}

/// A value the core's check (`tierdesk_core::account`) refuses is malformed for `field`.
pub(crate) fn well_formed(
    field: Field,
    value: &str,
    check: fn(&str) -> Result<(), String>,
) -> Result<(), ServiceError> {
    check(value).map_err(|_| ServiceError::invalid(field, Problem::Malformed(value.to_string())))
}

pub(crate) fn parse_time(field: Field, s: Option<&str>) -> Result<Option<Timestamp>, ServiceError> {
    s.map(|s| {
        tierdesk_core::time::parse_instant(s)
            .ok_or_else(|| ServiceError::invalid(field, Problem::NotATime(s.to_string())))
    })
    .transpose()
}

/// A Support API page size: 10 to 100, 100 when not given (as AWS has it).
pub(crate) fn page_size(max_results: Option<i64>) -> Result<i64, ServiceError> {
    page_size_within(max_results, 100, 10..=100)
}

/// A page size within `allowed`, `default` when not given.
pub(crate) fn page_size_within(
    asked: Option<i64>,
    default: i64,
    allowed: std::ops::RangeInclusive<i64>,
) -> Result<i64, ServiceError> {
    match asked {
        None => Ok(default),
        Some(n) if allowed.contains(&n) => Ok(n),
        Some(n) => Err(ServiceError::invalid(
            Field::MaxResults,
            Problem::OutOfRange {
                min: *allowed.start(),
                max: *allowed.end(),
                got: n,
            },
        )),
    }
}

/// A status named in a request, which must be one of `allowed`.
pub(crate) fn parse_status(
    name: Option<&str>,
    allowed: &[CaseStatus],
) -> Result<Option<CaseStatus>, ServiceError> {
    let Some(name) = name else {
        return Ok(None);
    };
    match CaseStatus::parse(name).filter(|s| allowed.contains(s)) {
        Some(s) => Ok(Some(s)),
        None => Err(ServiceError::invalid(
            Field::Status,
            Problem::NotOneOf {
                value: name.to_string(),
                allowed: allowed.iter().map(|s| s.as_str().to_string()).collect(),
            },
        )),
    }
}

/// Longest search text (words of a subject or a name, or a number).
const MAX_SEARCH_CHARS: usize = 200;

/// What a list's search box holds: trimmed, `None` when blank, refused past its length.
pub(crate) fn search_text(text: Option<&str>) -> Result<Option<&str>, ServiceError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = text {
        let n = t.chars().count();
        if n > MAX_SEARCH_CHARS {
            return Err(ServiceError::invalid(
                Field::Search,
                Problem::Length {
                    min: 1,
                    max: MAX_SEARCH_CHARS,
                    got: n,
                },
            ));
        }
    }
    Ok(text)
}

pub(crate) fn required(field: Field, v: &Option<String>) -> Result<&str, ServiceError> {
    match v.as_deref() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ServiceError::invalid(field, Problem::Missing)),
    }
}
