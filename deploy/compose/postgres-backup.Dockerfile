# PostgreSQL 15 with pgBackRest, for deploy/compose/backup.yml: the server archives its
# WAL with it, the backup and wal-stream services run from the same image (same uid, so
# the shared volumes need no chown), and pavilion-restore rebuilds the data directory.
FROM postgres:15
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends pgbackrest \
    && rm -rf /var/lib/apt/lists/* /etc/pgbackrest.conf \
    && install -d -o postgres -g postgres /var/lib/pgbackrest
COPY deploy/compose/pgbackrest.conf /etc/pgbackrest/pgbackrest.conf
COPY deploy/compose/pavilion-restore.sh /usr/local/bin/pavilion-restore
