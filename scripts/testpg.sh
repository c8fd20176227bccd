#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for the tests and prints its URL.
# Usage: eval "$(scripts/testpg.sh start)"   ...   scripts/testpg.sh stop DIR
# The test server runs with fsync=off; URA_PG_DURABLE=1 keeps fsync on (for
# measurements), URA_PG_SHARED_BUFFERS sizes its cache (default 256MB) and
# URA_PG_PARENT puts its directory elsewhere than /tmp.
set -euo pipefail
cmd=${1:-start}
pgbin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do [ -x "$b/initdb" ] && { echo "$b"; return; }; done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1
}
case "$cmd" in
start)
  bin=$(pgbin)
  dir=$(mktemp -d "${URA_PG_PARENT:-/tmp}/ura-pg.XXXXXX")
  fsync="-c fsync=off"
  [ "${URA_PG_DURABLE:-}" = 1 ] && fsync="-c fsync=on -c synchronous_commit=on"
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
  as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; as=(runuser -u postgres --); fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $fsync -c max_connections=300 -c shared_buffers=${URA_PG_SHARED_BUFFERS:-256MB}" start >/dev/null
  echo "export URA_TEST_PG='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable' URA_TEST_PG_DIR='$dir'"
  ;;
stop)
  dir=${2:?directory}
  bin=$(pgbin)
  as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
