//! What makes an account valid: its id, zone, country and language.

/// The case languages the AWS Support API knows (ISO 639-1).
pub const CASE_LANGUAGES: [(&str, &str, &str); 4] = [
    ("en", "English", "English"),
    ("ja", "Japanese", "日本語"),
    ("zh", "Chinese", "中文"),
    ("ko", "Korean", "한국어"),
];

pub fn is_case_language(code: &str) -> bool {
    CASE_LANGUAGES.iter().any(|(c, _, _)| *c == code)
}

/// Account ids are digits: 12 for AWS, up to 20 for other clouds (Alibaba uses 16).
pub fn check_account_id(id: &str) -> Result<(), String> {
    if (6..=20).contains(&id.len()) && id.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "account id '{id}' must be 6 to 20 digits (AWS uses 12)"
        ))
    }
}

pub fn check_timezone(tz: &str) -> Result<(), String> {
    jiff::tz::TimeZone::get(tz)
        .map(|_| ())
        .map_err(|_| format!("'{tz}' is not an IANA time zone (e.g. America/New_York)"))
}

/// ISO 3166-1 alpha-2, upper case.
pub fn check_country(cc: &str) -> Result<(), String> {
    if cc.len() == 2 && cc.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!(
            "'{cc}' is not an ISO 3166 country code such as US, JP or DE"
        ))
    }
}

pub fn check_language(lang: &str) -> Result<(), String> {
    if is_case_language(lang) {
        Ok(())
    } else {
        Err(format!("language '{lang}' is not one of en, ja, zh, ko"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(check_account_id("123456789012").is_ok());
        assert!(check_account_id("12345678901a").is_err());
        assert!(check_account_id("").is_err());
        assert!(check_timezone("Asia/Tokyo").is_ok());
        assert!(check_timezone("Mars/Olympus").is_err());
        assert!(check_country("JP").is_ok());
        assert!(check_country("jp").is_err());
        assert!(check_language("ko").is_ok());
        assert!(check_language("fr").is_err());
    }
}
