import { dirname, join } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the page is served: `GET /explore` answers its HTML, its scripts and styles are below it. */
export const EXPLORE_PATH = '/explore';

/** The page's own files (HTML, JavaScript modules, CSS), copied beside the build by nest-cli.json's assets. */
const PAGE_DIR = join(__dirname, 'page');

/**
 * The charting library's browser build and its stylesheet, served from the installed package (a
 * dependency, so its version is the lockfile's) and nothing else of that folder.
 */
const VENDOR_DIR = dirname(require.resolve('uplot'));
export const VENDOR_FILES = ['uPlot.iife.min.js', 'uPlot.min.css'] as const;

/**
 * Serves the chart explorer with @fastify/static: the page's files at `/explore/<file>` (one route
 * per file, read at start-up) and the page itself at `/explore`. They are public, like /docs: the
 * page asks for a token and sends it with its own requests. The service's security headers apply
 * (script-src 'self', connect-src 'self': nothing comes from another origin). Every answer carries
 * an ETag, so a browser revalidates instead of keeping an old page after an upgrade.
 */
export function serveExplorer(fastify: FastifyInstance): void {
  // Queued, not awaited: awaiting a plugin here would load what is queued before it, and build the routes
  // declared so far before Nest sets its error handler (after the init hooks): their errors would leave
  // the envelope. Queued, it loads at ready(), after.
  void fastify.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: PAGE_DIR,
      prefix: `${EXPLORE_PATH}/`,
      wildcard: false,
      index: false,
      dotfiles: 'ignore',
    });
    scope.get(EXPLORE_PATH, (_request, reply) => reply.sendFile('index.html', PAGE_DIR));
    for (const file of VENDOR_FILES) {
      scope.get(`${EXPLORE_PATH}/vendor/${file}`, (_request, reply) => reply.sendFile(file, VENDOR_DIR));
    }
  });
}
