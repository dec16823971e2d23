//! Staff: roles and what each may do, and the rules a new password must meet.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A staff member's account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub i64);

/// What a staff member may do. Viewers read; agents also work cases; admins
/// also manage accounts and settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Agent,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Agent, Role::Viewer];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin: works cases and manages accounts",
            Role::Agent => "Agent: works cases",
            Role::Viewer => "Viewer: reads cases",
        }
    }

    pub fn can_work_cases(self) -> bool {
        self >= Role::Agent
    }

    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': use admin, agent or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password that meets the policy (NIST SP 800-63B: length, not
/// composition rules, plus a check against commonly used passwords).
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("Use a password of at least {MIN_PASSWORD_CHARS} characters; a few unrelated words work well")]
    TooShort,
    #[error("Use a password of at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    #[error("That password is too common or too easy to guess; choose another")]
    Common,
    #[error("Do not use your email address as your password")]
    SameAsEmail,
}

/// Widely used passwords and patterns, lower-cased; a password that is one
/// of these, or one of these with digits or punctuation added, is refused.
const COMMON: &str = include_str!("common_passwords.txt");

impl NewPassword {
    pub fn parse(password: &str, email: &str) -> Result<NewPassword, WeakPassword> {
        let chars = password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(WeakPassword::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(WeakPassword::TooLong);
        }
        let lower = password.to_lowercase();
        if lower == email.trim().to_lowercase() {
            return Err(WeakPassword::SameAsEmail);
        }
        if is_common(&lower) {
            return Err(WeakPassword::Common);
        }
        Ok(NewPassword(password.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_common(lower: &str) -> bool {
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() <= 3 {
        return true; // "aaaaaaaaaaaa", "abababababab"
    }
    let core = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let core = core.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|common| common == lower || common == core)
        || is_run(lower)
}

/// Keyboard and counting runs: "123456789012", "qwertyuiopas".
fn is_run(lower: &str) -> bool {
    const RUNS: [&str; 4] = [
        "01234567890123456789",
        "qwertyuiopasdfghjklzxcvbnm",
        "abcdefghijklmnopqrstuvwxyz",
        "98765432109876543210",
    ];
    RUNS.iter().any(|run| run.contains(lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest() {
        assert!(Role::Admin.can_work_cases() && Role::Admin.can_administer());
        assert!(Role::Agent.can_work_cases() && !Role::Agent.can_administer());
        assert!(!Role::Viewer.can_work_cases() && !Role::Viewer.can_administer());
        for r in Role::ALL {
            assert_eq!(r.key().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn short_common_and_obvious_passwords_are_refused() {
        let email = "dpo@example.org";
        assert_eq!(
            NewPassword::parse("short", email).err(),
            Some(WeakPassword::TooShort)
        );
        for weak in [
            "password1234",
            "Password123!",
            "123456789012",
            "qwertyuiop12",
            "aaaaaaaaaaaaaa",
            "iloveyou2024!",
            "DPO@example.org",
        ] {
            assert!(
                NewPassword::parse(weak, email).is_err(),
                "{weak} was accepted"
            );
        }
        assert!(NewPassword::parse(&"x".repeat(300), email).is_err());
    }

    #[test]
    fn long_unrelated_words_are_accepted() {
        assert!(NewPassword::parse("plum tractor velvet harbour", "a@b.org").is_ok());
        assert!(NewPassword::parse("Tr0ub4dor&3-plus-more", "a@b.org").is_ok());
    }
}
