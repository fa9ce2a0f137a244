//! Keyed hashes and bottom-k sketches: the fingerprint of a column.
//!
//! Why keyed: a plain hash of an email can be reversed by hashing a
//! dictionary of emails; a hash under a secret key cannot, so a fingerprint
//! stored in an inventory reveals nothing to someone without the key.
//!
//! Why bottom-k over one shared hash (coordinated sampling): two independent
//! random row samples of two copies of a large column share almost no values,
//! but "the k smallest keyed hashes" picks the *same* values on both sides,
//! so the overlap of two sketches estimates the overlap of the columns
//! (Broder's MinHash / KMV). A value enters only when its hash falls below a
//! threshold: for PostgreSQL the threshold is pushed into SQL so the server
//! returns only the few hashes that can enter.
//!
//! The hash is the first 8 bytes (big-endian) of HMAC-SHA256 under a key
//! derived from the user's secret. HMAC is spelled out with two SHA-256 calls
//! ([`LineageKey::sql_pads`]) so PostgreSQL (11+, built-in `sha256`) computes
//! the very same hash without any extension.

use super::LineageError;
use crate::inventory::Sketch;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Hashes kept per sketch. The relative error of an overlap estimate from a
/// sample of n shared-region values is about 1/sqrt(n): 1,024 gives ~3%,
/// 8 KiB per sketch, and a pairwise comparison of ~2,000 steps.
pub const K: usize = 1024;

/// The method name written into fingerprints.
pub const METHOD: &str = "hmac-sha256-64/bottom-k";

/// Environment variable holding the lineage key when `--lineage-key-env` is not given.
pub const KEY_ENV: &str = "FERRET_LINEAGE_KEY";

/// The secret every fingerprint of a scan is made with.
#[derive(Clone)]
pub struct LineageKey {
    key: [u8; 32],
    mac: Hmac<Sha256>,
    id: String,
}

impl std::fmt::Debug for LineageKey {
    // Never print the key, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineageKey({})", self.id)
    }
}

impl LineageKey {
    /// A key from a user secret (at least 16 bytes). The HMAC key is
    /// SHA-256("ferret-lineage-v1" || secret), so secrets of any length give
    /// a 32-byte key that fits one SHA-256 block, as the SQL form needs.
    pub fn from_secret(secret: &[u8]) -> Result<Self, LineageError> {
        if secret.len() < 16 {
            return Err(LineageError::WeakKey);
        }
        let mut h = Sha256::new();
        h.update(b"ferret-lineage-v1");
        h.update(secret);
        let mut key = [0u8; 32];
        key.copy_from_slice(&h.finalize());
        Self::from_key(key)
    }

    /// A fresh random key: fingerprints of this scan compare only with each other.
    pub fn random() -> Result<Self, LineageError> {
        Self::from_key(rand::random::<[u8; 32]>())
    }

    fn from_key(key: [u8; 32]) -> Result<Self, LineageError> {
        let mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map_err(|_| LineageError::WeakKey)?;
        let mut idmac = mac.clone();
        idmac.update(b"ferret-key-id");
        let id = hex::encode(&idmac.finalize().into_bytes()[..8]);
        Ok(LineageKey { key, mac, id })
    }

    /// The public identifier of the key (safe to store).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The keyed 64-bit hash of a value.
    pub fn hash(&self, value: &[u8]) -> u64 {
        let mut m = self.mac.clone();
        m.update(value);
        let out = m.finalize().into_bytes();
        let mut b = [0u8; 8];
        b.copy_from_slice(&out[..8]);
        u64::from_be_bytes(b)
    }

    /// The inner and outer HMAC pad blocks (64 bytes each), so SQL can compute
    /// `sha256(opad || sha256(ipad || value))`, the same HMAC. They are key
    /// material: sent as bind parameters, never written anywhere by ferret.
    pub fn sql_pads(&self) -> (Vec<u8>, Vec<u8>) {
        let mut ipad = vec![0x36u8; 64];
        let mut opad = vec![0x5cu8; 64];
        for (i, b) in self.key.iter().enumerate() {
            ipad[i] ^= b;
            opad[i] ^= b;
        }
        (ipad, opad)
    }
}

/// The coordinated-sampling threshold for a column of about `rows` values:
/// the largest power of two 2^-m that still lets ~4k values in, so the k
/// smallest are among them and the server returns few rows. 1 (m = 0) when
/// the size is unknown or small.
pub fn threshold_shift(rows: Option<f64>) -> u32 {
    match rows {
        Some(n) if n > (4 * K) as f64 => ((n / (4 * K) as f64).log2().floor() as u32).min(40),
        _ => 0,
    }
}

