#!/usr/bin/env bash
# Differential test of ferret's validators against python-stdnum (the
# reference implementation for most national identifiers).
# usage: scripts/stdnum_diff.sh [N_PER_IDENTIFIER] [SEED]   (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import stdnum' 2>/dev/null || python3 -m pip install --quiet python-stdnum
cargo build --quiet --example validate_lines
bin="${CARGO_TARGET_DIR:-target}/debug/examples/validate_lines"
python3 tests/stdnum/stdnum_diff.py "$bin" "${1:-100000}" "${2:-20241125}"
