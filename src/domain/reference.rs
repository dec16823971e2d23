//! Case references such as `RD-7K3M-Q9XP`: short enough to read over the
//! phone, random enough not to be guessed (40 bits), and free of the letters
//! that look like digits.

use std::fmt;
use std::str::FromStr;

use rand::Rng;

/// Crockford's base-32 alphabet: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a case reference (they look like RD-7K3M-Q9XP)")]
pub struct BadReference(pub String);

impl Reference {
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Reference {
        let mut s = String::with_capacity(12);
        s.push_str("RD-");
        for i in 0..8 {
            if i == 4 {
                s.push('-');
            }
            s.push(ALPHABET[rng.random_range(0..32)] as char);
        }
        Reference(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Reference {
    type Err = BadReference;

    /// Accepts any case and the look-alike letters a person may type
    /// (O for 0, I and L for 1).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = || BadReference(input.to_owned());
        let upper = input.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("RD-").ok_or_else(bad)?;
        let (a, b) = rest.split_once('-').ok_or_else(bad)?;
        if a.len() != 4 || b.len() != 4 {
            return Err(bad());
        }
        let mut s = String::from("RD-");
        for (i, c) in a.chars().chain(b.chars()).enumerate() {
            if i == 4 {
                s.push('-');
            }
            let c = match c {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
                return Err(bad());
            }
            s.push(c);
        }
        Ok(Reference(s))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    #[test]
    fn generated_references_have_the_documented_shape() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..1000 {
            let r = Reference::generate(&mut rng);
            assert_eq!(r.as_str().len(), 12);
            assert_eq!(r.as_str().parse::<Reference>(), Ok(r.clone()));
        }
    }

    #[test]
    fn typed_references_are_normalised() {
        assert_eq!(
            " rd-7k3m-q9xp ".parse::<Reference>().unwrap().as_str(),
            "RD-7K3M-Q9XP"
        );
        assert_eq!(
            "RD-OIL0-0000".parse::<Reference>().unwrap().as_str(),
            "RD-0110-0000"
        );
        for bad in [
            "",
            "RD-",
            "RD-1234",
            "XX-1234-5678",
            "RD-12345-678",
            "RD-UUUU-0000",
            "RD-ÄÄ12-0000",
        ] {
            assert!(bad.parse::<Reference>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,20}") {
            let _ = s.parse::<Reference>();
        }
    }
}
