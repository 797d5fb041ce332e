# A throwaway PostgreSQL 15 server for the test suite; sourced by .ci/run.
# postgres_start sets POSTGRES_URL; postgres_stop stops the server and removes its folder.
# As root the server runs as the `postgres` user (initdb refuses root).

PG_BIN="${PG_BIN:-$(dirname "$(command -v initdb 2>/dev/null || echo /usr/lib/postgresql/15/bin/initdb)")}"
POSTGRES_DIR=""
POSTGRES_URL=""

_as_postgres_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_free_port() {
  .venv/bin/python - <<'PY'
import socket

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

postgres_start() {
  POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/auditloop-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$POSTGRES_DIR"
  fi
  _as_postgres_owner "$PG_BIN/initdb" --pgdata="$POSTGRES_DIR/data" --username=postgres \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$POSTGRES_DIR/initdb.log" 2>&1 \
    || { cat "$POSTGRES_DIR/initdb.log" >&2; return 1; }
  local port attempt
  for attempt in 1 2 3; do
    port=$(_free_port)
    # Durability is not wanted for a server that lives for one test run. Nor is autovacuum:
    # the suite builds councils in transactions it rolls back, and autovacuum, waking at a
    # moment of its own, clears those dead rows while the next build's transaction is still
    # open, and records the tables as holding pages but no rows (it cannot see that
    # transaction's rows, nor shrink the tables under its lock). Every join planned after that
    # is a nested loop over what the planner takes for empty tables: the large council's
    # build ran over 20 minutes instead of 2. The tests' own ANALYZEs
    # (auditloop/core/planner.py) give the planner what it needs, at moments the tests choose.
    if _as_postgres_owner "$PG_BIN/pg_ctl" --pgdata="$POSTGRES_DIR/data" \
      --log="$POSTGRES_DIR/server.log" --wait --timeout=60 --silent \
      -o "-p $port -k $POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 \
          -c autovacuum=off" start; then
      POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
      export POSTGRES_URL
      echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $port"
      return 0
    fi
    echo "PostgreSQL did not start on port $port (attempt $attempt):" >&2
    tail -n 5 "$POSTGRES_DIR/server.log" >&2 || true
  done
  return 1
}

postgres_stop() {
  local rc=$?
  if [ -n "$POSTGRES_DIR" ] && [ -d "$POSTGRES_DIR" ]; then
    if [ -f "$POSTGRES_DIR/data/postmaster.pid" ]; then
      _as_postgres_owner "$PG_BIN/pg_ctl" --pgdata="$POSTGRES_DIR/data" --mode=immediate \
        --silent stop || true
    fi
    rm -rf "$POSTGRES_DIR"
  fi
  return "$rc"
}
