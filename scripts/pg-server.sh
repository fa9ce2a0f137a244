#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, on 127.0.0.1 and a free port,
# with TLS on and the fixture schemas loaded.
#
#   scripts/pg-server.sh start   # (re)creates the cluster; writes target/pg/env
#   scripts/pg-server.sh stop    # stops it (also a cluster a crashed run left behind)
#
# Installs Debian's postgresql when no server binaries are found (the package
# does not start a server). The cluster runs as the `postgres` user, which must
# own its data folder. `target/pg/env` holds the variables the tests read
# (FERRET_TEST_PG_*); the passwords in it are random per run and only for tests.
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD/target/pg"
data="$root/data"

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && echo "$d"
  done | tail -1
}

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

stop_cluster() {
  local bindir=$1
  if [ -f "$data/postmaster.pid" ]; then
    as_postgres "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    local pid
    pid=$(head -1 "$data/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
}

bindir=$(find_bindir)
if [ "${1:-start}" = stop ]; then
  [ -n "$bindir" ] && stop_cluster "$bindir"
  exit 0
fi

if [ -z "$bindir" ]; then
  echo "== installing postgresql (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir=$(find_bindir)
  [ -n "$bindir" ] || { echo "pg-server: postgresql installed but no server binaries found" >&2; exit 1; }
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

# A cluster a previous run left behind is stopped and replaced: fresh is cheap.
stop_cluster "$bindir"
rm -rf "$root"
mkdir -p "$root"
# The postgres user must reach its data folder through our build folder.
dir="$root"
while [ "$dir" != / ]; do chmod o+x "$dir" 2>/dev/null || true; dir=$(dirname "$dir"); done

# A failure says why on stdout too (CI shows stdout), with the disk left.
fail() {
  echo "pg-server: $1" | tee /dev/stderr
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -20 "$2" | tee /dev/stderr
  df -h "$root" | tee /dev/stderr
  exit 1
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin_pw=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
reader_pw=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')

# TLS: a CA of our own and a server certificate for 127.0.0.1 / localhost.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ferret test CA" \
  -keyout "$root/ca.key" -out "$root/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$root/server.key" -out "$root/server.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$root/san.ext"
openssl x509 -req -in "$root/server.csr" -CA "$root/ca.crt" -CAkey "$root/ca.key" -CAcreateserial \
  -days 30 -extfile "$root/san.ext" -out "$root/server.crt" >/dev/null 2>&1
chown postgres:postgres "$root" "$root/server.key" "$root/server.crt"
chmod 600 "$root/server.key"

printf '%s\n' "$admin_pw" >"$root/pwfile"
chown postgres:postgres "$root/pwfile"
as_postgres "$bindir/initdb" -D "$data" -U postgres --pwfile="$root/pwfile" -E UTF8 --no-locale \
  --auth-local=trust --auth-host=scram-sha-256 >"$root/initdb.log" 2>&1 \
  || fail "initdb failed" "$root/initdb.log"
rm -f "$root/pwfile"
# Database `tlsonly` refuses connections without TLS (sslmode tests).
{
  echo "hostnossl tlsonly all 127.0.0.1/32 reject"
  cat "$data/pg_hba.conf"
} >"$data/pg_hba.conf.new" && mv "$data/pg_hba.conf.new" "$data/pg_hba.conf"
chown postgres:postgres "$data/pg_hba.conf"

as_postgres "$bindir/pg_ctl" -D "$data" -l "$root/server.log" -w -t 60 \
  -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$root -c ssl=on \
      -c ssl_cert_file=$root/server.crt -c ssl_key_file=$root/server.key \
      -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c autovacuum=off" start >/dev/null \
  || fail "the server did not start" "$root/server.log"

echo "== loading PostgreSQL fixtures (port $port)"
PGPASSWORD="" psql -X -q -h "$root" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -v reader_pw="$reader_pw" -f fixtures/postgres/fixtures.sql >"$root/load.log" 2>&1 \
  || fail "loading fixtures/postgres/fixtures.sql failed" "$root/load.log"
# Lineage fixtures: 1 M-row tables generated in SQL (a few seconds).
PGPASSWORD="" psql -X -q -h "$root" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -f fixtures/postgres/lineage.sql >>"$root/load.log" 2>&1 \
  || fail "loading fixtures/postgres/lineage.sql failed" "$root/load.log"

cat >"$root/env" <<ENV
export FERRET_TEST_PG_HOST=127.0.0.1
export FERRET_TEST_PG_PORT=$port
export FERRET_TEST_PG_ADMIN_URL=postgres://postgres:$admin_pw@127.0.0.1:$port/postgres
export FERRET_TEST_PG_READER=ferret_reader
export FERRET_TEST_PG_READER_PASSWORD=$reader_pw
export FERRET_TEST_PG_CA=$root/ca.crt
ENV
echo "== PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (env in target/pg/env)"
