import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import type { Feature } from '../common/feature';
import { serveExplorer } from './explorer.assets';

/**
 * `GET /explore`: a page of the service that plots a device's samples (docs/explorer.md). It is
 * static files only: the browser calls the same routes as any client, with the token it is given.
 */
@Module({})
export class ExplorerModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    serveExplorer(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}

export const EXPLORER_FEATURE: Feature = {
  module: ExplorerModule,
  enabled: (config) => config.explorerEnabled,
};
