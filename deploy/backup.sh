# Sourced by deploy/postgres.sh when PAVILION_BACKUP=1: continuous archiving of the local
# PostgreSQL with pgBackRest, and the WAL streamed synchronously beside it so that no
# acknowledged commit is lost with the data directory (docs/operations.md).
#
# $PAVILION_BACKUP_DIR holds everything, outside the data directory:
#   pgbackrest.conf  the stanza "pavilion" (`pavilion backup …` reads it from here)
#   repo/            pgBackRest's repository: base backups and the archived WAL segments
#   wal/             pg_receivewal's copy of the WAL as it is written, the current
#                    segment included (.partial); a commit returns once it is on disk here
# `pavilion backup restore` puts the streamed segments the archive lacks into the
# restored pg_wal (and sets the stream aside): the server replays the archive, then them,
# up to the last acknowledged commit.

BACKUP_CONF=$PAVILION_BACKUP_DIR/pgbackrest.conf
WAL_STREAM=$PAVILION_BACKUP_DIR/wal
RECEIVER=pavilion_wal  # the synchronous standby's name and its replication slot's
RECEIVER_PID=$PAVILION_BACKUP_DIR/receivewal.pid
PGBACKREST="pgbackrest --config=$BACKUP_CONF --stanza=pavilion"

# The server settings (archive_mode needs a restart: they are given at start). Every
# commit waits until pg_receivewal has the WAL on disk (synchronous_commit=on with it as
# the synchronous standby): without it running, commits wait.
backup_server_options() {
  printf '%s' "-c archive_mode=on -c archive_command='$PGBACKREST archive-push %p'" \
    " -c synchronous_standby_names=$RECEIVER -c synchronous_commit=on"
}

backup_configure() {
  mkdir -p "$PAVILION_BACKUP_DIR/repo" "$WAL_STREAM" "$PAVILION_LOG_DIR/pgbackrest"
  cat > "$BACKUP_CONF" <<EOF
# Written by deploy/postgres.sh (PAVILION_BACKUP=1); edits are overwritten at start.
[global]
repo1-path=$PAVILION_BACKUP_DIR/repo
repo1-retention-full=${PAVILION_BACKUP_RETENTION:-2}
log-path=$PAVILION_LOG_DIR/pgbackrest
lock-path=$PAVILION_BACKUP_DIR/lock
spool-path=$PAVILION_BACKUP_DIR/spool
start-fast=y
log-level-console=warn
log-level-file=info

[pavilion]
pg1-path=$DATA
pg1-port=$PAVILION_PG_PORT
pg1-socket-path=$SOCKETS
pg1-user=postgres
EOF
  [ "$(id -u)" = 0 ] && chown -R postgres "$PAVILION_BACKUP_DIR" "$PAVILION_LOG_DIR/pgbackrest"
  return 0
}

# After the server is up: the stanza, the slot and the receiver (before anything
# commits: commits wait for it), and a first full backup when the repository has none.
backup_start() {
  command -v pgbackrest >/dev/null \
    || { echo "postgres: PAVILION_BACKUP=1 needs pgbackrest (deploy/system-deps.sh)" >&2; exit 1; }
  # after a restore, the WAL is replayed first: the stream is of the timeline it ends on
  wait_for 600 promoted || { echo "postgres: still recovering after 600 s" >&2; exit 1; }
  psql "$PAVILION_PG_URL/postgres" -qXtA -v ON_ERROR_STOP=1 -c \
    "SELECT pg_create_physical_replication_slot('$RECEIVER', true) WHERE NOT EXISTS
       (SELECT FROM pg_replication_slots WHERE slot_name = '$RECEIVER')" >/dev/null
  backup_stop_receiver
  # it reconnects by itself (every 5 s) when the server goes away and comes back
  # (its own pid in the file, not runuser's)
  as_owner nohup sh -c 'echo $$ > "$0"; exec "$@"' "$RECEIVER_PID" \
    "$PG_BIN/pg_receivewal" -D "$WAL_STREAM" --slot="$RECEIVER" --synchronous \
    -d "host=$SOCKETS port=$PAVILION_PG_PORT user=postgres application_name=$RECEIVER" \
    >>"$PAVILION_LOG_DIR/receivewal.log" 2>&1 &
  as_owner $PGBACKREST stanza-create >/dev/null
  if ! as_owner $PGBACKREST info --output=json | grep -q '"label"'; then
    as_owner $PGBACKREST backup --type=full
    echo "postgres: first full backup taken into $PAVILION_BACKUP_DIR/repo"
  fi
  echo "postgres: backups on (PAVILION_BACKUP_DIR=$PAVILION_BACKUP_DIR; pavilion backup list)"
}

backup_stop_receiver() {
  [ -f "$RECEIVER_PID" ] || return 0
  kill "$(cat "$RECEIVER_PID")" 2>/dev/null || true
  rm -f "$RECEIVER_PID"
}

promoted() {
  [ "$(psql "$PAVILION_PG_URL/postgres" -qXtA -c 'SELECT pg_is_in_recovery()')" = f ]
}
