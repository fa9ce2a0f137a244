//! ISO 7064 MOD 97-10 arithmetic, shared by IBAN, French NIR and Belgian
//! national numbers.

/// The remainder mod 97 of a decimal digit sequence (values 0..=9), computed
/// incrementally so any length works.
pub fn mod97_digits(ds: &[u8]) -> u32 {
    ds.iter()
        .fold(0u32, |acc, &d| (acc * 10 + u32::from(d % 10)) % 97)
}

/// The remainder mod 97 of an alphanumeric string where letters count as
/// 10 (`A`) ..= 35 (`Z`), as in IBAN. `None` on any other character.
pub fn mod97_alnum(s: &str) -> Option<u32> {
    let mut acc: u32 = 0;
    for c in s.chars() {
        let v = c.to_digit(36)?;
        acc = if v < 10 {
            (acc * 10 + v) % 97
        } else {
            (acc * 100 + v) % 97
        };
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remainders() {
        assert_eq!(mod97_digits(&[1, 0, 0]), 3);
        assert_eq!(mod97_digits(&[]), 0);
        assert_eq!(mod97_alnum("A"), Some(10));
        assert_eq!(mod97_alnum("1A"), Some(110 % 97));
        assert_eq!(mod97_alnum("é"), None);
        assert_eq!(mod97_alnum(""), Some(0));
    }
}
