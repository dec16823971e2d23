//! What free text may hold. A one-line field (a name, anything that can
//! reach an email header) holds no control character at all, nor a Unicode
//! line or paragraph separator: injected line breaks would forge headers.
//! Longer text may hold line breaks and tabs, never other control
//! characters (a NUL cannot even be stored by PostgreSQL).

/// Whether `s` is fit for a one-line field.
pub fn is_single_line(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}

/// Whether `s` is fit for a multi-line field.
pub fn is_storable_text(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_means_no_control_character_at_all() {
        assert!(is_single_line("Ada Lovelace-Byron, O'Neill"));
        for bad in [
            "Ada\r\nBcc: victim@example.com",
            "Ada\nLovelace",
            "Ada\tLovelace",
            "Ada\u{0}",
            "Ada\u{1b}[31m",
            "Ada\u{2028}Lovelace",
            "Ada\u{85}",
        ] {
            assert!(!is_single_line(bad), "{bad:?}");
        }
    }

    #[test]
    fn text_keeps_line_breaks_but_nothing_else() {
        assert!(is_storable_text("line one\r\nline two\ttab"));
        assert!(!is_storable_text("nul\u{0}"));
        assert!(!is_storable_text("bell\u{7}"));
    }
}
