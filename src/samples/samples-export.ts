import { Readable } from 'node:stream';

import { sampleJson } from '../series/sample-answer';
import type { OpenExport } from './samples.repository';

/**
 * The envelope of an unpaginated read, streamed: the opening, the rows batch by batch as the
 * cursor yields them, the closing. One batch in memory at a time (highWaterMark 1); a client that
 * goes away ends the read and frees its connection.
 */
export function exportStream(opened: OpenExport): Readable {
  let started = false;
  async function* chunks(): AsyncGenerator<string> {
    started = true;
    yield '{"status":{"Message":"","Code":"200"},"data":[';
    let first = true;
    for await (const batch of opened.rows()) {
      const json = batch.map(sampleJson).join(',');
      yield first ? json : `,${json}`;
      first = false;
    }
    yield ']}';
  }
  const body = Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
  // A stream destroyed before it was read never enters the generator: free the connection here.
  body.once('close', () => {
    if (!started) void opened.close();
  });
  return body;
}
