//! The audit log as JSON and CSV: one shape for `tierdesk audit list` and
//! `GET /api/v1/audit` (the API's schema, `AuditEntry` in `api/openapi.json`).

use serde_json::Value;
use tierdesk_core::audit::AuditEntry;

use crate::api::AuditBody;
use crate::report_format::quote;

const COLUMNS: [&str; 9] = [
    "id",
    "at",
    "actor_kind",
    "actor",
    "address",
    "account_id",
    "action",
    "target",
    "detail",
];

pub fn json(entries: &[AuditEntry]) -> Value {
    Value::Array(
        entries
            .iter()
            .map(|e| serde_json::to_value(AuditBody::from(e)).unwrap_or(Value::Null))
            .collect(),
    )
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a
/// leading apostrophe: subjects, names and details come from customers.
fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quote(&format!("'{s}"))
    } else {
        quote(s)
    }
}

/// RFC 4180 CSV with a header row.
pub fn csv_header() -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    out
}

/// The rows of `entries`, without the header (an export writes pages one after another).
pub fn csv_rows(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let cells = [
            e.id.to_string(),
            e.at.to_string(),
            e.who.kind.as_str().to_string(),
            cell(&e.who.id),
            cell(e.who.address.as_deref().unwrap_or("")),
            cell(e.account_id.as_deref().unwrap_or("")),
            e.action.as_str().to_string(),
            cell(&e.target),
            cell(&e.detail),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tierdesk_core::audit::{Action, ActorKind, Who};

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        let e = Who::new(ActorKind::ConsoleUser, "=cmd|'/c calc'!A1", None).did(
            jiff::Timestamp::UNIX_EPOCH,
            Action::CaseCreate,
            Some("123456789012"),
            "case:x",
            "severity high, service general",
        );
        let rows = csv_rows(&[e]);
        assert_eq!(
            rows,
            "0,1970-01-01T00:00:00Z,console-user,'=cmd|'/c calc'!A1,,123456789012,case.create,case:x,\"severity high, service general\"\r\n"
        );
        assert!(csv_header().starts_with("id,at,actor_kind"));
    }
}
