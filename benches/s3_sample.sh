#!/usr/bin/env bash
# S3 sampling benchmark against a local moto server (loopback):
#  1. bytes fetched by a sampled scan of a dataset of large Parquet files,
#     against the dataset's size (target: at most 5%);
#  2. requests per sampled Parquet object (footer + coalesced column chunks);
#  3. wall time to list and sample a 10,000-object bucket, in objects/s;
#  4. an incremental nightly run (--full --state) over that bucket after one
#     new object: objects read and wall time against the first run.
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

echo "== incremental --full --state over s3://bench-many/: first run, then one new object"
run_timed() { # OUT -> prints seconds
  local start end
  start=$(date +%s.%N)
  "$FERRET_BIN" scan --quiet --full --state "$out/state.json" --s3-endpoint "$ep" -o "$1" s3://bench-many/ || true
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
first_secs=$(run_timed "$out/first.json")
python3 - "$ep" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                  aws_access_key_id="bench", aws_secret_access_key="bench")
s3.put_object(Bucket="bench-many", Key="clicks/dt=2024-01-29/part-10000.jsonl",
              Body=b'{"email":"visitor10000@example.com","n":10000}\n')
PY
second_secs=$(run_timed "$out/second.json")
python3 - "$out/first.json" "$out/second.json" "$first_secs" "$second_secs" "$out/state.json" <<'PY'
import json, os, sys
first, second = (json.load(open(p)) for p in sys.argv[1:3])
t1, t2 = float(sys.argv[3]), float(sys.argv[4])
for name, inv, t in (("first run", first, t1), ("after one new object", second, t2)):
    inc, io = inv["scan"]["incremental"], inv["scan"]["io"]
    print(f"{name}: {t:.2f} s, objects read {inc.get('objects_read')}, carried forward "
          f"{inc.get('objects_carried_forward')}, get requests {io['get_requests']}")
print(f"state file: {os.path.getsize(sys.argv[5])} bytes; second/first wall time {t2 / t1:.3f}")
a, b = first["assets"][0], second["assets"][0]
names = lambda asset: [(c["path"], [l["label"] for l in c["labels"]]) for c in asset["columns"]]
print(f"rows {a['rows_sampled']} -> {b['rows_sampled']}; same columns and labels: {names(a) == names(b)}")
PY
rm -rf "$out"
