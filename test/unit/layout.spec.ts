import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import ts from 'typescript';

import type { Feature } from '../../src/common/feature';
import { FEATURES } from '../../src/features';

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');
/** The module written by CONTRIBUTING.md's recipe (test/e2e/new-module.e2e-spec.ts): held to the same limits. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'point-types');

/** Limits of the house style (CONTRIBUTING.md, "Layout"): small rooms a newcomer reads in one sitting. */
const MAX_FILE_LINES = 300;
const MAX_FEATURE_LINES = 1500;
const MAX_ROUTE_LINES = 15;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').length - 1;
const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());

describe('the layout of src/', () => {
  let layers: Record<string, string[]>;
  let appFolders: string[];
  let lintedFeatures: string[];

  beforeAll(async () => {
    // eslint.config.mjs is an ES module; its classification of the folders is what the lint enforces.
    ({
      LAYERS: layers,
      APP_FOLDERS: appFolders,
      FEATURES: lintedFeatures,
    } = (await import(join(ROOT, 'eslint.config.mjs'))) as {
      LAYERS: Record<string, string[]>;
      APP_FOLDERS: string[];
      FEATURES: string[];
    });
  });

  it('classifies every folder: a layer of the lint, the scripts, or a feature module listed in src/features.ts', async () => {
    const unclassified: string[] = [];
    for (const folder of folders) {
      if (folder in layers || appFolders.includes(folder)) continue;
      const exported = (await import(join(SRC, folder, `${folder}.module.ts`)).catch(() => ({}))) as Record<
        string,
        unknown
      >;
      const listed = Object.values(exported).filter(
        (value): value is Feature => typeof value === 'object' && value !== null && 'module' in value,
      );
      if (!listed.some((feature) => FEATURES.some((known) => known.module === feature.module))) {
        unclassified.push(folder);
      }
    }
    expect(unclassified).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines (the fixture module's included)`, () => {
    const long = [...filesUnder(SRC), ...filesUnder(FIXTURE)]
      .filter((file) => lines(file) > MAX_FILE_LINES)
      .map((file) => `${relative(ROOT, file)}: ${lines(file)}`);
    expect(long).toEqual([]);
  });

  it(`has no feature folder over ${MAX_FEATURE_LINES} lines (the series foundation included)`, () => {
    const large = [...lintedFeatures, 'series']
      .map((feature) => [feature, filesUnder(join(SRC, feature)).reduce((sum, file) => sum + lines(file), 0)] as const)
      .filter(([, total]) => total > MAX_FEATURE_LINES)
      .map(([feature, total]) => `src/${feature}/: ${total}`);
    expect(large).toEqual([]);
  });

  it(`has no controller route over ${MAX_ROUTE_LINES} lines, decorators included`, () => {
    const long: string[] = [];
    for (const file of [...filesUnder(SRC), ...filesUnder(FIXTURE)].filter((f) => f.endsWith('.controller.ts'))) {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      source.forEachChild(function visit(node) {
        if (ts.isMethodDeclaration(node) && ts.getDecorators(node)?.length) {
          // From the first decorator to the closing brace; a doc comment above does not count.
          const start = source.getLineAndCharacterOfPosition(node.getStart(source, false)).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > MAX_ROUTE_LINES)
            long.push(`${relative(ROOT, file)} ${node.name.getText(source)}: ${end - start + 1}`);
        }
        node.forEachChild(visit);
      });
    }
    expect(long).toEqual([]);
  });
});
