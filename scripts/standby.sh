#!/usr/bin/env bash
# Creates and starts a hot standby of the local PostgreSQL server on 127.0.0.1:${STANDBY_PORT:-5433}
# (streaming replication, pg_basebackup -R), for the read-replica tests. Idempotent: a standby that
# answers is left alone. Needs root (it acts as the postgres user) and a primary on 127.0.0.1:5432
# with trust authentication, as these machines have. Usage: bash scripts/standby.sh [stop]
set -euo pipefail

PORT="${STANDBY_PORT:-5433}"
VERSION="$(ls /etc/postgresql | sort -V | tail -n 1)"
BIN="/usr/lib/postgresql/$VERSION/bin"
DIR="/var/lib/postgresql/standby-$VERSION-$PORT"
HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"
as_postgres() { runuser -u postgres -- "$@"; }

if [ "${1:-}" = "stop" ]; then
  as_postgres "$BIN/pg_ctl" -D "$DIR" -m fast stop || true
  exit 0
fi

if pg_isready -h 127.0.0.1 -p "$PORT" -q; then
  echo "standby: already answering on 127.0.0.1:$PORT"
  exit 0
fi

# The primary lets local replication connections in (trust, like its other local connections).
if ! grep -Eq '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust" >> "$HBA"
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
fi

build() {
  rm -rf "$DIR"
  as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$DIR" -R -X stream -c fast
  # Debian keeps configuration under /etc: the standby gets a minimal one of its own.
  as_postgres tee "$DIR/postgresql.conf" > /dev/null <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
hot_standby = on
max_connections = 100
hot_standby_feedback = on
CONF
  as_postgres tee "$DIR/pg_hba.conf" > /dev/null <<CONF
local all all trust
host all all 127.0.0.1/32 trust
CONF
}

start() { as_postgres "$BIN/pg_ctl" -D "$DIR" -l "$DIR.log" -w -t 60 start; }

# Streaming, not only answering: a standby stopped while the primary wrote a lot (a benchmark)
# may need WAL the primary has recycled, and would never catch up.
streaming() {
  for _ in $(seq 1 20); do
    [ "$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc 'SELECT status FROM pg_stat_wal_receiver' 2>/dev/null)" = "streaming" ] && return 0
    sleep 0.5
  done
  return 1
}

[ -f "$DIR/standby.signal" ] || build
if ! { start && streaming; }; then
  echo "standby: not streaming from the primary; making it again from a fresh base backup"
  as_postgres "$BIN/pg_ctl" -D "$DIR" -m immediate stop || true
  build
  start
  streaming
fi
pg_isready -h 127.0.0.1 -p "$PORT" -q
echo "standby: streaming from 127.0.0.1:5432, answering on 127.0.0.1:$PORT"
