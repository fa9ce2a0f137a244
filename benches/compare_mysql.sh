#!/usr/bin/env bash
# MariaDB full-scan benchmark, in one run against the test server
# (scripts/mariadb-server.sh start, or a running target/mariadb/env):
# a 1,000,000-row table of mostly distinct realistic values (Faker) read whole
# by `mariadb --batch --quick` printing the same columns to /dev/null, and by
# ferret's full-scan reader (benches/support/mysql_full_scan.rs: the library's
# FullScan, rows into Arrow batches). Both without TLS, then both with TLS.
# Prints the times and the ratio (target: ferret at most 1.5x the client).
#
# usage: benches/compare_mysql.sh [runs]     (FERRET_BENCH_PROFILE=dev: the
#        debug build, dependencies at opt-level 2, for a machine without time
#        for a release build; numbers are then an upper bound)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
rows=1000000
[ -f target/mariadb/env ] || bash scripts/mariadb-server.sh start
. target/mariadb/env
python3 -c 'import faker' 2>/dev/null || pip install -q -r benches/realistic/requirements.txt

profile=${FERRET_BENCH_PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet --example mysql_full_scan
  reader_bin=target/release/examples/mysql_full_scan
else
  cargo build --quiet --example mysql_full_scan
  reader_bin=target/debug/examples/mysql_full_scan
fi

root_sql() { mariadb --no-defaults --socket="$FERRET_TEST_MYSQL_SOCKET" -uroot --batch "$@"; }
data=target/mariadb-bench
mkdir -p "$data"
if [ "$(root_sql -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'ferret_bench' AND TABLE_NAME = 'people'")" != 1 ] \
  || [ "$(root_sql -N -e "SELECT COUNT(*) FROM ferret_bench.people")" != "$rows" ]; then
  if [ ! -s "$data/people.tsv" ]; then
    echo "== generating $rows rows with Faker"
    python3 - "$rows" "$data/people.tsv" <<'PY'
import random, sys
from faker import Faker
rows, out = int(sys.argv[1]), sys.argv[2]
fake = Faker(["en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
Faker.seed(19)
random.seed(19)
pool = 50000  # distinct values per column, combined per row into mostly distinct rows
names = [fake.name() for _ in range(pool)]
streets = [fake.street_address() for _ in range(pool)]
cities = [fake.city() for _ in range(pool // 10)]
phones = [fake.phone_number() for _ in range(pool)]
ibans = [fake.iban() for _ in range(pool)]
jobs = [fake.job() for _ in range(pool // 10)]
sentences = [fake.sentence(nb_words=10) for _ in range(pool)]
clean = lambda s: s.replace("\t", " ").replace("\n", " ").replace("\\", "")
with open(out, "w", encoding="utf-8") as f:
    for i in range(1, rows + 1):
        name = names[random.randrange(pool)]
        user = "".join(c for c in name.lower() if c.isalnum())[:20] or "user"
        f.write("\t".join(clean(v) for v in (
            str(i), name, f"{user}{i}@{fake.free_email_domain()}", phones[random.randrange(pool)],
            f"{streets[random.randrange(pool)]}, {cities[random.randrange(len(cities))]}",
            f"{random.randint(1940, 2006)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
            ibans[random.randrange(pool)], f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}",
            jobs[random.randrange(len(jobs))], f"{random.randrange(100000)/100:.2f}", sentences[random.randrange(pool)],
        )) + "\n")
PY
  fi
  echo "== loading ferret_bench.people"
  root_sql --local-infile=1 <<SQL
CREATE DATABASE IF NOT EXISTS ferret_bench;
DROP TABLE IF EXISTS ferret_bench.people;
CREATE TABLE ferret_bench.people (
  id INT PRIMARY KEY, full_name VARCHAR(100), email VARCHAR(120), phone VARCHAR(40), address VARCHAR(200),
  birth_date DATE, iban VARCHAR(40), ip VARCHAR(15), job VARCHAR(100), balance DECIMAL(10,2), note VARCHAR(255));
LOAD DATA LOCAL INFILE '$PWD/$data/people.tsv' INTO TABLE ferret_bench.people CHARACTER SET utf8mb4;
GRANT SELECT ON ferret_bench.* TO 'ferret_reader'@'%';
ANALYZE TABLE ferret_bench.people;
SQL
fi
export MYSQL_PWD=$FERRET_TEST_MYSQL_READER_PASSWORD
cols="id, full_name, email, phone, address, birth_date, iban, ip, job, balance, note"
best() { sort -n | head -1; }
now() { date +%s.%N; }
# One warm-up read each, so both start from a warm buffer pool.
mariadb --no-defaults -h127.0.0.1 -P"$FERRET_TEST_MYSQL_PORT" -uferret_reader --batch --quick \
  -e "SELECT $cols FROM ferret_bench.people" >/dev/null
for tls in off on; do
  if [ $tls = off ]; then client_tls=(--skip-ssl); mode=DISABLED; else client_tls=(--ssl --ssl-ca="$FERRET_TEST_MYSQL_CA" --ssl-verify-server-cert); mode=VERIFY_IDENTITY; fi
  url="mysql://ferret_reader@127.0.0.1:$FERRET_TEST_MYSQL_PORT/ferret_bench?ssl-mode=$mode&ssl-ca=$FERRET_TEST_MYSQL_CA"
  client_times=(); ferret_times=()
  for _ in $(seq "$runs"); do
    t0=$(now)
    mariadb --no-defaults -h127.0.0.1 -P"$FERRET_TEST_MYSQL_PORT" -uferret_reader "${client_tls[@]}" --batch --quick \
      -e "SELECT $cols FROM ferret_bench.people" >/dev/null
    t1=$(now)
    out=$("$reader_bin" "$url" ferret_bench people)
    t2=$(now)
    case "$out" in "rows=$rows "*) ;; *) echo "ferret read: $out (expected $rows rows)" >&2; exit 1 ;; esac
    client_times+=("$(echo "$t1 - $t0" | bc)"); ferret_times+=("$(echo "$t2 - $t1" | bc)")
  done
  c=$(printf '%s\n' "${client_times[@]}" | best); f=$(printf '%s\n' "${ferret_times[@]}" | best)
  printf 'TLS %-3s  mariadb --batch --quick: %.2f s   ferret FullScan (%s): %.2f s   ratio ferret/client: %.2f  (best of %s; %s)\n' \
    "$tls" "$c" "$profile" "$f" "$(echo "$f / $c" | bc -l)" "$runs" "$out"
done

# The whole scan through the binary (discovery, the read, detection and
# classification of every value), against the same client read.
if [ "$profile" = release ]; then
  cargo build --release --quiet
  ferret_bin=target/release/ferret
else
  cargo build --quiet
  ferret_bin=target/debug/ferret
fi
url="mysql://ferret_reader@127.0.0.1:$FERRET_TEST_MYSQL_PORT/ferret_bench?ssl-mode=DISABLED"
client_times=(); scan_times=()
for _ in $(seq "$runs"); do
  t0=$(now)
  mariadb --no-defaults -h127.0.0.1 -P"$FERRET_TEST_MYSQL_PORT" -uferret_reader --skip-ssl --batch --quick \
    -e "SELECT $cols FROM ferret_bench.people" >/dev/null
  t1=$(now)
  "$ferret_bin" scan -q --full --include 'ferret_bench.people' "$url" -o /dev/null
  t2=$(now)
  client_times+=("$(echo "$t1 - $t0" | bc)"); scan_times+=("$(echo "$t2 - $t1" | bc)")
done
c=$(printf '%s\n' "${client_times[@]}" | best); f=$(printf '%s\n' "${scan_times[@]}" | best)
printf 'TLS off  mariadb --batch --quick: %.2f s   ferret scan --full (%s, all cores): %.2f s   ratio: %.2f  (best of %s)\n' \
  "$c" "$profile" "$f" "$(echo "$f / $c" | bc -l)" "$runs"
