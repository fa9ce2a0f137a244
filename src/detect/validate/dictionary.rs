//! Dictionary validators: person names and street addresses.
//!
//! Names and addresses have no checksum, so the detector's regex only finds
//! the *shape* (capitalised words; a house number next to words) and these
//! validators decide with word lists from `detectors/dictionaries/` (given
//! names, surnames, street types per language; provenance in that folder's
//! README). The lists are embedded at build time and indexed once, lazily.
//!
//! Both validators are deliberately strict, because capitalised words are
//! everywhere (product names, headings, company names): a name needs a known
//! given name AND a known surname in the right places; an address needs a
//! house number next to a street type in an order some language uses.

use std::collections::HashSet;
use std::sync::OnceLock;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_dictionaries.rs"));
}

/// Languages that put the street type in front of the name
/// (`rue de la Paix`, `Calle Mayor`, `Via Roma`) are in `prefixes`; the
/// others (`Baker Street`, `Berliner Straße`) in `suffixes`.
struct Dictionaries {
    first_names: HashSet<String>,
    surnames: HashSet<String>,
    suffixes: HashSet<String>,
    prefixes: HashSet<String>,
    /// Street types written fused to the name in German and Dutch
    /// (`Hauptstraße`, `Kalverstraat`).
    compound_suffixes: Vec<String>,
}

fn dictionaries() -> &'static Dictionaries {
    static DICTS: OnceLock<Dictionaries> = OnceLock::new();
    DICTS.get_or_init(|| {
        let mut d = Dictionaries {
            first_names: HashSet::new(),
            surnames: HashSet::new(),
            suffixes: HashSet::new(),
            prefixes: HashSet::new(),
            compound_suffixes: Vec::new(),
        };
        for (name, contents) in builtin::BUILTIN_DICTIONARIES {
            let words = contents
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_lowercase);
            if name.starts_with("first_names_") {
                d.first_names.extend(words);
            } else if name.starts_with("surnames_") {
                d.surnames.extend(words);
            } else if name.starts_with("street_prefixes_") {
                d.prefixes.extend(words);
            } else if name.starts_with("street_suffixes_") {
                let words: Vec<String> = words.collect();
                if name.ends_with("_de.txt") || name.ends_with("_nl.txt") {
                    d.compound_suffixes.extend(
                        words
                            .iter()
                            .filter(|w| w.chars().count() >= 3 && !w.contains('.'))
                            .cloned(),
                    );
                }
                d.suffixes.extend(words);
            }
        }
        d.compound_suffixes.sort();
        d.compound_suffixes.dedup();
        d
    })
}

/// Honorifics skipped before a name.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "m", "mme",
    "mlle", "sr", "sra", "srta", "don", "doña", "dott", "sig", "sig.ra",
];

/// Lowercase particles inside a name (`Ludwig van Beethoven`).
const PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la",
    "los", "las", "y", "e", "zu", "ten", "ter", "bin", "ibn", "al",
];

/// Words that make a capitalised phrase an organisation, a product or a
/// heading rather than a person, whatever names it contains
/// (`Grace Church`, `Morgan Stanley Bank`, `Jordan Sales Report`).
const NOT_IN_NAMES: &[&str] = &[
    "inc",
    "ltd",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "sarl",
    "bv",
    "corp",
    "co",
    "company",
    "group",
    "holdings",
    "bank",
    "partners",
    "associates",
    "foundation",
    "university",
    "school",
    "college",
    "hospital",
    "church",
    "hotel",
    "restaurant",
    "cafe",
    "shop",
    "store",
    "team",
    "department",
    "report",
    "menu",
    "street",
    "road",
    "avenue",
    "city",
    "county",
    "park",
    "station",
    "airport",
    "international",
    "services",
    "solutions",
    "systems",
    "technologies",
];

fn word_key(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase()
}

/// Some part of `token` (`Jean-Pierre` -> `jean`, `pierre`) is in `set`.
fn known(set: &HashSet<String>, token: &str) -> bool {
    let key = word_key(token);
    set.contains(&key)
        || (key.contains(['-', '\'', '’'])
            && key
                .split(['-', '\'', '’'])
                .any(|p| p.chars().count() >= 2 && set.contains(p)))
}

