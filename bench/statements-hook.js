'use strict';

/**
 * Preloaded into a service process (`node --require bench/statements-hook.js ...`): counts every
 * query its node-postgres clients send (below TypeORM, so BEGIN, FETCH and COMMIT count too), and
 * on each SIGUSR2 writes the count since the previous signal, with the statements' first lines,
 * to BENCH_STATEMENTS_PATH as `{ seq, count, firstLines }`.
 */

const { writeFileSync } = require('node:fs');
const process = require('node:process');

const { Client } = require('pg');

let count = 0;
let seq = 0;
/** @type {Record<string, number>} */
let firstLines = {};
const query = Client.prototype.query;

Client.prototype.query = /** @type {any} */ (
  function countedQuery(/** @type {any} */ config, /** @type {any[]} */ ...rest) {
    count++;
    const text = typeof config === 'string' ? config : config?.text;
    const name = typeof config === 'object' && config?.name ? `[${config.name}] ` : '';
    const line = `${name}${String(text).trim().split('\n', 1)[0].slice(0, 60)}`;
    firstLines[line] = (firstLines[line] ?? 0) + 1;
    return query.call(this, config, ...rest);
  }
);

process.on('SIGUSR2', () => {
  seq++;
  writeFileSync(String(process.env.BENCH_STATEMENTS_PATH), JSON.stringify({ seq, count, firstLines }));
  count = 0;
  firstLines = {};
});
