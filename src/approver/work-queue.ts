// A queue of CSR names with N workers: a name is never processed by two workers at once, a name
// queued twice while waiting runs once, and a name added while it is being processed runs once
// more afterwards (it may have changed). Holds names only.
export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly idle = new Set<() => void>();
  private closed = false;

  add(name: string): void {
    if (this.closed) return;
    if (this.active.has(name)) this.dirty.add(name);
    else this.waiting.add(name);
    this.wakeOne();
  }

  get size(): number {
    return this.waiting.size + this.active.size;
  }

  /** Stops handing out names; run() resolves once the names in progress are done. */
  close(): void {
    this.closed = true;
    for (const wake of this.idle) wake();
    this.idle.clear();
  }

  /** Runs handle for queued names with `workers` in parallel until close(). */
  async run(workers: number, handle: (name: string) => Promise<void>): Promise<void> {
    const worker = async () => {
      while (!this.closed) {
        const name = this.next();
        if (name === undefined) {
          await new Promise<void>((resolve) => this.idle.add(resolve));
          continue;
        }
        this.active.add(name);
        try {
          await handle(name);
        } finally {
          this.active.delete(name);
          if (this.dirty.delete(name)) this.add(name);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
  }

  private next(): string | undefined {
    for (const name of this.waiting) {
      this.waiting.delete(name);
      return name;
    }
    return undefined;
  }

  private wakeOne(): void {
    for (const wake of this.idle) {
      this.idle.delete(wake);
      wake();
      return;
    }
  }
}
