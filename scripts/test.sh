#!/usr/bin/env bash
# The whole test suite, as CI runs it (`.ci/run` calls this script).
# Installs what the tests need, idempotently, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v setpriv >/dev/null 2>&1 || need_apt+=(util-linux)
# tests/report.rs renders the HTML report in a real browser (headless).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

echo "== disk free here: $(df -h . | awk 'NR==2 {print $4 " of " $2}')"
echo "== cargo fmt --check"
cargo fmt --check

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --quiet -- -D warnings

echo "== fixtures are reproducible from fixtures/generate.rs"
regen=$(mktemp -d)
trap 'rm -rf "$regen"' EXIT
cargo run --quiet --example gen_fixtures -- "$regen"
for d in demo corpus truth; do
  diff -r "fixtures/$d" "$regen/$d" >/dev/null || { echo "fixtures/$d differs from a fresh generation: run 'cargo run --example gen_fixtures -- fixtures' and commit"; diff -rq "fixtures/$d" "$regen/$d" | head; exit 1; }
done

echo "== validators agree with python-stdnum (differential, 1000 candidates per identifier)"
bash scripts/stdnum_diff.sh 1000

echo "== lake tables (Delta, Iceberg) written by deltalake and pyiceberg for tests/lake*.rs"
bash scripts/lake-fixtures.sh target/lake
export FERRET_TEST_LAKE_DIR=target/lake

log=$(mktemp)
echo "== S3-compatible test server (moto) for tests/s3_*.rs and tests/lake_s3.rs"
# shellcheck source=scripts/s3-server.sh
source scripts/s3-server.sh
# The test servers are stopped when this script exits (pass or fail).
trap 'rm -rf "$regen" "$log"; s3_server_stop; bash scripts/pg-server.sh stop; bash scripts/mariadb-server.sh stop' EXIT
s3_server_start

echo "== PostgreSQL test server"
bash scripts/pg-server.sh start
# shellcheck disable=SC1091
. target/pg/env

echo "== MariaDB test servers (tests/mysql.rs)"
bash scripts/mariadb-server.sh start
# shellcheck disable=SC1091
. target/mariadb/env

echo "== cargo test"
set +e
cargo test --all-targets --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test binary (the last binary cargo runs is an
# example with no tests, so its own closing line says nothing).
passed=$(grep -Eo '^test result: .* ([0-9]+) passed' "$log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}')
echo
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
