#!/usr/bin/env bash
# PostgreSQL without Docker: a private cluster made with the system's initdb/pg_ctl in
# a scratch directory (run as the postgres user when we are root), loopback only,
# with one database per service, each owned by the service's own role.
# Usage: deploy/postgres.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
DATA=$PAVILION_STATE_DIR/pg/data
SOCKETS=$PAVILION_STATE_DIR/pg/sockets
LOG=$PAVILION_LOG_DIR/postgres.log
# PAVILION_BACKUP=1: continuous archiving and the WAL streamed synchronously
# (deploy/backup.sh; docs/operations.md)
[ "$PAVILION_BACKUP" = 1 ] && source "$(dirname "$0")/backup.sh"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Each service's database, owned by a login role of the same name that is no superuser
# and may connect to nothing else; on a state dir from before the roles, the database and
# everything in it pass to the role. The same SQL as compose's PostgreSQL; no password:
# the local server trusts loopback connections.
create_databases() {
  local service
  [[ $PAVILION_DB_PREFIX =~ ^[a-z_][a-z0-9_]{0,40}$ ]] \
    || { echo "postgres: PAVILION_DB_PREFIX must be a lower-case identifier" >&2; exit 1; }
  for service in $PAVILION_SERVICES; do
    psql "$PAVILION_PG_URL/postgres" -qX -v ON_ERROR_STOP=1 -v name="${PAVILION_DB_PREFIX}_$service" \
      -f "$REPO_ROOT/deploy/compose/service-database.sql" >/dev/null
  done
  # the vault of the keys that personal data is sealed with, which every service's role
  # reaches as itself (deploy/compose/vault-database.sql)
  psql "$PAVILION_PG_URL/postgres" -qX -v ON_ERROR_STOP=1 -v prefix="$PAVILION_DB_PREFIX" \
    -v vault_sql="$REPO_ROOT/libs/pavilion-core/src/pavilion_core/sql/vault/001_keys.sql" \
    -f "$REPO_ROOT/deploy/compose/vault-database.sql" >/dev/null
}

start() {
  if [ "$PAVILION_PG_EXTERNAL" = 1 ]; then
    echo "postgres: using $PAVILION_PG_URL"; create_databases; return
  fi
  [ -x "$PG_BIN/initdb" ] || { echo "postgres: no server binaries (apt-get install postgresql)" >&2; exit 1; }
  mkdir -p "$PAVILION_STATE_DIR/pg" "$SOCKETS" "$PAVILION_LOG_DIR"
  touch "$LOG"
  [ "$(id -u)" = 0 ] && chown -R postgres "$PAVILION_STATE_DIR/pg" "$LOG" && chmod o+x "$PAVILION_STATE_DIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    as_owner "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    echo "postgres: already running on port $PAVILION_PG_PORT"
  else
    port_free "$PAVILION_PG_PORT" postgres PAVILION_PG_PORT
    local options="-p $PAVILION_PG_PORT -c listen_addresses=127.0.0.1 -k $SOCKETS"
    options+=" -c max_connections=200 -c fsync=${PAVILION_PG_FSYNC:-on}"
    [ "$PAVILION_BACKUP" = 1 ] && backup_configure && options+=" $(backup_server_options)"
    # A restored data directory replays its WAL first: no connection until it is done
    # (read-only ones would have the services' migrations fail), however long it takes.
    local within=60
    [ -f "$DATA/recovery.signal" ] && options+=" -c hot_standby=off" && within=3600
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$within" start -o "$options" >/dev/null
    echo "postgres: started on port $PAVILION_PG_PORT (log: $LOG)"
  fi
  wait_for 30 psql "$PAVILION_PG_URL/postgres" -c 'SELECT 1'
  [ "$PAVILION_BACKUP" = 1 ] && backup_start
  create_databases
}

stop() {
  [ "$PAVILION_PG_EXTERNAL" = 1 ] && return
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "postgres: stopped"
  fi
  if [ "$PAVILION_BACKUP" = 1 ]; then backup_stop_receiver; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) as_owner "$PG_BIN/pg_ctl" -D "$DATA" status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
