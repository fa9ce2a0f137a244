//! UK National Insurance number: prefix letter rules, six digits, suffix A-D.

/// Prefixes that are never allocated.
const BAD_PREFIXES: &[&str] = &["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

pub fn uk_nino(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'-')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let [a, b, d @ .., suffix] = compact.as_slice() else {
        return false;
    };
    if d.len() != 6 || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return false;
    }
    if matches!(a, b'D' | b'F' | b'I' | b'Q' | b'U' | b'V') {
        return false;
    }
    if matches!(b, b'D' | b'F' | b'I' | b'O' | b'Q' | b'U' | b'V') {
        return false;
    }
    let prefix = [*a, *b];
    if BAD_PREFIXES.iter().any(|p| p.as_bytes() == prefix) {
        return false;
    }
    matches!(suffix, b'A'..=b'D')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nino() {
        assert!(uk_nino("AB123456C"));
        assert!(uk_nino("JG 10 37 26 A"));
        assert!(!uk_nino("QQ123456C"));
        assert!(!uk_nino("AO123456C"));
        assert!(!uk_nino("GB123456A"));
        assert!(!uk_nino("AB123456E"));
        assert!(!uk_nino("AB12345C"));
        assert!(!uk_nino(""));
        assert!(!uk_nino("ÄB123456C"));
    }
}
