#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the test suite.
#
#   eval "$(.ci/postgres.sh)"    # sets NEWSBOT_TEST_POSTGRES_URL; progress goes to stderr
#
# Installs PostgreSQL with apt-get when it is missing, creates a cluster in a fresh temporary
# folder (trust auth, fsync off: test data only), starts it on a free port and creates the
# database `newsbot_test`. stdout carries only shell lines for eval. The server keeps running
# after the script; `$NEWSBOT_PG_STOP` (set by the eval) is the command that stops it.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql (apt-get)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# The server refuses to run as root: use the postgres account then, else the current user.
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_pg() { "$@"; }
  OWNER=$(id -un)
fi

PORT=${NEWSBOT_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
ROOT=$(mktemp -d /tmp/newsbot-pg.XXXXXX)
chown "$OWNER" "$ROOT"
chmod 700 "$ROOT"

log "initdb in $ROOT/data"
as_pg "$BIN/initdb" -D "$ROOT/data" -U postgres -A trust --no-sync -E UTF8 >"$ROOT/initdb.log" 2>&1 \
  || { cat "$ROOT/initdb.log" >&2; exit 1; }
log "starting on 127.0.0.1:$PORT"
as_pg "$BIN/pg_ctl" -D "$ROOT/data" -l "$ROOT/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $ROOT -c fsync=off -c full_page_writes=off" \
  start >&2 || { cat "$ROOT/server.log" >&2; exit 1; }
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres newsbot_test >&2

echo "export NEWSBOT_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/newsbot_test"
# Paths without spaces (mktemp's and the package's), so the command splits into its words.
if [ "$(id -u)" = 0 ]; then
  echo "NEWSBOT_PG_STOP='runuser -u postgres -- $BIN/pg_ctl -D $ROOT/data stop -m fast'"
else
  echo "NEWSBOT_PG_STOP='$BIN/pg_ctl -D $ROOT/data stop -m fast'"
fi
