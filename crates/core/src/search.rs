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
    document(&[text])
}

/// Lists of terms cut apart (a message's, cut before its write, and its case's subject's,
/// read in it) as one document: each term once, in the order of the lists. What
/// [`document`] gives for their texts.
pub fn joined(lists: &[&[String]]) -> Vec<String> {
    let mut out = Terms::default();
    for t in lists.iter().flat_map(|list| list.iter()) {
        out.add_term(t);
    }
    out.list
}

/// Terms in the order they first appear, each once.
///
/// Why the set: checking a new term against every one before it costs the square of the
/// terms, and a pasted log of a few kilobytes holds hundreds of distinct ones. Short texts
/// (most messages) stay with the list alone, which beats hashing every term.
#[derive(Default)]
struct Terms {
    list: Vec<String>,
    /// Every term of `list`, once it holds `SCAN_TERMS` or more (until then, empty).
    seen: std::collections::HashSet<String>,
}

/// Up to this many terms, a repeat is found by scanning the list.
const SCAN_TERMS: usize = 32;

impl Terms {
    /// Whether `t` is held already.
    fn holds(&self, t: &str) -> bool {
        if self.list.len() < SCAN_TERMS {
            self.list.iter().any(|held| held == t)
        } else {
            self.seen.contains(t)
        }
    }

    /// Appends `t` unless it is empty or held already.
    fn add_term(&mut self, t: &str) {
        if t.is_empty() || self.holds(t) {
            return;
        }
        self.list.push(t.to_string());
        match self.list.len().cmp(&SCAN_TERMS) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => self.seen.extend(self.list.iter().cloned()),
            std::cmp::Ordering::Greater => self.seen.extend(self.list.last().cloned()),
        }
    }

    /// Appends the terms of `text` not already held.
    fn add(&mut self, text: &str) {
        // The current run of letters and digits, and its length in characters (at most
        // MAX_TERM_CHARS are kept). One buffer for every word: a term gets a string of its
        // own only when it is new.
        let mut word = String::new();
        let mut word_chars = 0;
        let mut ideographs: Vec<char> = Vec::new();
        let mut pair = String::new();
        for c in text.chars().map(fold_width) {
            if is_unspaced(c) {
                self.push_word(&mut word, &mut word_chars);
                ideographs.push(c);
                continue;
            }
            if !ideographs.is_empty() {
                self.push_bigrams(&mut ideographs, &mut pair);
            }
            if c.is_alphanumeric() {
                if word_chars < MAX_TERM_CHARS {
                    for l in c.to_lowercase() {
                        word.push(l);
                        word_chars += 1;
                    }
                }
            } else {
                self.push_word(&mut word, &mut word_chars);
            }
        }
        self.push_bigrams(&mut ideographs, &mut pair);
        self.push_word(&mut word, &mut word_chars);
    }

    /// The word in `word` as a term; empties it.
    fn push_word(&mut self, word: &mut String, chars: &mut usize) {
        self.add_term(word);
        word.clear();
        *chars = 0;
    }

    /// A run of unspaced characters as terms: each neighbouring pair, or the character
    /// alone; empties it. `buf` is scratch space.
    fn push_bigrams(&mut self, run: &mut Vec<char>, buf: &mut String) {
        let pairs = run.windows(2);
        let alone = (run.len() == 1).then_some(&run[..]);
        for chars in alone.into_iter().chain(pairs) {
            buf.clear();
            buf.extend(chars);
            self.add_term(buf);
        }
        run.clear();
    }
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
    let mut out = Terms::default();
    for p in parts {
        out.add(p);
    }
    out.list
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

    /// The definition `terms` and `document` keep, written the plain way: every term
    /// checked against all before it.
    fn plain_document(parts: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for part in parts {
            let mut word = String::new();
            let mut run: Vec<char> = Vec::new();
            let mut cut: Vec<String> = Vec::new();
            let flush = |run: &mut Vec<char>, cut: &mut Vec<String>| {
                if run.len() == 1 {
                    cut.push(run[0].to_string());
                }
                cut.extend(run.windows(2).map(|p| p.iter().collect::<String>()));
                run.clear();
            };
            for c in part.chars().map(fold_width) {
                if is_unspaced(c) {
                    cut.push(std::mem::take(&mut word));
                    run.push(c);
                } else if c.is_alphanumeric() {
                    flush(&mut run, &mut cut);
                    if word.chars().count() < MAX_TERM_CHARS {
                        word.extend(c.to_lowercase());
                    }
                } else {
                    flush(&mut run, &mut cut);
                    cut.push(std::mem::take(&mut word));
                }
            }
            flush(&mut run, &mut cut);
            cut.push(word);
            for t in cut {
                if !t.is_empty() && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out
    }

    proptest::proptest! {
        /// Long texts (past the list's scan, into the set) and short ones, in every script
        /// the cutting treats apart, cut as the plain definition cuts them.
        #[test]
        fn documents_are_cut_as_the_plain_definition_cuts_them(
            parts in proptest::collection::vec(
                proptest::string::string_regex("([a-eA-EİŞß0-9]{1,50}|[本番停止ア]{1,4}|ＥＣ|[ ,.\\-]){0,400}")
                    .unwrap_or_else(|e| panic!("{e}")),
                1..4,
            )
        ) {
            let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(document(&parts), plain_document(&parts));
            proptest::prop_assert_eq!(terms(parts[0]), plain_document(&parts[..1]));
            let cut: Vec<Vec<String>> = parts.iter().map(|p| terms(p)).collect();
            let lists: Vec<&[String]> = cut.iter().map(Vec::as_slice).collect();
            proptest::prop_assert_eq!(joined(&lists), plain_document(&parts));
        }
    }
}
