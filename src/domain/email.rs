//! An email address a requester typed, checked once at the edge.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadEmail {
    #[error("Enter your email address")]
    Missing,
    #[error("Enter an email address in the correct format, like name@example.com")]
    Malformed,
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
}

impl Email {
    pub fn parse(input: &str) -> Result<Email, BadEmail> {
        let s = input.trim();
        if s.is_empty() {
            return Err(BadEmail::Missing);
        }
        if s.chars().count() > 254 {
            return Err(BadEmail::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(BadEmail::Malformed)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(BadEmail::Malformed);
        }
        Ok(Email(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_addresses_are_accepted() {
        for ok in [
            "ada@example.com",
            "  ada.lovelace+dsar@mail.example.co.uk ",
            "o'brien@example.ie",
            "müller@bücher.de",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Email::parse(" a@b.co ").unwrap().as_str(), "a@b.co");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        assert_eq!(Email::parse("  "), Err(BadEmail::Missing));
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "ada example@example.com",
            ".ada@example.com",
            "ada..l@example.com",
            "ada@-example.com",
            "ada@example..com",
            "ada@example.com\r\nBcc: x@y.z",
            "<ada@example.com>",
        ] {
            assert_eq!(Email::parse(bad), Err(BadEmail::Malformed), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(BadEmail::TooLong));
    }

    proptest! {
        #[test]
        fn accepted_addresses_never_contain_whitespace_or_angle_brackets(s in "\\PC{0,60}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert!(!e.as_str().chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ','));
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }
    }
}
