#!/usr/bin/env bash
# Starts this machine's PostgreSQL (Debian's packages: `apt-get install postgresql`) if it is
# not running, makes a `satchel_test` role that may create databases, and prints the URL the
# storage tests take from SATCHEL_TEST_POSTGRES_URL. Needs root or sudo to act as `postgres`.
set -euo pipefail
# Only the URL goes to stdout: pg_ctlcluster and friends talk on stdout ("Removed stale pid
# file."), so everything else is sent to stderr and the URL to the saved descriptor 3.
exec 3>&1 1>&2

if ! command -v pg_lsclusters >/dev/null; then
  echo "PostgreSQL is not installed (apt-get install postgresql), or set SATCHEL_SKIP_POSTGRES=1" >&2
  exit 1
fi
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
if [ -z "$(pg_lsclusters -h)" ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$ver" main 3>&-
fi
read -r ver name port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != online ]; then
  pg_ctlcluster "$ver" "$name" start 3>&-  # the server must not hold the URL pipe open
fi
psql_q() { as_postgres psql -p "$port" -qtAX -c "$1"; }
if [ "$(psql_q "SELECT 1 FROM pg_roles WHERE rolname = 'satchel_test'")" != 1 ]; then
  psql_q "CREATE ROLE satchel_test LOGIN CREATEDB PASSWORD 'satchel_test'" >/dev/null
fi
if [ "$(psql_q "SELECT 1 FROM pg_database WHERE datname = 'satchel_test'")" != 1 ]; then
  psql_q "CREATE DATABASE satchel_test OWNER satchel_test" >/dev/null
fi
echo "postgres://satchel_test:satchel_test@127.0.0.1:$port/satchel_test" >&3
