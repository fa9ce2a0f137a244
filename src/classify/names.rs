//! Column-name evidence: names split into whole tokens, matched against
//! detectors' `column_hints` and `keywords` with aho-corasick.
//!
//! Matching is on token boundaries only: `lic` never fires inside `public`,
//! `code` never inside `academic_year_code` unless `code` is itself a hint.
//! Both names and hints are normalised to `_tok_tok_` (lower case, tokens
//! joined and wrapped with `_`), so a substring match of the normalised hint
//! is exactly a whole-token-sequence match.

use crate::detect::phrases::OwnedPhrases;
use aho_corasick::AhoCorasick;

/// Splits a column name into lower-case tokens on `_ - . space`, other
/// punctuation, camelCase humps and letter/digit changes.
/// `contactEmail_2` -> `["contact", "email", "2"]`; `IPAddress` -> `["ip", "address"]`.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let (false, Some(&prev)) = (cur.is_empty(), i.checked_sub(1).and_then(|p| chars.get(p)))
            && boundary(prev, c, chars.get(i + 1).copied())
        {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a token boundary (as [`tokens`] splits) lies between `prev` and
/// `c`, with `next` the character after `c`.
fn boundary(prev: char, c: char, next: Option<char>) -> bool {
    !prev.is_alphanumeric()
        || !c.is_alphanumeric()
        || (prev.is_lowercase() && c.is_uppercase())
        || (prev.is_alphabetic() != c.is_alphabetic())
        // `IPAddress`: the `A` that starts `Address`.
        || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
}

/// Whether `text[start..end]` (a keyword found in a value) is made of whole
/// tokens, split as column names are ([`tokens`]): `nit` in `NIT 900.373.913-4`
/// or `nit:9003739134`, not in `unit`; `utr` not in `neutral`; `amka` not in
/// `Samkaya`. Offsets off a character boundary are never whole tokens.
pub fn whole_tokens(text: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(inner), Some(after)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return false;
    };
    let mut inner_chars = inner.chars();
    let (Some(first), Some(last)) = (inner_chars.next(), inner.chars().next_back()) else {
        return false;
    };
    let starts = match before.chars().next_back() {
        None => true,
        Some(prev) => {
            unspaced(prev)
                || unspaced(first)
                || boundary(prev, first, inner_chars.next().or(after.chars().next()))
        }
    };
    let ends = match after.chars().next() {
        None => true,
        Some(next) => {
            unspaced(last) || unspaced(next) || boundary(last, next, after.chars().nth(1))
        }
    };
    starts && ends
}

/// A character of a script written without spaces between words (Chinese,
/// Japanese kana, Korean Hangul, Thai): there a keyword runs straight into
/// the next word (`주민등록번호는`, `身份证号是`), so any place is an edge.
fn unspaced(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'       // Thai
        | '\u{1100}'..='\u{11FF}'     // Hangul Jamo
        | '\u{3040}'..='\u{30FF}'     // Hiragana, Katakana
        | '\u{3130}'..='\u{318F}'     // Hangul compatibility Jamo
        | '\u{3400}'..='\u{4DBF}'     // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'     // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'     // Hangul syllables
    )
}

/// `_tok_tok_` form of a name or hint.
pub fn normalise(name: &str) -> String {
    let toks = tokens(name);
    if toks.is_empty() {
        return String::new();
    }
    format!("_{}_", toks.join("_"))
}

/// A set of phrases (hints or keywords), each owned by some detectors.
#[derive(Debug)]
pub struct PhraseMatcher {
    ac: Option<AhoCorasick>,
    phrases: Vec<String>,
    owners: Vec<Vec<usize>>,
}

/// A phrase found in a name: which detector it speaks for and the phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseHit {
    pub detector: usize,
    pub phrase: String,
}

