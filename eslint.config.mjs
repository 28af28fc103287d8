// Type-aware linting: the rules that catch real bugs in async NestJS code (floating promises,
// misused promises, unsafe any) run with the TypeScript program of tsconfig.json.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Dependencies point one way: config <- common <- database, redis, auth <- device-routes <- features <- the
 * app (app.*, main.ts, scripts/). Each layer lists what it must never import (relative imports,
 * at any depth); a feature may import another feature's entities (a foreign key), nothing else.
 */
const FEATURES = ['devices', 'samples', 'health', 'metrics', 'rate-limit'];
const APP = ['app\\.', 'main$', 'scripts'];
const otherFeatures = (feature) =>
  FEATURES.filter((other) => other !== feature).map((other) => `${other}/(?!entities(/|$))`);
const layer = (name, forbidden) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(\\.\\./)+(${forbidden.join('|')})`,
            message: `src/${name}/ may not import this: dependencies point from features to src/common, src/database, src/auth and src/config, never back (see README, "Layout").`,
          },
        ],
      },
    ],
  },
});
export const LAYERS = [
  layer('config', ['common', 'database', 'redis', 'auth', 'device-routes', ...FEATURES, ...APP]),
  layer('common', ['database', 'redis', 'auth', 'device-routes', ...FEATURES, ...APP]),
  layer('database', ['auth', 'redis', 'device-routes', ...FEATURES, ...APP]),
  layer('redis', ['database', 'auth', 'device-routes', ...FEATURES, ...APP]),
  layer('auth', ['database', 'redis', 'device-routes', ...FEATURES, ...APP]),
  layer('device-routes', [...FEATURES, ...APP]),
  ...FEATURES.map((feature) => layer(feature, [...APP, ...otherFeatures(feature)])),
];

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
  ...LAYERS,
  {
    files: ['**/*.js', '**/*.mjs'],
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
