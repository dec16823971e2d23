//! Secrets handed to people (link tokens): random, URL-safe, and stored only
//! as a SHA-256 hash so a database leak does not leak working links.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new 256-bit token and its hash.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether a string could be one of our tokens (43 URL-safe characters);
/// anything else is refused before it reaches the database.
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 43
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a secret link becomes once it must no longer work from here.
pub const REDACTED: &str = "[private link removed]";

fn token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `text` with every token in a link (a path segment of 43 URL-safe
/// characters) replaced by a placeholder, so a stored or shown email can
/// never be used to confirm, view, withdraw or set a password.
pub fn redact_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && token_byte(bytes[end]) {
                end += 1;
            }
            if end - start == 43 {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_links_are_redacted_and_nothing_else() {
        let (token, _) = new_token();
        let text = format!(
            "Confirm: https://x.example/confirm/{token}\n<a href=\"https://x.example/status/{token}\">page</a> /requests/status RD-7K3M-9Q2X"
        );
        let redacted = redact_tokens(&text);
        assert!(!redacted.contains(&token), "{redacted}");
        assert_eq!(redacted.matches(REDACTED).count(), 2);
        assert!(redacted.contains("https://x.example/confirm/[private link removed]\n"));
        assert!(redacted.contains("/requests/status RD-7K3M-9Q2X"));
        // A longer or shorter segment is not a token.
        let other = format!("/{}x /{}", "a".repeat(43), "b".repeat(42));
        assert_eq!(redact_tokens(&other), other);
        assert_eq!(redact_tokens("né/"), "né/");
    }

    #[test]
    fn tokens_are_unique_url_safe_and_hashed() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert!(looks_like_token(&a));
        assert_eq!(hash(&a), ha);
        assert_ne!(ha, hb);
        assert_eq!(ha.len(), 64);
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}=", &a[..42])));
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
