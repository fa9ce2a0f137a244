//! Email addresses: RFC 5321 length limits, a sane local part and a domain
//! under a real public suffix (the Public Suffix List, via `psl`).

pub fn email(s: &str) -> bool {
    let t = s.trim();
    let Some((local, domain)) = t.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.len() > 253 || domain.is_empty() {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return false;
    }
    if !local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
    {
        return false;
    }
    // Lower-cased on the stack (the list is lower-case; most domains are).
    let domain: smallvec::SmallVec<[u8; 64]> =
        domain.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let Ok(domain) = std::str::from_utf8(&domain) else {
        return false;
    };
    for label in domain.split('.') {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return false;
        }
    }
    // The TLD is never numeric (rules out `name@1.2.3.4`-like strings).
    if domain
        .rsplit('.')
        .next()
        .is_none_or(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    // There must be a registrable label in front of a listed public suffix.
    psl::domain(domain.as_bytes()).is_some_and(|d| d.suffix().is_known())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(email("jane.doe@example.com"));
        assert!(email("j.smith+news@mail.example.co.uk"));
        assert!(email("ANNA_B@Example.ORG"));
        assert!(email("x@sub.example.berlin"));
    }

    #[test]
    fn invalid() {
        assert!(!email("user@localhost"));
        assert!(!email("logo@2x.png"));
        assert!(!email("someone@example.notarealtld"));
        assert!(!email("a..b@example.com"));
        assert!(!email(".a@example.com"));
        assert!(!email("a@-example.com"));
        assert!(!email("a@co.uk"));
        assert!(!email("a@example"));
        assert!(!email("@example.com"));
        assert!(!email(""));
        assert!(!email("@"));
        assert!(!email("ü@ö.de"));
    }
}
