#!/usr/bin/env bash
# Lake tables for tests/lake.rs, written by the formats' own libraries
# (deltalake, pyiceberg) into OUTDIR (default target/lake).
#
#   bash scripts/lake-fixtures.sh [OUTDIR]
#   export FERRET_TEST_LAKE_DIR=OUTDIR   # what tests/lake.rs reads
#
# Idempotent: installs the pinned libraries from PyPI when missing, and
# regenerates the tables only when tests/lake/make_tables.py or the library
# versions changed since the last run (OUTDIR/.stamp).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/lake}

DELTALAKE_VERSION=1.6.6
PYICEBERG_VERSION=0.12.0

installed() { python3 -c "import importlib.metadata as m, sys; sys.exit(m.version(sys.argv[1]) != sys.argv[2])" "$1" "$2" 2>/dev/null; }
if ! installed deltalake "$DELTALAKE_VERSION" || ! installed pyiceberg "$PYICEBERG_VERSION" \
  || ! python3 -c 'import sqlalchemy, pyarrow, snappy, zstandard' 2>/dev/null; then
  echo "== installing deltalake $DELTALAKE_VERSION and pyiceberg $PYICEBERG_VERSION (lake test tables)"
  python3 -m pip install --quiet "deltalake==$DELTALAKE_VERSION" \
    "pyiceberg[sql-sqlite,pyarrow,snappy,zstandard]==$PYICEBERG_VERSION"
fi

stamp="deltalake=$DELTALAKE_VERSION pyiceberg=$PYICEBERG_VERSION script=$(sha256sum tests/lake/make_tables.py | cut -c1-16)"
if [ -f "$out/manifest.json" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "== lake test tables up to date in $out"
  exit 0
fi
echo "== writing lake test tables into $out"
python3 tests/lake/make_tables.py "$out"
echo "$stamp" > "$out/.stamp"
