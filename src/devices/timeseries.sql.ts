import { PreparedStatement } from '../database/prepared-statement';

/**
 * The SQL of the devices feature, run by TimeseriesRepository. A request sends one statement,
 * whatever the number of points: points are passed as arrays ($n::text[]), so a request of 1000
 * points uses 5 bind parameters, far from PostgreSQL's 65,535. The statements are prepared once
 * per connection.
 */

/** What REGISTER_POINTS writes: the device, the caller's collections, the points in request order. */
export interface RegisterPointsParams {
  deviceId: string;
  /** The collection a new device is created in. */
  collectionId: string;
  /** The collections the caller may use. */
  allowedCollections: readonly string[];
  pointIds: readonly string[];
  pointTypes: readonly string[];
}

/**
 * Registers points $4 (ids) with types $5 on device $1 in ONE statement: data-modifying CTEs, no
 * PL/pgSQL (so PGlite runs it too), no BEGIN/COMMIT. $2 is the collection a new device goes to,
 * $3 the collections the caller may use.
 *
 * Returns first one row for the device (`point_id` null) with its collection, then, when the
 * device is in $3, one row per requested point that exists (created = false, with its stored type)
 * or was created (created = true). Nothing is written unless the device is in $3 and no requested
 * id exists with another type: the caller then names the conflicts from the existing rows.
 *
 * The device row is locked (or created) first, which serializes the writers of one device; only
 * a device the caller may use is locked (a foreign one is only read, to answer 403), so no caller
 * can hold up another collection's writes. Two races make the statement write nothing and return
 * no device row or fail: no row at all means a concurrent request created the device after this
 * statement's snapshot (its insert found the key taken); a unique_violation (23505) means a
 * concurrent request committed one of these points after the snapshot, while this one waited for
 * the device lock. The caller then registers in a transaction that takes the lock first
 * (LOCK_DEVICE), so the statement's snapshot is taken with the lock held and cannot lose again.
 */
export const REGISTER_POINTS = new PreparedStatement<RegisterPointsParams, RegisteredPointRow>(
  'devices.register-points.v2',
  `
WITH existing_device AS (
  SELECT collection_id FROM device WHERE id = $1 AND collection_id = ANY($3::text[]) FOR NO KEY UPDATE
), foreign_device AS (
  SELECT collection_id FROM device WHERE id = $1 AND collection_id <> ALL($3::text[])
), inserted_device AS (
  INSERT INTO device (id, collection_id)
  SELECT $1::text, $2::text
  WHERE NOT EXISTS (SELECT 1 FROM existing_device) AND NOT EXISTS (SELECT 1 FROM foreign_device)
  ON CONFLICT (id) DO NOTHING
  RETURNING collection_id
), the_device AS (
  SELECT collection_id FROM existing_device
  UNION ALL SELECT collection_id FROM foreign_device
  UNION ALL SELECT collection_id FROM inserted_device
), accessible AS (
  SELECT 1 FROM the_device WHERE collection_id = ANY($3::text[])
), input AS (
  SELECT point_id, point_type FROM unnest($4::text[], $5::text[]) AS t(point_id, point_type)
), existing AS (
  SELECT p.point_id, p.point_type, ts.id AS timeseries_id
  FROM point p
  JOIN timeseries ts ON ts.device_id = p.device_id AND ts.point_id = p.point_id
  WHERE p.device_id = $1 AND p.point_id = ANY($4::text[]) AND EXISTS (SELECT 1 FROM accessible)
), writable AS (
  SELECT 1 FROM accessible
  WHERE NOT EXISTS (
    SELECT 1 FROM existing e JOIN input i ON i.point_id = e.point_id WHERE i.point_type <> e.point_type
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
SELECT d.collection_id, NULL::text AS point_id, NULL::text AS point_type, NULL::uuid AS timeseries_id,
       NULL::boolean AS created
FROM the_device d
UNION ALL
SELECT NULL, e.point_id, e.point_type, e.timeseries_id, false FROM existing e
UNION ALL
SELECT NULL, n.point_id, n.point_type, t.id, true
FROM new_points n JOIN new_timeseries t ON t.point_id = n.point_id`,
  (p) => [p.deviceId, p.collectionId, p.allowedCollections, p.pointIds, p.pointTypes],
);

/**
 * Inside a transaction, before REGISTER_POINTS: locks device $1 if it exists in one of the
 * collections $2, until the transaction ends. REGISTER_POINTS, run next, then takes its snapshot
 * with the lock held and sees every point committed by the device's other writers. (No row when
 * the device does not exist yet: REGISTER_POINTS creates and locks it.)
 */
export const LOCK_DEVICE = new PreparedStatement<
  Pick<RegisterPointsParams, 'deviceId' | 'allowedCollections'>,
  { locked: number }
>(
  'devices.lock-device.v1',
  'SELECT 1 AS locked FROM device WHERE id = $1 AND collection_id = ANY($2::text[]) FOR NO KEY UPDATE',
  (p) => [p.deviceId, p.allowedCollections],
);

