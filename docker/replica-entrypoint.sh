#!/bin/bash
# The `scale` profile's PostgreSQL replica: on first start, a base backup of db with -R (which
# writes primary_conninfo and standby.signal), then a hot standby streaming from it.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -c fast; do
    echo "waiting for db to accept a base backup..." >&2
    sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
