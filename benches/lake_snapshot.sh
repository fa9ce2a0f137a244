#!/usr/bin/env bash
# Cost of a lake table snapshot (issue 19): a Delta table of 1,000 data
# files, 900 of them removed from the snapshot (not vacuumed), written by
# deltalake; times `ferret::source::lake::snapshot` on it (metadata only)
# through benches/support/lake_snapshot.rs, before and after a checkpoint.
#
#   bash benches/lake_snapshot.sh [OUTDIR]     (default target/lake-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/lake-bench}
bash scripts/lake-fixtures.sh target/lake >/dev/null   # installs deltalake when missing
rm -rf "$out" && mkdir -p "$out"

python3 - "$out/delta_1000" <<'PY'
import sys, time
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
root = sys.argv[1]
n = 1000
t0 = time.time()
# One file per partition value: 1,000 files in one commit.
write_deltalake(root, pa.table({
    "part": pa.array(list(range(n)), pa.int64()),
    "email": pa.array([f"user{i}@example.com" for i in range(n)], pa.string()),
}), partition_by=["part"])
DeltaTable(root).delete("part >= 100")          # removes 900 whole files
dt = DeltaTable(root)
print(f"deltalake: version {dt.version()}, {len(dt.file_uris())} live files, written in {time.time() - t0:.1f}s", file=sys.stderr)
PY

cargo build --quiet --example lake_snapshot
bin=target/debug/examples/lake_snapshot
echo "== JSON log only (no checkpoint)"
"$bin" "$out" delta_1000 20
python3 -c "import sys; from deltalake import DeltaTable; DeltaTable(sys.argv[1]).create_checkpoint()" "$out/delta_1000"
echo "== with a checkpoint"
"$bin" "$out" delta_1000 20
