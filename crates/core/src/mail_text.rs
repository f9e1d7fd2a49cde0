//! Reading a customer's mail: which case it answers (the thread's Message-IDs, or the case
//! number in the subject), what they wrote (quoted history and signature cut off), the
//! language it is written in, and whether a machine sent it.

/// The case ids a reply's In-Reply-To and References name, in the order given: Tierdesk's
/// Message-IDs are `<case-...@domain>` (the thread) or `<case-....n<notice>....@domain>`;
/// with a `domain`, only those of that domain count. (A thread is a hint, never a
/// credential: the sender must still be one of the case's people.)
pub fn thread_case_ids<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    domain: Option<&str>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        let Some((local, at)) = id.rsplit_once('@') else {
            continue;
        };
        if domain.is_some_and(|d| !at.eq_ignore_ascii_case(d)) {
            continue;
        }
        let case = local.split('.').next().unwrap_or_default();
        let well_formed = case.starts_with("case-")
            && case.len() <= 64
            && case.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if well_formed && !out.iter().any(|c| c == case) {
            out.push(case.to_string());
        }
    }
    out
}

/// The case number in a subject: `[Case 1000000042]` (any case, any spacing, as mail
/// clients keep it behind `Re:` or `AW:`), or `[ケース 1000000042]`.
pub fn subject_case_number(subject: &str) -> Option<i64> {
    let lower = subject.to_lowercase();
    for tag in ["[case", "[ケース"] {
        let mut rest = lower.as_str();
        while let Some(at) = rest.find(tag) {
            let after = &rest[at + tag.len()..];
            let digits: String = after
                .trim_start_matches([' ', '#', '\u{3000}'])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let closed = after
                .trim_start_matches([' ', '#', '\u{3000}'])
                .get(digits.len()..)
                .is_some_and(|r| r.trim_start().starts_with(']'));
            if !digits.is_empty() && digits.len() <= 18 && closed {
                return digits.parse().ok();
            }
            rest = after;
        }
    }
    None
}

/// What a person wrote in a reply: the text before the quoted history (`> ` lines, an
/// "On ... wrote:" line in English or Japanese, Outlook's "-----Original Message-----" or
/// its From:/Sent: block) and before the signature (`-- `), with trailing blank lines and
/// spaces gone. When nothing is left (a reply that only quotes), the whole text.
pub fn reply_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let starts_history = t.starts_with('>')
            || *line == "-- "
            || t == "--"
            || is_attribution(t, lines.get(i + 1).map(|l| l.trim()))
            || t.starts_with("-----Original Message-----")
            || t.starts_with("-----元のメッセージ-----")
            || (t.starts_with("From:")
                && lines
                    .get(i + 1)
                    .is_some_and(|n| n.trim().starts_with("Sent:")))
            || (t.starts_with("差出人:")
                && lines
                    .get(i + 1)
                    .is_some_and(|n| n.trim().starts_with("送信日時:")));
        if starts_history {
            end = i;
            break;
        }
    }
    let kept = lines[..end].join("\n");
    let kept = kept.trim_end();
    let kept = kept.trim_start_matches('\n');
    if kept.trim().is_empty() {
        text.trim().to_string()
    } else {
        kept.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// "On Mon, 23 Nov 2026 at 10:00, Ada <ada@x> wrote:" (also split over two lines), and the
/// Japanese clients' "2026年11月23日(月) 10:00 Ada <ada@x>:" or "...さんは書きました:".
fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let joined;
    let line = match next {
        Some(n) if line.starts_with("On ") && !line.ends_with(':') && n.ends_with("wrote:") => {
            joined = format!("{line} {n}");
            joined.as_str()
        }
        _ => line,
    };
    (line.starts_with("On ") && line.ends_with("wrote:"))
        || line.ends_with("書きました:")
        || line.ends_with("書きました：")
        || (line.contains('年')
            && line.contains('月')
            && line.contains('日')
            && (line.ends_with(':') || line.ends_with('：'))
            && line.contains('@'))
}

/// The language a text is written in, when its script says so: kana is Japanese, Hangul
/// Korean, Han characters alone Chinese; Latin text says nothing.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let (mut kana, mut hangul, mut han) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        match c as u32 {
            0x3040..=0x30FF => kana += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF => hangul += 1,
            0x4E00..=0x9FFF => han += 1,
            _ => {}
        }
    }
    if kana > 0 {
        Some("ja")
    } else if hangul > 0 {
        Some("ko")
    } else if han > 0 {
        Some("zh")
    } else {
        None
    }
}

