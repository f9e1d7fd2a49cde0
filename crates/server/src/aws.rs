//! `POST /`: the AWS Support API. One call goes from signed bytes to response bytes:
//! check the signature's envelope and the key from the headers (before the body is read),
//! verify the signature (`tierdesk_aws::sigv4`), parse the operation, decode the shape,
//! call the use case, encode the answer or the AWS error.

mod advisor;
pub(crate) mod health;
pub(crate) mod trustedadvisor;

use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tierdesk_app::actor::{Actor, customer_who};
use tierdesk_app::auth::Caller;
use tierdesk_app::cases;
use tierdesk_app::error::{Field, Invalid, Problem};
use tierdesk_app::files::NewFile;
use tierdesk_app::{App, ServiceError};
use tierdesk_aws::error::AwsError;
use tierdesk_aws::shapes::*;
use tierdesk_aws::sigv4::{self, SignedRequest};
use tierdesk_aws::{CONTENT_TYPE, Operation};
use tierdesk_core::audit::Who;
use tierdesk_core::records;
use tierdesk_core::time::format_millis;

use crate::{AppState, read_body};

/// `DateInterval` times: RFC 3339 with milliseconds and the zone's offset.
const DATE_INTERVAL: &str = "%Y-%m-%dT%H:%M:%S%.3f%:z";

/// A request as received, without any HTTP library's types.
struct WireRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(String, String)],
    body: &'a [u8],
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

