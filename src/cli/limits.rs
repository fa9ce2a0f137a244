//! The one table of ranges for every numeric flag and config key.
//!
//! A number from outside (a flag, a config file) is checked against its
//! range when it is parsed, so a typo or a hostile value (`u64::MAX`
//! seconds, 10,000 threads, 4 billion retries) is a usage error (exit 2)
//! naming the flag or key and its range, never a panic on a `Duration`
//! overflow or a run that never ends. clap's value parsers and the config
//! checks read the same [`Limit`]s, and a test holds the `--help` text of
//! every flag to the range here.

use std::ops::RangeInclusive;

/// One number's allowed range, with the flag and config keys that set it.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// The command-line flag (`--threads`), if any.
    pub flag: Option<&'static str>,
    /// Config keys (`[s3] connect_timeout_secs`) that set the same number.
    pub keys: &'static [&'static str],
    pub min: u64,
    pub max: u64,
    /// What the number counts, for messages (`seconds`, `bytes`, ...).
    pub unit: &'static str,
}

impl Limit {
    pub const fn range(&self) -> RangeInclusive<u64> {
        self.min..=self.max
    }

    /// `Err` naming `what` (a flag or a config key) and the range when `v`
    /// is outside it.
    pub fn check(&self, what: &str, v: u64) -> Result<(), String> {
        if self.range().contains(&v) {
            Ok(())
        } else {
            Err(format!(
                "{what} = {v} is out of range: {} ({})",
                self.describe(),
                self.unit
            ))
        }
    }

    /// `1..=86400`, as shown in `--help` and messages.
    pub fn describe(&self) -> String {
        format!("{}..={}", self.min, self.max)
    }

    /// The clap value parser of a `u64` flag with this range.
    pub fn u64(&self) -> clap::builder::RangedU64ValueParser<u64> {
        clap::builder::RangedU64ValueParser::<u64>::new().range(self.range())
    }

    /// The clap value parser of a `usize` flag with this range.
    pub fn usize(&self) -> clap::builder::RangedU64ValueParser<usize> {
        clap::builder::RangedU64ValueParser::<usize>::new().range(self.range())
    }

