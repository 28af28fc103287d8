'use strict';

/**
 * An experiment, not the service's SQL: the whole registration in ONE statement (data-modifying
 * CTEs, no PL/pgSQL, so it runs on PGlite too), sent without BEGIN/COMMIT: one round trip instead
 * of four. The bare server runs it with BARE_SQL=one-statement (`BENCH_BARE_SQL=one-statement npm
 * run bench`), to measure what the change proposed in docs/performance.md would buy.
 *
 * $1 deviceId, $2 collection for a new device, $3 collections the caller may use (text[]),
 * $4 point ids (text[]), $5 point types (text[]).
 *
 * Returns one row for the device (point_id null) with its collection, or no row at all when a
 * concurrent request created the device after this statement's snapshot (run it again), then one
 * row per requested point that exists or was created. Nothing is written unless the device is in
 * $3 and no requested point exists with another type. A point created concurrently by another
 * request makes the point INSERT fail with unique_violation (23505): the statement, atomic on its
 * own, writes nothing, and the caller runs it again (its new snapshot sees the other request's
 * points). All or nothing, without an explicit transaction.
 */
const REGISTER_IN_ONE_STATEMENT = `
WITH existing_device AS (
  SELECT collection_id FROM device WHERE id = $1 FOR NO KEY UPDATE
), inserted_device AS (
  INSERT INTO device (id, collection_id)
  SELECT $1::text, $2::text WHERE NOT EXISTS (SELECT 1 FROM existing_device)
  ON CONFLICT (id) DO NOTHING
  RETURNING collection_id
), the_device AS (
  SELECT collection_id FROM existing_device UNION ALL SELECT collection_id FROM inserted_device
), input AS (
  SELECT point_id, point_type FROM unnest($4::text[], $5::text[]) AS t(point_id, point_type)
), existing AS (
  SELECT p.point_id, p.point_type, ts.id AS timeseries_id
  FROM point p
  JOIN timeseries ts ON ts.device_id = p.device_id AND ts.point_id = p.point_id
  WHERE p.device_id = $1 AND p.point_id = ANY($4::text[])
), writable AS (
  SELECT 1 FROM the_device
  WHERE collection_id = ANY($3::text[])
    AND NOT EXISTS (
      SELECT 1 FROM existing e JOIN input c ON c.point_id = e.point_id WHERE c.point_type <> e.point_type
    )
), new_points AS (
  INSERT INTO point (device_id, point_id, point_type)
  SELECT $1::text, i.point_id, i.point_type
  FROM input i
  WHERE EXISTS (SELECT 1 FROM writable) AND NOT EXISTS (SELECT 1 FROM existing e WHERE e.point_id = i.point_id)
  RETURNING point_id, point_type
), new_timeseries AS (
  INSERT INTO timeseries (device_id, point_id)
  SELECT $1::text, point_id FROM new_points
  RETURNING id, point_id
)
SELECT d.collection_id, NULL::text AS point_id, NULL::text AS point_type, NULL::uuid AS timeseries_id, NULL::boolean AS created
FROM the_device d
UNION ALL
SELECT NULL, e.point_id, e.point_type, e.timeseries_id, false FROM existing e
UNION ALL
SELECT NULL, n.point_id, n.point_type, t.id, true
FROM new_points n JOIN new_timeseries t ON t.point_id = n.point_id`;

module.exports = { REGISTER_IN_ONE_STATEMENT };
