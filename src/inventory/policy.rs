//! Policies from the config file, evaluated over a finished inventory:
//! allow-lists (`[[policy.allow]]`: this column may hold EMAIL) mark
//! findings as allowed; rules (`[[policy.rule]]`: no CREDIT_CARD outside
//! these assets) turn every other matching finding into a
//! [`PolicyViolation`]. Evaluated on every run over every asset, carried
//! forward by `--state` or not, so a policy change applies at once.

use super::{Inventory, PolicyViolation, sort_violations};
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Deserializer};

/// A glob checked when the config is read, so a bad one is an error at its
/// line and column, not a surprise at the end of a scan. `*` crosses `/`:
/// `*/payments/*` matches `file:///lake/payments/x.parquet`.
#[derive(Debug, Clone)]
pub struct GlobPattern {
    pub text: String,
    matcher: GlobMatcher,
}

impl GlobPattern {
    pub fn new(text: &str) -> Result<Self, String> {
        let glob = Glob::new(text).map_err(|e| format!("bad glob '{text}': {e}"))?;
        Ok(GlobPattern {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

impl<'de> Deserialize<'de> for GlobPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        GlobPattern::new(&text).map_err(serde::de::Error::custom)
    }
}

/// `[policy]` of the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policies {
    pub allow: Vec<Allow>,
    pub rule: Vec<Rule>,
}

/// `[[policy.allow]]`: findings on matching columns are allowed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// Shown in `allowed_by`; defaults to the globs.
    #[serde(default)]
    pub name: Option<String>,
    /// Glob over asset ids.
    pub asset: GlobPattern,
    /// Glob over column paths (all columns when absent).
    #[serde(default)]
    pub column: Option<GlobPattern>,
    /// Labels allowed there (all labels when empty).
    #[serde(default)]
    pub labels: Vec<String>,
}

/// `[[policy.rule]]`: the labels may appear only in `allowed_assets`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub labels: Vec<String>,
    /// Globs over asset ids where the labels may appear (nowhere when empty).
    #[serde(default)]
    pub allowed_assets: Vec<GlobPattern>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

fn default_severity() -> Severity {
    Severity::High
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

impl Allow {
    fn matches(&self, asset: &str, column: &str, label: &str) -> bool {
        self.asset.is_match(asset)
            && self.column.as_ref().is_none_or(|c| c.is_match(column))
            && (self.labels.is_empty() || self.labels.iter().any(|l| l == label))
    }

    fn describe(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            format!(
                "asset={} column={}",
                self.asset.text,
                self.column.as_ref().map_or("*", |c| c.text.as_str())
            )
        })
    }
}

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.rule.is_empty()
    }

    /// Marks allowed findings and records violations (replacing any from
    /// before: the result depends only on this inventory and these policies).
    pub fn evaluate(&self, inv: &mut Inventory) {
        let mut violations = Vec::new();
        for asset in &mut inv.assets {
            for column in &mut asset.columns {
                for label in &mut column.labels {
                    label.allowed_by = self
                        .allow
                        .iter()
                        .find(|a| a.matches(&asset.id, &column.path, &label.label))
                        .map(Allow::describe);
                    if label.allowed_by.is_some() {
                        continue;
                    }
                    for rule in &self.rule {
                        if !rule.labels.contains(&label.label)
                            || rule.allowed_assets.iter().any(|g| g.is_match(&asset.id))
                        {
                            continue;
                        }
                        violations.push(PolicyViolation {
                            policy: rule.name.clone(),
                            asset: asset.id.clone(),
                            column: Some(column.path.clone()),
                            label: label.label.clone(),
                            severity: rule.severity.as_str().to_string(),
                            message: format!(
                                "{} in column '{}' (confidence {:.2}) outside the assets rule '{}' allows",
                                label.label, column.path, label.confidence, rule.name
                            ),
                        });
                    }
                }
            }
        }
        sort_violations(&mut violations);
        inv.policy_violations = violations;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_checked_when_read() {
        assert!(toml::from_str::<Policies>("[[allow]]\nasset = '*/crm/*'\n").is_ok());
        let e = toml::from_str::<Policies>("[[allow]]\nasset = 'a[b'\n").unwrap_err();
        assert!(e.to_string().contains("bad glob 'a[b'"), "{e}");
        assert!(e.span().is_some());
        let e =
            toml::from_str::<Policies>("[[rule]]\nname = 'x'\nlabels = []\nseverity = 'huge'\n")
                .unwrap_err();
        assert!(e.to_string().contains("huge"), "{e}");
    }

    #[test]
    fn allow_then_rule() {
        let p: Policies = toml::from_str(
            "[[allow]]\nasset = '*/crm.db/*'\ncolumn = 'contact_*'\nlabels = ['EMAIL']\n\
             [[rule]]\nname = 'no-email'\nlabels = ['EMAIL']\nallowed_assets = ['*/marketing/*']\nseverity = 'medium'\n",
        )
        .unwrap();
        let a = &p.allow[0];
        assert!(a.matches("sqlite:///x/crm.db/accounts", "contact_email", "EMAIL"));
        assert!(!a.matches("sqlite:///x/crm.db/accounts", "email", "EMAIL"));
        assert!(!a.matches("sqlite:///x/crm.db/accounts", "contact_email", "PHONE"));
        assert_eq!(a.describe(), "asset=*/crm.db/* column=contact_*");
        assert!(p.rule[0].allowed_assets[0].is_match("s3://lake/marketing/x.csv"));
        assert_eq!(p.rule[0].severity, Severity::Medium);
    }
}
