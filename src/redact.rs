//! The one redaction of credentials in target strings.
//!
//! Every string that names a target (a URL, a path, a libpq keyword string)
//! and reaches an output, a log line, an error, a progress line, the
//! findings stream, the state file, a metric or a `check-config` message
//! goes through [`credentials`] first. It knows no scheme in particular, so
//! a target of a kind added later is covered too, and it errs towards
//! hiding: a user name or a path that looks like a secret is masked rather
//! than a secret shown.
//!
//! What it hides, as `***`:
//! - the user-info of every `scheme://` URL: the password (the user name of
//!   database URLs is kept: it is needed to tell roles apart, and is no
//!   secret), all of it for other schemes (`s3://KEY:SECRET@bucket/`,
//!   `https://TOKEN@host/`). The user-info runs to the *last* `@`, so a
//!   password holding an unescaped `/`, `?`, `#` or `@` is hidden whole;
//! - the value of every `key=value` whose key carries a secret (`password`,
//!   `sslpassword`, `token`, `secret`, `*key`, `X-Amz-Signature`,
//!   `X-Amz-Credential`, ...), in a query string (`?a=b&password=...`) and
//!   in a libpq keyword string (`host=db password='x y'`) alike, and an
//!   `options` value that mentions a password.
//!
//! It works on free text too (an error message quoting a URL), so a
//! library's message that echoes its input can be passed through it.

/// `text` with every credential in it replaced by `***`.
pub fn credentials(text: &str) -> String {
    keywords(&user_info(text))
}

/// Schemes whose URLs carry a user name worth keeping (a database role).
const ROLE_SCHEMES: [&str; 4] = ["postgres", "postgresql", "mysql", "mariadb"];

/// Characters that end a URL embedded in a message.
fn ends_url(c: char) -> bool {
    matches!(c, '"' | '\'' | '`' | '<' | '>' | '\n' | '\r')
}

