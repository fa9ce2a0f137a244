//! Structural checks for secrets that have no checksum: the random part of
//! a key or token must look random (enough distinct characters, several
//! character classes, no placeholder text), so `sk_live_xxxxxxxx`,
//! `password=changeme` and `<your-key-here>` are not reported.

/// Lower-case placeholder fragments that mark a value as an example.
const PLACEHOLDERS: &[&str] = &[
    "xxxx",
    "example",
    "changeme",
    "change_me",
    "your",
    "redacted",
    "placeholder",
    "dummy",
    "sample",
    "secret",
    "password",
    "passwd",
    "token",
    "<",
    "${",
    "{{",
    "****",
    "....",
    "1234",
    "abcd",
    "test",
    "null",
    "none",
    "todo",
    "fixme",
];

fn distinct(s: &str) -> usize {
    let mut seen = [false; 128];
    s.bytes()
        .filter(|b| b.is_ascii())
        .for_each(|b| seen[b as usize] = true);
    seen.iter().filter(|&&x| x).count()
}

fn classes(s: &str) -> usize {
    let has = |f: fn(&u8) -> bool| usize::from(s.bytes().any(|b| f(&b)));
    has(u8::is_ascii_lowercase)
        + has(u8::is_ascii_uppercase)
        + has(u8::is_ascii_digit)
        + has(|b| b.is_ascii_punctuation())
}

fn has_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
}

/// Longest run of one repeated byte.
fn longest_run(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut best, mut cur) = (0, 0);
    for (i, &c) in b.iter().enumerate() {
        cur = if i > 0 && b[i - 1] == c { cur + 1 } else { 1 };
        best = best.max(cur);
    }
    best
}

/// A vendor token (fixed prefix + random tail): the part after the last
/// `_`, `-` or `.` separator of the prefix is random-looking.
pub fn token_entropy(s: &str) -> bool {
    let s = s.trim();
    if s.len() < 16 || s.len() > 4096 {
        return false;
    }
    let tail = s.get(s.len().saturating_sub(24)..).unwrap_or(s);
    distinct(tail) >= 10 && longest_run(s) < 6 && !has_placeholder(tail)
}

/// AWS secret access key: 40 base64 characters with lower case, upper case
/// and digits, many distinct characters, not a hex digest.
pub fn aws_secret_key(s: &str) -> bool {
    let s = s.trim();
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_digit())
        && distinct(s) >= 18
        && !has_placeholder(s)
}

/// `keyword = value` or `keyword: "value"`: the value is at least 12
/// characters, random-looking (three character classes, or two and 20+
/// characters), with 8+ distinct characters and no placeholder text.
pub fn generic_secret(s: &str) -> bool {
    let Some(pos) = s.find([':', '=']) else {
        return false;
    };
    let value = s[pos + 1..]
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim();
    let n = value.len();
    if !(12..=200).contains(&n) || value.contains(char::is_whitespace) {
        return false;
    }
    let c = classes(value);
    (c >= 3 || (c == 2 && n >= 20))
        && distinct(value) >= 8
        && longest_run(value) < 5
        && !has_placeholder(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets() {
        assert!(token_entropy("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"));
        assert!(!token_entropy("shpat_00000000000000000000000000000000"));
        assert!(!token_entropy("hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(aws_secret_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ9x3kLmN1"));
        assert!(!aws_secret_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert!(!aws_secret_key("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        assert!(generic_secret("password=\"Tr0ub4dor&3xYz!\""));
        assert!(generic_secret("client_secret: 9f8Kq2LmZx7Vb3Nw"));
        assert!(!generic_secret("password=changeme12345"));
        assert!(!generic_secret("api_key = <your-api-key>"));
        assert!(!generic_secret("token: short"));
        for f in [token_entropy, aws_secret_key, generic_secret] {
            assert!(!f(""));
            assert!(!f("=ü漢字ü漢字ü漢字ü漢字"));
        }
    }
}
