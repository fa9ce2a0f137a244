//! Detection: the detector pack (TOML files compiled into the binary, plus
//! `--detectors DIR`) and the compiled matcher that finds validated matches in
//! a value. Knows nothing of sources or outputs.

mod engine;
pub mod phrases;
mod relax;
pub mod spec;
pub mod validate;

pub use engine::{Match, Scratch};
pub use spec::{DetectorSpec, LabelSpec, Sensitivity};

use regex::{Regex, RegexBuilder};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use validate::{Validator, ValidatorKind};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_detectors.rs"));
}

/// The taxonomy file's name among the detector files.
const TAXONOMY_FILE: &str = "taxonomy.toml";

/// Why a pack could not be loaded: always a configuration error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("cannot read detector folder {path}: {message}")]
    Io { path: String, message: String },
}

/// One compiled detector.
#[derive(Debug)]
pub struct Detector {
    pub spec: DetectorSpec,
    pub category: String,
    pub regex: Regex,
    pub validator: Option<&'static Validator>,
    /// Confidence of one validated match, before column-level evidence.
    pub base_confidence: f64,
    /// The file it came from (for error messages and `ferret detectors`).
    pub source: String,
}

impl Detector {
    /// The pattern as one alternative of a multi-pattern automaton: grouped,
    /// with its case flag scoped to it.
    pub fn grouped_pattern(&self) -> String {
        if self.spec.case_insensitive {
            format!("(?i:{})", self.spec.pattern)
        } else {
            format!("(?:{})", self.spec.pattern)
        }
    }

    pub fn validator_kind(&self) -> Option<ValidatorKind> {
        self.validator.map(|v| v.kind)
    }
}

/// The loaded, compiled detector pack.
#[derive(Debug)]
pub struct Pack {
    pub detectors: Vec<Detector>,
    pub labels: BTreeMap<String, LabelSpec>,
    /// `sha256:` digest of every detector file's bytes, in load order.
    pub digest: String,
    engine: engine::Engine,
}

impl Pack {
    /// The built-in pack plus the detector files in `extra_dirs`. A detector
    /// in an extra folder with the id of a built-in one replaces it.
    pub fn load(extra_dirs: &[impl AsRef<Path>]) -> Result<Pack, PackError> {
        Pack::load_paths(extra_dirs)
    }

