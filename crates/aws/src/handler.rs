//! One AWS Support API call, from signed bytes to response bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tierdesk_app::auth::Caller;
use tierdesk_app::support;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::records;
use tierdesk_core::time::format_millis;

use crate::error::{AwsError, from_service};
use crate::shapes::*;
use crate::sigv4::{self, SignedRequest};

pub const TARGET_PREFIX: &str = "AWSSupport_20130415.";
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// `DateInterval` times: RFC 3339 with milliseconds and the zone's offset.
const DATE_INTERVAL: &str = "%Y-%m-%dT%H:%M:%S%.3f%:z";

/// The Trusted Advisor operations of this API; they come in a later release and until
/// then answer as unsupported, never with invented data.
const TRUSTED_ADVISOR: [&str; 5] = [
    "DescribeTrustedAdvisorChecks",
    "DescribeTrustedAdvisorCheckResult",
    "DescribeTrustedAdvisorCheckSummaries",
    "DescribeTrustedAdvisorCheckRefreshStatuses",
    "RefreshTrustedAdvisorCheck",
];

/// A request as received, without any HTTP library's types.
pub struct WireRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

pub struct WireResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// For the access log: the operation and account, once known.
    pub operation: Option<String>,
    pub account: Option<String>,
    /// The AWS error code, if the call failed.
    pub error: Option<&'static str>,
}

fn ok<T: Serialize>(v: &T) -> Result<Vec<u8>, AwsError> {
    serde_json::to_vec(v).map_err(|e| AwsError::new(500, "InternalServerError", e.to_string()))
}

fn parse<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, AwsError> {
    // An empty body is an empty input; some clients send nothing for no members.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = if e.is_syntax() || e.is_eof() {
            "The request body is not valid JSON"
        } else {
            "The request body does not match the operation's input"
        };
        AwsError::client("SerializationException", format!("{what}: {e}"))
    })
}

fn communication(m: records::Communication) -> Communication {
    Communication {
        case_id: m.case_id,
        body: m.body,
        submitted_by: m.submitted_by,
        time_created: format_millis(m.created),
        attachment_set: m
            .attachments
            .into_iter()
            .map(|a| AttachmentDetails {
                attachment_id: a.attachment_id,
                file_name: a.file_name,
            })
            .collect(),
    }
}

fn case_details(d: support::CaseDetails) -> CaseDetails {
    let c = d.case;
    CaseDetails {
        case_id: c.case_id,
        display_id: c.display_id.to_string(),
        subject: c.subject,
        status: c.status,
        service_code: c.service_code,
        category_code: c.category_code,
        severity_code: c.severity_code,
        submitted_by: c.submitted_by,
        time_created: format_millis(c.created),
        recent_communications: d
            .recent
            .map(|(comms, next_token)| RecentCaseCommunications {
                communications: comms.into_iter().map(communication).collect(),
                next_token,
            }),
        cc_email_addresses: c.cc_emails,
        language: c.language,
    }
}

/// Authenticates, dispatches and encodes one call. Never panics on any input; internal
/// failures are logged with `request_id` and answered without detail.
pub async fn handle(app: &App, req: WireRequest<'_>, request_id: &str) -> WireResponse {
    let mut operation = None;
    let mut account = None;
    let result = handle_inner(app, &req, &mut operation, &mut account).await;
    let (status, body, error) = match result {
        Ok(body) => (200, body, None),
        Err(Failure::Aws(e)) => (e.status, e.body(), Some(e.code)),
        Err(Failure::Internal(detail)) => {
            tracing::error!(request_id, operation = ?operation, account = ?account, %detail, "internal error");
            let e = AwsError::internal(request_id);
            (e.status, e.body(), Some(e.code))
        }
    };
    WireResponse {
        status,
        content_type: CONTENT_TYPE,
        body,
        operation,
        account,
        error,
    }
}

enum Failure {
    Aws(AwsError),
    Internal(String),
}

impl From<AwsError> for Failure {
    fn from(e: AwsError) -> Self {
        Failure::Aws(e)
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match from_service(e) {
            Ok(a) => Failure::Aws(a),
            Err(detail) => Failure::Internal(detail),
        }
    }
}