fn is_initial(token: &str) -> bool {
    let t = token.trim_end_matches('.');
    t.chars().count() == 1 && t.chars().all(char::is_uppercase)
}

/// The name tokens of one side of a name: titles, particles and initials
/// dropped; `None` when a token rules out a person.
fn name_tokens(part: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for (i, t) in part.split_whitespace().enumerate() {
        let key = word_key(t);
        if key.is_empty() {
            return None;
        }
        if (i == 0 && TITLES.contains(&key.as_str()))
            || PARTICLES.contains(&key.as_str())
            || is_initial(t)
        {
            continue;
        }
        if NOT_IN_NAMES.contains(&key.as_str()) || t.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        out.push(t);
    }
    Some(out)
}

/// A person's name: `Given [Middle] Surname` with a known given name first
/// and a known surname after it, or `Surname, Given`. Two to four name
/// tokens (titles, particles and initials aside).
pub fn person_name(s: &str) -> bool {
    if s.len() > 120 {
        return false;
    }
    let d = dictionaries();
    if let Some((last, first)) = s.split_once(',') {
        let (Some(last), Some(first)) = (name_tokens(last), name_tokens(first)) else {
            return false;
        };
        let total = last.len() + first.len();
        return !last.is_empty()
            && !first.is_empty()
            && (2..=4).contains(&total)
            && last.iter().any(|t| known(&d.surnames, t))
            && known(&d.first_names, first[0]);
    }
    let Some(tokens) = name_tokens(s) else {
        return false;
    };
    (2..=4).contains(&tokens.len())
        && known(&d.first_names, tokens[0])
        && tokens[1..].iter().any(|t| known(&d.surnames, t))
}

/// A house number: 1 to 5 digits, optionally a letter or a range
/// (`221B`, `12a`, `10-12`), not zero.
fn is_house_number(token: &str) -> bool {
    let t = token.trim_end_matches(',');
    let head = t.split(['-', '/']).next().unwrap_or_default();
    let digits: String = head.chars().take_while(char::is_ascii_digit).collect();
    let rest = &head[digits.len()..];
    !digits.is_empty()
        && digits.len() <= 5
        && digits.chars().any(|c| c != '0')
        && rest.chars().count() <= 1
        && rest.chars().all(char::is_alphabetic)
}

fn is_word(token: &str) -> bool {
    let t = token.trim_end_matches(',');
    t.chars().any(char::is_alphabetic)
        && t.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '’' | '-' | '/'))
}

fn capitalised(token: &str) -> bool {
    token.chars().next().is_some_and(char::is_uppercase)
}

/// A German or Dutch street name fused with its type, with at least three
/// letters of name before it (`Hauptstraße`, `Kalverstraat`, `Birkenweg`).
fn compound_street(d: &Dictionaries, token: &str) -> bool {
    let key = word_key(token);
    capitalised(token)
        && d.compound_suffixes.iter().any(|s| {
            key.len() > s.len()
                && key.ends_with(s.as_str())
                && key[..key.len() - s.len()].chars().count() >= 3
        })
}

/// Words of a street name with its type: a type after at least one
/// capitalised name word (`Baker Street`), a type before at least one name
/// word (`rue de la Paix`), or one fused word (`Hauptstraße`).
fn street_words(d: &Dictionaries, words: &[&str], number_first: bool) -> bool {
    let Some((first, last)) = words.first().zip(words.last()) else {
        return false;
    };
    let named = |ws: &[&str]| ws.iter().any(|w| capitalised(w) && word_key(w).len() >= 2);
    let n = words.len();
    let suffix_form = n >= 2 && d.suffixes.contains(&word_key(last)) && named(&words[..n - 1]);
    let prefix_form = n >= 2 && d.prefixes.contains(&word_key(first)) && named(&words[1..]);
    let fused = n <= 2 && compound_street(d, last);
    // English puts the number first and the type last; continental
    // suffix languages put the number after (`Berliner Straße 5`).
    suffix_form || prefix_form || (fused && !number_first) || (fused && n == 1)
}

