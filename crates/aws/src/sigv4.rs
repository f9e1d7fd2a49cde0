//! AWS Signature Version 4, header form: checking a request's signature (the server side)
//! and producing one (the load generator and tests).
//!
//! What the Support, Trusted Advisor and Health APIs use: requests signed in the
//! `Authorization` header, payload hash over the buffered body. Presigned URLs and chunked payloads are
//! not part of this API and are refused.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's date may be from the server's clock (AWS: 15 minutes).
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// A request as the signature sees it.
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// Header names in any case; repeated names allowed.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Why a request is not authentic, in AWS's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// No `Authorization` header at all.
    #[error("Missing Authentication Token")]
    Missing,
    /// The header is there but malformed or lacks parts.
    #[error("{0}")]
    Incomplete(String),
    /// Temporary credentials (session tokens) are not issued by this server.
    #[error("The security token included in the request is invalid.")]
    SessionToken,
    /// Scope, date or signature mismatch.
    #[error("{0}")]
    Invalid(String),
    /// Outside the clock-skew window.
    #[error("{0}")]
    Expired(String),
}

/// The first value of header `name` (any case).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Parses `AWS4-HMAC-SHA256 Credential=.../date/region/service/aws4_request,
/// SignedHeaders=a;b, Signature=hex`.
pub fn parse_authorization(headers: &[(String, String)]) -> Result<Authorization, SigError> {
    let value = header(headers, "authorization").ok_or(SigError::Missing)?;
    let rest = value
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            SigError::Incomplete(format!(
                "Authorization header requires the {ALGORITHM} algorithm"
            ))
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some((k, v)) = part.split_once('=') {
            match k {
                "Credential" => credential = Some(v),
                "SignedHeaders" => signed = Some(v),
                "Signature" => signature = Some(v),
                _ => {}
            }
        }
    }
    let missing = |what: &str| {
        SigError::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={value}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key, date, region, service, terminator] = scope.as_slice() else {
        return Err(SigError::Incomplete(format!(
            "Credential should have 5 parts (key/date/region/service/aws4_request), not '{credential}'"
        )));
    };
    if *terminator != "aws4_request" {
        return Err(SigError::Invalid(
            "Credential should be scoped with a valid terminator: 'aws4_request'.".into(),
        ));
    }
    if key.is_empty() || date.len() != 8 || region.is_empty() {
        return Err(SigError::Incomplete(format!(
            "malformed Credential '{credential}'"
        )));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SigError::Incomplete(
            "Signature must be 64 hex digits".into(),
        ));
    }
    let signed_headers: Vec<String> = signed.split(';').map(str::to_ascii_lowercase).collect();
    if signed_headers.iter().any(String::is_empty) {
        return Err(SigError::Incomplete(format!(
            "malformed SignedHeaders '{signed}'"
        )));
    }
    Ok(Authorization {
        access_key_id: key.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers,
        signature: signature.to_ascii_lowercase(),
    })
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn signing_key(secret: &[u8], date: &str, region: &str, service: &str) -> Vec<u8> {
    let mut k = b"AWS4".to_vec();
    k.extend_from_slice(secret);
    let k = hmac(&k, date.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    hmac(&k, b"aws4_request")
}

fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes `%XX` escapes; `+` is a space where `plus_is_space` (query strings).
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(if plus_is_space && bytes[i] == b'+' {
            b' '
        } else {
            bytes[i]
        });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k, true), false),
                uri_encode(&percent_decode(v, true), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical request for `signed_headers`, per the SigV4 specification.
pub fn canonical_request(
    req: &SignedRequest<'_>,
    signed_headers: &[String],
    payload_hash: &str,
) -> String {
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    // Every service but S3 signs the path as sent, encoded once more: a label holding
    // `%3A` is signed as `%253A` (botocore's and aws-sigv4's "double encoding").
    let path = if req.path.is_empty() { "/" } else { req.path };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        uri_encode(path, true),
        canonical_query(req.query),
        canonical_headers,
        signed_headers.join(";"),
        payload_hash
    )
}

fn string_to_sign(amz_date: &str, scope: &str, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    )
}