/// The exclusive upper bound of hashes below threshold 2^-shift (`None`: all).
pub fn threshold_bound(shift: u32) -> Option<u64> {
    (shift > 0).then(|| 1u64 << (64 - shift))
}

/// How a value is written before hashing: a value made only of hex digits
/// (16 or more) is lower-cased, so `ABC…` and `abc…` digests match. The SQL
/// side applies the same rule (see `postgres::lineage_sketches`).
pub fn canonical(value: &str) -> std::borrow::Cow<'_, str> {
    if value.len() >= 16
        && value.bytes().all(|b| b.is_ascii_hexdigit())
        && value.bytes().any(|b| b.is_ascii_uppercase())
    {
        std::borrow::Cow::Owned(value.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// A lower-case hex digest of md5 (32), sha1 (40) or sha256 (64) length.
pub fn is_digest_hex(canonical: &str) -> bool {
    matches!(canonical.len(), 32 | 40 | 64)
        && canonical
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Normalisations applied before hashing a value for `derived` hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Norm {
    /// The value as it is.
    Plain,
    /// ASCII lower-case, spaces trimmed (emails).
    LowerTrim,
    /// Digits only (phones); empty results are skipped.
    Digits,
}

impl Norm {
    pub fn name(self) -> &'static str {
        match self {
            Norm::Plain => "plain",
            Norm::LowerTrim => "lower_trim",
            Norm::Digits => "digits",
        }
    }

    pub fn apply(self, v: &str) -> Option<String> {
        let out = match self {
            Norm::Plain => v.to_string(),
            Norm::LowerTrim => v.trim_matches(' ').to_ascii_lowercase(),
            Norm::Digits => v.chars().filter(char::is_ascii_digit).collect(),
        };
        (!out.is_empty()).then_some(out)
    }
}

/// Digest algorithms people pseudonymise identifiers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    Md5,
    Sha1,
    Sha256,
}

impl Algo {
    pub const ALL: [Algo; 3] = [Algo::Md5, Algo::Sha1, Algo::Sha256];

    pub fn name(self) -> &'static str {
        match self {
            Algo::Md5 => "md5",
            Algo::Sha1 => "sha1",
            Algo::Sha256 => "sha256",
        }
    }

    /// The lower-case hex digest of `v`.
    pub fn hex(self, v: &str) -> String {
        match self {
            Algo::Md5 => hex::encode(md5::Md5::digest(v.as_bytes())),
            Algo::Sha1 => hex::encode(sha1::Sha1::digest(v.as_bytes())),
            Algo::Sha256 => hex::encode(Sha256::digest(v.as_bytes())),
        }
    }
}

/// The normalisations worth trying for a column with these labels: emails
/// are hashed lower-cased and trimmed, phones as digits; anything else only
/// as it is. Empty: the column is not a `derived` source (labels outside
/// [`DERIVED_SOURCE_LABELS`]), which bounds the cost.
pub fn norms_for(labels: &BTreeSet<String>) -> Vec<Norm> {
    if !labels
        .iter()
        .any(|l| DERIVED_SOURCE_LABELS.contains(&l.as_str()))
    {
        return Vec::new();
    }
    let mut out = vec![Norm::Plain];
    if labels.contains("EMAIL") {
        out.push(Norm::LowerTrim);
    }
    if labels.contains("PHONE") {
        out.push(Norm::Digits);
    }
    out
}

/// Identifiers commonly pseudonymised by hashing (join keys across systems):
/// only columns with one of these labels get digest variants, each of which
/// costs a digest and a keyed hash per value.
pub const DERIVED_SOURCE_LABELS: &[&str] = &[
    "EMAIL",
    "PHONE",
    "US_SSN",
    "IBAN",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "PERSON_NAME",
];

/// The variant name of a digest of a normalised value (`md5:lower_trim`).
pub fn variant_name(algo: Algo, norm: Norm) -> String {
    format!("{}:{}", algo.name(), norm.name())
}

/// Bottom-k of distinct 64-bit hashes, below an optional threshold.
#[derive(Debug, Clone)]
pub struct BottomK {
    /// hash -> whether the value was a hex digest.
    kept: BTreeMap<u64, bool>,
    bound: Option<u64>,
    shift: u32,
}

