//! URLs with embedded credentials (`scheme://user:password@host`), rejecting
//! templated or placeholder passwords.

const PLACEHOLDERS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "changeme_placeholder",
    "your_password",
    "yourpassword",
    "mypassword",
    "xxx",
    "xxxx",
    "xxxxx",
    "xxxxxx",
    "xxxxxxxx",
    "***",
    "****",
    "*****",
    "******",
    "********",
    "redacted",
    "hidden",
    "dummy",
    "example",
    "placeholder",
];

fn placeholder(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    if PLACEHOLDERS.contains(&lower.as_str()) {
        return true;
    }
    // Templates: ${VAR}, $VAR, {{var}}, <password>, %s, %(pw)s, [password]
    lower.starts_with('$')
        || lower.starts_with('{')
        || lower.starts_with('<')
        || lower.starts_with('[')
        || lower.starts_with('%')
        || lower.chars().all(|c| c == '*' || c == 'x' || c == '.')
}

pub fn url_credentials(s: &str) -> bool {
    let t = s.trim();
    let Some((scheme, rest)) = t.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
    {
        return false;
    }
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return false;
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return false;
    };
    if user.is_empty()
        || password.is_empty()
        || placeholder(password)
        || user.starts_with(['$', '{'])
    {
        return false;
    }
    let host = host.split(['/', ':', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(url_credentials(
            "postgres://app:S3cr3t-Pw@db.internal:5432/prod"
        ));
        assert!(url_credentials(
            "https://deploy:hunter2x@git.example.com/repo.git"
        ));
        assert!(!url_credentials("postgres://user:password@localhost/db"));
        assert!(!url_credentials("postgres://user:${DB_PASSWORD}@db/app"));
        assert!(!url_credentials("https://user:****@example.com"));
        assert!(!url_credentials("https://example.com/path"));
        assert!(!url_credentials("mailto:jane@example.com"));
        assert!(!url_credentials("https://user@example.com"));
        assert!(!url_credentials(""));
        assert!(!url_credentials("://:@"));
        assert!(!url_credentials("é://é:é@é"));
    }
}
