//! API secrets are sealed with the operator's master key (XChaCha20-Poly1305, the access
//! key id as associated data) before they reach the database. SigV4 needs the plaintext
//! secret to check a signature, so secrets are encrypted, not hashed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use tierdesk_store::Store;

use crate::ServiceError;
use crate::error::Refusal;

/// A generated password or form token: 18 random bytes, URL-safe base64 (24 characters).
pub fn random_password() -> Result<String, ServiceError> {
    use base64::Engine;
    let mut b = [0u8; 18];
    getrandom::fill(&mut b)
        .map_err(|e| ServiceError::Internal(format!("the OS random number source failed: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

const CHECK_KEY: &str = "master_key_check";
const CHECK_AAD: &[u8] = b"tierdesk master key check";

#[derive(Clone)]
pub struct MasterKey(XChaCha20Poly1305);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(XChaCha20Poly1305::new(bytes.into()))
    }

    /// A fresh random key, for a new installation.
    pub fn generate() -> Result<[u8; 32], ServiceError> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| {
            ServiceError::Internal(format!("the OS random number source failed: {e}"))
        })?;
        Ok(k)
    }

    /// `nonce || ciphertext`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, ServiceError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let ct = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| ServiceError::Internal("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, ServiceError> {
        if sealed.len() < 24 {
            return Err(ServiceError::Internal("sealed secret is truncated".into()));
        }
        let (nonce, ct) = sealed.split_at(24);
        self.0
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| {
                ServiceError::Internal("a stored secret does not open with this master key".into())
            })
    }

    pub(crate) async fn check_against(&self, store: &Store) -> Result<(), ServiceError> {
        let stored = store
            .meta_init(CHECK_KEY, self.seal(b"tierdesk", CHECK_AAD)?)
            .await?;
        match self.open(&stored, CHECK_AAD) {
            Ok(v) if v == b"tierdesk" => Ok(()),
            _ => Err(ServiceError::Refused(Refusal::WrongMasterKey)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let k = MasterKey::from_bytes(&[7u8; 32]);
        let sealed = k.seal(b"secret", b"AKID").unwrap_or_default();
        assert_eq!(k.open(&sealed, b"AKID").ok(), Some(b"secret".to_vec()));
        assert!(k.open(&sealed, b"OTHER").is_err(), "bound to its key id");
        assert!(
            MasterKey::from_bytes(&[8u8; 32])
                .open(&sealed, b"AKID")
                .is_err()
        );
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
    }
}
