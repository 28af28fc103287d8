import { join } from 'node:path';

import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const ROOT = join(__dirname, '..', '..');

/**
 * The layering lint rule of eslint.config.mjs (dependencies point from features to common,
 * database, auth and config, never back), run on snippets placed in each layer.
 */
describe('the import-direction lint rule', () => {
  let eslint: ESLint;

  beforeAll(async () => {
    // eslint.config.mjs is an ES module; its LAYERING is the rule under test, alone, without type information.
    const { LAYERING } = (await import(join(ROOT, 'eslint.config.mjs'))) as { LAYERING: Linter.Config[] };
    eslint = new ESLint({
      cwd: ROOT,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...LAYERING],
    });
  });

  const violations = async (file: string, source: string): Promise<string[]> => {
    const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
    return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
  };

  it.each([
    ['src/common/x.ts', "import { a } from '../devices/timeseries.service';"],
    ['src/common/nested/x.ts', "import { a } from '../../database/database-errors';"],
    ['src/common/x.ts', "import { a } from '../auth/scopes';"],
    ['src/common/x.ts', "import { a } from '../app.module';"],
    ['src/config/x.ts', "import { a } from '../common/errors';"],
    ['src/database/x.ts', "import { a } from '../devices/entities';"],
    ['src/auth/x.ts', "import { a } from '../device-routes/device-id';"],
    ['src/auth/x.ts', "import { a } from '../database/prepared-statement';"],
    ['src/device-routes/x.ts', "import { a } from '../samples/samples.service';"],
    ['src/devices/x.ts', "import { a } from '../app.factory';"],
    ['src/devices/dto/x.ts', "import { a } from '../../scripts/data-source';"],
    ['src/samples/x.ts', "import { a } from '../devices/timeseries.repository';"],
    ['src/redis/x.ts', "import { a } from '../database/read-replicas';"],
    ['src/database/x.ts', "import { a } from '../redis/redis.module';"],
    ['src/common/x.ts', "import { a } from '../redis/redis.module';"],
    ['src/series/x.ts', "import { a } from '../samples/samples.service';"],
    ['src/series/dto/x.ts', "import { a } from '../../analytics/aggregates';"],
    ['src/series/x.ts', "import { a } from '../features';"],
    ['src/device-routes/x.ts', "import { a } from '../series/metrics';"],
    ['src/analytics/x.ts', "import { a } from '../samples/samples.repository';"],
    ['src/samples/dto/x.ts', "import { a } from '../../analytics/dto/analytics-query.dto';"],
    ['src/analytics/deep/er/x.ts', "import { a } from '../../../samples/samples.sql';"],
    ['src/auth/x.ts', "import { a } from '../rate-limit/rate-limit.module';"],
  ])('refuses in %s: %s', async (file, source) => {
    expect(await violations(file, source)).toEqual(['no-restricted-imports']);
  });

  it.each([
    ['src/common/x.ts', "import { a } from '../config/config';"],
    ['src/database/x.ts', "import { a } from '../common/errors';"],
    ['src/auth/x.ts', "import { a } from '../common/errors';"],
    ['src/device-routes/x.ts', "import { a } from '../auth/collection.guard';"],
    ['src/devices/x.ts', "import { a } from '../device-routes/device-id';"],
    ['src/devices/dto/x.ts', "import { a } from '../entities/device.entity';"],
    ['src/samples/x.ts', "import { a } from '../devices/entities/timeseries.entity';"],
    ['src/app.module.ts', "import { a } from './devices/devices.module';"],
    ['src/rate-limit/x.ts', "import { a } from '../redis/redis.module';"],
    ['src/health/x.ts', "import { a } from '../database/read-replicas';"],
    ['src/samples/x.ts', "import { a } from '../series/timeseries-selection';"],
    ['src/analytics/dto/x.ts', "import { a } from '../../series/dto/timeseries-selection.dto';"],
    ['src/series/x.ts', "import { a } from '../device-routes/examples';"],
    // A file's own sibling named like a feature is not that feature.
    ['src/series/dto/x.ts', "import { a } from '../metrics';"],
    ['src/samples/x.ts', "import { a } from './metrics';"],
    ['src/features.ts', "import { a } from './samples/samples.module';"],
  ])('allows in %s: %s', async (file, source) => {
    expect(await violations(file, source)).toEqual([]);
  });
});
