#!/usr/bin/env bash
# A real S3-compatible server for the tests: moto's server mode on 127.0.0.1.
#
#   source scripts/s3-server.sh && s3_server_start   # exports FERRET_TEST_S3_ENDPOINT
#   s3_server_stop                                    # (also call it from an EXIT trap)
#
# or, standalone:  bash scripts/s3-server.sh run -- COMMAND ARGS...
# (starts the server, runs the command with FERRET_TEST_S3_ENDPOINT set, stops it).
#
# Installs moto[server] from PyPI when `moto_server` is missing (idempotent).
# moto accepts any credentials; the credential tests start their own moto
# with authentication on (see tests/s3_faults.rs).

s3_server_install() {
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "== installing moto[server] (S3-compatible test server)"
    python3 -m pip install --quiet 'moto[server]>=5,<6' || return 1
    hash -r
  fi
  command -v moto_server >/dev/null 2>&1 || { echo "moto_server not on PATH after install" >&2; return 1; }
}

s3_server_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

s3_server_start() {
  s3_server_install || return 1
  local port log
  port=$(s3_server_free_port) || return 1
  log=$(mktemp -t moto-server.XXXXXX.log)
  moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  S3_SERVER_PID=$!
  S3_SERVER_LOG=$log
  export FERRET_TEST_S3_ENDPOINT="http://127.0.0.1:${port}"
  local i
  for i in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + '/moto-api/', timeout=1)" "$FERRET_TEST_S3_ENDPOINT" >/dev/null 2>&1; then
      echo "== S3 test server (moto) ready at $FERRET_TEST_S3_ENDPOINT (pid $S3_SERVER_PID)"
      return 0
    fi
    if ! kill -0 "$S3_SERVER_PID" 2>/dev/null; then
      echo "moto_server exited during start:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "moto_server not ready after 20 s:" >&2
  cat "$log" >&2
  return 1
}

s3_server_stop() {
  if [ -n "${S3_SERVER_PID:-}" ]; then
    kill "$S3_SERVER_PID" 2>/dev/null || true
    wait "$S3_SERVER_PID" 2>/dev/null || true
    S3_SERVER_PID=
  fi
  [ -n "${S3_SERVER_LOG:-}" ] && rm -f "$S3_SERVER_LOG"
  return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    run)
      shift
      [ "${1:-}" = "--" ] && shift
      trap s3_server_stop EXIT
      s3_server_start
      "$@"
      ;;
    *)
      echo "usage: bash scripts/s3-server.sh run -- COMMAND [ARGS...]   (or source it)" >&2
      exit 2
      ;;
  esac
fi
