// Type-aware linting: the rules that catch real bugs in async NestJS code (floating promises,
// misused promises, unsafe any) run with the TypeScript program of tsconfig.json.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Dependencies point one way: config <- common <- openapi, database, redis, auth <- rate-limit,
 * device-routes <- series, events <- the features <- the app (app.*, main.ts, features.ts, scripts/).
 * LAYERS lists each layer below the features with the layers it may import. Every other folder of
 * src/ is a feature (read from the disk, so a new folder is checked from its first file; the layout
 * test fails unless it is a feature module listed in src/features.ts): it may import every layer,
 * and of another feature only its entities/ (a foreign key).
 */
export const LAYERS = {
  config: [],
  common: ['config'],
  database: ['config', 'common'],
  redis: ['config', 'common'],
  auth: ['config', 'common'],
  'rate-limit': ['config', 'common', 'database', 'redis', 'auth'],
  openapi: ['config', 'common'],
  'device-routes': ['config', 'common', 'database', 'redis', 'auth', 'openapi'],
  series: ['config', 'common', 'database', 'redis', 'auth', 'device-routes', 'openapi'],
  events: ['config', 'common', 'database'],
};
/** The explorer page's own JavaScript, which runs in the browser. */
const EXPLORER_PAGE = 'src/explorer/page/*.js';
/** The folder of the app's own scripts: like the app, it may import anything. */
export const APP_FOLDERS = ['scripts'];
const APP = ['app\\.', 'main$', 'features$', ...APP_FOLDERS];
export const FEATURES = readdirSync(join(import.meta.dirname, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !(entry.name in LAYERS) && !APP_FOLDERS.includes(entry.name))
  .map((entry) => entry.name)
  .sort();

/** How deep below its folder a file may be: the rules are per depth, so `../` counts reach src/ exactly. */
const DEPTHS = [1, 2, 3, 4, 5];
/**
 * The rule for the files of `folder`: imports of the top-level folders or files `forbidden` are
 * errors. An import is matched from the file's own depth (`../../x` from src/a/b/c.ts is src/x),
 * so a file's own `../metrics` is not the metrics feature.
 */
const rule = (folder, forbidden) =>
  DEPTHS.map((depth) => ({
    files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./){${depth}}(${forbidden.join('|')})`,
              message: `src/${folder}/ may not import this: dependencies point from features to the layers below them, never back (see CONTRIBUTING.md, "Layout").`,
            },
          ],
        },
      ],
    },
  }));
const layerRules = Object.entries(LAYERS).flatMap(([layer, allowed]) =>
  rule(layer, [
    ...Object.keys(LAYERS)
      .filter((other) => other !== layer && !allowed.includes(other))
      .map((other) => `${other}(/|$)`),
    ...FEATURES.map((feature) => `${feature}(/|$)`),
    ...APP,
  ]),
);
const featureRules = FEATURES.flatMap((feature) =>
  rule(feature, [
    ...APP,
    ...FEATURES.filter((other) => other !== feature).map((other) => `${other}/(?!entities(/|$))`),
  ]),
);
/** The layering rules: one per layer and one per feature. */
export const LAYERING = [...layerRules, ...featureRules];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'docs/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // It does not see values used only in decorator arguments (a pipe constant in @Param).
      'no-useless-assignment': 'off',
      // Nest needs runtime imports for injected classes and DTOs even where only the type is used.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  ...LAYERING,
  {
    files: ['**/*.js', '**/*.mjs'],
    ignores: [EXPLORER_PAGE],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The explorer's browser modules: type-checked JavaScript (tsconfig.explorer.json, DOM types,
    // uPlot's), linted with the same type-aware rules as the service. tsc reports unknown names.
    files: [EXPLORER_PAGE],
    languageOptions: { parserOptions: { projectService: false, project: './tsconfig.explorer.json' } },
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // expect(...).toEqual(expect.any(...)) and response.json() are `any` by their libraries' design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