async fn handle_inner(
    app: &App,
    req: &WireRequest<'_>,
    operation: &mut Option<String>,
    account: &mut Option<String>,
) -> Result<Vec<u8>, Failure> {
    let signed = SignedRequest {
        method: req.method,
        path: req.path,
        query: req.query,
        headers: req.headers,
        body: req.body,
    };
    let auth = sigv4::parse_authorization(req.headers).map_err(AwsError::from)?;
    let amz_date =
        sigv4::check_envelope(&signed, &auth, app.clock.now()).map_err(AwsError::from)?;
    let Some(key) = app.resolve_key(&auth.access_key_id).await? else {
        return Err(AwsError::client(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
        .into());
    };
    sigv4::verify(&signed, &auth, &amz_date, &key.secret).map_err(AwsError::from)?;
    let caller = &key.caller;
    *account = Some(caller.account.id.clone());

    let target = sigv4::header(req.headers, "x-amz-target").unwrap_or_default();
    let op = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        AwsError::client(
            "UnknownOperationException",
            format!("'{target}' is not an operation of {TARGET_PREFIX}*"),
        )
    })?;
    *operation = Some(op.to_string());
    app.throttle(caller)?;
    dispatch(app, caller, op, req.body).await
}

async fn dispatch(app: &App, caller: &Caller, op: &str, body: &[u8]) -> Result<Vec<u8>, Failure> {
    let out = match op {
        "CreateCase" => {
            let r: CreateCaseRequest = parse(body)?;
            let case = app
                .create_case(
                    caller,
                    support::CreateCase {
                        subject: r.subject,
                        service_code: r.service_code,
                        severity_code: r.severity_code,
                        category_code: r.category_code,
                        communication_body: r.communication_body,
                        cc_email_addresses: r.cc_email_addresses.unwrap_or_default(),
                        language: r.language,
                        issue_type: r.issue_type,
                        attachment_set_id: r.attachment_set_id,
                    },
                )
                .await?;
            ok(&CreateCaseResponse {
                case_id: case.case_id,
            })?
        }
        "DescribeCases" => {
            let r: DescribeCasesRequest = parse(body)?;
            let (cases, next_token) = app
                .describe_cases(
                    caller,
                    support::DescribeCases {
                        case_ids: r.case_id_list.unwrap_or_default(),
                        display_id: r.display_id,
                        after_time: r.after_time,
                        before_time: r.before_time,
                        include_resolved_cases: r.include_resolved_cases,
                        next_token: r.next_token,
                        max_results: r.max_results,
                        language: r.language,
                        include_communications: r.include_communications,
                    },
                )
                .await?;
            ok(&DescribeCasesResponse {
                cases: cases.into_iter().map(case_details).collect(),
                next_token,
            })?
        }
        "DescribeCommunications" => {
            let r: DescribeCommunicationsRequest = parse(body)?;
            let (comms, next_token) = app
                .describe_communications(
                    caller,
                    support::DescribeCommunications {
                        case_id: r.case_id,
                        after_time: r.after_time,
                        before_time: r.before_time,
                        next_token: r.next_token,
                        max_results: r.max_results,
                    },
                )
                .await?;
            ok(&DescribeCommunicationsResponse {
                communications: comms.into_iter().map(communication).collect(),
                next_token,
            })?
        }
        "AddCommunicationToCase" => {
            let r: AddCommunicationToCaseRequest = parse(body)?;
            app.add_communication(
                caller,
                support::AddCommunication {
                    case_id: r.case_id,
                    communication_body: r.communication_body,
                    cc_email_addresses: r.cc_email_addresses.unwrap_or_default(),
                    attachment_set_id: r.attachment_set_id,
                },
            )
            .await?;
            ok(&AddCommunicationToCaseResponse { result: true })?
        }
        "ResolveCase" => {
            let r: ResolveCaseRequest = parse(body)?;
            let (initial, fin) = app.resolve_case(caller, r.case_id).await?;
            ok(&ResolveCaseResponse {
                initial_case_status: initial,
                final_case_status: fin,
            })?
        }
        "AddAttachmentsToSet" => {
            let r: AddAttachmentsToSetRequest = parse(body)?;
            let files = r
                .attachments
                .map(|list| {
                    list.into_iter()
                        .enumerate()
                        .map(|(i, a)| {
                            let data = a
                                .data
                                .map(|d| B64.decode(d.as_bytes()))
                                .transpose()
                                .map_err(|_| {
                                    AwsError::client(
                                        "SerializationException",
                                        format!("attachments[{i}].data is not valid base64"),
                                    )
                                })?;
                            Ok(support::NewFile {
                                file_name: a.file_name,
                                data,
                            })
                        })
                        .collect::<Result<Vec<_>, AwsError>>()
                })
                .transpose()?;
            let (set, expiry) = app
                .add_attachments_to_set(caller, r.attachment_set_id, files)
                .await?;
            ok(&AddAttachmentsToSetResponse {
                attachment_set_id: set,
                expiry_time: format_millis(expiry),
            })?
        }
        "DescribeAttachment" => {
            let r: DescribeAttachmentRequest = parse(body)?;
            let a = app.describe_attachment(caller, r.attachment_id).await?;
            ok(&DescribeAttachmentResponse {
                attachment: Attachment {
                    file_name: Some(a.file_name),
                    data: Some(B64.encode(a.data)),
                },
            })?
        }
        "DescribeSeverityLevels" => {
            let r: DescribeSeverityLevelsRequest = parse(body)?;
            let levels = app.severity_levels(caller, r.language.as_deref())?;
            ok(&DescribeSeverityLevelsResponse {
                severity_levels: levels
                    .into_iter()
                    .map(|l| CodeName {
                        code: l.code.clone(),
                        name: l.name.clone(),
                    })
                    .collect(),
            })?
        }
        "DescribeServices" => {
            let r: DescribeServicesRequest = parse(body)?;
            let services = app.describe_services(
                caller,
                &r.service_code_list.unwrap_or_default(),
                r.language.as_deref(),
            )?;
            ok(&DescribeServicesResponse {
                services: services
                    .into_iter()
                    .map(|s| Service {
                        code: s.code,
                        name: s.name,
                        categories: s
                            .categories
                            .into_iter()
                            .map(|c| CodeName {
                                code: c.code,
                                name: c.name,
                            })
                            .collect(),
                    })
                    .collect(),
            })?
        }
        "DescribeSupportedLanguages" => {
            let r: DescribeSupportedLanguagesRequest = parse(body)?;
            if let Some(it) = &r.issue_type
                && !(9..=22).contains(&it.chars().count())
            {
                return Err(AwsError::client(
                    "ValidationException",
                    "issueType must be 9 to 22 characters long",
                )
                .into());
            }
            let langs =
                app.supported_languages(caller, r.issue_type, r.service_code, r.category_code)?;
            ok(&DescribeSupportedLanguagesResponse {
                supported_languages: langs
                    .into_iter()
                    .map(|(code, language, display)| SupportedLanguage {
                        code: code.into(),
                        language: language.into(),
                        display: display.into(),
                    })
                    .collect(),
            })?
        }
        "DescribeCreateCaseOptions" => {
            let r: DescribeCreateCaseOptionsRequest = parse(body)?;
            let (availability, channels) = app
                .create_case_options(
                    caller,
                    r.issue_type,
                    r.service_code,
                    r.language,
                    r.category_code,
                )
                .await?;
            ok(&DescribeCreateCaseOptionsResponse {
                language_availability: availability.into(),
                communication_types: channels
                    .into_iter()
                    .map(|c| CommunicationTypeOptions {
                        kind: c.kind.into(),
                        supported_hours: c
                            .hours
                            .into_iter()
                            .map(|(open, close)| SupportedHour {
                                start_time: open.strftime("%H:%M:%S.%3f").to_string(),
                                // AWS writes the end of the day as 23:59:59.999.
                                end_time: close.map_or("23:59:59.999".to_string(), |c| {
                                    c.strftime("%H:%M:%S.%3f").to_string()
                                }),
                            })
                            .collect(),
                        dates_without_support: c
                            .closed
                            .into_iter()
                            .map(|(start, end)| DateInterval {
                                start_date_time: start.strftime(DATE_INTERVAL).to_string(),
                                end_date_time: end.strftime(DATE_INTERVAL).to_string(),
                            })
                            .collect(),
                    })
                    .collect(),
            })?
        }
        op if TRUSTED_ADVISOR.contains(&op) => {
            app.require_api(caller)?;
            return Err(AwsError::client(
                "UnsupportedOperationException",
                format!("{op}: Trusted Advisor is not available on this Tierdesk server yet"),
            )
            .into());
        }
        other => {
            return Err(AwsError::client(
                "UnknownOperationException",
                format!("'{other}' is not an operation of the AWS Support API"),
            )
            .into());
        }
    };
    Ok(out)
}
