/** Bounded concurrency overall and per key (device), FIFO within each wait list. */
export class KeyedSemaphore {
  private total = 0;
  private readonly perKey = new Map<string, number>();
  private readonly waiters: { key: string; resolve: () => void }[] = [];

  constructor(
    private readonly max: number,
    private readonly maxPerKey: number,
  ) {}

  get active(): number {
    return this.total;
  }

  get free(): number {
    return this.max - this.total;
  }

  acquire(key: string): Promise<void> {
    if (this.canRun(key)) {
      this.take(key);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ key, resolve }));
  }

  release(key: string): void {
    this.total--;
    const n = (this.perKey.get(key) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(key);
    else this.perKey.set(key, n);
    const i = this.waiters.findIndex((w) => this.canRun(w.key));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      if (w) {
        this.take(w.key);
        w.resolve();
      }
    }
  }

  private canRun(key: string): boolean {
    return this.total < this.max && (this.perKey.get(key) ?? 0) < this.maxPerKey;
  }

  private take(key: string): void {
    this.total++;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
  }
}
