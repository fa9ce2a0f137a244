//! Embeds every `detectors/*.toml` file and every `detectors/dictionaries/*.txt`
//! word list in the binary, so the built-in pack is whatever the folder
//! holds: adding a detector or a dictionary needs no code change.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("detectors");
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=build.rs");
    embed(
        &dir,
        "toml",
        "/// `(file name, contents)` of every built-in detector file.\npub static BUILTIN_FILES",
        &out_dir.join("builtin_detectors.rs"),
    );
    // Word lists of the dictionary validators (names, street types):
    // `detectors/dictionaries/<kind>_<lang>.txt`, one word a line.
    embed(
        &dir.join("dictionaries"),
        "txt",
        "/// `(file name, contents)` of every built-in dictionary.\npub static BUILTIN_DICTIONARIES",
        &out_dir.join("builtin_dictionaries.rs"),
    );
}

/// Writes to `dest` a static `(file name, include_str!)` table of the files
/// of `dir` ending in `.ext`, sorted by path.
fn embed(dir: &Path, ext: &str, declaration: &str, dest: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == ext));
    files.sort();
    let mut out = format!("{declaration}: &[(&str, &str)] = &[\n");
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
    fs::write(dest, out).unwrap_or_else(|e| panic!("write {}: {e}", dest.display()));
}
