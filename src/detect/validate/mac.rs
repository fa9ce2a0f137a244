//! MAC addresses in colon, dash or dot (Cisco) form. All-zero, broadcast
//! and multicast (group bit set) addresses are not device identifiers.

pub fn mac_address(s: &str) -> bool {
    let t = s.trim();
    let colon = t.split(':').count() == 6;
    let dash = t.split('-').count() == 6;
    let dot = t.split('.').count() == 3;
    if !(colon || dash || dot) {
        return false;
    }
    let hex: Vec<u8> = t
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .map(|c| c.to_digit(16).map(|v| v as u8))
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_default();
    if hex.len() != 12 {
        return false;
    }
    // Mixed separators are not a MAC address.
    let seps = t.chars().filter(|c| matches!(c, ':' | '-' | '.')).count();
    let expected = if dot { 2 } else { 5 };
    if seps != expected {
        return false;
    }
    if hex.iter().all(|&h| h == 0) || hex.iter().all(|&h| h == 15) {
        return false;
    }
    // Group (multicast) bit: least significant bit of the first octet.
    let second_nibble = hex.get(1).copied().unwrap_or(0);
    second_nibble & 1 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        assert!(mac_address("00:1A:2B:3C:4D:5E"));
        assert!(mac_address("a4-5e-60-c2-19-0b"));
        assert!(mac_address("001a.2b3c.4d5e"));
    }

    #[test]
    fn invalid() {
        assert!(!mac_address("00:00:00:00:00:00"));
        assert!(!mac_address("FF:FF:FF:FF:FF:FF"));
        assert!(!mac_address("01:00:5e:00:00:fb"));
        assert!(!mac_address("00:1A:2B-3C:4D:5E"));
        assert!(!mac_address("00:1A:2B:3C:4D"));
        assert!(!mac_address("00:1G:2B:3C:4D:5E"));
        assert!(!mac_address(""));
        assert!(!mac_address("ä:ö:ü:ä:ö:ü"));
    }
}
