import { Injectable } from '@nestjs/common';

/** A committed event of a device (series/sample-events.sql.ts): its id and device. */
export interface CommittedEvent {
  id: number;
  deviceId: string;
}

type Listener = (event: CommittedEvent) => void;

/**
 * Tells this instance's streams, in process, that a write or delete made here has committed: the
 * same news a NOTIFY brings from other instances, without waiting for it (and the only news on
 * PGlite, where no other instance exists). Writers call `committed` after their commit.
 */
@Injectable()
export class SampleEventSignal {
  private readonly listeners = new Set<Listener>();

  committed(event: CommittedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Calls `listener` for every event committed here from now on; returns the unsubscribe. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
