import type { FastifyInstance } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';

const METHODS: readonly HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Remembers every route the server registers, so a request that matches a path but not its method
 * can be answered 405 with an `Allow` header instead of 404.
 */
export class RouteTable {
  private readonly router = FindMyWay({ maxParamLength: Number.MAX_SAFE_INTEGER });

  /** Registers the hook; call before routes are added (before `app.init()`). */
  static track(fastify: FastifyInstance): RouteTable {
    const table = new RouteTable();
    fastify.addHook('onRoute', (route) => {
      // Catch-alls (the CORS preflight route is `OPTIONS *`) match every path: they say nothing
      // about which methods a path serves.
      if (route.url.includes('*')) return;
      const methods: string[] = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of METHODS.filter((known) => methods.includes(known))) {
        if (!table.router.hasRoute(method, route.url)) table.router.on(method, route.url, () => undefined);
      }
    });
    return table;
  }

  /** The methods served at `url` (path and query), in a stable order; empty when no route matches. */
  allowedMethods(url: string): HTTPMethod[] {
    const path = url.split('?', 1)[0] ?? url;
    return METHODS.filter((method) => this.router.find(method, path) !== null);
  }
}
