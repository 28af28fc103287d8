import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { generateOpenApiDocument } from '../app.openapi';
import { stableJson } from '../openapi/openapi';

/** `npm run openapi`: writes the generated OpenAPI document to docs/openapi.json (committed). */
const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

generateOpenApiDocument().then(
  (document) => {
    writeFileSync(OPENAPI_FILE, stableJson(document));
    process.stdout.write(`Wrote ${OPENAPI_FILE}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
