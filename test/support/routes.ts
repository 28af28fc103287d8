import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';

export interface AppRoute {
  /** `POST /apollo/devices/:deviceId/timeseries` */
  route: string;
  method: string;
  path: string;
  controller: new (...args: never[]) => unknown;
  handler: (...args: never[]) => unknown;
  handlerName: string;
}

/** Every route of the application, read from its controllers' metadata (what Nest registers). */
export function appRoutes(app: INestApplication): AppRoute[] {
  const routes: AppRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '/');
        const path = `/${[prefix, sub]
          .map((part) => part.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const verb = RequestMethod[method];
        routes.push({
          route: `${verb} ${path}`,
          method: verb,
          path,
          controller,
          handler: handler as AppRoute['handler'],
          handlerName: `${controller.name}.${name}`,
        });
      }
    }
  }
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}
