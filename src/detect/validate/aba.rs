//! US ABA routing transit number: 9 digits, 3-7-1 weighted checksum, and a
//! Federal Reserve prefix in a valid range.

use super::digits;

/// Valid first-two-digit ranges: 01-12 (banks), 21-32 (thrift institutions),
/// 61-72 (electronic), 80 (traveller's cheques). 00 (US government) is not
/// accepted: it is not a bank account routing number.
fn valid_prefix(p: u8) -> bool {
    matches!(p, 1..=12 | 21..=32 | 61..=72 | 80)
}

pub fn aba_routing(s: &str) -> bool {
    let ds = digits(s);
    if ds.len() != 9 {
        return false;
    }
    let (Some(&a), Some(&b)) = (ds.first(), ds.get(1)) else {
        return false;
    };
    if !valid_prefix(a * 10 + b) {
        return false;
    }
    let w = [3u32, 7, 1];
    let sum: u32 = ds
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * w[i % 3])
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing() {
        assert!(aba_routing("011000015"));
        assert!(aba_routing("021000021"));
        assert!(aba_routing("0110-0001-5"));
        assert!(!aba_routing("011000016"));
        assert!(!aba_routing("131000013")); // prefix 13
        assert!(!aba_routing("000000000"));
        assert!(!aba_routing(""));
        assert!(!aba_routing("日本"));
    }
}
