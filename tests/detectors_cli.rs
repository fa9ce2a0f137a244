//! `ferret detectors list` and `ferret detectors test`, through the binary.

mod common;

use common::*;
use serde_json::Value;

const GOOD: &str = r#"
[[detector]]
id = "employee_id"
label = "PERSON_NAME"
sensitivity = "low"
pattern = '\bEMP-\d{6}\b'
examples = ["EMP-123456", "badge EMP-000042 issued"]
counter_examples = ["EMP-12345", "EMP-1234567"]
"#;

/// Its pattern also matches five digits, which its counter-example forbids.
const WRONG: &str = r#"
[[detector]]
id = "employee_id_loose"
label = "PERSON_NAME"
sensitivity = "low"
pattern = '\bEMP-\d{5,6}\b'
examples = ["EMP-123456"]
counter_examples = ["EMP-12345"]
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn test_passes_a_good_detector_file() {
    let dir = tempdir();
    let file = write(dir.path(), "good.toml", GOOD.as_bytes());
    let out = run(&["detectors", "test", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("PASS employee_id"), "{stdout}");
    // Only the user's detectors are tested, not the built-in pack.
    assert!(!stdout.contains("credit_card"), "{stdout}");
}

#[test]
fn test_fails_a_detector_whose_counter_example_matches() {
    let dir = tempdir();
    write(dir.path(), "good.toml", GOOD.as_bytes());
    write(dir.path(), "wrong.toml", WRONG.as_bytes());
    let out = run(&["detectors", "test", dir.path().to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("PASS employee_id "), "{stdout}");
    assert!(stdout.contains("FAIL employee_id_loose"), "{stdout}");
    assert!(
        stdout.contains("counter-example matches: \"EMP-12345\""),
        "{stdout}"
    );
}

/// Each broken file is a load error (exit 2) naming the file and the line.
#[test]
fn broken_detector_files_name_file_and_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "regex.toml",
            "# comment\n\n[[detector]]\nid = \"bad_one\"\nlabel = \"EMAIL\"\nsensitivity = \"low\"\npattern = '(unclosed'\nexamples = [\"a\"]\ncounter_examples = []\n",
            "regex.toml:4: detector 'bad_one': bad pattern",
        ),
        (
            "validator.toml",
            "[[detector]]\nid = \"v\"\nlabel = \"EMAIL\"\nsensitivity = \"low\"\npattern = 'a'\nvalidator = \"nope\"\nexamples = [\"a\"]\ncounter_examples = []\n",
            "validator.toml:2: detector 'v': unknown validator 'nope'",
        ),
        (
            "invalid.toml",
            "[[detector]]\nid = \"v\"\nlabel = EMAIL\n",
            "invalid.toml: TOML parse error at line 3",
        ),
        (
            "dup.toml",
            "[[detector]]\nid = \"d\"\nlabel = \"EMAIL\"\nsensitivity = \"low\"\npattern = 'a'\nexamples = [\"a\"]\ncounter_examples = []\n\n[[detector]]\nid = \"d\"\nlabel = \"EMAIL\"\nsensitivity = \"low\"\npattern = 'b'\nexamples = [\"b\"]\ncounter_examples = []\n",
            "dup.toml:10: duplicate detector id 'd'",
        ),
    ];
    for (name, contents, expected) in cases {
        let dir = tempdir();
        let file = write(dir.path(), name, contents.as_bytes());
        let out = run(&["detectors", "test", file.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
}

#[test]
fn test_of_a_missing_path_is_a_load_error() {
    let out = run(&["detectors", "test", "/nonexistent/ferret-detectors"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_as_json_has_every_column() {
    let out = run(&["detectors", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = doc["detectors"].as_array().expect("detectors");
    assert!(rows.len() >= 40, "{}", rows.len());
    let ssn = rows
        .iter()
        .find(|r| r["id"] == "us_ssn")
        .expect("us_ssn listed");
    assert_eq!(ssn["label"], "US_SSN");
    assert_eq!(ssn["category"], "identity");
    assert_eq!(ssn["sensitivity"], "high");
    assert_eq!(ssn["countries"], serde_json::json!(["US"]));
    let name = rows
        .iter()
        .find(|r| r["id"] == "person_name")
        .expect("person_name listed");
    assert_eq!(name["validator"], "person_name");
}

#[test]
fn bare_detectors_still_lists_and_loads_extra_folders() {
    let dir = tempdir();
    write(dir.path(), "good.toml", GOOD.as_bytes());
    for args in [
        vec!["detectors", "--detectors", dir.path().to_str().unwrap()],
        vec![
            "detectors",
            "list",
            "--detectors",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let out = run(&args);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(stdout.contains("employee_id"), "{stdout}");
        assert!(stdout.contains("countries"), "{stdout}");
    }
}
