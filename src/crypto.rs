//! The keys at rest. The data key encrypts uploaded documents and email
//! bodies (and wraps the suppression key); the audit key seals the audit
//! trails.
//!
//! Encryption: XChaCha20-Poly1305 with a random 192-bit nonce each time and
//! associated data naming what was sealed, so a ciphertext moved to another
//! case, row or purpose does not open.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngCore;

pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

#[derive(Debug, thiserror::Error)]
#[error("the document cannot be decrypted (wrong key, or the stored bytes were changed)")]
pub struct OpenError;

impl Sealer {
    pub fn new(key: &[u8; KEY_BYTES]) -> Sealer {
        Sealer {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Encrypts `plain`; returns the nonce and the ciphertext.
    pub fn seal(&self, plain: &[u8], aad: &str) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            // Encryption fails only for inputs of more than 256 GiB.
            .unwrap_or_default();
        (nonce.to_vec(), sealed)
    }

    pub fn open(&self, nonce: &[u8], sealed: &[u8], aad: &str) -> Result<Vec<u8>, OpenError> {
        if nonce.len() != NONCE_BYTES {
            return Err(OpenError);
        }
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| OpenError)
    }
}

/// How sealed text is stored in a text column: a prefix, the nonce and the
/// ciphertext in base64.
const SEALED_TEXT: &str = "sealed:v1:";

impl Sealer {
    /// Seals text for a text column.
    pub fn seal_text(&self, plain: &str, aad: &str) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let (nonce, sealed) = self.seal(plain.as_bytes(), aad);
        format!("{SEALED_TEXT}{}:{}", b64.encode(nonce), b64.encode(sealed))
    }

    /// Opens what [`Sealer::seal_text`] stored. Text stored before sealing
    /// existed (no prefix) is returned as it is.
    pub fn open_text(&self, stored: &str, aad: &str) -> Result<String, OpenError> {
        use base64::Engine;
        let Some(rest) = stored.strip_prefix(SEALED_TEXT) else {
            return Ok(stored.to_owned());
        };
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let (nonce, sealed) = rest.split_once(':').ok_or(OpenError)?;
        let nonce = b64.decode(nonce).map_err(|_| OpenError)?;
        let sealed = b64.decode(sealed).map_err(|_| OpenError)?;
        let plain = self.open(&nonce, &sealed, aad)?;
        String::from_utf8(plain).map_err(|_| OpenError)
    }
}

/// Whether stored text is sealed.
pub fn is_sealed_text(stored: &str) -> bool {
    stored.starts_with(SEALED_TEXT)
}

/// The associated data binding a document to its case and kind.
pub fn document_aad(case_id: i64, kind: &str) -> String {
    format!("rightsdesk:document:case={case_id}:kind={kind}")
}

/// An HMAC-SHA256 key. The audit key seals each audit event to the one
/// before it, so nobody without the key can rewrite a trail and recompute
/// its chain; the suppression key hashes addresses so nobody without it can
/// test an address against the list.
#[derive(Clone)]
pub struct MacKey {
    key: [u8; KEY_BYTES],
}

/// The key that seals the audit trails.
pub type AuditKey = MacKey;

impl MacKey {
    pub fn new(key: &[u8; KEY_BYTES]) -> MacKey {
        MacKey { key: *key }
    }

    /// A new random key.
    pub fn random() -> MacKey {
        let mut key = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        MacKey { key }
    }

    pub fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.key
    }

    /// The MAC of `parts`, each followed by a NUL (so the boundaries between
    /// them are part of what is sealed), in hex.
    pub fn mac(&self, parts: &[&str]) -> String {
        use hmac::{Hmac, Mac};
        // HMAC takes a key of any length; a 32-byte one never fails.
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A value that identifies the key without revealing it: stored with the
    /// trails so a node started with another key refuses to run.
    pub fn check_value(&self) -> String {
        self.mac(&["rightsdesk audit key check", "v1"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_round_trips_and_hides_what_it_holds() {
        let sealer = Sealer::new(&[7u8; KEY_BYTES]);
        let stored = sealer.seal_text("https://x/confirm/SECRETTOKEN", "outbox:text");
        assert!(is_sealed_text(&stored));
        assert!(!stored.contains("SECRET"));
        assert_eq!(
            sealer.open_text(&stored, "outbox:text").unwrap(),
            "https://x/confirm/SECRETTOKEN"
        );
        assert!(sealer.open_text(&stored, "outbox:html").is_err());
        assert!(sealer
            .open_text("sealed:v1:garbage", "outbox:text")
            .is_err());
        // Text from before sealing reads as it is.
        assert_eq!(sealer.open_text("plain", "outbox:text").unwrap(), "plain");
    }

    #[test]
    fn sealed_bytes_open_only_with_the_same_key_and_binding() {
        let sealer = Sealer::new(&[7u8; KEY_BYTES]);
        let (nonce, sealed) = sealer.seal(b"%PDF-1.7 passport", &document_aad(1, "identity"));
        assert!(!sealed.windows(8).any(|w| w == b"passport"));
        assert_eq!(
            sealer
                .open(&nonce, &sealed, &document_aad(1, "identity"))
                .unwrap(),
            b"%PDF-1.7 passport"
        );
        assert!(sealer
            .open(&nonce, &sealed, &document_aad(2, "identity"))
            .is_err());
        assert!(Sealer::new(&[8u8; KEY_BYTES])
            .open(&nonce, &sealed, &document_aad(1, "identity"))
            .is_err());
        let mut tampered = sealed.clone();
        tampered[0] ^= 1;
        assert!(sealer
            .open(&nonce, &tampered, &document_aad(1, "identity"))
            .is_err());
        // A fresh nonce each time.
        let (nonce2, _) = sealer.seal(b"x", "a");
        assert_ne!(nonce, nonce2);
    }
}