    /// [`Pack::load`] where each extra path may be a folder of `*.toml`
    /// files or one detector file (`ferret detectors test FILE`).
    pub fn load_paths(extra: &[impl AsRef<Path>]) -> Result<Pack, PackError> {
        let mut files: Vec<(String, String)> = builtin::BUILTIN_FILES
            .iter()
            .map(|(n, c)| (format!("builtin:{n}"), c.to_string()))
            .collect();
        for path in extra {
            let path = path.as_ref();
            if path.is_file() {
                let contents = std::fs::read_to_string(path).map_err(|e| PackError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                files.push((path.display().to_string(), contents));
            } else {
                files.extend(read_dir_files(path)?);
            }
        }
        Pack::from_sources(&files)
    }

    /// Compiles a pack from `(name, contents)` pairs; files named
    /// `*taxonomy.toml` hold labels, the rest hold detectors.
    pub fn from_sources(files: &[(String, String)]) -> Result<Pack, PackError> {
        let mut hasher = Sha256::new();
        let mut labels = BTreeMap::new();
        let mut specs: Vec<(DetectorSpec, String)> = Vec::new();
        for (name, contents) in files {
            hasher.update(name.rsplit(':').next().unwrap_or(name).as_bytes());
            hasher.update(contents.as_bytes());
            let invalid = |message: String| PackError::Invalid {
                file: name.clone(),
                message,
            };
            if name.ends_with(TAXONOMY_FILE) {
                let file: spec::TaxonomyFile =
                    toml::from_str(contents).map_err(|e| invalid(e.to_string()))?;
                for label in file.label {
                    labels.insert(label.id.clone(), label);
                }
            } else {
                let file: spec::DetectorFile =
                    toml::from_str(contents).map_err(|e| invalid(e.to_string()))?;
                for spec in file.detector {
                    if let Some(pos) = specs.iter().position(|(s, _)| s.id == spec.id) {
                        let earlier = &specs[pos].1;
                        let both_builtin =
                            earlier.starts_with("builtin:") && name.starts_with("builtin:");
                        if earlier == name || both_builtin {
                            return Err(PackError::Invalid {
                                file: at_line(name, contents, &spec.id, true),
                                message: format!("duplicate detector id '{}'", spec.id),
                            });
                        }
                        specs.remove(pos);
                    }
                    specs.push((spec, name.clone()));
                }
            }
        }
        let mut detectors = Vec::with_capacity(specs.len());
        for (spec, source) in specs {
            let id = spec.id.clone();
            let detector = compile(spec, source.clone(), &labels).map_err(|e| match e {
                // Name the line of the detector's `id` so a user finds it.
                PackError::Invalid { message, .. } => {
                    let contents = files
                        .iter()
                        .find(|(n, _)| *n == source)
                        .map(|(_, c)| c.as_str())
                        .unwrap_or_default();
                    PackError::Invalid {
                        file: at_line(&source, contents, &id, false),
                        message,
                    }
                }
                other => other,
            })?;
            detectors.push(detector);
        }
        let digest = format!("sha256:{}", hex::encode(hasher.finalize()));
        let engine = engine::Engine::new(&detectors).map_err(|message| PackError::Invalid {
            file: "detector pack".into(),
            message,
        })?;
        Ok(Pack {
            detectors,
            labels,
            digest,
            engine,
        })
    }

    /// Keeps only the detectors `keep` accepts (config enable/disable).
    pub fn retain(self, keep: impl Fn(&DetectorSpec) -> bool) -> Result<Pack, PackError> {
        let detectors: Vec<Detector> = self
            .detectors
            .into_iter()
            .filter(|d| keep(&d.spec))
            .collect();
        let engine = engine::Engine::new(&detectors).map_err(|message| PackError::Invalid {
            file: "detector pack".into(),
            message,
        })?;
        Ok(Pack {
            detectors,
            engine,
            ..self
        })
    }

    /// Matches of every detector in `value` (validated or not; overlaps among
    /// validated ones resolved), written to `out` (cleared first). `scratch`
    /// is reused across calls.
    pub fn find(&self, value: &str, scratch: &mut Scratch, out: &mut Vec<Match>) {
        out.clear();
        self.engine
            .find_many(&self.detectors, &[value], scratch, |_, m| {
                out.extend_from_slice(m)
            });
    }

    /// [`Pack::find`] over many values at once, much faster on short values:
    /// `each(i, matches)` is called, in order, for every value `i` with at
    /// least one match.
    pub fn find_many(
        &self,
        values: &[&str],
        scratch: &mut Scratch,
        each: impl FnMut(usize, &[Match]),
    ) {
        self.engine
            .find_many(&self.detectors, values, scratch, each);
    }

    /// Forgets the value shapes this thread has seen, so the next call meets
    /// its values as new data (for benchmarks that repeat the same rows; the
    /// lazy DFAs stay warm).
    pub fn forget_shapes(&self) {
        self.engine.forget_shapes();
    }

    /// Matches of one detector only, ignoring the others (for tests of
    /// examples, where overlap with other detectors must not hide a match).
    pub fn find_one(&self, detector: usize, value: &str) -> Vec<Match> {
        self.engine.find_one(&self.detectors, detector, value)
    }

    pub fn category_of(&self, label: &str) -> &str {
        self.labels
            .get(label)
            .map(|l| l.category.as_str())
            .unwrap_or("other")
    }
}

/// `file:line` of the `id = "..."` line of detector `id` in `contents`, the
/// last one when `last` (a duplicate), else the first (just `file` when it
/// cannot be found).
fn at_line(file: &str, contents: &str, id: &str, last: bool) -> String {
    let is_id_line = |l: &str| {
        let l = l.trim();
        l.strip_prefix("id")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
            .map(|r| r.trim().trim_matches(['"', '\'']))
            .is_some_and(|v| v == id)
    };
    let line = if last {
        contents
            .lines()
            .enumerate()
            .filter(|(_, l)| is_id_line(l))
            .map(|(i, _)| i)
            .last()
    } else {
        contents.lines().position(is_id_line)
    };
    match line {
        Some(i) => format!("{file}:{}", i + 1),
        None => file.to_string(),
    }
}

fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, PackError> {
    let io = |e: std::io::Error| PackError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let contents = std::fs::read_to_string(&p).map_err(io)?;
            Ok((p.display().to_string(), contents))
        })
        .collect()
}

