#!/usr/bin/env bash
# S3 sampling benchmark against a local moto server (loopback):
#  1. bytes fetched by a sampled scan of a dataset of large Parquet files,
#     against the dataset's size (target: at most 5%);
#  2. requests per sampled Parquet object (footer + coalesced column chunks);
#  3. wall time to list and sample a 10,000-object bucket, in objects/s.
#
# usage: bash benches/s3_sample.sh [FILES] [MIB_PER_FILE]   (default 4 x 64 MiB)
# Uses FERRET_TEST_S3_ENDPOINT when set (a running server), else starts moto.
# FERRET_BIN=path uses an already built binary (default: cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-4}
mib=${2:-64}

# shellcheck source=scripts/s3-server.sh
source scripts/s3-server.sh
if [ -z "${FERRET_TEST_S3_ENDPOINT:-}" ]; then
  trap s3_server_stop EXIT
  s3_server_start
fi
ep=$FERRET_TEST_S3_ENDPOINT

profile=${PROFILE:-release}
flag=()
[ "$profile" = release ] && flag=(--release)
if [ -z "${FERRET_BIN:-}" ]; then
  cargo build --quiet "${flag[@]}" --bin ferret
  dir=${CARGO_TARGET_DIR:-target}
  FERRET_BIN="$dir/$profile/ferret"
fi
echo "== uploading: $files Parquet files of ~$mib MiB, and 10,000 small objects"
cargo run --quiet "${flag[@]}" --example s3_bench_data -- "$ep" "$files" "$mib"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
out=$(mktemp -d)

echo "== sampled scan of s3://bench-parquet/warehouse/"
"$FERRET_BIN" scan --quiet --s3-endpoint "$ep" -o "$out/parquet.json" s3://bench-parquet/warehouse/ || true
python3 - "$out/parquet.json" <<'PY'
import json, sys
inv = json.load(open(sys.argv[1]))
a = inv["assets"][0]
io = inv["scan"]["io"]
total, read = a["bytes_total"], a["bytes_read"]
print(f"asset {a['id']}: {a['objects_total']} objects, {a['objects_sampled']} sampled, errors {len(a['errors'])}")
print(f"bytes fetched: {read} of {total} ({100.0 * read / total:.3f}%)  target <= 5%")
print(f"ranged GETs: {io['get_requests']} for {a['objects_sampled']} sampled Parquet objects "
      f"= {io['get_requests'] / max(1, a['objects_sampled']):.2f} per object; list requests {io['list_requests']}")
PY

echo "== list + sample s3://bench-many/ (10,000 objects)"
start=$(date +%s.%N)
"$FERRET_BIN" scan --quiet --s3-endpoint "$ep" -o "$out/many.json" s3://bench-many/ || true
end=$(date +%s.%N)
python3 - "$out/many.json" "$start" "$end" <<'PY'
import json, sys
inv = json.load(open(sys.argv[1]))
secs = float(sys.argv[3]) - float(sys.argv[2])
objs = sum(a["objects_total"] for a in inv["assets"])
io = inv["scan"]["io"]
print(f"{objs} objects in {len(inv['assets'])} asset(s); {io['list_requests']} list + {io['get_requests']} get requests")
print(f"wall time {secs:.2f} s (process start to exit) = {objs / secs:.0f} objects/s")
PY
rm -rf "$out"
