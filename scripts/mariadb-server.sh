#!/usr/bin/env bash
# Throwaway MariaDB servers for the tests, on 127.0.0.1 and free ports, with
# the fixture databases loaded.
#
#   scripts/mariadb-server.sh start   # (re)creates them; writes target/mariadb/env
#   scripts/mariadb-server.sh stop    # stops them (also ones a crashed run left behind)
#
# Two servers from the same binaries: the main one with TLS on (a test CA made
# here with openssl) and the fixtures, and a small one with TLS off, for the
# "the server refuses TLS" tests. Installs Debian's mariadb-server and
# mariadb-client when the binaries are missing (no system service is started).
# The servers run as the `mysql` user, which must own their data folders.
# `target/mariadb/env` holds the variables the tests read (FERRET_TEST_MYSQL_*);
# the passwords in it are random per run and only for tests.
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD/target/mariadb"

stop_server() { # name
  local pidfile="$root/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

if [ "${1:-start}" = stop ]; then
  stop_server main
  stop_server plain
  exit 0
fi

if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ] \
  || ! command -v mariadb-install-db >/dev/null 2>&1 || ! command -v mariadb >/dev/null 2>&1; then
  echo "== installing mariadb-server and mariadb-client (Debian packages)"
  apt-get update -qq
  # A policy that forbids starting services keeps the package from running one.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq mariadb-server mariadb-client >/dev/null
fi
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
id mysql >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin mysql

# Servers a previous run left behind are stopped and replaced: fresh is cheap.
stop_server main
stop_server plain
rm -rf "$root"
mkdir -p "$root"
# The mysql user must reach its data folders through our build folder.
dir="$root"
while [ "$dir" != / ]; do chmod o+x "$dir" 2>/dev/null || true; dir=$(dirname "$dir"); done
chown mysql:mysql "$root"

fail() {
  echo "mariadb-server: $1" | tee /dev/stderr
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -20 "$2" | tee /dev/stderr
  df -h "$root" | tee /dev/stderr
  exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
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
# A second CA that signed nothing: verification against it must fail.
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ferret unrelated CA" \
  -keyout "$root/other-ca.key" -out "$root/other-ca.crt" >/dev/null 2>&1
chown mysql:mysql "$root/server.key" "$root/server.crt"
chmod 600 "$root/server.key"

start_server() { # name port extra-args...
  local name=$1 port=$2
  shift 2
  local data="$root/$name-data"
  mkdir -p "$data" && chown mysql:mysql "$data"
  mariadb-install-db --no-defaults --user=mysql --datadir="$data" --skip-test-db \
    --auth-root-authentication-method=normal >"$root/$name-install.log" 2>&1 \
    || fail "mariadb-install-db failed ($name)" "$root/$name-install.log"
  # setsid: the server outlives this script, in a session of its own.
  setsid "$mariadbd" --no-defaults --user=mysql --datadir="$data" \
    --bind-address=127.0.0.1 --port="$port" --socket="$root/$name.sock" \
    --pid-file="$root/$name.pid" --log-error="$root/$name.log" \
    --skip-name-resolve --max-connections=200 --innodb-buffer-pool-size=256M \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    "$@" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 300); do
    mariadb-admin --no-defaults --socket="$root/$name.sock" -uroot ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "the $name server did not start" "$root/$name.log"
}

port=$(free_port)
plain_port=$(free_port)
while [ "$plain_port" = "$port" ]; do plain_port=$(free_port); done
start_server main "$port" --ssl-ca="$root/ca.crt" --ssl-cert="$root/server.crt" --ssl-key="$root/server.key"
start_server plain "$plain_port" --skip-ssl --innodb-buffer-pool-size=16M

root_sql() { # name, SQL on stdin
  mariadb --no-defaults --socket="$root/$1.sock" -uroot --batch "${@:2}"
}

echo "== loading MariaDB fixtures (port $port)"
{
  echo "SET @reader_pw = '$reader_pw';"
  cat fixtures/mariadb/fixtures.sql
} | root_sql main >"$root/load.log" 2>&1 || fail "loading fixtures/mariadb/fixtures.sql failed" "$root/load.log"
# The admin logs in over TCP with a password (as the tests do); the reader on
# the TLS-less server exists for the TLS tests.
root_sql main <<SQL || fail "creating the admin failed"
CREATE USER 'ferret_admin'@'%' IDENTIFIED BY '$admin_pw';
GRANT ALL PRIVILEGES ON *.* TO 'ferret_admin'@'%' WITH GRANT OPTION;
SQL
root_sql plain <<SQL || fail "setting up the plain server failed"
CREATE DATABASE ferret_plain;
USE ferret_plain;
CREATE TABLE contacts (id INT PRIMARY KEY, email VARCHAR(100));
INSERT INTO contacts SELECT seq, CONCAT('plain', seq, '@example.org') FROM seq_1_to_10;
CREATE USER 'ferret_reader'@'%' IDENTIFIED BY '$reader_pw';
GRANT SELECT ON ferret_plain.* TO 'ferret_reader'@'%';
SQL

cat >"$root/env" <<ENV
export FERRET_TEST_MYSQL_HOST=127.0.0.1
export FERRET_TEST_MYSQL_PORT=$port
export FERRET_TEST_MYSQL_ADMIN_URL=mysql://ferret_admin:$admin_pw@127.0.0.1:$port/
export FERRET_TEST_MYSQL_READER=ferret_reader
export FERRET_TEST_MYSQL_READER_PASSWORD=$reader_pw
export FERRET_TEST_MYSQL_TLS_READER=ferret_tls
export FERRET_TEST_MYSQL_CA=$root/ca.crt
export FERRET_TEST_MYSQL_OTHER_CA=$root/other-ca.crt
export FERRET_TEST_MYSQL_PLAIN_PORT=$plain_port
export FERRET_TEST_MYSQL_SOCKET=$root/main.sock
ENV
echo "== MariaDB $("$mariadbd" --version | awk '{print $3}') on 127.0.0.1:$port, without TLS on :$plain_port (env in target/mariadb/env)"
