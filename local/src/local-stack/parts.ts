import type { Logger } from 'pino';

/**
 * What a stack has started, stopped in reverse order: a part that fails to stop is logged and the rest still
 * stop, so a failed start or a stop leaves no ports, timers or processes behind.
 */
export class StartedParts {
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly log: Logger) {}

  add(stop: () => Promise<void>): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log.error({ err }, 'stopping a part of the local stack failed');
      }
    }
  }
}
