//! Masked evidence: enough shape to recognise what was found, never enough
//! to recover the value. Raw values never leave ferret.

/// Masks a matched value according to its label.
///
/// - emails keep the first character of the local part and of the domain,
///   and the top-level domain: `j***@e******.com`;
/// - payment cards keep the last four digits (as PCI DSS allows);
/// - credentials keep a recognisable prefix of at most four characters;
/// - dates of birth, gender and ethnicity keep nothing but separators (the
///   last characters of a date are the day, of a category the category);
/// - everything else keeps separators and the last two characters of a value
///   of eight or more characters, and nothing of a shorter one.
pub fn mask(label: &str, value: &str) -> String {
    let value = value.trim();
    match label {
        "EMAIL" => mask_email(value),
        "CREDIT_CARD" => mask_keep_last(value, 4),
        "PRIVATE_KEY" => "-----BEGIN *** PRIVATE KEY-----".to_string(),
        "DATE_OF_BIRTH" | "GENDER" | "ETHNICITY" => mask_keep_last(value, 0),
        l if is_credential(l) => {
            let keep = if value.chars().count() >= 12 { 4 } else { 0 };
            let prefix: String = value.chars().take(keep).collect();
            format!(
                "{prefix}{}",
                "*".repeat(value.chars().count().saturating_sub(keep).clamp(1, 16))
            )
        }
        _ => {
            let keep = if value.chars().count() >= 8 { 2 } else { 0 };
            mask_keep_last(value, keep)
        }
    }
}

fn is_credential(label: &str) -> bool {
    matches!(
        label,
        "AWS_ACCESS_KEY"
            | "GITHUB_TOKEN"
            | "JWT"
            | "API_KEY"
            | "SECRET"
            | "PASSWORD"
            | "CREDENTIAL"
    ) || label.ends_with("_TOKEN")
        || label.ends_with("_KEY")
        || label.ends_with("_SECRET")
}

fn mask_email(value: &str) -> String {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return mask_keep_last(value, 0);
    };
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let stars = |s: &str| "*".repeat(s.chars().count().saturating_sub(1).clamp(1, 8));
    let mut out = format!(
        "{}{}@{}{}",
        first(local),
        stars(local),
        first(host),
        stars(host)
    );
    if !tld.is_empty() {
        out.push('.');
        out.push_str(tld);
    }
    out
}

/// Alphanumerics become `*` except the last `keep` of them; separators stay.
fn mask_keep_last(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    // Never reveal more than a third of a value, however short.
    let keep = keep.min(total / 3);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > total.saturating_sub(keep) {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// `text` with every validated match of the pack masked: a last line of
/// defence for error messages and log lines, which should carry no values in
/// the first place.
pub fn redact(pack: &crate::detect::Pack, text: &str) -> String {
    // Credentials first (a message may quote a target URL), then values.
    let text = &crate::redact::credentials(text);
    let mut scratch = crate::detect::Scratch::default();
    let mut matches = Vec::new();
    pack.find(text, &mut scratch, &mut matches);
    matches.retain(|m| m.validated && !is_count(text, m.start, m.end));
    if matches.is_empty() {
        return text.to_string();
    }
    matches.sort_by_key(|m| m.start);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for m in matches {
        if m.start < pos {
            continue;
        }
        let label = &pack.detectors[m.detector].spec.label;
        out.push_str(text.get(pos..m.start).unwrap_or_default());
        out.push_str(&mask(label, text.get(m.start..m.end).unwrap_or_default()));
        pos = m.end;
    }
    out.push_str(text.get(pos..).unwrap_or_default());
    out
}

/// Units ferret writes after the numbers of its own messages.
const UNITS: [&str; 9] = [
    " bytes",
    " compressed bytes",
    " decompressed bytes",
    " rows",
    " columns",
    " values",
    " objects",
    " of ",
    " ms",
];

/// Whether `text[start..end]` is a count ferret wrote (`after 33554432 of
/// 5000046 compressed bytes`): bare digits followed by a unit. Masking it
/// hides nothing personal and makes the message useless.
fn is_count(text: &str, start: usize, end: usize) -> bool {
    let (Some(number), Some(after)) = (text.get(start..end), text.get(end..)) else {
        return false;
    };
    !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && UNITS.iter().any(|u| after.starts_with(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_label() {
        assert_eq!(
            mask("EMAIL", "jane.doe@example.com"),
            "j*******@e******.com"
        );
        assert_eq!(
            mask("CREDIT_CARD", "4111 1111 1111 1111"),
            "**** **** **** 1111"
        );
        assert_eq!(mask("US_SSN", "123-45-6789"), "***-**-**89");
        assert_eq!(
            mask("AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE"),
            "AKIA****************"
        );
        assert_eq!(mask("IP_ADDRESS", "10.1.2.3"), "**.*.*.3");
        assert_eq!(mask("PHONE", "+1 415"), "+* ***");
        assert_eq!(mask("EMAIL", "@"), "*@*");
        assert_eq!(mask("DATE_OF_BIRTH", "1985-03-12"), "****-**-**");
        assert_eq!(mask("GENDER", "female"), "******");
        assert_eq!(
            mask("SECRET", "password=Tr0ub4dor&3"),
            "pass****************"
        );
    }

    /// A number the pack validates (found by trying, so the test does not
    /// depend on which detector claims it) is masked in free text, but the
    /// byte counts of ferret's own messages are printed in clear.
    #[test]
    fn counts_in_messages_stay_clear_and_values_do_not() {
        let empty: [&str; 0] = [];
        let pack = crate::detect::Pack::load(&empty).expect("the built-in pack");
        let masked = |n: u64| {
            let t = format!("value {n} here");
            redact(&pack, &t) != t
        };
        let n = (10_000_000u64..10_200_000)
            .chain(100_000_000..100_200_000)
            .find(|&n| masked(n))
            .expect("some 8 or 9 digit number the pack masks");
        let message = format!("decompression stopped after {n} of {n} compressed bytes");
        assert_eq!(redact(&pack, &message), message);
        let rows = format!("{n} rows read");
        assert_eq!(redact(&pack, &rows), rows);
        assert!(masked(n));
    }

    #[test]
    fn never_returns_the_value() {
        for v in [
            "jane@example.org",
            "4111111111111111",
            "GB82WEST12345698765432",
            "x",
        ] {
            for label in ["EMAIL", "CREDIT_CARD", "IBAN", "JWT"] {
                assert_ne!(mask(label, v), v);
            }
        }
    }
}