/** The device's row (point columns null) or a point's row (collection null): see REGISTER_POINTS. */
export type RegisteredPointRow =
  | { collection_id: string; point_id: null; point_type: null; timeseries_id: null; created: null }
  | { collection_id: null; point_id: string; point_type: string; timeseries_id: string; created: boolean };

/**
 * `alias.created_at` as the API shows it, `2026-01-31T12:00:00.123Z` (what Date#toISOString gives):
 * formatted by PostgreSQL, so the driver neither parses a timestamp into a Date per row nor the
 * service formats it back.
 */
const ISO_CREATED_AT = (alias: string) =>
  `to_char(${alias}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

/**
 * One page of the device's timeseries in pointId order, optionally after a point (exclusive) and
 * of one type, at most `limit` rows. Keyset paging on the primary key (device_id, point_id), or on
 * (device_id, point_type, point_id) with the filter: a page costs the same however deep it is. The
 * device row comes along (one row with null point columns when the page is empty) so access is
 * checked from the same statement; no row means no device.
 *
 * One prepared statement per shape (first page or after a point, filtered or not) rather than one
 * with `($n IS NULL OR ...)` conditions: PostgreSQL may run a prepared statement with a generic
 * plan, and a generic plan of the catch-all form cannot use the cursor as an index bound, so a
 * deep page would read every point before it (measured: 40,000 rows filtered, 4 ms instead of
 * 0.3 ms, on page 400). Each shape's generic plan is an index range scan.
 */
function listStatement(after: boolean, filtered: boolean): PreparedStatement<ListPageParams, ListedTimeseriesRow> {
  const conditions = ['p.device_id = $1'];
  let parameter = 2; // $2 is the limit
  if (after) conditions.push(`p.point_id > $${++parameter}::text`);
  if (filtered) conditions.push(`p.point_type = $${++parameter}::text`);
  return new PreparedStatement<ListPageParams, ListedTimeseriesRow>(
    `devices.list-timeseries${after ? '.after' : ''}${filtered ? '.filtered' : ''}.v2`,
    `
WITH the_device AS (
  SELECT collection_id FROM device WHERE id = $1
)
SELECT d.collection_id, page.point_id, page.point_type, page.timeseries_id, page.status, page.created_at
FROM the_device d
LEFT JOIN LATERAL (
  SELECT p.point_id, p.point_type, t.id AS timeseries_id, t.status, ${ISO_CREATED_AT('t')}
  FROM point p
  JOIN timeseries t ON t.device_id = p.device_id AND t.point_id = p.point_id
  WHERE ${conditions.join(' AND ')}
  ORDER BY p.point_id
  LIMIT $2
) page ON true
ORDER BY page.point_id`,
    (p) => {
      const values: unknown[] = [p.deviceId, p.limit];
      if (after) values.push(p.after);
      if (filtered) values.push(p.pointType);
      return values;
    },
  );
}

/** The four shapes of the list statement: [first page, after a point] × [all types, one type]. */
export const LIST_TIMESERIES = [
  listStatement(false, false),
  listStatement(false, true),
  listStatement(true, false),
  listStatement(true, true),
] as const;

/** A page of the list: after a point (null: the first page), of one type (null: every type). */
export interface ListPageParams {
  deviceId: string;
  after: string | null;
  pointType: string | null;
  /** Rows to read: the page size plus one, which only says whether a next page exists. */
  limit: number;
}

/** The list statement of a page's shape. */
export function listStatementFor(
  page: Pick<ListPageParams, 'after' | 'pointType'>,
): PreparedStatement<ListPageParams, ListedTimeseriesRow> {
  const [first, firstOfType, next, nextOfType] = LIST_TIMESERIES;
  if (page.after === null) return page.pointType === null ? first : firstOfType;
  return page.pointType === null ? next : nextOfType;
}

export interface ListedTimeseriesRow {
  collection_id: string;
  point_id: string | null;
  point_type: string | null;
  timeseries_id: string | null;
  status: 'active' | 'inactive' | null;
  /** ISO 8601 in UTC with milliseconds, as the API shows it (see ISO_CREATED_AT). */
  created_at: string | null;
}

/** The device (for the access check) and its timeseries $2, if it has one by that id. */
export const GET_TIMESERIES = new PreparedStatement<{ deviceId: string; timeseriesId: string }, ListedTimeseriesRow>(
  'devices.get-timeseries.v1',
  `
SELECT d.collection_id, t.id AS timeseries_id, t.point_id, p.point_type, t.status, ${ISO_CREATED_AT('t')}
FROM device d
LEFT JOIN timeseries t ON t.device_id = d.id AND t.id = $2::uuid
LEFT JOIN point p ON p.device_id = t.device_id AND p.point_id = t.point_id
WHERE d.id = $1`,
  (p) => [p.deviceId, p.timeseriesId],
);
