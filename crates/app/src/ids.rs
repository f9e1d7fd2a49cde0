//! Fresh identifiers. Randomness comes from the operating system; ids never repeat in
//! practice and never leak the order or count of other accounts' records.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;

use crate::ServiceError;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Ids must not be predictable, so there is no fallback if the OS cannot supply entropy.
fn random_bytes<const N: usize>() -> Result<[u8; N], ServiceError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| ServiceError::Internal(format!("the OS random number source failed: {e}")))?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// This process's four letters in case ids, drawn at start-up (AWS's ids carry four
/// letters too; their meaning is not published).
fn process_letters() -> Result<&'static str, ServiceError> {
    static LETTERS: OnceLock<String> = OnceLock::new();
    if let Some(l) = LETTERS.get() {
        return Ok(l);
    }
    let r = random_bytes::<4>()?;
    Ok(LETTERS.get_or_init(|| r.iter().map(|b| (b'a' + b % 26) as char).collect()))
}

/// `case-<account>-<4 letters>-<year>-<16 hex>`, the shape of AWS case ids.
///
/// The hex part is the time in milliseconds (40 bits) and a per-process counter (24 bits),
/// so ids are unique without asking the database, and an account's new ids sort after its
/// old ones: the unique index on case ids grows at its end instead of at random pages.
/// Replicas differ by their letters.
pub(crate) fn case_id(account: &str, year: i16, now: Timestamp) -> Result<String, ServiceError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let letters = process_letters()?;
    let millis = (now.as_millisecond() as u64) & 0xFF_FFFF_FFFF;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xFF_FFFF;
    Ok(format!(
        "case-{account}-{letters}-{year}-{millis:010x}{n:06x}"
    ))
}

pub(crate) fn attachment_set_id() -> Result<String, ServiceError> {
    Ok(format!("as-{}", hex(&random_bytes::<16>()?)))
}

pub(crate) fn attachment_id() -> Result<String, ServiceError> {
    Ok(format!("attachment-{}", hex(&random_bytes::<16>()?)))
}

pub(crate) fn agent_id() -> Result<String, ServiceError> {
    Ok(format!("agent-{}", hex(&random_bytes::<8>()?)))
}

pub(crate) fn user_id() -> Result<String, ServiceError> {
    Ok(format!("user-{}", hex(&random_bytes::<8>()?)))
}

pub(crate) fn webhook_id() -> Result<String, ServiceError> {
    Ok(format!("wh-{}", hex(&random_bytes::<8>()?)))
}

/// The id that ends a Health event's ARN: a random UUID, as AWS's are.
pub(crate) fn health_event_id() -> Result<String, ServiceError> {
    let x = hex(&random_bytes::<16>()?);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    ))
}

pub(crate) fn integration_id() -> Result<String, ServiceError> {
    Ok(format!("int-{}", hex(&random_bytes::<8>()?)))
}

/// What the database keeps of a bearer token (agent tokens, console sessions): random and
/// long, so its SHA-256 is enough to recognise it and useless to whoever reads the table.
pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).to_vec()
}

/// A bearer token or signing secret: `prefix` and 32 random bytes, URL-safe.
pub(crate) fn token(prefix: &str) -> Result<String, ServiceError> {
    use base64::Engine;
    Ok(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)
    ))
}

/// 20 characters, like AWS access key ids; the `TD` prefix keeps them apart from real
/// AWS keys in secret scanners.
pub(crate) fn access_key_id() -> Result<String, ServiceError> {
    let r = random_bytes::<18>()?;
    let tail: String = r
        .iter()
        .map(|b| ALNUM[(*b % 32) as usize] as char)
        .collect();
    Ok(format!("TD{tail}"))
}

/// Whether `id` has the shape of an id `access_key_id` makes.
pub(crate) fn is_access_key_id(id: &str) -> bool {
    id.len() == 20 && id.starts_with("TD") && id.bytes().skip(2).all(|b| ALNUM.contains(&b))
}

/// 40 characters from 30 random bytes.
pub(crate) fn secret_access_key() -> Result<String, ServiceError> {
    use base64::Engine;
    Ok(base64::engine::general_purpose::STANDARD.encode(random_bytes::<30>()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() -> Result<(), ServiceError> {
        let now = Timestamp::UNIX_EPOCH;
        let c = case_id("123456789012", 2026, now)?;
        let parts: Vec<&str> = c.split('-').collect();
        assert_eq!(parts.len(), 5, "{c}");
        assert_eq!(parts[1], "123456789012");
        assert_eq!(parts[2].len(), 4);
        assert_eq!(parts[3], "2026");
        assert_eq!(parts[4].len(), 16);
        let many: std::collections::HashSet<String> = (0..100_000)
            .map(|_| case_id("123456789012", 2026, now))
            .collect::<Result<_, _>>()?;
        assert_eq!(many.len(), 100_000, "unique even within one millisecond");
        let later = case_id(
            "123456789012",
            2026,
            now + std::time::Duration::from_millis(1),
        )?;
        assert!(later > c, "later ids sort after earlier ones");
        assert_eq!(access_key_id()?.len(), 20);
        assert_eq!(secret_access_key()?.len(), 40);
        assert_ne!(attachment_id()?, attachment_id()?);
        Ok(())
    }
}
