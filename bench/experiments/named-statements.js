'use strict';

/**
 * An experiment, preloaded into the service (`BENCH_SERVICE_EXPERIMENT=named-statements npm run
 * bench`): every parameterized query the service sends through node-postgres becomes a named
 * prepared statement (named after a hash of its text), so PostgreSQL parses and plans each of the
 * service's statements once per connection instead of on every request. It measures, without
 * touching src/, what the change proposed in docs/performance.md would buy. Not for production:
 * it is a monkey patch of pg's Client.
 */

const { createHash } = require('node:crypto');

const { Client } = require('pg');

const query = Client.prototype.query;
/** @type {Map<string, string>} */
const names = new Map();

/**
 * @this {import('pg').Client}
 * @param {unknown} config
 * @param {unknown[]} [values]
 * @param {unknown} [callback]
 */
Client.prototype.query = function namedQuery(config, values, callback) {
  if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
    let name = names.get(config);
    if (!name) {
      name = `s_${createHash('sha1').update(config).digest('hex').slice(0, 16)}`;
      names.set(config, name);
    }
    return query.call(this, { name, text: config, values }, callback);
  }
  return query.call(this, config, values, callback);
};
