//! AWS access key ids: a known four-letter resource prefix and 16 base32
//! characters; documentation placeholders are rejected.

const PREFIXES: &[&str] = &[
    "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA",
];

pub fn aws_access_key(s: &str) -> bool {
    let t = s.trim();
    if t.len() != 20 || !PREFIXES.iter().any(|p| t.starts_with(p)) {
        return false;
    }
    let Some(body) = t.get(4..) else {
        return false;
    };
    if !body
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    {
        return false;
    }
    // AWS documentation keys (AKIAIOSFODNN7EXAMPLE) and obvious fillers.
    if body.contains("EXAMPLE") || body.contains("XXXX") || body.contains("AAAAAA") {
        return false;
    }
    // A random base32 body has several distinct characters.
    let mut seen = [false; 256];
    for b in body.bytes() {
        if let Some(x) = seen.get_mut(usize::from(b)) {
            *x = true;
        }
    }
    seen.iter().filter(|&&x| x).count() >= 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(aws_access_key("AKIAQX4BZK7NW2LRT6GM"));
        assert!(aws_access_key("ASIAY3VHMPD5KQ2TXW7J"));
        assert!(!aws_access_key("AKIAIOSFODNN7EXAMPLE"));
        assert!(!aws_access_key("AKIAXXXXXXXXXXXXXXXX"));
        assert!(!aws_access_key("AKIAQX4BZK7NW2LRT6G1")); // 1 is not base32
        assert!(!aws_access_key("ABCDQX4BZK7NW2LRT6GM"));
        assert!(!aws_access_key("AKIAQX4BZK7NW2LRT6G"));
        assert!(!aws_access_key(""));
        assert!(!aws_access_key("AKIAÉÉÉÉÉÉÉÉ"));
    }
}