/// Masks the user-info of every `scheme://` URL in `text`.
fn user_info(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(sep) = rest.find("://") {
        let (before, after) = (&rest[..sep], &rest[sep + 3..]);
        out.push_str(before);
        out.push_str("://");
        let scheme: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let url_end = after.find(ends_url).unwrap_or(after.len());
        let url = &after[..url_end];
        // The next URL in the text, if any, is not part of this one.
        let url = url.find("://").map_or(url, |next| {
            let cut = url[..next]
                .rfind(|c: char| c.is_whitespace())
                .unwrap_or(next);
            &url[..cut]
        });
        let authority_end = url.find(['/', '?', '#']).unwrap_or(url.len());
        let userinfo = url
            .rfind('@')
            .filter(|&at| at < authority_end || url[..at].contains(':'));
        match userinfo {
            Some(at) => {
                let info = &url[..at];
                let keep_user = ROLE_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(&scheme));
                let user = info.split_once(':').map_or(info, |(u, _)| u);
                let user_is_plain = !user.contains(['/', '?', '#', '@']) && !user.is_empty();
                if keep_user && user_is_plain && !info.contains(':') {
                    out.push_str(info);
                    out.push('@');
                } else if keep_user && user_is_plain {
                    out.push_str(user);
                    out.push_str(":***@");
                } else {
                    out.push_str("***@");
                }
                out.push_str(&url[at + 1..]);
            }
            None => out.push_str(url),
        }
        rest = &after[url.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether a `key=value` key names a secret.
fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    const PARTS: [&str; 9] = [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "signature",
        "credential",
        "apikey",
        "auth",
    ];
    PARTS.iter().any(|p| k.contains(p))
        || k.ends_with("key")
        || k == "pass"
        || k == "sig"
        || k == "passphrase"
}

/// Masks the value of every secret-carrying `key=value` in `text`, bare or
/// single-quoted (libpq style, with `\'` escapes).
fn keywords(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        // The key: the word right before '=' (spaces allowed around it).
        let mut key_end = i;
        while key_end > 0 && bytes[key_end - 1] == b' ' {
            key_end -= 1;
        }
        let mut key_start = key_end;
        while key_start > 0
            && (bytes[key_start - 1].is_ascii_alphanumeric()
                || matches!(bytes[key_start - 1], b'_' | b'-' | b'.'))
        {
            key_start -= 1;
        }
        let key = &text[key_start..key_end];
        let starts_word = key_start == 0
            || matches!(
                bytes[key_start - 1],
                b' ' | b'\t' | b'\n' | b'?' | b'&' | b';' | b'(' | b'"' | b'\'' | b','
            );
        let mut value_start = i + 1;
        while value_start < bytes.len() && bytes[value_start] == b' ' {
            value_start += 1;
        }
        let value_end = value_end(bytes, value_start);
        let value = &text[value_start..value_end];
        let hide = starts_word
            && !key.is_empty()
            && (secret_key(key) || (key.eq_ignore_ascii_case("options") && mentions_secret(value)));
        if hide && !value.is_empty() {
            out.push_str(&text[copied..value_start]);
            out.push_str("***");
            copied = value_end;
            i = value_end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a value starting at `start` ends: the closing quote of a quoted
/// value, else whitespace, `&`, `#` or a quote.
fn value_end(bytes: &[u8], start: usize) -> usize {
    if bytes.get(start) == Some(&b'\'') {
        let mut j = start + 1;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 2,
                b'\'' => return j + 1,
                _ => j += 1,
            }
        }
        return bytes.len();
    }
    let mut j = start;
    while j < bytes.len() && !matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r' | b'&' | b'#' | b'"')
    {
        j += 1;
    }
    j
}

/// An `options` value (`-c password=...`, percent-encoded or not) that
/// mentions a secret.
fn mentions_secret(value: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
    let lower = decoded.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "key"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Whether `name` can be an environment variable's name (letters, digits
/// and `_`, not starting with a digit). A value that is not is most likely
/// the secret itself pasted where its variable's name belongs, and must
/// never be echoed.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 255
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, secret that must not survive, what must be kept).
    const CASES: &[(&str, &str, &str)] = &[
        (
            "postgres://alice:s3cr3t@db.internal:5432/app",
            "s3cr3t",
            "postgres://alice:***@db.internal:5432/app",
        ),
        (
            "postgres://alice:pa/ss?wo#rd@db:5432/app",
            "pa/ss?wo#rd",
            "postgres://alice:***@db:5432/app",
        ),
        (
            "postgresql://alice:p@ss@db/app",
            "p@ss",
            "postgresql://alice:***@db/app",
        ),
        (
            "s3://AKIAEXAMPLEKEY:wJalr/XUtnFEMI+K7MDENG@bucket/prefix/",
            "wJalr/XUtnFEMI",
            "s3://***@bucket/prefix/",
        ),
        (
            "s3://AKIAEXAMPLEKEY:wJalrXUtnFEMI@bucket/prefix/",
            "AKIAEXAMPLEKEY",
            "s3://***@bucket/prefix/",
        ),
        (
            "https://ghp_tokenvalue123@example.com/x",
            "ghp_tokenvalue123",
            "https://***@example.com/x",
        ),
        (
            "postgres://u@db/app?sslmode=require&sslpassword=hunter2&password=other",
            "hunter2",
            "postgres://u@db/app?sslmode=require&sslpassword=***&password=***",
        ),
        (
            "postgres://u@db/app?options=-c%20password%3Dquux",
            "quux",
            "postgres://u@db/app?options=***",
        ),
        (
            "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIAXYZ%2F2024&X-Amz-Signature=abcdef0123",
            "abcdef0123",
            "X-Amz-Algorithm=AWS4&X-Amz-Credential=***&X-Amz-Signature=***",
        ),
        (
            "host=db.internal port=5432 user=alice password=sw0rdfish dbname=app",
            "sw0rdfish",
            "host=db.internal port=5432 user=alice password=*** dbname=app",
        ),
        (
            "host=db password = 'a \\' secret' dbname=app",
            "secret",
            "host=db password = *** dbname=app",
        ),
        (
            "host=db options='-c password=inner' dbname=app",
            "inner",
            "dbname=app",
        ),
        (
            "cannot scan \"postgres://bob:tr0ub4dor@db/app\": bad port",
            "tr0ub4dor",
            "\"postgres://bob:***@db/app\": bad port",
        ),
        (
            "weird://everything:between@here",
            "between",
            "weird://***@here",
        ),
    ];

    #[test]
    fn every_shape_of_secret_is_hidden() {
        for (input, secret, kept) in CASES {
            let shown = credentials(input);
            assert!(!shown.contains(secret), "{input} -> {shown}");
            assert!(shown.contains(kept), "{input} -> {shown} (wanted {kept})");
        }
    }

    #[test]
    fn what_holds_no_secret_is_unchanged() {
        for s in [
            "postgres://bob@h:5432/db",
            "postgres://h/db?sslmode=verify-full&application_name=x",
            "s3://lake/events/dt=2024-01-01/",
            "s3://lake/users/a@b.com/",
            "fixtures/demo",
            "data/password=x/part-0.csv",
            "sqlite:///var/app.db",
            "file:///tmp/monkey key/x",
            "after 33554432 of 46 compressed bytes",
        ] {
            assert_eq!(credentials(s), s);
        }
    }

    #[test]
    fn env_names() {
        assert!(is_env_name("APP_DB_PASSWORD"));
        assert!(is_env_name("_x1"));
        assert!(!is_env_name("hunter2!"));
        assert!(!is_env_name("1ABC"));
        assert!(!is_env_name(""));
        assert!(!is_env_name("pass word"));
    }
}
