//! Bitcoin addresses: legacy Base58Check (P2PKH `1...`, P2SH `3...`,
//! double-SHA-256 checksum) and SegWit Bech32/Bech32m (`bc1...`, BIP-173/350).

use sha2::{Digest, Sha256};

const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58_decode(s: &str) -> Option<Vec<u8>> {
    let mut bytes: Vec<u8> = Vec::with_capacity(32);
    for c in s.bytes() {
        let mut carry = B58.iter().position(|&x| x == c)? as u32;
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    bytes.extend(std::iter::repeat_n(0u8, zeros));
    bytes.reverse();
    Some(bytes)
}

/// P2PKH (version 0x00) or P2SH (0x05) with a valid 4-byte checksum.
pub fn bitcoin_base58(s: &str) -> bool {
    let t = s.trim();
    if !(25..=35).contains(&t.len()) {
        return false;
    }
    let Some(raw) = base58_decode(t) else {
        return false;
    };
    if raw.len() != 25 || !matches!(raw.first(), Some(0x00 | 0x05)) {
        return false;
    }
    let (payload, check) = raw.split_at(21);
    let first = Sha256::digest(payload);
    let second = Sha256::digest(first);
    second.get(..4) == Some(check)
}

const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// `bc1` SegWit address: Bech32 for witness v0, Bech32m for v1+, program
/// length rules of BIP-141.
pub fn bitcoin_bech32(s: &str) -> bool {
    let t = s.trim();
    if !(14..=90).contains(&t.len()) || !t.is_ascii() {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if t != lower && t != t.to_ascii_uppercase() {
        return false; // mixed case is invalid
    }
    let Some((hrp, data)) = lower.rsplit_once('1') else {
        return false;
    };
    if hrp != "bc" || data.len() < 7 {
        return false;
    }
    let Some(values) = data
        .bytes()
        .map(|c| CHARSET.iter().position(|&x| x == c).map(|p| p as u8))
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut exp: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    exp.push(0);
    exp.extend(hrp.bytes().map(|b| b & 31));
    exp.extend_from_slice(&values);
    let pm = polymod(&exp);
    let Some(&version) = values.first() else {
        return false;
    };
    let expected = if version == 0 { 1 } else { 0x2bc830a3 };
    if pm != expected || version > 16 {
        return false;
    }
    // Witness program: 5-bit groups to bytes, minus the version and checksum.
    let prog5 = values.get(1..values.len().saturating_sub(6)).unwrap_or(&[]);
    let bits = prog5.len() * 5;
    let prog_len = bits / 8;
    if bits % 8 > 4 {
        return false;
    }
    if version == 0 {
        prog_len == 20 || prog_len == 32
    } else {
        (2..=40).contains(&prog_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58() {
        assert!(bitcoin_base58("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
        assert!(bitcoin_base58("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"));
        assert!(!bitcoin_base58("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3"));
        assert!(!bitcoin_base58("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0"));
        assert!(!bitcoin_base58(""));
        assert!(!bitcoin_base58("11111111111111111111111111"));
        assert!(!bitcoin_base58("ééééééééééééééééééééééééé"));
    }

    #[test]
    fn bech32() {
        assert!(bitcoin_bech32("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        assert!(bitcoin_bech32("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"));
        assert!(bitcoin_bech32(
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"
        ));
        assert!(!bitcoin_bech32(
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"
        ));
        assert!(!bitcoin_bech32(
            "bc1Qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        ));
        assert!(!bitcoin_bech32(
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
        ));
        assert!(!bitcoin_bech32(""));
        assert!(!bitcoin_bech32("bc1"));
        assert!(!bitcoin_bech32("bc1ééééééééééééééé"));
    }
}