    /// The clap value parser of a `u32` flag with this range.
    pub fn u32(&self) -> clap::builder::RangedU64ValueParser<u32> {
        clap::builder::RangedU64ValueParser::<u32>::new().range(self.range())
    }
}

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Seconds: one day at most. Longer is a mistake (and `u64::MAX` seconds
/// overflows every deadline computed from it).
const DAY: u64 = 86_400;

pub const DB_CONNECTIONS: Limit = Limit {
    flag: Some("--db-connections"),
    keys: &[],
    min: 1,
    max: 64,
    unit: "sessions",
};
pub const DB_STATEMENT_TIMEOUT: Limit = Limit {
    flag: Some("--db-statement-timeout"),
    keys: &["[[postgres]] statement_timeout_secs"],
    min: 1,
    max: DAY,
    unit: "seconds",
};
pub const DB_LOCK_TIMEOUT: Limit = Limit {
    flag: Some("--db-lock-timeout"),
    keys: &["[[postgres]] lock_timeout_secs"],
    min: 1,
    max: DAY,
    unit: "seconds",
};
/// Zero is allowed by the range and refused unless `--full` or
/// `--metadata-only` makes the sample size moot (checked with the mode).
pub const SAMPLE_ROWS: Limit = Limit {
    flag: Some("--sample-rows"),
    keys: &["[[source]] sample_rows"],
    min: 0,
    max: 10_000_000,
    unit: "rows",
};
/// The window is held in memory per object read: 256 MiB at most.
pub const SAMPLE_BYTES: Limit = Limit {
    flag: Some("--sample-bytes"),
    keys: &["[[source]] sample_bytes"],
    min: 1,
    max: 256 * MIB,
    unit: "bytes",
};
pub const MAX_DECOMPRESSED_BYTES: Limit = Limit {
    flag: Some("--max-decompressed-bytes"),
    keys: &["[[source]] max_decompressed_bytes"],
    min: 1,
    max: 1024 * GIB,
    unit: "bytes",
};
pub const MAX_OBJECTS: Limit = Limit {
    flag: Some("--max-objects"),
    keys: &["[[source]] max_objects"],
    min: 1,
    max: 100_000,
    unit: "objects",
};
/// Every seed is a seed; the table still lists it so the tests feed it
/// its extremes.
pub const SEED: Limit = Limit {
    flag: Some("--seed"),
    keys: &["[[source]] seed"],
    min: 0,
    max: u64::MAX,
    unit: "seed",
};
/// Starting a thread costs milliseconds; 10,000 of them cost a minute
/// before the first byte is read.
pub const THREADS: Limit = Limit {
    flag: Some("--threads"),
    keys: &[],
    min: 1,
    max: 256,
    unit: "threads",
};
pub const S3_CONCURRENCY: Limit = Limit {
    flag: Some("--s3-concurrency"),
    keys: &["[s3] concurrency"],
    min: 1,
    max: 1024,
    unit: "requests",
};
/// With exponential backoff, 20 attempts already wait minutes per request.
pub const S3_MAX_ATTEMPTS: Limit = Limit {
    flag: Some("--s3-max-attempts"),
    keys: &["[s3] max_attempts"],
    min: 1,
    max: 20,
    unit: "attempts",
};
pub const S3_CONNECT_TIMEOUT: Limit = Limit {
    flag: Some("--s3-connect-timeout"),
    keys: &["[s3] connect_timeout_secs"],
    min: 1,
    max: DAY,
    unit: "seconds",
};
pub const S3_ATTEMPT_TIMEOUT: Limit = Limit {
    flag: Some("--s3-attempt-timeout"),
    keys: &["[s3] attempt_timeout_secs"],
    min: 1,
    max: DAY,
    unit: "seconds",
};
pub const S3_READ_TIMEOUT: Limit = Limit {
    flag: Some("--s3-read-timeout"),
    keys: &["[s3] read_timeout_secs"],
    min: 1,
    max: DAY,
    unit: "seconds",
};
pub const MIN_TEXT_HITS: Limit = Limit {
    flag: None,
    keys: &["[thresholds] min_text_hits"],
    min: 1,
    max: 1_000_000,
    unit: "values",
};
pub const EVIDENCE_PER_LABEL: Limit = Limit {
    flag: None,
    keys: &["[thresholds] evidence_per_label"],
    min: 0,
    max: 100,
    unit: "examples",
};

/// Every limit, for the tests and the documentation.
pub const ALL: &[Limit] = &[
    DB_CONNECTIONS,
    DB_STATEMENT_TIMEOUT,
    DB_LOCK_TIMEOUT,
    SAMPLE_ROWS,
    SAMPLE_BYTES,
    MAX_DECOMPRESSED_BYTES,
    MAX_OBJECTS,
    SEED,
    THREADS,
    S3_CONCURRENCY,
    S3_MAX_ATTEMPTS,
    S3_CONNECT_TIMEOUT,
    S3_ATTEMPT_TIMEOUT,
    S3_READ_TIMEOUT,
    MIN_TEXT_HITS,
    EVIDENCE_PER_LABEL,
];

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every ranged flag's `--help` states the range of this table, so the
    /// documentation cannot drift from what is enforced.
    #[test]
    fn help_states_every_flags_range() {
        let cli = crate::cli::Cli::command();
        let scan = cli
            .find_subcommand("scan")
            .expect("a scan subcommand")
            .clone();
        for limit in ALL {
            let Some(flag) = limit.flag else { continue };
            let name = flag.trim_start_matches("--");
            let arg = scan
                .get_arguments()
                .find(|a| a.get_long() == Some(name))
                .unwrap_or_else(|| panic!("{flag} is not a scan flag"));
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let stated = if limit.max == u64::MAX {
                "any whole number".to_string()
            } else {
                format!("range {}", limit.describe())
            };
            assert!(
                help.contains(&stated),
                "{flag}: help '{help}' lacks '{stated}'"
            );
        }
    }

    /// The flags reject the values just outside their range and accept the
    /// edges (through clap, as the binary parses them).
    #[test]
    fn flags_reject_just_outside_the_range() {
        use clap::Parser;
        for limit in ALL {
            let Some(flag) = limit.flag else { continue };
            let parse = |v: String| {
                crate::cli::Cli::try_parse_from(["ferret", "scan", flag, v.as_str(), "x"]).is_ok()
            };
            assert!(parse(limit.min.to_string()), "{flag} {}", limit.min);
            assert!(parse(limit.max.to_string()), "{flag} {}", limit.max);
            if limit.min > 0 {
                assert!(!parse((limit.min - 1).to_string()), "{flag} below min");
            }
            assert!(
                !parse((u128::from(limit.max) + 1).to_string()),
                "{flag} above max"
            );
            assert!(!parse("-1".into()), "{flag} -1");
            assert!(!parse("ten".into()), "{flag} ten");
        }
    }

    #[test]
    fn check_names_the_key_and_the_range() {
        let e = S3_CONNECT_TIMEOUT
            .check("[s3] connect_timeout_secs", 9_223_372_036_854_775_807)
            .unwrap_err();
        assert!(
            e.contains("connect_timeout_secs") && e.contains("1..=86400"),
            "{e}"
        );
        assert!(S3_CONNECT_TIMEOUT.check("x", 1).is_ok());
        assert!(S3_CONNECT_TIMEOUT.check("x", 0).is_err());
    }
}
