#!/usr/bin/env bash
# Peak memory and wall time of a full (unsampled) scan over a large folder.
#
#   bash benches/rss_full.sh [SIZE_MB] [LIMIT_MB]
#
# Generates a folder of about SIZE_MB (default 2000) uncompressed megabytes:
# 20 CSV part files (85%, one dataset), JSON Lines in 4 Hive partitions (10%)
# and 4 gzip'd application logs (5% uncompressed). Then runs
#   /usr/bin/time -v target/release/ferret scan --full --quiet -o INV DIR
# and prints wall time, MB/s and the maximum resident set size, and whether it
# stays under LIMIT_MB (default 300). The folder is removed at the end.
set -euo pipefail

SIZE_MB="${1:-2000}"
LIMIT_MB="${2:-300}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/ferret-rss.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

if [[ ! -x /usr/bin/time ]]; then
    apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; }
fi

echo "== building (release)"
(cd "$ROOT" && cargo build --release --quiet --bin ferret --example engine_throughput)
HELPER="$ROOT/target/release/examples/engine_throughput"
FERRET="$ROOT/target/release/ferret"

echo "== generating ~${SIZE_MB} MB folder in $WORK/data"
SIZES=$("$HELPER" gen-dir "$WORK/data" "$SIZE_MB")
DISK_BYTES=$(sed -n 's/.*DISK_BYTES=\([0-9]*\).*/\1/p' <<<"$SIZES")
RAW_BYTES=$(sed -n 's/.*RAW_BYTES=\([0-9]*\).*/\1/p' <<<"$SIZES")
echo "on disk $((DISK_BYTES / 1000000)) MB, uncompressed $((RAW_BYTES / 1000000)) MB"

echo "== ferret scan --full --quiet ($(nproc) cores)"
set +e
/usr/bin/time -v "$FERRET" scan --full --quiet -o "$WORK/inv.json" "$WORK/data" 2>"$WORK/time.txt"
CODE=$?
set -e

python3 - "$WORK/time.txt" "$DISK_BYTES" "$RAW_BYTES" "$LIMIT_MB" "$CODE" "$WORK/inv.json" <<'PY'
import json, sys
path, disk, raw, limit, code, inv = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
wall = rss = user = sys_t = cpu = None
for line in open(path):
    line = line.strip()
    if line.startswith("Elapsed (wall clock)"):
        s = 0.0
        for p in line.rsplit(" ", 1)[1].split(":"):
            s = s * 60 + float(p)
        wall = s
    elif line.startswith("Maximum resident set size"):
        rss = int(line.rsplit(":", 1)[1]) / 1024
    elif line.startswith("User time"):
        user = float(line.rsplit(":", 1)[1])
    elif line.startswith("System time"):
        sys_t = float(line.rsplit(":", 1)[1])
    elif line.startswith("Percent of CPU"):
        cpu = line.rsplit(":", 1)[1].strip()
print(f"exit code            {code}")
print(f"wall time            {wall:.1f} s (user {user:.1f} s, sys {sys_t:.1f} s, {cpu} CPU)")
print(f"throughput           {disk / 1e6 / wall:.1f} MB/s on disk, {raw / 1e6 / wall:.1f} MB/s uncompressed")
verdict = "UNDER" if rss < limit else "OVER"
print(f"max RSS              {rss:.1f} MB ({verdict} the {limit:.0f} MB budget)")
try:
    doc = json.load(open(inv))
    assets = doc.get("assets", [])
    rows = sum(a.get("rows_sampled", 0) or 0 for a in assets)
    labelled = sum(1 for a in assets for c in a.get("columns", []) if c.get("labels"))
    print(f"inventory            {len(assets)} assets, {rows} rows read, {labelled} labelled columns")
    for a in assets:
        labels = sorted({l["label"] for c in a.get("columns", []) for l in c.get("labels", [])})
        print(f"  {a.get('id')}: {a.get('rows_sampled')} rows, {len(a.get('errors') or [])} errors, labels {labels}")
except Exception as e:  # the numbers above stand without it
    print(f"inventory            unreadable: {e}")
PY
echo "== removing $WORK"
