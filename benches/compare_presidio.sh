#!/usr/bin/env bash
# Side by side with Microsoft Presidio on the labeled corpus: the same values
# (up to N per truth column) go through Presidio's AnalyzerEngine and through
# `ferret scan --full`, both on one thread, in one run. Prints per-label and
# macro F1 at column level, and both throughputs with their ratio.
#
#   bash benches/compare_presidio.sh [VALUES_PER_COLUMN]   (default 100)
#
# Presidio comes from PyPI (presidio-analyzer, pinned) into a virtual
# environment under target/presidio-venv. spaCy's trained English models are
# not on PyPI (they ship from GitHub releases, out of reach here), so Presidio
# runs with a blank English spaCy pipeline: its pattern, checksum and context
# recognizers all work; its NER-based PERSON / LOCATION / NRP do not. The
# script says so in its output; names and addresses are scored anyway.
set -euo pipefail

PER_COLUMN="${1:-100}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/target/presidio-venv"
WORK="$(mktemp -d /tmp/ferret-presidio.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

if [[ ! -x "$VENV/bin/python" ]]; then
    command -v python3 >/dev/null || apt-get install -y -qq python3 >/dev/null
    python3 -m venv "$VENV" 2>/dev/null || { apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$VENV"; }
fi
"$VENV/bin/pip" install -q "presidio-analyzer==2.2.366" "pyarrow>=15" >/dev/null
BLANK="$VENV/blank_en"
[[ -d "$BLANK" ]] || "$VENV/bin/python" -c "import spacy, sys; spacy.blank('en').to_disk(sys.argv[1])" "$BLANK"

echo "== building ferret (release)"
(cd "$ROOT" && cargo build --release --quiet --bin ferret)

echo "== presidio-analyzer $("$VENV/bin/pip" show presidio-analyzer | sed -n 's/^Version: //p') (blank spaCy 'en' pipeline: no NER) vs ferret"
# tldextract (a Presidio dependency) tries to download the public suffix
# list and falls back to its bundled copy: keep that noise out of the table.
"$VENV/bin/python" "$ROOT/benches/support/presidio_eval.py" "$ROOT" "$ROOT/target/release/ferret" "$WORK" "$PER_COLUMN" "$BLANK" 2>"$WORK/stderr.txt" \
    || { cat "$WORK/stderr.txt" >&2; exit 1; }
