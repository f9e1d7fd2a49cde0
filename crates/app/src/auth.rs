//! Who is calling: access keys resolved to an account and its current plan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tierdesk_core::catalog::Plan;
use tierdesk_core::records::Account;

use crate::{App, ServiceError};

/// An authenticated API caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: Account,
    pub plan: Plan,
    pub principal: String,
    pub access_key_id: String,
    pub via: Via,
}

/// How a customer reaches the case operations. The Support API is a plan feature; the
/// console is open to every plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    SupportApi,
    Console,
}

/// A key that exists and is not revoked, with the secret needed to check signatures.
pub struct ResolvedKey {
    pub secret: Vec<u8>,
    pub caller: Caller,
}

impl std::fmt::Debug for ResolvedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedKey")
            .field("caller", &self.caller.access_key_id)
            .finish_non_exhaustive()
    }
}

/// A key looked up, and when.
type Known = (Timestamp, Arc<ResolvedKey>);

/// Unknown ids remembered at most; when full, the stale ones go, and if none is stale,
/// all of them. Known keys are kept apart, so a stream of made-up ids never pushes a real
/// key out.
const MAX_UNKNOWN: usize = 10_000;

/// Keeps looked-up keys (and unknown ids) for a short time, so the database is not asked
/// on every request. A revocation reaches every replica within the TTL.
#[derive(Clone)]
pub(crate) struct KeyCache {
    ttl: Duration,
    known: Arc<Mutex<HashMap<String, Known>>>,
    unknown: Arc<Mutex<HashMap<String, Timestamp>>>,
}

impl KeyCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            known: Arc::new(Mutex::new(HashMap::new())),
            unknown: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn fresh(&self, at: Timestamp, now: Timestamp) -> bool {
        now.duration_since(at).unsigned_abs() < self.ttl
    }

    fn get(&self, id: &str, now: Timestamp) -> Option<Option<Arc<ResolvedKey>>> {
        if let Some((at, key)) = self.known.lock().ok()?.get(id)
            && self.fresh(*at, now)
        {
            return Some(Some(key.clone()));
        }
        let at = *self.unknown.lock().ok()?.get(id)?;
        self.fresh(at, now).then_some(None)
    }

    fn put(&self, id: &str, now: Timestamp, key: Option<Arc<ResolvedKey>>) {
        if self.ttl.is_zero() {
            return;
        }
        match key {
            Some(key) => {
                if let Ok(mut known) = self.known.lock() {
                    // As many entries as the database has live keys, and stale ones go.
                    known.retain(|_, (at, _)| self.fresh(*at, now));
                    known.insert(id.to_string(), (now, key));
                }
            }
            None => {
                if let Ok(mut unknown) = self.unknown.lock() {
                    if unknown.len() >= MAX_UNKNOWN {
                        unknown.retain(|_, at| self.fresh(*at, now));
                    }
                    if unknown.len() >= MAX_UNKNOWN {
                        unknown.clear();
                    }
                    unknown.insert(id.to_string(), now);
                }
            }
        }
    }
}

impl App {
    /// The caller behind an access key id, or `None` for unknown and revoked keys.
    pub async fn resolve_key(
        &self,
        access_key_id: &str,
    ) -> Result<Option<Arc<ResolvedKey>>, ServiceError> {
        // Ids this server could never have issued are refused without a lookup.
        if !crate::ids::is_access_key_id(access_key_id) {
            return Ok(None);
        }
        let now = self.clock.now();
        if let Some(hit) = self.keys.get(access_key_id, now) {
            return Ok(hit);
        }
        let resolved = self.lookup_key(access_key_id).await?;
        self.keys.put(access_key_id, now, resolved.clone());
        Ok(resolved)
    }

    async fn lookup_key(
        &self,
        access_key_id: &str,
    ) -> Result<Option<Arc<ResolvedKey>>, ServiceError> {
        let Some(key) = self.store.key(access_key_id).await? else {
            return Ok(None);
        };
        if key.revoked.is_some() {
            return Ok(None);
        }
        let Some(account) = self.store.account(&key.account_id).await? else {
            return Ok(None);
        };
        let plan = self.current_plan(&account).await?;
        let secret = self
            .master_key
            .open(&key.secret_ciphertext, key.access_key_id.as_bytes())?;
        Ok(Some(Arc::new(ResolvedKey {
            secret,
            caller: Caller {
                account,
                plan,
                principal: key.principal,
                access_key_id: key.access_key_id,
                via: Via::SupportApi,
            },
        })))
    }

    /// Per-account request throttle (ThrottlingException); off unless configured.
    pub fn throttle(&self, caller: &Caller) -> Result<(), ServiceError> {
        if self.throttle.allow(&caller.account.id, self.clock.now()) {
            Ok(())
        } else {
            Err(ServiceError::Throttled("Rate exceeded".into()))
        }
    }
}