fn parse_amz_date(s: &str) -> Option<Timestamp> {
    jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", s)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

fn format_amz_date(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Checks everything about the request's signature except the secret: scope, service,
/// date and skew, signed headers. Returns the `X-Amz-Date` value to sign with.
pub fn check_envelope(
    req: &SignedRequest<'_>,
    auth: &Authorization,
    service: &str,
    now: Timestamp,
) -> Result<String, SigError> {
    if header(req.headers, "x-amz-security-token").is_some() {
        return Err(SigError::SessionToken);
    }
    if auth.service != service {
        return Err(SigError::Invalid(format!(
            "Credential should be scoped to correct service: '{service}'."
        )));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") {
        return Err(SigError::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    let amz_date = header(req.headers, "x-amz-date").ok_or_else(|| {
        SigError::Incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .into(),
        )
    })?;
    let when = parse_amz_date(amz_date).ok_or_else(|| {
        SigError::Incomplete(format!("X-Amz-Date '{amz_date}' is not YYYYMMDDTHHMMSSZ"))
    })?;
    if !amz_date.starts_with(&auth.date) {
        return Err(SigError::Invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            &amz_date[..8.min(amz_date.len())]
        )));
    }
    let skew = now.as_second() - when.as_second();
    if skew > MAX_SKEW_SECONDS {
        let limit = Timestamp::from_second(now.as_second() - MAX_SKEW_SECONDS).unwrap_or(now);
        return Err(SigError::Expired(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            format_amz_date(limit),
            format_amz_date(now)
        )));
    }
    if -skew > MAX_SKEW_SECONDS {
        let limit = Timestamp::from_second(now.as_second() + MAX_SKEW_SECONDS).unwrap_or(now);
        return Err(SigError::Expired(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            format_amz_date(limit),
            format_amz_date(now)
        )));
    }
    for h in &auth.signed_headers {
        if header(req.headers, h).is_none() {
            return Err(SigError::Invalid(format!(
                "signed header '{h}' is missing from the request"
            )));
        }
    }
    Ok(amz_date.to_string())
}

fn payload_hash(req: &SignedRequest<'_>) -> Result<String, SigError> {
    let hash = hex::encode(Sha256::digest(req.body));
    if let Some(claimed) = header(req.headers, "x-amz-content-sha256")
        && !claimed.eq_ignore_ascii_case(&hash)
    {
        return Err(SigError::Invalid(
            "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
        ));
    }
    Ok(hash)
}

/// Verifies the signature with the caller's secret (call [`check_envelope`] first).
pub fn verify(
    req: &SignedRequest<'_>,
    auth: &Authorization,
    amz_date: &str,
    secret: &[u8],
) -> Result<(), SigError> {
    let canonical = canonical_request(req, &auth.signed_headers, &payload_hash(req)?);
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let sts = string_to_sign(amz_date, &scope, &canonical);
    let key = signing_key(secret, &auth.date, &auth.region, &auth.service);
    let expected = hex::encode(hmac(&key, sts.as_bytes()));
    if bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        Ok(())
    } else {
        Err(SigError::Invalid(
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
                .into(),
        ))
    }
}

/// Signs a request: returns the `x-amz-date` and `authorization` header values. Every
/// header in `req.headers` is signed (they must include `host`).
pub fn sign(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    secret: &str,
    scope: Scope<'_>,
    now: Timestamp,
) -> (String, String) {
    let date = now.strftime("%Y%m%d").to_string();
    let key = signing_key(secret.as_bytes(), &date, scope.region, scope.service);
    sign_with_key(req, access_key_id, &key, scope, now)
}

/// Where a signature is valid: a region and a service's signing name.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub region: &'a str,
    pub service: &'a str,
}

/// [`sign`] with a signing key derived beforehand by [`signing_key`] for `now`'s UTC date:
/// what a client sending many requests uses.
pub fn sign_with_key(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    key: &[u8],
    scope: Scope<'_>,
    now: Timestamp,
) -> (String, String) {
    let amz_date = format_amz_date(now);
    let date = &amz_date[..8];
    let mut headers: Vec<(String, String)> = req.headers.to_vec();
    headers.push(("x-amz-date".into(), amz_date.clone()));
    let mut names: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let full = SignedRequest {
        headers: &headers,
        ..*req
    };
    let canonical = canonical_request(&full, &names, &hex::encode(Sha256::digest(req.body)));
    let scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let sts = string_to_sign(&amz_date, &scope, &canonical);
    let signature = hex::encode(hmac(key, sts.as_bytes()));
    (
        amz_date,
        format!(
            "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={signature}",
            names.join(";")
        ),
    )
}

#[cfg(test)]
mod tests;