impl BottomK {
    pub fn new(shift: u32) -> Self {
        BottomK {
            kept: BTreeMap::new(),
            bound: threshold_bound(shift),
            shift,
        }
    }

    /// Offers one hash; cheap when it cannot enter (one comparison).
    pub fn offer(&mut self, h: u64, digest: bool) {
        if self.bound.is_some_and(|b| h >= b) {
            return;
        }
        if self.kept.len() >= K {
            match self.kept.last_key_value() {
                Some((&max, _)) if h < max => {}
                _ => return,
            }
        }
        let e = self.kept.entry(h).or_insert(false);
        *e |= digest;
        if self.kept.len() > K {
            self.kept.pop_last();
        }
    }

    /// Share of kept values that were hex digests.
    pub fn digest_share(&self) -> f64 {
        if self.kept.is_empty() {
            return 0.0;
        }
        self.kept.values().filter(|&&d| d).count() as f64 / self.kept.len() as f64
    }

    pub fn into_sketch(self) -> Sketch {
        encode(self.shift, self.kept.keys().copied())
    }
}

/// A sketch from ascending hashes under threshold 2^-shift.
pub fn encode(shift: u32, hashes: impl Iterator<Item = u64>) -> Sketch {
    let mut bytes = Vec::new();
    let mut size = 0u32;
    for h in hashes {
        bytes.extend_from_slice(&h.to_be_bytes());
        size += 1;
    }
    Sketch {
        threshold: 2f64.powi(-(shift as i32)),
        size,
        hashes: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// A sketch read back for comparison.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Ascending, distinct.
    pub hashes: Vec<u64>,
    /// The sampled region: every value of the column whose hash is `<= tau`
    /// is in `hashes` (the k-th hash when the sketch is full, else just below
    /// the threshold).
    pub tau: u64,
}

impl Decoded {
    pub fn from_sketch(s: &Sketch, k: u32) -> Result<Decoded, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s.hashes.as_bytes())
            .map_err(|e| format!("hashes are not base64: {e}"))?;
        if bytes.len() % 8 != 0 || bytes.len() / 8 != s.size as usize {
            return Err(format!(
                "{} bytes of hashes for size {}",
                bytes.len(),
                s.size
            ));
        }
        let hashes: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b.copy_from_slice(c);
                u64::from_be_bytes(b)
            })
            .collect();
        if hashes.windows(2).any(|w| w[0] >= w[1]) {
            return Err("hashes are not strictly ascending".into());
        }
        if !(s.threshold > 0.0 && s.threshold <= 1.0) {
            return Err(format!("threshold {} is not in (0, 1]", s.threshold));
        }
        let bound = if s.threshold >= 1.0 {
            u64::MAX
        } else {
            // An exact power of two by construction; rounding keeps others sane.
            ((s.threshold * 18_446_744_073_709_551_616.0) as u64).saturating_sub(1)
        };
        let tau = match hashes.last() {
            Some(&last) if hashes.len() >= k as usize => last.min(bound),
            _ => bound,
        };
        Ok(Decoded { hashes, tau })
    }

    /// Distinct values of the column, estimated: exact below the k limit,
    /// else the KMV estimator (k - 1) / tau.
    pub fn distinct_estimate(&self, k: u32) -> f64 {
        let share = (self.tau as f64 + 1.0) / 18_446_744_073_709_551_616.0;
        if self.hashes.len() >= k as usize {
            (self.hashes.len() as f64 - 1.0) / share
        } else {
            self.hashes.len() as f64 / share
        }
    }
}

/// Overlap of two sketches within their common sampled region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overlap {
    /// Values of A (B) in the region.
    pub n_a: usize,
    pub n_b: usize,
    pub shared: usize,
}

impl Overlap {
    /// Estimated Jaccard similarity of the two value sets.
    pub fn jaccard(&self) -> f64 {
        let union = self.n_a + self.n_b - self.shared;
        if union == 0 {
            0.0
        } else {
            self.shared as f64 / union as f64
        }
    }

    /// Estimated share of A's values also in B.
    pub fn a_in_b(&self) -> f64 {
        ratio(self.shared, self.n_a)
    }

