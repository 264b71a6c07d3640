#!/bin/sh
# `docker compose run --rm --no-deps backup pavilion-restore [pgbackrest restore options]`
# with postgres, wal-stream and the services stopped: the data directory rebuilt from the
# newest backup and the archived WAL, then the streamed segments (the current one under
# its .partial name) put into pg_wal for the server to replay after them, and the stream
# set aside (a point-in-time restore leaves its history). What `pavilion backup restore`
# does locally (docs/operations.md). A point in time:
#   pavilion-restore --type=time "--target=2026-05-04 10:30:00+00" --target-action=promote
set -eu
rm -f /var/lib/postgresql/data/postmaster.pid  # left by a crash; the server is stopped
pgbackrest --stanza=pavilion restore --delta "$@"
stream=/var/lib/pgbackrest/wal
if [ -d "$stream" ]; then
  for f in "$stream"/*; do
    [ -e "$f" ] && cp "$f" "/var/lib/postgresql/data/pg_wal/$(basename "$f" .partial)"
  done
  mv "$stream" "$stream.$(date -u +%Y%m%dT%H%M%SZ)"
fi
echo "restored; start postgres and wal-stream (docker compose up -d)"
