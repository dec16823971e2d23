//! What an API token may do: its scopes, and the shape of a token's name.

use std::fmt;
use std::str::FromStr;

/// One thing a token may do through the JSON API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read cases: list, search, and one case with its history.
    Read,
    /// Act on cases as staff would (assign, extend, answer, refuse...).
    Act,
    /// File requests that arrived through another system.
    Intake,
    /// Keep the systems inventory: add systems and change them. Systems
    /// are emailed links to cases' tasks, so this is apart from `act`.
    Systems,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Act, Scope::Intake, Scope::Systems];

    pub fn key(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Act => "act",
            Scope::Intake => "intake",
            Scope::Systems => "systems",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Read => "Read cases (list, search, one case with its history)",
            Scope::Act => "Act on cases as staff do",
            Scope::Intake => "File requests received by another system",
            Scope::Systems => "Add and change the systems that hold personal data",
        }
    }

    /// The keys, for messages ("read, act, intake or systems").
    pub fn choices() -> String {
        let keys: Vec<&str> = Scope::ALL.iter().map(|s| s.key()).collect();
        match keys.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => keys.join(""),
        }
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.key() == s)
            .ok_or_else(|| format!("unknown scope '{s}' ({})", Scope::choices()))
    }
}

/// The scopes of one token: at least one, each once, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    pub fn new(scopes: impl IntoIterator<Item = Scope>) -> Result<Scopes, String> {
        let mut all: Vec<Scope> = scopes.into_iter().collect();
        all.sort();
        all.dedup();
        if all.is_empty() {
            return Err(format!(
                "a token needs at least one scope ({})",
                Scope::choices()
            ));
        }
        Ok(Scopes(all))
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

/// Stored and shown as the keys separated by spaces ("read intake").
impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.0.iter().map(|s| s.key()).collect();
        f.write_str(&keys.join(" "))
    }
}

/// Reads keys separated by spaces or commas.
impl FromStr for Scopes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let scopes = s
            .split([' ', ','])
            .filter(|k| !k.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<Scope>, String>>()?;
        Scopes::new(scopes)
    }
}

/// The longest name a token may have.
pub const MAX_NAME: usize = 100;

/// A token's name, trimmed: what it is for ("Website privacy centre").
pub fn token_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the token a name that says what uses it".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("A token's name is at most {MAX_NAME} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("A token's name is one line of text".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_back_from_what_they_store() {
        let scopes: Scopes = "intake, read read".parse().unwrap();
        assert_eq!(scopes.to_string(), "read intake");
        assert_eq!(scopes.to_string().parse::<Scopes>().unwrap(), scopes);
        assert!(scopes.allows(Scope::Read));
        assert!(!scopes.allows(Scope::Act));
    }

    #[test]
    fn no_scope_or_an_unknown_one_is_refused() {
        assert!("".parse::<Scopes>().is_err());
        assert!(" , ".parse::<Scopes>().is_err());
        let err = "read write".parse::<Scopes>().unwrap_err();
        assert!(err.contains("'write'"), "{err}");
    }

    #[test]
    fn names_are_one_trimmed_line_of_sensible_length() {
        assert_eq!(token_name("  CRM  ").unwrap(), "CRM");
        assert!(token_name("   ").is_err());
        assert!(token_name("a\nb").is_err());
        assert!(token_name(&"x".repeat(MAX_NAME + 1)).is_err());
        assert!(token_name(&"é".repeat(MAX_NAME)).is_ok());
    }
}
