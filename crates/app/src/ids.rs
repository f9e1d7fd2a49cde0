//! Fresh identifiers. Randomness comes from the operating system; ids never repeat in
//! practice and never leak the order or count of other accounts' records.

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

/// `case-<account>-<4 letters>-<year>-<16 hex>`, the shape of AWS case ids.
pub(crate) fn case_id(account: &str, year: i16) -> Result<String, ServiceError> {
    let r = random_bytes::<12>()?;
    let letters: String = r[..4].iter().map(|b| (b'a' + b % 26) as char).collect();
    Ok(format!("case-{account}-{letters}-{year}-{}", hex(&r[4..])))
}

pub(crate) fn attachment_set_id() -> Result<String, ServiceError> {
    Ok(format!("as-{}", hex(&random_bytes::<16>()?)))
}

pub(crate) fn attachment_id() -> Result<String, ServiceError> {
    Ok(format!("attachment-{}", hex(&random_bytes::<16>()?)))
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
        let c = case_id("123456789012", 2026)?;
        let parts: Vec<&str> = c.split('-').collect();
        assert_eq!(parts.len(), 5, "{c}");
        assert_eq!(parts[1], "123456789012");
        assert_eq!(parts[2].len(), 4);
        assert_eq!(parts[3], "2026");
        assert_eq!(parts[4].len(), 16);
        assert_eq!(access_key_id()?.len(), 20);
        assert_eq!(secret_access_key()?.len(), 40);
        assert_ne!(attachment_id()?, attachment_id()?);
        Ok(())
    }
}
