//! What people write, as the domain accepts it: text without control characters, email
//! addresses. These say only yes or no (or which character); each use case words the
//! refusal for the field it checks.

/// The first character a person's text may not hold: a control character other than tab
/// and newlines, or a Unicode non-character.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars()
        .find(|c| is_unprintable(*c) && !matches!(c, '\n' | '\r' | '\t'))
}

/// The first character a one-line name (a person's, an account's, a key's) may not hold:
/// [`forbidden_char`]'s, and line breaks and tabs too.
pub fn forbidden_in_line(s: &str) -> Option<char> {
    s.chars().find(|c| is_unprintable(*c))
}

/// Control characters and Unicode non-characters: invisible, or reserved.
pub fn is_unprintable(c: char) -> bool {
    c.is_control() || matches!(c as u32, 0xFFFE | 0xFFFF | 0xFDD0..=0xFDEF)
}

/// A plausible email address: one `@`, a dotted domain, no spaces or controls, at most
/// 254 bytes.
pub fn is_email(a: &str) -> bool {
    a.len() <= 254
        && !a.chars().any(|c| c.is_whitespace() || c.is_control())
        && a.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_emails() {
        assert_eq!(forbidden_char("line one\nline two\tend"), None);
        assert_eq!(forbidden_char("nul\0here"), Some('\0'));
        assert_eq!(forbidden_char("x\u{FFFE}"), Some('\u{FFFE}'));
        assert!(is_email("ops@example.com"));
        for bad in [
            "",
            "ops",
            "@example.com",
            "ops@example",
            "ops@.example.com",
            "a b@c.d",
            "a@b@c.d",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(!is_email(&format!("{}@example.com", "a".repeat(250))));
    }
}
