//! Reading cases and their conversations: DescribeCases, DescribeCommunications (AWS
//! paging, bound to the filters), and the console's case search.

use tierdesk_core::records::{Case, CaseStatus, Communication};
use tierdesk_core::time::to_micros;
use tierdesk_store::{CaseQuery, CaseScope, CommunicationQuery};

use super::{
    CaseDetails, CaseSearch, DescribeCases, DescribeCommunications, MAX_CASE_IDS,
    RECENT_COMMUNICATIONS,
};
use crate::auth::Caller;
use crate::error::{Field, Problem};
use crate::validate::{check_language, page_size, parse_status, parse_time, required, search_text};
use crate::{App, ServiceError, cursor};

impl App {
    pub async fn describe_cases(
        &self,
        caller: &Caller,
        input: DescribeCases,
    ) -> Result<(Vec<CaseDetails>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        if input.case_ids.len() > MAX_CASE_IDS {
            return Err(ServiceError::invalid(
                Field::CaseIdList,
                Problem::TooMany {
                    max: MAX_CASE_IDS,
                    got: input.case_ids.len(),
                },
            ));
        }
        let display_id = input
            .display_id
            .as_deref()
            .map(|d| {
                d.parse::<i64>().map_err(|_| {
                    ServiceError::invalid(Field::DisplayId, Problem::NotANumber(d.into()))
                })
            })
            .transpose()?;
        if let Some(l) = &input.language {
            check_language(Field::Language, l)?;
        }
        let limit = page_size(input.max_results)?;
        let include_resolved = input.include_resolved_cases.unwrap_or(false);
        let after = parse_time(Field::AfterTime, input.after_time.as_deref())?;
        let before = parse_time(Field::BeforeTime, input.before_time.as_deref())?;
        let fp = cursor::fingerprint(&[
            &input.case_ids.join(","),
            input.display_id.as_deref().unwrap_or(""),
            input.after_time.as_deref().unwrap_or(""),
            input.before_time.as_deref().unwrap_or(""),
            if include_resolved { "r" } else { "" },
            input.language.as_deref().unwrap_or(""),
        ]);
        let mut case_ids = input.case_ids.clone();
        case_ids.sort();
        case_ids.dedup();
        let query = CaseQuery {
            scope: CaseScope::Account(caller.account.id.clone()),
            case_ids: case_ids.clone(),
            display_id,
            after,
            before,
            include_resolved,
            language: input.language.clone(),
            limit,
            ..Default::default()
        };
        let (items, next) = self
            .newest_cases_page(query, input.next_token.as_deref(), "cases", fp)
            .await?;
        // Named ids must all exist in this account; another account's ids look unknown.
        if !case_ids.is_empty() && input.next_token.is_none() {
            for id in &case_ids {
                if !items.iter().any(|c| &c.case_id == id)
                    && self.store.case(&caller.account.id, id).await?.is_none()
                {
                    return Err(ServiceError::CaseNotFound(format!("Invalid case ID: {id}")));
                }
            }
        }
        let mut out: Vec<CaseDetails> = items
            .into_iter()
            .map(|case| CaseDetails { case, recent: None })
            .collect();
        if input.include_communications.unwrap_or(true) && !out.is_empty() {
            let ids: Vec<(i64, String)> = out
                .iter()
                .map(|d| (d.case.display_id, d.case.case_id.clone()))
                .collect();
            let recent = self
                .store
                .recent_communications(&ids, RECENT_COMMUNICATIONS)
                .await?;
            for (d, (_, page)) in out.iter_mut().zip(recent) {
                let token = if page.more {
                    page.items.last().map(|m| {
                        cursor::encode(
                            "comms",
                            to_micros(m.created),
                            m.id,
                            comm_fingerprint(&d.case.case_id, None, None),
                        )
                    })
                } else {
                    None
                };
                d.recent = Some((page.items, token));
            }
        }
        Ok((out, next))
    }

    /// The console's case list: an account's cases, newest first, narrowed by status,
    /// severity and words of the subject (or a display id), a page at a time.
    pub async fn search_cases(
        &self,
        caller: &Caller,
        search: CaseSearch,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        let status = parse_status(search.status.as_deref(), &CaseStatus::ALL)?;
        let text = search_text(search.text.as_deref())?;
        let fp = cursor::fingerprint(&[
            search.status.as_deref().unwrap_or(""),
            search.severity.as_deref().unwrap_or(""),
            text.unwrap_or(""),
        ]);
        let query = CaseQuery {
            scope: CaseScope::Account(caller.account.id.clone()),
            include_resolved: true,
            severity: search.severity.clone(),
            status,
            search: text.map(str::to_string),
            limit: search.limit,
            ..Default::default()
        };
        self.newest_cases_page(query, search.cursor.as_deref(), "search", fp)
            .await
    }

    pub async fn describe_communications(
        &self,
        caller: &Caller,
        input: DescribeCommunications,
    ) -> Result<(Vec<Communication>, Option<String>), ServiceError> {
        self.require_api(caller)?;
        let case_id = required(Field::CaseId, &input.case_id)?;
        let limit = page_size(input.max_results)?;
        let after = parse_time(Field::AfterTime, input.after_time.as_deref())?;
        let before = parse_time(Field::BeforeTime, input.before_time.as_deref())?;
        let fp = comm_fingerprint(
            case_id,
            input.after_time.as_deref(),
            input.before_time.as_deref(),
        );
        let cursor = input
            .next_token
            .as_deref()
            .map(|t| cursor::decode(t, "comms", fp))
            .transpose()?;
        let page = self
            .store
            .communications(&CommunicationQuery {
                include_internal: false,
                account_id: caller.account.id.clone(),
                case_id: case_id.to_string(),
                after,
                before,
                cursor,
                limit,
            })
            .await?
            .ok_or_else(|| ServiceError::CaseNotFound(format!("Invalid case ID: {case_id}")))?;
        let next = if page.more {
            page.items
                .last()
                .map(|m| cursor::encode("comms", to_micros(m.created), m.id, fp))
        } else {
            None
        };
        Ok((page.items, next))
    }
}

fn comm_fingerprint(case_id: &str, after: Option<&str>, before: Option<&str>) -> u64 {
    cursor::fingerprint(&[case_id, after.unwrap_or(""), before.unwrap_or("")])
}
