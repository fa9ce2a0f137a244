//! Embeds every `detectors/*.toml` file in the binary, so the built-in pack
//! is whatever the folder holds: adding a detector file needs no code change.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("detectors");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut out = String::from("/// `(file name, contents)` of every built-in detector file.\n");
    out.push_str("pub static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("builtin_detectors.rs"), out).expect("write builtin_detectors.rs");

    // Word lists of the dictionary validators (names, street types):
    // `detectors/dictionaries/<kind>_<lang>.txt`, one word a line.
    let dict_dir = dir.join("dictionaries");
    println!("cargo:rerun-if-changed={}", dict_dir.display());
    let mut dicts: Vec<PathBuf> = fs::read_dir(&dict_dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dicts.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    dicts.sort();
    let mut out = String::from("/// `(file name, contents)` of every built-in dictionary.\n");
    out.push_str("pub static BUILTIN_DICTIONARIES: &[(&str, &str)] = &[\n");
    for path in &dicts {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("builtin_dictionaries.rs"), out).expect("write builtin_dictionaries.rs");
}
