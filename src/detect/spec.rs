//! Detector definitions as data: the TOML format of `detectors/*.toml`.

use serde::{Deserialize, Serialize};

/// How sensitive the data a detector finds is. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    Low,
    Medium,
    High,
}

impl Sensitivity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Sensitivity::Low => "low",
            Sensitivity::Medium => "medium",
            Sensitivity::High => "high",
        }
    }
}

/// One `[[detector]]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    /// Stable id used in outputs (`credit_card`, `iban`, ...).
    pub id: String,
    /// Taxonomy label (`CREDIT_CARD`); must exist in `detectors/taxonomy.toml`.
    pub label: String,
    pub sensitivity: Sensitivity,
    /// One line on what it finds.
    #[serde(default)]
    pub description: String,
    /// Regex over a value or free text. Word boundaries are the pattern's job.
    pub pattern: String,
    /// Match the pattern ignoring case.
    #[serde(default)]
    pub case_insensitive: bool,
    /// Named checksum or structural check in `src/detect/validate/`.
    #[serde(default)]
    pub validator: Option<String>,
    /// Fast path: a value is only searched if it contains one of these
    /// literals (ASCII case-insensitive). Empty: no literal gate.
    #[serde(default)]
    pub prefilter: Vec<String>,
    /// Fast path: a value is only searched if it holds at least this many
    /// ASCII digits.
    #[serde(default)]
    pub min_digits: usize,
    /// Context words near a value or in neighbouring column names.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Column-name evidence: tokens or token sequences (`card_number`).
    #[serde(default)]
    pub column_hints: Vec<String>,
    /// Matches count only with context: one of `column_hints` or `keywords`
    /// in the column's (or a neighbour's) name, or a keyword in the value.
    /// For shapes that are too common alone (nine bare digits).
    #[serde(default)]
    pub requires_context: bool,
    /// Column-name evidence against: in a column whose name matches one of
    /// these (`version`, `build`), this detector's matches are not reported.
    #[serde(default)]
    pub negative_column_hints: Vec<String>,
    /// ISO 3166 codes of the countries whose identifier this is (for
    /// `ferret detectors list`). Empty: the label's prefix (`US_SSN` -> US)
    /// if it is one, else international.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Base confidence of one validated match, 0..1. Defaults by validator kind.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Values that must match (tests are generated from these).
    pub examples: Vec<String>,
    /// Values that must not match: the classic false positives.
    pub counter_examples: Vec<String>,
}

/// One detector file: `[[detector]]` tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorFile {
    #[serde(default)]
    pub detector: Vec<DetectorSpec>,
}

/// A label of the taxonomy (`detectors/taxonomy.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// `EMAIL`, `CREDIT_CARD`, ...
    pub id: String,
    /// `contact`, `identity`, `financial`, `health`, `network`, `location`,
    /// `credential`, `device`, `demographic`.
    pub category: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyFile {
    pub label: Vec<LabelSpec>,
}