fn case_details(d: cases::CaseDetails) -> CaseDetails {
    let c = d.case;
    CaseDetails {
        case_id: c.case_id,
        display_id: c.display_id.to_string(),
        subject: c.subject,
        status: c.status.as_str().to_string(),
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

pub(crate) async fn endpoint(
    State(state): State<std::sync::Arc<AppState>>,
    req: Request,
) -> Response {
    let started = Instant::now();
    // The id `metrics::observe` gave the request (its log lines carry it too).
    let request_id = request_id(&state, &req);
    let (parts, body) = req.into_parts();
    let headers = header_pairs(&parts.headers);
    // JSON 1.1 services share `POST /`; the target's prefix says whose operation it is.
    if sigv4::header(&headers, "x-amz-target")
        .is_some_and(|t| t.starts_with(tierdesk_aws::health::TARGET_PREFIX))
    {
        return health::endpoint(&state, parts, headers, body, request_id).await;
    }
    let mut operation = None;
    let mut account = None;
    let result = async {
        let (who, bytes) =
            caller_and_body(&state, &headers, body, tierdesk_aws::Service::Support, true).await?;
        let req = WireRequest::of(&parts, &headers, &bytes);
        let address = crate::client::address_of(&state.trusted_proxies, &parts);
        handle_signed(&state.app, &req, who, address, &mut operation, &mut account).await
    }
    .await;
    let (status, body) = settle(
        result,
        &request_id,
        operation.map_or("-", Operation::name),
        account.as_deref(),
        started,
    );
    respond(status, body, CONTENT_TYPE, &request_id)
}

/// A JSON 1.1 call's outcome as its status and body, logged once: an internal failure's
/// detail goes to the log only, and the caller gets the request id to quote.
fn settle(
    result: Result<Vec<u8>, Failure>,
    request_id: &str,
    operation: &'static str,
    account: Option<&str>,
    started: Instant,
) -> (u16, Vec<u8>) {
    let (status, body, error) = match result {
        Ok(body) => (200, body, None),
        Err(Failure::Aws(e)) => (e.status, e.body(), Some(e.code)),
        Err(Failure::Internal(detail)) => {
            tracing::error!(request_id, operation, account = ?account, %detail, "internal error");
            let e = AwsError::internal(request_id);
            (e.status, e.body(), Some(e.code))
        }
    };
    tracing::debug!(
        request_id,
        operation,
        account = account.unwrap_or("-"),
        status,
        error = error.unwrap_or("-"),
        micros = started.elapsed().as_micros() as u64,
        "aws request"
    );
    (status, body)
}

/// An AWS answer: its status, body, content type and request id.
fn respond(status: u16, body: Vec<u8>, content_type: &'static str, request_id: &str) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

/// The id `metrics::observe` gave the request (its log lines carry it too).
fn request_id(state: &AppState, req: &Request) -> String {
    req.extensions()
        .get::<crate::metrics::RequestId>()
        .map_or_else(|| state.request_ids.next(), |id| id.0.clone())
}

/// Headers as the signature sees them: names and values as sent.
fn header_pairs(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

impl<'a> WireRequest<'a> {
    /// The request as its signature covers it.
    fn signed(&self) -> SignedRequest<'a> {
        SignedRequest {
            method: self.method,
            path: self.path,
            query: self.query,
            headers: self.headers,
            body: self.body,
        }
    }

    fn of(
        parts: &'a axum::http::request::Parts,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> Self {
        WireRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or(""),
            headers,
            body,
        }
    }
}

/// The caller, then the body: who calls is known from the headers, so an unsigned or
/// unknown caller is answered before the body (up to 20 MB) is read.
async fn caller_and_body(
    state: &AppState,
    headers: &[(String, String)],
    body: Body,
    service: tierdesk_aws::Service,
    by_target: bool,
) -> Result<(Authenticated, axum::body::Bytes), Failure> {
    let who = authenticate(&state.app, headers, service, by_target).await?;
    let bytes = read_body(body, state.max_body)
        .await
        .ok_or_else(|| AwsError::too_large(state.max_body))?;
    Ok((who, bytes))
}

/// A caller whose signature envelope holds and whose key exists; the signature itself
/// needs the body.
struct Authenticated {
    auth: sigv4::Authorization,
    amz_date: String,
    key: std::sync::Arc<tierdesk_app::auth::ResolvedKey>,
}

/// Everything about the caller that the headers say: the envelope (scope, `service`,
/// date, signed headers, with the operation's target among them when the protocol names
/// operations `by_target`) and the key.
async fn authenticate(
    app: &App,
    headers: &[(String, String)],
    service: tierdesk_aws::Service,
    by_target: bool,
) -> Result<Authenticated, Failure> {
    let auth = sigv4::parse_authorization(headers).map_err(AwsError::from)?;
    let envelope = SignedRequest {
        method: "POST",
        path: "/",
        query: "",
        headers,
        body: &[],
    };
    let amz_date = sigv4::check_envelope(&envelope, &auth, service.signing_name(), app.clock.now())
        .map_err(AwsError::from)?;
    // Unsigned, the target could be swapped on a captured request: the same body often
    // reads as another operation's (DescribeCommunications and ResolveCase). REST and
    // RPC v2 CBOR name the operation by method and path, which are always signed.
    if by_target && !auth.signed_headers.iter().any(|h| h == "x-amz-target") {
        return Err(AwsError::from(sigv4::SigError::Incomplete(
            "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ))
        .into());
    }
    let Some(key) = app.resolve_key(&auth.access_key_id).await? else {
        return Err(AwsError::client(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
        .into());
    };
    Ok(Authenticated {
        auth,
        amz_date,
        key,
    })
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

/// The AWS error for a use case's failure, from the error table; `Err` with the detail
/// for kinds the table makes internal (the caller logs it and answers without it).
fn from_service(e: ServiceError) -> Result<AwsError, String> {
    match crate::errors::row(&e).aws {
        crate::errors::Aws::Client(status, code) => {
            let message = match &e {
                ServiceError::Invalid(i) => aws_words(i),
                e => e.to_string(),
            };
            Ok(AwsError::new(status, code, message))
        }
        crate::errors::Aws::Internal => Err(e.to_string()),
    }
}

/// A field's member name in the Support API.
fn member(f: Field) -> &'static str {
    match f {
        Field::Subject => "subject",
        Field::Body => "communicationBody",
        Field::CcList => "ccEmailAddresses",
        Field::FileName => "fileName",
        Field::Attachments => "attachments",
        Field::AttachmentId => "attachmentId",
        Field::Severity => "severity",
        Field::Service => "serviceCode",
        Field::Category => "categoryCode",
        Field::ServiceList => "serviceCodeList",
        Field::IssueType => "issueType",
        Field::Language => "language",
        Field::CaseId => "caseId",
        Field::CaseIdList => "caseIdList",
        Field::DisplayId => "displayId",
        Field::Status => "status",
        Field::Search => "search",
        Field::MaxResults => "maxResults",
        Field::AfterTime => "afterTime",
        Field::BeforeTime => "beforeTime",
        Field::NextToken => "nextToken",
        Field::Data => "data",
        // No Support API operation takes these; if one did, plain words still read well.
        Field::AccountId
        | Field::AccountName
        | Field::Timezone
        | Field::Country
        | Field::Email
        | Field::Password
        | Field::CurrentPassword
        | Field::PersonName
        | Field::Languages
        | Field::Role
        | Field::UiLanguage
        | Field::Assignee
        | Field::Principal
        | Field::Url
        | Field::Events
        | Field::Month
        | Field::TokenLifetime
        | Field::Actor
        | Field::IntegrationName
        | Field::SeverityLabel => f.words(),
        Field::EventArn => "eventArn",
        Field::EventType => "eventTypeCode",
        Field::Region => "region",
        Field::AvailabilityZone => "availabilityZone",
        Field::EntityValue => "entityValue",
        Field::Tag => "tags",
        Field::Title | Field::Description => f.words(),
        Field::CheckId => "checkId",
        Field::ResourceId => "resourceId",
    }
}

/// A field's problem in the Support API's terms: its member names, and the sentences its
/// clients have been reading.
fn aws_words(i: &Invalid) -> String {
    let m = member(i.field);
    match (&i.problem, i.field) {
        (Problem::Missing, _) => format!("{m} is required"),
        (Problem::Empty, Field::Attachments) => format!("{m} must hold at least one attachment"),
        (Problem::Empty, _) => format!("{m} must hold at least one entry"),
        // AWS models no subject limit; ours is said without the count.
        (Problem::Length { max, .. }, Field::Subject) => {
            format!("{m} must be 1 to {max} characters long")
        }
        (Problem::Length { max, .. }, Field::Service | Field::Category) => {
            format!("serviceCode and categoryCode are at most {max} characters")
        }
        (Problem::Length { max, .. }, Field::Search) => {
            format!("search for at most {max} characters")
        }
        (Problem::Length { min, max, got }, _) => {
            format!("{m} must be {min} to {max} characters long, not {got}")
        }
        (Problem::Forbidden(c), _) if tierdesk_core::text::is_unprintable(*c) => format!(
            "{m} contains the control or non-character U+{:04X}",
            *c as u32
        ),
        (Problem::Forbidden(c), _) if tierdesk_core::text::is_bidi_control(*c) => {
            format!("{m} contains the bidirectional control U+{:04X}", *c as u32)
        }
        (Problem::Forbidden(c), _) => format!("{m} may not contain '{c}'"),
        (Problem::Malformed(v), field) => format!("{m} '{v}' is not {}", field.form()),
        (Problem::TooMany { max, got }, field) => {
            let what = match field {
                Field::CcList => "addresses",
                Field::CaseIdList => "ids",
                Field::ServiceList => "codes",
                _ => "entries",
            };
            let verb = if field == Field::CcList {
                "list"
            } else {
                "hold"
            };
            format!("{m} may {verb} at most {max} {what}, not {got}")
        }
        (Problem::NotEmail(a), _) => format!("'{a}' in {m} is not an email address"),
        (Problem::NotOneOf { value, allowed }, Field::IssueType) => format!(
            "{m} must be {}, not '{value}'",
            allowed
                .iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        (Problem::NotOneOf { value, allowed }, _) => {
            format!("{m} '{value}' is not one of {}", allowed.join(", "))
        }
        (Problem::NotANumber(v), _) => format!("{m} '{v}' is not a number"),
        (Problem::NotATime(v), _) => {
            format!("{m} '{v}' is not an ISO 8601 time such as 2026-11-22T05:53:18Z")
        }
        (Problem::OutOfRange { min, max, got }, _) => {
            format!("{m} must be between {min} and {max}, not {got}")
        }
        (Problem::RequiredWith(other), _) => format!("{m} is required with {}", member(*other)),
        // AWS's words, which tools match on.
        (Problem::Unknown(v), Field::CheckId) => format!("Unknown ID: {v}"),
        (Problem::NotOffered { value, .. }, Field::CheckId) => format!(
            "Unknown ID: Account requires a Premium Support Plan for access to Trusted Advisor check: {value}"
        ),
        (Problem::Unrefreshable(v), _) => {
            format!("[UNREFRESHABLE_CHECK_ID_ERROR] Check {v} is not refreshable.")
        }
        (Problem::Unknown(v), Field::Service) => {
            format!("{m} '{v}' is not a service code; DescribeServices lists them")
        }
        (Problem::Unknown(v), _) => format!("{m} '{v}' is not known"),
        (Problem::NotInService { value, service }, _) => format!(
            "{m} '{value}' is not a category of service '{service}'; DescribeServices lists them"
        ),
        (
            Problem::NotOffered {
                value,
                plan_name,
                plan_id,
                offered,
            },
            _,
        ) => format!(
            "{m} '{value}' is not available on the {plan_name} plan ({plan_id}); it offers: {}",
            offered.join(", ")
        ),
        (Problem::Wrong, _) => format!("{m} is not right"),
        (Problem::NotIssued, _) => format!("{m} is not a token this server issued"),
        (Problem::OtherFilters, _) => format!(
            "{m} was issued for different filters; repeat the request with the same filters"
        ),
        (Problem::EndsBeforeStart { start, end }, _) => {
            format!("{m} {end} is before the start {start}")
        }
        (Problem::PeriodTooLong { max_days, days }, _) => {
            format!("{m} makes a period of {days} days; at most {max_days}")
        }
    }
}

/// Verifies the signature over the whole request, then parses and runs the operation.
async fn handle_signed(
    app: &App,
    req: &WireRequest<'_>,
    who: Authenticated,
    address: Option<String>,
    operation: &mut Option<Operation>,
    account: &mut Option<String>,
) -> Result<Vec<u8>, Failure> {
    sigv4::verify(&req.signed(), &who.auth, &who.amz_date, &who.key.secret)
        .map_err(AwsError::from)?;
    let caller = &who.key.caller;
    *account = Some(caller.account.id.clone());

    let op = Operation::parse(sigv4::header(req.headers, "x-amz-target").unwrap_or_default())?;
    *operation = Some(op);
    app.throttle(caller)?;
    let acting = customer_who(caller, address);
    dispatch(app, caller, &acting, op, req.body).await
}

async fn dispatch(
    app: &App,
    caller: &Caller,
    who: &Who,
    op: Operation,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    let out = match op {
        Operation::CreateCase => {
            let r: CreateCaseRequest = parse(body)?;
            let case = app
                .create_case(
                    caller,
                    who,
                    cases::CreateCase {
                        subject: r.subject,
                        service_code: r.service_code,
                        severity_code: r.severity_code,
                        category_code: r.category_code,
                        communication_body: r.communication_body,
                        cc_email_addresses: r.cc_email_addresses.unwrap_or_default(),
                        language: r.language,
                        issue_type: r.issue_type,
                        attachment_set_id: r.attachment_set_id,
                        files: Vec::new(),
                        mail_message_id: None,
                        alert: None,
                        health_event: None,
                    },
                )
                .await?;
            ok(&CreateCaseResponse {
                case_id: case.case_id,
            })?
        }
        Operation::DescribeCases => {
            let r: DescribeCasesRequest = parse(body)?;
            let (cases, next_token) = app
                .describe_cases(
                    caller,
                    cases::DescribeCases {
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
        Operation::DescribeCommunications => {
            let r: DescribeCommunicationsRequest = parse(body)?;
            let (comms, next_token) = app
                .describe_communications(
                    caller,
                    cases::DescribeCommunications {
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
        Operation::AddCommunicationToCase => {
            let r: AddCommunicationToCaseRequest = parse(body)?;
            app.post_message(
                Actor::Customer(caller),
                who,
                cases::Message {
                    case_id: r.case_id,
                    body: r.communication_body,
                    internal: false,
                    cc_email_addresses: r.cc_email_addresses.unwrap_or_default(),
                    attachments: r
                        .attachment_set_id
                        .map_or(cases::Attachments::None, cases::Attachments::Set),
                    mail_message_id: None,
                },
            )
            .await?;
            ok(&AddCommunicationToCaseResponse { result: true })?
        }
        Operation::ResolveCase => {
            let r: ResolveCaseRequest = parse(body)?;
            let (initial, fin) = app.resolve_case(caller, who, r.case_id).await?;
            ok(&ResolveCaseResponse {
                initial_case_status: initial.as_str().to_string(),
                final_case_status: fin.as_str().to_string(),
            })?
        }
        Operation::AddAttachmentsToSet => {
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
                            Ok(NewFile {
                                file_name: a.file_name,
                                data,
                            })
                        })
                        .collect::<Result<Vec<_>, AwsError>>()
                })
                .transpose()?;
            let (set, expiry) = app
                .add_attachments_to_set(caller, who, r.attachment_set_id, files)
                .await?;
            ok(&AddAttachmentsToSetResponse {
                attachment_set_id: set,
                expiry_time: format_millis(expiry),
            })?
        }
        Operation::DescribeAttachment => {
            let r: DescribeAttachmentRequest = parse(body)?;
            let a = app.describe_attachment(caller, r.attachment_id).await?;
            ok(&DescribeAttachmentResponse {
                attachment: Attachment {
                    file_name: Some(a.file_name),
                    data: Some(B64.encode(a.data)),
                },
            })?
        }
        Operation::DescribeSeverityLevels => {
            let r: DescribeSeverityLevelsRequest = parse(body)?;
            let levels = app.severity_levels(caller, r.language.as_deref())?;
            // Named in the language asked for, as AWS does (English when none is).
            let language = r.language.as_deref().unwrap_or("en");
            ok(&DescribeSeverityLevelsResponse {
                severity_levels: levels
                    .into_iter()
                    .map(|l| CodeName {
                        code: l.code.clone(),
                        name: l.name_in(language).to_string(),
                    })
                    .collect(),
            })?
        }
        Operation::DescribeServices => {
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
        Operation::DescribeSupportedLanguages => {
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
        Operation::DescribeCreateCaseOptions => {
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
        // Named one by one, so that an operation added to `Operation` does not compile
        // until it is handled here.
        op @ (Operation::DescribeTrustedAdvisorChecks
        | Operation::DescribeTrustedAdvisorCheckResult
        | Operation::DescribeTrustedAdvisorCheckSummaries
        | Operation::DescribeTrustedAdvisorCheckRefreshStatuses
        | Operation::RefreshTrustedAdvisorCheck) => {
            advisor::dispatch(app, caller, op, body).await?
        }
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(field: Field, problem: Problem) -> String {
        aws_words(&Invalid { field, problem })
    }

    /// The sentences AWS clients have been reading stay word for word.
    #[test]
    fn field_problems_read_as_they_always_did() {
        let cases = [
            (
                said(Field::Subject, Problem::Missing),
                "subject is required",
            ),
            (
                said(Field::NextToken, Problem::NotIssued),
                "nextToken is not a token this server issued",
            ),
            (
                said(Field::NextToken, Problem::OtherFilters),
                "nextToken was issued for different filters; repeat the request with the same filters",
            ),
            (
                said(Field::Attachments, Problem::Empty),
                "attachments must hold at least one attachment",
            ),
            (
                said(Field::FileName, Problem::Forbidden('\u{202E}')),
                "fileName contains the bidirectional control U+202E",
            ),
            (
                said(Field::FileName, Problem::Forbidden('/')),
                "fileName may not contain '/'",
            ),
            (
                said(
                    Field::Subject,
                    Problem::Length {
                        min: 1,
                        max: 1024,
                        got: 0,
                    },
                ),
                "subject must be 1 to 1024 characters long",
            ),
            (
                said(
                    Field::Body,
                    Problem::Length {
                        min: 1,
                        max: 8000,
                        got: 9000,
                    },
                ),
                "communicationBody must be 1 to 8000 characters long, not 9000",
            ),
            (
                said(Field::Body, Problem::Forbidden('\u{0}')),
                "communicationBody contains the control or non-character U+0000",
            ),
            (
                said(Field::CcList, Problem::TooMany { max: 10, got: 11 }),
                "ccEmailAddresses may list at most 10 addresses, not 11",
            ),
            (
                said(Field::CaseIdList, Problem::TooMany { max: 100, got: 101 }),
                "caseIdList may hold at most 100 ids, not 101",
            ),
            (
                said(Field::ServiceList, Problem::TooMany { max: 100, got: 101 }),
                "serviceCodeList may hold at most 100 codes, not 101",
            ),
            (
                said(Field::CcList, Problem::NotEmail("nope".into())),
                "'nope' in ccEmailAddresses is not an email address",
            ),
            (
                said(
                    Field::IssueType,
                    Problem::NotOneOf {
                        value: "x".into(),
                        allowed: vec!["technical".into(), "customer-service".into()],
                    },
                ),
                "issueType must be 'technical' or 'customer-service', not 'x'",
            ),
            (
                said(
                    Field::Language,
                    Problem::NotOneOf {
                        value: "fr".into(),
                        allowed: vec!["en".into(), "ja".into(), "zh".into(), "ko".into()],
                    },
                ),
                "language 'fr' is not one of en, ja, zh, ko",
            ),
            (
                said(Field::DisplayId, Problem::NotANumber("x".into())),
                "displayId 'x' is not a number",
            ),
            (
                said(Field::AfterTime, Problem::NotATime("x".into())),
                "afterTime 'x' is not an ISO 8601 time such as 2026-11-22T05:53:18Z",
            ),
            (
                said(
                    Field::MaxResults,
                    Problem::OutOfRange {
                        min: 10,
                        max: 100,
                        got: 5,
                    },
                ),
                "maxResults must be between 10 and 100, not 5",
            ),
            (
                said(Field::Category, Problem::RequiredWith(Field::Service)),
                "categoryCode is required with serviceCode",
            ),
            (
                said(
                    Field::Service,
                    Problem::Length {
                        min: 1,
                        max: 100,
                        got: 101,
                    },
                ),
                "serviceCode and categoryCode are at most 100 characters",
            ),
            (
                said(Field::Service, Problem::Unknown("x".into())),
                "serviceCode 'x' is not a service code; DescribeServices lists them",
            ),
            (
                said(
                    Field::Category,
                    Problem::NotInService {
                        value: "c".into(),
                        service: "s".into(),
                    },
                ),
                "categoryCode 'c' is not a category of service 's'; DescribeServices lists them",
            ),
            (
                said(
                    Field::Severity,
                    Problem::NotOffered {
                        value: "critical".into(),
                        plan_name: "Business Support".into(),
                        plan_id: "aws.business".into(),
                        offered: vec!["low".into(), "normal".into()],
                    },
                ),
                "severity 'critical' is not available on the Business Support plan (aws.business); it offers: low, normal",
            ),
            (
                said(Field::Attachments, Problem::Missing),
                "attachments is required",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
    }
}
