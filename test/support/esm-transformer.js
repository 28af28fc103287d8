/**
 * Jest on Node 20 cannot require() ES modules, and a few of our dependencies' dependencies ship
 * only ESM (listed in jest.config.js). This transformer turns those files into CommonJS with the
 * TypeScript compiler the project already has. Our own code is compiled by ts-jest.
 */
const { createHash } = require('node:crypto');
const ts = require('typescript');

module.exports = {
  getCacheKey(source, path) {
    return createHash('sha256').update(ts.version).update(path).update(source).digest('hex');
  },
  process(source, path) {
    const { outputText } = ts.transpileModule(source, {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        allowJs: true,
        esModuleInterop: true,
      },
    });
    return { code: outputText };
  },
};
