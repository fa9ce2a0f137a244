//! Checksum and structural validators, one family per file, named from the
//! detector TOML (`validator = "luhn"`).
//!
//! A validator gets the matched text exactly as the pattern matched it
//! (separators included) and says whether it is a plausible real value.
//! Validators never panic, whatever the input.

// Family modules are declared here and listed in `VALIDATORS` below.

/// How much a passing validator tells us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidatorKind {
    /// A check digit or checksum: random look-alikes fail with high probability.
    Checksum,
    /// Structure beyond the regex (ranges, parse, known prefixes, TLD list).
    Structural,
}

impl ValidatorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ValidatorKind::Checksum => "checksum",
            ValidatorKind::Structural => "structural",
        }
    }
}

pub struct Validator {
    pub name: &'static str,
    pub kind: ValidatorKind,
    pub check: fn(&str) -> bool,
}

/// Every validator a detector may name.
pub static VALIDATORS: &[Validator] = &[];

pub fn lookup(name: &str) -> Option<&'static Validator> {
    VALIDATORS.iter().find(|v| v.name == name)
}

/// The ASCII digits of `s`, in order (separators dropped).
pub fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}
