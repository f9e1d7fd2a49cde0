//! Search terms: how case text is cut into the terms the search index holds, and a query
//! into the terms it must find. One definition for both engines: the store indexes these
//! terms verbatim (SQLite's FTS5, PostgreSQL's tsvector), so neither engine's own word
//! splitting (which knows nothing of Japanese or Chinese, and on PostgreSQL depends on the
//! database's locale) decides what matches.
//!
//! Latin, Cyrillic and other spaced scripts: each run of letters and digits is a term,
//! lower-cased, full-width forms folded to ASCII ("ＥＣ２" is "ec2"). Han, kana and
//! Hangul, written without spaces: every pair of neighbouring characters is a term (the
//! bigrams of Lucene's CJK analyser), so "本番停止" holds 本番, 番停, 停止 and a query
//! for 本番 or 停止 finds it; a lone character is a term of its own.

/// The most terms a query may hold; more are ignored (each is one index lookup).
pub const MAX_QUERY_TERMS: usize = 16;
/// Longer runs are cut: nobody searches for a 200-letter word, and the index stays small.
const MAX_TERM_CHARS: usize = 40;

/// The distinct terms of `text`, in the order they first appear.
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: String| {
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    };
    let mut word = String::new();
    let mut ideographs: Vec<char> = Vec::new();
    let flush_ideographs = |run: &mut Vec<char>, push: &mut dyn FnMut(String)| {
        match run.len() {
            0 => {}
            1 => push(run[0].to_string()),
            _ => {
                for pair in run.windows(2) {
                    push(pair.iter().collect());
                }
            }
        }
        run.clear();
    };
    for c in text.chars().map(fold_width) {
        if is_unspaced(c) {
            if !word.is_empty() {
                push(std::mem::take(&mut word));
            }
            ideographs.push(c);
        } else if c.is_alphanumeric() {
            flush_ideographs(&mut ideographs, &mut push);
            if word.chars().count() < MAX_TERM_CHARS {
                word.extend(c.to_lowercase());
            }
        } else {
            flush_ideographs(&mut ideographs, &mut push);
            if !word.is_empty() {
                push(std::mem::take(&mut word));
            }
        }
    }
    flush_ideographs(&mut ideographs, &mut push);
    if !word.is_empty() {
        push(word);
    }
    out
}

/// The terms of a query: at most [`MAX_QUERY_TERMS`], every one of which a case must hold.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut t = terms(query);
    t.truncate(MAX_QUERY_TERMS);
    t
}

/// The terms of several texts (a subject, a message, the people on a case) as one
/// document, space-separated and without repeats.
pub fn document(parts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in parts {
        for t in terms(p) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Full-width ASCII (U+FF01..U+FF5E) as ASCII, and the ideographic space as a space.
fn fold_width(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// Scripts written without spaces between words: Han, Hiragana, Katakana (half-width
/// too), Hangul. Their text is indexed by bigrams.
fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x309F      // Hiragana
        | 0x30A0..=0x30FF    // Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x20000..=0x2FA1F  // CJK extensions B.. and compatibility supplement
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_scripts_split_on_everything_but_letters_and_digits() {
        assert_eq!(
            terms("The payment-API answers 503 (again), see ops@example.com"),
            [
                "the", "payment", "api", "answers", "503", "again", "see", "ops", "example", "com"
            ]
        );
        assert_eq!(terms("ＥＣ２ Instance ec2"), ["ec2", "instance"]);
        assert_eq!(terms("Ошибка ОШИБКА"), ["ошибка"]);
        assert!(terms("  -- !! ").is_empty());
    }

    #[test]
    fn unspaced_scripts_become_bigrams() {
        assert_eq!(terms("本番停止"), ["本番", "番停", "停止"]);
        assert_eq!(
            terms("EC2インスタンス"),
            ["ec2", "イン", "ンス", "スタ", "タン"]
        );
        assert_eq!(
            terms("数据库 连接失败"),
            ["数据", "据库", "连接", "接失", "失败"]
        );
        assert_eq!(terms("本 番"), ["本", "番"]);
        // A query's bigrams are a subset of the text's wherever the query occurs in it.
        let doc = terms("昨夜から本番環境のデータベースが停止しています");
        for t in terms("本番環境") {
            assert!(doc.contains(&t), "{t}");
        }
    }

    #[test]
    fn long_runs_are_cut_and_queries_bounded() {
        let long = "a".repeat(500);
        assert_eq!(terms(&long)[0].len(), MAX_TERM_CHARS);
        let many: String = (0..40).map(|i| format!("w{i} ")).collect();
        assert_eq!(query_terms(&many).len(), MAX_QUERY_TERMS);
        assert_eq!(document(&["a b", "b c"]), ["a", "b", "c"]);
    }
}