/// A street address: a house number next to a street name with a type, in
/// an order some language uses (`221B Baker Street`, `12 rue de la Paix`,
/// `Hauptstraße 5`, `Calle Mayor, 7`, `Via Roma 10`), optionally followed
/// by postcode, city or country after a comma.
pub fn street_address(s: &str) -> bool {
    if s.len() > 200 {
        return false;
    }
    let d = dictionaries();
    // Each comma-separated segment is tried; a comma may also sit between a
    // street and its number (`Calle Mayor, 7`), so a segment that is only a
    // number joins the one before.
    let segments: Vec<&str> = s.split(',').map(str::trim).collect();
    for (i, seg) in segments.iter().enumerate().take(3) {
        let mut tokens: Vec<&str> = seg.split_whitespace().collect();
        // `12, rue Lafayette`: a lone number belongs to the next segment.
        if tokens.len() == 1
            && is_house_number(tokens[0])
            && let Some(next) = segments.get(i + 1)
        {
            tokens.extend(next.split_whitespace());
        }
        // Number first: `12 rue de la Paix`, `221B Baker Street`.
        if tokens.first().is_some_and(|t| is_house_number(t)) {
            let words = &tokens[1..];
            if !words.is_empty()
                && words.len() <= 6
                && words.iter().all(|w| is_word(w))
                && street_words(d, words, true)
            {
                return true;
            }
        }
        // Number last: `Hauptstraße 5`, `Via Roma 10`, or in the next segment.
        let (words, numbered) = match tokens.split_last() {
            Some((last, rest)) if is_house_number(last) => (rest, true),
            _ => {
                let next_is_number = segments.get(i + 1).is_some_and(|n| {
                    let mut t = n.split_whitespace();
                    t.next().is_some_and(is_house_number) && t.next().is_none()
                });
                (&tokens[..], next_is_number)
            }
        };
        if numbered
            && !words.is_empty()
            && words.len() <= 6
            && words.iter().all(|w| is_word(w))
            && street_words(d, words, false)
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_are_loaded() {
        let d = dictionaries();
        assert!(d.first_names.len() > 5000, "{}", d.first_names.len());
        assert!(d.surnames.len() > 5000, "{}", d.surnames.len());
        assert!(d.suffixes.contains("street") && d.prefixes.contains("rue"));
        assert!(d.compound_suffixes.iter().any(|s| s == "straße"));
    }

    #[test]
    fn names() {
        for ok in [
            "John Smith",
            "Smith, John",
            "Dr. Maria García López",
            "Jean-Pierre Dubois",
            "Anne van den Berg",
            "Anna K. Schneider",
            "JOHN SMITH",
        ] {
            assert!(person_name(ok), "{ok}");
        }
        for bad in [
            "Main Menu",
            "Smart Lamp",
            "John",
            "Grace Church",
            "Morgan Stanley Bank",
            "Quarterly Sales Report",
            "John Smith Inc",
            "",
            "Paris London Berlin Rome Madrid",
        ] {
            assert!(!person_name(bad), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        for ok in [
            "221B Baker Street",
            "1600 Pennsylvania Ave",
            "12 rue de la Paix, 75002 Paris",
            "Hauptstraße 5",
            "Berliner Straße 12a, 10115 Berlin",
            "Calle Mayor, 7",
            "Via Roma 10",
            "Kalverstraat 92, Amsterdam",
            "Flat 3, 14 Kings Road, London",
            "12, rue Lafayette, 75002 Paris",
        ] {
            assert!(street_address(ok), "{ok}");
        }
        for bad in [
            "Route 66",
            "Version 3",
            "Order 12345",
            "12 apples",
            "Street 5",
            "10115 Berlin",
            "Model 3 Performance",
            "2024 the street",
            "0 Baker Street",
        ] {
            assert!(!street_address(bad), "{bad}");
        }
    }
}
