#!/usr/bin/env bash
# The extra cost of --lineage over a plain sampled scan, in one run, on the
# 1 M-row lineage fixtures: the generated Parquet and CSV files
# (target/lineage-fixtures, fixtures/lineage_gen.rs) and the PostgreSQL
# database ferret_lineage (fixtures/postgres/lineage.sql; scripts/pg-server.sh start).
#
# Prints, for files and for PostgreSQL: wall time and bytes read of a sampled
# scan without and with --lineage, and the ratios. Bytes read are the
# inventory's summary.bytes_read (file bytes fetched; for PostgreSQL, the
# bytes of text the server sent). PostgreSQL's own cost of --lineage is a
# sequential scan of each table and the hashing, on the server: the table
# sizes are printed for that.
#
# usage: benches/lineage_cost.sh            (release build)
#        FERRET_BIN=target/debug/ferret benches/lineage_cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/pg/env ] || bash scripts/pg-server.sh start
. target/pg/env
if [ -z "${FERRET_BIN:-}" ]; then
  cargo build --release --quiet
  cargo run --release --quiet --example gen_lineage -- target/lineage-fixtures
  FERRET_BIN=target/release/ferret
else
  cargo run --quiet --example gen_lineage -- target/lineage-fixtures
fi
export PGPASSWORD=$FERRET_TEST_PG_READER_PASSWORD
export FERRET_LINEAGE_KEY=${FERRET_LINEAGE_KEY:-bench-lineage-key-0123456789}
pg="postgres://ferret_reader@127.0.0.1:$FERRET_TEST_PG_PORT/ferret_lineage"
files=target/lineage-fixtures
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }

run() { # name extra-args... target
  local name=$1; shift
  local t0 t1
  t0=$(now)
  "$FERRET_BIN" scan --quiet --db-statement-timeout 900 --exclude truth.json --exclude VERSION "$@" -o "$out/$name.json" || true
  t1=$(now)
  echo "$t1 - $t0" | bc
}
bytes() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['summary']['bytes_read'])" "$1"; }

report() { # label plain-secs lineage-secs plain-json lineage-json
  local bp bl
  bp=$(bytes "$4"); bl=$(bytes "$5")
  printf '%-11s sampled: %7.2f s %12s bytes | --lineage: %7.2f s %12s bytes | ratio time %.1fx, bytes %.1fx\n' \
    "$1" "$2" "$bp" "$3" "$bl" "$(echo "$3 / $2" | bc -l)" "$(echo "$bl / ($bp + 1)" | bc -l)"
}

echo "== files: $(du -sh --exclude=truth.json $files | cut -f1) in $files (Parquet + CSV, 1 M rows)"
fp=$(run files_plain "$files")
fl=$(run files_lineage --lineage "$files")
report files "$fp" "$fl" "$out/files_plain.json" "$out/files_lineage.json"

echo "== PostgreSQL ferret_lineage (tables of 1 M rows)"
psql -X -q -t -A "$pg" -c "SELECT relname || ': ' || pg_size_pretty(pg_table_size(oid)) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1" | sed 's/^/   /'
pp=$(run pg_plain "$pg")
pl=$(run pg_lineage --lineage "$pg")
report postgresql "$pp" "$pl" "$out/pg_plain.json" "$out/pg_lineage.json"
python3 - "$out/pg_lineage.json" "$out/files_lineage.json" <<'PY'
import json, sys
for p in sys.argv[1:]:
    inv = json.load(open(p))
    kinds = {}
    for h in inv["lineage_hints"]:
        kinds[h["kind"]] = kinds.get(h["kind"], 0) + 1
    print(f"   hints in {p.rsplit('/', 1)[-1]}: {kinds}")
PY