fn compile(
    spec: DetectorSpec,
    source: String,
    labels: &BTreeMap<String, LabelSpec>,
) -> Result<Detector, PackError> {
    let invalid = |message: String| PackError::Invalid {
        file: source.clone(),
        message: format!("detector '{}': {message}", spec.id),
    };
    let category = labels
        .get(&spec.label)
        .map(|l| l.category.clone())
        .ok_or_else(|| invalid(format!("label '{}' is not in the taxonomy", spec.label)))?;
    let regex = RegexBuilder::new(&spec.pattern)
        .case_insensitive(spec.case_insensitive)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| invalid(format!("bad pattern: {e}")))?;
    let validator = match &spec.validator {
        Some(name) => Some(
            validate::lookup(name).ok_or_else(|| invalid(format!("unknown validator '{name}'")))?,
        ),
        None => None,
    };
    let base_confidence = spec.confidence.unwrap_or(match validator.map(|v| v.kind) {
        Some(ValidatorKind::Checksum) => 0.9,
        Some(ValidatorKind::Structural) => 0.8,
        None => 0.6,
    });
    if !(0.0..=1.0).contains(&base_confidence) {
        return Err(invalid("confidence must be within 0..1".into()));
    }
    Ok(Detector {
        spec,
        category,
        regex,
        validator,
        base_confidence,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Pack {
        match Pack::load(&[] as &[&Path]) {
            Ok(p) => p,
            Err(e) => panic!("built-in pack fails to load: {e}"),
        }
    }

    /// The generated test: every example of every detector matches (validated)
    /// and no counter-example does.
    #[test]
    fn every_example_matches_and_no_counter_example_does() {
        let pack = builtin();
        let mut failures = Vec::new();
        for (i, d) in pack.detectors.iter().enumerate() {
            if d.spec.examples.is_empty() || d.spec.counter_examples.is_empty() {
                failures.push(format!(
                    "{}: needs examples and counter_examples",
                    d.spec.id
                ));
            }
            for ex in &d.spec.examples {
                if pack.find_one(i, ex).is_empty() {
                    failures.push(format!("{}: example does not match: {ex:?}", d.spec.id));
                }
            }
            for ex in &d.spec.counter_examples {
                if !pack.find_one(i, ex).is_empty() {
                    failures.push(format!("{}: counter-example matches: {ex:?}", d.spec.id));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// The batch path (union automaton over joined values) finds what the
    /// per-detector path finds, for every example, alone and among neighbours.
    #[test]
    fn batch_path_agrees_with_single_detector_path() {
        let pack = builtin();
        let mut scratch = Scratch::default();
        let mut values: Vec<&str> = Vec::new();
        let mut expected: Vec<usize> = Vec::new();
        for (i, d) in pack.detectors.iter().enumerate() {
            for ex in d.spec.examples.iter().chain(&d.spec.counter_examples) {
                values.push(ex);
                expected.push(i);
                values.push("plain filler text 2024-01-01 12:00");
                expected.push(usize::MAX);
            }
        }
        let mut found: Vec<Vec<Match>> = vec![Vec::new(); values.len()];
        pack.find_many(&values, &mut scratch, |i, m| found[i] = m.to_vec());
        let mut failures = Vec::new();
        for (v, (&value, &det)) in values.iter().zip(&expected).enumerate() {
            if det == usize::MAX {
                continue;
            }
            let single = pack.find_one(det, value);
            let batch: Vec<&Match> = found[v].iter().filter(|m| m.validated).collect();
            for m in &single {
                let covered = batch.iter().any(|b| {
                    b.start <= m.start
                        && b.end >= m.end
                        && (b.detector == det || b.end - b.start >= m.end - m.start)
                });
                if !covered {
                    failures.push(format!(
                        "{}: batch path misses {value:?}",
                        pack.detectors[det].spec.id
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The memo, the shape filter and the batch path change speed only:
    /// `find_many` equals running every detector's regex and validator on
    /// each value. The values are the examples, the same examples with other
    /// digits (one shape, other checksums: a memo keyed by shape must not
    /// carry one value's validation over to the next), every field of the
    /// labeled corpus's CSV files, and a sample of the realistic benchmark
    /// corpus; each batch runs twice, so the second pass answers from the
    /// memo.
    #[test]
    fn find_many_equals_every_detector_run_alone() {
        let pack = builtin();
        let mut owned: Vec<String> = Vec::new();
        for d in &pack.detectors {
            for ex in d.spec.examples.iter().chain(&d.spec.counter_examples) {
                owned.push(ex.clone());
                for shift in [1u8, 3, 7] {
                    owned.push(
                        ex.chars()
                            .map(|c| match c.to_digit(10) {
                                Some(d) if c.is_ascii_digit() => {
                                    char::from(b'0' + ((d as u8 + shift) % 10))
                                }
                                _ => c,
                            })
                            .collect(),
                    );
                }
            }
        }
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
        let mut files: Vec<_> = std::fs::read_dir(&corpus)
            .expect("fixtures/corpus exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no CSV files in {}", corpus.display());
        for f in files {
            let text = std::fs::read_to_string(&f).expect("corpus CSV is UTF-8");
            owned.extend(text.lines().flat_map(|l| l.split(',')).map(str::to_owned));
        }
        // Values of an independent generator (Faker in many locales and
        // scripts, tokens, logs: benches/realistic/sample_values.py), whose
        // shapes the project's own fixtures do not have.
        let realistic = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/realistic_values.txt");
        let text = std::fs::read_to_string(&realistic).expect("fixtures/realistic_values.txt");
        let before = owned.len();
        owned.extend(text.lines().map(str::to_owned));
        assert!(owned.len() - before > 5_000, "too few realistic values");
        let values: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut scratch = Scratch::default();
        let mut failures = Vec::new();
        for pass in ["fresh", "memo"] {
            for batch in values.chunks(500) {
                let mut found: Vec<Vec<Match>> = vec![Vec::new(); batch.len()];
                pack.find_many(batch, &mut scratch, |i, m| found[i] = m.to_vec());
                for (value, got) in batch.iter().zip(&found) {
                    let want = pack.engine.find_by_every_detector(&pack.detectors, value);
                    if *got != want && failures.len() < 20 {
                        failures.push(format!("{pass}: {value:?}: got {got:?}, want {want:?}"));
                    }
                }
            }
        }
        assert!(values.len() > 5_000, "only {} values", values.len());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn first_pack_is_broad_enough() {
        let pack = builtin();
        let validated = pack
            .detectors
            .iter()
            .filter(|d| d.validator.is_some())
            .count();
        assert!(
            pack.detectors.len() >= 40,
            "{} detectors",
            pack.detectors.len()
        );
        assert!(validated >= 20, "{validated} validated detectors");
    }

    #[test]
    fn ids_are_unique_and_labels_known() {
        let pack = builtin();
        let mut ids: Vec<_> = pack.detectors.iter().map(|d| &d.spec.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), pack.detectors.len());
    }

    #[test]
    fn bad_packs_are_rejected_with_the_file_named() {
        let taxonomy = (
            "t/taxonomy.toml".to_string(),
            "[[label]]\nid = \"X\"\ncategory = \"contact\"\n".to_string(),
        );
        let bad_regex = (
            "t/bad.toml".to_string(),
            "[[detector]]\nid='x'\nlabel='X'\nsensitivity='low'\npattern='('\nexamples=[]\ncounter_examples=[]\n"
                .to_string(),
        );
        let err = Pack::from_sources(&[taxonomy.clone(), bad_regex]).unwrap_err();
        assert!(err.to_string().contains("t/bad.toml"), "{err}");
        let unknown_label = (
            "t/bad.toml".to_string(),
            "[[detector]]\nid='x'\nlabel='NOPE'\nsensitivity='low'\npattern='a'\nexamples=[]\ncounter_examples=[]\n"
                .to_string(),
        );
        let err = Pack::from_sources(&[taxonomy, unknown_label]).unwrap_err();
        assert!(err.to_string().contains("NOPE"), "{err}");
    }
}
