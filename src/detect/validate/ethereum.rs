//! Ethereum addresses: `0x` + 40 hex digits. Mixed-case addresses carry the
//! EIP-55 checksum (Keccak-256 of the lowercase hex), which is verified;
//! single-case addresses have no checksum and only pass structural checks.

const RC: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808a,
    0x8000000080008000,
    0x000000000000808b,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008a,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000a,
    0x000000008000808b,
    0x800000000000008b,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800a,
    0x800000008000000a,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];
const ROT: [u32; 25] = [
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

fn keccak_f(a: &mut [u64; 25]) {
    for rc in RC {
        // theta
        let mut c = [0u64; 5];
        for (x, cx) in c.iter_mut().enumerate() {
            *cx = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x + 5 * y] ^= d;
            }
        }
        // rho and pi
        let mut b = [0u64; 25];
        for x in 0..5 {
            for y in 0..5 {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(ROT[x + 5 * y]);
            }
        }
        // chi
        for x in 0..5 {
            for y in 0..5 {
                a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        // iota
        a[0] ^= rc;
    }
}

/// Keccak-256 (the original padding used by Ethereum, not SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    const RATE: usize = 136;
    let mut state = [0u64; 25];
    let mut padded = data.to_vec();
    padded.push(0x01);
    while !padded.len().is_multiple_of(RATE) {
        padded.push(0);
    }
    if let Some(last) = padded.last_mut() {
        *last |= 0x80;
    }
    for block in padded.chunks(RATE) {
        for (i, lane) in block.chunks(8).enumerate() {
            let mut buf = [0u8; 8];
            buf[..lane.len()].copy_from_slice(lane);
            state[i] ^= u64::from_le_bytes(buf);
        }
        keccak_f(&mut state);
    }
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&state[i].to_le_bytes());
    }
    out
}

pub fn ethereum_address(s: &str) -> bool {
    let t = s.trim();
    let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) else {
        return false;
    };
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let lower = hex.to_ascii_lowercase();
    // The zero address and low-entropy fillers are not accounts.
    let distinct = {
        let mut seen = [false; 16];
        for b in lower.bytes() {
            if let Some(x) = char::from(b)
                .to_digit(16)
                .and_then(|v| seen.get_mut(v as usize))
            {
                *x = true;
            }
        }
        seen.iter().filter(|&&x| x).count()
    };
    if distinct < 6 {
        return false;
    }
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    if !(has_upper && has_lower) {
        return true;
    }
    // EIP-55: letter i is uppercase iff nibble i of keccak(lowercase) >= 8.
    let hash = keccak256(lower.as_bytes());
    hex.bytes().enumerate().all(|(i, b)| {
        if b.is_ascii_digit() {
            return true;
        }
        let Some(&byte) = hash.get(i / 2) else {
            return false;
        };
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        (nibble >= 8) == b.is_ascii_uppercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_vectors() {
        let empty = keccak256(b"");
        assert_eq!(
            hex::encode(empty),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        let long = vec![b'a'; 300];
        assert_eq!(keccak256(&long).len(), 32);
    }

    #[test]
    fn eip55() {
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert!(ethereum_address(a), "{a}");
        }
        assert!(ethereum_address(
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
        ));
    }

    #[test]
    fn invalid() {
        assert!(!ethereum_address(
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
        ));
        assert!(!ethereum_address(
            "0x0000000000000000000000000000000000000000"
        ));
        assert!(!ethereum_address(
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea"
        ));
        assert!(!ethereum_address(
            "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
        ));
        assert!(!ethereum_address(""));
        assert!(!ethereum_address(
            "0xéééééééééééééééééééééééééééééééééééééééé"
        ));
    }
}
