/**
 * The SQL of the devices feature. Every statement is set-based: a request sends the same number
 * of statements whatever the number of points, with points passed as arrays ($n::text[]), so a
 * request of 1000 points uses 3 bind parameters, far from PostgreSQL's 65,535.
 */

/**
 * Locks the device row for the rest of the transaction, creating it in collection $2 when it does
 * not exist. Returns no row only when a concurrent transaction created the device after this
 * statement's snapshot: the caller then runs it again (a new statement sees the committed row).
 * The lock serializes writers of one device, so the points statement that follows sees every
 * point committed before it and never races another request for the same points.
 */
export const LOCK_OR_CREATE_DEVICE = `
WITH existing AS (
  SELECT collection_id FROM device WHERE id = $1 FOR NO KEY UPDATE
), inserted AS (
  INSERT INTO device (id, collection_id)
  SELECT $1::text, $2::text WHERE NOT EXISTS (SELECT 1 FROM existing)
  ON CONFLICT (id) DO NOTHING
  RETURNING collection_id
)
SELECT collection_id FROM existing
UNION ALL
SELECT collection_id FROM inserted`;

export interface LockedDeviceRow {
  collection_id: string;
}

/**
 * Registers points $2 (ids) with types $3 on device $1 and returns the timeseries of every
 * requested point: existing ones (created = false, with their stored type) and new ones
 * (created = true). When any requested id exists with another type, it inserts nothing and
 * returns the existing rows, so the caller can name the conflicts.
 */
export const REGISTER_POINTS = `
WITH input AS (
  SELECT point_id, point_type FROM unnest($2::text[], $3::text[]) AS t(point_id, point_type)
), existing AS (
  SELECT p.point_id, p.point_type, ts.id AS timeseries_id
  FROM point p
  JOIN timeseries ts ON ts.device_id = p.device_id AND ts.point_id = p.point_id
  WHERE p.device_id = $1 AND p.point_id = ANY($2::text[])
), new_points AS (
  INSERT INTO point (device_id, point_id, point_type)
  SELECT $1::text, i.point_id, i.point_type
  FROM input i
  WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.point_id = i.point_id)
    AND NOT EXISTS (
      SELECT 1 FROM existing e JOIN input c ON c.point_id = e.point_id WHERE c.point_type <> e.point_type
    )
  RETURNING point_id, point_type
), new_timeseries AS (
  INSERT INTO timeseries (device_id, point_id)
  SELECT $1::text, point_id FROM new_points
  RETURNING id, point_id
)
SELECT e.point_id, e.point_type, e.timeseries_id, false AS created FROM existing e
UNION ALL
SELECT n.point_id, n.point_type, t.id AS timeseries_id, true AS created
FROM new_points n JOIN new_timeseries t ON t.point_id = n.point_id`;

export interface RegisteredPointRow {
  point_id: string;
  point_type: string;
  timeseries_id: string;
  created: boolean;
}

/**
 * One page of the device's timeseries in pointId order, after point $2 (exclusive, null for the
 * first page), optionally of type $3, at most $4 rows. Keyset paging on the primary key
 * (device_id, point_id), or on (device_id, point_type, point_id) with the filter: a page costs the
 * same however deep it is. The device row comes along (one row with null point columns when the
 * page is empty) so access is checked from the same statement; no row means no device.
 */
export const LIST_TIMESERIES = `
WITH the_device AS (
  SELECT collection_id FROM device WHERE id = $1
)
SELECT d.collection_id, page.point_id, page.point_type, page.timeseries_id, page.status, page.created_at
FROM the_device d
LEFT JOIN LATERAL (
  SELECT p.point_id, p.point_type, t.id AS timeseries_id, t.status, t.created_at
  FROM point p
  JOIN timeseries t ON t.device_id = p.device_id AND t.point_id = p.point_id
  WHERE p.device_id = $1
    AND ($2::text IS NULL OR p.point_id > $2::text)
    AND ($3::text IS NULL OR p.point_type = $3::text)
  ORDER BY p.point_id
  LIMIT $4
) page ON true
ORDER BY page.point_id`;

export interface ListedTimeseriesRow {
  collection_id: string;
  point_id: string | null;
  point_type: string | null;
  timeseries_id: string | null;
  status: 'active' | 'inactive' | null;
  created_at: Date | null;
}

/** The device (for the access check) and its timeseries $2, if it has one by that id. */
export const GET_TIMESERIES = `
SELECT d.collection_id, t.id AS timeseries_id, t.point_id, p.point_type, t.status, t.created_at
FROM device d
LEFT JOIN timeseries t ON t.device_id = d.id AND t.id = $2::uuid
LEFT JOIN point p ON p.device_id = t.device_id AND p.point_id = t.point_id
WHERE d.id = $1`;

export type TimeseriesDetailRow = ListedTimeseriesRow;
