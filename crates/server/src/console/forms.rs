//! Console forms as posted: URL-encoded, or multipart when they carry files (a case's
//! attachments). Either way the form must come from this site with the session's CSRF
//! token before anything in it is used, and handlers receive it typed: [`Form<T>`] is
//! the extractor, `T` a struct of the form's fields.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tierdesk_app::files::NewFile;

use super::{Visit, csrf_passes, form};
use crate::AppState;

/// A posted form, checked and typed: `fields` read from the text fields (an empty field
/// counts as absent, so an `Option<String>` is `None` and a `#[serde(default)] String`
/// is empty), `files` the files chosen. It checks the form against the session of the
/// visit extractor declared before it in the handler (a handler declaring none is a
/// bug, answered 500).
pub(super) struct Form<T> {
    pub fields: T,
    pub files: Vec<NewFile>,
}

impl<T: DeserializeOwned> FromRequest<std::sync::Arc<AppState>> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &std::sync::Arc<AppState>) -> Result<Self, Response> {
        let Some(v) = req.extensions().get::<Visit>().cloned() else {
            tracing::error!("a console form handler declares no visit extractor");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, st)
            .await
            .map_err(IntoResponse::into_response)?;
        let posted = read_posted(st, &v, &headers, body).await?;
        let fields = typed(&posted.fields)
            .map_err(|e| v.message(StatusCode::BAD_REQUEST, v.l.t("That did not work"), &e))?;
        Ok(Form {
            fields,
            files: posted.files,
        })
    }
}

/// A page's query string, typed: the filters and flags a list page is asked for. Like a
/// form's fields, an empty parameter counts as absent.
pub(super) struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<std::sync::Arc<AppState>> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &std::sync::Arc<AppState>,
    ) -> Result<Self, Response> {
        let pairs = form(parts.uri.query().unwrap_or_default().as_bytes());
        typed(&pairs)
            .map(Query)
            .map_err(|e| (StatusCode::BAD_REQUEST, e).into_response())
    }
}

/// The form's text fields as `T`: each named field becomes a string member (the first of
/// a repeated name), empty ones left out, and serde reads `T` from that.
fn typed<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, String> {
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        if !v.is_empty() && !map.contains_key(k) {
            map.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| e.to_string())
}

/// A posted form: its text fields and the files chosen, empty file inputs left out.
struct Posted {
    pub fields: Vec<(String, String)>,
    pub files: Vec<NewFile>,
}

/// The form, checked; or the page that refuses it.
async fn read_posted(
    st: &AppState,
    v: &Visit,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Posted, Response> {
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let posted = if multipart {
        multipart_form(headers, body).await.map_err(|reason| {
            v.message(StatusCode::BAD_REQUEST, v.l.t("That did not work"), &reason)
        })?
    } else {
        Posted {
            fields: form(&body),
            files: Vec::new(),
        }
    };
    if !csrf_passes(st, &v.session, headers, &posted.fields) {
        return Err(v.refused());
    }
    Ok(posted)
}

/// Counts and sizes of files are the attachment rules' business (the body limit keeps
/// the whole form small enough to hold).
async fn multipart_form(headers: &HeaderMap, body: Bytes) -> Result<Posted, String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .unwrap_or_default();
    parse_multipart(content_type, body).await
}

/// The fuzz target's way in (`fuzz/fuzz_targets/console_forms.rs`): a posted form's
/// content type and body as a browser (or anyone) sends them, parsed as the console does;
/// the number of text fields and files, or the refusal.
#[doc(hidden)]
pub async fn parse_for_fuzzing(content_type: &str, body: &[u8]) -> Result<(usize, usize), String> {
    let posted = if content_type.starts_with("multipart/form-data") {
        parse_multipart(content_type, Bytes::copy_from_slice(body)).await?
    } else {
        Posted {
            fields: form(body),
            files: Vec::new(),
        }
    };
    let _ = typed::<std::collections::HashMap<String, String>>(&posted.fields);
    Ok((posted.fields.len(), posted.files.len()))
}

async fn parse_multipart(content_type: &str, body: Bytes) -> Result<Posted, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let body = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut parts = multer::Multipart::new(body, boundary);
    let mut posted = Posted {
        fields: Vec::new(),
        files: Vec::new(),
    };
    while let Some(part) = parts.next_field().await.map_err(|e| e.to_string())? {
        let name = part.name().unwrap_or_default().to_string();
        match part.file_name().map(str::to_string) {
            Some(file_name) => {
                let data = part.bytes().await.map_err(|e| e.to_string())?;
                // An empty file input still sends a part, without a name or bytes.
                if file_name.is_empty() && data.is_empty() {
                    continue;
                }
                posted.files.push(NewFile {
                    file_name: Some(file_name),
                    data: Some(data.to_vec()),
                });
            }
            None => {
                let text = part.text().await.map_err(|e| e.to_string())?;
                posted.fields.push((name, text));
            }
        }
    }
    Ok(posted)
}
