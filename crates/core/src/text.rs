//! What people write, as the domain accepts it: text without control characters, email
//! addresses. These say only yes or no (or which character); each use case words the
//! refusal for the field it checks.

/// The first character a person's text may not hold: a control character other than tab
/// and newlines, or a Unicode non-character.
pub fn forbidden_char(s: &str) -> Option<char> {
    s.chars()
        .find(|c| is_unprintable(*c) && !matches!(c, '\n' | '\r' | '\t'))
}

/// The first character a one-line name (a subject, a file name, a person's, an account's
/// or a key's name) may not hold: [`forbidden_char`]'s, line breaks and tabs, and the
/// bidirectional embedding, override and isolate controls, which make a name display as
/// another (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`).
pub fn forbidden_in_line(s: &str) -> Option<char> {
    s.chars()
        .find(|c| is_unprintable(*c) || is_bidi_control(*c))
}

/// U+202A..U+202E (embeddings and overrides) and U+2066..U+2069 (isolates). The plain
/// marks (U+200E, U+200F) stay allowed: they only nudge the text around them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
        // Names are one line, and never display as something else.
        assert_eq!(
            forbidden_in_line("invoice\u{202E}fdp.exe"),
            Some('\u{202E}')
        );
        assert_eq!(forbidden_in_line("a\u{2067}b"), Some('\u{2067}'));
        assert_eq!(forbidden_in_line("two\nlines"), Some('\n'));
        assert_eq!(forbidden_in_line("שלום \u{200F}report.pdf"), None);
        assert_eq!(forbidden_char("a\u{202E}b"), None);
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
