//! Distinct phrases and the detectors that own each: the patterns of one
//! Aho-Corasick automaton (prefilter literals, keywords, column hints) and,
//! per pattern, which detectors a match speaks for.

use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct OwnedPhrases {
    /// In first-seen order: pattern `i` of an automaton built from them.
    pub phrases: Vec<String>,
    /// Detector indices of each phrase, in the order they were added.
    pub owners: Vec<Vec<usize>>,
    index: HashMap<String, usize>,
}

impl OwnedPhrases {
    /// Notes that `owner` has `phrase` (once per phrase, however often added).
    pub fn add(&mut self, phrase: String, owner: usize) {
        match self.index.get(&phrase) {
            Some(&i) => self.owners[i].push(owner),
            None => {
                self.index.insert(phrase.clone(), self.phrases.len());
                self.phrases.push(phrase);
                self.owners.push(vec![owner]);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_kept_once_with_every_owner() {
        let mut p = OwnedPhrases::default();
        p.add("iban".into(), 3);
        p.add("card".into(), 1);
        p.add("iban".into(), 5);
        assert_eq!(p.phrases, ["iban", "card"]);
        assert_eq!(p.owners, [vec![3, 5], vec![1]]);
    }
}