impl PhraseMatcher {
    /// `phrases_of(detector)` lists each detector's phrases.
    pub fn new<'a>(count: usize, phrases_of: impl Fn(usize) -> &'a [String]) -> Self {
        let mut found = OwnedPhrases::default();
        for d in 0..count {
            for p in phrases_of(d) {
                let norm = normalise(p);
                if !norm.is_empty() {
                    found.add(norm, d);
                }
            }
        }
        let ac = if found.is_empty() {
            None
        } else {
            AhoCorasick::new(&found.phrases).ok()
        };
        let (phrases, owners) = (found.phrases, found.owners);
        PhraseMatcher {
            ac,
            phrases,
            owners,
        }
    }

    /// Every phrase found in `name` as whole tokens.
    pub fn hits(&self, name: &str) -> Vec<PhraseHit> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let norm = normalise(name);
        let mut out: Vec<PhraseHit> = Vec::new();
        for m in ac.find_overlapping_iter(&norm) {
            let idx = m.pattern().as_usize();
            let phrase = self.phrases[idx].trim_matches('_').to_string();
            for &d in &self.owners[idx] {
                if !out.iter().any(|h| h.detector == d && h.phrase == phrase) {
                    out.push(PhraseHit {
                        detector: d,
                        phrase: phrase.clone(),
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_separators_camel_case_and_digits() {
        assert_eq!(tokens("contactEmail_2"), ["contact", "email", "2"]);
        assert_eq!(tokens("IPAddress"), ["ip", "address"]);
        assert_eq!(tokens("user.e-mail"), ["user", "e", "mail"]);
        assert_eq!(tokens("contacts[].value"), ["contacts", "value"]);
        assert_eq!(tokens("CARD_NUMBER"), ["card", "number"]);
        assert_eq!(tokens(""), Vec::<String>::new());
    }

    #[test]
    fn matches_whole_tokens_only() {
        let hints = [
            vec!["lic".to_string()],
            vec!["security_code".to_string(), "card_number".to_string()],
        ];
        let m = PhraseMatcher::new(2, |d| &hints[d]);
        assert!(m.hits("public").is_empty());
        assert!(m.hits("licence_no").is_empty());
        assert_eq!(m.hits("drv_lic")[0].detector, 0);
        assert!(m.hits("academic_year_code").is_empty());
        assert_eq!(m.hits("cardSecurityCode")[0].phrase, "security_code");
        assert_eq!(m.hits("cardNumber")[0].phrase, "card_number");
        assert!(m.hits("card_numbers_count").is_empty());
    }

    fn find(text: &str, word: &str) -> (usize, usize) {
        let start = text.to_ascii_lowercase().find(word).unwrap_or(usize::MAX);
        (start, start.saturating_add(word.len()))
    }

    #[test]
    fn keywords_in_text_are_whole_tokens() {
        let yes = [
            ("NIT 900.373.913-4", "nit"),
            ("nit:9003739134", "nit"),
            ("NIT900373913", "nit"),
            ("the UTR is 1955839661", "utr"),
            ("AMKA", "amka"),
            ("customerAmka 01017012345", "amka"),
            // scripts without spaces: the keyword runs into the next word
            ("주민등록번호는 750811-1361341", "주민등록번호"),
            ("身份证号是11010519491231002X", "身份证"),
            ("เลขประจำตัวประชาชนของฉัน", "เลขประจำตัวประชาชน"),
        ];
        for (text, word) in yes {
            let (s, e) = find(text, word);
            assert!(whole_tokens(text, s, e), "{word} in {text}");
        }
        let no = [
            ("one unit of 900373913-4", "nit"),
            ("a neutral answer", "utr"),
            ("Samkaya", "amka"),
            ("UNIT", "nit"),
        ];
        for (text, word) in no {
            let (s, e) = find(text, word);
            assert!(!whole_tokens(text, s, e), "{word} in {text}");
        }
        assert!(!whole_tokens("abc", 2, 1));
        assert!(!whole_tokens("abc", 1, 1));
        assert!(!whole_tokens("aé", 2, 3));
        assert!(!whole_tokens("", 0, 5));
    }
}
