import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { monthOf, nextMonth, SamplePartitions } from './sample-partitions';

const HOUR_MS = 60 * 60 * 1000;
const DAY_US = 24 * HOUR_MS * 1000;

/**
 * Keeps the sample table's partitions: at start-up and then hourly it creates this month's and the
 * next month's (so writes at a month's turn find them ready) and, with SAMPLES_RETENTION_DAYS,
 * drops every partition that holds only samples older than the retention. One instance at a time
 * drops (an advisory lock); the others skip that hour.
 */
@Injectable()
export class SampleMaintenance implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SampleMaintenance.name);
  private readonly retentionDays: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly partitions: SamplePartitions,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.retentionDays = config.limits.samplesRetentionDays;
  }

  /** The first instant a write may have, in epoch µs; undefined without a retention. */
  oldestAcceptedUs(now = Date.now()): number | undefined {
    return this.retentionDays > 0 ? now * 1000 - this.retentionDays * DAY_US : undefined;
  }

  get retention(): number {
    return this.retentionDays;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
    this.timer = setInterval(() => void this.run(), HOUR_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: never throws (a failed round is logged and retried the next hour). */
  run(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      const now = Date.now() * 1000;
      await this.partitions.ensure([monthOf(now), nextMonth(monthOf(now))]);
      const cutoff = this.oldestAcceptedUs();
      if (cutoff === undefined) return;
      const dropped = await this.partitions.dropEndingBy(cutoff);
      if (dropped && dropped.length > 0) {
        this.logger.log(
          `Dropped ${dropped.length} sample partitions older than ${this.retentionDays} days: ${dropped.join(', ')}`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `Sample partition maintenance failed (retried in an hour): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
