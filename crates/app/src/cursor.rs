//! Pagination tokens: opaque to callers, bound to the filters they were issued for, so a
//! token replayed with other filters is refused instead of silently skipping records.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use tierdesk_core::records::Case;
use tierdesk_core::time::to_micros;
use tierdesk_store::CaseQuery;

use crate::error::{Field, Problem};
use crate::{App, ServiceError};

impl App {
    /// A page of `q`'s cases, newest first, continued from `token` (a token issued for the
    /// same `kind` of list and filters `fp`): the cases and the next page's token. Every
    /// case list pages this one way: DescribeCases, a customer's list, staff's search.
    pub(crate) async fn newest_cases_page(
        &self,
        mut q: CaseQuery,
        token: Option<&str>,
        kind: &str,
        fp: u64,
    ) -> Result<(Vec<Case>, Option<String>), ServiceError> {
        q.cursor = token.map(|t| decode(t, kind, fp)).transpose()?;
        let page = self.store.cases(&q).await?;
        let next = if page.more {
            page.items
                .last()
                .map(|c| encode(kind, to_micros(c.created), c.display_id, fp))
        } else {
            None
        };
        Ok((page.items, next))
    }
}

/// A page of a list held in memory (a plan's checks, a result's rows): `max` items from
/// where `token` (issued for the same `kind` of list and `filters`) left off, and the next
/// page's token.
pub fn page_of<T>(
    items: Vec<T>,
    token: Option<&str>,
    kind: &str,
    filters: &[&str],
    max: usize,
) -> Result<(Vec<T>, Option<String>), ServiceError> {
    let fp = fingerprint(filters);
    let start = match token {
        None => 0,
        Some(t) => usize::try_from(decode(t, kind, fp)?.0)
            .map_err(|_| ServiceError::invalid(Field::NextToken, Problem::NotIssued))?,
    };
    let total = items.len();
    let end = start.saturating_add(max.max(1)).min(total);
    let next = (end < total).then(|| encode(kind, end as i64, 0, fp));
    Ok((
        items
            .into_iter()
            .skip(start)
            .take(end.saturating_sub(start))
            .collect(),
        next,
    ))
}

/// FNV-1a: stable across processes and versions, unlike std's hasher.
pub(crate) fn fingerprint(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

pub(crate) fn encode(kind: &str, a: i64, b: i64, fp: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{a}:{b}:{fp:x}"))
}

/// A token for a list ordered by text keys (an ARN, an entity value): `keys` in order.
/// Keys hold no control characters, so one separates them.
pub(crate) fn encode_keys(kind: &str, keys: &[&str], fp: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}\u{1f}{fp:x}\u{1f}{}", keys.join("\u{1f}")))
}

pub(crate) fn decode_keys(token: &str, kind: &str, fp: u64) -> Result<Vec<String>, ServiceError> {
    let bad = || ServiceError::invalid(Field::NextToken, Problem::NotIssued);
    let raw = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.split('\u{1f}');
    if parts.next() != Some(kind) {
        return Err(bad());
    }
    let f = parts.next().ok_or_else(bad)?;
    if u64::from_str_radix(f, 16).map_err(|_| bad())? != fp {
        return Err(ServiceError::invalid(
            Field::NextToken,
            Problem::OtherFilters,
        ));
    }
    Ok(parts.map(str::to_string).collect())
}

pub(crate) fn decode(token: &str, kind: &str, fp: u64) -> Result<(i64, i64), ServiceError> {
    let bad = || ServiceError::invalid(Field::NextToken, Problem::NotIssued);
    let raw = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let parts: Vec<&str> = text.split(':').collect();
    let [k, a, b, f] = parts.as_slice() else {
        return Err(bad());
    };
    if *k != kind {
        return Err(bad());
    }
    if u64::from_str_radix(f, 16).map_err(|_| bad())? != fp {
        return Err(ServiceError::invalid(
            Field::NextToken,
            Problem::OtherFilters,
        ));
    }
    Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let fp = fingerprint(&["a", "b"]);
        let t = encode("cases", 17, -3, fp);
        assert_eq!(decode(&t, "cases", fp).ok(), Some((17, -3)));
        assert!(decode(&t, "comms", fp).is_err());
        assert!(decode(&t, "cases", fingerprint(&["a", "c"])).is_err());
        assert!(decode("%%%", "cases", fp).is_err());
        assert_ne!(fingerprint(&["ab", ""]), fingerprint(&["a", "b"]));
    }

    #[test]
    fn pages_of_a_list_in_memory() {
        let items: Vec<u32> = (0..5).collect();
        let (a, t) = page_of(items.clone(), None, "k", &["f"], 2).unwrap_or_default();
        assert_eq!(a, [0, 1]);
        let (b, t) = page_of(items.clone(), t.as_deref(), "k", &["f"], 2).unwrap_or_default();
        assert_eq!(b, [2, 3]);
        let (c, t) = page_of(items.clone(), t.as_deref(), "k", &["f"], 2).unwrap_or_default();
        assert_eq!((c, t), (vec![4], None));
        let (_, t) = page_of(items.clone(), None, "k", &["f"], 2).unwrap_or_default();
        assert!(page_of(items.clone(), t.as_deref(), "k", &["g"], 2).is_err());
        assert!(page_of(items, t.as_deref(), "other", &["f"], 2).is_err());
    }
}