/// Why a mail was sent by a machine, if it was (RFC 3834's Auto-Submitted, the
/// Precedence that lists and vacation replies set, a delivery report, a null sender):
/// such mail never becomes a communication.
pub fn automatic(
    auto_submitted: Option<&str>,
    precedence: Option<&str>,
    content_type: Option<&str>,
    envelope_sender: Option<&str>,
) -> Option<String> {
    if let Some(a) = auto_submitted
        .map(str::trim)
        .filter(|a| !a.eq_ignore_ascii_case("no"))
    {
        return Some(format!("Auto-Submitted: {a}"));
    }
    if let Some(p) = precedence.map(str::trim).filter(|p| {
        ["bulk", "junk", "list", "auto_reply"]
            .iter()
            .any(|x| p.eq_ignore_ascii_case(x))
    }) {
        return Some(format!("Precedence: {p}"));
    }
    if content_type.is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/report")) {
        return Some("a delivery report".into());
    }
    if envelope_sender.is_some_and(|s| s.trim().trim_matches(['<', '>']).is_empty()) {
        return Some("a null sender (a bounce)".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_name_cases_only_on_our_domain() {
        let ids = [
            "<case-100000000001-abcd-2026-0123456789abcdef@support.example.com>",
            "<case-100000000001-abcd-2026-0123456789abcdef.n12.customer.ja.Asia_Tokyo@support.example.com>",
            "<case-999999999999-zzzz-2026-00@elsewhere.example>",
            "<CAF=xyz@mail.gmail.com>",
            "<case-1;drop@support.example.com>",
        ];
        assert_eq!(
            thread_case_ids(ids, Some("support.example.com")),
            ["case-100000000001-abcd-2026-0123456789abcdef"]
        );
        assert_eq!(thread_case_ids(ids, None).len(), 2);
    }

    #[test]
    fn subjects_carry_the_case_number() {
        assert_eq!(
            subject_case_number("Re: [Case 1000000042] RDS is slow"),
            Some(1000000042)
        );
        assert_eq!(subject_case_number("AW: RE: [case #17]"), Some(17));
        assert_eq!(subject_case_number("[ケース 23] 件名"), Some(23));
        assert_eq!(subject_case_number("[Case x] [Case 5 ]"), Some(5));
        for none in [
            "Case 12",
            "[Case 12",
            "[Case ]",
            "[Case 99999999999999999999]",
        ] {
            assert_eq!(subject_case_number(none), None, "{none}");
        }
    }

    #[test]
    fn replies_lose_their_history_and_signature() {
        let gmail = "Thanks, restarted.\r\n\r\nOn Mon, 23 Nov 2026 at 10:00, Tierdesk Support <support@x> wrote:\r\n> Please restart.\r\n";
        assert_eq!(reply_text(gmail), "Thanks, restarted.");
        let split =
            "Done.\n\nOn Mon, 23 Nov 2026 at 10:00, Tierdesk\nSupport <support@x> wrote:\n> old";
        assert_eq!(reply_text(split), "Done.");
        let signed = "It works now.\n\n-- \nTaro Yamada\nExample KK\n";
        assert_eq!(reply_text(signed), "It works now.");
        let outlook =
            "See the log.\n\nFrom: Tierdesk Support\nSent: Monday\nSubject: Re: x\n\nold text";
        assert_eq!(reply_text(outlook), "See the log.");
        let ja = "再起動しました。\n\n2026年11月23日(月) 10:00 Tierdesk Support <support@x>:\n> 再起動してください。";
        assert_eq!(reply_text(ja), "再起動しました。");
        let ja2 = "確認します。\n\nサポートさんは書きました:\n> 旧文";
        assert_eq!(reply_text(ja2), "確認します。");
        // A reply that is all quote keeps everything: better too much than nothing.
        assert_eq!(reply_text("> only a quote"), "> only a quote");
        // Inline answers between quotes keep what precedes the first quote.
        assert_eq!(reply_text("Top.\n> q\nanswer"), "Top.");
    }

    #[test]
    fn scripts_name_languages() {
        assert_eq!(detect_language("データベースが遅い"), Some("ja"));
        assert_eq!(detect_language("데이터베이스"), Some("ko"));
        assert_eq!(detect_language("数据库很慢"), Some("zh"));
        assert_eq!(detect_language("the database is slow"), None);
    }

    #[test]
    fn machines_are_recognised() {
        assert!(automatic(Some("auto-replied"), None, None, None).is_some());
        assert!(automatic(Some("no"), None, None, Some("a@b")).is_none());
        assert!(automatic(None, Some("bulk"), None, None).is_some());
        assert!(
            automatic(
                None,
                None,
                Some("multipart/report; report-type=delivery-status"),
                None
            )
            .is_some()
        );
        assert!(automatic(None, None, None, Some("<>")).is_some());
        assert!(automatic(None, Some("first-class"), Some("text/plain"), Some("a@b")).is_none());
    }
}
