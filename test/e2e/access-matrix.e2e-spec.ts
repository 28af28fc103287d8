import { describeAccessMatrix } from '../support/access-matrix';
import { startTestApp } from '../support/test-app';

/**
 * Object-level access on every device route of the app, each called with the request its OpenAPI
 * examples make: a new route is in the matrix as soon as it is documented (test/support/access-matrix.ts).
 */
describeAccessMatrix('object-level access on every device route', () => startTestApp());
