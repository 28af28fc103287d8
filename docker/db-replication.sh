#!/bin/bash
# Runs once, when the db volume is initialised (docker-entrypoint-initdb.d): lets the `scale`
# profile's db-replica stream from this server. The image's default rules cover databases only.
set -euo pipefail
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
