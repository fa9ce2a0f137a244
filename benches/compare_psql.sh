#!/usr/bin/env bash
# PostgreSQL benchmarks, in one run against the test cluster
# (scripts/pg-server.sh start, or a running target/pg/env):
#
#  1. --full scan of public.big_events (1 M rows, 10 columns) against
#     psql's \copy of the same columns to /dev/null: both times and the ratio.
#  2. sampled scan (1,000 rows each) of a database of 200 tables of 20,000 rows:
#     wall time and rows/s.
#  3. a database of 1,000 tables: wall time and peak memory (bounded memory).
#
# usage: benches/compare_psql.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
[ -f target/pg/env ] || bash scripts/pg-server.sh start
. target/pg/env
cargo build --release --quiet
ferret=target/release/ferret
export PGPASSWORD=$FERRET_TEST_PG_READER_PASSWORD
reader="postgres://ferret_reader@127.0.0.1:$FERRET_TEST_PG_PORT"
admin_psql() { psql -X -q -h "$(dirname "$FERRET_TEST_PG_CA")" -p "$FERRET_TEST_PG_PORT" -U postgres "$@"; }

best() { sort -n | head -1; }
now() { date +%s.%N; }

echo "== 1. full scan of 1 M rows x 10 columns"
cols="id::text, user_email, phone, client_ip, amount::text, created_at::text, status, session_id::text, country, user_agent"
psql_times=(); ferret_times=()
for _ in $(seq "$runs"); do
  t0=$(now)
  psql -X -q "$reader/ferret_test" -c "\\copy (SELECT $cols FROM public.big_events) TO '/dev/null'"
  t1=$(now)
  $ferret scan --quiet --full --include public.big_events "$reader/ferret_test" -o /dev/null || true
  t2=$(now)
  psql_times+=("$(echo "$t1 - $t0" | bc)"); ferret_times+=("$(echo "$t2 - $t1" | bc)")
done
p=$(printf '%s\n' "${psql_times[@]}" | best); f=$(printf '%s\n' "${ferret_times[@]}" | best)
printf 'psql \\copy: %.2f s   ferret --full: %.2f s   ratio ferret/psql: %.2f  (best of %s)\n' "$p" "$f" "$(echo "$f / $p" | bc -l)" "$runs"

make_db() { # name tables rows
  local name=$1 tables=$2 rows=$3
  if admin_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then return; fi
  echo "   creating $name ($tables tables x $rows rows)"
  admin_psql -d postgres -c "CREATE DATABASE $name"
  admin_psql -d "$name" -c "DO \$\$ BEGIN FOR t IN 1..$tables LOOP
      EXECUTE format('CREATE TABLE public.%I (id int, email text, phone text, note text, amount numeric)', 't' || t);
      EXECUTE format('INSERT INTO public.%I SELECT i, ''u'' || i || ''@example.com'', ''+1 415 555 '' || lpad((i %% 10000)::text, 4, ''0''),
                      ''note '' || i, i / 7.0 FROM generate_series(1, $rows) i', 't' || t);
    END LOOP; END \$\$;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ferret_reader; ANALYZE;"
}

echo "== 2. sampled scan of 200 tables (1,000 rows each)"
make_db ferret_bench200 200 20000
t0=$(now)
$ferret scan --quiet "$reader/ferret_bench200" -o target/bench200.json || true
t1=$(now)
rows=$(python3 -c "import json; print(json.load(open('target/bench200.json'))['summary']['rows_sampled'])")
wall=$(echo "$t1 - $t0" | bc)
printf '200 tables: %.2f s, %s rows sampled, %.0f rows/s\n' "$wall" "$rows" "$(echo "$rows / $wall" | bc -l)"
$ferret scan --quiet --db-connections 1 "$reader/ferret_bench200" -o /dev/null || true
t2=$(now)
printf '  (with --db-connections 1: %.2f s)\n' "$(echo "$t2 - $t1" | bc)"

echo "== 3. 1,000 tables: wall time and peak memory"
make_db ferret_bench1000 1000 200
/usr/bin/time -f '1000 tables: %e s, max RSS %M KB' $ferret scan --quiet "$reader/ferret_bench1000" -o /dev/null || true
