#!/usr/bin/env bash
# pg_fixture.sh start|stop DIR [PORT] — a throwaway PostgreSQL server for the ledger tests
# (ctest fixture "pg": FIXTURES_SETUP / FIXTURES_CLEANUP in tests/ledger/CMakeLists.txt).
#
# start: initdb in DIR/data (any leftover server of an earlier, killed run is stopped and
#   removed first), a random password for the superuser "postgres" in DIR/password,
#   password (SCRAM) logins over TCP on 127.0.0.1:PORT, trust on the Unix socket in /tmp,
#   and a database "itc". The tests read ITC_PG_CONNECTION="host=127.0.0.1 port=PORT
#   dbname=itc user=postgres" and ITC_PG_PASSWORD_FILE=DIR/password.
# stop: stops the server and removes its data; the logs stay in DIR.
# As root the server runs as the "postgres" user (runuser), otherwise as the caller.
# ITC_PGBIN overrides where initdb and pg_ctl are (default: the newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
port="${3:-55432}"
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
fi
data="$dir/data"
pgbin="${ITC_PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  if [[ -f "$data/postmaster.pid" ]]; then
    as_postgres "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null ||
      echo "pg_fixture: could not stop the server in $data (see $dir/server.log)" >&2
  fi
}

start() {
  if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
    echo "pg_fixture: no PostgreSQL server binaries (install the postgresql package or set ITC_PGBIN)" >&2
    exit 1
  fi
  stop_server
  rm -rf "$dir"
  mkdir -p "$dir"
  (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/password" && echo >>"$dir/password")
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$dir" "$dir/password"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "pg_fixture: the postgres user cannot write $dir (a parent directory is not searchable by it); use a build directory outside /root" >&2
      exit 1
    fi
  fi
  if ! as_postgres "$pgbin/initdb" -D "$data" -U postgres --pwfile="$dir/password" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1; then
    echo "pg_fixture: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
  fi
  if ! as_postgres "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null; then
    echo "pg_fixture: the server did not start on 127.0.0.1:$port (is the port taken?):" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
  fi
  as_postgres "$pgbin/createdb" -h /tmp -p "$port" -U postgres itc
  echo "pg_fixture: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $data"
}

case "$cmd" in
  start) start ;;
  stop)
    stop_server
    rm -rf "$data"
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