    /// Estimated share of B's values also in A.
    pub fn b_in_a(&self) -> f64 {
        ratio(self.shared, self.n_b)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Compares two sketches by a sorted merge over the region both sampled
/// completely (hashes `<= min(tau_a, tau_b)`): within it both sides hold
/// every one of their values, so counts there are exact for a hash-chosen
/// random subset of the value universe.
pub fn compare(a: &Decoded, b: &Decoded) -> Overlap {
    let tau = a.tau.min(b.tau);
    let (mut i, mut j) = (0, 0);
    let (mut n_a, mut n_b, mut shared) = (0, 0, 0);
    let (ha, hb) = (&a.hashes, &b.hashes);
    loop {
        let x = ha.get(i).copied().filter(|&h| h <= tau);
        let y = hb.get(j).copied().filter(|&h| h <= tau);
        match (x, y) {
            (None, None) => break,
            (Some(_), None) => {
                n_a += 1;
                i += 1;
            }
            (None, Some(_)) => {
                n_b += 1;
                j += 1;
            }
            (Some(x), Some(y)) => {
                if x == y {
                    shared += 1;
                    n_a += 1;
                    n_b += 1;
                    i += 1;
                    j += 1;
                } else if x < y {
                    n_a += 1;
                    i += 1;
                } else {
                    n_b += 1;
                    j += 1;
                }
            }
        }
    }
    Overlap { n_a, n_b, shared }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LineageKey {
        LineageKey::from_secret(b"a test secret of enough bytes").unwrap()
    }

    #[test]
    fn sql_pads_spell_the_same_hmac() {
        let k = key();
        let (ipad, opad) = k.sql_pads();
        let inner = Sha256::new()
            .chain_update(&ipad)
            .chain_update(b"x@y.z")
            .finalize();
        let outer = Sha256::new()
            .chain_update(&opad)
            .chain_update(inner)
            .finalize();
        let mut b = [0u8; 8];
        b.copy_from_slice(&outer[..8]);
        assert_eq!(u64::from_be_bytes(b), k.hash(b"x@y.z"));
    }

    #[test]
    fn keys_differ_in_hashes_and_ids() {
        let a = key();
        let b = LineageKey::from_secret(b"another secret of enough bytes").unwrap();
        assert_ne!(a.hash(b"v"), b.hash(b"v"));
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().len(), 16);
        assert!(LineageKey::from_secret(b"short").is_err());
        assert!(!format!("{a:?}").contains("secret"));
    }

    #[test]
    fn sketches_estimate_overlap_of_large_sets() {
        let k = key();
        let mut a = BottomK::new(0);
        let mut b = BottomK::new(0);
        for i in 0..100_000u32 {
            a.offer(k.hash(format!("v{i}").as_bytes()), false);
            // B: a 10% subset of A plus as many values of its own.
            if i % 10 == 0 {
                b.offer(k.hash(format!("v{i}").as_bytes()), false);
                b.offer(k.hash(format!("w{i}").as_bytes()), false);
            }
        }
        let (a, b) = (a.into_sketch(), b.into_sketch());
        let a = Decoded::from_sketch(&a, K as u32).unwrap();
        let b = Decoded::from_sketch(&b, K as u32).unwrap();
        let o = compare(&a, &b);
        assert!((o.b_in_a() - 0.5).abs() < 0.15, "{o:?}");
        assert!((o.a_in_b() - 0.1).abs() < 0.05, "{o:?}");
        let d = a.distinct_estimate(K as u32);
        assert!((d - 100_000.0).abs() < 10_000.0, "{d}");
    }

    #[test]
    fn thresholds_cut_the_hash_space() {
        assert_eq!(threshold_shift(None), 0);
        assert_eq!(threshold_shift(Some(1000.0)), 0);
        assert_eq!(threshold_shift(Some(1_000_000.0)), 7);
        let mut s = BottomK::new(7);
        s.offer(u64::MAX, false);
        s.offer(1, true);
        assert!((s.digest_share() - 1.0).abs() < 1e-9);
        let d = Decoded::from_sketch(&s.into_sketch(), K as u32).unwrap();
        assert_eq!(d.hashes, vec![1]);
        assert_eq!(d.tau, (1u64 << 57) - 1);
    }

    #[test]
    fn normalisations_and_digests() {
        assert_eq!(
            Norm::LowerTrim.apply(" A@B.com ").as_deref(),
            Some("a@b.com")
        );
        assert_eq!(
            Norm::Digits.apply("+1 (212) 555-0100").as_deref(),
            Some("12125550100")
        );
        assert_eq!(Norm::Digits.apply("none"), None);
        assert_eq!(Algo::Md5.hex("a"), "0cc175b9c0f1b6a831c399e269772661");
        assert!(is_digest_hex(&canonical(
            &Algo::Sha1.hex("a").to_uppercase()
        )));
        assert!(!is_digest_hex("user@example.com"));
    }
}
