//! GitHub (and npm) tokens with the 2021 format: prefix, 30 random base62
//! characters, and a 6-character base62 encoding of the CRC32 of the random
//! part.

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_decode(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0u64, |acc, &b| {
        let v = BASE62.iter().position(|&c| c == b)? as u64;
        acc.checked_mul(62)?.checked_add(v)
    })
}

/// Checks `body` = 30 random chars + 6 checksum chars.
fn crc_ok(body: &str) -> bool {
    let b = body.as_bytes();
    if b.len() != 36 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (random, check) = b.split_at(30);
    // Placeholders such as ghp_xxxxxxxx... or ghp_000000...
    if random.iter().all(|&c| Some(&c) == random.first()) {
        return false;
    }
    base62_decode(check) == Some(u64::from(crc32fast::hash(random)))
}

/// `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` tokens.
pub fn github_token(s: &str) -> bool {
    let t = s.trim();
    let Some(body) = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
    else {
        return false;
    };
    crc_ok(body)
}

/// `npm_` access tokens (same checksum scheme).
pub fn npm_token(s: &str) -> bool {
    s.trim().strip_prefix("npm_").is_some_and(crc_ok)
}

#[cfg(test)]
pub(crate) fn make(prefix: &str, random: &str) -> String {
    let mut n = u64::from(crc32fast::hash(random.as_bytes()));
    let mut check = [b'0'; 6];
    for slot in check.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    format!("{prefix}{random}{}", String::from_utf8_lossy(&check))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: &str = "Zq8vT3kLm2Xw9RbYc4NdPf7HsJ1gAe";

    #[test]
    fn valid() {
        let t = make("ghp_", RANDOM);
        assert!(github_token(&t), "{t}");
        assert!(github_token(&make("ghs_", RANDOM)));
        assert!(npm_token(&make("npm_", RANDOM)));
    }

    #[test]
    fn invalid() {
        let mut t = make("ghp_", RANDOM);
        t.pop();
        t.push('!');
        assert!(!github_token(&t));
        assert!(!github_token(&make("ghx_", RANDOM)));
        assert!(!github_token("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!github_token("ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        assert!(!npm_token(&make("ghp_", RANDOM)));
        assert!(!github_token(""));
        assert!(!github_token("ghp_"));
        assert!(!github_token("ghp_ééééééééééééééééééé"));
    }
}
