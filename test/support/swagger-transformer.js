/**
 * Runs the Nest CLI swagger plugin inside ts-jest (ts-jest wants name, version and factory),
 * with the options of nest-cli.json, so tests see the OpenAPI document `nest build` produces.
 */
const plugin = require('@nestjs/swagger/plugin');
const nestCli = require('../../nest-cli.json');

const options = nestCli.compilerOptions.plugins.find((p) => p.name === '@nestjs/swagger').options;

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) => plugin.before(options, compiler.program);
